//! In-app notifications. [`create`] runs on the caller's connection or
//! transaction, so the notification lands together with the event.

use chrono::{DateTime, Utc};
use entities::models::notification;
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
    let id = Uuid::now_v7();
    notification::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        kind: Set(kind.to_string()),
        title: Set(truncate(title, 300)),
        body: Set(body.to_string()),
        link: Set(link.map(|l| truncate(l, 500))),
        created_at: Set(now),
        read_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// At most `max` characters (column limits count characters).
pub(crate) fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
