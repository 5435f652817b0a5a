//! Issue 17 (bureau pages) acceptance 3 in a real browser: bureau staff
//! compile the submitted new-occupation proposals into a batch (000 第七条),
//! fetch its 汇总表 through the page session and read it back (calamine),
//! record one proposal included in the national plan; record a sanction
//! (第二十二条) after a refusal shown beside the fields; assess a published
//! resource (第二十一条). Every page visited passes axe-core and is
//! photographed (`$CARGO_TARGET_TMPDIR/portal/bureau/`). Skipped, with a
//! notice, when Chromium is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use anyhow::{Context, ensure};
use base64::Engine;
use calamine::Reader;
use entities::OrgKind;
use serde_json::json;
use tests::{Session, TestApp, USER_PASSWORD, browser::find_chromium, portal::Portal, spawn_app};

struct World {
    staff: Session,
    /// (id, number, applicant name) of each new-occupation proposal.
    proposals: Vec<(String, String, String)>,
    resource: String,
    credit_code: String,
}

fn walk(w: &World, address: &str, chromium: &Path) -> anyhow::Result<()> {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("bureau");
    let mut p = Portal::launch(chromium, address, shots)?;
    p.sign_in(&w.staff.username, USER_PASSWORD)?;

    // 新职业汇总上报: how many go in, then the batch.
    p.click("a[href=\"/bureau/occupation-batches\"]")?;
    ensure!(p.text("#pending")?.contains("目前有 2 份"), "{}", p.text("#pending")?);
    p.page_ok("batches")?;
    p.fill("#f-title", "2026年第一批新职业建议")?;
    p.click("#create-batch")?;
    ensure!(p.text("#done")?.contains("已汇总生成上报批次"), "{}", p.body_text()?);
    p.page_ok("batch")?;
    // The download link, fetched with the page's own session cookie.
    let b64 = p.eval(
        "fetch(document.querySelector('#download').href, {credentials: 'same-origin'}).then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status)) \
         .then(b => { const u = new Uint8Array(b); let s = ''; for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s); })",
    )?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.as_str().context("the workbook as base64")?)?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))?;
    let sheet = wb.worksheet_range("新职业建议汇总")?;
    let rows: Vec<Vec<String>> = sheet.rows().skip(4).map(|r| r.iter().map(ToString::to_string).collect()).collect();
    ensure!(rows.len() == w.proposals.len(), "one row per proposal: {rows:?}");
    for ((_, number, name), row) in w.proposals.iter().zip(&rows) {
        ensure!(&row[1] == number && &row[4] == name, "row {row:?} for {number}");
    }
    let first = &w.proposals[0].0;
    p.check(&format!("#inc-yes-{first}"))?;
    p.fill(&format!("#note-{first}"), "人社部2026年第一批新职业")?;
    p.click(&format!("#p-{first} button.mark"))?;
    ensure!(p.text(&format!("#p-{first}"))?.contains("已纳入开发计划"), "{}", p.body_text()?);
    p.page_ok("batch-marked")?;
    // 开发完成 of the included one (第七条(三)).
    p.fill(&format!("#done-note-{first}"), "国家职业标准已发布")?;
    p.click(&format!("#p-{first} button.complete"))?;
    ensure!(p.text("#done")?.contains("已记录开发完成") && p.text(&format!("#p-{first}"))?.contains("开发完成"), "{}", p.body_text()?);
    p.page_ok("batch-completed")?;

    // 违规处理: a refusal beside the fields, then recorded.
    p.click("a[href=\"/bureau/sanctions\"]")?;
    p.page_ok("sanctions")?;
    p.fill("#f-credit_code", "91441900000000000X")?;
    p.fill("#f-confirmed_on", "2026-06-01")?;
    p.fill("#f-description", "申报材料中使用企业的使用报告系伪造")?;
    p.click("#record-sanction")?;
    ensure!(p.text("#e-credit_code")?.contains("没有使用该统一社会信用代码的单位"), "{}", p.body_text()?);
    ensure!(p.text("#e-kind")?.contains("请选择处理类型"), "{}", p.body_text()?);
    p.page_ok("sanction-refused")?;
    p.fill("#f-credit_code", &w.credit_code)?;
    p.check("#kind-fraud_certification")?;
    p.click("#record-sanction")?;
    ensure!(p.text("#done")?.contains("违规处理已记录") && p.text("#sanctions")?.contains("2031-06-01"), "{}", p.body_text()?);
    p.page_ok("sanction-recorded")?;

    // 评估: the published resource's bureau page.
    p.click("a[href=\"/bureau/resources\"]")?;
    p.page_ok("resources")?;
    p.click(&format!("a[href=\"/bureau/resources/{}\"]", w.resource))?;
    p.page_ok("resource")?;
    p.check("#outcome-update_required")?;
    p.fill("#f-note", "部分内容需按新版职业标准更新")?;
    p.click("#record-assessment")?;
    ensure!(p.text("#done")?.contains("评估结果已记录"), "{}", p.body_text()?);
    ensure!(p.text("#assessments")?.contains("需要更新"), "{}", p.text("#assessments")?);
    p.page_ok("resource-assessed")?;
    Ok(())
}

async fn world(app: &TestApp) -> World {
    // A published category-3 resource (approved on 9 June 2026).
    let ready = app.awaiting_approval(&[("online_course", "工业机器人运维线上课程")]).await;
    app.set_now("2026-06-09T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, approved) = app.post_json(&format!("/api/v1/applications/{}/approve", ready[0].1), Some(&staff), &json!({})).await;
    assert_eq!(status, 200, "{approved}");
    let resource = approved["resource"]["id"].as_str().unwrap().to_string();

    let proposals = app.occupation_proposals(&staff, &["无人机集群表演编队员", "碳排放管理员"]).await;
    let target = app.create_org(OrgKind::TrainingInstitution).await;
    World { staff, proposals, resource, credit_code: target["credit_code"].as_str().unwrap().to_string() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bureau_staff_report_a_batch_record_a_sanction_and_assess_a_resource_in_the_browser() {
    let Some(chromium) = find_chromium() else {
        println!("browser test skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let app = spawn_app().await;
    let w = world(&app).await;
    tokio::task::block_in_place(|| walk(&w, &app.address, &chromium)).expect("bureau pages in the browser");

    let (_, a) = app.get(&format!("/api/v1/applications/{}", w.proposals[0].0), Some(&w.staff)).await;
    assert_eq!(a["status"], "completed", "{a}");
    let (_, s) = app.get("/api/v1/sanctions", Some(&w.staff)).await;
    assert_eq!(s["items"][0]["ban_until"], "2031-06-01", "{s}");
    let (_, r) = app.get(&format!("/api/v1/resources/{}/assessments", w.resource), Some(&w.staff)).await;
    assert_eq!(r["items"][0]["outcome"], "update_required", "{r}");
}
