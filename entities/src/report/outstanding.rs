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
    ConnectionTrait, DbErr,
    sea_query::{Cond, Expr, ExprTrait, Func, JoinType, Query},
};
use uuid::Uuid;

use super::{Deadlines, DueRules, Period, ReportStatus, Standing, owed_periods, sql};
use crate::{
    alliance::AllianceStatus,
    calendar::{Calendar, SpecialDay},
    models::calendar_day,
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
    use sea_orm::{DbBackend, FromQueryResult, IdenStatic, Iterable, Statement};
    // One statement (issue 20: it is read on every report): each year entered,
    // with its special days in date order (none: one row of NULLs).
    fn sql(postgres: bool) -> String {
        let days: Vec<String> = calendar_day::Column::iter().map(|c| format!("d.\"{0}\" AS \"d_{0}\"", c.as_str())).collect();
        let (from, to) = if postgres { ("$1", "$2") } else { ("?1", "?2") };
        format!(
            "SELECT y.year AS y_year, {} FROM calendar_years y LEFT JOIN calendar_days d ON d.year = y.year \
             WHERE y.year BETWEEN {from} AND {to} ORDER BY y.year, d.date",
            days.join(", ")
        )
    }
    static POSTGRES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| sql(true));
    static SQLITE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| sql(false));
    let backend = db.get_database_backend();
    let text = if backend == DbBackend::Postgres { POSTGRES.as_str() } else { SQLITE.as_str() };
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, text, [from.into(), to.into()])).await?;
    let mut years: Vec<(i32, Vec<SpecialDay>)> = Vec::new();
    for row in &rows {
        let year: i32 = row.try_get("", "y_year")?;
        if years.last().is_none_or(|(y, _)| *y != year) {
            years.push((year, Vec::new()));
        }
        if let (Some(day), Some((_, days))) = (calendar_day::Model::from_query_result_optional(row, "d_")?, years.last_mut()) {
            days.push(SpecialDay::from(day));
        }
    }
    let mut cal = Calendar::new();
    for (year, days) in years {
        cal.add_year(year, days);
    }
    Ok(cal)
}

fn unsubmitted() -> Cond {
    let open = [ReportStatus::Draft, ReportStatus::Returned].map(|s| sea_orm::ActiveEnum::to_value(&s));
    Cond::any().add(Expr::col(("r", "id")).is_null()).add(Expr::col(("r", "status")).is_in(open))
}

/// Whose outstanding items a query looks at.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    /// Rows of these member units only.
    Members(&'a [Uuid]),
    /// Alliances these organisations initiated only.
    Initiators(&'a [Uuid]),
}

/// Largest `IN (…)` list sent at once (SQLite allows 32,766 parameters).
pub const CHUNK: usize = 5000;

impl Scope<'_> {
    /// The scope split into pieces small enough for one statement each.
    fn pieces(self) -> Vec<Self> {
        match self {
            Self::All => vec![Self::All],
            Self::Members(ids) => ids.chunks(CHUNK).map(Self::Members).collect(),
            Self::Initiators(ids) => ids.chunks(CHUNK).map(Self::Initiators).collect(),
        }
    }

    fn condition(self) -> Cond {
        match self {
            Self::All => Cond::all(),
            Self::Members(ids) => Cond::all().add(Expr::col(("m", "organization_id")).is_in(ids.iter().copied())),
            Self::Initiators(ids) => Cond::all().add(Expr::col(("a", "initiator_org_id")).is_in(ids.iter().copied())),
        }
    }
}

/// Member units (as of the period's end) of alliances owing `period` whose
/// row of the unsubmitted report is missing or still waits for its 附件3
/// (`confirm`): joins and filters, no columns.
fn missing_query(period: Period, scope: Scope<'_>) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .from_as("alliances", "a")
        .join_as(
            JoinType::InnerJoin,
            "alliance_members",
            "m",
            Cond::all().add(Expr::col(("m", "alliance_id")).equals(("a", "id"))).add(sql::member_on(period.end())),
        )
        .join_as(JoinType::LeftJoin, "reports", "r", sql::report_join(period))
        .join_as(
            JoinType::LeftJoin,
            "report_rows",
            "rr",
            Cond::all()
                .add(Expr::col(("rr", "report_id")).equals(("r", "id")))
                .add(Expr::col(("rr", "organization_id")).equals(("m", "organization_id")))
                .add(Expr::col(("rr", "progress_pending")).eq(false)),
        )
        .cond_where(sql::owes(period))
        .cond_where(unsubmitted())
        .and_where(Expr::col(("rr", "id")).is_null())
        .cond_where(scope.condition())
        .to_owned()
}

/// The missing rows of `period` within `scope`, by alliance then organisation.
///
/// # Errors
/// Database errors.
pub async fn missing_rows(db: &impl ConnectionTrait, period: Period, scope: Scope<'_>) -> Result<Vec<MissingRow>, DbErr> {
    let mut out = Vec::new();
    for piece in scope.pieces() {
        let q = missing_query(period, piece)
            .expr_as(Expr::col(("a", "id")), "alliance_id")
            .expr_as(Expr::col(("a", "initiator_org_id")), "initiator_org_id")
            .expr_as(Expr::col(("m", "organization_id")), "organization_id")
            .to_owned();
        for row in db.query_all(&q).await? {
            out.push(MissingRow {
                alliance_id: row.try_get("", "alliance_id")?,
                initiator_org_id: row.try_get("", "initiator_org_id")?,
                organization_id: row.try_get("", "organization_id")?,
            });
        }
    }
    out.sort_unstable_by_key(|m| (m.alliance_id, m.organization_id));
    Ok(out)
}

/// The missing rows of `period` as one query answering `alliance_id`,
/// `alliance_name`, `initiator_org_id` and `organization_id` (the member
/// unit), for jobs that act on all of them in one statement.
#[must_use]
pub fn missing_rows_query(period: Period) -> sea_orm::sea_query::SelectStatement {
    missing_query(period, Scope::All)
        .expr_as(Expr::col(("a", "id")), "alliance_id")
        .expr_as(Expr::col(("a", "name")), "alliance_name")
        .expr_as(Expr::col(("a", "initiator_org_id")), "initiator_org_id")
        .expr_as(Expr::col(("m", "organization_id")), "organization_id")
        .to_owned()
}

/// The unsubmitted reports of `period` as one query answering `alliance_id`,
/// `alliance_name` and `initiator_org_id`.
#[must_use]
pub fn open_reports_query(period: Period) -> sea_orm::sea_query::SelectStatement {
    open_query(period, Scope::All)
        .expr_as(Expr::col(("a", "id")), "alliance_id")
        .expr_as(Expr::col(("a", "name")), "alliance_name")
        .expr_as(Expr::col(("a", "initiator_org_id")), "initiator_org_id")
        .to_owned()
}

/// Alliances owing `period` whose report is not submitted.
fn open_query(period: Period, scope: Scope<'_>) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .from_as("alliances", "a")
        .join_as(JoinType::LeftJoin, "reports", "r", sql::report_join(period))
        .cond_where(sql::owes(period))
        .cond_where(unsubmitted())
        .cond_where(scope.condition())
        .to_owned()
}

/// Missing rows per alliance, counted in the database.
async fn missing_counts(db: &impl ConnectionTrait, period: Period, scope: Scope<'_>) -> Result<HashMap<Uuid, usize>, DbErr> {
    let mut out = HashMap::new();
    for piece in scope.pieces() {
        let q = missing_query(period, piece)
            .expr_as(Expr::col(("a", "id")), "alliance_id")
            .expr_as(Func::count(Expr::col(("m", "organization_id"))), "missing")
            .group_by_col(("a", "id"))
            .to_owned();
        for row in db.query_all(&q).await? {
            let n: i64 = row.try_get("", "missing")?;
            out.insert(row.try_get("", "alliance_id")?, usize::try_from(n).unwrap_or(0));
        }
    }
    Ok(out)
}

/// The unsubmitted reports of `period` (report due on `report_due`) within `scope` (a [`Scope::Members`]
/// scope is read as "all"), by alliance, with their missing-row counts.
///
/// # Errors
/// Database errors.
pub async fn open_reports(
    db: &impl ConnectionTrait,
    period: Period,
    report_due: NaiveDate,
    today: NaiveDate,
    scope: Scope<'_>,
) -> Result<Vec<OpenReport>, DbErr> {
    let scope = if matches!(scope, Scope::Members(_)) { Scope::All } else { scope };
    let counts = missing_counts(db, period, scope).await?;
    let mut out = Vec::new();
    for piece in scope.pieces() {
        let q = open_query(period, piece)
            .expr_as(Expr::col(("a", "id")), "alliance_id")
            .expr_as(Expr::col(("a", "initiator_org_id")), "initiator_org_id")
            .expr_as(sql::standing(today > report_due), "standing")
            .to_owned();
        for row in db.query_all(&q).await? {
            let alliance_id: Uuid = row.try_get("", "alliance_id")?;
            let code: String = row.try_get("", "standing")?;
            out.push(OpenReport {
                alliance_id,
                initiator_org_id: row.try_get("", "initiator_org_id")?,
                standing: Standing::from_code(&code).ok_or_else(|| DbErr::Type(format!("standing {code}")))?,
                missing_rows: counts.get(&alliance_id).copied().unwrap_or(0),
            });
        }
    }
    out.sort_unstable_by_key(|r| r.alliance_id);
    Ok(out)
}

/// What is outstanding for `period` on `today`, alliances in id order.
///
/// # Errors
/// Database errors.
pub async fn outstanding(db: &impl ConnectionTrait, period: Period, deadlines: Deadlines, today: NaiveDate) -> Result<Outstanding, DbErr> {
    let missing_rows = missing_rows(db, period, Scope::All).await?;
    let open_reports = open_reports(db, period, deadlines.report.due, today, Scope::All).await?;
    Ok(Outstanding { period, deadlines, missing_rows, open_reports })
}

/// The periods some alliance owes on `today`, oldest first, with their due
/// dates from `rules` and the calendar in the database (a year not entered
/// gives provisional dates, see [`super::Deadline`]).
///
/// # Errors
/// Database errors.
pub async fn owed_periods_on(db: &impl ConnectionTrait, rules: DueRules, today: NaiveDate) -> Result<Vec<(Period, Deadlines)>, DbErr> {
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
    Ok(owed_periods(first, today).into_iter().map(|p| (p, p.deadlines(rules, &calendar))).collect())
}

/// [`outstanding`] for every period some alliance owes on `today`, oldest
/// first (periods with nothing outstanding are left out).
///
/// # Errors
/// Database errors.
pub async fn outstanding_on(db: &impl ConnectionTrait, rules: DueRules, today: NaiveDate) -> Result<Vec<Outstanding>, DbErr> {
    let mut out = Vec::new();
    for (period, deadlines) in owed_periods_on(db, rules, today).await? {
        let o = outstanding(db, period, deadlines, today).await?;
        if !o.missing_rows.is_empty() || !o.open_reports.is_empty() {
            out.push(o);
        }
    }
    Ok(out)
}
