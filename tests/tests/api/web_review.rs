//! Issue 17 (part B) acceptance 2 and 4 without a browser: the expert, bureau
//! and public 公示 pages of the skill-resource review — who may see what,
//! CSRF on every form, the objection form's rate limit — asserting what the
//! pages answer and that a refused post changes nothing.

use entities::{
    OrgKind,
    models::{objection, panel_member, review},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use tests::{Session, TestApp, USER_PASSWORD, resources::Expert, spawn_app, web::WebClient};

const DESCRIPTION: &str = "面向工业机器人操作与运维的线上课程";
const ENTERPRISE: &str = "东莞市规上企业0有限公司";

/// A category-3 application submitted to an open call, with `experts` in the pool.
async fn submitted(app: &TestApp, experts: usize) -> (Session, String, String, Vec<Expert>) {
    app.set_now("2026-06-01T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let pool = app.experts(&staff, &vec![None; experts]).await;
    let a = app.applicant(OrgKind::TrainingInstitution, "apply@web.dg.cn").await;
    let body = app.certification_body(a.session(), &call, "工业机器人系统操作员线上课程").await;
    let (id, _) = app.submitted_application(a.session(), &body).await;
    (staff, call, id, pool)
}

fn seated(panel: &Value) -> Vec<String> {
    panel["seats"].as_array().unwrap().iter().map(|s| s["expert_id"].as_str().unwrap().to_string()).collect()
}

async fn web_of(app: &TestApp, s: &Session) -> WebClient {
    WebClient::sign_in(app, &s.username, USER_PASSWORD).await
}

#[tokio::test]
async fn an_expert_sees_nothing_of_an_application_before_declaring_nor_one_it_is_not_drawn_for() {
    let app = spawn_app().await;
    let (staff, _, id, pool) = submitted(&app, 2).await;
    let panel = app.draw_panel(&staff, &id, 1).await;
    let drawn_id = &seated(&panel)[0];
    let drawn = pool.iter().find(|e| &e.id == drawn_id).unwrap();
    let other = pool.iter().find(|e| &e.id != drawn_id).unwrap();
    let page_path = format!("/expert/applications/{id}");

    // Not drawn: 404, for the page and for both forms.
    let stranger = web_of(&app, &other.session).await;
    let p = stranger.get(&page_path).await;
    assert_eq!(p.status, 404, "{}", p.body);
    assert!(!p.body.contains("工业机器人系统操作员线上课程"), "not even the title");
    assert_eq!(stranger.post(&format!("{page_path}/declaration"), &[("conflict", "no")]).await.status, 404);
    assert_eq!(stranger.post(&format!("{page_path}/review"), &[("criteria.industry_match", "80")]).await.status, 404);

    // Drawn, before declaring: the declaration only.
    let web = web_of(&app, &drawn.session).await;
    let tasks = web.get("/tasks").await;
    assert!(
        tasks.body.contains("声明是否存在利益冲突") && tasks.body.contains("data-kind=\"panel_declaration\""),
        "task to declare: {}",
        tasks.body
    );
    let p = web.get(&page_path).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("利益冲突声明") && p.body.contains("工业机器人系统操作员线上课程"), "{}", p.body);
    assert!(!p.body.contains(DESCRIPTION) && !p.body.contains(ENTERPRISE) && !p.body.contains("匹配产业"), "no content before declaring");
    let early = web.post(&format!("{page_path}/review"), &[("criteria.industry_match", "80")]).await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(early.body.contains("请先声明无利益冲突"));
    // Without the CSRF token: refused, nothing declared.
    let forged = web.post_raw(&format!("{page_path}/declaration"), &[("conflict", "no")], &[]).await;
    assert_eq!(forged.status, 403);
    let seats = panel_member::Entity::find().all(&app.db).await.unwrap();
    assert!(seats.iter().all(|s| s.declared_at.is_none()), "nothing declared");
    // No choice made: the message beside the radio buttons.
    let blank = web.post(&format!("{page_path}/declaration"), &[]).await;
    assert_eq!(blank.status, 422);
    assert!(blank.body.contains("请选择是否存在利益冲突"));

    let ok = web.post(&format!("{page_path}/declaration"), &[("conflict", "no")]).await;
    assert_eq!(ok.status, 303);
    let p = web.get(&page_path).await;
    assert!(p.body.contains(DESCRIPTION) && p.body.contains(ENTERPRISE), "the application after declaring");
    for (label, weight) in [("匹配产业", "20%"), ("应用广泛", "30%"), ("内容适用", "30%"), ("模式灵活", "10%"), ("社会效益", "10%")]
    {
        assert!(p.body.contains(label) && p.body.contains(weight), "criterion {label} {weight}");
    }
    let tasks = web.get("/tasks").await;
    assert!(tasks.body.contains("对技能资源申报评分") && !tasks.body.contains("声明是否存在利益冲突"), "{}", tasks.body);

    // A score out of range: 422 beside the field, nothing stored.
    let scores = |v: [&'static str; 5]| {
        vec![
            ("criteria.industry_match", v[0]),
            ("criteria.wide_application", v[1]),
            ("criteria.content_fit", v[2]),
            ("criteria.flexible_mode", v[3]),
            ("criteria.social_benefit", v[4]),
        ]
    };
    let bad = web.post(&format!("{page_path}/review"), &scores(["80", "101", "70", "60", "90"])).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("应用广泛评分须在0到100之间（填写101）") && bad.body.contains("id=\"e-criteria.wide_application\""));
    assert_eq!(review::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!(web.post(&format!("{page_path}/review"), &scores(["80", "90", "70", "60", "90"])).await.status, 303);
    // Resubmitted while under review: the new score replaces the old one.
    assert_eq!(web.post(&format!("{page_path}/review"), &scores(["100", "100", "100", "100", "100"])).await.status, 303);
    let (_, panel) = app.get(&format!("/api/v1/applications/{id}/panel"), Some(&staff)).await;
    assert_eq!(panel["score"]["mean"], "100.00", "{panel}");
    assert_eq!(review::Entity::find().count(&app.db).await.unwrap(), 1);
    let p = web.get(&page_path).await;
    assert!(p.body.contains("您已提交评分：100.00 分"), "{}", p.body);

    // Other roles: 403 on the expert's pages.
    let org = web_of(&app, &app.org_user(OrgKind::Enterprise).await.0).await;
    assert_eq!(org.get(&page_path).await.status, 403);
    assert_eq!(org.get("/expert").await.status, 403);
}

#[tokio::test]
async fn a_conflict_declared_on_the_page_withdraws_the_expert_and_the_bureau_refills_the_seat() {
    let app = spawn_app().await;
    let (staff, _, id, pool) = submitted(&app, 3).await;
    let panel = app.draw_panel(&staff, &id, 2).await;
    let first = pool.iter().find(|e| e.id == seated(&panel)[0]).unwrap();
    // The notice of the draw links the expert's page, where the declaration comes first.
    let (_, notes) = app.get("/api/v1/notifications", Some(&first.session)).await;
    assert_eq!(notes["items"][0]["link"], format!("/expert/applications/{id}"), "{notes}");
    let web = web_of(&app, &first.session).await;
    let linked = web.get(&format!("/expert/applications/{id}")).await;
    assert!(linked.status == 200 && linked.body.contains("利益冲突"), "{} {}", linked.status, linked.body);
    let path = format!("/expert/applications/{id}/declaration");
    let no_reason = web.post(&path, &[("conflict", "yes")]).await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("声明回避须说明理由"));
    let out = web.post(&path, &[("conflict", "yes"), ("reason", "本人曾参与该课程开发")]).await;
    assert_eq!(out.location.as_deref(), Some("/expert?done=conflict"));
    assert_eq!(web.get(&format!("/expert/applications/{id}")).await.status, 404, "withdrawn: the application stays closed");
    let list = web.get("/expert?done=conflict").await;
    assert!(list.body.contains("已回避") && list.body.contains("已声明回避"), "{}", list.body);

    let bureau = web_of(&app, &staff).await;
    let page = bureau.get(&format!("/bureau/applications/{id}")).await;
    assert!(page.body.contains("已回避：本人曾参与该课程开发") && page.body.contains("补抽专家"), "{}", page.body);
    let refill = bureau.post(&format!("/bureau/applications/{id}/panel"), &[("size", "2")]).await;
    assert_eq!(refill.status, 303, "{}", refill.body);
    let (_, panel) = app.get(&format!("/api/v1/applications/{id}/panel"), Some(&staff)).await;
    assert_eq!(panel["draws"].as_array().unwrap().len(), 2, "{panel}");
    assert_eq!(panel["seats"].as_array().unwrap().iter().filter(|s| s["status"] != "conflicted").count(), 2);
    let page = bureau.get(&format!("/bureau/applications/{id}")).await;
    for d in panel["draws"].as_array().unwrap() {
        assert!(page.body.contains(d["seed"].as_str().unwrap()), "seed {} shown", d["seed"]);
    }
    // The panel is full now: the refusal shown on the page, nothing drawn.
    let full = bureau.post(&format!("/bureau/applications/{id}/panel"), &[("size", "2")]).await;
    assert_eq!(full.status, 409);
    assert!(full.body.contains("评审专家组已满"));
}

#[tokio::test]
async fn bureau_pages_refuse_other_roles_and_posts_without_the_token() {
    let app = spawn_app().await;
    let (staff, call, id, pool) = submitted(&app, 1).await;
    let org = web_of(&app, &app.org_user(OrgKind::Enterprise).await.0).await;
    let expert = web_of(&app, &pool[0].session).await;
    let bureau = web_of(&app, &staff).await;
    for path in [
        "/bureau/calls".to_string(),
        format!("/bureau/calls/{call}"),
        format!("/bureau/calls/{call}/ranking"),
        format!("/bureau/applications/{id}"),
        "/bureau/notices".to_string(),
        "/bureau/notices/new".to_string(),
        "/bureau/payments".to_string(),
    ] {
        assert_eq!(org.get(&path).await.status, 403, "org_user on {path}");
        assert_eq!(expert.get(&path).await.status, 403, "expert on {path}");
        assert_eq!(bureau.get(&path).await.status, 200, "bureau on {path}");
    }
    assert_eq!(bureau.get(&format!("/bureau/applications/{}", uuid::Uuid::now_v7())).await.status, 404);
    assert_eq!(bureau.get(&format!("/bureau/calls/{}", uuid::Uuid::now_v7())).await.status, 404);

    // Every form: another role with its token 403, the bureau without one 403; nothing changed.
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/bureau/applications/{id}/panel"), vec![("size", "1")]),
        (format!("/bureau/applications/{id}/decline"), vec![("reason", "不符合")]),
        (format!("/bureau/applications/{id}/approve"), vec![]),
        (format!("/bureau/calls/{call}/close"), vec![]),
        ("/bureau/calls".into(), vec![("category", "training_resource"), ("title", "征集"), ("description", "说明")]),
        ("/bureau/notices".into(), vec![("title", "公示"), ("body", "正文"), ("application_ids", id.as_str())]),
    ];
    for (path, fields) in &posts {
        let p = org.post(path, fields).await;
        assert_eq!(p.status, 403, "org_user posting {path}: {}", p.body);
        let p = bureau.post_raw(path, fields, &[]).await;
        assert_eq!(p.status, 403, "no token on {path}");
        let p = bureau
            .post_raw(path, &[&[("_csrf", bureau.csrf.as_str())], fields.as_slice()].concat(), &[("sec-fetch-site", "cross-site")])
            .await;
        assert_eq!(p.status, 403, "cross-site {path}");
    }
    let (_, a) = app.get(&format!("/api/v1/applications/{id}"), Some(&staff)).await;
    assert_eq!(a["status"], "submitted", "nothing drawn, declined or published: {a}");
    let (_, calls) = app.get("/api/v1/calls", Some(&staff)).await;
    assert_eq!(calls["items"].as_array().unwrap().len(), 1);
    assert_eq!(calls["items"][0]["open"], true, "still open");

    // With the token the bureau's forms work.
    let created = bureau
        .post(
            "/bureau/calls",
            &[
                ("category", "skill_research"),
                ("title", "技研项目征集"),
                ("description", "征集说明"),
                ("opens_at", "2026-06-01T09:00"),
                ("closes_at", "2026-05-01T09:00"),
            ],
        )
        .await;
    assert_eq!(created.status, 422, "closes before it opens");
    assert!(created.body.contains("截止时间须晚于开始时间"));
    let created = bureau
        .post(
            "/bureau/calls",
            &[
                ("category", "skill_research"),
                ("title", "技研项目征集"),
                ("description", "征集说明"),
                ("opens_at", "2026-06-01T09:00"),
                ("closes_at", "2026-07-01T17:30"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let new_call = created.location.unwrap().trim_start_matches("/bureau/calls/").split('?').next().unwrap().to_string();
    let (_, c) = app.get(&format!("/api/v1/calls/{new_call}"), Some(&staff)).await;
    assert_eq!(c["opens_at"], "2026-06-01T01:00:00+00:00", "read in Dongguan time: {c}");
    assert_eq!(bureau.post(&format!("/bureau/calls/{new_call}/close"), &[]).await.status, 303);
    let (_, c) = app.get(&format!("/api/v1/calls/{new_call}"), Some(&staff)).await;
    assert_eq!(c["open"], false);
    let page = bureau.get(&format!("/bureau/calls/{new_call}")).await;
    assert!(page.body.contains("已截止"));
    // The API's close: bureau only, once.
    let (org_session, _) = app.org_user(OrgKind::Enterprise).await;
    let (status, _) = app.post_json(&format!("/api/v1/calls/{call}/close"), Some(&org_session), &json!({})).await;
    assert_eq!(status, 403);
    let (status, c) = app.post_json(&format!("/api/v1/calls/{call}/close"), Some(&staff), &json!({})).await;
    assert_eq!((status, &c["open"]), (200, &json!(false)), "{c}");
    let (status, again) = app.post_json(&format!("/api/v1/calls/{call}/close"), Some(&staff), &json!({})).await;
    assert_eq!((status, again["code"].as_str()), (409, Some("call_closed")));
}

/// An application on an open notice (5 working days from Monday 1 June 2026).
async fn on_notice(app: &TestApp) -> (Session, String, String) {
    let (staff, _, id, _) = submitted(app, 1).await;
    app.draw_panel(&staff, &id, 1).await;
    let (status, notice) = app
        .post_json("/api/v1/notices", Some(&staff), &json!({"title": "拟认定公示", "body": "公示期间可提出异议", "application_ids": [id]}))
        .await;
    assert_eq!(status, 201, "{notice}");
    (staff, id, notice["id"].as_str().unwrap().to_string())
}

fn personal_data(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = html.chars().collect();
    // 11-digit mobile numbers, 0769-… landlines, 18-character ID numbers, e-mail addresses.
    let mut run = String::new();
    for c in chars.iter().chain(std::iter::once(&' ')) {
        if c.is_ascii_digit() || *c == 'X' {
            run.push(*c);
        } else {
            if run.len() == 11 && run.starts_with('1') || run.len() == 18 {
                found.push(run.clone());
            }
            run.clear();
        }
    }
    if html.contains("0769-") {
        found.push("0769-".into());
    }
    for w in html.split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>') {
        if w.contains('@') && w.contains('.') {
            found.push(w.to_string());
        }
    }
    found
}

#[tokio::test]
async fn the_public_notice_takes_objections_with_a_receipt_and_a_rate_limit_and_shows_no_personal_data() {
    let app = spawn_app().await;
    let (staff, id, notice) = on_notice(&app).await;
    let public = WebClient::anonymous(&app);
    let list = public.get("/notices").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("拟认定公示") && list.body.contains("公示至 2026-06-08 17:30"), "{}", list.body);
    let page = public.get(&format!("/notices/{notice}")).await;
    assert!(page.body.contains("公示期至 2026-06-08 17:30") && page.body.contains("工作日"), "end explained: {}", page.body);
    assert!(page.body.contains("工业机器人系统操作员线上课程"));

    let fields = [
        ("application_id", id.as_str()),
        ("name", "张三"),
        ("phone", "13800769001"),
        ("email", "zhangsan@example.cn"),
        ("argument", "该课程使用企业不足五家"),
    ];
    let forged = public.object(&notice, &fields, None, false).await;
    assert_eq!(forged.status, 403, "no token");
    assert_eq!(objection::Entity::find().count(&app.db).await.unwrap(), 0);
    let no_contact = public.object(&notice, &[("application_id", id.as_str()), ("name", "张三"), ("argument", "理由")], None, true).await;
    assert_eq!(no_contact.status, 422);
    assert!(no_contact.body.contains("请至少填写联系电话或电子邮箱中的一项"));
    let bad_file = public.object(&notice, &fields, Some(("证明.exe", b"MZ\x90\x00".to_vec())), true).await;
    assert_eq!(bad_file.status, 422);
    assert!(bad_file.body.contains("证明材料须为 PDF"), "{}", bad_file.body);
    // (the refusals count toward nothing: no objection was stored)
    for i in 0..5 {
        let r = public.object(&notice, &fields, (i == 0).then(|| ("证明.pdf", tests::alliances::PDF.to_vec())), true).await;
        assert_eq!(r.status, 201, "objection {i}: {}", r.body);
        assert!(r.body.contains("异议已收到") && r.body.contains("回执编号"), "{}", r.body);
        assert!(
            personal_data(&r.body).is_empty() && !r.body.contains("张三"),
            "receipt echoes nothing personal: {:?}",
            personal_data(&r.body)
        );
    }
    let limited = public.object(&notice, &fields, None, true).await;
    assert_eq!(limited.status, 429);
    assert!(limited.body.contains("提交过于频繁") && limited.body.contains("每小时最多提交5条异议"), "{}", limited.body);
    assert_eq!(objection::Entity::find().count(&app.db).await.unwrap(), 5);

    for path in ["/notices".to_string(), format!("/notices/{notice}")] {
        let p = public.get(&path).await;
        assert_eq!(personal_data(&p.body), Vec::<String>::new(), "{path}");
    }

    // The bureau sees the objections with their contact details and rules; the public never does.
    let bureau = web_of(&app, &staff).await;
    let page = bureau.get(&format!("/bureau/notices/{notice}")).await;
    assert!(page.body.contains("13800769001") && page.body.contains("证明.pdf"), "{}", page.body);
    let list = bureau.get("/bureau/notices").await;
    assert!(
        list.body.contains("<td class=\"num\">1</td><td class=\"num\">5</td><td>公示中</td>"),
        "1 application, 5 open objections: {}",
        list.body
    );
    let org = web_of(&app, &app.org_user(OrgKind::Enterprise).await.0).await;
    assert_eq!(org.get(&format!("/bureau/notices/{notice}")).await.status, 403);
    let first = objection::Entity::find().all(&app.db).await.unwrap()[0].id;
    let ruling = [("notice_id", notice.as_str()), ("outcome", "dismissed"), ("ruling", "经核实，使用企业五家均有使用报告")];
    assert_eq!(bureau.post_raw(&format!("/bureau/objections/{first}/ruling"), &ruling, &[]).await.status, 403);
    assert_eq!(org.post(&format!("/bureau/objections/{first}/ruling"), &ruling).await.status, 403);
    let blank =
        bureau.post(&format!("/bureau/objections/{first}/ruling"), &[("notice_id", notice.as_str()), ("outcome", "dismissed")]).await;
    assert_eq!(blank.status, 422, "{}", blank.body);
    let open = objection::Entity::find_by_id(first).one(&app.db).await.unwrap().unwrap();
    assert_eq!(open.status, entities::resource::ObjectionStatus::Open, "nothing ruled");
    let done = bureau.post(&format!("/bureau/objections/{first}/ruling"), &ruling).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let ruled = objection::Entity::find_by_id(first).one(&app.db).await.unwrap().unwrap();
    assert_eq!(ruled.status, entities::resource::ObjectionStatus::Dismissed);
}

#[tokio::test]
async fn fee_schedule_versions_are_listed_for_the_bureau_and_added_by_an_admin_on_the_page() {
    let app = spawn_app().await;
    app.set_now("2026-11-23T10:00:00+08:00").await;
    let staff = web_of(&app, &app.login("bureau_staff", None).await).await;
    let admin = web_of(&app, &app.login("bureau_admin", None).await).await;
    let org = web_of(&app, &app.org_user(OrgKind::Enterprise).await.0).await;
    assert_eq!(org.get("/bureau/fee-schedule").await.status, 403);
    let page = staff.get("/bureau/fee-schedule").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("第1版（现行）") && page.body.contains("新增版本由系统管理员办理") && !page.body.contains("id=\"new-version\"")
    );

    let amounts = [
        ("amounts.printed_textbook", "60000"),
        ("amounts.e_textbook", "20000"),
        ("amounts.certified_course", "15000"),
        ("amounts.online_course", "0"),
        ("amounts.evaluation_specification", "50000"),
        ("amounts.theory_question_bank_level", "15000"),
        ("amounts.integrated_case_course", "15000"),
    ];
    let with = |date: &'static str| {
        let mut f = vec![("effective_from", date), ("note", "东人社函〔2026〕1号")];
        f.extend_from_slice(&amounts);
        f
    };
    assert_eq!(staff.post("/bureau/fee-schedule", &with("2026-12-01")).await.status, 403, "bureau_staff may not add");
    assert_eq!(admin.post_raw("/bureau/fee-schedule", &with("2026-12-01"), &[]).await.status, 403, "no token");
    let bad = admin.post("/bureau/fee-schedule", &with("2026-11-01")).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("不能早于今天") && bad.body.contains("id=\"e-amounts.online_course\""), "{}", bad.body);
    let (_, versions) = app.get("/api/v1/fee-schedule", Some(&app.admin().await)).await;
    assert_eq!(versions["items"].as_array().unwrap().len(), 1, "nothing added");

    let mut good = with("2026-12-01");
    good.retain(|(k, _)| *k != "amounts.online_course");
    good.push(("amounts.online_course", "12000"));
    let done = admin.post("/bureau/fee-schedule", &good).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = admin.get("/bureau/fee-schedule?done=created").await;
    assert!(page.body.contains("第2版") && page.body.contains("2026-12-01") && page.body.contains("12000"), "{}", page.body);
}
