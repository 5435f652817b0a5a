//! Public pages (no account): the calls open now, the resource catalogue
//! with its search, and the alliance directory. They render the very views
//! of `GET /api/v1/public/…` (`CallOut`, `ResourceOut`, `PublicAlliance`),
//! which carry no contact person, phone, e-mail or ID number.
//!
//! The URL scheme is `/public/<what>`, mirroring `/api/v1/public/<what>`.

use poem::{Response, Route, get, handler, http::StatusCode, web::Query};
use poem_openapi::types::ToJSON;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{St, error_page, page, urlencode};
use crate::{
    pagination::PageParams,
    routes::{
        public::PublicAlliance,
        resource_dto::{CallOut, ResourceOut},
    },
    services::{
        directory,
        resources::{self as svc, catalogue},
    },
};

pub fn routes() -> Route {
    Route::new().at("/", get(index)).at("/calls", get(calls)).at("/resources", get(resources)).at("/alliances", get(alliances))
}

/// A public page: no viewer (the same page whoever looks), the public menu.
fn public_page(template: &str, mut ctx: Value) -> Response {
    if let Some(map) = ctx.as_object_mut() {
        map.insert("public".into(), json!(true));
    }
    page(StatusCode::OK, None, template, ctx)
}

#[handler]
fn index() -> Response {
    super::redirect("/public/calls")
}

#[derive(Debug, Deserialize)]
pub struct Paged {
    cursor: Option<String>,
}

#[handler]
async fn calls(state: St<'_>, q: Query<Paged>) -> Response {
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        svc::list_calls(&state, None, true, paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let now = state.clock.now();
            let items: Vec<Value> = items.into_iter().map(|c| local_times(CallOut::new(c, now).to_json())).collect();
            let next = next.map(|c| format!("/public/calls?cursor={c}"));
            public_page("public_calls.html", json!({ "title": "征集公告", "items": items, "next": next }))
        }
        Err(e) => error_page(None, &e),
    }
}

/// Adds `opens_local` / `closes_local` (Beijing time) to a call's JSON.
fn local_times(v: Option<Value>) -> Value {
    let mut v = v.unwrap_or(Value::Null);
    if let Some(map) = v.as_object_mut() {
        for (from, to) in [("opens_at", "opens_local"), ("closes_at", "closes_local")] {
            if let Some(t) = super::local_time_json(map.get(from)) {
                map.insert(to.into(), json!(t));
            }
        }
    }
    v
}

#[derive(Debug, Deserialize)]
pub struct CatalogueQuery {
    text: Option<String>,
    kind: Option<String>,
    occupation: Option<String>,
    publisher: Option<String>,
    cursor: Option<String>,
}

fn blank_to_none(s: Option<&String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// The catalogue's kinds (every kind that can be published), for the filter.
const CATALOGUE_KINDS: [entities::resource::ResourceKind; 8] = {
    use entities::resource::ResourceKind as K;
    [
        K::PrintedTextbook,
        K::ETextbook,
        K::CourseStandard,
        K::TrainingCourse,
        K::OnlineCourse,
        K::EvaluationSpecification,
        K::TheoryQuestionBank,
        K::IntegratedCaseCourse,
    ]
};

#[handler]
async fn resources(state: St<'_>, q: Query<CatalogueQuery>) -> Response {
    use sea_orm::ActiveEnum;
    let kind = blank_to_none(q.kind.as_ref()).and_then(|k| entities::resource::ResourceKind::try_from_value(&k).ok());
    let (text, occupation, publisher) =
        (blank_to_none(q.text.as_ref()), blank_to_none(q.occupation.as_ref()), blank_to_none(q.publisher.as_ref()));
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        let f = catalogue::CatalogueFilter { kind, occupation: occupation.clone(), publisher: publisher.clone(), text: text.clone() };
        catalogue::list(&state, f, paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let items: Vec<Value> = items.into_iter().map(|r| ResourceOut::from(r).to_json().unwrap_or(Value::Null)).collect();
            let next = next.map(|c| {
                format!(
                    "/public/resources?cursor={c}&text={}&kind={}&occupation={}&publisher={}",
                    urlencode(text.as_deref().unwrap_or_default()),
                    kind.map(|k| k.to_value()).unwrap_or_default(),
                    urlencode(occupation.as_deref().unwrap_or_default()),
                    urlencode(publisher.as_deref().unwrap_or_default()),
                )
            });
            let kinds: Vec<Value> = CATALOGUE_KINDS
                .iter()
                .map(|k| json!({ "value": k.to_value(), "label": k.label_zh(), "selected": Some(*k) == kind }))
                .collect();
            public_page(
                "public_resources.html",
                json!({
                    "title": "技能资源目录", "items": items, "next": next, "kinds": kinds,
                    "q": { "text": text, "occupation": occupation, "publisher": publisher },
                }),
            )
        }
        Err(e) => error_page(None, &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct DirectoryQuery {
    name: Option<String>,
    industry: Option<String>,
    cursor: Option<String>,
}

#[handler]
async fn alliances(state: St<'_>, q: Query<DirectoryQuery>) -> Response {
    let (name, industry) = (blank_to_none(q.name.as_ref()), blank_to_none(q.industry.as_ref()));
    let result = async {
        let paging = PageParams::parse(Some(50), q.cursor.as_deref())?;
        directory::list(&state, industry.clone(), name.clone(), paging).await
    }
    .await;
    match result {
        Ok((items, next)) => {
            let items: Vec<Value> = items.into_iter().map(|e| PublicAlliance::from(e).to_json().unwrap_or(Value::Null)).collect();
            let next = next.map(|c| {
                format!(
                    "/public/alliances?cursor={c}&name={}&industry={}",
                    urlencode(name.as_deref().unwrap_or_default()),
                    urlencode(industry.as_deref().unwrap_or_default())
                )
            });
            public_page(
                "public_alliances.html",
                json!({ "title": "职业培训联盟名录", "items": items, "next": next, "q": { "name": name, "industry": industry } }),
            )
        }
        Err(e) => error_page(None, &e),
    }
}
