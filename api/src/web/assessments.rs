//! 评估 (000 第二十一条): the published resources with their next
//! assessment date, and one resource's bureau page with its assessments and
//! the form to record one (keep, update required, withdraw from the
//! catalogue), errors beside the fields. Same services and request object
//! as `GET`/`POST /resources/{id}/assessments`.

use entities::resource::operation::AssessmentOutcome;
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
    Entered, Fields, St, Viewer, alliances::guard, calls::bureau_signed_in, error_page, field_msg as msg, form_errors_as, page, parse_body,
    posted, redirect,
};
use crate::{
    error::ApiError,
    pagination::PageParams,
    routes::resources::{AssessmentBody, AssessmentOut, ResourceOperationOut},
    services::resources::{
        catalogue::{self, Standing},
        operation,
    },
    state::AppState,
};

pub fn routes() -> Route {
    Route::new().at("/", get(list)).at("/:id", get(show)).at("/:id/assessments", post(assess))
}

const OUTCOMES: [(AssessmentOutcome, &str, &str); 3] = [
    (AssessmentOutcome::Keep, "keep", "继续保留（按期再评估）"),
    (AssessmentOutcome::UpdateRequired, "update_required", "需要更新（缩短评估周期）"),
    (AssessmentOutcome::Withdraw, "withdraw", "撤出目录（不再向社会公布）"),
];

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
    status: Option<String>,
}

/// The list's status filter: (value, service filter, label); the first is the default.
const STANDINGS: [(&str, Standing, &str); 3] = [
    ("in_catalogue", Standing::InCatalogue, "在目录中"),
    ("withdrawn", Standing::Withdrawn, "已撤出目录"),
    ("revoked", Standing::Revoked, "已取消认定"),
];

#[handler]
async fn list(req: &Request, state: St<'_>, q: Query<ListQuery>) -> Response {
    let v = guard!(bureau_signed_in(&state, req).await);
    let (status, standing, _) = STANDINGS.iter().find(|(value, _, _)| Some(*value) == q.status.as_deref()).unwrap_or(&STANDINGS[0]);
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        catalogue::list_by_standing(&state, &v.caller, *standing, paging).await
    }
    .await;
    match result {
        Ok((rows, next)) => {
            let today = state.clock.today();
            let items: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let mut x = ResourceOperationOut::new(r, today).to_json().unwrap_or(Value::Null);
                    x["number"] = json!(r.number);
                    x["kind_label"] = json!(r.kind.label_zh());
                    x["publisher"] = json!(r.publisher_name);
                    x
                })
                .collect();
            let standings: Vec<Value> =
                STANDINGS.iter().map(|(value, _, label)| json!({ "value": value, "label": label, "selected": value == status })).collect();
            let ctx = json!({ "title": "技能资源评估", "items": items, "standings": standings, "status": status,
                              "next": next.map(|c| format!("/bureau/resources?status={status}&cursor={c}")) });
            page(StatusCode::OK, Some(&v), "bureau_resources.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    cursor: Option<String>,
    done: Option<String>,
}

async fn show_page(
    state: &AppState,
    v: &Viewer,
    id: Uuid,
    cursor: Option<&str>,
    status: StatusCode,
    form: Entered,
    done: bool,
) -> Response {
    let result = async {
        v.caller.require_bureau()?;
        let paging = PageParams::parse(Some(50), cursor)?;
        let r = operation::load(&state.db, &v.caller, id).await?;
        let assessments = operation::list_assessments(state, &v.caller, id, paging).await?;
        Ok::<_, ApiError>((r, assessments))
    }
    .await;
    match result {
        Ok((r, (rows, next))) => {
            let today = state.clock.today();
            let standing = ResourceOperationOut::new(&r, today).to_json().unwrap_or(Value::Null);
            let items: Vec<Value> = rows.into_iter().map(|a| AssessmentOut::from(a).to_json().unwrap_or(Value::Null)).collect();
            let outcomes: Vec<Value> = OUTCOMES.iter().map(|(_, value, label)| json!({ "value": value, "label": label })).collect();
            let values =
                if form.values.as_object().is_some_and(serde_json::Map::is_empty) { json!({ "assessed_on": today }) } else { form.values };
            let ctx = json!({ "title": r.title.clone(),
                "r": { "id": r.id, "title": r.title, "number": r.number, "kind_label": r.kind.label_zh(), "publisher": r.publisher_name,
                       "occupation": r.occupation_name, "published_on": r.published_on, "application_id": r.application_id },
                "standing": standing, "assessable": r.withdrawn_on.is_none() && r.revoked_on.is_none(),
                "items": items, "next": next.map(|c| format!("/bureau/resources/{id}?cursor={c}")), "outcomes": outcomes,
                "values": values, "errors": form.errors, "done": done.then_some("评估结果已记录，已通知发布单位。") });
            page(status, Some(v), "bureau_resource.html", ctx)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn show(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<ShowQuery>) -> Response {
    let v = guard!(bureau_signed_in(&state, req).await);
    show_page(&state, &v, id.0, q.cursor.as_deref(), StatusCode::OK, Entered::blank(), q.done.is_some()).await
}

/// The form as the API's request body; every field that cannot be read is named.
fn body_of(f: &Fields) -> Result<AssessmentBody, ApiError> {
    let mut bad = Vec::new();
    let outcome = f.get("outcome").filter(|o| OUTCOMES.iter().any(|(_, v, _)| v == o));
    if outcome.is_none() {
        bad.push(msg("outcome", "请选择评估结论", "outcome is required"));
    }
    let assessed_on = f.date("assessed_on", "评估日期").map_err(|e| bad.push(e)).ok();
    let body: AssessmentBody = parse_body(json!({ "outcome": outcome.unwrap_or("keep"), "assessed_on": assessed_on.unwrap_or_default(),
                                                  "note": f.get("note").unwrap_or_default() }))?;
    // The note's own check, so that every field's message shows at once.
    if f.get("note").is_none() {
        bad.push(msg("note", "请填写评估意见", "note is required"));
    } else if let Err(e) = body.parse() {
        bad.extend(e.details.errors);
    }
    if bad.is_empty() { Ok(body) } else { Err(ApiError::validation(bad)) }
}

#[handler]
async fn assess(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let body = body_of(&f)?;
        operation::assess_resource(&state, &v.caller, id.0, body.parse()?).await
    }
    .await;
    match result {
        Ok(_) => redirect(&format!("/bureau/resources/{}?done=assessed", id.0)),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            show_page(&state, &v, id.0, None, e.status, Entered { values: f.values(), errors: form_errors_as(&e, "AssessmentBody") }, false)
                .await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}
