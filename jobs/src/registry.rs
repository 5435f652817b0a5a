//! The jobs the registry knows, with their default schedules. A later issue
//! adds a job with one line in [`JOBS`]; the configuration can change each
//! schedule or turn a job off (`[scheduler.jobs.<name>]`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::{
    agreement_overdue, ban_expiry, chase, delivery, digest, mailer::Mailer, notice_close, policy_validity, reassessment, schedule::Cron,
};

/// What every job gets besides "now".
#[derive(Clone, Debug)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    /// Base of links in emails, e.g. `https://registry.dg.gov.cn`.
    pub public_base_url: String,
    /// Items a run handles at most (the rest wait for the next tick).
    pub batch_size: u64,
    /// When half-year report rows and reports are due (`[reports]` settings).
    pub report_rules: entities::report::DueRules,
    /// Shares a set-based job (the report chase) splits the organisations it
    /// writes to into, each queued at the same time in its own transaction
    /// on PostgreSQL.
    pub shares: u32,
    /// A run still going after this is stopped and recorded as failed
    /// (`scheduler.job_deadline_secs`); shorter than the runner's lease.
    pub deadline: std::time::Duration,
    /// Told when each run ends (the service's Prometheus metrics); `None` in the CLI.
    pub observer: Option<std::sync::Arc<dyn RunObserver>>,
}

/// Watches job runs as they end: the job's name, whether it succeeded and
/// how long it took by the wall clock (a measurement, not a rule, so not the
/// injected clock).
pub trait RunObserver: Send + Sync + std::fmt::Debug {
    fn run_finished(&self, job: &str, succeeded: bool, elapsed: std::time::Duration);
}

/// Counts of a run: items looked at, acted on, failed (logged and skipped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobReport {
    pub seen: u64,
    pub acted: u64,
    pub failed: u64,
}

impl std::fmt::Display for JobReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seen {}, acted {}, failed {}", self.seen, self.acted, self.failed)
    }
}

/// A job: `run(ctx, now)`. The cron layer only decides when to call it.
pub type JobFn = for<'a> fn(&'a JobContext, DateTime<Utc>) -> BoxFuture<'a, anyhow::Result<JobReport>>;

pub struct JobDef {
    pub name: &'static str,
    /// 中文名称 for lists and logs.
    pub title: &'static str,
    /// 6 fields, seconds first, Asia/Shanghai.
    pub default_cron: &'static str,
    pub run: JobFn,
}

/// Every job, in display order.
pub const JOBS: &[JobDef] = &[
    JobDef { name: "mail_delivery", title: "邮件投递", default_cron: "0 * * * * *", run: |ctx, now| Box::pin(delivery::run(ctx, now)) },
    JobDef {
        name: "notice_close",
        title: "公示期满处理",
        default_cron: "0 */5 * * * *",
        run: |ctx, now| Box::pin(notice_close::run(ctx, now)),
    },
    JobDef {
        name: "report_chase", title: "半年度报送催报", default_cron: "0 0 9 * * *", run: |ctx, now| Box::pin(chase::run(ctx, now))
    },
    JobDef {
        name: "weekly_digest", title: "每周工作摘要", default_cron: "0 0 9 * * Mon", run: |ctx, now| Box::pin(digest::run(ctx, now))
    },
    JobDef {
        name: "agreement_overdue",
        title: "开发协议逾期提醒",
        default_cron: "0 0 9 * * *",
        run: |ctx, now| Box::pin(agreement_overdue::run(ctx, now)),
    },
    JobDef {
        name: "reassessment_due",
        title: "技能资源到期评估提醒",
        default_cron: "0 0 9 * * *",
        run: |ctx, now| Box::pin(reassessment::run(ctx, now)),
    },
    JobDef {
        name: "ban_expiry", title: "处理期满记录", default_cron: "0 5 0 * * *", run: |ctx, now| Box::pin(ban_expiry::run(ctx, now))
    },
    JobDef {
        name: "policy_validity",
        title: "政策有效期与工作日历检查",
        default_cron: "0 0 9 * * *",
        run: |ctx, now| Box::pin(policy_validity::run(ctx, now)),
    },
];

/// The job called `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static JobDef> {
    JOBS.iter().find(|j| j.name == name)
}

/// `[scheduler.jobs.<name>]` in the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleOverride {
    pub cron: Option<String>,
    pub enabled: Option<bool>,
}

/// A job's effective schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSchedule {
    pub name: &'static str,
    pub cron: String,
    pub enabled: bool,
}

/// Defaults from code with the configuration's overrides applied.
///
/// # Errors
/// An unknown job name or a bad cron expression, naming the setting.
pub fn effective_schedules(overrides: &BTreeMap<String, ScheduleOverride>) -> Result<Vec<JobSchedule>, String> {
    if let Some(unknown) = overrides.keys().find(|k| find(k).is_none()) {
        let known: Vec<&str> = JOBS.iter().map(|j| j.name).collect();
        return Err(format!("setting `scheduler.jobs.{unknown}`: no such job (known: {})", known.join(", ")));
    }
    JOBS.iter()
        .map(|job| {
            let o = overrides.get(job.name).cloned().unwrap_or_default();
            let cron = o.cron.unwrap_or_else(|| job.default_cron.to_string());
            Cron::parse(&cron).map_err(|e| format!("setting `scheduler.jobs.{}.cron`: {e}", job.name))?;
            Ok(JobSchedule { name: job.name, cron, enabled: o.enabled.unwrap_or(true) })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_overrides_apply() {
        let none = effective_schedules(&BTreeMap::new()).unwrap();
        assert_eq!(none.len(), JOBS.len());
        assert!(none.iter().all(|s| s.enabled));
        let mut o = BTreeMap::new();
        o.insert("weekly_digest".to_string(), ScheduleOverride { cron: Some("0 30 8 * * Mon-Fri".into()), enabled: Some(false) });
        let s = effective_schedules(&o).unwrap();
        let digest = s.iter().find(|s| s.name == "weekly_digest").unwrap();
        assert_eq!((digest.cron.as_str(), digest.enabled), ("0 30 8 * * Mon-Fri", false));
    }

    #[test]
    fn unknown_jobs_and_bad_cron_are_named() {
        let mut o = BTreeMap::new();
        o.insert("nope".to_string(), ScheduleOverride::default());
        assert!(effective_schedules(&o).unwrap_err().contains("scheduler.jobs.nope"));
        let mut o = BTreeMap::new();
        o.insert("mail_delivery".to_string(), ScheduleOverride { cron: Some("* * * * *".into()), enabled: None });
        assert!(effective_schedules(&o).unwrap_err().contains("scheduler.jobs.mail_delivery.cron"));
    }
}
