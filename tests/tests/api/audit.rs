//! Acceptance 7: audit rows for every state change, readable by bureau roles
//! with filters, with before/after snapshots.

use entities::OrgKind;
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn state_changes_leave_audit_rows_with_actor_and_snapshots() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, me) = app.get("/api/v1/me", Some(&admin)).await;
    let admin_id = me["id"].as_str().unwrap();
    let org = app.create_org(OrgKind::VocationalCollege).await;
    let id = org["id"].as_str().unwrap();
    let (status, _) = app.patch_json(&format!("/api/v1/organizations/{id}"), Some(&admin), &json!({"name": "东莞市更名后的学院"})).await;
    assert_eq!(status, 200);

    let staff = app.login("bureau_staff", None).await;
    let (status, page) = app.get(&format!("/api/v1/audit?entity_type=organization&entity_id={id}"), Some(&staff)).await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["organization.created", "organization.updated"]);
    let update = &items[1];
    assert_eq!(update["actor_id"], admin_id);
    assert_eq!(update["actor_role"], "bureau_admin");
    assert_eq!(update["before"]["name"], org["name"]);
    assert_eq!(update["after"]["name"], "东莞市更名后的学院");
    assert!(update["request_id"].as_str().is_some_and(|r| !r.is_empty()));

    let (_, by_actor) = app.get(&format!("/api/v1/audit?actor_id={admin_id}&action=user.created"), Some(&staff)).await;
    assert!(!by_actor["items"].as_array().unwrap().is_empty());
    let (_, future) = app.get("/api/v1/audit?from=2030-01-01T00:00:00Z", Some(&staff)).await;
    assert!(future["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_api_offers_no_way_to_change_audit_rows() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, spec) = app.get("/openapi.json", None).await;
    let audit_ops: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, _)| p.starts_with("/audit"))
        .flat_map(|(p, ops)| ops.as_object().unwrap().keys().map(move |m| format!("{m} {p}")))
        .collect();
    assert_eq!(audit_ops, ["get /audit"]);
    for method in [reqwest::Method::POST, reqwest::Method::PUT, reqwest::Method::DELETE, reqwest::Method::PATCH] {
        let (status, _) = app.send_raw(method, "/api/v1/audit", Some(&admin), "application/json", b"{}".to_vec()).await;
        assert_eq!(status, 405);
    }
}
