//! Notice close (DESIGN §8): at the end of a 公示 notice (17:30 on its 5th
//! working day, stored as `ends_at`), applications on it without an open
//! objection advance to `awaiting_approval`; those with an open objection go
//! to `awaiting_ruling` and wait for the bureau's ruling (000 第十一条(三)(四)).
//! A results notice of a 技研项目 does the same from `results_on_notice`
//! (000 第二十条(七)(八)). A comment period (征求意见, 000 第十六条(四)) moves
//! no application: it closes, and the developer is told to revise.
//!
//! Each notice is closed in its own transaction by a conditional update
//! (`status = open`), so two replicas never close it twice; one failing
//! notice is logged and skipped.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entities::{
    models::{application, notice, notice_item, objection},
    resource::{ApplicationAction, ApplicationStatus, NoticePurpose, NoticeStatus, ObjectionStatus, transition},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use crate::{
    registry::{JobContext, JobReport},
    resource_mail::{audit_system, notify_applicant, notify_applicant_once},
};

/// Closes every open notice whose end is at or before `now`.
///
/// # Errors
/// Database errors while listing notices (a failing notice is counted, not returned).
pub async fn run(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<JobReport> {
    let due = notice::Entity::find()
        .filter(notice::Column::Status.eq(NoticeStatus::Open))
        .filter(notice::Column::EndsAt.lte(now))
        .order_by_asc(notice::Column::EndsAt)
        .limit(ctx.batch_size)
        .all(&ctx.db)
        .await?;
    let mut report = JobReport::default();
    for n in due {
        report.seen += 1;
        match close(ctx, &n, now).await {
            Ok(_) => report.acted += 1,
            Err(e) => {
                tracing::error!(notice = %n.id, error = %format!("{e:#}"), "closing notice failed");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// Closes one notice; answers how many applications changed status.
async fn close(ctx: &JobContext, n: &notice::Model, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let txn = crate::db::begin_write(&ctx.db).await?;
    let closed = notice::Entity::update_many()
        .set(notice::ActiveModel { status: Set(NoticeStatus::Closed), closed_at: Set(Some(now)), ..Default::default() })
        .filter(notice::Column::Id.eq(n.id))
        .filter(notice::Column::Status.eq(NoticeStatus::Open))
        .exec(&txn)
        .await?;
    if closed.rows_affected != 1 {
        return Ok(0);
    }
    let ids: Vec<Uuid> = notice_item::Entity::find()
        .select_only()
        .column(notice_item::Column::ApplicationId)
        .filter(notice_item::Column::NoticeId.eq(n.id))
        .into_tuple()
        .all(&txn)
        .await?;
    if n.purpose == NoticePurpose::CommentPeriod {
        let apps = application::Entity::find().filter(application::Column::Id.is_in(ids)).all(&txn).await?;
        for a in &apps {
            let event = format!("comment_period_closed:{}", n.id);
            notify_applicant_once(
                &txn,
                a,
                &event,
                "征求意见期已满，请编写专家组根据收到的意见修改完善后提交终审。",
                &ctx.public_base_url,
                now,
            )
            .await?;
        }
        audit_system(
            &txn,
            "notice.closed",
            "notice",
            n.id,
            json!({"status": "open"}),
            json!({"status": "closed", "purpose": n.purpose}),
            now,
        )
        .await?;
        txn.commit().await?;
        return Ok(0);
    }
    let apps = application::Entity::find()
        .filter(application::Column::Id.is_in(ids.clone()))
        .filter(application::Column::Status.is_in([ApplicationStatus::OnNotice, ApplicationStatus::ResultsOnNotice]))
        .order_by_asc(application::Column::Id)
        .all(&txn)
        .await?;
    let objected: HashSet<Uuid> = objection::Entity::find()
        .select_only()
        .column(objection::Column::ApplicationId)
        .filter(objection::Column::NoticeId.eq(n.id))
        .filter(objection::Column::Status.eq(ObjectionStatus::Open))
        .into_tuple::<Uuid>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let mut changed = 0;
    for before in apps {
        let (action, message) = if objected.contains(&before.id) {
            (ApplicationAction::CloseNoticeWithOpenObjection, "公示期已满。公示期间收到异议，正在调查核实，处理结果将另行通知。")
        } else if before.status == ApplicationStatus::ResultsOnNotice {
            (ApplicationAction::CloseNotice, "结果公示期已满，无异议，待市人力资源社会保障部门审定后向社会公布。")
        } else {
            (ApplicationAction::CloseNotice, "公示期已满，无异议，待市人力资源社会保障部门审定。")
        };
        let next = transition(before.status, action, before.category)?;
        let res = application::Entity::update_many()
            .set(application::ActiveModel {
                status: Set(next),
                version: Set(before.version + 1),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(application::Column::Id.eq(before.id))
            .filter(application::Column::Status.eq(before.status))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            continue;
        }
        let after = application::Model { status: next, version: before.version + 1, updated_at: now, ..before.clone() };
        audit_system(
            &txn,
            "application.notice_closed",
            "application",
            before.id,
            json!({"status": before.status}),
            json!({"status": next, "notice_id": n.id}),
            now,
        )
        .await?;
        notify_applicant(&txn, &after, message, &ctx.public_base_url, now).await?;
        changed += 1;
    }
    audit_system(&txn, "notice.closed", "notice", n.id, json!({"status": "open"}), json!({"status": "closed", "advanced": changed}), now)
        .await?;
    txn.commit().await?;
    Ok(changed)
}
