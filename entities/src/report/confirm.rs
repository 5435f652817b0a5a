//! The two one-step answers a member unit can give for its row (issue 16
//! item 5): "与上期相同" (same as last period) and "本期无培训活动" (no
//! training activity this period).
//!
//! 003 附件2 (基本情况表) holds standing figures — staff, titles, skill
//! levels — that stay true until something changes, so confirming them
//! unchanged is a fair one-step answer. 003 附件3 (工作进展情况表) holds
//! what happened *this* period (当期培训人数, 当期申报新职业, 当期加盟成员单位 …):
//! copying last period's figures would count last period's trainees again.
//! So "与上期相同" confirms 附件2 only and leaves 附件3 to be entered (the
//! row is *progress pending*, not yet filled); "本期无培训活动" enters an
//! all-zero 附件3 and keeps 附件2.

use crate::{
    alliance::StaffCounts,
    report::{ProgressCounts, RowCounts},
};

/// A member's row after a one-step answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmed {
    pub counts: RowCounts,
    /// 附件2 is confirmed but 附件3 is still to be entered: the row does not
    /// count as filled (reminders continue, the report cannot be submitted).
    pub progress_pending: bool,
}

/// "与上期相同": the previous period's 附件2 figures; this period's 附件3 as
/// already entered (`current`, when it is complete), else still to be entered.
/// 003 附件2/附件3; issue 16 item 5.
#[must_use]
pub fn same_as_previous(previous: StaffCounts, current: Option<(RowCounts, bool)>) -> Confirmed {
    match current {
        Some((row, false)) => Confirmed { counts: RowCounts { basic: previous, progress: row.progress }, progress_pending: false },
        _ => Confirmed { counts: RowCounts { basic: previous, progress: ProgressCounts::default() }, progress_pending: true },
    }
}

/// "本期无培训活动": 附件3 all zero for this period, 附件2 as given. 003 附件3.
#[must_use]
pub fn no_activity(basic: StaffCounts) -> Confirmed {
    Confirmed { counts: RowCounts { basic, progress: ProgressCounts::default() }, progress_pending: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(total: i64) -> StaffCounts {
        StaffCounts { total_staff: total, management: 5, ..StaffCounts::default() }
    }

    fn trained(trainees: i64) -> ProgressCounts {
        ProgressCounts { trainees, ..ProgressCounts::default() }
    }

    #[test]
    fn same_as_previous_never_copies_last_periods_activity() {
        // (current row of this period, expected progress, expected pending)
        let cases = [
            (None, ProgressCounts::default(), true),
            (Some((RowCounts { basic: staff(80), progress: trained(0) }, true)), ProgressCounts::default(), true),
            (Some((RowCounts { basic: staff(80), progress: trained(40) }, false)), trained(40), false),
        ];
        for (current, progress, pending) in cases {
            let c = same_as_previous(staff(100), current);
            assert_eq!(c.counts.basic, staff(100), "附件2 comes from the previous period");
            assert_eq!((c.counts.progress, c.progress_pending), (progress, pending), "{current:?}");
        }
    }

    #[test]
    fn no_activity_is_a_complete_row_of_zero_progress() {
        let c = no_activity(staff(100));
        assert_eq!(c, Confirmed { counts: RowCounts { basic: staff(100), progress: ProgressCounts::default() }, progress_pending: false });
    }
}
