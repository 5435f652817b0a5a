//! `alliances`: drafts, submission, bureau review and registration (seed 003 §二).
//! Members, forms and the charter are in [`super::alliance_members`].

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    alliance::{AllianceAction, AllianceStatus, check_filing},
    models::{alliance, organization},
    policy::policy_state,
    values::{optional_text, text},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use uuid::Uuid;

use crate::{
    auth::{BearerAuth, Caller},
    error::{ApiError, ApiResult, parse_all},
    i18n::Msg,
    json::Direct,
    pagination::PageParams,
    routes::{Tag, enums::OrgKindDto, if_match},
    services::{
        alliances::{self as svc, Access, AllianceFilter, AllianceView, DraftFields, review},
        idempotency,
    },
    state::AppState,
    text::Str,
};

#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename = "AllianceStatus", rename_all = "snake_case")]
pub enum StatusDto {
    /// 草稿
    Draft,
    /// 已提交待审核
    Submitted,
    /// 已退回修改
    Returned,
    /// 已备案
    Registered,
    /// 已暂停
    Suspended,
    /// 已解散
    Dissolved,
}

impl From<AllianceStatus> for StatusDto {
    fn from(s: AllianceStatus) -> Self {
        match s {
            AllianceStatus::Draft => Self::Draft,
            AllianceStatus::Submitted => Self::Submitted,
            AllianceStatus::Returned => Self::Returned,
            AllianceStatus::Registered => Self::Registered,
            AllianceStatus::Suspended => Self::Suspended,
            AllianceStatus::Dissolved => Self::Dissolved,
        }
    }
}

impl From<StatusDto> for AllianceStatus {
    fn from(s: StatusDto) -> Self {
        match s {
            StatusDto::Draft => Self::Draft,
            StatusDto::Submitted => Self::Submitted,
            StatusDto::Returned => Self::Returned,
            StatusDto::Registered => Self::Registered,
            StatusDto::Suspended => Self::Suspended,
            StatusDto::Dissolved => Self::Dissolved,
        }
    }
}

/// A coded message: a rule a filing breaks, or a warning.
#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Issue {
    pub code: String,
    pub message: String,
}

#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrgRef {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKindDto,
    pub kind_label: String,
}

impl From<&organization::Model> for OrgRef {
    fn from(o: &organization::Model) -> Self {
        Self { id: o.id, name: o.name.clone(), kind: o.kind.into(), kind_label: o.kind.label_zh().into() }
    }
}

#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum MemberRole {
    /// 职业培训联盟发起单位
    Initiator,
    /// 职业培训联盟成员单位
    Member,
}

#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberEntry {
    pub organization: OrgRef,
    /// Derived: the initiating organisation is the initiator, everyone else a member.
    pub role: MemberRole,
    /// 承担主体
    pub is_lead: bool,
    /// None: founding member (from registration).
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub current: bool,
    /// A join after registration still waiting for its 附件1 form or charter
    /// signature (003 §二(四)(六)): not counted as a member until complete.
    pub pending: bool,
    /// What a pending join still needs: `member_form`, `charter_signature`.
    pub pending_items: Vec<String>,
    pub form_filled: bool,
    pub form_filled_by_initiator: bool,
    pub charter_signed: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReturnReasonDto {
    /// The item of the filing, e.g. 章程.
    pub item: Str,
    pub reason: Str,
}

#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RoundEntry {
    pub round: i32,
    #[serde(serialize_with = "crate::json::rfc3339::serialize")]
    pub submitted_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::rfc3339::option::serialize")]
    pub decided_at: Option<DateTime<Utc>>,
    /// `returned` or `registered`; absent while under review.
    pub outcome: Option<String>,
    pub reasons: Vec<ReasonOut>,
}

#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReasonOut {
    pub item: String,
    pub reason: String,
}

#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PolicyFlag {
    pub title: String,
    pub number: String,
    pub valid_until: Option<NaiveDate>,
    /// `valid`, `expires_soon`, `expired`, `not_yet_effective`.
    pub state: String,
    pub message: Option<String>,
}

#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AllianceSummary {
    pub id: Uuid,
    pub name: String,
    pub industry: String,
    pub status: StatusDto,
    pub status_label: String,
    /// 备案编号 DGLM-YYYY-NNNN
    pub registration_no: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub initiator_org_id: Uuid,
    pub lead_org_id: Uuid,
    /// Codes of composition rules a registered alliance no longer meets.
    pub composition_warnings: Vec<String>,
    pub version: i32,
    #[serde(serialize_with = "crate::json::rfc3339::serialize")]
    pub updated_at: DateTime<Utc>,
}

fn warning_codes(a: &alliance::Model) -> Vec<String> {
    a.composition_warnings
        .as_ref()
        .and_then(|w| w.as_array())
        .map(|codes| codes.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

impl From<alliance::Model> for AllianceSummary {
    fn from(a: alliance::Model) -> Self {
        Self {
            id: a.id,
            composition_warnings: warning_codes(&a),
            name: a.name,
            industry: a.industry,
            status: a.status.into(),
            status_label: a.status.label_zh().into(),
            registration_no: a.registration_no,
            registered_on: a.registered_on,
            initiator_org_id: a.initiator_org_id,
            lead_org_id: a.lead_org_id,
            version: a.version,
            updated_at: a.updated_at,
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AllianceDetail {
    #[oai(flatten)]
    #[serde(flatten)]
    pub summary: AllianceSummary,
    pub industry_code: Option<String>,
    pub initiator: Option<OrgRef>,
    pub lead: Option<OrgRef>,
    pub members: Vec<MemberEntry>,
    pub agreement_document_id: Option<Uuid>,
    pub charter_document_id: Option<Uuid>,
    /// Bumped when the charter document changes; signatures count for the current version only.
    pub charter_version: i32,
    pub report_text: Option<String>,
    pub report_document_id: Option<Uuid>,
    pub licence_document_id: Option<Uuid>,
    /// Why it was returned, suspended or dissolved.
    pub status_reason: Option<String>,
    /// The composition warnings in words.
    pub warnings: Vec<Issue>,
    /// What submission would refuse now (drafts and returned filings; initiator and bureau only).
    pub readiness: Vec<Issue>,
    /// The governing policy (seed 003) and whether it is expired or expires soon.
    pub policy: Option<PolicyFlag>,
    pub rounds: Vec<RoundEntry>,
}

fn render(zh: String, en: String) -> String {
    Msg::new(zh, en).render()
}

pub fn detail(v: AllianceView, access: Access, today: NaiveDate) -> AllianceDetail {
    let a = &v.alliance;
    let current: Vec<Uuid> = v.current_members(today).iter().map(|m| m.membership.id).collect();
    let readiness = if a.status.is_editable() && matches!(access, Access::Initiator | Access::Bureau) {
        check_filing(&v.filing_facts(today)).iter().map(|p| Issue { code: p.code().into(), message: render(p.zh(), p.en()) }).collect()
    } else {
        Vec::new()
    };
    let warnings = warning_codes(a)
        .iter()
        .filter_map(|c| entities::alliance::composition::CompositionProblem::from_code(c))
        .map(|p| Issue { code: p.code().into(), message: render(p.zh().into(), p.en().into()) })
        .collect();
    let policy = v.policy.as_ref().map(|p| {
        let state = policy_state(p.effective_from, p.valid_until, today);
        PolicyFlag {
            title: p.title.clone(),
            number: p.number.clone(),
            valid_until: p.valid_until,
            state: state.code().into(),
            message: state.message_zh(&p.title, p.valid_until),
        }
    });
    let rounds = v
        .rounds
        .iter()
        .map(|r| RoundEntry {
            round: r.round,
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
            outcome: r.outcome.map(|o| o.code().to_string()),
            reasons: r
                .reasons
                .as_ref()
                .and_then(|x| x.as_array())
                .map(|items| {
                    items
                        .iter()
                        .map(|i| ReasonOut {
                            item: i["item"].as_str().unwrap_or_default().into(),
                            reason: i["reason"].as_str().unwrap_or_default().into(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let members = v
        .members
        .iter()
        .map(|m| MemberEntry {
            organization: (&m.organization).into(),
            role: if m.organization.id == a.initiator_org_id { MemberRole::Initiator } else { MemberRole::Member },
            is_lead: m.organization.id == a.lead_org_id,
            joined_on: m.membership.joined_on,
            left_on: m.membership.left_on,
            current: current.contains(&m.membership.id),
            pending: m.membership.pending,
            pending_items: if m.membership.pending {
                entities::alliance::join::join_missing(m.form.is_some(), m.signed_charter).iter().map(|i| i.code().to_string()).collect()
            } else {
                Vec::new()
            },
            form_filled: m.form.is_some(),
            form_filled_by_initiator: m.form.is_some_and(|f| f.filled_by_initiator),
            charter_signed: m.signed_charter,
        })
        .collect();
    let org = |id: Uuid| v.members.iter().find(|m| m.organization.id == id).map(|m| OrgRef::from(&m.organization));
    AllianceDetail {
        initiator: org(a.initiator_org_id),
        lead: org(a.lead_org_id),
        industry_code: a.industry_code.clone(),
        agreement_document_id: a.agreement_doc_id,
        charter_document_id: a.charter_doc_id,
        charter_version: a.charter_version,
        report_text: a.report_text.clone(),
        report_document_id: a.report_doc_id,
        licence_document_id: a.licence_doc_id,
        status_reason: a.status_reason.clone(),
        warnings,
        readiness,
        policy,
        rounds,
        members,
        summary: v.alliance.into(),
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateAlliance {
    /// 联盟名称
    name: Str,
    /// 产业领域
    industry: Str,
    industry_code: Option<Str>,
    /// 承担主体 (an enterprise).
    lead_organization_id: Uuid,
    /// Other members; the initiator (the caller's organisation) and the lead are added automatically.
    #[oai(default)]
    pub member_organization_ids: Vec<Uuid>,
    agreement_document_id: Option<Uuid>,
    charter_document_id: Option<Uuid>,
    /// 发起单位建立职业培训联盟的报告 (text), or a document below.
    report_text: Option<Str>,
    report_document_id: Option<Uuid>,
    /// 营业执照或法人登记证复印件 (not needed when the bureau verified the credit code).
    licence_document_id: Option<Uuid>,
}

/// Fields left out stay; `null` clears an optional one.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UpdateAlliance {
    name: Option<Str>,
    industry: Option<Str>,
    industry_code: MaybeUndefined<Str>,
    lead_organization_id: Option<Uuid>,
    agreement_document_id: MaybeUndefined<Uuid>,
    charter_document_id: MaybeUndefined<Uuid>,
    report_text: MaybeUndefined<Str>,
    report_document_id: MaybeUndefined<Uuid>,
    licence_document_id: MaybeUndefined<Uuid>,
}

fn maybe_id(v: &MaybeUndefined<Uuid>) -> Option<Option<Uuid>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => Some(Some(*id)),
    }
}

fn maybe_text(field: &str, v: &MaybeUndefined<Str>, max: usize) -> Result<Option<Option<String>>, entities::values::FieldError> {
    match v {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(s) => optional_text(field, Some(s), max).map(Some),
    }
}

impl TryFrom<&CreateAlliance> for DraftFields {
    type Error = ApiError;

    fn try_from(r: &CreateAlliance) -> ApiResult<Self> {
        parse_all! {
            name = text("name", &r.name, 200),
            industry = text("industry", &r.industry, 100),
            industry_code = optional_text("industry_code", r.industry_code.as_deref(), 20),
            report_text = optional_text("report_text", r.report_text.as_deref(), 20_000),
        }
        Ok(Self {
            name: Some(name),
            industry: Some(industry),
            industry_code: Some(industry_code),
            lead_org_id: Some(r.lead_organization_id),
            agreement_doc_id: Some(r.agreement_document_id),
            charter_doc_id: Some(r.charter_document_id),
            report_text: Some(report_text),
            report_doc_id: Some(r.report_document_id),
            licence_doc_id: Some(r.licence_document_id),
        })
    }
}

impl TryFrom<&UpdateAlliance> for DraftFields {
    type Error = ApiError;

    fn try_from(r: &UpdateAlliance) -> ApiResult<Self> {
        parse_all! {
            name = r.name.as_deref().map(|v| text("name", v, 200)).transpose(),
            industry = r.industry.as_deref().map(|v| text("industry", v, 100)).transpose(),
            industry_code = maybe_text("industry_code", &r.industry_code, 20),
            report_text = maybe_text("report_text", &r.report_text, 20_000),
        }
        Ok(Self {
            name,
            industry,
            industry_code,
            lead_org_id: r.lead_organization_id,
            agreement_doc_id: maybe_id(&r.agreement_document_id),
            charter_doc_id: maybe_id(&r.charter_document_id),
            report_text,
            report_doc_id: maybe_id(&r.report_document_id),
            licence_doc_id: maybe_id(&r.licence_document_id),
        })
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReturnRequest {
    /// One entry per item to correct.
    reasons: Vec<ReturnReasonDto>,
}

impl ReturnRequest {
    /// The reasons, each item and text checked (every bad one named).
    ///
    /// # Errors
    /// 422 naming `reasons[i].item` / `reasons[i].reason`.
    pub fn reasons(&self) -> ApiResult<Vec<review::ReturnReason>> {
        let mut reasons = Vec::new();
        let mut problems = Vec::new();
        for (i, r) in self.reasons.iter().enumerate() {
            match (text(&format!("reasons[{i}].item"), &r.item, 100), text(&format!("reasons[{i}].reason"), &r.reason, 2000)) {
                (Ok(item), Ok(reason)) => reasons.push(review::ReturnReason { item, reason }),
                (a, b) => problems.extend(a.err().into_iter().chain(b.err())),
            }
        }
        if problems.is_empty() { Ok(reasons) } else { Err(ApiError::validation(problems)) }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReasonRequest {
    reason: Option<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlliancePage {
    items: Vec<AllianceSummary>,
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedAlliance {
    /// Draft created.
    #[oai(status = 201)]
    Created(Json<AllianceDetail>),
}

/// The detail of `id` as the caller may see it.
pub async fn load_detail(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<AllianceDetail> {
    let today = state.clock.today();
    let (view, access) = svc::load_view(&state.db, caller, id, today).await?;
    Ok(detail(view, access, today))
}

#[derive(Default)]
pub struct AlliancesApi;

#[OpenApi(prefix_path = "/alliances", tag = "Tag::Alliances")]
impl AlliancesApi {
    /// 新建联盟备案草稿 Create a filing draft; the caller's organisation initiates.
    #[oai(path = "/", method = "post")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<CreateAlliance>) -> ApiResult<CreatedAlliance> {
        let fields = DraftFields::try_from(&body.0)?;
        let a = svc::create(&state, &auth.0, fields, body.0.member_organization_ids).await?;
        Ok(CreatedAlliance::Created(Json(load_detail(&state, &auth.0, a.id).await?)))
    }

    /// 联盟列表 Alliances the caller may see (bureau: all).
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<StatusDto>>,
        industry: Query<Option<String>>,
        /// Name contains.
        name: Query<Option<String>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AlliancePage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let filter = AllianceFilter { status: status.0.map(Into::into), industry: industry.0, name: name.0 };
        let (items, next_cursor) = svc::list(&state, &auth.0, filter, page).await?;
        Ok(Json(AlliancePage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 联盟详情 One alliance: members, forms and signatures, warnings, what submission still needs, review rounds.
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Direct<AllianceDetail>> {
        Ok(Direct(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 下载备案材料 One of the filing's materials (agreement, charter, licence, report), for everyone who may see
    /// the alliance: members read the charter they sign.
    #[oai(path = "/:id/documents/:document_id", method = "get")]
    async fn material(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        document_id: Path<Uuid>,
    ) -> ApiResult<crate::routes::documents::ContentResponse> {
        let (doc, bytes) = svc::material(&state, &auth.0, id.0, document_id.0).await?;
        Ok(crate::routes::documents::ContentResponse::Ok(
            poem_openapi::payload::Attachment::new(bytes)
                .attachment_type(poem_openapi::payload::AttachmentType::Attachment)
                .filename(doc.filename),
        ))
    }

    /// 修改备案草稿 Change the draft (initiator; draft or returned); `If-Match` carries the version read.
    #[oai(path = "/:id", method = "patch")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(name = "If-Match")] if_match_header: Header<Option<String>>,
        body: Json<UpdateAlliance>,
    ) -> ApiResult<Json<AllianceDetail>> {
        let version = if_match(if_match_header.0.as_deref())?;
        let fields = DraftFields::try_from(&body.0)?;
        svc::update(&state, &auth.0, id.0, version, fields).await?;
        Ok(Json(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 提交备案 Submit (initiator). Answers every unmet rule at once (422 `filing_incomplete`, each with its code).
    ///
    /// With `Idempotency-Key`, a retry answers like the first call.
    #[oai(path = "/:id/submit", method = "post")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(name = "Idempotency-Key")] key: Header<Option<String>>,
    ) -> ApiResult<Json<AllianceDetail>> {
        let key = idempotency::parse_key(key.0.as_deref())?;
        review::submit(&state, &auth.0, id.0, key).await?;
        Ok(Json(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 退回修改 Return the filing with reasons per item (bureau).
    #[oai(path = "/:id/return", method = "post")]
    async fn return_filing(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReturnRequest>,
    ) -> ApiResult<Json<AllianceDetail>> {
        auth.0.require_bureau()?;
        review::return_filing(&state, &auth.0, id.0, body.0.reasons()?).await?;
        Ok(Json(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 予以备案 Register and issue 备案编号 DGLM-YYYY-NNNN (bureau).
    #[oai(path = "/:id/register", method = "post")]
    async fn register(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<AllianceDetail>> {
        review::register(&state, &auth.0, id.0).await?;
        Ok(Json(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 暂停 Suspend a registered alliance (bureau, with reason).
    #[oai(path = "/:id/suspend", method = "post")]
    async fn suspend(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<AllianceDetail>> {
        self.status_change(&state, &auth.0, id.0, AllianceAction::Suspend, &body.0).await
    }

    /// 恢复 Lift a suspension (bureau).
    #[oai(path = "/:id/reinstate", method = "post")]
    async fn reinstate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<AllianceDetail>> {
        self.status_change(&state, &auth.0, id.0, AllianceAction::Reinstate, &body.0).await
    }

    /// 解散 Dissolve (bureau, with reason).
    #[oai(path = "/:id/dissolve", method = "post")]
    async fn dissolve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<AllianceDetail>> {
        self.status_change(&state, &auth.0, id.0, AllianceAction::Dissolve, &body.0).await
    }
}

impl AlliancesApi {
    async fn status_change(
        &self,
        state: &AppState,
        caller: &Caller,
        id: Uuid,
        action: AllianceAction,
        body: &ReasonRequest,
    ) -> ApiResult<Json<AllianceDetail>> {
        caller.require_bureau()?;
        let reason = optional_text("reason", body.reason.as_deref(), 2000).map_err(|e| ApiError::validation([e]))?;
        review::change_status(state, caller, id, action, reason).await?;
        Ok(Json(load_detail(state, caller, id).await?))
    }
}
