//! Browser sessions: a random token in an `HttpOnly; SameSite=Lax` cookie
//! (`Secure` when the public base URL is https), its SHA-256 in
//! `web_sessions` with the account, the CSRF token of the session's forms and
//! its times. Signing in goes through `sessions::login_then` (the same
//! lockout and audit as `POST /auth/login`); logout and password resets end
//! the row, so a copied cookie stops working at once. A session unused for
//! `web.session_idle_minutes` or older than `web.session_max_hours` ends.

use chrono::{DateTime, TimeDelta, Utc};
use entities::models::{user, web_session};
use poem::Request;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::{self, Caller},
    error::ApiResult,
    services::sessions,
    state::AppState,
};

/// The session cookie.
pub const COOKIE: &str = "dg_session";
/// The cookie of the login form's CSRF token (before there is a session).
pub const LOGIN_COOKIE: &str = "dg_login";

/// `last_seen_at` is written at most this often (not on every page).
const TOUCH_EVERY_SECS: i64 = 60;

/// The signed-in person behind a browser request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub caller: Caller,
    pub display_name: String,
    pub must_change_password: bool,
    pub session_id: Uuid,
    /// Every state-changing form of this session carries it.
    pub csrf: String,
}

/// A cookie's value from the request.
#[must_use]
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for `name`: HttpOnly, SameSite=Lax, Path=/, Secure on https.
#[must_use]
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if state.settings.public_base_url.starts_with("https://") { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// A fresh random token (URL-safe base64 of 32 bytes).
#[must_use]
pub fn random_token() -> String {
    auth::new_refresh_token().0
}

fn idle(state: &AppState) -> TimeDelta {
    TimeDelta::minutes(i64::from(state.settings.web.session_idle_minutes))
}

/// The session of this request, if its cookie names one still open.
///
/// # Errors
/// Database errors.
pub async fn resolve(state: &AppState, req: &Request) -> ApiResult<Option<Viewer>> {
    let Some(token) = cookie(req, COOKIE) else { return Ok(None) };
    let now = state.clock.now();
    let found = web_session::Entity::find()
        .filter(web_session::Column::TokenHash.eq(auth::hash_refresh_token(&token)))
        .filter(web_session::Column::EndedAt.is_null())
        .find_also_related(user::Entity)
        .one(&state.db)
        .await?;
    let Some((s, Some(u))) = found else { return Ok(None) };
    if u.disabled || s.expires_at <= now || s.last_seen_at + idle(state) <= now {
        return Ok(None);
    }
    if (now - s.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
        // One statement, no transaction: only the idle clock moves.
        web_session::Entity::update_many()
            .col_expr(web_session::Column::LastSeenAt, Expr::value(now))
            .filter(web_session::Column::Id.eq(s.id))
            .exec(&state.db)
            .await?;
    }
    Ok(Some(Viewer {
        caller: Caller { user_id: u.id, username: u.username, role: u.role, organization_id: u.organization_id },
        display_name: u.display_name,
        must_change_password: u.must_change_password,
        session_id: s.id,
        csrf: s.csrf_token,
    }))
}

/// Signs in (lockout, audit as the API) and opens a session; returns the cookie's token.
///
/// # Errors
/// 401 `invalid_credentials` / `account_locked`; database errors.
pub async fn sign_in(state: &AppState, username: &str, password: &str) -> ApiResult<String> {
    let max = TimeDelta::hours(i64::from(state.settings.web.session_max_hours));
    sessions::login_then(state, username, password, async |txn, found, now| {
        let token = random_token();
        let session = web_session::ActiveModel {
            id: Set(Uuid::now_v7()),
            token_hash: Set(auth::hash_refresh_token(&token)),
            user_id: Set(found.id),
            csrf_token: Set(random_token()),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(now + max),
            ended_at: Set(None),
        }
        .insert(txn)
        .await?;
        let me = Caller { user_id: found.id, username: found.username.clone(), role: found.role, organization_id: found.organization_id };
        audit::record(txn, Actor(Some(&me)), now, Entry::new("session.web_started", "web_session", session.id)).await?;
        Ok(token)
    })
    .await
}

/// Ends the session (logout).
///
/// # Errors
/// Database errors.
pub async fn end(state: &AppState, viewer: &Viewer) -> ApiResult<()> {
    let now: DateTime<Utc> = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    web_session::Entity::update_many()
        .col_expr(web_session::Column::EndedAt, Expr::value(now))
        .filter(web_session::Column::Id.eq(viewer.session_id))
        .filter(web_session::Column::EndedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(&txn, Actor(Some(&viewer.caller)), now, Entry::new("session.web_ended", "web_session", viewer.session_id)).await?;
    txn.commit().await?;
    Ok(())
}

/// Constant-time comparison of a submitted CSRF token with the expected one.
#[must_use]
pub fn tokens_match(expected: &str, submitted: Option<&str>) -> bool {
    let Some(submitted) = submitted else { return false };
    let (a, b) = (expected.as_bytes(), submitted.as_bytes());
    !a.is_empty() && a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::tokens_match;

    #[test]
    fn csrf_tokens_match_only_when_equal_and_present() {
        assert!(tokens_match("abc", Some("abc")));
        assert!(!tokens_match("abc", Some("abd")));
        assert!(!tokens_match("abc", Some("ab")));
        assert!(!tokens_match("abc", None));
        assert!(!tokens_match("", Some("")));
    }
}
