//! Submission and bureau review (DESIGN §4): submit checks every filing rule
//! and answers all failures at once; bureau staff return with reasons per
//! item or register and issue 备案编号 `DGLM-YYYY-NNNN`; suspension and
//! dissolution with a reason. Every step is one transaction with its audit row.

use chrono::Datelike;
use entities::{
    alliance::{AllianceAction, AllianceStatus, FilingProblem, check_filing, transition},
    models::{alliance, alliance_round},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict, Query},
};
use serde_json::json;
use uuid::Uuid;

use super::{load, load_as_initiator, save_versioned, view};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    services::{idempotency, notices},
    state::AppState,
};

fn wrong_state(err: &entities::alliance::TransitionError) -> ApiError {
    ApiError::conflict("wrong_state", err.zh(), err.to_string())
}

/// 422 `filing_incomplete` listing every problem with its code.
fn incomplete(problems: &[FilingProblem]) -> ApiError {
    let mut e = ApiError::validation(problems.iter().map(|p| FieldMsg {
        field: p.field(),
        msg: Msg::new(p.zh(), p.en()),
        code: Some(p.code().to_string()),
        label: false,
    }));
    e.code = "filing_incomplete";
    e.details.title =
        Msg::new(format!("备案材料不符合要求（{}项）", problems.len()), format!("The filing is incomplete ({} problems)", problems.len()));
    e
}

/// The initiator submits. With an idempotency key a retry answers like the first call.
///
/// # Errors
/// 403/404, 409 `wrong_state` / `idempotency_key_reused`, 422 `filing_incomplete`.
pub async fn submit(state: &AppState, caller: &Caller, id: Uuid, key: Option<String>) -> ApiResult<()> {
    let now = state.clock.now();
    let today = state.clock.today();
    let request = format!("POST /alliances/{id}/submit");
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(k) = &key
        && idempotency::replay(&txn, caller.user_id, k, &request).await?.is_some()
    {
        return Ok(());
    }
    let before = load_as_initiator(&txn, caller, id).await?;
    let next = transition(before.status, AllianceAction::Submit).map_err(|e| wrong_state(&e))?;
    let v = view(&txn, before.clone(), today).await?;
    let problems = check_filing(&v.filing_facts(today));
    if !problems.is_empty() {
        return Err(incomplete(&problems));
    }
    let mut m: alliance::ActiveModel = before.clone().into();
    m.status = Set(next);
    m.submitted_at = Set(Some(now));
    m.status_reason = Set(None);
    m.version = Set(before.version + 1);
    m.updated_at = Set(now);
    let after = save_versioned(&txn, m, &before).await?;
    let round = v.rounds.last().map_or(1, |r| r.round + 1);
    alliance_round::ActiveModel {
        id: Set(Uuid::now_v7()),
        alliance_id: Set(id),
        round: Set(round),
        submitted_at: Set(now),
        submitted_by: Set(caller.user_id),
        decided_at: Set(None),
        decided_by: Set(None),
        outcome: Set(None),
        reasons: Set(None),
    }
    .insert(&txn)
    .await?;
    if let Some(k) = &key {
        idempotency::remember(&txn, caller.user_id, k, &request, &id.to_string(), now).await?;
    }
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("alliance.submitted", "alliance", id).before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(())
}

async fn open_round(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<alliance_round::Model> {
    alliance_round::Entity::find()
        .filter(alliance_round::Column::AllianceId.eq(id))
        .filter(alliance_round::Column::DecidedAt.is_null())
        .order_by_desc(alliance_round::Column::Round)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::conflict("wrong_state", "没有待审核的备案", "No submission awaits review"))
}

/// A reason for returning one item of the filing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReturnReason {
    pub item: String,
    pub reason: String,
}

/// Bureau staff return the filing with reasons per item.
///
/// # Errors
/// 403, 404, 409, 422 when no reason is given.
pub async fn return_filing(state: &AppState, caller: &Caller, id: Uuid, reasons: Vec<ReturnReason>) -> ApiResult<()> {
    caller.require_bureau()?;
    if reasons.is_empty() {
        return Err(ApiError::field("reasons", "退回须逐项说明理由", "Give at least one reason"));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (before, _) = load(&txn, caller, id).await?;
    let next = transition(before.status, AllianceAction::Return).map_err(|e| wrong_state(&e))?;
    let round = open_round(&txn, id).await?;
    let summary = reasons.iter().map(|r| format!("{}：{}", r.item, r.reason)).collect::<Vec<_>>().join("；");
    let mut m: alliance::ActiveModel = before.clone().into();
    m.status = Set(next);
    m.status_reason = Set(Some(summary.clone()));
    m.version = Set(before.version + 1);
    m.updated_at = Set(now);
    let after = save_versioned(&txn, m, &before).await?;
    alliance_round::ActiveModel {
        id: Set(round.id),
        decided_at: Set(Some(now)),
        decided_by: Set(Some(caller.user_id)),
        outcome: Set(Some(entities::RoundOutcome::Returned)),
        reasons: Set(Some(json!(reasons))),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("alliance.returned", "alliance", id).before(&before).after(&after)).await?;
    notices::notify_initiator_and_bureau(
        &txn,
        before.initiator_org_id,
        "alliance.returned",
        &format!("联盟备案“{}”被退回修改", before.name),
        &summary,
        &format!("/api/v1/alliances/{id}"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The next number of a series, inside the caller's transaction: the counter
/// row is locked until commit, so concurrent registrations queue and numbers
/// are consecutive; a rolled-back registration gives its number back.
pub(crate) async fn next_number(db: &impl ConnectionTrait, series: &str) -> ApiResult<i32> {
    let seed = Query::insert()
        .into_table("registration_counters")
        .columns(["series", "last_number"])
        .values_panic([series.into(), 0.into()])
        .on_conflict(OnConflict::column("series").do_nothing().to_owned())
        .to_owned();
    db.execute(&seed).await?;
    let bump = Query::update()
        .table("registration_counters")
        .value("last_number", Expr::col("last_number").add(1))
        .and_where(Expr::col("series").eq(series))
        .returning_col("last_number")
        .to_owned();
    let row = db.query_one(&bump).await?.ok_or_else(|| ApiError::internal(&"counter row missing"))?;
    Ok(row.try_get::<i32>("", "last_number")?)
}

/// Registers the filing and issues its 备案编号, after checking the filing
/// again exactly as submission does.
///
/// # Errors
/// 403, 404, 409 `wrong_state`, 422 `filing_incomplete` (the submission codes).
pub async fn register(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<String> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let today = state.clock.today();
    let txn = crate::db::begin_write(&state.db).await?;
    let (before, _) = load(&txn, caller, id).await?;
    let next = transition(before.status, AllianceAction::Register).map_err(|e| wrong_state(&e))?;
    let round = open_round(&txn, id).await?;
    // The filing is judged again as it stands today: a member's kind, a form or
    // a signature may have changed since submission (003 §二(二)(三)(六)).
    let problems = check_filing(&view(&txn, before.clone(), today).await?.filing_facts(today));
    if !problems.is_empty() {
        return Err(incomplete(&problems));
    }
    let series = format!("DGLM-{}", today.year());
    let number = format!("{series}-{:04}", next_number(&txn, &series).await?);
    let mut m: alliance::ActiveModel = before.clone().into();
    m.status = Set(next);
    m.registration_no = Set(Some(number.clone()));
    m.registered_on = Set(Some(today));
    m.status_reason = Set(None);
    m.version = Set(before.version + 1);
    m.updated_at = Set(now);
    let after = save_versioned(&txn, m, &before).await?;
    alliance_round::ActiveModel {
        id: Set(round.id),
        decided_at: Set(Some(now)),
        decided_by: Set(Some(caller.user_id)),
        outcome: Set(Some(entities::RoundOutcome::Registered)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("alliance.registered", "alliance", id).before(&before).after(&after)).await?;
    notices::notify_initiator_and_bureau(
        &txn,
        before.initiator_org_id,
        "alliance.registered",
        &format!("联盟“{}”已予备案，备案编号{number}", before.name),
        "",
        &format!("/api/v1/alliances/{id}"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(number)
}

/// Suspend, reinstate or dissolve (bureau staff), with a reason.
///
/// # Errors
/// 403, 404, 409, 422 missing reason.
pub async fn change_status(state: &AppState, caller: &Caller, id: Uuid, action: AllianceAction, reason: Option<String>) -> ApiResult<()> {
    caller.require_bureau()?;
    if reason.is_none() && matches!(action, AllianceAction::Suspend | AllianceAction::Dissolve) {
        return Err(ApiError::field("reason", "暂停或解散须说明理由", "A reason is required"));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (before, _) = load(&txn, caller, id).await?;
    let next = transition(before.status, action).map_err(|e| wrong_state(&e))?;
    let mut m: alliance::ActiveModel = before.clone().into();
    m.status = Set(next);
    m.status_reason = Set(reason.clone());
    m.version = Set(before.version + 1);
    m.updated_at = Set(now);
    let after = save_versioned(&txn, m, &before).await?;
    let verb = match next {
        AllianceStatus::Suspended => "suspended",
        AllianceStatus::Dissolved => "dissolved",
        _ => "reinstated",
    };
    audit::record(&txn, Actor(Some(caller)), now, Entry::new(&format!("alliance.{verb}"), "alliance", id).before(&before).after(&after))
        .await?;
    let title = format!("联盟“{}”{}", before.name, action.label_zh());
    notices::notify_initiator_and_bureau(
        &txn,
        before.initiator_org_id,
        &format!("alliance.{verb}"),
        &title,
        reason.as_deref().unwrap_or(""),
        &format!("/api/v1/alliances/{id}"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
