//! Issue 17 (part A) without a browser: the public pages (no account, no
//! personal data), and every applicant page and form for the wrong role,
//! another organisation's object and a post without the CSRF token. The
//! browser journeys are `tests/tests/portal_resources.rs`.

use entities::{
    OrgKind,
    models::{application, document},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tests::{
    TestApp, USER_PASSWORD,
    alliances::PDF,
    db::audit_total,
    development::{approved, sign},
    spawn_app,
    web::{PUBLIC_PAGES, WebClient, personal_data},
};

/// A registered alliance, an open call and a published resource, so that every public page has something to show.
async fn public_world(app: &TestApp) -> (String, String) {
    let published = app.awaiting_approval(&[("online_course", "工业机器人线上课程")]).await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app.post_json(&format!("/api/v1/applications/{}/approve", published[0].1), Some(&staff), &json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (f, _) = app.registered_alliance().await;
    let call = app.open_call(&staff, "training_resource").await;
    let _ = f;
    (call, body["resource"]["publisher"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn public_pages_need_no_account_and_show_no_phone_email_or_id_number() {
    let app = spawn_app().await;
    let (call, publisher) = public_world(&app).await;
    let anonymous = WebClient::anonymous(&app);

    // The scan can fail: the organisations' own records (API, bureau) carry phones and e-mails.
    let staff = app.login("bureau_staff", None).await;
    let (_, orgs) = app.get("/api/v1/organizations", Some(&staff)).await;
    assert!(!personal_data(&orgs.to_string()).is_empty(), "the scan finds the contact data the organisations hold");

    let mut shown = String::new();
    for path in PUBLIC_PAGES {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.body.contains("<h1>"), "{path}");
        let found = personal_data(&page.body);
        assert!(found.is_empty(), "{path} shows personal data: {found:?}");
        shown.push_str(&page.body);
    }
    // What each page is for is there: the open call, the published resource with policy and next assessment, the alliance.
    let calls = anonymous.get("/public/calls").await.body;
    assert!(calls.contains("2026年度东莞市技能培训资源认定征集公告") && calls.contains(&format!("/applications/new?call={call}")));
    let catalogue = anonymous.get("/public/resources").await.body;
    assert!(catalogue.contains("工业机器人线上课程") && catalogue.contains(&publisher), "{catalogue}");
    assert!(
        catalogue.contains("东莞市技能资源建设管理实施细则") && catalogue.contains("2028-06-08"),
        "policy and next assessment: {catalogue}"
    );
    assert!(anonymous.get("/public/alliances").await.body.contains("备案编号") && shown.contains("DGLM-"));

    // Search by text, kind, occupation and publisher.
    for (q, hit) in [
        ("text=%E6%9C%BA%E5%99%A8%E4%BA%BA", true), // 机器人
        ("text=%E9%A2%98%E5%BA%93", false),         // 题库
        ("kind=online_course", true),
        ("kind=printed_textbook", false),
        ("occupation=6-25-04-08", true),
        ("occupation=6-18-01-01", false),
        ("publisher=%E4%B8%8D%E5%AD%98%E5%9C%A8", false), // 不存在
    ] {
        let body = anonymous.get(&format!("/public/resources?{q}")).await.body;
        assert_eq!(body.contains("工业机器人线上课程"), hit, "{q}");
    }
}

#[tokio::test]
async fn applicant_pages_refuse_other_roles_and_hide_other_organisations_applications() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let mine = app.applicant(OrgKind::TrainingInstitution, "mine@train.dg.cn").await;
    let other = app.applicant(OrgKind::TrainingInstitution, "other@train.dg.cn").await;
    let body = app.certification_body(mine.session(), &call, "数控车床线上课程").await;
    let id = app.draft_application(mine.session(), &body).await;

    let own = WebClient::sign_in(&app, &mine.session().username, USER_PASSWORD).await;
    let page = own.get(&format!("/applications/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("全部申报条件已满足"), "{}", page.body);

    // Another applicant: 404 on every page and form of the application, nothing changed.
    let mut stranger = WebClient::sign_in(&app, &other.session().username, USER_PASSWORD).await;
    stranger.csrf = stranger.get("/applications").await.csrf().expect("csrf");
    let before = audit_total(&app.db).await;
    for path in [format!("/applications/{id}"), format!("/applications/{id}/project")] {
        assert_eq!(stranger.get(&path).await.status, 404, "{path}");
    }
    assert_eq!(stranger.post(&format!("/applications/{id}/submit"), &[]).await.status, 404);
    let saved = stranger.post_file(&format!("/applications/{id}"), &[("title", "改名")], "r.pdf", PDF.to_vec()).await;
    assert_eq!(saved.status, 404, "{}", saved.body);
    let recorded =
        stranger.post_file(&format!("/applications/{id}/milestones"), &[("kind", "progress_report")], "r.pdf", PDF.to_vec()).await;
    assert_eq!(recorded.status, 404);
    assert_eq!(audit_total(&app.db).await, before, "nothing written, not even an upload");
    assert!(!stranger.get("/applications").await.body.contains("数控车床线上课程"), "not in the other's list");

    // Bureau staff and experts: 403 on the applicant's pages (they have pages of their own).
    let bureau = WebClient::sign_in(&app, &staff.username, USER_PASSWORD).await;
    let expert = app.experts(&staff, &[None]).await;
    let expert = WebClient::sign_in(&app, &expert[0].session.username, USER_PASSWORD).await;
    for w in [&bureau, &expert] {
        for path in [
            "/applications".to_string(),
            format!("/applications/new?call={call}"),
            format!("/applications/{id}"),
            format!("/applications/{id}/project"),
            "/payments".into(),
            "/work-file".into(),
        ] {
            assert_eq!(w.get(&path).await.status, 403, "{path}");
        }
    }
    // Not signed in: to the login form.
    let anonymous = WebClient::anonymous(&app);
    let page = anonymous.get(&format!("/applications/{id}")).await;
    assert_eq!(page.status, 303);
    assert!(page.location.unwrap_or_default().starts_with("/login?next=/applications/"));
}

#[tokio::test]
async fn applicant_forms_without_the_csrf_token_change_nothing() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let mine = app.applicant(OrgKind::TrainingInstitution, "mine@train.dg.cn").await;
    let body = app.certification_body(mine.session(), &call, "数控车床线上课程").await;
    let id = app.draft_application(mine.session(), &body).await;
    let mut web = WebClient::sign_in(&app, &mine.session().username, USER_PASSWORD).await;
    web.csrf = "forged".into();
    let before = audit_total(&app.db).await;
    for path in [format!("/applications/{id}/submit"), format!("/resources/{id}/usage")] {
        let page = web.post_raw(&path, &[("year", "2026")], &[]).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("未作任何更改"), "{path}");
    }
    for path in ["/applications/new".to_string(), format!("/applications/{id}"), format!("/applications/{id}/milestones")] {
        let page = web.post_file(&path, &[("call_id", &call), ("title", "改名")], "r.pdf", PDF.to_vec()).await;
        assert_eq!(page.status, 403, "{path}");
    }
    assert_eq!(audit_total(&app.db).await, before);
    let a = application::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap()).one(&app.db).await.unwrap().unwrap();
    assert_eq!((a.title.as_str(), a.number), ("数控车床线上课程", None));
}

#[tokio::test]
async fn an_application_filed_on_the_pages_is_the_apis_and_shows_every_failed_rule_before_submission() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "skill_research").await;
    let a = app.applicant(OrgKind::TechnicalSchool, "case@school.dg.cn").await;
    let mut web = WebClient::sign_in(&app, &a.session().username, USER_PASSWORD).await;
    let form = web.get(&format!("/applications/new?call={call}")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("项目负责人") && form.body.contains("工学一体化案例课程"), "category 5's form");
    assert!(!form.body.contains("近三年培训人次"), "no category-3 section");
    web.csrf = form.csrf().expect("csrf");
    // A leader below the bar and a team without an engineer: both named before submission.
    let created = web
        .post_file(
            "/applications/new",
            &[
                ("call_id", &call),
                ("resource_kind", "integrated_case_course"),
                ("occupation_code", "6-18-01-01"),
                ("occupation_name", "车工"),
                ("levels", "二级/技师"),
                ("title", "精密零件加工工学一体化案例课程"),
                ("description", "以企业技改项目为载体。"),
                ("leader.name", "李工"),
                ("leader.title_level", "intermediate"),
                ("leader.skill_level", "technician"),
                ("team[0].name", "甲"),
                ("team[0].role", "technician"),
                ("team[0].qualification", "技师"),
                ("team[1].name", "乙"),
                ("team[1].role", "teacher"),
                ("team[1].qualification", "讲师"),
                ("funding_source", "学校自筹20万元"),
            ],
            "说明.pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let path = created.location.expect("to the application");
    let id = path.trim_start_matches("/applications/").split('?').next().unwrap().to_string();
    let (_, api) = app.get(&format!("/api/v1/applications/{id}"), Some(a.session())).await;
    let codes: Vec<&str> = api["readiness"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(api["leader"]["title_level"], "intermediate");
    let page = web.get(&path).await;
    assert!(codes.len() >= 2, "{codes:?}");
    for r in api["readiness"].as_array().unwrap() {
        assert!(page.body.contains(&format!("data-code=\"{}\"", r["code"].as_str().unwrap())), "{r} shown on the page");
    }
    // 我的待办: the draft, due when the call closes (30 days from now), in the API and on the page.
    let (_, tasks) = app.get("/api/v1/me/tasks", Some(a.session())).await;
    let draft = tasks["items"].as_array().unwrap().iter().find(|t| t["kind"] == "application_draft").expect("draft task");
    assert_eq!((draft["alliance_id"].as_str(), draft["page"].as_str()), (Some(id.as_str()), Some(path.split('?').next().unwrap())));
    assert_eq!(draft["api"], format!("/api/v1/applications/{id}"));
    assert!(draft["due_explained"].as_str().unwrap().contains("截止于"), "{draft}");
    assert!(web.get("/tasks").await.body.contains("完成技能资源申报并提交"));
    let refused = web.post(&format!("/applications/{id}/submit"), &[]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("申报不符合条件"), "{}", refused.body);
    assert!(app.get(&format!("/api/v1/applications/{id}"), Some(a.session())).await.1["number"].is_null());
}

#[tokio::test]
async fn the_developer_sees_its_project_and_another_organisation_does_not() {
    let app = spawn_app().await;
    let (dev, id) = approved(&app, "integrated_case_course", "case@school.dg.cn").await;
    app.set_now("2026-06-10T10:00:00+08:00").await;
    sign(&app, &id, "integrated_case_course", 1, "2027-06-10").await;
    let s = dev.session(&app).await;
    let mut web = WebClient::sign_in(&app, &s.username, USER_PASSWORD).await;
    let page = web.get(&format!("/applications/{id}/project")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("2027-06-10") && page.body.contains("开发进度报告"), "{}", page.body);
    web.csrf = page.csrf().expect("csrf");
    // An empty progress report is refused by the rule (000 第二十条(五)), shown on the form.
    let refused = web
        .post_file(&format!("/applications/{id}/milestones"), &[("kind", "progress_report"), ("held_on", "2026-06-10")], "", Vec::new())
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("进度报告须附文件或填写说明"));
    let recorded = web
        .post_file(
            &format!("/applications/{id}/milestones"),
            &[("kind", "progress_report"), ("held_on", "2026-06-10")],
            "进度报告.pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let (_, list) = app.get(&format!("/api/v1/applications/{id}/milestones"), Some(&s)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, tasks) = app.get("/api/v1/me/tasks", Some(&s)).await;
    let project = tasks["items"].as_array().unwrap().iter().find(|t| t["kind"] == "project_development").expect("project task");
    assert_eq!(
        (project["due_on"].as_str(), project["api"].as_str()),
        (Some("2027-06-10"), Some(format!("/api/v1/applications/{id}/milestones").as_str()))
    );

    let other = app.applicant(OrgKind::VocationalCollege, "x@school.dg.cn").await;
    let mut stranger = WebClient::sign_in(&app, &other.session().username, USER_PASSWORD).await;
    assert_eq!(stranger.get(&format!("/applications/{id}/project")).await.status, 404);
    stranger.csrf = stranger.get("/applications").await.csrf().expect("csrf");
    let before = audit_total(&app.db).await;
    let page = stranger
        .post_file(
            &format!("/applications/{id}/milestones"),
            &[("kind", "progress_report"), ("held_on", "2026-06-10")],
            "r.pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(audit_total(&app.db).await, before);
}

#[tokio::test]
async fn usage_reports_and_payments_of_a_published_resource_are_the_publishers_only() {
    let app = spawn_app().await;
    let published = app.awaiting_approval(&[("online_course", "工业机器人线上课程")]).await;
    let staff = app.login("bureau_staff", None).await;
    let (_, body) = app.post_json(&format!("/api/v1/applications/{}/approve", published[0].1), Some(&staff), &json!({})).await;
    let resource = body["resource"]["id"].as_str().unwrap().to_string();
    let (a, _) = &published[0];
    let mut web = WebClient::sign_in(&app, &a.session().username, USER_PASSWORD).await;
    let payments = web.get("/payments").await;
    assert!(payments.body.contains("10000") && payments.body.contains("第1版"), "{}", payments.body);
    let file = web.get("/work-file").await;
    assert!(file.body.contains("工业机器人线上课程") && file.body.contains(&format!("/resources/{resource}/usage")), "{}", file.body);
    let form = web.get(&format!("/resources/{resource}/usage")).await;
    web.csrf = form.csrf().expect("csrf");
    let bad = web.post(&format!("/resources/{resource}/usage"), &[("year", "2026"), ("trainees", "三百"), ("organisations", "4")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("培训人次须为整数"));
    let ok = web.post(&format!("/resources/{resource}/usage"), &[("year", "2026"), ("trainees", "320"), ("organisations", "4")]).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert!(web.get(&format!("/resources/{resource}/usage")).await.body.contains("320"));

    let other = app.applicant(OrgKind::TrainingInstitution, "o@train.dg.cn").await;
    let mut stranger = WebClient::sign_in(&app, &other.session().username, USER_PASSWORD).await;
    assert_eq!(stranger.get(&format!("/resources/{resource}/usage")).await.status, 404);
    stranger.csrf = stranger.get("/payments").await.csrf().expect("csrf");
    assert!(!stranger.get("/payments").await.body.contains("10000"));
    let page = stranger.post(&format!("/resources/{resource}/usage"), &[("year", "2026"), ("trainees", "1"), ("organisations", "1")]).await;
    assert_eq!(page.status, 404);
}

/// How many rows of `prefix` (`enterprises`, `team`) the application form shows.
fn form_rows(html: &str, prefix: &str) -> usize {
    html.split(&format!("name=\"{prefix}["))
        .skip(1)
        .filter(|r| r.split_once(']').is_some_and(|(_, rest)| rest.starts_with(".name\"")))
        .count()
}

/// A category-3 form as typed: everything but the usage reports, with `n` using enterprises.
fn typed(call: &str, n: usize) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("call_id", call),
        ("resource_kind", "online_course"),
        ("occupation_code", "6-25-04-08"),
        ("occupation_name", "工业机器人系统操作员"),
        ("levels", "四级/中级工"),
        ("title", "工业机器人线上课程"),
        ("description", "面向工业机器人操作与运维。"),
        ("trainees_last_3_years", "1200"),
        ("ip_declared", "1"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    for i in 0..n {
        f.push((format!("enterprises[{i}].name"), format!("东莞市使用企业{i}有限公司")));
    }
    f
}

fn refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn the_application_form_adds_rows_without_javascript_and_saves_nothing_until_the_draft_is_saved() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let mine = app.applicant(OrgKind::TrainingInstitution, "rows@train.dg.cn").await;
    let mut web = WebClient::sign_in(&app, &mine.session().username, USER_PASSWORD).await;
    let form = web.get(&format!("/applications/new?call={call}")).await;
    assert_eq!(form_rows(&form.body, "enterprises"), 8);
    assert!(form.body.contains("id=\"more-enterprises\""));
    web.csrf = form.csrf().expect("csrf");
    let (audit, docs) = (audit_total(&app.db).await, document::Entity::find().count(&app.db).await.unwrap());

    // Eight typed, "增加一行": nine rows, everything kept, no application written.
    let mut fields = typed(&call, 8);
    fields.push(("more".into(), "enterprises".into()));
    let page = web.post_file("/applications/new", &refs(&fields), "", Vec::new()).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(form_rows(&page.body, "enterprises"), 9);
    assert!(page.body.contains("value=\"东莞市使用企业7有限公司\"") && page.body.contains("value=\"工业机器人线上课程\""));
    assert_eq!(application::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!((audit_total(&app.db).await, document::Entity::find().count(&app.db).await.unwrap()), (audit, docs));
    // A usage report chosen before adding a row is kept (stored as a document) and shown as uploaded.
    fields.push(("enterprises[8].name".into(), "东莞市使用企业8有限公司".into()));
    let page = web.post_upload("/applications/new", &refs(&fields), "enterprises[0].usage_report", "使用报告.pdf", PDF.to_vec()).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(form_rows(&page.body, "enterprises"), 10);
    assert!(page.body.contains("id=\"report-0\"") && page.body.contains("value=\"东莞市使用企业8有限公司\""));
    assert_eq!(application::Entity::find().count(&app.db).await.unwrap(), 0);

    // Ten saved as the draft: the API has all ten.
    let fields = typed(&call, 10);
    let saved = web.post_file("/applications/new", &refs(&fields), "", Vec::new()).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let path = saved.location.expect("to the draft");
    let id = path.trim_start_matches("/applications/").split('?').next().unwrap().to_string();
    let (_, api) = app.get(&format!("/api/v1/applications/{id}"), Some(mine.session())).await;
    assert_eq!(api["enterprises"].as_array().unwrap().len(), 10);

    // The draft's form shows its ten; "增加一行" there: eleven, the draft unchanged.
    let page = web.get(&format!("/applications/{id}")).await;
    assert_eq!(form_rows(&page.body, "enterprises"), 10);
    let version = application::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap()).one(&app.db).await.unwrap().unwrap().version;
    let audit = audit_total(&app.db).await;
    let mut more = typed(&call, 10);
    more.push(("title".into(), "改过的名称".into()));
    more.push(("more".into(), "enterprises".into()));
    let page = web.post_file(&format!("/applications/{id}"), &refs(&more), "", Vec::new()).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(form_rows(&page.body, "enterprises"), 11);
    assert!(page.body.contains("value=\"改过的名称\""), "what was typed is shown again");
    let a = application::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap()).one(&app.db).await.unwrap().unwrap();
    assert_eq!((a.version, a.title.as_str(), audit_total(&app.db).await), (version, "工业机器人线上课程", audit));

    // Another applicant: 404, nothing written, not even the usage report; bureau: 403; a forged token: 403.
    let other = app.applicant(OrgKind::TrainingInstitution, "rows-other@train.dg.cn").await;
    let mut stranger = WebClient::sign_in(&app, &other.session().username, USER_PASSWORD).await;
    stranger.csrf = stranger.get("/applications").await.csrf().expect("csrf");
    let mut bureau = WebClient::sign_in(&app, &staff.username, USER_PASSWORD).await;
    bureau.csrf = bureau.get("/bureau/calls").await.csrf().expect("csrf");
    let (audit, docs) = (audit_total(&app.db).await, document::Entity::find().count(&app.db).await.unwrap());
    let path = format!("/applications/{id}");
    let page = stranger.post_upload(&path, &refs(&more), "enterprises[0].usage_report", "r.pdf", PDF.to_vec()).await;
    assert_eq!(page.status, 404, "{}", page.body);
    for new in [path.as_str(), "/applications/new"] {
        let page = bureau.post_upload(new, &refs(&more), "enterprises[0].usage_report", "r.pdf", PDF.to_vec()).await;
        assert_eq!(page.status, 403, "bureau on {new}");
    }
    web.csrf = "forged".into();
    let page = web.post_upload(&path, &refs(&more), "enterprises[0].usage_report", "r.pdf", PDF.to_vec()).await;
    assert_eq!(page.status, 403);
    assert_eq!((audit_total(&app.db).await, document::Entity::find().count(&app.db).await.unwrap()), (audit, docs));
}

#[tokio::test]
async fn the_team_of_a_category_5_form_grows_one_row_at_a_time() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "skill_research").await;
    let a = app.applicant(OrgKind::TechnicalSchool, "team@school.dg.cn").await;
    let mut web = WebClient::sign_in(&app, &a.session().username, USER_PASSWORD).await;
    let form = web.get(&format!("/applications/new?call={call}")).await;
    assert_eq!(form_rows(&form.body, "team"), 6);
    web.csrf = form.csrf().expect("csrf");
    let mut fields: Vec<(String, String)> = vec![("call_id".into(), call.clone()), ("more".into(), "team".into())];
    for i in 0..6 {
        fields.push((format!("team[{i}].name"), format!("成员{i}")));
        fields.push((format!("team[{i}].role"), "engineer".into()));
    }
    let page = web.post_file("/applications/new", &refs(&fields), "", Vec::new()).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(form_rows(&page.body, "team"), 7);
    assert!(page.body.contains("value=\"成员5\""));
    assert_eq!(application::Entity::find().count(&app.db).await.unwrap(), 0);
}
