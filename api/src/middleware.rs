//! The edge every request passes: request id, language, body-size limits,
//! one log line per request, and problem details for every error — including
//! unknown routes, wrong methods and bodies the framework could not parse
//! (a JSON body with missing or mistyped fields is 422 naming each field, see
//! `body_check`). Every 405 says `Allow` (RFC 9110 §15.5.6): for the API from
//! the spec's paths ([`AllowTable`]), for the web pages by asking the router
//! (see [`EdgeEndpoint::web_allow`]).

use std::{sync::Arc, time::Instant};

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result, http::HeaderValue};
use tracing::Instrument;

use crate::{
    body_check::BodySchemas,
    error::{ApiError, REQUEST_ID, from_poem_error},
    i18n::{Lang, Msg},
};

pub struct Edge {
    pub json_limit: usize,
    pub upload_limit: usize,
    pub schemas: Arc<BodySchemas>,
    pub allow: Arc<AllowTable>,
}

/// The methods of every documented path, read from the spec once.
pub struct AllowTable {
    base: String,
    /// Literal segments (`None` for a parameter) and the methods, upper case.
    paths: Vec<(Vec<Option<String>>, Vec<String>)>,
}

impl AllowTable {
    /// From the spec's JSON text; paths are prefixed with the spec's server URL.
    #[must_use]
    pub fn from_spec(spec_json: &str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec_json).unwrap_or_default();
        let base = spec["servers"][0]["url"].as_str().unwrap_or("").trim_end_matches('/').to_string();
        let mut paths = Vec::new();
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            let segments =
                format!("{base}{path}").trim_matches('/').split('/').map(|s| (!s.starts_with('{')).then(|| s.to_string())).collect();
            let mut methods: Vec<String> = item
                .as_object()
                .into_iter()
                .flatten()
                .map(|(m, _)| m.to_ascii_uppercase())
                .filter(|m| m.parse::<poem::http::Method>().is_ok())
                .collect();
            if methods.iter().any(|m| m == "GET") {
                methods.push("HEAD".into());
            }
            paths.push((segments, methods));
        }
        Self { base, paths }
    }

    /// The `Allow` value for an API path: the methods of the documented path
    /// with the most literal segments that fits; `None` outside the API.
    #[must_use]
    pub fn allow(&self, path: &str) -> Option<String> {
        if !path.starts_with(&self.base) {
            return None;
        }
        let got: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.paths
            .iter()
            .filter(|(want, _)| want.len() == got.len())
            .filter_map(|(want, methods)| {
                let mut literal = 0;
                for (w, g) in want.iter().zip(&got) {
                    match w {
                        Some(w) if w == g => literal += 1,
                        Some(_) => return None,
                        None => {}
                    }
                }
                Some((literal, methods))
            })
            .max_by_key(|(literal, _)| *literal)
            .map(|(_, methods)| methods.join(", "))
    }
}

impl<E: Endpoint> Middleware<E> for Edge {
    type Output = EdgeEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        EdgeEndpoint {
            inner,
            json_limit: self.json_limit,
            upload_limit: self.upload_limit,
            schemas: self.schemas.clone(),
            allow: self.allow.clone(),
        }
    }
}

pub struct EdgeEndpoint<E> {
    inner: E,
    json_limit: usize,
    upload_limit: usize,
    schemas: Arc<BodySchemas>,
    allow: Arc<AllowTable>,
}

/// A client-supplied request id is kept when it is short and plain.
fn request_id(req: &Request) -> String {
    req.header("x-request-id")
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_string)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        poem::http::StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        Msg::new(format!("请求体过大，上限为{}字节", limit), format!("Request body too large; the limit is {limit} bytes")),
    )
}

impl<E: Endpoint> EdgeEndpoint<E> {
    /// The methods a web page answers, asked of the router: pages take only
    /// GET (read-only) and POST; a POST probe marked cross-site, without
    /// cookies or body, is refused (403) before any handler changes anything
    /// (the CSRF guard), and 405 when the page has no POST.
    async fn web_allow(&self, uri: &poem::http::Uri) -> String {
        let mut allowed = Vec::new();
        for method in [poem::http::Method::GET, poem::http::Method::POST] {
            let probe = Request::builder().method(method.clone()).uri(uri.clone()).header("sec-fetch-site", "cross-site").finish();
            let status = match self.inner.call(probe).await {
                Ok(resp) => resp.into_response().status(),
                Err(e) => e.status(),
            };
            if status != poem::http::StatusCode::METHOD_NOT_ALLOWED {
                allowed.push(method.as_str().to_string());
                if method == poem::http::Method::GET {
                    allowed.push("HEAD".into());
                }
            }
        }
        allowed.join(", ")
    }

    async fn guarded(&self, mut req: Request) -> Response {
        let path = req.uri().path();
        let limit = if path.starts_with("/api/v1/documents") || path.ends_with("/import") || path.ends_with("/upload") {
            self.upload_limit
        } else {
            self.json_limit
        };
        let declared = req.header("content-length").and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|len| len > limit) {
            return too_large(limit).into_response();
        }
        // JSON bodies are kept (they are small) so a parse failure can name its fields;
        // other bodies of unknown length are read here to enforce the limit.
        let is_json = req.content_type().is_some_and(|ct| ct.contains("json"));
        let mut json_body = None;
        if is_json || declared.is_none() {
            match req.take_body().into_bytes_limit(limit).await {
                Ok(bytes) => {
                    if is_json {
                        json_body = Some(bytes.clone());
                    }
                    req.set_body(bytes);
                }
                Err(poem::error::ReadBodyError::PayloadTooLarge) => return too_large(limit).into_response(),
                Err(e) => return from_poem_error(e.into()),
            }
        }
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        match self.inner.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => {
                if let Some(body) = json_body
                    && err.is::<poem_openapi::error::ParseRequestPayloadError>()
                {
                    let errors = self.schemas.explain(&method, &path, &body);
                    if !errors.is_empty() {
                        return ApiError::validation(errors).into_response();
                    }
                }
                from_poem_error(err)
            }
        }
    }
}

impl<E: Endpoint> Endpoint for EdgeEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let started = Instant::now();
        let lang = Lang::from_accept_language(req.header("accept-language"));
        let rid = request_id(&req);
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let span = tracing::info_span!("request", request_id = %rid, %method, %path);
        let uri = req.uri().clone();
        let mut resp = REQUEST_ID
            .scope(rid.clone(), lang.scope(crate::body_check::scope(self.schemas.clone(), method.clone(), path.clone(), self.guarded(req))))
            .instrument(span.clone())
            .await;
        if resp.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED && !resp.headers().contains_key(poem::http::header::ALLOW) {
            let allow = match self.allow.allow(&path) {
                Some(allow) => allow,
                None => REQUEST_ID.scope(rid.clone(), self.web_allow(&uri)).await,
            };
            if let Ok(value) = HeaderValue::from_str(&allow) {
                resp.headers_mut().insert(poem::http::header::ALLOW, value);
            }
        }
        if let Ok(value) = HeaderValue::from_str(&rid) {
            resp.headers_mut().insert("x-request-id", value);
        }
        let status = resp.status().as_u16();
        span.in_scope(|| tracing::info!(status, elapsed_ms = started.elapsed().as_millis() as u64, "served"));
        Ok(resp)
    }
}
