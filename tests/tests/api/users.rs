//! Account administration by bureau_admin.

use serde_json::json;
use tests::{db::audit_count, http::assert_problem, spawn_app};

#[tokio::test]
async fn admin_creates_an_account_with_a_one_time_password_and_resets_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (status, body) = app
        .post_json(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": "wang.staff", "display_name": "王科员", "email": "wang@example.dg.cn", "role": "bureau_staff"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["user"]["role_label"], "业务经办人员");
    assert_eq!(body["user"]["must_change_password"], true);
    let initial = body["initial_password"].as_str().unwrap().to_string();
    let id = body["user"]["id"].as_str().unwrap().to_string();
    let first = app.login_as("wang.staff", &initial).await;

    let (status, body) = app.post_json(&format!("/api/v1/users/{id}/reset-password"), Some(&admin), &json!({})).await;
    assert_eq!(status, 200);
    let temporary = body["temporary_password"].as_str().unwrap().to_string();
    assert_ne!(temporary, initial);
    assert_eq!(app.post_json("/api/v1/auth/login", None, &json!({"username": "wang.staff", "password": initial})).await.0, 401);
    assert_eq!(app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": first.refresh_token})).await.0, 401, "sessions ended");
    app.login_as("wang.staff", &temporary).await;

    assert_eq!(audit_count(&app.db, "user.created", Some(&id)).await, 1);
    assert_eq!(audit_count(&app.db, "user.password_reset", Some(&id)).await, 1);
    // The password hash never reaches the audit trail.
    let (_, audit) = app.get(&format!("/api/v1/audit?entity_type=user&entity_id={id}"), Some(&admin)).await;
    assert!(!audit.to_string().contains("argon2"), "{audit}");
}

#[tokio::test]
async fn account_rules_are_enforced() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (status, body) =
        app.post_json("/api/v1/users", Some(&admin), &json!({"username": "u1", "display_name": "x", "role": "org_user"})).await;
    assert_problem(status, &body, 422, "validation_failed");
    let (status, body) =
        app.post_json("/api/v1/users", Some(&admin), &json!({"username": "org.user", "display_name": "x", "role": "org_user"})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("organization_id")));
    let (status, body) = app
        .post_json(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": "weak.pw", "display_name": "x", "role": "expert", "password": "password"}),
        )
        .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("password")));
    let (status, body) =
        app.post_json("/api/v1/users", Some(&admin), &json!({"username": "admin", "display_name": "x", "role": "expert"})).await;
    assert_problem(status, &body, 409, "username_taken");
    // An admin cannot lock itself out.
    let (_, me) = app.get("/api/v1/me", Some(&admin)).await;
    let (status, body) = app.post_json(&format!("/api/v1/users/{}/disable", me["id"].as_str().unwrap()), Some(&admin), &json!({})).await;
    assert_problem(status, &body, 409, "cannot_disable_self");
    let (status, _) = app.get(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()), Some(&admin)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn user_list_pages_with_a_cursor() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for n in 0..5 {
        let (status, _) = app
            .post_json("/api/v1/users", Some(&admin), &json!({"username": format!("expert.{n}"), "display_name": "专家", "role": "expert"}))
            .await;
        assert_eq!(status, 201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?role=expert&limit=2&cursor={c}"),
            None => "/api/v1/users?role=expert&limit=2".to_string(),
        };
        let (status, page) = app.get(&path, Some(&admin)).await;
        assert_eq!(status, 200);
        for u in page["items"].as_array().unwrap() {
            seen.push(u["username"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ["expert.0", "expert.1", "expert.2", "expert.3", "expert.4"]);
    let (status, body) = app.get("/api/v1/users?limit=201", Some(&admin)).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("limit")));
}
