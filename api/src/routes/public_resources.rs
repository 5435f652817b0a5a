//! `public/…` for skill resources: open calls, open 公示 notices and the
//! objection form, the published catalogue. No account needed; no phone
//! numbers, e-mail addresses or contact persons ever appear here.

use base64::{Engine, engine::general_purpose::STANDARD};
use entities::values::{Email, FieldError, Phone, text};
use poem::web::{Data, RemoteAddr};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::{
        Tag,
        resource_dto::{CallOut, CallPage, CategoryDto, NoticeOut, NoticePage, ResourceKindDto, ResourceOut, ResourcePage},
    },
    services::resources::{
        self as svc, catalogue,
        notices::{self, Evidence, NewObjection},
    },
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EvidenceBody {
    /// e.g. 证明材料.pdf (PDF, JPG, PNG, DOCX or XLSX).
    filename: Str,
    content_base64: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ObjectionBody {
    /// The application on the notice the objection is about.
    application_id: Uuid,
    /// 异议人姓名或单位名称
    name: Str,
    /// Phone or e-mail: at least one (kept private; the outcome is sent by e-mail).
    phone: Option<Str>,
    email: Option<Str>,
    /// 异议理由
    argument: Str,
    /// 证明材料 (optional).
    evidence: Option<EvidenceBody>,
}

/// The receipt: no personal data is echoed.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ObjectionReceipt {
    id: Uuid,
    notice_id: Uuid,
    application_id: Uuid,
    received_at: chrono::DateTime<chrono::Utc>,
}

#[derive(ApiResponse)]
pub enum FiledObjection {
    /// Received; the bureau investigates and tells the objector the outcome.
    #[oai(status = 201)]
    Created(Json<ObjectionReceipt>),
}

fn parse_objection(b: &ObjectionBody) -> ApiResult<NewObjection> {
    let mut errors: Vec<FieldError> = Vec::new();
    let name = text("name", &b.name, 100).map_err(|e| errors.push(e)).unwrap_or_default();
    let argument = text("argument", &b.argument, 10_000).map_err(|e| errors.push(e)).unwrap_or_default();
    let phone = b
        .phone
        .as_ref()
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| Phone::parse("phone", p).map_err(|e| errors.push(e)).ok())
        .map(Phone::into_string);
    let email = b
        .email
        .as_ref()
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| Email::parse("email", p).map_err(|e| errors.push(e)).ok())
        .map(Email::into_string);
    let evidence = match &b.evidence {
        None => None,
        Some(e) => {
            let filename = text("evidence.filename", &e.filename, 255).map_err(|e| errors.push(e)).unwrap_or_default();
            match STANDARD.decode(e.content_base64.as_bytes()) {
                Ok(bytes) if !bytes.is_empty() => Some(Evidence { filename, bytes }),
                _ => {
                    errors.push(FieldError::new(
                        "evidence.content_base64",
                        "证明材料内容须为非空的 Base64 编码",
                        "must be non-empty base64",
                    ));
                    None
                }
            }
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(NewObjection { application_id: b.application_id, name, phone, email, argument, evidence })
}

#[derive(Default)]
pub struct PublicResourcesApi;

#[OpenApi(prefix_path = "/public", tag = "Tag::Public")]
impl PublicResourcesApi {
    /// 征集公告 Calls open for applications now (no account needed).
    #[oai(path = "/calls", method = "get")]
    async fn calls(
        &self,
        state: Data<&AppState>,
        category: Query<Option<CategoryDto>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<CallPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::list_calls(&state, category.0.map(Into::into), true, page).await?;
        let now = state.clock.now();
        Ok(Json(CallPage { items: items.into_iter().map(|c| CallOut::new(c, now)).collect(), next_cursor }))
    }

    /// 公示 Open notices, with their end and how it was computed (no account needed; no personal data).
    #[oai(path = "/notices", method = "get")]
    async fn notices(
        &self,
        state: Data<&AppState>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<NoticePage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = notices::public_list(&state, page).await?;
        let now = state.clock.now();
        Ok(Json(NoticePage { items: items.into_iter().map(|v| NoticeOut::new(v, now)).collect(), next_cursor }))
    }

    /// 公示详情 One notice (no account needed).
    #[oai(path = "/notices/:id", method = "get")]
    async fn notice(&self, state: Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<NoticeOut>> {
        Ok(Json(NoticeOut::new(notices::public_get(&state, id.0).await?, state.clock.now())))
    }

    /// 提出异议 File an objection while the notice is open (409 `notice_closed` after; 429 when one address files too many per hour).
    #[oai(path = "/notices/:id/objections", method = "post")]
    async fn object(
        &self,
        state: Data<&AppState>,
        remote: &RemoteAddr,
        id: Path<Uuid>,
        body: Json<ObjectionBody>,
    ) -> ApiResult<FiledObjection> {
        let o = parse_objection(&body.0)?;
        let ip = remote.0.as_socket_addr().map_or_else(|| remote.0.to_string(), |a| a.ip().to_string());
        let m = notices::file_objection(&state, id.0, &ip, o).await?;
        Ok(FiledObjection::Created(Json(ObjectionReceipt {
            id: m.id,
            notice_id: m.notice_id,
            application_id: m.application_id,
            received_at: m.created_at,
        })))
    }

    /// 技能资源目录 The published catalogue: filter by kind, occupation (code or name), publisher, text (no account needed).
    #[oai(path = "/resources", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn resources(
        &self,
        state: Data<&AppState>,
        kind: Query<Option<ResourceKindDto>>,
        /// Occupation code (exact) or name (contains).
        occupation: Query<Option<String>>,
        /// Publisher (申报单位) name contains.
        publisher: Query<Option<String>>,
        /// Title or description contains.
        text: Query<Option<String>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ResourcePage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let f = catalogue::CatalogueFilter { kind: kind.0.map(Into::into), occupation: occupation.0, publisher: publisher.0, text: text.0 };
        let (items, next_cursor) = catalogue::list(&state, f, page).await?;
        Ok(Json(ResourcePage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 技能资源 One published resource (no account needed).
    #[oai(path = "/resources/:id", method = "get")]
    async fn resource(&self, state: Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<ResourceOut>> {
        Ok(Json(catalogue::get(&state, id.0).await?.into()))
    }
}
