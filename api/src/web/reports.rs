//! Half-year reports in the browser (003 §二(七), 附件2, 附件3): the report
//! page (who has filled, who is missing and from when the initiator may fill
//! for them, 合计 and subtotals, the H2 summary, submit, downloads; the
//! bureau's accept and return), and a member's row form with the 附件2 and
//! 附件3 columns grouped as on the forms, prefilled, and "与上期相同".

use entities::report::Period;
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Form, Path},
};
use poem_openapi::types::ToJSON;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Fields, St, Viewer, alliances::guard, attachment, error_page, form_errors, page, parse_body, posted, redirect, signed_in};
use crate::{
    error::{ApiError, ApiResult},
    routes::reports::dto::{ReportDetail, ReportReturnRequest, ReportRowDto, RowBody, parse_period},
    services::reports::{
        export,
        review::{self, Decision},
        rows, view,
    },
    state::AppState,
};

/// 附件2 (基本情况) columns, in the form's order.
pub const BASIC: [(&str, &str); 12] = [
    ("total_staff", "职工总数"),
    ("management", "管理人员"),
    ("title_senior", "高级职称"),
    ("title_intermediate", "中级职称"),
    ("title_junior", "初级职称"),
    ("skill_senior_technician", "高级技师"),
    ("skill_technician", "技师"),
    ("skill_senior_worker", "高级工"),
    ("skill_intermediate_worker", "中级工"),
    ("skill_junior_worker", "初级工"),
    ("skill_special", "专项职业能力"),
    ("general_workers", "普工"),
];

/// 附件3 (工作进展) columns, in the form's order.
pub const PROGRESS: [(&str, &str); 11] = [
    ("trainees", "当期培训人数"),
    ("new_occupations", "当期申报新职业（工种）"),
    ("special_abilities", "当期申报专项职业能力"),
    ("members_joined", "当期加盟成员单位"),
    ("trained_senior_technician", "培训高级技师"),
    ("trained_technician", "培训技师"),
    ("trained_senior_worker", "培训高级工"),
    ("trained_intermediate_worker", "培训中级工"),
    ("trained_junior_worker", "培训初级工"),
    ("trained_special", "培训专项职业能力"),
    ("trained_general_workers", "培训普工"),
];

fn columns() -> Value {
    json!({ "basic": BASIC, "progress": PROGRESS })
}

fn period_of(raw: &str) -> ApiResult<Period> {
    parse_period(raw)
}

async fn report_page(state: &AppState, v: &Viewer, id: Uuid, raw: &str, extra: Value, status: StatusCode) -> Response {
    let result = async {
        let p = period_of(raw)?;
        let view = view::get(state, &v.caller, id, p).await?;
        let access = view.ctx.access;
        Ok::<_, ApiError>((p, access, ReportDetail::from(view)))
    }
    .await;
    let (p, access, d) = match result {
        Ok(x) => x,
        Err(e) => return error_page(Some(v), &e),
    };
    let today = state.clock.today();
    let mut ctx = json!({
        "title": format!("{} {}半年度报送", d.alliance_name, d.period_label),
        "r": d.to_json().unwrap_or(Value::Null),
        "cols": columns(),
        "access": super::alliances::access_code(access),
        "my_org": v.caller.organization_id,
        "rows_overdue": today > d.member_rows_due.due,
        "period_ended": today > p.end(),
        "submit_key": Uuid::now_v7(),
    });
    if let (Some(m), Some(e)) = (ctx.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    page(status, Some(v), "report.html", ctx)
}

fn done_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "row_saved" => "本单位数据已保存。",
        "summary_saved" => "年终工作总结已保存。",
        "submitted" => "半年度报送已提交，等待市人社局审核。",
        "accepted" => "已审核通过。",
        "returned" => "已退回发起单位修改。",
        _ => return None,
    })
}

#[handler]
pub async fn show(req: &Request, state: St<'_>, p: Path<(Uuid, String)>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let done = req.uri().query().and_then(|q| q.strip_prefix("done=")).and_then(done_text);
    report_page(&state, &v, p.0.0, &p.0.1, json!({ "done": done }), StatusCode::OK).await
}

async fn after(state: &AppState, v: &Viewer, id: Uuid, raw: &str, result: ApiResult<()>, done: &str) -> Response {
    match result {
        Ok(()) => redirect(&format!("/alliances/{id}/reports/{raw}?done={done}")),
        Err(e) if matches!(e.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => error_page(Some(v), &e),
        Err(e) => report_page(state, v, id, raw, json!({ "errors": form_errors(&e) }), e.status).await,
    }
}

#[handler]
pub async fn submit(req: &Request, state: St<'_>, p: Path<(Uuid, String)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let (id, raw) = p.0;
    let key = f.get("idempotency_key").map(str::to_string);
    let result = async { review::submit(&state, &v.caller, id, period_of(&raw)?, key).await }.await;
    after(&state, &v, id, &raw, result, "submitted").await
}

#[handler]
pub async fn summary(req: &Request, state: St<'_>, p: Path<(Uuid, String)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let (id, raw) = p.0;
    let result = async {
        let text = entities::values::text("summary_text", f.get("summary_text").unwrap_or_default(), 20_000)
            .map_err(|e| ApiError::validation([e]))?;
        review::save_summary(&state, &v.caller, id, period_of(&raw)?, text, None).await
    }
    .await;
    after(&state, &v, id, &raw, result, "summary_saved").await
}

#[handler]
pub async fn accept(req: &Request, state: St<'_>, p: Path<(Uuid, String)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let (id, raw) = p.0;
    let result = async {
        v.caller.require_bureau()?;
        let comment = entities::values::optional_text("comment", f.get("comment"), 2000).map_err(|e| ApiError::validation([e]))?;
        review::decide(&state, &v.caller, id, period_of(&raw)?, Decision::Accept { comment }).await
    }
    .await;
    after(&state, &v, id, &raw, result, "accepted").await
}

/// The items a report's return may name.
const RETURN_ITEMS: [&str; 4] = ["基本情况表（附件2）", "工作进展情况表（附件3）", "年终工作总结", "成员名单"];

#[handler]
pub async fn return_report(req: &Request, state: St<'_>, p: Path<(Uuid, String)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let (id, raw) = p.0;
    let result = async {
        v.caller.require_bureau()?;
        let reasons: Vec<Value> = RETURN_ITEMS
            .iter()
            .enumerate()
            .filter_map(|(i, item)| f.get(&format!("reason_{i}")).map(|r| json!({ "item": item, "reason": r })))
            .collect();
        let body: ReportReturnRequest = parse_body(json!({ "reasons": reasons }))?;
        review::decide(&state, &v.caller, id, period_of(&raw)?, Decision::Return { reasons: body.reasons()? }).await
    }
    .await;
    after(&state, &v, id, &raw, result, "returned").await
}

#[handler]
pub async fn xlsx(req: &Request, state: St<'_>, p: Path<(Uuid, String)>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let result = async { export::report_xlsx(&state, &v.caller, p.0.0, period_of(&p.0.1)?).await }.await;
    match result {
        Ok((name, bytes)) => attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &name, bytes),
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
pub async fn csv(req: &Request, state: St<'_>, p: Path<(Uuid, String)>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let result = async { export::report_csv(&state, &v.caller, p.0.0, period_of(&p.0.1)?).await }.await;
    match result {
        Ok((name, text)) => attachment("text/csv; charset=utf-8", &name, text.into_bytes()),
        Err(e) => error_page(Some(&v), &e),
    }
}

async fn row_page(
    state: &AppState,
    v: &Viewer,
    id: Uuid,
    raw: &str,
    org: Uuid,
    posted: Option<(&Fields, ApiError)>,
    done: Option<&str>,
) -> Response {
    let result = async { rows::get(state, &v.caller, id, period_of(raw)?, org).await }.await;
    let (alliance_name, row) = match result {
        Ok(r) => (r.ctx.alliance.name.clone(), ReportRowDto::from(r)),
        Err(e) => return error_page(Some(v), &e),
    };
    let row_json = row.to_json().unwrap_or(Value::Null);
    // The form's values: what was posted (with its errors), else the row as read (stored or prefilled).
    let (values, errors, status) = match posted {
        Some((f, e)) => (f.values(), form_errors(&e), e.status),
        None => {
            let mut flat = serde_json::Map::new();
            for group in ["basic", "progress"] {
                if let Some(m) = row_json[group].as_object() {
                    for (k, val) in m {
                        flat.insert(format!("{group}.{k}"), val.clone());
                    }
                }
            }
            (Value::Object(flat), Value::Null, StatusCode::OK)
        }
    };
    let ctx = json!({
        "title": "半年度数据填报",
        "row": row_json,
        "alliance": { "id": id, "name": alliance_name },
        "period": raw,
        "period_label": period_of(raw).map(|p| p.label_zh()).unwrap_or_default(),
        "cols": columns(),
        "values": values,
        "errors": errors,
        "on_behalf": v.caller.organization_id != Some(org),
        "done": done,
    });
    page(status, Some(v), "row_form.html", ctx)
}

#[handler]
pub async fn row_form(req: &Request, state: St<'_>, p: Path<(Uuid, String, Uuid)>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    let (id, raw, org) = p.0;
    row_page(&state, &v, id, &raw, org, None, row_done(req)).await
}

fn row_done(req: &Request) -> Option<&'static str> {
    match req.uri().query()?.strip_prefix("done=")? {
        "basic_confirmed" => Some("基本情况（附件2）已确认与上期相同。请填报本期工作进展（附件3），或选择“本期无培训活动”。"),
        _ => None,
    }
}

#[handler]
pub async fn save_row(req: &Request, state: St<'_>, p: Path<(Uuid, String, Uuid)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let (id, raw, org) = p.0;
    // Who may write this row is settled before the form is read.
    if let Err(e) = async { rows::check_writer(&state, &v.caller, id, period_of(&raw)?, org).await }.await {
        return error_page(Some(&v), &e);
    }
    let result = async {
        let numbers: Vec<(String, String)> = BASIC
            .iter()
            .map(|(n, l)| (format!("basic.{n}"), (*l).to_string()))
            .chain(PROGRESS.iter().map(|(n, l)| (format!("progress.{n}"), (*l).to_string())))
            .collect();
        let numbers: Vec<(&str, &str)> = numbers.iter().map(|(n, l)| (n.as_str(), l.as_str())).collect();
        let body: RowBody = parse_body(f.to_json(&[], &numbers)?)?;
        let version = f.get("version").and_then(|x| x.parse().ok());
        rows::save(&state, &v.caller, id, period_of(&raw)?, org, body.try_into()?, version).await.map(|_| ())
    }
    .await;
    match result {
        Ok(()) => redirect(&format!("/alliances/{id}/reports/{raw}?done=row_saved")),
        Err(e) if matches!(e.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => error_page(Some(&v), &e),
        Err(e) => row_page(&state, &v, id, &raw, org, Some((&f, e)), None).await,
    }
}

/// After a one-step answer: back to the row while 附件3 is still to be
/// entered ("与上期相同" confirms 附件2 only), else to the report.
async fn one_step(state: &AppState, v: &Viewer, id: Uuid, raw: &str, org: Uuid, f: &Fields, result: ApiResult<rows::RowView>) -> Response {
    match result {
        Ok(r) if r.row.as_ref().is_some_and(|row| row.progress_pending) => {
            redirect(&format!("/alliances/{id}/reports/{raw}/rows/{org}?done=basic_confirmed"))
        }
        Ok(_) => redirect(&format!("/alliances/{id}/reports/{raw}?done=row_saved")),
        Err(e) if matches!(e.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => error_page(Some(v), &e),
        Err(e) => row_page(state, v, id, raw, org, Some((f, e)), None).await,
    }
}

#[handler]
pub async fn no_change(req: &Request, state: St<'_>, p: Path<(Uuid, String, Uuid)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let (id, raw, org) = p.0;
    let result = async { rows::no_change(&state, &v.caller, id, period_of(&raw)?, org).await }.await;
    one_step(&state, &v, id, &raw, org, &f, result).await
}

#[handler]
pub async fn no_activity(req: &Request, state: St<'_>, p: Path<(Uuid, String, Uuid)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let (id, raw, org) = p.0;
    let result = async { rows::no_activity(&state, &v.caller, id, period_of(&raw)?, org).await }.await;
    one_step(&state, &v, id, &raw, org, &f, result).await
}
