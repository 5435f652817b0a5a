//! `resources/{id}/usage` and `resources/{id}/assessments`: the operation of
//! published resources (000 第二十一条). The public catalogue itself is
//! `public/resources`.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    models::{assessment, resource, usage_report},
    resource::operation::{AssessmentOutcome, assessment_status},
    values::{optional_text, text},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiResult, parse_all},
    pagination::{PageParams, parse_cursor, parse_limit},
    routes::{Tag, resource_dto::AssessmentOutcomeDto},
    services::resources::operation::{self as svc, NewAssessment, NewUsage},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UsageBody {
    /// 年度: from the year of publication to this year.
    year: i32,
    /// 当年培训人次
    trainees: i64,
    /// 当年使用单位数
    organisations: i64,
    /// 说明 (optional).
    note: Option<Str>,
}

impl TryFrom<&UsageBody> for NewUsage {
    type Error = crate::error::ApiError;

    fn try_from(body: &UsageBody) -> ApiResult<Self> {
        parse_all! { note = optional_text("note", body.note.as_deref(), 2000) }
        Ok(Self { year: body.year, trainees: body.trainees, organisations: body.organisations, note: note.unwrap_or_default() })
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UsageOut {
    id: Uuid,
    resource_id: Uuid,
    year: i32,
    trainees: i64,
    organisations: i64,
    note: String,
    reported_by: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<usage_report::Model> for UsageOut {
    fn from(u: usage_report::Model) -> Self {
        Self {
            id: u.id,
            resource_id: u.resource_id,
            year: u.year,
            trainees: u.trainees,
            organisations: u.organisations,
            note: u.note,
            reported_by: u.reported_by,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UsagePage {
    items: Vec<UsageOut>,
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum SavedUsage {
    /// The year's first report.
    #[oai(status = 201)]
    Created(Json<UsageOut>),
    /// The year was reported before: its figures are replaced.
    #[oai(status = 200)]
    Replaced(Json<UsageOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssessmentBody {
    outcome: AssessmentOutcomeDto,
    /// 评估日期: not in the future, not before publication or the last assessment.
    assessed_on: NaiveDate,
    /// 评估意见
    note: Str,
}

impl AssessmentBody {
    /// The assessment to record, checked.
    ///
    /// # Errors
    /// 422 naming `note`.
    pub fn parse(&self) -> ApiResult<NewAssessment> {
        parse_all! { note = text("note", &self.note, 5000) }
        Ok(NewAssessment { outcome: AssessmentOutcome::from(self.outcome), assessed_on: self.assessed_on, note })
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssessmentOut {
    id: Uuid,
    resource_id: Uuid,
    outcome: AssessmentOutcomeDto,
    outcome_label: String,
    assessed_on: NaiveDate,
    /// The due date this assessment answered.
    previous_due: NaiveDate,
    /// The next assessment due it set (unchanged by a withdrawal).
    next_due: NaiveDate,
    note: String,
    assessed_by: Uuid,
    created_at: DateTime<Utc>,
}

impl From<assessment::Model> for AssessmentOut {
    fn from(a: assessment::Model) -> Self {
        Self {
            id: a.id,
            resource_id: a.resource_id,
            outcome: a.outcome.into(),
            outcome_label: a.outcome.label_zh().into(),
            assessed_on: a.assessed_on,
            previous_due: a.previous_due,
            next_due: a.next_due,
            note: a.note,
            assessed_by: a.assessed_by,
            created_at: a.created_at,
        }
    }
}

/// Where the resource stands after the assessment.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResourceOperationOut {
    pub id: Uuid,
    pub title: String,
    pub published_on: NaiveDate,
    pub last_assessed_on: Option<NaiveDate>,
    pub next_assessment_due: NaiveDate,
    /// Withdrawn from the public catalogue on this date.
    pub withdrawn_on: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
    /// `current`, `due_soon` (within 60 days), `due`, `withdrawn`, `revoked`.
    pub assessment_status: String,
    pub assessment_status_label: String,
}

impl ResourceOperationOut {
    #[must_use]
    pub fn new(r: &resource::Model, today: NaiveDate) -> Self {
        let status = assessment_status(&svc::standing(r), today);
        Self {
            id: r.id,
            title: r.title.clone(),
            published_on: r.published_on,
            last_assessed_on: r.last_assessed_on,
            next_assessment_due: r.next_assessment_due,
            withdrawn_on: r.withdrawn_on,
            revoked_on: r.revoked_on,
            assessment_status: status.code().into(),
            assessment_status_label: status.label_zh().into(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssessedOut {
    assessment: AssessmentOut,
    resource: ResourceOperationOut,
}

#[derive(ApiResponse)]
pub enum CreatedAssessment {
    /// Recorded; the resource's dates follow.
    #[oai(status = 201)]
    Created(Json<AssessedOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssessmentPage {
    items: Vec<AssessmentOut>,
    next_cursor: Option<String>,
}

#[derive(Default)]
pub struct ResourcesApi;

#[OpenApi(prefix_path = "/resources", tag = "Tag::Resources")]
impl ResourcesApi {
    /// 报送使用情况 Report a year's usage of a published resource (its publisher's users or the bureau); a year reported again is replaced.
    #[oai(path = "/:id/usage", method = "post")]
    async fn report_usage(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, body: Json<UsageBody>) -> ApiResult<SavedUsage> {
        let n = NewUsage::try_from(&body.0)?;
        let (saved, created) = svc::report_usage(&state, &auth.0, id.0, n).await?;
        Ok(if created { SavedUsage::Created(Json(saved.into())) } else { SavedUsage::Replaced(Json(saved.into())) })
    }

    /// 使用情况 Usage reports of a resource, newest year first (bureau; the publisher's users).
    #[oai(path = "/:id/usage", method = "get")]
    async fn usage(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<UsagePage>> {
        let limit = parse_limit(limit.0)?;
        let before = parse_cursor(cursor.0.as_deref(), |c| c.parse::<i32>().ok())?;
        let (items, next) = svc::list_usage(&state, &auth.0, id.0, limit, before).await?;
        Ok(Json(UsagePage { items: items.into_iter().map(Into::into).collect(), next_cursor: next.map(|y| y.to_string()) }))
    }

    /// 评估 Record an assessment (bureau): keep, update required or withdraw; sets the next due date.
    #[oai(path = "/:id/assessments", method = "post")]
    async fn assess(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AssessmentBody>,
    ) -> ApiResult<CreatedAssessment> {
        auth.0.require_bureau()?;
        let n = body.0.parse()?;
        let (a, r) = svc::assess_resource(&state, &auth.0, id.0, n).await?;
        let resource = ResourceOperationOut::new(&r, state.clock.today());
        Ok(CreatedAssessment::Created(Json(AssessedOut { assessment: a.into(), resource })))
    }

    /// 评估记录 Assessments of a resource, newest first (bureau; the publisher's users).
    #[oai(path = "/:id/assessments", method = "get")]
    async fn assessments(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AssessmentPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::list_assessments(&state, &auth.0, id.0, page).await?;
        Ok(Json(AssessmentPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }
}
