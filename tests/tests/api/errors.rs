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
