//! Filing an alliance in the browser (003 §二): the initiator's draft, its
//! documents and members, readiness, the 附件1 template and import, submit,
//! return reasons and resubmission, joins and leaves after registration; the
//! member's charter signature; the bureau's return and registration. Every
//! action calls the service the API calls, and the detail is the API's.

use chrono::NaiveDate;
use entities::alliance::AllianceStatus;
use poem::{
    Request, Response, Route, get, handler,
    http::StatusCode,
    post,
    web::{Form, Multipart, Path, Query},
};
use poem_openapi::types::ToJSON;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Fields, St, Viewer, attachment, error_page, form_errors, message, page, parse_body, posted, read_multipart, redirect, signed_in,
    urlencode,
};
use crate::{
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::{
        alliances::{AllianceSummary, CreateAlliance, ReturnRequest, UpdateAlliance, detail},
        organizations::OrgChoice,
    },
    services::{
        alliances::{self as svc, Access, AllianceFilter, DraftFields, import, members, review},
        documents, organizations,
    },
};

pub fn routes() -> Route {
    Route::new()
        .at("/", get(list))
        .at("/new", get(new_form).post(create))
        .at("/:id", get(show))
        .at("/:id/edit", post(edit))
        .at("/:id/upload", post(upload))
        .at("/:id/members", post(add_member))
        .at("/:id/members/:org/remove", post(remove_member))
        .at("/:id/members/:org/leave", post(leave))
        .at("/:id/members/:org/form", get(super::member_form::show).post(super::member_form::save))
        .at("/:id/sign", post(sign))
        .at("/:id/submit", post(submit))
        .at("/:id/return", post(return_filing))
        .at("/:id/register", post(register))
        .at("/:id/template.xlsx", get(template))
        .at("/:id/import", post(import_forms))
        .at("/:id/documents/:doc", get(document))
        .at("/:id/reports/:period", get(super::reports::show))
        .at("/:id/reports/:period/submit", post(super::reports::submit))
        .at("/:id/reports/:period/summary", post(super::reports::summary))
        .at("/:id/reports/:period/accept", post(super::reports::accept))
        .at("/:id/reports/:period/return", post(super::reports::return_report))
        .at("/:id/reports/:period/export.xlsx", get(super::reports::xlsx))
        .at("/:id/reports/:period/export.csv", get(super::reports::csv))
        .at("/:id/reports/:period/rows/:org", get(super::reports::row_form).post(super::reports::save_row))
        .at("/:id/reports/:period/rows/:org/no-change", post(super::reports::no_change))
        .at("/:id/reports/:period/rows/:org/no-activity", post(super::reports::no_activity))
}

/// Unwraps a guard's result or returns its response.
macro_rules! guard {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}
pub(crate) use guard;

fn json_of(v: &impl ToJSON) -> Value {
    v.to_json().unwrap_or(Value::Null)
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    name: Option<String>,
    cursor: Option<String>,
}

fn parse_status(s: Option<&str>) -> Option<AllianceStatus> {
    use sea_orm::ActiveEnum;
    s.filter(|v| !v.is_empty()).and_then(|v| AllianceStatus::try_from_value(&v.to_string()).ok())
}

const STATUSES: [AllianceStatus; 6] = [
    AllianceStatus::Draft,
    AllianceStatus::Submitted,
    AllianceStatus::Returned,
    AllianceStatus::Registered,
    AllianceStatus::Suspended,
    AllianceStatus::Dissolved,
];

fn status_options(selected: Option<AllianceStatus>) -> Value {
    use sea_orm::ActiveEnum;
    STATUSES.iter().map(|s| json!({ "value": s.to_value(), "label": s.label_zh(), "selected": Some(*s) == selected })).collect()
}

#[handler]
async fn list(req: &Request, state: St<'_>, q: Query<ListQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let status = parse_status(q.status.as_deref());
    let name = q.name.clone().map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        svc::list(&state, &v.caller, AllianceFilter { status, industry: None, name: name.clone() }, paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let items: Vec<Value> = items.into_iter().map(|a| json_of(&AllianceSummary::from(a))).collect();
            let next = next.map(|c| {
                format!(
                    "/alliances?cursor={c}&status={}&name={}",
                    q.status.as_deref().unwrap_or_default(),
                    urlencode(name.as_deref().unwrap_or_default())
                )
            });
            page(
                StatusCode::OK,
                Some(&v),
                "alliances.html",
                json!({ "title": "联盟备案", "items": items, "next": next, "statuses": status_options(status), "name": name }),
            )
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// Organisations matching `q` for a chooser (none when `q` is blank).
async fn choices(state: &crate::state::AppState, v: &Viewer, q: Option<&str>, kind: Option<entities::OrgKind>) -> ApiResult<Vec<Value>> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else { return Ok(Vec::new()) };
    let (items, _) = organizations::search(state, &v.caller, q, kind, PageParams::parse(Some(30), None)?).await?;
    Ok(items.iter().map(|o| json_of(&OrgChoice::from(o))).collect())
}

fn new_page(
    status: StatusCode,
    v: &Viewer,
    q: Option<&str>,
    results: Result<Vec<Value>, ApiError>,
    values: Value,
    errors: Value,
) -> Response {
    let (results, search_error) = match results {
        Ok(r) => (r, None),
        Err(e) => (Vec::new(), Some(form_errors(&e))),
    };
    page(
        status,
        Some(v),
        "alliance_new.html",
        json!({ "title": "发起联盟备案", "q": q, "results": results, "search_error": search_error, "values": values, "errors": errors }),
    )
}

#[handler]
async fn new_form(req: &Request, state: St<'_>, q: Query<SearchQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if v.caller.role != entities::Role::OrgUser {
        return message(StatusCode::FORBIDDEN, Some(&v), "无权操作", "联盟备案由发起单位的单位用户在网上提交。");
    }
    let results = choices(&state, &v, q.q.as_deref(), Some(entities::OrgKind::Enterprise)).await;
    new_page(StatusCode::OK, &v, q.q.as_deref(), results, json!({}), Value::Null)
}

#[handler]
async fn create(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        let mut body = f.to_json(&["name", "industry", "industry_code", "report_text"], &[])?;
        let lead = f
            .get("lead_organization_id")
            .ok_or_else(|| ApiError::field("lead_organization_id", "请选择承担主体（龙头企业）", "Choose the lead"))?;
        body["lead_organization_id"] = json!(lead);
        let body: CreateAlliance = parse_body(body)?;
        let fields = DraftFields::try_from(&body)?;
        svc::create(&state, &v.caller, fields, body.member_organization_ids).await
    }
    .await;
    match result {
        Ok(a) => redirect(&format!("/alliances/{}?done=created", a.id)),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            new_page(StatusCode::UNPROCESSABLE_ENTITY, &v, None, Ok(Vec::new()), f.values(), form_errors(&e))
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    q: Option<String>,
    done: Option<String>,
}

fn done_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => "联盟备案草稿已创建。请上传材料、增加成员单位，并请各成员单位填写登记表、签署章程。",
        "saved" => "已保存。",
        "uploaded" => "文件已上传。",
        "member_added" => "已增加成员单位。",
        "member_removed" => "已移除成员单位。",
        "left" => "已登记退出。",
        "signed" => "已签署章程。",
        "submitted" => "备案已提交，等待市人社局审核。",
        "returned" => "已退回发起单位修改。",
        "registered" => "已予以备案，备案编号已生成。",
        "imported" => "登记表已全部导入。",
        _ => return None,
    })
}

/// The caller's relation to an alliance, as the templates name it.
pub(crate) fn access_code(access: Access) -> &'static str {
    match access {
        Access::Bureau => "bureau",
        Access::Initiator => "initiator",
        Access::Member(_) => "member",
    }
}

/// The items a bureau return may name (the filing materials of 003 §二(六)).
const RETURN_ITEMS: [&str; 6] = ["发起单位报告", "营业执照", "成员单位登记表", "章程", "合作协议", "成员构成"];

async fn detail_page(state: &crate::state::AppState, v: &Viewer, id: Uuid, extra: Value, status: StatusCode) -> Response {
    let result = async {
        let today = state.clock.today();
        let (view, access) = svc::load_view(&state.db, &v.caller, id, today).await?;
        let reports = if matches!(view.alliance.status, AllianceStatus::Registered | AllianceStatus::Suspended | AllianceStatus::Dissolved)
        {
            Some(crate::services::reports::view::owed_of(state, &view.alliance, None, 20).await?.0)
        } else {
            None
        };
        Ok::<_, ApiError>((detail(view, access, today), access, reports))
    }
    .await;
    let (d, access, reports) = match result {
        Ok(x) => x,
        Err(e) => return error_page(Some(v), &e),
    };
    let reports: Vec<Value> =
        reports.map(|r| r.into_iter().map(|p| json_of(&crate::routes::reports::dto::OwedPeriodDto::from(p))).collect()).unwrap_or_default();
    let mut ctx = json!({
        "title": d.summary.name.clone(),
        "a": json_of(&d),
        "access": access_code(access),
        "my_org": v.caller.organization_id,
        "reports": reports,
        "return_items": RETURN_ITEMS,
        "today": state.clock.today(),
        "submit_key": Uuid::now_v7(),
    });
    if let (Some(map), Some(extra)) = (ctx.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    page(status, Some(v), "alliance.html", ctx)
}

#[handler]
async fn show(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<ShowQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let results = match choices(&state, &v, q.q.as_deref(), None).await {
        Ok(r) => json!({ "results": r }),
        Err(e) => json!({ "search_error": form_errors(&e) }),
    };
    let mut extra = json!({ "q": q.q, "done": done_text(q.done.as_deref()) });
    if let (Some(m), Some(r)) = (extra.as_object_mut(), results.as_object()) {
        m.extend(r.clone());
    }
    detail_page(&state, &v, id.0, extra, StatusCode::OK).await
}

/// After a form post: back to the alliance with a note, or the alliance page
/// again with the service's refusal shown (status kept).
async fn after(state: &crate::state::AppState, v: &Viewer, id: Uuid, result: ApiResult<()>, done: &str, anchor: &str) -> Response {
    match result {
        Ok(()) => redirect(&format!("/alliances/{id}?done={done}#{anchor}")),
        Err(e) if matches!(e.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => error_page(Some(v), &e),
        Err(e) => detail_page(state, v, id, json!({ "errors": form_errors(&e), "errors_at": anchor }), e.status).await,
    }
}

#[handler]
async fn edit(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        let mut body = f.to_json(&["name", "industry"], &[])?;
        body["report_text"] = f.get("report_text").map_or(Value::Null, |t| json!(t));
        let body: UpdateAlliance = parse_body(body)?;
        let version = f.get("version").and_then(|x| x.parse().ok());
        svc::update(&state, &v.caller, id.0, version, DraftFields::try_from(&body)?).await.map(|_| ())
    }
    .await;
    after(&state, &v, id.0, result, "saved", "materials").await
}

#[handler]
async fn upload(req: &Request, state: St<'_>, id: Path<Uuid>, mp: Multipart) -> Response {
    let up = match read_multipart(mp).await {
        Ok(u) => u,
        Err(e) => return error_page(None, &e),
    };
    let v = guard!(posted(&state, req, up.fields.csrf()).await);
    let result = async {
        let Some((name, bytes)) = up.file else { return Err(ApiError::field("file", "请选择要上传的文件", "Choose a file")) };
        let kind = up.fields.get("kind").unwrap_or_default();
        // Only the initiator files materials; check before storing anything.
        svc::load_as_initiator(&state.db, &v.caller, id.0).await?;
        let doc = documents::store(&state, &v.caller, &name, bytes).await?.id;
        let version = up.fields.get("version").and_then(|x| x.parse().ok());
        if kind == "charter" {
            return members::set_charter(&state, &v.caller, id.0, doc).await.map(|_| ());
        }
        let mut f = DraftFields::default();
        match kind {
            "agreement" => f.agreement_doc_id = Some(Some(doc)),
            "licence" => f.licence_doc_id = Some(Some(doc)),
            "report" => f.report_doc_id = Some(Some(doc)),
            _ => return Err(ApiError::field("kind", "请选择材料类别", "Choose what the document is")),
        }
        svc::update(&state, &v.caller, id.0, version, f).await.map(|_| ())
    }
    .await;
    after(&state, &v, id.0, result, "uploaded", "materials").await
}

fn date_field(f: &Fields, name: &str) -> ApiResult<Option<NaiveDate>> {
    f.get(name)
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| ApiError::field(name, "日期格式应为 2026-07-01", "Use YYYY-MM-DD")))
        .transpose()
}

fn org_field(f: &Fields, name: &str) -> ApiResult<Uuid> {
    f.get(name).and_then(|o| o.parse().ok()).ok_or_else(|| ApiError::field(name, "请选择单位", "Choose an organisation"))
}

#[handler]
async fn add_member(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result =
        async { members::add(&state, &v.caller, id.0, org_field(&f, "organization_id")?, date_field(&f, "effective_date")?).await }.await;
    after(&state, &v, id.0, result, "member_added", "members").await
}

#[handler]
async fn remove_member(req: &Request, state: St<'_>, p: Path<(Uuid, Uuid)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = members::remove(&state, &v.caller, p.0.0, p.0.1).await;
    after(&state, &v, p.0.0, result, "member_removed", "members").await
}

#[handler]
async fn leave(req: &Request, state: St<'_>, p: Path<(Uuid, Uuid)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        let day = date_field(&f, "effective_date")?.ok_or_else(|| ApiError::field("effective_date", "请填写退出日期", "Date required"))?;
        members::leave(&state, &v.caller, p.0.0, p.0.1, day, f.get("reason").map(str::to_string)).await
    }
    .await;
    after(&state, &v, p.0.0, result, "left", "members").await
}

#[handler]
async fn sign(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = members::sign_charter(&state, &v.caller, id.0).await.map(|_| ());
    after(&state, &v, id.0, result, "signed", "charter").await
}

#[handler]
async fn submit(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    // The form's own key: a double click submits once.
    let key = f.get("idempotency_key").map(str::to_string);
    let result = review::submit(&state, &v.caller, id.0, key).await;
    after(&state, &v, id.0, result, "submitted", "submit").await
}

#[handler]
async fn return_filing(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        v.caller.require_bureau()?;
        let reasons: Vec<Value> = RETURN_ITEMS
            .iter()
            .enumerate()
            .filter_map(|(i, item)| f.get(&format!("reason_{i}")).map(|r| json!({ "item": item, "reason": r })))
            .chain(f.get("reason_other").map(|r| json!({ "item": f.get("item_other").unwrap_or("其他"), "reason": r })))
            .collect();
        let body: ReturnRequest = parse_body(json!({ "reasons": reasons }))?;
        review::return_filing(&state, &v.caller, id.0, body.reasons()?).await
    }
    .await;
    after(&state, &v, id.0, result, "returned", "review").await
}

#[handler]
async fn register(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = review::register(&state, &v.caller, id.0).await.map(|_| ());
    after(&state, &v, id.0, result, "registered", "review").await
}

#[handler]
async fn template(req: &Request, state: St<'_>, id: Path<Uuid>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    match import::template(&state, &v.caller, id.0).await {
        Ok((name, bytes)) => attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &name, bytes),
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn import_forms(req: &Request, state: St<'_>, id: Path<Uuid>, mp: Multipart) -> Response {
    let up = match read_multipart(mp).await {
        Ok(u) => u,
        Err(e) => return error_page(None, &e),
    };
    let v = guard!(posted(&state, req, up.fields.csrf()).await);
    let result = async {
        let Some((_, bytes)) = up.file else {
            return Err(ApiError::field("file", "请选择填好的登记表文件（.xlsx）", "Choose the filled template"));
        };
        import::import(&state, &v.caller, id.0, bytes).await.map(|_| ())
    }
    .await;
    after(&state, &v, id.0, result, "imported", "import").await
}

#[handler]
async fn document(req: &Request, state: St<'_>, p: Path<(Uuid, Uuid)>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let result = svc::material(&state, &v.caller, p.0.0, p.0.1).await;
    match result {
        Ok((d, bytes)) => attachment(&d.content_type, &d.filename, bytes),
        Err(e) => error_page(Some(&v), &e),
    }
}
