//! Scoring (DESIGN §6, 000 附件1). Category 3 is scored on the five criteria
//! of 附件1, each 0–100, weighted 匹配产业 20%, 应用广泛 30%, 内容适用 30%,
//! 模式灵活 10%, 社会效益 10%. With weights in percent the weighted score is
//! an exact integer number of hundredths of a point (0–10000). The panel
//! mean is kept as an exact rational (sum / count) and applications are
//! ranked by cross-multiplying; only the display is rounded. No floats.
//! Other categories: one project-approval score 0–100 (also in hundredths).

use std::cmp::Ordering;

/// (code, 认定内容, weight in percent) of 000 附件1, in its order.
pub const CRITERIA: [(&str, &str, u32); 5] = [
    ("industry_match", "匹配产业", 20),
    ("wide_application", "应用广泛", 30),
    ("content_fit", "内容适用", 30),
    ("flexible_mode", "模式灵活", 10),
    ("social_benefit", "社会效益", 10),
];

/// Highest score of one criterion.
pub const MAX_SCORE: i64 = 100;

/// One expert's five criterion scores, each checked to be 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CriterionScores([u32; 5]);

impl CriterionScores {
    /// # Errors
    /// The index and value of every score outside 0–100.
    pub fn parse(raw: [i64; 5]) -> Result<Self, Vec<(usize, i64)>> {
        let bad: Vec<(usize, i64)> = raw.iter().copied().enumerate().filter(|(_, v)| !(0..=MAX_SCORE).contains(v)).collect();
        if !bad.is_empty() {
            return Err(bad);
        }
        Ok(Self(raw.map(|v| u32::try_from(v).unwrap_or(0))))
    }

    #[must_use]
    pub fn values(&self) -> [u32; 5] {
        self.0
    }

    /// The weighted score in hundredths of a point: Σ weight% × score (0–10000).
    #[must_use]
    pub fn weighted_hundredths(&self) -> u32 {
        self.0.iter().zip(CRITERIA).map(|(s, (_, _, w))| s * w).sum()
    }
}

/// A single 0–100 score as hundredths (categories other than 3).
///
/// # Errors
/// The value when outside 0–100.
pub fn single_score_hundredths(score: i64) -> Result<u32, i64> {
    if (0..=MAX_SCORE).contains(&score) { Ok(u32::try_from(score * 100).unwrap_or(0)) } else { Err(score) }
}

/// The panel's result: every expert's weighted score (hundredths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelScore {
    sum: u64,
    count: u64,
    min: u32,
    max: u32,
}

impl PanelScore {
    /// None when no expert has scored (reviews marked conflict are never passed in).
    #[must_use]
    pub fn of(scores: &[u32]) -> Option<Self> {
        let min = *scores.iter().min()?;
        let max = *scores.iter().max()?;
        Some(Self { sum: scores.iter().map(|s| u64::from(*s)).sum(), count: scores.len() as u64, min, max })
    }

    /// A panel score from its aggregates (`SUM`, `COUNT`, `MIN`, `MAX` of the
    /// experts' scores, as the ranking reads them in SQL); None without scores.
    #[must_use]
    pub fn from_totals(sum: u64, count: u64, min: u32, max: u32) -> Option<Self> {
        (count > 0).then_some(Self { sum, count, min, max })
    }

    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The ranking key the database sorts by: ⌊sum × [`MEAN_KEY_SCALE`] / count⌋.
    /// Equal means give equal keys; unequal means a/b ≠ c/d differ by at least
    /// 1/(b·d), so their keys differ while b·d ≤ 10⁹ (panels of up to 31,622
    /// scores), i.e. ordering by the key is [`Self::cmp_mean`]. Integers only.
    #[must_use]
    pub fn mean_key(&self) -> u64 {
        self.sum * MEAN_KEY_SCALE / self.count
    }

    /// The exact mean as (numerator, denominator) in hundredths.
    #[must_use]
    pub fn mean_exact(&self) -> (u64, u64) {
        (self.sum, self.count)
    }

    /// The mean in hundredths, rounded half up (display only).
    #[must_use]
    pub fn mean_hundredths(&self) -> u64 {
        (2 * self.sum + self.count) / (2 * self.count)
    }

    /// Highest minus lowest expert score, in hundredths.
    #[must_use]
    pub fn spread_hundredths(&self) -> u32 {
        self.max - self.min
    }

    #[must_use]
    pub fn min_hundredths(&self) -> u32 {
        self.min
    }

    #[must_use]
    pub fn max_hundredths(&self) -> u32 {
        self.max
    }

    /// Compares exact means: a/b vs c/d as a·d vs c·b.
    #[must_use]
    pub fn cmp_mean(&self, other: &Self) -> Ordering {
        (u128::from(self.sum) * u128::from(other.count)).cmp(&(u128::from(other.sum) * u128::from(self.count)))
    }
}

/// The scale of [`PanelScore::mean_key`]: exact ranking in SQL with integer
/// division, whatever the panel size up to 31,622 scores; the largest key
/// numerator, 10,000 × 10⁹ per score, stays far inside `i64`.
pub const MEAN_KEY_SCALE: u64 = 1_000_000_000;

/// "80.25" from 8025 hundredths.
#[must_use]
pub fn format_hundredths(h: u64) -> String {
    format!("{}.{:02}", h / 100, h % 100)
}

/// Ranks by exact panel mean, highest first; unscored last; ties keep the
/// given order (e.g. by submission). Answers indices into `scores` with their
/// rank (1-based; equal means share a rank).
#[must_use]
pub fn rank(scores: &[Option<PanelScore>]) -> Vec<(usize, Option<usize>)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| match (&scores[*a], &scores[*b]) {
        (Some(x), Some(y)) => y.cmp_mean(x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
    let mut out = Vec::with_capacity(order.len());
    let mut last: Option<(PanelScore, usize)> = None;
    for (pos, i) in order.into_iter().enumerate() {
        let rank = scores[i].map(|s| match last {
            Some((prev, r)) if prev.cmp_mean(&s) == Ordering::Equal => r,
            _ => {
                last = Some((s, pos + 1));
                pos + 1
            }
        });
        out.push((i, rank));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_annex_1_and_sum_to_100() {
        assert_eq!(CRITERIA.iter().map(|c| c.2).sum::<u32>(), 100);
        let names: Vec<&str> = CRITERIA.iter().map(|c| c.1).collect();
        assert_eq!(names, ["匹配产业", "应用广泛", "内容适用", "模式灵活", "社会效益"]);
    }

    #[test]
    fn weighted_scores_are_exact_hundredths() {
        let s = CriterionScores::parse([80, 90, 70, 60, 100]).unwrap();
        // 0.2·80 + 0.3·90 + 0.3·70 + 0.1·60 + 0.1·100 = 80.00
        assert_eq!(s.weighted_hundredths(), 8000);
        assert_eq!(
            CriterionScores::parse([77, 81, 93, 65, 59]).unwrap().weighted_hundredths(),
            20 * 77 + 30 * 81 + 30 * 93 + 10 * 65 + 10 * 59
        );
        assert_eq!(CriterionScores::parse([100; 5]).unwrap().weighted_hundredths(), 10_000);
        assert_eq!(CriterionScores::parse([0; 5]).unwrap().weighted_hundredths(), 0);
    }

    #[test]
    fn scores_outside_0_to_100_are_refused_each_named() {
        assert_eq!(CriterionScores::parse([101, 50, -1, 0, 100]).unwrap_err(), vec![(0, 101), (2, -1)]);
        assert_eq!(single_score_hundredths(85), Ok(8500));
        assert_eq!(single_score_hundredths(-5), Err(-5));
    }

    #[test]
    fn panel_means_are_exact_and_rounded_only_for_display() {
        let p = PanelScore::of(&[8000, 8050, 8001]).unwrap();
        assert_eq!(p.mean_exact(), (24051, 3));
        assert_eq!(p.mean_hundredths(), 8017); // 8017.0
        assert_eq!(format_hundredths(p.mean_hundredths()), "80.17");
        assert_eq!(p.spread_hundredths(), 50);
        assert_eq!(PanelScore::of(&[1, 2]).unwrap().mean_hundredths(), 2, "1.5 rounds half up");
        assert!(PanelScore::of(&[]).is_none());
    }

    #[test]
    fn ranking_compares_exact_means() {
        // 8000/3 = 2666.67 vs 2666/1: rounding both to hundredths would tie them at 26.67/26.66, exact comparison does not.
        let a = PanelScore::of(&[2666, 2667, 2667]).unwrap(); // 8000/3
        let b = PanelScore::of(&[2666]).unwrap();
        let c = PanelScore::of(&[2667, 2666, 2667]).unwrap(); // equal to a
        let ranked = rank(&[Some(b), None, Some(a), Some(c)]);
        assert_eq!(ranked, vec![(2, Some(1)), (3, Some(1)), (0, Some(3)), (1, None)]);
    }

    #[test]
    fn the_sql_ranking_key_orders_exactly_like_the_means() {
        // Every panel of 1–12 scores with a sum near one mean, against each other.
        let mut panels = Vec::new();
        for count in 1..=12u64 {
            for sum in (8000 * count - 30)..=(8000 * count + 30) {
                panels.push(PanelScore::from_totals(sum, count, 0, 10_000).unwrap());
            }
        }
        for a in &panels {
            for b in &panels {
                assert_eq!(a.mean_key().cmp(&b.mean_key()), a.cmp_mean(b), "{a:?} vs {b:?}");
            }
        }
        let top = PanelScore::from_totals(10_000 * 31_622, 31_622, 10_000, 10_000).unwrap();
        assert!(i64::try_from(top.sum * MEAN_KEY_SCALE).is_ok(), "fits a signed 64-bit column");
        assert!(PanelScore::from_totals(0, 0, 0, 0).is_none());
    }
}
