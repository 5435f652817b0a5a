//! One report as its readers see it — the member list at period end, which
//! members filled their rows, the rows, 合计 and subtotals, the review rounds
//! — and the list of periods an alliance owes. Loaded in a fixed number of
//! queries.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use entities::{
    models::{report, report_round, report_row},
    report::{Period, RowCounts, Standing, Totals, days_until, outstanding::load_calendar, owed_periods, standing, totals},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{Ctx, PeriodMember, context, find_report, members_at_end};
use crate::{
    auth::Caller,
    error::ApiResult,
    services::alliances::{self, Access},
    state::AppState,
};

/// A member of the period's list with its row, if filled.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub member: PeriodMember,
    pub row: Option<report_row::Model>,
}

impl MemberRow {
    /// Both tables entered: stored and not waiting for its 附件3
    /// (`entities::report::confirm`).
    #[must_use]
    pub fn filled(&self) -> bool {
        self.row.as_ref().is_some_and(|r| !r.progress_pending)
    }
}

/// Everything about one report.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub ctx: Ctx,
    pub report: Option<report::Model>,
    /// The whole list for bureau and initiator; only the caller's own entry for a member.
    pub members: Vec<MemberRow>,
    pub rows_required: usize,
    pub rows_filled: usize,
    /// Over the rows of required members.
    pub totals: Totals,
    /// False for a member: subtotals of a category with one unit would show
    /// another member's figures.
    pub show_subtotals: bool,
    pub rounds: Vec<report_round::Model>,
}

impl ReportView {
    #[must_use]
    pub fn standing(&self) -> Standing {
        report_standing(self.report.as_ref(), self.ctx.today, self.ctx.deadlines.report.due)
    }

    /// Days left to the report deadline (negative: overdue), while not submitted.
    #[must_use]
    pub fn days_to_deadline(&self) -> Option<i64> {
        matches!(self.standing(), Standing::NotStarted | Standing::InProgress | Standing::Overdue)
            .then(|| days_until(self.ctx.today, self.ctx.deadlines.report.due))
    }
}

/// [`standing`] of a stored report.
#[must_use]
pub fn report_standing(r: Option<&report::Model>, today: NaiveDate, due: NaiveDate) -> Standing {
    standing(r.map(|r| (r.status, r.late_days)), today, due)
}

/// Assembles the report of `ctx` (its access decides what is shown).
///
/// # Errors
/// Database errors.
pub async fn assemble(db: &impl ConnectionTrait, ctx: Ctx) -> ApiResult<ReportView> {
    let report = find_report(db, ctx.alliance.id, ctx.period).await?;
    let members = members_at_end(db, ctx.alliance.id, ctx.period).await?;
    let (rows, rounds) = match &report {
        Some(r) => (
            report_row::Entity::find().filter(report_row::Column::ReportId.eq(r.id)).all(db).await?,
            report_round::Entity::find()
                .filter(report_round::Column::ReportId.eq(r.id))
                .order_by_asc(report_round::Column::Round)
                .all(db)
                .await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut by_org: HashMap<Uuid, report_row::Model> = rows.into_iter().map(|r| (r.organization_id, r)).collect();
    let all: Vec<MemberRow> = members
        .into_iter()
        .map(|member| {
            let row = if member.required { by_org.remove(&member.organization.id) } else { None };
            MemberRow { member, row }
        })
        .collect();
    let counted: Vec<(entities::OrgKind, RowCounts)> =
        all.iter().filter_map(|m| m.row.as_ref().map(|r| (r.org_kind, r.counts()))).collect();
    let totals = totals(counted.iter().map(|(k, c)| (*k, c)));
    let rows_required = all.iter().filter(|m| m.member.required).count();
    let rows_filled = all.iter().filter(|m| m.filled()).count();
    let (members, show_subtotals) = match ctx.access {
        Access::Bureau | Access::Initiator => (all, true),
        Access::Member(org) => (all.into_iter().filter(|m| m.member.organization.id == org).collect(), false),
    };
    Ok(ReportView { ctx, report, members, rows_required, rows_filled, totals, show_subtotals, rounds })
}

/// The report of `alliance_id` for `period`, as the caller may see it.
///
/// # Errors
/// 403/404 as [`context`].
pub async fn get(state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period) -> ApiResult<ReportView> {
    let ctx = context(&state.db, state, caller, alliance_id, period).await?;
    assemble(&state.db, ctx).await
}

/// One period an alliance owes, with where it stands.
#[derive(Debug, Clone)]
pub struct OwedPeriod {
    pub period: Period,
    pub deadlines: entities::report::Deadlines,
    pub report: Option<report::Model>,
    pub standing: Standing,
    pub rows_filled: u64,
    pub today: NaiveDate,
}

/// The periods `alliance_id` owes, newest first, a page at a time
/// (`after`: the last period of the previous page).
///
/// # Errors
/// 403/404 as [`alliances::load`].
pub async fn owed(
    state: &AppState,
    caller: &Caller,
    alliance_id: Uuid,
    after: Option<Period>,
    limit: u64,
) -> ApiResult<(Vec<OwedPeriod>, Option<Period>)> {
    let (a, _) = alliances::load(&state.db, caller, alliance_id).await?;
    let today = state.clock.today();
    let mut periods = a.registered_on.map(|r| owed_periods(r, today)).unwrap_or_default();
    periods.reverse();
    let periods: Vec<Period> = periods.into_iter().filter(|p| after.is_none_or(|a| *p < a)).collect();
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = (periods.len() > take).then(|| periods.get(take.saturating_sub(1)).copied()).flatten();
    let page: Vec<Period> = periods.into_iter().take(take).collect();
    let codes: Vec<String> = page.iter().map(|p| p.code()).collect();
    let reports = report::Entity::find()
        .filter(report::Column::AllianceId.eq(alliance_id))
        .filter(report::Column::Period.is_in(codes))
        .all(&state.db)
        .await?;
    let ids: Vec<Uuid> = reports.iter().map(|r| r.id).collect();
    // Rows per report in one GROUP BY.
    let counts: Vec<(Uuid, i64)> = report_row::Entity::find()
        .select_only()
        .column(report_row::Column::ReportId)
        .expr(Expr::col(report_row::Column::Id).count())
        .filter(report_row::Column::ReportId.is_in(ids))
        .filter(report_row::Column::ProgressPending.eq(false))
        .group_by(report_row::Column::ReportId)
        .into_tuple()
        .all(&state.db)
        .await?;
    let years = page.iter().map(|p| p.year());
    let (first, last) = (years.clone().min().unwrap_or(today.year()), years.max().unwrap_or(today.year()));
    let cal = load_calendar(&state.db, first, last + 1).await?;
    let mut out = Vec::with_capacity(page.len());
    for period in page {
        let dl = period.deadlines(state.settings.reports.rules(), &cal);
        let report = reports.iter().find(|r| r.period == period.code()).cloned();
        let rows_filled =
            report.as_ref().and_then(|r| counts.iter().find(|(id, _)| *id == r.id)).map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
        let standing = report_standing(report.as_ref(), today, dl.report.due);
        out.push(OwedPeriod { period, deadlines: dl, report, standing, rows_filled, today });
    }
    Ok((out, next))
}
