//! The demo's story (issue 18): a dozen alliances in every status with three
//! years of half-year reports in every standing, membership joins and leaves,
//! and (in [`super::funnel`]) skill-resource applications through the funnel.
//!
//! Everything goes through the services, so every rule holds. Each step runs
//! with a [`ManualClock`] set to the day it happened — days counted back from
//! the real today, so the story stays current: the last ended half-year is
//! `P0` (the dashboard's default period), the four before it `P1`…`P4`.
//! Steps whose day has not come yet (e.g. a late submission 45 days after the
//! period when today is 20 days after it) are left out. The real clock is
//! never touched: the steps run on a copy of the state.
//!
//! # Layout
//! - [`load`]: the marker check, the clock, then the alliances and the funnel
//! - [`Spec`] / [`ALLIANCES`]: who files what, and what becomes of it
//! - [`Story::report`]: one half-year report of one alliance, by [`Plan`]

use std::{collections::HashMap, sync::Arc};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use entities::{
    alliance::{AllianceAction, StaffCounts},
    calendar::CHINA_OFFSET,
    dashboard::default_period,
    models::{alliance, alliance_member, audit_log, calendar_year},
    report::{Period, ProgressCounts, RowCounts},
};
use jobs::ManualClock;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{DEMO_PDF, EXPERTS, caller};
use crate::{
    auth::Caller,
    error::ApiResult,
    services::{
        alliances::{self, members::FormInput, review},
        reports,
    },
    state::AppState,
};

/// What becomes of one half-year's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Handed in (on time or late) and accepted.
    Accepted { late: bool },
    /// Handed in, awaiting the bureau's review.
    Submitted { late: bool },
    /// Handed in on time and sent back with reasons.
    Returned,
    /// Only the initiator and the lead filled their rows: overdue.
    Partial,
}

/// A membership change after registration: `(period index, days into it, organisation user, joins?)`.
type Change = (usize, i64, &'static str, bool);

/// Where an alliance's filing ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Still a draft, only the initiator's and the lead's papers in (filed `days` ago).
    Draft { days: i64 },
    /// Submitted `days` ago, awaiting review.
    Submitted { days: i64 },
    /// Returned with reasons `days` ago.
    Returned { days: i64 },
    /// Registered 20 days into period `P<n>`; then suspended or dissolved
    /// `(period index, days into it)` when given.
    Registered { period: usize, suspended: Option<(usize, i64)>, dissolved: Option<(usize, i64)> },
}

/// One alliance of the story.
pub struct Spec {
    pub name: &'static str,
    pub industry: &'static str,
    /// Demo usernames: the initiator's, the lead enterprise's, then the other members'.
    pub initiator: &'static str,
    pub lead: &'static str,
    pub members: [&'static str; 3],
    pub ending: Ending,
    /// Reports from the oldest owed period to `P0` (index 0 = `P0`).
    pub reports: &'static [(usize, Plan)],
    pub changes: &'static [Change],
}

const fn registered(period: usize) -> Ending {
    Ending::Registered { period, suspended: None, dissolved: None }
}

use Plan::{Accepted, Partial, Returned, Submitted};
const ON_TIME: Plan = Accepted { late: false };

/// The alliances, first the marker (its name says the story is loaded).
pub const ALLIANCES: [Spec; 11] = [
    Spec {
        name: "东莞市模具产业职业培训联盟",
        industry: "模具制造",
        initiator: "org13",
        lead: "org02",
        members: ["org05", "org12", "org04"],
        ending: registered(4),
        reports: &[(4, ON_TIME), (3, ON_TIME), (2, ON_TIME), (1, ON_TIME), (0, ON_TIME)],
        changes: &[],
    },
    Spec {
        name: "东莞市电子信息职业培训联盟",
        industry: "电子信息",
        initiator: "org14",
        lead: "org01",
        members: ["org06", "org11", "org03"],
        ending: registered(4),
        reports: &[(4, ON_TIME), (3, Accepted { late: true }), (2, ON_TIME), (1, ON_TIME), (0, Submitted { late: true })],
        changes: &[],
    },
    Spec {
        name: "东莞市服装智造职业培训联盟",
        industry: "纺织服装",
        initiator: "org05",
        lead: "org03",
        members: ["org10", "org12", "org04"],
        ending: registered(3),
        reports: &[(3, ON_TIME), (2, Accepted { late: true }), (1, ON_TIME), (0, Returned)],
        changes: &[],
    },
    Spec {
        name: "东莞市毛织技能人才培训联盟",
        industry: "纺织服装",
        initiator: "org09",
        lead: "org04",
        members: ["org08", "org11", "org02"],
        ending: registered(2),
        reports: &[(2, ON_TIME), (1, ON_TIME), (0, Partial)],
        changes: &[],
    },
    Spec {
        name: "东莞市精密制造职业培训联盟",
        industry: "智能装备制造",
        initiator: "org06",
        lead: "org02",
        members: ["org09", "org11", "org01"],
        ending: registered(3),
        reports: &[(3, ON_TIME), (2, ON_TIME), (1, ON_TIME), (0, Submitted { late: false })],
        // 东莞市大朗毛织 joins in P2, 匠心培训中心 joins and 南粤培训学校 leaves in P1.
        changes: &[(2, 40, "org04", true), (1, 40, "org10", true), (1, 50, "org09", false)],
    },
    Spec {
        name: "东莞市新材料职业培训联盟",
        industry: "新材料",
        initiator: "org12",
        lead: "org01",
        members: ["org07", "org11", "org04"],
        ending: Ending::Registered { period: 4, suspended: Some((1, 60)), dissolved: None },
        reports: &[(4, ON_TIME), (3, ON_TIME), (2, ON_TIME)],
        changes: &[],
    },
    Spec {
        name: "东莞市现代物流职业培训联盟",
        industry: "现代物流",
        initiator: "org10",
        lead: "org03",
        members: ["org05", "org12", "org04"],
        ending: Ending::Registered { period: 4, suspended: None, dissolved: Some((2, 30)) },
        reports: &[(4, ON_TIME), (3, Accepted { late: true })],
        changes: &[],
    },
    Spec {
        name: "东莞市家具制造职业培训联盟",
        industry: "家具制造",
        initiator: "org13",
        lead: "org01",
        members: ["org08", "org12", "org03"],
        ending: registered(1),
        reports: &[(1, ON_TIME), (0, ON_TIME)],
        changes: &[],
    },
    Spec {
        name: "东莞市数字经济职业培训联盟",
        industry: "数字经济",
        initiator: "org08",
        lead: "org01",
        members: ["org10", "org11", "org02"],
        ending: Ending::Draft { days: 10 },
        reports: &[],
        changes: &[],
    },
    Spec {
        name: "东莞市新能源汽车职业培训联盟",
        industry: "新能源汽车",
        initiator: "org11",
        lead: "org02",
        members: ["org06", "org12", "org03"],
        ending: Ending::Submitted { days: 5 },
        reports: &[],
        changes: &[],
    },
    Spec {
        name: "东莞市跨境电商职业培训联盟",
        industry: "跨境电商",
        initiator: "org10",
        lead: "org04",
        members: ["org05", "org11", "org01"],
        ending: Ending::Returned { days: 15 },
        reports: &[],
        changes: &[],
    },
];

/// 9:00 (or `hour`) in Beijing on `day`, as UTC.
fn beijing(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).and_then(|t| t.and_local_timezone(CHINA_OFFSET).single()).map_or_else(Utc::now, |t| t.to_utc())
}

pub fn step<T>(r: ApiResult<T>, what: impl FnOnce() -> String) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("demo story, {}: {e}", what()))
}

/// The state the story runs with: the real one with a clock it moves.
pub struct Story {
    pub state: AppState,
    pub clock: ManualClock,
    /// The real now and today (Beijing): no step is dated later.
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    /// `P0` (the last ended half-year) and the four before it.
    pub periods: Vec<Period>,
    pub staff: Caller,
    /// Demo usernames → callers.
    callers: HashMap<&'static str, Caller>,
    /// Years the working-day calendar has data for (DESIGN §7: a year
    /// without data is an error, never a guess).
    calendar_years: Vec<i32>,
}

impl Story {
    async fn new(state: &AppState) -> anyhow::Result<Self> {
        let now = state.clock.now();
        let clock = ManualClock::new(now);
        let mut moved = state.clone();
        moved.clock = Arc::new(clock.clone());
        let today = state.clock.today();
        let mut periods = vec![default_period(today)];
        while periods.len() < 5 {
            let p = periods.last().and_then(|p| p.prev()).context("period out of range")?;
            periods.push(p);
        }
        let mut callers = HashMap::new();
        for n in 1..=15 {
            let name: &'static str = ORG_USERS[n - 1];
            callers.insert(name, caller(state, name).await?);
        }
        let staff = caller(state, "staff01").await?;
        let calendar_years = calendar_year::Entity::find().all(&state.db).await?.into_iter().map(|y| y.year).collect();
        Ok(Self { state: moved, clock, now, today, periods, staff, callers, calendar_years })
    }

    /// Moves the clock to `hour` o'clock on `day`; false (and no move) when that is after now.
    pub fn at(&self, day: NaiveDate, hour: u32) -> bool {
        let t = beijing(day, hour);
        if t > self.now {
            return false;
        }
        self.clock.set(t);
        true
    }

    pub fn user(&self, name: &str) -> anyhow::Result<&Caller> {
        self.callers.get(name).with_context(|| format!("demo user {name}"))
    }

    pub fn org(&self, name: &str) -> anyhow::Result<Uuid> {
        self.user(name)?.organization_id.with_context(|| format!("{name} without organisation"))
    }

    /// Day `days` of period `P<index>` (day 0 is its first day).
    pub fn into_period(&self, index: usize, days: i64) -> NaiveDate {
        self.periods[index].start() + TimeDelta::days(days)
    }

    /// Whether the working-day calendar covers `day`'s year; tells when not.
    pub fn calendar_covers(&self, day: NaiveDate, what: &str) -> bool {
        let year = chrono::Datelike::year(&day);
        let covered = self.calendar_years.contains(&year);
        if !covered {
            println!("demo story: no working-day calendar for {year} yet, so {what} is left out (add the year at /api/v1/calendar/{year})");
        }
        covered
    }

    pub fn days_ago(&self, days: i64) -> NaiveDate {
        self.today - TimeDelta::days(days)
    }
}

const ORG_USERS: [&str; 15] =
    ["org01", "org02", "org03", "org04", "org05", "org06", "org07", "org08", "org09", "org10", "org11", "org12", "org13", "org14", "org15"];

/// The audit action written when the whole story is in: a second load
/// finds it and changes nothing.
pub const LOADED: &str = "demo.story_loaded";

/// Loads the story unless it is in. Answers the alliances created (0 when loaded before).
///
/// # Errors
/// A step refused by its service (with the step named); a story begun but
/// not finished by an earlier load (its first alliance without the marker);
/// database errors.
pub async fn load(state: &AppState) -> anyhow::Result<usize> {
    let loaded = audit_log::Entity::find().filter(audit_log::Column::Action.eq(LOADED)).one(&state.db).await?;
    if loaded.is_some() {
        return Ok(0);
    }
    let begun = alliance::Entity::find().filter(alliance::Column::Name.eq(ALLIANCES[0].name)).one(&state.db).await?;
    if begun.is_some() {
        anyhow::bail!("demo story: an earlier load stopped partway ({} exists); load the demo into a fresh database", ALLIANCES[0].name);
    }
    let story = Story::new(state).await?;
    for spec in &ALLIANCES {
        story.alliance(spec).await?;
    }
    super::funnel::load(&story).await?;
    let entry = crate::audit::Entry::new(LOADED, "demo", story.today).after(&serde_json::json!({"dated_back_from": story.today}));
    crate::audit::record(&state.db, crate::audit::Actor(None), story.now, entry).await?;
    Ok(ALLIANCES.len())
}

/// Staff counts of a unit of `total` people (sub-counts within the total).
pub(super) fn staff_counts(total: i64) -> StaffCounts {
    StaffCounts {
        total_staff: total,
        management: total / 10,
        title_senior: total / 20,
        title_intermediate: total / 10,
        title_junior: total / 8,
        skill_senior_technician: total / 40,
        skill_technician: total / 20,
        skill_senior_worker: total / 8,
        skill_intermediate_worker: total / 6,
        skill_junior_worker: total / 6,
        skill_special: total / 30,
        general_workers: total / 3,
    }
}

/// The rows of one member for one period: numbers that vary by unit and period.
fn row_counts(seed: i64) -> RowCounts {
    let trainees = 120 + (seed * 37) % 400;
    RowCounts {
        basic: staff_counts(150 + (seed * 53) % 600),
        progress: ProgressCounts {
            trainees,
            new_occupations: seed % 2,
            special_abilities: (seed / 2) % 3,
            members_joined: 0,
            trained_senior_technician: trainees / 40,
            trained_technician: trainees / 20,
            trained_senior_worker: trainees / 8,
            trained_intermediate_worker: trainees / 5,
            trained_junior_worker: trainees / 4,
            trained_special: trainees / 10,
            trained_general_workers: trainees / 5,
        },
    }
}

fn form(n: usize, counts: StaffCounts) -> FormInput {
    FormInput {
        address: format!("广东省东莞市松山湖园区科技路{}号", 10 + n),
        postcode: "523808".into(),
        email: format!("member{n:02}@example.dg.cn"),
        legal_representative: EXPERTS[(n + 5) % 20].chars().rev().collect(),
        contact_person: EXPERTS[(n + 11) % 20].into(),
        office_phone: format!("0769-2266{:04}", 3000 + n),
        mobile: format!("1392769{:04}", 3000 + n),
        fax: None,
        profile: None,
        counts,
    }
}

impl Story {
    /// Files, and takes to its ending, one alliance; then its reports and membership changes.
    async fn alliance(&self, spec: &Spec) -> anyhow::Result<()> {
        let filed_on = match spec.ending {
            Ending::Draft { days } | Ending::Submitted { days } => self.days_ago(days + 7),
            Ending::Returned { days } => self.days_ago(days + 10),
            Ending::Registered { period, .. } => self.into_period(period, 10),
        };
        if !self.at(filed_on, 9) {
            return Ok(());
        }
        let s = &self.state;
        let what = || spec.name.to_string();
        let initiator = self.user(spec.initiator)?;
        let agreement = step(crate::services::documents::store(s, initiator, "合作协议.pdf", DEMO_PDF.to_vec()).await, what)?;
        let charter = step(crate::services::documents::store(s, initiator, "联盟章程.pdf", DEMO_PDF.to_vec()).await, what)?;
        let fields = alliances::DraftFields {
            name: Some(spec.name.into()),
            industry: Some(spec.industry.into()),
            industry_code: Some(None),
            lead_org_id: Some(self.org(spec.lead)?),
            agreement_doc_id: Some(Some(agreement.id)),
            charter_doc_id: Some(Some(charter.id)),
            report_text: Some(Some(format!(
                "关于建立{}的报告：由{}发起，联合同行业企业、职业院校（培训机构）和科研机构共同组建。",
                spec.name, initiator.username
            ))),
            report_doc_id: Some(None),
            licence_doc_id: Some(None),
        };
        let mut others = Vec::new();
        for m in spec.members {
            others.push(self.org(m)?);
        }
        let a = step(alliances::create(s, initiator, fields, others).await, || format!("{}: draft", spec.name))?;
        let everyone: Vec<&str> = [spec.initiator, spec.lead].into_iter().chain(spec.members).collect();
        let papers = if matches!(spec.ending, Ending::Draft { .. }) { 2 } else { everyone.len() };
        for (i, name) in everyone.iter().take(papers).enumerate() {
            self.papers(a.id, name, 100 + 60 * i64::try_from(i).unwrap_or(0)).await.with_context(what)?;
        }
        let verified = initiator.organization_id.context("initiator without organisation")?;
        step(crate::services::organizations::set_credit_code_verified(s, &self.staff, verified, true).await, what)?;
        let submit = |s| async move { step(review::submit(s, initiator, a.id, None).await, || format!("{}: submit", spec.name)) };
        match spec.ending {
            Ending::Draft { .. } => {}
            Ending::Submitted { days } => {
                if self.at(self.days_ago(days), 10) {
                    submit(s).await?;
                }
            }
            Ending::Returned { days } => {
                if self.at(self.days_ago(days + 5), 10) {
                    submit(s).await?;
                }
                if self.at(self.days_ago(days), 15) {
                    let reasons = vec![
                        review::ReturnReason {
                            item: "合作协议".into(), reason: "合作协议缺少成员单位盖章页，请补充".into()
                        },
                        review::ReturnReason {
                            item: "成员构成".into(), reason: "请说明承担主体在跨境电商行业的领先地位".into()
                        },
                    ];
                    step(review::return_filing(s, &self.staff, a.id, reasons).await, || format!("{}: return", spec.name))?;
                }
            }
            Ending::Registered { period, suspended, dissolved } => {
                submit(s).await?;
                if self.at(self.into_period(period, 20), 10) {
                    step(review::register(s, &self.staff, a.id).await.map(|_| ()), || format!("{}: register", spec.name))?;
                }
                self.history(spec, a.id, period).await?;
                for (at, action, reason) in [
                    (suspended, AllianceAction::Suspend, "连续两期未按时报送半年度情况，暂停备案"),
                    (dissolved, AllianceAction::Dissolve, "经成员单位协商一致，联盟解散"),
                ] {
                    if let Some((p, d)) = at
                        && self.at(self.into_period(p, d), 11)
                    {
                        step(review::change_status(s, &self.staff, a.id, action, Some(reason.into())).await, || {
                            format!("{}: {action:?}", spec.name)
                        })?;
                    }
                }
            }
        }
        Ok(())
    }

    /// `name`'s registration form (附件1) and charter signature, by its own user.
    async fn papers(&self, alliance_id: Uuid, name: &str, total: i64) -> anyhow::Result<()> {
        let c = self.user(name)?;
        let org = self.org(name)?;
        let n = ORG_USERS.iter().position(|u| *u == name).unwrap_or(0);
        step(alliances::members::save_form(&self.state, c, alliance_id, org, form(n, staff_counts(total))).await, || {
            format!("{name}: form")
        })?;
        step(alliances::members::sign_charter(&self.state, c, alliance_id).await.map(|_| ()), || format!("{name}: charter"))?;
        Ok(())
    }

    /// The reports and membership changes of a registered alliance, oldest period first.
    async fn history(&self, spec: &Spec, id: Uuid, registered_in: usize) -> anyhow::Result<()> {
        let initiator = self.user(spec.initiator)?;
        for index in (0..=registered_in).rev() {
            for (_, days, name, joins) in spec.changes.iter().filter(|c| c.0 == index) {
                let day = self.into_period(index, *days);
                if !self.at(day, 10) {
                    continue;
                }
                let org = self.org(name)?;
                let s = &self.state;
                if *joins {
                    step(alliances::members::add(s, initiator, id, org, Some(day)).await, || format!("{}: {name} joins", spec.name))?;
                    self.papers(id, name, 180).await?;
                } else {
                    step(
                        alliances::members::leave(s, initiator, id, org, day, Some("业务调整，申请退出联盟".into())).await,
                        || format!("{}: {name} leaves", spec.name),
                    )?;
                }
            }
            if let Some((_, plan)) = spec.reports.iter().find(|(i, _)| *i == index) {
                self.report(spec, id, self.periods[index], *plan).await?;
            }
        }
        Ok(())
    }

    /// One half-year report: rows 5 days after the period, handed in on day
    /// 20 (on time) or 45 (late), decided a week later.
    async fn report(&self, spec: &Spec, id: Uuid, p: Period, plan: Plan) -> anyhow::Result<()> {
        let s = &self.state;
        let what = |step: &str| format!("{} {}: {step}", spec.name, p.code());
        let members = alliance_member::Entity::find().filter(alliance_member::Column::AllianceId.eq(id)).all(&s.db).await?;
        let at_end: Vec<Uuid> = members.iter().filter(|m| m.is_member_on(p.end())).map(|m| m.organization_id).collect();
        let filling = if plan == Partial { vec![spec.initiator, spec.lead] } else { ORG_USERS.to_vec() };
        if !self.at(p.end() + TimeDelta::days(5), 9) {
            return Ok(());
        }
        let seed = i64::from(p.year()) * 2 + i64::from(p.code().ends_with("H2"));
        for (n, name) in filling.iter().enumerate() {
            let org = self.org(name)?;
            if !at_end.contains(&org) {
                continue;
            }
            let counts = row_counts(seed + i64::try_from(n).unwrap_or(0) * 7 + i64::try_from(spec.name.len()).unwrap_or(0));
            step(reports::rows::save(s, self.user(name)?, id, p, org, counts, None).await.map(|_| ()), || what(&format!("{name} rows")))?;
        }
        if plan == Partial {
            return Ok(());
        }
        let late = matches!(plan, Accepted { late: true } | Submitted { late: true });
        let handed_in = p.end() + TimeDelta::days(if late { 45 } else { 20 });
        if !self.at(handed_in, 10) {
            return Ok(());
        }
        // A late submission is dated by the due date, moved by the calendar.
        let due_year = p.end() + TimeDelta::days(31);
        if late && !self.calendar_covers(due_year, &format!("the late report of {} {}", spec.name, p.code())) {
            return Ok(());
        }
        let initiator = self.user(spec.initiator)?;
        if p.is_year_end() {
            let text =
                format!("{}年度工作总结：联盟全年组织成员单位开展职业技能培训，完成新职业和专项职业能力申报，校企合作持续深化。", p.year());
            step(reports::review::save_summary(s, initiator, id, p, text, None).await.map(|_| ()), || what("summary"))?;
        }
        step(reports::review::submit(s, initiator, id, p, None).await, || what("submit"))?;
        let decision = match plan {
            Accepted { .. } => reports::review::Decision::Accept { comment: Some("数据完整，予以接收".into()) },
            Returned => reports::review::Decision::Return {
                reasons: vec![reports::review::ReturnReason {
                    item: "附件3".into(),
                    reason: "当期培训人数与培训台账不一致，请核实后重新报送".into(),
                }],
            },
            Submitted { .. } | Partial => return Ok(()),
        };
        if self.at(handed_in + TimeDelta::days(7), 15) {
            step(reports::review::decide(s, &self.staff, id, p, decision).await, || what("review"))?;
        }
        Ok(())
    }
}
