//! Data for the dashboard tests: the demo data set plus two generated
//! half-years of reports through the API, and the dashboard's figures
//! counted independently — rows loaded with sea-orm and counted in Rust with
//! the pure rules of `entities`, never with the service's SQL.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use entities::{
    OrgKind,
    alliance::AllianceStatus,
    models::{
        alliance, alliance_member, application, clawback, notice, notice_item, objection, organization, outbox_message, payment, report,
        report_row, resource, sanction,
    },
    report::{Period, ReportStatus, Standing, standing},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
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
    api::demo::load_accounts(&app.state).await.expect("demo data");
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

    let published = published_resources(app).await;

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
    notice_ending_this_week(app, &published).await;
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

/// Category-3 applications through the lifecycle (`TestApp::awaiting_approval`:
/// submitted 1 June 2026, on one notice, closed 8 June): on 9 June three are
/// published (an online course and a printed textbook with payments, a
/// course standard without), one stays awaiting approval; both payments are
/// disbursed; on 20 June the printed textbook is revoked for fraud (its
/// payment clawed back). The next assessment of the online course is set to
/// 1 September 2026 and of the course standard to 1 July 2026 — as the
/// assessments of issue 7 will set them — so one is due within 60 days of
/// 10 August and one is overdue. Answers the applicants' ids.
pub async fn published_resources(app: &TestApp) -> Vec<String> {
    let apps = app
        .awaiting_approval(&[
            ("online_course", "工业机器人线上课程"),
            ("printed_textbook", "数控加工教材"),
            ("course_standard", "模具设计课程标准"),
            ("e_textbook", "电子商务电子教材"),
        ])
        .await;
    app.set_now("2026-06-09T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    for (_, id) in &apps[..3] {
        let (status, body) = app.post_json(&format!("/api/v1/applications/{id}/approve"), Some(&staff), &json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, pays) = app.get("/api/v1/payments", Some(&staff)).await;
    for p in pays["items"].as_array().expect("payments") {
        let (status, body) =
            app.post_json(&format!("/api/v1/payments/{}/disburse", p["id"].as_str().expect("id")), Some(&staff), &json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    app.set_now("2026-06-20T09:00:00+08:00").await;
    let (org, id) = (apps[1].0.id(), &apps[1].1);
    let (status, body) = app
        .post_json(
            "/api/v1/sanctions",
            Some(&staff),
            &json!({"organization_id": org, "kind": "fraud_certification", "confirmed_on": "2026-06-20", "description": "教材使用报告系伪造", "application_id": id}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    for (i, due) in [(0, "2026-09-01"), (2, "2026-07-01")] {
        let application_id: uuid::Uuid = apps[i].1.parse().expect("uuid");
        let r = resource::Entity::find()
            .filter(resource::Column::ApplicationId.eq(application_id))
            .one(&app.db)
            .await
            .expect("resource")
            .expect("published");
        resource::ActiveModel { id: Set(r.id), next_assessment_due: Set(due.parse().expect("date")), ..Default::default() }
            .update(&app.db)
            .await
            .expect("due date");
    }
    apps.iter().map(|(a, _)| a.id().to_string()).collect()
}

/// On Monday 3 August 2026: a new call; one application drawn and put on a
/// notice that ends at 17:30 on Monday 10 August (the week of the overview),
/// with an objection not yet ruled on; one application only submitted and
/// one left a draft (not counted: not handed in).
pub async fn notice_ending_this_week(app: &TestApp, _published: &[String]) {
    app.set_now("2026-08-03T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let mut ids = Vec::new();
    for (i, title) in ["焊接技术线上课程", "物流管理线上课程", "直播电商线上课程"].iter().enumerate() {
        let a = app.applicant(OrgKind::TrainingInstitution, &format!("week{i}@dash.dg.cn")).await;
        let body = app.certification_body(a.session(), &call, title).await;
        if i == 2 {
            app.draft_application(a.session(), &body).await;
        } else {
            ids.push(app.submitted_application(a.session(), &body).await.0);
        }
    }
    app.draw_panel(&staff, &ids[0], 1).await;
    let (status, notice) = app
        .post_json("/api/v1/notices", Some(&staff), &json!({"title": "拟认定技能资源公示", "body": "公示", "application_ids": [ids[0]]}))
        .await;
    assert_eq!(status, 201, "{notice}");
    assert_eq!(notice["ends_at"], "2026-08-10T09:30:00+00:00", "17:30 on Monday 10 August");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/public/notices/{}/objections", notice["id"].as_str().expect("id")),
            None,
            &json!({"application_id": ids[0], "name": "赵六", "phone": "13912345678", "argument": "课程内容与申报不符。"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
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
    /// Applications handed in during the year (Beijing), per (category, status) code.
    pub applications: BTreeMap<(String, String), u64>,
    pub notices_open: u64,
    pub notices_ending_this_week: u64,
    pub open_objections: u64,
    /// Notices ending this week: id → (applications listed, open objections).
    pub notices_ending: BTreeMap<uuid::Uuid, (u64, u64)>,
    /// Payments of the year per category code: [payments, committed, disbursed, clawed back, to recover].
    pub funding: BTreeMap<String, [i64; 5]>,
    /// Per fee item code: [quantity, committed, disbursed].
    pub funding_by_item: BTreeMap<String, [i64; 3]>,
    /// Per category code: (overdue, due within 60 days) of resources not revoked.
    pub reassessments: BTreeMap<String, (u64, u64)>,
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
    resource_figures(app, today, &mut e).await;
    e
}

fn code<T: sea_orm::ActiveEnum<Value = String>>(v: T) -> String {
    v.to_value()
}

/// The skill-resource figures, from the rows, for the year of `today`.
async fn resource_figures(app: &TestApp, today: NaiveDate, e: &mut Expected) {
    use chrono::Datelike;
    use entities::resource::{NoticeStatus, ObjectionStatus, funding::PaymentStatus};
    let db = &app.db;
    let beijing = entities::calendar::CHINA_OFFSET;
    let year = today.year();
    for a in application::Entity::find().all(db).await.expect("applications") {
        let Some(at) = a.submitted_at else { continue };
        if at.with_timezone(&beijing).year() == year {
            *e.applications.entry((code(a.category), code(a.status))).or_default() += 1;
        }
    }
    // The week of `today`, Monday to Sunday, in Beijing.
    let monday = today - chrono::TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
    let items = notice_item::Entity::find().all(db).await.expect("items");
    let objections = objection::Entity::find().all(db).await.expect("objections");
    for n in notice::Entity::find().all(db).await.expect("notices") {
        if n.status == NoticeStatus::Open {
            e.notices_open += 1;
        }
        let end = n.ends_at.with_timezone(&beijing).date_naive();
        if end >= monday && end < monday + chrono::TimeDelta::days(7) {
            e.notices_ending_this_week += 1;
            let listed = items.iter().filter(|i| i.notice_id == n.id).count() as u64;
            let open = objections.iter().filter(|o| o.notice_id == n.id && o.status == ObjectionStatus::Open).count() as u64;
            e.notices_ending.insert(n.id, (listed, open));
        }
    }
    e.open_objections = objections.iter().filter(|o| o.status == ObjectionStatus::Open).count() as u64;
    let clawbacks = clawback::Entity::find().all(db).await.expect("clawbacks");
    for p in payment::Entity::find().all(db).await.expect("payments").into_iter().filter(|p| p.year == year) {
        let recover = clawbacks.iter().filter(|c| c.payment_id == p.id).map(|c| c.amount).sum::<i64>();
        let disbursed = if p.status == PaymentStatus::Disbursed { p.amount } else { 0 };
        let clawed = if p.status == PaymentStatus::ClawedBack { p.amount } else { 0 };
        let c = e.funding.entry(code(p.category)).or_default();
        for (i, v) in [1, p.amount, disbursed, clawed, recover].into_iter().enumerate() {
            c[i] += v;
        }
        let f = e.funding_by_item.entry(code(p.fee_item)).or_default();
        for (i, v) in [p.quantity, p.amount, disbursed].into_iter().enumerate() {
            f[i] += v;
        }
    }
    for r in resource::Entity::find().all(db).await.expect("resources").into_iter().filter(|r| r.revoked_on.is_none()) {
        let c = e.reassessments.entry(code(r.category)).or_default();
        if r.next_assessment_due < today {
            c.0 += 1;
        } else if (r.next_assessment_due - today).num_days() <= 60 {
            c.1 += 1;
        }
    }
}

/// The cards of the page (`data-figure` key) and the value the page must
/// show for each, read from the overview JSON.
#[must_use]
pub fn card_values(o: &serde_json::Value) -> Vec<(&'static str, String)> {
    const KEYS: [&str; 19] = [
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
        "applications.total",
        "notices.open",
        "notices.ending_this_week",
        "notices.open_objections",
        "funding.total.committed",
        "funding.total.disbursed",
        "reassessments.total",
    ];
    KEYS.iter()
        .map(|k| {
            let v = k.split('.').fold(o, |v, part| &v[part]);
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            (*k, text)
        })
        .collect()
}
