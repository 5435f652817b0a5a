//! Operation of published resources (000 第二十一条): usage reports by the
//! publisher (or the bureau) and assessments by the bureau, which set the
//! last assessment date and the next one due, or withdraw the resource from
//! the public catalogue. Rules: `entities::resource::operation`.
//!
//! Access: bureau roles every resource; an org_user the resources its
//! organisation published (another's answers 404); experts 403.

use entities::{
    Role,
    models::{assessment, resource, usage_report},
    resource::operation::{AssessmentOutcome, Intervals, OperationError, Standing, assess, check_usage, in_operation},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    pagination::PageParams,
    state::AppState,
};

fn not_found() -> ApiError {
    ApiError::not_found("技能资源", "Resource")
}

/// The resource's standing for the rules.
#[must_use]
pub fn standing(r: &resource::Model) -> Standing {
    Standing {
        published_on: r.published_on,
        last_assessed_on: r.last_assessed_on,
        next_due: r.next_assessment_due,
        withdrawn_on: r.withdrawn_on,
        revoked_on: r.revoked_on,
    }
}

fn refused(e: OperationError) -> ApiError {
    match e {
        OperationError::Withdrawn | OperationError::Revoked => ApiError::conflict(e.code(), e.zh(), e.code()),
        OperationError::AssessedInFuture | OperationError::AssessedTooEarly => {
            ApiError::validation([coded("assessed_on", e.code(), e.zh())])
        }
    }
}

fn coded(field: &str, code: &str, zh: &str) -> FieldMsg {
    FieldMsg {
        field: field.to_string(),
        msg: Msg::new(zh.to_string(), format!("{field}: {code}")),
        code: Some(code.to_string()),
        label: true,
    }
}

/// A resource the caller may see (any state, withdrawn and revoked included).
///
/// # Errors
/// 403 for experts, 404 for unknown ids and other organisations' resources.
pub async fn load(db: &impl ConnectionTrait, caller: &Caller, id: Uuid) -> ApiResult<resource::Model> {
    if !caller.is_bureau() && caller.role != Role::OrgUser {
        return Err(ApiError::forbidden());
    }
    let r = resource::Entity::find_by_id(id).one(db).await?.ok_or_else(not_found)?;
    if caller.is_bureau() || caller.belongs_to(r.publisher_org_id) { Ok(r) } else { Err(not_found()) }
}

pub struct NewUsage {
    pub year: i32,
    pub trainees: i64,
    pub organisations: i64,
    pub note: String,
}

/// Records the usage of one year (publisher's users or the bureau). One
/// report per resource and year: reporting a year again replaces its
/// figures (answered `false`: not created), audited with before and after.
///
/// # Errors
/// 403, 404, 409 `resource_withdrawn` / `resource_revoked`, 422 naming each bad field.
pub async fn report_usage(state: &AppState, caller: &Caller, id: Uuid, n: NewUsage) -> ApiResult<(usage_report::Model, bool)> {
    let now = state.clock.now();
    let today = state.clock.today();
    let txn = crate::db::begin_write(&state.db).await?;
    let r = load(&txn, caller, id).await?;
    in_operation(&standing(&r)).map_err(refused)?;
    let problems = check_usage(n.year, n.trainees, n.organisations, r.published_on, today);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems.iter().map(|(f, c, zh)| coded(f, c, zh))));
    }
    let existing = usage_report::Entity::find()
        .filter(usage_report::Column::ResourceId.eq(id))
        .filter(usage_report::Column::Year.eq(n.year))
        .one(&txn)
        .await?;
    let (saved, created) = match existing {
        Some(before) => {
            let mut m: usage_report::ActiveModel = before.clone().into();
            m.trainees = Set(n.trainees);
            m.organisations = Set(n.organisations);
            m.note = Set(n.note);
            m.reported_by = Set(caller.user_id);
            m.updated_at = Set(now);
            let after = m.update(&txn).await?;
            audit::record(
                &txn,
                Actor(Some(caller)),
                now,
                Entry::new("usage_report.replaced", "usage_report", after.id).before(&before).after(&after),
            )
            .await?;
            (after, false)
        }
        None => {
            let m = usage_report::ActiveModel {
                id: Set(Uuid::now_v7()),
                resource_id: Set(id),
                year: Set(n.year),
                trainees: Set(n.trainees),
                organisations: Set(n.organisations),
                note: Set(n.note),
                reported_by: Set(caller.user_id),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            audit::record(&txn, Actor(Some(caller)), now, Entry::new("usage_report.created", "usage_report", m.id).after(&m)).await?;
            (m, true)
        }
    };
    txn.commit().await?;
    Ok((saved, created))
}

/// Usage reports of a resource, newest year first, keyset-paged by year.
///
/// # Errors
/// 403, 404.
pub async fn list_usage(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    limit: u64,
    before_year: Option<i32>,
) -> ApiResult<(Vec<usage_report::Model>, Option<i32>)> {
    load(&state.db, caller, id).await?;
    let mut q = usage_report::Entity::find()
        .filter(usage_report::Column::ResourceId.eq(id))
        .order_by_desc(usage_report::Column::Year)
        .limit(limit + 1);
    if let Some(y) = before_year {
        q = q.filter(usage_report::Column::Year.lt(y));
    }
    let mut rows = q.all(&state.db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { rows.last().map(|r| r.year) } else { None };
    Ok((rows, next))
}

pub struct NewAssessment {
    pub outcome: AssessmentOutcome,
    pub assessed_on: chrono::NaiveDate,
    pub note: String,
}

/// The months to the next assessment after `keep` (per kind) and after `update_required`.
fn intervals(state: &AppState, r: &resource::Model) -> Intervals {
    let s = &state.settings.resources;
    Intervals { keep_months: s.assessment_months_for(r.kind), update_months: s.update_required_months }
}

/// The bureau records an assessment (000 第二十一条): the resource's last
/// assessment date and next due date follow; a withdrawal takes it out of the
/// public catalogue. The publisher's users get an in-app notification.
///
/// # Errors
/// 403 (not bureau), 404, 409 `resource_withdrawn` / `resource_revoked`, 422 `assessed_on`.
pub async fn assess_resource(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    n: NewAssessment,
) -> ApiResult<(assessment::Model, resource::Model)> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let today = state.clock.today();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = load(&txn, caller, id).await?;
    let effect = assess(&standing(&before), n.outcome, n.assessed_on, today, intervals(state, &before)).map_err(refused)?;
    let a = assessment::ActiveModel {
        id: Set(Uuid::now_v7()),
        resource_id: Set(id),
        outcome: Set(n.outcome),
        assessed_on: Set(n.assessed_on),
        previous_due: Set(before.next_assessment_due),
        next_due: Set(effect.next_due),
        note: Set(n.note),
        assessed_by: Set(caller.user_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("assessment.recorded", "assessment", a.id).after(&a)).await?;
    // Conditional on the state read: two concurrent assessments cannot both apply.
    let res = resource::Entity::update_many()
        .set(resource::ActiveModel {
            last_assessed_on: Set(Some(effect.last_assessed_on)),
            next_assessment_due: Set(effect.next_due),
            withdrawn_on: Set(effect.withdrawn_on),
            ..Default::default()
        })
        .filter(resource::Column::Id.eq(id))
        .filter(resource::Column::NextAssessmentDue.eq(before.next_assessment_due))
        .filter(resource::Column::WithdrawnOn.is_null())
        .filter(resource::Column::RevokedOn.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::conflict(
            "version_conflict",
            "该技能资源刚被他人评估，请刷新后重试",
            "The resource was just assessed; reload",
        ));
    }
    let after = resource::Model {
        last_assessed_on: Some(effect.last_assessed_on),
        next_assessment_due: effect.next_due,
        withdrawn_on: effect.withdrawn_on,
        ..before.clone()
    };
    let action = if effect.withdrawn_on.is_some() { "resource.withdrawn" } else { "resource.assessed" };
    audit::record(&txn, Actor(Some(caller)), now, Entry::new(action, "resource", id).before(&before).after(&after)).await?;
    let body = match n.outcome {
        AssessmentOutcome::Keep => format!("评估结论：继续保留。下次评估日期为{}。", effect.next_due),
        AssessmentOutcome::UpdateRequired => format!("评估结论：需要更新。请按评估意见更新，下次评估日期为{}。", effect.next_due),
        AssessmentOutcome::Withdraw => "评估结论：撤出目录。该技能资源已不再向社会公布。".to_string(),
    };
    let users: Vec<Uuid> = entities::models::user::Entity::find()
        .select_only()
        .column(entities::models::user::Column::Id)
        .filter(entities::models::user::Column::OrganizationId.eq(before.publisher_org_id))
        .filter(entities::models::user::Column::Role.eq(Role::OrgUser))
        .filter(entities::models::user::Column::Disabled.eq(false))
        .into_tuple()
        .all(&txn)
        .await?;
    // The publisher's page of the resource, where the result is shown (its usage is reported there).
    let link = format!("/resources/{id}/usage#assessments");
    for u in users {
        jobs::notify::create(&txn, u, "resource_assessment", &format!("“{}”评估结果", before.title), &body, Some(&link), now).await?;
    }
    txn.commit().await?;
    Ok((a, after))
}

/// Assessments of a resource, newest first, keyset-paged.
///
/// # Errors
/// 403, 404.
pub async fn list_assessments(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    page: PageParams,
) -> ApiResult<(Vec<assessment::Model>, Option<String>)> {
    load(&state.db, caller, id).await?;
    let mut q =
        assessment::Entity::find().filter(assessment::Column::ResourceId.eq(id)).order_by_desc(assessment::Column::Id).limit(page.fetch());
    if let Some(after) = page.after {
        q = q.filter(assessment::Column::Id.lt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |a| a.id))
}
