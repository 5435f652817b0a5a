//! The bureau's calls (征集公告, 000 第十一条(一)): open one, close it, its
//! applications by status, and the ranking of its reviewed applications by
//! the exact panel mean with the spread (DESIGN §6), from which staff tick
//! the proposed list (拟认定名单) that goes on a 公示 notice.

use chrono::{NaiveDateTime, TimeZone};
use entities::resource::{ApplicationStatus, Category};
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
    Fields, St, Viewer, alliances::guard, error_page, form_errors, local_time, message, page, parse_body, posted, redirect, signed_in,
    urlencode,
};
use crate::{
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::{calls::CreateCallBody, resource_dto::ScoreOut},
    services::resources::{self as svc, NewCall, applications as apps, ranking as ranked},
};

pub fn routes() -> Route {
    Route::new().at("/", get(list).post(create)).at("/:id", get(show)).at("/:id/close", post(close)).at("/:id/ranking", get(ranking))
}

pub(super) fn bureau_only(v: &Viewer) -> Option<Response> {
    (!v.caller.is_bureau()).then(|| message(StatusCode::FORBIDDEN, Some(v), "无权访问", "技能资源评审由市人社局工作人员办理。"))
}

/// The signed-in viewer if it is bureau staff; else the response instead (login, 403).
pub(super) async fn bureau_signed_in(state: &crate::state::AppState, req: &Request) -> Result<Viewer, Response> {
    let v = signed_in(state, req).await?;
    bureau_only(&v).map_or(Ok(v), Err)
}

fn categories() -> Value {
    use sea_orm::ActiveEnum;
    Category::ALL.iter().map(|c| json!({ "value": c.to_value(), "label": c.label_zh() })).collect()
}

fn statuses() -> Value {
    use sea_orm::ActiveEnum;
    ApplicationStatus::ALL
        .iter()
        .filter(|s| **s != ApplicationStatus::Draft)
        .map(|s| json!({ "value": s.to_value(), "label": s.label_zh() }))
        .collect()
}

fn call_json(c: &entities::models::call::Model, now: chrono::DateTime<chrono::Utc>) -> Value {
    json!({ "id": c.id, "title": c.title, "category_label": c.category.label_zh(), "description": c.description,
            "opens": local_time(c.opens_at), "closes": local_time(c.closes_at), "open": c.is_open(now), "closed": c.closes_at <= now })
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

async fn list_page(
    state: &crate::state::AppState,
    v: &Viewer,
    cursor: Option<&str>,
    status: StatusCode,
    values: Value,
    errors: Value,
) -> Response {
    let result = async {
        let paging = PageParams::parse(Some(50), cursor)?;
        svc::list_calls(state, None, false, paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let now = state.clock.now();
            let items: Vec<Value> = items.iter().map(|c| call_json(c, now)).collect();
            let ctx = json!({ "title": "征集公告", "items": items, "next": next.map(|c| format!("/bureau/calls?cursor={c}")),
                              "categories": categories(), "values": values, "errors": errors });
            page(status, Some(v), "bureau_calls.html", ctx)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn list(req: &Request, state: St<'_>, q: Query<ListQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    list_page(&state, &v, q.cursor.as_deref(), StatusCode::OK, json!({}), Value::Null).await
}

/// `2026-06-01T09:00` from a `datetime-local` field, read in Dongguan time, as RFC 3339.
fn local_input(f: &Fields, name: &str, label: &str) -> ApiResult<Value> {
    let raw = f.get(name).ok_or_else(|| ApiError::field(name, format!("请填写{label}"), format!("{name} is required")))?;
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .map_err(|_| ApiError::field(name, format!("{label}格式应为 年-月-日 时:分"), format!("{name}: not a date and time")))?;
    let at = jobs::clock::shanghai()
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| ApiError::field(name, format!("{label}无效"), format!("{name}: invalid")))?;
    Ok(json!(at.to_rfc3339()))
}

#[handler]
async fn create(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let mut body = f.to_json(&["category", "title", "description"], &[])?;
        let (opens, closes) = (local_input(&f, "opens_at", "开始时间"), local_input(&f, "closes_at", "截止时间"));
        let mut bad = Vec::new();
        for (name, r) in [("opens_at", opens), ("closes_at", closes)] {
            match r {
                Ok(at) => body[name] = at,
                Err(e) => bad.extend(e.to_problem(None).errors.into_iter().map(|fe| (name, fe.message))),
            }
        }
        if !bad.is_empty() {
            return Err(ApiError::validation(bad.into_iter().map(|(n, m)| entities::values::FieldError::new(n, m.clone(), m))));
        }
        let body: CreateCallBody = parse_body(body)?;
        svc::create_call(&state, &v.caller, NewCall::try_from(&body)?).await
    }
    .await;
    match result {
        Ok(c) => redirect(&format!("/bureau/calls/{}?done=created", c.id)),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => list_page(&state, &v, None, e.status, f.values(), form_errors(&e)).await,
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    status: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

#[handler]
async fn show(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<ShowQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let result = async {
        let call = svc::get_call(&state, id.0).await?;
        let status = status
            .map(|s| <ApplicationStatus as sea_orm::ActiveEnum>::try_from_value(&s.to_string()))
            .transpose()
            .map_err(|_| ApiError::field("status", "状态不正确", "unknown status"))?;
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        let f = apps::Filter { call_id: Some(id.0), status, category: None };
        let (items, next) = apps::list(&state, &v.caller, f, paging).await?;
        Ok::<_, ApiError>((call, items, next))
    }
    .await;
    match result {
        Ok((call, items, next)) => {
            let items: Vec<Value> = items
                .into_iter()
                .filter(|a| a.status != ApplicationStatus::Draft)
                .map(|a| {
                    json!({ "id": a.id, "number": a.number, "title": a.title, "status_label": a.status.label_zh(),
                                 "kind_label": a.resource_kind.label_zh(), "occupation": a.occupation_name,
                                 "submitted": a.submitted_at.map(local_time) })
                })
                .collect();
            let next = next.map(|c| format!("/bureau/calls/{}?cursor={c}&status={}", id.0, urlencode(status.unwrap_or_default())));
            let done = match q.done.as_deref() {
                Some("created") => Some("征集公告已发布。"),
                Some("closed") => Some("征集已截止，不再受理新的申报。"),
                _ => None,
            };
            let ctx = json!({ "title": call.title, "call": call_json(&call, state.clock.now()), "items": items, "next": next,
                              "statuses": statuses(), "status": status, "done": done });
            page(StatusCode::OK, Some(&v), "bureau_call.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn close(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    match svc::close_call(&state, &v.caller, id.0).await {
        Ok(c) => redirect(&format!("/bureau/calls/{}?done=closed", c.id)),
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn ranking(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<Vec<(String, String)>>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    // The page (`cursor`) and the choice being made, carried from page to
    // page by the form itself (no JavaScript): the ticks so far and the "first N".
    let f = Fields(q.0);
    let (cursor, picked, top) = (f.get("cursor"), super::notices::ids_of(&f.0), f.get("top"));
    let result = async {
        let call = svc::get_call(&state, id.0).await?;
        let paging = PageParams::parse(Some(50), cursor)?;
        Ok::<_, ApiError>((call, ranked::ranking(&state, &v.caller, id.0, paging).await?))
    }
    .await;
    match result {
        Ok((call, (rows, next))) => {
            let shown: Vec<Uuid> = rows.iter().map(|r| r.application.id).collect();
            let items: Vec<Value> = rows
                .into_iter()
                .map(|r| {
                    json!({ "id": r.application.id, "number": r.application.number, "title": r.application.title,
                            "status_label": r.application.status.label_zh(), "rank": r.rank, "reviews": r.reviews,
                            "proposable": r.application.status == ApplicationStatus::UnderReview,
                            "picked": picked.contains(&r.application.id),
                            "score": r.score.map(|s| ScoreOut::from(s).to_json().unwrap_or(Value::Null)) })
                })
                .collect();
            // Ticks made on other pages travel as hidden fields.
            let elsewhere: Vec<Uuid> = picked.iter().filter(|p| !shown.contains(p)).copied().collect();
            let ctx = json!({ "title": "评审排名", "call": call_json(&call, state.clock.now()), "items": items,
                              "weighted": call.category == Category::TrainingResource, "next": next, "paged": cursor.is_some(),
                              "elsewhere": elsewhere, "picked_count": picked.len(), "top": top });
            page(StatusCode::OK, Some(&v), "bureau_ranking.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}
