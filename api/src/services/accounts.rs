//! Accounts: bureau_admin creates, disables, enables and resets users; every
//! user changes its own password; the first start creates `admin`.

use entities::{
    Role,
    models::{organization, user},
    values::check_password_policy,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::{self, Caller},
    error::{ApiError, ApiResult},
    pagination::PageParams,
    services::sessions,
    state::AppState,
};

/// A user to create, already parsed.
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub organization_id: Option<Uuid>,
    /// `None`: generate one and make the user change it at first login.
    pub password: Option<String>,
}

/// Creates a user; returns it and the password when one was generated.
///
/// # Errors
/// 422 (organisation rules, password policy), 409 `username_taken`.
pub async fn create(state: &AppState, actor: Option<&Caller>, new: NewUser) -> ApiResult<(user::Model, Option<String>)> {
    let now = state.clock.now();
    match (new.role.needs_organization(), new.organization_id) {
        (true, None) => {
            return Err(ApiError::field("organization_id", "单位用户必须指定所属单位", "An org_user needs organization_id"));
        }
        (false, Some(_)) => {
            return Err(ApiError::field(
                "organization_id",
                "只有单位用户可以指定所属单位",
                "Only org_user accounts belong to an organisation",
            ));
        }
        _ => {}
    }
    let (password, generated) = match new.password {
        Some(pw) => {
            check_password_policy("password", &pw).map_err(|e| ApiError::validation([e]))?;
            (pw, None)
        }
        None => {
            let pw = auth::generate_password();
            (pw.clone(), Some(pw))
        }
    };
    let hash = auth::hash_password(&password)?;
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(org) = new.organization_id
        && organization::Entity::find_by_id(org).one(&txn).await?.is_none()
    {
        return Err(ApiError::field("organization_id", "所属单位不存在", "No such organisation"));
    }
    if user::Entity::find().filter(user::Column::Username.eq(&new.username)).count(&txn).await? > 0 {
        return Err(ApiError::conflict("username_taken", "用户名已被使用", "Username already taken"));
    }
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(new.username),
        email: Set(new.email),
        display_name: Set(new.display_name),
        role: Set(new.role),
        organization_id: Set(new.organization_id),
        password_hash: Set(hash),
        disabled: Set(false),
        failed_logins: Set(0),
        locked_until: Set(None),
        must_change_password: Set(generated.is_some()),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(actor), now, Entry::new("user.created", "user", model.id).after(&model)).await?;
    txn.commit().await?;
    Ok((model, generated))
}

/// # Errors
/// 404.
pub async fn get(state: &AppState, id: Uuid) -> ApiResult<user::Model> {
    user::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("用户", "User"))
}

pub struct UserFilter {
    pub role: Option<Role>,
    pub organization_id: Option<Uuid>,
}

/// # Errors
/// Database errors.
pub async fn list(state: &AppState, filter: UserFilter, page: PageParams) -> ApiResult<(Vec<user::Model>, Option<String>)> {
    let mut q = user::Entity::find().order_by_asc(user::Column::Id).limit(page.fetch());
    if let Some(role) = filter.role {
        q = q.filter(user::Column::Role.eq(role));
    }
    if let Some(org) = filter.organization_id {
        q = q.filter(user::Column::OrganizationId.eq(org));
    }
    if let Some(after) = page.after {
        q = q.filter(user::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |u| u.id))
}

/// Disables or re-enables an account; disabling ends its sessions.
///
/// # Errors
/// 404; 409 when an admin tries to disable itself.
pub async fn set_disabled(state: &AppState, actor: &Caller, id: Uuid, disabled: bool) -> ApiResult<user::Model> {
    if disabled && actor.user_id == id {
        return Err(ApiError::conflict("cannot_disable_self", "不能停用自己的账户", "You cannot disable your own account"));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = user::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| ApiError::not_found("用户", "User"))?;
    let after = user::ActiveModel { id: Set(id), disabled: Set(disabled), updated_at: Set(now), ..Default::default() }.update(&txn).await?;
    if disabled {
        sessions::revoke_all(&txn, id, now).await?;
    }
    let action = if disabled { "user.disabled" } else { "user.enabled" };
    audit::record(&txn, Actor(Some(actor)), now, Entry::new(action, "user", id).before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Sets a new random password (returned once), unlocks, ends sessions.
///
/// # Errors
/// 404.
pub async fn reset_password(state: &AppState, actor: &Caller, id: Uuid) -> ApiResult<String> {
    let now = state.clock.now();
    let password = auth::generate_password();
    let hash = auth::hash_password(&password)?;
    let txn = crate::db::begin_write(&state.db).await?;
    user::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| ApiError::not_found("用户", "User"))?;
    user::ActiveModel {
        id: Set(id),
        password_hash: Set(hash),
        must_change_password: Set(true),
        failed_logins: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    sessions::revoke_all(&txn, id, now).await?;
    audit::record(&txn, Actor(Some(actor)), now, Entry::new("user.password_reset", "user", id)).await?;
    txn.commit().await?;
    Ok(password)
}

/// The caller changes its own password.
///
/// # Errors
/// 422 `current_password` wrong or new one against policy.
pub async fn change_password(state: &AppState, caller: &Caller, current: &str, new: &str) -> ApiResult<()> {
    let now = state.clock.now();
    let me = get(state, caller.user_id).await?;
    if !auth::verify_password(current, &me.password_hash) {
        return Err(ApiError::field("current_password", "当前密码不正确", "Current password is wrong"));
    }
    check_password_policy("new_password", new).map_err(|e| ApiError::validation([e]))?;
    if current == new {
        return Err(ApiError::field("new_password", "新密码不能与当前密码相同", "The new password must differ from the current one"));
    }
    let hash = auth::hash_password(new)?;
    let txn = crate::db::begin_write(&state.db).await?;
    user::ActiveModel {
        id: Set(me.id),
        password_hash: Set(hash),
        must_change_password: Set(false),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("user.password_changed", "user", me.id)).await?;
    txn.commit().await?;
    Ok(())
}

/// First start: when no bureau_admin exists, create `admin`. Returns the
/// password when it was generated (to be printed once).
///
/// # Errors
/// Database errors; a configured password that breaks the policy.
pub async fn ensure_admin(state: &AppState) -> anyhow::Result<Option<String>> {
    let admins = user::Entity::find().filter(user::Column::Role.eq(Role::BureauAdmin)).count(&state.db).await?;
    if admins > 0 {
        return Ok(None);
    }
    let configured = state.settings.admin_password.clone();
    if let Some(pw) = &configured {
        check_password_policy("admin_password", pw).map_err(|e| anyhow::anyhow!("setting `admin_password`: {}", e.zh))?;
    }
    let new = NewUser {
        username: "admin".into(),
        display_name: "系统管理员".into(),
        email: None,
        role: Role::BureauAdmin,
        organization_id: None,
        password: configured.clone(),
    };
    let (_, generated) = create(state, None, new).await.map_err(|e| anyhow::anyhow!("creating admin: {e}"))?;
    Ok(generated)
}
