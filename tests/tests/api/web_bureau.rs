//! Issue 17 (bureau pages) acceptance 2 without a browser: the new-occupation
//! batches (000 第七条), sanctions (第二十二条) and assessments (第二十一条) —
//! bureau only, CSRF and cross-site refused with nothing written, bad input
//! answered beside the field with nothing written.

use calamine::Reader;
use entities::OrgKind;
use serde_json::json;
use tests::{Session, TestApp, USER_PASSWORD, db::snapshot, spawn_app, web::WebClient};

async fn web_of(app: &TestApp, s: &Session) -> WebClient {
    WebClient::sign_in(app, &s.username, USER_PASSWORD).await
}

/// An org_user and an expert, signed in to the pages.
async fn others(app: &TestApp) -> (WebClient, WebClient) {
    let org = web_of(app, &app.org_user(OrgKind::Enterprise).await.0).await;
    let expert = web_of(app, &app.login("expert", None).await).await;
    (org, expert)
}

/// Every way a post without the bureau's own token is refused: another
/// role with its token, no token, a cross-site request. Nothing is written.
async fn refused_posts(app: &TestApp, bureau: &WebClient, org: &WebClient, path: &str, fields: &[(&str, &str)]) {
    let before = snapshot(&app.db).await;
    let p = org.post(path, fields).await;
    assert_eq!(p.status, 403, "org_user posting {path}: {}", p.body);
    assert_eq!(bureau.post_raw(path, fields, &[]).await.status, 403, "no token on {path}");
    let with_token = [&[("_csrf", bureau.csrf.as_str())], fields].concat();
    assert_eq!(bureau.post_raw(path, &with_token, &[("sec-fetch-site", "cross-site")]).await.status, 403, "cross-site {path}");
    assert_eq!(snapshot(&app.db).await, before, "nothing written by the refused posts to {path}");
}

#[tokio::test]
async fn the_bureau_compiles_proposals_into_a_batch_downloads_it_on_the_page_and_records_inclusion() {
    let app = spawn_app().await;
    app.set_now("2026-06-01T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let bureau = web_of(&app, &staff).await;
    let (org, expert) = others(&app).await;

    let empty = bureau.get("/bureau/occupation-batches").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("目前没有待汇总上报的新职业建议书") && !empty.body.contains("id=\"new-batch\""), "{}", empty.body);
    let nothing = bureau.post("/bureau/occupation-batches", &[("title", "2026年第一批")]).await;
    assert_eq!(nothing.status, 409, "{}", nothing.body);
    assert!(nothing.body.contains("没有待汇总上报的新职业申报"), "{}", nothing.body);

    let filed = app.occupation_proposals(&staff, &["无人机集群表演编队员", "碳排放管理员"]).await;
    let page = bureau.get("/bureau/occupation-batches").await;
    assert!(page.body.contains("目前有 <strong>2</strong> 份已提交的新职业建议书尚未上报"), "{}", page.body);
    for path in ["/bureau/occupation-batches"] {
        assert_eq!(org.get(path).await.status, 403, "org_user on {path}");
        assert_eq!(expert.get(path).await.status, 403, "expert on {path}");
    }
    refused_posts(&app, &bureau, &org, "/bureau/occupation-batches", &[("title", "2026年第一批")]).await;
    let before = snapshot(&app.db).await;
    let blank = bureau.post("/bureau/occupation-batches", &[("title", " ")]).await;
    assert_eq!(blank.status, 422, "{}", blank.body);
    assert!(blank.body.contains("id=\"e-title\""), "beside the title: {}", blank.body);
    assert_eq!(snapshot(&app.db).await, before, "nothing compiled");

    let created = bureau.post("/bureau/occupation-batches", &[("title", "2026年第一批新职业建议")]).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let location = created.location.unwrap();
    let batch = location.trim_start_matches("/bureau/occupation-batches/").split('?').next().unwrap().to_string();
    let detail = bureau.get(&location).await;
    assert!(detail.body.contains("已汇总生成上报批次") && detail.body.contains("共 2 份新职业建议书"), "{}", detail.body);
    for (_, number, name) in &filed {
        assert!(detail.body.contains(number.as_str()) && detail.body.contains(name.as_str()), "{number} {name} listed");
    }
    let list = bureau.get("/bureau/occupation-batches").await;
    assert!(list.body.contains(&format!("href=\"/bureau/occupation-batches/{batch}\"")) && list.body.contains("目前没有待汇总上报"));
    let (_, api) = app.get("/api/v1/occupation-batches?limit=1", Some(&staff)).await;
    assert_eq!((api["items"][0]["id"].as_str(), &api["items"][0]["proposal_count"]), (Some(batch.as_str()), &json!(2)), "{api}");
    let (org_api, _) = app.org_user(OrgKind::Enterprise).await;
    assert_eq!(app.get("/api/v1/occupation-batches", Some(&org_api)).await.0, 403, "the API's list is the bureau's too");

    // The workbook through the page session, not the API's bearer token.
    let xlsx = format!("/bureau/occupation-batches/{batch}/export.xlsx");
    let (status, kind, disposition, bytes) = bureau.get_bytes(&xlsx).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") && disposition.contains(".xlsx"));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("新职业建议汇总").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().skip(4).map(|r| r.iter().map(ToString::to_string).collect()).collect();
    assert_eq!(rows.len(), 2);
    for ((_, number, name), row) in filed.iter().zip(&rows) {
        assert_eq!((&row[1], &row[4], row[9].as_str()), (number, name, "待定"), "{row:?}");
    }
    for path in [format!("/bureau/occupation-batches/{batch}"), xlsx.clone()] {
        assert_eq!(org.get(&path).await.status, 403, "org_user on {path}");
        assert_eq!(expert.get(&path).await.status, 403, "expert on {path}");
    }
    assert_eq!(bureau.get(&format!("/bureau/occupation-batches/{}", uuid::Uuid::now_v7())).await.status, 404);

    // Included in the national plan or not (000 第七条(三)), per proposal.
    let (first, second) = (&filed[0].0, &filed[1].0);
    let mark = format!("/bureau/occupation-batches/{batch}/proposals/{first}/inclusion");
    refused_posts(&app, &bureau, &org, &mark, &[("included", "yes")]).await;
    let before = snapshot(&app.db).await;
    let unchosen = bureau.post(&mark, &[("note", "人社部2026年第一批")]).await;
    assert_eq!(unchosen.status, 422, "{}", unchosen.body);
    assert!(unchosen.body.contains(&format!("id=\"e-included-{first}\"")) && unchosen.body.contains("请选择是否纳入开发计划"));
    assert_eq!(snapshot(&app.db).await, before, "nothing marked");
    assert_eq!(bureau.post(&mark, &[("included", "yes"), ("note", "人社部2026年第一批")]).await.status, 303);
    let no = format!("/bureau/occupation-batches/{batch}/proposals/{second}/inclusion");
    assert_eq!(bureau.post(&no, &[("included", "no")]).await.status, 303);
    let again = bureau.post(&no, &[("included", "yes")]).await;
    assert_eq!(again.status, 409, "marked once: {}", again.body);
    let (_, a) = app.get(&format!("/api/v1/applications/{first}"), Some(&staff)).await;
    assert_eq!(a["status"], "included", "{a}");
    let page = bureau.get(&format!("/bureau/occupation-batches/{batch}")).await;
    assert!(page.body.contains("已纳入开发计划</span>：人社部2026年第一批") && page.body.contains("未纳入开发计划"), "{}", page.body);
    assert!(
        page.body.contains(&format!("/proposals/{first}/completion")) && !page.body.contains(&format!("/proposals/{second}/completion"))
    );

    // 开发完成 of the included one (000 第七条(三)), on the same page.
    let complete = format!("/bureau/occupation-batches/{batch}/proposals/{first}/completion");
    refused_posts(&app, &bureau, &org, &complete, &[("note", "已发布国家职业标准")]).await;
    let expert_post = expert.post(&complete, &[]).await;
    assert_eq!(expert_post.status, 403, "expert: {}", expert_post.body);
    let before = snapshot(&app.db).await;
    let long = "长".repeat(2001);
    let refused = bureau.post(&complete, &[("note", long.as_str())]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(&format!("<p class=\"error\" id=\"e-note-{first}\">开发完成说明：")),
        "beside the note: {}",
        refused.body
    );
    let not_included = bureau.post(&format!("/bureau/occupation-batches/{batch}/proposals/{second}/completion"), &[]).await;
    assert_eq!(not_included.status, 409, "not included: {}", not_included.body);
    assert_eq!(snapshot(&app.db).await, before, "nothing marked completed");
    let done = bureau.post(&complete, &[("note", "已发布国家职业标准")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = bureau.get(done.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已记录开发完成") && !page.body.contains(&format!("/proposals/{first}/completion")), "{}", page.body);
    let (_, a) = app.get(&format!("/api/v1/applications/{first}"), Some(&staff)).await;
    assert_eq!(a["status"], "completed", "{a}");
    assert_eq!(bureau.post(&complete, &[]).await.status, 409, "completed once");
    let (_, _, _, bytes) = bureau.get_bytes(&xlsx).await;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("新职业建议汇总").unwrap();
    let marks: Vec<String> = sheet.rows().skip(4).map(|r| r[9].to_string()).collect();
    assert_eq!(marks, ["是", "否"]);
}

#[tokio::test]
async fn sanctions_are_listed_filtered_and_recorded_on_the_page_with_errors_beside_the_fields() {
    let app = spawn_app().await;
    app.set_now("2026-06-01T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let bureau = web_of(&app, &staff).await;
    let (org, expert) = others(&app).await;
    let target = app.create_org(OrgKind::TrainingInstitution).await;
    let code = target["credit_code"].as_str().unwrap().to_string();

    let page = bureau.get("/bureau/sanctions").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("还没有违规处理记录") && page.body.contains("id=\"new-sanction\""));
    assert_eq!(org.get("/bureau/sanctions").await.status, 403);
    assert_eq!(expert.get("/bureau/sanctions").await.status, 403);
    let good = [
        ("credit_code", code.as_str()),
        ("kind", "fraud_certification"),
        ("confirmed_on", "2026-05-20"),
        ("description", "申报材料中使用企业的使用报告系伪造"),
    ];
    refused_posts(&app, &bureau, &org, "/bureau/sanctions", &good).await;

    let before = snapshot(&app.db).await;
    let bad = bureau
        .post(
            "/bureau/sanctions",
            &[("credit_code", "91441900000000000X"), ("confirmed_on", "2026-13-01"), ("application_number", "DGJN-2026-9999")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for (field, message) in [
        ("credit_code", "没有使用该统一社会信用代码的单位"),
        ("kind", "请选择处理类型"),
        ("confirmed_on", "认定日期格式应为 年-月-日"),
        ("application_number", "没有该申报编号的申报"),
        ("description", "请填写违规情况及处理依据"),
    ] {
        assert!(bad.body.contains(&format!("<p class=\"error\" id=\"e-{field}\">")), "error beside {field}: {}", bad.body);
        assert!(bad.body.contains(message), "{message}");
    }
    assert!(bad.body.contains("value=\"DGJN-2026-9999\""), "the values entered are kept");
    // The request object's own check of the description is labelled as the sanction's (not 简介).
    let long = "伪".repeat(5001);
    let too_long = bureau.post("/bureau/sanctions", &[&good[..3], &[("description", long.as_str())]].concat()).await;
    assert_eq!(too_long.status, 422, "{}", too_long.body);
    assert!(too_long.body.contains("<p class=\"error\" id=\"e-description\">违规情况及处理依据："), "{}", too_long.body);
    let future = [&good[..2], &[("confirmed_on", "2026-06-02"), good[3]]].concat();
    let late = bureau.post("/bureau/sanctions", &future).await;
    assert_eq!(late.status, 422);
    assert!(late.body.contains("id=\"e-confirmed_on\"") && late.body.contains("认定日期不能晚于今天"), "{}", late.body);
    assert_eq!(snapshot(&app.db).await, before, "nothing recorded");

    let done = bureau.post("/bureau/sanctions", &good).await;
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/bureau/sanctions?done=recorded")), "{}", done.body);
    let list = bureau.get("/bureau/sanctions?done=recorded").await;
    assert!(list.body.contains("违规处理已记录") && list.body.contains(&code), "{}", list.body);
    assert!(
        list.body.contains(&format!("{}</a><br><span class=\"hint\">{code}", target["name"].as_str().unwrap())),
        "named: {}",
        list.body
    );
    assert!(list.body.contains("2031-05-20起") && list.body.contains("认定过程中弄虚作假"), "5-year ban: {}", list.body);
    let (_, api) = app.get(&format!("/api/v1/sanctions?organization_id={}", target["id"].as_str().unwrap()), Some(&staff)).await;
    assert_eq!(api["items"][0]["ban_until"], "2031-05-20", "{api}");

    // The filter the API offers (organisation), by credit code on the page.
    let other = app.create_org(OrgKind::Enterprise).await;
    let filtered = bureau.get(&format!("/bureau/sanctions?credit_code={}", other["credit_code"].as_str().unwrap())).await;
    assert!(
        filtered.body.contains("该单位没有违规处理记录")
            && !filtered.body.contains(&format!("<td><a href=\"/bureau/sanctions?credit_code={code}"))
    );
    let filtered = bureau.get(&format!("/bureau/sanctions?credit_code={code}")).await;
    assert!(filtered.body.contains(target["name"].as_str().unwrap()) && filtered.body.contains("申报材料中使用企业的使用报告系伪造"));
    let unknown = bureau.get("/bureau/sanctions?credit_code=91441900000000000X").await;
    assert_eq!(unknown.status, 200);
    assert!(unknown.body.contains("id=\"e-q-credit_code\"") && unknown.body.contains("没有使用该统一社会信用代码的单位"));
}

#[tokio::test]
async fn a_published_resource_is_assessed_on_its_bureau_page_with_errors_beside_the_fields() {
    let app = spawn_app().await;
    let res = super::operation::published(&app, &[("online_course", "线上课程甲")]).await;
    let (publisher, id) = (&res[0].0, res[0].1.clone());
    app.set_now("2027-06-01T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let bureau = web_of(&app, &staff).await;
    let (org, expert) = others(&app).await;
    let owner_api = app.org_user_with_email(publisher.id(), "owner@assess.dg.cn").await;
    let owner = web_of(&app, &owner_api).await;

    let list = bureau.get("/bureau/resources").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&format!("href=\"/bureau/resources/{id}\"")) && list.body.contains("2028-06-09"), "{}", list.body);
    let path = format!("/bureau/resources/{id}");
    let page = bureau.get(&path).await;
    assert!(page.body.contains("还没有评估记录") && page.body.contains("id=\"new-assessment\""), "{}", page.body);
    for web in [&org, &expert, &owner] {
        assert_eq!(web.get("/bureau/resources").await.status, 403);
        assert_eq!(web.get(&path).await.status, 403);
    }
    assert_eq!(bureau.get(&format!("/bureau/resources/{}", uuid::Uuid::now_v7())).await.status, 404);
    let post = format!("{path}/assessments");
    let good = [("outcome", "keep"), ("assessed_on", "2027-05-28"), ("note", "使用情况良好，继续保留")];
    refused_posts(&app, &bureau, &owner, &post, &good).await;

    let before = snapshot(&app.db).await;
    let bad = bureau.post(&post, &[("assessed_on", "2027-5-x")]).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for (field, message) in [("outcome", "请选择评估结论"), ("assessed_on", "评估日期格式应为 年-月-日"), ("note", "请填写评估意见")]
    {
        assert!(
            bad.body.contains(&format!("<p class=\"error\" id=\"e-{field}\">")) && bad.body.contains(message),
            "beside {field}: {}",
            bad.body
        );
    }
    // The request object's own check of the note is labelled as the assessment's (评估意见, not 说明).
    let long = "很".repeat(5001);
    let too_long = bureau.post(&post, &[("outcome", "keep"), ("assessed_on", "2027-05-28"), ("note", long.as_str())]).await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("<p class=\"error\" id=\"e-note\">评估意见："), "{}", too_long.body);
    let early = bureau.post(&post, &[("outcome", "keep"), ("assessed_on", "2026-06-01"), ("note", "提前评估")]).await;
    assert_eq!(early.status, 422, "before publication: {}", early.body);
    assert!(early.body.contains("id=\"e-assessed_on\"") && early.body.contains("value=\"2026-06-01\""), "{}", early.body);
    assert_eq!(snapshot(&app.db).await, before, "nothing assessed");

    let done = bureau.post(&post, &good).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = bureau.get(done.location.as_deref().unwrap()).await;
    assert!(page.body.contains("评估结果已记录") && page.body.contains("<td class=\"outcome\">继续保留</td>"), "{}", page.body);
    let (_, api) = app.get(&format!("/api/v1/resources/{id}/assessments"), Some(&staff)).await;
    let next_due = api["items"][0]["next_due"].as_str().unwrap().to_string();
    assert!(page.body.contains(&format!("<dd id=\"next-due\">{next_due}</dd>")), "next due {next_due}: {}", page.body);
    // The publisher is told with a link to its page of the resource, which shows the result.
    let (_, notes) = app.get("/api/v1/notifications", Some(&owner_api)).await;
    let link = notes["items"][0]["link"].as_str().unwrap().to_string();
    assert_eq!(link, format!("/resources/{id}/usage#assessments"), "{notes}");
    let usage = owner.get(link.split('#').next().unwrap()).await;
    assert_eq!(usage.status, 200);
    assert!(usage.body.contains("id=\"assessments\"") && usage.body.contains("使用情况良好，继续保留"), "{}", usage.body);
    assert!(usage.body.contains("<td class=\"outcome\">继续保留</td>") && usage.body.contains(&next_due), "{}", usage.body);
    // The application's bureau page links the resource's.
    let application = page.body.split("href=\"/bureau/applications/").nth(1).and_then(|t| t.split('"').next()).unwrap().to_string();
    let a = bureau.get(&format!("/bureau/applications/{application}")).await;
    assert!(a.body.contains(&format!("href=\"/bureau/resources/{id}\"")), "{}", a.body);

    let withdrawn = bureau.post(&post, &[("outcome", "withdraw"), ("assessed_on", "2027-06-01"), ("note", "内容过时，撤出目录")]).await;
    assert_eq!(withdrawn.status, 303);
    let page = bureau.get(&path).await;
    assert!(page.body.contains("已撤出目录") && !page.body.contains("id=\"new-assessment\""), "{}", page.body);
    // Out of the catalogue, found with the status filter.
    let row = format!("href=\"/bureau/resources/{id}\"");
    let in_catalogue = bureau.get("/bureau/resources").await;
    assert!(
        !in_catalogue.body.contains(&row) && in_catalogue.body.contains("<option value=\"in_catalogue\" selected>"),
        "{}",
        in_catalogue.body
    );
    let out = bureau.get("/bureau/resources?status=withdrawn").await;
    assert!(out.body.contains(&row) && out.body.contains("<option value=\"withdrawn\" selected>"), "{}", out.body);
    assert!(!bureau.get("/bureau/resources?status=revoked").await.body.contains(&row));
    for web in [&org, &expert] {
        assert_eq!(web.get("/bureau/resources?status=withdrawn").await.status, 403);
    }
}
