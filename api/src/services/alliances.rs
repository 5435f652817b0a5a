//! Training alliances (seed 003 §二, DESIGN §4): drafts by the initiator,
//! member forms and charter signatures, submission, bureau review and
//! registration, membership changes after registration.
//!
//! Access (DESIGN §3): bureau roles see every alliance; an org_user sees the
//! alliances its organisation initiated or belongs (or belonged) to; the
//! initiator changes the filing; a member changes only its own form and
//! signature. Anyone else gets 404; experts get 403.
//!
//! # Layout
//! - this file: access, loading the whole picture of one alliance, drafts
//! - [`members`]: membership, forms (附件1), charter, composition re-checks
//! - [`review`]: submit, return, register (备案编号), suspend, dissolve
//! - [`import`]: the 附件1 XLSX template and its all-or-nothing import

pub mod import;
pub mod members;
pub mod review;

use chrono::NaiveDate;
use entities::{
    OrgKind, Role,
    alliance::{AllianceStatus, CompositionFacts, FilingFacts, MemberFacts},
    models::{alliance, alliance_member, alliance_round, document, organization, policy_document, sanction},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    prelude::Expr,
};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    i18n::Msg,
    pagination::PageParams,
    services::sql::{self, Built, Dialect},
    state::AppState,
};

pub fn not_found() -> ApiError {
    ApiError::not_found("联盟", "Alliance")
}

pub fn not_initiator() -> ApiError {
    ApiError::new(
        poem::http::StatusCode::FORBIDDEN,
        "initiator_only",
        Msg::new("只有发起单位可以进行此操作", "Only the initiating organisation may do this"),
    )
}

/// How the caller relates to an alliance it may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Bureau,
    Initiator,
    /// A member (current or former) that is not the initiator.
    Member(Uuid),
}

/// Loads an alliance the caller may see, with the caller's relation to it.
///
/// # Errors
/// 403 for experts, 404 for alliances the caller has nothing to do with.
pub async fn load(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> ApiResult<(alliance::Model, Access)> {
    if caller.role == Role::Expert {
        return Err(ApiError::forbidden());
    }
    let a = alliance::Entity::find_by_id(id).one(db).await?.ok_or_else(not_found)?;
    let member = match caller.organization_id {
        Some(org) if !caller.is_bureau() && a.initiator_org_id != org => {
            alliance_member::Entity::find()
                .filter(alliance_member::Column::AllianceId.eq(id))
                .filter(alliance_member::Column::OrganizationId.eq(org))
                .count(db)
                .await?
                > 0
        }
        _ => false,
    };
    let access = access(caller, &a, member)?;
    Ok((a, access))
}

/// The caller's relation to `a` (DESIGN §3): bureau roles see every
/// alliance, an org_user the ones its organisation initiated or has a
/// membership row in (`member`, current or former); anyone else gets 404.
fn access(caller: &Caller, a: &alliance::Model, member: bool) -> ApiResult<Access> {
    if caller.is_bureau() {
        return Ok(Access::Bureau);
    }
    let org = caller.organization_id.ok_or_else(not_found)?;
    if a.initiator_org_id == org {
        Ok(Access::Initiator)
    } else if member {
        Ok(Access::Member(org))
    } else {
        Err(not_found())
    }
}

/// The alliance statement of [`load_view`] (issue 20): the alliance `$1`, the
/// policy document governing `$2` (the latest in force first, as
/// [`governing_policy`]) and whether organisation `$3` has a membership row —
/// what [`load`], [`governing_policy`] and the membership count read in three.
fn alliance_sql(d: Dialect) -> String {
    format!(
        "SELECT {a}, {p}, {org} IS NOT NULL AND EXISTS (SELECT 1 FROM alliance_members m WHERE m.alliance_id = a.id \
         AND m.organization_id = {org}) AS caller_member \
         FROM alliances a LEFT JOIN (SELECT * FROM policy_documents WHERE governs = {governs} ORDER BY effective_from DESC LIMIT 1) p \
         ON 1 = 1 WHERE a.id = {id}",
        a = sql::columns::<alliance::Column>("a", "A_"),
        p = sql::columns::<policy_document::Column>("p", "B_"),
        id = d.param(1),
        governs = d.param(2),
        org = d.param(3),
    )
}

static ALLIANCE_SQL: Built = Built::new(|| alliance_sql(Dialect { postgres: true }), || alliance_sql(Dialect { postgres: false }));

/// [`load`] and [`view`] together, as the detail reads them: the alliance
/// with its governing policy and the caller's membership in one statement,
/// then the members ([`member_rows`]) and the rounds.
///
/// # Errors
/// 403 for experts, 404 for alliances the caller has nothing to do with; database errors.
pub async fn load_view(db: &impl ConnectionTrait, caller: &Caller, id: Uuid, today: NaiveDate) -> ApiResult<(AllianceView, Access)> {
    use sea_orm::{FromQueryResult, Statement};
    if caller.role == Role::Expert {
        return Err(ApiError::forbidden());
    }
    let backend = db.get_database_backend();
    let org = caller.organization_id.filter(|_| !caller.is_bureau());
    let values: [sea_orm::Value; 3] = [id.into(), "alliance_filing".into(), org.into()];
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, ALLIANCE_SQL.get(backend), values)).await?.ok_or_else(not_found)?;
    let a = alliance::Model::from_query_result(&row, "A_")?;
    let policy = policy_document::Model::from_query_result_optional(&row, "B_")?;
    let access = access(caller, &a, row.try_get("", "caller_member")?)?;
    // Independent reads, side by side on the pool (issue 20; in a transaction they queue).
    let ((members, initiator_banned), rounds) = tokio::try_join!(member_rows(db, &a, today), rounds(db, a.id))?;
    Ok((AllianceView { alliance: a, members, rounds, policy, initiator_banned }, access))
}

async fn rounds(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Vec<alliance_round::Model>> {
    Ok(alliance_round::Entity::find()
        .filter(alliance_round::Column::AllianceId.eq(id))
        .order_by_asc(alliance_round::Column::Round)
        .all(db)
        .await?)
}

/// Like [`load`], but only the initiator (or, when `bureau_too`, bureau roles) passes.
///
/// # Errors
/// 403 `initiator_only` for members, 404 otherwise.
pub async fn load_as_initiator(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> ApiResult<alliance::Model> {
    match load(db, caller, id).await? {
        (a, Access::Initiator) => Ok(a),
        _ => Err(not_initiator()),
    }
}

/// 409 unless the alliance is in one of `allowed`.
///
/// # Errors
/// 409 `wrong_state`.
pub fn require_status(a: &alliance::Model, allowed: &[AllianceStatus], what_zh: &str) -> ApiResult<()> {
    if allowed.contains(&a.status) {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "wrong_state",
            format!("联盟当前状态为“{}”，不能{what_zh}", a.status.label_zh()),
            format!("Not allowed while the alliance is {:?}", a.status),
        ))
    }
}

/// One member with what the views need.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub membership: alliance_member::Model,
    pub organization: organization::Model,
    pub form: Option<FormPresence>,
    pub signed_charter: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct FormPresence {
    pub filled_by_initiator: bool,
    pub counts: entities::alliance::StaffCounts,
}

/// Everything about one alliance, loaded in a fixed number of queries.
#[derive(Debug, Clone)]
pub struct AllianceView {
    pub alliance: alliance::Model,
    pub members: Vec<MemberView>,
    pub rounds: Vec<alliance_round::Model>,
    pub policy: Option<policy_document::Model>,
    pub initiator_banned: bool,
}

impl AllianceView {
    /// Memberships in force now (drafts: every row not left).
    #[must_use]
    pub fn current_members(&self, today: NaiveDate) -> Vec<&MemberView> {
        self.members
            .iter()
            .filter(|m| if self.alliance.status.is_editable() { m.membership.left_on.is_none() } else { m.membership.is_member_on(today) })
            .collect()
    }

    fn org(&self, id: Uuid) -> Option<&organization::Model> {
        self.members.iter().map(|m| &m.organization).find(|o| o.id == id)
    }

    #[must_use]
    pub fn composition(&self, members: &[&MemberView]) -> CompositionFacts {
        let kind = |id| self.org(id).map_or(OrgKind::Other, |o| o.kind);
        CompositionFacts {
            initiator_kind: kind(self.alliance.initiator_org_id),
            lead_kind: kind(self.alliance.lead_org_id),
            member_kinds: members.iter().map(|m| m.organization.kind).collect(),
        }
    }

    /// The facts submission checks (003 §二(四)(六)).
    #[must_use]
    pub fn filing_facts(&self, today: NaiveDate) -> FilingFacts {
        let members = self.current_members(today);
        let initiator = self.org(self.alliance.initiator_org_id);
        FilingFacts {
            composition: self.composition(&members),
            members: members
                .iter()
                .map(|m| MemberFacts {
                    organization_id: m.organization.id,
                    name: m.organization.name.clone(),
                    form: m.form.map(|f| f.counts),
                    signed_charter: m.signed_charter,
                })
                .collect(),
            has_charter: self.alliance.charter_doc_id.is_some(),
            has_agreement: self.alliance.agreement_doc_id.is_some(),
            has_report: self.alliance.report_text.is_some() || self.alliance.report_doc_id.is_some(),
            has_licence: self.alliance.licence_doc_id.is_some(),
            initiator_credit_code_verified: initiator.is_some_and(|o| o.credit_code_verified),
            initiator_banned: self.initiator_banned,
        }
    }
}

/// One of the filing's materials (agreement, charter, licence, report),
/// readable by everyone who may see the alliance: members read the charter
/// they sign (003 §二(四)).
///
/// # Errors
/// 403 experts, 404 an alliance the caller may not see or a document it does not name.
pub async fn material(state: &AppState, caller: &Caller, id: Uuid, doc: Uuid) -> ApiResult<(document::Model, Vec<u8>)> {
    let (a, _) = load(&state.db, caller, id).await?;
    let not_found = || ApiError::not_found("文件", "Document");
    if ![a.agreement_doc_id, a.charter_doc_id, a.licence_doc_id, a.report_doc_id].contains(&Some(doc)) {
        return Err(not_found());
    }
    let model = document::Entity::find_by_id(doc).one(&state.db).await?.ok_or_else(not_found)?;
    crate::services::documents::read(state, model).await
}

/// Whether an active ban (000 第二十二条, `entities::sanction::is_in_force`) covers `credit_code` on `today`.
///
/// # Errors
/// Database errors.
pub async fn is_banned(db: &impl ConnectionTrait, credit_code: &str, today: NaiveDate) -> ApiResult<bool> {
    Ok(sanction::Entity::find()
        .filter(sanction::Column::CreditCode.eq(credit_code))
        .filter(sanction::Column::BanUntil.gt(today))
        .filter(sanction::Column::ConfirmedOn.lte(today))
        .count(db)
        .await?
        > 0)
}

/// Loads the whole picture of `a`: members with organisations, forms,
/// signatures of the current charter and the initiator's ban in one statement
/// ([`member_rows`]), then the rounds and the governing policy.
///
/// # Errors
/// Database errors.
pub async fn view(db: &impl ConnectionTrait, a: alliance::Model, today: NaiveDate) -> ApiResult<AllianceView> {
    let (members, initiator_banned) = member_rows(db, &a, today).await?;
    let rounds = rounds(db, a.id).await?;
    let policy = governing_policy(db, "alliance_filing").await?;
    Ok(AllianceView { alliance: a, members, rounds, policy, initiator_banned })
}

/// What the member statement reads beside the two models.
#[derive(sea_orm::FromQueryResult)]
struct MemberExtras {
    /// NOT NULL in `member_forms`: present exactly when the form is.
    form_filled_by_initiator: Option<bool>,
    form_total_staff: Option<i64>,
    form_management: Option<i64>,
    form_title_senior: Option<i64>,
    form_title_intermediate: Option<i64>,
    form_title_junior: Option<i64>,
    form_skill_senior_technician: Option<i64>,
    form_skill_technician: Option<i64>,
    form_skill_senior_worker: Option<i64>,
    form_skill_intermediate_worker: Option<i64>,
    form_skill_junior_worker: Option<i64>,
    form_skill_special: Option<i64>,
    form_general_workers: Option<i64>,
    /// A signature of the charter version asked for.
    signed: bool,
    /// The initiator's row only: an active ban covers its credit code (`is_banned`).
    banned: bool,
}

impl MemberExtras {
    fn form(&self) -> Option<FormPresence> {
        let n = |v: Option<i64>| v.unwrap_or_default();
        self.form_filled_by_initiator.map(|filled_by_initiator| FormPresence {
            filled_by_initiator,
            counts: entities::alliance::StaffCounts {
                total_staff: n(self.form_total_staff),
                management: n(self.form_management),
                title_senior: n(self.form_title_senior),
                title_intermediate: n(self.form_title_intermediate),
                title_junior: n(self.form_title_junior),
                skill_senior_technician: n(self.form_skill_senior_technician),
                skill_technician: n(self.form_skill_technician),
                skill_senior_worker: n(self.form_skill_senior_worker),
                skill_intermediate_worker: n(self.form_skill_intermediate_worker),
                skill_junior_worker: n(self.form_skill_junior_worker),
                skill_special: n(self.form_skill_special),
                general_workers: n(self.form_general_workers),
            },
        })
    }
}

/// The member statement (issue 20): memberships in creation order, each with
/// its organisation, its 附件1 form's figures, whether it signed charter
/// version `$2`, and — on the initiator's rows only — whether an active ban
/// (`entities::sanction::is_in_force`, as [`is_banned`]: confirmed on or before
/// `$4`, ending after it) covers the initiator's credit code. One round trip
/// where the ORM made four (memberships with organisations, forms,
/// signatures, ban).
fn member_sql(d: Dialect) -> String {
    let p = |n| d.param(n);
    format!(
        "SELECT {m}, {o}, {f}, s.organization_id IS NOT NULL AS signed, \
         CASE WHEN m.organization_id = {initiator} THEN EXISTS (SELECT 1 FROM sanctions x WHERE x.credit_code = o.credit_code \
         AND x.ban_until > {today} AND x.confirmed_on <= {today}) ELSE {no} END AS banned \
         FROM alliance_members m JOIN organizations o ON o.id = m.organization_id \
         LEFT JOIN member_forms f ON f.alliance_id = m.alliance_id AND f.organization_id = m.organization_id \
         LEFT JOIN charter_signatures s ON s.alliance_id = m.alliance_id AND s.organization_id = m.organization_id \
         AND s.charter_version = {version} \
         WHERE m.alliance_id = {alliance} ORDER BY m.created_at, m.id",
        m = sql::columns::<alliance_member::Column>("m", "A_"),
        o = sql::columns::<organization::Column>("o", "B_"),
        f = sql::named("f", "form_", &FORM_COLUMNS),
        alliance = p(1),
        version = p(2),
        initiator = p(3),
        today = p(4),
        no = d.no(),
    )
}

const FORM_COLUMNS: [&str; 13] = [
    "filled_by_initiator",
    "total_staff",
    "management",
    "title_senior",
    "title_intermediate",
    "title_junior",
    "skill_senior_technician",
    "skill_technician",
    "skill_senior_worker",
    "skill_intermediate_worker",
    "skill_junior_worker",
    "skill_special",
    "general_workers",
];

static MEMBER_SQL: Built = Built::new(|| member_sql(Dialect { postgres: true }), || member_sql(Dialect { postgres: false }));

/// The members of `a` ([`member_sql`]) and whether its initiator is banned on `today`.
///
/// # Errors
/// Database errors.
pub async fn member_rows(db: &impl ConnectionTrait, a: &alliance::Model, today: NaiveDate) -> ApiResult<(Vec<MemberView>, bool)> {
    use sea_orm::{FromQueryResult, Statement};
    let backend = db.get_database_backend();
    let values: [sea_orm::Value; 4] = [a.id.into(), a.charter_version.into(), a.initiator_org_id.into(), today.into()];
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, MEMBER_SQL.get(backend), values)).await?;
    let mut members = Vec::with_capacity(rows.len());
    let mut initiator_banned = None;
    let organization_at = sql::count::<alliance_member::Column>();
    for row in &rows {
        // By position: the membership's columns, then the organisation's ([`member_sql`]).
        let membership = sql::member_at::read(row, 0)?;
        let organization = sql::organization_at::read(row, organization_at)?;
        let extras = MemberExtras::from_query_result(row, "")?;
        if organization.id == a.initiator_org_id && initiator_banned.is_none() {
            initiator_banned = Some(extras.banned);
        }
        let signed_charter = a.charter_version > 0 && extras.signed;
        members.push(MemberView { membership, organization, form: extras.form(), signed_charter });
    }
    Ok((members, initiator_banned.unwrap_or(false)))
}

/// The policy document governing a filing type.
///
/// # Errors
/// Database errors.
pub async fn governing_policy(db: &impl ConnectionTrait, governs: &str) -> ApiResult<Option<policy_document::Model>> {
    Ok(policy_document::Entity::find()
        .filter(policy_document::Column::Governs.eq(governs))
        .order_by_desc(policy_document::Column::EffectiveFrom)
        .one(db)
        .await?)
}

/// The draft fields, parsed.
#[derive(Debug, Clone, Default)]
pub struct DraftFields {
    pub name: Option<String>,
    pub industry: Option<String>,
    pub industry_code: Option<Option<String>>,
    pub lead_org_id: Option<Uuid>,
    pub agreement_doc_id: Option<Option<Uuid>>,
    pub charter_doc_id: Option<Option<Uuid>>,
    pub report_text: Option<Option<String>>,
    pub report_doc_id: Option<Option<Uuid>>,
    pub licence_doc_id: Option<Option<Uuid>>,
}

/// A document may be attached only by its uploader's organisation.
pub(crate) async fn check_document(db: &impl ConnectionTrait, caller: &Caller, field: &str, id: Option<Uuid>) -> ApiResult<()> {
    let Some(id) = id else { return Ok(()) };
    let doc = document::Entity::find_by_id(id).one(db).await?;
    let usable = doc.is_some_and(|d| d.uploaded_by == caller.user_id || d.organization_id.is_some_and(|o| caller.belongs_to(o)));
    if usable {
        Ok(())
    } else {
        Err(ApiError::field(field, "文件不存在或不属于本单位", "No such document of your organisation"))
    }
}

async fn org_exists(db: &impl ConnectionTrait, field: &str, id: Uuid) -> ApiResult<organization::Model> {
    organization::Entity::find_by_id(id).one(db).await?.ok_or_else(|| ApiError::field(field, "单位不存在", "No such organisation"))
}

async fn check_documents(db: &impl ConnectionTrait, caller: &Caller, f: &DraftFields) -> ApiResult<()> {
    for (field, id) in [
        ("agreement_document_id", f.agreement_doc_id),
        ("charter_document_id", f.charter_doc_id),
        ("report_document_id", f.report_doc_id),
        ("licence_document_id", f.licence_doc_id),
    ] {
        check_document(db, caller, field, id.flatten()).await?;
    }
    Ok(())
}

/// Creates a draft; the caller's organisation is the initiator, and the
/// initiator and the lead are members from the start.
///
/// # Errors
/// 403 unless an org_user, 422 for unknown organisations or documents.
pub async fn create(state: &AppState, caller: &Caller, f: DraftFields, member_ids: Vec<Uuid>) -> ApiResult<alliance::Model> {
    caller.require(&[Role::OrgUser])?;
    let initiator = caller.organization_id.ok_or_else(ApiError::forbidden)?;
    let (Some(name), Some(industry), Some(lead)) = (f.name.clone(), f.industry.clone(), f.lead_org_id) else {
        return Err(ApiError::field(
            "name",
            "联盟名称、产业领域和承担主体必须填写",
            "name, industry and lead_organization_id are required",
        ));
    };
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    org_exists(&txn, "lead_organization_id", lead).await?;
    let mut ids = vec![initiator, lead];
    for (i, id) in member_ids.iter().enumerate() {
        org_exists(&txn, &format!("member_organization_ids[{i}]"), *id).await?;
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    check_documents(&txn, caller, &f).await?;
    let charter = f.charter_doc_id.flatten();
    let model = alliance::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        industry: Set(industry),
        industry_code: Set(f.industry_code.flatten()),
        initiator_org_id: Set(initiator),
        lead_org_id: Set(lead),
        status: Set(AllianceStatus::Draft),
        registration_no: Set(None),
        registered_on: Set(None),
        agreement_doc_id: Set(f.agreement_doc_id.flatten()),
        charter_doc_id: Set(charter),
        charter_version: Set(i32::from(charter.is_some())),
        report_text: Set(f.report_text.flatten()),
        report_doc_id: Set(f.report_doc_id.flatten()),
        licence_doc_id: Set(f.licence_doc_id.flatten()),
        composition_warnings: Set(None),
        status_reason: Set(None),
        version: Set(1),
        created_by: Set(caller.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        submitted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let rows: Vec<alliance_member::ActiveModel> = ids
        .iter()
        .map(|org| alliance_member::ActiveModel {
            id: Set(Uuid::now_v7()),
            alliance_id: Set(model.id),
            organization_id: Set(*org),
            joined_on: Set(None),
            left_on: Set(None),
            leave_reason: Set(None),
            pending: Set(false),
            created_at: Set(now),
        })
        .collect();
    alliance_member::Entity::insert_many(rows).exec(&txn).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("alliance.created", "alliance", model.id).after(&model)).await?;
    txn.commit().await?;
    Ok(model)
}

/// Changes the draft (draft or returned only). `if_match` is the version read.
/// A new charter document bumps the charter version: earlier signatures no
/// longer count.
///
/// # Errors
/// 403 non-initiator, 404, 409 `wrong_state` / `version_conflict`, 422.
pub async fn update(state: &AppState, caller: &Caller, id: Uuid, if_match: Option<i32>, f: DraftFields) -> ApiResult<alliance::Model> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = load_as_initiator(&txn, caller, id).await?;
    require_status(&before, &[AllianceStatus::Draft, AllianceStatus::Returned], "修改备案材料")?;
    check_version(&before, if_match)?;
    if let Some(lead) = f.lead_org_id {
        org_exists(&txn, "lead_organization_id", lead).await?;
        members::ensure_member(&txn, id, lead, None, now).await?;
    }
    check_documents(&txn, caller, &f).await?;
    let mut m: alliance::ActiveModel = before.clone().into();
    macro_rules! apply {
        ($($field:ident <- $src:ident),*) => { $(if let Some(v) = f.$src.clone() { m.$field = Set(v); })* };
    }
    apply!(name <- name, industry <- industry, industry_code <- industry_code, lead_org_id <- lead_org_id, agreement_doc_id <- agreement_doc_id,
        report_text <- report_text, report_doc_id <- report_doc_id, licence_doc_id <- licence_doc_id);
    if let Some(charter) = f.charter_doc_id
        && charter != before.charter_doc_id
    {
        m.charter_doc_id = Set(charter);
        m.charter_version = Set(before.charter_version + 1);
    }
    m.version = Set(before.version + 1);
    m.updated_at = Set(now);
    let after = save_versioned(&txn, m, &before).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("alliance.updated", "alliance", id).before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// 409 when the client read an older version.
///
/// # Errors
/// 409 `version_conflict`.
pub fn check_version(a: &alliance::Model, if_match: Option<i32>) -> ApiResult<()> {
    match if_match {
        Some(v) if v != a.version => Err(ApiError::conflict(
            "version_conflict",
            format!("备案材料已被他人修改（当前版本{}，提交版本{v}），请刷新后重试", a.version),
            format!("Changed by someone else (current version {}, yours {v})", a.version),
        )),
        _ => Ok(()),
    }
}

/// Writes `m` only if the row is still at `before.version`.
///
/// # Errors
/// 409 `version_conflict` when someone else wrote first.
pub async fn save_versioned(db: &impl ConnectionTrait, m: alliance::ActiveModel, before: &alliance::Model) -> ApiResult<alliance::Model> {
    let res = alliance::Entity::update_many()
        .set(m)
        .filter(alliance::Column::Id.eq(before.id))
        .filter(alliance::Column::Version.eq(before.version))
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::conflict(
            "version_conflict",
            "备案材料已被他人修改，请刷新后重试",
            "Changed by someone else; reload and retry",
        ));
    }
    alliance::Entity::find_by_id(before.id).one(db).await?.ok_or_else(not_found)
}

pub struct AllianceFilter {
    pub status: Option<AllianceStatus>,
    pub industry: Option<String>,
    pub name: Option<String>,
}

/// Alliances the caller may see, newest last.
///
/// # Errors
/// 403 for experts.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: AllianceFilter,
    page: PageParams,
) -> ApiResult<(Vec<alliance::Model>, Option<String>)> {
    let mut q = alliance::Entity::find().order_by_asc(alliance::Column::Id).limit(page.fetch());
    match caller.role {
        Role::BureauAdmin | Role::BureauStaff => {}
        Role::Expert => return Err(ApiError::forbidden()),
        Role::OrgUser => {
            let org = caller.organization_id.ok_or_else(ApiError::forbidden)?;
            // Initiated, or a membership row (current or former): one query with a sub-select.
            let mut member_of = sea_orm::sea_query::Query::select();
            member_of
                .column(alliance_member::Column::AllianceId)
                .from(alliance_member::Entity)
                .and_where(Expr::col(alliance_member::Column::OrganizationId).eq(org));
            q = q.filter(
                sea_orm::Condition::any().add(alliance::Column::InitiatorOrgId.eq(org)).add(alliance::Column::Id.in_subquery(member_of)),
            );
        }
    }
    if let Some(s) = filter.status {
        q = q.filter(alliance::Column::Status.eq(s));
    }
    if let Some(i) = filter.industry {
        q = q.filter(alliance::Column::Industry.eq(i));
    }
    if let Some(n) = filter.name {
        q = q.filter(alliance::Column::Name.contains(n));
    }
    if let Some(after) = page.after {
        q = q.filter(alliance::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |a| a.id))
}
