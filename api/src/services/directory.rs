//! The public alliance directory (DESIGN §4): registered alliances with their
//! industry, initiator, lead and member names and kinds — never contact
//! persons, phones or emails. A page costs three queries whatever its size.

use std::collections::HashMap;

use entities::{
    alliance::AllianceStatus,
    models::{alliance, alliance_member, organization},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

pub struct DirectoryEntry {
    pub alliance: alliance::Model,
    pub initiator: Option<organization::Model>,
    pub lead: Option<organization::Model>,
    /// Current members (name and kind are all the public sees).
    pub members: Vec<organization::Model>,
}

/// # Errors
/// Database errors.
pub async fn list(
    state: &AppState,
    industry: Option<String>,
    name: Option<String>,
    page: PageParams,
) -> ApiResult<(Vec<DirectoryEntry>, Option<String>)> {
    let mut q = alliance::Entity::find()
        .filter(alliance::Column::Status.eq(AllianceStatus::Registered))
        .order_by_asc(alliance::Column::Id)
        .limit(page.fetch());
    if let Some(i) = industry {
        q = q.filter(alliance::Column::Industry.eq(i));
    }
    if let Some(n) = name {
        q = q.filter(alliance::Column::Name.contains(n));
    }
    if let Some(after) = page.after {
        q = q.filter(alliance::Column::Id.gt(after));
    }
    let (rows, next) = page.finish(q.all(&state.db).await?, |a| a.id);
    Ok((entries(state, rows).await?, next))
}

/// # Errors
/// 404 unless registered.
pub async fn get(state: &AppState, id: Uuid) -> ApiResult<DirectoryEntry> {
    let a = alliance::Entity::find_by_id(id)
        .filter(alliance::Column::Status.eq(AllianceStatus::Registered))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("联盟", "Alliance"))?;
    entries(state, vec![a]).await?.pop().ok_or_else(|| ApiError::not_found("联盟", "Alliance"))
}

async fn entries(state: &AppState, alliances: Vec<alliance::Model>) -> ApiResult<Vec<DirectoryEntry>> {
    let ids: Vec<Uuid> = alliances.iter().map(|a| a.id).collect();
    let today = state.clock.today();
    let memberships = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.is_in(ids))
        .order_by_asc(alliance_member::Column::CreatedAt)
        .find_also_related(organization::Entity)
        .all(&state.db)
        .await?;
    let mut by_alliance: HashMap<Uuid, Vec<organization::Model>> = HashMap::new();
    for (m, org) in memberships {
        if let Some(org) = org.filter(|_| m.is_member_on(today)) {
            by_alliance.entry(m.alliance_id).or_default().push(org);
        }
    }
    Ok(alliances
        .into_iter()
        .map(|a| {
            let members = by_alliance.remove(&a.id).unwrap_or_default();
            let find = |id: Uuid| members.iter().find(|o| o.id == id).cloned();
            DirectoryEntry { initiator: find(a.initiator_org_id), lead: find(a.lead_org_id), members, alliance: a }
        })
        .collect())
}
