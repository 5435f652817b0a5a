//! The work file (工作档案) of an organisation (000 第二十二条: 将其行为记入工作档案):
//! its sanctions with the bans and whether they are in force, its revoked
//! items, its published resources with their assessment status (paged), and
//! its applications counted by status.
//!
//! Five statements whatever the data: the organisation, its sanctions, its
//! revoked applications, one `GROUP BY status`, one page of resources.
//! Access: bureau roles any organisation; an org_user its own (another's is
//! 404); experts 403.

use entities::{
    models::{application, organization, resource, sanction},
    resource::ApplicationStatus,
    sanction::banned_until,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{auth::Caller, error::ApiResult, pagination::PageParams, state::AppState};

/// Sanctions shown at most: each is a bureau decision, an organisation has a handful.
pub const MAX_SANCTIONS: u64 = 200;

/// Application statuses that mark an item taken back for a violation (000 第二十二条).
/// Revoked certifications and development projects terminated for fraud.
pub const REVOKED_STATUSES: &[ApplicationStatus] = &[ApplicationStatus::Revoked, ApplicationStatus::Terminated];

pub struct WorkFile {
    pub organization: organization::Model,
    /// Newest confirmation first.
    pub sanctions: Vec<sanction::Model>,
    /// The first day it may apply again, while a ban is in force (`entities::sanction::banned_until`).
    pub ban_until: Option<chrono::NaiveDate>,
    pub revoked: Vec<application::Model>,
    pub by_status: Vec<(ApplicationStatus, i64)>,
    pub resources: Vec<resource::Model>,
    pub next_cursor: Option<String>,
}

/// # Errors
/// 403 for experts, 404 for unknown ids and other organisations.
pub async fn get(state: &AppState, caller: &Caller, id: Uuid, page: PageParams) -> ApiResult<WorkFile> {
    let organization = crate::services::organizations::get(state, caller, id).await?;
    let db = &state.db;
    // The ban follows the credit code (DESIGN §6), so sanctions recorded under it count too.
    let sanctions = sanction::Entity::find()
        .filter(
            Condition::any()
                .add(sanction::Column::OrganizationId.eq(id))
                .add(sanction::Column::CreditCode.eq(organization.credit_code.clone())),
        )
        .order_by_desc(sanction::Column::ConfirmedOn)
        .order_by_desc(sanction::Column::Id)
        .limit(MAX_SANCTIONS)
        .all(db)
        .await?;
    let revoked = application::Entity::find()
        .filter(application::Column::OrganizationId.eq(id))
        .filter(application::Column::Status.is_in(REVOKED_STATUSES.iter().copied()))
        .order_by_desc(application::Column::UpdatedAt)
        .limit(MAX_SANCTIONS)
        .all(db)
        .await?;
    let by_status: Vec<(ApplicationStatus, i64)> = application::Entity::find()
        .select_only()
        .column(application::Column::Status)
        .column_as(application::Column::Id.count(), "n")
        .filter(application::Column::OrganizationId.eq(id))
        .group_by(application::Column::Status)
        .order_by_asc(application::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut q =
        resource::Entity::find().filter(resource::Column::PublisherOrgId.eq(id)).order_by_asc(resource::Column::Id).limit(page.fetch());
    if let Some(after) = page.after {
        q = q.filter(resource::Column::Id.gt(after));
    }
    let (resources, next_cursor) = page.finish(q.all(db).await?, |r| r.id);
    let ban_until = banned_until(sanctions.iter().map(|s| (s.confirmed_on, s.ban_until)), state.clock.today());
    Ok(WorkFile { organization, sanctions, ban_until, revoked, by_status, resources, next_cursor })
}
