//! The changes feed (`GET /changes`, `GET /public/changes`): rows written by
//! triggers in each change's own transaction (migration
//! `m20261206_000100_changes_feed`), read in commit order by `position`.
//!
//! # Why positions are given by the reader
//! On PostgreSQL `seq` comes from a sequence when the row is written, before
//! its transaction commits: transaction A may take 10, B take 11 and commit
//! first. A consumer that read 11 and kept `11` as its cursor would never see
//! 10. So the feed is not read by `seq`. Before each read, [`sequence`] gives
//! every committed row without a position the next positions (in `seq`
//! order), in one statement under a transaction-level advisory lock (SQLite:
//! under its single writer lock). A row that commits later gets a position
//! above every one given before it, so `position > cursor` never skips and
//! never repeats. Writers take no lock for the feed; two changes of one
//! entity keep their order (the second writer waited for the first's row
//! lock, so it wrote, and commits, after it).
//!
//! Retention: rows are never deleted (as the audit log's); a cursor stays valid forever.

use entities::models::change;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{error::ApiResult, state::AppState};

/// The advisory-lock key of the sequencer (PostgreSQL), "feed" in ASCII.
const SEQUENCER_LOCK: i64 = 0x6665_6564;

/// Numbers every committed, unnumbered change after the highest position, in `seq` order.
///
/// # Errors
/// Database errors.
pub async fn sequence(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let waiting = change::Entity::find()
        .select_only()
        .column(change::Column::Seq)
        .filter(change::Column::Position.is_null())
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    if waiting.is_none() {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({SEQUENCER_LOCK})")).await?;
    }
    txn.execute_unprepared(
        "UPDATE changes SET position = b.base + r.rn \
         FROM (SELECT seq, ROW_NUMBER() OVER (ORDER BY seq) AS rn FROM changes WHERE position IS NULL) r, \
              (SELECT COALESCE(MAX(position), 0) AS base FROM changes) b \
         WHERE changes.seq = r.seq",
    )
    .await?;
    txn.commit().await
}

/// Changes after `cursor` (a position; 0 for the beginning), at most `limit`,
/// only the public ones when `public_only`. Answers them and the cursor to
/// ask with next (the last position read, or `cursor` when none).
///
/// # Errors
/// Database errors.
pub async fn page(state: &AppState, public_only: bool, cursor: i64, limit: u64) -> ApiResult<(Vec<change::Model>, i64)> {
    sequence(&state.db).await?;
    let mut q = change::Entity::find().filter(change::Column::Position.gt(cursor));
    if public_only {
        q = q.filter(change::Column::Public.eq(true));
    }
    let rows = q.order_by_asc(change::Column::Position).limit(limit).all(&state.db).await?;
    let next = rows.last().and_then(|r| r.position).unwrap_or(cursor);
    Ok((rows, next))
}

/// The API path of a changed entity (public paths for the public feed);
/// `None` when it cannot be named (a deleted membership or report).
#[must_use]
pub fn url(entity: &str, id: &str, state: Option<&serde_json::Value>, public: bool) -> Option<String> {
    let field = |k: &str| state.and_then(|s| s.get(k)).and_then(serde_json::Value::as_str).map(str::to_string);
    let base = "/api/v1";
    Some(match (entity, public) {
        ("alliance", true) => format!("{base}/public/alliances/{id}"),
        ("alliance", false) => format!("{base}/alliances/{id}"),
        ("alliance_member", true) => format!("{base}/public/alliances/{}", field("alliance_id")?),
        ("alliance_member", false) => format!("{base}/alliances/{}", field("alliance_id")?),
        ("report", _) => format!("{base}/alliances/{}/reports/{}", field("alliance_id")?, field("period")?),
        ("application", _) => format!("{base}/applications/{id}"),
        ("resource", _) => format!("{base}/public/resources/{id}"),
        ("notice", true) => format!("{base}/public/notices/{id}"),
        ("notice", false) => format!("{base}/notices/{id}"),
        ("sanction", _) => format!("{base}/organizations/{}/work-file", field("organization_id")?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn urls_name_the_resource() {
        let member = json!({"alliance_id": "a1", "organization_id": "o1"});
        assert_eq!(super::url("alliance_member", "m1", Some(&member), true).as_deref(), Some("/api/v1/public/alliances/a1"));
        assert_eq!(super::url("alliance_member", "m1", None, false), None, "a deleted membership has no state to name it by");
        let report = json!({"alliance_id": "a1", "period": "2026H1"});
        assert_eq!(super::url("report", "r1", Some(&report), false).as_deref(), Some("/api/v1/alliances/a1/reports/2026H1"));
        assert_eq!(super::url("notice", "n1", None, true).as_deref(), Some("/api/v1/public/notices/n1"));
        assert_eq!(super::url("unknown", "x", None, false), None);
    }
}
