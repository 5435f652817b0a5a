//! Acceptance 5: working days across the 2026 Spring Festival and National
//! Day, make-up working days included; a year without data is 422.

use entities::OrgKind;
use serde_json::{Value, json};
use tests::{db::audit_count, http::assert_problem, spawn_app};

fn dates(list: &Value, key: &str) -> Vec<String> {
    list[key].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn five_working_days_across_the_spring_festival() {
    let app = spawn_app().await;
    let (user, _) = app.org_user(OrgKind::Enterprise).await;
    // Published Thursday 12 Feb 2026: Fri 13, Sat 14 (make-up), then the holiday 15–23, Tue 24, Wed 25, Thu 26.
    let (status, answer) = app.get("/api/v1/calendar/working-days?from=2026-02-12&days=5", Some(&user)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["end_date"], "2026-02-26");
    assert_eq!(answer["ends_at"], "2026-02-26T17:30:00+08:00");
    assert_eq!(dates(&answer, "counted"), ["2026-02-13", "2026-02-14", "2026-02-24", "2026-02-25", "2026-02-26"]);
    assert_eq!(answer["counted"][1]["makeup"], "春节");
    let skipped = dates(&answer, "skipped");
    assert_eq!(skipped.first().map(String::as_str), Some("2026-02-15"));
    assert_eq!(skipped.last().map(String::as_str), Some("2026-02-23"));
    assert_eq!(skipped.len(), 9);
    assert_eq!(answer["skipped"][0]["reason"], "holiday");
    assert_eq!(answer["skipped"][0]["reason_label"], "法定节假日：春节");
    assert!(answer["explanation"].as_str().unwrap().contains("调休上班"));
}

#[tokio::test]
async fn five_working_days_across_national_day() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (status, answer) = app.get("/api/v1/calendar/working-days?from=2026-09-30&days=5", Some(&admin)).await;
    assert_eq!(status, 200);
    assert_eq!(dates(&answer, "counted"), ["2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12", "2026-10-13"]);
    assert_eq!(answer["counted"][2]["makeup"], "国庆节");
    let skipped = dates(&answer, "skipped");
    assert_eq!(skipped, ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07", "2026-10-11"]);
    assert_eq!(answer["skipped"][7]["reason"], "weekend");
    // Mid-Autumn 25–27 Sep and the make-up Sunday 20 Sep.
    let (_, answer) = app.get("/api/v1/calendar/working-days?from=2026-09-18&days=3", Some(&admin)).await;
    assert_eq!(dates(&answer, "counted"), ["2026-09-20", "2026-09-21", "2026-09-22"]);
}

#[tokio::test]
async fn a_year_without_data_is_422_naming_the_year() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (status, body) = app.get("/api/v1/calendar/2027", Some(&admin)).await;
    assert_problem(status, &body, 422, "calendar_year_missing");
    assert!(body["title"].as_str().unwrap().contains("2027"));
    let (status, body) = app.get("/api/v1/calendar/working-days?from=2026-12-28&days=5", Some(&admin)).await;
    assert_problem(status, &body, 422, "calendar_year_missing");
    assert!(body["title"].as_str().unwrap().contains("2027"));
    let (status, _) = app.get("/api/v1/calendar/working-days?from=2026-13-01&days=5", Some(&admin)).await;
    assert_eq!(status, 400);
    let (status, _) = app.get("/api/v1/calendar/working-days?from=2026-01-01&days=-1", Some(&admin)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_2026_calendar_is_seeded_with_its_source() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let (status, year) = app.get("/api/v1/calendar/2026", Some(&staff)).await;
    assert_eq!(status, 200);
    assert!(year["source_notice"].as_str().unwrap().contains("2026"));
    let days = year["days"].as_array().unwrap();
    let makeups: Vec<&str> = days.iter().filter(|d| d["kind"] == "makeup_workday").map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(makeups, ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]);
    let holidays = days.iter().filter(|d| d["kind"] == "holiday").count();
    assert_eq!(holidays, 3 + 9 + 3 + 5 + 3 + 3 + 7);
}

#[tokio::test]
async fn bureau_admin_enters_next_years_calendar() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({
        "source_notice": "国务院办公厅关于2027年部分节假日安排的通知",
        "days": [
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
            {"date": "2027-01-02", "kind": "holiday", "name": "元旦"},
            {"date": "2027-01-03", "kind": "holiday", "name": "元旦"}
        ]
    });
    let staff = app.login("bureau_staff", None).await;
    assert_eq!(app.put_json("/api/v1/calendar/2027", Some(&staff), &body).await.0, 403, "staff may not edit the calendar");
    let (status, resp) = app.put_json("/api/v1/calendar/2027", Some(&admin), &body).await;
    assert_eq!(status, 204, "{resp}");
    let (status, answer) = app.get("/api/v1/calendar/working-days?from=2026-12-30&days=2", Some(&admin)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["end_date"], "2027-01-04");
    assert_eq!(audit_count(&app.db, "calendar.year_replaced", Some("2027")).await, 1);

    // A make-up working day on a Wednesday and a date of another year are refused, all at once.
    let before = tests::db::snapshot(&app.db).await;
    let bad = json!({"source_notice": "x", "days": [
        {"date": "2027-02-03", "kind": "makeup_workday", "name": "春节"},
        {"date": "2028-01-01", "kind": "holiday", "name": "元旦"}
    ]});
    let (status, problem) = app.put_json("/api/v1/calendar/2027", Some(&admin), &bad).await;
    assert_problem(status, &problem, 422, "validation_failed");
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["days[0]", "days[1]"]);
    assert_eq!(tests::db::snapshot(&app.db).await, before);
}
