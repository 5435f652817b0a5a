//! The bureau's dashboard (issue 8): one overview of a period computed by a
//! fixed, small number of SQL aggregates (`GROUP BY`, `COUNT`, `SUM`), never
//! by loading rows; the list of overdue reports, oldest first; exports.
//!
//! The 附件3 training totals are read from `report_training_totals`, each
//! report's sums per category kept with its status
//! (`services::reports::training_totals`), not from the member rows.
//!
//! # Layout
//! - this file: [`overview`] and its sections
//! - [`members`]: member units by kind, kept until a membership changes
//! - [`resources`]: applications, notices, funding, reassessments (issues 6, 7)
//! - [`overdue`]: `GET /dashboard/overdue`, keyset-paged by (period, alliance)
//! - [`export`]: the overview as XLSX (one sheet per section), the overdue list as CSV

pub mod export;
pub mod members;
pub mod overdue;
pub mod resources;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use entities::{
    OrgKind,
    alliance::AllianceStatus,
    calendar::Calendar,
    dashboard::{self as rules, Change},
    report::{Deadlines, Period, ProgressCounts, Standing, outstanding::load_calendar, sql},
};
use sea_orm::{
    ConnectionTrait, QueryResult,
    sea_query::{Alias, Cond, Expr, ExprTrait, Func, JoinType, Query, SelectStatement, UnionType},
};
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    services::reports::{listing::require_begun, training_totals},
    state::AppState,
};

/// Which period (and year) the overview is about.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub period: Period,
    /// The year of year-based sections (applications handed in, payments);
    /// the period's year unless given.
    pub year: i32,
}

/// `period` as `2026H1`, or `H1`/`H2` with `year`; only `year`: its latest
/// ended half (H1 while H2 has not ended); nothing: [`rules::default_period`].
///
/// # Errors
/// 422 naming `period` or `year` for values that do not parse, disagree,
/// or name a period that has not begun.
pub fn scope(year: Option<i32>, period: Option<&str>, today: NaiveDate) -> ApiResult<Scope> {
    let range = entities::calendar::YEAR_RANGE;
    let bad_year = || {
        ApiError::field(
            "year",
            format!("年份须在{}至{}之间", range.start(), range.end()),
            format!("year must be between {} and {}", range.start(), range.end()),
        )
    };
    if let Some(y) = year
        && Period::new(y, entities::report::Half::H1).is_none()
    {
        return Err(bad_year());
    }
    let period = match (period.map(str::trim).filter(|p| !p.is_empty()), year) {
        (Some(p), y) if p.len() == 2 => {
            let y =
                y.ok_or_else(|| ApiError::field("year", "报送期写作“H1”或“H2”时须同时给出年份", "year is required with period H1/H2"))?;
            Period::parse("period", &format!("{y}{p}")).map_err(|e| ApiError::validation([e]))?
        }
        (Some(p), y) => {
            let parsed = Period::parse("period", p).map_err(|e| ApiError::validation([e]))?;
            if y.is_some_and(|y| y != parsed.year()) {
                return Err(ApiError::field("year", "年份与报送期不一致", "year does not match period"));
            }
            parsed
        }
        (None, Some(y)) => {
            let h2 = Period::new(y, entities::report::Half::H2).ok_or_else(bad_year)?;
            let h1 = Period::new(y, entities::report::Half::H1).ok_or_else(bad_year)?;
            if h2.end() < today { h2 } else { h1 }
        }
        (None, None) => rules::default_period(today),
    };
    require_begun(period, today)?;
    Ok(Scope { period, year: year.unwrap_or(period.year()) })
}

/// One status of alliances with its count.
#[derive(Debug, Clone)]
pub struct AllianceFigures {
    pub total: u64,
    pub by_status: Vec<(AllianceStatus, u64)>,
    /// Registered or suspended alliances (those on file) per industry, largest first.
    pub by_industry: Vec<(String, u64)>,
}

impl AllianceFigures {
    /// Alliances registered (备案) and not suspended or dissolved.
    #[must_use]
    pub fn registered(&self) -> u64 {
        self.by_status.iter().find(|(s, _)| *s == AllianceStatus::Registered).map_or(0, |(_, n)| *n)
    }
}

/// Member units of alliances on file, today, per kind of organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFigures {
    /// Distinct organisations (one in two alliances counts once).
    pub units: u64,
    pub memberships: u64,
    /// (kind, units, memberships) in the order of 003 附件2.
    pub by_kind: Vec<(OrgKind, u64, u64)>,
}

/// Report compliance of one period.
#[derive(Debug, Clone)]
pub struct Compliance {
    pub period: Period,
    pub deadlines: Deadlines,
    /// Alliances owing the period.
    pub owed: u64,
    /// Count per standing, in [`Standing::ALL`] order.
    pub by_standing: Vec<(Standing, u64)>,
    /// Submitted at least once (submitted, late, accepted, returned).
    pub handed_in: u64,
    /// First submission on or before the due date.
    pub on_time: u64,
}

impl Compliance {
    #[must_use]
    pub fn count(&self, s: Standing) -> u64 {
        self.by_standing.iter().find(|(x, _)| *x == s).map_or(0, |(_, n)| *n)
    }

    /// Handed in ÷ owed, in ‰.
    #[must_use]
    pub fn handed_in_permille(&self) -> Option<u32> {
        rules::permille(self.handed_in, self.owed)
    }

    /// First handed in on time ÷ owed, in ‰ (the compliance rate).
    #[must_use]
    pub fn on_time_permille(&self) -> Option<u32> {
        rules::permille(self.on_time, self.owed)
    }
}

/// 附件3 figures: trainees and staff trained by level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Training {
    pub trainees: i64,
    pub senior_technician: i64,
    pub technician: i64,
    pub senior_worker: i64,
    pub intermediate_worker: i64,
    pub junior_worker: i64,
    pub special: i64,
    pub general_workers: i64,
}

use rules::TRAINING_COLUMNS;

impl Training {
    fn from_row(row: &QueryResult) -> ApiResult<Self> {
        Self::from_columns(row, "")
    }

    /// The sums in columns named `<prefix><column>` (`prefix` empty, or e.g. `cur_`).
    fn from_columns(row: &QueryResult, prefix: &str) -> ApiResult<Self> {
        let v = |c: &str| -> ApiResult<i64> { Ok(row.try_get::<Option<i64>>("", &format!("{prefix}{c}"))?.unwrap_or(0)) };
        Ok(Self {
            trainees: v(TRAINING_COLUMNS[0])?,
            senior_technician: v(TRAINING_COLUMNS[1])?,
            technician: v(TRAINING_COLUMNS[2])?,
            senior_worker: v(TRAINING_COLUMNS[3])?,
            intermediate_worker: v(TRAINING_COLUMNS[4])?,
            junior_worker: v(TRAINING_COLUMNS[5])?,
            special: v(TRAINING_COLUMNS[6])?,
            general_workers: v(TRAINING_COLUMNS[7])?,
        })
    }

    #[must_use]
    pub fn plus(&self, o: &Self) -> Self {
        Self {
            trainees: self.trainees + o.trainees,
            senior_technician: self.senior_technician + o.senior_technician,
            technician: self.technician + o.technician,
            senior_worker: self.senior_worker + o.senior_worker,
            intermediate_worker: self.intermediate_worker + o.intermediate_worker,
            junior_worker: self.junior_worker + o.junior_worker,
            special: self.special + o.special,
            general_workers: self.general_workers + o.general_workers,
        }
    }

    /// `(label, value)` in 附件3 column order.
    #[must_use]
    pub fn labelled(&self) -> [(&'static str, i64); 8] {
        [
            ("当期培训人数", self.trainees),
            ("高级技师", self.senior_technician),
            ("技师", self.technician),
            ("高级工", self.senior_worker),
            ("中级工", self.intermediate_worker),
            ("初级工", self.junior_worker),
            ("专项职业能力", self.special),
            ("普工", self.general_workers),
        ]
    }
}

impl From<&ProgressCounts> for Training {
    fn from(p: &ProgressCounts) -> Self {
        Self {
            trainees: p.trainees,
            senior_technician: p.trained_senior_technician,
            technician: p.trained_technician,
            senior_worker: p.trained_senior_worker,
            intermediate_worker: p.trained_intermediate_worker,
            junior_worker: p.trained_junior_worker,
            special: p.trained_special,
            general_workers: p.trained_general_workers,
        }
    }
}

/// Training figures of the period, with the previous period beside them.
#[derive(Debug, Clone)]
pub struct TrainingFigures {
    pub period: Period,
    pub previous_period: Option<Period>,
    pub total: Training,
    pub previous_total: Training,
    pub trainees_change: Change,
    /// Per category (the row's kind when written, as in the report's subtotals).
    pub by_category: Vec<(OrgKind, Training, Training)>,
    /// The alliances with the most trainees this period (ties by alliance id).
    pub top_alliances: Vec<AllianceTraining>,
    /// Trainees per period of the chart, oldest first.
    pub trainees_history: Vec<(Period, i64)>,
}

#[derive(Debug, Clone)]
pub struct AllianceTraining {
    pub alliance_id: Uuid,
    pub name: String,
    pub current: Training,
    pub previous: Training,
}

#[derive(Debug, Clone, Copy)]
pub struct BanFigures {
    pub active: u64,
    /// Distinct credit codes banned.
    pub organizations: u64,
    pub ending_within_90_days: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct MailFigures {
    pub dead: u64,
    pub pending: u64,
}

#[derive(Debug, Clone)]
pub struct OverdueFigures {
    pub total: u64,
    pub oldest_period: Option<Period>,
}

/// The overview of one period.
#[derive(Debug, Clone)]
pub struct Overview {
    pub scope: Scope,
    pub today: NaiveDate,
    pub alliances: AllianceFigures,
    pub members: MemberFigures,
    pub compliance: Compliance,
    /// The chart: the last six periods, oldest first (the last is `compliance`).
    pub compliance_history: Vec<Compliance>,
    pub training: TrainingFigures,
    pub overdue: OverdueFigures,
    pub bans: BanFigures,
    pub mail: MailFigures,
    /// Applications handed in during `scope.year`.
    pub applications: resources::ApplicationFigures,
    pub notices: resources::NoticeFigures,
    /// Payments of `scope.year`.
    pub funding: resources::FundingFigures,
    pub reassessments: resources::ReassessmentFigures,
}

fn u(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn status_value(s: AllianceStatus) -> String {
    sea_orm::ActiveEnum::to_value(&s)
}

fn on_file() -> [String; 2] {
    [AllianceStatus::Registered, AllianceStatus::Suspended].map(status_value)
}

/// `UNION ALL` of `parts` (None when empty).
fn union_all(parts: Vec<SelectStatement>) -> Option<SelectStatement> {
    let mut it = parts.into_iter();
    let mut first = it.next()?;
    for p in it {
        first.union(UnionType::All, p);
    }
    Some(first)
}

/// Due dates and calendar for the periods the dashboard looks at.
pub struct Dates {
    pub calendar: Calendar,
    pub today: NaiveDate,
    /// The first registration date of any alliance (None: none registered).
    pub first_registered: Option<NaiveDate>,
}

impl Dates {
    /// # Errors
    /// Database errors.
    pub async fn load(db: &impl ConnectionTrait, today: NaiveDate, earliest: Option<Period>) -> ApiResult<Self> {
        let q = Query::select()
            .expr_as(Func::min(Expr::col("registered_on")), "first")
            .from("alliances")
            .and_where(Expr::col("registered_on").is_not_null())
            .to_owned();
        let first_registered: Option<NaiveDate> = match db.query_one(&q).await? {
            Some(row) => row.try_get("", "first")?,
            None => None,
        };
        let from = [first_registered.map(|d| d.year()), earliest.map(Period::year)].into_iter().flatten().min().unwrap_or(today.year());
        // Due dates fall in a period's year or the next.
        let calendar = load_calendar(db, from, today.year() + 1).await?;
        Ok(Self { calendar, today, first_registered })
    }

    #[must_use]
    pub fn deadlines(&self, state: &AppState, p: Period) -> Deadlines {
        p.deadlines(state.settings.reports.rules(), &self.calendar)
    }

    /// Periods whose report due date has passed, oldest first, from the
    /// first registration on (reports of these can be overdue).
    #[must_use]
    pub fn overdue_periods(&self, state: &AppState) -> Vec<(Period, Deadlines)> {
        let Some(first) = self.first_registered else { return Vec::new() };
        let mut out = Vec::new();
        let mut p = Some(Period::containing(first));
        while let Some(period) = p {
            if period.start() > self.today {
                break;
            }
            let d = self.deadlines(state, period);
            if self.today > d.report.due {
                out.push((period, d));
            }
            p = period.next();
        }
        out
    }
}

/// The overview of `scope` (bureau roles).
///
/// # Errors
/// 403 unless bureau; database errors.
pub async fn overview(state: &AppState, caller: &Caller, scope: Scope) -> ApiResult<Overview> {
    caller.require_bureau()?;
    let db = &state.db;
    let today = state.clock.today();
    let periods = rules::history(scope.period, rules::HISTORY_PERIODS);
    // The sections are independent reads: they run at the same time on the
    // pool's connections (the statements stay the same and as few).
    let dated = async {
        let dates = Dates::load(db, today, periods.first().copied()).await?;
        standings(db, state, &dates, &periods).await
    };
    let ((compliance_history, overdue), alliances, members, training, bans, mail, applications, notices, funding, reassessments) = tokio::try_join!(
        dated,
        alliance_figures(db),
        members::figures(state, today),
        training(db, scope.period, &periods),
        ban_figures(db, today),
        mail_figures(db),
        resources::applications(db, scope.year),
        resources::notices(db, today),
        resources::funding(db, scope.year, today),
        resources::reassessments(db, today),
    )?;
    let compliance = compliance_history.last().cloned().ok_or_else(|| ApiError::internal(&"no period"))?;
    Ok(Overview {
        scope,
        today,
        alliances,
        members,
        compliance,
        compliance_history,
        training,
        overdue,
        bans,
        mail,
        applications,
        notices,
        funding,
        reassessments,
    })
}

async fn alliance_figures(db: &impl ConnectionTrait) -> ApiResult<AllianceFigures> {
    let q = Query::select()
        .column("status")
        .column("industry")
        .expr_as(Expr::col("id").count(), "n")
        .from("alliances")
        .group_by_col("status")
        .group_by_col("industry")
        .to_owned();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_industry: BTreeMap<String, u64> = BTreeMap::new();
    let on_file = on_file();
    for row in db.query_all(&q).await? {
        let status: String = row.try_get("", "status")?;
        let industry: String = row.try_get("", "industry")?;
        let n = u(row.try_get("", "n")?);
        *by_status.entry(status.clone()).or_default() += n;
        if on_file.contains(&status) {
            *by_industry.entry(industry).or_default() += n;
        }
    }
    let by_status: Vec<(AllianceStatus, u64)> =
        <AllianceStatus as sea_orm::Iterable>::iter().map(|s| (s, by_status.get(&status_value(s)).copied().unwrap_or(0))).collect();
    let mut by_industry: Vec<(String, u64)> = by_industry.into_iter().collect();
    by_industry.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(AllianceFigures { total: by_status.iter().map(|(_, n)| n).sum(), by_status, by_industry })
}

/// Standing counts of every period of the chart (`chart`) and of every
/// period whose report due date has passed (for the overdue count), in one
/// statement: a `UNION ALL` of one select per period (each with its own
/// "owes" rule and due date, `entities::report::sql`), grouped outside.
async fn standings(
    db: &impl ConnectionTrait,
    state: &AppState,
    dates: &Dates,
    chart: &[Period],
) -> ApiResult<(Vec<Compliance>, OverdueFigures)> {
    let past_due = dates.overdue_periods(state);
    let mut periods: BTreeMap<Period, Deadlines> = chart.iter().map(|p| (*p, dates.deadlines(state, *p))).collect();
    periods.extend(past_due.iter().cloned());
    let mut parts = Vec::new();
    for (p, d) in &periods {
        let on_time = Expr::case(rules::sql_on_time(), Expr::val(1)).finally(Expr::val(0));
        parts.push(
            Query::select()
                .expr_as(Expr::val(p.code()), "period")
                .expr_as(sql::standing(dates.today > d.report.due), "standing")
                .expr_as(on_time, "on_time")
                .from_as("alliances", "a")
                .join_as(JoinType::LeftJoin, "reports", "r", sql::report_join(*p))
                .cond_where(sql::owes(*p))
                .to_owned(),
        );
    }
    let mut counts: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    if let Some(all) = union_all(parts) {
        let q = Query::select()
            .expr_as(Expr::col(("s", "period")), "period")
            .expr_as(Expr::col(("s", "standing")), "standing")
            .expr_as(Expr::col(("s", "period")).count(), "n")
            .expr_as(Func::cast_as(Func::sum(Expr::col(("s", "on_time"))), "BIGINT"), "on_time")
            .from_subquery(all, "s")
            .group_by_col(("s", "period"))
            .group_by_col(("s", "standing"))
            .to_owned();
        for row in db.query_all(&q).await? {
            let key = (row.try_get::<String>("", "period")?, row.try_get::<String>("", "standing")?);
            counts.insert(key, (u(row.try_get("", "n")?), u(row.try_get::<Option<i64>>("", "on_time")?.unwrap_or(0))));
        }
    }
    let count = |p: Period, s: Standing| counts.get(&(p.code(), s.code().to_string())).map_or(0, |c| c.0);
    let history = chart
        .iter()
        .map(|&period| {
            let code = period.code();
            let by_standing: Vec<(Standing, u64)> = Standing::ALL.into_iter().map(|s| (s, count(period, s))).collect();
            let on_time = counts.iter().filter(|((p, _), _)| *p == code).map(|(_, c)| c.1).sum();
            Compliance {
                period,
                deadlines: periods.get(&period).cloned().unwrap_or_else(|| dates.deadlines(state, period)),
                owed: by_standing.iter().map(|(_, n)| n).sum(),
                handed_in: by_standing.iter().filter(|(s, _)| rules::handed_in(*s)).map(|(_, n)| n).sum(),
                on_time,
                by_standing,
            }
        })
        .collect();
    // Overdue: not handed in after the due date, in every period past due
    // (the same rows `GET /dashboard/overdue` lists).
    let overdue = past_due.iter().map(|(p, _)| (*p, count(*p, Standing::Overdue))).filter(|(_, n)| *n > 0).collect::<Vec<_>>();
    let overdue = OverdueFigures { total: overdue.iter().map(|(_, n)| n).sum(), oldest_period: overdue.first().map(|(p, _)| *p) };
    Ok((history, overdue))
}

fn sum_training(q: &mut SelectStatement, prefix: &str) {
    for c in TRAINING_COLUMNS {
        let sum = Func::coalesce([Expr::from(Func::sum(Expr::col((Alias::new(prefix), Alias::new(c))))), Expr::val(0)]);
        q.expr_as(Func::cast_as(sum, "BIGINT"), c);
    }
}

async fn training(db: &impl ConnectionTrait, period: Period, periods: &[Period]) -> ApiResult<TrainingFigures> {
    let previous = period.prev();
    // Per category, the period and the one before (the stored totals per
    // report and category).
    let mut q = Query::select();
    q.expr_as(Expr::col(("t", "period")), "period")
        .expr_as(Expr::col(("t", "org_kind")), "kind")
        .from_as(training_totals::TABLE, "t")
        .and_where(Expr::col(("t", "period")).is_in([Some(period), previous].into_iter().flatten().map(Period::code)))
        .group_by_col(("t", "period"))
        .group_by_col(("t", "org_kind"));
    sum_training(&mut q, "t");
    let mut per: BTreeMap<(String, OrgKind), Training> = BTreeMap::new();
    for row in db.query_all(&q).await? {
        per.insert((row.try_get("", "period")?, row.try_get("", "kind")?), Training::from_row(&row)?);
    }
    let get = |p: Option<Period>, k: OrgKind| p.and_then(|p| per.get(&(p.code(), k)).copied()).unwrap_or_default();
    let by_category: Vec<(OrgKind, Training, Training)> =
        OrgKind::ALL.into_iter().map(|k| (k, get(Some(period), k), get(previous, k))).collect();
    let total = by_category.iter().fold(Training::default(), |acc, (_, c, _)| acc.plus(c));
    let previous_total = by_category.iter().fold(Training::default(), |acc, (_, _, p)| acc.plus(p));
    // Trainees of every period of the chart (the stored totals per report).
    let q = Query::select()
        .expr_as(Expr::col("period"), "period")
        .expr_as(Func::cast_as(Func::sum(Expr::col("trainees")), "BIGINT"), "trainees")
        .from(training_totals::SUMS)
        .and_where(Expr::col("period").is_in(periods.iter().map(|p| p.code())))
        .group_by_col("period")
        .to_owned();
    let mut history: BTreeMap<String, i64> = BTreeMap::new();
    for row in db.query_all(&q).await? {
        history.insert(row.try_get("", "period")?, row.try_get::<Option<i64>>("", "trainees")?.unwrap_or(0));
    }
    let trainees_history = periods.iter().map(|p| (*p, history.get(&p.code()).copied().unwrap_or(0))).collect();
    let top_alliances = by_alliance(db, period, AllianceOrder::MostTrainees, Some(rules::TOP_ALLIANCES)).await?;
    Ok(TrainingFigures {
        period,
        previous_period: previous,
        total,
        previous_total,
        trainees_change: rules::change(total.trainees, previous_total.trainees),
        by_category,
        top_alliances,
        trainees_history,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllianceOrder {
    /// Most trainees in the period first, then by alliance id.
    MostTrainees,
    /// By name (the export).
    Name,
}

/// Training figures per alliance for `period` and the one before, summed in
/// SQL from the stored totals per report (one row per alliance and period),
/// ordered and cut in the database, then the names of the alliances listed.
/// The sums are not joined to `alliances` in the same statement: PostgreSQL
/// would then run the sums once per alliance.
///
/// # Errors
/// Database errors.
pub async fn by_alliance(
    db: &impl ConnectionTrait,
    period: Period,
    order: AllianceOrder,
    limit: Option<u64>,
) -> ApiResult<Vec<AllianceTraining>> {
    let mut q = Query::select();
    q.expr_as(Expr::col(("s", "alliance_id")), "alliance_id");
    for (which, p) in [("cur", Some(period)), ("prev", period.prev())] {
        for c in TRAINING_COLUMNS {
            let code = p.map(Period::code).unwrap_or_default();
            let pick = Expr::case(Expr::col(("s", "period")).eq(code), Expr::col((Alias::new("s"), Alias::new(c)))).finally(Expr::val(0));
            q.expr_as(Func::cast_as(Func::sum(pick), "BIGINT"), format!("{which}_{c}"));
        }
    }
    q.from_as(training_totals::SUMS, "s")
        .and_where(Expr::col(("s", "period")).is_in([Some(period), period.prev()].into_iter().flatten().map(Period::code)))
        .group_by_col(("s", "alliance_id"));
    if order == AllianceOrder::MostTrainees {
        q.order_by("cur_trainees", sea_orm::Order::Desc);
    }
    q.order_by(("s", "alliance_id"), sea_orm::Order::Asc);
    if let Some(l) = limit {
        q.limit(l);
    }
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        let pick = |which: &str| Training::from_columns(&row, &format!("{which}_"));
        out.push(AllianceTraining {
            alliance_id: row.try_get("", "alliance_id")?,
            name: String::new(),
            current: pick("cur")?,
            previous: pick("prev")?,
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    // The names: of the few listed, or (the export) of every alliance.
    let mut names = Query::select();
    names.columns(["id", "name"]).from("alliances");
    if limit.is_some() {
        names.and_where(Expr::col("id").is_in(out.iter().map(|a| a.alliance_id)));
    }
    let mut by_id = std::collections::HashMap::new();
    for row in db.query_all(&names).await? {
        by_id.insert(row.try_get::<Uuid>("", "id")?, row.try_get::<String>("", "name")?);
    }
    for a in &mut out {
        a.name = by_id.remove(&a.alliance_id).unwrap_or_default();
    }
    if order == AllianceOrder::Name {
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.alliance_id.cmp(&b.alliance_id)));
    }
    Ok(out)
}

async fn ban_figures(db: &impl ConnectionTrait, today: NaiveDate) -> ApiResult<BanFigures> {
    let soon = today + chrono::TimeDelta::days(rules::BAN_ENDING_SOON_DAYS);
    let ending = Expr::case(Cond::all().add(Expr::col("ban_until").lte(soon)), Expr::val(1)).finally(Expr::val(0));
    let q = Query::select()
        .expr_as(Expr::col("id").count(), "n")
        .expr_as(Expr::col("credit_code").count_distinct(), "orgs")
        .expr_as(Func::cast_as(Func::coalesce([Expr::from(Func::sum(ending)), Expr::val(0)]), "BIGINT"), "ending")
        .from("sanctions")
        .cond_where(rules::sql_ban_in_force(today))
        .to_owned();
    let row = db.query_one(&q).await?.ok_or_else(|| ApiError::internal(&"count answered no row"))?;
    Ok(BanFigures {
        active: u(row.try_get("", "n")?),
        organizations: u(row.try_get("", "orgs")?),
        ending_within_90_days: u(row.try_get("", "ending")?),
    })
}

async fn mail_figures(db: &impl ConnectionTrait) -> ApiResult<MailFigures> {
    // Two counts on indexed columns rather than one pass over the whole
    // outbox, sent as one statement (`UNION ALL`).
    let count = |key: &str, cond: Cond| {
        Query::select().expr_as(Expr::val(key), "k").expr_as(Expr::col("id").count(), "n").from("outbox").cond_where(cond).to_owned()
    };
    let dead = count("dead", Cond::all().add(Expr::col("dead_at").is_not_null()));
    let pending = count("pending", Cond::all().add(Expr::col("sent_at").is_null()).add(Expr::col("dead_at").is_null()));
    let mut m = MailFigures { dead: 0, pending: 0 };
    if let Some(q) = union_all(vec![dead, pending]) {
        for row in db.query_all(&q).await? {
            let n = u(row.try_get("", "n")?);
            if row.try_get::<String>("", "k")? == "dead" {
                m.dead = n;
            } else {
                m.pending = n;
            }
        }
    }
    Ok(m)
}
