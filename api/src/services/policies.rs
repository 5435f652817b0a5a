//! Policy documents and their validity (DESIGN §4): bureau_admin keeps them;
//! everyone signed in reads them with their state flagged.

use chrono::NaiveDate;
use entities::{Role, models::policy_document};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// The filing types a policy can govern.
pub const FILING_TYPES: [&str; 2] = ["alliance_filing", "skill_resource"];

#[derive(Debug, Clone)]
pub struct PolicyFields {
    pub title: String,
    pub number: String,
    pub issuer: String,
    pub effective_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub governs: Option<String>,
}

fn check(f: &PolicyFields) -> ApiResult<()> {
    if f.valid_until.is_some_and(|u| u < f.effective_from) {
        return Err(ApiError::field("valid_until", "有效期截止日不能早于生效日", "valid_until is before effective_from"));
    }
    if f.governs.as_deref().is_some_and(|g| !FILING_TYPES.contains(&g)) {
        return Err(ApiError::field(
            "governs",
            "适用事项须为 alliance_filing 或 skill_resource",
            "governs must be alliance_filing or skill_resource",
        ));
    }
    Ok(())
}

/// # Errors
/// Database errors.
pub async fn list(state: &AppState) -> ApiResult<Vec<policy_document::Model>> {
    Ok(policy_document::Entity::find().order_by_asc(policy_document::Column::EffectiveFrom).all(&state.db).await?)
}

/// # Errors
/// 403, 422.
pub async fn create(state: &AppState, caller: &Caller, f: PolicyFields) -> ApiResult<policy_document::Model> {
    caller.require(&[Role::BureauAdmin])?;
    check(&f)?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let m = policy_document::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(f.title),
        number: Set(f.number),
        issuer: Set(f.issuer),
        effective_from: Set(f.effective_from),
        valid_until: Set(f.valid_until),
        governs: Set(f.governs),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("policy.created", "policy_document", m.id).after(&m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// # Errors
/// 403, 404, 422.
pub async fn update(state: &AppState, caller: &Caller, id: Uuid, f: PolicyFields) -> ApiResult<policy_document::Model> {
    caller.require(&[Role::BureauAdmin])?;
    check(&f)?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before =
        policy_document::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| ApiError::not_found("政策文件", "Policy document"))?;
    let after = policy_document::ActiveModel {
        id: Set(id),
        title: Set(f.title),
        number: Set(f.number),
        issuer: Set(f.issuer),
        effective_from: Set(f.effective_from),
        valid_until: Set(f.valid_until),
        governs: Set(f.governs),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("policy.updated", "policy_document", id).before(&before).after(&after))
        .await?;
    txn.commit().await?;
    Ok(after)
}
