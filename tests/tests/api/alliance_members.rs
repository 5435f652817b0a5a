//! Alliances: who may see and change what, membership changes after
//! registration, numbering under concurrency, XLSX import, idempotent submit.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use entities::OrgKind;
use serde_json::json;
use tests::{
    alliances::form_body,
    db::{audit_count, snapshot},
    http::assert_problem,
    spawn_app,
};

/// Acceptance 3.
#[tokio::test]
async fn members_outsiders_and_experts_see_and_change_only_what_is_theirs() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let member = &f.training;
    let other_member = &f.research;

    // A member reads the alliance but cannot change it, nor another member's form.
    assert_eq!(app.get(&f.path(""), Some(&member.session)).await.0, 200);
    let (status, body) = app.patch_json(&f.path(""), Some(&member.session), &json!({"name": "篡改"})).await;
    assert_problem(status, &body, 403, "initiator_only");
    let (status, _) = app.put_json(&f.path(&format!("/members/{}/form", other_member.id())), Some(&member.session), &form_body(10)).await;
    assert_eq!(status, 404);
    assert_eq!(app.put_json(&f.path(&format!("/members/{}/form", member.id())), Some(&member.session), &form_body(10)).await.0, 200);
    assert_eq!(app.get(&f.path(&format!("/members/{}/form", other_member.id())), Some(&member.session)).await.0, 404);
    assert_eq!(app.post_json(&f.path("/submit"), Some(&member.session), &json!({})).await.0, 403);
    assert_eq!(app.post_json(&f.path("/members"), Some(&member.session), &json!({"organization_id": member.id()})).await.0, 403);
    assert_eq!(app.get(&f.path("/member-forms/template.xlsx"), Some(&member.session)).await.0, 403);

    // The initiator fills a late member's form on its behalf, recorded as such.
    let (status, form) =
        app.put_json(&f.path(&format!("/members/{}/form", other_member.id())), Some(&f.initiator.session), &form_body(30)).await;
    assert_eq!((status, form["filled_by_initiator"].as_bool()), (200, Some(true)));

    // An unrelated organisation gets 404 on everything of the alliance.
    let (outsider, _) = app.org_user(OrgKind::Enterprise).await;
    let expert = app.login("expert", None).await;
    let staff = app.login("bureau_staff", None).await;
    let before = snapshot(&app.db).await;
    assert_eq!(app.get(&f.path(""), Some(&outsider)).await.0, 404);
    assert_eq!(app.patch_json(&f.path(""), Some(&outsider), &json!({"name": "x"})).await.0, 404);
    assert_eq!(app.post_json(&f.path("/submit"), Some(&outsider), &json!({})).await.0, 404);
    assert_eq!(app.post_json(&f.path("/charter/sign"), Some(&outsider), &json!({})).await.0, 404);
    assert_eq!(app.get(&f.path(&format!("/members/{}/form", member.id())), Some(&outsider)).await.0, 404);
    assert_eq!(app.put_json(&f.path(&format!("/members/{}/form", member.id())), Some(&outsider), &form_body(10)).await.0, 404);
    assert_eq!(app.get(&f.path("/member-forms/template.xlsx"), Some(&outsider)).await.0, 404);
    let (_, list) = app.get("/api/v1/alliances", Some(&outsider)).await;
    assert!(list["items"].as_array().unwrap().is_empty());

    // An expert sees nothing of it.
    assert_eq!(app.get(&f.path(""), Some(&expert)).await.0, 403);
    assert_eq!(app.get("/api/v1/alliances", Some(&expert)).await.0, 403);
    assert_eq!(
        app.post_json("/api/v1/alliances", Some(&expert), &json!({"name": "x", "industry": "x", "lead_organization_id": member.id()}))
            .await
            .0,
        403
    );

    // Bureau staff review but do not file or fill.
    assert_eq!(app.put_json(&f.path(&format!("/members/{}/form", member.id())), Some(&staff), &form_body(10)).await.0, 403);
    assert_eq!(
        app.post_json(&f.path("/return"), Some(&f.initiator.session), &json!({"reasons": [{"item": "x", "reason": "y"}]})).await.0,
        403
    );
    assert_eq!(app.post_json(&f.path("/register"), Some(&f.initiator.session), &json!({})).await.0, 403);
    assert_eq!(snapshot(&app.db).await, before, "refusals wrote nothing");

    // Members see the alliance in their list.
    let (_, list) = app.get("/api/v1/alliances", Some(&member.session)).await;
    assert_eq!(list["items"][0]["id"], f.id.as_str());
}

/// Acceptance 4: numbers are consecutive, never duplicated or skipped.
#[tokio::test]
async fn concurrent_registrations_get_distinct_consecutive_numbers() {
    let app = spawn_app().await;
    let first = app.file_alliance().await;
    let s = &first.initiator.session;
    let staff = app.login("bureau_staff", None).await;
    let members: Vec<&str> = first.parties().iter().skip(2).map(|p| p.id()).collect();
    let docs = [app.upload_pdf(s, "a.pdf").await, app.upload_pdf(s, "c.pdf").await, app.upload_pdf(s, "l.pdf").await];
    let mut ids = vec![first.id.clone()];
    for n in 1..20 {
        let (status, body) = app
            .post_json(
                "/api/v1/alliances",
                Some(s),
                &json!({"name": format!("东莞市第{n}职业培训联盟"), "industry": "智能装备制造", "lead_organization_id": first.lead.id(), "member_organization_ids": members,
                    "agreement_document_id": docs[0], "charter_document_id": docs[1], "licence_document_id": docs[2], "report_text": "报告"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        for p in first.parties() {
            assert_eq!(
                app.put_json(&format!("/api/v1/alliances/{id}/members/{}/form", p.id()), Some(&p.session), &form_body(40)).await.0,
                200
            );
            assert_eq!(app.post_json(&format!("/api/v1/alliances/{id}/charter/sign"), Some(&p.session), &json!({})).await.0, 200);
        }
        assert_eq!(app.post_json(&format!("/api/v1/alliances/{id}/submit"), Some(s), &json!({})).await.0, 200);
    }
    let calls = ids.iter().map(|id| {
        let (app, staff) = (&app, &staff);
        async move { app.post_json(&format!("/api/v1/alliances/{id}/register"), Some(staff), &json!({})).await }
    });
    let results = futures::future::join_all(calls).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["registration_no"].as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("DGLM-2026-{n:04}")).collect();
    assert_eq!(numbers, expected);
}

/// Acceptance 5.
#[tokio::test]
async fn a_member_leaving_breaks_the_composition_and_tells_initiator_and_bureau() {
    let app = spawn_app().await;
    let (f, staff) = app.registered_alliance().await;
    let before_notes = count(&app, "notifications").await;
    let (status, body) = app
        .post_json(
            &f.path(&format!("/members/{}/leave", f.research.id())),
            Some(&f.initiator.session),
            &json!({"effective_date": "2026-06-15", "reason": "业务调整"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["composition_warnings"], json!(["missing_research_institute"]));
    assert!(body["warnings"][0]["message"].as_str().unwrap().contains("科研机构"));
    let research = body["members"].as_array().unwrap().iter().find(|m| m["organization"]["id"] == f.research.id()).unwrap();
    assert_eq!(
        (research["left_on"].as_str(), research["current"].as_bool()),
        (Some("2026-06-15"), Some(true)),
        "still a member until the date"
    );

    // The initiator's users and the bureau have a notification.
    assert!(count(&app, "notifications").await >= before_notes + 2);
    let (_, notes) = app.get("/api/v1/notifications", Some(&f.initiator.session)).await;
    assert!(notes.to_string().contains("成员构成"), "{notes}");
    let (_, notes) = app.get("/api/v1/notifications", Some(&staff)).await;
    assert!(notes.to_string().contains("成员构成"), "{notes}");
    assert_eq!(audit_count(&app.db, "alliance.member_left", Some(&f.id)).await, 1);
    assert_eq!(audit_count(&app.db, "alliance.composition_checked", Some(&f.id)).await, 1);

    // A new research institute joins: the warning clears.
    let newcomer = app.party(OrgKind::ResearchInstitute).await;
    let (status, body) = app
        .post_json(
            &f.path("/members"),
            Some(&f.initiator.session),
            &json!({"organization_id": newcomer.id(), "effective_date": "2026-06-20"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["composition_warnings"], json!(["missing_research_institute"]), "pending until its form and signature are in");
    // The joining member fills its form and signs: the warning clears.
    assert_eq!(app.put_json(&f.path(&format!("/members/{}/form", newcomer.id())), Some(&newcomer.session), &form_body(20)).await.0, 200);
    assert_eq!(app.post_json(&f.path("/charter/sign"), Some(&newcomer.session), &json!({})).await.0, 200);
    let (_, body) = app.get(&f.path(""), Some(&staff)).await;
    assert_eq!(body["composition_warnings"], json!([]));
    let (status, body) = app.post_json(&f.path("/members"), Some(&f.initiator.session), &json!({"organization_id": newcomer.id()})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("effective_date")));
    // The initiator and the lead never leave.
    let (status, body) =
        app.post_json(&f.path(&format!("/members/{}/leave", f.lead.id())), Some(&staff), &json!({"effective_date": "2026-07-01"})).await;
    assert_problem(status, &body, 422, "initiator_or_lead_cannot_leave");
    // Suspend and dissolve need a reason.
    let (status, body) = app.post_json(&f.path("/suspend"), Some(&staff), &json!({})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("reason")));
    assert_eq!(app.post_json(&f.path("/suspend"), Some(&staff), &json!({"reason": "半年度报送逾期"})).await.1["status"], "suspended");
    assert_eq!(app.post_json(&f.path("/dissolve"), Some(&staff), &json!({"reason": "联盟申请解散"})).await.1["status"], "dissolved");
    let (_, public) = app.get("/api/v1/public/alliances", None).await;
    assert!(public["items"].as_array().unwrap().is_empty(), "dissolved alliances leave the directory");
}

async fn count(app: &tests::TestApp, table: &str) -> i64 {
    snapshot(&app.db).await.into_iter().find(|(k, _)| *k == format!("{table}.rows")).map_or(0, |(_, v)| v)
}

/// Acceptance 6: template → filled with rust_xlsxwriter → import; one bad cell → nothing.
#[tokio::test]
async fn member_forms_round_trip_through_the_xlsx_template() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let s = &f.initiator.session;
    let resp = app.send(app.request(reqwest::Method::GET, &f.path("/member-forms/template.xlsx"), Some(s))).await;
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let headers: Vec<String> = (0..23).map(|c| sheet.get_value((1, c)).map(ToString::to_string).unwrap_or_default()).collect();
    assert_eq!(headers[0], "统一社会信用代码");
    assert_eq!(headers[10], "职工总数（人）");
    let codes: Vec<String> = (2..8).map(|r| sheet.get_value((r, 0)).map(ToString::to_string).unwrap_or_default()).collect();
    assert_eq!(codes.len(), 6);
    assert!(matches!(sheet.get_value((8, 0)), None | Some(Data::Empty)), "one row per member");

    let fill = |bad_cell: bool| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "职业培训联盟成员单位登记表").unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(1, u16::try_from(c).unwrap(), h).unwrap();
        }
        for (i, code) in codes.iter().enumerate() {
            let r = 2 + u32::try_from(i).unwrap();
            for (c, v) in [
                code.as_str(),
                "名称",
                "东莞市东城区莞龙路88号",
                "523000",
                "office@example.dg.cn",
                "王法人",
                "赵联系",
                "0769-23456789",
                "13712345678",
            ]
            .iter()
            .enumerate()
            {
                ws.write_string(r, u16::try_from(c).unwrap(), *v).unwrap();
            }
            let total = 100.0 + f64::from(u32::try_from(i).unwrap());
            ws.write_number(r, 10, total).unwrap();
            ws.write_number(r, 11, 10.0).unwrap();
            ws.write_number(r, 21, 50.0).unwrap();
        }
        if bad_cell {
            ws.write_string(4, 10, "一百").unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let upload = |bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("附件1.xlsx");
        app.request(reqwest::Method::POST, &f.path("/member-forms/import"), Some(s))
            .multipart(reqwest::multipart::Form::new().part("file", part))
    };

    let before = snapshot(&app.db).await;
    let resp = app.send(upload(fill(true))).await;
    assert_eq!(resp.status(), 422);
    let problem: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "第5行第K列（职工总数（人））");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("整数"));
    assert_eq!(snapshot(&app.db).await, before, "nothing created");

    let resp = app.send(upload(fill(false))).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["imported"], 6);
    let (status, form) = app.get(&f.path(&format!("/members/{}/form", f.research.id())), Some(s)).await;
    assert_eq!(status, 200);
    assert_eq!(
        (form["total_staff"].as_i64(), form["general_workers"].as_i64(), form["filled_by_initiator"].as_bool()),
        (Some(105), Some(50), Some(true))
    );
    assert_eq!(audit_count(&app.db, "member_form.saved", None).await, 6);
}

#[tokio::test]
async fn submit_with_an_idempotency_key_answers_a_retry_like_the_first_call() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    app.complete_filing(&f).await;
    let submit = |key: Option<&'static str>| {
        let mut req = app.request(reqwest::Method::POST, &f.path("/submit"), Some(&f.initiator.session)).json(&json!({}));
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        req
    };
    assert_eq!(app.send(submit(Some("submit-1"))).await.status(), 200);
    let again = app.send(submit(Some("submit-1"))).await;
    assert_eq!(again.status(), 200, "retry with the same key");
    assert_eq!(audit_count(&app.db, "alliance.submitted", Some(&f.id)).await, 1, "acted once");
    let plain = app.send(submit(None)).await;
    assert_eq!(plain.status(), 409, "a second submission without the key is a state conflict");
}

#[tokio::test]
async fn drafts_take_if_match_and_refuse_bad_input() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let s = &f.initiator.session;
    let resp = app
        .send(app.request(reqwest::Method::PATCH, &f.path(""), Some(s)).header("If-Match", "\"1\"").json(&json!({"industry": "高端装备"})))
        .await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .send(app.request(reqwest::Method::PATCH, &f.path(""), Some(s)).header("If-Match", "1").json(&json!({"industry": "旧版本"})))
        .await;
    assert_eq!(resp.status(), 409);
    let before = snapshot(&app.db).await;
    let (status, body) = app.patch_json(&f.path(""), Some(s), &json!({"name": ""})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("name")));
    let (status, body) = app.patch_json(&f.path(""), Some(s), &json!({"lead_organization_id": uuid::Uuid::now_v7()})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("lead_organization_id")));
    let (other, _) = app.org_user(OrgKind::Enterprise).await;
    let foreign_doc = app.upload_pdf(&other, "x.pdf").await;
    let before_doc = snapshot(&app.db).await;
    let (status, body) = app.patch_json(&f.path(""), Some(s), &json!({"charter_document_id": foreign_doc})).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("charter_document_id")),
        "another organisation's document cannot be attached"
    );
    assert_eq!(snapshot(&app.db).await, before_doc);
    let mut bad = form_body(10);
    bad["total_staff"] = json!(-1);
    let (status, _) = app.put_json(&f.path(&format!("/members/{}/form", f.lead.id())), Some(&f.lead.session), &bad).await;
    assert_eq!(status, 422);
    bad["total_staff"] = json!(10_000_001);
    let (status, _) = app.put_json(&f.path(&format!("/members/{}/form", f.lead.id())), Some(&f.lead.session), &bad).await;
    assert_eq!(status, 422);
    bad["total_staff"] = json!("100");
    let (status, _) = app.put_json(&f.path(&format!("/members/{}/form", f.lead.id())), Some(&f.lead.session), &bad).await;
    assert_eq!(status, 422, "a count as text is refused naming the field");
    let _ = before;
}

#[tokio::test]
async fn policy_documents_are_kept_by_the_admin_and_flag_expiry() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let staff = app.login("bureau_staff", None).await;
    let (_, list) = app.get("/api/v1/policies", Some(&staff)).await;
    let states: Vec<(&str, &str)> =
        list.as_array().unwrap().iter().map(|p| (p["governs"].as_str().unwrap(), p["state"].as_str().unwrap())).collect();
    assert_eq!(states, [("alliance_filing", "expired"), ("skill_resource", "valid")]);
    app.set_now("2027-10-15T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (_, list) = app.get("/api/v1/policies", Some(&staff)).await;
    assert_eq!(list[1]["state"], "expires_soon");
    assert!(list[1]["message"].as_str().unwrap().contains("77天"), "{}", list[1]["message"]);
    let body = json!({"title": "关于延续职业培训联盟建设实施意见的通知", "number": "东人社规〔2026〕9号", "issuer": "东莞市人力资源和社会保障局", "effective_from": "2026-07-01", "valid_until": "2028-12-31", "governs": "alliance_filing"});
    assert_eq!(app.post_json("/api/v1/policies", Some(&staff), &body).await.0, 403);
    let admin = app.login_as(&admin.username, tests::ADMIN_PASSWORD).await;
    let (status, created) = app.post_json("/api/v1/policies", Some(&admin), &body).await;
    assert_eq!((status, created["state"].as_str()), (201, Some("valid")));
    let mut bad = body.clone();
    bad["valid_until"] = json!("2020-01-01");
    let (status, problem) = app.post_json("/api/v1/policies", Some(&admin), &bad).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("valid_until")));
    assert_eq!(audit_count(&app.db, "policy.created", None).await, 1);
}

#[tokio::test]
async fn only_the_bureau_records_and_reads_sanctions() {
    let app = spawn_app().await;
    let (user, org) = app.org_user(OrgKind::TrainingInstitution).await;
    let body = json!({"organization_id": org["id"], "kind": "fraud_development", "confirmed_on": "2026-05-01", "description": "开发过程中弄虚作假"});
    assert_eq!(app.post_json("/api/v1/sanctions", Some(&user), &body).await.0, 403);
    assert_eq!(app.get("/api/v1/sanctions", Some(&user)).await.0, 403);
    let staff = app.login("bureau_staff", None).await;
    let mut future = body.clone();
    future["confirmed_on"] = json!("2026-07-01");
    assert_eq!(app.post_json("/api/v1/sanctions", Some(&staff), &future).await.0, 422);
    // Each field is named as the sanction's, not as an organisation's (单位类型, 简介).
    let msg = |p: &serde_json::Value, field: &str| {
        p["errors"].as_array().unwrap().iter().find(|e| e["field"] == field).map(|e| e["message"].as_str().unwrap().to_string())
    };
    let (status, p) = app
        .post_json("/api/v1/sanctions", Some(&staff), &json!({"organization_id": org["id"], "kind": "fine", "confirmed_on": "2026-05-01"}))
        .await;
    assert_eq!(status, 422, "{p}");
    assert!(msg(&p, "kind").is_some_and(|m| m.starts_with("处理类型：取值须为以下之一")), "{p}");
    assert_eq!(msg(&p, "description").as_deref(), Some("违规情况及处理依据：缺少必填项"), "{p}");
    let mut blank = body.clone();
    blank["description"] = json!("   ");
    let (status, p) = app.post_json("/api/v1/sanctions", Some(&staff), &blank).await;
    assert_eq!(status, 422, "{p}");
    assert!(msg(&p, "description").is_some_and(|m| m.starts_with("违规情况及处理依据：")), "{p}");
    // The organisation's own form keeps its labels.
    let (status, p) = app.post_json("/api/v1/organizations", Some(&staff), &json!({"name": "东莞市样例有限公司", "kind": "factory"})).await;
    assert_eq!(status, 422, "{p}");
    assert!(msg(&p, "kind").is_some_and(|m| m.starts_with("单位类型：")), "{p}");
    let (status, s) = app.post_json("/api/v1/sanctions", Some(&staff), &body).await;
    assert_eq!((status, s["ban_until"].as_str(), s["kind_label"].as_str()), (201, Some("2031-05-01"), Some("开发过程中弄虚作假")));
    let (_, list) = app.get(&format!("/api/v1/sanctions?organization_id={}", org["id"].as_str().unwrap()), Some(&staff)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(audit_count(&app.db, "sanction.recorded", None).await, 1);
}

/// No N+1: the detail costs the same number of statements with 6 or 50 members.
#[tokio::test]
async fn alliance_detail_costs_a_fixed_number_of_queries() {
    let app = spawn_app().await;
    let f = app.file_alliance().await;
    let s = &f.initiator.session;
    let measure = || async {
        let before = app.query_count();
        let (status, body) = app.get(&f.path(""), Some(s)).await;
        assert_eq!(status, 200);
        (app.query_count() - before, body["members"].as_array().unwrap().len())
    };
    let (small, n) = measure().await;
    assert_eq!(n, 6);
    let admin = app.admin().await;
    for i in 0..44 {
        let (status, org) = app
            .post_json("/api/v1/organizations", Some(&admin), &tests::org_body(&format!("东莞市成员企业{i}"), OrgKind::Enterprise))
            .await;
        assert_eq!(status, 201);
        let (status, _) = app.post_json(&f.path("/members"), Some(s), &json!({"organization_id": org["id"]})).await;
        assert_eq!(status, 200);
    }
    let (large, n) = measure().await;
    assert_eq!(n, 50);
    assert_eq!(small, large, "statements per detail request must not grow with members");
    assert!(large <= 10, "{large} statements for one detail");
    eprintln!("GET /alliances/{{id}}: {large} statements (6 and 50 members)");
}
