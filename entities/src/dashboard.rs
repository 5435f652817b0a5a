//! The bureau's dashboard figures (DESIGN §1 "watching dashboards", issue 8):
//! which periods a chart shows, which reports count for the training totals,
//! how a compliance rate and a change from the previous period are worked
//! out. The counting itself is SQL (`api` services, `dashboard`); the rules
//! it follows are here, as plain functions and SQL conditions, with tests.

use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Cond, Condition, Expr, ExprTrait};

use crate::{
    report::{Period, ReportStatus, Standing},
    resource::ApplicationStatus,
};

/// Periods shown in the compliance and trainee charts.
pub const HISTORY_PERIODS: usize = 6;

/// Alliances listed in the overview's training table (the export has them all).
pub const TOP_ALLIANCES: u64 = 10;

/// The 附件3 columns the training totals sum (trainees, then staff trained
/// by level), as named in `report_rows` and `report_training_totals`.
pub const TRAINING_COLUMNS: [&str; 8] = [
    "trainees",
    "trained_senior_technician",
    "trained_technician",
    "trained_senior_worker",
    "trained_intermediate_worker",
    "trained_junior_worker",
    "trained_special",
    "trained_general_workers",
];

/// A ban "ending soon" ends within this many days.
pub const BAN_ENDING_SOON_DAYS: i64 = 90;

/// `n` periods ending with `last`, oldest first (fewer at the start of
/// [`crate::calendar::YEAR_RANGE`]).
#[must_use]
pub fn history(last: Period, n: usize) -> Vec<Period> {
    let mut out = vec![last];
    while out.len() < n {
        match out.last().and_then(|p| p.prev()) {
            Some(p) => out.push(p),
            None => break,
        }
    }
    out.reverse();
    out
}

/// The default period of the overview on `today`: the latest period that has
/// ended (its reports are the ones being handed in and chased; 003 §二(七)).
#[must_use]
pub fn default_period(today: NaiveDate) -> Period {
    let current = Period::containing(today);
    current.prev().unwrap_or(current)
}

/// Reports whose 附件3 figures count in the training totals: the ones the
/// initiator has handed in and the bureau has not sent back (003 §二(七):
/// the alliance reports, the bureau receives). Drafts are unfinished and a
/// returned report is being corrected; both count again once (re)submitted.
pub const COUNTED_STATUSES: [ReportStatus; 2] = [ReportStatus::Submitted, ReportStatus::Accepted];

/// Whether a report of this status counts in the training totals.
#[must_use]
pub fn counts_for_training(status: ReportStatus) -> bool {
    COUNTED_STATUSES.contains(&status)
}

/// [`counts_for_training`] of `reports r` in SQL.
#[must_use]
pub fn sql_counted(alias: &str) -> Condition {
    Cond::all().add(Expr::col((alias.to_string(), "status")).is_in(COUNTED_STATUSES.map(|s| sea_orm::ActiveEnum::to_value(&s))))
}

/// The report was handed in (submitted at least once): every standing but
/// not started, in progress and overdue.
#[must_use]
pub fn handed_in(s: Standing) -> bool {
    matches!(s, Standing::Submitted | Standing::Late | Standing::Accepted | Standing::Returned)
}

/// First handed in on or before the due date (lateness is judged on the
/// first submission, `reports.late_days`): `Some(0)` days late.
#[must_use]
pub fn on_time(late_days: Option<i32>) -> bool {
    late_days == Some(0)
}

/// [`on_time`] of `reports r` in SQL.
#[must_use]
pub fn sql_on_time() -> Condition {
    Cond::all().add(Expr::col(("r", "late_days")).eq(0))
}

/// `part / whole` in tenths of a percent (‰), rounded half up; `None` when
/// nothing is owed. Integers only (DESIGN §2: no floats in figures).
#[must_use]
pub fn permille(part: u64, whole: u64) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let v = (u128::from(part) * 1000 * 2 + u128::from(whole)) / (u128::from(whole) * 2);
    u32::try_from(v).ok()
}

/// "83.3%" from a permille.
#[must_use]
pub fn percent_label(permille: Option<u32>) -> String {
    permille.map_or_else(|| "—".to_string(), |p| format!("{}.{}%", p / 10, p % 10))
}

/// Change from the previous period: the difference, and the relative change
/// in ‰ (None when the previous figure is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub delta: i64,
    pub permille: Option<i64>,
}

#[must_use]
pub fn change(current: i64, previous: i64) -> Change {
    let delta = current - previous;
    let permille = (previous != 0).then(|| {
        // round half away from zero
        let num = i128::from(delta) * 1000;
        let den = i128::from(previous);
        let q = (2 * num + den.signum() * num.signum() * den.abs()) / (2 * den);
        i64::try_from(q).unwrap_or(i64::MAX)
    });
    Change { delta, permille }
}

/// A ban (000 第二十二条, [`crate::sanction::is_in_force`]) in force on
/// `today`, for `sanctions` in SQL.
#[must_use]
pub fn sql_ban_in_force(today: NaiveDate) -> Condition {
    Cond::all().add(Expr::col("ban_until").is_not_null()).add(Expr::col("confirmed_on").lte(today)).add(Expr::col("ban_until").gt(today))
}

/// The stages of the applications funnel, from submitted to published
/// (DESIGN §6, `resource::status`): 已申报 → 专家评审 → 公示 → 认定公布或立项.
pub const FUNNEL_STAGES: [&str; 4] = ["已申报", "专家评审", "公示", "认定公布或立项"];

/// How many stages of [`FUNNEL_STAGES`] an application in `status` has
/// reached (0: a draft, not yet handed in). Read from the lifecycle: a
/// status is only reachable through the stages before it — `not_selected`
/// was reviewed, `refused` and `awaiting_ruling` were on notice, `revoked` was
/// published, the development statuses (`in_development` … `terminated`)
/// were approved for development. Categories 1 and 2 are not reviewed by a panel: their statuses
/// (`reported_upward`, `included`, …) count as submitted only.
#[must_use]
pub fn funnel_reached(status: ApplicationStatus) -> usize {
    use ApplicationStatus as S;
    match status {
        S::Draft => 0,
        S::Submitted | S::ReportedUpward | S::Included | S::NotIncluded | S::Completed => 1,
        S::UnderReview | S::NotSelected => 2,
        S::OnNotice | S::AwaitingRuling | S::AwaitingApproval | S::Refused => 3,
        // 立项 and everything after it in development (000 第十四条, 第二十条).
        S::Published
        | S::ApprovedForDevelopment
        | S::Revoked
        | S::InDevelopment
        | S::Accepted
        | S::ResultsOnNotice
        | S::ResultsAwaitingRuling
        | S::AwaitingPublication
        | S::Ingested
        | S::Terminated => 4,
    }
}

/// The week (Monday to Sunday) of `today`: `[monday, next monday)`.
#[must_use]
pub fn week_of(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = today - chrono::TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
    (monday, monday + chrono::TimeDelta::days(7))
}

/// Midnight at the start of `day` in Beijing (UTC+8, no daylight saving), as UTC.
#[must_use]
pub fn beijing_midnight(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    (day.and_time(chrono::NaiveTime::MIN) - chrono::TimeDelta::seconds(i64::from(crate::calendar::CHINA_OFFSET.local_minus_utc())))
        .and_utc()
}

/// Notices listed in the overview's "ending this week" table.
pub const NOTICES_LISTED: u64 = 50;

/// A published resource is "due for reassessment" when its next assessment
/// date is within this many days, or past.
pub const REASSESSMENT_WINDOW_DAYS: i64 = 60;

/// Whether a resource whose next assessment is due on `due` is due for
/// reassessment on `today` (overdue, or within [`REASSESSMENT_WINDOW_DAYS`]).
#[must_use]
pub fn reassessment_due(due: NaiveDate, today: NaiveDate) -> bool {
    due <= today + chrono::TimeDelta::days(REASSESSMENT_WINDOW_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanction::is_in_force;

    fn p(s: &str) -> Period {
        Period::parse("p", s).unwrap()
    }

    #[test]
    fn history_is_the_last_six_periods_oldest_first() {
        let h: Vec<String> = history(p("2026H1"), 6).into_iter().map(Period::code).collect();
        assert_eq!(h, ["2023H2", "2024H1", "2024H2", "2025H1", "2025H2", "2026H1"]);
    }

    #[test]
    fn default_period_is_the_last_ended_one() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(default_period(d(2026, 8, 10)), p("2026H1"));
        assert_eq!(default_period(d(2026, 6, 30)), p("2025H2"));
        assert_eq!(default_period(d(2026, 1, 1)), p("2025H2"));
    }

    #[test]
    fn rates_are_integer_permille_rounded_half_up() {
        assert_eq!(permille(0, 0), None);
        assert_eq!(permille(5, 6), Some(833));
        assert_eq!(permille(1, 8), Some(125));
        assert_eq!(permille(1, 3), Some(333));
        assert_eq!(permille(2, 3), Some(667));
        assert_eq!(permille(6, 6), Some(1000));
        assert_eq!(percent_label(Some(833)), "83.3%");
        assert_eq!(percent_label(None), "—");
    }

    #[test]
    fn change_from_the_previous_period() {
        assert_eq!(change(150, 100), Change { delta: 50, permille: Some(500) });
        assert_eq!(change(100, 150), Change { delta: -50, permille: Some(-333) });
        assert_eq!(change(2, 3), Change { delta: -1, permille: Some(-333) });
        assert_eq!(change(1, 0), Change { delta: 1, permille: None });
        assert_eq!(change(0, 0), Change { delta: 0, permille: None });
    }

    #[test]
    fn counted_and_handed_in() {
        assert!(counts_for_training(ReportStatus::Submitted) && counts_for_training(ReportStatus::Accepted));
        assert!(!counts_for_training(ReportStatus::Draft) && !counts_for_training(ReportStatus::Returned));
        let handed: Vec<Standing> = Standing::ALL.into_iter().filter(|s| handed_in(*s)).collect();
        assert_eq!(handed, [Standing::Submitted, Standing::Late, Standing::Accepted, Standing::Returned]);
        assert!(on_time(Some(0)) && !on_time(Some(3)) && !on_time(None));
    }

    #[test]
    fn ban_condition_mirrors_is_in_force() {
        use sea_orm::sea_query::{PostgresQueryBuilder, Query};
        let today = NaiveDate::from_ymd_opt(2026, 8, 10).unwrap();
        let sql = Query::select().expr(Expr::val(1)).from("sanctions").cond_where(sql_ban_in_force(today)).to_string(PostgresQueryBuilder);
        assert!(sql.contains(r#""confirmed_on" <= '2026-08-10'"#) && sql.contains(r#""ban_until" > '2026-08-10'"#), "{sql}");
        let confirmed = NaiveDate::from_ymd_opt(2026, 8, 10).unwrap();
        assert!(is_in_force(confirmed, NaiveDate::from_ymd_opt(2031, 8, 10), today));
    }

    #[test]
    fn funnel_stages_follow_the_lifecycle() {
        use crate::resource::{ApplicationAction, Category, transition};
        // Every step of the lifecycle moves forward in the funnel, or stays,
        // except a decline or an upheld objection (which end it).
        for from in ApplicationStatus::ALL {
            for c in Category::ALL {
                for a in [
                    ApplicationAction::Submit,
                    ApplicationAction::DrawPanel,
                    ApplicationAction::Propose,
                    ApplicationAction::CloseNotice,
                    ApplicationAction::CloseNoticeWithOpenObjection,
                    ApplicationAction::DismissObjection,
                    ApplicationAction::Approve,
                    ApplicationAction::Revoke,
                    ApplicationAction::Decline,
                    ApplicationAction::UpholdObjection,
                ] {
                    if let Ok(to) = transition(from, a, c) {
                        // An objection upheld at the results notice of a
                        // 技研 project (000 第二十条(七))
                        // ends it as refused: the funnel counts it at the
                        // notice stage, where its status now stands.
                        let ends = matches!(a, ApplicationAction::Decline | ApplicationAction::UpholdObjection);
                        assert!(ends || funnel_reached(to) >= funnel_reached(from), "{from:?} -{a:?}-> {to:?}");
                        if ends {
                            assert!(matches!(to, ApplicationStatus::NotSelected | ApplicationStatus::Refused), "{from:?} -{a:?}-> {to:?}");
                        }
                    }
                }
            }
        }
        assert_eq!(funnel_reached(ApplicationStatus::Draft), 0);
        assert_eq!(funnel_reached(ApplicationStatus::NotSelected), 2);
        assert_eq!(funnel_reached(ApplicationStatus::Refused), 3);
        assert_eq!(funnel_reached(ApplicationStatus::Revoked), 4);
        assert_eq!(funnel_reached(ApplicationStatus::Terminated), 4, "terminated projects had been approved for development");
    }

    #[test]
    fn week_is_monday_to_sunday_and_reassessment_window_is_60_days() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        // 10 August 2026 is a Monday; 16 August a Sunday.
        assert_eq!(week_of(d(8, 10)), (d(8, 10), d(8, 17)));
        assert_eq!(week_of(d(8, 16)), (d(8, 10), d(8, 17)));
        assert_eq!(week_of(d(8, 12)), (d(8, 10), d(8, 17)));
        assert_eq!(beijing_midnight(d(8, 10)).to_rfc3339(), "2026-08-09T16:00:00+00:00");
        assert!(reassessment_due(d(10, 9), d(8, 10)) && !reassessment_due(d(10, 10), d(8, 10)));
        assert!(reassessment_due(d(1, 1), d(8, 10)));
    }
}
