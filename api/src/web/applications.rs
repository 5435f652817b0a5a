//! Skill-resource applications in the browser (seed 000), for the org_user
//! of the applicant organisation: start one from an open call, fill the form
//! of its category (3: kind, occupation, levels, trainees, IP declaration,
//! using enterprises with their usage reports; 4: team, funding; 5: leader,
//! 技师+教师+工程师 team, funding), see readiness — every eligibility failure
//! by name — submit (DGJN-…), and follow the status. The bureau and the
//! experts have pages of their own; here they get 403.
//!
//! The form becomes the API's `ApplicationBody` and goes through the same
//! `TryFrom` and the same services as `POST /api/v1/applications`; the detail
//! is the API's `ApplicationOut`, readiness included.

use entities::resource::{ApplicationStatus, Category, ResourceKind};
use poem::{
    Request, Response, Route, get, handler,
    http::StatusCode,
    post,
    web::{Multipart, Path, Query},
};
use poem_openapi::types::ToJSON;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Fields, St, Viewer, alliances::guard, error_page, form_errors, local_time_json, message, page, parse_body, posted, posted_upload,
    redirect, signed_in,
};
use crate::{
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::{
        applications::{ApplicationBody, MAX_ENTERPRISES, MAX_TEAM, detail},
        resource_dto::CallOut,
    },
    services::{
        documents,
        resources::{
            self as svc,
            applications::{self as apps, Filter},
        },
    },
    state::AppState,
};

pub fn routes() -> Route {
    Route::new()
        .at("/", get(list))
        .at("/new", get(new_form).post(create))
        .at("/:id", get(show).post(save))
        .at("/:id/submit", post(submit))
        .at("/:id/project", get(super::development::project))
        .at("/:id/milestones", post(super::development::record))
}

/// Rows the form offers at first for using enterprises (category 3) and team
/// members (4, 5); "增加一行" adds one more, up to the API's limits.
const ENTERPRISE_ROWS: usize = 8;
const TEAM_ROWS: usize = 6;

/// The row lists of the form: (field prefix, rows at first, most rows).
const ROW_LISTS: [(&str, usize, usize); 2] = [("enterprises", ENTERPRISE_ROWS, MAX_ENTERPRISES), ("team", TEAM_ROWS, MAX_TEAM)];

/// The row indices `i` of `prefix[i].…` keys, ascending, each once.
fn row_indices<'a>(keys: impl Iterator<Item = &'a str>, prefix: &str) -> Vec<usize> {
    let mut rows: Vec<usize> =
        keys.filter_map(|k| k.strip_prefix(prefix)?.strip_prefix('[')?.split_once(']')?.0.parse::<usize>().ok()).collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// How many rows of `prefix` the form shows for `values`: the rows at first,
/// at least every row the form had or holds data for, or `{prefix}_rows`
/// when "增加一行" asked for more; never more than `max`.
fn rows_shown(values: &Value, prefix: &str, at_first: usize, max: usize) -> usize {
    let keys = values.as_object().into_iter().flat_map(|m| m.keys().map(String::as_str));
    let had = row_indices(keys, prefix).last().map_or(0, |i| i + 1);
    let asked = values.get(format!("{prefix}_rows")).and_then(Value::as_u64).map_or(0, |n| usize::try_from(n).unwrap_or(max));
    had.max(asked).max(at_first).min(max)
}

/// The levels of the national occupational skill standard, for the checkboxes.
const LEVELS: [&str; 5] = ["五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"];

/// Only an applicant's org_user uses these pages (the bureau and experts
/// have pages of their own); anyone else gets this 403.
///
/// # Errors
/// The 403 page.
#[expect(clippy::result_large_err, reason = "a guard's response, returned once per request like `signed_in`'s")]
pub(super) fn applicant_only(v: &Viewer) -> Result<(), Response> {
    if v.caller.role == entities::Role::OrgUser {
        Ok(())
    } else {
        Err(message(StatusCode::FORBIDDEN, Some(v), "无权操作", "技能资源申报及开发项目由申报单位的单位用户在网上办理。"))
    }
}

fn choice(value: &str, label: &str) -> Value {
    json!({ "value": value, "label": label })
}

/// The choices the form offers (labels only; the rules are in `entities`).
fn options(category: Category, values: &Value) -> Value {
    use sea_orm::ActiveEnum;
    let kinds: Vec<Value> = [
        ResourceKind::PrintedTextbook,
        ResourceKind::ETextbook,
        ResourceKind::CourseStandard,
        ResourceKind::TrainingCourse,
        ResourceKind::OnlineCourse,
        ResourceKind::EvaluationSpecification,
        ResourceKind::TheoryQuestionBank,
        ResourceKind::IntegratedCaseCourse,
        ResourceKind::NewOccupationProposal,
    ]
    .into_iter()
    .filter(|k| category.allows(*k))
    .map(|k| choice(&k.to_value(), k.label_zh()))
    .collect();
    json!({
        "kinds": kinds,
        "levels": LEVELS,
        "enterprise_rows": (0..rows_shown(values, "enterprises", ENTERPRISE_ROWS, MAX_ENTERPRISES)).collect::<Vec<_>>(),
        "team_rows": (0..rows_shown(values, "team", TEAM_ROWS, MAX_TEAM)).collect::<Vec<_>>(),
        "max_enterprises": MAX_ENTERPRISES, "max_team": MAX_TEAM,
        "team_roles": [choice("technician", "技师"), choice("teacher", "教师"), choice("engineer", "工程师"), choice("other", "其他")],
        "titles": [choice("none", "无职称"), choice("junior", "初级"), choice("intermediate", "中级"), choice("deputy_senior", "副高级"), choice("senior", "正高级")],
        "skills": [choice("none", "无"), choice("junior_worker", "初级工"), choice("intermediate_worker", "中级工"), choice("senior_worker", "高级工"),
                   choice("technician", "技师"), choice("senior_technician", "高级技师"), choice("principal_technician", "特级技师"), choice("chief_technician", "首席技师")],
    })
}

/// The category's form sections, as the template shows them.
fn sections(category: Category) -> Value {
    json!({
        "certification": category == Category::TrainingResource,
        "team": matches!(category, Category::EvaluationResource | Category::SkillResearch),
        "leader": category == Category::SkillResearch,
        "funding": matches!(category, Category::EvaluationResource | Category::SkillResearch),
    })
}

/// The posted form as the API's JSON body (blank rows left out). The uploads
/// already stored are `uploaded[i]` for enterprise row `i`.
fn body_of(f: &Fields, call_id: Uuid, uploaded: &[(usize, Uuid)]) -> ApiResult<Value> {
    let mut body = f.to_json(&["resource_kind", "occupation_code", "occupation_name", "title", "description", "funding_source"], &[])?;
    body["call_id"] = json!(call_id);
    body["levels"] = json!(f.all("levels"));
    body["ip_declared"] = json!(f.get("ip_declared").is_some());
    if let Some(t) = f.get("trainees_last_3_years") {
        let n: i64 = t.parse().map_err(|_| ApiError::field("trainees_last_3_years", "近三年培训人次须为整数", "must be a whole number"))?;
        body["trainees_last_3_years"] = json!(n);
    }
    let keys = || f.0.iter().map(|(k, _)| k.as_str());
    let mut enterprises = Vec::new();
    for i in row_indices(keys(), "enterprises") {
        let doc = uploaded.iter().find(|(row, _)| *row == i).map(|(_, d)| d.to_string());
        let doc = doc.or_else(|| f.get(&format!("enterprises[{i}].usage_report_document_id")).map(str::to_string));
        let Some(name) = f.get(&format!("enterprises[{i}].name")) else { continue };
        let mut e = json!({ "name": name, "usage_report_document_id": doc });
        if let Some(c) = f.get(&format!("enterprises[{i}].credit_code")) {
            e["credit_code"] = json!(c);
        }
        enterprises.push(e);
    }
    body["enterprises"] = json!(enterprises);
    let team: Vec<Value> = row_indices(keys(), "team")
        .into_iter()
        .filter_map(|i| {
            let name = f.get(&format!("team[{i}].name"))?;
            Some(json!({
                "name": name,
                "role": f.get(&format!("team[{i}].role")).unwrap_or("other"),
                "qualification": f.get(&format!("team[{i}].qualification")).unwrap_or_default(),
            }))
        })
        .collect();
    body["team"] = json!(team);
    if let Some(name) = f.get("leader.name") {
        body["leader"] = json!({
            "name": name,
            "title_level": f.get("leader.title_level").unwrap_or("none"),
            "skill_level": f.get("leader.skill_level").unwrap_or("none"),
        });
    }
    Ok(body)
}

/// The stored application as the form's values (the inverse of [`body_of`]).
fn values_of(app: &Value) -> Value {
    let mut v = serde_json::Map::new();
    for k in ["resource_kind", "occupation_code", "occupation_name", "title", "description", "funding_source", "trainees_last_3_years"] {
        if let Some(x) = app.get(k).filter(|x| !x.is_null()) {
            v.insert(k.into(), x.as_str().map_or_else(|| json!(x.to_string()), |s| json!(s)));
        }
    }
    if app["ip_declared"] == json!(true) {
        v.insert("ip_declared".into(), json!("1"));
    }
    v.insert("levels".into(), app["levels"].clone());
    for (i, e) in app["enterprises"].as_array().into_iter().flatten().enumerate() {
        for k in ["name", "credit_code", "usage_report_document_id"] {
            v.insert(format!("enterprises[{i}].{k}"), e[k].clone());
        }
    }
    for (i, t) in app["team"].as_array().into_iter().flatten().enumerate() {
        for k in ["name", "role", "qualification"] {
            v.insert(format!("team[{i}].{k}"), t[k].clone());
        }
    }
    if let Some(l) = app.get("leader").filter(|l| l.is_object()) {
        for k in ["name", "title_level", "skill_level"] {
            v.insert(format!("leader.{k}"), l[k].clone());
        }
    }
    Value::Object(v)
}

/// The posted values to show again (every value of `levels`).
fn posted_values(f: &Fields) -> Value {
    let mut v = f.values();
    v["levels"] = json!(f.all("levels"));
    if f.get("ip_declared").is_some() {
        v["ip_declared"] = json!("1");
    }
    v
}

fn call_json(state: &AppState, c: entities::models::call::Model) -> Value {
    let mut v = CallOut::new(c, state.clock.now()).to_json().unwrap_or(Value::Null);
    v["closes_local"] = json!(local_time_json(v.get("closes_at")));
    v
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

#[handler]
async fn list(req: &Request, state: St<'_>, q: Query<ListQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    guard!(applicant_only(&v));
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        let (items, next) = apps::list(&state, &v.caller, Filter { call_id: None, status: None, category: None }, paging).await?;
        let open = svc::list_calls(&state, None, true, PageParams::parse(Some(50), None)?).await?.0;
        Ok::<_, ApiError>((items, next, open))
    }
    .await;
    match result {
        Ok((items, next, open)) => {
            let items: Vec<Value> = items
                .into_iter()
                .map(|a| {
                    let mut j = crate::routes::resource_dto::ApplicationOut::from(a).to_json().unwrap_or(Value::Null);
                    j["submitted_local"] = json!(local_time_json(j.get("submitted_at")));
                    j
                })
                .collect();
            let calls: Vec<Value> = open.into_iter().map(|c| call_json(&state, c)).collect();
            page(
                StatusCode::OK,
                Some(&v),
                "applications.html",
                json!({ "title": "技能资源申报", "items": items, "calls": calls, "next": next.map(|c| format!("/applications?cursor={c}")) }),
            )
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    call: Option<Uuid>,
}

fn form_page(
    status: StatusCode,
    v: &Viewer,
    call: &Value,
    category: Category,
    app: Option<&Value>,
    values: Value,
    errors: Value,
) -> Response {
    let title = if app.is_some() { "申报详情" } else { "新建技能资源申报" };
    let options = options(category, &values);
    page(
        status,
        Some(v),
        "application.html",
        json!({
            "title": title, "call": call, "app": app, "values": values, "errors": errors,
            "options": options, "sections": sections(category),
        }),
    )
}

#[handler]
async fn new_form(req: &Request, state: St<'_>, q: Query<NewQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    guard!(applicant_only(&v));
    let Some(call_id) = q.call else { return redirect("/applications") };
    match svc::get_call(&state, call_id).await {
        Ok(c) if c.is_open(state.clock.now()) => {
            let category = c.category;
            form_page(StatusCode::OK, &v, &call_json(&state, c), category, None, json!({ "levels": [] }), Value::Null)
        }
        Ok(_) => message(StatusCode::CONFLICT, Some(&v), "征集已截止", "该征集公告目前不接受申报。"),
        Err(e) => error_page(Some(&v), &e),
    }
}

/// Stores every usage report chosen on the form; answers (enterprise row, document).
async fn store_reports(state: &AppState, v: &Viewer, files: Vec<(String, String, Vec<u8>)>) -> ApiResult<Vec<(usize, Uuid)>> {
    let mut out = Vec::new();
    for (field, name, bytes) in files {
        let row = field
            .strip_prefix("enterprises[")
            .and_then(|r| r.strip_suffix("].usage_report"))
            .and_then(|r| r.parse::<usize>().ok())
            .filter(|r| *r < MAX_ENTERPRISES);
        let Some(row) = row else { continue };
        let doc = documents::store(state, &v.caller, &name, bytes).await.map_err(|e| {
            let p = e.to_problem(None);
            ApiError::field(&format!("enterprises[{row}].usage_report"), p.detail.unwrap_or(p.title), "bad usage report")
        })?;
        out.push((row, doc.id));
    }
    Ok(out)
}

/// Parses the form into the service's fields, exactly as the API does.
fn fields_of(f: &Fields, call_id: Uuid, uploaded: &[(usize, Uuid)]) -> ApiResult<apps::Fields> {
    let body: ApplicationBody = parse_body(body_of(f, call_id, uploaded)?)?;
    apps::Fields::try_from(&body)
}

/// "增加一行" (the form's `more` button, `enterprises` or `team`): the form
/// again with everything entered and one more empty row of that list. The
/// application is not saved (a draft is saved by "保存草稿" as before); the
/// usage reports chosen are stored as documents and kept on the form, since
/// a browser never fills a file field again.
///
/// # Errors
/// A usage report refused by the document store, named by its row.
async fn with_more_rows(state: &AppState, v: &Viewer, f: &Fields, files: Vec<(String, String, Vec<u8>)>) -> ApiResult<Value> {
    let uploaded = store_reports(state, v, files).await?;
    let mut values = posted_values(f);
    for (row, doc) in uploaded {
        values[format!("enterprises[{row}].usage_report_document_id")] = json!(doc);
    }
    if let Some((prefix, at_first, max)) = ROW_LISTS.iter().find(|(p, ..)| f.get("more") == Some(*p)) {
        values[format!("{prefix}_rows")] = json!(rows_shown(&values, prefix, *at_first, *max) + 1);
    }
    Ok(values)
}

#[handler]
async fn create(req: &Request, state: St<'_>, mp: Multipart) -> Response {
    let (v, mut up) = guard!(posted_upload(&state, req, mp).await);
    guard!(applicant_only(&v));
    let Some(call_id) = up.fields.get("call_id").and_then(|c| c.parse::<Uuid>().ok()) else {
        return message(StatusCode::UNPROCESSABLE_ENTITY, Some(&v), "请选择征集公告", "请从征集公告进入申报。");
    };
    let call = match svc::get_call(&state, call_id).await {
        Ok(c) => c,
        Err(e) => return error_page(Some(&v), &e),
    };
    let category = call.category;
    let files = std::mem::take(&mut up.files);
    if up.fields.get("more").is_some() {
        return match with_more_rows(&state, &v, &up.fields, files).await {
            Ok(values) => form_page(StatusCode::OK, &v, &call_json(&state, call), category, None, values, Value::Null),
            Err(e) => error_page(Some(&v), &e),
        };
    }
    let result = async {
        let uploaded = store_reports(&state, &v, files).await?;
        let fields = fields_of(&up.fields, call_id, &uploaded)?;
        apps::create(&state, &v.caller, fields).await
    }
    .await;
    match result {
        Ok(a) => redirect(&format!("/applications/{}?done=created", a.id)),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &v,
            &call_json(&state, call),
            category,
            None,
            posted_values(&up.fields),
            form_errors(&e),
        ),
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

fn done_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => "申报草稿已保存。请核对下方“提交前检查”，全部满足后提交。",
        "saved" => "已保存。",
        "submitted" => "申报已提交，申报编号已生成。市人力资源社会保障部门将组织专家评审。",
        _ => return None,
    })
}

/// The steps an application goes through, and where this one is (for the status line).
fn progress(status: ApplicationStatus) -> &'static str {
    use ApplicationStatus as S;
    match status {
        S::Draft => "草稿：尚未提交",
        S::Submitted | S::UnderReview => "评审中：市人力资源社会保障部门组织专家评审",
        S::NotSelected => "未入选",
        S::OnNotice | S::ResultsOnNotice => "公示中：公示期满且无异议后进入审定",
        S::AwaitingRuling | S::ResultsAwaitingRuling => "公示期内有异议，等待市人力资源社会保障部门调查处理",
        S::AwaitingApproval | S::AwaitingPublication => "待审定",
        S::Refused => "不予认定（立项）",
        S::Published => "已发布：已列入技能资源目录",
        S::ApprovedForDevelopment => "已立项：等待签订开发工作协议",
        S::InDevelopment => "开发中：按协议推进开发环节",
        S::Accepted => "已通过验收：等待结果公示",
        S::Ingested => "已入库：纳入公共题库",
        S::Revoked => "已撤销",
        S::Terminated => "已终止",
        S::ReportedUpward => "已汇总上报",
        S::Included => "已纳入开发计划",
        S::NotIncluded => "未纳入开发计划",
        S::Completed => "开发完成",
    }
}

/// The detail page: the form while a draft (with readiness), else the status.
async fn detail_page(
    state: &AppState,
    v: &Viewer,
    id: Uuid,
    done: Option<&str>,
    values: Option<Value>,
    errors: Value,
    status: StatusCode,
) -> Response {
    let result = async {
        let (a, _) = svc::load(&state.db, &v.caller, id).await?;
        let call = svc::get_call(state, a.call_id).await?;
        let category = a.category;
        let app_status = a.status;
        let out = detail(state, &v.caller, id).await?;
        Ok::<_, ApiError>((call, category, app_status, out))
    }
    .await;
    match result {
        Ok((call, category, app_status, out)) => {
            let mut app = out.to_json().unwrap_or(Value::Null);
            app["progress"] = json!(progress(app_status));
            app["submitted_local"] = json!(local_time_json(app.get("submitted_at")));
            app["draft"] = json!(app_status == ApplicationStatus::Draft);
            app["project"] = json!(
                matches!(category, Category::EvaluationResource | Category::SkillResearch)
                    && !matches!(
                        app_status,
                        ApplicationStatus::Draft
                            | ApplicationStatus::Submitted
                            | ApplicationStatus::UnderReview
                            | ApplicationStatus::NotSelected
                            | ApplicationStatus::OnNotice
                            | ApplicationStatus::AwaitingRuling
                            | ApplicationStatus::AwaitingApproval
                            | ApplicationStatus::Refused
                    )
            );
            app["done"] = json!(done_text(done));
            let values = values.unwrap_or_else(|| values_of(&app));
            form_page(status, v, &call_json(state, call), category, Some(&app), values, errors)
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
async fn show(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<ShowQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    guard!(applicant_only(&v));
    detail_page(&state, &v, id.0, q.done.as_deref(), None, Value::Null, StatusCode::OK).await
}

/// Saves the draft (the same form as a new one, multipart for the usage reports).
#[handler]
async fn save(req: &Request, state: St<'_>, id: Path<Uuid>, mp: Multipart) -> Response {
    let (v, mut up) = guard!(posted_upload(&state, req, mp).await);
    guard!(applicant_only(&v));
    let files = std::mem::take(&mut up.files);
    let result = async {
        // Whose it is and whether it is still a draft: settled before any upload is stored.
        let (a, access) = svc::load(&state.db, &v.caller, id.0).await?;
        if access != svc::Access::Applicant {
            return Err(ApiError::forbidden());
        }
        if a.status != ApplicationStatus::Draft {
            return Err(ApiError::conflict("wrong_state", "申报已提交，不能修改", "Only drafts can be changed"));
        }
        if up.fields.get("more").is_some() {
            return Ok(Some(with_more_rows(&state, &v, &up.fields, files).await?));
        }
        let uploaded = store_reports(&state, &v, files).await?;
        let fields = fields_of(&up.fields, a.call_id, &uploaded)?;
        apps::update(&state, &v.caller, id.0, fields).await.map(|_| None)
    }
    .await;
    match result {
        Ok(Some(values)) => detail_page(&state, &v, id.0, None, Some(values), Value::Null, StatusCode::OK).await,
        Ok(None) => redirect(&format!("/applications/{}?done=saved", id.0)),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            detail_page(&state, &v, id.0, None, Some(posted_values(&up.fields)), form_errors(&e), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn submit(req: &Request, state: St<'_>, id: Path<Uuid>, form: poem::web::Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    guard!(applicant_only(&v));
    match apps::submit(&state, &v.caller, id.0, None).await {
        Ok(_) => redirect(&format!("/applications/{}?done=submitted", id.0)),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            detail_page(&state, &v, id.0, None, None, form_errors(&e), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_by_the_indices_posted_and_shown_up_to_the_limit() {
        let keys = [
            "enterprises[10].name",
            "enterprises[2].name",
            "enterprises[2].credit_code",
            "team[0].name",
            "enterprisesX[3].name",
            "enterprises[x].name",
        ];
        assert_eq!(row_indices(keys.into_iter(), "enterprises"), vec![2, 10]);
        assert_eq!(row_indices(keys.into_iter(), "team"), vec![0]);
        // At first 8; as many as the form had (empty ones included) or asked for; never more than the limit.
        assert_eq!(rows_shown(&json!({}), "enterprises", 8, 200), 8);
        assert_eq!(rows_shown(&json!({ "enterprises[11].name": "" }), "enterprises", 8, 200), 12);
        assert_eq!(rows_shown(&json!({ "enterprises[3].name": "甲", "enterprises_rows": 9 }), "enterprises", 8, 200), 9);
        assert_eq!(rows_shown(&json!({ "enterprises_rows": 5000 }), "enterprises", 8, 200), 200);
    }
}
