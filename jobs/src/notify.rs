//! In-app notifications. [`create`] runs on the caller's connection or
//! transaction, so the notification lands together with the event. A mail's
//! notification points at its outbox message; one queued in bulk has no text
//! of its own and is worded from the message when read ([`worded`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::models::{notification, outbox_message};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// Creates a notification for `user_id`; returns its id.
///
/// `kind` names what it is about (the mail template, or e.g.
/// `alliance_composition`); `link` points at the object concerned.
///
/// # Errors
/// Database errors (an unknown user is a foreign-key violation).
pub async fn create(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    insert(conn, user_id, kind, title, body, link, None, now).await
}

/// [`create`] for the notification that accompanies outbox message `outbox_id`.
///
/// # Errors
/// Database errors.
#[allow(clippy::too_many_arguments)]
pub async fn create_for_mail(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    outbox_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    insert(conn, user_id, kind, title, body, link, Some(outbox_id), now).await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    outbox_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    notification::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        kind: Set(kind.to_string()),
        title: Set(Some(truncate(title, 300))),
        body: Set(Some(body.to_string())),
        link: Set(link.map(|l| truncate(l, 500))),
        outbox_id: Set(outbox_id),
        created_at: Set(now),
        read_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// Gives every notification of `items` its title, body and link: those
/// queued in bulk are worded from their messages (one query for all of them).
/// A message that no longer renders leaves a plain title rather than failing the list.
///
/// # Errors
/// Database errors.
pub async fn worded(conn: &impl ConnectionTrait, mut items: Vec<notification::Model>) -> Result<Vec<notification::Model>, DbErr> {
    let ids: Vec<Uuid> = items.iter().filter(|n| n.title.is_none()).filter_map(|n| n.outbox_id).collect();
    if ids.is_empty() {
        return Ok(items);
    }
    let messages: HashMap<Uuid, outbox_message::Model> = outbox_message::Entity::find()
        .filter(outbox_message::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    for n in items.iter_mut().filter(|n| n.title.is_none()) {
        let Some(m) = n.outbox_id.and_then(|id| messages.get(&id)) else { continue };
        match crate::outbox::content(m) {
            Ok(r) => {
                n.title = Some(r.subject);
                n.body = Some(r.text);
            }
            Err(e) => {
                tracing::warn!(id = %n.id, error = %format!("{e:#}"), "notification could not be worded");
                n.title = Some("系统通知".to_string());
            }
        }
        if n.link.is_none() {
            let vars: Option<serde_json::Value> = m.vars.as_deref().and_then(|v| serde_json::from_str(v).ok());
            n.link = vars.as_ref().and_then(|v| v.get("link")).and_then(serde_json::Value::as_str).map(|l| truncate(l, 500));
        }
    }
    Ok(items)
}

/// At most `max` characters (column limits count characters).
pub(crate) fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
