//! Mail about skill-resource applications (DESIGN §6: the applicant is told
//! at each step; the objector is told the outcome). Written in the caller's
//! transaction through [`crate::outbox::enqueue`]; one message per step and
//! recipient, ever (dedupe key).

use chrono::{DateTime, Utc};
use entities::{
    Role,
    models::{application, audit_log, user},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use crate::outbox::{self, OutgoingMail};

/// Active org_user accounts of the applicant organisation that have an e-mail address.
///
/// # Errors
/// Database errors.
pub async fn applicant_recipients(db: &impl ConnectionTrait, org: Uuid) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .filter(user::Column::Role.eq(Role::OrgUser))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Email.is_not_null())
        .all(db)
        .await
}

/// Tells the applicant's users that `app` reached its current status, with `message`.
///
/// # Errors
/// Rendering and database errors.
pub async fn notify_applicant(
    db: &impl ConnectionTrait,
    app: &application::Model,
    message: &str,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    notify_applicant_once(db, app, &app.status.code(), message, base_url, now).await
}

/// As [`notify_applicant`], once per `event` (instead of once per status):
/// for steps that do not change the status (a comment period ending).
///
/// # Errors
/// Rendering and database errors.
pub async fn notify_applicant_once(
    db: &impl ConnectionTrait,
    app: &application::Model,
    event: &str,
    message: &str,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let step = app.status.label_zh();
    let mut sent = 0;
    for u in applicant_recipients(db, app.organization_id).await? {
        let Some(email) = u.email.clone() else { continue };
        let mail = OutgoingMail {
            to_address: email,
            to_user_id: Some(u.id),
            template: "application_step",
            vars: json!({
                "recipient_name": u.display_name,
                "title": app.title,
                "number": app.number.clone().unwrap_or_else(|| "—".into()),
                "step": step,
                "message": message,
                "link": format!("{base_url}/applications/{}", app.id),
            }),
            dedupe_key: Some(format!("application:{}:{event}:{}", app.id, u.id)),
        };
        if outbox::enqueue(db, mail, now).await?.is_some() {
            sent += 1;
        }
    }
    Ok(sent)
}

/// An audit row written by the system (jobs), in the caller's transaction.
///
/// # Errors
/// Database errors.
pub async fn audit_system(
    db: &impl ConnectionTrait,
    action: &str,
    entity_type: &str,
    entity_id: Uuid,
    before: serde_json::Value,
    after: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_id: Set(None),
        actor_role: Set(None),
        action: Set(action.to_string()),
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id.to_string()),
        before: Set(Some(before)),
        after: Set(Some(after)),
        request_id: Set(None),
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Active bureau accounts (staff and admin) with an e-mail address, by id.
///
/// # Errors
/// Database errors.
pub async fn bureau_recipients(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, DbErr> {
    use sea_orm::QueryOrder;
    user::Entity::find()
        .filter(user::Column::Role.is_in([Role::BureauStaff, Role::BureauAdmin]))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Email.is_not_null())
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
}
