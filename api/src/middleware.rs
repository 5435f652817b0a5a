//! The edge every request passes: request id, language, body-size limits,
//! one log line per request, and problem details for every error — including
//! unknown routes, wrong methods and bodies the framework could not parse
//! (a JSON body with missing or mistyped fields is 422 naming each field, see
//! `body_check`).

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
}

impl<E: Endpoint> Middleware<E> for Edge {
    type Output = EdgeEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        EdgeEndpoint { inner, json_limit: self.json_limit, upload_limit: self.upload_limit, schemas: self.schemas.clone() }
    }
}

pub struct EdgeEndpoint<E> {
    inner: E,
    json_limit: usize,
    upload_limit: usize,
    schemas: Arc<BodySchemas>,
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
        let mut resp = REQUEST_ID.scope(rid.clone(), lang.scope(self.guarded(req))).instrument(span.clone()).await;
        if let Ok(value) = HeaderValue::from_str(&rid) {
            resp.headers_mut().insert("x-request-id", value);
        }
        let status = resp.status().as_u16();
        span.in_scope(|| tracing::info!(status, elapsed_ms = started.elapsed().as_millis() as u64, "served"));
        Ok(resp)
    }
}
