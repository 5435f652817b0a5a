//! 违规处理 (000 第二十二条): the sanctions recorded, filtered by
//! organisation as `GET /sanctions` offers (found here by its credit code),
//! and the form to record one. The organisation is named by its 统一社会信用代码
//! and a linked application by its 申报编号; both are looked up and then the
//! same request object and service as `POST /sanctions` take over (fraud
//! bans the credit code for 5 years, revokes or terminates the linked
//! application and claws back its payment).

use entities::sanction::SanctionKind;
use poem::{
    Request, Response, Route, get, handler,
    http::StatusCode,
    web::{Form, Query},
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
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::sanctions::{NewSanctionBody, Sanction},
    services::{
        organizations::{self, OrgFilter},
        resources::applications,
        sanctions as svc,
    },
    state::AppState,
};

pub fn routes() -> Route {
    Route::new().at("/", get(list).post(create))
}

const KINDS: [SanctionKind; 3] = [SanctionKind::AgreementBreach, SanctionKind::FraudInDevelopment, SanctionKind::FraudInCertification];

fn kinds() -> Value {
    KINDS
        .iter()
        .map(|k| {
            let effect = match k {
                SanctionKind::AgreementBreach => "按协议处理，不限制申报",
                SanctionKind::FraudInDevelopment => "终止项目开发、追回资金，5年内不得申报",
                SanctionKind::FraudInCertification => "取消认定、追回资金，5年内不得申报",
            };
            json!({ "value": k.code(), "label": k.label_zh(), "effect": effect })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
    credit_code: Option<String>,
    done: Option<String>,
}

/// The organisation with this credit code, if any.
async fn org_by_code(state: &AppState, caller: &Caller, code: &str) -> ApiResult<Option<entities::models::organization::Model>> {
    let filter = OrgFilter { kind: None, name_contains: None, credit_code: Some(code.trim().to_uppercase()) };
    let (orgs, _) = organizations::list(state, caller, filter, PageParams::parse(Some(1), None)?).await?;
    Ok(orgs.into_iter().next())
}

async fn list_page(state: &AppState, v: &Viewer, q: &ListQuery, status: StatusCode, form: Entered) -> Response {
    let code = q.credit_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let result = async {
        v.caller.require_bureau()?;
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        let org = match code {
            Some(c) => Some(org_by_code(state, &v.caller, c).await?),
            None => None,
        };
        let rows = match &org {
            Some(None) => (Vec::new(), None),
            Some(Some(o)) => svc::list(state, &v.caller, Some(o.id), paging).await?,
            None => svc::list(state, &v.caller, None, paging).await?,
        };
        let names = svc::organisation_names(state, &v.caller, &rows.0).await?;
        Ok::<_, ApiError>((org, rows, names))
    }
    .await;
    match result {
        Ok((org, (rows, next), names)) => {
            let items: Vec<Value> = rows
                .into_iter()
                .map(|s| {
                    let name = names.get(&s.organization_id).cloned();
                    let mut x = Sanction::from(s).to_json().unwrap_or(Value::Null);
                    x["organization_name"] = json!(name);
                    x
                })
                .collect();
            let filter_error = matches!(org, Some(None)).then(|| "没有使用该统一社会信用代码的单位");
            let query = code.map(|c| format!("&credit_code={}", super::urlencode(c))).unwrap_or_default();
            let done = q.done.is_some().then_some("违规处理已记录。");
            let ctx = json!({ "title": "违规处理", "items": items, "kinds": kinds(), "filter_code": code, "filter_org": org.flatten().map(|o| o.name),
                              "filter_error": filter_error, "next": next.map(|c| format!("/bureau/sanctions?cursor={c}{query}")),
                              "values": form.values, "errors": form.errors, "done": done, "today": state.clock.today() });
            page(status, Some(v), "bureau_sanctions.html", ctx)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn list(req: &Request, state: St<'_>, q: Query<ListQuery>) -> Response {
    let v = guard!(bureau_signed_in(&state, req).await);
    list_page(&state, &v, &q, StatusCode::OK, Entered::blank()).await
}

/// The form as the API's request body: the organisation by its credit code,
/// the application by its number; every field that cannot be read is named.
async fn body_of(state: &AppState, caller: &Caller, f: &Fields) -> ApiResult<NewSanctionBody> {
    let mut bad = Vec::new();
    let mut organization_id = Uuid::nil();
    match f.get("credit_code") {
        None => bad.push(msg("credit_code", "请填写单位的统一社会信用代码", "credit_code is required")),
        Some(code) => match org_by_code(state, caller, code).await? {
            Some(o) => organization_id = o.id,
            None => bad.push(msg("credit_code", "没有使用该统一社会信用代码的单位", "No organisation with this credit code")),
        },
    }
    let kind = f.get("kind").filter(|k| SanctionKind::parse(k).is_some());
    if kind.is_none() {
        bad.push(msg("kind", "请选择处理类型", "kind is required"));
    }
    let confirmed_on = f.date("confirmed_on", "认定日期").map_err(|e| bad.push(e)).ok();
    let mut application_id = None;
    if let Some(number) = f.get("application_number") {
        match applications::find_by_number(state, caller, number).await? {
            Some(a) => application_id = Some(a.id),
            None => bad.push(msg("application_number", "没有该申报编号的申报", "No application with this number")),
        }
    }
    let body: NewSanctionBody = parse_body(json!({
        "organization_id": organization_id, "kind": kind.unwrap_or("agreement_breach"),
        "confirmed_on": confirmed_on.unwrap_or_else(|| state.clock.today()), "description": f.get("description").unwrap_or_default(),
        "application_id": application_id,
    }))?;
    // The description's own check, so that every field's message shows at once.
    if f.get("description").is_none() {
        bad.push(msg("description", "请填写违规情况及处理依据", "description is required"));
    } else if let Err(e) = body.parse() {
        bad.extend(e.details.errors);
    }
    if bad.is_empty() { Ok(body) } else { Err(ApiError::validation(bad)) }
}

#[handler]
async fn create(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let body = body_of(&state, &v.caller, &f).await?;
        svc::create(&state, &v.caller, body.parse()?).await
    }
    .await;
    match result {
        Ok(_) => redirect("/bureau/sanctions?done=recorded"),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            // The service names the ids; the form has the credit code and the number.
            let mut errors = form_errors_as(&e, "NewSanctionBody");
            if let Some(fields) = errors["fields"].as_object_mut() {
                *fields = std::mem::take(fields)
                    .into_iter()
                    .map(|(k, m)| match k.as_str() {
                        "organization_id" => ("credit_code".to_string(), m),
                        "application_id" => ("application_number".to_string(), m),
                        _ => (k, m),
                    })
                    .collect();
            }
            let q = ListQuery { cursor: None, credit_code: None, done: None };
            list_page(&state, &v, &q, e.status, Entered { values: f.values(), errors }).await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}
