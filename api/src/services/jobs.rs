//! Jobs as the bureau_admin sees them: schedules with last and next run, run
//! history, running one now (API and CLI alike), and dead mail.

use chrono::{DateTime, Utc};
use entities::models::{job_run, job_schedule, outbox_message};
use jobs::{
    outbox::Status,
    registry::{JOBS, JobDef},
    schedule::Cron,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

/// A job with its schedule and runs.
pub struct JobStatus {
    pub def: &'static JobDef,
    pub cron: String,
    pub enabled: bool,
    pub last_run: Option<job_run::Model>,
    /// `None` when disabled.
    pub next_fire_at: Option<DateTime<Utc>>,
}

/// The job called `name`; 404 otherwise.
///
/// # Errors
/// 404 `not_found`.
pub fn find(name: &str) -> ApiResult<&'static JobDef> {
    jobs::registry::find(name).ok_or_else(|| ApiError::not_found(&format!("任务“{name}”"), &format!("Job `{name}`")))
}

/// Every job, with the schedule in `job_schedules` (the defaults when a row is missing).
///
/// # Errors
/// Database errors.
pub async fn list(state: &AppState) -> ApiResult<Vec<JobStatus>> {
    let now = state.clock.now();
    let schedules = job_schedule::Entity::find().all(&state.db).await?;
    let mut out = Vec::with_capacity(JOBS.len());
    for def in JOBS {
        let (cron, enabled) = schedules
            .iter()
            .find(|s| s.name == def.name)
            .map_or_else(|| (def.default_cron.to_string(), true), |s| (s.cron.clone(), s.enabled));
        let last_run = job_run::Entity::find()
            .filter(job_run::Column::JobName.eq(def.name))
            .order_by_desc(job_run::Column::StartedAt)
            .order_by_desc(job_run::Column::Id)
            .one(&state.db)
            .await?;
        let next_fire_at = if enabled { Cron::parse(&cron).ok().and_then(|c| c.next_after(now)) } else { None };
        out.push(JobStatus { def, cron, enabled, last_run, next_fire_at });
    }
    Ok(out)
}

/// Runs of `name`, newest first.
///
/// # Errors
/// 404 unknown job.
pub async fn runs(state: &AppState, name: &str, page: PageParams) -> ApiResult<(Vec<job_run::Model>, Option<String>)> {
    let def = find(name)?;
    let mut q =
        job_run::Entity::find().filter(job_run::Column::JobName.eq(def.name)).order_by_desc(job_run::Column::Id).limit(page.fetch());
    if let Some(before) = page.after {
        q = q.filter(job_run::Column::Id.lt(before));
    }
    Ok(page.finish(q.all(&state.db).await?, |r| r.id))
}

/// Runs `name` once at the service clock's "now" and records the run (the
/// CLI's `jobs run --at` passes a state whose clock stands at that time).
/// A failing job is a recorded run with outcome `failed`, not an error.
///
/// # Errors
/// 404 unknown job; 500 when the run could not be recorded.
pub async fn run_now(state: &AppState, actor: Option<&Caller>, name: &str) -> ApiResult<job_run::Model> {
    let def = find(name)?;
    // A database error while recording the run keeps its meaning (a cut connection is 503, try again).
    let run = jobs::runner::run_manual(&state.jobs, state.clock.as_ref(), def).await.map_err(|e| match e.downcast::<sea_orm::DbErr>() {
        Ok(db) => ApiError::from(db),
        Err(e) => ApiError::internal(&format!("{e:#}")),
    })?;
    audit::record(&state.db, Actor(actor), state.clock.now(), Entry::new("job.run", "job", def.name).after(&run)).await?;
    Ok(run)
}

/// Outbox messages, oldest first.
///
/// # Errors
/// Database errors.
pub async fn outbox(state: &AppState, status: Option<Status>, page: PageParams) -> ApiResult<(Vec<outbox_message::Model>, Option<String>)> {
    use outbox_message::Column;
    let mut q = outbox_message::Entity::find().order_by_asc(Column::Id).limit(page.fetch());
    q = match status {
        None => q,
        Some(Status::Sent) => q.filter(Column::SentAt.is_not_null()),
        Some(Status::Dead) => q.filter(Column::SentAt.is_null()).filter(Column::DeadAt.is_not_null()),
        Some(Status::Pending) => q.filter(Column::SentAt.is_null()).filter(Column::DeadAt.is_null()),
    };
    if let Some(after) = page.after {
        q = q.filter(Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |m| m.id))
}

/// Puts a dead message back in the queue: due now, attempts counted afresh.
///
/// # Errors
/// 404 unknown id; 409 `mail_not_dead` for a pending or sent message.
pub async fn retry(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<outbox_message::Model> {
    use outbox_message::Column;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = outbox_message::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| ApiError::not_found("邮件", "Message"))?;
    let changed = outbox_message::Entity::update_many()
        .col_expr(Column::DeadAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::NextAttemptAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::SentAt.is_null())
        .filter(Column::DeadAt.is_not_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(ApiError::conflict(
            "mail_not_dead",
            "只有投递失败（已停止重试）的邮件可以重新发送",
            "Only dead messages can be retried",
        ));
    }
    let after = outbox_message::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| ApiError::not_found("邮件", "Message"))?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("outbox.retried", "outbox", id).before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(after)
}
