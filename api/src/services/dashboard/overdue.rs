//! `GET /dashboard/overdue`: every report not handed in after its due date
//! (standing `overdue`, `entities::report::sql::standing`), across all
//! periods, oldest period first, then by alliance; keyset-paged on
//! (period, alliance id). One `UNION ALL` statement over the periods whose
//! due date has passed, with the initiator's contact for chasing.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::NaiveDate;
use entities::report::{Deadlines, Period, Standing, days_until, sql};
use sea_orm::{
    ConnectionTrait,
    sea_query::{Cond, Expr, ExprTrait, JoinType, Query, SelectStatement},
};
use uuid::Uuid;

use super::{Dates, union_all};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination,
    state::AppState,
};

/// One overdue report.
#[derive(Debug, Clone)]
pub struct OverdueItem {
    pub period: Period,
    pub alliance_id: Uuid,
    pub alliance_name: String,
    pub registration_no: Option<String>,
    pub industry: String,
    pub initiator_name: String,
    pub contact_person: String,
    pub office_phone: String,
    /// Something was written (member rows or the summary).
    pub started: bool,
    pub due: NaiveDate,
    pub days_overdue: i64,
}

#[derive(Debug, Clone)]
pub struct OverduePage {
    pub items: Vec<OverdueItem>,
    pub next_cursor: Option<String>,
}

/// Paging of this list: `limit` and a cursor naming (period, alliance).
#[derive(Debug, Clone)]
pub struct OverduePaging {
    pub limit: u64,
    pub after: Option<(Period, Uuid)>,
}

impl OverduePaging {
    /// # Errors
    /// 422 naming `limit` or `cursor`.
    pub fn parse(limit: Option<u64>, cursor: Option<&str>) -> ApiResult<Self> {
        Ok(Self { limit: pagination::parse_limit(limit)?, after: pagination::parse_cursor(cursor, decode)? })
    }

    /// Everything (exports; a million rows is far beyond any real list).
    #[must_use]
    pub fn all() -> Self {
        Self { limit: 1_000_000, after: None }
    }
}

fn encode(p: Period, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{p}|{id}"))
}

fn decode(c: &str) -> Option<(Period, Uuid)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(c).ok()?).ok()?;
    let (p, id) = raw.split_once('|')?;
    Some((Period::parse("cursor", p).ok()?, id.parse().ok()?))
}

/// The overdue reports of one period (`today` is past its due date), with
/// the initiator's contact.
fn part(p: Period) -> SelectStatement {
    Query::select()
        .expr_as(Expr::val(p.code()), "period")
        .expr_as(Expr::col(("a", "id")), "alliance_id")
        .expr_as(Expr::col(("a", "name")), "alliance_name")
        .expr_as(Expr::col(("a", "registration_no")), "registration_no")
        .expr_as(Expr::col(("a", "industry")), "industry")
        .expr_as(Expr::col(("o", "name")), "initiator_name")
        .expr_as(Expr::col(("o", "contact_person")), "contact_person")
        .expr_as(Expr::col(("o", "office_phone")), "office_phone")
        .expr_as(Expr::col(("r", "id")), "report_id")
        .from_as("alliances", "a")
        .join_as(JoinType::InnerJoin, "organizations", "o", Expr::col(("o", "id")).equals(("a", "initiator_org_id")))
        .join_as(JoinType::LeftJoin, "reports", "r", sql::report_join(p))
        .cond_where(sql::owes(p))
        .and_where(sql::standing(true).eq(Standing::Overdue.code()))
        .to_owned()
}

/// A page of overdue reports, oldest period first (bureau roles).
///
/// # Errors
/// 403 unless bureau; 422 for bad paging; database errors.
pub async fn list(state: &AppState, caller: &Caller, paging: &OverduePaging) -> ApiResult<OverduePage> {
    caller.require_bureau()?;
    let today = state.clock.today();
    let dates = Dates::load(&state.db, today, None).await?;
    let periods = dates.overdue_periods(state);
    let Some(all) = union_all(periods.iter().map(|(p, _)| part(*p)).collect()) else {
        return Ok(OverduePage { items: Vec::new(), next_cursor: None });
    };
    let mut q = Query::select();
    q.column(sea_orm::sea_query::Asterisk).from_subquery(all, "o2");
    if let Some((p, id)) = paging.after {
        q.cond_where(
            Cond::any()
                .add(Expr::col(("o2", "period")).gt(p.code()))
                .add(Cond::all().add(Expr::col(("o2", "period")).eq(p.code())).add(Expr::col(("o2", "alliance_id")).gt(id))),
        );
    }
    q.order_by(("o2", "period"), sea_orm::Order::Asc).order_by(("o2", "alliance_id"), sea_orm::Order::Asc).limit(paging.limit + 1);
    let mut items = Vec::new();
    for row in state.db.query_all(&q).await? {
        let code: String = row.try_get("", "period")?;
        let period = Period::parse("period", &code).map_err(|_| ApiError::internal(&format!("period {code}")))?;
        let due = due_of(&periods, period);
        let report_id: Option<Uuid> = row.try_get("", "report_id")?;
        items.push(OverdueItem {
            period,
            alliance_id: row.try_get("", "alliance_id")?,
            alliance_name: row.try_get("", "alliance_name")?,
            registration_no: row.try_get("", "registration_no")?,
            industry: row.try_get("", "industry")?,
            initiator_name: row.try_get("", "initiator_name")?,
            contact_person: row.try_get("", "contact_person")?,
            office_phone: row.try_get("", "office_phone")?,
            started: report_id.is_some(),
            due,
            days_overdue: -days_until(today, due),
        });
    }
    let more = items.len() as u64 > paging.limit;
    items.truncate(usize::try_from(paging.limit).unwrap_or(usize::MAX));
    let next_cursor = if more { items.last().map(|i| encode(i.period, i.alliance_id)) } else { None };
    Ok(OverduePage { items, next_cursor })
}

fn due_of(periods: &[(Period, Deadlines)], p: Period) -> NaiveDate {
    periods.iter().find(|(x, _)| *x == p).map_or_else(|| p.end(), |(_, d)| d.report.due)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let p = Period::parse("p", "2025H2").unwrap();
        let id = Uuid::now_v7();
        assert_eq!(decode(&encode(p, id)), Some((p, id)));
        assert_eq!(decode("bm9wZQ"), None);
        assert!(OverduePaging::parse(Some(0), None).is_err());
        assert!(OverduePaging::parse(None, Some("!!")).is_err());
    }
}
