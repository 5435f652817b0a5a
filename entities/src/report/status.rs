//! The report lifecycle (DESIGN §5): `draft → submitted → (returned ⇄
//! submitted) → accepted`, and the standing the bureau sees for every
//! alliance that owes a period (`not_started … overdue`).

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Stored status of a report row. A report exists from the first write
/// (a member row, the summary); before that the period is "not started".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "returned")]
    Returned,
    #[sea_orm(string_value = "accepted")]
    Accepted,
}

impl ReportStatus {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "填报中",
            Self::Submitted => "已报送待审核",
            Self::Returned => "已退回修改",
            Self::Accepted => "已审核通过",
        }
    }

    /// Rows and the summary may change (003 §二(七): the initiator reports;
    /// until it does, or after a return, the alliance works on it).
    #[must_use]
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    /// The initiator submits (first time or after a return).
    Submit,
    /// Bureau staff return it with reasons.
    Return,
    /// Bureau staff accept it.
    Accept,
}

impl ReportAction {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submit => "报送",
            Self::Return => "退回修改",
            Self::Accept => "审核通过",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action:?} is not allowed from {from:?}")]
pub struct ReportTransitionError {
    pub from: ReportStatus,
    pub action: ReportAction,
}

impl ReportTransitionError {
    #[must_use]
    pub fn zh(&self) -> String {
        format!("报送当前状态为“{}”，不能{}", self.from.label_zh(), self.action.label_zh())
    }
}

/// The next status, or why not.
///
/// # Errors
/// [`ReportTransitionError`] for a step the lifecycle does not have.
pub fn transition(from: ReportStatus, action: ReportAction) -> Result<ReportStatus, ReportTransitionError> {
    use ReportAction as A;
    use ReportStatus as S;
    match (from, action) {
        (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
        (S::Submitted, A::Return) => Ok(S::Returned),
        (S::Submitted, A::Accept) => Ok(S::Accepted),
        _ => Err(ReportTransitionError { from, action }),
    }
}

/// Where an alliance stands for one period, as the bureau lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Nothing written yet, deadline not passed.
    NotStarted,
    /// Rows or summary written, not submitted, deadline not passed.
    InProgress,
    /// Submitted on time, awaiting review.
    Submitted,
    /// Submitted after the deadline, awaiting review.
    Late,
    Accepted,
    /// Returned for correction.
    Returned,
    /// Not submitted and the deadline has passed.
    Overdue,
}

impl Standing {
    pub const ALL: [Self; 7] =
        [Self::NotStarted, Self::InProgress, Self::Submitted, Self::Late, Self::Accepted, Self::Returned, Self::Overdue];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Submitted => "submitted",
            Self::Late => "late",
            Self::Accepted => "accepted",
            Self::Returned => "returned",
            Self::Overdue => "overdue",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotStarted => "未开始",
            Self::InProgress => "填报中",
            Self::Submitted => "已报送",
            Self::Late => "逾期报送",
            Self::Accepted => "已审核通过",
            Self::Returned => "已退回修改",
            Self::Overdue => "逾期未报",
        }
    }
}

/// The standing of a period: `report` is the stored status and days late
/// (None: nothing written yet); `due` the report's due date.
///
/// A returned report stays `returned` after the deadline: it was handed in,
/// and lateness is judged on the first submission. The same rule is written
/// in SQL for the bureau list (`api` services, `reports::listing`); the
/// end-to-end tests check that both agree.
#[must_use]
pub fn standing(report: Option<(ReportStatus, Option<i32>)>, today: NaiveDate, due: NaiveDate) -> Standing {
    match report {
        Some((ReportStatus::Accepted, _)) => Standing::Accepted,
        Some((ReportStatus::Returned, _)) => Standing::Returned,
        Some((ReportStatus::Submitted, late)) if late.unwrap_or(0) > 0 => Standing::Late,
        Some((ReportStatus::Submitted, _)) => Standing::Submitted,
        _ if today > due => Standing::Overdue,
        Some((ReportStatus::Draft, _)) => Standing::InProgress,
        None => Standing::NotStarted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReportAction as A;
    use ReportStatus as S;

    #[test]
    fn every_transition() {
        let all = [S::Draft, S::Submitted, S::Returned, S::Accepted];
        let allowed = [
            (S::Draft, A::Submit, S::Submitted),
            (S::Returned, A::Submit, S::Submitted),
            (S::Submitted, A::Return, S::Returned),
            (S::Submitted, A::Accept, S::Accepted),
        ];
        for from in all {
            for action in [A::Submit, A::Return, A::Accept] {
                let expected = allowed.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to);
                assert_eq!(transition(from, action).ok(), expected, "{from:?} {action:?}");
            }
        }
        assert_eq!(transition(S::Accepted, A::Submit).unwrap_err().zh(), "报送当前状态为“已审核通过”，不能报送");
    }

    #[test]
    fn standings() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let due = d(7, 31);
        let cases = [
            (None, d(7, 5), Standing::NotStarted),
            (None, d(7, 31), Standing::NotStarted),
            (None, d(8, 1), Standing::Overdue),
            (Some((S::Draft, None)), d(7, 5), Standing::InProgress),
            (Some((S::Draft, None)), d(8, 3), Standing::Overdue),
            (Some((S::Submitted, Some(0))), d(8, 3), Standing::Submitted),
            (Some((S::Submitted, Some(3))), d(8, 3), Standing::Late),
            (Some((S::Returned, Some(0))), d(9, 1), Standing::Returned),
            (Some((S::Accepted, Some(3))), d(9, 1), Standing::Accepted),
        ];
        for (report, today, expected) in cases {
            assert_eq!(standing(report, today, due), expected, "{report:?} {today}");
        }
        for s in Standing::ALL {
            assert_eq!(Standing::from_code(s.code()), Some(s));
        }
    }
}
