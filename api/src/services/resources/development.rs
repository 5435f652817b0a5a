//! Development projects after 立项 (000 第十四—十七条, 第二十条): the bureau
//! records the development agreement (due 6–12 months after signing), then
//! the milestones in order — the developer records its writing group, its
//! 报批 and its progress reports, the bureau the meetings and decisions. The
//! rules are `entities::resource::development`; this module loads what they
//! need, writes the milestone and the status change in one transaction with
//! an audit row, and opens the 10-working-day comment period of an
//! evaluation specification on the notice machinery.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    Role,
    models::{application, development_agreement, milestone, notice, sanction},
    resource::{
        ApplicationAction, NoticePurpose, NoticeStatus, ResourceKind,
        development::{
            COMMENT_WORKING_DAYS, Deliverable, LevelItems, MilestoneKind, OrderError, Person, RuleFailure, check_acceptance_review,
            check_agreement, check_final_review, check_initial_review, check_progress_report, check_question_bank, check_writing_group,
            next_allowed,
        },
        transition,
    },
    sanction::SanctionKind,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use super::{Access, catalogue, load, load_for_bureau, save_status, tell_applicant, wrong_state};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    pagination::PageParams,
    services::alliances::check_document,
    state::AppState,
};

/// 422 `code` listing every failed rule with its own code.
fn refused(code: &'static str, zh: &'static str, en: &'static str, failures: &[RuleFailure]) -> ApiError {
    let mut e = ApiError::validation(failures.iter().map(|f| FieldMsg {
        field: f.field.clone(),
        msg: Msg::new(f.zh.clone(), format!("{}: {}", f.field, f.code)),
        code: Some(f.code.to_string()),
        label: false,
    }));
    e.code = code;
    e.details.title = Msg::new(zh, en);
    e
}

/// Loads a development project the caller may see: the bureau, or the
/// applicant's org_user; experts and other roles 403, other organisations 404.
async fn load_project(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> ApiResult<(application::Model, Access)> {
    caller.require(&[Role::BureauAdmin, Role::BureauStaff, Role::OrgUser])?;
    let (a, access) = load(db, caller, id).await?;
    if !a.category.is_development() {
        return Err(ApiError::conflict(
            "not_a_development_project",
            "该申报不是开发项目（评价资源开发或技研项目）",
            "Not a development project",
        ));
    }
    Ok((a, access))
}

pub struct NewAgreement {
    pub signed_on: NaiveDate,
    pub due_on: NaiveDate,
    pub deliverables: Vec<Deliverable>,
    pub document_id: Option<Uuid>,
}

/// The bureau records the development agreement (000 第十四条(四), 第二十条(四),
/// 第十七条): the project moves to `in_development`.
///
/// # Errors
/// 403, 404, 409 `wrong_state` / `agreement_exists`, 422 `agreement_refused`
/// (`due_date_out_of_range`, …) or an unknown document.
pub async fn sign(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    n: NewAgreement,
) -> ApiResult<(application::Model, development_agreement::Model)> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = load_for_bureau(&txn, caller, id).await?;
    let failures = check_agreement(before.resource_kind, n.signed_on, n.due_on, &n.deliverables, state.clock.today());
    if !failures.is_empty() {
        return Err(refused("agreement_refused", "开发工作协议未通过校验", "The agreement breaks a rule", &failures));
    }
    if agreement_of(&txn, id).await?.is_some() {
        return Err(ApiError::conflict("agreement_exists", "该项目已签订开发工作协议", "The agreement is already recorded"));
    }
    let next = transition(before.status, ApplicationAction::SignAgreement, before.category).map_err(|e| wrong_state(&e))?;
    check_document(&txn, caller, "document_id", n.document_id).await?;
    let a = development_agreement::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(id),
        organization_id: Set(before.organization_id),
        signed_on: Set(n.signed_on),
        due_on: Set(n.due_on),
        deliverables: Set(json!(n.deliverables)),
        quantity: Set(n.deliverables.iter().map(|d| d.quantity).sum()),
        document_id: Set(n.document_id),
        completed_at: Set(None),
        overdue_stage: Set(None),
        created_by: Set(caller.user_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("agreement.signed", "development_agreement", a.id).after(&a)).await?;
    let after = save_status(&txn, &before, next, None, now).await?;
    audit::record(
        &txn,
        Actor(Some(caller)),
        now,
        Entry::new("application.in_development", "application", id).before(&before).after(&after),
    )
    .await?;
    tell_applicant(&txn, state, &after, &format!("已签订项目开发工作协议，完成期限为{}。", a.due_on)).await?;
    txn.commit().await?;
    Ok((after, a))
}

async fn agreement_of(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<development_agreement::Model>> {
    Ok(development_agreement::Entity::find().filter(development_agreement::Column::ApplicationId.eq(id)).one(db).await?)
}

/// The agreement of a project and the breaches recorded against it
/// (000 第二十二条(一): handled per the agreement, recorded and shown).
///
/// # Errors
/// 403, 404 (also when no agreement is recorded yet).
pub async fn agreement(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<(application::Model, development_agreement::Model, Vec<sanction::Model>)> {
    let (a, _) = load_project(&state.db, caller, id).await?;
    let agreement = agreement_of(&state.db, id).await?.ok_or_else(|| ApiError::not_found("开发工作协议", "Agreement"))?;
    let breaches = sanction::Entity::find()
        .filter(sanction::Column::ApplicationId.eq(id))
        .filter(sanction::Column::Kind.eq(SanctionKind::AgreementBreach.code()))
        .order_by_asc(sanction::Column::Id)
        .all(&state.db)
        .await?;
    Ok((a, agreement, breaches))
}

/// Marks the agreement fulfilled (publication or ingestion): the overdue job stops.
///
/// # Errors
/// Database errors.
pub async fn complete(db: &impl ConnectionTrait, application_id: Uuid, now: DateTime<Utc>) -> ApiResult<()> {
    development_agreement::Entity::update_many()
        .set(development_agreement::ActiveModel { completed_at: Set(Some(now)), ..Default::default() })
        .filter(development_agreement::Column::ApplicationId.eq(application_id))
        .filter(development_agreement::Column::CompletedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub struct NewMilestone {
    pub kind: MilestoneKind,
    pub held_on: NaiveDate,
    pub documents: Vec<Uuid>,
    pub people: Vec<Person>,
    pub item_counts: Vec<LevelItems>,
    pub passed: Option<bool>,
    pub note: String,
}

/// What recording a milestone did.
pub struct Recorded {
    pub milestone: milestone::Model,
    pub application: application::Model,
    pub resource: Option<entities::models::resource::Model>,
    pub notice: Option<notice::Model>,
}

fn people_of(m: &milestone::Model) -> Vec<Person> {
    serde_json::from_value(m.people.clone()).unwrap_or_default()
}

fn out_of_order(kind: MilestoneKind, e: &OrderError) -> ApiError {
    match e {
        OrderError::NotApplicable => ApiError::validation([FieldMsg {
            field: "kind".into(),
            msg: Msg::new(format!("该类项目没有“{}”环节", kind.label_zh()), format!("kind: {} is not a step of this project", kind.code())),
            code: Some("milestone_not_applicable".into()),
            label: false,
        }]),
        OrderError::OutOfOrder { expected } => ApiError::conflict(
            "milestone_out_of_order",
            match expected {
                Some(x) => format!("开发环节须按顺序进行：下一步应为“{}”，不能记录“{}”", x.label_zh(), kind.label_zh()),
                None => "开发环节均已完成".to_string(),
            },
            format!("Milestones go in order: expected {}", expected.map_or_else(|| "none".to_string(), MilestoneKind::code)),
        ),
    }
}

/// Records the next milestone of a project (000 第十六条, 第二十条(五)(六)).
///
/// # Errors
/// 403 (role, or a bureau step by the developer), 404, 409 `wrong_state` /
/// `milestone_out_of_order` / `comment_period_open`, 422 `milestone_refused`
/// naming every failed rule (`writing_group_too_small`, …).
pub async fn record(state: &AppState, caller: &Caller, id: Uuid, m: NewMilestone) -> ApiResult<Recorded> {
    if caller.role == Role::OrgUser && !m.kind.by_developer() {
        // 000 第十六条(二)(三)(五)(七): meetings and decisions are the centre's and the bureau's.
        return Err(ApiError::forbidden());
    }
    let now = state.clock.now();
    let today = state.clock.today();
    if m.held_on > today {
        return Err(ApiError::field("held_on", "日期不能晚于今天", "held_on cannot be in the future"));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let (before, _) = load_project(&txn, caller, id).await?;
    if before.status != m.kind.recorded_in() {
        return Err(ApiError::conflict(
            "wrong_state",
            format!("申报当前状态为“{}”，不能记录“{}”", before.status.label_zh(), m.kind.label_zh()),
            format!("{:?} cannot record {}", before.status, m.kind.code()),
        ));
    }
    let done = milestone::Entity::find()
        .filter(milestone::Column::ApplicationId.eq(id))
        .order_by_asc(milestone::Column::Position)
        .all(&txn)
        .await?;
    let kinds: Vec<MilestoneKind> = done.iter().map(|d| d.kind).collect();
    next_allowed(before.resource_kind, &kinds, m.kind).map_err(|e| out_of_order(m.kind, &e))?;
    let find = |k: MilestoneKind| done.iter().rev().find(|d| d.kind == k);
    let group = find(MilestoneKind::WritingGroup).map(people_of).unwrap_or_default();
    let initial = find(MilestoneKind::InitialReview).map(people_of).unwrap_or_default();
    let failures = match m.kind {
        MilestoneKind::WritingGroup => check_writing_group(&m.people),
        MilestoneKind::InitialReview => check_initial_review(&m.people, &group),
        MilestoneKind::FinalReview => {
            if let Some(notice_id) = find(MilestoneKind::CommentPeriod).and_then(|c| c.notice_id) {
                let n =
                    notice::Entity::find_by_id(notice_id).one(&txn).await?.ok_or_else(|| ApiError::internal(&"comment notice missing"))?;
                if n.status != NoticeStatus::Closed {
                    return Err(ApiError::conflict(
                        "comment_period_open",
                        format!(
                            "征求意见期至{}，期满后方可终审",
                            n.ends_at.with_timezone(&jobs::clock::shanghai()).format("%Y-%m-%d %H:%M")
                        ),
                        "The comment period has not ended",
                    ));
                }
            }
            check_final_review(&m.people, &group, &initial)
        }
        MilestoneKind::Submission if before.resource_kind == ResourceKind::TheoryQuestionBank => {
            let agreed = agreement_of(&txn, id).await?.map_or(0, |a| a.quantity);
            check_question_bank(&m.item_counts, agreed)
        }
        MilestoneKind::AcceptanceReview => check_acceptance_review(&m.people, m.passed),
        MilestoneKind::ProgressReport => check_progress_report(!m.documents.is_empty(), &m.note),
        _ => Vec::new(),
    };
    if !failures.is_empty() {
        return Err(refused("milestone_refused", "开发环节未通过校验", "The milestone breaks a rule", &failures));
    }
    for (i, doc) in m.documents.iter().enumerate() {
        if caller.is_bureau() {
            if entities::models::document::Entity::find_by_id(*doc).one(&txn).await?.is_none() {
                return Err(ApiError::field(&format!("documents[{i}]"), "文件不存在", "No such document"));
            }
        } else {
            check_document(&txn, caller, &format!("documents[{i}]"), Some(*doc)).await?;
        }
    }
    // 000 第十六条(四): the comment period is a notice of 10 working days; comments come in like objections.
    let notice = if m.kind == MilestoneKind::CommentPeriod {
        let n = super::notices::insert_notice(
            &txn,
            state,
            caller,
            format!("关于就《{}》公开征求意见的公告", before.title),
            if m.note.trim().is_empty() { format!("现就《{}》向社会公开征求意见。", before.title) } else { m.note.clone() },
            NoticePurpose::CommentPeriod,
            COMMENT_WORKING_DAYS,
        )
        .await?;
        super::notices::add_item(&txn, n.id, id, 0).await?;
        Some(n)
    } else {
        None
    };
    let row = milestone::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(id),
        kind: Set(m.kind),
        position: Set(i32::try_from(done.len() + 1).unwrap_or(i32::MAX)),
        held_on: Set(m.held_on),
        documents: Set(json!(m.documents)),
        people: Set(json!(m.people)),
        item_counts: Set(json!(m.item_counts)),
        passed: Set(m.passed),
        note: Set(m.note),
        notice_id: Set(notice.as_ref().map(|n| n.id)),
        created_by: Set(caller.user_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("milestone.recorded", "milestone", row.id).after(&row)).await?;
    let action = match m.kind {
        MilestoneKind::Submission => Some(ApplicationAction::SubmitForApproval),
        MilestoneKind::AcceptanceReview if m.passed == Some(true) => Some(ApplicationAction::PassAcceptance),
        _ => None,
    };
    let (application, resource) = if m.kind == MilestoneKind::Approval {
        let action =
            if before.resource_kind == ResourceKind::TheoryQuestionBank { ApplicationAction::Ingest } else { ApplicationAction::Approve };
        catalogue::decide(&txn, state, caller, &before, action).await?
    } else if let Some(action) = action {
        let next = transition(before.status, action, before.category).map_err(|e| wrong_state(&e))?;
        let after = save_status(&txn, &before, next, None, now).await?;
        audit::record(&txn, Actor(Some(caller)), now, Entry::new("application.milestone", "application", id).before(&before).after(&after))
            .await?;
        tell_applicant(&txn, state, &after, &format!("开发环节“{}”已记录。", m.kind.label_zh())).await?;
        (after, None)
    } else {
        (before, None)
    };
    txn.commit().await?;
    Ok(Recorded { milestone: row, application, resource, notice })
}

/// The milestones of a project, in order (keyset-paged by position).
///
/// # Errors
/// 403, 404.
pub async fn list(state: &AppState, caller: &Caller, id: Uuid, page: PageParams) -> ApiResult<(Vec<milestone::Model>, Option<String>)> {
    load_project(&state.db, caller, id).await?;
    let mut q =
        milestone::Entity::find().filter(milestone::Column::ApplicationId.eq(id)).order_by_asc(milestone::Column::Id).limit(page.fetch());
    if let Some(after) = page.after {
        q = q.filter(milestone::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |m| m.id))
}
