//! `calls` (征集公告), the expert pool (`experts`) and the access-type
//! occupation list (`access-occupations`), kept by the bureau.

use chrono::{DateTime, Utc};
use entities::values::text;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult, parse_all},
    pagination::{DEFAULT_LIMIT, MAX_LIMIT, PageParams},
    routes::{
        Tag,
        resource_dto::{CallOut, CallPage, CategoryDto, ExpertOut, ExpertTypeDto, PanelMemberStatusDto},
    },
    services::resources::{self as svc, NewCall, NewExpert, ranking, review},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateCallBody {
    category: CategoryDto,
    title: Str,
    description: Str,
    /// The call document (征集公告 PDF), uploaded first.
    document_id: Option<Uuid>,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
}

impl TryFrom<&CreateCallBody> for NewCall {
    type Error = ApiError;

    fn try_from(body: &CreateCallBody) -> ApiResult<Self> {
        parse_all! { title = text("title", &body.title, 200), description = text("description", &body.description, 20_000) }
        Ok(Self {
            category: body.category.into(),
            title,
            description,
            document_id: body.document_id,
            opens_at: body.opens_at,
            closes_at: body.closes_at,
        })
    }
}

#[derive(ApiResponse)]
pub enum CreatedCall {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CallOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateExpertBody {
    /// The expert's account (role `expert`), if it signs in.
    user_id: Option<Uuid>,
    name: Str,
    /// 专业领域
    specialty: Str,
    /// 职称 / 技能等级, e.g. 正高级工程师
    title: Str,
    /// The expert's organisation when registered here (its applications are never assigned to the expert).
    organization_id: Option<Uuid>,
    organization_name: Str,
    expert_type: ExpertTypeDto,
}

#[derive(ApiResponse)]
pub enum CreatedExpert {
    /// Added to the pool.
    #[oai(status = 201)]
    Created(Json<ExpertOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PatchExpertBody {
    active: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExpertPage {
    items: Vec<ExpertOut>,
    next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Assignment {
    application_id: Uuid,
    number: Option<String>,
    title: String,
    /// 申报单位: to judge a conflict of interest before declaring.
    applicant: String,
    status: PanelMemberStatusDto,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssignmentPage {
    items: Vec<Assignment>,
    next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AccessOccupationBody {
    /// Occupation code, e.g. 4-02-02-01.
    code: Str,
    name: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AccessOccupation {
    code: String,
    name: String,
    created_at: DateTime<Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AccessOccupationPage {
    items: Vec<AccessOccupation>,
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedOccupation {
    /// Listed.
    #[oai(status = 201)]
    Created(Json<AccessOccupation>),
}

#[derive(ApiResponse)]
pub enum Removed {
    /// Removed.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RankedOut {
    /// 1-based; equal exact means share a rank; unscored: none.
    rank: Option<u64>,
    application: crate::routes::resource_dto::ApplicationOut,
    score: Option<crate::routes::resource_dto::ScoreOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RankingOut {
    call_id: Uuid,
    /// Ranks are over the whole call: the first item of the second page of 20 has rank 21 (or shares a rank above).
    items: Vec<RankedOut>,
    next_cursor: Option<String>,
}

#[derive(Default)]
pub struct CallsApi;

#[OpenApi(tag = "Tag::Resources")]
impl CallsApi {
    /// 发布征集公告 Open a call for one category (bureau).
    #[oai(path = "/calls", method = "post")]
    async fn create_call(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<CreateCallBody>) -> ApiResult<CreatedCall> {
        auth.0.require_bureau()?;
        let c = svc::create_call(&state, &auth.0, NewCall::try_from(&body.0)?).await?;
        Ok(CreatedCall::Created(Json(CallOut::new(c, state.clock.now()))))
    }

    /// 截止征集 Close a call now (bureau): it accepts no more applications; drafts stay.
    #[oai(path = "/calls/:id/close", method = "post")]
    async fn close_call(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<CallOut>> {
        let c = svc::close_call(&state, &auth.0, id.0).await?;
        Ok(Json(CallOut::new(c, state.clock.now())))
    }

    /// 征集公告列表 Calls (any signed-in user); `open=true` keeps those accepting applications now.
    #[oai(path = "/calls", method = "get")]
    async fn list_calls(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        category: Query<Option<CategoryDto>>,
        open: Query<Option<bool>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<CallPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::list_calls(&state, category.0.map(Into::into), open.0.unwrap_or(false), page).await?;
        let now = state.clock.now();
        Ok(Json(CallPage { items: items.into_iter().map(|c| CallOut::new(c, now)).collect(), next_cursor }))
    }

    /// 征集公告 One call.
    #[oai(path = "/calls/:id", method = "get")]
    async fn get_call(&self, state: Data<&AppState>, _auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<CallOut>> {
        Ok(Json(CallOut::new(svc::get_call(&state, id.0).await?, state.clock.now())))
    }

    /// 评审排名 Applications of a call ranked by the exact panel mean, with mean and spread (bureau); paged, ranks global.
    #[oai(path = "/calls/:id/ranking", method = "get")]
    async fn ranking(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<RankingOut>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (rows, next_cursor) = ranking::ranking(&state, &auth.0, id.0, page).await?;
        Ok(Json(RankingOut {
            call_id: id.0,
            items: rows
                .into_iter()
                .map(|r| RankedOut { rank: r.rank.map(|x| x as u64), application: r.application.into(), score: r.score.map(Into::into) })
                .collect(),
            next_cursor,
        }))
    }

    /// 新增专家 Add an expert to the pool (bureau).
    #[oai(path = "/experts", method = "post")]
    async fn create_expert(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<CreateExpertBody>) -> ApiResult<CreatedExpert> {
        auth.0.require_bureau()?;
        parse_all! {
            name = text("name", &body.name, 100),
            specialty = text("specialty", &body.specialty, 200),
            title = text("title", &body.title, 100),
            organization_name = text("organization_name", &body.organization_name, 200),
        }
        let n = NewExpert {
            user_id: body.user_id,
            name,
            specialty,
            title,
            organization_id: body.organization_id,
            organization_name,
            expert_type: body.expert_type.into(),
        };
        Ok(CreatedExpert::Created(Json(svc::create_expert(&state, &auth.0, n).await?.into())))
    }

    /// 专家库 The pool (bureau).
    #[oai(path = "/experts", method = "get")]
    async fn list_experts(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        active: Query<Option<bool>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ExpertPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::list_experts(&state, &auth.0, active.0, page).await?;
        Ok(Json(ExpertPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 专家启用/停用 Activate or deactivate an expert (bureau).
    #[oai(path = "/experts/:id", method = "patch")]
    async fn patch_expert(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<PatchExpertBody>,
    ) -> ApiResult<Json<ExpertOut>> {
        Ok(Json(svc::set_expert_active(&state, &auth.0, id.0, body.active).await?.into()))
    }

    /// 我的评审任务 The applications the signed-in expert was drawn for (title and applicant only, to declare a conflict), oldest first.
    #[oai(path = "/experts/me/assignments", method = "get")]
    async fn assignments(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AssignmentPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (rows, next_cursor) = review::assignments(&state, &auth.0, page).await?;
        Ok(Json(AssignmentPage {
            items: rows
                .into_iter()
                .map(|(seat, a, applicant)| Assignment {
                    application_id: a.id,
                    number: a.number,
                    title: a.title,
                    applicant,
                    status: seat.status.into(),
                })
                .collect(),
            next_cursor,
        }))
    }

    /// 准入类职业名单 Occupations under access-type national qualifications (any signed-in user).
    #[oai(path = "/access-occupations", method = "get")]
    async fn access_list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AccessOccupationPage>> {
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::field(
                "limit",
                format!("每页条数须在1到{MAX_LIMIT}之间"),
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let (items, next_cursor) = svc::list_access_occupations(&state, cursor.0.filter(|c| !c.is_empty()), limit).await?;
        Ok(Json(AccessOccupationPage {
            items: items.into_iter().map(|o| AccessOccupation { code: o.code, name: o.name, created_at: o.created_at }).collect(),
            next_cursor,
        }))
    }

    /// 新增准入类职业 List an occupation as access-type (bureau): applications for it are refused (`occupation_access_type`).
    #[oai(path = "/access-occupations", method = "post")]
    async fn access_add(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<AccessOccupationBody>) -> ApiResult<CreatedOccupation> {
        auth.0.require_bureau()?;
        parse_all! { code = text("occupation_code", &body.code, 20), name = text("occupation_name", &body.name, 100) }
        let o = svc::add_access_occupation(&state, &auth.0, code, name).await?;
        Ok(CreatedOccupation::Created(Json(AccessOccupation { code: o.code, name: o.name, created_at: o.created_at })))
    }

    /// 移除准入类职业 Remove an occupation from the list (bureau).
    #[oai(path = "/access-occupations/:code", method = "delete")]
    async fn access_remove(&self, state: Data<&AppState>, auth: BearerAuth, code: Path<String>) -> ApiResult<Removed> {
        svc::remove_access_occupation(&state, &auth.0, &code.0).await?;
        Ok(Removed::NoContent)
    }
}
