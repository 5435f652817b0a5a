//! `public/…`: what anyone may read without an account. No contact persons,
//! phones or emails ever appear here.

use chrono::NaiveDate;
use entities::models::organization;
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    error::ApiResult,
    pagination::PageParams,
    routes::{Tag, enums::OrgKindDto},
    services::directory::{self, DirectoryEntry},
    state::AppState,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublicOrg {
    name: String,
    kind: OrgKindDto,
    kind_label: String,
}

impl From<&organization::Model> for PublicOrg {
    fn from(o: &organization::Model) -> Self {
        Self { name: o.name.clone(), kind: o.kind.into(), kind_label: o.kind.label_zh().into() }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublicAlliance {
    id: Uuid,
    name: String,
    industry: String,
    /// 备案编号
    registration_no: Option<String>,
    registered_on: Option<NaiveDate>,
    /// 发起单位
    initiator: Option<PublicOrg>,
    /// 承担主体
    lead: Option<PublicOrg>,
    /// Current member units: names and kinds only.
    members: Vec<PublicOrg>,
}

impl From<DirectoryEntry> for PublicAlliance {
    fn from(e: DirectoryEntry) -> Self {
        Self {
            id: e.alliance.id,
            name: e.alliance.name,
            industry: e.alliance.industry,
            registration_no: e.alliance.registration_no,
            registered_on: e.alliance.registered_on,
            initiator: e.initiator.as_ref().map(Into::into),
            lead: e.lead.as_ref().map(Into::into),
            members: e.members.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublicAlliancePage {
    items: Vec<PublicAlliance>,
    next_cursor: Option<String>,
}

#[derive(Default)]
pub struct PublicApi;

#[OpenApi(prefix_path = "/public", tag = "Tag::Public")]
impl PublicApi {
    /// 职业培训联盟名录 Registered alliances (no account needed).
    #[oai(path = "/alliances", method = "get")]
    async fn alliances(
        &self,
        state: Data<&AppState>,
        industry: Query<Option<String>>,
        /// Name contains.
        name: Query<Option<String>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<PublicAlliancePage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = directory::list(&state, industry.0, name.0, page).await?;
        Ok(Json(PublicAlliancePage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 联盟公开信息 One registered alliance (no account needed).
    #[oai(path = "/alliances/:id", method = "get")]
    async fn alliance(&self, state: Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<PublicAlliance>> {
        Ok(Json(directory::get(&state, id.0).await?.into()))
    }
}
