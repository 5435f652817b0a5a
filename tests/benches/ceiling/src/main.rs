//! The ceiling of the perf comparison: `GET /api/v1/alliances/{id}` written
//! with bare poem 3 + sqlx 0.8 + jsonwebtoken 11 — no ORM, no OpenAPI layer,
//! no middleware. Per request it does what the project does for a bureau
//! caller: verify the HS256 JWT (algorithm pinned, `exp`, `iss`, `aud`
//! checked), read the user row (refuse disabled accounts), check the role
//! (experts 403; org users only alliances they initiated or belong to), then
//! the project's queries, one after the other on a pool: the alliance, its
//! memberships joined to organisations, the 附件1 forms, the charter
//! signatures of the current charter, the review rounds, the governing policy
//! and the initiator's ban; and answers the project's JSON.
//!
//! Issue 20 added a second handler beside it, `GET
//! /api/v1/alliances/{id}/reports/{period}` for a bureau caller, with the
//! statements the registry ran for it before issue 20 (user, alliance, the
//! calendar's years and days, the report, members with organisations, the
//! rows, the rounds) and an answer of the registry's shape (members with their
//! 附件2/附件3 rows, 合计 and the seven subtotals, due dates moved off weekends
//! and holidays by the calendar read — a simplified rule: the next working
//! day — and the rounds).
//!
//! Environment: `DATABASE_URL`, `JWT_SECRET`, `BIND` (default
//! 127.0.0.1:8082), `DB_MAX_CONNECTIONS` (default 10), `JWT_ISSUER`,
//! `JWT_AUDIENCE` (project defaults).

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use poem::{
    EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler,
    http::StatusCode,
    listener::TcpListener,
    web::{Data, Json, Path},
};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool, postgres::PgPoolOptions};
use uuid::Uuid;

pub(crate) struct Keys {
    decoding: DecodingKey,
    validation: Validation,
}

#[derive(Deserialize)]
struct Claims {
    sub: Uuid,
}

#[derive(FromRow)]
#[allow(dead_code)]
pub(crate) struct User {
    id: Uuid,
    username: String,
    pub(crate) role: String,
    pub(crate) organization_id: Option<Uuid>,
    disabled: bool,
}

#[derive(FromRow)]
pub(crate) struct Alliance {
    id: Uuid,
    name: String,
    industry: String,
    industry_code: Option<String>,
    initiator_org_id: Uuid,
    lead_org_id: Uuid,
    status: String,
    registration_no: Option<String>,
    registered_on: Option<NaiveDate>,
    agreement_doc_id: Option<Uuid>,
    charter_doc_id: Option<Uuid>,
    charter_version: i32,
    report_text: Option<String>,
    report_doc_id: Option<Uuid>,
    licence_doc_id: Option<Uuid>,
    composition_warnings: Option<serde_json::Value>,
    status_reason: Option<String>,
    version: i32,
    updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
#[allow(dead_code)]
struct MemberRow {
    #[sqlx(rename = "A_id")]
    m_id: Uuid,
    #[sqlx(rename = "A_joined_on")]
    joined_on: Option<NaiveDate>,
    #[sqlx(rename = "A_left_on")]
    left_on: Option<NaiveDate>,
    #[sqlx(rename = "B_id")]
    o_id: Option<Uuid>,
    #[sqlx(rename = "B_name")]
    o_name: Option<String>,
    #[sqlx(rename = "B_kind")]
    o_kind: Option<String>,
    #[sqlx(rename = "B_credit_code")]
    o_credit_code: Option<String>,
}

#[derive(FromRow)]
#[allow(dead_code)]
struct Form {
    organization_id: Uuid,
    filled_by_initiator: bool,
    total_staff: i64,
    management: i64,
    title_senior: i64,
    title_intermediate: i64,
    title_junior: i64,
    skill_senior_technician: i64,
    skill_technician: i64,
    skill_senior_worker: i64,
    skill_intermediate_worker: i64,
    skill_junior_worker: i64,
    skill_special: i64,
    general_workers: i64,
}

#[derive(FromRow)]
struct Round {
    round: i32,
    submitted_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    outcome: Option<String>,
    reasons: Option<serde_json::Value>,
}

#[derive(FromRow)]
struct Policy {
    title: String,
    number: String,
    effective_from: NaiveDate,
    valid_until: Option<NaiveDate>,
}

#[derive(Serialize)]
pub(crate) struct OrgRef {
    id: Uuid,
    name: String,
    kind: String,
    kind_label: &'static str,
}

#[derive(Serialize)]
struct MemberEntry {
    organization: OrgRef,
    role: &'static str,
    is_lead: bool,
    joined_on: Option<NaiveDate>,
    left_on: Option<NaiveDate>,
    current: bool,
    form_filled: bool,
    form_filled_by_initiator: bool,
    charter_signed: bool,
}

#[derive(Serialize)]
struct Issue {
    code: String,
    message: String,
}

#[derive(Serialize)]
struct PolicyFlag {
    title: String,
    number: String,
    valid_until: Option<NaiveDate>,
    state: &'static str,
    message: Option<String>,
}

#[derive(Serialize)]
struct ReasonOut {
    item: String,
    reason: String,
}

#[derive(Serialize)]
struct RoundEntry {
    round: i32,
    submitted_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    outcome: Option<String>,
    reasons: Vec<ReasonOut>,
}

#[derive(Serialize)]
struct Detail {
    id: Uuid,
    name: String,
    industry: String,
    status: String,
    status_label: &'static str,
    registration_no: Option<String>,
    registered_on: Option<NaiveDate>,
    initiator_org_id: Uuid,
    lead_org_id: Uuid,
    composition_warnings: Vec<String>,
    version: i32,
    updated_at: DateTime<Utc>,
    industry_code: Option<String>,
    initiator: Option<OrgRef>,
    lead: Option<OrgRef>,
    members: Vec<MemberEntry>,
    agreement_document_id: Option<Uuid>,
    charter_document_id: Option<Uuid>,
    charter_version: i32,
    report_text: Option<String>,
    report_document_id: Option<Uuid>,
    licence_document_id: Option<Uuid>,
    status_reason: Option<String>,
    warnings: Vec<Issue>,
    readiness: Vec<Issue>,
    policy: Option<PolicyFlag>,
    rounds: Vec<RoundEntry>,
}

pub(crate) fn kind_label(kind: &str) -> &'static str {
    match kind {
        "enterprise" => "企业",
        "vocational_college" => "职业院校",
        "technical_school" => "技工院校",
        "training_institution" => "职业培训机构",
        "research_institute" => "科研机构",
        "industry_association" => "行业协会",
        _ => "其他",
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "草稿",
        "submitted" => "已提交待审核",
        "returned" => "已退回修改",
        "registered" => "已备案",
        "suspended" => "已暂停",
        _ => "已解散",
    }
}

fn warning_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "initiator_kind_not_allowed" => "发起单位应为职业院校、技工院校、职业培训机构、科研机构或行业协会（《实施意见》二(一)）",
        "lead_not_enterprise" => "联盟承担主体应为在区域产业行业中处于领先地位的企业（《实施意见》二(二)）",
        "missing_school_or_training_institution" => "成员单位应包括职业院校、技工院校或职业培训机构（《实施意见》二(三)1）",
        "missing_research_institute" => "成员单位应包括科研机构（《实施意见》二(三)2）",
        "missing_enterprise_member" => "成员单位除承担主体外，还应包括同行业、同类型的企业（《实施意见》二(三)3）",
        _ => return None,
    })
}

fn policy_flag(p: Policy, today: NaiveDate) -> PolicyFlag {
    let until = p.valid_until.map(|d| d.to_string()).unwrap_or_default();
    let (state, message) = if today < p.effective_from {
        ("not_yet_effective", Some(format!("《{}》尚未生效", p.title)))
    } else {
        match p.valid_until {
            None => ("valid", None),
            Some(u) if today > u => {
                ("expired", Some(format!("《{}》已于{until}失效（已过期{}天），请确认备案依据", p.title, (today - u).num_days())))
            }
            Some(u) if (u - today).num_days() <= 90 => {
                ("expires_soon", Some(format!("《{}》有效期至{until}，还有{}天到期，请及时修订或延续", p.title, (u - today).num_days())))
            }
            Some(_) => ("valid", None),
        }
    };
    PolicyFlag { title: p.title, number: p.number, valid_until: p.valid_until, state, message }
}

pub(crate) fn problem(status: StatusCode, code: &str, title: &str) -> Response {
    let body = serde_json::json!({"type": "about:blank", "title": title, "status": status.as_u16(), "code": code});
    Response::builder().status(status).content_type("application/problem+json").body(body.to_string())
}

fn is_member_on(joined: Option<NaiveDate>, left: Option<NaiveDate>, day: NaiveDate) -> bool {
    joined.is_none_or(|j| j <= day) && left.is_none_or(|l| l > day)
}

// The project's statements, verbatim (as its PostgreSQL log shows them with
// `log_statement = 'all'`): same tables, columns, filters and order.
pub(crate) const USER_SQL: &str = r#"SELECT "users"."id", "users"."username", "users"."email", "users"."display_name", "users"."role", "users"."organization_id", "users"."password_hash", "users"."disabled", "users"."failed_logins", "users"."locked_until", "users"."must_change_password", "users"."last_login_at", "users"."created_at", "users"."updated_at" FROM "users" WHERE "users"."id" = $1 LIMIT $2"#;
pub(crate) const ALLIANCE_SQL: &str = r#"SELECT "alliances"."id", "alliances"."name", "alliances"."industry", "alliances"."industry_code", "alliances"."initiator_org_id", "alliances"."lead_org_id", "alliances"."status", "alliances"."registration_no", "alliances"."registered_on", "alliances"."agreement_doc_id", "alliances"."charter_doc_id", "alliances"."charter_version", "alliances"."report_text", "alliances"."report_doc_id", "alliances"."licence_doc_id", "alliances"."composition_warnings", "alliances"."status_reason", "alliances"."version", "alliances"."created_by", "alliances"."created_at", "alliances"."updated_at", "alliances"."submitted_at" FROM "alliances" WHERE "alliances"."id" = $1 LIMIT $2"#;
const MEMBERS_SQL: &str = r#"SELECT "alliance_members"."id" AS "A_id", "alliance_members"."alliance_id" AS "A_alliance_id", "alliance_members"."organization_id" AS "A_organization_id", "alliance_members"."joined_on" AS "A_joined_on", "alliance_members"."left_on" AS "A_left_on", "alliance_members"."leave_reason" AS "A_leave_reason", "alliance_members"."created_at" AS "A_created_at", "organizations"."id" AS "B_id", "organizations"."name" AS "B_name", "organizations"."credit_code" AS "B_credit_code", "organizations"."kind" AS "B_kind", "organizations"."registered_in_dongguan" AS "B_registered_in_dongguan", "organizations"."independent_legal_person" AS "B_independent_legal_person", "organizations"."address" AS "B_address", "organizations"."postcode" AS "B_postcode", "organizations"."email" AS "B_email", "organizations"."legal_representative" AS "B_legal_representative", "organizations"."contact_person" AS "B_contact_person", "organizations"."office_phone" AS "B_office_phone", "organizations"."mobile" AS "B_mobile", "organizations"."fax" AS "B_fax", "organizations"."profile" AS "B_profile", "organizations"."credit_code_verified" AS "B_credit_code_verified", "organizations"."version" AS "B_version", "organizations"."created_at" AS "B_created_at", "organizations"."updated_at" AS "B_updated_at" FROM "alliance_members" LEFT JOIN "organizations" ON "alliance_members"."organization_id" = "organizations"."id" WHERE "alliance_members"."alliance_id" = $1 ORDER BY "alliance_members"."created_at" ASC, "alliance_members"."id" ASC"#;
const FORMS_SQL: &str = r#"SELECT "member_forms"."id", "member_forms"."alliance_id", "member_forms"."organization_id", "member_forms"."address", "member_forms"."postcode", "member_forms"."email", "member_forms"."legal_representative", "member_forms"."contact_person", "member_forms"."office_phone", "member_forms"."mobile", "member_forms"."fax", "member_forms"."total_staff", "member_forms"."management", "member_forms"."title_senior", "member_forms"."title_intermediate", "member_forms"."title_junior", "member_forms"."skill_senior_technician", "member_forms"."skill_technician", "member_forms"."skill_senior_worker", "member_forms"."skill_intermediate_worker", "member_forms"."skill_junior_worker", "member_forms"."skill_special", "member_forms"."general_workers", "member_forms"."profile", "member_forms"."filled_by", "member_forms"."filled_by_initiator", "member_forms"."version", "member_forms"."created_at", "member_forms"."updated_at" FROM "member_forms" WHERE "member_forms"."alliance_id" = $1"#;
const SIGNED_SQL: &str = r#"SELECT "charter_signatures"."organization_id" FROM "charter_signatures" WHERE "charter_signatures"."alliance_id" = $1 AND "charter_signatures"."charter_version" = $2"#;
const ROUNDS_SQL: &str = r#"SELECT "alliance_rounds"."id", "alliance_rounds"."alliance_id", "alliance_rounds"."round", "alliance_rounds"."submitted_at", "alliance_rounds"."submitted_by", "alliance_rounds"."decided_at", "alliance_rounds"."decided_by", "alliance_rounds"."outcome", "alliance_rounds"."reasons" FROM "alliance_rounds" WHERE "alliance_rounds"."alliance_id" = $1 ORDER BY "alliance_rounds"."round" ASC"#;
const POLICY_SQL: &str = r#"SELECT "policy_documents"."id", "policy_documents"."title", "policy_documents"."number", "policy_documents"."issuer", "policy_documents"."effective_from", "policy_documents"."valid_until", "policy_documents"."governs", "policy_documents"."created_at", "policy_documents"."updated_at" FROM "policy_documents" WHERE "policy_documents"."governs" = $1 ORDER BY "policy_documents"."effective_from" DESC LIMIT $2"#;
const BAN_SQL: &str = r#"SELECT COUNT(*) AS num_items FROM (SELECT "sanctions"."id", "sanctions"."organization_id", "sanctions"."credit_code", "sanctions"."kind", "sanctions"."confirmed_on", "sanctions"."ban_until", "sanctions"."description", "sanctions"."application_id", "sanctions"."ban_ended_at", "sanctions"."created_by", "sanctions"."created_at" FROM "sanctions" WHERE "sanctions"."credit_code" = $1 AND "sanctions"."ban_until" > $2 AND "sanctions"."confirmed_on" <= $3) AS "sub_query""#;
pub(crate) const MEMBERSHIP_SQL: &str = r#"SELECT COUNT(*) AS num_items FROM (SELECT "alliance_members"."id" FROM "alliance_members" WHERE "alliance_members"."alliance_id" = $1 AND "alliance_members"."organization_id" = $2) AS "sub_query""#;

async fn detail(pool: &PgPool, user: &User, id: Uuid, today: NaiveDate) -> Result<Option<Detail>, sqlx::Error> {
    let Some(a) = sqlx::query_as::<_, Alliance>(ALLIANCE_SQL).bind(id).bind(1_i64).fetch_optional(pool).await? else { return Ok(None) };
    let bureau = matches!(user.role.as_str(), "bureau_admin" | "bureau_staff");
    if !bureau {
        let Some(org) = user.organization_id else { return Ok(None) };
        if a.initiator_org_id != org {
            let (n,): (i64,) = sqlx::query_as(MEMBERSHIP_SQL).bind(id).bind(org).fetch_one(pool).await?;
            if n == 0 {
                return Ok(None);
            }
        }
    }
    let rows = sqlx::query_as::<_, MemberRow>(MEMBERS_SQL).bind(a.id).fetch_all(pool).await?;
    let forms = sqlx::query_as::<_, Form>(FORMS_SQL).bind(a.id).fetch_all(pool).await?;
    let signed: Vec<Uuid> = sqlx::query_scalar(SIGNED_SQL).bind(a.id).bind(a.charter_version).fetch_all(pool).await?;
    let rounds = sqlx::query_as::<_, Round>(ROUNDS_SQL).bind(a.id).fetch_all(pool).await?;
    let policy = sqlx::query_as::<_, Policy>(POLICY_SQL).bind("alliance_filing").bind(1_i64).fetch_optional(pool).await?;
    let initiator_code = rows.iter().find(|r| r.o_id == Some(a.initiator_org_id)).and_then(|r| r.o_credit_code.clone());
    // The ban is read as the project reads it; for a registered alliance it
    // only feeds the readiness list, which is empty (not editable).
    let _banned = match initiator_code {
        Some(code) => sqlx::query_scalar::<_, i64>(BAN_SQL).bind(code).bind(today).bind(today).fetch_one(pool).await? > 0,
        None => false,
    };
    let editable = matches!(a.status.as_str(), "draft" | "returned");
    let org_ref = |r: &MemberRow| -> Option<OrgRef> {
        let kind = r.o_kind.clone()?;
        Some(OrgRef { id: r.o_id?, name: r.o_name.clone()?, kind_label: kind_label(&kind), kind })
    };
    let mut members = Vec::with_capacity(rows.len());
    for r in &rows {
        let Some(org) = org_ref(r) else { continue };
        let form = forms.iter().find(|f| f.organization_id == org.id);
        let current = if editable { r.left_on.is_none() } else { is_member_on(r.joined_on, r.left_on, today) };
        members.push(MemberEntry {
            role: if org.id == a.initiator_org_id { "initiator" } else { "member" },
            is_lead: org.id == a.lead_org_id,
            joined_on: r.joined_on,
            left_on: r.left_on,
            current,
            form_filled: form.is_some(),
            form_filled_by_initiator: form.is_some_and(|f| f.filled_by_initiator),
            charter_signed: a.charter_version > 0 && signed.contains(&org.id),
            organization: org,
        });
    }
    let find = |id: Uuid| rows.iter().find(|r| r.o_id == Some(id)).and_then(org_ref);
    let codes: Vec<String> = a
        .composition_warnings
        .as_ref()
        .and_then(|w| w.as_array())
        .map(|c| c.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let warnings = codes.iter().filter_map(|c| warning_message(c).map(|m| Issue { code: c.clone(), message: m.to_string() })).collect();
    let rounds = rounds
        .into_iter()
        .map(|r| RoundEntry {
            round: r.round,
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
            outcome: r.outcome,
            reasons: r
                .reasons
                .as_ref()
                .and_then(|x| x.as_array())
                .map(|items| {
                    items
                        .iter()
                        .map(|i| ReasonOut {
                            item: i["item"].as_str().unwrap_or_default().into(),
                            reason: i["reason"].as_str().unwrap_or_default().into(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Ok(Some(Detail {
        initiator: find(a.initiator_org_id),
        lead: find(a.lead_org_id),
        members,
        composition_warnings: codes,
        warnings,
        // What submission would refuse: only for editable filings, which this
        // ceiling does not serve (the comparison reads a registered alliance).
        readiness: Vec::new(),
        policy: policy.map(|p| policy_flag(p, today)),
        rounds,
        status_label: status_label(&a.status),
        id: a.id,
        name: a.name,
        industry: a.industry,
        status: a.status,
        registration_no: a.registration_no,
        registered_on: a.registered_on,
        initiator_org_id: a.initiator_org_id,
        lead_org_id: a.lead_org_id,
        version: a.version,
        updated_at: a.updated_at,
        industry_code: a.industry_code,
        agreement_document_id: a.agreement_doc_id,
        charter_document_id: a.charter_doc_id,
        charter_version: a.charter_version,
        report_text: a.report_text,
        report_document_id: a.report_doc_id,
        licence_document_id: a.licence_doc_id,
        status_reason: a.status_reason,
    }))
}

/// The JWT checked, the user row read (disabled: 401), experts refused.
async fn authenticate(req: &Request, pool: &PgPool, keys: &Keys) -> Result<User, Response> {
    let Some(token) = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")) else {
        return Err(problem(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"));
    };
    let Ok(data) = jsonwebtoken::decode::<Claims>(token, &keys.decoding, &keys.validation) else {
        return Err(problem(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"));
    };
    let user = match sqlx::query_as::<_, User>(USER_SQL).bind(data.claims.sub).bind(1_i64).fetch_optional(pool).await {
        Ok(Some(u)) if !u.disabled => u,
        Ok(_) => return Err(problem(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized")),
        Err(_) => return Err(problem(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error")),
    };
    if user.role == "expert" {
        return Err(problem(StatusCode::FORBIDDEN, "forbidden", "Forbidden"));
    }
    Ok(user)
}

/// The Beijing date, as the project's clock gives it.
fn today() -> NaiveDate {
    Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap_or(FixedOffset::east_opt(0).unwrap())).date_naive()
}

#[handler]
async fn get_alliance(req: &Request, Path(id): Path<Uuid>, pool: Data<&PgPool>, keys: Data<&Arc<Keys>>) -> Response {
    let user = match authenticate(req, *pool, *keys).await {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let today = today();
    match detail(*pool, &user, id, today).await {
        Ok(Some(d)) => Json(d).into_response(),
        Ok(None) => problem(StatusCode::NOT_FOUND, "not_found", "Not found"),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
    }
}

mod report;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let secret = std::env::var("JWT_SECRET").expect("JWT_SECRET");
    let max: u32 = env("DB_MAX_CONNECTIONS", "10").parse().expect("DB_MAX_CONNECTIONS");
    let pool = PgPoolOptions::new().max_connections(max).min_connections(1).connect(&url).await.expect("connect");
    let mut validation = Validation::new(Algorithm::HS256);
    validation.algorithms = vec![Algorithm::HS256];
    validation.set_issuer(&[env("JWT_ISSUER", "dg-skills-registry")]);
    validation.set_audience(&[env("JWT_AUDIENCE", "dg-skills-registry-api")]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 0;
    let keys = Arc::new(Keys { decoding: DecodingKey::from_secret(secret.as_bytes()), validation });
    let app = Route::new()
        .at("/api/v1/alliances/:id", get(get_alliance))
        .at("/api/v1/alliances/:id/reports/:period", get(report::get_report))
        .at("/readyz", get(poem::endpoint::make_sync(|_| "ok")))
        .data(pool)
        .data(keys);
    Server::new(TcpListener::bind(env("BIND", "127.0.0.1:8082"))).run(app).await
}
