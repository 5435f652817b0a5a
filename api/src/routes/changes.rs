//! `changes` and `public/changes`: the feed other systems follow instead of
//! polling every list (seed 004 §五(三)). Read in commit order from a cursor
//! that never skips or repeats (`services::changes`); bureau roles or an
//! integration token (`feed.tokens`, read-only: it opens nothing else) read
//! everything, anyone reads the public subset.

use chrono::{DateTime, Utc};
use entities::models::change;
use poem::{Request, web::Data};
use poem_openapi::{Object, OpenApi, SecurityScheme, auth::Bearer, param::Query, payload::Json};

use crate::{
    auth::{Caller, caller_from_token},
    error::{ApiError, ApiResult},
    pagination::{parse_cursor, parse_limit},
    routes::Tag,
    services::changes as svc,
    state::AppState,
};

/// Who reads the feed.
pub enum FeedReader {
    /// A configured integration token (`feed.tokens`).
    Integration,
    /// A signed-in account (bureau roles only).
    Account(Caller),
}

/// Bearer: an integration token from `feed.tokens`, or a bureau account's access token.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_feed")]
pub struct FeedAuth(FeedReader);

async fn check_feed(req: &Request, bearer: Bearer) -> poem::Result<FeedReader> {
    let state = req.data::<AppState>().ok_or_else(|| poem::Error::from(ApiError::internal(&"state missing")))?;
    if state.settings.feed.tokens.iter().any(|t| crate::metrics::same_secret(t, &bearer.token)) {
        return Ok(FeedReader::Integration);
    }
    Ok(FeedReader::Account(caller_from_token(state, &bearer.token).await?))
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Change {
    /// This change's position: ask with `cursor` = this to read what follows it.
    cursor: String,
    /// `alliance`, `alliance_member`, `report`, `application`, `resource`, `notice`, `sanction`.
    entity: String,
    id: String,
    /// `created`, `updated`, `deleted`.
    action: String,
    /// Where to read the entity (public paths in the public feed).
    url: Option<String>,
    /// The entity's public state after the change; absent when it was deleted.
    state: Option<serde_json::Value>,
    /// When the database wrote the change.
    changed_at: DateTime<Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChangePage {
    /// In commit order.
    items: Vec<Change>,
    /// Always present: the last position read (the `cursor` asked with when nothing followed). Store it after processing the page.
    next_cursor: String,
}

fn page_of((rows, next): (Vec<change::Model>, i64), public: bool) -> ChangePage {
    let items = rows
        .into_iter()
        .map(|r| {
            let state = r.state.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
            Change {
                cursor: r.position.unwrap_or_default().to_string(),
                url: svc::url(&r.entity, &r.entity_id, state.as_ref(), public),
                entity: r.entity,
                id: r.entity_id,
                action: r.action,
                state,
                changed_at: r.changed_at,
            }
        })
        .collect();
    ChangePage { items, next_cursor: next.to_string() }
}

/// `cursor`: a position from an earlier answer (absent: from the beginning).
fn position(cursor: Option<&str>) -> ApiResult<i64> {
    Ok(parse_cursor(cursor, |c| c.parse::<i64>().ok().filter(|n| *n >= 0))?.unwrap_or(0))
}

#[derive(Default)]
pub struct ChangesApi;

#[OpenApi(tag = "Tag::Changes")]
impl ChangesApi {
    /// 变更订阅 Every change to alliances, memberships, reports' standing, applications, catalogue resources, notices and sanctions, in commit order (bureau roles or an integration token).
    #[oai(path = "/changes", method = "get")]
    async fn changes(
        &self,
        state: Data<&AppState>,
        auth: FeedAuth,
        /// The `next_cursor` of the last page processed; absent to start from the beginning.
        cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<ChangePage>> {
        if let FeedReader::Account(caller) = &auth.0 {
            caller.require_bureau()?;
        }
        let (cursor, limit) = (position(cursor.0.as_deref())?, parse_limit(limit.0)?);
        Ok(Json(page_of(svc::page(&state, false, cursor, limit).await?, false)))
    }

    /// 公开变更订阅 Public changes: registered alliances and their members, catalogue resources (published, withdrawn, revoked), notices (no account needed).
    #[oai(path = "/public/changes", method = "get")]
    async fn public_changes(
        &self,
        state: Data<&AppState>,
        cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<ChangePage>> {
        let (cursor, limit) = (position(cursor.0.as_deref())?, parse_limit(limit.0)?);
        Ok(Json(page_of(svc::page(&state, true, cursor, limit).await?, true)))
    }
}
