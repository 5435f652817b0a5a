//! The scheduler: fires due jobs and records each run in `job_runs`.
//!
//! Every `poll` the runner looks, for each enabled job, at the latest cron
//! tick at or before "now" (from the injected clock). A tick older than the
//! catch-up window is never run, so a start after a long stop causes no storm;
//! ticks missed in between are skipped too (jobs look at the whole state each
//! time, so the next run does their work). A tick is claimed by inserting its
//! `job_runs` row: the unique `(job_name, tick_at)` lets one replica win on a
//! shared PostgreSQL, the others skip it. A run left `running` longer than
//! the lease died with its process: it is marked failed and the job runs again
//! at its next tick.
//!
//! Each run has a deadline ([`JobContext::deadline`], shorter than the
//! lease): a run still going then is stopped and recorded as failed, and the
//! job runs again at its next tick. In [`Runner::run_forever`] every job runs
//! as its own task, so a slow job (mail delivery against a hanging SMTP
//! server) never delays the ticks of the others; [`Runner::poll_once`] runs
//! the due ticks one after the other (tests, one-off use).

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use entities::models::{
    job_run::{self, Outcome, Trigger},
    job_schedule,
};
use futures::FutureExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set, TryInsertResult, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    clock::Clock,
    notify::truncate,
    registry::{JOBS, JobContext, JobDef, JobReport, JobSchedule},
    schedule::Cron,
};

/// Timing of the runner.
#[derive(Debug, Clone, Copy)]
pub struct RunnerConfig {
    pub poll: Duration,
    /// Ticks older than this are not run (no catch-up storm after a stop).
    pub catch_up: TimeDelta,
    /// A run still `running` after this is taken for dead.
    pub lease: TimeDelta,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self { poll: Duration::from_secs(5), catch_up: TimeDelta::hours(1), lease: TimeDelta::minutes(15) }
    }
}

/// Writes the effective schedules (code defaults plus configuration) to
/// `job_schedules`, where every replica and `GET /jobs` read them.
///
/// # Errors
/// Database errors.
pub async fn sync_schedules(db: &impl ConnectionTrait, schedules: &[JobSchedule], now: DateTime<Utc>) -> Result<(), DbErr> {
    for s in schedules {
        let row = job_schedule::ActiveModel {
            name: Set(s.name.to_string()),
            cron: Set(s.cron.clone()),
            enabled: Set(s.enabled),
            updated_at: Set(now),
        };
        match job_schedule::Entity::find_by_id(s.name).one(db).await? {
            None => {
                job_schedule::Entity::insert(row).on_conflict_do_nothing().exec_without_returning(db).await?;
            }
            Some(old) if old.cron != s.cron || old.enabled != s.enabled => {
                row.update(db).await?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub struct Runner {
    ctx: JobContext,
    clock: Arc<dyn Clock>,
    config: RunnerConfig,
}

impl Runner {
    #[must_use]
    pub fn new(ctx: JobContext, clock: Arc<dyn Clock>, config: RunnerConfig) -> Self {
        Self { ctx, clock, config }
    }

    /// Polls until the future is dropped (which also stops the runs it
    /// started). Each due tick runs as a task of its own; a job whose run
    /// is still going here is not started again.
    pub async fn run_forever(self) {
        tracing::info!(poll_ms = self.config.poll.as_millis() as u64, "scheduler started");
        let runner = Arc::new(self);
        let mut interval = tokio::time::interval(runner.config.poll);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut running = tokio::task::JoinSet::new();
        let mut busy: HashMap<tokio::task::Id, &'static str> = HashMap::new();
        loop {
            interval.tick().await;
            while let Some(done) = running.try_join_next_with_id() {
                busy.remove(&done.map_or_else(|e| e.id(), |(id, ())| id));
            }
            let due = match runner.due_ticks().await {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "scheduler poll failed");
                    continue;
                }
            };
            for (job, tick) in due {
                if busy.values().any(|name| *name == job.name) {
                    continue;
                }
                let runner = Arc::clone(&runner);
                let task = running.spawn(async move {
                    if let Err(e) = runner.try_tick(job, tick).await {
                        tracing::warn!(job = job.name, error = %format!("{e:#}"), "scheduled run failed to start or be recorded");
                    }
                });
                busy.insert(task.id(), job.name);
            }
        }
    }

    /// One look at the schedules: runs every due, unclaimed tick, one after
    /// the other. Answers the runs made here.
    ///
    /// # Errors
    /// Database errors while reading schedules or claiming.
    pub async fn poll_once(&self) -> anyhow::Result<Vec<job_run::Model>> {
        let mut runs = Vec::new();
        for (job, tick) in self.due_ticks().await? {
            if let Some(run) = self.try_tick(job, tick).await? {
                runs.push(run);
            }
        }
        Ok(runs)
    }

    /// Fails runs left `running` past the lease, then answers each enabled
    /// job's latest due tick (claimed or not).
    async fn due_ticks(&self) -> anyhow::Result<Vec<(&'static JobDef, DateTime<Utc>)>> {
        let db = &self.ctx.db;
        let now = self.clock.now();
        job_run::Entity::update_many()
            .col_expr(job_run::Column::Outcome, Expr::value(Outcome::Failed))
            .col_expr(job_run::Column::FinishedAt, Expr::value(Some(now)))
            .col_expr(job_run::Column::Error, Expr::value(Some("abandoned: still running after the lease (process died?)")))
            .filter(job_run::Column::Outcome.eq(Outcome::Running))
            .filter(job_run::Column::StartedAt.lt(now - self.config.lease))
            .exec(db)
            .await?;
        let schedules: HashMap<String, job_schedule::Model> =
            job_schedule::Entity::find().all(db).await?.into_iter().map(|s| (s.name.clone(), s)).collect();
        let mut due = Vec::new();
        for job in JOBS {
            let (cron, enabled) = schedules.get(job.name).map_or((job.default_cron, true), |s| (s.cron.as_str(), s.enabled));
            if !enabled {
                continue;
            }
            let cron = match Cron::parse(cron) {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(job = job.name, error = %e, "bad cron expression in job_schedules; job skipped");
                    continue;
                }
            };
            if let Some(tick) = cron.latest_due(now, self.config.catch_up) {
                due.push((job, tick));
            }
        }
        Ok(due)
    }

    async fn try_tick(&self, job: &'static JobDef, tick: DateTime<Utc>) -> anyhow::Result<Option<job_run::Model>> {
        let db = &self.ctx.db;
        let now = self.clock.now();
        let done = job_run::Entity::find()
            .filter(job_run::Column::JobName.eq(job.name))
            .filter(job_run::Column::TickAt.eq(tick))
            .count(db)
            .await?;
        // One run of a job at a time: a live run (inside its lease) makes later ticks wait.
        let live = job_run::Entity::find()
            .filter(job_run::Column::JobName.eq(job.name))
            .filter(job_run::Column::Outcome.eq(Outcome::Running))
            .filter(job_run::Column::StartedAt.gte(now - self.config.lease))
            .count(db)
            .await?;
        if done > 0 || live > 0 {
            return Ok(None);
        }
        let id = Uuid::now_v7();
        let claim = job_run::Entity::insert(new_run(id, job.name, Some(tick), Trigger::Scheduled, now))
            .on_conflict_do_nothing_on([job_run::Column::JobName, job_run::Column::TickAt])
            .exec_without_returning(db)
            .await?;
        if !matches!(claim, TryInsertResult::Inserted(n) if n > 0) {
            tracing::debug!(job = job.name, %tick, "tick claimed by another replica");
            return Ok(None);
        }
        tracing::info!(job = job.name, %tick, "running scheduled job");
        Ok(Some(execute(&self.ctx, self.clock.as_ref(), job, id).await?))
    }
}

fn new_run(id: Uuid, name: &str, tick: Option<DateTime<Utc>>, trigger: Trigger, now: DateTime<Utc>) -> job_run::ActiveModel {
    job_run::ActiveModel {
        id: Set(id),
        job_name: Set(name.to_string()),
        tick_at: Set(tick),
        trigger: Set(trigger),
        started_at: Set(now),
        finished_at: Set(None),
        outcome: Set(Outcome::Running),
        seen: Set(0),
        acted: Set(0),
        failed: Set(0),
        error: Set(None),
    }
}

/// Runs `job` once now (CLI `jobs run`, `POST /jobs/{name}/run`), recorded as a manual run.
///
/// # Errors
/// Database errors while recording; the job's own failure is recorded in the answer.
pub async fn run_manual(ctx: &JobContext, clock: &dyn Clock, job: &'static JobDef) -> anyhow::Result<job_run::Model> {
    let id = Uuid::now_v7();
    new_run(id, job.name, None, Trigger::Manual, clock.now()).insert(&ctx.db).await?;
    execute(ctx, clock, job, id).await
}

/// Runs the job for the claimed row `id` and records the outcome. A panic,
/// or a run still going at its deadline (then stopped), is a failed run.
async fn execute(ctx: &JobContext, clock: &dyn Clock, job: &'static JobDef, id: Uuid) -> anyhow::Result<job_run::Model> {
    let started = std::time::Instant::now();
    let run = std::panic::AssertUnwindSafe((job.run)(ctx, clock.now())).catch_unwind();
    let result = tokio::time::timeout(ctx.deadline, run).await;
    if let Some(observer) = &ctx.observer {
        observer.run_finished(job.name, matches!(result, Ok(Ok(Ok(_)))), started.elapsed());
    }
    let (outcome, report, error) = match result {
        Ok(Ok(Ok(report))) => (Outcome::Succeeded, report, None),
        Ok(Ok(Err(e))) => (Outcome::Failed, JobReport::default(), Some(format!("{e:#}"))),
        Ok(Err(_)) => (Outcome::Failed, JobReport::default(), Some("the job panicked".to_string())),
        Err(_) => {
            let secs = ctx.deadline.as_secs();
            (
                Outcome::Failed,
                JobReport::default(),
                Some(format!("stopped at its deadline ({secs} s); its work is taken up by the next tick")),
            )
        }
    };
    if let Some(e) = &error {
        tracing::error!(job = job.name, error = %e, "job failed");
    } else {
        tracing::info!(job = job.name, seen = report.seen, acted = report.acted, failed = report.failed, "job finished");
    }
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let row = job_run::ActiveModel {
        id: Set(id),
        finished_at: Set(Some(clock.now())),
        outcome: Set(outcome),
        seen: Set(count(report.seen)),
        acted: Set(count(report.acted)),
        failed: Set(count(report.failed)),
        error: Set(error.map(|e| truncate(&e, 4000))),
        ..Default::default()
    };
    Ok(row.update(&ctx.db).await?)
}
