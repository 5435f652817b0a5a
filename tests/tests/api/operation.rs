//! Operation of published resources (000 第二十一条): usage reports by the
//! publisher, assessments by the bureau setting the next due date or
//! withdrawing the resource; the organisation's work file (工作档案).

use serde_json::{Value, json};
use tests::{
    Session, TestApp,
    db::{audit_count, snapshot},
    http::assert_problem,
    resources::Applicant,
    spawn_app,
};

/// Category-3 resources published on Tue 9 June 2026 (next assessment due 9 June 2028).
/// Answers (applicant, resource id) per item; the clock is left at 9 June 09:00.
pub async fn published(app: &TestApp, items: &[(&str, &str)]) -> Vec<(Applicant, String)> {
    let apps = app.awaiting_approval(items).await;
    app.set_now("2026-06-09T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let mut out = Vec::new();
    for (applicant, id) in apps {
        let (status, body) = app.post_json(&format!("/api/v1/applications/{id}/approve"), Some(&staff), &json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["resource"]["next_assessment_due"], "2028-06-09");
        out.push((applicant, body["resource"]["id"].as_str().unwrap().to_string()));
    }
    out
}

fn codes(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors.iter().map(|e| (e["field"].as_str().unwrap_or("").to_string(), e["code"].as_str().unwrap_or("").to_string())).collect()
        })
        .unwrap_or_default()
}

async fn usage(app: &TestApp, s: &Session, resource: &str, year: i32, trainees: i64, organisations: i64) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/resources/{resource}/usage"),
        Some(s),
        &json!({"year": year, "trainees": trainees, "organisations": organisations}),
    )
    .await
}

#[tokio::test]
async fn the_publisher_reports_usage_once_per_year_and_a_year_reported_again_is_replaced() {
    let app = spawn_app().await;
    let res = published(&app, &[("online_course", "线上课程甲"), ("e_textbook", "电子教材乙")]).await;
    let (r0, r1) = (res[0].1.clone(), res[1].1.clone());
    app.set_now("2027-03-01T10:00:00+08:00").await;
    let owner = app.org_user_with_email(res[0].0.id(), "owner@usage.dg.cn").await;
    let other = app.org_user_with_email(res[1].0.id(), "other@usage.dg.cn").await;
    let staff = app.login("bureau_staff", None).await;
    let expert = app.login("expert", None).await;

    let (status, first) = usage(&app, &owner, &r0, 2026, 420, 6).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!((first["year"].as_i64(), first["trainees"].as_i64(), first["organisations"].as_i64()), (Some(2026), Some(420), Some(6)));
    // The same year again: its figures are replaced (200), still one report.
    let (status, again) = usage(&app, &owner, &r0, 2026, 450, 7).await;
    assert_eq!((status, again["id"].as_str()), (200, first["id"].as_str()), "{again}");
    assert_eq!(audit_count(&app.db, "usage_report.replaced", first["id"].as_str()).await, 1);
    // The bureau may report too.
    let (status, _) = usage(&app, &staff, &r0, 2027, 30, 2).await;
    assert_eq!(status, 201);

    // Newest year first, paged by year.
    let (status, page) = app.get(&format!("/api/v1/resources/{r0}/usage"), Some(&owner)).await;
    assert_eq!(status, 200, "{page}");
    let years: Vec<(i64, i64)> =
        page["items"].as_array().unwrap().iter().map(|u| (u["year"].as_i64().unwrap(), u["trainees"].as_i64().unwrap())).collect();
    assert_eq!(years, [(2027, 30), (2026, 450)]);
    let (_, p1) = app.get(&format!("/api/v1/resources/{r0}/usage?limit=1"), Some(&staff)).await;
    let cursor = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = app.get(&format!("/api/v1/resources/{r0}/usage?limit=1&cursor={cursor}"), Some(&staff)).await;
    assert_eq!((p1["items"][0]["year"].as_i64(), p2["items"][0]["year"].as_i64()), (Some(2027), Some(2026)));
    assert!(p2["next_cursor"].is_null());

    // Refused without writing: bad year and counts (each field named), wrong role, another organisation's resource, unknown id.
    let before = snapshot(&app.db).await;
    let (status, body) = usage(&app, &owner, &r0, 2025, -1, 10_000_001).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        codes(&body),
        [
            ("year".to_string(), "usage_year_out_of_range".to_string()),
            ("trainees".to_string(), "count_out_of_range".to_string()),
            ("organisations".to_string(), "count_out_of_range".to_string())
        ]
    );
    assert!(body["errors"][1]["message"].as_str().unwrap().starts_with("培训人次"), "{body}");
    assert_eq!(usage(&app, &owner, &r0, 2028, 1, 1).await.0, 422, "a year not begun");
    assert_eq!(usage(&app, &expert, &r0, 2026, 1, 1).await.0, 403);
    assert_eq!(usage(&app, &other, &r0, 2026, 1, 1).await.0, 404, "another organisation's resource");
    assert_eq!(usage(&app, &owner, "00000000-0000-7000-8000-000000000000", 2026, 1, 1).await.0, 404);
    assert_eq!(app.get(&format!("/api/v1/resources/{r0}/usage"), Some(&expert)).await.0, 403);
    assert_eq!(app.get(&format!("/api/v1/resources/{r0}/usage"), Some(&other)).await.0, 404);
    assert_eq!(app.get(&format!("/api/v1/resources/{r0}/usage"), None).await.0, 401);
    assert_eq!(snapshot(&app.db).await, before, "nothing written");
    // Each publisher reports its own.
    assert_eq!(usage(&app, &other, &r1, 2026, 80, 1).await.0, 201);
}

#[tokio::test]
async fn assessments_set_the_next_due_date_and_a_withdrawal_leaves_the_catalogue() {
    let app = spawn_app().await;
    let res = published(&app, &[("online_course", "线上课程甲"), ("e_textbook", "电子教材乙")]).await;
    let (r0, r1) = (res[0].1.clone(), res[1].1.clone());
    app.set_now("2027-03-01T10:00:00+08:00").await;
    let owner = app.org_user_with_email(res[0].0.id(), "owner@assess.dg.cn").await;
    let other = app.org_user_with_email(res[1].0.id(), "other@assess.dg.cn").await;
    let staff = app.login("bureau_staff", None).await;
    let expert = app.login("expert", None).await;
    let assess = |r: &str, outcome: &str, on: &str| {
        (format!("/api/v1/resources/{r}/assessments"), json!({"outcome": outcome, "assessed_on": on, "note": "使用情况良好"}))
    };

    // Refused without writing: wrong roles, dates, unknown id, empty note.
    let before = snapshot(&app.db).await;
    let (path, body) = assess(&r0, "keep", "2027-03-01");
    assert_eq!(app.post_json(&path, Some(&owner), &body).await.0, 403, "the publisher does not assess itself");
    assert_eq!(app.post_json(&path, Some(&expert), &body).await.0, 403);
    let (path_f, future) = assess(&r0, "keep", "2027-03-02");
    let (status, body_f) = app.post_json(&path_f, Some(&staff), &future).await;
    assert_eq!((status, codes(&body_f)), (422, vec![("assessed_on".to_string(), "assessed_in_future".to_string())]), "{body_f}");
    let (path_e, early) = assess(&r0, "keep", "2026-06-08");
    let (status, body_e) = app.post_json(&path_e, Some(&staff), &early).await;
    assert_eq!((status, codes(&body_e)), (422, vec![("assessed_on".to_string(), "assessed_too_early".to_string())]), "{body_e}");
    let (status, body) = app.post_json(&path, Some(&staff), &json!({"outcome": "keep", "assessed_on": "2027-03-01", "note": "  "})).await;
    assert_eq!((status, &body["errors"][0]["field"]), (422, &json!("note")), "a note is required: {body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().starts_with("评估意见："), "the assessment's note, not 说明: {body}");
    let (status, body) = app.post_json(&path, Some(&staff), &json!({"outcome": "drop", "assessed_on": "2027-03-01", "note": "x"})).await;
    assert_eq!((status, &body["errors"][0]["field"]), (422, &json!("outcome")), "unknown outcome: {body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().starts_with("评估结论：取值须为以下之一"), "{body}");
    let (status, body) = app.post_json(&path, Some(&staff), &json!({"outcome": "keep", "assessed_on": "2027-03-01"})).await;
    assert_eq!((status, body["errors"][0]["message"].as_str()), (422, Some("评估意见：缺少必填项")), "{body}");
    let (path_u, body_u) = assess("00000000-0000-7000-8000-000000000000", "keep", "2027-03-01");
    assert_eq!(app.post_json(&path_u, Some(&staff), &body_u).await.0, 404);
    assert_eq!(snapshot(&app.db).await, before, "nothing written");

    // Keep on 2027-02-20: next due 24 months later.
    let (path, body) = assess(&r0, "keep", "2027-02-20");
    let (status, kept) = app.post_json(&path, Some(&staff), &body).await;
    assert_eq!(status, 201, "{kept}");
    assert_eq!(
        (kept["assessment"]["previous_due"].as_str(), kept["assessment"]["next_due"].as_str()),
        (Some("2028-06-09"), Some("2029-02-20"))
    );
    assert_eq!(
        (
            kept["resource"]["last_assessed_on"].as_str(),
            kept["resource"]["next_assessment_due"].as_str(),
            kept["resource"]["assessment_status"].as_str()
        ),
        (Some("2027-02-20"), Some("2029-02-20"), Some("current"))
    );
    // Not before the last assessment.
    let (path, body) = assess(&r0, "keep", "2027-02-19");
    assert_eq!(app.post_json(&path, Some(&staff), &body).await.0, 422);
    // Update required on 2027-03-01: next due 6 months later.
    let (path, body) = assess(&r0, "update_required", "2027-03-01");
    let (status, update) = app.post_json(&path, Some(&staff), &body).await;
    assert_eq!(status, 201, "{update}");
    assert_eq!(update["resource"]["next_assessment_due"], "2027-09-01");
    let (_, public) = app.get(&format!("/api/v1/public/resources/{r0}"), None).await;
    assert_eq!((public["last_assessed_on"].as_str(), public["next_assessment_due"].as_str()), (Some("2027-03-01"), Some("2027-09-01")));
    assert_eq!(audit_count(&app.db, "assessment.recorded", None).await, 2);
    assert_eq!(audit_count(&app.db, "resource.assessed", Some(&r0)).await, 2);

    // The publisher reads its assessments (newest first) and was told in-app; others cannot.
    let (status, list) = app.get(&format!("/api/v1/resources/{r0}/assessments"), Some(&owner)).await;
    assert_eq!(status, 200, "{list}");
    let outcomes: Vec<&str> = list["items"].as_array().unwrap().iter().map(|a| a["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["update_required", "keep"]);
    assert_eq!(list["items"][0]["outcome_label"], "需要更新");
    let (_, p1) = app.get(&format!("/api/v1/resources/{r0}/assessments?limit=1"), Some(&staff)).await;
    let (_, p2) =
        app.get(&format!("/api/v1/resources/{r0}/assessments?limit=1&cursor={}", p1["next_cursor"].as_str().unwrap()), Some(&staff)).await;
    assert_eq!(p2["items"][0]["outcome"], "keep");
    assert_eq!(app.get(&format!("/api/v1/resources/{r0}/assessments"), Some(&other)).await.0, 404);
    assert_eq!(app.get(&format!("/api/v1/resources/{r0}/assessments"), Some(&expert)).await.0, 403);
    let (_, notes) = app.get("/api/v1/notifications", Some(&owner)).await;
    let told: Vec<&Value> = notes["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "resource_assessment").collect();
    assert_eq!(told.len(), 2, "{notes}");
    let page = format!("/resources/{r0}/usage#assessments");
    assert!(told.iter().all(|n| n["link"].as_str() == Some(page.as_str())), "the publisher's page, not the API: {notes}");

    // Withdraw the other resource: gone from the public catalogue, no more usage or assessments.
    let (path, body) = assess(&r1, "withdraw", "2027-03-01");
    let (status, withdrawn) = app.post_json(&path, Some(&staff), &body).await;
    assert_eq!(status, 201, "{withdrawn}");
    assert_eq!(
        (withdrawn["resource"]["withdrawn_on"].as_str(), withdrawn["resource"]["assessment_status"].as_str()),
        (Some("2027-03-01"), Some("withdrawn"))
    );
    assert_eq!(audit_count(&app.db, "resource.withdrawn", Some(&r1)).await, 1);
    let (_, catalogue) = app.get("/api/v1/public/resources", None).await;
    let titles: Vec<&str> = catalogue["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["线上课程甲"]);
    assert_eq!(app.get(&format!("/api/v1/public/resources/{r1}"), None).await.0, 404);
    let before = snapshot(&app.db).await;
    let (status, body) = usage(&app, &other, &r1, 2027, 1, 1).await;
    assert_problem(status, &body, 409, "resource_withdrawn");
    let (status, body) = app.post_json(&path, Some(&staff), &json!({"outcome": "keep", "assessed_on": "2027-03-01", "note": "恢复"})).await;
    assert_problem(status, &body, 409, "resource_withdrawn");
    assert_eq!(snapshot(&app.db).await, before, "nothing written");
    // Still readable by its publisher and the bureau.
    assert_eq!(app.get(&format!("/api/v1/resources/{r1}/assessments"), Some(&other)).await.0, 200);
}

/// The work file: bureau any organisation, an org user its own, another's 404, experts 403;
/// resources paged with their assessment status; a fixed number of statements.
#[tokio::test]
async fn the_work_file_lists_resources_with_their_assessment_status_and_applications_by_status() {
    let app = spawn_app().await;
    let res = published(&app, &[("online_course", "线上课程甲"), ("e_textbook", "电子教材乙")]).await;
    let org = res[0].0.id().to_string();
    app.set_now("2028-04-20T10:00:00+08:00").await;
    let owner = app.org_user_with_email(&org, "owner@file.dg.cn").await;
    let other = app.org_user_with_email(res[1].0.id(), "other@file.dg.cn").await;
    let staff = app.login("bureau_staff", None).await;
    let expert = app.login("expert", None).await;
    let path = format!("/api/v1/organizations/{org}/work-file");

    let (status, file) = app.get(&path, Some(&owner)).await;
    assert_eq!(status, 200, "{file}");
    assert_eq!(file["organization"]["id"], org.as_str());
    assert_eq!(file["ban"], json!({"in_force": false}));
    assert_eq!(file["sanctions"], json!([]));
    assert_eq!(file["revoked"], json!([]));
    assert_eq!(file["applications_by_status"], json!([{"status": "published", "label": "已认定并公布", "count": 1}]));
    let r = &file["resources"]["items"][0];
    assert_eq!((r["title"].as_str(), r["assessment_status"].as_str()), (Some("线上课程甲"), Some("due_soon")), "{file}");
    assert_eq!(file["resources"]["items"].as_array().unwrap().len(), 1);
    app.set_now("2028-06-09T10:00:00+08:00").await;
    let staff2 = app.login("bureau_staff", None).await;
    let (_, file) = app.get(&path, Some(&staff2)).await;
    assert_eq!(file["resources"]["items"][0]["assessment_status"], "due");

    assert_eq!(app.get(&path, Some(&app.login("bureau_admin", None).await)).await.0, 200);
    let _ = staff;
    let other = app.login_as(&other.username, tests::USER_PASSWORD).await;
    assert_eq!(app.get(&path, Some(&other)).await.0, 404, "another organisation's work file");
    let expert = app.login_as(&expert.username, tests::USER_PASSWORD).await;
    assert_eq!(app.get(&path, Some(&expert)).await.0, 403);
    assert_eq!(app.get("/api/v1/organizations/00000000-0000-7000-8000-000000000000/work-file", Some(&staff2)).await.0, 404);
    assert_eq!(app.get(&format!("{path}?limit=0"), Some(&staff2)).await.0, 422);

    // Statements do not grow with the resources listed (no N+1).
    let count = |path: String| {
        let app = &app;
        let s = &staff2;
        async move {
            let before = app.query_count();
            assert_eq!(app.get(&path, Some(s)).await.0, 200);
            app.query_count() - before
        }
    };
    let with_data = count(path.clone()).await;
    let empty = app.create_org(entities::OrgKind::Enterprise).await;
    let empty = format!("/api/v1/organizations/{}/work-file", empty["id"].as_str().unwrap());
    assert_eq!(count(empty).await, with_data, "the same statements for an organisation with nothing on file");
}
