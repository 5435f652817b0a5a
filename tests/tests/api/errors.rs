//! Problem details everywhere: unknown routes, wrong methods, oversized and
//! malformed bodies — in Chinese, English on request.

use tests::{http::assert_problem, spawn_app};

#[tokio::test]
async fn framework_errors_are_problem_details() {
    let app = spawn_app().await;
    let resp = app.send(app.client.get(app.url("/api/v1/no-such-thing"))).await;
    assert_eq!(resp.status(), 404);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    assert!(resp.headers().contains_key("x-request-id"));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_problem(404, &body, 404, "not_found");
    assert_eq!(body["title"], "请求的地址不存在");

    let (status, body) = app.send_raw(reqwest::Method::DELETE, "/api/v1/auth/login", None, "application/json", b"{}".to_vec()).await;
    assert_problem(status, &body, 405, "method_not_allowed");

    let (status, body) =
        app.send_raw(reqwest::Method::POST, "/api/v1/auth/login", None, "application/json", b"{\"username\":".to_vec()).await;
    assert_problem(status, &body, 400, "malformed_body");

    let big = vec![b' '; 2 * 1024 * 1024];
    let (status, body) = app.send_raw(reqwest::Method::POST, "/api/v1/auth/login", None, "application/json", big).await;
    assert_problem(status, &body, 413, "payload_too_large");

    // Chunked bodies (no Content-Length) are limited too.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..40).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let resp = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks))),
        )
        .await;
    assert_eq!(resp.status(), 413);

    let (status, body) = app.send_raw(reqwest::Method::POST, "/api/v1/auth/login", None, "text/plain", b"hello".to_vec()).await;
    assert!(status == 400 || status == 415, "{status} {body}");
    assert!(body["code"].is_string());
}

#[tokio::test]
async fn english_on_request() {
    let app = spawn_app().await;
    let resp = app.send(app.client.get(app.url("/api/v1/me")).header("Accept-Language", "en")).await;
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["title"], "Authentication required or token invalid");
    let resp = app.send(app.client.get(app.url("/api/v1/me"))).await;
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["title"], "未登录或登录已失效，请重新登录");
}

#[tokio::test]
async fn a_client_request_id_is_echoed_and_recorded_in_audit() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let resp = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/organizations", Some(&admin))
                .header("x-request-id", "trace-abc-123")
                .json(&tests::org_body("东莞市追踪测试公司", entities::OrgKind::Enterprise)),
        )
        .await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["x-request-id"], "trace-abc-123");
    let org: serde_json::Value = resp.json().await.unwrap();
    let (_, audit) =
        app.get(&format!("/api/v1/audit?entity_type=organization&entity_id={}", org["id"].as_str().unwrap()), Some(&admin)).await;
    assert_eq!(audit["items"][0]["request_id"], "trace-abc-123");
}

/// The answer a service gives for `err`: (status, problem code).
fn answered(err: sea_orm::DbErr) -> (u16, &'static str) {
    let e = api::error::ApiError::from(err);
    (e.status.as_u16(), e.code)
}

/// Issue 21 (3): errors that mean "the database is briefly gone or busy",
/// produced for real, answer 503 `try_again`: on PostgreSQL a backend
/// terminated by the administrator (what a restart does to every
/// connection), on SQLite a write lock not had ("database is locked").
#[tokio::test]
async fn a_terminated_connection_or_a_locked_database_is_503_try_again() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app().await;
    let err = if app.backend == tests::db::Backend::Postgres {
        // "terminating connection due to administrator command" (57P01).
        let conn = api::db::connect(&app.settings.database_url, 1, 0).await.unwrap();
        conn.execute_unprepared("SELECT pg_terminate_backend(pg_backend_pid())").await.unwrap_err()
    } else {
        // A deferred transaction that has read cannot write while another holds the lock (code 5).
        let (a, b) = (
            api::db::connect(&app.settings.database_url, 1, 0).await.unwrap(),
            api::db::connect(&app.settings.database_url, 1, 0).await.unwrap(),
        );
        let reader = a.begin().await.unwrap();
        reader.execute_unprepared("SELECT COUNT(*) FROM users").await.unwrap();
        let writer = api::db::begin_write(&b).await.unwrap();
        writer.execute_unprepared("UPDATE users SET failed_logins = failed_logins").await.unwrap();
        let err = reader.execute_unprepared("UPDATE users SET failed_logins = failed_logins").await.unwrap_err();
        writer.rollback().await.unwrap();
        err
    };
    assert!(api::db::is_transient(&err), "{err}");
    assert_eq!(answered(err), (503, "try_again"));
    // A real fault is still a 500.
    let conn = api::db::connect(&app.settings.database_url, 1, 0).await.unwrap();
    let err = conn.execute_unprepared("SELECT * FROM no_such_table").await.unwrap_err();
    assert_eq!(answered(err), (500, "internal"));
}

/// Issue 21 (3): while PostgreSQL cannot be reached, a request answers 503
/// with `Retry-After` and the problem code `try_again`; once it is back the
/// same request succeeds on a fresh connection, without a restart.
#[tokio::test]
async fn while_the_database_is_unreachable_requests_answer_503_with_retry_after() {
    let Some((proxy, app)) = tests::proxy::spawn_app_behind_proxy().await else {
        eprintln!("outage test needs PostgreSQL (TEST_DATABASE_URL); the embedded SQLite file cannot become unreachable");
        return;
    };
    let admin = app.admin().await;
    assert_eq!(app.get("/api/v1/organizations", Some(&admin)).await.0, 200);

    proxy.cut();
    for (method, path) in [(reqwest::Method::GET, "/api/v1/organizations"), (reqwest::Method::POST, "/api/v1/organizations")] {
        let mut req = app.request(method.clone(), path, Some(&admin));
        if method == reqwest::Method::POST {
            req = req.json(&tests::org_body("东莞市断线测试企业", entities::OrgKind::Enterprise));
        }
        let resp = app.send(req).await;
        assert_eq!(resp.status(), 503, "{method} {path}");
        assert_eq!(resp.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("2"), "{method} {path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_problem(503, &body, 503, "try_again");
    }

    proxy.restore().await;
    let mut status = 0;
    for _ in 0..50 {
        status = app.get("/api/v1/organizations", Some(&admin)).await.0;
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "served again once the database is back");
}
