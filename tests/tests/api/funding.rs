//! The 附件2 fee schedule as versioned data (000 第二十三条) and the payments
//! computed on publication.

use serde_json::{Value, json};
use tests::{
    db::{audit_count, snapshot},
    spawn_app,
};

fn amounts(online_course: i64) -> Value {
    json!({
        "printed_textbook": 60000, "e_textbook": 20000, "certified_course": 15000, "online_course": online_course,
        "evaluation_specification": 50000, "theory_question_bank_level": 15000, "integrated_case_course": 15000
    })
}

#[tokio::test]
async fn fee_schedule_is_seeded_from_annex_2_and_versioned_by_bureau_admin() {
    let app = spawn_app().await;
    app.set_now("2026-11-23T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let admin = app.login("bureau_admin", None).await;
    let (org_user, _) = app.org_user(entities::OrgKind::TrainingInstitution).await;

    // Signed in: anyone reads it; anonymous: 401.
    let (status, _) = app.get("/api/v1/fee-schedule", None).await;
    assert_eq!(status, 401);
    let (status, page) = app.get("/api/v1/fee-schedule", Some(&org_user)).await;
    assert_eq!(status, 200, "{page}");
    let v1 = &page["items"][0];
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["effective_from"], "2026-04-03");
    assert_eq!(v1["in_force"], true);
    assert_eq!(
        v1["amounts"],
        json!({
            "printed_textbook": 50000, "e_textbook": 20000, "certified_course": 15000, "online_course": 10000,
            "evaluation_specification": 50000, "theory_question_bank_level": 15000, "integrated_case_course": 15000
        })
    );

    // Refused without writing: wrong role, date in the past, amounts not above 0.
    let before = snapshot(&app.db).await;
    let good = json!({"effective_from": "2027-01-01", "amounts": amounts(12000), "note": "2027年调整"});
    for (who, s) in [("staff", &staff), ("org_user", &org_user)] {
        let (status, body) = app.post_json("/api/v1/fee-schedule", Some(s), &good).await;
        assert_eq!(status, 403, "{who}: {body}");
    }
    let (status, body) =
        app.post_json("/api/v1/fee-schedule", Some(&admin), &json!({"effective_from": "2026-11-22", "amounts": amounts(0)})).await;
    assert_eq!(status, 422, "{body}");
    let errors = body["errors"].as_array().unwrap();
    let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
    assert_eq!(fields, [("effective_from", "effective_date_in_past"), ("online_course", "amount_not_positive")]);
    assert!(errors[0]["message"].as_str().unwrap().contains("生效日期"), "{body}");
    let (status, body) =
        app.post_json("/api/v1/fee-schedule", Some(&admin), &json!({"effective_from": "2027-01-01", "amounts": amounts(-5)})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = app
        .post_json("/api/v1/fee-schedule", Some(&admin), &json!({"effective_from": "2027-01-01", "amounts": {"printed_textbook": 1.5}}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(snapshot(&app.db).await, before, "nothing written");

    // Version 2 from 2027-01-01; today is still version 1.
    let (status, v2) = app.post_json("/api/v1/fee-schedule", Some(&admin), &good).await;
    assert_eq!(status, 201, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["in_force"], false);
    assert_eq!(audit_count(&app.db, "fee_schedule.created", v2["id"].as_str()).await, 1);
    // Effective today is allowed.
    let (status, v3) =
        app.post_json("/api/v1/fee-schedule", Some(&admin), &json!({"effective_from": "2026-11-23", "amounts": amounts(11000)})).await;
    assert_eq!(status, 201, "{v3}");
    assert_eq!(v3["version"], 3);
    assert_eq!(v3["in_force"], true);

    // Paged, oldest first; on 2027-01-01 version 2 is in force.
    let (_, p1) = app.get("/api/v1/fee-schedule?limit=2", Some(&staff)).await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = app.get(&format!("/api/v1/fee-schedule?limit=2&cursor={cursor}"), Some(&staff)).await;
    assert_eq!(p2["items"][0]["version"], 3);
    assert!(p2["next_cursor"].is_null());
    app.set_now("2027-01-01T00:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (_, all) = app.get("/api/v1/fee-schedule", Some(&staff)).await;
    let in_force: Vec<i64> =
        all["items"].as_array().unwrap().iter().filter(|v| v["in_force"] == true).map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(in_force, [2]);
}
