//! The signed-in user's in-app notifications: list (newest first), unread
//! count, mark one or all read. Another user's notification answers 404.
//!
//! A notification is a `notifications` row, or a message queued in bulk to
//! the user (an outbox row with `in_app`, `jobs::notify::from_message`). Both
//! have time-ordered (version 7) ids, so "newest first" and the cursor are by
//! id across the two; a page reads at most one page from each.

use entities::models::{
    notification::{self, Column},
    outbox_message::{self, Column as Message},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

/// The caller's messages that are notifications.
fn messages(caller: &Caller) -> sea_orm::Select<outbox_message::Entity> {
    outbox_message::Entity::find().filter(Message::ToUserId.eq(caller.user_id)).filter(Message::InApp.eq(true))
}

/// The caller's notifications, newest first; only unread ones when `unread_only`.
///
/// # Errors
/// Database errors.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    unread_only: bool,
    page: PageParams,
) -> ApiResult<(Vec<notification::Model>, Option<String>)> {
    let mut rows = notification::Entity::find().filter(Column::UserId.eq(caller.user_id)).order_by_desc(Column::Id).limit(page.fetch());
    let mut mail = messages(caller).order_by_desc(Message::Id).limit(page.fetch());
    if unread_only {
        rows = rows.filter(Column::ReadAt.is_null());
        mail = mail.filter(Message::ReadAt.is_null());
    }
    if let Some(before) = page.after {
        rows = rows.filter(Column::Id.lt(before));
        mail = mail.filter(Message::Id.lt(before));
    }
    let (rows, mail) = tokio::try_join!(rows.all(&state.db), mail.all(&state.db))?;
    let mut items: Vec<notification::Model> = rows.into_iter().chain(mail.iter().map(::jobs::notify::from_message)).collect();
    items.sort_by_key(|n| std::cmp::Reverse(n.id));
    items.truncate(usize::try_from(page.fetch()).unwrap_or(usize::MAX));
    Ok(page.finish(items, |n| n.id))
}

/// # Errors
/// Database errors.
pub async fn unread_count(state: &AppState, caller: &Caller) -> ApiResult<u64> {
    let (rows, mail) = tokio::try_join!(
        notification::Entity::find().filter(Column::UserId.eq(caller.user_id)).filter(Column::ReadAt.is_null()).count(&state.db),
        messages(caller).filter(Message::ReadAt.is_null()).count(&state.db),
    )?;
    Ok(rows + mail)
}

/// Marks one of the caller's notifications read (a second call keeps the first time).
///
/// # Errors
/// 404 when it does not exist or belongs to someone else.
pub async fn mark_read(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<notification::Model> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    // A `notifications` row, or else one of the caller's messages queued in bulk.
    let (found, is_message) = match notification::Entity::find_by_id(id).filter(Column::UserId.eq(caller.user_id)).one(&txn).await? {
        Some(n) => (n, false),
        None => {
            let m = messages(caller).filter(Message::Id.eq(id)).one(&txn).await?;
            (m.map(|m| ::jobs::notify::from_message(&m)).ok_or_else(|| ApiError::not_found("通知", "Notification"))?, true)
        }
    };
    if found.read_at.is_some() {
        return Ok(found);
    }
    if is_message {
        outbox_message::Entity::update_many()
            .col_expr(Message::ReadAt, Expr::value(Some(now)))
            .filter(Message::Id.eq(id))
            .filter(Message::ReadAt.is_null())
            .exec(&txn)
            .await?;
    } else {
        notification::Entity::update_many()
            .col_expr(Column::ReadAt, Expr::value(Some(now)))
            .filter(Column::Id.eq(id))
            .filter(Column::ReadAt.is_null())
            .exec(&txn)
            .await?;
    }
    let after = notification::Model { read_at: Some(now), ..found };
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("notification.read", "notification", id)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Marks the caller's notifications read, all or those up to `up_to`
/// (inclusive, ids being in creation order); answers how many changed.
///
/// # Errors
/// Database errors.
pub async fn mark_all_read(state: &AppState, caller: &Caller, up_to: Option<Uuid>) -> ApiResult<u64> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let changed = mark_all(&txn, caller, up_to, now).await?;
    if changed > 0 {
        audit::record(
            &txn,
            Actor(Some(caller)),
            now,
            Entry::new("notification.read_all", "user", caller.user_id).after(&serde_json::json!({ "marked_read": changed })),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(changed)
}

async fn mark_all(conn: &impl ConnectionTrait, caller: &Caller, up_to: Option<Uuid>, now: chrono::DateTime<chrono::Utc>) -> ApiResult<u64> {
    let mut rows = notification::Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(Some(now)))
        .filter(Column::UserId.eq(caller.user_id))
        .filter(Column::ReadAt.is_null());
    let mut mail = outbox_message::Entity::update_many()
        .col_expr(Message::ReadAt, Expr::value(Some(now)))
        .filter(Message::ToUserId.eq(caller.user_id))
        .filter(Message::InApp.eq(true))
        .filter(Message::ReadAt.is_null());
    if let Some(last) = up_to {
        rows = rows.filter(Column::Id.lte(last));
        mail = mail.filter(Message::Id.lte(last));
    }
    Ok(rows.exec(conn).await?.rows_affected + mail.exec(conn).await?.rows_affected)
}
