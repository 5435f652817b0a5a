//! Applications (申报): drafts by the applicant's org_user, submission with
//! every eligibility rule checked at once (`entities::resource::eligibility`)
//! and the number `DGJN-YYYY-NNNN`, lists by role.

use chrono::Datelike;
use entities::{
    Role,
    models::{access_occupation, application, call, organization, panel_member},
    resource::{
        ApplicationAction, ApplicationStatus, Category, EligibilityFacts, EligibilityProblem, PanelMemberStatus, ResourceKind, SkillLevel,
        TeamRole, TitleLevel, check_eligibility,
        eligibility::{EnterpriseFacts, LeaderFacts},
        transition,
    },
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Access, expert_of, load, not_found, tell_applicant, wrong_state};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    pagination::PageParams,
    services::{
        alliances::{check_document, is_banned, review::next_number},
        idempotency,
    },
    state::AppState,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Enterprise {
    pub name: String,
    pub credit_code: Option<String>,
    pub usage_report_document_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamMember {
    pub name: String,
    pub role: TeamRole,
    pub qualification: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Leader {
    pub name: String,
    pub title_level: TitleLevel,
    pub skill_level: SkillLevel,
}

/// The application's fields, parsed.
#[derive(Debug, Clone)]
pub struct Fields {
    pub call_id: Uuid,
    pub resource_kind: ResourceKind,
    pub occupation_code: String,
    pub occupation_name: String,
    pub levels: Vec<String>,
    pub title: String,
    pub description: String,
    pub document_ids: Vec<Uuid>,
    pub trainees_last_3_years: Option<i64>,
    pub ip_declared: bool,
    pub enterprises: Vec<Enterprise>,
    pub team: Vec<TeamMember>,
    pub leader: Option<Leader>,
    pub funding_source: Option<String>,
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// The stored lists, read back.
#[must_use]
pub fn enterprises(a: &application::Model) -> Vec<Enterprise> {
    serde_json::from_value(a.enterprises.clone()).unwrap_or_default()
}

#[must_use]
pub fn team(a: &application::Model) -> Vec<TeamMember> {
    serde_json::from_value(a.team.clone()).unwrap_or_default()
}

#[must_use]
pub fn leader(a: &application::Model) -> Option<Leader> {
    a.leader.clone().and_then(|l| serde_json::from_value(l).ok())
}

async fn check_fields(db: &impl ConnectionTrait, caller: &Caller, f: &Fields) -> ApiResult<call::Model> {
    let c =
        call::Entity::find_by_id(f.call_id).one(db).await?.ok_or_else(|| ApiError::field("call_id", "征集公告不存在", "No such call"))?;
    if !c.category.allows(f.resource_kind) {
        return Err(ApiError::field(
            "resource_kind",
            format!("“{}”类征集不接受“{}”", c.category.label_zh(), f.resource_kind.label_zh()),
            "This call does not accept this resource kind",
        ));
    }
    for (i, d) in f.document_ids.iter().enumerate() {
        check_document(db, caller, &format!("document_ids[{i}]"), Some(*d)).await?;
    }
    for (i, e) in f.enterprises.iter().enumerate() {
        check_document(db, caller, &format!("enterprises[{i}].usage_report_document_id"), e.usage_report_document_id).await?;
    }
    Ok(c)
}

/// An org_user starts an application of its organisation.
///
/// # Errors
/// 403 unless org_user, 422 unknown call, kind not in the call's category, foreign documents.
pub async fn create(state: &AppState, caller: &Caller, f: Fields) -> ApiResult<application::Model> {
    caller.require(&[Role::OrgUser])?;
    let org = caller.organization_id.ok_or_else(ApiError::forbidden)?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let c = check_fields(&txn, caller, &f).await?;
    let m = application::ActiveModel {
        id: Set(Uuid::now_v7()),
        number: Set(None),
        call_id: Set(c.id),
        organization_id: Set(org),
        category: Set(c.category),
        resource_kind: Set(f.resource_kind),
        occupation_code: Set(f.occupation_code),
        occupation_name: Set(f.occupation_name),
        levels: Set(json(&f.levels)),
        title: Set(f.title),
        description: Set(f.description),
        document_ids: Set(json(&f.document_ids)),
        trainees_last_3_years: Set(f.trainees_last_3_years),
        ip_declared: Set(f.ip_declared),
        enterprises: Set(json(&f.enterprises)),
        team: Set(json(&f.team)),
        leader: Set(f.leader.as_ref().map(json)),
        funding_source: Set(f.funding_source),
        status: Set(ApplicationStatus::Draft),
        status_reason: Set(None),
        batch_id: Set(None),
        version: Set(1),
        created_by: Set(caller.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        submitted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("application.created", "application", m.id).after(&m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// Replaces the draft's fields (applicant; draft only).
///
/// # Errors
/// 403 non-applicant, 404, 409 `wrong_state`, 422.
pub async fn update(state: &AppState, caller: &Caller, id: Uuid, f: Fields) -> ApiResult<application::Model> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (before, access) = load(&txn, caller, id).await?;
    if access != Access::Applicant {
        return Err(ApiError::forbidden());
    }
    if before.status != ApplicationStatus::Draft {
        return Err(ApiError::conflict("wrong_state", "申报已提交，不能修改", "Only drafts can be changed"));
    }
    let c = check_fields(&txn, caller, &f).await?;
    let mut m: application::ActiveModel = before.clone().into();
    m.call_id = Set(c.id);
    m.category = Set(c.category);
    m.resource_kind = Set(f.resource_kind);
    m.occupation_code = Set(f.occupation_code);
    m.occupation_name = Set(f.occupation_name);
    m.levels = Set(json(&f.levels));
    m.title = Set(f.title);
    m.description = Set(f.description);
    m.document_ids = Set(json(&f.document_ids));
    m.trainees_last_3_years = Set(f.trainees_last_3_years);
    m.ip_declared = Set(f.ip_declared);
    m.enterprises = Set(json(&f.enterprises));
    m.team = Set(json(&f.team));
    m.leader = Set(f.leader.as_ref().map(json));
    m.funding_source = Set(f.funding_source);
    m.version = Set(before.version + 1);
    m.updated_at = Set(now);
    let after = m.update(&txn).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("application.updated", "application", id).before(&before).after(&after))
        .await?;
    txn.commit().await?;
    Ok(after)
}

/// The facts eligibility is judged on.
///
/// # Errors
/// Database errors.
pub async fn facts(db: &impl ConnectionTrait, a: &application::Model, state: &AppState) -> ApiResult<EligibilityFacts> {
    let now = state.clock.now();
    let c = call::Entity::find_by_id(a.call_id).one(db).await?;
    let org = organization::Entity::find_by_id(a.organization_id).one(db).await?.ok_or_else(not_found)?;
    let access = access_occupation::Entity::find_by_id(a.occupation_code.clone()).one(db).await?.is_some();
    Ok(EligibilityFacts {
        category: a.category,
        call_open: c.is_some_and(|c| c.is_open(now)),
        registered_in_dongguan: org.registered_in_dongguan,
        independent_legal_person: org.independent_legal_person,
        applicant_kind: org.kind,
        applicant_higher_education: org.higher_education,
        applicant_banned: is_banned(db, &org.credit_code, state.clock.today()).await?,
        occupation_is_access_type: access,
        ip_declared: a.ip_declared,
        trainees_last_3_years: a.trainees_last_3_years,
        enterprises: enterprises(a)
            .into_iter()
            .map(|e| EnterpriseFacts { name: e.name, has_usage_report: e.usage_report_document_id.is_some() })
            .collect(),
        leader: leader(a).map(|l| LeaderFacts { title: l.title_level, skill: l.skill_level }),
        team_roles: team(a).into_iter().map(|t| t.role).collect(),
        has_funding: a.funding_source.is_some(),
    })
}

/// 422 `ineligible` listing every problem with its code.
fn ineligible(problems: &[EligibilityProblem]) -> ApiError {
    let mut e = ApiError::validation(problems.iter().map(|p| FieldMsg {
        field: p.field().to_string(),
        msg: Msg::new(p.zh(), p.en()),
        code: Some(p.code().to_string()),
        label: false,
    }));
    e.code = "ineligible";
    e.details.title = Msg::new(
        format!("申报不符合条件（{}项）", problems.len()),
        format!("The application does not meet the conditions ({} problems)", problems.len()),
    );
    e
}

/// The applicant submits: every eligibility rule is checked at once; an
/// eligible application gets its number DGJN-YYYY-NNNN.
///
/// With an idempotency key a retry answers like the first call.
///
/// # Errors
/// 403 non-applicant, 404, 409 `wrong_state` / `idempotency_key_reused`, 422 `ineligible`.
pub async fn submit(state: &AppState, caller: &Caller, id: Uuid, key: Option<String>) -> ApiResult<application::Model> {
    let now = state.clock.now();
    let request = format!("POST /applications/{id}/submit");
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(k) = &key
        && idempotency::replay(&txn, caller.user_id, k, &request).await?.is_some()
    {
        return Ok(load(&txn, caller, id).await?.0);
    }
    let (before, access) = load(&txn, caller, id).await?;
    if access != Access::Applicant {
        return Err(ApiError::forbidden());
    }
    let next = transition(before.status, ApplicationAction::Submit, before.category).map_err(|e| wrong_state(&e))?;
    let problems = check_eligibility(&facts(&txn, &before, state).await?);
    if !problems.is_empty() {
        return Err(ineligible(&problems));
    }
    let series = format!("DGJN-{}", state.clock.today().year());
    let number = format!("{series}-{:04}", next_number(&txn, &series).await?);
    let mut m: application::ActiveModel = before.clone().into();
    m.status = Set(next);
    m.number = Set(Some(number));
    m.submitted_at = Set(Some(now));
    m.version = Set(before.version + 1);
    m.updated_at = Set(now);
    let after = m.update(&txn).await?;
    if let Some(k) = &key {
        idempotency::remember(&txn, caller.user_id, k, &request, &id.to_string(), now).await?;
    }
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("application.submitted", "application", id).before(&before).after(&after))
        .await?;
    tell_applicant(&txn, state, &after, "申报材料已提交，市人力资源社会保障部门将组织评审。").await?;
    txn.commit().await?;
    Ok(after)
}

pub struct Filter {
    pub call_id: Option<Uuid>,
    pub status: Option<ApplicationStatus>,
    pub category: Option<Category>,
}

/// Applications the caller may see: bureau all, org_user its organisation's,
/// expert those it is cleared for.
///
/// # Errors
/// 403 for an expert account not in the pool.
pub async fn list(state: &AppState, caller: &Caller, f: Filter, page: PageParams) -> ApiResult<(Vec<application::Model>, Option<String>)> {
    let mut q = application::Entity::find().order_by_asc(application::Column::Id).limit(page.fetch());
    match caller.role {
        Role::BureauAdmin | Role::BureauStaff => {}
        Role::OrgUser => q = q.filter(application::Column::OrganizationId.eq(caller.organization_id.ok_or_else(ApiError::forbidden)?)),
        Role::Expert => {
            let e = expert_of(&state.db, caller).await?;
            let mut seats = Query::select();
            seats
                .column(panel_member::Column::ApplicationId)
                .from(panel_member::Entity)
                .and_where(panel_member::Column::ExpertId.eq(e.id))
                .and_where(panel_member::Column::Status.eq(PanelMemberStatus::Accepted));
            q = q.filter(application::Column::Id.in_subquery(seats));
        }
    }
    if let Some(c) = f.call_id {
        q = q.filter(application::Column::CallId.eq(c));
    }
    if let Some(s) = f.status {
        q = q.filter(application::Column::Status.eq(s));
    }
    if let Some(c) = f.category {
        q = q.filter(application::Column::Category.eq(c));
    }
    if let Some(after) = page.after {
        q = q.filter(application::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |a| a.id))
}

/// The application numbered `number` (申报编号, e.g. DGJN-2026-0001), for the bureau.
///
/// # Errors
/// 403.
pub async fn find_by_number(state: &AppState, caller: &Caller, number: &str) -> ApiResult<Option<application::Model>> {
    caller.require_bureau()?;
    Ok(application::Entity::find().filter(application::Column::Number.eq(number.trim().to_uppercase())).one(&state.db).await?)
}
