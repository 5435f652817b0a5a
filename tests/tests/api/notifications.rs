//! In-app notifications: each user lists and marks only its own; unread
//! filter and count; paging newest first.

use chrono::TimeDelta;
use serde_json::json;
use tests::{TestApp, default_now, http::assert_problem, spawn_app};
use uuid::Uuid;

async fn notify(app: &TestApp, user: Uuid, title: &str, minutes: i64) -> Uuid {
    let now = default_now() + TimeDelta::minutes(minutes);
    jobs::notify::create(
        &app.db,
        user,
        "alliance_composition",
        title,
        "联盟成员构成已不满足备案条件，请尽快补充。",
        Some("/api/v1/alliances/x"),
        now,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn users_see_and_mark_only_their_own_notifications() {
    let app = spawn_app().await;
    let (alice, alice_s) = app.user_with_email("bureau_staff", "alice@example.dg.cn", "甲").await;
    let (bob, bob_s) = app.user_with_email("bureau_staff", "bob@example.dg.cn", "乙").await;
    let a1 = notify(&app, alice, "第一条通知", 0).await;
    let a2 = notify(&app, alice, "第二条通知", 1).await;
    let a3 = notify(&app, alice, "第三条通知", 2).await;
    let b1 = notify(&app, bob, "给乙的通知", 0).await;

    let (status, page) = app.get("/api/v1/notifications", Some(&alice_s)).await;
    assert_eq!(status, 200, "{page}");
    let titles: Vec<&str> = page["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["第三条通知", "第二条通知", "第一条通知"], "own only, newest first");
    assert_eq!(page["items"][0]["link"], "/api/v1/alliances/x");
    assert_eq!(page["items"][0]["kind"], "alliance_composition");
    let (_, count) = app.get("/api/v1/notifications/unread-count", Some(&alice_s)).await;
    assert_eq!(count["unread"], 3);

    // Paging.
    let (_, first) = app.get("/api/v1/notifications?limit=2", Some(&alice_s)).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app.get(&format!("/api/v1/notifications?limit=2&cursor={cursor}"), Some(&alice_s)).await;
    assert_eq!(second["items"][0]["id"], a1.to_string());
    assert!(second["next_cursor"].is_null());

    // Bob cannot read or mark Alice's: it does not exist for him.
    let (status, body) = app.post_json(&format!("/api/v1/notifications/{a1}/read"), Some(&bob_s), &json!({})).await;
    assert_problem(status, &body, 404, "not_found");
    let (status, body) = app.post_json(&format!("/api/v1/notifications/{}/read", Uuid::now_v7()), Some(&bob_s), &json!({})).await;
    assert_problem(status, &body, 404, "not_found");

    app.clock.advance(TimeDelta::minutes(5));
    let (status, read) = app.post_json(&format!("/api/v1/notifications/{a2}/read"), Some(&alice_s), &json!({})).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["read_at"], "2026-06-01T01:05:00+00:00");
    app.clock.advance(TimeDelta::minutes(5));
    let (_, again) = app.post_json(&format!("/api/v1/notifications/{a2}/read"), Some(&alice_s), &json!({})).await;
    assert_eq!(again["read_at"], "2026-06-01T01:05:00+00:00", "marking twice keeps the first time");

    let (_, unread) = app.get("/api/v1/notifications?unread=true", Some(&alice_s)).await;
    let ids: Vec<&str> = unread["items"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [a3.to_string(), a1.to_string()]);

    // "Mark all read" as of what the user saw: a notification arriving since stays unread.
    let late = notify(&app, alice, "刚到的通知", 3).await;
    let (status, all) = app.post_json("/api/v1/notifications/read-all", Some(&alice_s), &json!({"up_to": a3})).await;
    assert_eq!((status, all["marked_read"].as_i64()), (200, Some(2)));
    let (_, count) = app.get("/api/v1/notifications/unread-count", Some(&alice_s)).await;
    assert_eq!(count["unread"], 1);
    let (status, all) = app.post_json("/api/v1/notifications/read-all", Some(&alice_s), &json!({})).await;
    assert_eq!((status, all["marked_read"].as_i64()), (200, Some(1)));
    let _ = late;
    let (_, count) = app.get("/api/v1/notifications/unread-count", Some(&alice_s)).await;
    assert_eq!(count["unread"], 0);
    let (_, count) = app.get("/api/v1/notifications/unread-count", Some(&bob_s)).await;
    assert_eq!(count["unread"], 1, "Bob's own are untouched");
    let (_, bobs) = app.get("/api/v1/notifications", Some(&bob_s)).await;
    assert_eq!(bobs["items"][0]["id"], b1.to_string());
    assert!(bobs["items"][0]["read_at"].is_null());

    let (status, body) = app.get("/api/v1/notifications", None).await;
    assert_problem(status, &body, 401, "unauthorized");
    let (status, body) = app.get("/api/v1/notifications?limit=500", Some(&alice_s)).await;
    assert_problem(status, &body, 422, "validation_failed");
}

#[tokio::test]
async fn the_weekly_digest_goes_to_bureau_accounts_only_when_there_is_something_to_say() {
    let app = spawn_app().await;
    let (_, staff) = app.user_with_email("bureau_staff", "staff@example.dg.cn", "业务科").await;
    app.user_with_email("bureau_admin", "admin2@example.dg.cn", "信息科").await;
    app.user_with_email("expert", "expert@example.dg.cn", "专家").await;

    // Nothing to report: nothing sent.
    let run = app.run_job("weekly_digest").await;
    assert_eq!((run.seen, run.acted), (0, 0));

    // A message dies (the sink never accepts within the retries).
    app.smtp.refuse(true);
    app.queue_test_mail("gone@example.dg.cn", "某单位", None, None).await;
    for m in [0, 1, 6, 36, 156, 876] {
        app.clock.set(default_now() + TimeDelta::minutes(m));
        app.run_job("mail_delivery").await;
    }
    app.smtp.refuse(false);

    // Next Monday 09:00: the digest goes to the two bureau accounts with an address, once.
    app.set_now("2026-06-08T09:00:00+08:00").await;
    let run = app.run_job("weekly_digest").await;
    assert_eq!((run.seen, run.acted, run.failed), (2, 2, 0));
    assert_eq!(app.run_job("weekly_digest").await.acted, 0, "a second run the same week sends nothing more");
    assert_eq!(app.run_job("mail_delivery").await.acted, 2);
    let received = app.smtp.messages();
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["admin2@example.dg.cn", "staff@example.dg.cn"]);
    let parsed = received[0].parsed().unwrap();
    assert_eq!(parsed.subject(), Some("【东莞市技能资源登记】每周工作摘要（2026年第24周）"));
    let text = parsed.body_text(0).unwrap().to_string();
    assert!(text.contains("投递失败的邮件（已停止重试）（1）") && text.contains("gone@example.dg.cn"), "{text}");

    // A week later the old token has expired: sign in again.
    let staff = app.login_as(&staff.username, tests::USER_PASSWORD).await;
    let (_, notes) = app.get("/api/v1/notifications", Some(&staff)).await;
    assert_eq!(notes["items"][0]["kind"], "weekly_digest");
    assert_eq!(notes["items"][0]["title"], "【东莞市技能资源登记】每周工作摘要（2026年第24周）");
}
