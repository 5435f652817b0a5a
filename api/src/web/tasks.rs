//! 我的待办, the home page after login: the same list as `GET /me/tasks`.

use entities::report::Period;
use poem::{Request, Response, handler, http::StatusCode, web::Query};
use poem_openapi::types::ToJSON;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{St, error_page, page, signed_in};
use crate::{routes::me::TaskItem, services::tasks};

#[derive(Debug, Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

fn notice_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "password_changed" => Some("密码已修改。"),
        _ => None,
    }
}

/// A task as the page shows it: the API's item plus labels for people.
fn shown(item: &TaskItem) -> Value {
    let mut v = item.to_json().unwrap_or(Value::Null);
    if let Some(map) = v.as_object_mut() {
        if let Some(p) = item.period.as_deref().and_then(|p| Period::parse("period", p).ok()) {
            map.insert("period_label".into(), json!(p.label_zh()));
        }
        if let Some(since) = item.since {
            map.insert("since_local".into(), json!(super::local_time(since)));
        }
    }
    v
}

#[handler]
pub async fn tasks_page(req: &Request, state: St<'_>, q: Query<Notice>) -> Response {
    let viewer = match signed_in(&state, req).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let all = match tasks::for_caller(&state, &viewer.caller).await {
        Ok(t) => t,
        Err(e) => return error_page(Some(&viewer), &e),
    };
    let today = state.clock.today();
    let total = all.len();
    let items: Vec<Value> = all.into_iter().take(200).map(|t| shown(&TaskItem::new(t, today))).collect();
    page(
        StatusCode::OK,
        Some(&viewer),
        "tasks.html",
        json!({ "title": "我的待办", "tasks": items, "total": total, "notice": notice_text(q.notice.as_deref()) }),
    )
}
