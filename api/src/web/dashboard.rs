//! The bureau's dashboard page `/dashboard` (issue 8), rendered from
//! `dashboard.html` like every other page: cards, two inline SVG charts
//! drawn by the template from geometry computed here, the tables, and the
//! same exports as the API for the browser. No JavaScript.
//!
//! Who may see it: bureau staff signed in with a browser session
//! ([`signed_in`]: not signed in → `/login?next=/dashboard`), or a script
//! sending `Authorization: Bearer` with an API access token. Org users and
//! experts get a 403 page, on the exports too.
//!
//! # Layout
//! - this file: routes and who is asking
//! - [`view`]: the template's context from the overview
//! - [`charts`]: the charts' geometry

mod charts;
mod view;

use poem::{Request, Response, Route, get, handler, http::StatusCode, web::Query};
use serde::Deserialize;

use super::{St, Viewer, alliances::guard, attachment, error_page, message, page, redirect, signed_in};
use crate::{
    auth::{Caller, caller_from_token},
    services::dashboard::{
        self as svc, export,
        overdue::{self, OverduePaging},
    },
    state::AppState,
};

/// Routes under `/dashboard`.
pub fn routes() -> Route {
    Route::new()
        .at("/", get(dashboard))
        .at("/login", get(login))
        .at("/overview.xlsx", get(overview_xlsx))
        .at("/overdue.csv", get(overdue_csv))
}

/// Rows of the overdue table on the page (the CSV has them all).
const OVERDUE_SHOWN: u64 = 20;

/// Who is asking, when it is bureau staff: the browser session (with its
/// menu), or a bearer token's caller (no session, no menu).
struct Bureau {
    viewer: Option<Viewer>,
    caller: Caller,
}

fn bearer(req: &Request) -> Option<&str> {
    req.header(poem::http::header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim)
}

fn forbidden(viewer: Option<&Viewer>) -> Response {
    message(StatusCode::FORBIDDEN, viewer, "无权访问", "统计看板仅供市人社局工作人员（业务经办人员、系统管理员）使用。")
}

/// Bureau staff, or the response that replaces the page: the login
/// redirect, a 403 page, or an error page (a bearer token that is not valid).
async fn bureau(state: &AppState, req: &Request) -> Result<Bureau, Response> {
    if let Some(token) = bearer(req) {
        return match caller_from_token(state, token).await {
            Ok(caller) if caller.is_bureau() => Ok(Bureau { viewer: None, caller }),
            Ok(_) => Err(forbidden(None)),
            Err(e) => Err(error_page(None, &e)),
        };
    }
    let viewer = signed_in(state, req).await?;
    if !viewer.caller.is_bureau() {
        return Err(forbidden(Some(&viewer)));
    }
    Ok(Bureau { caller: viewer.caller.clone(), viewer: Some(viewer) })
}

#[derive(Debug, Deserialize)]
struct ScopeQuery {
    year: Option<i32>,
    period: Option<String>,
}

#[handler]
async fn dashboard(req: &Request, state: St<'_>, q: Query<ScopeQuery>) -> Response {
    let who = guard!(bureau(&state, req).await);
    let viewer = who.viewer.as_ref();
    let shown = async {
        let scope = svc::scope(q.year, q.period.as_deref(), state.clock.today())?;
        let overview = svc::overview(&state, &who.caller, scope).await?;
        let overdue = overdue::list(&state, &who.caller, &OverduePaging { limit: OVERDUE_SHOWN, after: None }).await?;
        Ok::<_, crate::error::ApiError>(view::context(&overview, &overdue.items))
    };
    match shown.await {
        Ok(ctx) => page(StatusCode::OK, viewer, "dashboard.html", ctx),
        Err(e) => error_page(viewer, &e),
    }
}

/// The page's old sign-in address: the site's login form, back here after.
#[handler]
fn login() -> Response {
    redirect("/login?next=/dashboard")
}

#[handler]
async fn overview_xlsx(req: &Request, state: St<'_>, q: Query<ScopeQuery>) -> Response {
    let who = guard!(bureau(&state, req).await);
    let result = match svc::scope(q.year, q.period.as_deref(), state.clock.today()) {
        Ok(scope) => export::overview_xlsx(&state, &who.caller, scope).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((name, bytes)) => attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &name, bytes),
        Err(e) => error_page(who.viewer.as_ref(), &e),
    }
}

#[handler]
async fn overdue_csv(req: &Request, state: St<'_>) -> Response {
    let who = guard!(bureau(&state, req).await);
    match export::overdue_csv(&state, &who.caller).await {
        Ok((name, bytes)) => attachment("text/csv; charset=utf-8", &name, bytes),
        Err(e) => error_page(who.viewer.as_ref(), &e),
    }
}
