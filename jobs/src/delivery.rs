//! `mail_delivery`: sends due outbox messages over the configured transport.
//!
//! Each message is first claimed with a conditional update (its
//! `next_attempt_at` moves a lease ahead, only if it is still due and
//! pending), so two replicas never send the same one. Right after the server
//! accepts it, `sent_at` is written on its own; a sent message is never picked
//! again. A failure counts the attempt and schedules the retry
//! ([`crate::outbox::BACKOFF`]), or marks the message dead after the last one.
//!
//! Each message is sent by a task of its own, bounded by the SMTP deadlines
//! ([`crate::smtp`]): when the run is stopped at its deadline
//! ([`crate::runner`]), the message in flight still finishes and records
//! whether the server accepted it, so it is neither lost nor sent twice.

use chrono::{DateTime, TimeDelta, Utc};
use entities::models::outbox_message::{self, Column};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};

use crate::{
    notify::truncate,
    outbox::{AfterFailure, after_failure},
    registry::{JobContext, JobReport},
};

/// How long a claim holds: a replica that dies mid-send releases the message after this.
pub const CLAIM_LEASE: TimeDelta = TimeDelta::minutes(5);

/// # Errors
/// The query for due messages failed (single-message failures are counted, not returned).
#[tracing::instrument(skip(ctx))]
pub async fn run(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<JobReport> {
    let due = outbox_message::Entity::find()
        .filter(Column::SentAt.is_null())
        .filter(Column::DeadAt.is_null())
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::Id)
        .limit(ctx.batch_size)
        .all(&ctx.db)
        .await?;
    let mut report = JobReport::default();
    for msg in due {
        report.seen += 1;
        let (task_ctx, id) = (ctx.clone(), msg.id);
        let sent = tokio::spawn(async move { deliver(&task_ctx, &msg, now).await })
            .await
            .unwrap_or_else(|e| Err(anyhow::anyhow!("the delivery task failed: {e}")));
        match sent {
            Ok(true) => report.acted += 1,
            Ok(false) => {} // another replica has it
            Err(e) => {
                report.failed += 1;
                tracing::warn!(%id, error = %format!("{e:#}"), "mail delivery failed; skipped");
            }
        }
    }
    Ok(report)
}

/// `Ok(true)` sent, `Ok(false)` claimed elsewhere, `Err` this attempt failed.
async fn deliver(ctx: &JobContext, msg: &outbox_message::Model, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let claimed = outbox_message::Entity::update_many()
        .col_expr(Column::NextAttemptAt, Expr::value(now + CLAIM_LEASE))
        .filter(Column::Id.eq(msg.id))
        .filter(Column::SentAt.is_null())
        .filter(Column::DeadAt.is_null())
        .filter(Column::NextAttemptAt.lte(now))
        .exec(&ctx.db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(false);
    }
    let attempts = msg.attempts + 1;
    match ctx.mailer.send(msg, now).await {
        Ok(sent) => {
            // A message queued as variables keeps the text it was sent with.
            let mut update = outbox_message::Entity::update_many();
            if msg.subject.is_none() {
                update = update
                    .col_expr(Column::Subject, Expr::value(Some(sent.subject)))
                    .col_expr(Column::BodyText, Expr::value(Some(sent.text)))
                    .col_expr(Column::BodyHtml, Expr::value(Some(sent.html)));
            }
            update
                .col_expr(Column::SentAt, Expr::value(Some(now)))
                .col_expr(Column::Attempts, Expr::value(attempts))
                .col_expr(Column::LastError, Expr::value(Option::<String>::None))
                .filter(Column::Id.eq(msg.id))
                .exec(&ctx.db)
                .await?;
            tracing::info!(id = %msg.id, template = %msg.template, attempts, "mail sent");
            Ok(true)
        }
        Err(e) => {
            let next = if e.permanent { AfterFailure::Dead } else { after_failure(attempts, now) };
            let mut update = outbox_message::Entity::update_many()
                .col_expr(Column::Attempts, Expr::value(attempts))
                .col_expr(Column::LastError, Expr::value(Some(truncate(&e.message, 2000))));
            update = match next {
                AfterFailure::RetryAt(at) => update.col_expr(Column::NextAttemptAt, Expr::value(at)),
                AfterFailure::Dead => update.col_expr(Column::DeadAt, Expr::value(Some(now))),
            };
            update.filter(Column::Id.eq(msg.id)).exec(&ctx.db).await?;
            if next == AfterFailure::Dead {
                tracing::error!(id = %msg.id, attempts, error = %e, "mail is dead after its last attempt");
            }
            anyhow::bail!("attempt {attempts}: {e}")
        }
    }
}
