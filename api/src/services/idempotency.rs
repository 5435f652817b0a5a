//! `Idempotency-Key` for filing and submission endpoints (DESIGN §9): the
//! first successful answer is remembered per user and key; a retry with the
//! same key gets it again instead of acting twice. A key reused for another
//! request is a conflict.

use chrono::{DateTime, Utc};
use entities::models::idempotency_key;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// A key as sent: 1–100 visible ASCII characters.
///
/// # Errors
/// 400 `bad_idempotency_key`.
pub fn parse_key(raw: Option<&str>) -> ApiResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(k) if k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k.to_string())),
        Some(_) => Err(ApiError::bad_request(
            "bad_idempotency_key",
            "Idempotency-Key 须为1至100个可见ASCII字符",
            "Idempotency-Key must be 1–100 visible ASCII characters",
        )),
    }
}

/// The remembered answer body for (`user`, `key`), if any.
///
/// # Errors
/// 409 `idempotency_key_reused` when the key was used for another request.
pub async fn replay(db: &impl ConnectionTrait, user: Uuid, key: &str, request: &str) -> ApiResult<Option<String>> {
    let Some(row) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(user))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.request != request {
        return Err(ApiError::conflict(
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于其他请求",
            "This Idempotency-Key was used for another request",
        ));
    }
    Ok(Some(row.body))
}

/// Remembers a successful answer (in the same transaction as the action).
///
/// # Errors
/// Database errors.
pub async fn remember(db: &impl ConnectionTrait, user: Uuid, key: &str, request: &str, body: &str, now: DateTime<Utc>) -> ApiResult<()> {
    idempotency_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user),
        key: Set(key.to_string()),
        request: Set(request.to_string()),
        status: Set(200),
        body: Set(body.to_string()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}
