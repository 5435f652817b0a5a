//! Half-year reports (seed 003 §二(七), 附件2/附件3, issue 4): members fill,
//! the initiator submits, the bureau returns and accepts.

use serde_json::{Value, json};
use tests::{
    db::{audit_count, snapshot},
    http::assert_problem,
    reports::{Row, report_path},
    spawn_app,
};

fn row_of<'a>(report: &'a Value, org: &str) -> &'a Value {
    report["members"].as_array().unwrap().iter().find(|m| m["organization"]["id"] == org).unwrap()
}

fn subtotal<'a>(report: &'a Value, label: &str) -> &'a Value {
    report["subtotals"].as_array().unwrap().iter().find(|s| s["label"] == label).unwrap()
}

/// Acceptance 1.
#[tokio::test]
async fn a_registered_alliance_reports_2026h1_and_the_bureau_returns_then_accepts() {
    let app = spawn_app().await;
    // Registered in November 2025, so 2025H2 is owed and gives the "previous report".
    let (mut f, mut staff) = app.alliance_registered_at("2025-11-03T09:00:00+08:00").await;
    app.travel("2026-01-10T09:00:00+08:00", &mut f, &mut staff).await;
    let previous = app.everyone_fills(&f, "2025H2").await;
    app.write_summary(&f, "2025H2").await;
    let (status, body) = app.submit_report(&f, "2025H2").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("submitted")), "{body}");

    app.travel("2026-07-05T09:00:00+08:00", &mut f, &mut staff).await;
    let (status, periods) = app.get(&f.path("/reports"), Some(&f.initiator.session)).await;
    assert_eq!(status, 200, "{periods}");
    let listed: Vec<(&str, &str)> =
        periods["items"].as_array().unwrap().iter().map(|p| (p["period"].as_str().unwrap(), p["status"].as_str().unwrap())).collect();
    assert_eq!(listed, [("2026H2", "not_started"), ("2026H1", "not_started"), ("2025H2", "submitted")]);
    assert_eq!(periods["items"][1]["report_due"]["due"], "2026-07-31");
    assert_eq!(periods["items"][1]["member_rows_due"]["due"], "2026-07-15");
    assert_eq!(periods["items"][1]["days_to_deadline"], 26);

    // The research institute's row is prefilled from its 2025H2 row.
    let (status, prefill) = app.get(&report_path(&f, "2026H1", &format!("/rows/{}", f.research.id())), Some(&f.research.session)).await;
    assert_eq!(status, 200, "{prefill}");
    assert_eq!((prefill["filled"].as_bool(), prefill["prefilled_from"].as_str()), (Some(false), Some("2025H2")));
    assert_eq!(Row::from_json(&prefill), previous[5]);

    // Members fill their own rows; one enterprise confirms "与上期相同" and had no training this half-year.
    let school = Row { basic: [200, 20, 10, 20, 30, 4, 8, 20, 20, 20, 4, 90], progress: [150, 2, 1, 0, 5, 10, 15, 30, 40, 10, 20] };
    let lead = Row { basic: [1000, 80, 30, 60, 90, 10, 30, 100, 150, 200, 20, 400], progress: [300, 1, 2, 1, 10, 20, 40, 60, 80, 20, 50] };
    let mut enterprise =
        Row { basic: [500, 40, 10, 30, 50, 5, 15, 50, 80, 100, 10, 200], progress: [120, 0, 1, 0, 2, 8, 20, 30, 30, 10, 20] };
    let training = Row { basic: [60, 10, 2, 5, 8, 0, 1, 5, 10, 10, 3, 20], progress: [500, 0, 3, 0, 0, 20, 60, 150, 200, 30, 40] };
    let research = Row { basic: [80, 15, 20, 30, 10, 0, 0, 2, 3, 1, 0, 5], progress: [30, 1, 0, 0, 0, 2, 3, 5, 5, 5, 10] };
    app.fill_row(&f, "2026H1", &f.initiator.session, f.initiator.id(), &school).await;
    app.fill_row(&f, "2026H1", &f.lead.session, f.lead.id(), &lead).await;
    app.fill_row(&f, "2026H1", &f.enterprises[0].session, f.enterprises[0].id(), &enterprise).await;
    app.fill_row(&f, "2026H1", &f.training.session, f.training.id(), &training).await;
    let e1 = &f.enterprises[1];
    let (status, confirmed) =
        app.post_json(&report_path(&f, "2026H1", &format!("/rows/{}/no-change", e1.id())), Some(&e1.session), &json!({})).await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!((confirmed["confirmed_no_change"].as_bool(), confirmed["copied_from"].as_str()), (Some(true), Some("2025H2")));
    let unchanged = Row { basic: previous[3].basic, progress: [0; 11] };
    assert_eq!(Row::from_json(&confirmed), unchanged, "附件2 confirmed, last period's 附件3 not copied");
    let (status, done) =
        app.post_json(&report_path(&f, "2026H1", &format!("/rows/{}/no-activity", e1.id())), Some(&e1.session), &json!({})).await;
    assert_eq!((status, done["filled"].as_bool()), (200, Some(true)), "{done}");
    assert_eq!(Row::from_json(&done), unchanged);

    // The research institute is late; before its due date the initiator may not fill for it.
    let research_row = report_path(&f, "2026H1", &format!("/rows/{}", f.research.id()));
    let (status, body) = app.put_json(&research_row, Some(&f.initiator.session), &research.body()).await;
    assert_problem(status, &body, 409, "member_not_late");
    app.travel("2026-07-20T09:00:00+08:00", &mut f, &mut staff).await;
    let filled = app.fill_row(&f, "2026H1", &f.initiator.session, f.research.id(), &research).await;
    assert_eq!(filled["filled_by_initiator"], true);

    // Totals and subtotals, computed by the server, equal the sums by hand.
    let (status, report) = app.get(&report_path(&f, "2026H1", ""), Some(&f.initiator.session)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["rows_required"].as_u64(), report["rows_filled"].as_u64()), (Some(6), Some(6)));
    assert_eq!(report["status"], "in_progress");
    assert_eq!(row_of(&report, f.research.id())["filled_by_initiator"], true);
    assert_eq!(row_of(&report, f.enterprises[1].id())["confirmed_no_change"], true);
    let total = Row::from_json(&report["totals"]);
    assert_eq!(total, Row::sum([&school, &lead, &enterprise, &unchanged, &training, &research]));
    assert_eq!(total.basic[0], 200 + 1000 + 500 + 400 + 60 + 80);
    assert_eq!(total.progress[0], 150 + 300 + 120 + 500 + 30);
    let labels: Vec<&str> = report["subtotals"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["一、企业", "二、职业院校", "三、技工院校", "四、职业培训机构", "五、科研机构", "六、行业协会", "七、其他"]);
    let enterprises = subtotal(&report, "一、企业");
    assert_eq!(enterprises["rows"], 3);
    assert_eq!(Row::from_json(enterprises), Row::sum([&lead, &enterprise, &unchanged]));
    assert_eq!(enterprises["basic"]["total_staff"], 1900);
    assert_eq!(enterprises["progress"]["trainees"], 420);
    assert_eq!(Row::from_json(subtotal(&report, "三、技工院校")), school);
    assert_eq!(Row::from_json(subtotal(&report, "四、职业培训机构")), training);
    assert_eq!(Row::from_json(subtotal(&report, "五、科研机构")), research);
    assert_eq!(subtotal(&report, "二、职业院校")["rows"], 0);

    // A member sees its own row and the 合计 only.
    let (_, seen) = app.get(&report_path(&f, "2026H1", ""), Some(&f.lead.session)).await;
    assert_eq!(seen["members"].as_array().unwrap().len(), 1);
    assert_eq!(seen["members"][0]["organization"]["id"], f.lead.id());
    assert_eq!(seen["subtotals"].as_array().unwrap().len(), 0);
    assert_eq!(seen["totals"]["basic"]["total_staff"], 2240);

    // Submit with an idempotency key; a retry answers the same.
    let submit = |key: &'static str| {
        let req = app.request(reqwest::Method::POST, &report_path(&f, "2026H1", "/submit"), Some(&f.initiator.session));
        req.header("Idempotency-Key", key).json(&json!({}))
    };
    let first: Value = app.send(submit("h1-2026-submit")).await.json().await.unwrap();
    assert_eq!((first["status"].as_str(), first["late_days"].as_i64()), (Some("submitted"), Some(0)), "{first}");
    let again = app.send(submit("h1-2026-submit")).await;
    assert_eq!(again.status(), 200);
    assert_eq!(audit_count(&app.db, "report.submitted", None).await, 2, "2025H2 and 2026H1, the retry did nothing");

    // The bureau's list agrees with the report.
    let (status, list) = app.get("/api/v1/reports?period=2026H1", Some(&staff)).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"][0]["status"], "submitted");
    assert_eq!((list["items"][0]["members"].as_u64(), list["items"][0]["rows_filled"].as_u64()), (Some(6), Some(6)));

    // Returned with a reason; a member corrects its row; submitted again; accepted.
    app.travel("2026-07-22T09:00:00+08:00", &mut f, &mut staff).await;
    let (status, returned) = app
        .post_json(
            &report_path(&f, "2026H1", "/return"),
            Some(&staff),
            &json!({"reasons": [{"item": "附件2", "reason": "企业职工总数与社保参保人数不符，请核实"}]}),
        )
        .await;
    assert_eq!((status, returned["status"].as_str()), (200, Some("returned")), "{returned}");
    assert_eq!(returned["rounds"][0]["reasons"][0]["item"], "附件2");
    let (status, body) = app.put_json(&research_row, Some(&f.research.session), &json!({"basic": {}})).await;
    assert_eq!(status, 422, "{body}");
    enterprise.basic[0] = 520;
    enterprise.basic[11] = 220;
    app.fill_row(&f, "2026H1", &f.enterprises[0].session, f.enterprises[0].id(), &enterprise).await;
    app.travel("2026-07-23T09:00:00+08:00", &mut f, &mut staff).await;
    let (status, body) = app.submit_report(&f, "2026H1").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("submitted")), "{body}");
    let (status, accepted) =
        app.post_json(&report_path(&f, "2026H1", "/accept"), Some(&staff), &json!({"comment": "数据完整，予以通过"})).await;
    assert_eq!((status, accepted["status"].as_str()), (200, Some("accepted")), "{accepted}");
    let outcomes: Vec<&str> = accepted["rounds"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["returned", "accepted"]);
    assert_eq!(accepted["totals"]["basic"]["total_staff"], 2260);
    assert_eq!(accepted["late_days"], 0);

    // Accepted reports are closed.
    let (status, body) = app.put_json(&research_row, Some(&f.research.session), &research.body()).await;
    assert_problem(status, &body, 409, "wrong_state");
    for action in ["report_row.saved", "report_row.confirmed_no_change", "report.returned", "report.accepted", "report.summary_saved"] {
        assert!(audit_count(&app.db, action, None).await >= 1, "{action}");
    }
}

/// Acceptance 2, with the weekend move of acceptance 3 end to end.
#[tokio::test]
async fn an_h2_report_needs_the_year_end_summary_and_a_late_one_shows_its_days() {
    let app = spawn_app().await;
    let (mut f, mut staff) = app.alliance_registered_at("2025-11-03T09:00:00+08:00").await;
    // 31 January 2026 is a Saturday: the 2025H2 report is due Monday 2 February. Today is Thursday 5 February.
    app.travel("2026-02-05T09:00:00+08:00", &mut f, &mut staff).await;
    let (status, report) = app.get(&report_path(&f, "2025H2", ""), Some(&f.initiator.session)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["report_due"]["nominal"], "2026-01-31");
    assert_eq!(report["report_due"]["due"], "2026-02-02");
    assert_eq!(report["report_due"]["moved_because"], "周末");
    assert_eq!((report["status"].as_str(), report["days_to_deadline"].as_i64()), (Some("overdue"), Some(-3)));
    assert_eq!(report["summary_required"], true);

    let (status, list) = app.get("/api/v1/reports?period=2025H2&status=overdue", Some(&staff)).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"][0]["alliance_id"], f.id.as_str());
    assert_eq!(list["items"][0]["days_overdue"], 3);

    app.everyone_fills(&f, "2025H2").await;
    let before = snapshot(&app.db).await;
    let (status, body) = app.submit_report(&f, "2025H2").await;
    assert_problem(status, &body, 422, "report_incomplete");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!((errors[0]["field"].as_str(), errors[0]["code"].as_str()), (Some("summary_text"), Some("summary_missing")));
    assert!(errors[0]["message"].as_str().unwrap().contains("年终工作总结"));
    assert_eq!(snapshot(&app.db).await, before, "a refused submission writes nothing");

    // The summary belongs to H2 only.
    let (status, body) =
        app.put_json(&report_path(&f, "2026H1", "/summary"), Some(&f.initiator.session), &json!({"summary_text": "总结"})).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "period");

    let doc = app.upload_pdf(&f.initiator.session, "2025年度工作总结.pdf").await;
    let (status, body) = app
        .put_json(
            &report_path(&f, "2025H2", "/summary"),
            Some(&f.initiator.session),
            &json!({"summary_text": "2025年度工作总结", "summary_document_id": doc}),
        )
        .await;
    assert_eq!((status, body["summary_document_id"].as_str()), (200, Some(doc.as_str())), "{body}");
    let (status, body) = app.submit_report(&f, "2025H2").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["status"].as_str(), body["late_days"].as_i64()), (Some("late"), Some(3)), "{body}");
    assert_eq!(body["rounds"][0]["days_after_due"], 3);

    let (_, late) = app.get("/api/v1/reports?period=2025H2&status=late", Some(&staff)).await;
    assert_eq!(late["items"].as_array().unwrap().len(), 1, "{late}");
    assert_eq!(late["items"][0]["late_days"], 3);
    let (_, on_time) = app.get("/api/v1/reports?period=2025H2&status=submitted", Some(&staff)).await;
    assert!(on_time["items"].as_array().unwrap().is_empty(), "{on_time}");

    // The lateness of the first submission stays after a return and a correction.
    app.travel("2026-02-10T09:00:00+08:00", &mut f, &mut staff).await;
    let (status, _) = app
        .post_json(
            &report_path(&f, "2025H2", "/return"),
            Some(&staff),
            &json!({"reasons": [{"item": "年终工作总结", "reason": "请补充培训成效"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app.submit_report(&f, "2025H2").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["late_days"].as_i64(), body["rounds"][1]["days_after_due"].as_i64()), (Some(3), Some(8)));
}

#[tokio::test]
async fn a_period_cannot_be_submitted_before_it_ends_and_the_list_needs_a_begun_period() {
    let app = spawn_app().await;
    let (f, staff) = app.registered_alliance().await;
    // Registered 1 June 2026: 2026H1 is owed but not over.
    let (status, body) = app.submit_report(&f, "2026H1").await;
    assert_problem(status, &body, 409, "period_not_ended");
    let (status, body) = app.get("/api/v1/reports?period=2026H2", Some(&staff)).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "period");
    let (status, body) = app.get(&report_path(&f, "2025H2", ""), Some(&f.initiator.session)).await;
    assert_problem(status, &body, 404, "not_found");
}
