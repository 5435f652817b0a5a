//! Issue 15 acceptance 2 and 3: the web front end's sessions and CSRF, and
//! object-level access on every page and form post, without a browser (the
//! browser journey is `tests/tests/portal.rs`).

use entities::{
    OrgKind,
    models::{alliance, user, web_session},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use tests::{USER_PASSWORD, spawn_app, spawn_app_with, web::WebClient};

async fn name_of(app: &tests::TestApp, id: &str) -> String {
    let a = alliance::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap()).one(&app.db).await.unwrap().unwrap();
    a.name
}

#[tokio::test]
async fn signing_in_sets_an_http_only_same_site_cookie_and_logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let (s, _) = app.org_user(OrgKind::TechnicalSchool).await;
    let mut web = WebClient::anonymous(&app);
    let page = web.try_sign_in(&s.username, USER_PASSWORD).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location.as_deref(), Some("/tasks"));
    let cookie = page.cookies.iter().find(|c| c.starts_with("dg_session=")).expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no Secure on an http base URL: {cookie}");
    let stolen = web.session.clone();
    web.csrf = web.get("/tasks").await.csrf().expect("csrf on the page");
    assert_eq!(web.get("/tasks").await.status, 200);

    let out = web.post("/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(out.cookies.iter().any(|c| c.starts_with("dg_session=;") && c.contains("Max-Age=0")), "{:?}", out.cookies);
    // The old cookie no longer works: the row is ended, not only the browser's copy.
    let mut replay = WebClient::anonymous(&app);
    replay.session = stolen;
    let again = replay.get("/tasks").await;
    assert_eq!(again.status, 303);
    assert!(again.location.unwrap_or_default().starts_with("/login"));
    let ended = web_session::Entity::find().filter(web_session::Column::EndedAt.is_not_null()).all(&app.db).await.unwrap();
    assert_eq!(ended.len(), 1);
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_public_base_url_is_https() {
    let app = spawn_app_with(|s| s.public_base_url = "https://registry.dg.gov.cn".into()).await;
    let (s, _) = app.org_user(OrgKind::TechnicalSchool).await;
    let mut web = WebClient::anonymous(&app);
    let page = web.try_sign_in(&s.username, USER_PASSWORD).await;
    let cookie = page.cookies.iter().find(|c| c.starts_with("dg_session=")).expect("session cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_cross_site_or_tokenless_form_post_changes_nothing() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let web = WebClient::sign_in(&app, &f.initiator.session.username, USER_PASSWORD).await;
    let path = format!("/alliances/{}/edit", f.id);
    let before = name_of(&app, &f.id).await;
    for (fields, headers, why) in [
        (vec![("name", "被篡改的名称"), ("industry", "x")], vec![], "no token"),
        (vec![("_csrf", "forged"), ("name", "被篡改的名称"), ("industry", "x")], vec![], "wrong token"),
        (
            vec![("_csrf", web.csrf.as_str()), ("name", "被篡改的名称"), ("industry", "x")],
            vec![("sec-fetch-site", "cross-site")],
            "cross-site",
        ),
    ] {
        let page = web.post_raw(&path, &fields, &headers).await;
        assert_eq!(page.status, 403, "{why}: {}", page.body);
        assert!(page.body.contains("未作任何更改"), "{why}: a clear Chinese page");
        assert_eq!(name_of(&app, &f.id).await, before, "{why}: nothing changed");
    }
    // The same post with the session's token goes through.
    let ok = web.post(&path, &[("name", "东莞市智能装备职业培训联盟（新名称）"), ("industry", "智能装备制造")]).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(name_of(&app, &f.id).await, "东莞市智能装备职业培训联盟（新名称）");

    // Another session's token is not this session's.
    let other = WebClient::sign_in(&app, &f.lead.session.username, USER_PASSWORD).await;
    let page = web.post_raw(&path, &[("_csrf", other.csrf.as_str()), ("name", "x"), ("industry", "x")], &[]).await;
    assert_eq!(page.status, 403);

    // The login form needs its own token too: no session is opened without it.
    let sessions = web_session::Entity::find().all(&app.db).await.unwrap().len();
    let anon = WebClient::anonymous(&app);
    let page = anon.post_raw("/login", &[("username", f.initiator.session.username.as_str()), ("password", USER_PASSWORD)], &[]).await;
    assert_eq!(page.status, 403);
    assert!(!page.cookies.iter().any(|c| c.starts_with("dg_session=")));
    assert_eq!(web_session::Entity::find().all(&app.db).await.unwrap().len(), sessions);
}

#[tokio::test]
async fn an_idle_session_ends_and_a_wrong_password_is_counted_as_in_the_api() {
    let app = spawn_app().await;
    let (s, _) = app.org_user(OrgKind::TechnicalSchool).await;
    let web = WebClient::sign_in(&app, &s.username, USER_PASSWORD).await;
    assert_eq!(web.get("/tasks").await.status, 200);
    app.clock.advance(chrono::TimeDelta::minutes(31));
    let page = web.get("/tasks").await;
    assert_eq!(page.status, 303, "idle for 31 minutes: signed out");

    let mut anon = WebClient::anonymous(&app);
    let page = anon.try_sign_in(&s.username, "Wrong#Password1").await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("用户名或密码错误"), "{}", page.body);
    let u = user::Entity::find().filter(user::Column::Username.eq(s.username.clone())).one(&app.db).await.unwrap().unwrap();
    assert_eq!(u.failed_logins, 1, "the same counter as the API's login");
}

#[tokio::test]
async fn an_account_that_must_change_its_password_sees_only_the_password_form_until_it_does() {
    let app = spawn_app().await;
    let (s, _) = app.org_user(OrgKind::TechnicalSchool).await;
    user::Entity::update_many()
        .col_expr(user::Column::MustChangePassword, Expr::value(true))
        .filter(user::Column::Username.eq(s.username.clone()))
        .exec(&app.db)
        .await
        .unwrap();
    let mut web = WebClient::anonymous(&app);
    web.try_sign_in(&s.username, USER_PASSWORD).await;
    for path in ["/tasks", "/alliances", "/alliances/new"] {
        let page = web.get(path).await;
        assert_eq!((page.status, page.location.as_deref()), (303, Some("/password")), "{path}");
    }
    let form = web.get("/password").await;
    assert_eq!(form.status, 200);
    web.csrf = form.csrf().unwrap();
    // Signing out is allowed before the change.
    let mut other = WebClient::anonymous(&app);
    other.try_sign_in(&s.username, USER_PASSWORD).await;
    other.csrf = other.get("/password").await.csrf().unwrap();
    let out = other.post("/logout", &[]).await;
    assert_eq!((out.status, out.location.as_deref()), (303, Some("/login")));
    let bad =
        web.post("/password", &[("current_password", USER_PASSWORD), ("new_password", "short"), ("new_password_again", "short")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"e-new_password\""), "the error is beside the field");
    let ok = web
        .post("/password", &[("current_password", USER_PASSWORD), ("new_password", "Xin#Mima2026"), ("new_password_again", "Xin#Mima2026")])
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(web.get("/alliances").await.status, 200);
}

#[tokio::test]
async fn another_organisations_alliance_answers_404_on_every_page_and_form_and_shows_nothing_of_it() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let name = name_of(&app, &f.id).await;
    let (outsider, _) = app.org_user(OrgKind::TechnicalSchool).await;
    let web = WebClient::sign_in(&app, &outsider.username, USER_PASSWORD).await;
    let a = &f.id;
    let member = f.lead.id();
    for path in [
        format!("/alliances/{a}"),
        format!("/alliances/{a}/members/{member}/form"),
        format!("/alliances/{a}/template.xlsx"),
        format!("/alliances/{a}/reports/2026H1"),
        format!("/alliances/{a}/reports/2026H1/rows/{member}"),
        format!("/alliances/{a}/reports/2026H1/export.csv"),
    ] {
        let page = web.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.body.contains(&name), "{path} shows nothing of the alliance");
    }
    let before = alliance::Entity::find_by_id(a.parse::<uuid::Uuid>().unwrap()).one(&app.db).await.unwrap();
    let own = outsider_org(&app, &outsider.username).await;
    for (path, fields) in [
        (format!("/alliances/{a}/edit"), vec![("name", "x"), ("industry", "x")]),
        (format!("/alliances/{a}/submit"), vec![]),
        (format!("/alliances/{a}/sign"), vec![]),
        (format!("/alliances/{a}/members"), vec![("organization_id", own.as_str())]),
        (format!("/alliances/{a}/members/{member}/remove"), vec![]),
        (format!("/alliances/{a}/members/{member}/form"), vec![("total_staff", "1")]),
        (format!("/alliances/{a}/register"), vec![]),
        (format!("/alliances/{a}/return"), vec![("reason_0", "x")]),
    ] {
        let page = web.post(&path, &fields).await;
        assert!(matches!(page.status, 403 | 404), "{path}: {}", page.status);
        assert!(!page.body.contains(&name), "{path} shows nothing of the alliance");
    }
    let after = alliance::Entity::find_by_id(a.parse::<uuid::Uuid>().unwrap()).one(&app.db).await.unwrap();
    assert_eq!(before, after, "nothing changed");
    let members = app.get(&f.path(""), Some(&f.initiator.session)).await.1["members"].as_array().map_or(0, Vec::len);
    assert_eq!(members, 6);
}

async fn outsider_org(app: &tests::TestApp, username: &str) -> String {
    let u = user::Entity::find().filter(user::Column::Username.eq(username)).one(&app.db).await.unwrap().unwrap();
    u.organization_id.unwrap().to_string()
}

#[tokio::test]
async fn a_member_changes_only_its_own_form_and_the_bureau_pages_refuse_org_users_and_experts() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let lead = WebClient::sign_in(&app, &f.lead.session.username, USER_PASSWORD).await;
    // A member sees the alliance but not another member's form, and cannot edit the filing.
    assert_eq!(lead.get(&format!("/alliances/{}", f.id)).await.status, 200);
    assert_eq!(lead.get(&format!("/alliances/{}/members/{}/form", f.id, f.training.id())).await.status, 404);
    let page = lead.post(&format!("/alliances/{}/members/{}/form", f.id, f.training.id()), &[("total_staff", "1")]).await;
    assert_eq!(page.status, 404);
    let page = lead.post(&format!("/alliances/{}/edit", f.id), &[("name", "成员改名"), ("industry", "x")]).await;
    assert_eq!(page.status, 403);
    assert_ne!(name_of(&app, &f.id).await, "成员改名");
    // Bureau-only pages.
    for path in ["/review/filings", "/review/reports", "/organizations", "/organizations/new"] {
        assert_eq!(lead.get(path).await.status, 403, "{path}");
    }
    let page = lead.post("/organizations/new", &[("name", "x")]).await;
    assert_eq!(page.status, 403);
    // Experts see no alliance and have nothing to do here yet.
    let expert = app.login("expert", None).await;
    let web = WebClient::sign_in(&app, &expert.username, USER_PASSWORD).await;
    assert_eq!(web.get(&format!("/alliances/{}", f.id)).await.status, 403);
    assert!(web.get("/tasks").await.body.contains("目前没有需要您办理的事项"));
    assert_eq!(web.get("/alliances/new").await.status, 403);
}

#[tokio::test]
async fn my_tasks_in_the_api_list_forms_signatures_drafts_and_the_bureau_queue() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    // A member owes its form and its signature.
    let (status, body) = app.get("/api/v1/me/tasks", Some(&f.training.session)).await;
    assert_eq!(status, 200, "{body}");
    let kinds: Vec<&str> = body["items"].as_array().unwrap().iter().filter_map(|t| t["kind"].as_str()).collect();
    assert_eq!(kinds, ["member_form", "charter_signature"], "{body}");
    assert_eq!(body["items"][0]["page"], format!("/alliances/{}/members/{}/form", f.id, f.training.id()));
    // The initiator: its own form and signature, and the draft to submit.
    let (_, body) = app.get("/api/v1/me/tasks", Some(&f.initiator.session)).await;
    let kinds: Vec<&str> = body["items"].as_array().unwrap().iter().filter_map(|t| t["kind"].as_str()).collect();
    assert!(kinds.contains(&"filing_draft") && kinds.contains(&"member_form"), "{body}");
    // Paged.
    let (_, first) = app.get("/api/v1/me/tasks?limit=1", Some(&f.initiator.session)).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().expect("more");
    let (_, second) = app.get(&format!("/api/v1/me/tasks?limit=1&cursor={cursor}"), Some(&f.initiator.session)).await;
    assert_ne!(first["items"][0], second["items"][0]);
    let (status, _) = app.get("/api/v1/me/tasks?cursor=nonsense", Some(&f.initiator.session)).await;
    assert_eq!(status, 422);
    // Once complete and submitted: the member's tasks are done, the bureau has one to review.
    app.complete_filing(&f).await;
    let (status, body) = app.post_json(&f.path("/submit"), Some(&f.initiator.session), &serde_json::json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = app.get("/api/v1/me/tasks", Some(&f.training.session)).await;
    assert_eq!(body["total"], 0, "{body}");
    let staff = app.login("bureau_staff", None).await;
    let (_, body) = app.get("/api/v1/me/tasks", Some(&staff)).await;
    assert_eq!(body["items"][0]["kind"], "filing_review");
    assert_eq!(body["items"][0]["alliance_id"], f.id.as_str());
    // Another organisation sees none of it; an expert has none; no token is 401.
    let (outsider, _) = app.org_user(OrgKind::Enterprise).await;
    assert_eq!(app.get("/api/v1/me/tasks", Some(&outsider)).await.1["total"], 0);
    let expert = app.login("expert", None).await;
    assert_eq!(app.get("/api/v1/me/tasks", Some(&expert)).await.1["total"], 0);
    assert_eq!(app.get("/api/v1/me/tasks", None).await.0, 401);
}

#[tokio::test]
async fn the_form_template_import_shows_every_cell_error_and_saves_nothing() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let web = WebClient::sign_in(&app, &f.initiator.session.username, USER_PASSWORD).await;
    let template = web.get(&format!("/alliances/{}/template.xlsx", f.id)).await;
    assert_eq!(template.status, 200);
    // The template as downloaded, every member's figures still blank.
    let resp = reqwest::get(app.url(&format!("/api/v1/alliances/{}/member-forms/template.xlsx", f.id))).await.unwrap();
    assert_eq!(resp.status(), 401, "the API's template needs a token");
    let (status, _) = app.get(&f.path("/member-forms/template.xlsx"), Some(&f.initiator.session)).await;
    assert_eq!(status, 200);
    let bytes = app
        .send(app.request(reqwest::Method::GET, &f.path("/member-forms/template.xlsx"), Some(&f.initiator.session)))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let page = web.post_file(&format!("/alliances/{}/import", f.id), &[], "登记表.xlsx", bytes.clone()).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("id=\"problem\""), "the refusal is on the alliance page");
    let cells = page.body.matches("data-field=\"第").count();
    assert!(cells >= 6, "one message per blank required cell, named by row and column ({cells})");
    let (_, a) = app.get(&f.path(""), Some(&f.initiator.session)).await;
    assert!(a["members"].as_array().unwrap().iter().all(|m| m["form_filled"] == false), "nothing saved");
    // A member may not import for the alliance.
    let lead = WebClient::sign_in(&app, &f.lead.session.username, USER_PASSWORD).await;
    let page = lead.post_file(&format!("/alliances/{}/import", f.id), &[], "登记表.xlsx", bytes).await;
    assert_eq!(page.status, 403);
}

#[tokio::test]
async fn on_report_pages_a_member_touches_only_its_own_row_and_only_the_bureau_decides() {
    let app = spawn_app().await;
    let (f, staff) = app.alliance_registered_at("2026-03-02T09:00:00+08:00").await;
    app.set_now("2026-07-02T09:00:00+08:00").await;
    let staff = app.login_as(&staff.username, USER_PASSWORD).await;
    let base = format!("/alliances/{}/reports/2026H1", f.id);
    let lead = WebClient::sign_in(&app, &f.lead.session.username, USER_PASSWORD).await;
    let initiator = WebClient::sign_in(&app, &f.initiator.session.username, USER_PASSWORD).await;
    let bureau = WebClient::sign_in(&app, &staff.username, USER_PASSWORD).await;
    assert_eq!(lead.get(&base).await.status, 200, "a member reads the report");
    assert_eq!(lead.get(&format!("{base}/rows/{}", f.lead.id())).await.status, 200, "and its own row");
    // Another member's row: neither read nor written, before its due date not even by the initiator.
    let other = format!("{base}/rows/{}", f.training.id());
    assert!(matches!(lead.get(&other).await.status, 403 | 404));
    let page = lead.post(&other, &[("basic.total_staff", "1")]).await;
    assert!(matches!(page.status, 403 | 404), "{}", page.status);
    let page = lead.post(&format!("{other}/no-change"), &[]).await;
    assert!(matches!(page.status, 403 | 404));
    let page = initiator.post(&other, &[("basic.total_staff", "1")]).await;
    assert!(matches!(page.status, 403 | 409 | 422), "the initiator fills for a member only after its due date: {}", page.status);
    let (_, report) = app.get(&tests::reports::report_path(&f, "2026H1", ""), Some(&staff)).await;
    assert_eq!(report["rows_filled"], 0, "nothing written");
    // Only the initiator submits; only the bureau accepts or returns.
    assert_eq!(lead.post(&format!("{base}/submit"), &[]).await.status, 403);
    assert_eq!(lead.post(&format!("{base}/summary"), &[("summary_text", "x")]).await.status, 403);
    for action in ["accept", "return"] {
        assert_eq!(initiator.post(&format!("{base}/{action}"), &[("reason_0", "x")]).await.status, 403, "{action}");
    }
    // Exports are for the initiator and the bureau.
    assert_eq!(lead.get(&format!("{base}/export.csv")).await.status, 403);
    assert_eq!(initiator.get(&format!("{base}/export.csv")).await.status, 200);
    // The bureau reads everything but fills no row.
    assert_eq!(bureau.get(&base).await.status, 200);
    let page = bureau.post(&format!("{base}/rows/{}", f.lead.id()), &[("basic.total_staff", "1")]).await;
    assert!(matches!(page.status, 403 | 422), "{}", page.status);
    // Organisation pages are the bureau's.
    let org = f.lead.id();
    assert_eq!(lead.get(&format!("/organizations/{org}")).await.status, 403);
    assert_eq!(lead.post(&format!("/organizations/{org}"), &[("name", "改名")]).await.status, 403);
    assert_eq!(lead.post(&format!("/organizations/{org}/verification"), &[("verified", "true")]).await.status, 403);
    assert_eq!(bureau.get(&format!("/organizations/{org}")).await.status, 200);
}

#[tokio::test]
async fn the_login_redirect_names_the_whole_path_of_a_nested_page() {
    let app = spawn_app().await;
    let web = WebClient::anonymous(&app);
    for path in ["/review/filings", "/organizations/new", "/dashboard", "/tasks"] {
        let page = web.get(path).await;
        assert_eq!((page.status, page.location.as_deref()), (303, Some(format!("/login?next={path}").as_str())), "{path}");
    }
}

#[tokio::test]
async fn a_pending_join_is_on_the_joining_units_and_the_initiators_task_lists_until_complete() {
    let app = spawn_app().await;
    let (f, _) = app.registered_alliance().await;
    let joiner = app.party(OrgKind::VocationalCollege).await;
    let (status, body) = app
        .post_json(
            &f.path("/members"),
            Some(&f.initiator.session),
            &serde_json::json!({"organization_id": joiner.id(), "effective_date": "2026-06-01"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let kinds = |body: &serde_json::Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().filter_map(|t| t["kind"].as_str().map(str::to_string)).collect()
    };
    let (_, mine) = app.get("/api/v1/me/tasks", Some(&joiner.session)).await;
    assert_eq!(kinds(&mine), ["member_form", "charter_signature"], "{mine}");
    let (_, initiator) = app.get("/api/v1/me/tasks", Some(&f.initiator.session)).await;
    assert!(kinds(&initiator).contains(&"join_pending".to_string()), "{initiator}");
    // Form and signature in: the join completes and leaves both lists.
    let (status, body) =
        app.put_json(&f.path(&format!("/members/{}/form", joiner.id())), Some(&joiner.session), &tests::alliances::form_body(80)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.post_json(&f.path("/charter/sign"), Some(&joiner.session), &serde_json::json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (_, mine) = app.get("/api/v1/me/tasks", Some(&joiner.session)).await;
    assert_eq!(kinds(&mine), ["report_rows"], "now a member, it owes its half-year row: {mine}");
    let (_, initiator) = app.get("/api/v1/me/tasks", Some(&f.initiator.session)).await;
    assert!(!kinds(&initiator).contains(&"join_pending".to_string()), "{initiator}");
}

/// Issue 16 item 3 on the bureau's organisation pages: 高等院校 is a box on
/// the form, refused beside itself on a kind that is no university.
#[tokio::test]
async fn the_bureau_records_a_university_on_the_organisation_form() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let bureau = WebClient::sign_in(&app, &staff.username, USER_PASSWORD).await;
    let code = tests::fresh_credit_code();
    let mut fields = vec![
        ("name", "东莞理工大学"),
        ("credit_code", code.as_str()),
        ("kind", "enterprise"),
        ("registered_in_dongguan", "on"),
        ("independent_legal_person", "on"),
        ("higher_education", "on"),
        ("address", "广东省东莞市松山湖大学路1号"),
        ("postcode", "523808"),
        ("email", "office@dgut.example.cn"),
        ("legal_representative", "张三"),
        ("contact_person", "李四"),
        ("office_phone", "0769-22861234"),
        ("mobile", "13800769123"),
    ];
    let new_form = bureau.get("/organizations/new").await;
    assert!(new_form.body.contains(r#"name="higher_education""#) && new_form.body.contains("高等院校"));
    // An enterprise cannot be one: the page says so beside the box, nothing is registered.
    let page = bureau.post("/organizations/new", &fields).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains(r#"id="e-higher_education""#) && page.body.contains("高等院校的单位类型须为"), "{}", page.body);
    let (_, found) = app.get(&format!("/api/v1/organizations?credit_code={code}"), Some(&staff)).await;
    assert_eq!(found["items"], serde_json::json!([]));
    // As 其他 it is registered with the mark, shown checked and listed as a university.
    fields[2] = ("kind", "other");
    let page = bureau.post("/organizations/new", &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location.unwrap();
    let edit = bureau.get(&location).await;
    assert!(edit.body.contains(r#"name="higher_education" aria-describedby="h-higher_education" checked"#), "{}", edit.body);
    assert!(bureau.get("/organizations").await.body.contains("其他（高等院校）"));
    let (_, found) = app.get(&format!("/api/v1/organizations?credit_code={code}"), Some(&staff)).await;
    assert_eq!((found["items"][0]["higher_education"].as_bool(), found["items"][0]["kind"].as_str()), (Some(true), Some("other")));
    // Unticked on the edit form: cleared.
    let id = found["items"][0]["id"].as_str().unwrap().to_string();
    let version = found["items"][0]["version"].to_string();
    fields.retain(|(k, _)| *k != "higher_education");
    fields.push(("version", version.as_str()));
    let page = bureau.post(&format!("/organizations/{id}"), &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let (_, org) = app.get(&format!("/api/v1/organizations/{id}"), Some(&staff)).await;
    assert_eq!(org["higher_education"], false);
}
