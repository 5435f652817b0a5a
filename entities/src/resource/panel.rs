//! Drawing an expert panel at random (DESIGN §6; 000 第二十四条: experts are
//! drawn from the pool under 东人社发〔2024〕26号). Excluded: experts of the
//! applicant organisation, inactive experts, experts who declared a conflict
//! (回避) for this application, and experts already seated.
//!
//! The draw is reproducible for audit: the eligible candidates are sorted by
//! id and shuffled by a partial Fisher–Yates driven by SplitMix64 from the
//! recorded seed, a generator fully specified here (not a library's, whose
//! stream could change with a version), so anyone can replay a recorded draw.

use uuid::Uuid;

/// An expert of the pool as the draw sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub expert_id: Uuid,
    pub organization_id: Option<Uuid>,
    pub active: bool,
}

/// A recorded draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    pub seed: u64,
    /// Everyone who could be drawn, sorted by id.
    pub eligible: Vec<Uuid>,
    /// The experts drawn, in draw order.
    pub chosen: Vec<Uuid>,
}

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (rejection sampling, no modulo bias). `bound > 0`.
    pub fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }
}

/// The candidates that may be drawn for an application of `applicant_org`.
#[must_use]
pub fn eligible(pool: &[Candidate], applicant_org: Uuid, excluded: &[Uuid]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = pool
        .iter()
        .filter(|c| c.active && c.organization_id != Some(applicant_org) && !excluded.contains(&c.expert_id))
        .map(|c| c.expert_id)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Draws up to `n` experts (fewer when fewer are eligible).
#[must_use]
pub fn draw(pool: &[Candidate], applicant_org: Uuid, excluded: &[Uuid], n: usize, seed: u64) -> Draw {
    let eligible = eligible(pool, applicant_org, excluded);
    let mut shuffled = eligible.clone();
    let mut rng = SplitMix64::new(seed);
    let take = n.min(shuffled.len());
    for i in 0..take {
        let j = i + usize::try_from(rng.below((shuffled.len() - i) as u64)).unwrap_or(0);
        shuffled.swap(i, j);
    }
    shuffled.truncate(take);
    Draw { seed, eligible, chosen: shuffled }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn splitmix64_matches_the_reference_stream() {
        // Reference values of SplitMix64 seeded with 1234567.
        let mut r = SplitMix64::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn same_seed_same_panel() {
        let pool: Vec<Candidate> =
            (1..=20).map(|n| Candidate { expert_id: id(n), organization_id: Some(id(1000 + n % 4)), active: true }).collect();
        let a = draw(&pool, id(1000), &[], 5, 42);
        let b = draw(&pool, id(1000), &[], 5, 42);
        assert_eq!(a, b);
        assert_eq!(a.chosen.len(), 5);
        assert_eq!(a.eligible.len(), 15, "the five of the applicant's organisation are not candidates");
        assert_ne!(draw(&pool, id(1000), &[], 5, 43).chosen, a.chosen);
    }

    #[test]
    fn fewer_eligible_than_seats() {
        let pool = [
            Candidate { expert_id: id(1), organization_id: None, active: true },
            Candidate { expert_id: id(2), organization_id: None, active: false },
        ];
        assert_eq!(draw(&pool, id(9), &[], 5, 1).chosen, vec![id(1)]);
        assert!(draw(&pool, id(9), &[id(1)], 5, 1).chosen.is_empty());
    }

    fn pool_strategy() -> impl Strategy<Value = Vec<(u8, bool, bool)>> {
        // (organisation 0..6 or none=6, active, conflicted)
        prop::collection::vec((0u8..7, prop::bool::weighted(0.8), prop::bool::weighted(0.1)), 0..60)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Acceptance 5: never an expert of the applicant organisation, nor an inactive or conflicted one.
        #[test]
        fn the_draw_never_includes_an_excluded_expert(pool in pool_strategy(), applicant in 0u8..6, n in 1usize..12, seed in any::<u64>()) {
            let org = |o: u8| (o < 6).then(|| id(1000 + u128::from(o)));
            let candidates: Vec<Candidate> = pool.iter().enumerate()
                .map(|(i, (o, active, _))| Candidate { expert_id: id(i as u128 + 1), organization_id: org(*o), active: *active })
                .collect();
            let conflicted: Vec<Uuid> = pool.iter().enumerate().filter(|(_, p)| p.2).map(|(i, _)| id(i as u128 + 1)).collect();
            let applicant_org = id(1000 + u128::from(applicant));
            let d = draw(&candidates, applicant_org, &conflicted, n, seed);
            let eligible_count = candidates.iter().filter(|c| c.active && c.organization_id != Some(applicant_org) && !conflicted.contains(&c.expert_id)).count();
            prop_assert_eq!(d.chosen.len(), n.min(eligible_count));
            let mut seen = std::collections::HashSet::new();
            for e in &d.chosen {
                let c = candidates.iter().find(|c| c.expert_id == *e).unwrap();
                prop_assert!(c.organization_id != Some(applicant_org), "expert of the applicant organisation drawn");
                prop_assert!(c.active, "inactive expert drawn");
                prop_assert!(!conflicted.contains(e), "conflicted expert drawn");
                prop_assert!(seen.insert(*e), "drawn twice");
                prop_assert!(d.eligible.contains(e));
            }
            prop_assert_eq!(draw(&candidates, applicant_org, &conflicted, n, seed), d, "replayable from the seed");
        }
    }
}
