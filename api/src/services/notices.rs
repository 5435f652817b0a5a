//! Who is told about alliance events: the initiator's users and the bureau.
//! Notification rows are written in the caller's transaction.

use chrono::{DateTime, Utc};
use entities::{Role, models::user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::ApiResult;

/// Active users of `org` plus bureau staff and admins.
///
/// # Errors
/// Database errors.
pub async fn initiator_and_bureau_users(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Vec<Uuid>> {
    let ids: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Disabled.eq(false))
        .filter(
            sea_orm::Condition::any()
                .add(user::Column::OrganizationId.eq(org))
                .add(user::Column::Role.is_in([Role::BureauAdmin, Role::BureauStaff])),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids)
}

/// Active users of any of `orgs`.
///
/// # Errors
/// Database errors.
pub async fn org_users(db: &impl ConnectionTrait, orgs: &[Uuid]) -> ApiResult<Vec<Uuid>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::OrganizationId.is_in(orgs.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

/// Active bureau staff and admins.
///
/// # Errors
/// Database errors.
pub async fn bureau_users(db: &impl ConnectionTrait) -> ApiResult<Vec<Uuid>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Role.is_in([Role::BureauAdmin, Role::BureauStaff]))
        .into_tuple()
        .all(db)
        .await?)
}

/// One in-app notification per recipient.
///
/// # Errors
/// Database errors.
pub async fn notify_initiator_and_bureau(
    db: &impl ConnectionTrait,
    org: Uuid,
    kind: &str,
    title: &str,
    body: &str,
    link: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for user_id in initiator_and_bureau_users(db, org).await? {
        jobs::notify::create(db, user_id, kind, title, body, Some(link), now).await?;
    }
    Ok(())
}
