//! The mail outbox (issue 5, acceptance 3): messages survive an SMTP outage
//! and arrive exactly once; mail that never gets through is dead after the
//! last retry, at the times of the backoff schedule, and shown to bureau_admin.

use chrono::{DateTime, TimeDelta, Utc};
use entities::models::{notification, outbox_message};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use tests::{TestApp, default_now, http::assert_problem, smtp::ReceivedMail, spawn_app};

/// Subject and plain-text body as the recipient reads them.
fn read(mail: &ReceivedMail) -> (String, String) {
    let parsed = mail.parsed().expect("parses");
    let subject = parsed.subject().unwrap_or_default().to_string();
    let body = parsed.body_text(0).map(|t| t.replace("\r\n", "\n")).unwrap_or_default();
    (subject, body)
}

fn minutes(n: i64) -> DateTime<Utc> {
    default_now() + TimeDelta::minutes(n)
}

async fn outbox(app: &TestApp) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find().all(&app.db).await.unwrap()
}

/// Runs `mail_delivery` once at minute `m` after the start.
async fn deliver_at(app: &TestApp, m: i64) -> entities::models::job_run::Model {
    app.clock.set(minutes(m));
    app.run_job("mail_delivery").await
}

#[tokio::test]
async fn mail_survives_a_three_hour_smtp_outage_and_arrives_exactly_once() {
    let app = spawn_app().await;
    app.smtp.refuse(true);
    let recipients: Vec<(String, String)> = (1..=5).map(|i| (format!("member{i}@example.dg.cn"), format!("成员单位联系人{i}"))).collect();
    for (address, name) in &recipients {
        app.queue_test_mail(address, name, None, None).await.expect("queued");
    }

    // Three simulated hours of outage, the job running every minute.
    for m in 0..=180 {
        let run = deliver_at(&app, m).await;
        assert_eq!(run.acted, 0, "minute {m}: nothing can be sent");
    }
    assert!(app.smtp.messages().is_empty());
    for msg in outbox(&app).await {
        // Attempts at minutes 0, 1, 6, 36 and 156; the next one at 156 + 12 h.
        assert_eq!((msg.attempts, msg.sent_at, msg.dead_at), (5, None, None), "{msg:?}");
        assert_eq!(msg.next_attempt_at, minutes(156 + 720));
        assert!(msg.last_error.as_deref().is_some_and(|e| e.contains("SMTP")), "{msg:?}");
    }

    // The server is back; the walk goes on minute by minute.
    app.smtp.refuse(false);
    let mut delivered_at = None;
    for m in 181..=960 {
        let run = deliver_at(&app, m).await;
        if run.acted > 0 {
            assert_eq!((run.acted, delivered_at), (5, None), "minute {m}: all five go out together, once");
            delivered_at = Some(m);
        }
    }
    assert_eq!(delivered_at, Some(876), "the sixth attempt, 12 h after the fifth");

    let received = app.smtp.messages();
    assert_eq!(received.len(), recipients.len(), "each message exactly once");
    for (address, name) in &recipients {
        let mine: Vec<&ReceivedMail> = received.iter().filter(|m| m.to == [address.clone()]).collect();
        assert_eq!(mine.len(), 1, "{address}");
        let (subject, body) = read(mine[0]);
        assert_eq!(subject, "【东莞市技能资源登记】测试邮件");
        assert!(body.starts_with(&format!("{name}您好：")), "{body}");
        assert!(body.contains("东莞市人力资源和社会保障局"), "{body}");
    }
    for msg in outbox(&app).await {
        assert_eq!((msg.attempts, msg.sent_at, msg.dead_at), (6, Some(minutes(876)), None));
    }
}

#[tokio::test]
async fn mail_that_never_gets_through_is_dead_after_the_last_retry_and_shown_to_the_admin() {
    let app = spawn_app().await;
    app.smtp.refuse(true);
    let id = app.queue_test_mail("nobody@example.dg.cn", "王五", None, None).await.unwrap();

    let mut attempt_minutes = Vec::new();
    let mut last_attempts = 0;
    for m in 0..=1000 {
        deliver_at(&app, m).await;
        let msg = outbox_message::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        if msg.attempts != last_attempts {
            attempt_minutes.push(m);
            last_attempts = msg.attempts;
        }
    }
    // 1 min, 5 min, 30 min, 2 h, 12 h between attempts; dead after the sixth.
    assert_eq!(attempt_minutes, [0, 1, 6, 36, 156, 876]);
    let msg = outbox_message::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((msg.attempts, msg.sent_at, msg.dead_at), (6, None, Some(minutes(876))));
    assert!(app.smtp.messages().is_empty());

    let admin = app.admin().await;
    let (status, page) = app.get("/api/v1/outbox?status=dead", Some(&admin)).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["id"], id.to_string());
    assert_eq!(items[0]["status"], "dead");
    assert_eq!(items[0]["attempts"], 6);
    assert_eq!(items[0]["to_address"], "nobody@example.dg.cn");
    assert!(items[0]["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    let (_, pending) = app.get("/api/v1/outbox?status=pending", Some(&admin)).await;
    assert!(pending["items"].as_array().unwrap().is_empty());
    let (status, body) = app.get("/api/v1/outbox?status=lost", Some(&admin)).await;
    assert_problem(status, &body, 400, "bad_parameter");

    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app.get("/api/v1/outbox?status=dead", Some(&staff)).await;
    assert_problem(status, &body, 403, "forbidden");

    // Once the server is back, the admin puts it back in the queue and it goes out once.
    app.smtp.refuse(false);
    let (status, body) = app.post_json(&format!("/api/v1/outbox/{id}/retry"), Some(&admin), &serde_json::json!({})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("pending")), "{body}");
    let (status, body) = app.post_json(&format!("/api/v1/outbox/{id}/retry"), Some(&admin), &serde_json::json!({})).await;
    assert_problem(status, &body, 409, "mail_not_dead");
    assert_eq!(app.run_job("mail_delivery").await.acted, 1);
    assert_eq!(app.run_job("mail_delivery").await.acted, 0);
    assert_eq!(app.smtp.messages().len(), 1);
    assert_eq!(tests::db::audit_count(&app.db, "outbox.retried", Some(&id.to_string())).await, 1);
}

#[tokio::test]
async fn a_dedupe_key_is_used_at_most_once_and_mail_lands_with_its_transaction() {
    let app = spawn_app().await;
    let (user_id, _) = app.user_with_email("bureau_staff", "staff@example.dg.cn", "赵六").await;
    let key = Some("report_chase:test:stage-30");
    assert!(app.queue_test_mail("staff@example.dg.cn", "赵六", Some(user_id), key).await.is_some());
    assert!(app.queue_test_mail("staff@example.dg.cn", "赵六", Some(user_id), key).await.is_none(), "same key: nothing written");
    assert_eq!(outbox(&app).await.len(), 1);
    let notes = notification::Entity::find().filter(notification::Column::UserId.eq(user_id)).all(&app.db).await.unwrap();
    assert_eq!(notes.len(), 1, "one notification, for the one message");
    assert_eq!(notes[0].title.as_deref(), Some("【东莞市技能资源登记】测试邮件"));
    assert_eq!(notes[0].link.as_deref(), Some("http://127.0.0.1/docs"));

    // An event that rolls back takes its mail and notification with it.
    let txn = app.db.begin().await.unwrap();
    let mail = jobs::outbox::OutgoingMail {
        to_address: "staff@example.dg.cn".into(),
        to_user_id: Some(user_id),
        template: "test_message",
        vars: serde_json::json!({"recipient_name": "赵六", "sent_by": "测试", "link": "http://127.0.0.1/docs"}),
        dedupe_key: Some("rolled-back".into()),
    };
    assert!(jobs::outbox::enqueue(&txn, mail, default_now()).await.unwrap().is_some());
    txn.rollback().await.unwrap();
    assert_eq!(outbox(&app).await.len(), 1);
    assert_eq!(notification::Entity::find().filter(notification::Column::UserId.eq(user_id)).count(&app.db).await.unwrap(), 1);

    // A template variable missing is an error, so the event's transaction rolls back.
    let txn = app.db.begin().await.unwrap();
    let bad = jobs::outbox::OutgoingMail {
        to_address: "staff@example.dg.cn".into(),
        to_user_id: None,
        template: "test_message",
        vars: serde_json::json!({"recipient_name": "赵六"}),
        dedupe_key: None,
    };
    let err = jobs::outbox::enqueue(&txn, bad, default_now()).await.unwrap_err();
    assert!(err.to_string().contains("test_message"), "{err}");
}

#[tokio::test]
async fn the_admin_can_queue_a_test_message_that_also_notifies() {
    let app = spawn_app().await;
    let (user_id, session) = app.user_with_email("bureau_admin", "it@example.dg.cn", "信息科管理员").await;
    let (status, body) = app.post_json("/api/v1/outbox/test", Some(&session), &serde_json::json!({})).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(app.run_job("mail_delivery").await.acted, 1);
    let received = app.smtp.messages();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["it@example.dg.cn"]);
    let (_, text) = read(&received[0]);
    assert!(text.contains("信息科管理员您好") && text.contains("由信息科管理员发起"), "{text}");
    let (_, count) = app.get("/api/v1/notifications/unread-count", Some(&session)).await;
    assert_eq!(count["unread"], 1);
    assert!(notification::Entity::find().filter(notification::Column::UserId.eq(user_id)).count(&app.db).await.unwrap() == 1);

    // The first-start admin has no address: one must be given, and it must be valid.
    let admin = app.admin().await;
    let (status, body) = app.post_json("/api/v1/outbox/test", Some(&admin), &serde_json::json!({})).await;
    assert_problem(status, &body, 422, "validation_failed");
    let (status, body) = app.post_json("/api/v1/outbox/test", Some(&admin), &serde_json::json!({"to_address": "not-an-address"})).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "to_address");
}

/// Issue 21 (1): a server that accepts and never greets, or answers `RCPT TO`
/// late, holds a delivery for one step timeout (1 s here), not for as long as
/// it likes; the message is retried on the backoff schedule and goes out once
/// the server answers in time.
#[tokio::test]
async fn a_hung_or_slow_smtp_server_holds_a_delivery_one_step_timeout_and_the_mail_is_retried() {
    let app = tests::spawn_app_with(|s| {
        s.smtp.timeout_secs = 1;
        s.smtp.message_deadline_secs = 2;
    })
    .await;
    let id = app.queue_test_mail("member1@example.dg.cn", "成员单位联系人1", None, None).await.unwrap();
    let message = || async { outbox_message::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap() };
    let timed = |m: i64| {
        let app = &app;
        async move {
            let started = std::time::Instant::now();
            let run = deliver_at(app, m).await;
            (run, started.elapsed())
        }
    };

    // Accepts the connection, never says 220.
    app.smtp.hang(true);
    let (run, took) = timed(0).await;
    assert_eq!((run.acted, run.failed), (0, 1), "{run:?}");
    assert!(took < std::time::Duration::from_millis(2500), "the greeting is waited for one step timeout, not {took:?}");
    let msg = message().await;
    assert_eq!((msg.attempts, msg.next_attempt_at, msg.sent_at), (1, minutes(1), None));
    assert!(msg.last_error.as_deref().is_some_and(|e| e.contains("no answer within 1 s")), "{msg:?}");

    // Greets, then answers RCPT TO after 3 s: that step times out after 1 s.
    app.smtp.hang(false);
    app.smtp.delay_rcpt_replies(std::time::Duration::from_secs(3));
    let (run, took) = timed(1).await;
    assert_eq!((run.acted, run.failed), (0, 1), "{run:?}");
    assert!(took < std::time::Duration::from_millis(2500), "a late RCPT reply is waited for one step timeout, not {took:?}");
    let msg = message().await;
    assert_eq!((msg.attempts, msg.next_attempt_at), (2, minutes(6)));
    assert!(msg.last_error.as_deref().is_some_and(|e| e.contains("RCPT TO")), "{msg:?}");
    assert!(app.smtp.messages().is_empty());

    // A reply slower than usual but within the step timeout is fine.
    app.smtp.delay_rcpt_replies(std::time::Duration::from_millis(200));
    let (run, _) = timed(6).await;
    assert_eq!((run.acted, run.failed), (1, 0), "{run:?}");
    let msg = message().await;
    assert_eq!((msg.attempts, msg.sent_at), (3, Some(minutes(6))));
    assert_eq!(app.smtp.messages().len(), 1, "sent once");
}
