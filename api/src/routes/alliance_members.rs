//! Members of an alliance: adding and removing (drafts), joining and leaving
//! (registered, with effective dates), the member registration form (附件1)
//! one by one or by XLSX import, and the charter with its signatures.

use chrono::NaiveDate;
use entities::{
    alliance::StaffCounts,
    models::member_form,
    values::{Email, FieldError, Phone, Postcode, optional_text, text},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::Path,
    payload::{Attachment, AttachmentType, Json},
    types::multipart::Upload,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult, parse_all},
    routes::{
        Tag,
        alliances::{AllianceDetail, load_detail},
    },
    services::alliances::{import, members as svc, members::FormInput},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AddMember {
    organization_id: Uuid,
    /// Required after registration (the join's effective date); not used on drafts.
    effective_date: Option<NaiveDate>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeaveRequest {
    effective_date: NaiveDate,
    reason: Option<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CharterRequest {
    /// The uploaded charter document (章程).
    document_id: Uuid,
}

/// 职业培训联盟成员单位登记表 (003 附件1). The role (initiator / member) is derived.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberFormBody {
    address: Str,
    postcode: Str,
    email: Str,
    legal_representative: Str,
    contact_person: Str,
    office_phone: Str,
    mobile: Str,
    fax: Option<Str>,
    /// 职工总数（人）
    total_staff: i64,
    /// 其中：管理人员（人）
    management: i64,
    /// 专业技术职称：高级
    title_senior: i64,
    /// 专业技术职称：中级
    title_intermediate: i64,
    /// 专业技术职称：初级
    title_junior: i64,
    /// 职业技能等级：高级技师
    skill_senior_technician: i64,
    /// 职业技能等级：技师
    skill_technician: i64,
    /// 职业技能等级：高级工
    skill_senior_worker: i64,
    /// 职业技能等级：中级工
    skill_intermediate_worker: i64,
    /// 职业技能等级：初级工
    skill_junior_worker: i64,
    /// 职业技能等级：专项能力
    skill_special: i64,
    /// 普工（人）
    general_workers: i64,
    /// 单位简介
    profile: Option<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberForm {
    organization_id: Uuid,
    address: String,
    postcode: String,
    email: String,
    legal_representative: String,
    contact_person: String,
    office_phone: String,
    mobile: String,
    fax: Option<String>,
    total_staff: i64,
    management: i64,
    title_senior: i64,
    title_intermediate: i64,
    title_junior: i64,
    skill_senior_technician: i64,
    skill_technician: i64,
    skill_senior_worker: i64,
    skill_intermediate_worker: i64,
    skill_junior_worker: i64,
    skill_special: i64,
    general_workers: i64,
    profile: Option<String>,
    /// Filled by the initiator on the member's behalf.
    filled_by_initiator: bool,
    version: i32,
}

impl From<member_form::Model> for MemberForm {
    fn from(f: member_form::Model) -> Self {
        Self {
            organization_id: f.organization_id,
            address: f.address,
            postcode: f.postcode,
            email: f.email,
            legal_representative: f.legal_representative,
            contact_person: f.contact_person,
            office_phone: f.office_phone,
            mobile: f.mobile,
            fax: f.fax,
            total_staff: f.total_staff,
            management: f.management,
            title_senior: f.title_senior,
            title_intermediate: f.title_intermediate,
            title_junior: f.title_junior,
            skill_senior_technician: f.skill_senior_technician,
            skill_technician: f.skill_technician,
            skill_senior_worker: f.skill_senior_worker,
            skill_intermediate_worker: f.skill_intermediate_worker,
            skill_junior_worker: f.skill_junior_worker,
            skill_special: f.skill_special,
            general_workers: f.general_workers,
            profile: f.profile,
            filled_by_initiator: f.filled_by_initiator,
            version: f.version,
        }
    }
}

fn string_of<T: AsRef<str>>(r: Result<T, FieldError>) -> Result<String, FieldError> {
    r.map(|v| v.as_ref().to_string())
}

impl TryFrom<MemberFormBody> for FormInput {
    type Error = ApiError;

    fn try_from(b: MemberFormBody) -> ApiResult<Self> {
        parse_all! {
            address = text("address", &b.address, 300),
            postcode = string_of(Postcode::parse("postcode", &b.postcode)),
            email = string_of(Email::parse("email", &b.email)),
            legal_representative = text("legal_representative", &b.legal_representative, 100),
            contact_person = text("contact_person", &b.contact_person, 100),
            office_phone = string_of(Phone::parse("office_phone", &b.office_phone)),
            mobile = string_of(Phone::parse("mobile", &b.mobile)),
            fax = b.fax.as_deref().map(str::trim).filter(|f| !f.is_empty()).map(|f| string_of(Phone::parse("fax", f))).transpose(),
            profile = optional_text("profile", b.profile.as_deref(), 5000),
        }
        Ok(Self {
            address,
            postcode,
            email,
            legal_representative,
            contact_person,
            office_phone,
            mobile,
            fax,
            profile,
            counts: StaffCounts {
                total_staff: b.total_staff,
                management: b.management,
                title_senior: b.title_senior,
                title_intermediate: b.title_intermediate,
                title_junior: b.title_junior,
                skill_senior_technician: b.skill_senior_technician,
                skill_technician: b.skill_technician,
                skill_senior_worker: b.skill_senior_worker,
                skill_intermediate_worker: b.skill_intermediate_worker,
                skill_junior_worker: b.skill_junior_worker,
                skill_special: b.skill_special,
                general_workers: b.general_workers,
            },
        })
    }
}

#[derive(Multipart)]
#[oai(deny_unknown_fields)]
pub struct ImportForm {
    /// The filled template (.xlsx).
    file: Upload,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ImportResult {
    /// Forms created or replaced.
    imported: u32,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Signed {
    charter_version: i32,
}

#[derive(ApiResponse)]
pub enum XlsxResponse {
    /// The template.
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Ok(Attachment<Vec<u8>>),
}

#[derive(Default)]
pub struct AllianceMembersApi;

#[OpenApi(prefix_path = "/alliances", tag = "Tag::Alliances")]
impl AllianceMembersApi {
    /// 增加成员单位 Add a member (initiator): to a draft, or a join with its effective date after registration.
    #[oai(path = "/:id/members", method = "post")]
    async fn add(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AddMember>,
    ) -> ApiResult<Json<AllianceDetail>> {
        svc::add(&state, &auth.0, id.0, body.organization_id, body.effective_date).await?;
        Ok(Json(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 移除成员单位 Remove a member from a draft (initiator).
    #[oai(path = "/:id/members/:org_id", method = "delete")]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        org_id: Path<Uuid>,
    ) -> ApiResult<Json<AllianceDetail>> {
        svc::remove(&state, &auth.0, id.0, org_id.0).await?;
        Ok(Json(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 成员单位退出 A member leaves a registered alliance on a date (initiator or bureau); composition is re-checked.
    #[oai(path = "/:id/members/:org_id/leave", method = "post")]
    async fn leave(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        org_id: Path<Uuid>,
        body: Json<LeaveRequest>,
    ) -> ApiResult<Json<AllianceDetail>> {
        let reason = optional_text("reason", body.reason.as_deref(), 2000).map_err(|e| ApiError::validation([e]))?;
        svc::leave(&state, &auth.0, id.0, org_id.0, body.effective_date, reason).await?;
        Ok(Json(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 成员单位登记表 A member's registration form (the member itself, the initiator, the bureau).
    #[oai(path = "/:id/members/:org_id/form", method = "get")]
    async fn get_form(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, org_id: Path<Uuid>) -> ApiResult<Json<MemberForm>> {
        Ok(Json(svc::get_form(&state, &auth.0, id.0, org_id.0).await?.into()))
    }

    /// 填报成员单位登记表 Fill or replace the form (the member, or the initiator on its behalf).
    #[oai(path = "/:id/members/:org_id/form", method = "put")]
    async fn put_form(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        org_id: Path<Uuid>,
        body: Json<MemberFormBody>,
    ) -> ApiResult<Json<MemberForm>> {
        let input = FormInput::try_from(body.0)?;
        Ok(Json(svc::save_form(&state, &auth.0, id.0, org_id.0, input).await?.into()))
    }

    /// 登记表模板 The 附件1 XLSX template, one prefilled row per current member (initiator).
    #[oai(path = "/:id/member-forms/template.xlsx", method = "get")]
    async fn template(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<XlsxResponse> {
        let (name, bytes) = import::template(&state, &auth.0, id.0).await?;
        Ok(XlsxResponse::Ok(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name)))
    }

    /// 批量导入登记表 Import the filled template: all rows or none; errors name row and column (initiator).
    #[oai(path = "/:id/member-forms/import", method = "post")]
    async fn import(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, form: ImportForm) -> ApiResult<Json<ImportResult>> {
        let bytes = form.file.into_vec().await?;
        let n = import::import(&state, &auth.0, id.0, bytes).await?;
        Ok(Json(ImportResult { imported: u32::try_from(n).unwrap_or(u32::MAX) }))
    }

    /// 更换章程 Replace the charter (initiator); every member signs again.
    #[oai(path = "/:id/charter", method = "put")]
    async fn set_charter(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CharterRequest>,
    ) -> ApiResult<Json<AllianceDetail>> {
        svc::set_charter(&state, &auth.0, id.0, body.document_id).await?;
        Ok(Json(load_detail(&state, &auth.0, id.0).await?))
    }

    /// 确认签署章程 The caller's organisation confirms it signed the current charter.
    #[oai(path = "/:id/charter/sign", method = "post")]
    async fn sign(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Signed>> {
        Ok(Json(Signed { charter_version: svc::sign_charter(&state, &auth.0, id.0).await? }))
    }
}
