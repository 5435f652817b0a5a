//! The operation and validity jobs (issue 7, acceptance 5): `reassessment_due`,
//! `ban_expiry` and `policy_validity` walked day by day over the days that
//! matter, asserting the exact (day, recipient, template) list; each message
//! once, and the same walk again sends nothing.

use chrono::NaiveDate;
use serde_json::json;
use tests::{TestApp, db::audit_count, spawn_app};

use crate::operation::published;

const BUREAU: &str = "staff@bureau.example.cn";

type Got = Vec<(String, String, String)>;

fn template_of(subject: &str) -> &'static str {
    if subject.starts_with("【技能资源评估】") && subject.contains("项技能资源到期或即将到期评估") {
        "reassessment_due_bureau"
    } else if subject.starts_with("【技能资源评估】") {
        "reassessment_due"
    } else if subject.starts_with("【处理期满】") {
        "ban_ended"
    } else if subject.starts_with("【政策有效期】") {
        "policy_expiring"
    } else if subject.starts_with("【工作日历】") {
        "calendar_missing"
    } else {
        "other"
    }
}

/// Runs `job` twice and the delivery once at 09:00 each day from `from` to
/// `to`; answers (day, recipient, template) for every message the sink got,
/// and the bodies.
async fn walk(app: &TestApp, job: &str, from: &str, to: &str) -> (Got, Vec<String>) {
    let (mut got, mut bodies) = (Vec::new(), Vec::new());
    let (mut day, to): (NaiveDate, NaiveDate) = (from.parse().unwrap(), to.parse().unwrap());
    while day <= to {
        app.set_now(&format!("{day}T09:00:00+08:00")).await;
        let before = app.smtp.messages().len();
        for j in [job, job, "mail_delivery"] {
            let run = app.run_job(j).await;
            assert_eq!((run.outcome, run.failed), (entities::models::job_run::Outcome::Succeeded, 0), "{day} {j}: {run:?}");
        }
        for m in &app.smtp.messages()[before..] {
            let parsed = m.parsed().unwrap();
            let subject = parsed.subject().unwrap_or_default().to_string();
            let body = parsed.body_text(0).unwrap_or_default().to_string();
            assert!(body.contains("东莞市"), "Chinese body: {body}");
            for to in &m.to {
                got.push((day.to_string(), to.clone(), template_of(&subject).to_string()));
            }
            bodies.push(body);
        }
        day = day.succ_opt().unwrap();
    }
    (got, bodies)
}

fn want(items: &[(&str, &str, &str)]) -> Got {
    let mut v: Got = items.iter().map(|(d, r, t)| ((*d).to_string(), (*r).to_string(), (*t).to_string())).collect();
    v.sort();
    v
}

fn sorted(mut g: Got) -> Got {
    g.sort();
    g
}

async fn bureau_with_email(app: &TestApp) {
    app.user_with_email("bureau_staff", BUREAU, "督办科员").await;
}

/// Sends what is queued so far (approval mail etc.) so walks see only their own.
async fn flush(app: &TestApp) {
    app.run_job("mail_delivery").await;
}

#[tokio::test]
async fn reassessment_due_tells_the_publisher_once_per_stage_and_lists_it_for_the_bureau() {
    let app = spawn_app().await;
    let res = published(&app, &[("online_course", "线上课程甲"), ("e_textbook", "电子教材乙")]).await;
    bureau_with_email(&app).await;
    let (a0, a1) = (res[0].0.email.clone(), res[1].0.email.clone());
    // The second resource needs updating: due on 1 February 2027 (60 days before: 3 December 2026).
    app.set_now("2026-08-01T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/resources/{}/assessments", res[1].1),
            Some(&staff),
            &json!({"outcome": "update_required", "assessed_on": "2026-08-01", "note": "需更新内容"}),
        )
        .await;
    assert_eq!((status, body["resource"]["next_assessment_due"].as_str()), (201, Some("2027-02-01")), "{body}");
    flush(&app).await;

    let job = "reassessment_due";
    let mut got = Vec::new();
    for (from, to) in [("2026-11-30", "2026-12-05"), ("2027-01-30", "2027-02-02")] {
        got.extend(walk(&app, job, from, to).await.0);
    }
    // Assessed (keep) on 3 February: a new due date, 24 months on; nothing more for it.
    app.set_now("2027-02-03T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/resources/{}/assessments", res[1].1),
            Some(&staff),
            &json!({"outcome": "keep", "assessed_on": "2027-02-03", "note": "已更新"}),
        )
        .await;
    assert_eq!((status, body["resource"]["next_assessment_due"].as_str()), (201, Some("2029-02-03")), "{body}");
    let windows = [("2027-02-03", "2027-02-06"), ("2028-04-08", "2028-04-12"), ("2028-06-07", "2028-06-12")];
    let mut bodies = Vec::new();
    for (from, to) in windows {
        let (g, b) = walk(&app, job, from, to).await;
        got.extend(g);
        bodies.extend(b);
    }
    assert_eq!(
        sorted(got.clone()),
        want(&[
            ("2026-12-03", &a1, "reassessment_due"),
            ("2026-12-03", BUREAU, "reassessment_due_bureau"),
            ("2027-02-01", &a1, "reassessment_due"),
            ("2027-02-01", BUREAU, "reassessment_due_bureau"),
            ("2028-04-10", &a0, "reassessment_due"),
            ("2028-04-10", BUREAU, "reassessment_due_bureau"),
            ("2028-06-09", &a0, "reassessment_due"),
            ("2028-06-09", BUREAU, "reassessment_due_bureau"),
        ]),
        "exactly one message per stage and recipient"
    );
    assert!(bodies.iter().any(|b| b.contains("“线上课程甲”") && b.contains("将于2028-06-09到评估日期（还有60天）")), "{bodies:?}");
    assert!(bodies.iter().any(|b| b.contains("线上课程甲（") && b.contains("2028-06-09已到期")), "bureau list: {bodies:?}");

    // The weekly digest lists it while it is due.
    app.set_now("2028-06-12T09:00:00+08:00").await;
    let before = app.smtp.messages().len();
    app.run_job("weekly_digest").await;
    app.run_job("mail_delivery").await;
    let digest: Vec<String> = app.smtp.messages()[before..].iter().map(|m| m.parsed().unwrap().body_text(0).unwrap().to_string()).collect();
    assert!(digest.iter().any(|b| b.contains("到期或60天内到期评估的技能资源") && b.contains("线上课程甲")), "{digest:?}");

    // The same walk again sends nothing more.
    let mut again = Vec::new();
    for (from, to) in
        [("2026-11-30", "2026-12-05"), ("2027-01-30", "2027-02-06"), ("2028-04-08", "2028-04-12"), ("2028-06-07", "2028-06-12")]
    {
        again.extend(walk(&app, job, from, to).await.0);
    }
    assert!(again.is_empty(), "re-running sent {again:?}");
}

#[tokio::test]
async fn ban_expiry_records_the_end_of_each_ban_and_tells_the_organisation_once() {
    let app = spawn_app().await;
    bureau_with_email(&app).await;
    app.set_now("2026-09-02T10:00:00+08:00").await;
    let a = app.applicant(entities::OrgKind::TrainingInstitution, "a@ban.dg.cn").await;
    let b = app.applicant(entities::OrgKind::Enterprise, "b@ban.dg.cn").await;
    let staff = app.login("bureau_staff", None).await;
    let mut sanctions = Vec::new();
    for (org, kind, on) in [
        (a.id(), "fraud_certification", "2026-07-01"),
        (b.id(), "fraud_development", "2026-07-01"),
        (b.id(), "fraud_certification", "2026-09-01"),
        (a.id(), "agreement_breach", "2026-08-01"),
    ] {
        let (status, s) = app
            .post_json(
                "/api/v1/sanctions",
                Some(&staff),
                &json!({"organization_id": org, "kind": kind, "confirmed_on": on, "description": "违规"}),
            )
            .await;
        assert_eq!(status, 201, "{s}");
        sanctions.push(s["id"].as_str().unwrap().to_string());
    }
    flush(&app).await;

    // The bureau's digest lists the bans ending within 30 days.
    app.set_now("2031-06-16T09:00:00+08:00").await;
    let before = app.smtp.messages().len();
    app.run_job("weekly_digest").await;
    app.run_job("mail_delivery").await;
    let digest: Vec<String> = app.smtp.messages()[before..].iter().map(|m| m.parsed().unwrap().body_text(0).unwrap().to_string()).collect();
    assert!(digest.iter().any(|d| d.contains("30天内期满的申报限制") && d.contains("2031-07-01起可重新申报")), "{digest:?}");

    let mut got = Vec::new();
    let mut bodies = Vec::new();
    for (from, to) in [("2031-06-29", "2031-07-03"), ("2031-08-30", "2031-09-02")] {
        let (g, b) = walk(&app, "ban_expiry", from, to).await;
        got.extend(g);
        bodies.extend(b);
    }
    assert_eq!(
        sorted(got),
        want(&[
            ("2031-07-01", "a@ban.dg.cn", "ban_ended"),
            ("2031-07-01", "b@ban.dg.cn", "ban_ended"),
            ("2031-09-01", "b@ban.dg.cn", "ban_ended")
        ])
    );
    assert!(bodies.iter().any(|t| t.contains("在2031-09-01之前仍不得申报")), "b still banned after its first ban ends: {bodies:?}");
    assert_eq!(bodies.iter().filter(|t| t.contains("可以重新申报技能资源项目")).count(), 2, "{bodies:?}");
    // Recorded once each (the agreement breach banned nothing, so nothing ends).
    assert_eq!(audit_count(&app.db, "sanction.ban_ended", None).await, 3);
    assert_eq!(audit_count(&app.db, "sanction.ban_ended", Some(&sanctions[3])).await, 0);
    let (_, file) = app.get(&format!("/api/v1/organizations/{}/work-file", b.id()), Some(&app.login("bureau_staff", None).await)).await;
    assert_eq!(file["ban"], json!({"in_force": false}), "{file}");
    assert!(file["sanctions"].as_array().unwrap().iter().all(|s| s["ban_ended_at"].is_string() && s["in_force"] == false), "{file}");

    let mut again = Vec::new();
    for (from, to) in [("2031-06-29", "2031-07-03"), ("2031-08-30", "2031-09-02")] {
        again.extend(walk(&app, "ban_expiry", from, to).await.0);
    }
    assert!(again.is_empty(), "re-running sent {again:?}");
    assert_eq!(audit_count(&app.db, "sanction.ban_ended", None).await, 3);
}

#[tokio::test]
async fn policy_validity_tells_the_bureau_once_about_000_expiring_and_a_missing_calendar() {
    let app = spawn_app().await;
    bureau_with_email(&app).await;
    flush(&app).await;
    let job = "policy_validity";
    let mut got = Vec::new();
    // 2027 has no calendar data: from 1 December 2026 the bureau is told, once.
    got.extend(walk(&app, job, "2026-11-28", "2026-12-03").await.0);
    // Seed 000 is valid to 2027-12-31: 90 days before is 2 October 2027.
    got.extend(walk(&app, job, "2027-09-29", "2027-10-04").await.0);
    // The 2028 calendar entered in time: nothing on 1 December 2027 about it.
    let admin = app.admin().await;
    let body = json!({"source_notice": "国务院办公厅关于2028年部分节假日安排的通知", "days": [{"date": "2028-01-01", "kind": "holiday", "name": "元旦"}]});
    assert_eq!(app.put_json("/api/v1/calendar/2028", Some(&admin), &body).await.0, 204);
    got.extend(walk(&app, job, "2027-11-29", "2027-12-02").await.0);
    assert_eq!(sorted(got), want(&[("2026-12-01", BUREAU, "calendar_missing"), ("2027-10-02", BUREAU, "policy_expiring")]));

    // The digest says so while it holds.
    app.set_now("2027-10-04T09:00:00+08:00").await;
    let before = app.smtp.messages().len();
    app.run_job("weekly_digest").await;
    app.run_job("mail_delivery").await;
    let digest: Vec<String> = app.smtp.messages()[before..].iter().map(|m| m.parsed().unwrap().body_text(0).unwrap().to_string()).collect();
    assert!(
        digest.iter().any(|d| d.contains("即将到期的政策文件与待录入的工作日历") && d.contains("有效期至2027-12-31，还有88天")),
        "{digest:?}"
    );

    let mut again = Vec::new();
    for (from, to) in [("2026-11-28", "2026-12-03"), ("2027-09-29", "2027-10-04"), ("2027-11-29", "2027-12-02")] {
        again.extend(walk(&app, job, from, to).await.0);
    }
    assert!(again.is_empty(), "re-running sent {again:?}");
}
