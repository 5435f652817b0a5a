//! `notices` (公示), objections' rulings and new-occupation batches (bureau).

use entities::{models::occupation_batch, values::text};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::{Attachment, AttachmentType, Json},
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult, parse_all},
    pagination::PageParams,
    routes::{
        Tag,
        resource_dto::{ApplicationOut, NoticeOut, NoticePage, NoticeStatusDto, ObjectionOut},
    },
    services::resources::{catalogue, notices as svc},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateNoticeBody {
    /// e.g. 2026年度东莞市技能培训资源拟认定项目公示
    title: Str,
    /// The notice text (how to object, contact of the bureau).
    body: Str,
    /// Applications under review to put on the proposed list, in list order.
    application_ids: Vec<Uuid>,
}

impl CreateNoticeBody {
    /// (title, body, application ids), checked.
    ///
    /// # Errors
    /// 422 naming every field too long or blank.
    pub fn parse(&self) -> ApiResult<(String, String, Vec<Uuid>)> {
        parse_all! { title = text("title", &self.title, 200), text_body = text("body", &self.body, 20_000) }
        Ok((title, text_body, self.application_ids.clone()))
    }
}

#[derive(ApiResponse)]
pub enum CreatedNotice {
    /// Published; ends 17:30 on the 5th working day.
    #[oai(status = 201)]
    Created(Json<NoticeOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeDetail {
    #[oai(flatten)]
    pub notice: NoticeOut,
    pub objections: Vec<ObjectionOut>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RulingOutcome {
    /// 异议成立: the application is refused, reasons sent to the applicant.
    Upheld,
    /// 异议不成立: the application continues.
    Dismissed,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RulingBody {
    outcome: RulingOutcome,
    /// 调查核实情况及处理意见 (sent to the objector; for an upheld objection also to the applicant).
    ruling: Str,
}

impl RulingBody {
    /// (upheld, ruling), checked.
    ///
    /// # Errors
    /// 422 naming `ruling`.
    pub fn parse(&self) -> ApiResult<(bool, String)> {
        let ruling = text("ruling", &self.ruling, 5000).map_err(|e| ApiError::validation([e]))?;
        Ok((self.outcome == RulingOutcome::Upheld, ruling))
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BatchBody {
    /// e.g. 2026年第一批新职业建议
    title: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BatchOut {
    pub id: Uuid,
    pub title: String,
    pub proposal_count: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub applications: Vec<ApplicationOut>,
}

impl BatchBody {
    /// The title, checked.
    ///
    /// # Errors
    /// 422 naming `title`.
    pub fn parse(&self) -> ApiResult<String> {
        text("title", &self.title, 200).map_err(|e| ApiError::validation([e]))
    }
}

/// A batch in the list (its proposals: `GET /occupation-batches/{id}/export.xlsx`).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BatchSummary {
    pub id: Uuid,
    pub title: String,
    pub proposal_count: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<occupation_batch::Model> for BatchSummary {
    fn from(b: occupation_batch::Model) -> Self {
        Self { id: b.id, title: b.title, proposal_count: b.proposal_count, created_at: b.created_at }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BatchPage {
    pub items: Vec<BatchSummary>,
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedBatch {
    /// Compiled; the proposals are `reported_upward`.
    #[oai(status = 201)]
    Created(Json<BatchOut>),
}

#[derive(ApiResponse)]
pub enum Xlsx {
    /// The workbook.
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Ok(Attachment<Vec<u8>>),
}

#[derive(Default)]
pub struct NoticesApi;

#[OpenApi(tag = "Tag::Resources")]
impl NoticesApi {
    /// 发布公示 Put applications under review on a 5-working-day notice (bureau).
    #[oai(path = "/notices", method = "post")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<CreateNoticeBody>) -> ApiResult<CreatedNotice> {
        auth.0.require_bureau()?;
        let (title, text_body, ids) = body.0.parse()?;
        let v = svc::create(&state, &auth.0, title, text_body, ids).await?;
        Ok(CreatedNotice::Created(Json(NoticeOut::new(v, state.clock.now()))))
    }

    /// 公示列表 Notices (bureau).
    #[oai(path = "/notices", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<NoticeStatusDto>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<NoticePage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::list(&state, &auth.0, status.0.map(Into::into), page).await?;
        let now = state.clock.now();
        Ok(Json(NoticePage { items: items.into_iter().map(|v| NoticeOut::new(v, now)).collect(), next_cursor }))
    }

    /// 公示详情 One notice with its objections and the objectors' contact details (bureau).
    #[oai(path = "/notices/:id", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<NoticeDetail>> {
        let (v, objections) = svc::get(&state, &auth.0, id.0).await?;
        Ok(Json(NoticeDetail {
            notice: NoticeOut::new(v, state.clock.now()),
            objections: objections.into_iter().map(Into::into).collect(),
        }))
    }

    /// 异议处理 Rule on an objection (bureau): upheld refuses the application; the objector is told the outcome.
    #[oai(path = "/objections/:id/ruling", method = "post")]
    async fn rule(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RulingBody>,
    ) -> ApiResult<Json<ObjectionOut>> {
        auth.0.require_bureau()?;
        let (upheld, ruling) = body.0.parse()?;
        Ok(Json(svc::rule(&state, &auth.0, id.0, upheld, ruling).await?.into()))
    }

    /// 新职业汇总上报 Compile every submitted new-occupation proposal into a batch reported upward (bureau).
    #[oai(path = "/occupation-batches", method = "post")]
    async fn batch(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<BatchBody>) -> ApiResult<CreatedBatch> {
        auth.0.require_bureau()?;
        let title = body.0.parse()?;
        let (b, apps) = catalogue::create_batch(&state, &auth.0, title).await?;
        Ok(CreatedBatch::Created(Json(BatchOut {
            id: b.id,
            title: b.title,
            proposal_count: b.proposal_count,
            created_at: b.created_at,
            applications: apps.into_iter().map(Into::into).collect(),
        })))
    }

    /// 新职业上报批次 The batches reported upward, newest first (bureau).
    #[oai(path = "/occupation-batches", method = "get")]
    async fn batches(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<BatchPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = catalogue::list_batches(&state, &auth.0, page).await?;
        Ok(Json(BatchPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 上报汇总表 The batch as XLSX (bureau).
    #[oai(path = "/occupation-batches/:id/export.xlsx", method = "get")]
    async fn export(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Xlsx> {
        let (b, bytes) = catalogue::export_batch(&state, &auth.0, id.0).await?;
        Ok(Xlsx::Ok(
            Attachment::new(bytes)
                .attachment_type(AttachmentType::Attachment)
                .filename(format!("新职业建议汇总-{}.xlsx", b.created_at.format("%Y%m%d"))),
        ))
    }
}
