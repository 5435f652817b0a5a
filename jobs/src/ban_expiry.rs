//! `ban_expiry` (DESIGN §8, 000 第二十二条): a ban ends by itself on its
//! `ban_until` (the first day allowed again; eligibility checks compare dates
//! and need nothing from this job). The job records that it ended
//! (`sanctions.ban_ended_at`, audit `sanction.ban_ended`) and tells the
//! organisation's users that it may apply and file again — or, when another
//! ban on its credit code is still in force, until when it may not.
//!
//! Each sanction in its own transaction, by a conditional update
//! (`ban_ended_at IS NULL`): two replicas never record or tell it twice; the
//! outbox key `ban_expiry:<sanction>:<user>` guards each message as well.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    dashboard::sql_ban_in_force,
    models::{organization, sanction},
    sanction::SanctionKind,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

use crate::{
    clock::shanghai,
    outbox::{self, OutgoingMail},
    registry::{JobContext, JobReport},
    resource_mail::{applicant_recipients, audit_system},
};

/// # Errors
/// Database errors while listing the bans (a failing one is counted, not returned).
#[tracing::instrument(skip(ctx))]
pub async fn run(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<JobReport> {
    let today = now.with_timezone(&shanghai()).date_naive();
    let ended = sanction::Entity::find()
        .filter(sanction::Column::BanUntil.lte(today))
        .filter(sanction::Column::BanEndedAt.is_null())
        .order_by_asc(sanction::Column::BanUntil)
        .order_by_asc(sanction::Column::Id)
        .limit(ctx.batch_size)
        .all(&ctx.db)
        .await?;
    let mut report = JobReport::default();
    for s in ended {
        report.seen += 1;
        match record(ctx, &s, today, now).await {
            Ok(true) => report.acted += 1,
            Ok(false) => {}
            Err(e) => {
                report.failed += 1;
                tracing::error!(sanction = %s.id, error = %format!("{e:#}"), "recording the end of a ban failed");
            }
        }
    }
    Ok(report)
}

/// Records the end of one ban and tells the organisation; false when another run did.
async fn record(ctx: &JobContext, s: &sanction::Model, today: NaiveDate, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let txn = crate::db::begin_write(&ctx.db).await?;
    let res = sanction::Entity::update_many()
        .set(sanction::ActiveModel { ban_ended_at: Set(Some(now)), ..Default::default() })
        .filter(sanction::Column::Id.eq(s.id))
        .filter(sanction::Column::BanEndedAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Ok(false);
    }
    let after = sanction::Model { ban_ended_at: Some(now), ..s.clone() };
    audit_system(&txn, "sanction.ban_ended", "sanction", s.id, serde_json::to_value(s)?, serde_json::to_value(&after)?, now).await?;
    let other_until: Option<NaiveDate> = sanction::Entity::find()
        .select_only()
        .column(sanction::Column::BanUntil)
        .filter(sanction::Column::CreditCode.eq(s.credit_code.clone()))
        .filter(sanction::Column::Id.ne(s.id))
        .filter(sql_ban_in_force(today))
        .order_by_desc(sanction::Column::BanUntil)
        .limit(1)
        .into_tuple::<Option<NaiveDate>>()
        .one(&txn)
        .await?
        .flatten();
    let org_name = organization::Entity::find_by_id(s.organization_id).one(&txn).await?.map(|o| o.name).unwrap_or_default();
    let kind = SanctionKind::parse(&s.kind).map(SanctionKind::label_zh).unwrap_or_default();
    let link = format!("{}/work-file", ctx.public_base_url.trim_end_matches('/'));
    for u in applicant_recipients(&txn, s.organization_id).await? {
        let Some(email) = u.email.clone() else { continue };
        let mail = OutgoingMail {
            to_address: email,
            to_user_id: Some(u.id),
            template: "ban_ended",
            vars: json!({
                "recipient_name": u.display_name, "organization": org_name, "kind": kind,
                "confirmed_on": s.confirmed_on.to_string(), "ended_on": s.ban_until.map(|d| d.to_string()).unwrap_or_default(),
                "eligible": other_until.is_none(), "other_until": other_until.map(|d| d.to_string()).unwrap_or_default(), "link": link,
            }),
            dedupe_key: Some(format!("ban_expiry:{}:{}", s.id, u.id)),
        };
        outbox::enqueue(&txn, mail, now).await?;
    }
    txn.commit().await?;
    Ok(true)
}
