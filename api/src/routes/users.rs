//! `users`: account administration (bureau_admin only).

use chrono::{DateTime, Utc};
use entities::{
    Role,
    models::user,
    values::{Email, text},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiResult, parse_all},
    pagination::PageParams,
    routes::{Tag, enums::RoleDto},
    services::accounts::{self, NewUser, UserFilter},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct User {
    id: Uuid,
    username: String,
    display_name: String,
    email: Option<String>,
    role: RoleDto,
    /// Chinese label of the role.
    role_label: String,
    organization_id: Option<Uuid>,
    disabled: bool,
    locked_until: Option<DateTime<Utc>>,
    must_change_password: bool,
    last_login_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<user::Model> for User {
    fn from(u: user::Model) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            role: u.role.into(),
            role_label: u.role.label_zh().into(),
            organization_id: u.organization_id,
            disabled: u.disabled,
            locked_until: u.locked_until,
            must_change_password: u.must_change_password,
            last_login_at: u.last_login_at,
            created_at: u.created_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateUser {
    /// Login name: 3–100 characters, letters, digits, `.`, `_`, `-`, `@`.
    username: Str,
    display_name: Str,
    email: Option<Str>,
    role: RoleDto,
    /// Required for `org_user`, forbidden otherwise.
    organization_id: Option<Uuid>,
    /// Optional; when absent a one-time password is generated and returned.
    password: Option<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreatedUser {
    user: User,
    /// Shown once when the server generated it; the user must change it at first login.
    initial_password: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserPage {
    items: Vec<User>,
    next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PasswordReset {
    /// Shown once; the user must change it at next login.
    temporary_password: String,
}

#[derive(ApiResponse)]
pub enum CreateUserResponse {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CreatedUser>),
}

/// Parses a username: plain ASCII so it can be typed anywhere.
pub fn username(field: &str, raw: &str) -> Result<String, entities::values::FieldError> {
    let v = raw.trim();
    let ok = (3..=100).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b));
    if ok {
        Ok(v.to_string())
    } else {
        Err(entities::values::FieldError::new(
            field,
            "用户名须为3至100位字母、数字或 . _ - @",
            "Username: 3–100 letters, digits or . _ - @",
        ))
    }
}

impl TryFrom<CreateUser> for NewUser {
    type Error = crate::error::ApiError;

    fn try_from(req: CreateUser) -> Result<Self, Self::Error> {
        parse_all! {
            name = username("username", &req.username),
            display_name = text("display_name", &req.display_name, 100),
            email = req.email.as_deref().filter(|e| !e.trim().is_empty()).map(|e| Email::parse("email", e)).transpose(),
            password = match req.password.as_deref() {
                Some(pw) => entities::values::check_password_policy("password", pw).map(|()| Some(pw.to_string())),
                None => Ok(None),
            },
        }
        Ok(Self {
            username: name,
            display_name,
            email: email.map(|e| e.as_str().to_string()),
            role: req.role.into(),
            organization_id: req.organization_id,
            password,
        })
    }
}

#[derive(Default)]
pub struct UsersApi;

#[OpenApi(prefix_path = "/users", tag = "Tag::Users")]
impl UsersApi {
    /// 创建账户 Create an account (bureau_admin).
    #[oai(path = "/", method = "post")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<CreateUser>) -> ApiResult<CreateUserResponse> {
        auth.0.require(&[Role::BureauAdmin])?;
        let (user, initial_password) = accounts::create(&state, Some(&auth.0), body.0.try_into()?).await?;
        Ok(CreateUserResponse::Created(Json(CreatedUser { user: user.into(), initial_password })))
    }

    /// 账户列表 List accounts (bureau_admin).
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        role: Query<Option<RoleDto>>,
        organization_id: Query<Option<Uuid>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<UserPage>> {
        auth.0.require(&[Role::BureauAdmin])?;
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let filter = UserFilter { role: role.0.map(Into::into), organization_id: organization_id.0 };
        let (items, next_cursor) = accounts::list(&state, filter, page).await?;
        Ok(Json(UserPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 账户详情 One account (bureau_admin).
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<User>> {
        auth.0.require(&[Role::BureauAdmin])?;
        Ok(Json(accounts::get(&state, id.0).await?.into()))
    }

    /// 停用账户 Disable an account; its sessions end (bureau_admin).
    #[oai(path = "/:id/disable", method = "post")]
    async fn disable(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<User>> {
        auth.0.require(&[Role::BureauAdmin])?;
        Ok(Json(accounts::set_disabled(&state, &auth.0, id.0, true).await?.into()))
    }

    /// 启用账户 Enable an account (bureau_admin).
    #[oai(path = "/:id/enable", method = "post")]
    async fn enable(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<User>> {
        auth.0.require(&[Role::BureauAdmin])?;
        Ok(Json(accounts::set_disabled(&state, &auth.0, id.0, false).await?.into()))
    }

    /// 重置密码 Reset the password to a one-time one; unlocks (bureau_admin).
    #[oai(path = "/:id/reset-password", method = "post")]
    async fn reset_password(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<PasswordReset>> {
        auth.0.require(&[Role::BureauAdmin])?;
        Ok(Json(PasswordReset { temporary_password: accounts::reset_password(&state, &auth.0, id.0).await? }))
    }
}
