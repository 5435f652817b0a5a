//! The bureau's 公示 notices (000 第十一条(三)): the proposed list ticked on
//! the ranking is shown with the end of the notice period and how it was
//! counted before anything is published; then the notices, each with its
//! applications and the objections received (with the objectors' contact
//! details, bureau only) and a ruling form for each open objection. Also the
//! payments recorded at publication, to be marked disbursed (附件2).

use entities::resource::{NoticeStatus, ObjectionStatus, notice::NOTICE_WORKING_DAYS};
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
    Fields, St, Viewer, alliances::guard, calls::bureau_only, error_page, form_errors, local_time, page, parse_body, posted, redirect,
    signed_in,
};
use crate::{
    error::{ApiError, ApiResult},
    pagination::{MAX_LIMIT, PageParams},
    routes::{
        notices::{CreateNoticeBody, RulingBody},
        resource_dto::{NoticeOut, ObjectionOut},
    },
    services::resources::{
        funding::{self, PaymentFilter},
        notices as svc, ranking,
    },
    state::AppState,
};

pub fn routes() -> Route {
    Route::new().at("/", get(list).post(publish)).at("/new", get(preview)).at("/:id", get(show))
}

pub fn objection_routes() -> Route {
    Route::new().at("/:id/ruling", post(rule))
}

pub fn payment_routes() -> Route {
    Route::new().at("/", get(payments)).at("/:id/disburse", post(disburse))
}

/// A notice as the pages show it: the API's view plus local times.
pub(super) fn notice_json(n: NoticeOut) -> Value {
    let mut v = n.to_json().unwrap_or(Value::Null);
    v["published_local"] = json!(local_time(n.published_at));
    v["ends_local"] = json!(local_time(n.ends_at));
    v
}

#[derive(Debug, Deserialize)]
pub struct Cursor {
    cursor: Option<String>,
}

#[handler]
async fn list(req: &Request, state: St<'_>, q: Query<Cursor>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        svc::list_brief(&state, &v.caller, paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let items: Vec<Value> = items
                .into_iter()
                .map(|(n, count, open)| {
                    json!({ "id": n.id, "title": n.title, "published_local": local_time(n.published_at), "ends_local": local_time(n.ends_at),
                            "open": n.status == NoticeStatus::Open, "count": count, "objections_open": open })
                })
                .collect();
            let ctx = json!({ "title": "公示管理", "items": items, "next": next.map(|c| format!("/bureau/notices?cursor={c}")) });
            page(StatusCode::OK, Some(&v), "bureau_notices.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

/// The proposed list before publishing: the applications ticked, the end
/// of the notice period and how it was counted, the title and text.
async fn preview_page(state: &AppState, v: &Viewer, ids: &[Uuid], status: StatusCode, values: Value, errors: Value) -> Response {
    let result = async {
        v.caller.require_bureau()?;
        let (ends_at, explanation) = svc::period_from_now(&state.db, state, NOTICE_WORKING_DAYS).await?;
        let apps = crate::services::resources::load_many_for_bureau(&state.db, &v.caller, ids).await?;
        Ok::<_, ApiError>((ends_at, explanation, apps))
    }
    .await;
    match result {
        Ok((ends_at, explanation, apps)) => {
            let items: Vec<Value> = apps
                .iter()
                .map(|a| json!({ "id": a.id, "number": a.number, "title": a.title, "status_label": a.status.label_zh() }))
                .collect();
            let ctx = json!({ "title": "拟定公示名单", "items": items, "ends": local_time(ends_at), "explanation": explanation,
                              "days": NOTICE_WORKING_DAYS, "values": values, "errors": errors });
            page(status, Some(v), "bureau_notice_new.html", ctx)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

/// The applications ticked (`application_ids`), each once, in order.
pub(super) fn ids_of(pairs: &[(String, String)]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = Vec::new();
    for id in pairs.iter().filter(|(k, _)| k == "application_ids").filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok()) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The applications of the proposed list asked for on the ranking: the
/// first `top` of `call` in ranking order, then those ticked (each once).
async fn chosen(state: &AppState, v: &Viewer, q: &Fields) -> ApiResult<Vec<Uuid>> {
    let mut ids = Vec::new();
    if let Some(top) = q.get("top") {
        let n = top
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::field("top", format!("前 N 名须为1到{MAX_LIMIT}之间的整数"), "top must be 1 to 200"))?;
        let call = q
            .get("call")
            .and_then(|c| Uuid::parse_str(c).ok())
            .ok_or_else(|| ApiError::field("call", "请从评审排名页面选择", "call is required with top"))?;
        ids = ranking::top_proposable(state, &v.caller, call, n).await?;
    }
    for id in ids_of(&q.0) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

#[handler]
async fn preview(req: &Request, state: St<'_>, q: Query<Vec<(String, String)>>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    let ids = match chosen(&state, &v, &Fields(q.0)).await {
        Ok(ids) => ids,
        Err(e) => return error_page(Some(&v), &e),
    };
    let values = json!({ "title": "技能培训资源拟认定项目公示",
        "body": "现将拟认定项目予以公示。公示期间，如有异议，请通过本页面提交书面意见并提供联系方式及相关证明材料。" });
    preview_page(&state, &v, &ids, StatusCode::OK, values, Value::Null).await
}

#[handler]
async fn publish(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let ids = ids_of(&form.0);
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let mut body = f.to_json(&["title", "body"], &[])?;
        body["application_ids"] = json!(ids);
        let body: CreateNoticeBody = parse_body(body)?;
        let (title, text, ids) = body.parse()?;
        svc::create(&state, &v.caller, title, text, ids).await
    }
    .await;
    match result {
        Ok(n) => redirect(&format!("/bureau/notices/{}?done=published", n.notice.id)),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            preview_page(&state, &v, &ids, e.status, f.values(), form_errors(&e)).await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn show_page(state: &AppState, v: &Viewer, id: Uuid, status: StatusCode, errors: Value, done: Option<&str>) -> Response {
    match svc::get(state, &v.caller, id).await {
        Ok((n, objections)) => {
            let now = state.clock.now();
            let open = n.notice.status == NoticeStatus::Open;
            let objections: Vec<Value> = objections
                .into_iter()
                .map(|o| {
                    let pending = o.status == ObjectionStatus::Open;
                    let created = local_time(o.created_at);
                    let mut x = ObjectionOut::from(o).to_json().unwrap_or(Value::Null);
                    x["pending"] = json!(pending);
                    x["created_local"] = json!(created);
                    x
                })
                .collect();
            let ctx = json!({ "title": n.notice.title.clone(), "n": notice_json(NoticeOut::new(n, now)), "open": open,
                              "objections": objections, "errors": errors, "done": done });
            page(status, Some(v), "bureau_notice.html", ctx)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn show(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<Done>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let done = match q.done.as_deref() {
        Some("published") => Some("公示已发布，公众可在公示页面查看并提出异议。"),
        Some("ruled") => Some("异议处理意见已保存，已通知异议人。"),
        _ => None,
    };
    show_page(&state, &v, id.0, StatusCode::OK, Value::Null, done).await
}

#[handler]
async fn rule(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let notice_id = f.get("notice_id").and_then(|n| Uuid::parse_str(n).ok());
    let result = async {
        v.caller.require_bureau()?;
        let body: RulingBody = parse_body(f.to_json(&["outcome", "ruling"], &[])?)?;
        let (upheld, ruling) = body.parse()?;
        svc::rule(&state, &v.caller, id.0, upheld, ruling).await
    }
    .await;
    match (result, notice_id) {
        (Ok(o), _) => redirect(&format!("/bureau/notices/{}?done=ruled", o.notice_id)),
        (Err(e), Some(n)) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            show_page(&state, &v, n, e.status, form_errors(&e), None).await
        }
        (Err(e), _) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn payments(req: &Request, state: St<'_>, q: Query<Cursor>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    let result: ApiResult<_> = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        funding::list_payments(&state, &v.caller, PaymentFilter::default(), paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let items: Vec<Value> = items
                .into_iter()
                .map(|p| {
                    json!({ "id": p.id, "application_id": p.application_id, "fee_item": p.fee_item.label_zh(), "quantity": p.quantity,
                            "unit_amount": p.unit_amount, "amount": p.amount, "schedule_version": p.schedule_version,
                            "published_on": p.published_on, "status_label": p.status.label_zh(),
                            "committed": p.status == entities::resource::funding::PaymentStatus::Committed,
                            "disbursed": p.disbursed_at.map(local_time) })
                })
                .collect();
            let ctx = json!({ "title": "经费拨付", "items": items, "next": next.map(|c| format!("/bureau/payments?cursor={c}")) });
            page(StatusCode::OK, Some(&v), "bureau_payments.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn disburse(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    match funding::disburse(&state, &v.caller, id.0).await {
        Ok(_) => redirect("/bureau/payments"),
        Err(e) => error_page(Some(&v), &e),
    }
}
