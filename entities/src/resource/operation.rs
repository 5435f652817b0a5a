//! Operation of published resources (000 第二十一条: 市人力资源社会保障部门对公布的
//! 技能资源进行日常管理，定期对技能资源的使用情况等进行评估，动态调整更新技能资源).
//!
//! Usage reports (trainees and organisations using a resource, one per year)
//! feed the assessment; an assessment is keep / update required / withdraw
//! and sets the next due date. The reassessment reminder stages and the
//! assessment status shown on the work file live here too. Pure functions:
//! no database.

use chrono::{Datelike, Months, NaiveDate};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Months to the next assessment after "update required" (DESIGN §6 is
/// silent): the publisher updates the resource and it is assessed again then.
pub const DEFAULT_UPDATE_MONTHS: u32 = 6;

/// Days before the due date at which the reassessment is announced (DESIGN §8).
pub const REMINDER_DAYS_BEFORE: i64 = 60;

/// Upper bound of the usage counts (as for every count in the registry).
pub const MAX_COUNT: i64 = 10_000_000;

/// The outcome of an assessment (DESIGN §6: keep / update / withdraw).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum AssessmentOutcome {
    /// 继续保留
    #[sea_orm(string_value = "keep")]
    Keep,
    /// 需要更新
    #[sea_orm(string_value = "update_required")]
    UpdateRequired,
    /// 撤出目录
    #[sea_orm(string_value = "withdraw")]
    Withdraw,
}

impl AssessmentOutcome {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Keep => "继续保留",
            Self::UpdateRequired => "需要更新",
            Self::Withdraw => "撤出目录",
        }
    }
}

/// Months between assessments: after "keep" (per kind, default 24) and after "update required".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    pub keep_months: u32,
    pub update_months: u32,
}

/// What an assessment is checked against: the resource as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub published_on: NaiveDate,
    pub last_assessed_on: Option<NaiveDate>,
    pub next_due: NaiveDate,
    pub withdrawn_on: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
}

/// Why an assessment or a usage report is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationError {
    /// Withdrawn from the catalogue by an earlier assessment (409).
    Withdrawn,
    /// Revoked for fraud (000 第二十二条, 409).
    Revoked,
    /// The assessment date is after today (422 `assessed_on`).
    AssessedInFuture,
    /// The assessment date is before publication or the last assessment (422 `assessed_on`).
    AssessedTooEarly,
}

impl OperationError {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Withdrawn => "resource_withdrawn",
            Self::Revoked => "resource_revoked",
            Self::AssessedInFuture => "assessed_in_future",
            Self::AssessedTooEarly => "assessed_too_early",
        }
    }

    #[must_use]
    pub fn zh(self) -> &'static str {
        match self {
            Self::Withdrawn => "该技能资源已撤出目录，不再评估或报送使用情况",
            Self::Revoked => "该技能资源已被取消认定，不再评估或报送使用情况",
            Self::AssessedInFuture => "不能晚于今天",
            Self::AssessedTooEarly => "不能早于公布日期或上次评估日期",
        }
    }
}

/// What an assessment changes on the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effect {
    pub last_assessed_on: NaiveDate,
    /// The next assessment due; unchanged for a withdrawal (it is no longer assessed).
    pub next_due: NaiveDate,
    /// Set by a withdrawal: the resource leaves the public catalogue.
    pub withdrawn_on: Option<NaiveDate>,
}

/// Whether the resource still takes assessments and usage reports.
///
/// # Errors
/// [`OperationError::Revoked`], [`OperationError::Withdrawn`].
pub fn in_operation(r: &Standing) -> Result<(), OperationError> {
    if r.revoked_on.is_some() {
        return Err(OperationError::Revoked);
    }
    if r.withdrawn_on.is_some() {
        return Err(OperationError::Withdrawn);
    }
    Ok(())
}

/// 000 第二十一条: the bureau assesses a published resource on `assessed_on`
/// (not in the future, not before publication or the last assessment).
/// Keep → next due `assessed_on` plus the kind's interval; update required
/// → plus the shorter update interval; withdraw → out of the catalogue from
/// `assessed_on`.
///
/// # Errors
/// [`OperationError`].
pub fn assess(
    r: &Standing,
    outcome: AssessmentOutcome,
    assessed_on: NaiveDate,
    today: NaiveDate,
    iv: Intervals,
) -> Result<Effect, OperationError> {
    in_operation(r)?;
    if assessed_on > today {
        return Err(OperationError::AssessedInFuture);
    }
    if assessed_on < r.published_on || r.last_assessed_on.is_some_and(|last| assessed_on < last) {
        return Err(OperationError::AssessedTooEarly);
    }
    let plus = |months: u32| assessed_on.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX);
    Ok(match outcome {
        AssessmentOutcome::Keep => Effect { last_assessed_on: assessed_on, next_due: plus(iv.keep_months), withdrawn_on: None },
        AssessmentOutcome::UpdateRequired => Effect { last_assessed_on: assessed_on, next_due: plus(iv.update_months), withdrawn_on: None },
        AssessmentOutcome::Withdraw => Effect { last_assessed_on: assessed_on, next_due: r.next_due, withdrawn_on: Some(assessed_on) },
    })
}

/// A usage report's problems, each (field, code, Chinese message without the field's label); empty when fine.
/// The year runs from the year of publication to the current year (a current
/// year's figures may be reported and later replaced).
#[must_use]
pub fn check_usage(
    year: i32,
    trainees: i64,
    organisations: i64,
    published_on: NaiveDate,
    today: NaiveDate,
) -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    if year < published_on.year() || year > today.year() {
        out.push(("year", "usage_year_out_of_range", format!("须在公布年度{}至今年{}之间", published_on.year(), today.year())));
    }
    for (field, v) in [("trainees", trainees), ("organisations", organisations)] {
        if !(0..=MAX_COUNT).contains(&v) {
            out.push((field, "count_out_of_range", format!("须在0到{MAX_COUNT}之间")));
        }
    }
    out
}

/// A stage at which the publisher is told its reassessment is coming (DESIGN §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReminderStage {
    /// 60 days (or fewer) before the due date.
    Before60,
    /// On or after the due date.
    Due,
}

impl ReminderStage {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Before60 => "d60",
            Self::Due => "due",
        }
    }
}

/// The current reminder stage of a resource due on `due`: only the current
/// one is sent, so a job that missed days never sends a backlog.
#[must_use]
pub fn reminder_stage(due: NaiveDate, today: NaiveDate) -> Option<ReminderStage> {
    if today >= due {
        Some(ReminderStage::Due)
    } else if (due - today).num_days() <= REMINDER_DAYS_BEFORE {
        Some(ReminderStage::Before60)
    } else {
        None
    }
}

/// Where a resource stands with its assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentStatus {
    Current,
    /// Due within 60 days.
    DueSoon,
    /// The due date has come (or passed) without an assessment.
    Due,
    Withdrawn,
    Revoked,
}

impl AssessmentStatus {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::DueSoon => "due_soon",
            Self::Due => "due",
            Self::Withdrawn => "withdrawn",
            Self::Revoked => "revoked",
        }
    }

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Current => "正常",
            Self::DueSoon => "60天内待评估",
            Self::Due => "已到评估日期",
            Self::Withdrawn => "已撤出目录",
            Self::Revoked => "已取消认定",
        }
    }
}

#[must_use]
pub fn assessment_status(r: &Standing, today: NaiveDate) -> AssessmentStatus {
    match (in_operation(r), reminder_stage(r.next_due, today)) {
        (Err(OperationError::Revoked), _) => AssessmentStatus::Revoked,
        (Err(_), _) => AssessmentStatus::Withdrawn,
        (Ok(()), Some(ReminderStage::Due)) => AssessmentStatus::Due,
        (Ok(()), Some(ReminderStage::Before60)) => AssessmentStatus::DueSoon,
        (Ok(()), None) => AssessmentStatus::Current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn standing() -> Standing {
        Standing { published_on: d(2026, 6, 9), last_assessed_on: None, next_due: d(2028, 6, 9), withdrawn_on: None, revoked_on: None }
    }

    const IV: Intervals = Intervals { keep_months: 24, update_months: 6 };

    // 000 第二十一条: each outcome sets the next due date (keep +24 months, update +6) or withdraws.
    #[test]
    fn outcomes_set_the_next_due_date_or_withdraw() {
        let today = d(2028, 5, 20);
        let cases = [
            (
                AssessmentOutcome::Keep,
                d(2028, 5, 20),
                Ok(Effect { last_assessed_on: d(2028, 5, 20), next_due: d(2030, 5, 20), withdrawn_on: None }),
            ),
            (
                AssessmentOutcome::UpdateRequired,
                d(2028, 5, 20),
                Ok(Effect { last_assessed_on: d(2028, 5, 20), next_due: d(2028, 11, 20), withdrawn_on: None }),
            ),
            (
                AssessmentOutcome::Withdraw,
                d(2028, 5, 1),
                Ok(Effect { last_assessed_on: d(2028, 5, 1), next_due: d(2028, 6, 9), withdrawn_on: Some(d(2028, 5, 1)) }),
            ),
            (AssessmentOutcome::Keep, d(2028, 5, 21), Err(OperationError::AssessedInFuture)),
            (AssessmentOutcome::Keep, d(2026, 6, 8), Err(OperationError::AssessedTooEarly)),
            (
                AssessmentOutcome::Keep,
                d(2026, 6, 9),
                Ok(Effect { last_assessed_on: d(2026, 6, 9), next_due: d(2028, 6, 9), withdrawn_on: None }),
            ),
        ];
        for (outcome, on, want) in cases {
            assert_eq!(assess(&standing(), outcome, on, today, IV), want, "{outcome:?} on {on}");
        }
        // 31 Aug + 6 months → 28 Feb.
        assert_eq!(
            assess(&standing(), AssessmentOutcome::UpdateRequired, d(2027, 8, 31), d(2027, 9, 1), IV).unwrap().next_due,
            d(2028, 2, 29)
        );
    }

    #[test]
    fn withdrawn_revoked_and_earlier_than_the_last_assessment_are_refused() {
        let today = d(2028, 5, 20);
        let last = Standing { last_assessed_on: Some(d(2027, 1, 10)), ..standing() };
        assert_eq!(assess(&last, AssessmentOutcome::Keep, d(2027, 1, 9), today, IV), Err(OperationError::AssessedTooEarly));
        assert!(assess(&last, AssessmentOutcome::Keep, d(2027, 1, 10), today, IV).is_ok(), "same day as the last: allowed");
        let withdrawn = Standing { withdrawn_on: Some(d(2027, 1, 10)), ..standing() };
        assert_eq!(assess(&withdrawn, AssessmentOutcome::Keep, today, today, IV), Err(OperationError::Withdrawn));
        let revoked = Standing { revoked_on: Some(d(2027, 1, 10)), withdrawn_on: Some(d(2027, 1, 1)), ..standing() };
        assert_eq!(assess(&revoked, AssessmentOutcome::Keep, today, today, IV), Err(OperationError::Revoked));
    }

    #[test]
    fn usage_years_run_from_publication_to_this_year() {
        let (pub_on, today) = (d(2026, 6, 9), d(2027, 3, 1));
        assert!(check_usage(2026, 120, 3, pub_on, today).is_empty());
        assert!(check_usage(2027, 0, 0, pub_on, today).is_empty());
        let codes = |y, t, o| check_usage(y, t, o, pub_on, today).into_iter().map(|(f, c, _)| (f, c)).collect::<Vec<_>>();
        assert_eq!(codes(2025, 1, 1), [("year", "usage_year_out_of_range")]);
        assert_eq!(codes(2028, 1, 1), [("year", "usage_year_out_of_range")]);
        assert_eq!(codes(2026, -1, MAX_COUNT + 1), [("trainees", "count_out_of_range"), ("organisations", "count_out_of_range")]);
    }

    // DESIGN §8: reassessment is announced 60 days ahead and on the due date; only the current stage counts.
    #[test]
    fn reminder_stages_and_status() {
        let due = d(2028, 6, 9);
        let cases = [
            (d(2028, 4, 9), None),
            (d(2028, 4, 10), Some(ReminderStage::Before60)),
            (d(2028, 6, 8), Some(ReminderStage::Before60)),
            (d(2028, 6, 9), Some(ReminderStage::Due)),
            (d(2029, 1, 1), Some(ReminderStage::Due)),
        ];
        for (today, want) in cases {
            assert_eq!(reminder_stage(due, today), want, "{today}");
        }
        assert_eq!(assessment_status(&standing(), d(2028, 4, 9)), AssessmentStatus::Current);
        assert_eq!(assessment_status(&standing(), d(2028, 4, 10)), AssessmentStatus::DueSoon);
        assert_eq!(assessment_status(&standing(), d(2028, 6, 9)), AssessmentStatus::Due);
        let withdrawn = Standing { withdrawn_on: Some(d(2027, 1, 1)), ..standing() };
        assert_eq!(assessment_status(&withdrawn, d(2028, 6, 9)), AssessmentStatus::Withdrawn);
        let revoked = Standing { revoked_on: Some(d(2027, 1, 1)), ..standing() };
        assert_eq!(assessment_status(&revoked, d(2026, 7, 1)), AssessmentStatus::Revoked);
    }
}
