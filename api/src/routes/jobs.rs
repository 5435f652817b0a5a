//! `jobs`: scheduled jobs for bureau_admin — schedules with last and next
//! run, run history, and running one now.

use chrono::{DateTime, Utc};
use entities::{
    Role,
    models::job_run::{self, Outcome, Trigger},
};
use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{auth::BearerAuth, error::ApiResult, pagination::PageParams, routes::Tag, services::jobs, state::AppState};

/// 运行结果.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "JobOutcome", rename_all = "snake_case")]
pub enum OutcomeDto {
    /// 运行中（或进程已中止：由下一次运行接替）
    Running,
    /// 成功
    Succeeded,
    /// 失败
    Failed,
}

impl From<Outcome> for OutcomeDto {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Running => Self::Running,
            Outcome::Succeeded => Self::Succeeded,
            Outcome::Failed => Self::Failed,
        }
    }
}

/// 触发方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "JobTrigger", rename_all = "snake_case")]
pub enum TriggerDto {
    /// 按计划
    Scheduled,
    /// 手动（命令行或接口）
    Manual,
}

impl From<Trigger> for TriggerDto {
    fn from(t: Trigger) -> Self {
        match t {
            Trigger::Scheduled => Self::Scheduled,
            Trigger::Manual => Self::Manual,
        }
    }
}

/// One run of a job.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct JobRun {
    id: Uuid,
    job_name: String,
    /// The scheduled fire time; absent for manual runs.
    tick_at: Option<DateTime<Utc>>,
    trigger: TriggerDto,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    outcome: OutcomeDto,
    /// Chinese label of the outcome.
    outcome_label: String,
    /// Items looked at.
    seen: i64,
    /// Items acted on (e.g. messages sent).
    acted: i64,
    /// Items that failed (logged and skipped).
    failed: i64,
    error: Option<String>,
}

impl From<job_run::Model> for JobRun {
    fn from(r: job_run::Model) -> Self {
        Self {
            id: r.id,
            job_name: r.job_name,
            tick_at: r.tick_at,
            trigger: r.trigger.into(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: r.outcome.into(),
            outcome_label: r.outcome.label_zh().into(),
            seen: r.seen,
            acted: r.acted,
            failed: r.failed,
            error: r.error,
        }
    }
}

/// A job and its schedule.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Job {
    name: String,
    /// 中文名称.
    title: String,
    /// 6 fields, seconds first, Asia/Shanghai (e.g. `0 0 9 * * Mon`).
    cron: String,
    enabled: bool,
    /// The next scheduled fire time; absent when disabled.
    next_fire_at: Option<DateTime<Utc>>,
    last_run: Option<JobRun>,
}

impl From<jobs::JobStatus> for Job {
    fn from(s: jobs::JobStatus) -> Self {
        Self {
            name: s.def.name.into(),
            title: s.def.title.into(),
            cron: s.cron,
            enabled: s.enabled,
            next_fire_at: s.next_fire_at,
            last_run: s.last_run.map(Into::into),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct JobList {
    items: Vec<Job>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct JobRunPage {
    items: Vec<JobRun>,
    next_cursor: Option<String>,
}

#[derive(Default)]
pub struct JobsApi;

#[OpenApi(prefix_path = "/jobs", tag = "Tag::Jobs")]
impl JobsApi {
    /// 定时任务 Scheduled jobs: schedule, last run, next fire time (bureau_admin).
    #[oai(path = "/", method = "get")]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<JobList>> {
        auth.0.require(&[Role::BureauAdmin])?;
        Ok(Json(JobList { items: jobs::list(&state).await?.into_iter().map(Into::into).collect() }))
    }

    /// 运行记录 Runs of one job, newest first (bureau_admin).
    #[oai(path = "/:name/runs", method = "get")]
    async fn runs(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        name: Path<String>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<JobRunPage>> {
        auth.0.require(&[Role::BureauAdmin])?;
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = jobs::runs(&state, &name.0, page).await?;
        Ok(Json(JobRunPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 立即运行 Run a job once now, by the service clock; answers the recorded run
    /// (a failing job answers 200 with outcome `failed`) (bureau_admin).
    #[oai(path = "/:name/run", method = "post")]
    async fn run(&self, state: Data<&AppState>, auth: BearerAuth, name: Path<String>) -> ApiResult<Json<JobRun>> {
        auth.0.require(&[Role::BureauAdmin])?;
        Ok(Json(jobs::run_now(&state, Some(&auth.0), &name.0).await?.into()))
    }
}
