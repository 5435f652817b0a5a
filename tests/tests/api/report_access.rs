//! Object-level rules and bad input for half-year reports (issue 4
//! acceptance 5): members see and change only their own rows, others get
//! 404, wrong roles 403; impossible numbers are refused naming the field,
//! and nothing is written.

use entities::OrgKind;
use serde_json::json;
use tests::{
    db::snapshot,
    http::assert_problem,
    reports::{Row, report_path},
    spawn_app,
};

#[tokio::test]
async fn members_see_only_their_rows_others_get_404_and_wrong_roles_403() {
    let app = spawn_app().await;
    let (mut f, mut staff) = app.alliance_registered_at("2025-11-03T09:00:00+08:00").await;
    app.travel("2026-01-10T09:00:00+08:00", &mut f, &mut staff).await;
    let lead_row = report_path(&f, "2025H2", &format!("/rows/{}", f.lead.id()));
    app.fill_row(&f, "2025H2", &f.lead.session, f.lead.id(), &Row::simple(100, 10)).await;
    let outsider = app.party(OrgKind::Enterprise).await;
    let expert = app.login("expert", None).await;
    let research = &f.research.session;

    // Another member's row: 404 to read and to write, like a row that does not exist.
    let (status, body) = app.get(&lead_row, Some(research)).await;
    assert_problem(status, &body, 404, "not_found");
    let (status, body) = app.put_json(&lead_row, Some(research), &Row::simple(1, 0).body()).await;
    assert_problem(status, &body, 404, "not_found");
    let (status, body) = app.post_json(&format!("{lead_row}/no-change"), Some(research), &json!({})).await;
    assert_problem(status, &body, 404, "not_found");
    // The member's own row and the report (its row and 合计 only).
    assert_eq!(app.get(&lead_row, Some(&f.lead.session)).await.0, 200);
    let (_, seen) = app.get(&report_path(&f, "2025H2", ""), Some(research)).await;
    assert_eq!(seen["members"].as_array().unwrap().len(), 1);
    assert_eq!(seen["members"][0]["organization"]["id"], f.research.id());
    assert_eq!(seen["totals"]["basic"]["total_staff"], 100);
    assert!(seen["subtotals"].as_array().unwrap().is_empty());
    // The initiator and the bureau read every row.
    assert_eq!(app.get(&lead_row, Some(&f.initiator.session)).await.0, 200);
    assert_eq!(app.get(&lead_row, Some(&staff)).await.0, 200);

    // An organisation outside the alliance: 404 everywhere.
    for path in [f.path("/reports"), report_path(&f, "2025H2", ""), lead_row.clone(), report_path(&f, "2025H2", "/export.xlsx")] {
        let (status, body) = app.get(&path, Some(&outsider.session)).await;
        assert_problem(status, &body, 404, "not_found");
    }
    let (status, body) = app.put_json(&lead_row, Some(&outsider.session), &Row::simple(1, 0).body()).await;
    assert_problem(status, &body, 404, "not_found");

    // Experts: 403.
    for path in [report_path(&f, "2025H2", ""), lead_row.clone(), "/api/v1/reports?period=2025H2".to_string()] {
        let (status, body) = app.get(&path, Some(&expert)).await;
        assert_problem(status, &body, 403, "forbidden");
    }

    // Wrong roles: members do not submit or export, the bureau does not fill, org users do not review or list.
    let (status, body) = app.post_json(&report_path(&f, "2025H2", "/submit"), Some(&f.lead.session), &json!({})).await;
    assert_problem(status, &body, 403, "initiator_only");
    let (status, body) = app.get(&report_path(&f, "2025H2", "/export.csv"), Some(&f.lead.session)).await;
    assert_problem(status, &body, 403, "initiator_only");
    let (status, body) =
        app.put_json(&report_path(&f, "2025H2", "/summary"), Some(&f.lead.session), &json!({"summary_text": "总结"})).await;
    assert_problem(status, &body, 403, "initiator_only");
    let (status, body) = app.put_json(&lead_row, Some(&staff), &Row::simple(1, 0).body()).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = app.post_json(&report_path(&f, "2025H2", "/accept"), Some(&f.initiator.session), &json!({})).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = app
        .post_json(&report_path(&f, "2025H2", "/return"), Some(&f.initiator.session), &json!({"reasons": [{"item": "a", "reason": "b"}]}))
        .await;
    assert_problem(status, &body, 403, "forbidden");
    for path in ["/api/v1/reports?period=2025H2", "/api/v1/reports/export.xlsx?period=2025H2"] {
        let (status, body) = app.get(path, Some(&f.initiator.session)).await;
        assert_problem(status, &body, 403, "forbidden");
    }
    // Nothing to review yet.
    let (status, body) = app.post_json(&report_path(&f, "2025H2", "/accept"), Some(&staff), &json!({})).await;
    assert_problem(status, &body, 409, "wrong_state");
    // No token.
    assert_eq!(app.get(&report_path(&f, "2025H2", ""), None).await.0, 401);
}

#[tokio::test]
async fn impossible_numbers_are_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let (mut f, mut staff) = app.alliance_registered_at("2025-11-03T09:00:00+08:00").await;
    app.travel("2026-01-10T09:00:00+08:00", &mut f, &mut staff).await;
    let path = report_path(&f, "2025H2", &format!("/rows/{}", f.lead.id()));
    let s = &f.lead.session;
    let ok = Row::simple(100, 50);
    let cases: Vec<(Row, &str, &str)> = vec![
        (Row { basic: [-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], ..ok }, "basic.total_staff", "不能为负数"),
        (Row { basic: [100, 101, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], ..ok }, "basic.management", "不能超过职工总数"),
        (Row { basic: [10_000_001, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], ..ok }, "basic.total_staff", "不能超过10000000"),
        (Row { basic: [100, 0, 40, 40, 40, 0, 0, 0, 0, 0, 0, 0], ..ok }, "basic.title_senior", "专业技术职称合计"),
        (Row { progress: [50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 51], ..ok }, "progress.trained_general_workers", "不能超过当期培训人数"),
        (Row { progress: [50, 0, 0, -2, 0, 0, 0, 0, 0, 0, 0], ..ok }, "progress.members_joined", "不能为负数"),
        (Row { progress: [50, 0, 0, 0, 30, 30, 0, 0, 0, 0, 0], ..ok }, "progress.trained_senior_technician", "合计（60人）"),
    ];
    let before = snapshot(&app.db).await;
    for (row, field, message) in cases {
        let (status, body) = app.put_json(&path, Some(s), &row.body()).await;
        assert_problem(status, &body, 422, "validation_failed");
        let error = body["errors"].as_array().unwrap().iter().find(|e| e["field"] == field).unwrap_or_else(|| panic!("{field}: {body}"));
        assert!(error["message"].as_str().unwrap().contains(message), "{field}: {error}");
    }
    // Wrong JSON types are 422 naming the field; malformed periods are 400, the parameter named.
    let mut text = ok.body();
    text["basic"]["management"] = json!("10");
    let (status, body) = app.put_json(&path, Some(s), &text).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "basic.management", "{body}");
    assert_eq!(body["errors"][0]["message"], "管理人员：应为整数", "{body}");
    let mut fraction = ok.body();
    fraction["progress"]["trainees"] = json!(1.5);
    let (status, body) = app.put_json(&path, Some(s), &fraction).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "progress.trainees", "{body}");
    for bad in ["2025h2", "2025H3", "1999H1"] {
        let (status, body) = app.get(&report_path(&f, bad, ""), Some(s)).await;
        assert_problem(status, &body, 400, "bad_parameter");
        assert_eq!(body["errors"][0]["field"], "period", "{body}");
    }
    let (status, body) = app.get("/api/v1/reports?period=2026Q1", Some(&staff)).await;
    assert_problem(status, &body, 400, "bad_parameter");
    // Incomplete bodies, bad summaries, an empty return and unknown ids are refused too.
    let (status, body) = app.put_json(&path, Some(s), &json!({"basic": ok.body()["basic"]})).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "progress", "{body}");
    let (status, body) =
        app.put_json(&report_path(&f, "2025H2", "/summary"), Some(&f.initiator.session), &json!({"summary_text": "  "})).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "summary_text");
    assert_eq!(body["errors"][0]["message"], "年终工作总结：不能为空");
    let (status, body) =
        app.put_json(&report_path(&f, "2025H2", "/summary"), Some(&f.initiator.session), &json!({"summary_text": 2025})).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["message"], "年终工作总结：应为文本", "{body}");
    let (status, body) = app.post_json(&report_path(&f, "2025H2", "/return"), Some(&staff), &json!({"reasons": []})).await;
    assert_problem(status, &body, 422, "validation_failed");
    let (status, body) = app.post_json(&f.path("/reports/2025H2/rows/not-a-uuid/no-change"), Some(s), &json!({})).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = app.post_json(&format!("{path}/no-change"), Some(s), &json!({})).await;
    assert_problem(status, &body, 422, "no_previous_report");
    assert_eq!(snapshot(&app.db).await, before, "refusals wrote nothing");

    // A stale version is a conflict.
    let first = app.fill_row(&f, "2025H2", s, f.lead.id(), &ok).await;
    assert_eq!(first["version"], 1);
    let req = app.request(reqwest::Method::PUT, &path, Some(s)).header("If-Match", "\"1\"").json(&ok.body());
    assert_eq!(app.send(req).await.status(), 200);
    let req = app.request(reqwest::Method::PUT, &path, Some(s)).header("If-Match", "1").json(&ok.body());
    let resp = app.send(req).await;
    assert_eq!(resp.status(), 409);
}
