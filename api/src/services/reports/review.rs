//! The year-end summary, submission and bureau review (003 §二(七), DESIGN
//! §5). Submission needs every member's rows and, for H2, the summary; it is
//! marked late, with days late, when after the due date (judged on the first
//! submission: correcting a returned report does not make it late). Every
//! round is kept. Each step is one transaction with its audit row.

use entities::{
    RoundOutcome,
    models::{report, report_round},
    report::{Period, ReportAction, ReportStatus, ReportTransitionError, late_days, transition},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, context, editable_report, find_report, training_totals, view::assemble};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    services::{
        alliances::{Access, check_document, not_initiator},
        calendar::calendar_error,
        idempotency, notices,
    },
    state::AppState,
};

fn wrong_state(err: &ReportTransitionError) -> ApiError {
    ApiError::conflict("wrong_state", err.zh(), err.to_string())
}

fn require_initiator(ctx: &Ctx) -> ApiResult<()> {
    if ctx.access == Access::Initiator { Ok(()) } else { Err(not_initiator()) }
}

async fn save_versioned(db: &impl ConnectionTrait, m: report::ActiveModel, before: &report::Model) -> ApiResult<report::Model> {
    let res = report::Entity::update_many()
        .set(m)
        .filter(report::Column::Id.eq(before.id))
        .filter(report::Column::Version.eq(before.version))
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::conflict("version_conflict", "报送已被他人修改，请刷新后重试", "Changed by someone else; reload and retry"));
    }
    report::Entity::find_by_id(before.id).one(db).await?.ok_or_else(|| ApiError::not_found("报送", "Report"))
}

/// The initiator writes the year-end work summary (H2 only): text, and
/// optionally a document of its organisation.
///
/// # Errors
/// 403/404, 409 `wrong_state`, 422 `summary_year_end_only` / document.
pub async fn save_summary(
    state: &AppState,
    caller: &Caller,
    alliance_id: Uuid,
    period: Period,
    text: String,
    document_id: Option<Uuid>,
) -> ApiResult<()> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let ctx = context(&txn, state, caller, alliance_id, period).await?;
    require_initiator(&ctx)?;
    if !period.is_year_end() {
        return Err(ApiError::field(
            "period",
            "年终工作总结随下半年度（H2）报送（《实施意见》二(七)）",
            "The year-end summary belongs to the second half (H2)",
        ));
    }
    check_document(&txn, caller, "summary_document_id", document_id).await?;
    let before = editable_report(&txn, &ctx, now).await?;
    let m = report::ActiveModel {
        summary_text: Set(Some(text)),
        summary_doc_id: Set(document_id),
        version: Set(before.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let after = save_versioned(&txn, m, &before).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("report.summary_saved", "report", after.id).before(&before).after(&after))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// 422 `report_incomplete` listing every missing piece.
fn incomplete(problems: Vec<FieldMsg>) -> ApiError {
    let n = problems.len();
    let mut e = ApiError::validation(problems);
    e.code = "report_incomplete";
    e.details.title = Msg::new(format!("报送内容不完整（{n}项）"), format!("The report is incomplete ({n} problems)"));
    e
}

/// The initiator submits the report. With an idempotency key a retry answers like the first call.
///
/// # Errors
/// 403/404, 409 `wrong_state` / `period_not_ended` / `idempotency_key_reused`,
/// 422 `report_incomplete` / `calendar_year_missing`.
pub async fn submit(state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period, key: Option<String>) -> ApiResult<()> {
    let now = state.clock.now();
    let request = format!("POST /alliances/{alliance_id}/reports/{period}/submit");
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(k) = &key
        && idempotency::replay(&txn, caller.user_id, k, &request).await?.is_some()
    {
        return Ok(());
    }
    let ctx = context(&txn, state, caller, alliance_id, period).await?;
    require_initiator(&ctx)?;
    if ctx.today <= period.end() {
        return Err(ApiError::conflict(
            "period_not_ended",
            format!("{}尚未结束（截至{}），结束后方可报送", period.label_zh(), period.end()),
            format!("{period} has not ended yet ({})", period.end()),
        ));
    }
    let due = &ctx.deadlines.report;
    if due.provisional && ctx.today > due.nominal {
        // Lateness is recorded for good: it is not judged on an unmoved date.
        return Err(calendar_error(&entities::calendar::CalendarError::YearMissing(chrono::Datelike::year(&due.nominal))));
    }
    let current = find_report(&txn, alliance_id, period).await?;
    if let Some(r) = &current {
        transition(r.status, ReportAction::Submit).map_err(|e| wrong_state(&e))?;
    }
    let v = assemble(&txn, ctx.clone()).await?;
    let mut problems: Vec<FieldMsg> = v
        .members
        .iter()
        .filter(|m| m.member.required && !m.filled())
        .map(|m| FieldMsg {
            field: format!("rows[{}]", m.member.organization.id),
            msg: Msg::new(
                format!("成员单位“{}”尚未填报本期基本情况和工作进展", m.member.organization.name),
                format!("Member {} has not filled its rows", m.member.organization.name),
            ),
            code: Some("member_rows_missing".into()),
            label: false,
        })
        .collect();
    if period.is_year_end() && current.as_ref().is_none_or(|r| r.summary_text.is_none()) {
        problems.push(FieldMsg {
            field: "summary_text".into(),
            msg: Msg::new("下半年度报送须附年终工作总结（《实施意见》二(七)）", "The H2 report needs the year-end work summary"),
            code: Some("summary_missing".into()),
            label: false,
        });
    }
    if !problems.is_empty() {
        return Err(incomplete(problems));
    }
    let before = current.ok_or_else(|| incomplete(Vec::new()))?;
    let next = transition(before.status, ReportAction::Submit).map_err(|e| wrong_state(&e))?;
    let days_after_due = late_days(ctx.today, due.due);
    let m = report::ActiveModel {
        status: Set(next),
        submitted_at: Set(Some(now)),
        first_submitted_at: Set(Some(before.first_submitted_at.unwrap_or(now))),
        late_days: Set(Some(before.late_days.unwrap_or_else(|| i32::try_from(days_after_due).unwrap_or(i32::MAX)))),
        member_rows_due_on: Set(ctx.deadlines.member_rows.due),
        report_due_on: Set(due.due),
        decided_at: Set(None),
        version: Set(before.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let after = save_versioned(&txn, m, &before).await?;
    let round = v.rounds.last().map_or(1, |r| r.round + 1);
    report_round::ActiveModel {
        id: Set(Uuid::now_v7()),
        report_id: Set(before.id),
        round: Set(round),
        submitted_at: Set(now),
        submitted_by: Set(caller.user_id),
        days_after_due: Set(i32::try_from(days_after_due).unwrap_or(i32::MAX)),
        decided_at: Set(None),
        decided_by: Set(None),
        outcome: Set(None),
        reasons: Set(None),
        comment: Set(None),
    }
    .insert(&txn)
    .await?;
    training_totals::refresh_report(&txn, after.id, period).await?;
    if let Some(k) = &key {
        idempotency::remember(&txn, caller.user_id, k, &request, &before.id.to_string(), now).await?;
    }
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("report.submitted", "report", after.id).before(&before).after(&after)).await?;
    let late = after.late_days.unwrap_or(0);
    let body = if late > 0 { format!("逾期{late}天报送") } else { String::new() };
    notices::notify_initiator_and_bureau(
        &txn,
        ctx.alliance.initiator_org_id,
        "report.submitted",
        &format!("联盟“{}”已报送{}", ctx.alliance.name, period.label_zh()),
        &body,
        &format!("/api/v1/alliances/{alliance_id}/reports/{period}"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A reason for returning one item of the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReturnReason {
    pub item: String,
    pub reason: String,
}

/// Bureau staff decide the open round: accept (optional comment) or return (reasons).
#[derive(Debug, Clone)]
pub enum Decision {
    Accept { comment: Option<String> },
    Return { reasons: Vec<ReturnReason> },
}

/// Bureau staff accept or return a submitted report.
///
/// # Errors
/// 403, 404, 409 `wrong_state`, 422 when a return gives no reason.
pub async fn decide(state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period, decision: Decision) -> ApiResult<()> {
    caller.require_bureau()?;
    if let Decision::Return { reasons } = &decision
        && reasons.is_empty()
    {
        return Err(ApiError::field("reasons", "退回须逐项说明理由", "Give at least one reason"));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let ctx = context(&txn, state, caller, alliance_id, period).await?;
    let action = match decision {
        Decision::Accept { .. } => ReportAction::Accept,
        Decision::Return { .. } => ReportAction::Return,
    };
    let before = find_report(&txn, alliance_id, period)
        .await?
        .ok_or_else(|| wrong_state(&ReportTransitionError { from: ReportStatus::Draft, action }))?;
    let next = transition(before.status, action).map_err(|e| wrong_state(&e))?;
    let round = report_round::Entity::find()
        .filter(report_round::Column::ReportId.eq(before.id))
        .filter(report_round::Column::DecidedAt.is_null())
        .order_by_desc(report_round::Column::Round)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::conflict("wrong_state", "没有待审核的报送", "No submission awaits review"))?;
    let m = report::ActiveModel {
        status: Set(next),
        decided_at: Set(Some(now)),
        version: Set(before.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let after = save_versioned(&txn, m, &before).await?;
    let (outcome, reasons, comment, summary) = match decision {
        Decision::Accept { comment } => (RoundOutcome::Accepted, None, comment.clone(), comment.unwrap_or_default()),
        Decision::Return { reasons } => {
            let summary = reasons.iter().map(|r| format!("{}：{}", r.item, r.reason)).collect::<Vec<_>>().join("；");
            (RoundOutcome::Returned, Some(json!(reasons)), None, summary)
        }
    };
    report_round::ActiveModel {
        id: Set(round.id),
        decided_at: Set(Some(now)),
        decided_by: Set(Some(caller.user_id)),
        outcome: Set(Some(outcome)),
        reasons: Set(reasons),
        comment: Set(comment),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    training_totals::refresh_report(&txn, after.id, period).await?;
    let action = format!("report.{}", outcome.code());
    audit::record(&txn, Actor(Some(caller)), now, Entry::new(&action, "report", after.id).before(&before).after(&after)).await?;
    let verb = if outcome == RoundOutcome::Accepted { "已审核通过" } else { "被退回修改" };
    notices::notify_initiator_and_bureau(
        &txn,
        ctx.alliance.initiator_org_id,
        &action,
        &format!("联盟“{}”的{}报送{verb}", ctx.alliance.name, period.label_zh()),
        &summary,
        &format!("/api/v1/alliances/{alliance_id}/reports/{period}"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
