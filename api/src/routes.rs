//! HTTP routes, one module per resource, combined into one OpenAPI service
//! under `/api/v1`; plus health checks, the spec and Swagger UI at the root.

pub(crate) mod alliance_members;
pub mod alliances;
pub(crate) mod applications;
pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod bureau_reports;
pub(crate) mod calendar;
pub(crate) mod calls;
pub(crate) mod changes;
pub(crate) mod dashboard;
pub(crate) mod development;
pub(crate) mod documents;
pub(crate) mod enums;
pub(crate) mod funding;
pub(crate) mod health;
pub(crate) mod jobs;
pub(crate) mod me;
pub(crate) mod notices;
pub(crate) mod notifications;
pub(crate) mod organizations;
pub(crate) mod outbox;
pub(crate) mod policies;
pub(crate) mod public;
pub(crate) mod public_resources;
pub(crate) mod report_review;
pub mod reports;
pub(crate) mod resource_dto;
pub(crate) mod resources;
pub(crate) mod sanctions;
pub(crate) mod users;
pub(crate) mod work_file;

use poem::{Endpoint, EndpointExt, Route, get};
use poem_openapi::{OpenApiService, Tags};

use crate::{middleware::Edge, state::AppState};

#[derive(Tags)]
pub enum Tag {
    /// 登录与会话 Login and sessions
    Auth,
    /// 当前用户 The signed-in user
    Me,
    /// 账户管理（系统管理员）Accounts (bureau_admin)
    Users,
    /// 单位 Organisations
    Organizations,
    /// 工作日历 Working-day calendar
    Calendar,
    /// 审计日志 Audit log
    Audit,
    /// 文件 Documents
    Documents,
    /// 职业培训联盟备案 Training alliances
    Alliances,
    /// 半年度报送 Half-year reports
    Reports,
    /// 政策文件 Policy documents
    Policies,
    /// 技能资源：征集、申报、评审、公示、审定 Skill resources
    Resources,
    /// 违规处理 Sanctions
    Sanctions,
    /// 公开信息（无需登录）Public
    Public,
    /// 站内通知 In-app notifications
    Notifications,
    /// 定时任务与邮件队列（系统管理员）Scheduled jobs and outgoing mail (bureau_admin)
    Jobs,
    /// 统计看板（市人社局）Bureau dashboard
    Dashboard,
    /// 变更订阅（对接系统）Changes feed for other systems
    Changes,
}

/// Every API, grouped by area (tuples of at most 12 so `Default` builds them).
type Apis = (
    (
        auth::AuthApi,
        me::MeApi,
        users::UsersApi,
        organizations::OrganizationsApi,
        work_file::WorkFileApi,
        calendar::CalendarApi,
        audit::AuditApi,
        documents::DocumentsApi,
    ),
    (
        alliances::AlliancesApi,
        alliance_members::AllianceMembersApi,
        reports::ReportsApi,
        report_review::ReportReviewApi,
        bureau_reports::BureauReportsApi,
        policies::PoliciesApi,
        sanctions::SanctionsApi,
        public::PublicApi,
    ),
    (notifications::NotificationsApi, jobs::JobsApi, outbox::OutboxApi, dashboard::DashboardApi, changes::ChangesApi),
    (
        calls::CallsApi,
        applications::ApplicationsApi,
        development::DevelopmentApi,
        notices::NoticesApi,
        public_resources::PublicResourcesApi,
        funding::FundingApi,
        resources::ResourcesApi,
    ),
);

/// The OpenAPI service (also used by `openapi` to print the spec).
#[must_use]
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(Apis::default(), "东莞市职业培训联盟与技能资源登记服务 API", env!("CARGO_PKG_VERSION"))
        .description(
            "Dongguan vocational-training alliance and skill-resource registry. Errors are problem details \
         (application/problem+json) in Simplified Chinese, English with `Accept-Language: en`.",
        )
        .server("/api/v1")
}

/// The spec as YAML, exactly as committed in `openapi/openapi.yaml`
/// (poem-openapi's, tidied by [`crate::spec::tidy`]).
#[must_use]
pub fn spec_yaml() -> String {
    serde_yaml::to_string(&crate::spec::tidy(&service().spec_yaml())).unwrap_or_default()
}

/// The same spec as pretty JSON (`/openapi.json`).
#[must_use]
pub fn spec_json() -> String {
    serde_json::to_string_pretty(&crate::spec::tidy(&service().spec_yaml())).unwrap_or_default()
}

/// `If-Match: 3` or `If-Match: "3"`: the version the client read.
///
/// # Errors
/// 400 `bad_if_match`.
pub fn if_match(raw: Option<&str>) -> crate::error::ApiResult<Option<i32>> {
    raw.map(|v| {
        v.trim().trim_start_matches("W/").trim_matches('"').parse::<i32>().map_err(|_| {
            crate::error::ApiError::bad_request("bad_if_match", "If-Match 须为读取时的版本号", "If-Match must be the version you read")
        })
    })
    .transpose()
}

/// The whole application.
pub fn app(state: AppState) -> impl Endpoint + 'static {
    let api = service();
    let (json, yaml) = (spec_json(), spec_yaml());
    // Swagger UI embeds the spec's JSON text: swap poem's for the tidied one.
    let docs = api.swagger_ui_html().replace(&api.spec(), &json);
    let schemas = std::sync::Arc::new(crate::body_check::BodySchemas::from_spec(&json));
    let allow = std::sync::Arc::new(crate::middleware::AllowTable::from_spec(&json));
    let edge =
        Edge { json_limit: state.settings.json_limit_bytes, upload_limit: state.settings.upload_limit_bytes + 64 * 1024, schemas, allow };
    let docs = poem::endpoint::make_sync(move |_| poem::web::Html(docs.clone()));
    let json =
        poem::endpoint::make_sync(move |_| poem::Response::builder().content_type("application/json; charset=utf-8").body(json.clone()));
    let yaml =
        poem::endpoint::make_sync(move |_| poem::Response::builder().content_type("application/x-yaml; charset=utf-8").body(yaml.clone()));
    Route::new()
        .nest("/api/v1", api)
        .nest("/docs", Route::new().at("/", get(docs)))
        .at("/openapi.json", get(json))
        .at("/openapi.yaml", get(yaml))
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .nest("/", crate::web::routes())
        .at("/metrics", get(crate::metrics::scrape))
        .with(crate::metrics::HttpMetrics)
        .data(state)
        .with(edge)
}
