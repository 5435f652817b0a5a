//! The bureau's list for one period (DESIGN §5): every alliance that owes it,
//! with its standing (`not_started | in_progress | submitted | late |
//! accepted | returned | overdue`), filtered and paged by the database — the
//! standing is a SQL `CASE` ([`entities::report::sql::standing`]) — and, for
//! the page only, member and row counts in two `GROUP BY` queries.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::report::{Deadlines, Period, Standing, sql};
use sea_orm::{
    ConnectionTrait,
    sea_query::{Expr, ExprTrait, JoinType, Query},
};
use uuid::Uuid;

use super::deadlines;
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub standing: Option<Standing>,
    pub industry: Option<String>,
    /// Alliance name contains.
    pub name: Option<String>,
}

/// One alliance owing the period.
#[derive(Debug, Clone)]
pub struct ListItem {
    pub alliance_id: Uuid,
    pub name: String,
    pub registration_no: Option<String>,
    pub industry: String,
    pub standing: Standing,
    pub report_id: Option<Uuid>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub late_days: Option<i32>,
    /// Members on the period's last day.
    pub members: u64,
    pub rows_filled: u64,
}

#[derive(Debug, Clone)]
pub struct PeriodPage {
    pub period: Period,
    pub deadlines: Deadlines,
    pub today: NaiveDate,
    pub items: Vec<ListItem>,
    pub next_cursor: Option<String>,
}

/// 422 for a period that has not begun.
///
/// # Errors
/// 422 naming `period`.
pub fn require_begun(period: Period, today: NaiveDate) -> ApiResult<()> {
    if period <= Period::containing(today) {
        Ok(())
    } else {
        Err(ApiError::field("period", format!("{}尚未开始", period.label_zh()), format!("{period} has not begun")))
    }
}

/// Every alliance owing `period`, by alliance id.
///
/// # Errors
/// 403 unless bureau, 422 for a period not begun.
pub async fn list(state: &AppState, caller: &Caller, period: Period, filter: ListFilter, page: PageParams) -> ApiResult<PeriodPage> {
    caller.require_bureau()?;
    let today = state.clock.today();
    require_begun(period, today)?;
    let db = &state.db;
    let deadlines = deadlines(db, state, period).await?;
    let standing = sql::standing(today > deadlines.report.due);
    let mut q = Query::select();
    q.expr_as(Expr::col(("a", "id")), "alliance_id")
        .expr_as(Expr::col(("a", "name")), "name")
        .expr_as(Expr::col(("a", "registration_no")), "registration_no")
        .expr_as(Expr::col(("a", "industry")), "industry")
        .expr_as(Expr::col(("r", "id")), "report_id")
        .expr_as(Expr::col(("r", "submitted_at")), "submitted_at")
        .expr_as(Expr::col(("r", "late_days")), "late_days")
        .expr_as(standing.clone(), "standing")
        .from_as("alliances", "a")
        .join_as(JoinType::LeftJoin, "reports", "r", sql::report_join(period))
        .cond_where(sql::owes(period))
        .order_by(("a", "id"), sea_orm::Order::Asc)
        .limit(page.fetch());
    if let Some(s) = filter.standing {
        q.and_where(standing.eq(s.code()));
    }
    if let Some(i) = filter.industry {
        q.and_where(Expr::col(("a", "industry")).eq(i));
    }
    if let Some(n) = filter.name {
        q.and_where(Expr::col(("a", "name")).like(format!("%{n}%")));
    }
    if let Some(after) = page.after {
        q.and_where(Expr::col(("a", "id")).gt(after));
    }
    let mut items = Vec::new();
    for row in db.query_all(&q).await? {
        let code: String = row.try_get("", "standing")?;
        items.push(ListItem {
            alliance_id: row.try_get("", "alliance_id")?,
            name: row.try_get("", "name")?,
            registration_no: row.try_get("", "registration_no")?,
            industry: row.try_get("", "industry")?,
            standing: Standing::from_code(&code).ok_or_else(|| ApiError::internal(&format!("standing {code}")))?,
            report_id: row.try_get("", "report_id")?,
            submitted_at: row.try_get("", "submitted_at")?,
            late_days: row.try_get("", "late_days")?,
            members: 0,
            rows_filled: 0,
        });
    }
    let (mut items, next_cursor) = page.finish(items, |i| i.alliance_id);
    let members = member_counts(db, items.iter().map(|i| i.alliance_id).collect(), period.end()).await?;
    let rows = row_counts(db, items.iter().filter_map(|i| i.report_id).collect()).await?;
    for i in &mut items {
        i.members = members.get(&i.alliance_id).copied().unwrap_or(0);
        i.rows_filled = i.report_id.and_then(|r| rows.get(&r).copied()).unwrap_or(0);
    }
    Ok(PeriodPage { period, deadlines, today, items, next_cursor })
}

fn count_map(rows: Vec<sea_orm::QueryResult>) -> ApiResult<HashMap<Uuid, u64>> {
    let mut out = HashMap::new();
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        let n: i64 = row.try_get("", "n")?;
        out.insert(id, u64::try_from(n).unwrap_or(0));
    }
    Ok(out)
}

/// Members on `day` per alliance (all alliances when `ids` is empty is never asked: empty gives empty).
///
/// # Errors
/// Database errors.
pub async fn member_counts(db: &impl ConnectionTrait, ids: Vec<Uuid>, day: NaiveDate) -> ApiResult<HashMap<Uuid, u64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let q = Query::select()
        .expr_as(Expr::col(("m", "alliance_id")), "id")
        .expr_as(Expr::col(("m", "id")).count(), "n")
        .from_as("alliance_members", "m")
        .and_where(Expr::col(("m", "alliance_id")).is_in(ids))
        .cond_where(sql::member_on(day))
        .group_by_col(("m", "alliance_id"))
        .to_owned();
    count_map(db.query_all(&q).await?)
}

/// Rows written per report.
///
/// # Errors
/// Database errors.
pub async fn row_counts(db: &impl ConnectionTrait, report_ids: Vec<Uuid>) -> ApiResult<HashMap<Uuid, u64>> {
    if report_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let q = Query::select()
        .expr_as(Expr::col("report_id"), "id")
        .expr_as(Expr::col("id").count(), "n")
        .from("report_rows")
        .and_where(Expr::col("report_id").is_in(report_ids))
        .and_where(Expr::col("progress_pending").eq(false))
        .group_by_col("report_id")
        .to_owned();
    count_map(db.query_all(&q).await?)
}
