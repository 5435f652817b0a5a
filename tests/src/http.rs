//! Small HTTP helpers: a signed-in session and JSON calls answering
//! `(status, body)`.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::TestApp;

#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Session {
    #[must_use]
    pub fn from_tokens(body: &Value, username: &str) -> Self {
        Self {
            username: username.to_string(),
            access_token: body["access_token"].as_str().expect("access_token").to_string(),
            refresh_token: body["refresh_token"].as_str().expect("refresh_token").to_string(),
        }
    }

    /// A session carrying an arbitrary bearer string.
    #[must_use]
    pub fn with_token(token: &str) -> Self {
        Self { username: String::new(), access_token: token.to_string(), refresh_token: String::new() }
    }
}

async fn read(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str, session: Option<&Session>) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, self.url(path));
        if let Some(s) = session {
            req = req.bearer_auth(&s.access_token);
        }
        req
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> (u16, Value) {
        read(self.request(Method::GET, path, session).send().await.expect("send")).await
    }

    pub async fn post_json(&self, path: &str, session: Option<&Session>, body: &Value) -> (u16, Value) {
        read(self.request(Method::POST, path, session).json(body).send().await.expect("send")).await
    }

    pub async fn put_json(&self, path: &str, session: Option<&Session>, body: &Value) -> (u16, Value) {
        read(self.request(Method::PUT, path, session).json(body).send().await.expect("send")).await
    }

    pub async fn patch_json(&self, path: &str, session: Option<&Session>, body: &Value) -> (u16, Value) {
        read(self.request(Method::PATCH, path, session).json(body).send().await.expect("send")).await
    }

    pub async fn delete(&self, path: &str, session: Option<&Session>) -> (u16, Value) {
        read(self.request(Method::DELETE, path, session).send().await.expect("send")).await
    }

    /// Sends raw bytes with a content type.
    pub async fn send_raw(&self, method: Method, path: &str, session: Option<&Session>, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        read(self.request(method, path, session).header("content-type", content_type).body(body).send().await.expect("send")).await
    }

    /// Any call; answers the whole response.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> reqwest::Response {
        req.send().await.expect("send")
    }
}

/// Asserts a problem-details answer with `status` and `code`.
pub fn assert_problem(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["status"], expected_status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
}

#[must_use]
pub fn ok(status: StatusCode) -> bool {
    status.is_success()
}
