//! The bureau's page of one skill-resource application: its content, the
//! panel (each seat's declaration and score, every draw with its recorded
//! seed, the mean and spread), and the steps that follow — draw or refill
//! the panel after a conflict (000 第二十四条), not picked for the proposed
//! list, approval after the notice (审定). Same services and request objects
//! as `POST /applications/{id}/panel`, `/decline`, `/approve`.

use poem::{
    Request, Response, Route, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path, Query},
};
use poem_openapi::types::ToJSON;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Fields, St, Viewer, alliances::guard, calls::bureau_only, error_page, form_errors, page, parse_body, posted, redirect, signed_in,
};
use crate::{
    routes::applications::{DrawBody, ReasonBody, detail, panel_view},
    services::resources::{catalogue, notices, review},
    state::AppState,
};

pub fn routes() -> Route {
    Route::new().at("/:id", get(show)).at("/:id/panel", post(draw)).at("/:id/decline", post(decline)).at("/:id/approve", post(approve))
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn done_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "drawn" => Some("已抽取评审专家，已通知专家声明利益冲突。"),
        "declined" => Some("已确定不列入拟认定名单，已通知申报单位。"),
        "approved" => Some("已审定。"),
        _ => None,
    }
}

async fn show_page(state: &AppState, v: &Viewer, id: Uuid, status: StatusCode, errors: Value, done: Option<&str>) -> Response {
    let result = async {
        let a = detail(state, &v.caller, id).await?;
        let panel = panel_view(state, &v.caller, id).await?;
        let resource = catalogue::resource_of_application(state, &v.caller, id).await?;
        Ok::<_, crate::error::ApiError>((a, panel, resource))
    }
    .await;
    match result {
        Ok((a, panel, resource)) => {
            let panel = panel.to_json().unwrap_or(Value::Null);
            let local = |x: &Value| {
                x.as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| super::local_time(t.to_utc()))
                    .map_or(Value::Null, Value::from)
            };
            let mut panel = panel;
            if let Some(draws) = panel["draws"].as_array_mut() {
                for d in draws {
                    d["drawn_local"] = local(&d["drawn_at"]);
                    d["candidate_count"] = json!(d["candidates"].as_array().map_or(0, Vec::len));
                }
            }
            let status_code = a.status;
            let ctx = json!({
                "title": a.title.clone(), "a": a.to_json().unwrap_or(Value::Null), "panel": panel,
                "default_size": state.settings.resources.panel_size,
                "under_review": matches!(status_code, crate::routes::resource_dto::ApplicationStatusDto::Submitted | crate::routes::resource_dto::ApplicationStatusDto::UnderReview),
                "declinable": status_code == crate::routes::resource_dto::ApplicationStatusDto::UnderReview,
                "approvable": matches!(status_code, crate::routes::resource_dto::ApplicationStatusDto::AwaitingApproval | crate::routes::resource_dto::ApplicationStatusDto::AwaitingPublication),
                "errors": errors, "done": done,
                "resource": resource.map(|r| json!({ "id": r.id, "number": r.number })),
            });
            page(status, Some(v), "bureau_application.html", ctx)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn show(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<Done>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    show_page(&state, &v, id.0, StatusCode::OK, Value::Null, done_text(q.done.as_deref())).await
}

/// After a step: back to the page, or the page again with the refusal beside the form.
async fn after(state: &AppState, v: &Viewer, id: Uuid, result: crate::error::ApiResult<()>, done: &str) -> Response {
    match result {
        Ok(()) => redirect(&format!("/bureau/applications/{id}?done={done}")),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            show_page(state, v, id, e.status, form_errors(&e), None).await
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn draw(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let body: DrawBody = parse_body(f.to_json(&[], &[("size", "专家人数")])?)?;
        review::draw(&state, &v.caller, id.0, body.size()?, None).await.map(|_| ())
    }
    .await;
    after(&state, &v, id.0, result, "drawn").await
}

#[handler]
async fn decline(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let body: ReasonBody = parse_body(f.to_json(&["reason"], &[])?)?;
        notices::decline(&state, &v.caller, id.0, body.reason()?).await.map(|_| ())
    }
    .await;
    after(&state, &v, id.0, result, "declined").await
}

#[handler]
async fn approve(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = catalogue::approve(&state, &v.caller, id.0).await.map(|_| ());
    after(&state, &v, id.0, result, "approved").await
}
