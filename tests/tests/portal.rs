//! Issue 15 acceptance 1 and 4: the whole 003 journey in a real browser.
//!
//! (a) an initiator (forced to change its password first) creates a draft
//! with a lead, two enterprises, a training institution and a research
//! institute, uploads the documents and fills its own 附件1; (b) each member
//! fills 附件1 from its 我的待办 (one with a wrong figure first, shown beside
//! the field) and signs the charter; (c) the initiator submits; (d) bureau
//! staff return it with a reason, the initiator finds it on 我的待办, fixes
//! it and resubmits, the bureau registers; (e) a half-year later the members
//! fill their rows (one with "与上期相同"), the initiator submits and the
//! bureau accepts. Each step is checked through the API; every page visited
//! passes axe-core (no serious or critical violation) and is photographed
//! (`$CARGO_TARGET_TMPDIR/portal/journey/`). Skipped, with a notice, when
//! Chromium is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use anyhow::{Context, ensure};
use entities::{OrgKind, models::user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tests::{
    Session, TestApp, USER_PASSWORD,
    alliances::{Filing, PDF, Party},
    browser::find_chromium,
    portal::Portal,
    reports::{BASIC_FIELDS, PROGRESS_FIELDS, Row, report_path},
    spawn_app,
};

const NEW_PASSWORD: &str = "Kaishi#2025dg";

/// Fills the 附件1 form on the page with consistent figures of `total` staff.
fn fill_member_form(p: &mut Portal, total: i64, management: i64) -> anyhow::Result<()> {
    for (id, v) in [
        ("address", "广东省东莞市松山湖园区工业东路1号"),
        ("postcode", "523808"),
        ("email", "hr@example.dg.cn"),
        ("legal_representative", "陈大文"),
        ("contact_person", "林小红"),
        ("office_phone", "0769-22001100"),
        ("mobile", "13900769000"),
        ("fax", ""),
        ("profile", "单位简介：主要从事智能装备制造与职业培训。"),
    ] {
        p.fill(&format!("#f-{id}"), v)?;
    }
    let t = total;
    for (id, v) in [
        ("total_staff", t),
        ("management", management),
        ("title_senior", t / 20),
        ("title_intermediate", t / 10),
        ("title_junior", t / 10),
        ("skill_senior_technician", t / 50),
        ("skill_technician", t / 25),
        ("skill_senior_worker", t / 10),
        ("skill_intermediate_worker", t / 10),
        ("skill_junior_worker", t / 10),
        ("skill_special", t / 50),
        ("general_workers", t / 2),
    ] {
        p.fill(&format!("#f-{id}"), &v.to_string())?;
    }
    Ok(())
}

/// Fills the row form with `row`.
fn fill_row(p: &mut Portal, row: &Row) -> anyhow::Result<()> {
    for (name, v) in BASIC_FIELDS.iter().zip(row.basic) {
        p.fill(&format!("[id=\"f-basic.{name}\"]"), &v.to_string())?;
    }
    for (name, v) in PROGRESS_FIELDS.iter().zip(row.progress) {
        p.fill(&format!("[id=\"f-progress.{name}\"]"), &v.to_string())?;
    }
    Ok(())
}

struct World<'a> {
    app: &'a TestApp,
    rt: tokio::runtime::Handle,
    staff: Session,
    parties: Vec<Party>,
}

impl World<'_> {
    fn api_get(&self, path: &str) -> Value {
        let (status, body) = self.rt.block_on(self.app.get(path, Some(&self.staff)));
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    fn alliance(&self, id: &str) -> Value {
        self.api_get(&format!("/api/v1/alliances/{id}"))
    }

    fn initiator(&self) -> &Party {
        &self.parties[0]
    }
}

fn journey(w: &mut World<'_>, chromium: &Path) -> anyhow::Result<()> {
    let mut p = Portal::launch(chromium, &w.app.address, Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("journey"))?;
    let names: Vec<String> = w.parties.iter().map(|x| x.session.username.clone()).collect();
    let initiator_org = w.initiator().id().to_string();
    let lead = w.parties[1].org.clone();

    // The accessibility check can fail: an unlabelled field is a violation.
    p.b.goto("data:text/html,<!doctype html><html lang=zh-CN><title>t</title><main><input></main></html>")?;
    p.b.wait_for("document.readyState === 'complete'", std::time::Duration::from_secs(10))?;
    let found = p.axe()?;
    ensure!(found.iter().any(|v| v.starts_with("label")), "axe-core finds an unlabelled input: {found:?}");
    p.checked.clear();

    // (a) The initiator signs in and must first change its password.
    p.open("/tasks")?;
    ensure!(p.path()?.starts_with("/login"), "not signed in: sent to the login page");
    p.page_ok("login")?;
    p.sign_in(&names[0], USER_PASSWORD)?;
    ensure!(p.path()? == "/password", "must_change_password leads to /password, not {}", p.path()?);
    p.open("/alliances")?;
    ensure!(p.path()? == "/password", "other pages redirect to the password form");
    p.page_ok("password-forced")?;
    p.fill("#f-current_password", USER_PASSWORD)?;
    p.fill("#f-new_password", NEW_PASSWORD)?;
    p.fill("#f-new_password_again", NEW_PASSWORD)?;
    p.click("form[action=\"/password\"] button")?;
    ensure!(p.path()?.starts_with("/tasks"), "after the change: 我的待办");
    p.page_ok("tasks-empty")?;

    // Create the draft: find the lead by its credit code, choose it, name the alliance.
    p.open("/alliances/new")?;
    p.fill("#q", lead["credit_code"].as_str().unwrap_or_default())?;
    p.click("form[role=search] button")?;
    p.page_ok("new-alliance-search")?;
    p.check(&format!("#lead-{}", lead["id"].as_str().unwrap_or_default()))?;
    p.fill("#f-name", "东莞市智能装备职业培训联盟")?;
    p.fill("#f-industry", "智能装备制造")?;
    p.fill("#f-report_text", "关于建立东莞市智能装备职业培训联盟的报告：联盟名称、产业领域、成员组成……")?;
    p.click("form[method=post][action=\"/alliances/new\"] button[type=submit]")?;
    let path = p.path()?;
    ensure!(path.contains("done=created"), "draft created: {path}");
    let id = path.trim_start_matches("/alliances/").split('?').next().context("id")?.to_string();
    ensure!(w.alliance(&id)["status"] == "draft", "draft in the API");
    p.page_ok("alliance-draft")?;
    ensure!(p.has("ul.readiness li")?, "readiness lists what is missing");

    // Members, found by credit code.
    for m in &w.parties[2..] {
        let code = m.org["credit_code"].as_str().unwrap_or_default().to_string();
        let name = m.org["name"].as_str().unwrap_or_default().to_string();
        p.fill("#member-q", &code)?;
        p.click("form[aria-label=\"查找成员单位\"] button")?;
        p.click(&format!("button[aria-label=\"增加{name}为成员单位\"]"))?;
        ensure!(p.path()?.contains("done=member_added"), "member {name} added");
    }
    let members = w.alliance(&id)["members"].as_array().map_or(0, Vec::len);
    ensure!(members == 6, "six members in the API, got {members}");

    // Documents: agreement, charter, licence.
    let pdf = tempfile::NamedTempFile::with_suffix(".pdf")?;
    std::fs::write(pdf.path(), PDF)?;
    for kind in ["agreement", "charter", "licence"] {
        p.eval(&format!("document.getElementById('upload-kind').value = '{kind}'; true"))?;
        p.choose_file("#upload-file", pdf.path())?;
        p.click("form[action$=\"/upload\"] button")?;
        ensure!(p.path()?.contains("done=uploaded"), "{kind} uploaded: {}", p.body_text()?);
    }
    let a = w.alliance(&id);
    ensure!(a["agreement_document_id"].is_string() && a["charter_document_id"].is_string() && a["licence_document_id"].is_string());

    // The initiator's own form, then its signature.
    p.click(&format!("a[href=\"/alliances/{id}/members/{initiator_org}/form\"]"))?;
    fill_member_form(&mut p, 300, 30)?;
    p.click("#save-form")?;
    ensure!(p.path()?.contains("done=saved"), "own form saved");
    p.click("#sign")?;
    ensure!(p.path()?.contains("done=signed"), "initiator signed");

    // (b) Each member: 我的待办 → the form (the first one wrong first) → sign.
    for (i, name) in names.iter().enumerate().skip(1) {
        p.sign_in(name, USER_PASSWORD)?;
        ensure!(
            p.has("li[data-kind=member_form]")? && p.has("li[data-kind=charter_signature]")?,
            "member {i} sees form and signature tasks"
        );
        if i == 1 {
            p.page_ok("tasks-member")?;
        }
        p.click("li[data-kind=member_form] a")?;
        let total = 100 * i64::try_from(i).unwrap_or(1);
        if i == 1 {
            p.page_ok("member-form")?;
            fill_member_form(&mut p, total, total + 1)?;
            p.click("#save-form")?;
            let error = p.text("#e-management")?;
            ensure!(!error.is_empty(), "the wrong field's error shows beside it");
            ensure!(p.eval("document.getElementById('f-management').getAttribute('aria-invalid')")? == json!("true"));
            p.page_ok("member-form-error")?;
            let forms = w.alliance(&id)["members"].as_array().map_or(0, |m| m.iter().filter(|x| x["form_filled"] == true).count());
            ensure!(forms == 1, "nothing saved by the wrong form ({forms} forms)");
        }
        fill_member_form(&mut p, total, total / 10)?;
        p.click("#save-form")?;
        ensure!(p.path()?.contains("done=saved"), "member {i} form saved: {}", p.body_text()?);
        p.click("#sign")?;
        ensure!(p.path()?.contains("done=signed"), "member {i} signed");
    }
    let a = w.alliance(&id);
    let all = a["members"].as_array().cloned().unwrap_or_default();
    ensure!(all.iter().all(|m| m["form_filled"] == true && m["charter_signed"] == true), "every form and signature in: {a}");

    // (c) The initiator submits.
    p.sign_in(&names[0], NEW_PASSWORD)?;
    p.open(&format!("/alliances/{id}"))?;
    ensure!(p.has("#ready")?, "ready to submit: {}", p.body_text()?);
    p.click("#submit-filing")?;
    ensure!(p.path()?.contains("done=submitted"));
    ensure!(w.alliance(&id)["status"] == "submitted");
    p.page_ok("alliance-submitted")?;

    // (d) Bureau staff return it with a reason.
    p.sign_in(&w.staff.username, USER_PASSWORD)?;
    p.page_ok("tasks-bureau")?;
    ensure!(p.has("li[data-kind=filing_review]")?, "the bureau's 我的待办 lists the filing");
    p.open("/review/filings")?;
    p.page_ok("review-filings")?;
    p.click("#queue a")?;
    p.page_ok("alliance-bureau")?;
    // The bureau reads each member's form (read-only) from the filing.
    p.click(&format!("a[href=\"/alliances/{id}/members/{initiator_org}/form\"]"))?;
    ensure!(p.eval("document.querySelector('fieldset.plain').disabled")? == json!(true), "read-only for the bureau");
    ensure!(!p.has("#save-form")?);
    p.page_ok("member-form-bureau")?;
    p.open(&format!("/alliances/{id}"))?;
    p.fill("#reason-0", "报告未说明成员单位的组成，请补充。")?;
    p.click("#return")?;
    ensure!(p.path()?.contains("done=returned"));
    ensure!(w.alliance(&id)["status"] == "returned");

    // The initiator sees it on 我的待办 with the reason, fixes the report and resubmits.
    p.sign_in(&names[0], NEW_PASSWORD)?;
    let task = p.text("li[data-kind=filing_returned]")?;
    ensure!(task.contains("报告未说明成员单位的组成"), "reason on 我的待办: {task}");
    p.page_ok("tasks-returned")?;
    p.click("li[data-kind=filing_returned] a")?;
    ensure!(p.text("table.reasons")?.contains("报告未说明成员单位的组成"));
    p.fill("#f-report_text", "关于建立联盟的报告：成员单位由技工院校1所、龙头企业1家、企业2家、培训机构1家、科研机构1家组成。")?;
    p.click("form[action$=\"/edit\"] button")?;
    ensure!(p.path()?.contains("done=saved"));
    p.click("#submit-filing")?;
    ensure!(w.alliance(&id)["status"] == "submitted", "resubmitted");

    // The bureau registers.
    p.sign_in(&w.staff.username, USER_PASSWORD)?;
    p.open(&format!("/alliances/{id}"))?;
    p.click("#register")?;
    let no = p.text("#registration-no")?;
    ensure!(no.starts_with("DGLM-"), "registration number shown: {no}");
    let a = w.alliance(&id);
    ensure!(a["status"] == "registered" && a["registration_no"].as_str().is_some_and(|n| no.starts_with(n)));
    p.page_ok("alliance-registered")?;

    // The first half-year (2025H2) is filed through the API, so that 2026H1 has a previous period.
    let filing = Filing {
        id: id.clone(),
        initiator: w.parties[0].clone(),
        lead: w.parties[1].clone(),
        enterprises: vec![w.parties[2].clone(), w.parties[3].clone()],
        training: w.parties[4].clone(),
        research: w.parties[5].clone(),
    };
    let mut filing = filing;
    let rt = w.rt.clone();
    // Moves the clock and signs everyone in again through the API (the initiator with its new password).
    async fn travel(app: &TestApp, at: &str, f: &mut Filing, staff: &mut Session) {
        app.set_now(at).await;
        f.initiator.session = app.login_as(&f.initiator.session.username, NEW_PASSWORD).await;
        for p in [&mut f.lead, &mut f.training, &mut f.research].into_iter().chain(f.enterprises.iter_mut()) {
            p.session = app.login_as(&p.session.username, USER_PASSWORD).await;
        }
        *staff = app.login_as(&staff.username, USER_PASSWORD).await;
    }
    rt.block_on(async {
        travel(w.app, "2026-01-05T09:00:00+08:00", &mut filing, &mut w.staff).await;
        w.app.everyone_fills(&filing, "2025H2").await;
        w.app.write_summary(&filing, "2025H2").await;
        let (status, body) = w.app.submit_report(&filing, "2025H2").await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = w.app.post_json(&report_path(&filing, "2025H2", "/accept"), Some(&w.staff), &json!({})).await;
        assert_eq!(status, 200, "{body}");
        travel(w.app, "2026-07-02T09:00:00+08:00", &mut filing, &mut w.staff).await;
    });

    // (e) 2026H1: each member fills its row from 我的待办; the research institute: "与上期相同".
    let mut rows = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let password = if i == 0 { NEW_PASSWORD } else { USER_PASSWORD };
        p.sign_in(name, password)?;
        ensure!(p.has("li[data-kind=report_rows]")?, "member {i} owes its 2026H1 row: {}", p.body_text()?);
        p.click("li[data-kind=report_rows] a")?;
        ensure!(!p.text("#due-explained")?.is_empty(), "the due date is explained");
        if i == 1 {
            p.page_ok("row-form")?;
        }
        if i == 5 {
            // "与上期相同" confirms 附件2 only; this period's training is answered apart.
            p.click("#no-change")?;
            ensure!(p.has("#pending")?, "附件3 still to be entered: {}", p.body_text()?);
            p.page_ok("row-basic-confirmed")?;
            p.click("#no-activity")?;
            rows.push(None);
        } else {
            let row = Row::simple(120 * (i64::try_from(i).unwrap_or(0) + 1), 12 * (i64::try_from(i).unwrap_or(0) + 1));
            fill_row(&mut p, &row)?;
            p.click("#save-row")?;
            rows.push(Some(row));
        }
        ensure!(p.path()?.contains("done=row_saved"), "row {i} saved: {}", p.body_text()?);
    }
    let report = w.api_get(&report_path(&filing, "2026H1", ""));
    ensure!(report["rows_filled"] == 6, "six rows: {report}");
    let research = report["members"].as_array().and_then(|m| m.iter().find(|x| x["organization"]["id"] == w.parties[5].id()).cloned());
    let research = research.context("research institute")?;
    ensure!(research["confirmed_no_change"] == true, "the research institute confirmed its previous 附件2: {research}");
    ensure!(research["progress"]["trainees"] == 0, "and reported no training this period: {research}");

    // The initiator submits from 我的待办; the page shows the API's 合计.
    p.sign_in(&names[0], NEW_PASSWORD)?;
    p.click("li[data-kind=report_submit] a")?;
    p.page_ok("report-initiator")?;
    let shown = p.text("[data-total=\"basic.total_staff\"]")?;
    ensure!(
        report["totals"]["basic"]["total_staff"].as_i64().map(|n| n.to_string()) == Some(shown.clone()),
        "合计 shown {shown}, API {}",
        report["totals"]["basic"]
    );
    p.click("#submit-report")?;
    ensure!(p.path()?.contains("done=submitted"), "{}", p.body_text()?);

    // The bureau accepts from its queue.
    p.sign_in(&w.staff.username, USER_PASSWORD)?;
    p.open("/review/reports")?;
    p.page_ok("review-reports")?;
    p.click("#queue a")?;
    p.page_ok("report-bureau")?;
    p.click("#accept")?;
    let report = w.api_get(&report_path(&filing, "2026H1", ""));
    ensure!(report["status"] == "accepted", "accepted: {}", report["status"]);

    // The bureau's organisation pages.
    p.open("/organizations")?;
    p.page_ok("organizations")?;
    p.open(&format!("/organizations/{}", w.parties[1].id()))?;
    p.page_ok("organization-edit")?;
    p.open("/organizations/new")?;
    p.page_ok("organization-new")?;

    let bad: Vec<_> = p.checked.iter().filter(|(_, v)| !v.is_empty()).collect();
    ensure!(bad.is_empty(), "axe-core violations: {bad:#?}");
    println!("portal journey: {} pages checked with axe-core, screenshots in {}", p.checked.len(), p.shots().display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filing_and_its_half_year_report_are_done_in_the_browser_by_every_role() {
    let Some(chromium) = find_chromium() else {
        println!("browser test skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let app = spawn_app().await;
    app.set_now("2025-12-01T09:00:00+08:00").await;
    let mut parties = Vec::new();
    for kind in [
        OrgKind::TechnicalSchool,
        OrgKind::Enterprise,
        OrgKind::Enterprise,
        OrgKind::Enterprise,
        OrgKind::TrainingInstitution,
        OrgKind::ResearchInstitute,
    ] {
        parties.push(app.party(kind).await);
    }
    // The initiator's clerk got a one-time password: it must change it first.
    user::Entity::update_many()
        .col_expr(user::Column::MustChangePassword, sea_orm::sea_query::Expr::value(true))
        .filter(user::Column::Username.eq(parties[0].session.username.clone()))
        .exec(&app.db)
        .await
        .unwrap();
    let staff = app.login("bureau_staff", None).await;
    let mut world = World { app: &app, rt: tokio::runtime::Handle::current(), staff, parties };
    tokio::task::block_in_place(|| journey(&mut world, &chromium)).expect("journey");
}

/// Issue 15 acceptance 4: the filing can be done with the keyboard alone —
/// sign in, find the lead, create the draft, find and add a member, submit
/// (refused, with every unmet rule listed) — with Tab, typing, Space and Enter.
fn keyboard_only(app: &TestApp, chromium: &Path, initiator: &str, lead: &Value, member: &Value) -> anyhow::Result<()> {
    let mut p = Portal::launch(chromium, &app.address, Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("keyboard"))?;
    p.open("/login")?;
    p.tab_to("#username", 10)?;
    p.type_text(initiator)?;
    p.tab_to("#password", 3)?;
    p.type_text(USER_PASSWORD)?;
    p.press_and_wait("Enter")?;
    ensure!(p.path()?.starts_with("/tasks"), "signed in with the keyboard: {}", p.path()?);

    p.open("/alliances/new")?;
    p.tab_to("#q", 20)?;
    p.type_text(lead["credit_code"].as_str().unwrap_or_default())?;
    p.press_and_wait("Enter")?;
    p.tab_to(&format!("#lead-{}", lead["id"].as_str().unwrap_or_default()), 20)?;
    p.press(" ")?;
    p.tab_to("#f-name", 5)?;
    p.type_text("东莞市键盘操作职业培训联盟")?;
    p.tab_to("#f-industry", 3)?;
    p.type_text("家具制造")?;
    p.tab_to("form[method=post][action=\"/alliances/new\"] button[type=submit]", 10)?;
    p.press_and_wait("Enter")?;
    ensure!(p.path()?.contains("done=created"), "draft created with the keyboard: {}", p.body_text()?);

    p.tab_to("#member-q", 60)?;
    p.type_text(member["credit_code"].as_str().unwrap_or_default())?;
    p.press_and_wait("Enter")?;
    p.tab_to(&format!("button[aria-label=\"增加{}为成员单位\"]", member["name"].as_str().unwrap_or_default()), 60)?;
    p.press_and_wait("Enter")?;
    ensure!(p.path()?.contains("done=member_added"), "member added with the keyboard");

    p.tab_to("#submit-filing", 120)?;
    p.press_and_wait("Enter")?;
    ensure!(p.has("#problem li")?, "submission refused with the unmet rules listed: {}", p.body_text()?);
    p.page_ok("keyboard-refused")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filing_can_be_done_with_the_keyboard_alone() {
    let Some(chromium) = find_chromium() else {
        println!("browser test skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let app = spawn_app().await;
    let initiator = app.party(OrgKind::TechnicalSchool).await;
    let lead = app.create_org(OrgKind::Enterprise).await;
    let member = app.create_org(OrgKind::ResearchInstitute).await;
    let username = initiator.session.username.clone();
    tokio::task::block_in_place(|| keyboard_only(&app, &chromium, &username, &lead, &member)).expect("keyboard");
    let (_, page) = app.get("/api/v1/alliances", Some(&initiator.session)).await;
    let id = page["items"][0]["id"].as_str().expect("a draft").to_string();
    let (_, a) = app.get(&format!("/api/v1/alliances/{id}"), Some(&initiator.session)).await;
    assert_eq!(a["status"], "draft", "still a draft: submission was refused");
    assert_eq!(a["members"].as_array().map_or(0, Vec::len), 3, "initiator, lead and the member added: {a}");
}
