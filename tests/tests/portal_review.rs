//! Issue 17 (part B) acceptance 1(b), 1(c) and 3: the review of a skill
//! resource in a real browser.
//!
//! (b) bureau staff draw a panel of 5 on the application's page; one expert
//! declares a conflict on its page and the bureau refills the seat; the
//! five cleared experts declare and score through the form (one first with
//! a score out of range, shown beside the field); the ranking page shows the
//! weighted mean this test computes from the scores it typed. (c) staff tick
//! the application on the ranking, see the end of the notice period before
//! publishing, publish; a member of the public reads the notice and files an
//! objection with an evidence file; the bureau dismisses it; the notice
//! closes (its job run at a later clock); the bureau approves; the resource
//! is in the public catalogue (API) with its payment recorded (page and API).
//! Every page visited passes axe-core and is photographed
//! (`$CARGO_TARGET_TMPDIR/portal/review/`). Skipped, with a notice, when
//! Chromium is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use anyhow::{Context, ensure};
use entities::{OrgKind, resource::scoring::CRITERIA};
use serde_json::Value;
use tests::{Session, TestApp, USER_PASSWORD, alliances::PDF, browser::find_chromium, portal::Portal, resources::Expert, spawn_app};

struct World<'a> {
    app: &'a TestApp,
    rt: tokio::runtime::Handle,
    staff: Session,
    experts: Vec<Expert>,
    call: String,
    id: String,
}

impl World<'_> {
    fn api(&self, path: &str) -> Value {
        let (status, body) = self.rt.block_on(self.app.get(path, Some(&self.staff)));
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    fn expert(&self, id: &str) -> &Expert {
        self.experts.iter().find(|e| e.id == id).expect("an expert of the pool")
    }
}

/// The panel mean as the ranking shows it: each expert's score weighted by
/// 附件1 (in hundredths), averaged, rounded half up to two decimals.
fn expected_mean(sheets: &[[u32; 5]]) -> String {
    let total: u32 = sheets.iter().map(|s| s.iter().zip(CRITERIA).map(|(v, (_, _, w))| v * w).sum::<u32>()).sum();
    let n = u32::try_from(sheets.len()).unwrap();
    let rounded = (2 * total + n) / (2 * n);
    format!("{}.{:02}", rounded / 100, rounded % 100)
}

fn review(w: &mut World<'_>, chromium: &Path) -> anyhow::Result<()> {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("review");
    let mut p = Portal::launch(chromium, &w.app.address, shots.clone())?;
    let id = w.id.clone();

    // (b) The bureau draws a panel of 5.
    p.sign_in(&w.staff.username, USER_PASSWORD)?;
    p.open("/bureau/calls")?;
    p.page_ok("bureau-calls")?;
    p.click(&format!("a[href=\"/bureau/calls/{}\"]", w.call))?;
    p.page_ok("bureau-call")?;
    p.click(&format!("a[href=\"/bureau/applications/{id}\"]"))?;
    p.page_ok("bureau-application-before-draw")?;
    p.fill("#f-size", "5")?;
    p.click("#draw")?;
    ensure!(p.path()?.contains("done=drawn"), "drawn: {}", p.body_text()?);
    let panel = w.api(&format!("/api/v1/applications/{id}/panel"));
    let seats: Vec<String> = panel["seats"].as_array().unwrap().iter().map(|s| s["expert_id"].as_str().unwrap().to_string()).collect();
    ensure!(seats.len() == 5, "a panel of 5: {panel}");
    let seed = panel["draws"][0]["seed"].as_str().unwrap().to_string();
    ensure!(p.text("code.seed")? == seed, "the recorded seed is shown");
    p.page_ok("bureau-panel-drawn")?;

    // One expert declares a conflict from its 我的待办.
    let conflicted = w.expert(&seats[0]);
    p.sign_in(&conflicted.session.username, USER_PASSWORD)?;
    p.page_ok("expert-tasks")?;
    p.click(&format!("li[data-kind=panel_declaration] a[href=\"/expert/applications/{id}\"]"))?;
    ensure!(!p.body_text()?.contains("面向工业机器人"), "nothing of the application before declaring");
    p.page_ok("expert-declaration")?;
    p.check("#conflict-yes")?;
    p.fill("#f-reason", "本人曾为申报单位授课")?;
    p.click("#declare")?;
    ensure!(p.text("#done")?.contains("已声明回避"), "{}", p.body_text()?);
    p.page_ok("expert-after-conflict")?;

    // The bureau refills the seat: a second draw with its own seed.
    p.sign_in(&w.staff.username, USER_PASSWORD)?;
    p.open(&format!("/bureau/applications/{id}"))?;
    ensure!(p.body_text()?.contains("已回避：本人曾为申报单位授课"), "conflict shown to the bureau");
    p.click("#draw")?;
    let panel = w.api(&format!("/api/v1/applications/{id}/panel"));
    ensure!(panel["draws"].as_array().unwrap().len() == 2, "a replacement draw: {panel}");
    let cleared: Vec<String> = panel["seats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "conflicted")
        .map(|s| s["expert_id"].as_str().unwrap().to_string())
        .collect();
    ensure!(cleared.len() == 5 && !cleared.contains(&seats[0]), "5 seats without the conflicted expert");
    p.page_ok("bureau-panel-refilled")?;

    // The five declare and score through the form.
    let sheets: [[u32; 5]; 5] =
        [[85, 78, 92, 70, 66], [90, 88, 84, 75, 80], [72, 81, 77, 90, 85], [88, 69, 95, 62, 71], [79, 93, 86, 88, 74]];
    for (n, (expert_id, sheet)) in cleared.iter().zip(sheets).enumerate() {
        let e = w.expert(expert_id);
        p.sign_in(&e.session.username, USER_PASSWORD)?;
        p.open(&format!("/expert/applications/{id}"))?;
        p.check("#conflict-no")?;
        p.click("#declare")?;
        ensure!(p.body_text()?.contains("面向工业机器人"), "the application after declaring");
        if n == 0 {
            p.page_ok("expert-scoring-form")?;
            for (code, _, _) in CRITERIA {
                p.fill(&format!("[id=\"f-criteria.{code}\"]"), "80")?;
            }
            p.fill("[id=\"f-criteria.content_fit\"]", "120")?;
            // The browser's own range check would stop the form; the server's is under test.
            p.eval("document.querySelectorAll('input[type=number]').forEach(e => e.removeAttribute('max')); true")?;
            p.click("#submit-review")?;
            ensure!(
                p.text("[id=\"e-criteria.content_fit\"]")?.contains("内容适用评分须在0到100之间"),
                "error beside the field: {}",
                p.body_text()?
            );
            p.page_ok("expert-scoring-refused")?;
        }
        for ((code, _, _), v) in CRITERIA.iter().zip(sheet) {
            p.fill(&format!("[id=\"f-criteria.{code}\"]"), &v.to_string())?;
        }
        p.fill("#f-comment", "内容贴合产业需求")?;
        p.click("#submit-review")?;
        ensure!(p.text("#done")?.contains("评分已提交"), "scored: {}", p.body_text()?);
        if n == 0 {
            p.page_ok("expert-scored")?;
        }
    }

    // The ranking shows the weighted mean computed here.
    p.sign_in(&w.staff.username, USER_PASSWORD)?;
    p.open(&format!("/bureau/calls/{}/ranking", w.call))?;
    let mean = p.text(&format!("tr[data-id=\"{id}\"] td.mean"))?;
    let want = expected_mean(&sheets);
    ensure!(mean == want, "ranking mean {mean}, computed {want}");
    p.page_ok("bureau-ranking")?;

    // (c) The proposed list, the end of the notice shown before publishing.
    p.check(&format!("#pick-{id}"))?;
    p.click("#to-notice")?;
    ensure!(p.text("#ends")?.contains("2026-06-08 17:30"), "end shown before publishing: {}", p.text("#period")?);
    ensure!(p.text("#explanation")?.contains("工作日"), "{}", p.text("#explanation")?);
    p.page_ok("bureau-notice-preview")?;
    p.click("#publish")?;
    ensure!(p.path()?.contains("done=published"), "{}", p.body_text()?);
    let notice = p.path()?.trim_start_matches("/bureau/notices/").split('?').next().unwrap_or_default().to_string();
    p.page_ok("bureau-notice-published")?;

    // A member of the public objects.
    p.b.call("Network.clearBrowserCookies", serde_json::json!({}))?;
    p.open("/notices")?;
    p.page_ok("public-notices")?;
    p.click(&format!("a[href=\"/notices/{notice}\"]"))?;
    ensure!(p.text("#period")?.contains("公示期至 2026-06-08 17:30"), "{}", p.text("#period")?);
    p.page_ok("public-notice")?;
    let evidence = shots.join("证明材料.pdf");
    std::fs::write(&evidence, PDF)?;
    p.fill("#f-name", "李四")?;
    p.fill("#f-email", "lisi@example.cn")?;
    p.fill("#f-argument", "该课程的使用企业中有一家已注销")?;
    p.choose_file("#f-evidence", &evidence)?;
    p.click("#submit-objection")?;
    ensure!(p.body_text()?.contains("异议已收到"), "receipt: {}", p.body_text()?);
    ensure!(!p.body_text()?.contains("lisi@example.cn"), "the receipt echoes no contact");
    p.page_ok("public-receipt")?;

    // The bureau dismisses it.
    p.sign_in(&w.staff.username, USER_PASSWORD)?;
    p.open(&format!("/bureau/notices/{notice}"))?;
    let detail = w.api(&format!("/api/v1/notices/{notice}"));
    let oid = detail["objections"][0]["id"].as_str().context("one objection")?.to_string();
    ensure!(p.body_text()?.contains("lisi@example.cn") && p.body_text()?.contains("证明材料.pdf"), "the bureau sees the contact");
    p.page_ok("bureau-objection")?;
    p.check(&format!("#dis-{oid}"))?;
    p.fill(&format!("#ruling-{oid}"), "经核实，该企业仍在正常经营，异议不成立")?;
    p.click(&format!("#objection-{oid} button.rule"))?;
    ensure!(p.text("#done")?.contains("异议处理意见已保存"), "{}", p.body_text()?);
    p.page_ok("bureau-objection-ruled")?;
    ensure!(w.api(&format!("/api/v1/applications/{id}"))["status"] == "on_notice", "still on notice");

    // The notice closes (its job, a week later); the bureau approves.
    w.rt.block_on(w.app.set_now("2026-06-08T17:31:00+08:00"));
    w.rt.block_on(w.app.run_job("notice_close"));
    // A week later the API token has expired: sign in again.
    w.staff = w.rt.block_on(w.app.login_as(&w.staff.username, USER_PASSWORD));
    ensure!(w.api(&format!("/api/v1/applications/{id}"))["status"] == "awaiting_approval", "awaiting approval after the notice");
    p.sign_in(&w.staff.username, USER_PASSWORD)?;
    p.open(&format!("/bureau/applications/{id}"))?;
    p.click("#approve")?;
    ensure!(p.text("#done")?.contains("已审定") && p.text("#status")?.contains("已认定并公布"), "{}", p.body_text()?);
    p.page_ok("bureau-approved")?;
    p.open("/bureau/payments")?;
    let payments = w.api("/api/v1/payments");
    let payment = payments["items"].as_array().unwrap().iter().find(|x| x["application_id"] == id.as_str()).context("payment recorded")?;
    let amount = p.text(&format!("tr[data-application=\"{id}\"] td.amount"))?;
    ensure!(
        payment["amount"].as_i64().map(|a| a.to_string()).as_deref() == Some(amount.as_str()) && payment["status"] == "committed",
        "payment {amount} shown: {payment}"
    );
    p.page_ok("bureau-payments")?;
    p.open("/bureau/notices")?;
    ensure!(p.body_text()?.contains("已结束"), "the notice closed: {}", p.body_text()?);
    p.page_ok("bureau-notices")?;
    p.open("/bureau/fee-schedule")?;
    ensure!(p.body_text()?.contains("第1版（现行）"), "{}", p.body_text()?);
    p.page_ok("bureau-fee-schedule")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_is_reviewed_published_objected_to_and_approved_in_the_browser() {
    let Some(chromium) = find_chromium() else {
        println!("browser test skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let app = spawn_app().await;
    app.set_now("2026-06-01T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let experts = app.experts(&staff, &[None; 7]).await;
    let applicant = app.applicant(OrgKind::TrainingInstitution, "kecheng@review.dg.cn").await;
    let body = app.certification_body(applicant.session(), &call, "工业机器人系统操作员线上课程").await;
    let (id, _) = app.submitted_application(applicant.session(), &body).await;
    let mut world = World { app: &app, rt: tokio::runtime::Handle::current(), staff, experts, call, id: id.clone() };
    tokio::task::block_in_place(|| review(&mut world, &chromium)).expect("review in the browser");

    // In the public catalogue, with its payment.
    let (status, catalogue) = app.get("/api/v1/public/resources?text=%E5%B7%A5%E4%B8%9A%E6%9C%BA%E5%99%A8%E4%BA%BA", None).await;
    assert_eq!(status, 200);
    let entry = catalogue["items"].as_array().unwrap().iter().find(|r| r["title"] == "工业机器人系统操作员线上课程");
    assert!(entry.is_some(), "published: {catalogue}");
    let (_, payments) = app.get("/api/v1/payments", Some(&world.staff)).await;
    assert_eq!(payments["items"].as_array().unwrap().iter().filter(|p| p["application_id"] == id.as_str()).count(), 1);
}
