//! 网上办事: the web front end for every role, server-rendered Chinese HTML
//! from templates (minijinja, auto-escaped), usable without JavaScript.
//!
//! A page handler parses the request, calls the same service functions as
//! `routes/` (and the same view builders, so a page shows exactly what the
//! API answers), and renders. No rule and no SQL lives here: a service's
//! problem details become the form's field messages.
//!
//! Every page needs a browser session ([`session`]); an account that must
//! change its password is sent to `/password` first. Every state-changing form
//! carries the session's CSRF token (`_csrf`), checked before anything else;
//! a request a browser marks `Sec-Fetch-Site: cross-site` is refused too.
//!
//! # Layout
//! - this file: routes, rendering, the guards every handler uses, form parsing
//! - [`session`]: cookies, sign-in, the session row
//! - [`templates`]: the embedded templates
//! - [`account`]: login, logout, password change
//! - [`tasks`] — 我的待办 (home)
//! - [`alliances`], [`member_form`]: filing an alliance, 附件1
//! - [`reports`]: half-year reports and their rows
//! - [`review`], [`organizations`]: the bureau's queues and organisations
//! - [`dashboard`]: the bureau's dashboard (统计看板)
//! - [`public`]: the pages without an account (calls, catalogue, alliance directory)
//! - [`applications`]: skill-resource applications of the applicant (seed 000)
//! - [`development`]: development projects, payments, usage reports, 工作档案
//! - [`expert`]: an expert's panels: declaration, then the application and its scoring
//! - [`calls`], [`panel`], [`notices`]: the bureau's skill-resource review — calls,
//!   applications, panels, ranking, 公示 and objections, approval, payments;
//!   [`fees`]: the fee schedule versions (附件2)
//! - [`batches`]: new-occupation batches reported upward (第七条), [`sanctions`]: 违规处理
//!   (第二十二条), [`assessments`]: published resources and their assessments (第二十一条)
//! - [`public_notices`]: open 公示 notices and the objection form, no account

mod account;
mod alliances;
mod applications;
mod assessments;
mod batches;
mod calls;
mod dashboard;
mod development;
mod expert;
mod fees;
mod member_form;
mod notices;
mod organizations;
mod panel;
mod public;
mod public_notices;
mod reports;
mod review;
mod sanctions;
pub mod session;
mod tasks;
pub mod templates;

use std::collections::BTreeMap;

use poem::{
    Body, Endpoint, EndpointExt, IntoEndpoint, Request, Response, Route, get, handler,
    http::{StatusCode, header},
    web::{Data, Multipart},
};
use serde_json::{Value, json};

use crate::{error::ApiError, i18n::Lang, state::AppState};

pub use session::Viewer;

/// The routes of the web front end (mounted at the root).
pub fn routes() -> impl poem::Endpoint + 'static {
    Route::new()
        .at("/", get(home))
        .at("/assets/site.css", get(css))
        .at("/login", get(account::login_form).post(account::login))
        .at("/logout", poem::post(account::logout))
        .at("/password", get(account::password_form).post(account::change_password))
        .at("/tasks", get(tasks::tasks_page))
        .nest("/alliances", alliances::routes())
        .nest("/review", review::routes())
        .nest("/organizations", organizations::routes())
        .nest("/dashboard", dashboard::routes())
        .nest("/public", public::routes())
        .nest("/applications", applications::routes())
        .at("/payments", get(development::payments))
        .at("/work-file", get(development::work_file_page))
        .at("/resources/:id/usage", get(development::usage).post(development::report_usage))
        .nest("/expert", expert::routes())
        .nest("/bureau/calls", calls::routes())
        .nest("/bureau/applications", panel::routes())
        .nest("/bureau/notices", notices::routes())
        .nest("/bureau/objections", notices::objection_routes())
        .nest("/bureau/payments", notices::payment_routes())
        .nest("/bureau/fee-schedule", fees::routes())
        .nest("/bureau/occupation-batches", batches::routes())
        .nest("/bureau/sanctions", sanctions::routes())
        .nest("/bureau/resources", assessments::routes())
        .nest("/notices", public_notices::routes())
        .into_endpoint()
        // Pages are Chinese whatever the browser's language.
        .around(|ep, req| async move { Lang::Zh.scope(ep.call(req)).await })
}

#[handler]
fn home() -> Response {
    redirect("/tasks")
}

#[handler]
fn css() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(include_str!("../templates/web/site.css"))
}

/// A time as people in Dongguan read it: `2026-06-08 17:30`.
#[must_use]
pub fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&jobs::clock::shanghai()).format("%Y-%m-%d %H:%M").to_string()
}

/// [`local_time`] of an RFC 3339 timestamp in an API view's JSON (`None`
/// when absent, null or not a timestamp).
#[must_use]
pub fn local_time_json(t: Option<&Value>) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(t?.as_str()?).ok()?;
    Some(local_time(t.with_timezone(&chrono::Utc)))
}

/// A 303 to `to`.
#[must_use]
pub fn redirect(to: &str) -> Response {
    Response::builder().status(StatusCode::SEE_OTHER).header(header::LOCATION, to).body(Body::empty())
}

/// The role names in Chinese.
fn role_label(role: entities::Role) -> &'static str {
    use entities::Role;
    match role {
        Role::BureauAdmin => "系统管理员",
        Role::BureauStaff => "业务经办人员",
        Role::OrgUser => "单位用户",
        Role::Expert => "评审专家",
    }
}

/// Renders `template` with `ctx` plus `me` (who is signed in, the CSRF token, the menu).
#[must_use]
pub fn page(status: StatusCode, viewer: Option<&Viewer>, template: &str, mut ctx: Value) -> Response {
    if let (Some(v), Some(map)) = (viewer, ctx.as_object_mut()) {
        map.insert(
            "me".into(),
            json!({
                "name": v.display_name,
                "username": v.caller.username,
                "role": role_label(v.caller.role),
                "bureau": v.caller.is_bureau(),
                "org_user": v.caller.role == entities::Role::OrgUser,
                "expert": v.caller.role == entities::Role::Expert,
                "csrf": v.csrf,
            }),
        );
    }
    match templates::render(template, &minijinja::Value::from_serialize(&ctx)) {
        Ok(body) => Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .header("x-frame-options", "DENY")
            .header(
                "content-security-policy",
                "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
            )
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, template, "page template failed");
            Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .content_type("text/plain; charset=utf-8")
                .body("页面出错，请稍后再试")
        }
    }
}

/// A page with a heading and a sentence (errors, refusals).
#[must_use]
pub fn message(status: StatusCode, viewer: Option<&Viewer>, title: &str, text: &str) -> Response {
    page(status, viewer, "message.html", json!({ "title": title, "text": text }))
}

/// A service's error as a page: 404 and 403 say only that (nothing of the object).
#[must_use]
pub fn error_page(viewer: Option<&Viewer>, e: &ApiError) -> Response {
    match e.status {
        StatusCode::NOT_FOUND => message(StatusCode::NOT_FOUND, viewer, "未找到", "您要找的内容不存在，或您无权查看。"),
        StatusCode::FORBIDDEN => {
            let p = e.to_problem(None);
            message(StatusCode::FORBIDDEN, viewer, "无权操作", &p.title)
        }
        _ => {
            let p = e.to_problem(crate::error::current_request_id());
            let mut text = p.detail.clone().unwrap_or_default();
            for f in &p.errors {
                if !text.is_empty() {
                    text.push('；');
                }
                text.push_str(&f.message);
            }
            message(e.status, viewer, &p.title, &text)
        }
    }
}

/// Problem details as what a form shows: a banner and a message per field.
#[must_use]
pub fn form_errors(e: &ApiError) -> Value {
    problem_errors(&e.to_problem(None))
}

/// [`form_errors`] of a form posting the fields of the API request object
/// `schema` (its name in the spec), so each field is labelled as that object's.
#[must_use]
pub fn form_errors_as(e: &ApiError, schema: &str) -> Value {
    problem_errors(&e.to_problem_as(schema))
}

fn problem_errors(p: &crate::error::Problem) -> Value {
    let fields: BTreeMap<String, String> = p.errors.iter().map(|f| (f.field.clone(), f.message.clone())).collect();
    let banner =
        if fields.is_empty() { p.detail.clone().map_or(p.title.clone(), |d| format!("{}：{d}", p.title)) } else { p.title.clone() };
    json!({ "banner": banner, "fields": fields })
}

/// What a refused form shows again: the values entered and the errors.
pub struct Entered {
    pub values: Value,
    pub errors: Value,
}

impl Entered {
    /// A form not yet posted.
    #[must_use]
    pub fn blank() -> Self {
        Self { values: json!({}), errors: Value::Null }
    }
}

/// A message beside a form field, as written (the form's own words, not the
/// API's label for the field).
#[must_use]
pub fn field_msg(field: &str, zh: &str, en: &str) -> crate::error::FieldMsg {
    crate::error::FieldMsg { field: field.into(), msg: crate::i18n::Msg::new(zh.to_string(), en.to_string()), code: None, label: false }
}

/// The signed-in viewer, or the response that replaces the page: the login
/// form (not signed in) or the password form (a password must be changed).
///
/// # Errors
/// The response to send instead.
pub async fn signed_in(state: &AppState, req: &Request) -> Result<Viewer, Response> {
    match session::resolve(state, req).await {
        Ok(Some(v)) if v.must_change_password && !matches!(req.original_uri().path(), "/password" | "/logout") => {
            Err(redirect("/password"))
        }
        Ok(Some(v)) => Ok(v),
        Ok(None) => {
            // The whole path: a nested route sees `req.uri()` without its prefix.
            let next = req.original_uri().path_and_query().map_or("/tasks", |p| p.as_str());
            Err(redirect(&format!("/login?next={}", urlencode(next))))
        }
        Err(e) => Err(error_page(None, &e)),
    }
}

/// Like [`signed_in`] for a form post: also refuses (403, nothing changed) a
/// missing or wrong CSRF token and a cross-site request.
///
/// # Errors
/// The response to send instead.
pub async fn posted(state: &AppState, req: &Request, submitted_csrf: Option<&str>) -> Result<Viewer, Response> {
    let cross_site = req.header("sec-fetch-site").is_some_and(|s| s == "cross-site");
    let viewer = signed_in(state, req).await?;
    if cross_site || !session::tokens_match(&viewer.csrf, submitted_csrf) {
        return Err(csrf_refused(Some(&viewer)));
    }
    Ok(viewer)
}

/// A multipart form post, read and then checked like [`posted`] (upload forms).
///
/// # Errors
/// The response to send instead: the form cannot be read, not signed in, a bad CSRF token.
pub async fn posted_upload(state: &AppState, req: &Request, mp: Multipart) -> Result<(Viewer, Upload), Response> {
    let up = read_multipart(mp).await.map_err(|e| error_page(None, &e))?;
    let viewer = posted(state, req, up.fields.csrf()).await?;
    Ok((viewer, up))
}

fn csrf_refused(viewer: Option<&Viewer>) -> Response {
    message(StatusCode::FORBIDDEN, viewer, "请求无效", "表单已过期或不是从本站提交的，未作任何更改。请返回页面刷新后重试。")
}

/// Percent-encodes a query value.
#[must_use]
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// A `Content-Disposition: attachment` download with a Chinese file name (RFC 5987).
#[must_use]
pub fn attachment(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._".contains(&b) { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect();
    Response::builder()
        .content_type(content_type)
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"download\"; filename*=UTF-8''{encoded}"))
        .body(bytes)
}

/// A posted form: its fields by name (the last value wins; lists keep all).
#[derive(Debug, Default, Clone)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The value of `name`, trimmed, `None` when absent or blank.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// Every value of `name` (checkboxes).
    #[must_use]
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }

    /// A `date` field (`2026-06-01`), or the message beside it naming `label`.
    ///
    /// # Errors
    /// The field is blank or not a date.
    pub fn date(&self, name: &str, label: &str) -> Result<chrono::NaiveDate, crate::error::FieldMsg> {
        let raw = self.get(name).ok_or_else(|| field_msg(name, &format!("请填写{label}"), &format!("{name} is required")))?;
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| field_msg(name, &format!("{label}格式应为 年-月-日"), &format!("{name}: not a date")))
    }

    #[must_use]
    pub fn csrf(&self) -> Option<&str> {
        self.get("_csrf")
    }

    /// The values as entered, to show them again beside the errors.
    #[must_use]
    pub fn values(&self) -> Value {
        let map: BTreeMap<&str, &str> = self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).filter(|(k, _)| *k != "_csrf").collect();
        json!(map)
    }

    /// A JSON body for a request `Object`: text fields as strings (blank ones
    /// left out), the `numbers` as integers. A number that is not a whole
    /// number is a field error in Chinese.
    ///
    /// # Errors
    /// 422 naming every field that is not a whole number.
    pub fn to_json(&self, texts: &[&str], numbers: &[(&str, &str)]) -> Result<Value, ApiError> {
        let mut map = serde_json::Map::new();
        for name in texts {
            if let Some(v) = self.get(name) {
                map.insert((*name).into(), Value::String(v.into()));
            }
        }
        let mut bad = Vec::new();
        for (name, label) in numbers {
            match self.get(name).map(str::parse::<i64>) {
                Some(Ok(n)) => {
                    map.insert((*name).into(), json!(n));
                }
                Some(Err(_)) => bad.push(crate::error::FieldMsg {
                    field: (*name).into(),
                    msg: crate::i18n::Msg::new(format!("{label}须为整数"), format!("{name} must be a whole number")),
                    code: None,
                    label: false,
                }),
                None => bad.push(crate::error::FieldMsg {
                    field: (*name).into(),
                    msg: crate::i18n::Msg::new(format!("请填写{label}"), format!("{name} is required")),
                    code: None,
                    label: false,
                }),
            }
        }
        if bad.is_empty() { Ok(nest(map)) } else { Err(ApiError::validation(bad)) }
    }
}

/// `{"basic.total_staff": 1}` → `{"basic": {"total_staff": 1}}` (one level).
fn nest(flat: serde_json::Map<String, Value>) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in flat {
        match k.split_once('.') {
            Some((outer, inner)) => {
                let entry = out.entry(outer.to_string()).or_insert_with(|| json!({}));
                if let Some(m) = entry.as_object_mut() {
                    m.insert(inner.to_string(), v);
                }
            }
            None => {
                out.insert(k, v);
            }
        }
    }
    Value::Object(out)
}

/// Parses a JSON value into a request `Object` of the API, as the API would.
///
/// # Errors
/// 422 `malformed_body` with the parser's words.
pub fn parse_body<T: poem_openapi::types::ParseFromJSON>(value: Value) -> Result<T, ApiError> {
    T::parse_from_json(Some(value)).map_err(|e| {
        ApiError::unprocessable("malformed_body", format!("填写内容有误：{}", e.message()), format!("Invalid input: {}", e.message()))
    })
}

/// A posted multipart form: text fields and the one file (`file`, the last
/// one chosen); `files` keeps every chosen file by its field name.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Fields,
    pub file: Option<(String, Vec<u8>)>,
    /// (field name, file name, bytes) of every non-empty file field.
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// Reads a multipart form (document uploads).
///
/// # Errors
/// 400 when the body is not a readable multipart form.
pub async fn read_multipart(mut mp: Multipart) -> Result<Upload, ApiError> {
    fn bad(_: impl std::fmt::Debug) -> ApiError {
        ApiError::bad_request("malformed_body", "上传的表单无法读取", "The uploaded form could not be read")
    }
    let mut out = Upload::default();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file_name) = field.file_name().map(str::to_string) {
            let bytes = field.bytes().await.map_err(bad)?;
            if !bytes.is_empty() {
                out.files.push((name, file_name.clone(), bytes.clone()));
                out.file = Some((file_name, bytes));
            }
        } else {
            let text = field.text().await.map_err(bad)?;
            out.fields.0.push((name, text));
        }
    }
    Ok(out)
}

/// State, for handlers that take it as `Data`.
pub type St<'a> = Data<&'a AppState>;
