//! Due dates of half-year reports end to end (DESIGN §5, §7; issue 4
//! acceptance 3): configured days after the period's end, moved off
//! holidays to the next working day.

use tests::{reports::report_path, spawn_app_with};

#[tokio::test]
async fn a_deadline_on_a_holiday_moves_to_the_next_working_day_and_submitting_then_is_on_time() {
    // 46 days after 31 December 2025 is Sunday 15 February 2026, inside the
    // Spring Festival (15–23 February): due Tuesday 24 February.
    let app = spawn_app_with(|s| s.reports.report_due_days = 46).await;
    let (mut f, mut staff) = app.alliance_registered_at("2025-11-03T09:00:00+08:00").await;
    app.travel("2026-02-24T16:00:00+08:00", &mut f, &mut staff).await;
    let (status, report) = app.get(&report_path(&f, "2025H2", ""), Some(&f.initiator.session)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["report_due"]["nominal"], "2026-02-15");
    assert_eq!(report["report_due"]["due"], "2026-02-24");
    assert_eq!(report["report_due"]["moved_because"], "法定节假日：春节");
    assert_eq!(report["report_due"]["explanation"], "2026-02-15为法定节假日：春节，顺延至2026-02-24");
    // Member rows keep the default 15 days: Thursday 15 January, not moved.
    assert_eq!(report["member_rows_due"]["due"], "2026-01-15");
    assert_eq!(report["member_rows_due"]["moved_because"], serde_json::Value::Null);
    assert_eq!((report["status"].as_str(), report["days_to_deadline"].as_i64()), (Some("not_started"), Some(0)));

    app.everyone_fills(&f, "2025H2").await;
    app.write_summary(&f, "2025H2").await;
    let (status, body) = app.submit_report(&f, "2025H2").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["status"].as_str(), body["late_days"].as_i64()), (Some("submitted"), Some(0)), "due day itself is on time");
    let (_, list) = app.get("/api/v1/reports?period=2025H2", Some(&staff)).await;
    assert_eq!(list["report_due"]["due"], "2026-02-24");
    assert_eq!(list["items"][0]["status"], "submitted");
}
