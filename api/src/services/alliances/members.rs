//! Membership, member registration forms (003 附件1), the charter and its
//! signatures, and the composition re-check after every change (DESIGN §4).

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    alliance::{AllianceStatus, StaffCounts, check_composition, check_staff_counts, composition::CompositionProblem, join::JoinItem},
    models::{alliance, alliance_member, charter_signature, member_form},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{Access, check_document, load, load_as_initiator, not_found, org_exists, require_status, view};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    state::AppState,
};

const EDITABLE: [AllianceStatus; 2] = [AllianceStatus::Draft, AllianceStatus::Returned];

/// Adds a current membership unless one exists. A join after registration
/// (`joined_on` given) is pending until its form and signature are in
/// (`entities::alliance::join`).
///
/// # Errors
/// Database errors.
pub async fn ensure_member(
    db: &impl ConnectionTrait,
    alliance_id: Uuid,
    org: Uuid,
    joined_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let current = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.eq(alliance_id))
        .filter(alliance_member::Column::OrganizationId.eq(org))
        .filter(alliance_member::Column::LeftOn.is_null())
        .one(db)
        .await?;
    if current.is_some() {
        return Ok(false);
    }
    alliance_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        alliance_id: Set(alliance_id),
        organization_id: Set(org),
        joined_on: Set(joined_on),
        left_on: Set(None),
        leave_reason: Set(None),
        pending: Set(joined_on.is_some()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(true)
}

/// What a pending join of `org` still lacks, from the stored form and the
/// signatures of the current charter.
async fn join_missing(db: &impl ConnectionTrait, a: &alliance::Model, org: Uuid) -> ApiResult<Vec<JoinItem>> {
    let form = member_form::Entity::find()
        .filter(member_form::Column::AllianceId.eq(a.id))
        .filter(member_form::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .is_some();
    let signed = a.charter_version > 0
        && charter_signature::Entity::find()
            .filter(charter_signature::Column::AllianceId.eq(a.id))
            .filter(charter_signature::Column::OrganizationId.eq(org))
            .filter(charter_signature::Column::CharterVersion.eq(a.charter_version))
            .one(db)
            .await?
            .is_some();
    Ok(entities::alliance::join::join_missing(form, signed))
}

/// After a form or a signature: completes `org`'s pending join when nothing
/// is missing any more (003 §二(四)(六)) — audited, the composition re-checked
/// and the initiator told.
async fn complete_join_if_ready(
    db: &impl ConnectionTrait,
    state: &AppState,
    caller: &Caller,
    a: &alliance::Model,
    org: Uuid,
) -> ApiResult<()> {
    let pending = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.eq(a.id))
        .filter(alliance_member::Column::OrganizationId.eq(org))
        .filter(alliance_member::Column::LeftOn.is_null())
        .filter(alliance_member::Column::Pending.eq(true))
        .one(db)
        .await?;
    let Some(before) = pending else { return Ok(()) };
    if !join_missing(db, a, org).await?.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    let after = alliance_member::ActiveModel { id: Set(before.id), pending: Set(false), ..Default::default() }.update(db).await?;
    audit::record(
        db,
        Actor(Some(caller)),
        now,
        Entry::new("alliance.member_join_completed", "alliance", a.id).before(&before).after(&after),
    )
    .await?;
    recheck(db, state, caller, a, state.clock.today().max(after.joined_on.unwrap_or_default())).await?;
    crate::services::reports::training_totals::refresh_alliance(db, a.id).await?;
    Ok(())
}

/// Tells the joining unit's users and the initiator's what the join still needs.
async fn notify_pending_join(db: &impl ConnectionTrait, a: &alliance::Model, org: Uuid, now: DateTime<Utc>) -> ApiResult<()> {
    let missing = join_missing(db, a, org).await?;
    let body = missing.iter().map(|m| m.zh()).collect::<Vec<_>>().join("、");
    let title = format!("加盟联盟“{}”待完成：{body}后方计为成员单位", a.name);
    let link = format!("/api/v1/alliances/{}", a.id);
    for user_id in crate::services::notices::org_users(db, &[org, a.initiator_org_id]).await? {
        jobs::notify::create(db, user_id, "alliance.join_pending", &title, &body, Some(&link), now).await?;
    }
    Ok(())
}

/// The initiator adds a member: to a draft, or — after registration — a join
/// with its effective date.
///
/// # Errors
/// 403, 404, 409 (`already_member`, wrong state), 422 (`effective_date`).
pub async fn add(state: &AppState, caller: &Caller, id: Uuid, org: Uuid, effective_date: Option<NaiveDate>) -> ApiResult<()> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let a = load_as_initiator(&txn, caller, id).await?;
    require_status(&a, &[AllianceStatus::Draft, AllianceStatus::Returned, AllianceStatus::Registered], "增加成员单位")?;
    org_exists(&txn, "organization_id", org).await?;
    let joined_on = if a.status == AllianceStatus::Registered {
        Some(effective_date.ok_or_else(|| {
            ApiError::field("effective_date", "已备案联盟加盟成员须填写生效日期", "effective_date is required after registration")
        })?)
    } else {
        None
    };
    if !ensure_member(&txn, id, org, joined_on, now).await? {
        return Err(ApiError::conflict("already_member", "该单位已是联盟成员单位", "Already a member"));
    }
    let action = if joined_on.is_some() { "alliance.member_joined" } else { "alliance.member_added" };
    audit::record(
        &txn,
        Actor(Some(caller)),
        now,
        Entry::new(action, "alliance", id).after(&json!({"organization_id": org, "effective_date": joined_on})),
    )
    .await?;
    if joined_on.is_some() {
        // Pending until its form and signature are in: nothing counts yet.
        notify_pending_join(&txn, &a, org, now).await?;
        complete_join_if_ready(&txn, state, caller, &a, org).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn is_founder(a: &alliance::Model, org: Uuid) -> bool {
    org == a.initiator_org_id || org == a.lead_org_id
}

fn founder_stays() -> ApiError {
    ApiError::unprocessable("initiator_or_lead_cannot_leave", "发起单位和承担主体不能退出联盟", "The initiator and the lead cannot leave")
}

/// Removes a member from a draft (its form and signatures go with it).
///
/// # Errors
/// 403, 404, 409, 422 for the initiator or lead.
pub async fn remove(state: &AppState, caller: &Caller, id: Uuid, org: Uuid) -> ApiResult<()> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let a = load_as_initiator(&txn, caller, id).await?;
    require_status(&a, &EDITABLE, "移除成员单位（已备案联盟请办理退出）")?;
    if is_founder(&a, org) {
        return Err(founder_stays());
    }
    let res = alliance_member::Entity::delete_many()
        .filter(alliance_member::Column::AllianceId.eq(id))
        .filter(alliance_member::Column::OrganizationId.eq(org))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(ApiError::not_found("成员单位", "Member"));
    }
    member_form::Entity::delete_many()
        .filter(member_form::Column::AllianceId.eq(id))
        .filter(member_form::Column::OrganizationId.eq(org))
        .exec(&txn)
        .await?;
    charter_signature::Entity::delete_many()
        .filter(charter_signature::Column::AllianceId.eq(id))
        .filter(charter_signature::Column::OrganizationId.eq(org))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Actor(Some(caller)),
        now,
        Entry::new("alliance.member_removed", "alliance", id).before(&json!({"organization_id": org})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A member leaves a registered alliance on `effective_date` (initiator or bureau).
///
/// # Errors
/// 403, 404, 409, 422.
pub async fn leave(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    org: Uuid,
    effective_date: NaiveDate,
    reason: Option<String>,
) -> ApiResult<()> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (a, access) = load(&txn, caller, id).await?;
    if !matches!(access, Access::Bureau | Access::Initiator) {
        return Err(super::not_initiator());
    }
    require_status(&a, &[AllianceStatus::Registered, AllianceStatus::Suspended], "办理成员退出（草稿请直接移除）")?;
    if is_founder(&a, org) {
        return Err(founder_stays());
    }
    let current = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.eq(id))
        .filter(alliance_member::Column::OrganizationId.eq(org))
        .filter(alliance_member::Column::LeftOn.is_null())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("成员单位", "Member"))?;
    if current.joined_on.is_some_and(|j| effective_date <= j) || a.registered_on.is_some_and(|r| effective_date <= r) {
        return Err(ApiError::field(
            "effective_date",
            "退出日期须晚于加盟日期和备案日期",
            "effective_date must be after joining and registration",
        ));
    }
    let before = current.clone();
    let after = alliance_member::ActiveModel {
        id: Set(current.id),
        left_on: Set(Some(effective_date)),
        leave_reason: Set(reason),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("alliance.member_left", "alliance", id).before(&before).after(&after)).await?;
    recheck(&txn, state, caller, &a, effective_date).await?;
    // A back-dated leave can take a row out of a period already handed in.
    crate::services::reports::training_totals::refresh_alliance(&txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// Re-checks every registered (or suspended) alliance that `org` belongs to
/// on `as_of` — initiator and lead included — after the organisation's kind
/// changed (003 §二(二)(三): the lead must stay an enterprise, the members must
/// keep a school or training institution, a research institute and an
/// enterprise besides the lead). Answers how many alliances were checked.
///
/// # Errors
/// Database errors.
pub async fn recheck_alliances_of(
    db: &impl ConnectionTrait,
    state: &AppState,
    caller: &Caller,
    org: Uuid,
    as_of: NaiveDate,
) -> ApiResult<usize> {
    let ids: Vec<Uuid> = alliance_member::Entity::find()
        .filter(alliance_member::Column::OrganizationId.eq(org))
        .all(db)
        .await?
        .into_iter()
        .filter(|m| m.is_member_on(as_of))
        .map(|m| m.alliance_id)
        .collect();
    let alliances = alliance::Entity::find()
        .filter(alliance::Column::Id.is_in(ids))
        .filter(alliance::Column::Status.is_in(entities::alliance::composition::WATCHED_STATUSES))
        .all(db)
        .await?;
    for a in &alliances {
        recheck(db, state, caller, a, as_of).await?;
    }
    Ok(alliances.len())
}

/// Re-checks the composition as of `as_of` after a membership change
/// (DESIGN §4); a change of the warnings is stored, audited and notified.
async fn recheck(db: &impl ConnectionTrait, state: &AppState, caller: &Caller, a: &alliance::Model, as_of: NaiveDate) -> ApiResult<()> {
    let v = view(db, a.clone(), as_of).await?;
    let members = v.current_members(as_of);
    let problems = check_composition(&v.composition(&members));
    let codes: Vec<&str> = problems.iter().map(|p| p.code()).collect();
    let warnings = (!codes.is_empty()).then(|| json!(codes));
    if warnings == a.composition_warnings {
        return Ok(());
    }
    let now = state.clock.now();
    let after =
        alliance::ActiveModel { id: Set(a.id), composition_warnings: Set(warnings.clone()), updated_at: Set(now), ..Default::default() }
            .update(db)
            .await?;
    audit::record(
        db,
        Actor(Some(caller)),
        now,
        Entry::new("alliance.composition_checked", "alliance", a.id)
            .before(&json!({"composition_warnings": a.composition_warnings}))
            .after(&json!({"composition_warnings": after.composition_warnings})),
    )
    .await?;
    if !problems.is_empty() {
        notify_broken(db, a, &problems, now).await?;
    }
    Ok(())
}

/// Tells the initiator's users and the bureau that a registered alliance no
/// longer meets the composition rules.
async fn notify_broken(
    db: &impl ConnectionTrait,
    a: &alliance::Model,
    problems: &[CompositionProblem],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let detail = problems.iter().map(|p| p.zh()).collect::<Vec<_>>().join("；");
    let title = format!("联盟“{}”成员构成不再符合备案要求", a.name);
    let link = format!("/api/v1/alliances/{}", a.id);
    crate::services::notices::notify_initiator_and_bureau(
        db,
        a.initiator_org_id,
        "alliance.composition_warning",
        &title,
        &detail,
        &link,
        now,
    )
    .await
}

/// The registration form (附件1) as entered.
#[derive(Debug, Clone)]
pub struct FormInput {
    pub address: String,
    pub postcode: String,
    pub email: String,
    pub legal_representative: String,
    pub contact_person: String,
    pub office_phone: String,
    pub mobile: String,
    pub fax: Option<String>,
    pub profile: Option<String>,
    pub counts: StaffCounts,
}

/// Whether `caller` may fill `org`'s form: the member itself, or the initiator
/// on its behalf (recorded as such). Returns "filled by initiator".
pub fn may_fill(access: Access, caller: &Caller, a: &alliance::Model, org: Uuid) -> ApiResult<bool> {
    match access {
        Access::Initiator => Ok(org != a.initiator_org_id),
        Access::Member(own) if own == org => Ok(false),
        Access::Member(_) => Err(ApiError::not_found("成员单位登记表", "Member form")),
        Access::Bureau => {
            let _ = caller;
            Err(ApiError::new(
                poem::http::StatusCode::FORBIDDEN,
                "member_or_initiator_only",
                Msg::new("登记表由成员单位或发起单位填报", "Forms are filled by the member or the initiator"),
            ))
        }
    }
}

/// Saves a member's form (create or replace).
///
/// # Errors
/// 403/404 per access, 409 wrong state, 422 inconsistent counts (each field named).
pub async fn save_form(state: &AppState, caller: &Caller, id: Uuid, org: Uuid, input: FormInput) -> ApiResult<member_form::Model> {
    let problems = check_staff_counts(&input.counts);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems.into_iter().map(|(field, zh, en)| FieldMsg {
            field,
            msg: Msg::new(zh, en),
            code: None,
            label: false,
        })));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (a, access) = load(&txn, caller, id).await?;
    let by_initiator = may_fill(access, caller, &a, org)?;
    require_status(&a, &AllianceStatus::TAKES_MEMBER_PAPERS, "填报登记表")?;
    let member = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.eq(id))
        .filter(alliance_member::Column::OrganizationId.eq(org))
        .filter(alliance_member::Column::LeftOn.is_null())
        .one(&txn)
        .await?;
    if member.is_none() {
        return Err(ApiError::not_found("成员单位", "Member"));
    }
    let saved = upsert_form(&txn, caller, id, org, input, by_initiator, now).await?;
    complete_join_if_ready(&txn, state, caller, &a, org).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Creates or replaces a form inside the caller's transaction, with its audit row.
///
/// # Errors
/// Database errors.
pub async fn upsert_form(
    txn: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    org: Uuid,
    input: FormInput,
    by_initiator: bool,
    now: DateTime<Utc>,
) -> ApiResult<member_form::Model> {
    let existing = member_form::Entity::find()
        .filter(member_form::Column::AllianceId.eq(id))
        .filter(member_form::Column::OrganizationId.eq(org))
        .one(txn)
        .await?;
    let c = input.counts;
    let mut m = member_form::ActiveModel {
        address: Set(input.address),
        postcode: Set(input.postcode),
        email: Set(input.email),
        legal_representative: Set(input.legal_representative),
        contact_person: Set(input.contact_person),
        office_phone: Set(input.office_phone),
        mobile: Set(input.mobile),
        fax: Set(input.fax),
        profile: Set(input.profile),
        total_staff: Set(c.total_staff),
        management: Set(c.management),
        title_senior: Set(c.title_senior),
        title_intermediate: Set(c.title_intermediate),
        title_junior: Set(c.title_junior),
        skill_senior_technician: Set(c.skill_senior_technician),
        skill_technician: Set(c.skill_technician),
        skill_senior_worker: Set(c.skill_senior_worker),
        skill_intermediate_worker: Set(c.skill_intermediate_worker),
        skill_junior_worker: Set(c.skill_junior_worker),
        skill_special: Set(c.skill_special),
        general_workers: Set(c.general_workers),
        filled_by: Set(caller.user_id),
        filled_by_initiator: Set(by_initiator),
        updated_at: Set(now),
        ..Default::default()
    };
    let saved = match &existing {
        Some(old) => {
            m.id = Set(old.id);
            m.version = Set(old.version + 1);
            m.update(txn).await?
        }
        None => {
            m.id = Set(Uuid::now_v7());
            m.alliance_id = Set(id);
            m.organization_id = Set(org);
            m.version = Set(1);
            m.created_at = Set(now);
            m.insert(txn).await?
        }
    };
    let mut entry = Entry::new("member_form.saved", "member_form", saved.id).after(&saved);
    if let Some(old) = &existing {
        entry = entry.before(old);
    }
    audit::record(txn, Actor(Some(caller)), now, entry).await?;
    Ok(saved)
}

/// Whether a caller with `access` to the alliance may read `org`'s form:
/// the member itself, the initiator and the bureau, not other members.
#[must_use]
pub fn may_read_form(access: Access, org: Uuid) -> bool {
    !matches!(access, Access::Member(own) if own != org)
}

/// A member's form, for the member itself, the initiator and the bureau.
///
/// # Errors
/// 404 (also for other members' forms).
pub async fn get_form(state: &AppState, caller: &Caller, id: Uuid, org: Uuid) -> ApiResult<member_form::Model> {
    let (_, access) = load(&state.db, caller, id).await?;
    if !may_read_form(access, org) {
        return Err(ApiError::not_found("成员单位登记表", "Member form"));
    }
    member_form::Entity::find()
        .filter(member_form::Column::AllianceId.eq(id))
        .filter(member_form::Column::OrganizationId.eq(org))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("成员单位登记表", "Member form"))
}

/// The initiator replaces the charter; every signature must be given again.
///
/// # Errors
/// 403, 404, 409, 422 unknown document.
pub async fn set_charter(state: &AppState, caller: &Caller, id: Uuid, doc: Uuid) -> ApiResult<alliance::Model> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = load_as_initiator(&txn, caller, id).await?;
    require_status(&before, &[AllianceStatus::Draft, AllianceStatus::Returned, AllianceStatus::Registered], "更换章程")?;
    check_document(&txn, caller, "document_id", Some(doc)).await?;
    let after = alliance::ActiveModel {
        id: Set(id),
        charter_doc_id: Set(Some(doc)),
        charter_version: Set(before.charter_version + 1),
        version: Set(before.version + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("alliance.charter_replaced", "alliance", id).before(&before).after(&after))
        .await?;
    txn.commit().await?;
    Ok(after)
}

/// The caller's organisation confirms it signed the current charter.
///
/// # Errors
/// 403 (bureau), 404, 409 `charter_missing`.
pub async fn sign_charter(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<i32> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (a, access) = load(&txn, caller, id).await?;
    let org = match access {
        Access::Initiator => a.initiator_org_id,
        Access::Member(own) => own,
        Access::Bureau => return Err(ApiError::forbidden()),
    };
    if a.charter_doc_id.is_none() {
        return Err(ApiError::conflict("charter_missing", "发起单位尚未上传章程", "No charter uploaded yet"));
    }
    let current = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.eq(id))
        .filter(alliance_member::Column::OrganizationId.eq(org))
        .filter(alliance_member::Column::LeftOn.is_null())
        .one(&txn)
        .await?;
    if current.is_none() {
        return Err(not_found());
    }
    let existing = charter_signature::Entity::find()
        .filter(charter_signature::Column::AllianceId.eq(id))
        .filter(charter_signature::Column::OrganizationId.eq(org))
        .filter(charter_signature::Column::CharterVersion.eq(a.charter_version))
        .one(&txn)
        .await?;
    if existing.is_none() {
        let sig = charter_signature::ActiveModel {
            id: Set(Uuid::now_v7()),
            alliance_id: Set(id),
            organization_id: Set(org),
            charter_version: Set(a.charter_version),
            signed_by: Set(caller.user_id),
            signed_at: Set(now),
        }
        .insert(&txn)
        .await?;
        audit::record(&txn, Actor(Some(caller)), now, Entry::new("alliance.charter_signed", "alliance", id).after(&sig)).await?;
    }
    complete_join_if_ready(&txn, state, caller, &a, org).await?;
    txn.commit().await?;
    Ok(a.charter_version)
}
