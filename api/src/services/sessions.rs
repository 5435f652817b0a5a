//! Login, refresh-token rotation and logout (DESIGN §3). The web front end's
//! browser sessions sign in through [`login_then`] and live in `crate::web::session`.

use chrono::{DateTime, TimeDelta, Utc};
use entities::models::{refresh_token, user, web_session};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::{self, Caller},
    error::{ApiError, ApiResult},
    i18n::Msg,
    state::AppState,
};

/// 5 failed logins lock the account for 15 minutes (DESIGN §3).
pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCK_MINUTES: i64 = 15;

pub struct Tokens {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
}

fn bad_credentials() -> ApiError {
    ApiError::new(poem::http::StatusCode::UNAUTHORIZED, "invalid_credentials", Msg::new("用户名或密码错误", "Wrong username or password"))
}

fn locked(until: DateTime<Utc>) -> ApiError {
    let local = until.with_timezone(&jobs::clock::shanghai()).format("%H:%M");
    ApiError::new(
        poem::http::StatusCode::UNAUTHORIZED,
        "account_locked",
        Msg::new(
            format!("连续登录失败次数过多，账户已锁定至{local}（北京时间），请稍后再试"),
            format!("Too many failed logins; the account is locked until {local} (UTC+8)"),
        ),
    )
}

fn caller_of(u: &user::Model) -> Caller {
    Caller { user_id: u.id, username: u.username.clone(), role: u.role, organization_id: u.organization_id }
}

/// A precomputed hash verified when the username is unknown, so timing does not tell.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Vf1fTxy7Xq0eH0x8QnY2l0rZ0m5t3bm6QqgJ2h0Q1Y";

/// # Errors
/// 401 `invalid_credentials`, `account_locked`.
pub async fn login(state: &AppState, username: &str, password: &str) -> ApiResult<Tokens> {
    login_then(state, username, password, async |txn, found, now| {
        let refresh = insert_refresh(txn, state, found.id, Uuid::now_v7(), now).await?;
        Ok(Tokens { access_token: state.keys.issue(found, now)?, expires_in: state.keys.ttl_secs, refresh_token: refresh })
    })
    .await
}

/// Checks the username and password exactly as [`login`] does (lockout,
/// audit) and, when they are right, runs `grant` in the same transaction to
/// hand out what this kind of sign-in gets (API tokens, a browser session).
///
/// # Errors
/// 401 `invalid_credentials`, `account_locked`; whatever `grant` answers.
pub async fn login_then<T>(
    state: &AppState,
    username: &str,
    password: &str,
    grant: impl AsyncFnOnce(&sea_orm::DatabaseTransaction, &user::Model, DateTime<Utc>) -> ApiResult<T>,
) -> ApiResult<T> {
    let now = state.clock.now();
    let Some(found) = user::Entity::find().filter(user::Column::Username.eq(username)).one(&state.db).await? else {
        let _ = auth::verify_password(password, DUMMY_HASH);
        state.metrics.login_failed();
        return Err(bad_credentials());
    };
    if let Some(until) = found.locked_until.filter(|u| *u > now) {
        return Err(locked(until));
    }
    let password_ok = auth::verify_password(password, &found.password_hash);
    let txn = crate::db::begin_write(&state.db).await?;
    if !password_ok || found.disabled {
        if found.disabled {
            txn.commit().await?;
            return Err(bad_credentials());
        }
        state.metrics.login_failed();
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::col(user::Column::FailedLogins).add(1))
            .filter(user::Column::Id.eq(found.id))
            .exec(&txn)
            .await?;
        let failures = user::Entity::find_by_id(found.id).one(&txn).await?.map_or(0, |u| u.failed_logins);
        let me = caller_of(&found);
        if failures >= MAX_FAILED_LOGINS {
            let until = now + TimeDelta::minutes(LOCK_MINUTES);
            user::ActiveModel {
                id: Set(found.id),
                failed_logins: Set(0),
                locked_until: Set(Some(until)),
                updated_at: Set(now),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            audit::record(&txn, Actor(Some(&me)), now, Entry::new("user.locked", "user", found.id)).await?;
            txn.commit().await?;
            state.metrics.account_locked();
            return Err(locked(until));
        }
        audit::record(&txn, Actor(Some(&me)), now, Entry::new("user.login_failed", "user", found.id)).await?;
        txn.commit().await?;
        return Err(bad_credentials());
    }
    user::ActiveModel {
        id: Set(found.id),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(Some(now)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let granted = grant(&txn, &found, now).await?;
    audit::record(&txn, Actor(Some(&caller_of(&found))), now, Entry::new("user.login", "user", found.id)).await?;
    txn.commit().await?;
    Ok(granted)
}

async fn insert_refresh(
    txn: &impl sea_orm::ConnectionTrait,
    state: &AppState,
    user_id: Uuid,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    let (token, hash) = auth::new_refresh_token();
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(hash),
        issued_at: Set(now),
        expires_at: Set(now + TimeDelta::days(i64::from(state.settings.refresh_token_ttl_days))),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(token)
}

fn refresh_refused() -> ApiError {
    ApiError::new(
        poem::http::StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
        Msg::new("刷新令牌无效或已过期，请重新登录", "Refresh token invalid or expired; log in again"),
    )
}

async fn revoke_family(txn: &impl sea_orm::ConnectionTrait, family: Uuid, now: DateTime<Utc>) -> ApiResult<u64> {
    let res = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(res.rows_affected)
}

/// Rotates a refresh token. Presenting an already-used token revokes its whole
/// family: someone else holds a copy.
///
/// # Errors
/// 401 `invalid_refresh_token`.
pub async fn refresh(state: &AppState, presented: &str) -> ApiResult<Tokens> {
    let now = state.clock.now();
    let hash = auth::hash_refresh_token(presented);
    let txn = crate::db::begin_write(&state.db).await?;
    let Some(rt) = refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash)).one(&txn).await? else {
        return Err(refresh_refused());
    };
    if rt.revoked_at.is_some() || rt.expires_at <= now {
        return Err(refresh_refused());
    }
    // Mark used only if nobody else did first.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(rt.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    let owner = user::Entity::find_by_id(rt.user_id).one(&txn).await?.ok_or_else(refresh_refused)?;
    if claimed == 0 {
        revoke_family(&txn, rt.family_id, now).await?;
        audit::record(
            &txn,
            Actor(Some(&caller_of(&owner))),
            now,
            Entry::new("session.refresh_reuse_detected", "refresh_family", rt.family_id),
        )
        .await?;
        txn.commit().await?;
        return Err(refresh_refused());
    }
    if owner.disabled {
        return Err(refresh_refused());
    }
    let token = insert_refresh(&txn, state, owner.id, rt.family_id, now).await?;
    audit::record(&txn, Actor(Some(&caller_of(&owner))), now, Entry::new("session.refreshed", "refresh_family", rt.family_id)).await?;
    txn.commit().await?;
    Ok(Tokens { access_token: state.keys.issue(&owner, now)?, expires_in: state.keys.ttl_secs, refresh_token: token })
}

/// Revokes the family of `presented` (if it is the caller's).
///
/// # Errors
/// Database errors only: an unknown token is silently accepted.
pub async fn logout(state: &AppState, caller: &Caller, presented: &str) -> ApiResult<()> {
    let now = state.clock.now();
    let hash = auth::hash_refresh_token(presented);
    let txn = crate::db::begin_write(&state.db).await?;
    let found = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .filter(refresh_token::Column::UserId.eq(caller.user_id))
        .one(&txn)
        .await?;
    if let Some(rt) = found
        && revoke_family(&txn, rt.family_id, now).await? > 0
    {
        audit::record(&txn, Actor(Some(caller)), now, Entry::new("session.logout", "refresh_family", rt.family_id)).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Revokes every session of a user (password reset, disable).
///
/// # Errors
/// Database errors.
pub async fn revoke_all(txn: &impl sea_orm::ConnectionTrait, user_id: Uuid, now: DateTime<Utc>) -> ApiResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    web_session::Entity::update_many()
        .col_expr(web_session::Column::EndedAt, Expr::value(now))
        .filter(web_session::Column::UserId.eq(user_id))
        .filter(web_session::Column::EndedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}
