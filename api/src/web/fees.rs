//! 经费支付标准 (000 附件2) versions: every version with its amounts and the
//! one in force today; bureau_admin adds a version effective today or
//! later (the service's rules, errors beside the amounts). Same service and
//! request object as `GET`/`POST /fee-schedule`.

use entities::{Role, resource::funding::FeeItem};
use poem::{
    Request, Response, Route, get, handler,
    http::StatusCode,
    web::{Form, Query},
};
use poem_openapi::types::ToJSON;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Fields, St, Viewer, alliances::guard, calls::bureau_only, error_page, form_errors, page, parse_body, posted, redirect, signed_in,
};
use crate::{
    pagination::PageParams,
    routes::funding::{FeeScheduleBody, FeeScheduleOut},
    services::resources::funding::{self as svc, NewVersion},
    state::AppState,
};

pub fn routes() -> Route {
    Route::new().at("/", get(list).post(create))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
    done: Option<String>,
}

fn items() -> Vec<Value> {
    FeeItem::ALL.iter().map(|i| json!({ "name": format!("amounts.{}", i.code()), "code": i.code(), "label": i.label_zh() })).collect()
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    cursor: Option<&str>,
    status: StatusCode,
    values: Value,
    errors: Value,
    done: bool,
) -> Response {
    let result = async {
        let paging = PageParams::parse(Some(50), cursor)?;
        let (rows, next) = svc::list(state, paging).await?;
        let current = svc::version_on(&state.db, state.clock.today()).await?.map(|m| m.id);
        Ok::<_, crate::error::ApiError>((rows, next, current))
    }
    .await;
    match result {
        Ok((rows, next, current)) => {
            let versions: Vec<Value> = rows.into_iter().map(|m| FeeScheduleOut::new(m, current).to_json().unwrap_or(Value::Null)).collect();
            let ctx = json!({ "title": "经费支付标准", "versions": versions, "items": items(), "next": next.map(|c| format!("/bureau/fee-schedule?cursor={c}")),
                              "may_add": v.caller.role == Role::BureauAdmin, "values": values, "errors": errors,
                              "done": done.then_some("已新增经费支付标准版本。") });
            page(status, Some(v), "bureau_fees.html", ctx)
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
    list_page(&state, &v, q.cursor.as_deref(), StatusCode::OK, json!({}), Value::Null, q.done.is_some()).await
}

#[handler]
async fn create(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require(&[Role::BureauAdmin])?;
        let names: Vec<(String, &str)> = FeeItem::ALL.iter().map(|i| (format!("amounts.{}", i.code()), i.label_zh())).collect();
        let numbers: Vec<(&str, &str)> = names.iter().map(|(n, l)| (n.as_str(), *l)).collect();
        let body: FeeScheduleBody = parse_body(f.to_json(&["effective_from", "note"], &numbers)?)?;
        svc::create(&state, &v.caller, NewVersion::try_from(&body)?).await
    }
    .await;
    match result {
        Ok(_) => redirect("/bureau/fee-schedule?done=created"),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            // The service names an amount by its item (`online_course`); the form's field is `amounts.online_course`.
            let mut errors = form_errors(&e);
            if let Some(fields) = errors["fields"].as_object_mut() {
                *fields = std::mem::take(fields)
                    .into_iter()
                    .map(|(k, m)| if FeeItem::ALL.iter().any(|i| i.code() == k) { (format!("amounts.{k}"), m) } else { (k, m) })
                    .collect();
            }
            list_page(&state, &v, None, e.status, f.values(), errors, false).await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}
