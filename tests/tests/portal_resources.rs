//! Issue 17 (part A) acceptance 1 (a) and (d) in a real browser: the
//! applicant's skill-resource pages and the public pages.
//!
//! (a) bureau staff open a category-3 call (through the API: the bureau's
//! pages are another part of the issue); the applicant finds it on the public
//! page, fills the form with five using enterprises and their usage reports
//! and too few trainees, sees that one failure on readiness, fixes it and
//! submits (DGJN-2026-0001). (d) a category-5 project approved for development
//! (set up through the API) goes through its agreement, a progress report
//! refused by its rule and then recorded, the acceptance review and results
//! notice, to publication: the applicant sees the payment, the 工作档案 and
//! reports usage. A category-4 writing group with practical experts not more
//! than half (000 第十六条(一)) is refused on the form, then recorded.
//!
//! Every page visited passes axe-core (no serious or critical violation) and
//! is photographed (`$CARGO_TARGET_TMPDIR/portal/resources-*/`). Skipped, with
//! a notice, when Chromium is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use anyhow::{Context, ensure};
use entities::OrgKind;
use serde_json::{Value, json};
use tests::{
    Session, TestApp, USER_PASSWORD,
    alliances::PDF,
    browser::find_chromium,
    development::{approved, sign},
    portal::Portal,
    spawn_app,
    web::{PUBLIC_PAGES, personal_data},
};

fn portal(app: &TestApp, chromium: &Path, name: &str) -> anyhow::Result<Portal> {
    Portal::launch(chromium, &app.address, Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join(name))
}

/// A PDF on disk for the file inputs.
fn pdf(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, PDF).unwrap();
    path
}

fn api_get(app: &TestApp, rt: &tokio::runtime::Handle, s: &Session, path: &str) -> Value {
    let (status, body) = rt.block_on(app.get(path, Some(s)));
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// (a) and acceptance 4 on the pages the journey shows.
fn file_an_application(app: &TestApp, rt: &tokio::runtime::Handle, chromium: &Path, call: &str, user: &Session) -> anyhow::Result<()> {
    let mut p = portal(app, chromium, "resources-application")?;
    let files = Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("uploads");

    // The public finds the call without an account.
    p.open("/public/calls")?;
    p.page_ok("public-calls")?;
    ensure!(p.body_text()?.contains("2026年度东莞市技能培训资源认定征集公告"), "the open call is listed");
    p.open("/public/resources")?;
    p.page_ok("public-resources-empty")?;
    p.open("/public/alliances")?;
    p.page_ok("public-alliances")?;

    p.sign_in(&user.username, USER_PASSWORD)?;
    p.open("/public/calls")?;
    p.click(&format!("a[href=\"/applications/new?call={call}\"]"))?;
    ensure!(p.path()?.starts_with("/applications/new"), "the call's link leads to the form: {}", p.path()?);
    p.page_ok("application-new")?;
    ensure!(!p.has("#f-leader\\.name")?, "no category-5 section on a category-3 form");
    p.fill("#f-resource_kind", "online_course")?;
    p.fill("#f-occupation_code", "6-25-04-08")?;
    p.fill("#f-occupation_name", "工业机器人系统操作员")?;
    p.check("input[name=levels][value=\"四级/中级工\"]")?;
    p.check("input[name=levels][value=\"三级/高级工\"]")?;
    p.fill("#f-title", "工业机器人系统操作员线上课程")?;
    p.fill("#f-description", "面向工业机器人操作与运维的线上课程，含20个模块。")?;
    p.fill("#f-trainees_last_3_years", "280")?;
    p.check("#f-ip_declared")?;
    for i in 0..5 {
        p.fill(&format!("[id=\"f-enterprises[{i}].name\"]"), &format!("东莞市规上企业{i}有限公司"))?;
        p.choose_file(&format!("[id=\"f-enterprises[{i}].usage_report\"]"), &pdf(&files, &format!("使用报告{i}.pdf")))?;
    }
    // "增加一行" without JavaScript: the form again with a ninth row, what was
    // typed and the usage reports chosen kept, no application saved yet.
    p.click("#more-enterprises")?;
    ensure!(p.eval("document.querySelectorAll('#f-enterprises tbody tr').length")? == json!(9), "a ninth row");
    ensure!(p.eval("document.querySelector('#f-title').value")? == json!("工业机器人系统操作员线上课程"), "what was typed is kept");
    ensure!(p.has("#report-4")?, "the chosen usage reports are kept");
    ensure!(api_get(app, rt, user, "/api/v1/applications")["items"] == json!([]), "nothing saved by adding a row");
    p.page_ok("application-more-rows")?;
    p.click("#save-application")?;
    let path = p.path()?;
    ensure!(path.starts_with("/applications/") && path.contains("done=created"), "saved: {path}");
    let id = path.trim_start_matches("/applications/").split('?').next().unwrap_or_default().to_string();

    // Readiness names the one failure: 280 is not more than 300 (附件1).
    let failures = p.eval("Array.from(document.querySelectorAll('.readiness li')).map(li => li.dataset.code)")?;
    ensure!(failures == json!(["trainees_below_300"]), "one failure, by name: {failures}");
    ensure!(p.text(".readiness")?.contains("300"), "the message says the threshold");
    ensure!(p.has("#report-4")?, "the five usage reports are stored");
    p.page_ok("application-readiness")?;
    p.open("/tasks")?;
    ensure!(p.text(".task[data-kind=application_draft]")?.contains("工业机器人系统操作员线上课程"), "the draft is on 我的待办");
    ensure!(p.text(".task[data-kind=application_draft]")?.contains("截止 2026-07-01"), "due when the call closes");
    p.page_ok("tasks-draft")?;
    p.click(&format!(".task[data-kind=application_draft] a[href=\"/applications/{id}\"]"))?;
    let api = api_get(app, rt, user, &format!("/api/v1/applications/{id}"));
    ensure!(api["readiness"].as_array().map(Vec::len) == Some(1), "the API says the same: {api}");

    // Fix it; the usage reports stay.
    p.fill("#f-trainees_last_3_years", "1200")?;
    p.click("#save-application")?;
    ensure!(p.body_text()?.contains("全部申报条件已满足"), "nothing left on readiness");
    ensure!(p.has("#report-4")?, "the usage reports are kept across saves");
    p.page_ok("application-ready")?;
    p.click("#submit-application")?;
    ensure!(p.text("#number")? == "DGJN-2026-0001", "the number: {}", p.text("#number")?);
    ensure!(p.text("#status")?.contains("已申报"), "status shown: {}", p.text("#status")?);
    p.page_ok("application-submitted")?;
    let api = api_get(app, rt, user, &format!("/api/v1/applications/{id}"));
    ensure!(api["status"] == "submitted" && api["number"] == "DGJN-2026-0001", "{api}");
    ensure!(api["enterprises"].as_array().is_some_and(|e| e.len() == 5 && e.iter().all(|x| x["usage_report_document_id"].is_string())));
    p.open("/applications")?;
    ensure!(p.body_text()?.contains("DGJN-2026-0001"), "the list shows the number");
    p.page_ok("applications")?;
    p.open("/tasks")?;
    ensure!(!p.has(".task[data-kind=application_draft]")?, "submitted: no longer to do");
    p.page_ok("tasks")?;
    Ok(())
}

#[test]
fn an_applicant_files_a_category_3_application_fixing_the_failure_readiness_names() {
    let Some(chromium) = find_chromium() else {
        eprintln!("browser test skipped: Chromium is not installed (apt-get install chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app());
    rt.block_on(app.set_now("2026-06-01T10:00:00+08:00"));
    let staff = rt.block_on(app.login("bureau_staff", None));
    let call = rt.block_on(app.open_call(&staff, "training_resource"));
    let a = rt.block_on(app.applicant(OrgKind::TrainingInstitution, "apply@train.dg.cn"));
    if let Err(e) = file_an_application(&app, rt.handle(), &chromium, &call, a.session()) {
        panic!("{e:#}");
    }
}

/// (d): a category-5 project from 立项 to publication.
fn develop(app: &TestApp, rt: &tokio::runtime::Handle, chromium: &Path, id: &str, user: &str) -> anyhow::Result<()> {
    let mut p = portal(app, chromium, "resources-project")?;
    let files = Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("uploads");
    p.sign_in(user, USER_PASSWORD)?;
    p.open("/applications")?;
    p.open("/tasks")?;
    ensure!(
        p.text(".task[data-kind=project_development]")?.contains("截止 2027-06-10"),
        "the project is on 我的待办, due with its agreement"
    );
    p.page_ok("tasks-project")?;
    p.open("/applications")?;
    p.page_ok("applications-approved")?;
    p.click(&format!("a[href=\"/applications/{id}\"]"))?;
    ensure!(p.text("#status")?.contains("开发"), "in development: {}", p.text("#status")?);
    p.page_ok("application-in-development")?;
    p.click(&format!("a[href=\"/applications/{id}/project\"]"))?;
    ensure!(p.text("#due-on")?.starts_with("2027-06-10"), "the agreement's due date");
    p.page_ok("project-agreement")?;

    // A progress report with neither a file nor a note is refused by its rule, beside the form.
    p.fill("#form-progress_report #f-note", "")?;
    p.click("#record-progress_report")?;
    ensure!(p.body_text()?.contains("进度报告须附文件或填写说明"), "the rule's message on the form");
    p.page_ok("progress-report-refused")?;
    p.fill("#form-progress_report #f-note", "已完成8个案例的开发与试教。")?;
    p.choose_file("#f-file-progress_report", &pdf(&files, "进度报告.pdf"))?;
    p.click("#record-progress_report")?;
    ensure!(p.body_text()?.contains("开发环节已记录"), "recorded");
    ensure!(p.has("#milestones")?, "listed");
    p.page_ok("progress-report-recorded")?;

    // The bureau's steps (their pages are another part of issue 17): acceptance, results notice, close, publication.
    rt.block_on(async {
        let staff = app.login("bureau_staff", None).await;
        let (status, body) = app
            .post_json(
                &format!("/api/v1/applications/{id}/milestones"),
                Some(&staff),
                &json!({"kind": "acceptance_review", "held_on": "2026-06-10", "passed": true,
                        "people": [{"name": "子", "expert_type": "content"}, {"name": "丑", "expert_type": "content"}]}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = app
            .post_json("/api/v1/notices", Some(&staff), &json!({"title": "技研项目验收结果公示", "body": "b", "application_ids": [id]}))
            .await;
        assert_eq!(status, 201, "{body}");
        app.set_now("2026-06-17T17:30:00+08:00").await;
        app.run_job("notice_close").await;
        let staff = app.login("bureau_staff", None).await;
        let (status, body) = app.post_json(&format!("/api/v1/applications/{id}/approve"), Some(&staff), &json!({})).await;
        assert_eq!((status, body["application"]["status"].as_str()), (200, Some("published")), "{body}");
    });
    p.sign_in(user, USER_PASSWORD)?;
    p.open(&format!("/applications/{id}/project"))?;
    ensure!(p.text("#status")? == "已认定并公布", "published: {}", p.text("#status")?);
    ensure!(p.body_text()?.contains("验收"), "the acceptance review is listed");
    p.page_ok("project-published")?;
    p.open("/payments")?;
    ensure!(p.body_text()?.contains("15000"), "paid 15,000 (附件2, integrated case course)");
    p.page_ok("payments")?;
    p.open("/work-file")?;
    ensure!(p.body_text()?.contains("精密零件加工工学一体化案例课程"), "the resource on the work file");
    p.page_ok("work-file")?;
    p.click("a[href^=\"/resources/\"]")?;
    p.fill("#f-trainees", "260")?;
    p.fill("#f-organisations", "6")?;
    p.click("form.narrow button")?;
    ensure!(p.body_text()?.contains("已保存"), "usage saved");
    p.page_ok("usage")?;
    p.open("/public/resources?kind=integrated_case_course")?;
    ensure!(p.body_text()?.contains("精密零件加工工学一体化案例课程"), "on the public catalogue");
    p.page_ok("public-resources")?;

    // Acceptance 4 on the pages as they are now (a resource published).
    for path in PUBLIC_PAGES {
        p.open(path)?;
        let html = p.eval("document.documentElement.outerHTML")?;
        let found = personal_data(html.as_str().context("html")?);
        ensure!(found.is_empty(), "{path}: {found:?}");
    }
    Ok(())
}

/// A category-4 writing group refused by 000 第十六条(一) on the form, then recorded.
fn writing_group(app: &TestApp, chromium: &Path, spec: &str, spec_user: &str) -> anyhow::Result<()> {
    let mut p = portal(app, chromium, "resources-writing-group")?;
    // Category 4: a writing group of 5 with 2 practical experts is refused (000 第十六条(一)); with 3 it is recorded.
    p.sign_in(spec_user, USER_PASSWORD)?;
    p.open(&format!("/applications/{spec}/project"))?;
    p.page_ok("spec-project")?;
    for (i, (name, t)) in
        [("甲", "method"), ("乙", "content"), ("丙", "practical"), ("丁", "practical"), ("戊", "content")].iter().enumerate()
    {
        p.fill(&format!("[id=\"f-people[{i}].name\"]"), name)?;
        p.fill(&format!("[id=\"f-people[{i}].expert_type\"]"), t)?;
    }
    p.check("#leader-0")?;
    p.check("#writer-1")?;
    p.click("#record-writing_group")?;
    let text = p.body_text()?;
    ensure!(text.contains("实际工作专家应占编写专家组总人数的一半以上（现为2/5）"), "the rule on the form: {text}");
    ensure!(p.eval("document.querySelector('[id=\"f-people[4].name\"]').value")? == json!("戊"), "what was entered stays");
    p.page_ok("writing-group-refused")?;
    p.fill("[id=\"f-people[4].expert_type\"]", "practical")?;
    p.check("#leader-0")?;
    p.check("#writer-1")?;
    p.click("#record-writing_group")?;
    ensure!(p.body_text()?.contains("开发环节已记录"), "recorded: {}", p.body_text()?);
    p.page_ok("writing-group-recorded")?;
    ensure!(p.text("#milestones")?.contains("戊"), "the group is listed");
    Ok(())
}

/// Chromium, a runtime and a project of `kind` approved for development with
/// its agreement signed on 10 June 2026 (due 2027-06-10); `None` without Chromium.
fn project_world(kind: &str, email: &str) -> Option<(PathBuf, tokio::runtime::Runtime, TestApp, String, String)> {
    let Some(chromium) = find_chromium() else {
        eprintln!("browser test skipped: Chromium is not installed (apt-get install chromium fonts-noto-cjk, or set CHROMIUM)");
        return None;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app());
    let (dev, id) = rt.block_on(approved(&app, kind, email));
    rt.block_on(async {
        app.set_now("2026-06-10T10:00:00+08:00").await;
        sign(&app, &id, kind, 1, "2027-06-10").await;
    });
    Some((chromium, rt, app, id, dev.username))
}

#[test]
fn a_category_5_project_goes_from_approval_to_publication_in_the_browser() {
    let Some((chromium, rt, app, id, user)) = project_world("integrated_case_course", "case@school.dg.cn") else { return };
    if let Err(e) = develop(&app, rt.handle(), &chromium, &id, &user) {
        panic!("{e:#}");
    }
}

#[test]
fn a_writing_group_with_too_few_practical_experts_is_refused_on_the_form() {
    let Some((chromium, _rt, app, spec, user)) = project_world("evaluation_specification", "spec@ent.dg.cn") else { return };
    if let Err(e) = writing_group(&app, &chromium, &spec, &user) {
        panic!("{e:#}");
    }
}
