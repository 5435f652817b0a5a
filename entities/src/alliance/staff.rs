//! Staff counts of the member registration form (003 附件1) and of the
//! basic-situation table (附件2): total staff, of which management,
//! professional titles (高级/中级/初级), skill levels (高级技师 … 初级工,
//! 专项能力) and general workers (普工).

use serde::{Deserialize, Serialize};

/// Upper bound for any count: no Dongguan unit has ten million staff.
pub const MAX_COUNT: i64 = 10_000_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCounts {
    pub total_staff: i64,
    pub management: i64,
    pub title_senior: i64,
    pub title_intermediate: i64,
    pub title_junior: i64,
    pub skill_senior_technician: i64,
    pub skill_technician: i64,
    pub skill_senior_worker: i64,
    pub skill_intermediate_worker: i64,
    pub skill_junior_worker: i64,
    pub skill_special: i64,
    pub general_workers: i64,
}

impl StaffCounts {
    /// (field, Chinese label, value) of every sub-count, in 附件1 column order.
    #[must_use]
    pub fn parts(&self) -> [(&'static str, &'static str, i64); 11] {
        [
            ("management", "管理人员", self.management),
            ("title_senior", "高级职称", self.title_senior),
            ("title_intermediate", "中级职称", self.title_intermediate),
            ("title_junior", "初级职称", self.title_junior),
            ("skill_senior_technician", "高级技师", self.skill_senior_technician),
            ("skill_technician", "技师", self.skill_technician),
            ("skill_senior_worker", "高级工", self.skill_senior_worker),
            ("skill_intermediate_worker", "中级工", self.skill_intermediate_worker),
            ("skill_junior_worker", "初级工", self.skill_junior_worker),
            ("skill_special", "专项能力", self.skill_special),
            ("general_workers", "普工", self.general_workers),
        ]
    }
}

/// A count problem: (field, zh, en).
pub type CountProblem = (String, String, String);

/// Every inconsistency of the counts, each naming its field.
///
/// 003 附件1 lists management, titles, skill levels and general workers
/// "其中" (of which) the total: each sub-count, and each group's sum, is
/// part of the total. A person holds at most one highest title and one
/// highest skill level, so the title levels together, and the skill levels
/// together, cannot exceed the total; management and general workers are
/// distinct groups, so together they cannot exceed it either.
#[must_use]
pub fn check_staff_counts(c: &StaffCounts) -> Vec<CountProblem> {
    let mut out = Vec::new();
    let total = c.total_staff;
    let mut all = vec![("total_staff", "职工总数", total)];
    all.extend(c.parts());
    for (field, label, v) in &all {
        if *v < 0 {
            out.push(((*field).to_string(), format!("{label}不能为负数"), format!("{field} must not be negative")));
        } else if *v > MAX_COUNT {
            out.push(((*field).to_string(), format!("{label}不能超过{MAX_COUNT}人"), format!("{field} must not exceed {MAX_COUNT}")));
        }
    }
    if !out.is_empty() {
        return out;
    }
    for (field, label, v) in c.parts() {
        if v > total {
            out.push((
                field.to_string(),
                format!("{label}（{v}人）不能超过职工总数（{total}人）"),
                format!("{field} ({v}) exceeds total_staff ({total})"),
            ));
        }
    }
    let titles = c.title_senior + c.title_intermediate + c.title_junior;
    if titles > total {
        out.push((
            "title_senior".into(),
            format!("专业技术职称合计（{titles}人）不能超过职工总数（{total}人）"),
            format!("professional titles together ({titles}) exceed total_staff ({total})"),
        ));
    }
    let skills = c.skill_senior_technician
        + c.skill_technician
        + c.skill_senior_worker
        + c.skill_intermediate_worker
        + c.skill_junior_worker
        + c.skill_special;
    if skills > total {
        out.push((
            "skill_senior_technician".into(),
            format!("职业技能等级合计（{skills}人）不能超过职工总数（{total}人）"),
            format!("skill levels together ({skills}) exceed total_staff ({total})"),
        ));
    }
    if c.management + c.general_workers > total {
        out.push((
            "general_workers".into(),
            format!("管理人员与普工合计（{}人）不能超过职工总数（{total}人）", c.management + c.general_workers),
            format!("management plus general_workers ({}) exceed total_staff ({total})", c.management + c.general_workers),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> StaffCounts {
        StaffCounts {
            total_staff: 100,
            management: 10,
            title_senior: 5,
            title_intermediate: 10,
            title_junior: 15,
            skill_senior_technician: 2,
            skill_technician: 5,
            skill_senior_worker: 10,
            skill_intermediate_worker: 20,
            skill_junior_worker: 20,
            skill_special: 3,
            general_workers: 40,
        }
    }

    #[test]
    fn consistent_counts_pass() {
        assert!(check_staff_counts(&ok()).is_empty());
        assert!(check_staff_counts(&StaffCounts::default()).is_empty(), "a unit with no staff reported is consistent");
    }

    #[test]
    fn each_breakdown_larger_than_the_total_is_named() {
        for (i, (field, _, _)) in ok().parts().iter().enumerate() {
            let mut c = ok();
            match i {
                0 => c.management = 101,
                1 => c.title_senior = 101,
                2 => c.title_intermediate = 101,
                3 => c.title_junior = 101,
                4 => c.skill_senior_technician = 101,
                5 => c.skill_technician = 101,
                6 => c.skill_senior_worker = 101,
                7 => c.skill_intermediate_worker = 101,
                8 => c.skill_junior_worker = 101,
                9 => c.skill_special = 101,
                _ => c.general_workers = 101,
            }
            let problems = check_staff_counts(&c);
            assert!(problems.iter().any(|(f, zh, _)| f == field && zh.contains("不能超过职工总数")), "{field}: {problems:?}");
        }
    }

    #[test]
    fn group_sums_cannot_exceed_the_total() {
        let c = StaffCounts { total_staff: 10, title_senior: 4, title_intermediate: 4, title_junior: 4, ..StaffCounts::default() };
        assert_eq!(check_staff_counts(&c)[0].0, "title_senior");
        let c = StaffCounts { total_staff: 10, skill_technician: 6, skill_special: 5, ..StaffCounts::default() };
        assert_eq!(check_staff_counts(&c)[0].0, "skill_senior_technician");
        let c = StaffCounts { total_staff: 10, management: 6, general_workers: 5, ..StaffCounts::default() };
        assert_eq!(check_staff_counts(&c)[0].0, "general_workers");
    }

    #[test]
    fn negatives_and_absurd_numbers_are_refused() {
        let c = StaffCounts { total_staff: -1, ..StaffCounts::default() };
        assert_eq!(check_staff_counts(&c)[0].0, "total_staff");
        let c = StaffCounts { total_staff: MAX_COUNT + 1, ..StaffCounts::default() };
        assert!(check_staff_counts(&c)[0].1.contains("不能超过"));
    }
}
