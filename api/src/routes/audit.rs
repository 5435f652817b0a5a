//! `audit`: read-only audit trail for bureau roles. Nothing edits or deletes it.

use chrono::{DateTime, Utc};
use entities::models::audit_log;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{auth::BearerAuth, error::ApiResult, pagination::PageParams, routes::Tag, state::AppState};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEntry {
    id: Uuid,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_role: Option<String>,
    action: String,
    entity_type: String,
    entity_id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    request_id: Option<String>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(a: audit_log::Model) -> Self {
        Self {
            id: a.id,
            at: a.at,
            actor_id: a.actor_id,
            actor_role: a.actor_role,
            action: a.action,
            entity_type: a.entity_type,
            entity_id: a.entity_id,
            before: a.before,
            after: a.after,
            request_id: a.request_id,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditPage {
    items: Vec<AuditEntry>,
    next_cursor: Option<String>,
}

#[derive(Default)]
pub struct AuditApi;

#[OpenApi(tag = "Tag::Audit")]
impl AuditApi {
    /// 审计日志 Audit entries, oldest first (bureau roles).
    #[oai(path = "/audit", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        entity_type: Query<Option<String>>,
        entity_id: Query<Option<String>>,
        actor_id: Query<Option<Uuid>>,
        action: Query<Option<String>>,
        /// From this time (inclusive).
        from: Query<Option<DateTime<Utc>>>,
        /// Before this time (exclusive).
        to: Query<Option<DateTime<Utc>>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AuditPage>> {
        auth.0.require_bureau()?;
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let mut q = audit_log::Entity::find().order_by_asc(audit_log::Column::Id).limit(page.fetch());
        if let Some(v) = entity_type.0 {
            q = q.filter(audit_log::Column::EntityType.eq(v));
        }
        if let Some(v) = entity_id.0 {
            q = q.filter(audit_log::Column::EntityId.eq(v));
        }
        if let Some(v) = actor_id.0 {
            q = q.filter(audit_log::Column::ActorId.eq(v));
        }
        if let Some(v) = action.0 {
            q = q.filter(audit_log::Column::Action.eq(v));
        }
        if let Some(v) = from.0 {
            q = q.filter(audit_log::Column::At.gte(v));
        }
        if let Some(v) = to.0 {
            q = q.filter(audit_log::Column::At.lt(v));
        }
        if let Some(after) = page.after {
            q = q.filter(audit_log::Column::Id.gt(after));
        }
        let (items, next_cursor) = page.finish(q.all(&state.db).await?, |a| a.id);
        Ok(Json(AuditPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }
}
