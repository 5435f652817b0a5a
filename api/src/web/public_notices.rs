//! 公示 for everyone, no account (000 第十一条(三)): the open notices with
//! their applications (organisation names only: no personal data) and the
//! end of the notice period explained; on each, the objection form (name,
//! phone or e-mail, argument, evidence upload) with its per-address rate
//! limit — a clear Chinese page when exceeded — and a receipt that echoes
//! nothing personal. Same services and request object as
//! `POST /public/notices/{id}/objections`.
//!
//! The form has no session to carry a CSRF token, so it uses a double-submit
//! token like the login form: a random value in a `SameSite=Strict` cookie
//! scoped to `/notices` and in a hidden field; a post without both equal
//! (or marked `Sec-Fetch-Site: cross-site`) is refused with 403.

use base64::{Engine, engine::general_purpose::STANDARD};
use poem::{
    Request, Response, Route, get, handler,
    http::{StatusCode, header},
    web::{Multipart, Path, Query},
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{St, error_page, form_errors, local_time, message, notices::notice_json, page, parse_body, read_multipart, session};
use crate::{
    pagination::PageParams,
    routes::{
        public_resources::{ObjectionBody, parse_objection},
        resource_dto::NoticeOut,
    },
    services::resources::notices as svc,
    state::AppState,
};

/// The cookie of the objection form's double-submit token.
const COOKIE: &str = "dg_objection";

pub fn routes() -> Route {
    Route::new().at("/", get(list)).at("/:id", get(show)).at("/:id/objections", poem::post(file_objection))
}

#[derive(Debug, Deserialize)]
pub struct Cursor {
    cursor: Option<String>,
}

#[handler]
async fn list(state: St<'_>, q: Query<Cursor>) -> Response {
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        svc::public_list(&state, paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let now = state.clock.now();
            let items: Vec<Value> = items.into_iter().map(|n| notice_json(NoticeOut::new(n, now))).collect();
            let ctx = json!({ "title": "公示公告", "items": items, "next": next.map(|c| format!("/notices?cursor={c}")) });
            page(StatusCode::OK, None, "public_notices.html", ctx)
        }
        Err(e) => error_page(None, &e),
    }
}

/// The notice page with its form; a fresh double-submit token each time.
async fn notice_page(state: &AppState, id: Uuid, status: StatusCode, values: Value, errors: Value) -> Response {
    match svc::public_get(state, id).await {
        Ok(n) => {
            let token = session::random_token();
            let ctx = json!({ "title": n.notice.title.clone(), "n": notice_json(NoticeOut::new(n, state.clock.now())),
                              "token": token, "values": values, "errors": errors });
            let mut resp = page(status, None, "public_notice.html", ctx);
            if let Ok(v) = format!("{COOKIE}={token}; Path=/notices; HttpOnly; SameSite=Strict; Max-Age=7200").parse() {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
        Err(e) => error_page(None, &e),
    }
}

#[handler]
async fn show(state: St<'_>, id: Path<Uuid>) -> Response {
    notice_page(&state, id.0, StatusCode::OK, json!({}), Value::Null).await
}

#[handler]
async fn file_objection(req: &Request, state: St<'_>, id: Path<Uuid>, mp: Multipart) -> Response {
    let upload = match read_multipart(mp).await {
        Ok(u) => u,
        Err(e) => return error_page(None, &e),
    };
    let f = &upload.fields;
    let cross_site = req.header("sec-fetch-site").is_some_and(|s| s == "cross-site");
    if cross_site || !session::tokens_match(&session::cookie(req, COOKIE).unwrap_or_default(), f.get("_token")) {
        return message(
            StatusCode::FORBIDDEN,
            None,
            "请求无效",
            "表单已过期或不是从本站提交的，未作任何更改。请返回公示页面刷新后重新填写。",
        );
    }
    let ip = req.remote_addr().as_socket_addr().map_or_else(|| req.remote_addr().to_string(), |a| a.ip().to_string());
    let result = async {
        let mut body = f.to_json(&["application_id", "name", "phone", "email", "argument"], &[])?;
        if let Some((filename, bytes)) = &upload.file {
            body["evidence"] = json!({ "filename": filename, "content_base64": STANDARD.encode(bytes) });
        }
        let body: ObjectionBody = parse_body(body)?;
        let o = parse_objection(&body)?;
        let m = svc::file_objection(&state, id.0, &ip, o).await?;
        let n = svc::public_get(&state, id.0).await?;
        Ok::<_, crate::error::ApiError>((m, n))
    }
    .await;
    match result {
        Ok((m, n)) => {
            let item = n.items.iter().find(|(a, _)| a.id == m.application_id);
            let ctx = json!({ "title": "异议已收到", "receipt": m.id, "received": local_time(m.created_at), "notice_id": n.notice.id,
                              "notice_title": n.notice.title, "application": item.map(|(a, _)| a.title.clone()),
                              "number": item.and_then(|(a, _)| a.number.clone()) });
            page(StatusCode::CREATED, None, "public_receipt.html", ctx)
        }
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => page(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            "message.html",
            json!({ "title": "提交过于频繁", "public": true, "back": format!("/notices/{}", id.0),
                    "text": format!("同一网络地址每小时最多提交{}条异议，您的异议未被受理。请一小时后再提交；如情况紧急，请直接联系东莞市人力资源和社会保障局。",
                                    state.settings.resources.objections_per_hour_per_ip) }),
        ),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT => {
            notice_page(&state, id.0, e.status, f.values(), form_errors(&e)).await
        }
        Err(e) => error_page(None, &e),
    }
}
