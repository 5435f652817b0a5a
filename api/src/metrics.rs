//! Prometheus metrics (`GET /metrics`, text format 0.0.4) with the
//! `prometheus` crate. Each [`Metrics`] owns its registry (no process-global
//! recorder), so two servers in one process — the end-to-end tests — count
//! apart.
//!
//! # Layout
//! - counted as things happen: HTTP requests by route template, method and
//!   status, with a latency histogram ([`HttpMetrics`] middleware); job runs
//!   by job and outcome, with duration ([`jobs::registry::RunObserver`]);
//!   failed logins and lockouts (`services::sessions`);
//! - read at scrape time: the connection pool (open, idle, in use, the
//!   largest size, and how long a probe waited for a connection) and the mail
//!   outbox (pending, dead, age of the oldest pending message).
//!
//! The endpoint answers the `bureau_admin` token or the configured
//! `metrics.token`; anything else is 401 (no or bad token) or 403 (other role).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entities::{Role, models::outbox_message as outbox};
use poem::{Endpoint, IntoResponse, Middleware, PathPattern, Request, Response, Result, http::StatusCode, web::Data};
use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{auth, error::ApiError, state::AppState};

/// Latency buckets (seconds): 5 ms to 10 s.
const HTTP_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Job-run buckets (seconds): 10 ms to 10 min.
const JOB_BUCKETS: &[f64] = &[0.01, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 600.0];

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    job_runs: IntCounterVec,
    job_duration: HistogramVec,
    login_failures: IntCounter,
    lockouts: IntCounter,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    pool_probe_wait: Gauge,
    outbox_messages: IntGaugeVec,
    outbox_oldest_pending_age: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Registers `metric` in `registry` and hands it back.
fn register<M: prometheus::core::Collector + Clone + 'static>(registry: &Registry, metric: M) -> M {
    // Names are constants and registered once per registry: a clash is a programming error caught by the tests.
    if let Err(e) = registry.register(Box::new(metric.clone())) {
        tracing::error!(error = %e, "metric registered twice");
    }
    metric
}

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help).namespace("registry")
}

impl Metrics {
    /// A registry with every metric at zero.
    ///
    /// # Panics
    /// Never with these constant names and labels (checked by the tests).
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        let r = Registry::new();
        let histogram = |name: &str, help: &str, buckets: &[f64], labels: &[&str]| {
            let o = HistogramOpts::new(name, help).namespace("registry").buckets(buckets.to_vec());
            register(&r, HistogramVec::new(o, labels).expect("valid histogram"))
        };
        let counter_vec =
            |name: &str, help: &str, labels: &[&str]| register(&r, IntCounterVec::new(opts(name, help), labels).expect("valid counter"));
        Self {
            http_requests: counter_vec(
                "http_requests_total",
                "HTTP requests by route template, method and status",
                &["route", "method", "status"],
            ),
            http_duration: histogram("http_request_duration_seconds", "HTTP request latency", HTTP_BUCKETS, &["route", "method"]),
            job_runs: counter_vec("job_runs_total", "Job runs by job and outcome (succeeded, failed)", &["job", "outcome"]),
            job_duration: histogram("job_run_duration_seconds", "Job run duration", JOB_BUCKETS, &["job"]),
            login_failures: register(
                &r,
                IntCounter::with_opts(opts("login_failures_total", "Failed logins (wrong password)")).expect("valid"),
            ),
            lockouts: register(
                &r,
                IntCounter::with_opts(opts("account_lockouts_total", "Accounts locked after repeated failures")).expect("valid"),
            ),
            pool_connections: register(
                &r,
                IntGaugeVec::new(opts("db_pool_connections", "Database pool connections by state (in_use, idle)"), &["state"])
                    .expect("valid"),
            ),
            pool_max: register(
                &r,
                IntGauge::with_opts(opts("db_pool_max_connections", "Largest size of the database pool")).expect("valid"),
            ),
            pool_probe_wait: register(
                &r,
                Gauge::with_opts(opts(
                    "db_pool_acquire_wait_seconds",
                    "How long the scrape waited for a pool connection (near 0 unless the pool is exhausted)",
                ))
                .expect("valid"),
            ),
            outbox_messages: register(
                &r,
                IntGaugeVec::new(opts("outbox_messages", "Outgoing mail by status (pending, dead)"), &["status"]).expect("valid"),
            ),
            outbox_oldest_pending_age: register(
                &r,
                Gauge::with_opts(opts("outbox_oldest_pending_age_seconds", "Age of the oldest undelivered message (0 when none)"))
                    .expect("valid"),
            ),
            registry: r,
        }
    }

    /// A request served: its route template (`unmatched` when no route did), method, status, latency.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.http_requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.http_duration.with_label_values(&[route, method]).observe(elapsed.as_secs_f64());
    }

    pub fn login_failed(&self) {
        self.login_failures.inc();
    }

    pub fn account_locked(&self) {
        self.lockouts.inc();
    }

    /// Reads the pool and the outbox, then renders every metric.
    ///
    /// # Errors
    /// Database errors while reading the outbox.
    pub async fn render(&self, db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<String> {
        self.read_pool(db).await;
        self.read_outbox(db, now).await?;
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8(out)?)
    }

    async fn read_pool(&self, db: &DatabaseConnection) {
        let started = Instant::now();
        let (size, idle, max, probe) = match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                let probe = pool.acquire().await.is_ok();
                (pool.size(), pool.num_idle(), pool.options().get_max_connections(), probe)
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                let probe = pool.acquire().await.is_ok();
                (pool.size(), pool.num_idle(), pool.options().get_max_connections(), probe)
            }
        };
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        // The probe connection is back in the pool by now: in use = open − idle.
        self.pool_connections.with_label_values(&["in_use"]).set((i64::from(size) - idle).max(0));
        self.pool_connections.with_label_values(&["idle"]).set(idle);
        self.pool_max.set(i64::from(max));
        self.pool_probe_wait.set(if probe { started.elapsed().as_secs_f64() } else { f64::INFINITY });
    }

    async fn read_outbox(&self, db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(), sea_orm::DbErr> {
        let pending = || outbox::Entity::find().filter(outbox::Column::SentAt.is_null()).filter(outbox::Column::DeadAt.is_null());
        let pending_count = pending().count(db).await?;
        let dead = outbox::Entity::find().filter(outbox::Column::DeadAt.is_not_null()).count(db).await?;
        let oldest: Option<DateTime<Utc>> =
            pending().select_only().column(outbox::Column::CreatedAt).order_by_asc(outbox::Column::CreatedAt).into_tuple().one(db).await?;
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.outbox_messages.with_label_values(&["pending"]).set(count(pending_count));
        self.outbox_messages.with_label_values(&["dead"]).set(count(dead));
        #[allow(clippy::cast_precision_loss)]
        let age = oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
        self.outbox_oldest_pending_age.set(age);
        Ok(())
    }
}

impl jobs::registry::RunObserver for Metrics {
    fn run_finished(&self, job: &str, succeeded: bool, elapsed: Duration) {
        self.job_runs.with_label_values(&[job, if succeeded { "succeeded" } else { "failed" }]).inc();
        self.job_duration.with_label_values(&[job]).observe(elapsed.as_secs_f64());
    }
}

/// Counts every request by the route template that served it.
pub struct HttpMetrics;

impl<E: Endpoint> Middleware<E> for HttpMetrics {
    type Output = HttpMetricsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        HttpMetricsEndpoint { inner }
    }
}

pub struct HttpMetricsEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for HttpMetricsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let started = Instant::now();
        let method = req.method().as_str().to_string();
        let metrics = req.data::<AppState>().map(|s| s.metrics.clone());
        let result = self.inner.call(req).await.map(IntoResponse::into_response);
        if let Some(metrics) = metrics {
            // The route template, never the raw path: ids would make a series per object.
            let (status, pattern) = match &result {
                Ok(resp) => (resp.status(), resp.data::<PathPattern>()),
                Err(err) => (err.status(), err.data::<PathPattern>()),
            };
            let route = pattern.map_or("unmatched", |p| &p.0);
            metrics.observe_request(route, &method, status.as_u16(), started.elapsed());
        }
        result
    }
}

/// `GET /metrics` for Prometheus.
#[poem::handler]
pub async fn scrape(req: &Request, state: Data<&AppState>) -> Response {
    if let Err(e) = authorize(&state, req).await {
        return e.into_response();
    }
    match state.metrics.render(&state.db, state.clock.now()).await {
        Ok(text) => Response::builder().status(StatusCode::OK).content_type("text/plain; version=0.0.4; charset=utf-8").body(text),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

/// The configured `metrics.token`, or a `bureau_admin` access token.
async fn authorize(state: &AppState, req: &Request) -> Result<(), ApiError> {
    let token = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or_else(ApiError::unauthorized)?;
    if state.settings.metrics.token.as_deref().is_some_and(|secret| same_secret(secret, token)) {
        return Ok(());
    }
    let caller = auth::caller_from_token(state, token).await?;
    caller.require(&[Role::BureauAdmin])
}

/// Compares digests, so the time taken does not tell how much of the secret matched.
pub fn same_secret(expected: &str, presented: &str) -> bool {
    use sha2::{Digest, Sha256};
    Sha256::digest(expected.as_bytes()) == Sha256::digest(presented.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_registers_and_renders() {
        let m = Metrics::new();
        m.observe_request("/api/v1/alliances/:id", "GET", 200, Duration::from_millis(3));
        jobs::registry::RunObserver::run_finished(&m, "mail_delivery", true, Duration::from_millis(20));
        m.login_failed();
        let mut out = Vec::new();
        TextEncoder::new().encode(&m.registry.gather(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r#"registry_http_requests_total{method="GET",route="/api/v1/alliances/:id",status="200"} 1"#), "{text}");
        assert!(text.contains(r#"registry_job_runs_total{job="mail_delivery",outcome="succeeded"} 1"#), "{text}");
        assert!(text.contains("registry_login_failures_total 1"), "{text}");
        assert!(text.contains("registry_account_lockouts_total 0"), "{text}");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("scrape-secret-0123456789", "scrape-secret-0123456789"));
        assert!(!same_secret("scrape-secret-0123456789", "scrape-secret-012345678"));
        assert!(!same_secret("scrape-secret-0123456789", ""));
    }
}
