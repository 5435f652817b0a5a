//! Alliance filing and membership (seed 003 §二, issue 3).

use entities::OrgKind;
use serde_json::{Value, json};
use tests::{
    alliances::{Filing, form_body},
    db::{audit_count, snapshot},
    http::assert_problem,
    spawn_app,
};

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().map(|e| e.iter().filter_map(|x| x["code"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Acceptance 1.
#[tokio::test]
async fn an_alliance_is_filed_returned_corrected_registered_and_listed_without_personal_data() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let s = &f.initiator.session;

    // Before anything is filled, the draft says what is missing.
    let (_, draft) = app.get(&f.path(""), Some(s)).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["members"].as_array().unwrap().len(), 6);
    let readiness: Vec<&str> = draft["readiness"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert!(readiness.contains(&"member_form_missing") && readiness.contains(&"charter_not_signed_by_all"), "{readiness:?}");
    let roles: Vec<(&str, bool)> =
        draft["members"].as_array().unwrap().iter().map(|m| (m["role"].as_str().unwrap(), m["is_lead"].as_bool().unwrap())).collect();
    assert_eq!(roles[0], ("initiator", false));
    assert_eq!(roles[1], ("member", true));
    assert_eq!(draft["policy"]["state"], "expired", "seed 003 expired on 2021-12-31: {}", draft["policy"]);

    app.complete_filing(&f).await;
    let (status, body) = app.post_json(&f.path("/submit"), Some(s), &json!({})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("submitted")), "{body}");

    // The bureau returns it with a reason per item.
    let staff = app.login("bureau_staff", None).await;
    let (status, body) =
        app.post_json(&f.path("/return"), Some(&staff), &json!({"reasons": [{"item": "章程", "reason": "章程缺少成员单位签章页"}]})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("returned")), "{body}");
    let (_, seen) = app.get(&f.path(""), Some(s)).await;
    assert_eq!(seen["rounds"][0]["reasons"][0]["reason"], "章程缺少成员单位签章页");
    assert!(seen["status_reason"].as_str().unwrap().contains("章程"));

    // The initiator uploads a new charter: every member signs again.
    let charter = app.upload_pdf(s, "联盟章程（修订）.pdf").await;
    let (status, body) = app.put_json(&f.path("/charter"), Some(s), &json!({"document_id": charter})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["charter_version"], 2);
    assert!(body["members"].as_array().unwrap().iter().all(|m| m["charter_signed"] == false), "signatures reset");
    let (status, body) = app.post_json(&f.path("/submit"), Some(s), &json!({})).await;
    assert_eq!(status, 422);
    assert!(codes(&body).contains(&"charter_not_signed_by_all".to_string()));
    for p in f.parties() {
        assert_eq!(app.post_json(&f.path("/charter/sign"), Some(&p.session), &json!({})).await.0, 200);
    }
    assert_eq!(app.post_json(&f.path("/submit"), Some(s), &json!({})).await.0, 200);

    let (status, body) = app.post_json(&f.path("/register"), Some(&staff), &json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["registration_no"], "DGLM-2026-0001");
    assert_eq!(body["registered_on"], "2026-06-01");
    let rounds: Vec<&str> = body["rounds"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(rounds, ["returned", "registered"]);

    // The public directory shows it, without contact persons, phones or emails.
    let (status, public) = app.get("/api/v1/public/alliances", None).await;
    assert_eq!(status, 200);
    let entry = &public["items"][0];
    assert_eq!(entry["registration_no"], "DGLM-2026-0001");
    assert_eq!(entry["lead"]["name"], f.lead.org["name"]);
    assert_eq!(entry["members"].as_array().unwrap().len(), 6);
    let (_, one) = app.get(&format!("/api/v1/public/alliances/{}", f.id), None).await;
    let text = format!("{public}{one}");
    for p in f.parties() {
        for field in ["mobile", "office_phone", "email", "contact_person", "legal_representative", "fax"] {
            let value = p.org[field].as_str().unwrap();
            assert!(!text.contains(value), "public pages leak {field} {value}");
        }
    }
    for leak in ["13900769000", "0769-22001100", "hr@example.dg.cn", "林小红"] {
        assert!(!text.contains(leak), "form data leaked: {leak}");
    }

    for action in ["alliance.created", "alliance.submitted", "alliance.returned", "alliance.charter_replaced", "alliance.registered"] {
        assert!(audit_count(&app.db, action, Some(&f.id)).await >= 1, "{action}");
    }
    assert_eq!(audit_count(&app.db, "member_form.saved", None).await, 6);
}

/// Submits and expects exactly `code` among the failures, with nothing written.
async fn refused_with(app: &tests::TestApp, f: &Filing, code: &str) {
    let before = snapshot(&app.db).await;
    let (status, body) = app.post_json(&f.path("/submit"), Some(&f.initiator.session), &json!({})).await;
    assert_problem(status, &body, 422, "filing_incomplete");
    assert_eq!(codes(&body), [code], "{body}");
    let error = body["errors"].as_array().unwrap().iter().find(|e| e["code"] == code).unwrap();
    assert!(error["message"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese message: {error}");
    assert_eq!(snapshot(&app.db).await, before, "refused submission wrote nothing");
}

async fn complete(app: &tests::TestApp) -> Filing {
    let f = app.file_alliance().await;
    app.complete_filing(&f).await;
    f
}

#[tokio::test]
async fn an_enterprise_cannot_initiate() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    // Re-create the same alliance with an enterprise as initiator.
    let enterprise = app.party(OrgKind::Enterprise).await;
    let members: Vec<&str> = f.parties().iter().skip(1).map(|p| p.id()).collect();
    let docs = [
        app.upload_pdf(&enterprise.session, "a.pdf").await,
        app.upload_pdf(&enterprise.session, "c.pdf").await,
        app.upload_pdf(&enterprise.session, "l.pdf").await,
    ];
    let (status, body) = app
        .post_json(
            "/api/v1/alliances",
            Some(&enterprise.session),
            &json!({"name": "企业发起的联盟", "industry": "智能装备制造", "lead_organization_id": f.lead.id(), "member_organization_ids": members,
                "agreement_document_id": docs[0], "charter_document_id": docs[1], "licence_document_id": docs[2], "report_text": "报告"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let g = Filing {
        id: body["id"].as_str().unwrap().into(),
        initiator: enterprise,
        lead: f.lead.clone(),
        enterprises: f.enterprises.clone(),
        training: f.training.clone(),
        research: f.research.clone(),
    };
    app.complete_filing(&g).await;
    refused_with(&app, &g, "initiator_kind_not_allowed").await;
}

#[tokio::test]
async fn the_lead_must_be_an_enterprise() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    let (status, _) = app.patch_json(&f.path(""), Some(&f.initiator.session), &json!({"lead_organization_id": f.training.id()})).await;
    assert_eq!(status, 200);
    // The former lead is still an enterprise member, so only the lead rule breaks.
    refused_with(&app, &f, "lead_not_enterprise").await;
}

#[tokio::test]
async fn a_school_or_training_institution_is_required() {
    let app = spawn_app().await;
    // A research institute initiates; the only training institution is removed.
    let f = complete(&app).await;
    let research_led = app.party(OrgKind::ResearchInstitute).await;
    let docs = [
        app.upload_pdf(&research_led.session, "a.pdf").await,
        app.upload_pdf(&research_led.session, "c.pdf").await,
        app.upload_pdf(&research_led.session, "l.pdf").await,
    ];
    let members: Vec<&str> = f.enterprises.iter().map(|p| p.id()).collect();
    let (status, body) = app
        .post_json(
            "/api/v1/alliances",
            Some(&research_led.session),
            &json!({"name": "研究院发起的联盟", "industry": "新材料", "lead_organization_id": f.lead.id(), "member_organization_ids": members,
                "agreement_document_id": docs[0], "charter_document_id": docs[1], "licence_document_id": docs[2], "report_text": "报告"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let g = Filing {
        id: body["id"].as_str().unwrap().into(),
        initiator: research_led.clone(),
        lead: f.lead.clone(),
        enterprises: f.enterprises.clone(),
        training: research_led.clone(),
        research: research_led,
    };
    for p in [&g.initiator, &g.lead, &g.enterprises[0], &g.enterprises[1]] {
        assert_eq!(app.put_json(&g.path(&format!("/members/{}/form", p.id())), Some(&p.session), &form_body(50)).await.0, 200);
        assert_eq!(app.post_json(&g.path("/charter/sign"), Some(&p.session), &json!({})).await.0, 200);
    }
    refused_with(&app, &g, "missing_school_or_training_institution").await;
}

#[tokio::test]
async fn a_research_institute_is_required() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    assert_eq!(app.delete(&f.path(&format!("/members/{}", f.research.id())), Some(&f.initiator.session)).await.0, 200);
    refused_with(&app, &f, "missing_research_institute").await;
}

#[tokio::test]
async fn an_enterprise_besides_the_lead_is_required() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    for e in &f.enterprises {
        assert_eq!(app.delete(&f.path(&format!("/members/{}", e.id())), Some(&f.initiator.session)).await.0, 200);
    }
    refused_with(&app, &f, "missing_enterprise_member").await;
}

#[tokio::test]
async fn every_member_must_fill_its_form() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    for p in f.parties() {
        assert_eq!(app.post_json(&f.path("/charter/sign"), Some(&p.session), &json!({})).await.0, 200);
        if p.id() != f.training.id() {
            assert_eq!(app.put_json(&f.path(&format!("/members/{}/form", p.id())), Some(&p.session), &form_body(80)).await.0, 200);
        }
    }
    refused_with(&app, &f, "member_form_missing").await;
}

#[tokio::test]
async fn an_inconsistent_stored_form_is_refused_at_submission() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    // Forms cannot be saved inconsistent through the API (see below); a row
    // that became inconsistent (e.g. data corrected by hand) is still caught.
    use sea_orm::ConnectionTrait;
    let sql = format!("UPDATE member_forms SET management = total_staff + 1 WHERE organization_id = '{}'", f.training.id());
    let sql = match app.backend {
        tests::db::Backend::Postgres => sql,
        tests::db::Backend::Sqlite => {
            let hex = f.training.id().replace('-', "").to_uppercase();
            format!("UPDATE member_forms SET management = total_staff + 1 WHERE organization_id = X'{hex}'")
        }
    };
    let changed = app.db.execute_unprepared(&sql).await.unwrap().rows_affected();
    assert_eq!(changed, 1);
    refused_with(&app, &f, "member_form_inconsistent").await;

    let mut bad = form_body(10);
    bad["title_senior"] = json!(11);
    let (status, body) = app.put_json(&f.path(&format!("/members/{}/form", f.lead.id())), Some(&f.lead.session), &bad).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "title_senior");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("职工总数"));
}

#[tokio::test]
async fn the_charter_is_required() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    assert_eq!(app.patch_json(&f.path(""), Some(&f.initiator.session), &json!({"charter_document_id": null})).await.0, 200);
    refused_with(&app, &f, "charter_missing").await;
}

#[tokio::test]
async fn every_member_must_sign_the_charter() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    for p in f.parties() {
        assert_eq!(app.put_json(&f.path(&format!("/members/{}/form", p.id())), Some(&p.session), &form_body(60)).await.0, 200);
        if p.id() != f.research.id() {
            assert_eq!(app.post_json(&f.path("/charter/sign"), Some(&p.session), &json!({})).await.0, 200);
        }
    }
    refused_with(&app, &f, "charter_not_signed_by_all").await;
}

#[tokio::test]
async fn the_licence_is_required_unless_the_bureau_verified_the_credit_code() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    assert_eq!(app.patch_json(&f.path(""), Some(&f.initiator.session), &json!({"licence_document_id": null})).await.0, 200);
    refused_with(&app, &f, "licence_missing").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, _) = app
        .put_json(&format!("/api/v1/organizations/{}/credit-code-verification", f.initiator.id()), Some(&staff), &json!({"verified": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.post_json(&f.path("/submit"), Some(&f.initiator.session), &json!({})).await.0, 200);
}

#[tokio::test]
async fn the_cooperation_agreement_is_required() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    assert_eq!(app.patch_json(&f.path(""), Some(&f.initiator.session), &json!({"agreement_document_id": null})).await.0, 200);
    refused_with(&app, &f, "agreement_missing").await;
}

#[tokio::test]
async fn the_initiators_report_is_required() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    assert_eq!(app.patch_json(&f.path(""), Some(&f.initiator.session), &json!({"report_text": null})).await.0, 200);
    refused_with(&app, &f, "report_missing").await;
}

#[tokio::test]
async fn a_banned_initiator_cannot_file_until_the_ban_ends() {
    let app = spawn_app().await;
    let f = complete(&app).await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app
        .post_json("/api/v1/sanctions", Some(&staff), &json!({"organization_id": f.initiator.id(), "kind": "fraud_certification", "confirmed_on": "2026-05-20", "description": "认定材料弄虚作假"}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["ban_until"], "2031-05-20");
    refused_with(&app, &f, "initiator_banned").await;
    app.set_now("2031-05-20T09:00:00+08:00").await;
    let s = app.login_as(&f.initiator.session.username, tests::USER_PASSWORD).await;
    let (status, body) = app.post_json(&f.path("/submit"), Some(&s), &json!({})).await;
    assert_eq!(status, 200, "the ban ended by itself: {body}");
}
