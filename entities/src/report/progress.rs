//! The progress table (工作进展情况表, 003 附件3), one row per member unit:
//! 当期培训（人）, of which 当期申报新职业（工种）（个）, 当期申报专项职业能力（个）,
//! 当期加盟成员单位（个）, 当期组织企业职工开展职业技能等级培训（人） by level
//! (高级技师 … 初级工, 专项职业能力) and 普工（人）.

use serde::{Deserialize, Serialize};

use crate::alliance::staff::{CountProblem, MAX_COUNT};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressCounts {
    /// 当期培训（人）
    pub trainees: i64,
    /// 当期申报新职业（工种）（个）
    pub new_occupations: i64,
    /// 当期申报专项职业能力（个）
    pub special_abilities: i64,
    /// 当期加盟成员单位（个）
    pub members_joined: i64,
    /// 当期组织企业职工开展职业技能等级培训（人）：高级技师
    pub trained_senior_technician: i64,
    /// ……技师
    pub trained_technician: i64,
    /// ……高级工
    pub trained_senior_worker: i64,
    /// ……中级工
    pub trained_intermediate_worker: i64,
    /// ……初级工
    pub trained_junior_worker: i64,
    /// ……专项职业能力
    pub trained_special: i64,
    /// 普工（人）
    pub trained_general_workers: i64,
}

impl ProgressCounts {
    /// (field, Chinese label, value) of every count, in 附件3 column order.
    #[must_use]
    pub fn fields(&self) -> [(&'static str, &'static str, i64); 11] {
        [
            ("trainees", "当期培训人数", self.trainees),
            ("new_occupations", "当期申报新职业（工种）数", self.new_occupations),
            ("special_abilities", "当期申报专项职业能力数", self.special_abilities),
            ("members_joined", "当期加盟成员单位数", self.members_joined),
            ("trained_senior_technician", "高级技师培训人数", self.trained_senior_technician),
            ("trained_technician", "技师培训人数", self.trained_technician),
            ("trained_senior_worker", "高级工培训人数", self.trained_senior_worker),
            ("trained_intermediate_worker", "中级工培训人数", self.trained_intermediate_worker),
            ("trained_junior_worker", "初级工培训人数", self.trained_junior_worker),
            ("trained_special", "专项职业能力培训人数", self.trained_special),
            ("trained_general_workers", "普工培训人数", self.trained_general_workers),
        ]
    }

    /// The persons trained by level and the general workers: the part of
    /// 当期培训 the table breaks down.
    #[must_use]
    pub fn trained_by_level(&self) -> [(&'static str, &'static str, i64); 7] {
        let f = self.fields();
        [f[4], f[5], f[6], f[7], f[8], f[9], f[10]]
    }
}

/// Every inconsistency of the counts, each naming its field.
///
/// 003 附件3 prints the level columns and 普工 under "其中" of 当期培训（人）:
/// each of them, and their sum (a trainee is counted at one level), is part
/// of the persons trained this period. The three "（个）" columns count
/// applications and new members, not persons, and have no total to fit in.
/// Like 附件1/附件2, no count is negative or above ten million.
#[must_use]
pub fn check_progress_counts(c: &ProgressCounts) -> Vec<CountProblem> {
    let mut out = Vec::new();
    for (field, label, v) in c.fields() {
        if v < 0 {
            out.push((field.to_string(), format!("{label}不能为负数"), format!("{field} must not be negative")));
        } else if v > MAX_COUNT {
            out.push((field.to_string(), format!("{label}不能超过{MAX_COUNT}"), format!("{field} must not exceed {MAX_COUNT}")));
        }
    }
    if !out.is_empty() {
        return out;
    }
    let total = c.trainees;
    for (field, label, v) in c.trained_by_level() {
        if v > total {
            out.push((
                field.to_string(),
                format!("{label}（{v}人）不能超过当期培训人数（{total}人）"),
                format!("{field} ({v}) exceeds trainees ({total})"),
            ));
        }
    }
    let sum: i64 = c.trained_by_level().iter().map(|(_, _, v)| v).sum();
    if out.is_empty() && sum > total {
        out.push((
            "trained_senior_technician".into(),
            format!("分等级培训人数与普工培训人数合计（{sum}人）不能超过当期培训人数（{total}人）"),
            format!("persons trained by level together ({sum}) exceed trainees ({total})"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> ProgressCounts {
        ProgressCounts {
            trainees: 300,
            new_occupations: 2,
            special_abilities: 1,
            members_joined: 1,
            trained_senior_technician: 5,
            trained_technician: 20,
            trained_senior_worker: 40,
            trained_intermediate_worker: 60,
            trained_junior_worker: 80,
            trained_special: 15,
            trained_general_workers: 80,
        }
    }

    #[test]
    fn consistent_counts_pass() {
        assert!(check_progress_counts(&ok()).is_empty());
        assert!(check_progress_counts(&ProgressCounts::default()).is_empty());
        // The "（个）" columns are not part of the trainees.
        let c = ProgressCounts { new_occupations: 9, special_abilities: 9, members_joined: 9, ..ProgressCounts::default() };
        assert!(check_progress_counts(&c).is_empty());
    }

    #[test]
    fn each_level_larger_than_the_trainees_is_named() {
        for (i, (field, _, _)) in ok().trained_by_level().iter().enumerate() {
            let mut c = ok();
            match i {
                0 => c.trained_senior_technician = 301,
                1 => c.trained_technician = 301,
                2 => c.trained_senior_worker = 301,
                3 => c.trained_intermediate_worker = 301,
                4 => c.trained_junior_worker = 301,
                5 => c.trained_special = 301,
                _ => c.trained_general_workers = 301,
            }
            let problems = check_progress_counts(&c);
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].0, *field);
            assert!(problems[0].1.contains("不能超过当期培训人数"));
        }
    }

    #[test]
    fn the_levels_together_cannot_exceed_the_trainees() {
        let c = ProgressCounts { trainees: 10, trained_technician: 6, trained_general_workers: 5, ..ProgressCounts::default() };
        let problems = check_progress_counts(&c);
        assert_eq!(problems[0].0, "trained_senior_technician");
        assert!(problems[0].1.contains("合计（11人）"));
    }

    #[test]
    fn negatives_and_absurd_numbers_are_refused() {
        let c = ProgressCounts { members_joined: -1, ..ProgressCounts::default() };
        assert_eq!(check_progress_counts(&c)[0].0, "members_joined");
        let c = ProgressCounts { trainees: MAX_COUNT + 1, ..ProgressCounts::default() };
        let problems = check_progress_counts(&c);
        assert_eq!(problems[0].0, "trainees");
        assert!(problems[0].1.contains("不能超过10000000"));
    }
}
