//! `auth/login`, `auth/refresh`, `auth/logout`.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult},
    routes::Tag,
    services::sessions::{self, Tokens},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LoginRequest {
    username: Str,
    password: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RefreshRequest {
    refresh_token: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenResponse {
    access_token: String,
    /// Always `Bearer`.
    token_type: String,
    /// Seconds until the access token expires.
    expires_in: i64,
    /// Opaque; rotated on every use.
    refresh_token: String,
}

impl From<Tokens> for TokenResponse {
    fn from(t: Tokens) -> Self {
        Self { access_token: t.access_token, token_type: "Bearer".into(), expires_in: t.expires_in, refresh_token: t.refresh_token }
    }
}

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

/// Long inputs are refused before any hashing work.
fn bounded<'a>(field: &str, value: &'a str, max: usize) -> ApiResult<&'a str> {
    if value.chars().count() > max || value.contains('\0') {
        return Err(ApiError::field(field, "输入过长或含有非法字符", "Too long or contains illegal characters"));
    }
    Ok(value)
}

#[derive(Default)]
pub struct AuthApi;

#[OpenApi(prefix_path = "/auth", tag = "Tag::Auth")]
impl AuthApi {
    /// 登录 Log in with username and password.
    ///
    /// 5 failed attempts lock the account for 15 minutes.
    #[oai(path = "/login", method = "post")]
    async fn login(&self, state: Data<&AppState>, body: Json<LoginRequest>) -> ApiResult<Json<TokenResponse>> {
        let username = bounded("username", body.username.trim(), 100)?;
        let password = bounded("password", &body.password, 128)?;
        Ok(Json(sessions::login(&state, username, password).await?.into()))
    }

    /// 刷新令牌 Exchange a refresh token for a new pair.
    ///
    /// Presenting a spent refresh token revokes its whole family.
    #[oai(path = "/refresh", method = "post")]
    async fn refresh(&self, state: Data<&AppState>, body: Json<RefreshRequest>) -> ApiResult<Json<TokenResponse>> {
        let token = bounded("refresh_token", &body.refresh_token, 200)?;
        Ok(Json(sessions::refresh(&state, token).await?.into()))
    }

    /// 退出登录 Revoke the session the refresh token belongs to.
    #[oai(path = "/logout", method = "post")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<RefreshRequest>) -> ApiResult<NoContent> {
        let token = bounded("refresh_token", &body.refresh_token, 200)?;
        sessions::logout(&state, &auth.0, token).await?;
        Ok(NoContent::Done)
    }
}
