//! `GET /api/v1/alliances/{id}/reports/{period}` (issue 20): the statements
//! the registry ran for a report before issue 20, one after the other on the
//! pool, and an answer of its shape.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use poem::{
    IntoResponse, Request, Response, handler,
    http::StatusCode,
    web::{Data, Json, Path},
};
use serde::Serialize;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::{Alliance, Keys, MEMBERSHIP_SQL, OrgRef, User, authenticate, kind_label, problem, today};

const YEARS_SQL: &str = r#"SELECT "calendar_years"."year", "calendar_years"."source_notice", "calendar_years"."updated_at", "calendar_years"."updated_by" FROM "calendar_years" WHERE "calendar_years"."year" BETWEEN $1 AND $2"#;
const DAYS_SQL: &str = r#"SELECT "calendar_days"."date", "calendar_days"."year", "calendar_days"."kind", "calendar_days"."name" FROM "calendar_days" WHERE "calendar_days"."year" BETWEEN $1 AND $2 ORDER BY "calendar_days"."date" ASC"#;
const REPORT_SQL: &str = r#"SELECT "reports"."id", "reports"."alliance_id", "reports"."period", "reports"."status", "reports"."member_rows_due_on", "reports"."report_due_on", "reports"."submitted_at", "reports"."first_submitted_at", "reports"."late_days", "reports"."summary_text", "reports"."summary_doc_id", "reports"."decided_at", "reports"."version", "reports"."created_at", "reports"."updated_at" FROM "reports" WHERE "reports"."alliance_id" = $1 AND "reports"."period" = $2 LIMIT $3"#;
const MEMBERS_SQL: &str = r#"SELECT "alliance_members"."id" AS "A_id", "alliance_members"."alliance_id" AS "A_alliance_id", "alliance_members"."organization_id" AS "A_organization_id", "alliance_members"."joined_on" AS "A_joined_on", "alliance_members"."left_on" AS "A_left_on", "alliance_members"."leave_reason" AS "A_leave_reason", "alliance_members"."pending" AS "A_pending", "alliance_members"."created_at" AS "A_created_at", "organizations"."id" AS "B_id", "organizations"."name" AS "B_name", "organizations"."credit_code" AS "B_credit_code", "organizations"."kind" AS "B_kind", "organizations"."registered_in_dongguan" AS "B_registered_in_dongguan", "organizations"."independent_legal_person" AS "B_independent_legal_person", "organizations"."address" AS "B_address", "organizations"."postcode" AS "B_postcode", "organizations"."email" AS "B_email", "organizations"."legal_representative" AS "B_legal_representative", "organizations"."contact_person" AS "B_contact_person", "organizations"."office_phone" AS "B_office_phone", "organizations"."mobile" AS "B_mobile", "organizations"."fax" AS "B_fax", "organizations"."profile" AS "B_profile", "organizations"."credit_code_verified" AS "B_credit_code_verified", "organizations"."version" AS "B_version", "organizations"."created_at" AS "B_created_at", "organizations"."updated_at" AS "B_updated_at" FROM "alliance_members" LEFT JOIN "organizations" ON "alliance_members"."organization_id" = "organizations"."id" WHERE "alliance_members"."alliance_id" = $1 ORDER BY "alliance_members"."created_at" ASC, "alliance_members"."id" ASC"#;
const ROWS_SQL: &str = r#"SELECT "report_rows"."id", "report_rows"."report_id", "report_rows"."organization_id", "report_rows"."org_kind", "report_rows"."total_staff", "report_rows"."management", "report_rows"."title_senior", "report_rows"."title_intermediate", "report_rows"."title_junior", "report_rows"."skill_senior_technician", "report_rows"."skill_technician", "report_rows"."skill_senior_worker", "report_rows"."skill_intermediate_worker", "report_rows"."skill_junior_worker", "report_rows"."skill_special", "report_rows"."general_workers", "report_rows"."trainees", "report_rows"."new_occupations", "report_rows"."special_abilities", "report_rows"."members_joined", "report_rows"."trained_senior_technician", "report_rows"."trained_technician", "report_rows"."trained_senior_worker", "report_rows"."trained_intermediate_worker", "report_rows"."trained_junior_worker", "report_rows"."trained_special", "report_rows"."trained_general_workers", "report_rows"."filled_by", "report_rows"."filled_by_initiator", "report_rows"."confirmed_no_change", "report_rows"."copied_from", "report_rows"."progress_pending", "report_rows"."version", "report_rows"."created_at", "report_rows"."updated_at" FROM "report_rows" WHERE "report_rows"."report_id" = $1"#;
const ROUNDS_SQL: &str = r#"SELECT "report_rounds"."id", "report_rounds"."report_id", "report_rounds"."round", "report_rounds"."submitted_at", "report_rounds"."submitted_by", "report_rounds"."days_after_due", "report_rounds"."decided_at", "report_rounds"."decided_by", "report_rounds"."outcome", "report_rounds"."reasons", "report_rounds"."comment" FROM "report_rounds" WHERE "report_rounds"."report_id" = $1 ORDER BY "report_rounds"."round" ASC"#;

const KINDS: [&str; 7] =
    ["enterprise", "vocational_college", "technical_school", "training_institution", "research_institute", "industry_association", "other"];
const NUMERALS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "七"];

#[derive(FromRow)]
struct Day {
    date: NaiveDate,
    kind: String,
    name: String,
}

#[derive(FromRow)]
struct Report {
    id: Uuid,
    status: String,
    submitted_at: Option<DateTime<Utc>>,
    first_submitted_at: Option<DateTime<Utc>>,
    late_days: Option<i32>,
    summary_text: Option<String>,
    summary_doc_id: Option<Uuid>,
    version: i32,
}

#[derive(FromRow)]
struct Member {
    #[sqlx(rename = "A_joined_on")]
    joined_on: Option<NaiveDate>,
    #[sqlx(rename = "A_left_on")]
    left_on: Option<NaiveDate>,
    #[sqlx(rename = "A_pending")]
    pending: bool,
    #[sqlx(rename = "B_id")]
    o_id: Option<Uuid>,
    #[sqlx(rename = "B_name")]
    o_name: Option<String>,
    #[sqlx(rename = "B_kind")]
    o_kind: Option<String>,
}

#[derive(FromRow, Clone)]
struct Row {
    organization_id: Uuid,
    org_kind: String,
    total_staff: i64,
    management: i64,
    title_senior: i64,
    title_intermediate: i64,
    title_junior: i64,
    skill_senior_technician: i64,
    skill_technician: i64,
    skill_senior_worker: i64,
    skill_intermediate_worker: i64,
    skill_junior_worker: i64,
    skill_special: i64,
    general_workers: i64,
    trainees: i64,
    new_occupations: i64,
    special_abilities: i64,
    members_joined: i64,
    trained_senior_technician: i64,
    trained_technician: i64,
    trained_senior_worker: i64,
    trained_intermediate_worker: i64,
    trained_junior_worker: i64,
    trained_special: i64,
    trained_general_workers: i64,
    filled_by_initiator: bool,
    confirmed_no_change: bool,
    progress_pending: bool,
}

#[derive(FromRow)]
struct Round {
    round: i32,
    submitted_at: DateTime<Utc>,
    days_after_due: i32,
    decided_at: Option<DateTime<Utc>>,
    outcome: Option<String>,
    reasons: Option<serde_json::Value>,
    comment: Option<String>,
}

#[derive(Serialize, Default, Clone, Copy)]
struct Basic {
    total_staff: i64,
    management: i64,
    title_senior: i64,
    title_intermediate: i64,
    title_junior: i64,
    skill_senior_technician: i64,
    skill_technician: i64,
    skill_senior_worker: i64,
    skill_intermediate_worker: i64,
    skill_junior_worker: i64,
    skill_special: i64,
    general_workers: i64,
}

#[derive(Serialize, Default, Clone, Copy)]
struct Progress {
    trainees: i64,
    new_occupations: i64,
    special_abilities: i64,
    members_joined: i64,
    trained_senior_technician: i64,
    trained_technician: i64,
    trained_senior_worker: i64,
    trained_intermediate_worker: i64,
    trained_junior_worker: i64,
    trained_special: i64,
    trained_general_workers: i64,
}

impl Row {
    fn basic(&self) -> Basic {
        Basic {
            total_staff: self.total_staff,
            management: self.management,
            title_senior: self.title_senior,
            title_intermediate: self.title_intermediate,
            title_junior: self.title_junior,
            skill_senior_technician: self.skill_senior_technician,
            skill_technician: self.skill_technician,
            skill_senior_worker: self.skill_senior_worker,
            skill_intermediate_worker: self.skill_intermediate_worker,
            skill_junior_worker: self.skill_junior_worker,
            skill_special: self.skill_special,
            general_workers: self.general_workers,
        }
    }

    fn progress(&self) -> Progress {
        Progress {
            trainees: self.trainees,
            new_occupations: self.new_occupations,
            special_abilities: self.special_abilities,
            members_joined: self.members_joined,
            trained_senior_technician: self.trained_senior_technician,
            trained_technician: self.trained_technician,
            trained_senior_worker: self.trained_senior_worker,
            trained_intermediate_worker: self.trained_intermediate_worker,
            trained_junior_worker: self.trained_junior_worker,
            trained_special: self.trained_special,
            trained_general_workers: self.trained_general_workers,
        }
    }
}

macro_rules! add_all {
    ($to:expr, $from:expr, $($f:ident),*) => { $($to.$f += $from.$f;)* };
}

#[derive(Serialize)]
struct Counts {
    label: String,
    kind: Option<&'static str>,
    rows: u32,
    basic: Basic,
    progress: Progress,
}

impl Counts {
    fn new(label: String, kind: Option<&'static str>) -> Self {
        Self { label, kind, rows: 0, basic: Basic::default(), progress: Progress::default() }
    }

    fn add(&mut self, r: &Row) {
        self.rows += 1;
        let (b, p) = (r.basic(), r.progress());
        add_all!(
            self.basic,
            b,
            total_staff,
            management,
            title_senior,
            title_intermediate,
            title_junior,
            skill_senior_technician,
            skill_technician,
            skill_senior_worker,
            skill_intermediate_worker,
            skill_junior_worker,
            skill_special,
            general_workers
        );
        add_all!(
            self.progress,
            p,
            trainees,
            new_occupations,
            special_abilities,
            members_joined,
            trained_senior_technician,
            trained_technician,
            trained_senior_worker,
            trained_intermediate_worker,
            trained_junior_worker,
            trained_special,
            trained_general_workers
        );
    }
}

#[derive(Serialize)]
struct Deadline {
    due: NaiveDate,
    nominal: NaiveDate,
    moved_because: Option<String>,
    provisional: bool,
    explanation: String,
}

#[derive(Serialize)]
struct MemberOut {
    organization: OrgRef,
    role: &'static str,
    is_lead: bool,
    joined_on: Option<NaiveDate>,
    left_on: Option<NaiveDate>,
    joined_in_period: bool,
    left_in_period: bool,
    required: bool,
    filled: bool,
    progress_pending: bool,
    filled_by_initiator: bool,
    confirmed_no_change: bool,
    basic: Option<Basic>,
    progress: Option<Progress>,
}

#[derive(Serialize)]
struct ReasonOut {
    item: String,
    reason: String,
}

#[derive(Serialize)]
struct RoundOut {
    round: i32,
    submitted_at: DateTime<Utc>,
    days_after_due: i32,
    decided_at: Option<DateTime<Utc>>,
    outcome: Option<String>,
    reasons: Vec<ReasonOut>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct Detail {
    alliance_id: Uuid,
    alliance_name: String,
    registration_no: Option<String>,
    period: String,
    period_label: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    status: &'static str,
    status_label: &'static str,
    report_status: Option<String>,
    member_rows_due: Deadline,
    report_due: Deadline,
    days_to_deadline: Option<i64>,
    submitted_at: Option<DateTime<Utc>>,
    first_submitted_at: Option<DateTime<Utc>>,
    late_days: Option<i32>,
    summary_required: bool,
    summary_text: Option<String>,
    summary_document_id: Option<Uuid>,
    rows_required: u32,
    rows_filled: u32,
    members: Vec<MemberOut>,
    totals: Counts,
    subtotals: Vec<Counts>,
    rounds: Vec<RoundOut>,
    version: Option<i32>,
}

/// `2026H1` → (year, second half).
fn parse_period(code: &str) -> Option<(i32, bool)> {
    let (year, half) = code.split_at_checked(4)?;
    let year: i32 = year.parse().ok()?;
    match half {
        "H1" => Some((year, false)),
        "H2" => Some((year, true)),
        _ => None,
    }
}

/// The first working day on or after `nominal` by the calendar read (weekends
/// and holidays off, adjusted working days on).
fn deadline(what: &str, nominal: NaiveDate, years: &[i32], days: &[Day]) -> Deadline {
    let mut due = nominal;
    let mut moved_because = None;
    loop {
        let special = days.iter().find(|d| d.date == due);
        let working = match special {
            Some(d) if d.kind == "workday" => true,
            Some(d) => {
                moved_because.get_or_insert_with(|| format!("法定节假日：{}", d.name));
                false
            }
            None if matches!(due.weekday(), Weekday::Sat | Weekday::Sun) => {
                moved_because.get_or_insert_with(|| "周末".to_string());
                false
            }
            None => true,
        };
        if working {
            break;
        }
        due += TimeDelta::days(1);
    }
    let provisional = !years.contains(&due.year());
    let explanation = match &moved_because {
        Some(why) => format!("{what}截止日为{nominal}，因{why}顺延至{due}"),
        None => format!("{what}截止日为{due}"),
    };
    Deadline { due, nominal, moved_because, provisional, explanation }
}

fn standing(report: Option<&Report>, today: NaiveDate, due: NaiveDate) -> (&'static str, &'static str) {
    match report.map(|r| (r.status.as_str(), r.late_days.unwrap_or(0))) {
        Some(("accepted", _)) => ("accepted", "已通过"),
        Some(("returned", _)) => ("returned", "已退回修改"),
        Some(("submitted", late)) if late > 0 => ("late", "逾期提交待审核"),
        Some(("submitted", _)) => ("submitted", "已提交待审核"),
        _ if today > due => ("overdue", "已逾期"),
        Some(_) => ("in_progress", "填报中"),
        None => ("not_started", "未开始"),
    }
}

async fn load(pool: &PgPool, user: &User, id: Uuid, code: &str, today: NaiveDate) -> Result<Option<Detail>, sqlx::Error> {
    let Some((year, second)) = parse_period(code) else { return Ok(None) };
    let Some(a) = sqlx::query_as::<_, Alliance>(super::ALLIANCE_SQL).bind(id).bind(1_i64).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let bureau = matches!(user.role.as_str(), "bureau_admin" | "bureau_staff");
    if !bureau {
        let Some(org) = user.organization_id else { return Ok(None) };
        if a.initiator_org_id != org {
            let (n,): (i64,) = sqlx::query_as(MEMBERSHIP_SQL).bind(id).bind(org).fetch_one(pool).await?;
            if n == 0 {
                return Ok(None);
            }
        }
    }
    let start = NaiveDate::from_ymd_opt(year, if second { 7 } else { 1 }, 1).unwrap_or_default();
    let end = if second { NaiveDate::from_ymd_opt(year, 12, 31) } else { NaiveDate::from_ymd_opt(year, 6, 30) }.unwrap_or_default();
    match a.registered_on {
        Some(r) if r <= end && start <= today => {}
        _ => return Ok(None),
    }
    let years: Vec<i32> = sqlx::query_scalar(YEARS_SQL).bind(year).bind(year + 1).fetch_all(pool).await?;
    let days = sqlx::query_as::<_, Day>(DAYS_SQL).bind(year).bind(year + 1).fetch_all(pool).await?;
    let member_rows_due = deadline("成员单位数据", end + TimeDelta::days(15), &years, &days);
    let report_due = deadline("联盟报送", end + TimeDelta::days(31), &years, &days);
    let report = sqlx::query_as::<_, Report>(REPORT_SQL).bind(id).bind(code).bind(1_i64).fetch_optional(pool).await?;
    let memberships = sqlx::query_as::<_, Member>(MEMBERS_SQL).bind(id).fetch_all(pool).await?;
    let (rows, rounds) = match &report {
        Some(r) => (
            sqlx::query_as::<_, Row>(ROWS_SQL).bind(r.id).fetch_all(pool).await?,
            sqlx::query_as::<_, Round>(ROUNDS_SQL).bind(r.id).fetch_all(pool).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let on = |m: &Member, day: NaiveDate| !m.pending && m.joined_on.is_none_or(|j| j <= day) && m.left_on.is_none_or(|l| l > day);
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| start <= d && d <= end);
    let required_orgs: Vec<Uuid> = memberships.iter().filter(|m| on(m, end)).filter_map(|m| m.o_id).collect();
    let mut totals = Counts::new("合计".into(), None);
    let mut subtotals: Vec<Counts> =
        KINDS.iter().enumerate().map(|(i, k)| Counts::new(format!("{}、{}", NUMERALS[i], kind_label(k)), Some(*k))).collect();
    let mut members: Vec<MemberOut> = Vec::new();
    let (mut rows_required, mut rows_filled) = (0, 0);
    for m in &memberships {
        let (Some(oid), Some(name), Some(kind)) = (m.o_id, m.o_name.clone(), m.o_kind.clone()) else { continue };
        let required = on(m, end);
        let shown = required || (within(m.left_on) && !required_orgs.contains(&oid));
        if !shown || members.iter().any(|x| x.organization.id == oid) {
            continue;
        }
        let row = if required { rows.iter().find(|r| r.organization_id == oid) } else { None };
        if let Some(r) = row {
            totals.add(r);
            if let Some(i) = KINDS.iter().position(|k| *k == r.org_kind) {
                subtotals[i].add(r);
            }
        }
        let filled = row.is_some_and(|r| !r.progress_pending);
        rows_required += u32::from(required);
        rows_filled += u32::from(filled);
        members.push(MemberOut {
            role: if oid == a.initiator_org_id { "initiator" } else { "member" },
            is_lead: oid == a.lead_org_id,
            joined_on: m.joined_on,
            left_on: m.left_on,
            joined_in_period: within(m.joined_on),
            left_in_period: within(m.left_on),
            required,
            filled,
            progress_pending: row.is_some_and(|r| r.progress_pending),
            filled_by_initiator: row.is_some_and(|r| r.filled_by_initiator),
            confirmed_no_change: row.is_some_and(|r| r.confirmed_no_change),
            basic: row.map(Row::basic),
            progress: row.map(Row::progress),
            organization: OrgRef { id: oid, name, kind_label: kind_label(&kind), kind },
        });
    }
    let (status, status_label) = standing(report.as_ref(), today, report_due.due);
    let open = matches!(status, "not_started" | "in_progress" | "overdue");
    let r = report.as_ref();
    Ok(Some(Detail {
        alliance_id: a.id,
        alliance_name: a.name,
        registration_no: a.registration_no,
        period: code.to_string(),
        period_label: format!("{year}年{}", if second { "下半年度" } else { "上半年度" }),
        period_start: start,
        period_end: end,
        status,
        status_label,
        report_status: r.map(|r| r.status.clone()),
        days_to_deadline: open.then(|| (report_due.due - today).num_days()),
        member_rows_due,
        report_due,
        submitted_at: r.and_then(|r| r.submitted_at),
        first_submitted_at: r.and_then(|r| r.first_submitted_at),
        late_days: r.and_then(|r| r.late_days),
        summary_required: second,
        summary_text: r.and_then(|r| r.summary_text.clone()),
        summary_document_id: r.and_then(|r| r.summary_doc_id),
        rows_required,
        rows_filled,
        members,
        totals,
        subtotals,
        rounds: rounds
            .into_iter()
            .map(|x| RoundOut {
                round: x.round,
                submitted_at: x.submitted_at,
                days_after_due: x.days_after_due,
                decided_at: x.decided_at,
                outcome: x.outcome,
                reasons: x
                    .reasons
                    .as_ref()
                    .and_then(|v| v.as_array())
                    .map(|items| {
                        items
                            .iter()
                            .map(|i| ReasonOut {
                                item: i["item"].as_str().unwrap_or_default().into(),
                                reason: i["reason"].as_str().unwrap_or_default().into(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                comment: x.comment,
            })
            .collect(),
        version: r.map(|r| r.version),
    }))
}

#[handler]
pub async fn get_report(req: &Request, Path((id, period)): Path<(Uuid, String)>, pool: Data<&PgPool>, keys: Data<&Arc<Keys>>) -> Response {
    let user = match authenticate(req, *pool, *keys).await {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    match load(*pool, &user, id, &period, today()).await {
        Ok(Some(d)) => Json(d).into_response(),
        Ok(None) => problem(StatusCode::NOT_FOUND, "not_found", "Not found"),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
    }
}
