//! The member list of a period (joins and leaves within it), the bureau's
//! list paged and filtered by the database (and agreeing with each report),
//! and the outstanding items a reminder job reads.

use entities::{
    OrgKind,
    report::{DueRules, Period, Standing, outstanding::outstanding_on},
};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::{
    reports::{Row, report_path},
    spawn_app,
};
use uuid::Uuid;

fn member<'a>(report: &'a Value, org: &str) -> Option<&'a Value> {
    report["members"].as_array().unwrap().iter().find(|m| m["organization"]["id"] == org)
}

#[tokio::test]
async fn the_member_list_is_the_membership_at_period_end_with_joins_and_leaves_and_reminders_see_what_is_missing() {
    let app = spawn_app().await;
    let (mut f, mut staff) = app.alliance_registered_at("2025-11-03T09:00:00+08:00").await;
    app.travel("2026-03-02T09:00:00+08:00", &mut f, &mut staff).await;
    let mut newcomer = app.party(OrgKind::VocationalCollege).await;
    let (status, body) = app
        .post_json(
            &f.path("/members"),
            Some(&f.initiator.session),
            &json!({"organization_id": newcomer.id(), "effective_date": "2026-03-01"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.complete_join(&f, &newcomer).await;
    let (status, body) = app
        .post_json(&f.path(&format!("/members/{}/leave", f.enterprises[1].id())), Some(&staff), &json!({"effective_date": "2026-04-01"}))
        .await;
    assert_eq!(status, 200, "{body}");

    app.travel("2026-07-05T09:00:00+08:00", &mut f, &mut staff).await;
    newcomer.session = app.login_as(&newcomer.session.username, tests::USER_PASSWORD).await;
    let leaver = f.enterprises[1].clone();
    let (status, report) = app.get(&report_path(&f, "2026H1", ""), Some(&f.initiator.session)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rows_required"], 6);
    let joined = member(&report, newcomer.id()).unwrap();
    assert_eq!((joined["joined_in_period"].as_bool(), joined["required"].as_bool()), (Some(true), Some(true)));
    let left = member(&report, leaver.id()).unwrap();
    assert_eq!((left["left_in_period"].as_bool(), left["required"].as_bool()), (Some(true), Some(false)));
    assert_eq!(left["left_on"], "2026-04-01");
    // In 2025H2 the leaver was still a member and the newcomer was not yet.
    let (_, earlier) = app.get(&report_path(&f, "2025H2", ""), Some(&f.initiator.session)).await;
    assert!(member(&earlier, newcomer.id()).is_none());
    assert_eq!(member(&earlier, leaver.id()).unwrap()["required"], true);
    // A unit that left before the period's end does not fill it.
    let (status, _) = app
        .put_json(&report_path(&f, "2026H1", &format!("/rows/{}", leaver.id())), Some(&leaver.session), &Row::simple(10, 1).body())
        .await;
    assert_eq!(status, 404);
    // The newcomer has no earlier report: its 附件2 prefill is its joining form (附件1, 20 staff).
    let (_, row) = app.get(&report_path(&f, "2026H1", &format!("/rows/{}", newcomer.id())), Some(&newcomer.session)).await;
    assert_eq!((row["prefilled_from"].as_str(), row["basic"]["total_staff"].as_i64()), (Some("member_form"), Some(20)));
    app.fill_row(&f, "2026H1", &newcomer.session, newcomer.id(), &Row::simple(120, 30)).await;

    // What a reminder job sees on 20 July: 2025H2 never started (overdue), 2026H1 in progress with five rows missing.
    app.travel("2026-07-20T09:00:00+08:00", &mut f, &mut staff).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 7, 20).unwrap();
    let outstanding = outstanding_on(&app.db, DueRules::default(), today).await.unwrap();
    let periods: Vec<String> = outstanding.iter().map(|o| o.period.code()).collect();
    assert_eq!(periods, ["2025H2", "2026H1", "2026H2"]);
    let alliance = Uuid::parse_str(&f.id).unwrap();
    let h2 = &outstanding[0];
    assert_eq!(h2.deadlines.report.due.to_string(), "2026-02-02");
    assert_eq!(h2.open_reports.len(), 1);
    assert_eq!(
        (h2.open_reports[0].alliance_id, h2.open_reports[0].standing, h2.open_reports[0].missing_rows),
        (alliance, Standing::Overdue, 6)
    );
    let h1 = &outstanding[1];
    assert_eq!(h1.period, Period::parse("period", "2026H1").unwrap());
    assert_eq!(h1.deadlines.member_rows.due.to_string(), "2026-07-15");
    assert_eq!((h1.open_reports[0].standing, h1.open_reports[0].missing_rows), (Standing::InProgress, 5));
    let missing: Vec<Uuid> = h1.missing_rows.iter().map(|m| m.organization_id).collect();
    assert_eq!(missing.len(), 5);
    for id in [newcomer.id(), leaver.id()] {
        assert!(!missing.contains(&Uuid::parse_str(id).unwrap()), "{id} owes no row");
    }
    assert!(h1.missing_rows.iter().all(|m| m.alliance_id == alliance && m.initiator_org_id.to_string() == f.initiator.id()));
}

#[tokio::test]
async fn the_bureau_list_pages_and_filters_in_sql_and_agrees_with_each_report() {
    let app = spawn_app().await;
    let mut alliances = Vec::new();
    for _ in 0..3 {
        alliances.push(app.alliance_registered_at("2025-11-03T09:00:00+08:00").await);
    }
    app.set_now("2026-01-20T09:00:00+08:00").await;
    let mut sessions = Vec::new();
    for (f, staff) in &mut alliances {
        app.travel("2026-01-20T09:00:00+08:00", f, staff).await;
        sessions.push(staff.clone());
    }
    let staff = sessions[0].clone();
    // The first does nothing, the second starts, the third submits.
    let (b, _) = &alliances[1];
    app.fill_row(b, "2025H2", &b.lead.session, b.lead.id(), &Row::simple(50, 5)).await;
    let (c, _) = &alliances[2];
    app.everyone_fills(c, "2025H2").await;
    app.write_summary(c, "2025H2").await;
    assert_eq!(app.submit_report(c, "2025H2").await.0, 200);

    let (status, first) = app.get("/api/v1/reports?period=2025H2&limit=2", Some(&staff)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app.get(&format!("/api/v1/reports?period=2025H2&limit=2&cursor={cursor}"), Some(&staff)).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);
    let items: Vec<Value> = first["items"].as_array().unwrap().iter().chain(second["items"].as_array().unwrap()).cloned().collect();
    for item in &items {
        let (_, report) =
            app.get(&format!("/api/v1/alliances/{}/reports/2025H2", item["alliance_id"].as_str().unwrap()), Some(&staff)).await;
        assert_eq!(item["status"], report["status"], "list and report agree");
    }
    let statuses: Vec<&str> = alliances
        .iter()
        .map(|(f, _)| items.iter().find(|i| i["alliance_id"] == f.id.as_str()).unwrap()["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["not_started", "in_progress", "submitted"]);
    let not_started = items.iter().find(|i| i["status"] == "not_started").unwrap();
    assert_eq!((not_started["days_to_deadline"].as_i64(), not_started["days_overdue"].as_i64()), (Some(13), None));

    let (_, filtered) = app.get("/api/v1/reports?period=2025H2&status=in_progress", Some(&staff)).await;
    let ids: Vec<&str> = filtered["items"].as_array().unwrap().iter().map(|i| i["alliance_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [b.id.as_str()]);
    assert_eq!(filtered["items"][0]["rows_filled"], 1);
    let (_, none) = app.get("/api/v1/reports?period=2025H2&name=不存在的联盟", Some(&staff)).await;
    assert!(none["items"].as_array().unwrap().is_empty());
    let (_, industry) = app.get("/api/v1/reports?period=2025H2&industry=智能装备制造&limit=200", Some(&staff)).await;
    assert_eq!(industry["items"].as_array().unwrap().len(), 3);
}

/// No N+1: a report, its export and the bureau's list cost the same number
/// of statements whatever the number of members and alliances.
#[tokio::test]
async fn report_reads_cost_a_fixed_number_of_queries() {
    let app = spawn_app().await;
    let (f, staff) = app.registered_alliance().await;
    app.everyone_fills(&f, "2026H1").await;
    let s = &f.initiator.session;
    let count = |path: String, session: tests::Session| {
        let app = &app;
        async move {
            let before = app.query_count();
            let resp = app.send(app.request(reqwest::Method::GET, &path, Some(&session))).await;
            assert_eq!(resp.status(), 200, "{path}");
            let _ = resp.bytes().await;
            app.query_count() - before
        }
    };
    let detail = report_path(&f, "2026H1", "");
    let export = report_path(&f, "2026H1", "/export.xlsx");
    let list = "/api/v1/reports?period=2026H1".to_string();
    let small = (count(detail.clone(), s.clone()).await, count(export.clone(), s.clone()).await, count(list.clone(), staff.clone()).await);

    let admin = app.admin().await;
    for i in 0..12 {
        let (status, org) = app
            .post_json("/api/v1/organizations", Some(&admin), &tests::org_body(&format!("东莞市新加盟企业{i}"), OrgKind::Enterprise))
            .await;
        assert_eq!(status, 201);
        let (status, body) =
            app.post_json(&f.path("/members"), Some(s), &json!({"organization_id": org["id"], "effective_date": "2026-06-01"})).await;
        assert_eq!(status, 200, "{body}");
    }
    // These units have no accounts to sign with; their joins are completed directly
    // (completing a join is tested in alliance_fidelity.rs).
    app.db.execute_unprepared("UPDATE alliance_members SET pending = false").await.unwrap();
    app.registered_alliance().await;
    app.registered_alliance().await;
    let (_, report) = app.get(&detail, Some(s)).await;
    assert_eq!(report["rows_required"], 18);
    let (_, listed) = app.get(&list, Some(&staff)).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);
    let large = (count(detail, s.clone()).await, count(export, s.clone()).await, count(list, staff.clone()).await);
    assert_eq!(small, large, "statements must not grow with members or alliances");
    assert!(large.0 <= 12 && large.1 <= 12 && large.2 <= 8, "{large:?}");
    eprintln!("report detail / export / bureau list: {large:?} statements");
}
