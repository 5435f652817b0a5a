//! Recording sanctions (000 第二十二条). Fraud bans the organisation's credit
//! code for 5 years from the confirmation date (`entities::sanction`); the
//! ban is checked on every filing and application and ends by itself.
//! Fraud in certification linked to a published application revokes the
//! certification; fraud in development linked to a development project
//! terminates it; either takes the resource out of the catalogue and claws
//! back its payment, in the same transaction. A breach of the agreement is
//! recorded (and shown with the agreement), without a ban.

use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use entities::{
    models::{application, clawback, organization, payment, resource, sanction},
    resource::{ApplicationAction, ApplicationStatus, transition},
    sanction::{SanctionKind, ban_ends_on},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
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
/// 403, 422 unknown organisation, a confirmation date in the future, or a
/// linked application that is not the organisation's.
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
    let linked = match n.application_id {
        None => None,
        Some(id) => Some(
            application::Entity::find_by_id(id)
                .filter(application::Column::OrganizationId.eq(org.id))
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::field("application_id", "该单位没有这项申报", "No such application of this organisation"))?,
        ),
    };
    let m = sanction::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org.id),
        credit_code: Set(org.credit_code),
        kind: Set(n.kind.code().into()),
        confirmed_on: Set(n.confirmed_on),
        ban_until: Set(ban_ends_on(n.kind, n.confirmed_on)),
        description: Set(n.description),
        application_id: Set(n.application_id),
        ban_ended_at: Set(None),
        created_by: Set(caller.user_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("sanction.recorded", "sanction", m.id).after(&m)).await?;
    if let Some(app) = linked {
        let today = state.clock.today();
        match n.kind {
            SanctionKind::FraudInCertification if app.status == ApplicationStatus::Published => {
                let reason = format!("弄虚作假获取认定，已取消认定（违规确认日期：{}）", m.confirmed_on);
                end(&txn, caller, &m, &app, ApplicationAction::Revoke, reason, now, today).await?;
            }
            // 000 第二十二条(二): 因弄虚作假，被终止该项目开发.
            SanctionKind::FraudInDevelopment if transition(app.status, ApplicationAction::Terminate, app.category).is_ok() => {
                let reason = format!("开发过程中弄虚作假，已终止项目开发（违规确认日期：{}）", m.confirmed_on);
                end(&txn, caller, &m, &app, ApplicationAction::Terminate, reason, now, today).await?;
            }
            _ => {}
        }
    }
    txn.commit().await?;
    Ok(m)
}

/// 000 第二十二条: 取消该认定项目 (`Revoke`) or 终止该项目开发 (`Terminate`),
/// 追回已发放的资金 — the application is revoked or terminated, its resource
/// (if published) leaves the catalogue, its payment (if any) is clawed back.
#[allow(clippy::too_many_arguments)]
async fn end(
    txn: &impl ConnectionTrait,
    caller: &Caller,
    s: &sanction::Model,
    app: &application::Model,
    action: ApplicationAction,
    reason: String,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> ApiResult<()> {
    let next = transition(app.status, action, app.category).map_err(|e| crate::services::resources::wrong_state(&e))?;
    let after = crate::services::resources::save_status(txn, app, next, Some(reason), now).await?;
    let verb = if next == ApplicationStatus::Terminated { "application.terminated" } else { "application.revoked" };
    audit::record(txn, Actor(Some(caller)), now, Entry::new(verb, "application", app.id).before(app).after(&after)).await?;
    if let Some(r) = resource::Entity::find().filter(resource::Column::ApplicationId.eq(app.id)).one(txn).await? {
        let mut m: resource::ActiveModel = r.clone().into();
        m.revoked_on = Set(Some(today));
        let revoked = m.update(txn).await?;
        audit::record(txn, Actor(Some(caller)), now, Entry::new("resource.revoked", "resource", r.id).before(&r).after(&revoked)).await?;
    }
    let paid = payment::Entity::find().filter(payment::Column::ApplicationId.eq(app.id)).one(txn).await?;
    if let Some((p, amount)) = paid.and_then(|p| p.status.clawback_amount(p.amount).map(|a| (p, a))) {
        let mut m: payment::ActiveModel = p.clone().into();
        m.status = Set(entities::resource::funding::PaymentStatus::ClawedBack);
        m.updated_at = Set(now);
        let clawed = m.update(txn).await?;
        audit::record(txn, Actor(Some(caller)), now, Entry::new("payment.clawed_back", "payment", p.id).before(&p).after(&clawed)).await?;
        let c = clawback::ActiveModel {
            id: Set(Uuid::now_v7()),
            payment_id: Set(p.id),
            sanction_id: Set(s.id),
            organization_id: Set(p.organization_id),
            amount: Set(amount),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        audit::record(txn, Actor(Some(caller)), now, Entry::new("clawback.recorded", "clawback", c.id).after(&c)).await?;
    }
    Ok(())
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

/// The names of the organisations of `rows` (a page of [`list`]), in one statement.
///
/// # Errors
/// 403.
pub async fn organisation_names(
    state: &AppState,
    caller: &Caller,
    rows: &[sanction::Model],
) -> ApiResult<std::collections::HashMap<Uuid, String>> {
    caller.require_bureau()?;
    let ids: Vec<Uuid> = rows.iter().map(|s| s.organization_id).collect();
    let names: Vec<(Uuid, String)> = organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .column(organization::Column::Name)
        .filter(organization::Column::Id.is_in(ids))
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(names.into_iter().collect())
}
