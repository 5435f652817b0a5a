//! Issue 16 items 1 and 2: the composition of an alliance stays checked when
//! a member's kind changes (003 §二(二)(三)), registration judges the filing
//! again, and a unit joining after registration counts only once its 附件1
//! form and charter signature are in (003 §二(四)(六)).

use entities::OrgKind;
use serde_json::{Value, json};
use tests::{
    TestApp,
    alliances::form_body,
    db::{audit_count, snapshot},
    http::assert_problem,
    spawn_app,
};

/// Bureau staff change the kind of `org` (as read, with its version).
async fn change_kind(app: &TestApp, staff: &tests::Session, org: &str, kind: &str) -> (u16, Value) {
    let path = format!("/api/v1/organizations/{org}");
    let (_, current) = app.get(&path, Some(staff)).await;
    let req = app
        .request(reqwest::Method::PATCH, &path, Some(staff))
        .header("If-Match", current["version"].to_string())
        .json(&json!({"kind": kind}));
    let resp = app.send(req).await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_kind_change_rechecks_the_composition_of_every_alliance_and_tells_initiator_and_bureau() {
    let app = spawn_app().await;
    let (f, staff) = app.registered_alliance().await;

    // The member unit itself may not change its kind: nothing happens.
    let before = snapshot(&app.db).await;
    let (status, body) = change_kind(&app, &f.research.session, f.research.id(), "enterprise").await;
    assert_problem(status, &body, 403, "bureau_only_field");
    assert_eq!(snapshot(&app.db).await, before);

    // The only research institute becomes an enterprise: flagged at once.
    let (status, body) = change_kind(&app, &staff, f.research.id(), "enterprise").await;
    assert_eq!(status, 200, "{body}");
    let (_, alliance) = app.get(&f.path(""), Some(&f.initiator.session)).await;
    assert_eq!(alliance["composition_warnings"], json!(["missing_research_institute"]), "{alliance}");
    assert_eq!(audit_count(&app.db, "alliance.composition_checked", Some(&f.id)).await, 1);
    for session in [&f.initiator.session, &staff] {
        let (_, notes) = app.get("/api/v1/notifications", Some(session)).await;
        assert!(notes.to_string().contains("成员构成不再符合备案要求"), "{notes}");
    }

    // The lead enterprise turned into an industry association: flagged too.
    assert_eq!(change_kind(&app, &staff, f.lead.id(), "industry_association").await.0, 200);
    let (_, alliance) = app.get(&f.path(""), Some(&staff)).await;
    assert_eq!(alliance["composition_warnings"], json!(["lead_not_enterprise", "missing_research_institute"]));

    // Both put back: the warnings clear, audited.
    assert_eq!(change_kind(&app, &staff, f.lead.id(), "enterprise").await.0, 200);
    assert_eq!(change_kind(&app, &staff, f.research.id(), "research_institute").await.0, 200);
    let (_, alliance) = app.get(&f.path(""), Some(&staff)).await;
    assert_eq!(alliance["composition_warnings"], json!([]));
    assert_eq!(audit_count(&app.db, "alliance.composition_checked", Some(&f.id)).await, 4);

    // A change of name is no change of composition.
    let path = format!("/api/v1/organizations/{}", f.training.id());
    assert_eq!(app.patch_json(&path, Some(&staff), &json!({"name": "东莞市更名职业培训学校"})).await.0, 200);
    assert_eq!(audit_count(&app.db, "alliance.composition_checked", Some(&f.id)).await, 4);
}

#[tokio::test]
async fn registration_judges_the_filing_again_with_the_submission_codes() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    app.complete_filing(&f).await;
    assert_eq!(app.post_json(&f.path("/submit"), Some(&f.initiator.session), &json!({})).await.0, 200);
    let staff = app.login("bureau_staff", None).await;
    // After submission the lead stops being an enterprise.
    assert_eq!(change_kind(&app, &staff, f.lead.id(), "industry_association").await.0, 200);

    let before = snapshot(&app.db).await;
    let (status, body) = app.post_json(&f.path("/register"), Some(&staff), &json!({})).await;
    assert_problem(status, &body, 422, "filing_incomplete");
    let codes: Vec<&str> = body["errors"].as_array().unwrap().iter().filter_map(|e| e["code"].as_str()).collect();
    assert_eq!(codes, ["lead_not_enterprise"], "{body}");
    assert_eq!(snapshot(&app.db).await, before, "nothing registered, no number used");

    // Put right, it registers.
    assert_eq!(change_kind(&app, &staff, f.lead.id(), "enterprise").await.0, 200);
    let (status, body) = app.post_json(&f.path("/register"), Some(&staff), &json!({})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("registered")), "{body}");
}

/// Names of the members the public directory lists for the only alliance.
async fn directory_members(app: &TestApp) -> Vec<String> {
    let (_, public) = app.get("/api/v1/public/alliances", None).await;
    public["items"][0]["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_string()).collect()
}

fn entry<'a>(alliance: &'a Value, org: &str) -> &'a Value {
    alliance["members"].as_array().unwrap().iter().find(|m| m["organization"]["id"] == org).unwrap()
}

#[tokio::test]
async fn a_join_counts_only_once_its_form_and_a_signature_of_the_current_charter_are_in() {
    let app = spawn_app().await;
    let (mut f, mut staff) = app.registered_alliance().await;
    let leave = json!({"effective_date": "2026-06-15", "reason": "业务调整"});
    assert_eq!(app.post_json(&f.path(&format!("/members/{}/leave", f.research.id())), Some(&staff), &leave).await.0, 200);

    // A research institute joins: pending, not counted, both told what is missing.
    let mut newcomer = app.party(OrgKind::ResearchInstitute).await;
    let name = newcomer.org["name"].as_str().unwrap().to_string();
    let join = json!({"organization_id": newcomer.id(), "effective_date": "2026-06-20"});
    let (status, body) = app.post_json(&f.path("/members"), Some(&f.initiator.session), &join).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["composition_warnings"], json!(["missing_research_institute"]), "a pending join does not count");
    // Past its effective date it is still pending.
    app.travel("2026-06-22T09:00:00+08:00", &mut f, &mut staff).await;
    newcomer.session = app.login_as(&newcomer.session.username, tests::USER_PASSWORD).await;
    let (_, body) = app.get(&f.path(""), Some(&staff)).await;
    assert_eq!(body["composition_warnings"], json!(["missing_research_institute"]));
    let pending = entry(&body, newcomer.id());
    assert_eq!((pending["pending"].as_bool(), pending["current"].as_bool()), (Some(true), Some(false)));
    assert_eq!(pending["pending_items"], json!(["member_form", "charter_signature"]));
    assert!(!directory_members(&app).await.contains(&name), "not in the public directory");
    for session in [&newcomer.session, &f.initiator.session] {
        let (_, notes) = app.get("/api/v1/notifications", Some(session)).await;
        assert!(notes.to_string().contains("待完成"), "{notes}");
    }

    // It signs, then the charter is replaced: the old signature no longer counts.
    assert_eq!(app.post_json(&f.path("/charter/sign"), Some(&newcomer.session), &json!({})).await.0, 200);
    let charter = app.upload_pdf(&f.initiator.session, "联盟章程（修订）.pdf").await;
    let (status, body) = app.put_json(&f.path("/charter"), Some(&f.initiator.session), &json!({"document_id": charter})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.put_json(&f.path(&format!("/members/{}/form", newcomer.id())), Some(&newcomer.session), &form_body(20)).await;
    assert_eq!(status, 200, "{body}");
    let (_, detail) = app.get(&f.path(""), Some(&newcomer.session)).await;
    assert_eq!(entry(&detail, newcomer.id())["pending_items"], json!(["charter_signature"]), "{detail}");
    assert_eq!(audit_count(&app.db, "alliance.member_join_completed", Some(&f.id)).await, 0);

    // Signing the current charter completes the join: counted, listed, audited.
    assert_eq!(app.post_json(&f.path("/charter/sign"), Some(&newcomer.session), &json!({})).await.0, 200);
    let (_, detail) = app.get(&f.path(""), Some(&staff)).await;
    let joined = entry(&detail, newcomer.id());
    assert_eq!((joined["pending"].as_bool(), joined["current"].as_bool()), (Some(false), Some(true)), "{detail}");
    assert_eq!(detail["composition_warnings"], json!([]));
    assert!(directory_members(&app).await.contains(&name));
    assert_eq!(audit_count(&app.db, "alliance.member_join_completed", Some(&f.id)).await, 1);
}
