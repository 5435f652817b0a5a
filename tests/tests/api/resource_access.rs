//! Object-level access and refused input for every skill-resource endpoint
//! (acceptance 4): wrong role → 403, another organisation's object → 404,
//! bad input → 4xx with the database unchanged.

use entities::OrgKind;
use reqwest::Method;
use serde_json::{Value, json};
use tests::{Session, TestApp, db::snapshot, spawn_app};

/// (what, method, path, session, body, expected status).
type Case<'a> = (&'a str, Method, String, Option<&'a Session>, Option<Value>, u16);

async fn call(app: &TestApp, method: Method, path: &str, s: Option<&Session>, body: Option<&Value>) -> (u16, Value) {
    let mut req = app.request(method, path, s);
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn every_endpoint_refuses_wrong_roles_other_organisations_and_bad_input_without_writing() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call_id = app.open_call(&staff, "training_resource").await;
    let a = app.applicant(OrgKind::TrainingInstitution, "a@applicant.dg.cn").await;
    let b = app.applicant(OrgKind::TechnicalSchool, "b@applicant.dg.cn").await;
    let body_a = app.certification_body(a.session(), &call_id, "甲课程").await;
    let (a_id, _) = app.submitted_application(a.session(), &body_a).await;
    let draft = app.draft_application(a.session(), &body_a).await;
    let b_doc = app.upload_pdf(b.session(), "b.pdf").await;
    let experts = app.experts(&staff, &[None, None]).await;
    let panel = app.draw_panel(&staff, &a_id, 1).await;
    let drawn = experts.iter().find(|e| e.id == panel["seats"][0]["expert_id"].as_str().unwrap()).unwrap();
    let other = experts.iter().find(|e| e.id != drawn.id).unwrap();
    let (_, notice) = app.post_json("/api/v1/notices", Some(&staff), &json!({"title": "t", "body": "b", "application_ids": [a_id]})).await;
    let notice_id = notice["id"].as_str().unwrap().to_string();
    let (_, objection) = app
        .post_json(
            &format!("/api/v1/public/notices/{notice_id}/objections"),
            None,
            &json!({"application_id": a_id, "name": "某", "phone": "13800000002", "argument": "理由"}),
        )
        .await;
    let objection_id = objection["id"].as_str().unwrap().to_string();
    let expert_id = drawn.id.clone();
    let a_s = a.session();
    let b_s = b.session();
    let e_s = &drawn.session;
    let o_s = &other.session;
    let mut bad_body = body_a.clone();
    bad_body["title"] = json!("");
    let mut foreign_doc = body_a.clone();
    foreign_doc["document_ids"] = json!([b_doc]);
    let app_path = |rest: &str| format!("/api/v1/applications/{a_id}{rest}");
    let draft_path = |rest: &str| format!("/api/v1/applications/{draft}{rest}");
    let now = "2026-06-01T08:00:00+08:00";

    let cases: Vec<Case<'_>> = vec![
        (
            "call by applicant",
            Method::POST,
            "/api/v1/calls".into(),
            Some(a_s),
            Some(json!({"category": "training_resource", "title": "t", "description": "d", "opens_at": now, "closes_at": now})),
            403,
        ),
        (
            "call by expert",
            Method::POST,
            "/api/v1/calls".into(),
            Some(e_s),
            Some(json!({"category": "training_resource", "title": "t", "description": "d", "opens_at": now, "closes_at": now})),
            403,
        ),
        (
            "call closing before it opens",
            Method::POST,
            "/api/v1/calls".into(),
            Some(&staff),
            Some(json!({"category": "training_resource", "title": "t", "description": "d", "opens_at": now, "closes_at": now})),
            422,
        ),
        (
            "call with a bad category",
            Method::POST,
            "/api/v1/calls".into(),
            Some(&staff),
            Some(json!({"category": "x", "title": "t", "description": "d", "opens_at": now, "closes_at": now})),
            422, // an unknown enum value is named like any mistyped field (issue 16 item 7)
        ),
        ("ranking by applicant", Method::GET, format!("/api/v1/calls/{call_id}/ranking"), Some(a_s), None, 403),
        ("application by bureau", Method::POST, "/api/v1/applications".into(), Some(&staff), Some(body_a.clone()), 403),
        ("application by expert", Method::POST, "/api/v1/applications".into(), Some(e_s), Some(body_a.clone()), 403),
        ("application without title", Method::POST, "/api/v1/applications".into(), Some(a_s), Some(bad_body.clone()), 422),
        (
            "application with another organisation's document",
            Method::POST,
            "/api/v1/applications".into(),
            Some(a_s),
            Some(foreign_doc),
            422,
        ),
        (
            "application for an unknown call",
            Method::POST,
            "/api/v1/applications".into(),
            Some(a_s),
            Some({
                let mut x = body_a.clone();
                x["call_id"] = json!("01900000-0000-7000-8000-000000000000");
                x
            }),
            422,
        ),
        (
            "application with a number as title",
            Method::POST,
            "/api/v1/applications".into(),
            Some(a_s),
            Some({
                let mut x = body_a.clone();
                x["title"] = json!(5);
                x
            }),
            422,
        ),
        ("other organisation's application", Method::GET, app_path(""), Some(b_s), None, 404),
        ("undeclared expert", Method::GET, app_path(""), Some(e_s), None, 404),
        ("expert not drawn", Method::GET, app_path(""), Some(o_s), None, 404),
        ("no token", Method::GET, app_path(""), None, None, 401),
        ("draft edit by other organisation", Method::PUT, draft_path(""), Some(b_s), Some(body_a.clone()), 404),
        ("draft edit by bureau", Method::PUT, draft_path(""), Some(&staff), Some(body_a.clone()), 403),
        ("draft edit with bad input", Method::PUT, draft_path(""), Some(a_s), Some(bad_body), 422),
        ("submitted application edited", Method::PUT, app_path(""), Some(a_s), Some(body_a.clone()), 409),
        ("submit by other organisation", Method::POST, draft_path("/submit"), Some(b_s), Some(json!({})), 404),
        ("submit by bureau", Method::POST, draft_path("/submit"), Some(&staff), Some(json!({})), 403),
        ("submit twice", Method::POST, app_path("/submit"), Some(a_s), Some(json!({})), 409),
        ("draw by applicant", Method::POST, app_path("/panel"), Some(a_s), Some(json!({})), 403),
        ("draw by expert", Method::POST, app_path("/panel"), Some(e_s), Some(json!({})), 403),
        ("draw of a bad size", Method::POST, app_path("/panel"), Some(&staff), Some(json!({"size": 0})), 422),
        ("draw for a draft", Method::POST, draft_path("/panel"), Some(&staff), Some(json!({})), 409),
        ("panel read by applicant", Method::GET, app_path("/panel"), Some(a_s), None, 403),
        ("panel read by expert", Method::GET, app_path("/panel"), Some(e_s), None, 403),
        ("declaration by applicant", Method::POST, app_path("/declaration"), Some(a_s), Some(json!({"conflict": false})), 403),
        ("declaration by an expert not drawn", Method::POST, app_path("/declaration"), Some(o_s), Some(json!({"conflict": false})), 404),
        ("conflict without reason", Method::POST, app_path("/declaration"), Some(e_s), Some(json!({"conflict": true})), 422),
        ("review by applicant", Method::POST, app_path("/reviews"), Some(a_s), Some(json!({"score": 80})), 403),
        ("review by an expert not drawn", Method::POST, app_path("/reviews"), Some(o_s), Some(json!({"score": 80})), 404),
        ("review on a notice (no longer under review)", Method::POST, app_path("/reviews"), Some(e_s), Some(json!({"score": 80})), 409),
        ("decline by applicant", Method::POST, app_path("/decline"), Some(a_s), Some(json!({"reason": "x"})), 403),
        ("decline without reason", Method::POST, app_path("/decline"), Some(&staff), Some(json!({"reason": " "})), 422),
        ("decline on notice", Method::POST, app_path("/decline"), Some(&staff), Some(json!({"reason": "x"})), 409),
        ("approve by applicant", Method::POST, app_path("/approve"), Some(a_s), Some(json!({})), 403),
        ("approve during the notice", Method::POST, app_path("/approve"), Some(&staff), Some(json!({})), 409),
        ("inclusion of a certification", Method::POST, app_path("/inclusion"), Some(&staff), Some(json!({"included": true})), 409),
        ("inclusion by applicant", Method::POST, app_path("/inclusion"), Some(a_s), Some(json!({"included": true})), 403),
        ("completion by expert", Method::POST, app_path("/completion"), Some(e_s), Some(json!({})), 403),
        (
            "notice by applicant",
            Method::POST,
            "/api/v1/notices".into(),
            Some(a_s),
            Some(json!({"title": "t", "body": "b", "application_ids": [a_id]})),
            403,
        ),
        (
            "empty notice",
            Method::POST,
            "/api/v1/notices".into(),
            Some(&staff),
            Some(json!({"title": "t", "body": "b", "application_ids": []})),
            422,
        ),
        (
            "notice of a draft",
            Method::POST,
            "/api/v1/notices".into(),
            Some(&staff),
            Some(json!({"title": "t", "body": "b", "application_ids": [draft]})),
            409,
        ),
        ("notices read by applicant", Method::GET, "/api/v1/notices".into(), Some(a_s), None, 403),
        ("notice read by expert", Method::GET, format!("/api/v1/notices/{notice_id}"), Some(e_s), None, 403),
        (
            "ruling by applicant",
            Method::POST,
            format!("/api/v1/objections/{objection_id}/ruling"),
            Some(a_s),
            Some(json!({"outcome": "upheld", "ruling": "x"})),
            403,
        ),
        (
            "ruling with a bad outcome",
            Method::POST,
            format!("/api/v1/objections/{objection_id}/ruling"),
            Some(&staff),
            Some(json!({"outcome": "maybe", "ruling": "x"})),
            422,
        ),
        (
            "ruling without text",
            Method::POST,
            format!("/api/v1/objections/{objection_id}/ruling"),
            Some(&staff),
            Some(json!({"outcome": "upheld", "ruling": ""})),
            422,
        ),
        (
            "expert added by applicant",
            Method::POST,
            "/api/v1/experts".into(),
            Some(a_s),
            Some(json!({"name": "x", "specialty": "x", "title": "x", "organization_name": "x", "expert_type": "method"})),
            403,
        ),
        (
            "expert linked to a non-expert account",
            Method::POST,
            "/api/v1/experts".into(),
            Some(&staff),
            Some(
                json!({"user_id": staff_id(&app, &staff).await, "name": "x", "specialty": "x", "title": "x", "organization_name": "x", "expert_type": "method"}),
            ),
            422,
        ),
        ("pool read by applicant", Method::GET, "/api/v1/experts".into(), Some(a_s), None, 403),
        ("pool read by expert", Method::GET, "/api/v1/experts".into(), Some(e_s), None, 403),
        (
            "expert deactivated by applicant",
            Method::PATCH,
            format!("/api/v1/experts/{expert_id}"),
            Some(a_s),
            Some(json!({"active": false})),
            403,
        ),
        ("assignments of an applicant", Method::GET, "/api/v1/experts/me/assignments".into(), Some(a_s), None, 403),
        (
            "access-type occupation by applicant",
            Method::POST,
            "/api/v1/access-occupations".into(),
            Some(a_s),
            Some(json!({"code": "1", "name": "x"})),
            403,
        ),
        (
            "access-type occupation without code",
            Method::POST,
            "/api/v1/access-occupations".into(),
            Some(&staff),
            Some(json!({"code": "", "name": "x"})),
            422,
        ),
        ("access-type occupation removed by applicant", Method::DELETE, "/api/v1/access-occupations/1".into(), Some(a_s), None, 403),
        ("unknown access-type occupation removed", Method::DELETE, "/api/v1/access-occupations/none".into(), Some(&staff), None, 404),
        ("batch by expert", Method::POST, "/api/v1/occupation-batches".into(), Some(e_s), Some(json!({"title": "x"})), 403),
        ("batch export by applicant", Method::GET, format!("/api/v1/occupation-batches/{a_id}/export.xlsx"), Some(a_s), None, 403),
        ("applications list without token", Method::GET, "/api/v1/applications".into(), None, None, 401),
        ("public list with a bad limit", Method::GET, "/api/v1/public/resources?limit=0".into(), None, None, 422),
    ];
    for (what, method, path, session, body, expected) in cases {
        let before = snapshot(&app.db).await;
        let (status, answer) = call(&app, method, &path, session, body.as_ref()).await;
        assert_eq!(status, expected, "{what}: {answer}");
        assert_eq!(snapshot(&app.db).await, before, "{what}: nothing written");
    }

    // Lists answer only what the caller may see.
    let (_, mine) = app.get("/api/v1/applications", Some(b_s)).await;
    assert!(mine["items"].as_array().unwrap().is_empty(), "{mine}");
    let (_, theirs) = app.get("/api/v1/applications", Some(a_s)).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 2);
    let (_, cleared) = app.get("/api/v1/applications", Some(e_s)).await;
    assert!(cleared["items"].as_array().unwrap().is_empty(), "not declared: nothing listed");
    let (_, all) = app.get("/api/v1/applications?limit=1", Some(&staff)).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    assert!(all["next_cursor"].is_string());
}

async fn staff_id(app: &TestApp, s: &Session) -> String {
    app.get("/api/v1/me", Some(s)).await.1["id"].as_str().unwrap().to_string()
}
