//! 评审专家 pages: the panels an expert was drawn for; on each, the
//! declaration of a conflict of interest first (DESIGN §6 回避: nothing of
//! the application is shown before it), then the application and the scoring
//! form — the five criteria of 附件1 with their weights for a category-3
//! certification, one score and a recommendation otherwise — which may be
//! sent again while the application is under review. Same services and
//! request objects as `POST /applications/{id}/declaration` and `/reviews`.

use entities::resource::{ApplicationStatus, Category, PanelMemberStatus, scoring::CRITERIA};
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

use super::{Fields, St, Viewer, alliances::guard, error_page, form_errors, page, parse_body, posted, redirect, signed_in};
use crate::{
    error::ApiError,
    pagination::PageParams,
    routes::{
        applications::{DeclarationBody, ReviewBody, ReviewOut},
        resource_dto::ApplicationOut,
    },
    services::resources::review::{self, ExpertView, ReviewInput},
};

pub fn routes() -> Route {
    Route::new()
        .at("/", get(assignments))
        .at("/applications/:id", get(show))
        .at("/applications/:id/declaration", post(declare))
        .at("/applications/:id/review", post(score))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
    done: Option<String>,
}

fn seat_label(s: PanelMemberStatus) -> &'static str {
    match s {
        PanelMemberStatus::Drawn => "待声明",
        PanelMemberStatus::Accepted => "已声明无利益冲突",
        PanelMemberStatus::Conflicted => "已回避",
    }
}

#[handler]
async fn assignments(req: &Request, state: St<'_>, q: Query<ListQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        review::assignments(&state, &v.caller, paging).await
    }
    .await;
    match result {
        Ok((rows, next)) => {
            let items: Vec<Value> = rows
                .into_iter()
                .map(|(seat, a, applicant)| {
                    json!({ "id": a.id, "number": a.number, "title": a.title, "applicant": applicant,
                            "seat": seat.status, "seat_label": seat_label(seat.status),
                            "open": seat.status != PanelMemberStatus::Conflicted, "status_label": a.status.label_zh() })
                })
                .collect();
            let done = (q.done.as_deref() == Some("conflict")).then_some("已声明回避，您不再参与该项目的评审。市人社局将另行抽取专家。");
            let ctx = json!({ "title": "评审任务", "items": items, "next": next.map(|c| format!("/expert?cursor={c}")), "done": done });
            page(StatusCode::OK, Some(&v), "expert_assignments.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

fn view_page(status: StatusCode, v: &Viewer, view: &ExpertView, values: Value, errors: Value, done: Option<&str>) -> Response {
    let review = view.review.clone().map(|r| ReviewOut::from(r).to_json().unwrap_or(Value::Null));
    let values = if values.is_null() {
        // Prefill with the review already sent (resubmission while under review).
        let mut m = serde_json::Map::new();
        if let Some(r) = &review {
            for (code, _, _) in CRITERIA {
                m.insert(format!("criteria.{code}"), json!(r[code].as_i64().map(|x| x.to_string())));
            }
            m.insert("score".into(), json!(r["score_hundredths"].as_i64().map(|h| (h / 100).to_string())));
            m.insert("recommendation".into(), r["recommendation"].clone());
            m.insert("comment".into(), r["comment"].clone());
        }
        Value::Object(m)
    } else {
        values
    };
    let criteria: Vec<Value> = CRITERIA
        .iter()
        .map(|(code, label, weight)| json!({ "name": format!("criteria.{code}"), "label": label, "weight": weight }))
        .collect();
    let ctx = json!({
        "title": if view.seat.status == PanelMemberStatus::Drawn { "利益冲突声明" } else { "评审评分" },
        "id": view.seat.application_id,
        "number": view.number, "app_title": view.title, "applicant": view.applicant,
        "category_label": view.category.label_zh(), "status_label": view.status.label_zh(),
        "declare": view.seat.status == PanelMemberStatus::Drawn,
        "application": view.application.clone().map(|a| ApplicationOut::from(a).to_json().unwrap_or(Value::Null)),
        "review": review,
        "may_score": view.status == ApplicationStatus::UnderReview,
        "criteria_form": view.category == Category::TrainingResource,
        "criteria": criteria,
        "values": values, "errors": errors, "done": done,
    });
    page(status, Some(v), "expert_application.html", ctx)
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[handler]
async fn show(req: &Request, state: St<'_>, id: Path<Uuid>, q: Query<Done>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let done = match q.done.as_deref() {
        Some("declared") => Some("已声明无利益冲突。以下是申报材料，请评分。"),
        Some("scored") => Some("评分已提交。评审期间可修改后重新提交。"),
        _ => None,
    };
    match review::my_assignment(&state, &v.caller, id.0).await {
        Ok(view) => view_page(StatusCode::OK, &v, &view, Value::Null, Value::Null, done),
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn declare(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let result = async {
        let conflict = match f.get("conflict") {
            Some("yes") => true,
            Some("no") => false,
            _ => return Err(ApiError::field("conflict", "请选择是否存在利益冲突", "Say whether there is a conflict of interest")),
        };
        let body: DeclarationBody = parse_body(json!({ "conflict": conflict, "reason": f.get("reason") }))?;
        let (conflict, reason) = body.parse()?;
        review::declare(&state, &v.caller, id.0, conflict, reason).await
    }
    .await;
    match result {
        Ok(m) if m.status == PanelMemberStatus::Conflicted => redirect("/expert?done=conflict"),
        Ok(_) => redirect(&format!("/expert/applications/{}?done=declared", id.0)),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => match review::my_assignment(&state, &v.caller, id.0).await {
            Ok(view) => view_page(e.status, &v, &view, f.values(), form_errors(&e), None),
            Err(e) => error_page(Some(&v), &e),
        },
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn score(req: &Request, state: St<'_>, id: Path<Uuid>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    // Who may score is settled before the form is read: a seat, declared.
    let view = match review::my_assignment(&state, &v.caller, id.0).await {
        Ok(view) if view.application.is_some() => view,
        Ok(_) => {
            let e = ApiError::conflict("declaration_required", "请先声明无利益冲突", "Declare no conflict of interest first");
            return error_page(Some(&v), &e);
        }
        Err(e) => return error_page(Some(&v), &e),
    };
    let result = async {
        let body = if view.category == Category::TrainingResource {
            let numbers: Vec<(String, &str)> = CRITERIA.iter().map(|(code, label, _)| (format!("criteria.{code}"), *label)).collect();
            let numbers: Vec<(&str, &str)> = numbers.iter().map(|(n, l)| (n.as_str(), *l)).collect();
            f.to_json(&["comment"], &numbers)?
        } else {
            f.to_json(&["comment", "recommendation"], &[("score", "评审得分")])?
        };
        let body: ReviewBody = parse_body(body)?;
        review::submit_review(&state, &v.caller, id.0, ReviewInput::try_from(&body)?).await
    }
    .await;
    match result {
        Ok(_) => redirect(&format!("/expert/applications/{}?done=scored#score", id.0)),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => view_page(e.status, &v, &view, f.values(), form_errors(&e), None),
        Err(e) => error_page(Some(&v), &e),
    }
}
