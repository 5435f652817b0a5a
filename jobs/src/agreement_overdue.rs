//! Agreement overdue (DESIGN §8 validity; 000 第十七条, 第二十二条(一)): a
//! development project past its agreed due date and not yet published or
//! ingested is told to the developer's users and to the bureau, once per
//! stage (`entities::resource::development::overdue_stage`: the day after the
//! due date, then every 30 days). The agreement's `overdue_stage` is the sent
//! marker, moved by a conditional update so two replicas never both send;
//! every mail also carries a dedupe key per agreement, stage and recipient.
//! One failing agreement is logged and skipped.

use chrono::{DateTime, Utc};
use entities::{
    Role,
    models::{application, development_agreement, organization, user},
    resource::{ApplicationStatus, development::overdue_stage},
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

use crate::{
    clock::shanghai,
    outbox::{self, OutgoingMail},
    registry::{JobContext, JobReport},
    resource_mail::{applicant_recipients, audit_system},
};

/// Statuses of a development still under way (neither published, ingested, terminated nor refused).
pub const UNDER_WAY: [ApplicationStatus; 5] = [
    ApplicationStatus::InDevelopment,
    ApplicationStatus::Accepted,
    ApplicationStatus::ResultsOnNotice,
    ApplicationStatus::ResultsAwaitingRuling,
    ApplicationStatus::AwaitingPublication,
];

/// Agreements past due (on `today`, Beijing) whose project is still under way, oldest due first.
///
/// # Errors
/// Database errors.
pub async fn overdue(
    db: &impl sea_orm::ConnectionTrait,
    today: chrono::NaiveDate,
    limit: u64,
) -> anyhow::Result<Vec<(development_agreement::Model, application::Model)>> {
    let rows = development_agreement::Entity::find()
        .find_also_related(application::Entity)
        .filter(development_agreement::Column::CompletedAt.is_null())
        .filter(development_agreement::Column::DueOn.lt(today))
        .filter(application::Column::Status.is_in(UNDER_WAY))
        .order_by_asc(development_agreement::Column::DueOn)
        .order_by_asc(development_agreement::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(a, app)| app.map(|p| (a, p))).collect())
}

/// Tells every overdue agreement's current stage once.
///
/// # Errors
/// Database errors while listing (a failing agreement is counted, not returned).
pub async fn run(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<JobReport> {
    let today = now.with_timezone(&shanghai()).date_naive();
    let mut report = JobReport::default();
    for (a, app) in overdue(&ctx.db, today, ctx.batch_size).await? {
        let Some(stage) = overdue_stage(a.due_on, today) else { continue };
        report.seen += 1;
        if a.overdue_stage.is_some_and(|s| s >= stage) {
            continue;
        }
        match tell(ctx, &a, &app, stage, today, now).await {
            Ok(true) => report.acted += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::error!(agreement = %a.id, error = %format!("{e:#}"), "agreement overdue failed");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

async fn tell(
    ctx: &JobContext,
    a: &development_agreement::Model,
    app: &application::Model,
    stage: i32,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let txn = crate::db::begin_write(&ctx.db).await?;
    let moved = development_agreement::Entity::update_many()
        .set(development_agreement::ActiveModel { overdue_stage: Set(Some(stage)), ..Default::default() })
        .filter(development_agreement::Column::Id.eq(a.id))
        .filter(
            Condition::any()
                .add(development_agreement::Column::OverdueStage.is_null())
                .add(development_agreement::Column::OverdueStage.lt(stage)),
        )
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Ok(false);
    }
    let org = organization::Entity::find_by_id(a.organization_id).one(&txn).await?;
    let bureau = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::BureauAdmin, Role::BureauStaff]))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Email.is_not_null())
        .order_by_asc(user::Column::Id)
        .all(&txn)
        .await?;
    let applicants = applicant_recipients(&txn, a.organization_id).await?;
    let days = (today - a.due_on).num_days();
    let recipients = applicants.into_iter().map(|u| (u, false)).chain(bureau.into_iter().map(|u| (u, true)));
    for (u, is_bureau) in recipients {
        let Some(email) = u.email.clone() else { continue };
        outbox::enqueue(
            &txn,
            OutgoingMail {
                to_address: email,
                to_user_id: Some(u.id),
                template: "agreement_overdue",
                vars: json!({
                    "recipient_name": u.display_name,
                    "title": app.title,
                    "number": app.number.clone().unwrap_or_else(|| "—".into()),
                    "organization_name": org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
                    "due_on": a.due_on.to_string(),
                    "days_overdue": days,
                    "step": app.status.label_zh(),
                    "bureau": is_bureau,
                    "link": format!("{}/applications/{}/project", ctx.public_base_url, app.id),
                }),
                dedupe_key: Some(format!("agreement:{}:overdue:{stage}:{}", a.id, u.id)),
            },
            now,
        )
        .await?;
    }
    audit_system(
        &txn,
        "agreement.overdue_told",
        "development_agreement",
        a.id,
        json!({"overdue_stage": a.overdue_stage}),
        json!({"overdue_stage": stage, "days_overdue": days}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}
