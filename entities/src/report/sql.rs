//! The report rules that lists evaluate in SQL, so a page of thousands of
//! alliances is filtered and ordered by the database: who owes a period,
//! who is a member on a date, and the [`Standing`](super::Standing) of a
//! report. Each mirrors a pure function of this module's siblings; the
//! end-to-end tests check that both give the same answers.
//!
//! Aliases: `a` = `alliances`, `r` = `reports` (left-joined on the period),
//! `m` = `alliance_members`.

use chrono::NaiveDate;
use sea_orm::sea_query::{Cond, Condition, Expr, ExprTrait};

use super::{Period, ReportStatus, Standing};
use crate::alliance::AllianceStatus;

/// `alliances a` owes `period` ([`super::period::is_owed`]): registered before
/// the period's end and still registered or suspended — or it already has a
/// report for the period (a dissolved alliance keeps what it reported).
#[must_use]
pub fn owes(period: Period) -> Condition {
    Cond::all().add(Expr::col(("a", "registered_on")).lt(period.end())).add(
        Cond::any()
            .add(Expr::col(("a", "status")).is_in([AllianceStatus::Registered, AllianceStatus::Suspended].map(status_value)))
            .add(Expr::col(("r", "id")).is_not_null()),
    )
}

fn status_value(s: AllianceStatus) -> String {
    sea_orm::ActiveEnum::to_value(&s)
}

fn report_value(s: ReportStatus) -> String {
    sea_orm::ActiveEnum::to_value(&s)
}

/// `alliances a LEFT JOIN reports r ON` this: the report of the period.
#[must_use]
pub fn report_join(period: Period) -> Condition {
    Cond::all().add(Expr::col(("r", "alliance_id")).equals(("a", "id"))).add(Expr::col(("r", "period")).eq(period.code()))
}

/// `alliance_members m` is a member on `day`
/// (`alliance_member::Model::is_member_on`).
#[must_use]
pub fn member_on(day: NaiveDate) -> Condition {
    Cond::all()
        .add(Expr::col(("m", "pending")).eq(false))
        .add(Cond::any().add(Expr::col(("m", "joined_on")).is_null()).add(Expr::col(("m", "joined_on")).lte(day)))
        .add(Cond::any().add(Expr::col(("m", "left_on")).is_null()).add(Expr::col(("m", "left_on")).gt(day)))
}

/// [`super::standing`] of `reports r` as a text column; `overdue_now` is
/// "today is after the report's due date" (the same for every alliance of a
/// period).
#[must_use]
pub fn standing(overdue_now: bool) -> Expr {
    let status = || Expr::col(("r", "status"));
    let unsubmitted_started = if overdue_now { Standing::Overdue } else { Standing::InProgress };
    let not_started = if overdue_now { Standing::Overdue } else { Standing::NotStarted };
    Expr::case(Expr::col(("r", "id")).is_null(), Expr::val(not_started.code()))
        .case(status().eq(report_value(ReportStatus::Accepted)), Expr::val(Standing::Accepted.code()))
        .case(status().eq(report_value(ReportStatus::Returned)), Expr::val(Standing::Returned.code()))
        .case(
            Cond::all().add(status().eq(report_value(ReportStatus::Submitted))).add(Expr::col(("r", "late_days")).gt(0)),
            Expr::val(Standing::Late.code()),
        )
        .case(status().eq(report_value(ReportStatus::Submitted)), Expr::val(Standing::Submitted.code()))
        .finally(Expr::val(unsubmitted_started.code()))
        .into()
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, Query};

    use super::*;

    #[test]
    fn the_standing_case_reads_like_the_rule() {
        let sql = Query::select().expr_as(standing(true), "standing").from_as("reports", "r").to_string(PostgresQueryBuilder);
        assert!(sql.starts_with(r#"SELECT (CASE WHEN ("r"."id" IS NULL) THEN 'overdue' WHEN ("r"."status" = 'accepted')"#), "{sql}");
        assert!(sql.contains(r#"ELSE 'overdue' END"#), "{sql}");
        let sql = Query::select().expr(standing(false)).from_as("reports", "r").to_string(PostgresQueryBuilder);
        assert!(sql.contains("THEN 'not_started'") && sql.contains("ELSE 'in_progress'"), "{sql}");
    }
}
