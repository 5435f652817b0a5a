//! Development projects after 立项 (issue 7; 000 第十四—十七条, 第二十条,
//! 第二十二条, 第二十三条): the agreement, the category-4 milestones with
//! every refusal, the comment period on the notice machinery, category-5
//! acceptance and results notice, payments on publication, fraud in
//! development, and the `agreement_overdue` walk.

use chrono::NaiveDate;
use entities::OrgKind;
use serde_json::{Value, json};
use tests::{
    Session, TestApp,
    db::{audit_count, snapshot},
    development::{Developer, approved, developer, sign},
    http::assert_problem,
    spawn_app,
};

fn path(id: &str, tail: &str) -> String {
    format!("/api/v1/applications/{id}{tail}")
}

fn person(name: &str, t: &str) -> Value {
    json!({"name": name, "expert_type": t})
}

fn writing_group() -> Value {
    json!([
        {"name": "甲", "expert_type": "method", "leader": true},
        {"name": "乙", "expert_type": "content", "main_writer": true},
        person("丙", "practical"), person("丁", "practical"), person("戊", "practical")
    ])
}

fn reviewers(names: &[&str]) -> Value {
    Value::Array(names.iter().map(|n| person(n, "content")).collect())
}

async fn milestone(app: &TestApp, s: &Session, id: &str, body: Value) -> (u16, Value) {
    app.post_json(&path(id, "/milestones"), Some(s), &body).await
}

fn instant(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default()).map(|d| d.to_utc()).unwrap_or_else(|_| panic!("not a time: {v}"))
}

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap_or_default().to_string()).collect()
}

/// Records the category-4 steps up to and including the initial review, in order, each accepted.
async fn through_initial_review(app: &TestApp, dev: &Developer, id: &str, on: &str) {
    let d = dev.session(app).await;
    let staff = app.login("bureau_staff", None).await;
    for (s, body) in [
        (&d, json!({"kind": "writing_group", "held_on": on, "people": writing_group()})),
        (&staff, json!({"kind": "kickoff", "held_on": on, "note": "学习编制技术规程"})),
        (&staff, json!({"kind": "initial_review", "held_on": on, "people": reviewers(&["子", "丑", "寅"])})),
    ] {
        let (status, body) = milestone(app, s, id, body).await;
        assert_eq!(status, 201, "{body}");
    }
}

/// Acceptance 1: a category-4 evaluation specification from 立项 to publication,
/// every refusal code triggered once and then satisfied; the 10-working-day
/// comment period across National Day 2026; 50,000 at schedule version 1.
#[tokio::test]
async fn an_evaluation_specification_goes_from_approval_for_development_to_publication() {
    let app = spawn_app().await;
    let (dev, id) = approved(&app, "evaluation_specification", "spec@dev.dg.cn").await;
    app.set_now("2026-06-10T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let d = dev.session(&app).await;

    // Milestones need the agreement first.
    let (status, body) =
        milestone(&app, &d, &id, json!({"kind": "writing_group", "held_on": "2026-06-10", "people": writing_group()})).await;
    assert_problem(status, &body, 409, "wrong_state");

    // The agreement: due 6–12 months after signing, deliverables of the project's kind (000 第十七条).
    let before = snapshot(&app.db).await;
    for (due, deliverables, expected) in [
        ("2026-12-09", json!([{"kind": "evaluation_specification", "quantity": 1}]), vec!["due_date_out_of_range"]),
        ("2027-06-11", json!([{"kind": "evaluation_specification", "quantity": 1}]), vec!["due_date_out_of_range"]),
        (
            "2027-01-10",
            json!([{"kind": "theory_question_bank", "quantity": 0}]),
            vec!["deliverable_kind_mismatch", "deliverable_quantity_not_positive"],
        ),
        ("2027-01-10", json!([{"kind": "evaluation_specification", "quantity": i64::MAX}]), vec!["deliverable_quantity_too_large"]),
    ] {
        let (status, problem) = app
            .post_json(
                &path(&id, "/agreement"),
                Some(&staff),
                &json!({"signed_on": "2026-06-10", "due_on": due, "deliverables": deliverables}),
            )
            .await;
        assert_problem(status, &problem, 422, "agreement_refused");
        assert_eq!(codes(&problem), expected, "{problem}");
    }
    let (status, problem) = app
        .post_json(
            &path(&id, "/agreement"),
            Some(&staff),
            &json!({"signed_on": "2026-06-10", "due_on": "2026-12-09", "deliverables": [{"kind": "evaluation_specification", "quantity": 1}]}),
        )
        .await;
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("2026-12-10至2027-06-10"), "{status} {problem}");
    assert_eq!(snapshot(&app.db).await, before, "refusals write nothing");
    let signed = sign(&app, &id, "evaluation_specification", 1, "2027-06-10").await;
    assert_eq!(signed["application"]["status"], "in_development");
    assert_eq!((signed["agreement"]["due_on"].as_str(), signed["agreement"]["quantity"].as_i64()), (Some("2027-06-10"), Some(1)));
    let again = app
        .post_json(
            &path(&id, "/agreement"),
            Some(&staff),
            &json!({"signed_on": "2026-06-10", "due_on": "2027-06-10", "deliverables": [{"kind": "evaluation_specification", "quantity": 1}]}),
        )
        .await;
    assert_problem(again.0, &again.1, 409, "agreement_exists");
    assert_eq!(audit_count(&app.db, "agreement.signed", None).await, 1);

    // Out of order: the kickoff before the writing group.
    let (status, problem) = milestone(&app, &staff, &id, json!({"kind": "kickoff", "held_on": "2026-06-10"})).await;
    assert_problem(status, &problem, 409, "milestone_out_of_order");
    assert!(problem["title"].as_str().unwrap().contains("组建编写专家组"), "{problem}");

    // 000 第十六条(一): every writing-group rule at once, then satisfied.
    let before = snapshot(&app.db).await;
    let (status, problem) = milestone(
        &app,
        &d,
        &id,
        json!({"kind": "writing_group", "held_on": "2026-06-10", "people": [person("甲", "method"), person("乙", "content"), person("丙", "practical"), person("丁", "practical")]}),
    )
    .await;
    assert_problem(status, &problem, 422, "milestone_refused");
    assert_eq!(codes(&problem), ["writing_group_too_small", "practical_experts_not_majority", "leader_missing", "main_writer_missing"]);
    assert_eq!(snapshot(&app.db).await, before);
    let (status, body) =
        milestone(&app, &d, &id, json!({"kind": "writing_group", "held_on": "2026-06-10", "people": writing_group()})).await;
    assert_eq!((status, body["milestone"]["position"].as_i64()), (201, Some(1)), "{body}");

    // The kickoff is the centre's meeting: the developer may not record it.
    let (status, _) = milestone(&app, &d, &id, json!({"kind": "kickoff", "held_on": "2026-06-15"})).await;
    assert_eq!(status, 403);
    app.set_now("2026-06-20T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, problem) = milestone(&app, &staff, &id, json!({"kind": "kickoff", "held_on": "2026-06-21"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("held_on")), "a date in the future: {problem}");
    let (status, body) = milestone(&app, &staff, &id, json!({"kind": "kickoff", "held_on": "2026-06-15"})).await;
    assert_eq!(status, 201, "{body}");

    // 000 第十六条(三): the initial review by experts outside the writing group.
    let (status, problem) =
        milestone(&app, &staff, &id, json!({"kind": "initial_review", "held_on": "2026-06-20", "people": reviewers(&["子", "丙"])})).await;
    assert_problem(status, &problem, 422, "milestone_refused");
    assert_eq!(codes(&problem), ["reviewer_in_writing_group"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains('丙'));
    let (status, body) =
        milestone(&app, &staff, &id, json!({"kind": "initial_review", "held_on": "2026-06-20", "people": reviewers(&["子", "丑", "寅"])}))
            .await;
    assert_eq!(status, 201, "{body}");

    // A specification needs its comment period before the final review.
    let (status, problem) =
        milestone(&app, &staff, &id, json!({"kind": "final_review", "held_on": "2026-06-20", "people": reviewers(&["卯", "辰"])})).await;
    assert_problem(status, &problem, 409, "milestone_out_of_order");
    assert!(problem["title"].as_str().unwrap().contains("征求意见"), "{problem}");

    // 000 第十六条(四): 10 working days from Monday 28 September 2026, across 中秋 and 国庆.
    app.set_now("2026-09-28T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = milestone(&app, &staff, &id, json!({"kind": "comment_period", "held_on": "2026-09-28"})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(instant(&body["notice_ends_at"]), instant(&json!("2026-10-16T17:30:00+08:00")), "17:30 on 16 October: {body}");
    assert!(body["notice_explanation"].as_str().unwrap().contains("2026-10-10"), "the Saturday make-up day counts: {body}");
    assert_eq!(body["application"]["status"], "in_development");
    let notice_id = body["milestone"]["notice_id"].as_str().unwrap().to_string();
    let (status, notice) = app.get(&format!("/api/v1/public/notices/{notice_id}"), None).await;
    assert_eq!(
        (status, notice["purpose"].as_str(), notice["accepting_objections"].as_bool()),
        (200, Some("comment_period"), Some(true)),
        "{notice}"
    );
    // Comments come in like objections.
    app.set_now("2026-10-09T10:00:00+08:00").await;
    let (status, comment) = app
        .post_json(
            &format!("/api/v1/public/notices/{notice_id}/objections"),
            None,
            &json!({"application_id": id, "name": "王工", "email": "wang@example.cn", "argument": "建议增加协作机器人编程内容。"}),
        )
        .await;
    assert_eq!(status, 201, "{comment}");
    // A comment feeds the revision: ruling on it (even "upheld") moves nothing.
    let staff = app.login("bureau_staff", None).await;
    let (status, ruled) = app
        .post_json(
            &format!("/api/v1/objections/{}/ruling", comment["id"].as_str().unwrap()),
            Some(&staff),
            &json!({"outcome": "upheld", "ruling": "意见采纳，已转编写专家组修改。"}),
        )
        .await;
    assert_eq!(status, 200, "{ruled}");
    let (_, a) = app.get(&path(&id, ""), Some(&staff)).await;
    assert_eq!(a["status"], "in_development");

    // Not yet: the final review waits for the end of the comment period.
    app.set_now("2026-10-16T17:29:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    assert_eq!(app.run_job("notice_close").await.acted, 0, "still open at 17:29");
    let (status, problem) =
        milestone(&app, &staff, &id, json!({"kind": "final_review", "held_on": "2026-10-16", "people": reviewers(&["卯", "辰"])})).await;
    assert_problem(status, &problem, 409, "comment_period_open");
    app.set_now("2026-10-16T17:30:00+08:00").await;
    assert_eq!(app.run_job("notice_close").await.acted, 1);
    let staff = app.login("bureau_staff", None).await;
    let (_, a) = app.get(&path(&id, ""), Some(&staff)).await;
    assert_eq!(a["status"], "in_development", "a comment period moves nothing");

    // 000 第十六条(五): at most half of the final reviewers sat in the initial review.
    app.set_now("2026-10-19T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let d = dev.session(&app).await;
    let (status, problem) =
        milestone(&app, &staff, &id, json!({"kind": "final_review", "held_on": "2026-10-19", "people": reviewers(&["子", "丑", "卯"])}))
            .await;
    assert_problem(status, &problem, 422, "milestone_refused");
    assert_eq!(codes(&problem), ["final_review_overlap_over_half"]);
    let (status, body) = milestone(
        &app,
        &staff,
        &id,
        json!({"kind": "final_review", "held_on": "2026-10-19", "people": reviewers(&["子", "丑", "卯", "辰"])}),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // 报批 by the developer; 审定 by the bureau only.
    let (status, body) = milestone(&app, &d, &id, json!({"kind": "submission", "held_on": "2026-10-19"})).await;
    assert_eq!((status, body["application"]["status"].as_str()), (201, Some("awaiting_publication")), "{body}");
    let (status, _) = milestone(&app, &d, &id, json!({"kind": "approval", "held_on": "2026-10-19"})).await;
    assert_eq!(status, 403);
    let (status, problem) = app.post_json(&path(&id, "/approve"), Some(&staff), &json!({})).await;
    assert_problem(status, &problem, 409, "milestone_required");

    // A new schedule version from 2027 must not apply to a 2026 publication.
    let admin = app.login("bureau_admin", None).await;
    let mut amounts = json!({"printed_textbook": 50000, "e_textbook": 20000, "certified_course": 15000, "online_course": 10000,
        "evaluation_specification": 60000, "theory_question_bank_level": 15000, "integrated_case_course": 15000});
    let (status, v2) =
        app.post_json("/api/v1/fee-schedule", Some(&admin), &json!({"effective_from": "2027-01-01", "amounts": amounts.take()})).await;
    assert_eq!(status, 201, "{v2}");

    let (status, body) = milestone(&app, &staff, &id, json!({"kind": "approval", "held_on": "2026-10-19"})).await;
    assert_eq!((status, body["application"]["status"].as_str()), (201, Some("published")), "{body}");
    assert_eq!(body["resource"]["kind"], "evaluation_specification");
    let (_, catalogue) = app.get("/api/v1/public/resources?kind=evaluation_specification", None).await;
    assert_eq!(catalogue["items"].as_array().unwrap().len(), 1, "published to the catalogue: {catalogue}");
    let (_, payments) = app.get("/api/v1/payments", Some(&staff)).await;
    let p = &payments["items"][0];
    assert_eq!(
        (p["fee_item"].as_str(), p["quantity"].as_i64(), p["amount"].as_i64(), p["schedule_version"].as_i64(), p["published_on"].as_str()),
        (Some("evaluation_specification"), Some(1), Some(50_000), Some(1), Some("2026-10-19")),
        "{payments}"
    );
    // Nothing after the approval; the list shows the 7 steps in order.
    let (status, problem) = milestone(&app, &staff, &id, json!({"kind": "approval", "held_on": "2026-10-19"})).await;
    assert_problem(status, &problem, 409, "wrong_state");
    let (status, list) = app.get(&path(&id, "/milestones"), Some(&d)).await;
    assert_eq!(status, 200, "{list}");
    let kinds: Vec<&str> = list["items"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["writing_group", "kickoff", "initial_review", "comment_period", "final_review", "submission", "approval"]);
    let (_, p1) = app.get(&path(&id, "/milestones?limit=3"), Some(&staff)).await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 3);
    assert!(p1["next_cursor"].is_string());
    let (_, agreement) = app.get(&path(&id, "/agreement"), Some(&d)).await;
    assert!(agreement["completed_at"].is_string(), "{agreement}");
}

/// Acceptance 2: a question bank with one level at 999 theory items is
/// refused, at 1,000 accepted; ingested, not in the catalogue; paid
/// 2 levels × 15,000. Then fraud in development terminates it and claws the
/// payment back (000 第二十二条(二)).
#[tokio::test]
async fn a_question_bank_needs_1000_theory_items_per_level_and_is_paid_per_level() {
    let app = spawn_app().await;
    let (dev, id) = approved(&app, "theory_question_bank", "bank@dev.dg.cn").await;
    app.set_now("2026-06-10T10:00:00+08:00").await;
    sign(&app, &id, "theory_question_bank", 2, "2027-03-31").await;
    through_initial_review(&app, &dev, &id, "2026-06-10").await;
    let staff = app.login("bureau_staff", None).await;
    let d = dev.session(&app).await;
    // No comment period for a question bank.
    let (status, problem) = milestone(&app, &staff, &id, json!({"kind": "comment_period", "held_on": "2026-06-10"})).await;
    assert_eq!((status, codes(&problem)), (422, vec!["milestone_not_applicable".to_string()]), "{problem}");
    let (status, body) =
        milestone(&app, &staff, &id, json!({"kind": "final_review", "held_on": "2026-06-10", "people": reviewers(&["卯", "辰", "巳"])}))
            .await;
    assert_eq!(status, 201, "{body}");

    let counts = |theory: i64| json!([{"level": "三级/高级工", "theory": theory, "practical": 30}, {"level": "二级/技师", "theory": 1500, "practical": 40}]);
    let before = snapshot(&app.db).await;
    let (status, problem) =
        milestone(&app, &d, &id, json!({"kind": "submission", "held_on": "2026-06-10", "item_counts": counts(999)})).await;
    assert_problem(status, &problem, 422, "milestone_refused");
    assert_eq!(codes(&problem), ["question_bank_too_small"]);
    assert_eq!(problem["errors"][0]["field"], "item_counts[0]");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("三级/高级工"), "{problem}");
    assert_eq!(snapshot(&app.db).await, before);
    let (status, body) =
        milestone(&app, &d, &id, json!({"kind": "submission", "held_on": "2026-06-10", "item_counts": counts(1000)})).await;
    assert_eq!((status, body["application"]["status"].as_str()), (201, Some("awaiting_publication")), "{body}");
    assert_eq!(body["milestone"]["item_counts"][0]["theory"], 1000);

    let (status, body) = milestone(&app, &staff, &id, json!({"kind": "approval", "held_on": "2026-06-10"})).await;
    assert_eq!((status, body["application"]["status"].as_str()), (201, Some("ingested")), "{body}");
    assert!(body["resource"].is_null(), "a question bank goes to the question bank system, not the catalogue");
    let (_, catalogue) = app.get("/api/v1/public/resources", None).await;
    assert!(catalogue["items"].as_array().unwrap().is_empty());
    let (_, payments) = app.get("/api/v1/payments", Some(&staff)).await;
    let p = &payments["items"][0];
    assert_eq!(
        (p["fee_item"].as_str(), p["quantity"].as_i64(), p["unit_amount"].as_i64(), p["amount"].as_i64()),
        (Some("theory_question_bank_level"), Some(2), Some(15_000), Some(30_000)),
        "{payments}"
    );
    let pay_id = p["id"].as_str().unwrap().to_string();
    assert_eq!(app.post_json(&format!("/api/v1/payments/{pay_id}/disburse"), Some(&staff), &json!({})).await.0, 200);

    // Fraud in development confirmed: terminated, payment clawed back, 5-year ban.
    let (status, s) = app
        .post_json(
            "/api/v1/sanctions",
            Some(&staff),
            &json!({"organization_id": dev.org_id, "kind": "fraud_development", "confirmed_on": "2026-06-10", "description": "题库抄袭", "application_id": id}),
        )
        .await;
    assert_eq!((status, s["ban_until"].as_str()), (201, Some("2031-06-10")), "{s}");
    let (_, a) = app.get(&path(&id, ""), Some(&staff)).await;
    assert_eq!(a["status"], "terminated");
    let (_, p) = app.get(&format!("/api/v1/payments/{pay_id}"), Some(&staff)).await;
    assert_eq!(p["status"], "clawed_back");
    assert_eq!(audit_count(&app.db, "clawback.recorded", None).await, 1);
    assert_eq!(audit_count(&app.db, "application.terminated", Some(&id)).await, 1);
}

/// Acceptance 3: a 技研项目 through progress reports, the acceptance review,
/// the 5-working-day results notice and publication (000 第二十条).
#[tokio::test]
async fn a_skill_research_project_goes_through_acceptance_results_notice_and_publication() {
    let app = spawn_app().await;
    let (dev, id) = approved(&app, "integrated_case_course", "case@school.dg.cn").await;
    app.set_now("2026-06-10T10:00:00+08:00").await;
    sign(&app, &id, "integrated_case_course", 1, "2027-06-10").await;
    let staff = app.login("bureau_staff", None).await;
    let d = dev.session(&app).await;

    // Category-4 steps do not apply; acceptance needs a progress report first.
    let (status, problem) =
        milestone(&app, &d, &id, json!({"kind": "writing_group", "held_on": "2026-06-10", "people": writing_group()})).await;
    assert_eq!((status, codes(&problem)), (422, vec!["milestone_not_applicable".to_string()]), "{problem}");
    let (status, problem) = milestone(
        &app,
        &staff,
        &id,
        json!({"kind": "acceptance_review", "held_on": "2026-06-10", "people": reviewers(&["子"]), "passed": true}),
    )
    .await;
    assert_problem(status, &problem, 409, "milestone_out_of_order");
    let (status, problem) = milestone(&app, &d, &id, json!({"kind": "progress_report", "held_on": "2026-06-10"})).await;
    assert_eq!((status, codes(&problem)), (422, vec!["progress_report_empty".to_string()]), "{problem}");
    let doc = app.upload_pdf(&d, "进度报告.pdf").await;
    let (status, body) = milestone(&app, &d, &id, json!({"kind": "progress_report", "held_on": "2026-06-10", "documents": [doc]})).await;
    assert_eq!(status, 201, "{body}");
    // A failed acceptance keeps it in development; a passed one moves it on.
    let (status, body) = milestone(
        &app,
        &staff,
        &id,
        json!({"kind": "acceptance_review", "held_on": "2026-06-10", "people": reviewers(&["子", "丑", "寅"]), "passed": false}),
    )
    .await;
    assert_eq!((status, body["application"]["status"].as_str()), (201, Some("in_development")), "{body}");
    let (status, body) =
        milestone(&app, &d, &id, json!({"kind": "progress_report", "held_on": "2026-06-10", "note": "已按验收意见修改完善案例课程。"}))
            .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = milestone(
        &app,
        &staff,
        &id,
        json!({"kind": "acceptance_review", "held_on": "2026-06-10", "people": reviewers(&["子", "丑", "寅"]), "passed": true}),
    )
    .await;
    assert_eq!((status, body["application"]["status"].as_str()), (201, Some("accepted")), "{body}");

    // 000 第二十条(七): the results notice, 5 working days, on the notice machinery.
    let (status, notice) = app
        .post_json("/api/v1/notices", Some(&staff), &json!({"title": "技研项目验收结果公示", "body": "b", "application_ids": [id]}))
        .await;
    assert_eq!(status, 201, "{notice}");
    let (_, a) = app.get(&path(&id, ""), Some(&staff)).await;
    assert_eq!(a["status"], "results_on_notice");
    assert_eq!(instant(&notice["ends_at"]), instant(&json!("2026-06-17T17:30:00+08:00")), "Wed 10 June + 5 working days: {notice}");
    let (status, problem) = app.post_json(&path(&id, "/approve"), Some(&staff), &json!({})).await;
    assert_problem(status, &problem, 409, "wrong_state");
    app.set_now("2026-06-17T17:30:00+08:00").await;
    assert_eq!(app.run_job("notice_close").await.acted, 1);
    let staff = app.login("bureau_staff", None).await;
    let (_, a) = app.get(&path(&id, ""), Some(&staff)).await;
    assert_eq!(a["status"], "awaiting_publication");

    // 000 第二十条(八): 审定 and publication; paid 15,000 (附件2).
    let (status, body) = app.post_json(&path(&id, "/approve"), Some(&staff), &json!({})).await;
    assert_eq!((status, body["application"]["status"].as_str()), (200, Some("published")), "{body}");
    let (_, catalogue) = app.get("/api/v1/public/resources?kind=integrated_case_course", None).await;
    assert_eq!(catalogue["items"].as_array().unwrap().len(), 1);
    let (_, payments) = app.get("/api/v1/payments", Some(&staff)).await;
    assert_eq!(
        (payments["items"][0]["fee_item"].as_str(), payments["items"][0]["amount"].as_i64()),
        (Some("integrated_case_course"), Some(15_000)),
        "{payments}"
    );
    let (_, list) = app.get(&path(&id, "/milestones"), Some(&staff)).await;
    let kinds: Vec<&str> = list["items"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["progress_report", "acceptance_review", "progress_report", "acceptance_review"]);
}

/// Wrong role (403) and another organisation's project (404) on every new endpoint;
/// a breach of the agreement is recorded and shown with it; fraud terminates.
#[tokio::test]
async fn development_endpoints_refuse_other_roles_and_hide_other_organisations_projects() {
    let app = spawn_app().await;
    let (dev, id) = approved(&app, "integrated_case_course", "own@school.dg.cn").await;
    app.set_now("2026-06-10T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let d = dev.session(&app).await;
    let other = developer(&app, OrgKind::VocationalCollege, "other@school.dg.cn").await.session(&app).await;
    let expert = app.login("expert", None).await;
    let body =
        json!({"signed_on": "2026-06-10", "due_on": "2027-01-10", "deliverables": [{"kind": "integrated_case_course", "quantity": 1}]});

    let before = snapshot(&app.db).await;
    for (who, s) in [("developer", &d), ("other org", &other), ("expert", &expert)] {
        assert_eq!(app.post_json(&path(&id, "/agreement"), Some(s), &body).await.0, 403, "{who} signs");
    }
    assert_eq!(app.post_json(&path(&id, "/agreement"), None, &body).await.0, 401);
    let unknown = "00000000-0000-7000-8000-000000000000";
    assert_eq!(app.post_json(&path(unknown, "/agreement"), Some(&staff), &body).await.0, 404);
    assert_eq!(snapshot(&app.db).await, before);
    let (status, _) = app.post_json(&path(&id, "/agreement"), Some(&staff), &body).await;
    assert_eq!(status, 201);

    let report = json!({"kind": "progress_report", "held_on": "2026-06-10", "note": "进度正常"});
    let before = snapshot(&app.db).await;
    assert_eq!(milestone(&app, &other, &id, report.clone()).await.0, 404, "another organisation's project");
    assert_eq!(milestone(&app, &expert, &id, report.clone()).await.0, 403);
    assert_eq!(app.get(&path(&id, "/milestones"), Some(&other)).await.0, 404);
    assert_eq!(app.get(&path(&id, "/milestones"), Some(&expert)).await.0, 403);
    assert_eq!(app.get(&path(&id, "/agreement"), Some(&other)).await.0, 404);
    assert_eq!(app.get(&path(&id, "/agreement"), Some(&expert)).await.0, 403);
    assert_eq!(snapshot(&app.db).await, before);
    assert_eq!(milestone(&app, &d, &id, report).await.0, 201);
    assert_eq!(app.get(&path(&id, "/milestones"), Some(&d)).await.0, 200);

    // 000 第二十二条(一): a breach is handled per the agreement — recorded and shown, no ban.
    let (status, s) = app
        .post_json(
            "/api/v1/sanctions",
            Some(&staff),
            &json!({"organization_id": dev.org_id, "kind": "agreement_breach", "confirmed_on": "2026-06-10", "description": "未按进度提交", "application_id": id}),
        )
        .await;
    assert_eq!((status, s["ban_until"].is_null()), (201, true), "{s}");
    let (_, agreement) = app.get(&path(&id, "/agreement"), Some(&d)).await;
    assert_eq!(agreement["breaches"][0]["kind"], "agreement_breach", "{agreement}");
    let (_, a) = app.get(&path(&id, ""), Some(&staff)).await;
    assert_eq!(a["status"], "in_development");
    // 000 第二十二条(二): fraud in development terminates it.
    let (status, _) = app
        .post_json(
            "/api/v1/sanctions",
            Some(&staff),
            &json!({"organization_id": dev.org_id, "kind": "fraud_development", "confirmed_on": "2026-06-10", "description": "虚报进度", "application_id": id}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, a) = app.get(&path(&id, ""), Some(&staff)).await;
    assert_eq!(a["status"], "terminated");
    let (status, problem) = milestone(&app, &d, &id, json!({"kind": "progress_report", "held_on": "2026-06-10", "note": "x"})).await;
    assert_problem(status, &problem, 409, "wrong_state");
}

/// The `agreement_overdue` job (DESIGN §8): a day-by-day walk from the due
/// date; the developer's user and the bureau are told on the day after it,
/// then every 30 days, each stage once; publication stops it.
#[tokio::test]
async fn overdue_agreements_are_told_once_per_stage() {
    let app = spawn_app().await;
    let (dev, id) = approved(&app, "integrated_case_course", "late@school.dg.cn").await;
    app.set_now("2026-06-10T10:00:00+08:00").await;
    sign(&app, &id, "integrated_case_course", 1, "2026-12-10").await;
    app.user_with_email("bureau_staff", "watch@rsj.dg.gov.cn", "督办科员").await;
    // Everything sent so far (step mail) is delivered before the walk.
    app.run_job("mail_delivery").await;

    let mut got = Vec::new();
    let mut day = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
    let end = NaiveDate::from_ymd_opt(2027, 2, 10).unwrap();
    while day <= end {
        app.set_now(&format!("{day}T09:00:00+08:00")).await;
        let before = app.smtp.messages().len();
        for job in ["agreement_overdue", "agreement_overdue", "mail_delivery"] {
            let run = app.run_job(job).await;
            assert_eq!(run.failed, 0, "{day} {job}: {run:?}");
        }
        for m in &app.smtp.messages()[before..] {
            let parsed = m.parsed().unwrap();
            let subject = parsed.subject().unwrap_or_default().to_string();
            assert!(subject.contains("开发逾期"), "{subject}");
            for to in &m.to {
                got.push((day.to_string(), to.clone(), subject.clone()));
            }
        }
        day = day.succ_opt().unwrap();
    }
    let expected: Vec<(String, String)> = [("2026-12-11", 1), ("2027-01-10", 31), ("2027-02-09", 61)]
        .iter()
        .flat_map(|(d, _)| [(d.to_string(), "late@school.dg.cn".to_string()), (d.to_string(), "watch@rsj.dg.gov.cn".to_string())])
        .collect();
    let mut sent: Vec<(String, String)> = got.iter().map(|(d, to, _)| (d.clone(), to.clone())).collect();
    sent.sort();
    assert_eq!(sent, expected, "{got:#?}");
    assert!(got.iter().filter(|(d, _, _)| d == "2027-01-10").all(|(_, _, subject)| subject.contains("期限31天")), "{got:?}");

    // The Monday digest lists it.
    app.set_now("2027-02-15T09:00:00+08:00").await;
    app.run_job("weekly_digest").await;
    let before = app.smtp.messages().len();
    app.run_job("mail_delivery").await;
    let digest: Vec<String> =
        app.smtp.messages()[before..].iter().filter_map(|m| m.parsed().and_then(|p| p.body_text(0).map(|b| b.to_string()))).collect();
    assert!(digest.iter().any(|b| b.contains("逾期未完成的开发项目") && b.contains("精密零件加工")), "{digest:?}");

    // A project that ends (here terminated for fraud) is no longer chased.
    let staff = app.login("bureau_staff", None).await;
    let (status, _) = app
        .post_json(
            "/api/v1/sanctions",
            Some(&staff),
            &json!({"organization_id": dev.org_id, "kind": "fraud_development", "confirmed_on": "2027-02-15", "description": "虚报进度", "application_id": id}),
        )
        .await;
    assert_eq!(status, 201);
    app.set_now("2027-03-11T09:00:00+08:00").await;
    let run = app.run_job("agreement_overdue").await;
    assert_eq!((run.seen, run.acted), (0, 0), "ended: no longer overdue");
}
