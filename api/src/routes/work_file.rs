//! `organizations/{id}/work-file`: the organisation's work file (工作档案,
//! 000 第二十二条): sanctions and bans, revoked items, published resources
//! with their assessment status, applications by status.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    models::{application, sanction},
    sanction::{SanctionKind, is_in_force},
};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::ApiResult,
    pagination::PageParams,
    routes::{Tag, resource_dto::ApplicationStatusDto, resources::ResourceOperationOut},
    services::work_file as svc,
    state::AppState,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WorkFileOrganization {
    id: Uuid,
    name: String,
    credit_code: String,
}

/// Whether the credit code may apply or file today.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BanState {
    in_force: bool,
    /// The first day it may apply again (the latest end of the bans in force).
    until: Option<NaiveDate>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WorkFileSanction {
    id: Uuid,
    kind: String,
    kind_label: String,
    confirmed_on: NaiveDate,
    /// First day allowed again; absent when the sanction bans nothing.
    ban_until: Option<NaiveDate>,
    /// The ban is in force today.
    in_force: bool,
    /// When the end of the ban was recorded by `ban_expiry`.
    ban_ended_at: Option<DateTime<Utc>>,
    description: String,
    application_id: Option<Uuid>,
}

impl WorkFileSanction {
    fn new(s: sanction::Model, today: NaiveDate) -> Self {
        Self {
            in_force: is_in_force(s.confirmed_on, s.ban_until, today),
            kind_label: SanctionKind::parse(&s.kind).map(SanctionKind::label_zh).unwrap_or_default().into(),
            id: s.id,
            kind: s.kind,
            confirmed_on: s.confirmed_on,
            ban_until: s.ban_until,
            ban_ended_at: s.ban_ended_at,
            description: s.description,
            application_id: s.application_id,
        }
    }
}

/// An application taken back for a violation (certification revoked).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RevokedItem {
    application_id: Uuid,
    number: Option<String>,
    title: String,
    status: ApplicationStatusDto,
    status_label: String,
    reason: Option<String>,
    updated_at: DateTime<Utc>,
}

impl From<application::Model> for RevokedItem {
    fn from(a: application::Model) -> Self {
        Self {
            application_id: a.id,
            number: a.number,
            title: a.title,
            status: a.status.into(),
            status_label: a.status.label_zh().into(),
            reason: a.status_reason,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApplicationStatusCount {
    status: ApplicationStatusDto,
    label: String,
    count: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResourceFilePage {
    items: Vec<ResourceOperationOut>,
    next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WorkFileOut {
    organization: WorkFileOrganization,
    ban: BanState,
    /// Newest confirmation first (at most 200).
    sanctions: Vec<WorkFileSanction>,
    /// Revoked certifications, newest first (at most 200).
    revoked: Vec<RevokedItem>,
    applications_by_status: Vec<ApplicationStatusCount>,
    /// Published resources (also withdrawn and revoked ones), paged by `limit` / `cursor`.
    resources: ResourceFilePage,
}

#[derive(Default)]
pub struct WorkFileApi;

#[OpenApi(prefix_path = "/organizations", tag = "Tag::Organizations")]
impl WorkFileApi {
    /// 工作档案 The organisation's work file (bureau: any; org users: their own). `limit`/`cursor` page its resources.
    #[oai(path = "/:id/work-file", method = "get")]
    async fn work_file(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<WorkFileOut>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let f = svc::get(&state, &auth.0, id.0, page).await?;
        Ok(Json(WorkFileOut::new(f, state.clock.today())))
    }
}

impl WorkFileOut {
    /// The view of a work file as of `today` (the API's answer and the page's).
    #[must_use]
    pub fn new(f: svc::WorkFile, today: chrono::NaiveDate) -> Self {
        let sanctions: Vec<WorkFileSanction> = f.sanctions.into_iter().map(|s| WorkFileSanction::new(s, today)).collect();
        Self {
            organization: WorkFileOrganization {
                id: f.organization.id,
                name: f.organization.name,
                credit_code: f.organization.credit_code,
            },
            ban: BanState { in_force: f.ban_until.is_some(), until: f.ban_until },
            sanctions,
            revoked: f.revoked.into_iter().map(Into::into).collect(),
            applications_by_status: f
                .by_status
                .into_iter()
                .map(|(s, n)| ApplicationStatusCount { status: s.into(), label: s.label_zh().into(), count: n })
                .collect(),
            resources: ResourceFilePage {
                items: f.resources.iter().map(|r| ResourceOperationOut::new(r, today)).collect(),
                next_cursor: f.next_cursor,
            },
        }
    }
}
