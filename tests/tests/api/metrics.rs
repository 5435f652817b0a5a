//! `GET /metrics` (issue 18, acceptance 1): Prometheus text for the
//! bureau_admin token or the configured `metrics.token`, and the counters and
//! histograms move with requests, job runs and failed logins.

use entities::OrgKind;
use serde_json::json;
use tests::{Session, spawn_app_with};

const SCRAPE_TOKEN: &str = "prometheus-scrape-secret-0123456789";

/// The value of the sample whose name and labels are exactly `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
}

async fn scrape(app: &tests::TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn metrics_move_with_requests_job_runs_and_failed_logins() {
    let app = spawn_app_with(|s| s.metrics.token = Some(SCRAPE_TOKEN.into())).await;
    let admin = app.admin().await;
    let (_, before) = scrape(&app, Some(&admin.access_token)).await;
    assert_eq!(sample(&before, "registry_login_failures_total"), Some(0.0), "{before}");
    assert_eq!(sample(&before, "registry_account_lockouts_total"), Some(0.0));

    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/organizations", Some(&admin)).await.0, 200);
    }
    let (status, _) = app.get(&format!("/api/v1/organizations/{}", uuid::Uuid::now_v7()), Some(&admin)).await;
    assert_eq!(status, 404);
    let (status, _) = app.post_json("/api/v1/jobs/mail_delivery/run", Some(&admin), &json!({})).await;
    assert_eq!(status, 200);
    // One wrong password, then five on another account: a lockout.
    let (status, _) = app.post_json("/api/v1/auth/login", None, &json!({"username": "admin", "password": "Wrong#Pass2026"})).await;
    assert_eq!(status, 401);
    let staff = app.login("bureau_staff", None).await;
    for _ in 0..5 {
        app.post_json("/api/v1/auth/login", None, &json!({"username": staff.username, "password": "Wrong#Pass2026"})).await;
    }
    app.queue_test_mail("someone@example.dg.cn", "某人", None, None).await;

    let (status, text) = scrape(&app, Some(SCRAPE_TOKEN)).await;
    assert_eq!(status, 200, "{text}");
    let get_orgs = r#"{method="GET",route="/api/v1/organizations",status="200"}"#;
    assert_eq!(sample(&text, &format!("registry_http_requests_total{get_orgs}")), Some(3.0), "{text}");
    assert_eq!(
        sample(&text, r#"registry_http_requests_total{method="GET",route="/api/v1/organizations/:param0",status="404"}"#),
        Some(1.0),
        "by route template, not by path: {text}"
    );
    assert_eq!(sample(&text, r#"registry_http_request_duration_seconds_count{method="GET",route="/api/v1/organizations"}"#), Some(3.0));
    assert_eq!(
        sample(&text, r#"registry_http_request_duration_seconds_bucket{method="GET",route="/api/v1/organizations",le="+Inf"}"#),
        Some(3.0)
    );
    assert_eq!(sample(&text, r#"registry_job_runs_total{job="mail_delivery",outcome="succeeded"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"registry_job_run_duration_seconds_count{job="mail_delivery"}"#), Some(1.0));
    assert_eq!(sample(&text, "registry_login_failures_total"), Some(6.0));
    assert_eq!(sample(&text, "registry_account_lockouts_total"), Some(1.0));
    assert_eq!(sample(&text, r#"registry_outbox_messages{status="pending"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"registry_outbox_messages{status="dead"}"#), Some(0.0));
    assert_eq!(sample(&text, "registry_db_pool_max_connections"), Some(5.0));
    assert!(sample(&text, r#"registry_db_pool_connections{state="idle"}"#).is_some_and(|n| n >= 1.0), "{text}");
    assert!(sample(&text, "registry_db_pool_acquire_wait_seconds").is_some_and(f64::is_finite));
}

#[tokio::test]
async fn metrics_need_the_admin_token_or_the_scrape_secret() {
    let app = spawn_app_with(|s| s.metrics.token = Some(SCRAPE_TOKEN.into())).await;
    assert_eq!(scrape(&app, None).await.0, 401);
    assert_eq!(scrape(&app, Some("prometheus-scrape-secret-wrong")).await.0, 401);
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = scrape(&app, Some(&staff.access_token)).await;
    assert_eq!(status, 403, "{body}");
    let org = app.create_org(OrgKind::Enterprise).await;
    let user: Session = app.login("org_user", org["id"].as_str()).await;
    assert_eq!(scrape(&app, Some(&user.access_token)).await.0, 403);
    assert_eq!(scrape(&app, Some(&app.admin().await.access_token)).await.0, 200);
}
