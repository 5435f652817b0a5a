//! Issue 20: the hot read paths — an alliance, the alliance list, a report,
//! the bureau's report queue — run a fixed, small number of statements (the
//! figures below may only go down), and the joined statements behind them
//! answer exactly what the tables hold: each answer is compared with the rows
//! read one table at a time through the ORM, as the service read them before.

use entities::{
    OrgKind,
    models::{alliance_member, alliance_round, charter_signature, member_form, organization, report, report_round, report_row},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use tests::{Session, TestApp, alliances::form_body, reports::report_path, spawn_app};
use uuid::Uuid;

/// Statements one GET runs on the app's connection, and its answer.
async fn statements(app: &TestApp, path: &str, s: &Session) -> (usize, Value) {
    let before = app.query_count();
    let (status, body) = app.get(path, Some(s)).await;
    assert_eq!(status, 200, "{path}: {body}");
    (app.query_count() - before, body)
}

/// The alliance detail as poem-openapi's `ToJSON` writes it (the path before
/// issue 20 answered through it): the HTTP answer, written by serde
/// (`api::json::Direct`), must be the same JSON.
async fn framework_alliance(app: &TestApp, s: &Session, id: Uuid) -> Value {
    use poem_openapi::types::ToJSON;
    let caller = api::auth::caller_from_token(&app.state, &s.access_token).await.unwrap();
    let dto = api::routes::alliances::load_detail(&app.state, &caller, id).await.unwrap();
    assert_eq!(api::json::same_as_to_json(&dto), None);
    dto.to_json().unwrap()
}

/// The report detail as `ToJSON` writes it (see [`framework_alliance`]).
async fn framework_report(app: &TestApp, s: &Session, id: Uuid, period: &str) -> Value {
    use poem_openapi::types::ToJSON;
    let caller = api::auth::caller_from_token(&app.state, &s.access_token).await.unwrap();
    let period = entities::report::Period::parse("period", period).unwrap();
    let view = api::services::reports::view::get(&app.state, &caller, id, period).await.unwrap();
    let dto = api::routes::reports::dto::ReportDetail::from(view);
    assert_eq!(api::json::same_as_to_json(&dto), None);
    dto.to_json().unwrap()
}

fn uuid(v: &Value) -> Uuid {
    v.as_str().unwrap().parse().unwrap()
}

/// The detail's member list, as the ORM reads it table by table: memberships
/// with organisations in creation order, forms, signatures of the current charter.
async fn expected_members(app: &TestApp, id: Uuid, charter_version: i32) -> Vec<Value> {
    let rows = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.eq(id))
        .order_by_asc(alliance_member::Column::CreatedAt)
        .order_by_asc(alliance_member::Column::Id)
        .find_also_related(organization::Entity)
        .all(&app.db)
        .await
        .unwrap();
    let forms = member_form::Entity::find().filter(member_form::Column::AllianceId.eq(id)).all(&app.db).await.unwrap();
    let signed: Vec<Uuid> = charter_signature::Entity::find()
        .filter(charter_signature::Column::AllianceId.eq(id))
        .filter(charter_signature::Column::CharterVersion.eq(charter_version))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.organization_id)
        .collect();
    rows.into_iter()
        .map(|(m, o)| {
            let o = o.unwrap();
            let form = forms.iter().find(|f| f.organization_id == o.id);
            json!({
                "organization": o.id.to_string(),
                "name": o.name,
                "joined_on": m.joined_on,
                "left_on": m.left_on,
                "pending": m.pending,
                "form_filled": form.is_some(),
                "form_filled_by_initiator": form.is_some_and(|f| f.filled_by_initiator),
                "charter_signed": charter_version > 0 && signed.contains(&o.id),
            })
        })
        .collect()
}

fn answered_members(detail: &Value) -> Vec<Value> {
    detail["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            json!({
                "organization": m["organization"]["id"],
                "name": m["organization"]["name"],
                "joined_on": m["joined_on"],
                "left_on": m["left_on"],
                "pending": m["pending"],
                "form_filled": m["form_filled"],
                "form_filled_by_initiator": m["form_filled_by_initiator"],
                "charter_signed": m["charter_signed"],
            })
        })
        .collect()
}

/// A draft with a bit of everything: one form filled by the initiator, one
/// missing, the charter replaced after some signed it (old signatures no
/// longer count), a returned round with reasons, and a ban on the initiator.
#[tokio::test]
async fn the_alliance_detail_reads_what_the_tables_hold_in_four_statements() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let s = &f.initiator.session;
    app.complete_filing(&f).await;
    assert_eq!(app.post_json(&f.path("/submit"), Some(s), &json!({})).await.0, 200);
    let staff = app.login("bureau_staff", None).await;
    let (status, body) =
        app.post_json(&f.path("/return"), Some(&staff), &json!({"reasons": [{"item": "章程", "reason": "章程缺少成员单位签章页"}]})).await;
    assert_eq!(status, 200, "{body}");
    let charter = app.upload_pdf(s, "联盟章程（修订）.pdf").await;
    assert_eq!(app.put_json(&f.path("/charter"), Some(s), &json!({"document_id": charter})).await.0, 200);
    for p in [&f.initiator, &f.lead] {
        assert_eq!(app.post_json(&f.path("/charter/sign"), Some(&p.session), &json!({})).await.0, 200);
    }
    let late = app.create_org(OrgKind::Enterprise).await;
    assert_eq!(app.post_json(&f.path("/members"), Some(s), &json!({"organization_id": late["id"]})).await.0, 200);
    let (status, _) = app.put_json(&f.path(&format!("/members/{}/form", late["id"].as_str().unwrap())), Some(s), &form_body(30)).await;
    assert_eq!(status, 200);
    let (status, body) = app
        .post_json("/api/v1/sanctions", Some(&staff), &json!({"organization_id": f.initiator.id(), "kind": "fraud_certification", "confirmed_on": "2026-05-20", "description": "认定材料弄虚作假"}))
        .await;
    assert_eq!(status, 201, "{body}");

    let (n, detail) = statements(&app, &f.path(""), s).await;
    assert!(n <= 4, "{n} statements for the initiator (issue 20: 4; 8 before)");
    let id = uuid(&detail["id"]);
    let expected = expected_members(&app, id, 2).await;
    assert_eq!(answered_members(&detail), expected);
    assert_eq!(expected.len(), 7);
    assert!(expected.iter().any(|m| m["form_filled_by_initiator"] == true), "the late member's form, by the initiator");
    assert_eq!(expected.iter().filter(|m| m["charter_signed"] == true).count(), 2, "only the signatures of charter version 2");
    let readiness: Vec<&str> = detail["readiness"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert!(readiness.contains(&"initiator_banned") && readiness.contains(&"charter_not_signed_by_all"), "{readiness:?}");
    let rounds = alliance_round::Entity::find().filter(alliance_round::Column::AllianceId.eq(id)).all(&app.db).await.unwrap();
    assert_eq!(detail["rounds"].as_array().unwrap().len(), rounds.len());
    assert_eq!(detail["rounds"][0]["reasons"][0]["item"], "章程");

    // The bureau and a member read it in as many statements (the member's
    // membership is read with the alliance).
    let (n, by_bureau) = statements(&app, &f.path(""), &staff).await;
    assert!(n <= 4, "{n} statements for the bureau");
    assert_eq!(by_bureau["readiness"], detail["readiness"]);
    let (n, by_member) = statements(&app, &f.path(""), &f.research.session).await;
    assert!(n <= 4, "{n} statements for a member (9 before)");
    assert_eq!(by_member["members"], detail["members"]);
    assert_eq!(by_member["readiness"], json!([]));
    // Written by serde, the same JSON as the framework's (a returned round
    // with its decision time and reasons, readiness, a late member's form).
    assert_eq!(detail, framework_alliance(&app, s, id).await);
    assert_eq!(by_bureau, framework_alliance(&app, &staff, id).await);
    assert_eq!(by_member, framework_alliance(&app, &f.research.session, id).await);

    // A ban on another unit is not the initiator's.
    let other = app.login_as(&f.initiator.session.username, tests::USER_PASSWORD).await;
    assert_eq!(app.get(&f.path(""), Some(&other)).await.1["readiness"], detail["readiness"]);
}

/// The number of statements does not grow with the members, and the list and
/// the detail stay at their figures.
#[tokio::test]
async fn alliance_reads_cost_the_same_statements_whatever_the_members() {
    let app = spawn_app().await;
    let (f, staff) = app.registered_alliance().await;
    let small = (statements(&app, &f.path(""), &staff).await.0, statements(&app, "/api/v1/alliances", &staff).await.0);
    let admin = app.admin().await;
    for i in 0..8 {
        let (status, org) = app
            .post_json("/api/v1/organizations", Some(&admin), &tests::org_body(&format!("东莞市读取测试企业{i}"), OrgKind::Enterprise))
            .await;
        assert_eq!(status, 201);
        assert_eq!(
            app.post_json(
                &f.path("/members"),
                Some(&f.initiator.session),
                &json!({"organization_id": org["id"], "effective_date": "2026-06-01"})
            )
            .await
            .0,
            200
        );
    }
    let (n, detail) = statements(&app, &f.path(""), &staff).await;
    assert_eq!(detail["members"].as_array().unwrap().len(), 14);
    assert_eq!(answered_members(&detail), expected_members(&app, uuid(&detail["id"]), 1).await);
    let large = (n, statements(&app, "/api/v1/alliances", &staff).await.0);
    assert_eq!(small, large, "statements must not grow with the members");
    assert!(large.0 <= 4 && large.1 <= 2, "{large:?} (detail, list)");
}

/// The report detail's members, rows and rounds are those of the tables
/// (a member who left during the period shown, not required; a returned
/// round), in five statements, for the initiator and the bureau.
#[tokio::test]
async fn the_report_detail_reads_what_the_tables_hold_in_five_statements() {
    let app = spawn_app().await;
    let (f, staff) = app.registered_alliance().await;
    app.everyone_fills(&f, "2026H1").await;
    // Its row stays in the table but is not counted: it left during the period.
    let (status, body) = app
        .post_json(
            &f.path(&format!("/members/{}/leave", f.enterprises[0].id())),
            Some(&f.initiator.session),
            &json!({"effective_date": "2026-06-15", "reason": "业务调整"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.set_now("2026-07-10T09:00:00+08:00").await;
    let staff = app.login_as(&staff.username, tests::USER_PASSWORD).await;
    let s = app.login_as(&f.initiator.session.username, tests::USER_PASSWORD).await;
    let path = report_path(&f, "2026H1", "");
    let (n, detail) = statements(&app, &path, &s).await;
    assert!(n <= 5, "{n} statements for the report detail (issue 20: 5; 8 before)");
    let (n, by_bureau) = statements(&app, &path, &staff).await;
    assert!(n <= 5, "{n} statements for the bureau");
    assert_eq!(by_bureau["members"], detail["members"]);

    let id = uuid(&json!(f.id));
    let r = report::Entity::find().filter(report::Column::AllianceId.eq(id)).one(&app.db).await.unwrap().unwrap();
    let rows = report_row::Entity::find().filter(report_row::Column::ReportId.eq(r.id)).all(&app.db).await.unwrap();
    let members = detail["members"].as_array().unwrap();
    assert_eq!(members.len(), 6, "the member who left during the period is shown");
    let left = members.iter().find(|m| m["organization"]["id"] == f.enterprises[0].id()).unwrap();
    assert_eq!((left["required"].as_bool(), left["left_in_period"].as_bool()), (Some(false), Some(true)));
    for m in members {
        let org = uuid(&m["organization"]["id"]);
        let row = rows.iter().find(|r| r.organization_id == org).filter(|_| m["required"] == true);
        assert_eq!(m["basic"]["total_staff"].as_i64(), row.map(|r| r.total_staff), "{m}");
        assert_eq!(m["progress"]["trainees"].as_i64(), row.map(|r| r.trainees), "{m}");
    }
    let counted: i64 = rows
        .iter()
        .filter(|r| members.iter().any(|m| m["required"] == true && uuid(&m["organization"]["id"]) == r.organization_id))
        .map(|r| r.total_staff)
        .sum();
    assert_eq!(detail["totals"]["basic"]["total_staff"].as_i64(), Some(counted));

    // Submitted and returned: the round is read with the report.
    let (status, body) = app.post_json(&report_path(&f, "2026H1", "/submit"), Some(&s), &json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .post_json(&report_path(&f, "2026H1", "/return"), Some(&staff), &json!({"reasons": [{"item": "附件2", "reason": "人数有误"}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (n, detail) = statements(&app, &path, &s).await;
    assert!(n <= 5, "{n}");
    let rounds = report_round::Entity::find().filter(report_round::Column::ReportId.eq(r.id)).all(&app.db).await.unwrap();
    assert_eq!(detail["rounds"].as_array().unwrap().len(), rounds.len());
    assert_eq!(detail["rounds"][0]["reasons"][0]["reason"], "人数有误");
    assert_eq!(detail["report_status"], "returned");
    // Written by serde, the same JSON as the framework's: every field of the
    // answer (rounds with decision times, rows, totals, subtotals, deadlines).
    assert_eq!(detail, framework_report(&app, &s, id, "2026H1").await);
    let (_, by_bureau) = statements(&app, &path, &staff).await;
    assert_eq!(by_bureau, framework_report(&app, &staff, id, "2026H1").await);
    let lead = app.login_as(&f.lead.session.username, tests::USER_PASSWORD).await;
    let (_, by_member) = statements(&app, &path, &lead).await;
    assert_eq!(by_member["members"].as_array().map(Vec::len), Some(1), "a member sees its own entry");
    assert_eq!(by_member, framework_report(&app, &lead, id, "2026H1").await);

    // A period with nothing written yet: the members, no rows.
    let (n, empty) = statements(&app, &report_path(&f, "2026H2", ""), &s).await;
    assert!(n <= 5, "{n}");
    assert!(empty["members"].as_array().unwrap().iter().all(|m| m["basic"].is_null()), "{empty}");
}
