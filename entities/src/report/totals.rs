//! 合计 and per-category subtotals of 附件2 and 附件3 (DESIGN §5: computed by
//! the server, never typed). 003 附件2/附件3 group member rows under 一、企业,
//! 二、职业院校, 三、技工院校, 四、职业培训机构, 五、科研机构, 六、行业协会,
//! 七、其他, in that order ([`OrgKind::ALL`]), with the 合计 row on top.

use serde::Serialize;

use super::progress::{ProgressCounts, check_progress_counts};
use crate::{
    OrgKind,
    alliance::{StaffCounts, check_staff_counts, staff::CountProblem},
};

/// One member's row: its 附件2 counts and its 附件3 counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    pub basic: StaffCounts,
    pub progress: ProgressCounts,
}

impl RowCounts {
    /// Field-by-field sum (counts are at most ten million each, so an `i64`
    /// cannot overflow for any realistic number of rows; saturating anyway).
    #[must_use]
    pub fn plus(&self, o: &Self) -> Self {
        let (a, b) = (&self.basic, &o.basic);
        let (p, q) = (&self.progress, &o.progress);
        let s = |x: i64, y: i64| x.saturating_add(y);
        Self {
            basic: StaffCounts {
                total_staff: s(a.total_staff, b.total_staff),
                management: s(a.management, b.management),
                title_senior: s(a.title_senior, b.title_senior),
                title_intermediate: s(a.title_intermediate, b.title_intermediate),
                title_junior: s(a.title_junior, b.title_junior),
                skill_senior_technician: s(a.skill_senior_technician, b.skill_senior_technician),
                skill_technician: s(a.skill_technician, b.skill_technician),
                skill_senior_worker: s(a.skill_senior_worker, b.skill_senior_worker),
                skill_intermediate_worker: s(a.skill_intermediate_worker, b.skill_intermediate_worker),
                skill_junior_worker: s(a.skill_junior_worker, b.skill_junior_worker),
                skill_special: s(a.skill_special, b.skill_special),
                general_workers: s(a.general_workers, b.general_workers),
            },
            progress: ProgressCounts {
                trainees: s(p.trainees, q.trainees),
                new_occupations: s(p.new_occupations, q.new_occupations),
                special_abilities: s(p.special_abilities, q.special_abilities),
                members_joined: s(p.members_joined, q.members_joined),
                trained_senior_technician: s(p.trained_senior_technician, q.trained_senior_technician),
                trained_technician: s(p.trained_technician, q.trained_technician),
                trained_senior_worker: s(p.trained_senior_worker, q.trained_senior_worker),
                trained_intermediate_worker: s(p.trained_intermediate_worker, q.trained_intermediate_worker),
                trained_junior_worker: s(p.trained_junior_worker, q.trained_junior_worker),
                trained_special: s(p.trained_special, q.trained_special),
                trained_general_workers: s(p.trained_general_workers, q.trained_general_workers),
            },
        }
    }

    /// The 附件2 values in its column order (职工总数 first).
    #[must_use]
    pub fn basic_values(&self) -> [i64; 12] {
        let b = &self.basic;
        let parts = b.parts();
        let mut out = [b.total_staff; 12];
        for (i, (_, _, v)) in parts.iter().enumerate() {
            out[i + 1] = *v;
        }
        out
    }

    /// The 附件3 values in its column order (当期培训 first).
    #[must_use]
    pub fn progress_values(&self) -> [i64; 11] {
        self.progress.fields().map(|(_, _, v)| v)
    }
}

/// Every inconsistency of a member's row: 附件2 counts under `basic.…`
/// (003 附件2 has the columns and "其中" structure of 附件1), 附件3 counts
/// under `progress.…`.
#[must_use]
pub fn check_row(c: &RowCounts) -> Vec<CountProblem> {
    let basic = check_staff_counts(&c.basic).into_iter().map(|(f, zh, en)| (format!("basic.{f}"), zh, en));
    let progress = check_progress_counts(&c.progress).into_iter().map(|(f, zh, en)| (format!("progress.{f}"), zh, en));
    basic.chain(progress).collect()
}

/// One category's subtotal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subtotal {
    pub kind: OrgKind,
    /// Rows counted.
    pub rows: usize,
    pub counts: RowCounts,
}

/// 合计 and the seven subtotals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub rows: usize,
    pub total: RowCounts,
    /// Always seven entries, in [`OrgKind::ALL`] order (empty categories are zero).
    pub by_kind: Vec<Subtotal>,
}

/// Sums member rows, each with its organisation's kind.
#[must_use]
pub fn totals<'a>(rows: impl IntoIterator<Item = (OrgKind, &'a RowCounts)>) -> Totals {
    let mut by_kind: Vec<Subtotal> = OrgKind::ALL.iter().map(|k| Subtotal { kind: *k, rows: 0, counts: RowCounts::default() }).collect();
    let mut total = RowCounts::default();
    let mut n = 0;
    for (kind, row) in rows {
        n += 1;
        total = total.plus(row);
        if let Some(sub) = by_kind.iter_mut().find(|s| s.kind == kind) {
            sub.rows += 1;
            sub.counts = sub.counts.plus(row);
        }
    }
    Totals { rows: n, total, by_kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(total_staff: i64, trainees: i64) -> RowCounts {
        RowCounts {
            basic: StaffCounts { total_staff, management: total_staff / 10, general_workers: total_staff / 2, ..StaffCounts::default() },
            progress: ProgressCounts { trainees, trained_junior_worker: trainees / 2, ..ProgressCounts::default() },
        }
    }

    #[test]
    fn totals_and_subtotals_in_the_order_of_annex_2() {
        let rows = [
            (OrgKind::TechnicalSchool, row(100, 40)),
            (OrgKind::Enterprise, row(200, 60)),
            (OrgKind::Enterprise, row(300, 80)),
            (OrgKind::ResearchInstitute, row(50, 10)),
        ];
        let t = totals(rows.iter().map(|(k, r)| (*k, r)));
        assert_eq!(t.rows, 4);
        assert_eq!(t.total.basic.total_staff, 650);
        assert_eq!(t.total.basic.management, 10 + 20 + 30 + 5);
        assert_eq!(t.total.progress.trainees, 190);
        assert_eq!(t.total.progress.trained_junior_worker, 20 + 30 + 40 + 5);
        let kinds: Vec<OrgKind> = t.by_kind.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, OrgKind::ALL);
        assert_eq!((t.by_kind[0].rows, t.by_kind[0].counts.basic.total_staff), (2, 500));
        assert_eq!((t.by_kind[1].rows, t.by_kind[1].counts.basic.total_staff), (0, 0), "no vocational college");
        assert_eq!(t.by_kind[2].counts.progress.trainees, 40);
        assert_eq!(t.by_kind[4].counts.basic.general_workers, 25);
        // The subtotals add up to the total.
        let sum = t.by_kind.iter().fold(RowCounts::default(), |acc, s| acc.plus(&s.counts));
        assert_eq!(sum, t.total);
    }

    #[test]
    fn row_problems_name_their_table() {
        let mut r = row(100, 40);
        assert!(check_row(&r).is_empty());
        r.basic.management = 101;
        r.progress.trained_special = -1;
        let fields: Vec<String> = check_row(&r).into_iter().map(|(f, _, _)| f).collect();
        assert_eq!(fields, ["basic.management", "basic.general_workers", "progress.trained_special"]);
    }

    #[test]
    fn column_values_follow_the_tables() {
        let r = row(100, 40);
        assert_eq!(r.basic_values()[0], 100);
        assert_eq!(r.basic_values()[1], 10, "管理人员 second");
        assert_eq!(r.basic_values()[11], 50, "普工 last");
        assert_eq!(r.progress_values()[0], 40);
        assert_eq!(r.progress_values()[8], 20, "初级工 is the ninth column of 附件3's counts");
        assert_eq!(totals(std::iter::empty()).total, RowCounts::default());
    }
}
