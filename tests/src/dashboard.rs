//! Data for the dashboard tests: the demo data set plus two generated
//! half-years of reports through the API, and the dashboard's figures
//! counted independently — rows loaded with sea-orm and counted in Rust with
//! the pure rules of `entities`, never with the service's SQL.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use entities::{
    OrgKind,
    alliance::AllianceStatus,
    models::{alliance, alliance_member, organization, outbox_message, report, report_row, sanction},
    report::{Period, ReportStatus, Standing, standing},
};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::{
    Session, TestApp,
    alliances::Filing,
    reports::{Row, report_path},
};

/// Token lifetime long enough to travel months without signing in again.
pub const LONG_TTL_SECS: u32 = 400 * 86_400;

/// The alliances of the scenario (`a` accepted, `b` submitted on time, `c`
/// returned, `d` in progress and overdue, `e` handed in late) and a bureau session.
pub struct Scenario {
    pub filings: Vec<Filing>,
    pub staff: Session,
}

/// Loads the demo data (on 20 November 2025: the demo alliance owes 2025H2
/// and 2026H1 and reports nothing), generates 2025H2 and 2026H1 for five alliances registered on
/// 1 December 2025, records a fraud ban and a dead mail message, and leaves
/// the clock at 10 August 2026 (2026H1 was due on Friday 31 July).
pub async fn generate(app: &TestApp) -> Scenario {
    // The demo alliance first: the generated filings reuse its name, and demo
    // loading skips an alliance whose name exists.
    app.set_now("2025-11-20T09:00:00+08:00").await;
    api::demo::load(&app.state).await.expect("demo data");
    app.set_now("2025-12-01T09:00:00+08:00").await;
    let mut filings = Vec::new();
    let mut staff = None;
    for _ in 0..5 {
        let (f, s) = app.registered_alliance().await;
        filings.push(f);
        staff = Some(s);
    }
    let staff = staff.expect("staff");

    // 2025H2 (due Monday 2 February 2026): a and b hand in on time, c starts.
    app.set_now("2026-01-12T09:00:00+08:00").await;
    for f in &filings[..2] {
        app.everyone_fills(f, "2025H2").await;
        app.write_summary(f, "2025H2").await;
        let (status, body) = app.submit_report(f, "2025H2").await;
        assert_eq!(status, 200, "{body}");
    }
    app.fill_row(&filings[2], "2025H2", &filings[2].initiator.session, filings[2].initiator.id(), &Row::simple(90, 30)).await;

    // 2026H1 (due Friday 31 July 2026).
    app.set_now("2026-07-10T09:00:00+08:00").await;
    for f in &filings[..3] {
        app.everyone_fills(f, "2026H1").await;
        let (status, body) = app.submit_report(f, "2026H1").await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = app.post_json(&report_path(&filings[0], "2026H1", "/accept"), Some(&staff), &json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .post_json(
            &report_path(&filings[2], "2026H1", "/return"),
            Some(&staff),
            &json!({"reasons": [{"item": "附件3", "reason": "培训人数请核实"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let d = &filings[3];
    app.fill_row(d, "2026H1", &d.lead.session, d.lead.id(), &Row::simple(400, 77)).await;
    // e hands in 5 days late.
    app.set_now("2026-08-05T09:00:00+08:00").await;
    let e = &filings[4];
    app.everyone_fills(e, "2026H1").await;
    let (status, body) = app.submit_report(e, "2026H1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["late_days"], 5, "{body}");

    // A fraud ban in force, a breach without a ban, and a dead message.
    let (status, body) = app
        .post_json(
            "/api/v1/sanctions",
            Some(&staff),
            &json!({"organization_id": filings[3].research.id(), "kind": "fraud_development", "confirmed_on": "2026-08-01", "description": "开发过程中弄虚作假"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .post_json(
            "/api/v1/sanctions",
            Some(&staff),
            &json!({"organization_id": filings[3].lead.id(), "kind": "agreement_breach", "confirmed_on": "2026-08-01", "description": "未按协议履行"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = app.queue_test_mail("nobody@example.dg.cn", "测试", None, None).await.expect("queued");
    outbox_message::ActiveModel { id: Set(id), dead_at: Set(Some(jobs::Clock::now(&app.clock))), ..Default::default() }
        .update(&app.db)
        .await
        .expect("dead");
    app.set_now("2026-08-10T10:00:00+08:00").await;
    Scenario { filings, staff }
}

/// Report compliance of one period, counted in Rust.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Compliance {
    pub owed: u64,
    pub by_standing: BTreeMap<&'static str, u64>,
    pub handed_in: u64,
    pub on_time: u64,
}

/// The figures of the overview, counted independently.
#[derive(Debug, Default)]
pub struct Expected {
    pub alliances_by_status: BTreeMap<&'static str, u64>,
    pub alliances_by_industry: BTreeMap<String, u64>,
    pub units_by_kind: BTreeMap<OrgKind, u64>,
    pub memberships_by_kind: BTreeMap<OrgKind, u64>,
    pub compliance: BTreeMap<Period, Compliance>,
    /// (period, kind) → 8 附件3 sums (trainees, then the seven levels).
    pub training: BTreeMap<(Period, OrgKind), [i64; 8]>,
    /// alliance id → trainees in `period`.
    pub trainees_by_alliance: BTreeMap<uuid::Uuid, i64>,
    pub overdue: u64,
    pub bans: u64,
    pub dead_mail: u64,
}

fn status_code(s: AllianceStatus) -> &'static str {
    match s {
        AllianceStatus::Draft => "draft",
        AllianceStatus::Submitted => "submitted",
        AllianceStatus::Returned => "returned",
        AllianceStatus::Registered => "registered",
        AllianceStatus::Suspended => "suspended",
        AllianceStatus::Dissolved => "dissolved",
    }
}

fn training_values(r: &report_row::Model) -> [i64; 8] {
    [
        r.trainees,
        r.trained_senior_technician,
        r.trained_technician,
        r.trained_senior_worker,
        r.trained_intermediate_worker,
        r.trained_junior_worker,
        r.trained_special,
        r.trained_general_workers,
    ]
}

/// Counts everything from the tables on `today`; `due` gives each period's
/// report due date; `periods` are those of the chart; `period` the overview's.
pub async fn expected(app: &TestApp, today: NaiveDate, due: &BTreeMap<Period, NaiveDate>, period: Period) -> Expected {
    let db = &app.db;
    let alliances = alliance::Entity::find().all(db).await.expect("alliances");
    let members = alliance_member::Entity::find().all(db).await.expect("members");
    let orgs: BTreeMap<_, _> = organization::Entity::find().all(db).await.expect("orgs").into_iter().map(|o| (o.id, o)).collect();
    let reports = report::Entity::find().all(db).await.expect("reports");
    let rows = report_row::Entity::find().all(db).await.expect("rows");
    let on_file = |a: &alliance::Model| matches!(a.status, AllianceStatus::Registered | AllianceStatus::Suspended);
    let mut e = Expected::default();
    for a in &alliances {
        *e.alliances_by_status.entry(status_code(a.status)).or_default() += 1;
        if on_file(a) {
            *e.alliances_by_industry.entry(a.industry.clone()).or_default() += 1;
        }
    }
    let mut units: BTreeMap<OrgKind, BTreeSet<uuid::Uuid>> = BTreeMap::new();
    for m in &members {
        let a = alliances.iter().find(|a| a.id == m.alliance_id).expect("alliance");
        if on_file(a) && m.is_member_on(today) {
            let kind = orgs[&m.organization_id].kind;
            units.entry(kind).or_default().insert(m.organization_id);
            *e.memberships_by_kind.entry(kind).or_default() += 1;
        }
    }
    e.units_by_kind = units.into_iter().map(|(k, s)| (k, s.len() as u64)).collect();
    for (p, due) in due {
        let mut c = Compliance::default();
        for a in &alliances {
            let r = reports.iter().find(|r| r.alliance_id == a.id && r.period == p.code());
            let owes = a.registered_on.is_some_and(|d| d < p.end()) && (on_file(a) || r.is_some());
            if !owes {
                continue;
            }
            let s = standing(r.map(|r| (r.status, r.late_days)), today, *due);
            c.owed += 1;
            *c.by_standing.entry(s.code()).or_default() += 1;
            if matches!(s, Standing::Submitted | Standing::Late | Standing::Accepted | Standing::Returned) {
                c.handed_in += 1;
            }
            if r.is_some_and(|r| r.late_days == Some(0)) {
                c.on_time += 1;
            }
            if s == Standing::Overdue && today > *due {
                e.overdue += 1;
            }
        }
        e.compliance.insert(*p, c);
        for r in reports.iter().filter(|r| r.period == p.code() && matches!(r.status, ReportStatus::Submitted | ReportStatus::Accepted)) {
            let a = alliances.iter().find(|a| a.id == r.alliance_id).expect("alliance");
            for row in rows.iter().filter(|x| x.report_id == r.id) {
                let member = members
                    .iter()
                    .any(|m| m.alliance_id == r.alliance_id && m.organization_id == row.organization_id && m.is_member_on(p.end()));
                if !member {
                    continue;
                }
                let sums = e.training.entry((*p, row.org_kind)).or_insert([0; 8]);
                for (i, v) in training_values(row).iter().enumerate() {
                    sums[i] += v;
                }
                if *p == period {
                    *e.trainees_by_alliance.entry(a.id).or_default() += row.trainees;
                }
            }
        }
    }
    e.bans = sanction::Entity::find()
        .all(db)
        .await
        .expect("sanctions")
        .iter()
        .filter(|s| entities::sanction::is_in_force(s.confirmed_on, s.ban_until, today))
        .count() as u64;
    e.dead_mail = outbox_message::Entity::find().all(db).await.expect("outbox").iter().filter(|m| m.dead_at.is_some()).count() as u64;
    e
}

/// The cards of the page (`data-figure` key) and the value the page must
/// show for each, read from the overview JSON.
#[must_use]
pub fn card_values(o: &serde_json::Value) -> Vec<(&'static str, String)> {
    const KEYS: [&str; 12] = [
        "alliances.registered",
        "members.units",
        "reports.owed",
        "reports.handed_in",
        "reports.on_time_rate_label",
        "reports.overdue",
        "reports.late",
        "reports.accepted",
        "training.total.trainees",
        "overdue.total",
        "bans.active",
        "mail.dead",
    ];
    KEYS.iter()
        .map(|k| {
            let v = k.split('.').fold(o, |v, part| &v[part]);
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            (*k, text)
        })
        .collect()
}
