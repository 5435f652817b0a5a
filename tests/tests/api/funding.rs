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
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"].as_array().unwrap().iter().any(|e| e["field"] == "amounts.printed_textbook"), "{body}");
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

/// Payments (000 第二十三条): computed on publication from the kind against
/// the version in force on the publication date, disbursed by the bureau,
/// totalled per category and year; org users see their own only.
#[tokio::test]
async fn publication_commits_a_payment_at_the_version_in_force_and_the_bureau_disburses_it() {
    let app = spawn_app().await;
    let apps = app
        .awaiting_approval(&[
            ("online_course", "线上课程甲"),
            ("printed_textbook", "纸质教材乙"),
            ("course_standard", "课程标准丙"),
            ("e_textbook", "电子教材丁"),
        ])
        .await;
    let admin = app.login("bureau_admin", None).await;
    // Version 2 from 2026-06-10: printed textbooks 60,000, online courses 12,000.
    let (status, v2) =
        app.post_json("/api/v1/fee-schedule", Some(&admin), &json!({"effective_from": "2026-06-10", "amounts": amounts(12000)})).await;
    assert_eq!(status, 201, "{v2}");
    let approve = |i: usize| format!("/api/v1/applications/{}/approve", apps[i].1);

    // Published on 9 June: version 1 (附件2) applies.
    app.set_now("2026-06-09T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app.post_json(&approve(0), Some(&staff), &json!({})).await;
    assert_eq!((status, body["application"]["status"].as_str()), (200, Some("published")), "{body}");
    let (status, body) = app.post_json(&approve(2), Some(&staff), &json!({})).await;
    assert_eq!(status, 200, "{body}");
    // Published on 10 June: version 2.
    app.set_now("2026-06-10T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app.post_json(&approve(1), Some(&staff), &json!({})).await;
    assert_eq!(status, 200, "{body}");

    let (status, page) = app.get("/api/v1/payments", Some(&staff)).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "a course standard has no line in 附件2: no payment: {page}");
    let online = &items[0];
    assert_eq!(online["application_id"], apps[0].1.as_str());
    assert_eq!(
        (online["fee_item"].as_str(), online["quantity"].as_i64(), online["unit_amount"].as_i64(), online["amount"].as_i64()),
        (Some("online_course"), Some(1), Some(10_000), Some(10_000))
    );
    assert_eq!((online["schedule_version"].as_i64(), online["published_on"].as_str()), (Some(1), Some("2026-06-09")));
    assert_eq!((online["status"].as_str(), online["year"].as_i64()), (Some("committed"), Some(2026)));
    let book = &items[1];
    assert_eq!((book["amount"].as_i64(), book["schedule_version"].as_i64()), (Some(60_000), Some(2)));
    assert_eq!(book["fee_schedule_id"], v2["id"]);
    assert_eq!(audit_count(&app.db, "payment.committed", None).await, 2);

    // Org users: their own organisation's only; another's is 404; no totals, no disbursing.
    let a = &app.org_user_with_email(apps[0].0.id(), "a2@pay.dg.cn").await;
    let b = &app.org_user_with_email(apps[1].0.id(), "b2@pay.dg.cn").await;
    let (_, own) = app.get("/api/v1/payments", Some(a)).await;
    let own: Vec<&str> = own["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(own, [online["id"].as_str().unwrap()]);
    let online_path = format!("/api/v1/payments/{}", online["id"].as_str().unwrap());
    assert_eq!(app.get(&online_path, Some(a)).await.0, 200);
    assert_eq!(app.get(&online_path, Some(b)).await.0, 404, "another organisation's payment");
    let expert = app.login("expert", None).await;
    assert_eq!(app.get("/api/v1/payments", Some(&expert)).await.0, 403);

    // Refused without writing: wrong role, unknown id, bad filter, bad year.
    let before = snapshot(&app.db).await;
    let disburse = format!("{online_path}/disburse");
    let (status, body) = app.post_json(&disburse, Some(a), &json!({})).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = app.post_json(&disburse, Some(&expert), &json!({})).await;
    assert_eq!(status, 403);
    let (status, _) = app.post_json("/api/v1/payments/00000000-0000-7000-8000-000000000000/disburse", Some(&staff), &json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(app.get("/api/v1/payments/totals?year=2026", Some(a)).await.0, 403);
    assert_eq!(app.get("/api/v1/payments?status=paid", Some(&staff)).await.0, 400);
    assert_eq!(app.get("/api/v1/payments/totals?year=abc", Some(&staff)).await.0, 400);
    assert_eq!(app.get("/api/v1/payments/totals", Some(&staff)).await.0, 400, "year is required");
    assert_eq!(snapshot(&app.db).await, before, "nothing written");

    // The bureau disburses once.
    let (status, paid) = app.post_json(&disburse, Some(&staff), &json!({})).await;
    assert_eq!((status, paid["status"].as_str()), (200, Some("disbursed")), "{paid}");
    assert!(paid["disbursed_at"].is_string());
    let (status, again) = app.post_json(&disburse, Some(&staff), &json!({})).await;
    tests::http::assert_problem(status, &again, 409, "already_disbursed");
    assert_eq!(audit_count(&app.db, "payment.disbursed", online["id"].as_str()).await, 1);

    // Filters and paging.
    let ids = |v: &Value| -> Vec<String> { v["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect() };
    let (_, committed) = app.get("/api/v1/payments?status=committed&category=training_resource&year=2026", Some(&staff)).await;
    assert_eq!(ids(&committed), [book["id"].as_str().unwrap()]);
    let (_, none) = app.get("/api/v1/payments?year=2027", Some(&staff)).await;
    assert!(ids(&none).is_empty());
    let (_, none) = app.get("/api/v1/payments?category=skill_research", Some(&staff)).await;
    assert!(ids(&none).is_empty());
    let (_, p1) = app.get("/api/v1/payments?limit=1", Some(&staff)).await;
    let (_, p2) = app.get(&format!("/api/v1/payments?limit=1&cursor={}", p1["next_cursor"].as_str().unwrap()), Some(&staff)).await;
    assert_eq!([ids(&p1), ids(&p2)].concat(), [online["id"].as_str().unwrap(), book["id"].as_str().unwrap()]);
    assert!(p2["next_cursor"].is_null());

    // Totals per category and year, in SQL.
    let (status, totals) = app.get("/api/v1/payments/totals?year=2026", Some(&staff)).await;
    assert_eq!(status, 200, "{totals}");
    assert_eq!(
        totals["items"],
        json!([{"category": "training_resource", "category_label": "培训资源认定", "count": 2, "committed": 70_000, "disbursed": 10_000}])
    );
    let (_, empty) = app.get("/api/v1/payments/totals?year=2025", Some(&staff)).await;
    assert_eq!(empty, json!({"year": 2025, "items": []}));
}

/// Publication and its payment are one transaction: no version in force → nothing published.
#[tokio::test]
async fn without_a_schedule_in_force_nothing_is_published() {
    let app = spawn_app().await;
    let apps = app.awaiting_approval(&[("e_textbook", "电子教材")]).await;
    // Remove every version (only possible directly in the database).
    use sea_orm::ConnectionTrait;
    app.db.execute_unprepared("DELETE FROM fee_schedules").await.unwrap();
    let staff = app.login("bureau_staff", None).await;
    let before = snapshot(&app.db).await;
    let (status, body) = app.post_json(&format!("/api/v1/applications/{}/approve", apps[0].1), Some(&staff), &json!({})).await;
    tests::http::assert_problem(status, &body, 409, "fee_schedule_missing");
    assert_eq!(snapshot(&app.db).await, before, "the approval rolled back with it");
    let (_, public) = app.get("/api/v1/public/resources", None).await;
    assert!(public["items"].as_array().unwrap().is_empty());
}

/// 000 第二十二条 第二款: fraud in certification revokes it, removes it from the
/// public catalogue, claws back the payment and bans the credit code for
/// exactly 5 years from the confirmation date.
#[tokio::test]
async fn fraud_revokes_the_certification_claws_back_the_payment_and_bans_for_five_years() {
    let app = spawn_app().await;
    let apps = app.awaiting_approval(&[("online_course", "造假课程"), ("e_textbook", "他人教材")]).await;
    app.set_now("2026-06-09T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    for (_, id) in &apps {
        let (status, body) = app.post_json(&format!("/api/v1/applications/{id}/approve"), Some(&staff), &json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, catalogue) = app.get("/api/v1/public/resources", None).await;
    assert_eq!(catalogue["items"].as_array().unwrap().len(), 2);
    let (_, pays) = app.get("/api/v1/payments", Some(&staff)).await;
    let pay_id = pays["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(pays["items"][0]["application_id"], apps[0].1.as_str());
    let (status, _) = app.post_json(&format!("/api/v1/payments/{pay_id}/disburse"), Some(&staff), &json!({})).await;
    assert_eq!(status, 200);

    let (org, id) = (apps[0].0.id().to_string(), apps[0].1.clone());
    let fraud = json!({"organization_id": org, "kind": "fraud_certification", "confirmed_on": "2026-07-01",
                       "description": "使用报告系伪造", "application_id": id});
    // Refused without writing: wrong role, another organisation's application, a date in the future.
    app.set_now("2026-07-02T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let user = app.org_user_with_email(&org, "fraud@pay.dg.cn").await;
    let before = snapshot(&app.db).await;
    assert_eq!(app.post_json("/api/v1/sanctions", Some(&user), &fraud).await.0, 403);
    let mut other = fraud.clone();
    other["application_id"] = json!(apps[1].1);
    let (status, body) = app.post_json("/api/v1/sanctions", Some(&staff), &other).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "application_id");
    let mut future = fraud.clone();
    future["confirmed_on"] = json!("2026-07-03");
    assert_eq!(app.post_json("/api/v1/sanctions", Some(&staff), &future).await.0, 422);
    assert_eq!(snapshot(&app.db).await, before, "nothing written");

    let (status, sanction) = app.post_json("/api/v1/sanctions", Some(&staff), &fraud).await;
    assert_eq!(status, 201, "{sanction}");
    assert_eq!(sanction["ban_until"], "2031-07-01", "exactly 5 years after the confirmation date");
    let (_, a) = app.get(&format!("/api/v1/applications/{id}"), Some(&staff)).await;
    assert_eq!(a["status"], "revoked");
    let (_, catalogue) = app.get("/api/v1/public/resources", None).await;
    let titles: Vec<&str> = catalogue["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["他人教材"], "the revoked resource left the catalogue");
    let (_, pay) = app.get(&format!("/api/v1/payments/{pay_id}"), Some(&staff)).await;
    assert_eq!(pay["status"], "clawed_back");
    let (status, again) = app.post_json(&format!("/api/v1/payments/{pay_id}/disburse"), Some(&staff), &json!({})).await;
    tests::http::assert_problem(status, &again, 409, "already_disbursed");
    let after = snapshot(&app.db).await;
    let get = |k: &str| after.iter().find(|(n, _)| n == k).unwrap().1;
    assert_eq!((get("clawbacks.rows"), get("clawbacks.marker")), (1, 10_000), "one claw-back of the 10,000 disbursed");
    for action in ["application.revoked", "resource.revoked", "payment.clawed_back", "clawback.recorded"] {
        assert_eq!(audit_count(&app.db, action, None).await, 1, "{action}");
    }

    // The banned credit code cannot apply until the ban ends by itself.
    let call = app.open_call(&staff, "training_resource").await;
    let body = app.certification_body(&user, &call, "新课程").await;
    let draft = app.draft_application(&user, &body).await;
    let (status, refused) = app.post_json(&format!("/api/v1/applications/{draft}/submit"), Some(&user), &json!({})).await;
    tests::http::assert_problem(status, &refused, 422, "ineligible");
    assert!(refused["errors"].as_array().unwrap().iter().any(|e| e["code"] == "applicant_banned"), "{refused}");
    // …nor file an alliance as initiator.
    let initiator = tests::alliances::Party { session: user.clone(), org: json!({"id": org}) };
    let filing = app.file_alliance_by(initiator).await;
    app.complete_filing(&filing).await;
    let (status, refused) = app.post_json(&filing.path("/submit"), Some(&user), &json!({})).await;
    tests::http::assert_problem(status, &refused, 422, "filing_incomplete");
    let codes: Vec<&str> = refused["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["initiator_banned"], "{refused}");

    // The work file (工作档案) records it: the sanction and its ban in force, the revoked item, the revoked resource.
    let (status, file) = app.get(&format!("/api/v1/organizations/{org}/work-file"), Some(&staff)).await;
    assert_eq!(status, 200, "{file}");
    assert_eq!(file["ban"], json!({"in_force": true, "until": "2031-07-01"}));
    let s = &file["sanctions"][0];
    assert_eq!(
        (s["kind"].as_str(), s["confirmed_on"].as_str(), s["ban_until"].as_str(), s["in_force"].as_bool()),
        (Some("fraud_certification"), Some("2026-07-01"), Some("2031-07-01"), Some(true))
    );
    assert_eq!(
        (file["revoked"][0]["application_id"].as_str(), file["revoked"][0]["status"].as_str()),
        (Some(id.as_str()), Some("revoked"))
    );
    assert_eq!(file["resources"]["items"][0]["assessment_status"], "revoked");
    let counts: Vec<(&str, i64)> = file["applications_by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["status"].as_str().unwrap(), c["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(counts, [("draft", 1), ("revoked", 1)], "{file}");
    let (status, own) = app.get(&format!("/api/v1/organizations/{org}/work-file"), Some(&user)).await;
    assert_eq!((status, own["ban"]["in_force"].as_bool()), (200, Some(true)), "the organisation sees its own work file");

    app.set_now("2031-06-30T23:59:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let user = app.org_user_with_email(&org, "fraud2@pay.dg.cn").await;
    let call = app.open_call(&staff, "training_resource").await;
    let body = app.certification_body(&user, &call, "新课程二").await;
    let draft = app.draft_application(&user, &body).await;
    let (status, refused) = app.post_json(&format!("/api/v1/applications/{draft}/submit"), Some(&user), &json!({})).await;
    assert_eq!(status, 422, "the last day of the ban: {refused}");
    app.set_now("2031-07-01T00:01:00+08:00").await;
    let user = app.org_user_with_email(&org, "fraud3@pay.dg.cn").await;
    let (status, ok) = app.post_json(&format!("/api/v1/applications/{draft}/submit"), Some(&user), &json!({})).await;
    assert_eq!((status, ok["status"].as_str()), (200, Some("submitted")), "the ban ended by itself: {ok}");
    let (status, filed) = app.post_json(&filing.path("/submit"), Some(&user), &json!({})).await;
    assert_eq!((status, filed["status"].as_str()), (200, Some("submitted")), "the alliance filing is accepted again: {filed}");
}
