//! The bureau's review queues: submitted alliance filings and submitted
//! half-year reports, the longest waiting first (by submission time), with
//! filters, paged by (submitted_at, id). Indexed by (status, submitted_at).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use entities::{
    alliance::AllianceStatus,
    models::{alliance, report},
    report::{Period, ReportStatus},
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::ExprTrait};
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::ApiResult,
    pagination::{parse_cursor, parse_limit},
    state::AppState,
};

/// Filters of the queues.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Alliance name contains.
    pub name: Option<String>,
    pub industry: Option<String>,
    /// Reports only: this half-year.
    pub period: Option<Period>,
}

/// A queue page: items and the cursor of the next page.
pub type QueuePage<T> = (Vec<T>, Option<String>);

fn encode(at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", at.timestamp_micros()))
}

fn decode(c: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(c).ok()?).ok()?;
    let (at, id) = raw.split_once('|')?;
    Some((DateTime::from_timestamp_micros(at.parse().ok()?)?, id.parse().ok()?))
}

/// After (at, id) in (submitted_at, id) order.
fn after<C: ColumnTrait>(at_col: C, id_col: C, at: DateTime<Utc>, id: Uuid) -> Condition {
    Condition::any().add(at_col.gt(at)).add(Condition::all().add(at_col.eq(at)).add(id_col.gt(id)))
}

/// Submitted filings awaiting review, longest waiting first.
///
/// # Errors
/// 403 unless bureau; 422 bad `limit` / `cursor`.
pub async fn filings(
    state: &AppState,
    caller: &Caller,
    f: QueueFilter,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<QueuePage<alliance::Model>> {
    caller.require_bureau()?;
    let limit = parse_limit(limit)?;
    let mut q = alliance::Entity::find()
        .filter(alliance::Column::Status.eq(AllianceStatus::Submitted))
        .order_by_asc(alliance::Column::SubmittedAt)
        .order_by_asc(alliance::Column::Id)
        .limit(limit + 1);
    if let Some(n) = f.name {
        q = q.filter(alliance::Column::Name.contains(n));
    }
    if let Some(i) = f.industry {
        q = q.filter(alliance::Column::Industry.eq(i));
    }
    if let Some((at, id)) = parse_cursor(cursor, decode)? {
        q = q.filter(after(alliance::Column::SubmittedAt, alliance::Column::Id, at, id));
    }
    Ok(finish(q.all(&state.db).await?, limit, |a| a.submitted_at.map(|at| encode(at, a.id))))
}

/// Submitted half-year reports awaiting review (with their alliance), longest waiting first.
///
/// # Errors
/// 403 unless bureau; 422 bad `limit` / `cursor`.
pub async fn reports(
    state: &AppState,
    caller: &Caller,
    f: QueueFilter,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<QueuePage<(report::Model, alliance::Model)>> {
    caller.require_bureau()?;
    let limit = parse_limit(limit)?;
    let mut q = report::Entity::find()
        .filter(report::Column::Status.eq(ReportStatus::Submitted))
        .order_by_asc(report::Column::SubmittedAt)
        .order_by_asc(report::Column::Id)
        .limit(limit + 1);
    if let Some(p) = f.period {
        q = q.filter(report::Column::Period.eq(p.code()));
    }
    if f.name.is_some() || f.industry.is_some() {
        let mut sub = sea_orm::sea_query::Query::select();
        sub.column(alliance::Column::Id).from(alliance::Entity);
        if let Some(n) = &f.name {
            sub.and_where(sea_orm::sea_query::Expr::col(alliance::Column::Name).like(format!("%{n}%")));
        }
        if let Some(i) = &f.industry {
            sub.and_where(sea_orm::sea_query::Expr::col(alliance::Column::Industry).eq(i.as_str()));
        }
        q = q.filter(report::Column::AllianceId.in_subquery(sub));
    }
    if let Some((at, id)) = parse_cursor(cursor, decode)? {
        q = q.filter(after(report::Column::SubmittedAt, report::Column::Id, at, id));
    }
    let (rows, next) = finish(q.all(&state.db).await?, limit, |r| r.submitted_at.map(|at| encode(at, r.id)));
    let ids: Vec<Uuid> = rows.iter().map(|r| r.alliance_id).collect();
    let alliances =
        if ids.is_empty() { Vec::new() } else { alliance::Entity::find().filter(alliance::Column::Id.is_in(ids)).all(&state.db).await? };
    let items = rows.into_iter().filter_map(|r| alliances.iter().find(|a| a.id == r.alliance_id).cloned().map(|a| (r, a))).collect();
    Ok((items, next))
}

fn finish<T>(mut rows: Vec<T>, limit: u64, key: impl Fn(&T) -> Option<String>) -> QueuePage<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { rows.last().and_then(key) } else { None };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let at = DateTime::from_timestamp_micros(1_780_000_000_123_456).unwrap_or_default();
        let id = Uuid::now_v7();
        assert_eq!(decode(&encode(at, id)), Some((at, id)));
        assert_eq!(decode("not a cursor"), None);
    }
}
