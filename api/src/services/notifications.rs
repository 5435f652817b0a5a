//! The signed-in user's in-app notifications: list (newest first), unread
//! count, mark one or all read. Another user's notification answers 404.

use entities::models::notification::{self, Column};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

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
    let mut q = notification::Entity::find().filter(Column::UserId.eq(caller.user_id)).order_by_desc(Column::Id).limit(page.fetch());
    if unread_only {
        q = q.filter(Column::ReadAt.is_null());
    }
    if let Some(before) = page.after {
        q = q.filter(Column::Id.lt(before));
    }
    let items = ::jobs::notify::worded(&state.db, q.all(&state.db).await?).await?;
    Ok(page.finish(items, |n| n.id))
}

/// # Errors
/// Database errors.
pub async fn unread_count(state: &AppState, caller: &Caller) -> ApiResult<u64> {
    Ok(notification::Entity::find().filter(Column::UserId.eq(caller.user_id)).filter(Column::ReadAt.is_null()).count(&state.db).await?)
}

/// Marks one of the caller's notifications read (a second call keeps the first time).
///
/// # Errors
/// 404 when it does not exist or belongs to someone else.
pub async fn mark_read(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<notification::Model> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let found = notification::Entity::find_by_id(id)
        .filter(Column::UserId.eq(caller.user_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("通知", "Notification"))?;
    let found = ::jobs::notify::worded(&txn, vec![found]).await?.pop().ok_or_else(|| ApiError::not_found("通知", "Notification"))?;
    if found.read_at.is_some() {
        return Ok(found);
    }
    notification::Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(Some(now)))
        .filter(Column::Id.eq(id))
        .filter(Column::ReadAt.is_null())
        .exec(&txn)
        .await?;
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
    let txn = state.db.begin().await?;
    let mut update = notification::Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(Some(now)))
        .filter(Column::UserId.eq(caller.user_id))
        .filter(Column::ReadAt.is_null());
    if let Some(last) = up_to {
        update = update.filter(Column::Id.lte(last));
    }
    let changed = update.exec(&txn).await?.rows_affected;
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
