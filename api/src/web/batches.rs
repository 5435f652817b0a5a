//! 新职业汇总上报 (000 第七条): the bureau compiles the submitted
//! new-occupation proposals into a batch reported upward (how many would go
//! in is shown first), reads each batch with its proposals, downloads its
//! 汇总表 (XLSX, through the page session) and records for each proposal
//! whether it was included in the national development plan (第七条(三)) and,
//! once included, that its development was completed (开发完成).
//! Same services and request objects as `GET`/`POST /occupation-batches`,
//! `GET /occupation-batches/{id}/export.xlsx`, `POST /applications/{id}/inclusion`
//! and `POST /applications/{id}/completion`.

use entities::resource::{ApplicationAction, ApplicationStatus};
use poem::{
    Request, Response, Route, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path, Query},
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Fields, St, Viewer, alliances::guard, attachment, calls::bureau_signed_in, error_page, form_errors, form_errors_as, local_time, page,
    parse_body, posted, redirect,
};
use crate::{
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::{
        applications::{InclusionBody, NoteBody},
        notices::BatchBody,
    },
    services::resources::catalogue as svc,
    state::AppState,
};

pub fn routes() -> Route {
    Route::new()
        .at("/", get(list).post(create))
        .at("/:id", get(show))
        .at("/:id/export.xlsx", get(export))
        .at("/:id/proposals/:app/inclusion", post(inclusion))
        .at("/:id/proposals/:app/completion", post(completion))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

async fn list_page(state: &AppState, v: &Viewer, cursor: Option<&str>, status: StatusCode, values: Value, errors: Value) -> Response {
    let result = async {
        let paging = PageParams::parse(Some(50), cursor)?;
        let (batches, next) = svc::list_batches(state, &v.caller, paging).await?;
        let pending = svc::pending_count(state, &v.caller).await?;
        Ok::<_, ApiError>((batches, next, pending))
    }
    .await;
    match result {
        Ok((batches, next, pending)) => {
            let items: Vec<Value> = batches
                .into_iter()
                .map(|b| json!({ "id": b.id, "title": b.title, "count": b.proposal_count, "created_local": local_time(b.created_at) }))
                .collect();
            let ctx = json!({ "title": "新职业汇总上报", "items": items, "pending": pending,
                              "next": next.map(|c| format!("/bureau/occupation-batches?cursor={c}")), "values": values, "errors": errors });
            page(status, Some(v), "bureau_batches.html", ctx)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn list(req: &Request, state: St<'_>, q: Query<ListQuery>) -> Response {
    let v = guard!(bureau_signed_in(&state, req).await);
    list_page(&state, &v, q.cursor.as_deref(), StatusCode::OK, json!({}), Value::Null).await
}

#[handler]
async fn create(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        // A blank title goes to the title's own check (named beside the field).
        let body: BatchBody = parse_body(json!({ "title": f.get("title").unwrap_or_default() }))?;
        svc::create_batch(&state, &v.caller, body.parse()?).await
    }
    .await;
    match result {
        Ok((b, _)) => redirect(&format!("/bureau/occupation-batches/{}?done=created", b.id)),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            list_page(&state, &v, None, e.status, f.values(), form_errors(&e)).await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    cursor: Option<String>,
    done: Option<String>,
}

/// The form of one proposal that failed, with its errors and values.
struct Refused {
    application: Uuid,
    values: Value,
    errors: Value,
}

async fn show_page(
    state: &AppState,
    v: &Viewer,
    id: Uuid,
    cursor: Option<&str>,
    status: StatusCode,
    refused: Option<Refused>,
    done: Option<&str>,
) -> Response {
    let result = async {
        let paging = PageParams::parse(Some(50), cursor)?;
        let batch = svc::get_batch(state, &v.caller, id).await?;
        let (rows, next) = svc::batch_proposals(state, &v.caller, id, paging).await?;
        Ok::<_, ApiError>((batch, rows, next))
    }
    .await;
    match result {
        Ok((b, rows, next)) => {
            let proposals: Vec<Value> = rows
                .into_iter()
                .map(|(a, org)| {
                    let mut p = json!({ "id": a.id, "number": a.number, "occupation_name": a.occupation_name, "occupation_code": a.occupation_code,
                            "title": a.title, "applicant": org.map(|o| o.name), "status_label": a.status.label_zh(),
                            "reason": a.status_reason, "undecided": a.status == ApplicationStatus::ReportedUpward,
                            "completable": a.status == ApplicationStatus::Included });
                    if let Some(r) = refused.as_ref().filter(|r| r.application == a.id) {
                        p["values"] = r.values.clone();
                        p["errors"] = r.errors.clone();
                    }
                    p
                })
                .collect();
            let ctx = json!({ "title": b.title.clone(), "b": { "id": b.id, "title": b.title, "count": b.proposal_count, "created_local": local_time(b.created_at) },
                              "proposals": proposals, "next": next.map(|c| format!("/bureau/occupation-batches/{id}?cursor={c}")), "done": done,
                              "errors": refused.map_or(Value::Null, |r| r.errors) });
            page(status, Some(v), "bureau_batch.html", ctx)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn show(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<ShowQuery>) -> Response {
    let v = guard!(bureau_signed_in(&state, req).await);
    let done = match q.done.as_deref() {
        Some("created") => Some("已汇总生成上报批次，已通知各申报单位。请下载汇总表上报。"),
        Some("marked") => Some("已记录是否纳入开发计划，已通知申报单位。"),
        Some("completed") => Some("已记录开发完成，已通知申报单位。"),
        _ => None,
    };
    show_page(&state, &v, id.0, q.cursor.as_deref(), StatusCode::OK, None, done).await
}

#[handler]
async fn export(req: &Request, state: St<'_>, id: Path<Uuid>) -> Response {
    let v = guard!(bureau_signed_in(&state, req).await);
    match svc::export_batch(&state, &v.caller, id.0).await {
        Ok((b, bytes)) => attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("新职业建议汇总-{}.xlsx", b.created_at.format("%Y%m%d")),
            bytes,
        ),
        Err(e) => error_page(Some(&v), &e),
    }
}

/// After a proposal's mark: back to the batch page, or the page again with
/// the refusal beside that proposal's form (labelled as the request object `schema`'s fields).
async fn after_mark<T>(
    state: &AppState,
    v: &Viewer,
    (batch, app): (Uuid, Uuid),
    f: &Fields,
    result: ApiResult<T>,
    done: &str,
    schema: &str,
) -> Response {
    match result {
        Ok(_) => redirect(&format!("/bureau/occupation-batches/{batch}?done={done}#p-{app}")),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            let refused = Refused { application: app, values: f.values(), errors: form_errors_as(&e, schema) };
            show_page(state, v, batch, None, e.status, Some(refused), None).await
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn inclusion(req: &Request, state: St<'_>, ids: Path<(Uuid, Uuid)>, form: Form<Vec<(String, String)>>) -> Response {
    let (batch, app) = ids.0;
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let included = match f.get("included") {
            Some("yes") => true,
            Some("no") => false,
            _ => return Err(ApiError::field("included", "请选择是否纳入开发计划", "Choose whether it was included")),
        };
        let body: InclusionBody = parse_body(json!({ "included": included, "note": f.get("note") }))?;
        let (action, note) = body.parse()?;
        svc::mark(&state, &v.caller, app, action, note).await
    }
    .await;
    after_mark(&state, &v, (batch, app), &f, result, "marked", "InclusionBody").await
}

/// 开发完成: an included new occupation's development is completed (000 第七条(三)).
#[handler]
async fn completion(req: &Request, state: St<'_>, ids: Path<(Uuid, Uuid)>, form: Form<Vec<(String, String)>>) -> Response {
    let (batch, app) = ids.0;
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let body: NoteBody = parse_body(json!({ "note": f.get("note") }))?;
        svc::mark(&state, &v.caller, app, ApplicationAction::MarkCompleted, body.parse()?).await
    }
    .await;
    after_mark(&state, &v, (batch, app), &f, result, "completed", "NoteBody").await
}
