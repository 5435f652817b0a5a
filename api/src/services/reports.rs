//! Half-year reports (seed 003 §二(七), DESIGN §5): every member unit fills
//! its rows of 附件2 and 附件3, the initiator adds the year-end summary (H2)
//! and submits, bureau staff accept or return.
//!
//! Access (DESIGN §3, [`super::alliances::load`]): bureau roles see every
//! report; the initiator sees all rows of its alliance; a member sees and
//! edits only its own rows plus the alliance's 合计; others get 404, experts 403.
//!
//! # Layout
//! - this file: the period context (alliance, access, due dates), the member list at period end
//! - [`view`]: one report assembled (rows, totals, rounds) and the periods an alliance owes
//! - [`rows`]: a member's rows: read (prefilled), write, "no change"
//! - [`review`]: year-end summary, submit, accept, return
//! - [`listing`]: the bureau's list of every alliance owing a period, computed in SQL
//! - [`export`]: XLSX (附件2 and 附件3 as in the seed) and CSV

pub mod export;
pub mod listing;
pub mod review;
pub mod rows;
pub mod training_totals;
pub mod view;

use chrono::NaiveDate;
use entities::{
    models::{alliance, alliance_member, organization, report},
    report::{Deadlines, Period, ReportStatus, outstanding::load_calendar, period::is_owed},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::OnConflict};
use uuid::Uuid;

use super::alliances::{self, Access};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// 404 for a period the alliance does not owe (before registration, or not begun).
pub fn period_not_owed(period: Period) -> ApiError {
    ApiError::not_found(&format!("该联盟的{}报送", period.label_zh()), &format!("Report {period} of this alliance"))
}

/// 409 for writes to a report that is submitted or accepted.
pub fn not_editable(status: ReportStatus) -> ApiError {
    ApiError::conflict(
        "wrong_state",
        format!("报送当前状态为“{}”，不能修改", status.label_zh()),
        format!("The report is {status:?} and cannot be changed"),
    )
}

/// Due dates of `period` under the configured rules and the calendar in the database.
///
/// # Errors
/// Database errors.
pub async fn deadlines(db: &impl ConnectionTrait, state: &AppState, period: Period) -> ApiResult<Deadlines> {
    // Due dates fall in the period's year or the next.
    let cal = load_calendar(db, period.year(), period.year() + 1).await?;
    Ok(period.deadlines(state.settings.reports.rules(), &cal))
}

/// One alliance, one period, and who is asking.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub alliance: alliance::Model,
    pub access: Access,
    pub period: Period,
    pub deadlines: Deadlines,
    pub today: NaiveDate,
}

impl Ctx {
    /// The member rows are past due: the initiator may fill them (DESIGN §5).
    #[must_use]
    pub fn member_rows_late(&self) -> bool {
        self.today > self.deadlines.member_rows.due
    }
}

/// Loads the alliance (access rules of [`alliances::load`]) and checks it
/// owes `period`.
///
/// # Errors
/// 403 experts, 404 unrelated alliances and periods not owed.
pub async fn context(db: &impl ConnectionTrait, state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period) -> ApiResult<Ctx> {
    let (alliance, access) = owed_alliance(db, state, caller, alliance_id, period).await?;
    let deadlines = deadlines(db, state, period).await?;
    Ok(Ctx { alliance, access, period, deadlines, today: state.clock.today() })
}

/// The alliance (access rules of [`alliances::load`]) if it owes `period`.
///
/// # Errors
/// 403 experts, 404 unrelated alliances and periods not owed.
pub async fn owed_alliance(
    db: &impl ConnectionTrait,
    state: &AppState,
    caller: &Caller,
    alliance_id: Uuid,
    period: Period,
) -> ApiResult<(alliance::Model, Access)> {
    let (alliance, access) = alliances::load(db, caller, alliance_id).await?;
    match alliance.registered_on {
        Some(registered) if is_owed(registered, period, state.clock.today()) => Ok((alliance, access)),
        _ => Err(period_not_owed(period)),
    }
}

/// One membership shown on a period's member list.
#[derive(Debug, Clone)]
pub struct PeriodMember {
    pub organization: organization::Model,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    /// A member on the period's last day: its rows are required.
    pub required: bool,
}

impl PeriodMember {
    #[must_use]
    pub fn joined_in(&self, period: Period) -> bool {
        self.joined_on.is_some_and(|d| period.contains(d))
    }

    #[must_use]
    pub fn left_in(&self, period: Period) -> bool {
        self.left_on.is_some_and(|d| period.contains(d))
    }
}

/// The member list of a period (003 §二(七) "联盟成员单位名单"): members on
/// its last day, plus those who left during it (shown, not required). An
/// organisation that left and rejoined appears once, as required.
///
/// # Errors
/// Database errors.
pub async fn members_at_end(db: &impl ConnectionTrait, alliance_id: Uuid, period: Period) -> ApiResult<Vec<PeriodMember>> {
    let rows = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.eq(alliance_id))
        .order_by_asc(alliance_member::Column::CreatedAt)
        .order_by_asc(alliance_member::Column::Id)
        .find_also_related(organization::Entity)
        .all(db)
        .await?;
    let rows = rows.into_iter().filter_map(|(m, org)| org.map(|o| (m, o, ())));
    Ok(period_list(rows.collect(), period).into_iter().map(|(m, ())| m).collect())
}

/// The member list of [`members_at_end`] from memberships in creation order,
/// each with its organisation and something carried along (`T`).
pub fn period_list<T>(rows: Vec<(alliance_member::Model, organization::Model, T)>, period: Period) -> Vec<(PeriodMember, T)> {
    let end = period.end();
    let required: Vec<Uuid> = rows.iter().filter(|(m, _, _)| m.is_member_on(end)).map(|(m, _, _)| m.organization_id).collect();
    let mut out: Vec<(PeriodMember, T)> = Vec::new();
    for (m, organization, extra) in rows {
        let is_required = m.is_member_on(end);
        let left_during = m.left_on.is_some_and(|d| period.contains(d));
        let shown = is_required || (left_during && !required.contains(&m.organization_id));
        if shown && !out.iter().any(|(p, _)| p.organization.id == organization.id) {
            out.push((PeriodMember { organization, joined_on: m.joined_on, left_on: m.left_on, required: is_required }, extra));
        }
    }
    out
}

/// The report of (alliance, period), if anything was written.
///
/// # Errors
/// Database errors.
pub async fn find_report(db: &impl ConnectionTrait, alliance_id: Uuid, period: Period) -> ApiResult<Option<report::Model>> {
    Ok(report::Entity::find()
        .filter(report::Column::AllianceId.eq(alliance_id))
        .filter(report::Column::Period.eq(period.code()))
        .one(db)
        .await?)
}

/// The report of the context, created as a draft on the first write. Two
/// first writes at once both succeed (`ON CONFLICT DO NOTHING`, then read).
///
/// # Errors
/// 409 when the report is not editable; database errors.
pub async fn editable_report(db: &impl ConnectionTrait, ctx: &Ctx, now: chrono::DateTime<chrono::Utc>) -> ApiResult<report::Model> {
    if let Some(r) = find_report(db, ctx.alliance.id, ctx.period).await? {
        return if r.status.is_editable() { Ok(r) } else { Err(not_editable(r.status)) };
    }
    let draft = report::ActiveModel {
        id: Set(Uuid::now_v7()),
        alliance_id: Set(ctx.alliance.id),
        period: Set(ctx.period.code()),
        status: Set(ReportStatus::Draft),
        member_rows_due_on: Set(ctx.deadlines.member_rows.due),
        report_due_on: Set(ctx.deadlines.report.due),
        submitted_at: Set(None),
        first_submitted_at: Set(None),
        late_days: Set(None),
        summary_text: Set(None),
        summary_doc_id: Set(None),
        decided_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    report::Entity::insert(draft)
        .on_conflict(OnConflict::columns([report::Column::AllianceId, report::Column::Period]).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    let r = find_report(db, ctx.alliance.id, ctx.period).await?.ok_or_else(|| ApiError::internal(&"report row missing after insert"))?;
    if r.status.is_editable() { Ok(r) } else { Err(not_editable(r.status)) }
}

/// Bumps the report's version and refreshes its stored due dates.
///
/// # Errors
/// Database errors.
pub async fn touch(
    db: &impl ConnectionTrait,
    r: &report::Model,
    ctx: &Ctx,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<report::Model> {
    Ok(report::ActiveModel {
        id: Set(r.id),
        member_rows_due_on: Set(ctx.deadlines.member_rows.due),
        report_due_on: Set(ctx.deadlines.report.due),
        version: Set(r.version + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await?)
}
