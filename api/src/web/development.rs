//! The applicant's pages after approval (seed 000): the development project
//! of categories 4 and 5 (agreement, milestones with their rule checks, the
//! developer's own steps: writing group, progress reports, 报批), payments
//! received, usage reports of published resources, and the 工作档案.
//!
//! Each renders the API's view (`AgreementOut`, `MilestoneOut`, `PaymentOut`,
//! `UsageOut`, `WorkFileOut`) and posts through the API's request objects to
//! the same services; a refused milestone shows every failed rule beside the
//! form (422 `milestone_refused`).

use entities::resource::{
    ApplicationStatus,
    development::{MilestoneKind, next_allowed, sequence},
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Form, Multipart, Path, Query},
};
use poem_openapi::types::ToJSON;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Fields, St, Viewer, alliances::guard, applications::applicant_only, error_page, form_errors, page, parse_body, posted, posted_upload,
    redirect, signed_in,
};
use crate::{
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::{
        development::{MilestoneBody, MilestoneOut, agreement_out},
        funding::PaymentOut,
        resource_dto::ApplicationOut,
        resources::{UsageBody, UsageOut},
        work_file::WorkFileOut,
    },
    services::{
        documents,
        resources::{
            self as svc,
            development::{self as dev, NewMilestone},
            funding::{self, PaymentFilter},
            operation::{self, NewUsage},
        },
        work_file,
    },
    state::AppState,
};

/// Rows of the writing-group form (000 第十六条(一): at least 5).
const PEOPLE_ROWS: usize = 8;
/// Rows of the question-bank item counts (one per level).
const LEVEL_ROWS: usize = 5;

/// The developer's steps that may be recorded now (the order rule is
/// `entities::resource::development::next_allowed`).
fn developer_steps(kind: entities::resource::ResourceKind, status: ApplicationStatus, done: &[MilestoneKind]) -> Vec<Value> {
    if status != ApplicationStatus::InDevelopment {
        return Vec::new();
    }
    sequence(kind)
        .into_iter()
        .filter(|k| k.by_developer() && next_allowed(kind, done, *k).is_ok())
        .map(|k| json!({ "code": k.code(), "label": k.label_zh() }))
        .collect()
}

fn done_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "recorded" => "开发环节已记录。",
        _ => return None,
    })
}

#[derive(Debug, Deserialize)]
pub struct ProjectQuery {
    done: Option<String>,
}

async fn project_page(
    state: &AppState,
    v: &Viewer,
    id: Uuid,
    done: Option<&str>,
    form: Option<(String, Value, Value)>,
    status: StatusCode,
) -> Response {
    let result = async {
        let (a, access) = svc::load(&state.db, &v.caller, id).await?;
        if access != svc::Access::Applicant {
            return Err(ApiError::forbidden());
        }
        let agreement = match dev::agreement(state, &v.caller, id).await {
            Ok((_, ag, breaches)) => Some(agreement_out(ag, breaches).to_json().unwrap_or(Value::Null)),
            Err(e) if e.status == StatusCode::NOT_FOUND => None,
            Err(e) => return Err(e),
        };
        let (milestones, _) = dev::list(state, &v.caller, id, PageParams::parse(Some(200), None)?).await?;
        let done_kinds: Vec<MilestoneKind> = milestones.iter().map(|m| m.kind).collect();
        let steps = developer_steps(a.resource_kind, a.status, &done_kinds);
        let resource_kind = a.resource_kind;
        let milestones: Vec<Value> = milestones.into_iter().map(|m| MilestoneOut::from(m).to_json().unwrap_or(Value::Null)).collect();
        let plan: Vec<Value> = sequence(resource_kind)
            .into_iter()
            .map(|k| json!({ "label": k.label_zh(), "done": done_kinds.contains(&k), "developer": k.by_developer() }))
            .collect();
        let app = ApplicationOut::from(a).to_json().unwrap_or(Value::Null);
        Ok((app, agreement, milestones, steps, plan, resource_kind))
    }
    .await;
    match result {
        Ok((app, agreement, milestones, steps, plan, kind)) => {
            let (step, values, errors) = form.unwrap_or_else(|| {
                (
                    steps.first().and_then(|s| s["code"].as_str()).unwrap_or_default().to_string(),
                    json!({ "held_on": state.clock.today().to_string() }),
                    Value::Null,
                )
            });
            page(
                status,
                Some(v),
                "project.html",
                json!({
                    "title": "开发项目", "app": app, "agreement": agreement, "milestones": milestones, "steps": steps, "plan": plan,
                    "step": step, "values": values, "errors": errors, "done": done_text(done),
                    "question_bank": kind == entities::resource::ResourceKind::TheoryQuestionBank,
                    "people_rows": (0..PEOPLE_ROWS).collect::<Vec<_>>(), "level_rows": (0..LEVEL_ROWS).collect::<Vec<_>>(),
                    "today": state.clock.today().to_string(),
                }),
            )
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[handler]
pub async fn project(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<ProjectQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    guard!(applicant_only(&v));
    project_page(&state, &v, id.0, q.done.as_deref(), None, StatusCode::OK).await
}

/// The posted milestone form as the API's `MilestoneBody` (blank rows left out).
fn milestone_body(f: &Fields, document: Option<Uuid>) -> ApiResult<Value> {
    let kind = f.get("kind").ok_or_else(|| ApiError::field("kind", "请选择开发环节", "Choose the step"))?;
    let held_on = f.get("held_on").ok_or_else(|| ApiError::field("held_on", "请填写日期", "held_on is required"))?;
    let mut body = json!({ "kind": kind, "held_on": held_on, "documents": document.into_iter().collect::<Vec<_>>() });
    if let Some(note) = f.get("note") {
        body["note"] = json!(note);
    }
    let people: Vec<Value> = (0..PEOPLE_ROWS)
        .filter_map(|i| {
            let name = f.get(&format!("people[{i}].name"))?;
            Some(json!({
                "name": name,
                "expert_type": f.get(&format!("people[{i}].expert_type")),
                "leader": f.get("leader") == Some(i.to_string().as_str()),
                "main_writer": f.get("main_writer") == Some(i.to_string().as_str()),
            }))
        })
        .collect();
    body["people"] = json!(people);
    let mut items = Vec::new();
    for i in 0..LEVEL_ROWS {
        let Some(level) = f.get(&format!("item_counts[{i}].level")) else { continue };
        let count = |what: &str| -> ApiResult<i64> {
            let name = format!("item_counts[{i}].{what}");
            f.get(&name).unwrap_or("0").parse().map_err(|_| ApiError::field(&name, "题量须为整数", "must be a whole number"))
        };
        items.push(json!({ "level": level, "theory": count("theory")?, "practical": count("practical")? }));
    }
    body["item_counts"] = json!(items);
    Ok(body)
}

/// The developer records its step (writing group, progress report, 报批).
#[handler]
pub async fn record(req: &Request, state: St<'_>, id: Path<Uuid>, mp: Multipart) -> Response {
    let (v, mut up) = guard!(posted_upload(&state, req, mp).await);
    guard!(applicant_only(&v));
    let file = up.file.take();
    let result = async {
        // Whose project it is: settled before the file is stored.
        let (_, access) = svc::load(&state.db, &v.caller, id.0).await?;
        if access != svc::Access::Applicant {
            return Err(ApiError::forbidden());
        }
        let document = match file {
            Some((name, bytes)) => Some(documents::store(&state, &v.caller, &name, bytes).await?.id),
            None => None,
        };
        let body: MilestoneBody = parse_body(milestone_body(&up.fields, document)?)?;
        dev::record(&state, &v.caller, id.0, NewMilestone::try_from(body)?).await
    }
    .await;
    match result {
        Ok(_) => redirect(&format!("/applications/{}/project?done=recorded", id.0)),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            let step = up.fields.get("kind").unwrap_or_default().to_string();
            let errors = form_errors(&e);
            project_page(&state, &v, id.0, None, Some((step, up.fields.values(), errors)), e.status).await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct Paged {
    cursor: Option<String>,
}

/// 经费拨付: the organisation's payments, each with the 附件2 version it was computed at.
#[handler]
pub async fn payments(req: &Request, state: St<'_>, q: Query<Paged>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    guard!(applicant_only(&v));
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        funding::list_payments(&state, &v.caller, PaymentFilter::default(), paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let items: Vec<Value> = items.into_iter().map(|p| PaymentOut::from(p).to_json().unwrap_or(Value::Null)).collect();
            page(
                StatusCode::OK,
                Some(&v),
                "payments.html",
                json!({ "title": "经费拨付", "items": items, "next": next.map(|c| format!("/payments?cursor={c}")) }),
            )
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

/// 工作档案 of the caller's organisation.
#[handler]
pub async fn work_file_page(req: &Request, state: St<'_>, q: Query<Paged>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    guard!(applicant_only(&v));
    let Some(org) = v.caller.organization_id else { return error_page(Some(&v), &ApiError::forbidden()) };
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        work_file::get(&state, &v.caller, org, paging).await
    }
    .await;
    match result {
        Ok(f) => {
            let file = WorkFileOut::new(f, state.clock.today()).to_json().unwrap_or(Value::Null);
            let next = file["resources"]["next_cursor"].as_str().map(|c| format!("/work-file?cursor={c}"));
            page(StatusCode::OK, Some(&v), "work_file.html", json!({ "title": "工作档案", "file": file, "next": next }))
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

async fn usage_page(state: &AppState, v: &Viewer, id: Uuid, values: Value, errors: Value, saved: bool, status: StatusCode) -> Response {
    let result = async {
        let r = operation::load(&state.db, &v.caller, id).await?;
        let (items, _) = operation::list_usage(state, &v.caller, id, 50, None).await?;
        let (assessments, more) = operation::list_assessments(state, &v.caller, id, PageParams::parse(Some(20), None)?).await?;
        Ok::<_, ApiError>((r, items, assessments, more.is_some()))
    }
    .await;
    match result {
        Ok((r, items, assessments, more)) => {
            let assessments: Vec<Value> = assessments
                .into_iter()
                .map(|a| crate::routes::resources::AssessmentOut::from(a).to_json().unwrap_or(Value::Null))
                .collect();
            let standing = crate::routes::resources::ResourceOperationOut::new(&r, state.clock.today()).to_json().unwrap_or(Value::Null);
            let items: Vec<Value> = items.into_iter().map(|u| UsageOut::from(u).to_json().unwrap_or(Value::Null)).collect();
            page(
                status,
                Some(v),
                "usage.html",
                json!({
                    "title": "资源使用情况", "resource": standing, "number": r.number, "items": items,
                    "values": values, "errors": errors, "saved": saved, "assessments": assessments, "more_assessments": more,
                }),
            )
        }
        Err(e) => error_page(Some(v), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct UsageQuery {
    saved: Option<String>,
}

/// Usage reports of a published resource (000 第二十一条), and the form for a year's.
#[handler]
pub async fn usage(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<UsageQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    guard!(applicant_only(&v));
    let year = state.clock.today().format("%Y").to_string();
    usage_page(&state, &v, id.0, json!({ "year": year }), Value::Null, q.saved.is_some(), StatusCode::OK).await
}

#[handler]
pub async fn report_usage(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    guard!(applicant_only(&v));
    let result = async {
        let body: UsageBody =
            parse_body(f.to_json(&["note"], &[("year", "年度"), ("trainees", "培训人次"), ("organisations", "使用单位数")])?)?;
        operation::report_usage(&state, &v.caller, id.0, NewUsage::try_from(&body)?).await
    }
    .await;
    match result {
        Ok(_) => redirect(&format!("/resources/{}/usage?saved=1", id.0)),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT => {
            usage_page(&state, &v, id.0, f.values(), form_errors(&e), false, e.status).await
        }
        Err(e) => error_page(Some(&v), &e),
    }
}
