//! Recording sanctions (000 第二十二条). Fraud bans the organisation's credit
//! code for 5 years from the confirmation date (`entities::sanction`); the
//! ban is checked on every filing and application and ends by itself.
//! (Revocation of certifications, catalogue removal and claw-backs come with
//! the skill-resource issues.)

use chrono::NaiveDate;
use entities::{
    models::{organization, sanction},
    sanction::{SanctionKind, ban_ends_on},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

pub struct NewSanction {
    pub organization_id: Uuid,
    pub kind: SanctionKind,
    pub confirmed_on: NaiveDate,
    pub description: String,
    pub application_id: Option<Uuid>,
}

/// # Errors
/// 403, 422 unknown organisation or a confirmation date in the future.
pub async fn create(state: &AppState, caller: &Caller, n: NewSanction) -> ApiResult<sanction::Model> {
    caller.require_bureau()?;
    if n.confirmed_on > state.clock.today() {
        return Err(ApiError::field("confirmed_on", "认定日期不能晚于今天", "confirmed_on cannot be in the future"));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let org = organization::Entity::find_by_id(n.organization_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::field("organization_id", "单位不存在", "No such organisation"))?;
    let m = sanction::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org.id),
        credit_code: Set(org.credit_code),
        kind: Set(n.kind.code().into()),
        confirmed_on: Set(n.confirmed_on),
        ban_until: Set(ban_ends_on(n.kind, n.confirmed_on)),
        description: Set(n.description),
        application_id: Set(n.application_id),
        created_by: Set(caller.user_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("sanction.recorded", "sanction", m.id).after(&m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// # Errors
/// 403.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    organization_id: Option<Uuid>,
    page: PageParams,
) -> ApiResult<(Vec<sanction::Model>, Option<String>)> {
    caller.require_bureau()?;
    let mut q = sanction::Entity::find().order_by_asc(sanction::Column::Id).limit(page.fetch());
    if let Some(org) = organization_id {
        q = q.filter(sanction::Column::OrganizationId.eq(org));
    }
    if let Some(after) = page.after {
        q = q.filter(sanction::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |s| s.id))
}
