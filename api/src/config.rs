//! Configuration in layers: built-in defaults → optional `registry.toml` →
//! `REGISTRY_*` environment variables (nested keys with `__`, e.g.
//! `REGISTRY_SMTP__HOST`) → `DATABASE_URL`. A bad value stops start-up with a
//! message naming the setting. Secrets are never printed (`Debug` redacts them).

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf};

use anyhow::bail;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use jobs::{
    mailer::{SmtpSettings, Transport},
    registry::ScheduleOverride,
};
use serde::{Deserialize, Serialize};

/// `dev` generates a JWT secret and is forgiving; `production` requires every secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Dev,
    Production,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub mode: Mode,
    /// `sqlite://…?mode=rwc` (default) or `postgres://…`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// Public base URL used in links in emails.
    pub public_base_url: String,
    /// HS256 secret, at least 32 bytes. Required outside dev mode.
    pub jwt_secret: Option<String>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl_secs: u32,
    pub refresh_token_ttl_days: u32,
    /// Password of the first-start `admin` account; random and printed once when unset.
    pub admin_password: Option<String>,
    pub documents_dir: PathBuf,
    /// JSON body limit in bytes (DESIGN §9: 1 MiB).
    pub json_limit_bytes: usize,
    /// Document upload limit in bytes (20 MiB).
    pub upload_limit_bytes: usize,
    pub db_max_connections: u32,
    /// PostgreSQL only: parallel workers per query (0: none; see `db::connect`).
    pub db_parallel_workers: u32,
    pub log_format: LogFormat,
    /// `[scheduler]`: the job runner started by `serve`.
    pub scheduler: SchedulerSettings,
    /// `[mail]`: where outgoing mail goes.
    pub mail: MailSettings,
    /// `[smtp]`: the server used when `mail.transport = "smtp"`.
    pub smtp: SmtpSettings,
    /// `[reports]`: half-year report due dates.
    pub reports: ReportSettings,
    /// `[resources]`: skill resources (assessment intervals, objection rate limit, panel size).
    pub resources: ResourceSettings,
    /// `[web]`: the browser sessions of the web front end.
    pub web: WebSettings,
    /// `[metrics]`: who may scrape `GET /metrics`.
    pub metrics: MetricsSettings,
    /// `[feed]`: integration tokens that may read `GET /changes`.
    pub feed: FeedSettings,
}

/// `[web]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// A browser session not used for this long ends (the user signs in again).
    pub session_idle_minutes: u32,
    /// A browser session ends this long after sign-in, however active.
    pub session_max_hours: u32,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self { session_idle_minutes: 30, session_max_hours: 12 }
    }
}

impl WebSettings {
    fn validate(&self) -> anyhow::Result<()> {
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            bail!("setting `web.session_idle_minutes`: must be between 1 and 1440");
        }
        if !(1..=72).contains(&self.session_max_hours) {
            bail!("setting `web.session_max_hours`: must be between 1 and 72");
        }
        Ok(())
    }
}

/// `[feed]`: bearer secrets of the systems that follow `GET /changes`
/// (read-only: no other endpoint accepts them).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedSettings {
    /// Each at least 24 characters; never printed.
    pub tokens: Vec<String>,
}

/// `[metrics]`: `/metrics` answers a `bureau_admin` access token, or this
/// bearer secret (for Prometheus, which cannot log in).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// At least 24 characters; never printed.
    pub token: Option<String>,
}

/// `[scheduler]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSettings {
    /// Run scheduled jobs in this process (turn off for API-only replicas).
    pub enabled: bool,
    /// How often the runner looks for due ticks.
    pub poll_interval_ms: u64,
    /// Ticks older than this are not run at start-up (no catch-up storm).
    pub catch_up_minutes: u32,
    /// A run still `running` after this is taken for dead; the next tick runs.
    pub lease_minutes: u32,
    /// A run still going after this many seconds is stopped and recorded as
    /// failed; the next tick takes up its work. Below the lease.
    pub job_deadline_secs: u64,
    /// Items one run handles at most (mail messages, digest recipients, …).
    pub batch_size: u64,
    /// On PostgreSQL the report chase splits the organisations it writes to
    /// into this many shares, queued at the same time on as many connections
    /// (one transaction each). About the database server's cores; SQLite
    /// always uses one.
    pub shares: u32,
    /// `[scheduler.jobs.<name>]`: `cron = "…"`, `enabled = …` per job.
    pub jobs: BTreeMap<String, ScheduleOverride>,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            poll_interval_ms: 5000,
            catch_up_minutes: 60,
            lease_minutes: 15,
            job_deadline_secs: 300,
            batch_size: 200,
            shares: 2,
            jobs: BTreeMap::new(),
        }
    }
}

/// `[mail]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// `smtp`, `file` (development default: `.eml` files in `dir`) or `memory` (tests only).
    pub transport: Transport,
    /// From-address, e.g. `东莞市人力资源和社会保障局 <noreply@registry.dg.gov.cn>`.
    pub from: String,
    /// Folder of the `file` transport.
    pub dir: PathBuf,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            transport: Transport::File,
            from: "东莞市人力资源和社会保障局 <noreply@registry.dg.gov.cn>".into(),
            dir: PathBuf::from("data/mail"),
        }
    }
}

/// `[reports]` (DESIGN §5): days after a period's end that member rows and
/// the alliance report are due (before moving to the next working day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    pub member_due_days: u32,
    pub report_due_days: u32,
}

impl Default for ReportSettings {
    fn default() -> Self {
        let rules = entities::report::DueRules::default();
        Self { member_due_days: rules.member_rows_days, report_due_days: rules.report_days }
    }
}

impl ReportSettings {
    #[must_use]
    pub fn rules(&self) -> entities::report::DueRules {
        entities::report::DueRules { member_rows_days: self.member_due_days, report_days: self.report_due_days }
    }
}

/// `[resources]` (DESIGN §6): months from publication (or an assessment
/// "keep") to the next assessment (default 24, per kind overridable), months
/// after an assessment "update required" (6), objections one address may file per
/// hour, and the default panel size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResourceSettings {
    pub assessment_months: u32,
    /// e.g. `{ online_course = 12 }`, keyed by resource kind code.
    pub assessment_months_by_kind: BTreeMap<String, u32>,
    /// Months to the next assessment after "update required" (default 6).
    pub update_required_months: u32,
    pub objections_per_hour_per_ip: u32,
    pub panel_size: u32,
}

impl Default for ResourceSettings {
    fn default() -> Self {
        Self {
            assessment_months: entities::resource::catalogue::DEFAULT_ASSESSMENT_MONTHS,
            assessment_months_by_kind: BTreeMap::new(),
            update_required_months: entities::resource::operation::DEFAULT_UPDATE_MONTHS,
            objections_per_hour_per_ip: 5,
            panel_size: 5,
        }
    }
}

impl ResourceSettings {
    /// Months to the next assessment of a resource of `kind`.
    #[must_use]
    pub fn assessment_months_for(&self, kind: entities::resource::ResourceKind) -> u32 {
        self.assessment_months_by_kind.get(&kind.code()).copied().unwrap_or(self.assessment_months)
    }

    fn validate(&self) -> anyhow::Result<()> {
        use sea_orm::{ActiveEnum, Iterable};
        let kinds: Vec<String> = entities::resource::ResourceKind::iter().map(|k| k.to_value()).collect();
        if let Some(bad) = self.assessment_months_by_kind.keys().find(|k| !kinds.contains(k)) {
            bail!("setting `resources.assessment_months_by_kind.{bad}`: no such resource kind (known: {})", kinds.join(", "));
        }
        if std::iter::once(&self.assessment_months).chain(self.assessment_months_by_kind.values()).any(|m| !(1..=120).contains(m)) {
            bail!("setting `resources.assessment_months`: must be between 1 and 120 months");
        }
        if !(1..=120).contains(&self.update_required_months) {
            bail!("setting `resources.update_required_months`: must be between 1 and 120 months");
        }
        if self.objections_per_hour_per_ip == 0 {
            bail!("setting `resources.objections_per_hour_per_ip`: must be at least 1");
        }
        if !(1..=30).contains(&self.panel_size) {
            bail!("setting `resources.panel_size`: must be between 1 and 30");
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mode: Mode::Dev,
            database_url: "sqlite://data/registry.db?mode=rwc".into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_base_url: "http://127.0.0.1:8080".into(),
            jwt_secret: None,
            jwt_issuer: "dg-skills-registry".into(),
            jwt_audience: "dg-skills-registry-api".into(),
            access_token_ttl_secs: 900,
            refresh_token_ttl_days: 14,
            admin_password: None,
            documents_dir: PathBuf::from("data/documents"),
            json_limit_bytes: 1024 * 1024,
            upload_limit_bytes: 20 * 1024 * 1024,
            db_max_connections: 10,
            db_parallel_workers: 0,
            log_format: LogFormat::Text,
            scheduler: SchedulerSettings::default(),
            mail: MailSettings::default(),
            smtp: SmtpSettings::default(),
            reports: ReportSettings::default(),
            resources: ResourceSettings::default(),
            web: WebSettings::default(),
            metrics: MetricsSettings::default(),
            feed: FeedSettings::default(),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("mode", &self.mode)
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("public_base_url", &self.public_base_url)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<redacted>"))
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("admin_password", &self.admin_password.as_ref().map(|_| "<redacted>"))
            .field("documents_dir", &self.documents_dir)
            .field("scheduler", &self.scheduler)
            .field("mail", &self.mail)
            .field("smtp", &self.smtp)
            .finish_non_exhaustive()
    }
}

/// Hides a password in a database URL.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &creds[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Settings {
    /// Reads the layers. `file` defaults to `registry.toml` in the working directory.
    ///
    /// # Errors
    /// A value of the wrong type or an unknown key, with the setting named.
    pub fn load(file: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let file = file.map_or_else(|| PathBuf::from("registry.toml"), std::path::Path::to_path_buf);
        let mut figment = Figment::from(Serialized::defaults(Self::default())).merge(Toml::file(&file));
        figment = figment.merge(Env::prefixed("REGISTRY_").split("__"));
        if let Ok(url) = std::env::var("DATABASE_URL") {
            figment = figment.merge(Serialized::default("database_url", url));
        }
        let settings: Self = figment.extract().map_err(|e| anyhow::anyhow!(describe_figment_error(&e)))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks values that parse but make no sense.
    ///
    /// # Errors
    /// The first bad setting, named.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            bail!("setting `database_url`: must start with sqlite: or postgres:// (got {})", redact_url(&self.database_url));
        }
        if self.access_token_ttl_secs < 60 || self.access_token_ttl_secs > 86_400 {
            bail!("setting `access_token_ttl_secs`: must be between 60 and 86400");
        }
        if self.refresh_token_ttl_days == 0 || self.refresh_token_ttl_days > 90 {
            bail!("setting `refresh_token_ttl_days`: must be between 1 and 90");
        }
        if let Some(secret) = &self.jwt_secret {
            if secret.len() < 32 {
                bail!("setting `jwt_secret`: must be at least 32 bytes");
            }
        } else if self.mode == Mode::Production {
            bail!("setting `jwt_secret`: required when mode = production (REGISTRY_JWT_SECRET)");
        }
        if self.json_limit_bytes < 1024 {
            bail!("setting `json_limit_bytes`: must be at least 1024");
        }
        if self.db_max_connections == 0 {
            bail!("setting `db_max_connections`: must be at least 1");
        }
        if self.db_parallel_workers > 64 {
            bail!("setting `db_parallel_workers`: must be at most 64");
        }
        if !(self.public_base_url.starts_with("http://") || self.public_base_url.starts_with("https://")) {
            bail!("setting `public_base_url`: must start with http:// or https://");
        }
        let r = self.reports;
        if !(1..=180).contains(&r.member_due_days) || !(1..=180).contains(&r.report_due_days) {
            bail!("setting `reports.member_due_days` / `reports.report_due_days`: must be between 1 and 180");
        }
        if r.member_due_days > r.report_due_days {
            bail!("setting `reports.member_due_days`: member rows cannot be due after the report (reports.report_due_days)");
        }
        self.resources.validate()?;
        self.web.validate()?;
        if self.metrics.token.as_ref().is_some_and(|t| t.trim().len() < 24) {
            bail!("setting `metrics.token`: must be at least 24 characters");
        }
        if self.feed.tokens.iter().any(|t| t.trim().len() < 24) {
            bail!("setting `feed.tokens`: each token must be at least 24 characters");
        }
        self.validate_jobs()
    }

    fn validate_jobs(&self) -> anyhow::Result<()> {
        jobs::registry::effective_schedules(&self.scheduler.jobs).map_err(anyhow::Error::msg)?;
        if self.scheduler.poll_interval_ms < 10 {
            bail!("setting `scheduler.poll_interval_ms`: must be at least 10");
        }
        if self.scheduler.lease_minutes == 0 {
            bail!("setting `scheduler.lease_minutes`: must be at least 1");
        }
        if self.scheduler.job_deadline_secs == 0 || self.scheduler.job_deadline_secs >= u64::from(self.scheduler.lease_minutes) * 60 {
            bail!("setting `scheduler.job_deadline_secs`: must be at least 1 and less than the lease (`scheduler.lease_minutes`)");
        }
        if self.smtp.timeout_secs == 0 || self.smtp.message_deadline_secs < self.smtp.timeout_secs {
            bail!("setting `smtp.message_deadline_secs`: must be at least `smtp.timeout_secs` (one step), which must be at least 1");
        }
        if self.scheduler.batch_size == 0 {
            bail!("setting `scheduler.batch_size`: must be at least 1");
        }
        if self.scheduler.shares == 0 || self.scheduler.shares > self.db_max_connections {
            bail!("setting `scheduler.shares`: must be between 1 and `db_max_connections` ({})", self.db_max_connections);
        }
        if self.mail.transport == Transport::Memory && self.mode == Mode::Production {
            bail!("setting `mail.transport`: `memory` keeps mail in memory and is for tests only; use `smtp` when mode = production");
        }
        if self.mail.transport == Transport::Smtp && self.smtp.host.trim().is_empty() {
            bail!("setting `smtp.host`: required when mail.transport = smtp");
        }
        jobs::mailer::check_from(&self.mail.from)
    }

    /// The JWT secret, or a fresh random one in dev mode (with a warning).
    ///
    /// # Errors
    /// Production without a secret (already refused by `validate`).
    pub fn jwt_secret_or_generate(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(secret) = &self.jwt_secret {
            return Ok(secret.as_bytes().to_vec());
        }
        if self.mode == Mode::Production {
            bail!("setting `jwt_secret`: required when mode = production");
        }
        tracing::warn!("no jwt_secret configured: generated a random one for this dev run; tokens will not survive a restart");
        let mut bytes = vec![0u8; 48];
        rand::Rng::fill(&mut rand::thread_rng(), bytes.as_mut_slice());
        Ok(bytes)
    }
}

fn describe_figment_error(err: &figment::Error) -> String {
    let mut out = String::from("configuration error: ");
    for e in err.clone() {
        let path = if e.path.is_empty() { "(root)".to_string() } else { e.path.join(".") };
        let source = e.metadata.as_ref().map_or_else(String::new, |m| format!(" (from {})", m.name));
        out.push_str(&format!("setting `{path}`{source}: {}; ", e.kind));
    }
    out.trim_end_matches("; ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_in_urls() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("sqlite://data/x.db?mode=rwc"), "sqlite://data/x.db?mode=rwc");
    }

    #[test]
    fn production_without_secret_is_refused() {
        let s = Settings { mode: Mode::Production, ..Settings::default() };
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("jwt_secret"), "{err}");
    }

    #[test]
    fn memory_mail_is_refused_in_production() {
        let s = Settings {
            mode: Mode::Production,
            jwt_secret: Some("0123456789abcdef0123456789abcdef".into()),
            mail: MailSettings { transport: Transport::Memory, ..MailSettings::default() },
            ..Settings::default()
        };
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("mail.transport") && err.contains("tests only"), "{err}");
    }

    #[test]
    fn job_overrides_are_checked() {
        let mut s = Settings::default();
        s.scheduler.jobs.insert("no_such_job".into(), ScheduleOverride::default());
        assert!(s.validate().unwrap_err().to_string().contains("scheduler.jobs.no_such_job"));
        let mut s = Settings::default();
        s.scheduler.jobs.insert("weekly_digest".into(), ScheduleOverride { cron: Some("0 9 * * 1".into()), enabled: None });
        assert!(s.validate().unwrap_err().to_string().contains("scheduler.jobs.weekly_digest.cron"));
    }

    #[test]
    fn deadlines_fit_the_lease_and_the_smtp_step() {
        let mut s = Settings::default();
        s.scheduler.job_deadline_secs = 15 * 60;
        assert!(s.validate().unwrap_err().to_string().contains("scheduler.job_deadline_secs"), "not below the 15-minute lease");
        s.scheduler.job_deadline_secs = 0;
        assert!(s.validate().unwrap_err().to_string().contains("scheduler.job_deadline_secs"));
        let mut s = Settings::default();
        s.smtp.message_deadline_secs = s.smtp.timeout_secs - 1;
        assert!(s.validate().unwrap_err().to_string().contains("smtp.message_deadline_secs"));
    }

    #[test]
    fn chase_shares_fit_the_pool() {
        let mut s = Settings::default();
        assert!(s.validate().is_ok(), "2 shares, 10 connections");
        s.scheduler.shares = 0;
        assert!(s.validate().unwrap_err().to_string().contains("scheduler.shares"));
        s.scheduler.shares = 11;
        assert!(s.validate().unwrap_err().to_string().contains("scheduler.shares"));
        s.db_max_connections = 11;
        assert!(s.validate().is_ok());
    }

    #[test]
    fn report_due_days_are_checked() {
        let s = Settings { reports: ReportSettings { member_due_days: 40, report_due_days: 31 }, ..Settings::default() };
        assert!(s.validate().unwrap_err().to_string().contains("reports.member_due_days"));
        let s = Settings { reports: ReportSettings { member_due_days: 0, report_due_days: 31 }, ..Settings::default() };
        assert!(s.validate().is_err());
        assert_eq!(Settings::default().reports.rules(), entities::report::DueRules::default());
    }

    #[test]
    fn short_metrics_token_is_refused() {
        let s = Settings { metrics: MetricsSettings { token: Some("short".into()) }, ..Settings::default() };
        assert!(s.validate().unwrap_err().to_string().contains("metrics.token"));
        let s = Settings { metrics: MetricsSettings { token: Some("x".repeat(24)) }, ..Settings::default() };
        assert!(s.validate().is_ok());
    }

    #[test]
    fn short_secret_is_refused() {
        let s = Settings { jwt_secret: Some("short".into()), ..Settings::default() };
        assert!(s.validate().unwrap_err().to_string().contains("jwt_secret"));
    }
}
