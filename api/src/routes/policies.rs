//! `policies`: policy documents with validity windows (bureau_admin edits).

use chrono::{DateTime, NaiveDate, Utc};
use entities::{models::policy_document, policy::policy_state, values::text};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult, parse_all},
    routes::Tag,
    services::policies::{self as svc, PolicyFields},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Policy {
    id: Uuid,
    title: String,
    number: String,
    issuer: String,
    effective_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    /// `alliance_filing` or `skill_resource`.
    governs: Option<String>,
    /// `valid`, `expires_soon` (within 90 days), `expired`, `not_yet_effective` — today by the service clock.
    state: String,
    message: Option<String>,
    updated_at: DateTime<Utc>,
}

fn to_dto(p: policy_document::Model, today: NaiveDate) -> Policy {
    let state = policy_state(p.effective_from, p.valid_until, today);
    Policy {
        state: state.code().into(),
        message: state.message_zh(&p.title, p.valid_until),
        id: p.id,
        title: p.title,
        number: p.number,
        issuer: p.issuer,
        effective_from: p.effective_from,
        valid_until: p.valid_until,
        governs: p.governs,
        updated_at: p.updated_at,
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PolicyBody {
    title: Str,
    number: Str,
    issuer: Str,
    effective_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    governs: Option<Str>,
}

impl TryFrom<PolicyBody> for PolicyFields {
    type Error = ApiError;

    fn try_from(b: PolicyBody) -> ApiResult<Self> {
        parse_all! {
            title = text("title", &b.title, 300),
            number = text("number", &b.number, 100),
            issuer = text("issuer", &b.issuer, 200),
        }
        Ok(Self { title, number, issuer, effective_from: b.effective_from, valid_until: b.valid_until, governs: b.governs.map(|g| g.0) })
    }
}

#[derive(ApiResponse)]
pub enum CreatedPolicy {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Policy>),
}

#[derive(Default)]
pub struct PoliciesApi;

#[OpenApi(prefix_path = "/policies", tag = "Tag::Policies")]
impl PoliciesApi {
    /// 政策文件 Policy documents with their validity state.
    #[oai(path = "/", method = "get")]
    async fn list(&self, state: Data<&AppState>, _auth: BearerAuth) -> ApiResult<Json<Vec<Policy>>> {
        let today = state.clock.today();
        Ok(Json(svc::list(&state).await?.into_iter().map(|p| to_dto(p, today)).collect()))
    }

    /// 登记政策文件 Add a policy document (bureau_admin).
    #[oai(path = "/", method = "post")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<PolicyBody>) -> ApiResult<CreatedPolicy> {
        auth.0.require(&[entities::Role::BureauAdmin])?;
        let p = svc::create(&state, &auth.0, body.0.try_into()?).await?;
        Ok(CreatedPolicy::Created(Json(to_dto(p, state.clock.today()))))
    }

    /// 修改政策文件 Change a policy document, e.g. extend its validity (bureau_admin).
    #[oai(path = "/:id", method = "put")]
    async fn update(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>, body: Json<PolicyBody>) -> ApiResult<Json<Policy>> {
        auth.0.require(&[entities::Role::BureauAdmin])?;
        let p = svc::update(&state, &auth.0, id.0, body.0.try_into()?).await?;
        Ok(Json(to_dto(p, state.clock.today())))
    }
}
