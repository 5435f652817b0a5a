//! Writing audit rows. Every service that changes state calls [`record`] on
//! the same transaction as the change, so either both land or neither does.

use chrono::{DateTime, Utc};
use entities::models::audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::{auth::Caller, error::current_request_id};

/// Who acts; `None` for the system (migrations, first start, jobs).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a>(pub Option<&'a Caller>);

/// One audit entry.
pub struct Entry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str, entity_type: &'a str, entity_id: impl ToString) -> Self {
        Self { action, entity_type, entity_id: entity_id.to_string(), before: None, after: None }
    }

    #[must_use]
    pub fn before(mut self, value: &impl Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    #[must_use]
    pub fn after(mut self, value: &impl Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// Inserts the entry.
///
/// # Errors
/// Database errors; the caller's transaction then rolls back.
pub async fn record(db: &impl ConnectionTrait, actor: Actor<'_>, at: DateTime<Utc>, entry: Entry<'_>) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(at),
        actor_id: Set(actor.0.map(|c| c.user_id)),
        actor_role: Set(actor.0.and_then(|c| serde_json::to_value(c.role).ok()).and_then(|v| v.as_str().map(str::to_string))),
        action: Set(entry.action.to_string()),
        entity_type: Set(entry.entity_type.to_string()),
        entity_id: Set(entry.entity_id),
        before: Set(entry.before),
        after: Set(entry.after),
        request_id: Set(current_request_id()),
    }
    .insert(db)
    .await
    .map(|_| ())
}
