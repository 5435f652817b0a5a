//! `alliances/{id}/reports/{period}`: the year-end summary, submission
//! (initiator), acceptance and return (bureau), and the exports in the
//! layout of 附件2 and 附件3 (seed 003).

use entities::values::{optional_text, text};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Header, Path},
    payload::{Attachment, AttachmentType, Json},
};
use uuid::Uuid;

use super::reports::dto::{AcceptRequest, ReportDetail, ReportReturnRequest, SummaryBody, parse_period};
use crate::{
    auth::{BearerAuth, Caller},
    error::{ApiResult, parse_all},
    routes::Tag,
    services::{
        idempotency,
        reports::{
            export,
            review::{self, Decision},
            view,
        },
    },
    state::AppState,
};

#[derive(ApiResponse)]
pub enum ReportXlsx {
    /// Sheets 附件2 and 附件3.
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Ok(Attachment<Vec<u8>>),
}

#[derive(ApiResponse)]
pub enum ReportCsv {
    /// 附件2 then 附件3, UTF-8 with BOM.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(Attachment<Vec<u8>>),
}

async fn detail(state: &AppState, caller: &Caller, id: Uuid, period: entities::report::Period) -> ApiResult<Json<ReportDetail>> {
    Ok(Json(view::get(state, caller, id, period).await?.into()))
}

#[derive(Default)]
pub struct ReportReviewApi;

#[OpenApi(prefix_path = "/alliances", tag = "Tag::Reports")]
impl ReportReviewApi {
    /// 年终工作总结 The year-end work summary of an H2 report: text and an optional document (initiator).
    #[oai(path = "/:id/reports/:period/summary", method = "put")]
    async fn put_summary(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        period: Path<String>,
        body: Json<SummaryBody>,
    ) -> ApiResult<Json<ReportDetail>> {
        let period = parse_period(&period.0)?;
        parse_all! { summary = text("summary_text", &body.0.summary_text, 20_000) }
        review::save_summary(&state, &auth.0, id.0, period, summary, body.0.summary_document_id).await?;
        detail(&state, &auth.0, id.0, period).await
    }

    /// 报送 Submit the report (initiator, after the period ends): every member's rows and, for H2, the year-end summary are required (422 `report_incomplete` lists what is missing). Marked late, with days late, after the due date. With `Idempotency-Key`, a retry answers like the first call.
    #[oai(path = "/:id/reports/:period/submit", method = "post")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        period: Path<String>,
        #[oai(name = "Idempotency-Key")] key: Header<Option<String>>,
    ) -> ApiResult<Json<ReportDetail>> {
        let period = parse_period(&period.0)?;
        let key = idempotency::parse_key(key.0.as_deref())?;
        review::submit(&state, &auth.0, id.0, period, key).await?;
        detail(&state, &auth.0, id.0, period).await
    }

    /// 审核通过 Accept a submitted report (bureau), with an optional comment.
    #[oai(path = "/:id/reports/:period/accept", method = "post")]
    async fn accept(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        period: Path<String>,
        body: Json<AcceptRequest>,
    ) -> ApiResult<Json<ReportDetail>> {
        let period = parse_period(&period.0)?;
        auth.0.require_bureau()?;
        parse_all! { comment = optional_text("comment", body.0.comment.as_deref(), 2000) }
        review::decide(&state, &auth.0, id.0, period, Decision::Accept { comment }).await?;
        detail(&state, &auth.0, id.0, period).await
    }

    /// 退回修改 Return a submitted report with reasons per item (bureau); the initiator corrects and submits again.
    #[oai(path = "/:id/reports/:period/return", method = "post")]
    async fn return_report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        period: Path<String>,
        body: Json<ReportReturnRequest>,
    ) -> ApiResult<Json<ReportDetail>> {
        let period = parse_period(&period.0)?;
        auth.0.require_bureau()?;
        review::decide(&state, &auth.0, id.0, period, Decision::Return { reasons: body.0.reasons()? }).await?;
        detail(&state, &auth.0, id.0, period).await
    }

    /// 导出（XLSX）The report as 附件2 and 附件3 sheets laid out as in the seed: title, 填写单位 and period, category rows with subtotals, member rows, 合计 (bureau, initiator).
    #[oai(path = "/:id/reports/:period/export.xlsx", method = "get")]
    async fn export_xlsx(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, period: Path<String>) -> ApiResult<ReportXlsx> {
        let period = parse_period(&period.0)?;
        let (name, bytes) = export::report_xlsx(&state, &auth.0, id.0, period).await?;
        Ok(ReportXlsx::Ok(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name)))
    }

    /// 导出（CSV）Both tables as CSV (bureau, initiator).
    #[oai(path = "/:id/reports/:period/export.csv", method = "get")]
    async fn export_csv(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, period: Path<String>) -> ApiResult<ReportCsv> {
        let period = parse_period(&period.0)?;
        let (name, text) = export::report_csv(&state, &auth.0, id.0, period).await?;
        Ok(ReportCsv::Ok(Attachment::new(text.into_bytes()).attachment_type(AttachmentType::Attachment).filename(name)))
    }
}
