//! 我的待办: what the signed-in user must do next, each item with its due
//! date (explained) and where to do it — in the browser and in the API.
//!
//! Everything is read in SQL with the rules the other services enforce:
//! - an org_user's unit owes its registration form (附件1) and its signature
//!   of the current charter in every alliance it is a current member of while
//!   the alliance takes member papers (003 §二(四)(六),
//!   `AllianceStatus::TAKES_MEMBER_PAPERS`);
//! - the initiator owes the submission of a draft and the correction of a
//!   returned filing (with the reasons of the last round), and follows the
//!   joins still pending on a unit's form and signature;
//! - member units owe their rows, and initiators the submission, of every
//!   half-year report still open (003 §二(七); `report::outstanding`, the
//!   queries of the report chase), due on the member-row and report due dates;
//! - bureau roles have the submitted filings and reports awaiting review,
//!   oldest first;
//! - an applicant owes the submission of its skill-resource drafts (due when
//!   the call closes) and the milestones of its projects in development (due
//!   on the agreement's date, 000 第十七条).
//!
//! Statements: two for the alliances, then two per period still owed (a few),
//! or two for the bureau — never one per alliance.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    Role,
    alliance::AllianceStatus,
    models::{alliance, alliance_round, application, call, development_agreement, report},
    report::{DueRules, Period, ReportStatus, Standing, outstanding},
    resource::ApplicationStatus,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Query},
};
use uuid::Uuid;

use crate::{auth::Caller, error::ApiResult, state::AppState};

/// What kind of thing is to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskKind {
    /// 填写登记表（附件1）
    MemberForm,
    /// 签署联盟章程
    CharterSignature,
    /// 备案被退回：修改后重新提交
    FilingReturned,
    /// 草稿：完成材料并提交备案
    FilingDraft,
    /// 填报半年度数据（附件2、附件3 本单位行）
    ReportRows,
    /// 提交联盟半年度报送
    ReportSubmit,
    /// 新成员加入待完成（发起单位）
    JoinPending,
    /// 审核联盟备案（市人社局）
    FilingReview,
    /// 审核半年度报送（市人社局）
    ReportReview,
    /// 技能资源申报草稿：完成后在征集截止前提交（申报单位）
    ApplicationDraft,
    /// 开发项目：按开发工作协议推进开发环节（开发单位）
    ProjectDevelopment,
}

impl TaskKind {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::MemberForm => "member_form",
            Self::CharterSignature => "charter_signature",
            Self::FilingReturned => "filing_returned",
            Self::FilingDraft => "filing_draft",
            Self::ReportRows => "report_rows",
            Self::ReportSubmit => "report_submit",
            Self::JoinPending => "join_pending",
            Self::FilingReview => "filing_review",
            Self::ReportReview => "report_review",
            Self::ApplicationDraft => "application_draft",
            Self::ProjectDevelopment => "project_development",
        }
    }

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::MemberForm => "填写成员单位登记表（附件1）",
            Self::CharterSignature => "签署联盟章程",
            Self::FilingReturned => "备案被退回，请修改后重新提交",
            Self::FilingDraft => "完成备案材料并提交",
            Self::ReportRows => "填报本单位半年度数据",
            Self::ReportSubmit => "提交联盟半年度报送",
            Self::JoinPending => "新成员加入待完成（登记表、章程签署）",
            Self::FilingReview => "审核联盟备案",
            Self::ReportReview => "审核半年度报送",
            Self::ApplicationDraft => "完成技能资源申报并提交",
            Self::ProjectDevelopment => "推进开发项目（登记开发环节）",
        }
    }
}

/// One thing to do.
#[derive(Debug, Clone)]
pub struct Task {
    pub kind: TaskKind,
    pub alliance_id: Uuid,
    pub alliance_name: String,
    /// The half-year (`2026H1`) for report tasks.
    pub period: Option<Period>,
    /// The member unit concerned (forms, signatures, rows).
    pub organization_id: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
    /// How the due date was reached, in Chinese.
    pub due_explained: Option<String>,
    /// Since when it waits (bureau queues: the submission).
    pub since: Option<DateTime<Utc>>,
    /// More in words: return reasons, rows still missing.
    pub details: Vec<String>,
}

impl Task {
    /// The page where it is done.
    #[must_use]
    pub fn page(&self) -> String {
        let a = self.alliance_id;
        match (self.kind, self.period, self.organization_id) {
            (TaskKind::ApplicationDraft, _, _) => format!("/applications/{a}"),
            (TaskKind::ProjectDevelopment, _, _) => format!("/applications/{a}/project"),
            (TaskKind::MemberForm, _, Some(org)) => format!("/alliances/{a}/members/{org}/form"),
            (TaskKind::ReportRows, Some(p), Some(org)) => format!("/alliances/{a}/reports/{}/rows/{org}", p.code()),
            (TaskKind::ReportSubmit | TaskKind::ReportReview, Some(p), _) => format!("/alliances/{a}/reports/{}", p.code()),
            _ => format!("/alliances/{a}"),
        }
    }

    /// The API resource it concerns.
    #[must_use]
    pub fn api(&self) -> String {
        match self.kind {
            TaskKind::ProjectDevelopment => format!("/api/v1/applications/{}/milestones", self.alliance_id),
            // The pages mirror the API's paths.
            _ => format!("/api/v1{}", self.page()),
        }
    }
}

fn status_value(s: AllianceStatus) -> String {
    sea_orm::ActiveEnum::to_value(&s)
}

/// The caller's tasks: nearest due date first, undated ones after, then the oldest waiting.
///
/// # Errors
/// Database errors.
pub async fn for_caller(state: &AppState, caller: &Caller) -> ApiResult<Vec<Task>> {
    let today = state.clock.today();
    let mut tasks = match (caller.role, caller.organization_id) {
        (Role::BureauAdmin | Role::BureauStaff, _) => bureau(&state.db).await?,
        (Role::OrgUser, Some(org)) => {
            let mut t = papers(&state.db, org).await?;
            t.extend(filings(&state.db, org).await?);
            t.extend(joins(&state.db, org).await?);
            t.extend(reports(&state.db, state.settings.reports.rules(), org, today).await?);
            t.extend(applications(&state.db, org).await?);
            t
        }
        _ => Vec::new(),
    };
    tasks.sort_by(|x, y| {
        (x.due_on.is_none(), x.due_on, x.since, x.kind, &x.alliance_name).cmp(&(
            y.due_on.is_none(),
            y.due_on,
            y.since,
            y.kind,
            &y.alliance_name,
        ))
    });
    Ok(tasks)
}

fn task(kind: TaskKind, alliance_id: Uuid, alliance_name: String) -> Task {
    Task {
        kind,
        alliance_id,
        alliance_name,
        period: None,
        organization_id: None,
        due_on: None,
        due_explained: None,
        since: None,
        details: Vec::new(),
    }
}

/// Forms and signatures the unit owes, in one statement.
async fn papers(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Vec<Task>> {
    let q = Query::select()
        .expr_as(Expr::col(("a", "id")), "id")
        .expr_as(Expr::col(("a", "name")), "name")
        .expr_as(Expr::col(("f", "id")).is_null(), "form_missing")
        .expr_as(Expr::col(("a", "charter_doc_id")).is_not_null().and(Expr::col(("s", "id")).is_null()), "unsigned")
        .from_as("alliance_members", "m")
        .join_as(JoinType::InnerJoin, "alliances", "a", Expr::col(("a", "id")).equals(("m", "alliance_id")))
        .join_as(
            JoinType::LeftJoin,
            "member_forms",
            "f",
            Cond::all()
                .add(Expr::col(("f", "alliance_id")).equals(("a", "id")))
                .add(Expr::col(("f", "organization_id")).equals(("m", "organization_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            "charter_signatures",
            "s",
            Cond::all()
                .add(Expr::col(("s", "alliance_id")).equals(("a", "id")))
                .add(Expr::col(("s", "organization_id")).equals(("m", "organization_id")))
                .add(Expr::col(("s", "charter_version")).equals(("a", "charter_version"))),
        )
        .and_where(Expr::col(("m", "organization_id")).eq(org))
        .and_where(Expr::col(("m", "left_on")).is_null())
        .and_where(Expr::col(("a", "status")).is_in(AllianceStatus::TAKES_MEMBER_PAPERS.map(status_value)))
        .cond_where(
            Cond::any()
                .add(Expr::col(("f", "id")).is_null())
                .add(Cond::all().add(Expr::col(("a", "charter_doc_id")).is_not_null()).add(Expr::col(("s", "id")).is_null())),
        )
        .order_by((Alias::new("a"), Alias::new("name")), sea_orm::Order::Asc)
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        let id: Uuid = row.try_get("", "id")?;
        let name: String = row.try_get("", "name")?;
        if row.try_get::<bool>("", "form_missing")? {
            out.push(Task { organization_id: Some(org), ..task(TaskKind::MemberForm, id, name.clone()) });
        }
        if row.try_get::<bool>("", "unsigned")? {
            out.push(Task { organization_id: Some(org), ..task(TaskKind::CharterSignature, id, name) });
        }
    }
    Ok(out)
}

/// The unit's own drafts and returned filings, with the last round's reasons.
async fn filings(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Vec<Task>> {
    let own = alliance::Entity::find()
        .filter(alliance::Column::InitiatorOrgId.eq(org))
        .filter(alliance::Column::Status.is_in([AllianceStatus::Draft, AllianceStatus::Returned]))
        .order_by_asc(alliance::Column::CreatedAt)
        .limit(200)
        .all(db)
        .await?;
    let returned: Vec<Uuid> = own.iter().filter(|a| a.status == AllianceStatus::Returned).map(|a| a.id).collect();
    let rounds = if returned.is_empty() {
        Vec::new()
    } else {
        alliance_round::Entity::find()
            .filter(alliance_round::Column::AllianceId.is_in(returned))
            .filter(alliance_round::Column::Reasons.is_not_null())
            .order_by_desc(alliance_round::Column::Round)
            .all(db)
            .await?
    };
    Ok(own
        .into_iter()
        .map(|a| {
            if a.status == AllianceStatus::Returned {
                let details = rounds
                    .iter()
                    .find(|r| r.alliance_id == a.id)
                    .and_then(|r| r.reasons.as_ref())
                    .and_then(|v| v.as_array())
                    .map(|items| {
                        items
                            .iter()
                            .map(|i| format!("{}：{}", i["item"].as_str().unwrap_or_default(), i["reason"].as_str().unwrap_or_default()))
                            .collect()
                    })
                    .unwrap_or_default();
                Task { details, since: a.submitted_at, ..task(TaskKind::FilingReturned, a.id, a.name) }
            } else {
                task(TaskKind::FilingDraft, a.id, a.name)
            }
        })
        .collect())
}

/// Units joining the initiator's registered alliances whose join is still
/// pending: it completes when their 附件1 form and current-charter signature
/// are in (003 §二(四)(六), `alliance::join`), one statement.
async fn joins(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Vec<Task>> {
    let q = Query::select()
        .expr_as(Expr::col(("a", "id")), "id")
        .expr_as(Expr::col(("a", "name")), "name")
        .expr_as(Expr::col(("o", "id")), "org_id")
        .expr_as(Expr::col(("o", "name")), "org_name")
        .expr_as(Expr::col(("m", "joined_on")), "joined_on")
        .from_as("alliance_members", "m")
        .join_as(JoinType::InnerJoin, "alliances", "a", Expr::col(("a", "id")).equals(("m", "alliance_id")))
        .join_as(JoinType::InnerJoin, "organizations", "o", Expr::col(("o", "id")).equals(("m", "organization_id")))
        .and_where(Expr::col(("a", "initiator_org_id")).eq(org))
        .and_where(Expr::col(("m", "pending")).eq(true))
        .and_where(Expr::col(("m", "left_on")).is_null())
        .order_by((Alias::new("a"), Alias::new("name")), sea_orm::Order::Asc)
        .limit(200)
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        let org_name: String = row.try_get("", "org_name")?;
        let joined: Option<NaiveDate> = row.try_get("", "joined_on")?;
        let mut details = vec![format!("{org_name}：待该单位填写登记表（附件1）并签署现行章程后计入成员")];
        if let Some(d) = joined {
            details.push(format!("登记的加入日期：{d}"));
        }
        out.push(Task { details, ..task(TaskKind::JoinPending, row.try_get("", "id")?, row.try_get("", "name")?) });
    }
    Ok(out)
}

/// Rows the unit owes and reports it must submit, for every period still owed.
async fn reports(db: &impl ConnectionTrait, rules: DueRules, org: Uuid, today: NaiveDate) -> ApiResult<Vec<Task>> {
    let mut out = Vec::new();
    let orgs = [org];
    for (period, deadlines) in outstanding::owed_periods_on(db, rules, today).await? {
        let rows = outstanding::missing_rows(db, period, outstanding::Scope::Members(&orgs)).await?;
        let open = outstanding::open_reports(db, period, deadlines.report.due, today, outstanding::Scope::Initiators(&orgs)).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.alliance_id).chain(open.iter().map(|r| r.alliance_id)).collect();
        let names = names_of(db, ids).await?;
        let name = |id: Uuid| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_default();
        for r in rows {
            out.push(Task {
                period: Some(period),
                organization_id: Some(r.organization_id),
                due_on: Some(deadlines.member_rows.due),
                due_explained: Some(deadlines.member_rows.explain_zh()),
                ..task(TaskKind::ReportRows, r.alliance_id, name(r.alliance_id))
            });
        }
        for r in open {
            let mut details = vec![format!("当前状态：{}", r.standing.label_zh())];
            if r.missing_rows > 0 {
                details.push(format!("尚有{}家成员单位未填报", r.missing_rows));
            }
            if r.standing == Standing::Returned {
                details.push("报送被退回，请按退回理由修改后重新提交".into());
            }
            out.push(Task {
                period: Some(period),
                due_on: Some(deadlines.report.due),
                due_explained: Some(deadlines.report.explain_zh()),
                details,
                ..task(TaskKind::ReportSubmit, r.alliance_id, name(r.alliance_id))
            });
        }
    }
    Ok(out)
}

/// The applicant's skill-resource drafts, due when their call closes, and its
/// projects in development, due on the agreement's date (000 第十七条). For
/// these the task's subject (`alliance_id`, `alliance_name`) is the
/// application and its title. Three statements, at most 200 of each.
async fn applications(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Vec<Task>> {
    let own = application::Entity::find()
        .filter(application::Column::OrganizationId.eq(org))
        .filter(application::Column::Status.is_in([ApplicationStatus::Draft, ApplicationStatus::InDevelopment]))
        .order_by_asc(application::Column::CreatedAt)
        .limit(400)
        .all(db)
        .await?;
    let call_ids: Vec<Uuid> = own.iter().filter(|a| a.status == ApplicationStatus::Draft).map(|a| a.call_id).collect();
    let project_ids: Vec<Uuid> = own.iter().filter(|a| a.status == ApplicationStatus::InDevelopment).map(|a| a.id).collect();
    let calls =
        if call_ids.is_empty() { Vec::new() } else { call::Entity::find().filter(call::Column::Id.is_in(call_ids)).all(db).await? };
    let agreements = if project_ids.is_empty() {
        Vec::new()
    } else {
        development_agreement::Entity::find().filter(development_agreement::Column::ApplicationId.is_in(project_ids)).all(db).await?
    };
    let local = |t: DateTime<Utc>| t.with_timezone(&jobs::clock::shanghai());
    Ok(own
        .into_iter()
        .map(|a| {
            if a.status == ApplicationStatus::Draft {
                let c = calls.iter().find(|c| c.id == a.call_id);
                Task {
                    due_on: c.map(|c| local(c.closes_at).date_naive()),
                    due_explained: c.map(|c| format!("征集公告“{}”截止于{}", c.title, local(c.closes_at).format("%Y-%m-%d %H:%M"))),
                    ..task(TaskKind::ApplicationDraft, a.id, a.title)
                }
            } else {
                let g = agreements.iter().find(|g| g.application_id == a.id);
                Task {
                    due_on: g.map(|g| g.due_on),
                    due_explained: g.map(|g| format!("开发工作协议{}签订，约定完成期限（第十七条：签订后6至12个月）", g.signed_on)),
                    details: a.number.iter().map(|n| format!("申报编号 {n}")).collect(),
                    ..task(TaskKind::ProjectDevelopment, a.id, a.title)
                }
            }
        })
        .collect())
}

async fn names_of(db: &impl ConnectionTrait, mut ids: Vec<Uuid>) -> ApiResult<Vec<(Uuid, String)>> {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(alliance::Entity::find()
        .select_only()
        .column(alliance::Column::Id)
        .column(alliance::Column::Name)
        .filter(alliance::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?)
}

/// The bureau's review queues, oldest submission first (at most 200 of each).
async fn bureau(db: &impl ConnectionTrait) -> ApiResult<Vec<Task>> {
    let filings = alliance::Entity::find()
        .filter(alliance::Column::Status.eq(AllianceStatus::Submitted))
        .order_by_asc(alliance::Column::SubmittedAt)
        .limit(200)
        .all(db)
        .await?;
    let reports = report::Entity::find()
        .filter(report::Column::Status.eq(ReportStatus::Submitted))
        .order_by_asc(report::Column::SubmittedAt)
        .limit(200)
        .all(db)
        .await?;
    let names = names_of(db, reports.iter().map(|r| r.alliance_id).collect()).await?;
    let mut out: Vec<Task> =
        filings.into_iter().map(|a| Task { since: a.submitted_at, ..task(TaskKind::FilingReview, a.id, a.name) }).collect();
    for r in reports {
        let name = names.iter().find(|(i, _)| *i == r.alliance_id).map(|(_, n)| n.clone()).unwrap_or_default();
        let mut details = Vec::new();
        if let Some(days) = r.late_days.filter(|d| *d > 0) {
            details.push(format!("逾期{days}天报送"));
        }
        out.push(Task {
            period: Period::parse("period", &r.period).ok(),
            since: r.submitted_at,
            details,
            ..task(TaskKind::ReportReview, r.alliance_id, name)
        });
    }
    Ok(out)
}
