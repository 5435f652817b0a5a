//! `reports`: the bureau's view of one period across all alliances — who
//! owes it and where each stands, days to the deadline or days overdue —
//! and the bureau-wide workbook.

use chrono::{DateTime, Utc};
use entities::report::{Standing, days_until};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::Query,
    payload::{Attachment, AttachmentType, Json},
};
use uuid::Uuid;

use super::{
    report_review::ReportXlsx,
    reports::dto::{DeadlineDto, StandingDto, parse_period},
};
use crate::{
    auth::BearerAuth,
    error::ApiResult,
    pagination::PageParams,
    routes::Tag,
    services::reports::{
        export::period::period_xlsx,
        listing::{self, ListFilter, ListItem},
    },
    state::AppState,
};

/// One alliance owing the period.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PeriodReportItem {
    pub alliance_id: Uuid,
    pub alliance_name: String,
    pub registration_no: Option<String>,
    pub industry: String,
    pub status: StandingDto,
    pub status_label: String,
    /// Members on the period's last day.
    pub members: u64,
    pub rows_filled: u64,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Submitted: days late of the first submission (0 on time).
    pub late_days: Option<i32>,
    /// Not submitted, deadline ahead: days left (0 on the due date).
    pub days_to_deadline: Option<i64>,
    /// Not submitted, deadline passed: days overdue.
    pub days_overdue: Option<i64>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PeriodReportPage {
    pub period: String,
    pub period_label: String,
    pub member_rows_due: DeadlineDto,
    pub report_due: DeadlineDto,
    pub items: Vec<PeriodReportItem>,
    pub next_cursor: Option<String>,
}

fn item(i: ListItem, today: chrono::NaiveDate, due: chrono::NaiveDate) -> PeriodReportItem {
    let left = days_until(today, due);
    PeriodReportItem {
        alliance_id: i.alliance_id,
        alliance_name: i.name,
        registration_no: i.registration_no,
        industry: i.industry,
        status: i.standing.into(),
        status_label: i.standing.label_zh().into(),
        members: i.members,
        rows_filled: i.rows_filled,
        submitted_at: i.submitted_at,
        late_days: i.late_days,
        days_to_deadline: matches!(i.standing, Standing::NotStarted | Standing::InProgress).then_some(left),
        days_overdue: (i.standing == Standing::Overdue).then_some(-left),
    }
}

#[derive(Default)]
pub struct BureauReportsApi;

#[OpenApi(prefix_path = "/reports", tag = "Tag::Reports")]
impl BureauReportsApi {
    /// 报送情况一览 Every alliance owing a period with its status (`not_started | in_progress | submitted | late | accepted | returned | overdue`) and days to the deadline or overdue (bureau). Filters and paging are done by the database.
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// `2026H1` or `2026H2`.
        period: Query<String>,
        status: Query<Option<StandingDto>>,
        industry: Query<Option<String>>,
        /// Alliance name contains.
        name: Query<Option<String>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<PeriodReportPage>> {
        let period = parse_period(&period.0)?;
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let filter = ListFilter { standing: status.0.map(Into::into), industry: industry.0, name: name.0 };
        let p = listing::list(&state, &auth.0, period, filter, page).await?;
        let due = p.deadlines.report.due;
        Ok(Json(PeriodReportPage {
            period: p.period.code(),
            period_label: p.period.label_zh(),
            member_rows_due: (&p.deadlines.member_rows).into(),
            report_due: (&p.deadlines.report).into(),
            items: p.items.into_iter().map(|i| item(i, p.today, due)).collect(),
            next_cursor: p.next_cursor,
        }))
    }

    /// 报送汇总导出 One workbook for a period: the status of every alliance, and each alliance's 合计 of 附件2 and 附件3 (bureau).
    #[oai(path = "/export.xlsx", method = "get")]
    async fn export(&self, state: Data<&AppState>, auth: BearerAuth, period: Query<String>) -> ApiResult<ReportXlsx> {
        let period = parse_period(&period.0)?;
        let (name, bytes) = period_xlsx(&state, &auth.0, period).await?;
        Ok(ReportXlsx::Ok(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name)))
    }
}
