//! Skill resources (seed 000, DESIGN §6): calls, applications, the expert
//! pool, panels and reviews, notices and objections, approval and the
//! catalogue, new-occupation batches.
//!
//! Access (DESIGN §3): bureau roles see everything; an org_user sees the
//! applications of its organisation; an expert sees an application only
//! after it was drawn for it and declared no conflict; everyone else gets
//! 404. The public sees open notices and the catalogue only.
//!
//! # Layout
//! - this file: access to one application, status writes, calls, experts, access-type occupations
//! - [`applications`]: drafts, submission with eligibility and DGJN numbers, lists
//! - [`review`]: panel draw, conflict declarations, scores, ranking
//! - [`notices`]: 公示 notices, objections, rulings
//! - [`funding`]: the 附件2 fee schedule versions and payments
//! - [`development`]: the development agreement and milestones after 立项 (000 第十四—十七条, 二十条)
//! - [`catalogue`]: approval, the public catalogue, new-occupation batches
//! - [`operation`]: usage reports and assessments of published resources (000 第二十一条)

pub mod applications;
pub mod catalogue;
pub mod development;
pub mod funding;
pub mod notices;
pub mod operation;
pub mod ranking;
pub mod review;

use chrono::{DateTime, Utc};
use entities::{
    Role,
    models::{access_occupation, application, call, expert, panel_member},
    resource::{ApplicationStatus, Category, ExpertType, PanelMemberStatus, TransitionError},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

pub fn not_found() -> ApiError {
    ApiError::not_found("申报", "Application")
}

pub fn wrong_state(err: &TransitionError) -> ApiError {
    ApiError::conflict("wrong_state", err.zh(), err.to_string())
}

/// How the caller relates to an application it may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Bureau,
    Applicant,
    /// Drawn for the panel and declared no conflict.
    Expert(panel_member::Model),
}

/// The pool entry of an expert account.
///
/// # Errors
/// 403 for other roles or an expert account not in the pool.
pub async fn expert_of(db: &impl ConnectionTrait, caller: &Caller) -> ApiResult<expert::Model> {
    if caller.role != Role::Expert {
        return Err(ApiError::forbidden());
    }
    expert::Entity::find().filter(expert::Column::UserId.eq(caller.user_id)).one(db).await?.ok_or_else(ApiError::forbidden)
}

/// Loads an application the caller may see.
///
/// # Errors
/// 404 for applications of other organisations, and for experts not (yet) cleared for it.
pub async fn load(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> ApiResult<(application::Model, Access)> {
    let a = application::Entity::find_by_id(id).one(db).await?.ok_or_else(not_found)?;
    match caller.role {
        Role::BureauAdmin | Role::BureauStaff => Ok((a, Access::Bureau)),
        Role::OrgUser if caller.belongs_to(a.organization_id) => Ok((a, Access::Applicant)),
        Role::OrgUser => Err(not_found()),
        Role::Expert => {
            let e = expert_of(db, caller).await.map_err(|_| not_found())?;
            let seat = panel_member::Entity::find()
                .filter(panel_member::Column::ApplicationId.eq(id))
                .filter(panel_member::Column::ExpertId.eq(e.id))
                .filter(panel_member::Column::Status.eq(PanelMemberStatus::Accepted))
                .one(db)
                .await?
                .ok_or_else(not_found)?;
            Ok((a, Access::Expert(seat)))
        }
    }
}

/// Loads an application for a bureau step.
///
/// # Errors
/// 403 unless bureau, 404.
pub async fn load_for_bureau(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> ApiResult<application::Model> {
    caller.require_bureau()?;
    Ok(load(db, caller, id).await?.0)
}

/// [`load_for_bureau`] for several applications in one statement, in the
/// order asked (the proposed list of a notice before it is published).
///
/// # Errors
/// 403 unless bureau, 404 when any of them does not exist.
pub async fn load_many_for_bureau(db: &impl ConnectionTrait, caller: &Caller, ids: &[Uuid]) -> ApiResult<Vec<application::Model>> {
    caller.require_bureau()?;
    let mut found: std::collections::HashMap<Uuid, application::Model> = application::Entity::find()
        .filter(application::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    ids.iter().map(|id| found.remove(id).ok_or_else(not_found)).collect()
}

/// Writes a new status (and reason) if the row is still at `before.version`.
///
/// # Errors
/// 409 `version_conflict` when someone else wrote first.
pub async fn save_status(
    db: &impl ConnectionTrait,
    before: &application::Model,
    next: ApplicationStatus,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<application::Model> {
    let res = application::Entity::update_many()
        .set(application::ActiveModel {
            status: Set(next),
            status_reason: Set(reason),
            version: Set(before.version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(application::Column::Id.eq(before.id))
        .filter(application::Column::Version.eq(before.version))
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::conflict("version_conflict", "申报已被他人修改，请刷新后重试", "Changed by someone else; reload and retry"));
    }
    application::Entity::find_by_id(before.id).one(db).await?.ok_or_else(not_found)
}

/// Mail to the applicant about `app`'s new status.
///
/// # Errors
/// Rendering and database errors.
pub async fn tell_applicant(db: &impl ConnectionTrait, state: &AppState, app: &application::Model, message: &str) -> ApiResult<()> {
    jobs::resource_mail::notify_applicant(db, app, message, &state.settings.public_base_url, state.clock.now()).await?;
    Ok(())
}

// ---- calls (征集公告) ----

pub struct NewCall {
    pub category: Category,
    pub title: String,
    pub description: String,
    pub document_id: Option<Uuid>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// Bureau staff open a call (000 第十一条(一)).
///
/// # Errors
/// 403, 422 when it closes before it opens or the document is unknown.
pub async fn create_call(state: &AppState, caller: &Caller, n: NewCall) -> ApiResult<call::Model> {
    caller.require_bureau()?;
    if n.closes_at <= n.opens_at {
        return Err(ApiError::field("closes_at", "截止时间须晚于开始时间", "closes_at must be after opens_at"));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    crate::services::alliances::check_document(&txn, caller, "document_id", n.document_id).await?;
    let m = call::ActiveModel {
        id: Set(Uuid::now_v7()),
        category: Set(n.category),
        title: Set(n.title),
        description: Set(n.description),
        document_id: Set(n.document_id),
        opens_at: Set(n.opens_at),
        closes_at: Set(n.closes_at),
        created_by: Set(caller.user_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("call.created", "call", m.id).after(&m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// Bureau staff close a call now: it accepts no more applications (a call
/// not yet open closes without ever opening). Drafts of it stay drafts.
///
/// # Errors
/// 403, 404, 409 `call_closed` when it is closed already.
pub async fn close_call(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<call::Model> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = call::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| ApiError::not_found("征集公告", "Call"))?;
    if before.closes_at <= now {
        return Err(ApiError::conflict("call_closed", "该征集已截止", "The call is closed already"));
    }
    let mut m: call::ActiveModel = before.clone().into();
    m.closes_at = Set(now);
    if before.opens_at > now {
        m.opens_at = Set(now);
    }
    let after = m.update(&txn).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("call.closed", "call", id).before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Calls, newest last; `open_only` keeps those accepting applications now.
///
/// # Errors
/// Database errors.
pub async fn list_calls(
    state: &AppState,
    category: Option<Category>,
    open_only: bool,
    page: PageParams,
) -> ApiResult<(Vec<call::Model>, Option<String>)> {
    let now = state.clock.now();
    let mut q = call::Entity::find().order_by_asc(call::Column::Id).limit(page.fetch());
    if let Some(c) = category {
        q = q.filter(call::Column::Category.eq(c));
    }
    if open_only {
        q = q.filter(call::Column::OpensAt.lte(now)).filter(call::Column::ClosesAt.gt(now));
    }
    if let Some(after) = page.after {
        q = q.filter(call::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |c| c.id))
}

/// # Errors
/// 404.
pub async fn get_call(state: &AppState, id: Uuid) -> ApiResult<call::Model> {
    call::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("征集公告", "Call"))
}

// ---- expert pool (专家库) ----

pub struct NewExpert {
    pub user_id: Option<Uuid>,
    pub name: String,
    pub specialty: String,
    pub title: String,
    pub organization_id: Option<Uuid>,
    pub organization_name: String,
    pub expert_type: ExpertType,
}

/// Adds an expert to the pool (bureau). A linked account must have the expert role.
///
/// # Errors
/// 403, 409 account already linked, 422 unknown account or organisation.
pub async fn create_expert(state: &AppState, caller: &Caller, n: NewExpert) -> ApiResult<expert::Model> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(u) = n.user_id {
        let user = entities::models::user::Entity::find_by_id(u).one(&txn).await?;
        if !user.is_some_and(|u| u.role == Role::Expert) {
            return Err(ApiError::field("user_id", "账户不存在或不是评审专家账户", "No such expert account"));
        }
    }
    if let Some(o) = n.organization_id
        && entities::models::organization::Entity::find_by_id(o).one(&txn).await?.is_none()
    {
        return Err(ApiError::field("organization_id", "单位不存在", "No such organisation"));
    }
    let m = expert::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(n.user_id),
        name: Set(n.name),
        specialty: Set(n.specialty),
        title: Set(n.title),
        organization_id: Set(n.organization_id),
        organization_name: Set(n.organization_name),
        expert_type: Set(n.expert_type),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("expert.created", "expert", m.id).after(&m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// Activates or deactivates an expert (bureau).
///
/// # Errors
/// 403, 404.
pub async fn set_expert_active(state: &AppState, caller: &Caller, id: Uuid, active: bool) -> ApiResult<expert::Model> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = expert::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| ApiError::not_found("专家", "Expert"))?;
    let mut m: expert::ActiveModel = before.clone().into();
    m.active = Set(active);
    m.updated_at = Set(now);
    let after = m.update(&txn).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("expert.updated", "expert", id).before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// The pool (bureau), optionally only active experts.
///
/// # Errors
/// 403.
pub async fn list_experts(
    state: &AppState,
    caller: &Caller,
    active: Option<bool>,
    page: PageParams,
) -> ApiResult<(Vec<expert::Model>, Option<String>)> {
    caller.require_bureau()?;
    let mut q = expert::Entity::find().order_by_asc(expert::Column::Id).limit(page.fetch());
    if let Some(a) = active {
        q = q.filter(expert::Column::Active.eq(a));
    }
    if let Some(after) = page.after {
        q = q.filter(expert::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |e| e.id))
}

// ---- access-type occupations (准入类, 000 第四条) ----

/// # Errors
/// Database errors.
pub async fn list_access_occupations(
    state: &AppState,
    page_after: Option<String>,
    limit: u64,
) -> ApiResult<(Vec<access_occupation::Model>, Option<String>)> {
    let mut q = access_occupation::Entity::find().order_by_asc(access_occupation::Column::Code).limit(limit + 1);
    if let Some(after) = page_after {
        q = q.filter(access_occupation::Column::Code.gt(after));
    }
    let mut rows = q.all(&state.db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { rows.last().map(|r| r.code.clone()) } else { None };
    Ok((rows, next))
}

/// Adds an occupation to the access-type list (bureau).
///
/// # Errors
/// 403, 409 `duplicate` when listed already.
pub async fn add_access_occupation(state: &AppState, caller: &Caller, code: String, name: String) -> ApiResult<access_occupation::Model> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    if access_occupation::Entity::find_by_id(code.clone()).one(&txn).await?.is_some() {
        return Err(ApiError::conflict("duplicate", "该职业已在准入类名单中", "Already listed"));
    }
    let m =
        access_occupation::ActiveModel { code: Set(code.clone()), name: Set(name), created_by: Set(caller.user_id), created_at: Set(now) }
            .insert(&txn)
            .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("access_occupation.added", "access_occupation", &code).after(&m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// Removes an occupation from the list (bureau).
///
/// # Errors
/// 403, 404.
pub async fn remove_access_occupation(state: &AppState, caller: &Caller, code: &str) -> ApiResult<()> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = access_occupation::Entity::find_by_id(code.to_string())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("准入类职业", "Occupation"))?;
    access_occupation::Entity::delete_by_id(code.to_string()).exec(&txn).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("access_occupation.removed", "access_occupation", code).before(&before))
        .await?;
    txn.commit().await?;
    Ok(())
}
