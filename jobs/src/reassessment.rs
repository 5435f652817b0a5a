//! `reassessment_due` (DESIGN §8, 000 第二十一条): published resources whose
//! next assessment is due within 60 days or has come. Each resource is
//! announced once per stage of its current due date (60 days before, on the
//! due date; `entities::resource::operation::reminder_stage`): the publisher's
//! users get one message about it, and each bureau user one message per run
//! listing every resource that entered a stage. A missed run sends only the
//! current stage. Calendar days, not working days: a due date two years out
//! has no calendar data yet, and the date itself is what the publisher needs.
//!
//! The sent marker is a `reassessment_reminders` row (resource, due date,
//! stage), unique, inserted in the same transaction as the mail; the outbox
//! dedupe keys guard each message as well. A new due date (after an
//! assessment) starts new stages.

use chrono::{DateTime, Days, NaiveDate, Utc};
use entities::{
    models::{reassessment_reminder as rr, resource},
    resource::operation::{REMINDER_DAYS_BEFORE, ReminderStage, reminder_stage},
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TryInsertResult,
    sea_query::{Expr, ExprTrait, Query},
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    clock::shanghai,
    outbox::{self, OutgoingMail},
    registry::{JobContext, JobReport},
    resource_mail::{applicant_recipients, bureau_recipients},
};

/// Resources listed in one bureau message; the rest are counted.
pub const LISTED: usize = 50;

/// No marker exists for the resource's current due date and `stage`.
fn unmarked(stage: ReminderStage) -> Expr {
    let marker = Query::select()
        .expr(Expr::val(1))
        .from(rr::Entity)
        .and_where(Expr::col((rr::Entity, rr::Column::ResourceId)).equals((resource::Entity, resource::Column::Id)))
        .and_where(Expr::col((rr::Entity, rr::Column::DueOn)).equals((resource::Entity, resource::Column::NextAssessmentDue)))
        .and_where(Expr::col((rr::Entity, rr::Column::Stage)).eq(stage.code()))
        .to_owned();
    Expr::exists(marker).not()
}

/// Resources in operation whose current stage was not announced yet, oldest due first.
async fn pending(ctx: &JobContext, today: NaiveDate) -> anyhow::Result<Vec<resource::Model>> {
    let horizon = today.checked_add_days(Days::new(REMINDER_DAYS_BEFORE.unsigned_abs())).unwrap_or(NaiveDate::MAX);
    Ok(resource::Entity::find()
        .filter(resource::Column::RevokedOn.is_null())
        .filter(resource::Column::WithdrawnOn.is_null())
        .filter(
            Condition::any()
                .add(Condition::all().add(resource::Column::NextAssessmentDue.lte(today)).add(unmarked(ReminderStage::Due)))
                .add(
                    Condition::all()
                        .add(resource::Column::NextAssessmentDue.gt(today))
                        .add(resource::Column::NextAssessmentDue.lte(horizon))
                        .add(unmarked(ReminderStage::Before60)),
                ),
        )
        .order_by_asc(resource::Column::NextAssessmentDue)
        .order_by_asc(resource::Column::Id)
        .limit(ctx.batch_size)
        .all(&ctx.db)
        .await?)
}

/// # Errors
/// Database and rendering errors: the run's transaction rolls back whole and the next run tries again.
#[tracing::instrument(skip(ctx))]
pub async fn run(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<JobReport> {
    let today = now.with_timezone(&shanghai()).date_naive();
    let due = pending(ctx, today).await?;
    let mut report = JobReport { seen: due.len() as u64, ..JobReport::default() };
    if due.is_empty() {
        return Ok(report);
    }
    let base = ctx.public_base_url.trim_end_matches('/');
    let txn = crate::db::begin_write(&ctx.db).await?;
    let mut listed = Vec::new();
    let mut first_marker: Option<Uuid> = None;
    for r in due {
        let Some(stage) = reminder_stage(r.next_assessment_due, today) else { continue };
        let marker_id = Uuid::now_v7();
        let inserted = rr::Entity::insert(rr::ActiveModel {
            id: Set(marker_id),
            resource_id: Set(r.id),
            due_on: Set(r.next_assessment_due),
            stage: Set(stage.code().to_string()),
            created_at: Set(now),
        })
        .on_conflict_do_nothing_on([rr::Column::ResourceId, rr::Column::DueOn, rr::Column::Stage])
        .exec_without_returning(&txn)
        .await?;
        if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
            continue; // another replica announced it
        }
        first_marker.get_or_insert(marker_id);
        let link = format!("{base}/resources/{}/usage", r.id);
        let days_left = Ord::max((r.next_assessment_due - today).num_days(), 0);
        for u in applicant_recipients(&txn, r.publisher_org_id).await? {
            let Some(email) = u.email.clone() else { continue };
            let mail = OutgoingMail {
                to_address: email,
                to_user_id: Some(u.id),
                template: "reassessment_due",
                vars: json!({
                    "recipient_name": u.display_name, "title": r.title, "number": r.number, "stage": stage.code(),
                    "due": r.next_assessment_due.to_string(), "days_left": days_left, "link": link,
                }),
                dedupe_key: Some(format!("reassessment_due:{}:{}:{}:{}", r.id, r.next_assessment_due, stage.code(), u.id)),
            };
            if outbox::enqueue(&txn, mail, now).await?.is_some() {
                report.acted += 1;
            }
        }
        listed.push(json!({
            "title": r.title, "publisher": r.publisher_name, "due": r.next_assessment_due.to_string(), "stage": stage.code(),
            "link": format!("{base}/api/v1/resources/{}/assessments", r.id),
        }));
    }
    if let Some(batch) = first_marker {
        let total = listed.len();
        let more = total.saturating_sub(LISTED);
        listed.truncate(LISTED);
        for u in bureau_recipients(&txn).await? {
            let Some(email) = u.email.clone() else { continue };
            let mail = OutgoingMail {
                to_address: email,
                to_user_id: Some(u.id),
                template: "reassessment_due_bureau",
                vars: json!({"recipient_name": u.display_name, "total": total, "items": listed, "more": more,
                             "link": format!("{base}/public/resources")}),
                dedupe_key: Some(format!("reassessment_due:bureau:{batch}:{}", u.id)),
            };
            if outbox::enqueue(&txn, mail, now).await?.is_some() {
                report.acted += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(report)
}
