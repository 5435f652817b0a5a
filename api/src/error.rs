//! One error type for the HTTP boundary, rendered as problem details
//! (`application/problem+json`, RFC 9457) in the request's language.
//!
//! Conventions: services return `Result<T, ApiError>`; database errors convert
//! with `?` (unique violation → 409, missing row → 404, unreachable database,
//! cut connection or busy database → 503 `try_again` with `Retry-After`,
//! anything else → 500 with the cause logged and a plain message returned). Field validation is
//! 422 with `errors[{field, message}]`. Errors raised by the framework before a
//! handler runs (unknown route, bad JSON, wrong method, body too large) are
//! turned into the same shape by [`from_poem_error`]; a JSON body with missing
//! or mistyped fields is explained field by field by `body_check` (422).

use entities::values::FieldError;
use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::ToJSON,
};
use sea_orm::{DbErr, SqlErr};

use crate::i18n::Msg;

/// Problem details body.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "Problem")]
pub struct Problem {
    /// URI naming the problem kind.
    #[oai(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
    /// Stable machine-readable code, e.g. `credit_code_taken`.
    pub code: String,
    /// Per-field messages (validation).
    pub errors: Vec<ProblemField>,
    /// The request id, also in the `X-Request-Id` header.
    #[oai(skip_serializing_if_is_none)]
    pub instance: Option<String>,
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
    /// Stable code when the failure is a named business rule.
    #[oai(skip_serializing_if_is_none)]
    pub code: Option<String>,
}

/// A field error with both languages and, for rule failures, a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMsg {
    pub field: String,
    pub msg: Msg,
    pub code: Option<String>,
    /// The Chinese message is prefixed, when rendered, with the field's label
    /// in the request body it belongs to (`labels`), unless it names it; off
    /// for messages written whole.
    pub label: bool,
}

impl From<FieldError> for FieldMsg {
    fn from(e: FieldError) -> Self {
        let en = format!("{}: {}", e.field, e.en);
        Self { field: e.field, msg: Msg::new(e.zh, en), code: None, label: true }
    }
}

impl FieldMsg {
    /// The message in the current language; `owner` names the request body
    /// (schema) a field path belongs to, which decides its Chinese label.
    fn render(&self, owner: &dyn Fn(&str) -> Option<String>) -> String {
        match crate::i18n::Lang::current() {
            crate::i18n::Lang::Zh if self.label => crate::labels::with_label_in(owner(&self.field).as_deref(), &self.field, &self.msg.zh),
            _ => self.msg.render(),
        }
    }
}

/// Kept small (the details are boxed) so `Result<T, ApiError>` stays cheap.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub details: Box<Details>,
}

#[derive(Debug)]
pub struct Details {
    pub title: Msg,
    pub detail: Option<Msg>,
    pub errors: Vec<FieldMsg>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.details.title.en)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, title: Msg) -> Self {
        Self { status, code, details: Box::new(Details { title, detail: None, errors: Vec::new() }) }
    }

    #[must_use]
    pub fn with_detail(mut self, detail: Msg) -> Self {
        self.details.detail = Some(detail);
        self
    }

    /// 422 with one entry per field.
    pub fn validation(errors: impl IntoIterator<Item = impl Into<FieldMsg>>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Msg::new("提交的数据未通过校验", "The submitted data is not valid"),
        );
        e.details.errors = errors.into_iter().map(Into::into).collect();
        e
    }

    /// 422 for a single field.
    pub fn field(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::validation([FieldError::new(field, zh, en)])
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Msg::new("未登录或登录已失效，请重新登录", "Authentication required or token invalid"),
        )
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", Msg::new("当前账户无权进行此操作", "Your role may not do this"))
    }

    /// 404; also used for objects of another organisation, so their existence does not leak.
    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", Msg::new(format!("{what_zh}不存在"), format!("{what_en} not found")))
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, Msg::new(zh.into(), en.into()))
    }

    pub fn unprocessable(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, Msg::new(zh.into(), en.into()))
    }

    pub fn bad_request(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, Msg::new(zh.into(), en.into()))
    }

    /// 503 `try_again` (with `Retry-After`): the database could not be
    /// reached, the connection was cut, or the statement lost a race
    /// ([`crate::db::is_transient`]); the same request may succeed shortly.
    pub fn try_again() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "try_again",
            Msg::new("数据库暂时不可用或连接中断，请稍后重试", "The database is briefly unavailable; try again shortly"),
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            Msg::new("服务暂不可用（数据库无法连接）", "Service unavailable (database unreachable)"),
        )
    }

    /// 500: logs the cause, returns a plain message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", Msg::new("服务器内部错误，请稍后重试", "Internal server error"))
    }

    /// The problem body; field labels follow the request body of the API
    /// operation being served (see `body_check::scope`).
    pub fn to_problem(&self, request_id: Option<String>) -> Problem {
        self.problem(request_id, &crate::body_check::owner_in_request)
    }

    /// The problem body with the fields labelled as those of the request body
    /// `schema` (a page posting the fields of an API request object).
    pub fn to_problem_as(&self, schema: &str) -> Problem {
        self.problem(None, &|_| Some(schema.to_string()))
    }

    fn problem(&self, request_id: Option<String>, owner: &dyn Fn(&str) -> Option<String>) -> Problem {
        Problem {
            kind: format!("https://registry.dg.gov.cn/problems/{}", self.code),
            title: self.details.title.render(),
            status: self.status.as_u16(),
            detail: self.details.detail.as_ref().map(Msg::render),
            code: self.code.to_string(),
            errors: self
                .details
                .errors
                .iter()
                .map(|f| ProblemField { field: f.field.clone(), message: f.render(owner), code: f.code.clone() })
                .collect(),
            instance: request_id,
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::conflict("duplicate", "数据与已有记录重复", "A record with the same unique value exists")
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::unprocessable("reference_missing", "引用的记录不存在", "A referenced record does not exist")
            }
            _ => match err {
                DbErr::RecordNotFound(_) => Self::not_found("记录", "Record"),
                e if crate::db::is_transient(&e) => {
                    tracing::warn!(error = %e, "database unreachable, connection cut or busy: 503, try again");
                    Self::try_again()
                }
                other => Self::internal(&other),
            },
        }
    }
}

impl From<std::io::Error> for ApiError {
    fn from(err: std::io::Error) -> Self {
        Self::internal(&err)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

tokio::task_local! {
    /// The request id of the request being served (set by the middleware).
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Seconds a client is told to wait before retrying a 503: a PostgreSQL
/// restart or a SQLite writer queue is over in about that time.
pub const RETRY_AFTER_SECS: u32 = 2;

impl ApiError {
    /// The problem response; a 503 also says `Retry-After`, so clients and
    /// load balancers retry.
    fn response(&self) -> Response {
        let problem = self.to_problem(current_request_id());
        let mut builder = Response::builder().status(self.status).content_type("application/problem+json; charset=utf-8");
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            builder = builder.header(poem::http::header::RETRY_AFTER, RETRY_AFTER_SECS);
        }
        builder.body(problem.to_json_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.response()
    }
}

impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        self.response()
    }
}

/// Documented statuses: every operation may answer these with a problem body.
const DOCUMENTED: [(u16, &str); 9] = [
    (400, "Malformed request (body not JSON, bad parameters)"),
    (401, "Not logged in, token expired or invalid, account disabled"),
    (403, "The caller's role may not do this"),
    (404, "Not found (also for objects of another organisation)"),
    (409, "Conflict: duplicate, stale version, or wrong state"),
    (413, "Body too large"),
    (422, "Validation failed (also a missing or mistyped body field); see `errors`"),
    (429, "Too many requests (e.g. objections from one address)"),
    (503, "Database unreachable, connection cut or busy: retry after `Retry-After` seconds (code `try_again`)"),
];

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: DOCUMENTED
                .iter()
                .map(|(status, description)| MetaResponse {
                    description,
                    status: Some(*status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: "application/problem+json",
                        schema: <Problem as poem_openapi::types::Type>::schema_ref(),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        <Problem as poem_openapi::types::Type>::register(registry);
    }
}

/// Turns an error raised outside our handlers into a problem response.
pub fn from_poem_error(err: poem::Error) -> Response {
    if err.is::<ApiError>() || err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let reason = err.to_string();
    let api = if let Some(e) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        ApiError::bad_request("bad_parameter", format!("参数“{}”格式不正确", e.name), format!("Parameter `{}` is malformed", e.name))
            .with_detail(Msg::new(e.reason.clone(), e.reason.clone()))
    } else if err.is::<poem_openapi::error::ParseRequestPayloadError>()
        || err.is::<poem_openapi::error::ParseMultipartError>()
        || err.is::<poem::error::ParseMultipartError>()
    {
        ApiError::bad_request("malformed_body", "请求体格式错误（JSON 无法解析或字段类型不符）", "Malformed request body")
            .with_detail(Msg::new(reason.clone(), reason))
    } else if err.is::<poem_openapi::error::AuthorizationError>() {
        ApiError::unauthorized()
    } else {
        match status {
            StatusCode::NOT_FOUND => ApiError::new(status, "not_found", Msg::new("请求的地址不存在", "No such resource")),
            StatusCode::METHOD_NOT_ALLOWED => {
                ApiError::new(status, "method_not_allowed", Msg::new("该地址不支持此请求方法", "Method not allowed"))
            }
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(status, "payload_too_large", Msg::new("请求体过大", "Request body too large")),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ApiError::new(status, "unsupported_media_type", Msg::new("不支持的内容类型（Content-Type）", "Unsupported Content-Type"))
            }
            StatusCode::UNAUTHORIZED => ApiError::unauthorized(),
            s if s.is_client_error() => {
                ApiError::new(s, "bad_request", Msg::new("请求无效", "Bad request")).with_detail(Msg::new(reason.clone(), reason))
            }
            _ => ApiError::internal(&reason),
        }
    };
    api.into_response()
}

/// Parses several fields at once and answers every failure together (422):
///
/// ```ignore
/// parse_all! { name = text("name", &req.name, 200), code = CreditCode::parse("credit_code", &req.credit_code) }
/// // here `name: String`, `code: CreditCode`
/// ```
macro_rules! parse_all {
    ($($name:ident = $expr:expr),+ $(,)?) => {
        $(let $name: Result<_, entities::values::FieldError> = $expr;)+
        let mut failures: Vec<entities::values::FieldError> = Vec::new();
        $(if let Err(e) = &$name { failures.push(e.clone()); })+
        if !failures.is_empty() {
            return Err($crate::error::ApiError::validation(failures));
        }
        $(let Ok($name) = $name else { unreachable!("checked above") };)+
    };
}
pub(crate) use parse_all;
