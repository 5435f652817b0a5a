//! The bureau registers and edits organisations (DESIGN §3) and records that
//! an initiator's credit code was verified (003 §二(六): the licence copy is
//! then not required). The same services and request types as the API.

use entities::OrgKind;
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
    Fields, St, Viewer, alliances::guard, error_page, form_errors, message, page, parse_body, posted, redirect, signed_in, urlencode,
};
use crate::{
    error::ApiResult,
    pagination::PageParams,
    routes::organizations::{CreateOrganization, Organization, UpdateOrganization},
    services::organizations::{self as svc, OrgChanges, OrgFields, OrgFilter},
};

pub fn routes() -> Route {
    Route::new()
        .at("/", get(list))
        .at("/new", get(new_form).post(create))
        .at("/:id", get(edit_form).post(update))
        .at("/:id/verification", post(verify))
}

const TEXTS: [&str; 12] = [
    "name",
    "credit_code",
    "kind",
    "address",
    "postcode",
    "email",
    "legal_representative",
    "contact_person",
    "office_phone",
    "mobile",
    "fax",
    "profile",
];

fn kinds() -> Value {
    use sea_orm::ActiveEnum;
    OrgKind::ALL.iter().map(|k| json!({ "value": k.to_value(), "label": k.label_zh() })).collect()
}

fn bureau_only(v: &Viewer) -> Option<Response> {
    (!v.caller.is_bureau()).then(|| message(StatusCode::FORBIDDEN, Some(v), "无权访问", "单位登记由市人社局工作人员办理。"))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    name: Option<String>,
    cursor: Option<String>,
}

#[handler]
async fn list(req: &Request, state: St<'_>, q: Query<ListQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    let name = q.name.clone().map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        svc::list(&state, &v.caller, OrgFilter { kind: None, name_contains: name.clone(), credit_code: None }, paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let items: Vec<Value> = items.into_iter().map(|o| Organization::from(o).to_json().unwrap_or(Value::Null)).collect();
            let next = next.map(|c| format!("/organizations?cursor={c}&name={}", urlencode(name.as_deref().unwrap_or_default())));
            page(StatusCode::OK, Some(&v), "organizations.html", json!({ "title": "单位管理", "items": items, "next": next, "name": name }))
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

fn form_page(status: StatusCode, v: &Viewer, org: Option<Value>, values: Value, errors: Value) -> Response {
    let title = if org.is_some() { "修改单位信息" } else { "登记单位" };
    page(
        status,
        Some(v),
        "organization_form.html",
        json!({ "title": title, "org": org, "values": values, "errors": errors, "kinds": kinds() }),
    )
}

fn body_of(f: &Fields) -> ApiResult<Value> {
    let mut body = f.to_json(&TEXTS, &[])?;
    body["registered_in_dongguan"] = json!(f.get("registered_in_dongguan").is_some());
    body["independent_legal_person"] = json!(f.get("independent_legal_person").is_some());
    body["higher_education"] = json!(f.get("higher_education").is_some());
    Ok(body)
}

#[handler]
async fn new_form(req: &Request, state: St<'_>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    form_page(StatusCode::OK, &v, None, json!({ "registered_in_dongguan": "on", "independent_legal_person": "on" }), Value::Null)
}

#[handler]
async fn create(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let body: CreateOrganization = parse_body(body_of(&f)?)?;
        svc::create(&state, &v.caller, OrgFields::try_from(body)?).await
    }
    .await;
    match result {
        Ok(o) => redirect(&format!("/organizations/{}?done=created", o.id)),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            form_page(e.status, &v, None, f.values(), form_errors(&e))
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn edit_form(req: &Request, state: St<'_>, id: Path<Uuid>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = bureau_only(&v) {
        return r;
    }
    match svc::get(&state, &v.caller, id.0).await {
        Ok(o) => {
            let json = Organization::from(o).to_json().unwrap_or(Value::Null);
            let mut values = json.clone();
            for flag in ["registered_in_dongguan", "independent_legal_person", "higher_education"] {
                values[flag] = if json[flag].as_bool() == Some(true) { json!("on") } else { Value::Null };
            }
            let done = req.uri().query().and_then(|q| q.strip_prefix("done=")).map(|d| match d {
                "created" => "单位已登记。",
                "verified" => "已更新统一社会信用代码核验状态。",
                _ => "已保存。",
            });
            let mut ctx_values = values;
            ctx_values["_done"] = json!(done);
            form_page(StatusCode::OK, &v, Some(json), ctx_values, Value::Null)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn update(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let mut body = body_of(&f)?;
        // Blank optional fields clear them.
        for optional in ["fax", "profile"] {
            if body.get(optional).is_none() {
                body[optional] = Value::Null;
            }
        }
        let body: UpdateOrganization = parse_body(body)?;
        let version = f.get("version").and_then(|x| x.parse().ok());
        svc::update(&state, &v.caller, id.0, version, OrgChanges::try_from(body)?).await
    }
    .await;
    match result {
        Ok(o) => redirect(&format!("/organizations/{}?done=saved", o.id)),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            let org = svc::get(&state, &v.caller, id.0).await.ok().map(|o| Organization::from(o).to_json().unwrap_or(Value::Null));
            form_page(e.status, &v, org, f.values(), form_errors(&e))
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn verify(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let verified = f.get("verified") == Some("true");
    let result = async {
        v.caller.require_bureau()?;
        svc::set_credit_code_verified(&state, &v.caller, id.0, verified).await
    }
    .await;
    match result {
        Ok(o) => redirect(&format!("/organizations/{}?done=verified", o.id)),
        Err(e) => error_page(Some(&v), &e),
    }
}
