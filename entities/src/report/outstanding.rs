//! What is still owed, for reminders (DESIGN §8 "report chase"): for each
//! period an alliance owes, every member unit (as of the period's end) whose
//! row is missing, and every report not yet submitted (never started, in
//! progress, or returned), with the due dates. Read-only; a job decides whom
//! to remind and when.
//!
//! ```ignore
//! for o in outstanding::outstanding_on(&db, DueRules::default(), today).await? {
//!     for row in &o.missing_rows { /* remind row.organization_id, due o.deadlines.member_rows.due */ }
//!     for r in &o.open_reports { /* remind r.initiator_org_id, due o.deadlines.report.due */ }
//! }
//! ```

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Cond, Expr, ExprTrait, Func, JoinType, Query},
};
use uuid::Uuid;

use super::{Deadlines, DueRules, Period, ReportStatus, Standing, owed_periods, sql};
use crate::{
    alliance::AllianceStatus,
    calendar::{Calendar, SpecialDay},
    models::{calendar_day, calendar_year},
};

/// A member unit that has not filled its row of an unsubmitted report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRow {
    pub alliance_id: Uuid,
    pub initiator_org_id: Uuid,
    pub organization_id: Uuid,
}

/// A report not (or no longer) submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    pub alliance_id: Uuid,
    pub initiator_org_id: Uuid,
    /// `not_started`, `in_progress`, `overdue` or `returned`.
    pub standing: Standing,
    /// Member rows still missing.
    pub missing_rows: usize,
}

/// Everything outstanding for one period.
#[derive(Debug, Clone)]
pub struct Outstanding {
    pub period: Period,
    pub deadlines: Deadlines,
    pub missing_rows: Vec<MissingRow>,
    pub open_reports: Vec<OpenReport>,
}

/// Calendar data of the years `from..=to` that have been entered.
///
/// # Errors
/// Database errors.
pub async fn load_calendar(db: &impl ConnectionTrait, from: i32, to: i32) -> Result<Calendar, DbErr> {
    let years = calendar_year::Entity::find().filter(calendar_year::Column::Year.between(from, to)).all(db).await?;
    let days = calendar_day::Entity::find()
        .filter(calendar_day::Column::Year.between(from, to))
        .order_by_asc(calendar_day::Column::Date)
        .all(db)
        .await?;
    let mut cal = Calendar::new();
    for y in years {
        cal.add_year(y.year, days.iter().filter(|d| d.year == y.year).cloned().map(SpecialDay::from));
    }
    Ok(cal)
}

fn unsubmitted() -> Cond {
    let open = [ReportStatus::Draft, ReportStatus::Returned].map(|s| sea_orm::ActiveEnum::to_value(&s));
    Cond::any().add(Expr::col(("r", "id")).is_null()).add(Expr::col(("r", "status")).is_in(open))
}

fn report_join(period: Period) -> Cond {
    Cond::all().add(Expr::col(("r", "alliance_id")).equals(("a", "id"))).add(Expr::col(("r", "period")).eq(period.code()))
}

/// What is outstanding for `period` on `today`, alliances in id order.
///
/// # Errors
/// Database errors.
pub async fn outstanding(db: &impl ConnectionTrait, period: Period, deadlines: Deadlines, today: NaiveDate) -> Result<Outstanding, DbErr> {
    let end = period.end();
    let missing = Query::select()
        .expr_as(Expr::col(("a", "id")), "alliance_id")
        .expr_as(Expr::col(("a", "initiator_org_id")), "initiator_org_id")
        .expr_as(Expr::col(("m", "organization_id")), "organization_id")
        .from_as("alliances", "a")
        .join_as(
            JoinType::InnerJoin,
            "alliance_members",
            "m",
            Cond::all().add(Expr::col(("m", "alliance_id")).equals(("a", "id"))).add(sql::member_on(end)),
        )
        .join_as(JoinType::LeftJoin, "reports", "r", report_join(period))
        .join_as(
            JoinType::LeftJoin,
            "report_rows",
            "rr",
            Cond::all()
                .add(Expr::col(("rr", "report_id")).equals(("r", "id")))
                .add(Expr::col(("rr", "organization_id")).equals(("m", "organization_id"))),
        )
        .cond_where(sql::owes(period))
        .cond_where(unsubmitted())
        .and_where(Expr::col(("rr", "id")).is_null())
        .order_by(("a", "id"), sea_orm::Order::Asc)
        .order_by(("m", "organization_id"), sea_orm::Order::Asc)
        .to_owned();
    let mut missing_rows = Vec::new();
    for row in db.query_all(&missing).await? {
        missing_rows.push(MissingRow {
            alliance_id: row.try_get("", "alliance_id")?,
            initiator_org_id: row.try_get("", "initiator_org_id")?,
            organization_id: row.try_get("", "organization_id")?,
        });
    }
    let mut per_alliance: HashMap<Uuid, usize> = HashMap::new();
    for m in &missing_rows {
        *per_alliance.entry(m.alliance_id).or_default() += 1;
    }
    let open = Query::select()
        .expr_as(Expr::col(("a", "id")), "alliance_id")
        .expr_as(Expr::col(("a", "initiator_org_id")), "initiator_org_id")
        .expr_as(sql::standing(today > deadlines.report.due), "standing")
        .from_as("alliances", "a")
        .join_as(JoinType::LeftJoin, "reports", "r", report_join(period))
        .cond_where(sql::owes(period))
        .cond_where(unsubmitted())
        .order_by(("a", "id"), sea_orm::Order::Asc)
        .to_owned();
    let mut open_reports = Vec::new();
    for row in db.query_all(&open).await? {
        let alliance_id: Uuid = row.try_get("", "alliance_id")?;
        let code: String = row.try_get("", "standing")?;
        open_reports.push(OpenReport {
            alliance_id,
            initiator_org_id: row.try_get("", "initiator_org_id")?,
            standing: Standing::from_code(&code).ok_or_else(|| DbErr::Type(format!("standing {code}")))?,
            missing_rows: per_alliance.get(&alliance_id).copied().unwrap_or(0),
        });
    }
    Ok(Outstanding { period, deadlines, missing_rows, open_reports })
}

/// [`outstanding`] for every period some alliance owes on `today`, oldest
/// first (periods with nothing outstanding are left out). Due dates come
/// from `rules` and the calendar in the database (a year not entered gives
/// provisional dates, see [`super::Deadline`]).
///
/// # Errors
/// Database errors.
pub async fn outstanding_on(db: &impl ConnectionTrait, rules: DueRules, today: NaiveDate) -> Result<Vec<Outstanding>, DbErr> {
    let first = Query::select()
        .expr_as(Func::min(Expr::col("registered_on")), "first")
        .from("alliances")
        .and_where(
            Expr::col("status").is_in([AllianceStatus::Registered, AllianceStatus::Suspended].map(|s| sea_orm::ActiveEnum::to_value(&s))),
        )
        .to_owned();
    let first: Option<NaiveDate> = match db.query_one(&first).await? {
        Some(row) => row.try_get("", "first")?,
        None => None,
    };
    let Some(first) = first else { return Ok(Vec::new()) };
    // Due dates fall in the period's year or the next.
    let calendar = load_calendar(db, first.year(), today.year() + 1).await?;
    let mut out = Vec::new();
    for period in owed_periods(first, today) {
        let o = outstanding(db, period, period.deadlines(rules, &calendar), today).await?;
        if !o.missing_rows.is_empty() || !o.open_reports.is_empty() {
            out.push(o);
        }
    }
    Ok(out)
}
