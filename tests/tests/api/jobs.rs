//! Scheduled jobs (issue 5): the list with schedules and next fire times, runs
//! now for bureau_admin only, the runner firing each due tick once (also with
//! two runners on one database, acceptance 4), no catch-up storm, and dead runs superseded.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use entities::models::job_run::{self, Outcome, Trigger};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use tests::{TestApp, db::Backend, default_now, http::assert_problem, spawn_app, spawn_app_with, spawn_second_app};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

async fn runs(app: &TestApp, job: &str) -> Vec<job_run::Model> {
    job_run::Entity::find().filter(job_run::Column::JobName.eq(job)).order_by_asc(job_run::Column::Id).all(&app.db).await.unwrap()
}

fn ticks(runs: &[job_run::Model]) -> Vec<DateTime<Utc>> {
    runs.iter().filter_map(|r| r.tick_at).collect()
}

#[tokio::test]
async fn the_admin_sees_schedules_last_runs_and_next_fire_times() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (status, body) = app.get("/api/v1/jobs", Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    let items = body["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "mail_delivery",
            "notice_close",
            "report_chase",
            "weekly_digest",
            "agreement_overdue",
            "reassessment_due",
            "ban_expiry",
            "policy_validity"
        ]
    );
    // The clock stands at Monday 1 June 2026, 09:00 in Dongguan.
    assert_eq!(items[0]["cron"], "0 * * * * *");
    assert_eq!(items[0]["next_fire_at"], "2026-06-01T01:01:00+00:00");
    assert_eq!(items[1]["cron"], "0 */5 * * * *");
    assert_eq!(items[3]["cron"], "0 0 9 * * Mon");
    assert_eq!(items[3]["title"], "每周工作摘要");
    assert_eq!(items[3]["next_fire_at"], "2026-06-08T01:00:00+00:00", "next Monday 09:00 in Dongguan");
    assert!(items[3]["last_run"].is_null());

    let (status, run) = app.post_json("/api/v1/jobs/weekly_digest/run", Some(&admin), &json!({})).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!((run["outcome"].as_str(), run["trigger"].as_str()), (Some("succeeded"), Some("manual")));
    assert_eq!((run["seen"].as_i64(), run["acted"].as_i64(), run["failed"].as_i64()), (Some(0), Some(0), Some(0)), "nothing to report");
    assert!(run["tick_at"].is_null());
    let (_, body) = app.get("/api/v1/jobs", Some(&admin)).await;
    assert_eq!(body["items"][3]["last_run"]["id"], run["id"]);
    let (_, history) = app.get("/api/v1/jobs/weekly_digest/runs?limit=5", Some(&admin)).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    assert_eq!(tests::db::audit_count(&app.db, "job.run", Some("weekly_digest")).await, 1);
}

#[tokio::test]
async fn only_the_admin_may_list_or_run_jobs_and_unknown_jobs_are_404() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let (org_user, _) = app.org_user(entities::OrgKind::Enterprise).await;
    for session in [&staff, &org_user] {
        let (status, body) = app.get("/api/v1/jobs", Some(session)).await;
        assert_problem(status, &body, 403, "forbidden");
        let (status, body) = app.post_json("/api/v1/jobs/mail_delivery/run", Some(session), &json!({})).await;
        assert_problem(status, &body, 403, "forbidden");
    }
    let (status, body) = app.get("/api/v1/jobs", None).await;
    assert_problem(status, &body, 401, "unauthorized");
    assert!(runs(&app, "mail_delivery").await.is_empty(), "refused calls run nothing");

    let admin = app.admin().await;
    let (status, body) = app.post_json("/api/v1/jobs/no_such_job/run", Some(&admin), &json!({})).await;
    assert_problem(status, &body, 404, "not_found");
    assert!(body["title"].as_str().unwrap().contains("no_such_job"), "{body}");
    let (status, body) = app.get("/api/v1/jobs/nope/runs", Some(&admin)).await;
    assert_problem(status, &body, 404, "not_found");
}

#[tokio::test]
async fn configuration_overrides_the_default_schedules() {
    let app = spawn_app_with(|s| {
        s.scheduler.jobs.insert(
            "weekly_digest".into(),
            jobs::registry::ScheduleOverride { cron: Some("0 30 8 * * Mon-Fri".into()), enabled: Some(false) },
        );
        s.scheduler
            .jobs
            .insert("mail_delivery".into(), jobs::registry::ScheduleOverride { cron: Some("0 */5 * * * *".into()), enabled: None });
    })
    .await;
    let admin = app.admin().await;
    let (_, body) = app.get("/api/v1/jobs", Some(&admin)).await;
    assert_eq!(body["items"][0]["cron"], "0 */5 * * * *");
    assert_eq!(body["items"][0]["next_fire_at"], "2026-06-01T01:05:00+00:00");
    assert_eq!((body["items"][3]["cron"].as_str(), body["items"][3]["enabled"].as_bool()), (Some("0 30 8 * * Mon-Fri"), Some(false)));
    assert!(body["items"][3]["next_fire_at"].is_null());
}

#[tokio::test]
async fn the_runner_runs_each_due_tick_once_and_never_catches_up_old_ticks() {
    let app = spawn_app().await;
    let runner = api::startup::runner(&app.state);
    // Monday 09:00: every job is due (the report chase runs daily at 09:00, the notice close every 5 minutes).
    let first = runner.poll_once().await.unwrap();
    assert_eq!(
        first.iter().map(|r| r.job_name.as_str()).collect::<Vec<_>>(),
        ["mail_delivery", "notice_close", "report_chase", "weekly_digest", "agreement_overdue", "reassessment_due", "policy_validity"],
        "ban_expiry (00:05) is more than an hour ago"
    );
    assert!(first.iter().all(|r| r.outcome == Outcome::Succeeded && r.trigger == Trigger::Scheduled));
    assert!(runner.poll_once().await.unwrap().is_empty(), "the same tick never runs twice");

    app.clock.advance(TimeDelta::seconds(59));
    assert!(runner.poll_once().await.unwrap().is_empty(), "09:00:59: still the 09:00 tick");
    app.clock.advance(TimeDelta::seconds(1));
    assert_eq!(runner.poll_once().await.unwrap().len(), 1, "09:01: mail_delivery only");

    // Three hours later (a stopped process): only the latest tick, no storm of 180.
    app.clock.advance(TimeDelta::hours(3));
    let later: Vec<job_run::Model> = runner.poll_once().await.unwrap().into_iter().filter(|r| r.job_name == "mail_delivery").collect();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].tick_at, Some(at("2026-06-01T12:01:00+08:00")));
    assert_eq!(
        ticks(&runs(&app, "mail_delivery").await),
        [default_now(), at("2026-06-01T09:01:00+08:00"), at("2026-06-01T12:01:00+08:00")]
    );
    assert_eq!(ticks(&runs(&app, "weekly_digest").await), [default_now()], "Monday 09:00 is more than an hour ago: not run again");
}

#[tokio::test]
async fn a_run_that_died_is_marked_failed_and_superseded_by_the_next_tick() {
    let app = spawn_app().await;
    let runner = api::startup::runner(&app.state);
    // A replica claimed 09:00 and died without finishing.
    job_run::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        job_name: Set("mail_delivery".into()),
        tick_at: Set(Some(default_now())),
        trigger: Set(Trigger::Scheduled),
        started_at: Set(default_now()),
        finished_at: Set(None),
        outcome: Set(Outcome::Running),
        seen: Set(0),
        acted: Set(0),
        failed: Set(0),
        error: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    // Within the lease the job waits (one run of a job at a time).
    app.clock.set(at("2026-06-01T09:05:00+08:00"));
    assert!(runner.poll_once().await.unwrap().iter().all(|r| r.job_name != "mail_delivery"));
    // After 15 minutes the dead run is failed and the current tick runs.
    app.clock.set(at("2026-06-01T09:16:00+08:00"));
    let ran = runner.poll_once().await.unwrap();
    assert_eq!(ran.iter().filter(|r| r.job_name == "mail_delivery").count(), 1);
    let all = runs(&app, "mail_delivery").await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].outcome, Outcome::Failed);
    assert!(all[0].error.as_deref().unwrap().contains("abandoned"));
    assert_eq!((all[1].tick_at, all[1].outcome), (Some(at("2026-06-01T09:16:00+08:00")), Outcome::Succeeded));
}

#[tokio::test]
async fn two_runners_polling_together_run_each_tick_once() {
    let app = spawn_app().await;
    let (a, b) = (api::startup::runner(&app.state), api::startup::runner(&app.state));
    for minute in 0..5 {
        app.clock.set(default_now() + TimeDelta::minutes(minute));
        let (ra, rb) = tokio::join!(a.poll_once(), b.poll_once());
        let _ = (ra.unwrap(), rb.unwrap());
    }
    let delivery = ticks(&runs(&app, "mail_delivery").await);
    assert_eq!(delivery, (0..5).map(|m| default_now() + TimeDelta::minutes(m)).collect::<Vec<_>>());
    assert_eq!(ticks(&runs(&app, "weekly_digest").await), [default_now()]);
}

/// Waits (real time, bounded) until `job` has a finished run for `tick`.
async fn wait_for_tick(app: &TestApp, job: &str, tick: DateTime<Utc>) {
    for _ in 0..500 {
        let done = runs(app, job).await.iter().any(|r| r.tick_at == Some(tick) && r.outcome != Outcome::Running);
        if done {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{job} did not run the {tick} tick within 10 s");
}

#[tokio::test]
async fn two_replicas_on_one_postgresql_run_each_tick_once_and_send_each_mail_once() {
    let first = spawn_app_with(|s| {
        s.scheduler.enabled = true;
        s.scheduler.poll_interval_ms = 25;
    })
    .await;
    if first.backend == Backend::Sqlite {
        eprintln!("skipped on SQLite: one process is assumed (set TEST_DATABASE_URL to run it on PostgreSQL)");
        return;
    }
    let second = spawn_second_app(&first, |_| {}).await;
    let mut expected = Vec::new();
    for minute in 0..6 {
        let now = default_now() + TimeDelta::minutes(minute);
        // New mail every minute, queued through the first replica's database.
        first.queue_test_mail(&format!("unit{minute}@example.dg.cn"), &format!("联系人{minute}"), None, None).await;
        first.clock.set(now);
        second.clock.set(now);
        wait_for_tick(&first, "mail_delivery", now).await;
        expected.push(now);
    }
    wait_for_tick(&first, "weekly_digest", default_now()).await;

    let delivery = runs(&first, "mail_delivery").await;
    assert_eq!(ticks(&delivery), expected, "each tick recorded once");
    assert!(delivery.iter().all(|r| r.outcome == Outcome::Succeeded), "{delivery:?}");
    assert_eq!(ticks(&runs(&first, "weekly_digest").await), [default_now()]);
    let mut to: Vec<String> = first.smtp.messages().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, (0..6).map(|m| format!("unit{m}@example.dg.cn")).collect::<Vec<_>>(), "each email once");
}

/// Issue 21 (1): with the scheduler on and the SMTP server hung (accepts,
/// never greets), the other jobs keep their ticks while a delivery is stuck;
/// the stuck run is stopped at its deadline and recorded failed, and its
/// messages go out later, once each.
#[tokio::test]
async fn a_hung_mail_server_delays_no_other_job_and_its_delivery_ends_at_the_deadline() {
    let app = spawn_app_with(|s| {
        s.scheduler.enabled = true;
        s.scheduler.poll_interval_ms = 25;
        s.scheduler.job_deadline_secs = 4;
        s.smtp.timeout_secs = 1;
        s.smtp.message_deadline_secs = 1;
        // Every 5 minutes like the notice close, so both tick while the delivery is stuck.
        s.scheduler
            .jobs
            .insert("report_chase".into(), jobs::registry::ScheduleOverride { cron: Some("0 */5 * * * *".into()), enabled: None });
    })
    .await;
    wait_for_tick(&app, "mail_delivery", default_now()).await;
    app.smtp.hang(true);
    for n in 0..8 {
        app.queue_test_mail(&format!("unit{n}@example.dg.cn"), &format!("联系人{n}"), None, None).await;
    }
    // 09:01: the delivery starts on 8 messages, each held for its 1 s step timeout.
    let stuck_tick = at("2026-06-01T09:01:00+08:00");
    app.clock.set(stuck_tick);
    let started = std::time::Instant::now();
    let stuck = loop {
        if let Some(run) = runs(&app, "mail_delivery").await.into_iter().find(|r| r.tick_at == Some(stuck_tick)) {
            break run;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "the 09:01 delivery did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(stuck.outcome, Outcome::Running);

    // The 09:05 ticks of the notice close and the report chase run while it is stuck.
    let later = at("2026-06-01T09:05:00+08:00");
    app.clock.set(later);
    wait_for_tick(&app, "notice_close", later).await;
    wait_for_tick(&app, "report_chase", later).await;
    let still = runs(&app, "mail_delivery").await.into_iter().find(|r| r.id == stuck.id).unwrap();
    assert_eq!(still.outcome, Outcome::Running, "the other jobs did not wait for the delivery ({:?}): {still:?}", started.elapsed());

    // The stuck run ends at its 4 s deadline as a failed run.
    let ended = loop {
        let run = runs(&app, "mail_delivery").await.into_iter().find(|r| r.id == stuck.id).unwrap();
        if run.outcome != Outcome::Running {
            break run;
        }
        assert!(started.elapsed() < Duration::from_secs(8), "the delivery outlived its deadline");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(ended.outcome, Outcome::Failed);
    assert!(ended.error.as_deref().is_some_and(|e| e.contains("deadline (4 s)")), "{ended:?}");
    assert!(app.smtp.messages().is_empty());

    // The server is back: every message goes out once, the ones tried during the hang at their retry time.
    app.smtp.hang(false);
    app.clock.set(later + TimeDelta::minutes(10));
    for _ in 0..500 {
        if app.smtp.messages().len() >= 8 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut to: Vec<String> = app.smtp.messages().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, (0..8).map(|n| format!("unit{n}@example.dg.cn")).collect::<Vec<_>>(), "each message once");
    let tried: Vec<i32> = entities::models::outbox_message::Entity::find().all(&app.db).await.unwrap().iter().map(|m| m.attempts).collect();
    assert!(tried.iter().filter(|a| **a >= 2).count() >= 3, "messages tried during the hang were retried: {tried:?}");
}
