//! `applications`: skill-resource applications (seed 000) — drafts and
//! submission by the applicant, panel and reviews, bureau decisions.

use entities::{
    resource::{ApplicationAction, check_eligibility},
    values::{CreditCode, FieldError, optional_text, text},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    auth::{BearerAuth, Caller},
    error::{ApiError, ApiResult},
    i18n::Msg,
    pagination::PageParams,
    routes::{
        Tag,
        resource_dto::{
            ApplicationOut, ApplicationPage, ApplicationStatusDto, CategoryDto, ExpertTypeDto, PanelMemberStatusDto, RecommendationDto,
            ResourceKindDto, ResourceOut, RuleIssue, ScoreOut, SkillLevelDto, TeamRoleDto, TitleLevelDto,
        },
    },
    services::resources::{
        self as svc, Access,
        applications::{self as apps, Enterprise, Fields, Filter, Leader, TeamMember},
        catalogue, notices,
        review::{self, ReviewInput},
    },
    state::AppState,
    text::Str,
};

/// Most using enterprises (category 3) and team members (4, 5) one application lists.
pub const MAX_ENTERPRISES: usize = 200;
pub const MAX_TEAM: usize = 100;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EnterpriseBody {
    /// 使用企业名称 (above-scale enterprise).
    name: Str,
    credit_code: Option<Str>,
    /// 使用报告 (a document of the applicant).
    usage_report_document_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TeamMemberBody {
    name: Str,
    role: TeamRoleDto,
    /// Title or skill certificate, e.g. 高级技师.
    qualification: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeaderBody {
    name: Str,
    title_level: TitleLevelDto,
    skill_level: SkillLevelDto,
}

/// An application's fields; the category comes from the call.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApplicationBody {
    call_id: Uuid,
    resource_kind: ResourceKindDto,
    /// Occupation code of the national catalogue (职业分类大典), e.g. 6-30-99-00; for a new occupation the nearest one.
    occupation_code: Str,
    occupation_name: Str,
    /// Levels covered, e.g. ["四级/中级工", "三级/高级工"].
    #[oai(default)]
    levels: Vec<Str>,
    title: Str,
    description: Str,
    #[oai(default)]
    document_ids: Vec<Uuid>,
    /// Category 3: trainee person-times in the last 3 years.
    trainees_last_3_years: Option<i64>,
    /// Category 3: the IP declaration (知识产权声明) is accepted.
    #[oai(default)]
    ip_declared: bool,
    /// Category 3: enterprises using it, each with its usage report.
    #[oai(default)]
    enterprises: Vec<EnterpriseBody>,
    /// Categories 4 and 5: the team (5: 技师 + 教师 + 工程师).
    #[oai(default)]
    team: Vec<TeamMemberBody>,
    /// Category 5: the project leader.
    leader: Option<LeaderBody>,
    /// Categories 4 and 5: funding source (经费来源).
    funding_source: Option<Str>,
}

fn take(errors: &mut Vec<FieldError>, r: Result<String, FieldError>) -> String {
    r.map_err(|e| errors.push(e)).unwrap_or_default()
}

impl TryFrom<&ApplicationBody> for Fields {
    type Error = ApiError;

    fn try_from(b: &ApplicationBody) -> ApiResult<Self> {
        let mut errors: Vec<FieldError> = Vec::new();
        let occupation_code = take(&mut errors, text("occupation_code", &b.occupation_code, 20));
        let occupation_name = take(&mut errors, text("occupation_name", &b.occupation_name, 100));
        let title = take(&mut errors, text("title", &b.title, 200));
        let description = take(&mut errors, text("description", &b.description, 20_000));
        let levels: Vec<String> =
            b.levels.iter().enumerate().map(|(i, l)| take(&mut errors, text(&format!("levels[{i}]"), l, 20))).collect();
        let mut enterprises = Vec::new();
        for (i, e) in b.enterprises.iter().enumerate() {
            let name = take(&mut errors, text(&format!("enterprises[{i}].name"), &e.name, 200));
            let credit_code = e.credit_code.as_ref().and_then(|c| CreditCode::parse("credit_code", c).ok()).map(CreditCode::into_string);
            enterprises.push(Enterprise { name, credit_code, usage_report_document_id: e.usage_report_document_id });
        }
        let team: Vec<TeamMember> = b
            .team
            .iter()
            .enumerate()
            .map(|(i, t)| TeamMember {
                name: take(&mut errors, text(&format!("team[{i}].name"), &t.name, 100)),
                role: t.role.into(),
                qualification: take(&mut errors, text(&format!("team[{i}].qualification"), &t.qualification, 100)),
            })
            .collect();
        let leader = b.leader.as_ref().map(|l| Leader {
            name: take(&mut errors, text("leader.name", &l.name, 100)),
            title_level: l.title_level.into(),
            skill_level: l.skill_level.into(),
        });
        let funding_source =
            optional_text("funding_source", b.funding_source.as_deref(), 500).map_err(|e| errors.push(e)).unwrap_or_default();
        // Credit codes of using enterprises: checked separately so every bad one is named.
        for (i, e) in b.enterprises.iter().enumerate() {
            if let Some(c) = &e.credit_code
                && let Err(err) = CreditCode::parse(&format!("enterprises[{i}].credit_code"), c)
            {
                errors.push(err);
            }
        }
        if let Some(t) = b.trainees_last_3_years
            && !(0..=10_000_000).contains(&t)
        {
            errors.push(FieldError::new("trainees_last_3_years", "须在0到10000000之间", "must be between 0 and 10000000"));
        }
        if b.levels.len() > 8 || b.enterprises.len() > MAX_ENTERPRISES || b.team.len() > MAX_TEAM || b.document_ids.len() > 50 {
            errors.push(FieldError::new("levels", "条目过多", "too many entries"));
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        Ok(Self {
            call_id: b.call_id,
            resource_kind: b.resource_kind.into(),
            occupation_code,
            occupation_name,
            levels,
            title,
            description,
            document_ids: b.document_ids.clone(),
            trainees_last_3_years: b.trainees_last_3_years,
            ip_declared: b.ip_declared,
            enterprises,
            team,
            leader,
            funding_source,
        })
    }
}

#[derive(ApiResponse)]
pub enum CreatedApplication {
    /// Draft created.
    #[oai(status = 201)]
    Created(Json<ApplicationOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DrawBody {
    /// Panel size (default `[resources] panel_size`, 5); seats refused by conflict are refilled.
    size: Option<u32>,
}

impl DrawBody {
    /// The requested size, 1 to 30.
    ///
    /// # Errors
    /// 422 naming `size`.
    pub fn size(&self) -> ApiResult<Option<u32>> {
        if self.size.is_some_and(|s| !(1..=30).contains(&s)) {
            return Err(ApiError::field("size", "专家人数须在1到30之间", "size must be 1–30"));
        }
        Ok(self.size)
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeclarationBody {
    /// true: a conflict of interest (回避), false: none.
    conflict: bool,
    reason: Option<Str>,
}

impl DeclarationBody {
    /// (conflict, reason) as `review::declare` takes them.
    ///
    /// # Errors
    /// 422 a reason too long.
    pub fn parse(&self) -> ApiResult<(bool, Option<String>)> {
        let reason = optional_text("reason", self.reason.as_deref(), 2000).map_err(|e| ApiError::validation([e]))?;
        Ok((self.conflict, reason))
    }
}

impl TryFrom<&ReviewBody> for ReviewInput {
    type Error = ApiError;

    fn try_from(body: &ReviewBody) -> ApiResult<Self> {
        let comment = optional_text("comment", body.comment.as_deref(), 5000).map_err(|e| ApiError::validation([e]))?;
        Ok(Self {
            criteria: body
                .criteria
                .as_ref()
                .map(|c| [c.industry_match, c.wide_application, c.content_fit, c.flexible_mode, c.social_benefit]),
            score: body.score,
            recommendation: body.recommendation.map(Into::into),
            comment,
        })
    }
}

/// The five criteria of 000 附件1, each 0–100.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CriteriaBody {
    /// 匹配产业 (20%)
    industry_match: i64,
    /// 应用广泛 (30%)
    wide_application: i64,
    /// 内容适用 (30%)
    content_fit: i64,
    /// 模式灵活 (10%)
    flexible_mode: i64,
    /// 社会效益 (10%)
    social_benefit: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewBody {
    /// Category 3.
    criteria: Option<CriteriaBody>,
    /// Other categories: the project-approval score 0–100.
    score: Option<i64>,
    recommendation: Option<RecommendationDto>,
    comment: Option<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewOut {
    pub expert_id: Uuid,
    pub industry_match: Option<i32>,
    pub wide_application: Option<i32>,
    pub content_fit: Option<i32>,
    pub flexible_mode: Option<i32>,
    pub social_benefit: Option<i32>,
    /// Weighted (category 3) or single score, e.g. "80.00".
    pub score: String,
    pub score_hundredths: i32,
    pub recommendation: Option<RecommendationDto>,
    pub comment: Option<String>,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
}

impl From<entities::models::review::Model> for ReviewOut {
    fn from(r: entities::models::review::Model) -> Self {
        Self {
            expert_id: r.expert_id,
            industry_match: r.industry_match,
            wide_application: r.wide_application,
            content_fit: r.content_fit,
            flexible_mode: r.flexible_mode,
            social_benefit: r.social_benefit,
            score: entities::resource::scoring::format_hundredths(u64::try_from(r.score_hundredths).unwrap_or(0)),
            score_hundredths: r.score_hundredths,
            recommendation: r.recommendation.map(Into::into),
            comment: r.comment,
            submitted_at: r.submitted_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SeatOut {
    pub expert_id: Uuid,
    pub name: String,
    pub organization_name: String,
    pub expert_type: Option<ExpertTypeDto>,
    pub status: PanelMemberStatusDto,
    pub conflict_reason: Option<String>,
    pub declared_at: Option<chrono::DateTime<chrono::Utc>>,
    pub review: Option<ReviewOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DrawOut {
    pub id: Uuid,
    /// The SplitMix64 seed, as a decimal string (u64): replay with `entities::resource::panel::draw`.
    pub seed: String,
    pub requested: i32,
    /// Eligible experts, sorted by id.
    pub candidates: Vec<Uuid>,
    /// Drawn, in draw order.
    pub chosen: Vec<Uuid>,
    pub drawn_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PanelOut {
    pub application_id: Uuid,
    pub status: ApplicationStatusDto,
    pub seats: Vec<SeatOut>,
    pub draws: Vec<DrawOut>,
    /// Mean and spread of the reviews of seats not refused by conflict.
    pub score: Option<ScoreOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SeatStatusOut {
    pub application_id: Uuid,
    pub status: PanelMemberStatusDto,
    pub declared_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReasonBody {
    reason: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoteBody {
    note: Option<Str>,
}

impl NoteBody {
    /// The note, checked (blank is none).
    ///
    /// # Errors
    /// 422 naming `note`.
    pub fn parse(&self) -> ApiResult<Option<String>> {
        note(self.note.as_deref())
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct InclusionBody {
    /// Included in the national development plan (纳入开发计划) or not.
    included: bool,
    note: Option<Str>,
}

impl InclusionBody {
    /// The step (included or not) and the note, checked.
    ///
    /// # Errors
    /// 422 naming `note`.
    pub fn parse(&self) -> ApiResult<(ApplicationAction, Option<String>)> {
        let action = if self.included { ApplicationAction::MarkIncluded } else { ApplicationAction::MarkNotIncluded };
        Ok((action, note(self.note.as_deref())?))
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApprovalOut {
    pub application: ApplicationOut,
    /// The catalogue entry (category 3).
    pub resource: Option<ResourceOut>,
}

/// The panel of an application as the API and the bureau's page show it.
///
/// # Errors
/// 403, 404.
pub async fn panel_view(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<PanelOut> {
    let (a, seats, draws, score) = review::panel_of(state, caller, id).await?;
    Ok(PanelOut {
        application_id: a.id,
        status: a.status.into(),
        seats: seats
            .into_iter()
            .map(|s| SeatOut {
                expert_id: s.member.expert_id,
                name: s.expert.as_ref().map(|e| e.name.clone()).unwrap_or_default(),
                organization_name: s.expert.as_ref().map(|e| e.organization_name.clone()).unwrap_or_default(),
                expert_type: s.expert.as_ref().map(|e| e.expert_type.into()),
                status: s.member.status.into(),
                conflict_reason: s.member.conflict_reason,
                declared_at: s.member.declared_at,
                review: s.review.map(Into::into),
            })
            .collect(),
        draws: draws
            .into_iter()
            .map(|d| DrawOut {
                id: d.id,
                seed: u64::from_ne_bytes(d.seed.to_ne_bytes()).to_string(),
                requested: d.requested,
                candidates: serde_json::from_value(d.candidates).unwrap_or_default(),
                chosen: serde_json::from_value(d.chosen).unwrap_or_default(),
                drawn_at: d.drawn_at,
            })
            .collect(),
        score: score.map(Into::into),
    })
}

/// The detail view of one application (the API's answer and the page's): drafts with their readiness.
///
/// # Errors
/// 404 and database errors.
pub(crate) async fn detail(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<ApplicationOut> {
    let (a, access) = svc::load(&state.db, caller, id).await?;
    let readiness = if a.status == entities::resource::ApplicationStatus::Draft && matches!(access, Access::Applicant | Access::Bureau) {
        check_eligibility(&apps::facts(&state.db, &a, state).await?)
            .iter()
            .map(|p| RuleIssue { code: p.code().into(), field: p.field().into(), message: Msg::new(p.zh(), p.en()).render() })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ApplicationOut { readiness, ..a.into() })
}

impl ReasonBody {
    /// The reason, checked (up to 2,000 characters).
    ///
    /// # Errors
    /// 422 naming `reason`.
    pub fn reason(&self) -> ApiResult<String> {
        reason("reason", &self.reason)
    }
}

fn reason(field: &str, raw: &str) -> ApiResult<String> {
    text(field, raw, 2000).map_err(|e| ApiError::validation([e]))
}

fn note(raw: Option<&str>) -> ApiResult<Option<String>> {
    optional_text("note", raw, 2000).map_err(|e| ApiError::validation([e]))
}

#[derive(Default)]
pub struct ApplicationsApi;

#[OpenApi(prefix_path = "/applications", tag = "Tag::Resources")]
impl ApplicationsApi {
    /// 新建申报草稿 Start an application of the caller's organisation (org_user).
    #[oai(path = "/", method = "post")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<ApplicationBody>) -> ApiResult<CreatedApplication> {
        auth.0.require(&[entities::Role::OrgUser])?;
        let f = Fields::try_from(&body.0)?;
        let a = apps::create(&state, &auth.0, f).await?;
        Ok(CreatedApplication::Created(Json(detail(&state, &auth.0, a.id).await?)))
    }

    /// 申报列表 Applications the caller may see (bureau all; applicant its own; expert those it is cleared for).
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        call_id: Query<Option<Uuid>>,
        status: Query<Option<ApplicationStatusDto>>,
        category: Query<Option<CategoryDto>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ApplicationPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let f = Filter { call_id: call_id.0, status: status.0.map(Into::into), category: category.0.map(Into::into) };
        let (items, next_cursor) = apps::list(&state, &auth.0, f, page).await?;
        Ok(Json(ApplicationPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 申报详情 One application; drafts list what submission would refuse.
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<ApplicationOut>> {
        Ok(Json(detail(&state, &auth.0, id.0).await?))
    }

    /// 修改申报草稿 Replace the draft's fields (applicant; drafts only).
    #[oai(path = "/:id", method = "put")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ApplicationBody>,
    ) -> ApiResult<Json<ApplicationOut>> {
        auth.0.require(&[entities::Role::OrgUser])?;
        let f = Fields::try_from(&body.0)?;
        apps::update(&state, &auth.0, id.0, f).await?;
        Ok(Json(detail(&state, &auth.0, id.0).await?))
    }

    /// 提交申报 Submit (applicant): every eligibility rule at once (422 `ineligible`, each with its code); issues DGJN-YYYY-NNNN.
    ///
    /// With `Idempotency-Key`, a retry answers like the first call.
    #[oai(path = "/:id/submit", method = "post")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(name = "Idempotency-Key")] key: Header<Option<String>>,
    ) -> ApiResult<Json<ApplicationOut>> {
        let key = crate::services::idempotency::parse_key(key.0.as_deref())?;
        apps::submit(&state, &auth.0, id.0, key).await?;
        Ok(Json(detail(&state, &auth.0, id.0).await?))
    }

    /// 抽取评审专家 Draw the panel at random (bureau); after a conflict, draws replacements. Seed and candidates are recorded.
    #[oai(path = "/:id/panel", method = "post")]
    async fn draw(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, body: Json<DrawBody>) -> ApiResult<Json<PanelOut>> {
        auth.0.require_bureau()?;
        review::draw(&state, &auth.0, id.0, body.0.size()?, None).await?;
        self.panel(state, auth, id).await
    }

    /// 评审专家组 The panel, each seat's declaration and review, every draw, mean and spread (bureau).
    #[oai(path = "/:id/panel", method = "get")]
    async fn panel(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<PanelOut>> {
        Ok(Json(panel_view(&state, &auth.0, id.0).await?))
    }

    /// 利益冲突声明 The drawn expert declares a conflict of interest (回避, with reason) or none, before seeing the application.
    #[oai(path = "/:id/declaration", method = "post")]
    async fn declare(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DeclarationBody>,
    ) -> ApiResult<Json<SeatStatusOut>> {
        let (conflict, reason) = body.0.parse()?;
        let m = review::declare(&state, &auth.0, id.0, conflict, reason).await?;
        Ok(Json(SeatStatusOut { application_id: m.application_id, status: m.status.into(), declared_at: m.declared_at }))
    }

    /// 专家评分 The cleared expert scores: category 3 the five criteria of 附件1; others a score and a recommendation.
    #[oai(path = "/:id/reviews", method = "post")]
    async fn review(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, body: Json<ReviewBody>) -> ApiResult<Json<ReviewOut>> {
        let input = ReviewInput::try_from(&body.0)?;
        Ok(Json(review::submit_review(&state, &auth.0, id.0, input).await?.into()))
    }

    /// 不予入选 Not picked for the proposed list (bureau, with reason).
    #[oai(path = "/:id/decline", method = "post")]
    async fn decline(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonBody>,
    ) -> ApiResult<Json<ApplicationOut>> {
        auth.0.require_bureau()?;
        let r = reason("reason", &body.reason)?;
        Ok(Json(notices::decline(&state, &auth.0, id.0, r).await?.into()))
    }

    /// 审定 Approve (bureau): after its notice category 3 is published to the catalogue, 4 and 5 are approved for development (立项);
    /// a category-5 project after its results notice is published (category 4 is approved by its `approval` milestone).
    #[oai(path = "/:id/approve", method = "post")]
    async fn approve(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<ApprovalOut>> {
        let (a, r) = catalogue::approve(&state, &auth.0, id.0).await?;
        Ok(Json(ApprovalOut { application: a.into(), resource: r.map(Into::into) }))
    }

    /// 纳入开发计划 Mark a reported new occupation included in the national plan or not (bureau).
    #[oai(path = "/:id/inclusion", method = "post")]
    async fn inclusion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<InclusionBody>,
    ) -> ApiResult<Json<ApplicationOut>> {
        auth.0.require_bureau()?;
        let (action, n) = body.0.parse()?;
        Ok(Json(catalogue::mark(&state, &auth.0, id.0, action, n).await?.into()))
    }

    /// 开发完成 Mark an included new occupation's development completed (bureau).
    #[oai(path = "/:id/completion", method = "post")]
    async fn completion(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<NoteBody>,
    ) -> ApiResult<Json<ApplicationOut>> {
        auth.0.require_bureau()?;
        let n = body.parse()?;
        Ok(Json(catalogue::mark(&state, &auth.0, id.0, ApplicationAction::MarkCompleted, n).await?.into()))
    }
}
