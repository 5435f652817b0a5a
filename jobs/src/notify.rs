//! In-app notifications. [`create`] runs on the caller's connection or
//! transaction, so the notification lands together with the event. A mail's
//! notification points at its outbox message; a message queued in bulk is
//! itself the notification ([`from_message`]).

use chrono::{DateTime, Utc};
use entities::models::{notification, outbox_message};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
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

/// The in-app notification that a message queued in bulk (`in_app`) is:
/// the message's id, template and read state, worded from the message
/// (rendered from its variables until delivery keeps the text), linked to
/// the variables' `link`. A message that no longer renders leaves a plain
/// title rather than failing the list.
#[must_use]
pub fn from_message(m: &outbox_message::Model) -> notification::Model {
    let (title, body) = match crate::outbox::content(m) {
        Ok(r) => (r.subject, r.text),
        Err(e) => {
            tracing::warn!(id = %m.id, error = %format!("{e:#}"), "notification could not be worded");
            ("系统通知".to_string(), String::new())
        }
    };
    let vars: Option<serde_json::Value> = m.vars.as_deref().and_then(|v| serde_json::from_str(v).ok());
    let link = vars.as_ref().and_then(|v| v.get("link")).and_then(serde_json::Value::as_str).map(|l| truncate(l, 500));
    notification::Model {
        id: m.id,
        user_id: m.to_user_id.unwrap_or_default(),
        kind: m.template.clone(),
        title: Some(title),
        body: Some(body),
        link,
        outbox_id: Some(m.id),
        created_at: m.created_at,
        read_at: m.read_at,
    }
}

/// At most `max` characters (column limits count characters).
pub(crate) fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
