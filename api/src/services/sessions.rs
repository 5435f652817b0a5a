//! Login, refresh-token rotation and logout (DESIGN §3). The web front end's
//! browser sessions sign in through [`login_then`] and live in `crate::web::session`.

use chrono::{DateTime, TimeDelta, Utc};
use entities::{
    login::Lockout,
    models::{refresh_token, user, web_session},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::{self, Caller},
    error::{ApiError, ApiResult},
    i18n::Msg,
    state::AppState,
};

/// 5 failed logins lock the account for 15 minutes (DESIGN §3; the rule is [`entities::login`]).
pub use entities::login::{LOCK_MINUTES, MAX_FAILED_LOGINS};

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

/// Each failed login is audited with the failure counter and the lock's end
/// before and after it (`user.login_failed`, `user.locked`). A username
/// without an account is counted and locked the same way
/// ([`unknown_name_failed`]), so after repeated failures it too answers
/// `account_locked`: the answers do not tell which accounts exist.
///
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
        state.metrics.login_failed();
        return Err(unknown_name_failed(state, username, password, now).await?);
    };
    if let Some(until) = found.locked_until.filter(|u| *u > now) {
        return Err(locked(until));
    }
    let password_ok = auth::verify_password(password, &found.password_hash);
    let txn = crate::db::begin_write(&state.db).await?;
    if found.disabled {
        txn.commit().await?;
        return Err(bad_credentials());
    }
    if !password_ok {
        state.metrics.login_failed();
        // Counted in the database (concurrent failures each count); the row
        // stays locked until commit, so the read-back is this failure's.
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::col(user::Column::FailedLogins).add(1))
            .filter(user::Column::Id.eq(found.id))
            .exec(&txn)
            .await?;
        let now_row = user::Entity::find_by_id(found.id).one(&txn).await?.ok_or_else(bad_credentials)?;
        let before = Lockout { failed_logins: now_row.failed_logins - 1, locked_until: now_row.locked_until };
        let after = before.after_failure(now);
        let me = caller_of(&found);
        let entry = if let Some(until) = after.locked_at(now) {
            user::ActiveModel {
                id: Set(found.id),
                failed_logins: Set(after.failed_logins),
                locked_until: Set(Some(until)),
                updated_at: Set(now),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            Entry::new("user.locked", "user", found.id)
        } else {
            Entry::new("user.login_failed", "user", found.id)
        };
        audit::record(&txn, Actor(Some(&me)), now, entry.before(&before).after(&after)).await?;
        txn.commit().await?;
        if after.locked_at(now).is_some() {
            state.metrics.account_locked();
        }
        return Err(after.locked_at(now).map_or_else(bad_credentials, locked));
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

/// A failed login under a name without an account, answered as for an
/// account: `account_locked` while its lock lasts, else the dummy hash is
/// verified (the same time as a real check), the failure counted by the same
/// rule and audited (`login_name.login_failed`, `login_name.locked`).
/// Failures of names neither locked nor tried for a day are purged.
async fn unknown_name_failed(state: &AppState, username: &str, password: &str, now: DateTime<Utc>) -> ApiResult<ApiError> {
    use entities::models::login_failure::{self, Column};
    use sea_orm::sea_query::OnConflict;
    let name: String = username.chars().take(200).collect();
    let seen = login_failure::Entity::find_by_id(name.clone()).one(&state.db).await?;
    if let Some(until) = seen.and_then(|r| r.locked_until).filter(|u| *u > now) {
        return Ok(locked(until));
    }
    let _ = auth::verify_password(password, DUMMY_HASH);
    let txn = crate::db::begin_write(&state.db).await?;
    login_failure::Entity::delete_many()
        .filter(Column::UpdatedAt.lt(now - TimeDelta::days(1)))
        .filter(Column::LockedUntil.is_null().or(Column::LockedUntil.lt(now)))
        .exec(&txn)
        .await?;
    let first =
        login_failure::ActiveModel { username: Set(name.clone()), failed_logins: Set(1), locked_until: Set(None), updated_at: Set(now) };
    login_failure::Entity::insert(first)
        .on_conflict(
            OnConflict::column(Column::Username)
                .value(Column::FailedLogins, Expr::col((login_failure::Entity, Column::FailedLogins)).add(1))
                .update_column(Column::UpdatedAt)
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let now_row = login_failure::Entity::find_by_id(name.clone()).one(&txn).await?.ok_or_else(bad_credentials)?;
    let before = Lockout { failed_logins: now_row.failed_logins - 1, locked_until: now_row.locked_until };
    let after = before.after_failure(now);
    let entry = if let Some(until) = after.locked_at(now) {
        login_failure::Entity::update_many()
            .col_expr(Column::FailedLogins, Expr::value(after.failed_logins))
            .col_expr(Column::LockedUntil, Expr::value(Some(until)))
            .filter(Column::Username.eq(name.as_str()))
            .exec(&txn)
            .await?;
        Entry::new("login_name.locked", "login_name", &name)
    } else {
        Entry::new("login_name.login_failed", "login_name", &name)
    };
    audit::record(&txn, Actor(None), now, entry.before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(after.locked_at(now).map_or_else(bad_credentials, locked))
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
