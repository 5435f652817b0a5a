//! Issue 16 items 1 and 2: the composition of an alliance stays checked when
//! a member's kind changes (003 §二(二)(三)), registration judges the filing
//! again, and a unit joining after registration counts only once its 附件1
//! form and charter signature are in (003 §二(四)(六)).

use serde_json::{Value, json};
use tests::{
    TestApp,
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
