//! Organisations (单位): bureau roles create and see all; an org_user reads and
//! edits only its own (DESIGN §3). Credit code and kind are changed by the
//! bureau only: other registrations hang on them.

use entities::{OrgKind, models::organization};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

/// Every field of an organisation, parsed.
#[derive(Debug, Clone)]
pub struct OrgFields {
    pub name: String,
    pub credit_code: String,
    pub kind: OrgKind,
    pub registered_in_dongguan: bool,
    pub independent_legal_person: bool,
    /// 高等院校 (000 第十九条(一)).
    pub higher_education: bool,
    pub address: String,
    pub postcode: String,
    pub email: String,
    pub legal_representative: String,
    pub contact_person: String,
    pub office_phone: String,
    pub mobile: String,
    pub fax: Option<String>,
    pub profile: Option<String>,
}

/// A partial update, parsed. `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct OrgChanges {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub kind: Option<OrgKind>,
    pub registered_in_dongguan: Option<bool>,
    pub independent_legal_person: Option<bool>,
    pub higher_education: Option<bool>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub email: Option<String>,
    pub legal_representative: Option<String>,
    pub contact_person: Option<String>,
    pub office_phone: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<Option<String>>,
    pub profile: Option<Option<String>>,
}

fn not_found() -> ApiError {
    ApiError::not_found("单位", "Organisation")
}

/// 422 on `higher_education` when the kind cannot be a 高等院校 (issue 16 item 3).
fn check_higher_education(kind: OrgKind, higher_education: bool) -> ApiResult<()> {
    if higher_education && !kind.may_be_higher_education() {
        return Err(ApiError::field(
            "higher_education",
            format!("高等院校的单位类型须为“职业院校”或“其他”（当前为{}）", kind.label_zh()),
            format!("A higher-education institution must be of kind vocational_college or other (not {kind:?})"),
        ));
    }
    Ok(())
}

fn credit_code_taken() -> ApiError {
    ApiError::conflict("credit_code_taken", "该统一社会信用代码已登记", "An organisation with this credit code exists")
}

/// # Errors
/// 403 for non-bureau callers, 409 `credit_code_taken`, 422 `higher_education` on a kind that cannot be one.
pub async fn create(state: &AppState, caller: &Caller, f: OrgFields) -> ApiResult<organization::Model> {
    caller.require_bureau()?;
    check_higher_education(f.kind, f.higher_education)?;
    insert(state, Some(caller), f).await
}

/// Inserts without a role check: for [`create`] and the system (demo data).
///
/// # Errors
/// 409 `credit_code_taken`.
pub async fn insert(state: &AppState, caller: Option<&Caller>, f: OrgFields) -> ApiResult<organization::Model> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    if organization::Entity::find().filter(organization::Column::CreditCode.eq(&f.credit_code)).count(&txn).await? > 0 {
        return Err(credit_code_taken());
    }
    let model = organization::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(f.name),
        credit_code: Set(f.credit_code),
        kind: Set(f.kind),
        registered_in_dongguan: Set(f.registered_in_dongguan),
        independent_legal_person: Set(f.independent_legal_person),
        higher_education: Set(f.higher_education),
        address: Set(f.address),
        postcode: Set(f.postcode),
        email: Set(f.email),
        legal_representative: Set(f.legal_representative),
        contact_person: Set(f.contact_person),
        office_phone: Set(f.office_phone),
        mobile: Set(f.mobile),
        fax: Set(f.fax),
        profile: Set(f.profile),
        credit_code_verified: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match ApiError::from(e) {
        e if e.code == "duplicate" => credit_code_taken(),
        e => e,
    })?;
    audit::record(&txn, Actor(caller), now, Entry::new("organization.created", "organization", model.id).after(&model)).await?;
    txn.commit().await?;
    Ok(model)
}

/// Visible to bureau roles and to the organisation's own users; 404 otherwise.
///
/// # Errors
/// 403 for experts, 404.
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<organization::Model> {
    if !caller.is_bureau() && caller.role != entities::Role::OrgUser {
        return Err(ApiError::forbidden());
    }
    let org = organization::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(not_found)?;
    if caller.is_bureau() || caller.belongs_to(org.id) { Ok(org) } else { Err(not_found()) }
}

pub struct OrgFilter {
    pub kind: Option<OrgKind>,
    pub name_contains: Option<String>,
    pub credit_code: Option<String>,
}

/// # Errors
/// 403 for experts.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: OrgFilter,
    page: PageParams,
) -> ApiResult<(Vec<organization::Model>, Option<String>)> {
    let mut q = organization::Entity::find().order_by_asc(organization::Column::Id).limit(page.fetch());
    if !caller.is_bureau() {
        match (caller.role, caller.organization_id) {
            (entities::Role::OrgUser, Some(own)) => q = q.filter(organization::Column::Id.eq(own)),
            _ => return Err(ApiError::forbidden()),
        }
    }
    if let Some(kind) = filter.kind {
        q = q.filter(organization::Column::Kind.eq(kind));
    }
    if let Some(name) = filter.name_contains.filter(|n| !n.is_empty()) {
        q = q.filter(organization::Column::Name.contains(name));
    }
    if let Some(code) = filter.credit_code {
        q = q.filter(organization::Column::CreditCode.eq(code));
    }
    if let Some(after) = page.after {
        q = q.filter(organization::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |o| o.id))
}

/// Registered organisations an initiator may choose as lead or members:
/// name, credit code and kind only (what a business licence shows publicly),
/// found by part of the name or the whole credit code, by name.
///
/// # Errors
/// 403 for experts; 422 `q` shorter than 2 characters.
pub async fn search(
    state: &AppState,
    caller: &Caller,
    q: &str,
    kind: Option<OrgKind>,
    page: PageParams,
) -> ApiResult<(Vec<organization::Model>, Option<String>)> {
    if !caller.is_bureau() && caller.role != entities::Role::OrgUser {
        return Err(ApiError::forbidden());
    }
    let q = q.trim();
    if q.chars().count() < 2 {
        return Err(ApiError::field("q", "请至少输入单位名称中的2个字或完整的统一社会信用代码", "Type at least 2 characters"));
    }
    let mut find = organization::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(organization::Column::Name.contains(q))
                .add(organization::Column::CreditCode.eq(q.to_uppercase())),
        )
        .order_by_asc(organization::Column::Id)
        .limit(page.fetch());
    if let Some(kind) = kind {
        find = find.filter(organization::Column::Kind.eq(kind));
    }
    if let Some(after) = page.after {
        find = find.filter(organization::Column::Id.gt(after));
    }
    Ok(page.finish(find.all(&state.db).await?, |o| o.id))
}

/// Applies `changes`; `if_match` (the version the client read) must still be current.
///
/// # Errors
/// 403 (experts, org_user changing credit code, kind or `higher_education`), 404, 409 `version_conflict` /
/// `credit_code_taken`, 422 `higher_education` on a kind that cannot be one.
pub async fn update(state: &AppState, caller: &Caller, id: Uuid, if_match: Option<i32>, c: OrgChanges) -> ApiResult<organization::Model> {
    let before = get(state, caller, id).await?;
    if !caller.is_bureau() && (c.credit_code.is_some() || c.kind.is_some() || c.higher_education.is_some()) {
        return Err(ApiError::new(
            poem::http::StatusCode::FORBIDDEN,
            "bureau_only_field",
            crate::i18n::Msg::new(
                "统一社会信用代码、单位类型和是否为高等院校只能由市人社局修改",
                "Only bureau staff may change the credit code, kind or higher-education mark",
            ),
        ));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let current = organization::Entity::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    if let Some(v) = if_match.filter(|v| *v != current.version) {
        return Err(ApiError::conflict(
            "version_conflict",
            format!("数据已被他人修改（当前版本{}，提交版本{v}），请刷新后重试", current.version),
            format!("Changed by someone else (current version {}, yours {v}); reload and retry", current.version),
        ));
    }
    check_higher_education(c.kind.unwrap_or(current.kind), c.higher_education.unwrap_or(current.higher_education))?;
    if let Some(code) = c.credit_code.as_ref().filter(|code| **code != current.credit_code) {
        let taken = organization::Entity::find().filter(organization::Column::CreditCode.eq(code)).count(&txn).await? > 0;
        if taken {
            return Err(credit_code_taken());
        }
    }
    let mut m: organization::ActiveModel = current.clone().into();
    macro_rules! apply {
        ($($f:ident),*) => { $(if let Some(v) = c.$f { m.$f = Set(v); })* };
    }
    apply!(
        name,
        credit_code,
        kind,
        registered_in_dongguan,
        independent_legal_person,
        higher_education,
        address,
        postcode,
        email,
        legal_representative,
        contact_person,
        office_phone,
        mobile,
        fax,
        profile
    );
    // A new credit code must be verified again.
    if c_changes_code(&m, &current) {
        m.credit_code_verified = Set(false);
    }
    m.version = Set(current.version + 1);
    m.updated_at = Set(now);
    // Only the row at the version we read is updated: concurrent writers lose cleanly.
    let res = organization::Entity::update_many()
        .set(m)
        .filter(organization::Column::Id.eq(id))
        .filter(organization::Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::conflict("version_conflict", "数据已被他人修改，请刷新后重试", "Changed by someone else; reload and retry"));
    }
    let after = organization::Entity::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("organization.updated", "organization", id).before(&before).after(&after))
        .await?;
    if after.kind != current.kind {
        // 003 §二(二)(三): the composition of its alliances may no longer hold (or hold again).
        crate::services::alliances::members::recheck_alliances_of(&txn, state, caller, id, state.clock.today()).await?;
    }
    txn.commit().await?;
    Ok(after)
}

fn c_changes_code(m: &organization::ActiveModel, current: &organization::Model) -> bool {
    matches!(&m.credit_code, sea_orm::ActiveValue::Set(code) if *code != current.credit_code)
}

/// Bureau staff mark the credit code verified: the business licence can be
/// fetched by it, so filings need no licence copy (003 §二(六)).
///
/// # Errors
/// 403, 404.
pub async fn set_credit_code_verified(state: &AppState, caller: &Caller, id: Uuid, verified: bool) -> ApiResult<organization::Model> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = organization::Entity::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let after = organization::ActiveModel {
        id: Set(id),
        credit_code_verified: Set(verified),
        version: Set(before.version + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(
        &txn,
        Actor(Some(caller)),
        now,
        Entry::new("organization.credit_code_verified", "organization", id).before(&before).after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
