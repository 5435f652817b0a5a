//! `alliances/{id}/reports`: half-year reports (seed 003 §二(七), 附件2 and
//! 附件3) — the periods an alliance owes, one report, and a member's rows.
//! Submission, review and exports are in [`super::report_review`]; the
//! bureau's list of all alliances in [`super::bureau_reports`].

pub mod dto;

use entities::report::RowCounts;
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};
use uuid::Uuid;

use self::dto::{OwedPeriodPage, ReportDetail, ReportRowDto, RowBody, parse_period};
use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult},
    json::Direct,
    pagination::PageParams,
    routes::{Tag, if_match},
    services::reports::{rows, view},
    state::AppState,
};

#[derive(Default)]
pub struct ReportsApi;

#[OpenApi(prefix_path = "/alliances", tag = "Tag::Reports")]
impl ReportsApi {
    /// 报送期列表 The periods the alliance owes (every half-year ending after registration, up to the current one), newest first, with status and due dates.
    #[oai(path = "/:id/reports", method = "get")]
    async fn periods(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<OwedPeriodPage>> {
        let page = PageParams::parse(limit.0, None)?;
        let after = match cursor.0.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(parse_period(c).map_err(|_| ApiError::field("cursor", "分页游标无效", "Invalid cursor"))?),
            None => None,
        };
        let (items, next) = view::owed(&state, &auth.0, id.0, after, page.limit).await?;
        Ok(Json(OwedPeriodPage { items: items.into_iter().map(Into::into).collect(), next_cursor: next.map(|p| p.code()) }))
    }

    /// 报送详情 One report: member list at period end (joins and leaves within the period), who filled, rows, 合计 and subtotals, review rounds. A member sees only its own rows and the 合计.
    #[oai(path = "/:id/reports/:period", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, period: Path<String>) -> ApiResult<Direct<ReportDetail>> {
        let period = parse_period(&period.0)?;
        Ok(Direct(view::get(&state, &auth.0, id.0, period).await?.into()))
    }

    /// 成员单位报送数据 A member's rows of 附件2 and 附件3; prefilled from its previous report when not yet filled (the member, the initiator, the bureau).
    #[oai(path = "/:id/reports/:period/rows/:org_id", method = "get")]
    async fn get_row(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        period: Path<String>,
        org_id: Path<Uuid>,
    ) -> ApiResult<Json<ReportRowDto>> {
        let period = parse_period(&period.0)?;
        Ok(Json(rows::get(&state, &auth.0, id.0, period, org_id.0).await?.into()))
    }

    /// 填报成员单位数据 Fill or replace a member's rows (the member; the initiator for its own row, or for a member past its due date — recorded). Impossible numbers are refused naming the field. `If-Match`: the row version read.
    #[oai(path = "/:id/reports/:period/rows/:org_id", method = "put")]
    #[allow(clippy::too_many_arguments)]
    async fn put_row(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        period: Path<String>,
        org_id: Path<Uuid>,
        #[oai(name = "If-Match")] if_match_header: Header<Option<String>>,
        body: Json<RowBody>,
    ) -> ApiResult<Json<ReportRowDto>> {
        let period = parse_period(&period.0)?;
        let version = if_match(if_match_header.0.as_deref())?;
        let counts = RowCounts::try_from(body.0)?;
        Ok(Json(rows::save(&state, &auth.0, id.0, period, org_id.0, counts, version).await?.into()))
    }

    /// 与上期相同 Confirm the member's 附件2 (staff, titles, skill levels) of its previous report in one request. 附件3 (this period's training) is not copied: it stays as entered this period, or is still to be entered (`progress_pending`), e.g. with `no-activity`.
    #[oai(path = "/:id/reports/:period/rows/:org_id/no-change", method = "post")]
    async fn no_change(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        period: Path<String>,
        org_id: Path<Uuid>,
    ) -> ApiResult<Json<ReportRowDto>> {
        let period = parse_period(&period.0)?;
        Ok(Json(rows::no_change(&state, &auth.0, id.0, period, org_id.0).await?.into()))
    }

    /// 本期无培训活动 Answer 附件3 with zeros for this period in one request (no trainees, no applications, no joins); 附件2 stays as stored, or is taken from the prefill. 422 `no_basic_figures` when there is no 附件2 at all.
    #[oai(path = "/:id/reports/:period/rows/:org_id/no-activity", method = "post")]
    async fn no_activity(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        period: Path<String>,
        org_id: Path<Uuid>,
    ) -> ApiResult<Json<ReportRowDto>> {
        let period = parse_period(&period.0)?;
        Ok(Json(rows::no_activity(&state, &auth.0, id.0, period, org_id.0).await?.into()))
    }
}
