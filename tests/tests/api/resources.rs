//! Skill resources (seed 000, issue 6): the acceptance walk, notice ends and
//! the notice-close job, objections, object-level access.

use entities::OrgKind;
use serde_json::{Value, json};
use tests::{
    TestApp,
    db::{audit_count, snapshot},
    http::assert_problem,
    resources::{Applicant, Expert},
    spawn_app,
};

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().map(|e| e.iter().filter_map(|x| x["code"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// (recipient, subject, text body) of every delivered message.
async fn delivered(app: &TestApp) -> Vec<(String, String, String)> {
    app.run_job("mail_delivery").await;
    app.smtp
        .messages()
        .iter()
        .map(|m| {
            let p = m.parsed().unwrap();
            (m.to.join(","), p.subject().unwrap_or_default().to_string(), p.body_text(0).unwrap_or_default().to_string())
        })
        .collect()
}

fn path(id: &str, rest: &str) -> String {
    format!("/api/v1/applications/{id}{rest}")
}

const A_SHEETS: [[i64; 5]; 5] =
    [[80, 90, 85, 70, 75], [85, 88, 90, 80, 70], [78, 92, 80, 75, 80], [90, 85, 88, 85, 90], [82, 87, 86, 78, 72]];
const B_SHEETS: [[i64; 5]; 5] =
    [[70, 75, 72, 68, 70], [75, 70, 74, 70, 65], [72, 78, 70, 66, 72], [68, 74, 76, 70, 70], [71, 73, 75, 69, 68]];

/// Acceptance 1 (and 3, 4, 5 on the way).
#[tokio::test]
async fn a_call_runs_from_applications_to_the_public_catalogue() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let (_, public_calls) = app.get("/api/v1/public/calls", None).await;
    assert_eq!(public_calls["items"][0]["id"], call.as_str());

    // Three category-3 applications; the third trained only 200 people.
    let a = app.applicant(OrgKind::TrainingInstitution, "a@applicant.dg.cn").await;
    let b = app.applicant(OrgKind::TechnicalSchool, "b@applicant.dg.cn").await;
    let c = app.applicant(OrgKind::Enterprise, "c@applicant.dg.cn").await;
    let body_a = app.certification_body(a.session(), &call, "工业机器人操作与运维线上课程").await;
    let body_b = app.certification_body(b.session(), &call, "数控车工培训课程").await;
    let mut body_c = app.certification_body(c.session(), &call, "电子商务直播运营课程").await;
    body_c["trainees_last_3_years"] = json!(200);
    let (a_id, a_no) = app.submitted_application(a.session(), &body_a).await;
    let (b_id, b_no) = app.submitted_application(b.session(), &body_b).await;
    assert_eq!((a_no.as_str(), b_no.as_str()), ("DGJN-2026-0001", "DGJN-2026-0002"));
    let c_id = app.draft_application(c.session(), &body_c).await;
    let before = snapshot(&app.db).await;
    let (status, refused) = app.post_json(&path(&c_id, "/submit"), Some(c.session()), &json!({})).await;
    assert_problem(status, &refused, 422, "ineligible");
    assert_eq!(codes(&refused), ["trainees_below_300"]);
    assert_eq!(snapshot(&app.db).await, before, "a refused submission writes nothing (no number used)");

    // The pool: 7 experts, the first of A's organisation.
    let orgs: Vec<Option<&str>> = vec![Some(a.id()), None, None, None, Some(b.id()), None, None];
    let experts = app.experts(&staff, &orgs).await;
    let panel = app.draw_panel(&staff, &a_id, 5).await;
    let seated = |p: &Value| -> Vec<String> {
        p["seats"].as_array().unwrap().iter().map(|s| s["expert_id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(seated(&panel).len(), 5);
    assert!(!seated(&panel).contains(&experts[0].id), "acceptance 5: never an expert of the applicant organisation");
    let draw = &panel["draws"][0];
    assert_eq!(draw["candidates"].as_array().unwrap().len(), 6, "the draw records its candidates");
    assert!(draw["seed"].as_str().unwrap().parse::<u64>().is_ok(), "and its seed");

    // Acceptance 4: a drawn expert sees nothing before declaring; a conflicted one is replaced.
    let first = experts.iter().find(|e| e.id == seated(&panel)[0]).unwrap();
    assert_eq!(app.get(&path(&a_id, ""), Some(&first.session)).await.0, 404);
    let (_, assignments) = app.get("/api/v1/experts/me/assignments", Some(&first.session)).await;
    assert_eq!(assignments["items"][0]["title"], "工业机器人操作与运维线上课程");
    let (status, seat) =
        app.post_json(&path(&a_id, "/declaration"), Some(&first.session), &json!({"conflict": true, "reason": "曾参与该课程编写"})).await;
    assert_eq!((status, seat["status"].as_str()), (200, Some("conflicted")), "{seat}");
    assert_eq!(app.get(&path(&a_id, ""), Some(&first.session)).await.0, 404, "a conflicted expert never sees it");
    let panel = app.draw_panel(&staff, &a_id, 5).await;
    let active: Vec<&Value> = panel["seats"].as_array().unwrap().iter().filter(|s| s["status"] != "conflicted").collect();
    assert_eq!(active.len(), 5, "the conflict was replaced: {panel}");
    assert_eq!(panel["draws"].as_array().unwrap().len(), 2);
    assert!(!seated(&panel).contains(&experts[0].id));
    let (status, body) = app.post_json(&path(&a_id, "/panel"), Some(&staff), &json!({"size": 5})).await;
    assert_problem(status, &body, 409, "panel_full");

    app.declare_and_score(&experts, &panel, &a_id, &A_SHEETS).await;
    let second = experts.iter().find(|e| e.id == active[0]["expert_id"].as_str().unwrap()).unwrap();
    assert_eq!(app.get(&path(&a_id, ""), Some(&second.session)).await.0, 200, "cleared experts see the application");
    assert_eq!(app.get(&path(&b_id, ""), Some(&second.session)).await.0, 404, "but not others");
    let panel_b = app.draw_panel(&staff, &b_id, 5).await;
    assert!(!seated(&panel_b).contains(&experts[4].id));
    app.declare_and_score(&experts, &panel_b, &b_id, &B_SHEETS).await;
    // An expert on both panels pages through its assignments, oldest first.
    let both = experts.iter().find(|e| seated(&panel).contains(&e.id) && seated(&panel_b).contains(&e.id)).unwrap();
    let mine = "/api/v1/experts/me/assignments";
    let (status, first_page) = app.get(&format!("{mine}?limit=1"), Some(&both.session)).await;
    assert_eq!((status, first_page["items"].as_array().map(Vec::len)), (200, Some(1)), "{first_page}");
    assert_eq!(first_page["items"][0]["application_id"], a_id.as_str());
    let cursor = first_page["next_cursor"].as_str().expect("a second page");
    let (_, second_page) = app.get(&format!("{mine}?limit=1&cursor={cursor}"), Some(&both.session)).await;
    assert_eq!(second_page["items"].as_array().map(Vec::len), Some(1), "{second_page}");
    assert_eq!((second_page["items"][0]["application_id"].as_str(), second_page["next_cursor"].as_str()), (Some(b_id.as_str()), None));
    let (_, whole) = app.get(mine, Some(&both.session)).await;
    assert_eq!((whole["items"].as_array().map(Vec::len), whole["next_cursor"].as_str()), (Some(2), None), "{whole}");
    for (query, field) in [("?limit=0", "limit"), ("?limit=201", "limit"), ("?cursor=!!", "cursor")] {
        let (status, body) = app.get(&format!("{mine}{query}"), Some(&both.session)).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some(field)), "{query}: {body}");
    }

    // Hand-computed: A 83.00+85.40+82.70+87.40+83.30 → 84.36, spread 4.70; B 71.90+71.70+72.60+72.60+72.30 → 72.22, spread 0.90.
    let (status, ranking) = app.get(&format!("/api/v1/calls/{call}/ranking"), Some(&staff)).await;
    assert_eq!(status, 200, "{ranking}");
    let items = ranking["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the ineligible draft is not ranked");
    assert_eq!((items[0]["rank"].as_u64(), items[0]["application"]["id"].as_str()), (Some(1), Some(a_id.as_str())));
    assert_eq!((items[0]["score"]["mean"].as_str(), items[0]["score"]["spread"].as_str()), (Some("84.36"), Some("4.70")));
    assert_eq!(items[0]["score"]["mean_exact"], json!({"numerator": 42180, "denominator": 5}));
    assert_eq!((items[1]["rank"].as_u64(), items[1]["score"]["mean"].as_str()), (Some(2), Some("72.22")));
    assert_eq!(items[1]["score"]["spread"], "0.90");
    let (_, panel_a) = app.get(&path(&a_id, "/panel"), Some(&staff)).await;
    assert_eq!(panel_a["score"]["mean"], "84.36");

    // Both go on notice: Monday 1 June 2026 → 17:30 on Monday 8 June.
    let (status, notice) = app
        .post_json(
            "/api/v1/notices",
            Some(&staff),
            &json!({"title": "2026年度技能培训资源拟认定项目公示", "body": "公示期内如有异议，请通过本平台提出。", "application_ids": [a_id, b_id]}),
        )
        .await;
    assert_eq!(status, 201, "{notice}");
    assert_eq!(notice["ends_at"], "2026-06-08T09:30:00+00:00");
    assert!(notice["explanation"].as_str().unwrap().contains("跳过 2026-06-06：周末"), "{}", notice["explanation"]);
    let notice_id = notice["id"].as_str().unwrap().to_string();

    // The public sees the notice without personal data and objects to B.
    let (status, public) = app.get("/api/v1/public/notices", None).await;
    assert_eq!(status, 200);
    assert_eq!(public["items"][0]["items"].as_array().unwrap().len(), 2);
    let (status, body) = app
        .post_json(
            &format!("/api/v1/public/notices/{notice_id}/objections"),
            None,
            &json!({"application_id": b_id, "name": "王五", "phone": "13912345678", "email": "objector@example.cn", "argument": "该课程使用企业数量不实。",
                    "evidence": {"filename": "证明材料.pdf", "content_base64": base64_pdf()}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(!body.to_string().contains("13912345678") && !body.to_string().contains("objector@"), "the receipt echoes nothing personal");
    let objection = body["id"].as_str().unwrap().to_string();
    let (_, one) = app.get(&format!("/api/v1/public/notices/{notice_id}"), None).await;
    assert_no_personal_data(&format!("{public}{one}"), &[&a, &b]);

    // The bureau upholds it: B is refused with reasons.
    let (_, detail) = app.get(&format!("/api/v1/notices/{notice_id}"), Some(&staff)).await;
    assert_eq!(detail["objections"][0]["phone"], "13912345678", "bureau staff see the contact");
    let (status, ruled) = app
        .post_json(
            &format!("/api/v1/objections/{objection}/ruling"),
            Some(&staff),
            &json!({"outcome": "upheld", "ruling": "经核实，仅2家企业实际使用，异议成立。"}),
        )
        .await;
    assert_eq!((status, ruled["status"].as_str()), (200, Some("upheld")), "{ruled}");
    let (_, b_now) = app.get(&path(&b_id, ""), Some(b.session())).await;
    assert_eq!(b_now["status"], "refused");

    // The notice ends; A advances and is approved into the catalogue.
    app.set_now("2026-06-08T17:31:00+08:00").await;
    let run = app.run_job("notice_close").await;
    assert_eq!(run.acted, 1);
    let staff = app.login("bureau_staff", None).await; // a week later: a fresh session
    let (_, a_now) = app.get(&path(&a_id, ""), Some(&staff)).await;
    assert_eq!(a_now["status"], "awaiting_approval");
    let (status, approved) = app.post_json(&path(&a_id, "/approve"), Some(&staff), &json!({})).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["application"]["status"], "published");
    assert_eq!(approved["resource"]["next_assessment_due"], "2028-06-08");
    let (_, catalogue) = app.get("/api/v1/public/resources?occupation=工业机器人", None).await;
    let items = catalogue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{catalogue}");
    assert_eq!(items[0]["number"], "DGJN-2026-0001");
    assert_eq!(items[0]["policy"]["title"], "东莞市技能资源建设管理实施细则");
    assert_eq!(items[0]["policy"]["valid_until"], "2027-12-31");
    assert_eq!(items[0]["publisher"], a.party.org["name"]);
    let (_, by_kind) = app.get("/api/v1/public/resources?kind=printed_textbook", None).await;
    assert!(by_kind["items"].as_array().unwrap().is_empty());
    let (_, by_text) =
        app.get(&format!("/api/v1/public/resources?text=20个模块&publisher={}", a.party.org["name"].as_str().unwrap()), None).await;
    assert_eq!(by_text["items"].as_array().unwrap().len(), 1);

    // The right mail went to the right people.
    let mail = delivered(&app).await;
    let to = |who: &str| -> Vec<(String, String)> { mail.iter().filter(|m| m.0 == who).map(|m| (m.1.clone(), m.2.clone())).collect() };
    let a_mail = to(&a.email);
    for step in ["已申报", "公示中", "待审定", "已认定并公布"] {
        assert!(a_mail.iter().any(|(s, _)| s.contains(step)), "A told {step}: {a_mail:?}");
    }
    let b_mail = to(&b.email);
    assert!(b_mail.iter().any(|(s, t)| s.contains("不予认定") && t.contains("仅2家企业实际使用")), "B told why: {b_mail:?}");
    let objector = to("objector@example.cn");
    assert_eq!(objector.len(), 1);
    assert!(objector[0].1.contains("异议成立") && objector[0].1.contains("仅2家企业实际使用"), "{objector:?}");
    assert!(to(&c.email).is_empty(), "nothing happened to C's draft");
    for action in [
        "application.submitted",
        "application.panel_drawn",
        "application.proposed",
        "application.refused",
        "application.notice_closed",
        "application.approved",
    ] {
        assert!(audit_count(&app.db, action, None).await >= 1, "{action} audited");
    }
}

fn base64_pdf() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(tests::alliances::PDF)
}

fn assert_no_personal_data(text: &str, applicants: &[&Applicant]) {
    for a in applicants {
        for field in ["mobile", "office_phone", "email", "contact_person", "legal_representative", "fax"] {
            let v = a.party.org[field].as_str().unwrap();
            assert!(!text.contains(v), "public pages leak {field} {v}");
        }
        assert!(!text.contains(&a.email));
    }
    for leak in ["13912345678", "objector@example.cn", "王五"] {
        assert!(!text.contains(leak), "objector data leaked: {leak}");
    }
}

/// Two submitted category-3 applications of different organisations, under review with a 1-expert panel each.
async fn under_review(app: &TestApp, staff: &tests::Session) -> (Applicant, String, Applicant, String, Vec<Expert>) {
    let call = app.open_call(staff, "training_resource").await;
    let a = app.applicant(OrgKind::TrainingInstitution, "a@applicant.dg.cn").await;
    let b = app.applicant(OrgKind::VocationalCollege, "b@applicant.dg.cn").await;
    let body_a = app.certification_body(a.session(), &call, "甲课程").await;
    let body_b = app.certification_body(b.session(), &call, "乙课程").await;
    let (a_id, _) = app.submitted_application(a.session(), &body_a).await;
    let (b_id, _) = app.submitted_application(b.session(), &body_b).await;
    let experts = app.experts(staff, &[None]).await;
    app.draw_panel(staff, &a_id, 1).await;
    app.draw_panel(staff, &b_id, 1).await;
    (a, a_id, b, b_id, experts)
}

/// Acceptance 2: a notice across the 2026 National Day holiday and the close job at 17:29 and 17:31 of its last day.
#[tokio::test]
async fn the_notice_close_job_advances_exactly_the_right_applications_at_the_end() {
    let app = spawn_app().await;
    app.set_now("2026-09-28T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (_a, a_id, _b, b_id, _) = under_review(&app, &staff).await;
    let (status, notice) = app
        .post_json("/api/v1/notices", Some(&staff), &json!({"title": "国庆前公示", "body": "公示", "application_ids": [a_id, b_id]}))
        .await;
    assert_eq!(status, 201, "{notice}");
    // 29, 30 Sep; 1–7 Oct 国庆节; 8, 9 Oct; Saturday 10 Oct (make-up working day).
    assert_eq!(notice["ends_at"], "2026-10-10T09:30:00+00:00");
    assert_eq!(notice["end_date"], "2026-10-10");
    let explanation = notice["explanation"].as_str().unwrap();
    assert!(
        explanation.contains("跳过 2026-10-01：法定节假日：国庆节") && explanation.contains("2026-10-10（调休上班：国庆节）"),
        "{explanation}"
    );
    let id = notice["id"].as_str().unwrap();
    let (status, body) = app
        .post_json(
            &format!("/api/v1/public/notices/{id}/objections"),
            None,
            &json!({"application_id": b_id, "name": "赵六", "email": "zhao@example.cn", "argument": "知识产权存在争议。"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // The Monday digest tells the bureau about the open objection.
    app.user_with_email("bureau_staff", "digest@rsj.dg.gov.cn", "经办人").await;
    app.run_job("weekly_digest").await;
    let mail = delivered(&app).await;
    assert!(
        mail.iter().any(|m| m.0 == "digest@rsj.dg.gov.cn"
            && m.2.contains("待处理的公示异议")
            && !m.2.contains("甲课程")
            && m.2.contains("乙课程")),
        "{mail:?}"
    );

    app.set_now("2026-10-10T17:29:00+08:00").await;
    let run = app.run_job("notice_close").await;
    assert_eq!((run.seen, run.acted), (0, 0), "17:29: still open");
    let staff = app.login("bureau_staff", None).await; // two weeks later: a fresh session
    for id in [&a_id, &b_id] {
        assert_eq!(app.get(&path(id, ""), Some(&staff)).await.1["status"], "on_notice");
    }
    let (_, public) = app.get("/api/v1/public/notices", None).await;
    assert_eq!(public["items"][0]["accepting_objections"], true);

    app.set_now("2026-10-10T17:31:00+08:00").await;
    let run = app.run_job("notice_close").await;
    assert_eq!((run.seen, run.acted, run.failed), (1, 1, 0));
    assert_eq!(app.get(&path(&a_id, ""), Some(&staff)).await.1["status"], "awaiting_approval");
    assert_eq!(app.get(&path(&b_id, ""), Some(&staff)).await.1["status"], "awaiting_ruling", "an open objection waits for the ruling");
    assert_eq!(app.run_job("notice_close").await.seen, 0, "closed once");
    let (_, public) = app.get("/api/v1/public/notices", None).await;
    assert!(public["items"].as_array().unwrap().is_empty(), "closed notices leave the public list");

    // Acceptance 3: objections after the close are refused, and nothing is written.
    let before = snapshot(&app.db).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/public/notices/{id}/objections"),
            None,
            &json!({"application_id": a_id, "name": "钱七", "phone": "13800000000", "argument": "迟到的异议"}),
        )
        .await;
    assert_problem(status, &body, 409, "notice_closed");
    assert_eq!(snapshot(&app.db).await, before);

    // Dismissing B's objection lets it continue to approval; the objector is told.
    let (_, detail) = app.get(&format!("/api/v1/notices/{id}"), Some(&staff)).await;
    let objection = detail["objections"][0]["id"].as_str().unwrap();
    let (status, _) = app
        .post_json(
            &format!("/api/v1/objections/{objection}/ruling"),
            Some(&staff),
            &json!({"outcome": "dismissed", "ruling": "经核实，知识产权清晰。"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.get(&path(&b_id, ""), Some(&staff)).await.1["status"], "awaiting_approval");
    let (status, body) = app
        .post_json(&format!("/api/v1/objections/{objection}/ruling"), Some(&staff), &json!({"outcome": "upheld", "ruling": "再次处理"}))
        .await;
    assert_problem(status, &body, 409, "already_ruled");
    let mail = delivered(&app).await;
    assert!(mail.iter().any(|m| m.0 == "zhao@example.cn" && m.2.contains("异议不成立")), "{mail:?}");
}

#[tokio::test]
async fn objections_are_rate_limited_per_address_and_checked() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let (_, a_id, _, b_id, _) = under_review(&app, &staff).await;
    let (_, notice) =
        app.post_json("/api/v1/notices", Some(&staff), &json!({"title": "公示", "body": "公示", "application_ids": [a_id]})).await;
    let url = format!("/api/v1/public/notices/{}/objections", notice["id"].as_str().unwrap());
    let ok = json!({"application_id": a_id, "name": "某人", "phone": "13800000001", "argument": "理由"});
    let before = snapshot(&app.db).await;
    for (body, field) in [
        (json!({"application_id": b_id, "name": "某人", "phone": "13800000001", "argument": "理由"}), "application_id"),
        (json!({"application_id": a_id, "name": "某人", "argument": "理由"}), "phone"),
        (json!({"application_id": a_id, "name": "某人", "email": "not-an-email", "argument": "理由"}), "email"),
        (json!({"application_id": a_id, "name": "", "phone": "13800000001", "argument": "理由"}), "name"),
        (
            json!({"application_id": a_id, "name": "某人", "phone": "13800000001", "argument": "理由", "evidence": {"filename": "x.exe", "content_base64": "TVqQAAMAAAAEAAAA"}}),
            "evidence",
        ),
    ] {
        let (status, problem) = app.post_json(&url, None, &body).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    assert_eq!(app.post_json("/api/v1/public/notices/01900000-0000-7000-8000-000000000000/objections", None, &ok).await.0, 404);
    assert_eq!(snapshot(&app.db).await, before, "refused objections write nothing");
    for _ in 0..5 {
        assert_eq!(app.post_json(&url, None, &ok).await.0, 201);
    }
    let before = snapshot(&app.db).await;
    let (status, body) = app.post_json(&url, None, &ok).await;
    assert_problem(status, &body, 429, "too_many_objections");
    assert_eq!(snapshot(&app.db).await, before);
    app.clock.advance(chrono::TimeDelta::minutes(61));
    assert_eq!(app.post_json(&url, None, &ok).await.0, 201, "an hour later the address may object again");
}

/// Lists run a fixed number of statements whatever the number of notices and items (no N+1).
#[tokio::test]
async fn public_notices_and_application_lists_do_not_query_per_row() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let (_, a_id, _, b_id, _) = under_review(&app, &staff).await;
    let (status, _) = app.post_json("/api/v1/notices", Some(&staff), &json!({"title": "一", "body": "b", "application_ids": [a_id]})).await;
    assert_eq!(status, 201);
    let count = |path: &'static str| {
        let app = &app;
        async move {
            let before = app.query_count();
            let (status, body) = app.get(path, None).await;
            assert_eq!(status, 200, "{body}");
            app.query_count() - before
        }
    };
    let one = count("/api/v1/public/notices").await;
    let (status, _) = app.post_json("/api/v1/notices", Some(&staff), &json!({"title": "二", "body": "b", "application_ids": [b_id]})).await;
    assert_eq!(status, 201);
    let two = count("/api/v1/public/notices").await;
    assert_eq!(one, two, "public notices: {one} vs {two} statements");
    let before = app.query_count();
    let (_, list) = app.get("/api/v1/applications", Some(&staff)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(app.query_count() - before <= 3, "one statement for the page (plus the caller)");
}

/// Categories other than 3: one score and a recommendation; approval is 立项 (approved for development), not publication.
#[tokio::test]
async fn a_skill_research_project_is_scored_once_and_approved_for_development() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "skill_research").await;
    let school = app.applicant(OrgKind::VocationalCollege, "p@applicant.dg.cn").await;
    let body = json!({
        "call_id": call, "resource_kind": "integrated_case_course", "occupation_code": "6-18-01-01", "occupation_name": "车工",
        "title": "精密零件加工工学一体化案例课程", "description": "以企业技改项目为载体。",
        "leader": {"name": "李工", "title_level": "senior", "skill_level": "none"},
        "team": [{"name": "甲", "role": "technician", "qualification": "技师"}, {"name": "乙", "role": "teacher", "qualification": "讲师"},
                 {"name": "丙", "role": "engineer", "qualification": "工程师"}],
        "funding_source": "学校自筹"
    });
    let (id, _) = app.submitted_application(school.session(), &body).await;
    let experts = app.experts(&staff, &[None]).await;
    app.draw_panel(&staff, &id, 1).await;
    let e = &experts[0].session;
    let (status, body) = app.post_json(&path(&id, "/reviews"), Some(e), &json!({"score": 85, "recommendation": "recommend"})).await;
    assert_problem(status, &body, 409, "declaration_required");
    assert_eq!(app.post_json(&path(&id, "/declaration"), Some(e), &json!({"conflict": false})).await.0, 200);
    let before = snapshot(&app.db).await;
    for (review, field) in [
        (
            json!({"criteria": {"industry_match": 80, "wide_application": 80, "content_fit": 80, "flexible_mode": 80, "social_benefit": 80}}),
            "score",
        ),
        (json!({"score": 101, "recommendation": "recommend"}), "score"),
        (json!({"score": 85}), "recommendation"),
    ] {
        let (status, problem) = app.post_json(&path(&id, "/reviews"), Some(e), &review).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some(field)), "{problem}");
    }
    assert_eq!(snapshot(&app.db).await, before, "refused reviews write nothing");
    let (status, review) =
        app.post_json(&path(&id, "/reviews"), Some(e), &json!({"score": 85, "recommendation": "recommend", "comment": "案例真实"})).await;
    assert_eq!((status, review["score"].as_str()), (200, Some("85.00")), "{review}");
    let (_, panel) = app.get(&path(&id, "/panel"), Some(&staff)).await;
    assert_eq!(panel["score"]["mean"], "85.00");

    let (status, _) =
        app.post_json("/api/v1/notices", Some(&staff), &json!({"title": "拟立项公示", "body": "b", "application_ids": [id]})).await;
    assert_eq!(status, 201);
    app.set_now("2026-06-08T17:30:00+08:00").await;
    assert_eq!(app.run_job("notice_close").await.acted, 1, "the 17:30 tick closes it");
    let staff = app.login("bureau_staff", None).await;
    let (status, approved) = app.post_json(&path(&id, "/approve"), Some(&staff), &json!({})).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["application"]["status"], "approved_for_development");
    assert!(approved["resource"].is_null(), "development projects are not published yet (issue 7)");
    let (_, catalogue) = app.get("/api/v1/public/resources", None).await;
    assert!(catalogue["items"].as_array().unwrap().is_empty());
}
