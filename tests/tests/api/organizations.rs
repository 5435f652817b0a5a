//! Organisations: registration, validation, updates with If-Match, and the
//! object-level rule (an org_user sees only its own; others get 404).

use entities::OrgKind;
use serde_json::json;
use tests::{db::audit_count, fresh_credit_code, http::assert_problem, org_body, spawn_app};

#[tokio::test]
async fn bureau_registers_an_organisation_and_its_user_reads_and_edits_it() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let body = org_body("东莞市高级技工学校", OrgKind::TechnicalSchool);
    let (status, org) = app.post_json("/api/v1/organizations", Some(&staff), &body).await;
    assert_eq!(status, 201, "{org}");
    assert_eq!(org["kind_label"], "技工院校");
    assert_eq!(org["version"], 1);
    let id = org["id"].as_str().unwrap();
    let user = app.login("org_user", Some(id)).await;

    let (status, mine) = app.get(&format!("/api/v1/organizations/{id}"), Some(&user)).await;
    assert_eq!((status, &mine["credit_code"]), (200, &body["credit_code"]));

    let path = format!("/api/v1/organizations/{id}");
    let resp = app
        .send(
            app.request(reqwest::Method::PATCH, &path, Some(&user))
                .header("If-Match", "\"1\"")
                .json(&json!({"contact_person": "赵六", "fax": null})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let updated: serde_json::Value = resp.json().await.unwrap();
    assert_eq!((updated["contact_person"].as_str(), updated["fax"].is_null(), updated["version"].as_i64()), (Some("赵六"), true, Some(2)));

    // A stale version is a conflict and changes nothing.
    let resp = app
        .send(app.request(reqwest::Method::PATCH, &path, Some(&user)).header("If-Match", "1").json(&json!({"contact_person": "钱七"})))
        .await;
    assert_eq!(resp.status(), 409);
    let problem: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "version_conflict");
    assert_eq!(app.get(&path, Some(&user)).await.1["contact_person"], "赵六");

    // The org_user may not change what other registrations hang on.
    let (status, body) = app.patch_json(&path, Some(&user), &json!({"kind": "enterprise"})).await;
    assert_problem(status, &body, 403, "bureau_only_field");

    assert_eq!(audit_count(&app.db, "organization.created", Some(id)).await, 1);
    assert_eq!(audit_count(&app.db, "organization.updated", Some(id)).await, 1);
}

#[tokio::test]
async fn another_organisations_object_is_404_and_lists_show_only_ones_own() {
    let app = spawn_app().await;
    let (user_a, org_a) = app.org_user(OrgKind::Enterprise).await;
    let (_user_b, org_b) = app.org_user(OrgKind::ResearchInstitute).await;
    let b = org_b["id"].as_str().unwrap();
    let (status, body) = app.get(&format!("/api/v1/organizations/{b}"), Some(&user_a)).await;
    assert_problem(status, &body, 404, "not_found");
    let (status, _) = app.patch_json(&format!("/api/v1/organizations/{b}"), Some(&user_a), &json!({"contact_person": "入侵者"})).await;
    assert_eq!(status, 404);
    let (status, _) =
        app.put_json(&format!("/api/v1/organizations/{b}/credit-code-verification"), Some(&user_a), &json!({"verified": true})).await;
    assert_eq!(status, 403);
    // Same answer as for an id that does not exist at all.
    let (status, _) = app.get(&format!("/api/v1/organizations/{}", uuid::Uuid::now_v7()), Some(&user_a)).await;
    assert_eq!(status, 404);
    let (_, list) = app.get("/api/v1/organizations", Some(&user_a)).await;
    let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [org_a["id"].as_str().unwrap()]);
    assert_eq!(audit_count(&app.db, "organization.updated", Some(b)).await, 0);
}

#[tokio::test]
async fn organisations_are_filtered_by_kind_name_and_credit_code() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut school = org_body("东莞市机电技工学校", OrgKind::TechnicalSchool);
    let code = fresh_credit_code();
    school["credit_code"] = json!(code);
    assert_eq!(app.post_json("/api/v1/organizations", Some(&admin), &school).await.0, 201);
    assert_eq!(
        app.post_json("/api/v1/organizations", Some(&admin), &org_body("东莞市模具行业协会", OrgKind::IndustryAssociation)).await.0,
        201
    );
    assert_eq!(app.post_json("/api/v1/organizations", Some(&admin), &org_body("东莞市精密模具有限公司", OrgKind::Enterprise)).await.0, 201);

    let names =
        |v: &serde_json::Value| v["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let (_, by_kind) = app.get("/api/v1/organizations?kind=technical_school", Some(&admin)).await;
    assert_eq!(names(&by_kind), ["东莞市机电技工学校"]);
    let (_, by_name) = app.get("/api/v1/organizations?name=%E6%A8%A1%E5%85%B7", Some(&admin)).await; // 模具
    assert_eq!(names(&by_name), ["东莞市模具行业协会", "东莞市精密模具有限公司"]);
    let (_, by_code) = app.get(&format!("/api/v1/organizations?credit_code={code}"), Some(&admin)).await;
    assert_eq!(names(&by_code), ["东莞市机电技工学校"]);
    let (status, _) = app.get("/api/v1/organizations?kind=bank", Some(&admin)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_duplicate_credit_code_is_409_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = org_body("东莞市甲公司", OrgKind::Enterprise);
    assert_eq!(app.post_json("/api/v1/organizations", Some(&admin), &body).await.0, 201);
    let before = tests::db::snapshot(&app.db).await;
    let mut again = body.clone();
    again["name"] = json!("东莞市乙公司");
    let (status, problem) = app.post_json("/api/v1/organizations", Some(&admin), &again).await;
    assert_problem(status, &problem, 409, "credit_code_taken");
    assert!(problem["title"].as_str().unwrap().contains("统一社会信用代码"));
    assert_eq!(tests::db::snapshot(&app.db).await, before);
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once_in_chinese() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut body = org_body("", OrgKind::Enterprise);
    body["postcode"] = json!("52300");
    body["email"] = json!("not-an-email");
    body["mobile"] = json!("0769-22881234");
    body["office_phone"] = json!("12");
    let before = tests::db::snapshot(&app.db).await;
    let (status, problem) = app.post_json("/api/v1/organizations", Some(&admin), &body).await;
    assert_problem(status, &problem, 422, "validation_failed");
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "postcode", "email", "office_phone", "mobile"]);
    let postcode_msg = problem["errors"][1]["message"].as_str().unwrap();
    assert!(postcode_msg.contains("邮政编码"), "{postcode_msg}");
    assert_eq!(tests::db::snapshot(&app.db).await, before);

    // The same in English when asked.
    let resp = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/organizations", Some(&admin))
                .header("Accept-Language", "en-GB,en;q=0.8")
                .json(&body),
        )
        .await;
    let problem: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(problem["title"], "The submitted data is not valid");
    assert!(problem["errors"][1]["message"].as_str().unwrap().starts_with("postcode:"));
}

#[tokio::test]
async fn bureau_marks_a_credit_code_verified() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let org = app.create_org(OrgKind::TechnicalSchool).await;
    let id = org["id"].as_str().unwrap();
    let (status, body) =
        app.put_json(&format!("/api/v1/organizations/{id}/credit-code-verification"), Some(&staff), &json!({"verified": true})).await;
    assert_eq!((status, body["credit_code_verified"].as_bool()), (200, Some(true)));
    assert_eq!(audit_count(&app.db, "organization.credit_code_verified", Some(id)).await, 1);
}
