//! The bureau's review queues: submitted filings and submitted half-year
//! reports, the longest waiting first, with filters (`services::queues`).

use entities::report::Period;
use poem::{Request, Response, Route, get, handler, http::StatusCode, web::Query};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{St, alliances::guard, error_page, message, page, signed_in, urlencode};
use crate::services::queues::{self, QueueFilter};

pub fn routes() -> Route {
    Route::new().at("/filings", get(filings)).at("/reports", get(reports))
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    name: Option<String>,
    industry: Option<String>,
    period: Option<String>,
    cursor: Option<String>,
}

impl QueueQuery {
    fn filter(&self) -> QueueFilter {
        let clean = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        QueueFilter {
            name: clean(&self.name),
            industry: clean(&self.industry),
            period: self.period.as_deref().and_then(|p| Period::parse("period", p.trim()).ok()),
        }
    }

    fn next(&self, path: &str, cursor: Option<String>) -> Option<String> {
        cursor.map(|c| {
            format!(
                "{path}?cursor={c}&name={}&industry={}&period={}",
                urlencode(self.name.as_deref().unwrap_or_default()),
                urlencode(self.industry.as_deref().unwrap_or_default()),
                urlencode(self.period.as_deref().unwrap_or_default())
            )
        })
    }
}

fn refused(v: &super::Viewer) -> Option<Response> {
    (!v.caller.is_bureau()).then(|| message(StatusCode::FORBIDDEN, Some(v), "无权访问", "审核队列仅供市人社局工作人员使用。"))
}

#[handler]
async fn filings(req: &Request, state: St<'_>, q: Query<QueueQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = refused(&v) {
        return r;
    }
    match queues::filings(&state, &v.caller, q.filter(), Some(50), q.cursor.as_deref()).await {
        Ok((items, next)) => {
            let items: Vec<Value> = items
                .into_iter()
                .map(|a| json!({ "id": a.id, "name": a.name, "industry": a.industry, "submitted": a.submitted_at.map(super::local_time).unwrap_or_default() }))
                .collect();
            let ctx = json!({ "title": "备案审核", "items": items, "next": q.next("/review/filings", next), "q": { "name": q.name, "industry": q.industry } });
            page(StatusCode::OK, Some(&v), "review_filings.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
async fn reports(req: &Request, state: St<'_>, q: Query<QueueQuery>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    if let Some(r) = refused(&v) {
        return r;
    }
    match queues::reports(&state, &v.caller, q.filter(), Some(50), q.cursor.as_deref()).await {
        Ok((items, next)) => {
            let items: Vec<Value> = items
                .into_iter()
                .map(|(r, a)| {
                    let label = Period::parse("period", &r.period).map(|p| p.label_zh()).unwrap_or_default();
                    json!({ "alliance_id": a.id, "name": a.name, "industry": a.industry, "period": r.period, "period_label": label,
                            "submitted": r.submitted_at.map(super::local_time).unwrap_or_default(), "late_days": r.late_days })
                })
                .collect();
            let ctx = json!({ "title": "报送审核", "items": items, "next": q.next("/review/reports", next),
                              "q": { "name": q.name, "industry": q.industry, "period": q.period } });
            page(StatusCode::OK, Some(&v), "review_reports.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}
