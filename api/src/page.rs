//! The dashboard page `/dashboard` (issue 8): server-rendered HTML in
//! Simplified Chinese for bureau staff, no JavaScript at all — cards, two
//! inline SVG charts drawn by the server, and the overdue table — plus the
//! same exports as the API for the browser.
//!
//! Login: a form (`/dashboard/login`) posts the username and password; the
//! server logs in exactly as `POST /api/v1/auth/login` does (same lockout
//! rules, same audit) and keeps the access token in a cookie
//! (`HttpOnly; SameSite=Lax; Path=/dashboard`, lifetime of the token). Every
//! request re-reads the account, so disabling it or changing its role takes
//! effect at once. An `Authorization: Bearer` header is accepted as well.
//! Org users and experts get 403, on the login form too (no cookie is set).
//!
//! # Layout
//! - this file: routes, who is asking, login and logout
//! - [`html`]: the pages
//! - [`svg`]: the charts

mod html;
mod svg;

use poem::{
    Body, Request, Response, Route, get, handler,
    http::{StatusCode, header},
    post,
    web::{Data, Form, Query},
};
use serde::Deserialize;

use crate::{
    auth::{Caller, caller_from_token},
    error::ApiError,
    services::{
        dashboard::{
            self as svc, export,
            overdue::{self, OverduePaging},
        },
        sessions,
    },
    state::AppState,
};

/// The cookie holding the page's access token.
pub const COOKIE: &str = "dg_dashboard";

/// Routes under `/dashboard`.
pub fn routes() -> Route {
    Route::new()
        .at("/", get(dashboard))
        .at("/login", get(login_form).post(login))
        .at("/logout", post(logout))
        .at("/overview.xlsx", get(overview_xlsx))
        .at("/overdue.csv", get(overdue_csv))
}

fn html(status: StatusCode, body: String) -> Response {
    Response::builder().status(status).content_type("text/html; charset=utf-8").header(header::CACHE_CONTROL, "no-store").body(body)
}

fn redirect(to: &str) -> Response {
    Response::builder().status(StatusCode::SEE_OTHER).header(header::LOCATION, to).body(Body::empty())
}

fn token_of(req: &Request) -> Option<String> {
    if let Some(auth) = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(t) = auth.strip_prefix("Bearer ")
    {
        return Some(t.trim().to_string());
    }
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Who is asking: `Err(response)` is the login page (not signed in), a 403
/// page (not bureau) or an error page.
async fn bureau_caller(req: &Request, state: &AppState) -> Result<Caller, Response> {
    let Some(token) = token_of(req) else { return Err(redirect("/dashboard/login")) };
    match caller_from_token(state, &token).await {
        Ok(c) if c.is_bureau() => Ok(c),
        Ok(_) => Err(forbidden()),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Err(redirect("/dashboard/login")),
        Err(e) => Err(error_page(&e)),
    }
}

fn forbidden() -> Response {
    html(StatusCode::FORBIDDEN, html::message("无权访问", "统计看板仅供市人社局工作人员（业务经办人员、系统管理员）使用。"))
}

fn error_page(e: &ApiError) -> Response {
    let p = e.to_problem(crate::error::current_request_id());
    let mut text = p.title.clone();
    for f in &p.errors {
        text.push('：');
        text.push_str(&f.message);
    }
    html(e.status, html::message("出错了", &text))
}

#[derive(Debug, Deserialize)]
struct ScopeQuery {
    year: Option<i32>,
    period: Option<String>,
}

#[handler]
async fn dashboard(req: &Request, state: Data<&AppState>, q: Query<ScopeQuery>) -> Response {
    let caller = match bureau_caller(req, &state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let scope = match svc::scope(q.year, q.period.as_deref(), state.clock.today()) {
        Ok(s) => s,
        Err(e) => return error_page(&e),
    };
    let overview = match svc::overview(&state, &caller, scope).await {
        Ok(o) => o,
        Err(e) => return error_page(&e),
    };
    let page = match overdue::list(&state, &caller, &OverduePaging { limit: 20, after: None }).await {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    html(StatusCode::OK, html::dashboard(&overview, &page.items, &caller))
}

#[handler]
async fn login_form() -> Response {
    html(StatusCode::OK, html::login(None))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

#[handler]
async fn login(state: Data<&AppState>, form: Form<LoginForm>) -> Response {
    let tokens = match sessions::login(&state, form.username.trim(), &form.password).await {
        Ok(t) => t,
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            let p = e.to_problem(None);
            return html(StatusCode::UNAUTHORIZED, html::login(Some(&p.title)));
        }
        Err(e) => return error_page(&e),
    };
    match caller_from_token(&state, &tokens.access_token).await {
        Ok(c) if c.is_bureau() => {}
        Ok(_) => return forbidden(),
        Err(e) => return error_page(&e),
    }
    let secure = if state.settings.public_base_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie =
        format!("{COOKIE}={}; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age={}{secure}", tokens.access_token, tokens.expires_in);
    let mut resp = redirect("/dashboard");
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

#[handler]
async fn logout() -> Response {
    let mut resp = redirect("/dashboard/login");
    if let Ok(v) = format!("{COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=0").parse() {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

fn attachment(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    // RFC 5987: the Chinese file name percent-encoded.
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._".contains(&b) { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect();
    Response::builder()
        .content_type(content_type)
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"dashboard\"; filename*=UTF-8''{encoded}"))
        .body(bytes)
}

#[handler]
async fn overview_xlsx(req: &Request, state: Data<&AppState>, q: Query<ScopeQuery>) -> Response {
    let caller = match bureau_caller(req, &state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = match svc::scope(q.year, q.period.as_deref(), state.clock.today()) {
        Ok(scope) => export::overview_xlsx(&state, &caller, scope).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((name, bytes)) => attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &name, bytes),
        Err(e) => error_page(&e),
    }
}

#[handler]
async fn overdue_csv(req: &Request, state: Data<&AppState>) -> Response {
    let caller = match bureau_caller(req, &state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match export::overdue_csv(&state, &caller).await {
        Ok((name, bytes)) => attachment("text/csv; charset=utf-8", &name, bytes),
        Err(e) => error_page(&e),
    }
}
