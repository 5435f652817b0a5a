//! One report as its readers see it — the member list at period end, which
//! members filled their rows, the rows, 合计 and subtotals, the review rounds
//! — and the list of periods an alliance owes. Loaded in a fixed number of
//! queries.

use chrono::{Datelike, NaiveDate};
use entities::{
    models::{alliance_member, organization, report, report_round, report_row},
    report::{Period, RowCounts, Standing, Totals, days_until, outstanding::load_calendar, owed_periods, standing, totals},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Statement,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{Ctx, PeriodMember, deadlines, owed_alliance, period_list};
use crate::{
    auth::Caller,
    error::ApiResult,
    services::{
        alliances::{self, Access},
        sql::{self, Built, Dialect},
    },
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

/// The report statement (issue 20): the report of (alliance `$1`, period `$2`)
/// with its review rounds in order, one row per round (one with no round).
fn report_sql(d: Dialect) -> String {
    format!(
        "SELECT {r}, {rr} FROM reports r LEFT JOIN report_rounds rr ON rr.report_id = r.id \
         WHERE r.alliance_id = {alliance} AND r.period = {period} ORDER BY rr.round",
        r = sql::columns::<report::Column>("r", "A_"),
        rr = sql::columns::<report_round::Column>("rr", "B_"),
        alliance = d.param(1),
        period = d.param(2),
    )
}

/// The member statement (issue 20): memberships in creation order with their
/// organisation and their row of the report of period `$2` (if any), for
/// [`period_list`] — the member list and the rows in one round trip instead of
/// two. It names the report by its period, not its id, so it runs beside
/// [`report_with_rounds`] rather than after it.
fn member_sql(d: Dialect) -> String {
    format!(
        "SELECT {m}, {o}, {row} FROM alliance_members m JOIN organizations o ON o.id = m.organization_id \
         LEFT JOIN reports r ON r.alliance_id = m.alliance_id AND r.period = {period} \
         LEFT JOIN report_rows w ON w.report_id = r.id AND w.organization_id = m.organization_id \
         WHERE m.alliance_id = {alliance} ORDER BY m.created_at, m.id",
        m = sql::columns::<alliance_member::Column>("m", "A_"),
        o = sql::columns::<organization::Column>("o", "B_"),
        row = sql::columns::<report_row::Column>("w", "C_"),
        alliance = d.param(1),
        period = d.param(2),
    )
}

static REPORT_SQL: Built = Built::new(|| report_sql(Dialect { postgres: true }), || report_sql(Dialect { postgres: false }));
static MEMBER_SQL: Built = Built::new(|| member_sql(Dialect { postgres: true }), || member_sql(Dialect { postgres: false }));

/// The report of (alliance, period) with its rounds, in one statement.
///
/// # Errors
/// Database errors.
pub async fn report_with_rounds(
    db: &impl ConnectionTrait,
    alliance_id: Uuid,
    period: Period,
) -> ApiResult<(Option<report::Model>, Vec<report_round::Model>)> {
    let backend = db.get_database_backend();
    let values: [sea_orm::Value; 2] = [alliance_id.into(), period.code().into()];
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, REPORT_SQL.get(backend), values)).await?;
    let report = rows.first().map(|row| report::Model::from_query_result(row, "A_")).transpose()?;
    let mut rounds = Vec::new();
    for row in &rows {
        rounds.extend(report_round::Model::from_query_result_optional(row, "B_")?);
    }
    Ok((report, rounds))
}

/// The period's member list ([`period_list`]) with each required member's row of the period's report.
///
/// # Errors
/// Database errors.
pub async fn members_with_rows(db: &impl ConnectionTrait, alliance_id: Uuid, period: Period) -> ApiResult<Vec<MemberRow>> {
    let backend = db.get_database_backend();
    let values: [sea_orm::Value; 2] = [alliance_id.into(), period.code().into()];
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, MEMBER_SQL.get(backend), values)).await?;
    let mut list = Vec::with_capacity(rows.len());
    let organization_at = sql::count::<alliance_member::Column>();
    let row_at = organization_at + sql::count::<organization::Column>();
    for row in &rows {
        // By position: membership, organisation, row ([`member_sql`]).
        let membership = sql::member_at::read(row, 0)?;
        let organization = sql::organization_at::read(row, organization_at)?;
        let filled = sql::report_row_at::read_optional(row, row_at)?;
        list.push((membership, organization, filled));
    }
    Ok(period_list(list, period)
        .into_iter()
        .map(|(member, row)| MemberRow { row: if member.required { row } else { None }, member })
        .collect())
}

/// Assembles the report of `ctx` (its access decides what is shown).
///
/// # Errors
/// Database errors.
pub async fn assemble(db: &impl ConnectionTrait, ctx: Ctx) -> ApiResult<ReportView> {
    let ((report, rounds), all) =
        tokio::try_join!(report_with_rounds(db, ctx.alliance.id, ctx.period), members_with_rows(db, ctx.alliance.id, ctx.period))?;
    Ok(view_of(ctx, report, rounds, all))
}

/// The view of `ctx` from its report, rounds and member list.
fn view_of(ctx: Ctx, report: Option<report::Model>, rounds: Vec<report_round::Model>, all: Vec<MemberRow>) -> ReportView {
    let counted: Vec<(entities::OrgKind, RowCounts)> =
        all.iter().filter_map(|m| m.row.as_ref().map(|r| (r.org_kind, r.counts()))).collect();
    let totals = totals(counted.iter().map(|(k, c)| (*k, c)));
    let rows_required = all.iter().filter(|m| m.member.required).count();
    let rows_filled = all.iter().filter(|m| m.filled()).count();
    let (members, show_subtotals) = match ctx.access {
        Access::Bureau | Access::Initiator => (all, true),
        Access::Member(org) => (all.into_iter().filter(|m| m.member.organization.id == org).collect(), false),
    };
    ReportView { ctx, report, members, rows_required, rows_filled, totals, show_subtotals, rounds }
}

/// The report of `alliance_id` for `period`, as the caller may see it.
///
/// # Errors
/// 403/404 as [`context`].
pub async fn get(state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period) -> ApiResult<ReportView> {
    // Once the alliance is read and the caller's access and the period
    // checked, the calendar, the report and the member list are three
    // independent reads: run side by side on the pool (issue 20: one round
    // trip of latency instead of three). In a transaction they would queue.
    let db = &state.db;
    let (alliance, access) = owed_alliance(db, state, caller, alliance_id, period).await?;
    let (deadlines, (report, rounds), all) = tokio::try_join!(
        deadlines(db, state, period),
        report_with_rounds(db, alliance_id, period),
        members_with_rows(db, alliance_id, period)
    )?;
    let ctx = Ctx { alliance, access, period, deadlines, today: state.clock.today() };
    Ok(view_of(ctx, report, rounds, all))
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
    owed_of(state, &a, after, limit).await
}

/// [`owed`] for an alliance already loaded (and its access checked) by the caller.
///
/// # Errors
/// Database errors.
pub async fn owed_of(
    state: &AppState,
    a: &entities::models::alliance::Model,
    after: Option<Period>,
    limit: u64,
) -> ApiResult<(Vec<OwedPeriod>, Option<Period>)> {
    let alliance_id = a.id;
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
