//! Issue 16 item 5: "与上期相同" confirms the standing figures of 附件2 only;
//! this period's 附件3 is entered, or answered in one step with
//! "本期无培训活动" (`entities::report::confirm`).

use entities::report::{DueRules, outstanding::outstanding_on};
use serde_json::json;
use tests::{
    Session, TestApp,
    alliances::Filing,
    db::{audit_count, snapshot},
    http::assert_problem,
    reports::{Row, report_path},
    spawn_app,
};
use uuid::Uuid;

/// An alliance registered in November 2025 that handed in 2025H2 (every
/// member filled `Row::simple`), on 5 July 2026.
async fn reported_2025h2(app: &TestApp) -> (Filing, Session, Vec<Row>) {
    let (mut f, mut staff) = app.alliance_registered_at("2025-11-03T09:00:00+08:00").await;
    app.travel("2026-01-10T09:00:00+08:00", &mut f, &mut staff).await;
    let previous = app.everyone_fills(&f, "2025H2").await;
    app.write_summary(&f, "2025H2").await;
    assert_eq!(app.submit_report(&f, "2025H2").await.0, 200);
    app.travel("2026-07-05T09:00:00+08:00", &mut f, &mut staff).await;
    (f, staff, previous)
}

#[tokio::test]
async fn same_as_last_period_leaves_this_periods_training_to_be_entered_and_no_activity_completes_it() {
    let app = spawn_app().await;
    let (f, staff, previous) = reported_2025h2(&app).await;

    // The research institute (last party, 2025H2 trainees 60) answers "与上期相同".
    let research = &f.research;
    let row_path = |rest: &str| report_path(&f, "2026H1", &format!("/rows/{}{rest}", research.id()));
    let (status, confirmed) = app.post_json(&row_path("/no-change"), Some(&research.session), &json!({})).await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(previous[5].progress[0], 60);
    assert_eq!(Row::from_json(&confirmed), Row { basic: previous[5].basic, progress: [0; 11] }, "no trainees copied");
    assert_eq!((confirmed["filled"].as_bool(), confirmed["progress_pending"].as_bool()), (Some(false), Some(true)));

    // The others fill; the report shows the research institute as pending, trainees not counted twice.
    let mut others = Vec::new();
    for (i, p) in f.parties().into_iter().filter(|p| p.id() != research.id()).enumerate() {
        let n = i64::try_from(i).unwrap() + 1;
        let row = Row::simple(100 * n, 7 * n);
        app.fill_row(&f, "2026H1", &p.session, p.id(), &row).await;
        others.push(row);
    }
    let (_, report) = app.get(&report_path(&f, "2026H1", ""), Some(&f.initiator.session)).await;
    assert_eq!((report["rows_required"].as_u64(), report["rows_filled"].as_u64()), (Some(6), Some(5)), "{report}");
    let member = report["members"].as_array().unwrap().iter().find(|m| m["organization"]["id"] == research.id()).unwrap();
    assert_eq!((member["filled"].as_bool(), member["progress_pending"].as_bool()), (Some(false), Some(true)));
    assert_eq!(report["totals"]["progress"]["trainees"], Row::sum(&others).progress[0]);

    // A reminder job still counts the row as owed, and the report cannot go in yet.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 7, 5).unwrap();
    let outstanding = outstanding_on(&app.db, DueRules::default(), today).await.unwrap();
    let h1 = outstanding.iter().find(|o| o.period.code() == "2026H1").unwrap();
    let owed: Vec<Uuid> = h1.missing_rows.iter().map(|m| m.organization_id).collect();
    assert_eq!(owed, [Uuid::parse_str(research.id()).unwrap()]);
    let before = snapshot(&app.db).await;
    let (status, body) = app.submit_report(&f, "2026H1").await;
    assert_problem(status, &body, 422, "report_incomplete");
    assert_eq!(body["errors"][0]["code"], "member_rows_missing", "{body}");

    // Only the member itself (or the initiator once it is late) answers for it.
    let (status, body) = app.post_json(&row_path("/no-activity"), Some(&staff), &json!({})).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = app.post_json(&row_path("/no-activity"), Some(&f.lead.session), &json!({})).await;
    assert_problem(status, &body, 404, "not_found");
    assert_eq!(snapshot(&app.db).await, before, "refusals change nothing");

    // "本期无培训活动" in one step: 附件3 all zero, 附件2 kept, the row filled.
    let (status, done) = app.post_json(&row_path("/no-activity"), Some(&research.session), &json!({})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(Row::from_json(&done), Row { basic: previous[5].basic, progress: [0; 11] });
    assert_eq!(
        (done["filled"].as_bool(), done["progress_pending"].as_bool(), done["copied_from"].as_str()),
        (Some(true), Some(false), Some("2025H2"))
    );
    assert_eq!(audit_count(&app.db, "report_row.no_activity", None).await, 1);
    let (status, body) = app.submit_report(&f, "2026H1").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("submitted")), "{body}");
    assert_eq!(body["totals"]["progress"]["trainees"], Row::sum(&others).progress[0], "{body}");
}

#[tokio::test]
async fn same_as_last_period_keeps_training_already_entered_this_period() {
    let app = spawn_app().await;
    let (f, _, previous) = reported_2025h2(&app).await;
    let lead = &f.lead;
    let entered = Row::simple(300, 25);
    app.fill_row(&f, "2026H1", &lead.session, lead.id(), &entered).await;
    let (status, confirmed) =
        app.post_json(&report_path(&f, "2026H1", &format!("/rows/{}/no-change", lead.id())), Some(&lead.session), &json!({})).await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(Row::from_json(&confirmed), Row { basic: previous[1].basic, progress: entered.progress });
    assert_eq!((confirmed["filled"].as_bool(), confirmed["progress_pending"].as_bool()), (Some(true), Some(false)));
}
