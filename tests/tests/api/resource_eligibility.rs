//! Eligibility at submission (000 第四条, 第十条, 第十九条, 第二十二条, 附件1):
//! each refusal code end to end, on its own, with nothing written.

use entities::OrgKind;
use serde_json::{Value, json};
use tests::{TestApp, db::snapshot, http::assert_problem, org_body, resources::Applicant, spawn_app};

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().map(|e| e.iter().filter_map(|x| x["code"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Drafts `body` as `a`, submits, expects exactly `code`, and checks the database is unchanged by the refusal.
async fn refused(app: &TestApp, a: &Applicant, body: &Value, code: &str) {
    let (status, created) = app.post_json("/api/v1/applications", Some(a.session()), body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(
        codes(&json!({"errors": created["readiness"]})).contains(&code.to_string()),
        "the draft shows {code}: {}",
        created["readiness"]
    );
    let before = snapshot(&app.db).await;
    let (status, problem) = app.post_json(&format!("/api/v1/applications/{id}/submit"), Some(a.session()), &json!({})).await;
    assert_problem(status, &problem, 422, "ineligible");
    assert_eq!(codes(&problem), [code], "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese message: {message}");
    assert_eq!(snapshot(&app.db).await, before, "{code}: nothing written");
}

async fn applicant_with(app: &TestApp, kind: OrgKind, tweak: impl FnOnce(&mut Value)) -> Applicant {
    let admin = app.admin().await;
    let mut body = org_body(&format!("东莞市申报单位{}", uuid::Uuid::new_v4().simple()), kind);
    tweak(&mut body);
    let (status, org) = app.post_json("/api/v1/organizations", Some(&admin), &body).await;
    assert_eq!(status, 201, "{org}");
    let session = app.org_user_with_email(org["id"].as_str().unwrap(), "x@applicant.dg.cn").await;
    Applicant { party: tests::alliances::Party { session, org }, email: "x@applicant.dg.cn".into() }
}

#[tokio::test]
async fn each_certification_refusal_is_named_on_its_own() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let a = app.applicant(OrgKind::TrainingInstitution, "a@applicant.dg.cn").await;
    let good = app.certification_body(a.session(), &call, "合格课程").await;

    let mut body = good.clone();
    body["ip_declared"] = json!(false);
    refused(&app, &a, &body, "ip_declaration_missing").await;
    let mut body = good.clone();
    body["trainees_last_3_years"] = json!(300);
    refused(&app, &a, &body, "trainees_below_300").await;
    let mut body = good.clone();
    body["enterprises"].as_array_mut().unwrap().pop();
    refused(&app, &a, &body, "fewer_than_5_enterprises").await;
    let mut body = good.clone();
    body["enterprises"][3]["usage_report_document_id"] = Value::Null;
    refused(&app, &a, &body, "usage_report_missing").await;

    let outsider = applicant_with(&app, OrgKind::TrainingInstitution, |b| b["registered_in_dongguan"] = json!(false)).await;
    let body = app.certification_body(outsider.session(), &call, "外地课程").await;
    refused(&app, &outsider, &body, "not_registered_in_dongguan").await;
    let branch = applicant_with(&app, OrgKind::TrainingInstitution, |b| b["independent_legal_person"] = json!(false)).await;
    let body = app.certification_body(branch.session(), &call, "分支机构课程").await;
    refused(&app, &branch, &body, "not_independent_legal_person").await;

    // The bureau keeps the access-type list (准入类): applications for those occupations are refused.
    let (status, listed) =
        app.post_json("/api/v1/access-occupations", Some(&staff), &json!({"code": "6-29-01-05", "name": "焊工（特种作业）"})).await;
    assert_eq!(status, 201, "{listed}");
    let mut body = good.clone();
    body["occupation_code"] = json!("6-29-01-05");
    refused(&app, &a, &body, "occupation_access_type").await;

    // A 5-year ban after confirmed fraud (000 第二十二条).
    let banned = app.applicant(OrgKind::TrainingInstitution, "banned@applicant.dg.cn").await;
    let (status, s) = app
        .post_json(
            "/api/v1/sanctions",
            Some(&staff),
            &json!({"organization_id": banned.id(), "kind": "fraud_certification", "confirmed_on": "2026-05-01", "description": "认定材料弄虚作假"}),
        )
        .await;
    assert_eq!(status, 201, "{s}");
    let body = app.certification_body(banned.session(), &call, "被限制单位课程").await;
    refused(&app, &banned, &body, "applicant_banned").await;

    // A call that closes in 10 minutes: a draft made in time cannot be submitted after.
    let (status, short) = app
        .post_json(
            "/api/v1/calls",
            Some(&staff),
            &json!({"category": "training_resource", "title": "短期征集", "description": "d", "opens_at": "2026-06-01T08:00:00+08:00", "closes_at": "2026-06-01T09:10:00+08:00"}),
        )
        .await;
    assert_eq!(status, 201, "{short}");
    let mut body = good.clone();
    body["call_id"] = short["id"].clone();
    let (status, created) = app.post_json("/api/v1/applications", Some(a.session()), &body).await;
    assert_eq!(status, 201, "{created}");
    app.clock.advance(chrono::TimeDelta::minutes(11));
    let before = snapshot(&app.db).await;
    let (status, problem) =
        app.post_json(&format!("/api/v1/applications/{}/submit", created["id"].as_str().unwrap()), Some(a.session()), &json!({})).await;
    assert_problem(status, &problem, 422, "ineligible");
    assert_eq!(codes(&problem), ["call_not_open"]);
    assert_eq!(snapshot(&app.db).await, before);
}

fn skill_research_body(call: &str) -> Value {
    json!({
        "call_id": call, "resource_kind": "integrated_case_course", "occupation_code": "6-18-01-01", "occupation_name": "车工",
        "levels": ["二级/技师"], "title": "精密零件加工工学一体化案例课程", "description": "以企业技改项目为载体。",
        "leader": {"name": "李工", "title_level": "deputy_senior", "skill_level": "none"},
        "team": [{"name": "甲", "role": "technician", "qualification": "技师"}, {"name": "乙", "role": "teacher", "qualification": "讲师"},
                 {"name": "丙", "role": "engineer", "qualification": "工程师"}],
        "funding_source": "学校自筹20万元"
    })
}

#[tokio::test]
async fn each_skill_research_refusal_is_named_on_its_own() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "skill_research").await;
    let school = app.applicant(OrgKind::TechnicalSchool, "s@applicant.dg.cn").await;
    let good = skill_research_body(&call);
    let id = app.draft_application(school.session(), &good).await;
    let submit = || {
        app.request(reqwest::Method::POST, &format!("/api/v1/applications/{id}/submit"), Some(school.session()))
            .header("Idempotency-Key", "submit-once-42")
            .json(&json!({}))
    };
    let first: Value = submit().send().await.unwrap().json().await.unwrap();
    let retry = submit().send().await.unwrap();
    let status = retry.status();
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(status, 200, "a retry with the same key answers like the first call: {retry} (first {first})");
    assert_eq!((first["number"].as_str(), retry["number"].as_str()), (Some("DGJN-2026-0001"), Some("DGJN-2026-0001")));

    let enterprise = app.applicant(OrgKind::Enterprise, "e@applicant.dg.cn").await;
    refused(&app, &enterprise, &good, "applicant_kind_not_allowed").await;
    let mut body = good.clone();
    body["leader"] = json!({"name": "王工", "title_level": "intermediate", "skill_level": "technician"});
    refused(&app, &school, &body, "leader_not_qualified").await;
    let mut body = good.clone();
    body["leader"]["skill_level"] = json!("senior_technician");
    body["leader"]["title_level"] = json!("none");
    let (other, _) = app.submitted_application(school.session(), &body).await;
    assert!(!other.is_empty(), "高级技师 qualifies too");
    let mut body = good.clone();
    body["team"].as_array_mut().unwrap().remove(2);
    refused(&app, &school, &body, "team_roles_missing").await;
    let mut body = good.clone();
    body["funding_source"] = Value::Null;
    refused(&app, &school, &body, "funding_missing").await;
    // A category-3 kind is refused by a category-5 call at once (422 naming the field).
    let mut body = good.clone();
    body["resource_kind"] = json!("online_course");
    let (status, problem) = app.post_json("/api/v1/applications", Some(school.session()), &body).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("resource_kind")), "{problem}");
}

#[tokio::test]
async fn new_occupation_proposals_are_reported_upward_in_a_batch_and_marked() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "new_occupation").await;
    let a = app.applicant(OrgKind::IndustryAssociation, "n@applicant.dg.cn").await;
    let body = json!({"call_id": call, "resource_kind": "new_occupation_proposal", "occupation_code": "4-04-05-99", "occupation_name": "无人机集群表演编队员",
                      "title": "新职业建议书：无人机集群表演编队员", "description": "从业人员约2000人。"});
    let (id, number) = app.submitted_application(a.session(), &body).await;
    let (status, problem) = app.post_json(&format!("/api/v1/applications/{id}/panel"), Some(&staff), &json!({})).await;
    assert_problem(status, &problem, 409, "wrong_state");

    assert_eq!(app.post_json("/api/v1/occupation-batches", Some(a.session()), &json!({"title": "x"})).await.0, 403);
    let (status, batch) = app.post_json("/api/v1/occupation-batches", Some(&staff), &json!({"title": "2026年第一批"})).await;
    assert_eq!(status, 201, "{batch}");
    assert_eq!(batch["applications"][0]["status"], "reported_upward");
    let (status, problem) = app.post_json("/api/v1/occupation-batches", Some(&staff), &json!({"title": "2026年第二批"})).await;
    assert_problem(status, &problem, 409, "nothing_to_report");

    let resp = app
        .request(reqwest::Method::GET, &format!("/api/v1/occupation-batches/{}/export.xlsx", batch["id"].as_str().unwrap()), Some(&staff))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range("新职业建议汇总").unwrap();
    let row: Vec<String> = sheet.rows().nth(4).unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(row[1], number);
    assert_eq!(row[2], "无人机集群表演编队员");
    assert_eq!(row[4], a.party.org["name"].as_str().unwrap());

    let (status, marked) = app
        .post_json(
            &format!("/api/v1/applications/{id}/inclusion"),
            Some(&staff),
            &json!({"included": true, "note": "已纳入人社部开发计划"}),
        )
        .await;
    assert_eq!((status, marked["status"].as_str()), (200, Some("included")), "{marked}");
    let (status, done) = app.post_json(&format!("/api/v1/applications/{id}/completion"), Some(&staff), &json!({})).await;
    assert_eq!((status, done["status"].as_str()), (200, Some("completed")), "{done}");
    let (status, problem) = app.post_json(&format!("/api/v1/applications/{id}/inclusion"), Some(&staff), &json!({"included": false})).await;
    assert_problem(status, &problem, 409, "wrong_state");
}

/// Issue 16 item 3: a 高等院校 may apply for a 技研项目 (000 第十九条(一)
/// "高等院校、职业院校、技工院校"). The bureau records the mark on the
/// organisation; its kind, and so its report category, stays 其他.
#[tokio::test]
async fn a_university_marked_by_the_bureau_may_apply_for_a_skill_research_project() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "skill_research").await;
    let body = skill_research_body(&call);

    // Registered as 其他 without the mark: refused as before, its draft kept.
    let university = applicant_with(&app, OrgKind::Other, |b| b["name"] = json!("东莞理工大学")).await;
    let org_path = format!("/api/v1/organizations/{}", university.party.id());
    let (_, org) = app.get(&org_path, Some(&staff)).await;
    assert_eq!(org["higher_education"], false, "not a university unless recorded: {org}");
    refused(&app, &university, &body, "applicant_kind_not_allowed").await;
    let (_, drafts) = app.get("/api/v1/applications", Some(university.session())).await;
    let draft = drafts["items"][0]["id"].as_str().unwrap().to_string();

    // The unit cannot mark itself, nor can the bureau mark a kind that is no university: nothing written.
    let before = snapshot(&app.db).await;
    let (status, problem) = app.patch_json(&org_path, Some(university.session()), &json!({"higher_education": true})).await;
    assert_problem(status, &problem, 403, "bureau_only_field");
    let (status, problem) = app.patch_json(&org_path, Some(&staff), &json!({"higher_education": true, "kind": "enterprise"})).await;
    assert_problem(status, &problem, 422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "higher_education", "{problem}");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("高等院校的单位类型须为"), "{problem}");
    let mut enterprise = org_body("东莞市某某有限公司", OrgKind::Enterprise);
    enterprise["higher_education"] = json!(true);
    let (status, problem) = app.post_json("/api/v1/organizations", Some(&staff), &enterprise).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("higher_education")), "{problem}");
    assert_eq!(snapshot(&app.db).await, before);

    // The bureau records it: audited, the kind (its row in 附件2/附件3) unchanged.
    let (status, org) = app.patch_json(&org_path, Some(&staff), &json!({"higher_education": true})).await;
    assert_eq!(status, 200, "{org}");
    assert_eq!(
        (org["higher_education"].as_bool(), org["kind"].as_str(), org["kind_label"].as_str()),
        (Some(true), Some("other"), Some("其他"))
    );
    assert_eq!(tests::db::audit_count(&app.db, "organization.updated", Some(university.party.id())).await, 1);

    // The same draft now submits and gets its number.
    let (_, draft_now) = app.get(&format!("/api/v1/applications/{draft}"), Some(university.session())).await;
    assert_eq!(draft_now["readiness"], json!([]), "{draft_now}");
    let (status, submitted) = app.post_json(&format!("/api/v1/applications/{draft}/submit"), Some(university.session()), &json!({})).await;
    assert_eq!(status, 200, "{submitted}");
    assert!(submitted["number"].as_str().unwrap().starts_with("DGJN-"), "{submitted}");

    // A university created with the mark applies at once; an enterprise is still refused.
    let mut created = org_body("东莞城市学院", OrgKind::Other);
    created["higher_education"] = json!(true);
    let (status, org) = app.post_json("/api/v1/organizations", Some(&staff), &created).await;
    assert_eq!((status, org["higher_education"].as_bool()), (201, Some(true)), "{org}");
    let session = app.org_user_with_email(org["id"].as_str().unwrap(), "c@college.dg.cn").await;
    let (_, number) = app.submitted_application(&session, &body).await;
    assert!(number.starts_with("DGJN-"));
    let enterprise = app.applicant(OrgKind::Enterprise, "e@applicant.dg.cn").await;
    refused(&app, &enterprise, &body, "applicant_kind_not_allowed").await;
}
