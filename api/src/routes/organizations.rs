//! `organizations`: create (bureau), read, update, list with filters.

use chrono::{DateTime, Utc};
use entities::{
    models::organization,
    values::{CreditCode, Email, FieldError, Phone, Postcode, optional_text, text},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult, parse_all},
    pagination::PageParams,
    routes::{Tag, enums::OrgKindDto},
    services::organizations::{self as svc, OrgChanges, OrgFields, OrgFilter},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Organization {
    id: Uuid,
    name: String,
    /// 统一社会信用代码
    credit_code: String,
    kind: OrgKindDto,
    /// Chinese label of the kind, e.g. 技工院校.
    kind_label: String,
    registered_in_dongguan: bool,
    independent_legal_person: bool,
    /// 高等院校 (may apply for a 技研项目, 000 第十九条(一)); reported under its kind (职业院校 or 其他).
    higher_education: bool,
    address: String,
    postcode: String,
    email: String,
    legal_representative: String,
    contact_person: String,
    office_phone: String,
    mobile: String,
    fax: Option<String>,
    profile: Option<String>,
    /// Bureau staff confirmed the licence can be fetched by the credit code.
    credit_code_verified: bool,
    /// Send it back in `If-Match` when updating.
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<organization::Model> for Organization {
    fn from(o: organization::Model) -> Self {
        Self {
            id: o.id,
            name: o.name,
            credit_code: o.credit_code,
            kind: o.kind.into(),
            kind_label: o.kind.label_zh().into(),
            registered_in_dongguan: o.registered_in_dongguan,
            independent_legal_person: o.independent_legal_person,
            higher_education: o.higher_education,
            address: o.address,
            postcode: o.postcode,
            email: o.email,
            legal_representative: o.legal_representative,
            contact_person: o.contact_person,
            office_phone: o.office_phone,
            mobile: o.mobile,
            fax: o.fax,
            profile: o.profile,
            credit_code_verified: o.credit_code_verified,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateOrganization {
    name: Str,
    credit_code: Str,
    kind: OrgKindDto,
    registered_in_dongguan: bool,
    independent_legal_person: bool,
    /// 高等院校 (000 第十九条(一)); only with kind `vocational_college` or `other`. Default false.
    higher_education: Option<bool>,
    address: Str,
    postcode: Str,
    email: Str,
    legal_representative: Str,
    contact_person: Str,
    office_phone: Str,
    mobile: Str,
    fax: Option<Str>,
    profile: Option<Str>,
}

/// Fields left out stay as they are; `null` clears `fax` or `profile`.
#[derive(Object, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct UpdateOrganization {
    name: Option<Str>,
    /// Bureau staff only.
    credit_code: Option<Str>,
    /// Bureau staff only.
    kind: Option<OrgKindDto>,
    registered_in_dongguan: Option<bool>,
    independent_legal_person: Option<bool>,
    /// Bureau staff only. 高等院校 (000 第十九条(一)); only with kind `vocational_college` or `other`.
    higher_education: Option<bool>,
    address: Option<Str>,
    postcode: Option<Str>,
    email: Option<Str>,
    legal_representative: Option<Str>,
    contact_person: Option<Str>,
    office_phone: Option<Str>,
    mobile: Option<Str>,
    fax: MaybeUndefined<Str>,
    profile: MaybeUndefined<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreditCodeVerification {
    verified: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrganizationPage {
    items: Vec<Organization>,
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreateOrganizationResponse {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Organization>),
}

fn mobile(field: &str, raw: &str) -> Result<String, FieldError> {
    let phone = Phone::parse(field, raw)?;
    if phone.is_mobile() {
        Ok(phone.as_str().to_string())
    } else {
        Err(FieldError::new(field, "手机号码须为11位手机号", "Must be an 11-digit mobile number"))
    }
}

fn phone(field: &str, raw: &str) -> Result<String, FieldError> {
    Phone::parse(field, raw).map(|p| p.as_str().to_string())
}

fn optional_phone(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    raw.map(str::trim).filter(|r| !r.is_empty()).map(|r| phone(field, r)).transpose()
}

fn code(field: &str, raw: &str) -> Result<String, FieldError> {
    CreditCode::parse(field, raw).map(|c| c.as_str().to_string())
}

fn postcode(field: &str, raw: &str) -> Result<String, FieldError> {
    Postcode::parse(field, raw).map(|p| p.as_str().to_string())
}

fn email(field: &str, raw: &str) -> Result<String, FieldError> {
    Email::parse(field, raw).map(|e| e.as_str().to_string())
}

/// `Some(parse(v))` for a present value.
fn opt<T>(v: Option<&str>, parse: impl Fn(&str) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    v.map(parse).transpose()
}

fn maybe(
    v: &MaybeUndefined<Str>,
    parse: impl Fn(Option<&str>) -> Result<Option<String>, FieldError>,
) -> Result<Option<Option<String>>, FieldError> {
    match v {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(s) => parse(Some(s)).map(Some),
    }
}

impl TryFrom<CreateOrganization> for OrgFields {
    type Error = ApiError;

    fn try_from(r: CreateOrganization) -> Result<Self, ApiError> {
        parse_all! {
            name = text("name", &r.name, 200),
            credit_code = code("credit_code", &r.credit_code),
            address = text("address", &r.address, 300),
            postcode = postcode("postcode", &r.postcode),
            email = email("email", &r.email),
            legal_representative = text("legal_representative", &r.legal_representative, 100),
            contact_person = text("contact_person", &r.contact_person, 100),
            office_phone = phone("office_phone", &r.office_phone),
            mobile = mobile("mobile", &r.mobile),
            fax = optional_phone("fax", r.fax.as_deref()),
            profile = optional_text("profile", r.profile.as_deref(), 5000),
        }
        Ok(Self {
            name,
            credit_code,
            kind: r.kind.into(),
            registered_in_dongguan: r.registered_in_dongguan,
            independent_legal_person: r.independent_legal_person,
            higher_education: r.higher_education.unwrap_or(false),
            address,
            postcode,
            email,
            legal_representative,
            contact_person,
            office_phone,
            mobile,
            fax,
            profile,
        })
    }
}

impl TryFrom<UpdateOrganization> for OrgChanges {
    type Error = ApiError;

    fn try_from(r: UpdateOrganization) -> Result<Self, ApiError> {
        parse_all! {
            name = opt(r.name.as_deref(), |v| text("name", v, 200)),
            credit_code = opt(r.credit_code.as_deref(), |v| code("credit_code", v)),
            address = opt(r.address.as_deref(), |v| text("address", v, 300)),
            postcode = opt(r.postcode.as_deref(), |v| postcode("postcode", v)),
            email = opt(r.email.as_deref(), |v| email("email", v)),
            legal_representative = opt(r.legal_representative.as_deref(), |v| text("legal_representative", v, 100)),
            contact_person = opt(r.contact_person.as_deref(), |v| text("contact_person", v, 100)),
            office_phone = opt(r.office_phone.as_deref(), |v| phone("office_phone", v)),
            mobile = opt(r.mobile.as_deref(), |v| mobile("mobile", v)),
            fax = maybe(&r.fax, |v| optional_phone("fax", v)),
            profile = maybe(&r.profile, |v| optional_text("profile", v, 5000)),
        }
        Ok(Self {
            name,
            credit_code,
            kind: r.kind.map(Into::into),
            registered_in_dongguan: r.registered_in_dongguan,
            independent_legal_person: r.independent_legal_person,
            higher_education: r.higher_education,
            address,
            postcode,
            email,
            legal_representative,
            contact_person,
            office_phone,
            mobile,
            fax,
            profile,
        })
    }
}

/// An organisation as offered for choice: no contact data.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrgChoice {
    pub id: Uuid,
    pub name: String,
    /// 统一社会信用代码
    pub credit_code: String,
    pub kind: OrgKindDto,
    pub kind_label: String,
}

impl From<&organization::Model> for OrgChoice {
    fn from(o: &organization::Model) -> Self {
        Self {
            id: o.id,
            name: o.name.clone(),
            credit_code: o.credit_code.clone(),
            kind: o.kind.into(),
            kind_label: o.kind.label_zh().into(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrgChoicePage {
    pub items: Vec<OrgChoice>,
    pub next_cursor: Option<String>,
}

#[derive(Default)]
pub struct OrganizationsApi;

#[OpenApi(prefix_path = "/organizations", tag = "Tag::Organizations")]
impl OrganizationsApi {
    /// 登记单位 Register an organisation (bureau roles).
    ///
    /// The credit code is checked with the GB 32100-2015 check character; a code already registered answers 409.
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateOrganization>,
    ) -> ApiResult<CreateOrganizationResponse> {
        auth.0.require_bureau()?;
        let fields = OrgFields::try_from(body.0)?;
        Ok(CreateOrganizationResponse::Created(Json(svc::create(&state, &auth.0, fields).await?.into())))
    }

    /// 单位列表 List organisations; an org_user sees only its own.
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only this kind.
        kind: Query<Option<OrgKindDto>>,
        /// Name contains this text.
        name: Query<Option<String>>,
        /// Exact credit code.
        credit_code: Query<Option<String>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<OrganizationPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let name = name.0.map(|n| text("name", &n, 200)).transpose().map_err(|e| ApiError::validation([e]))?;
        let credit_code = credit_code.0.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        let filter = OrgFilter { kind: kind.0.map(Into::into), name_contains: name, credit_code };
        let (items, next_cursor) = svc::list(&state, &auth.0, filter, page).await?;
        Ok(Json(OrganizationPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 查找单位 Find registered organisations by part of the name or the whole credit code
    /// (org_user and bureau): name, credit code and kind only, for choosing a lead or members.
    #[oai(path = "/search", method = "get")]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// At least 2 characters of the name, or the whole credit code.
        q: Query<String>,
        /// Only this kind.
        kind: Query<Option<OrgKindDto>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<OrgChoicePage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::search(&state, &auth.0, &q.0, kind.0.map(Into::into), page).await?;
        Ok(Json(OrgChoicePage { items: items.iter().map(OrgChoice::from).collect(), next_cursor }))
    }

    /// 单位详情 One organisation.
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Organization>> {
        Ok(Json(svc::get(&state, &auth.0, id.0).await?.into()))
    }

    /// 修改单位信息 Update an organisation; `If-Match` carries the version read.
    #[oai(path = "/:id", method = "patch")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: Json<UpdateOrganization>,
    ) -> ApiResult<Json<Organization>> {
        let version = crate::routes::if_match(if_match.0.as_deref())?;
        let changes = OrgChanges::try_from(body.0)?;
        Ok(Json(svc::update(&state, &auth.0, id.0, version, changes).await?.into()))
    }

    /// 核验信用代码 Mark whether the business licence can be fetched by the credit code (bureau roles).
    #[oai(path = "/:id/credit-code-verification", method = "put")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CreditCodeVerification>,
    ) -> ApiResult<Json<Organization>> {
        Ok(Json(svc::set_credit_code_verified(&state, &auth.0, id.0, body.verified).await?.into()))
    }
}
