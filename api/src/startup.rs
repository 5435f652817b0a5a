//! Building and running the server: connect, migrate, make sure an admin
//! exists, write the job schedules, bind; then serve, with the job runner
//! alongside when `scheduler.enabled`. Tests call [`Application::build`] with port 0.

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use jobs::{
    Clock, JobContext,
    mailer::{Mailer, Transport},
    runner::{Runner, RunnerConfig},
};
use migration::{Migrator, MigratorTrait};
use poem::{
    Endpoint, EndpointExt, Server,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
};
use sea_orm::DatabaseConnection;

use crate::{auth::JwtKeys, config::Settings, db, routes, services::accounts, state::AppState};

pub struct Application {
    port: u16,
    acceptor: TcpAcceptor,
    state: AppState,
    /// The one-time password of `admin` when this start created it.
    pub admin_password: Option<String>,
    observer: Option<Observer>,
}

/// Sees every request's method, path and final answer (after the edge
/// middleware): the end-to-end tests check each answer against the spec.
pub type Observer = Arc<dyn Fn(&poem::http::Method, &str, &poem::Response) + Send + Sync>;

/// Connects and applies pending migrations.
///
/// # Errors
/// Unreachable database, failed migration.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let conn = db::connect(&settings.database_url, settings.db_max_connections, settings.db_parallel_workers).await?;
    Migrator::up(&conn, None).await.context("applying migrations")?;
    Ok(conn)
}

/// The mailer chosen by `mail.transport`.
///
/// # Errors
/// A bad from-address or SMTP host.
pub fn mailer(settings: &Settings) -> anyhow::Result<Mailer> {
    match settings.mail.transport {
        Transport::Smtp => Mailer::smtp(&settings.smtp, &settings.mail.from),
        Transport::File => Mailer::file(settings.mail.dir.clone(), &settings.mail.from),
        Transport::Memory => Mailer::memory(&settings.mail.from),
    }
}

/// The state shared by handlers, from settings and an open connection.
///
/// # Errors
/// JWT secret missing in production, bad mail settings.
pub fn state(settings: Settings, conn: DatabaseConnection, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let secret = settings.jwt_secret_or_generate()?;
    let keys = JwtKeys::new(&secret, &settings.jwt_issuer, &settings.jwt_audience, settings.access_token_ttl_secs);
    let metrics = Arc::new(crate::metrics::Metrics::new());
    let jobs = JobContext {
        db: conn.clone(),
        mailer: mailer(&settings)?,
        public_base_url: settings.public_base_url.clone(),
        batch_size: settings.scheduler.batch_size,
        report_rules: settings.reports.rules(),
        shares: settings.scheduler.shares,
        observer: Some(metrics.clone()),
        deadline: Duration::from_secs(settings.scheduler.job_deadline_secs),
    };
    Ok(AppState { db: conn, settings: Arc::new(settings), clock, keys: Arc::new(keys), jobs, member_figures: Arc::default(), metrics })
}

/// Writes the effective job schedules (code defaults + configuration) to `job_schedules`.
///
/// # Errors
/// Bad overrides (already refused by validation), database errors.
pub async fn sync_schedules(state: &AppState) -> anyhow::Result<()> {
    let schedules = jobs::registry::effective_schedules(&state.settings.scheduler.jobs).map_err(anyhow::Error::msg)?;
    jobs::runner::sync_schedules(&state.db, &schedules, state.clock.now()).await.context("writing job schedules")
}

/// The runner for these settings.
#[must_use]
pub fn runner(state: &AppState) -> Runner {
    let s = &state.settings.scheduler;
    let config = RunnerConfig {
        poll: Duration::from_millis(s.poll_interval_ms),
        catch_up: chrono::TimeDelta::minutes(i64::from(s.catch_up_minutes)),
        lease: chrono::TimeDelta::minutes(i64::from(s.lease_minutes)),
    };
    Runner::new(state.jobs.clone(), state.clock.clone(), config)
}

impl Application {
    /// # Errors
    /// Database, migration, bind failures.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let conn = connect_and_migrate(&settings).await?;
        Self::build_with_connection(settings, clock, conn).await
    }

    /// Like [`Self::build`] on a connection opened (and migrated) by the caller,
    /// e.g. one with a metric callback that counts queries.
    ///
    /// # Errors
    /// Bind failures.
    pub async fn build_with_connection(settings: Settings, clock: Arc<dyn Clock>, conn: DatabaseConnection) -> anyhow::Result<Self> {
        let bind = settings.bind;
        let state = state(settings, conn, clock)?;
        let admin_password = accounts::ensure_admin(&state).await?;
        sync_schedules(&state).await?;
        let acceptor = TcpListener::bind(bind.to_string()).into_acceptor().await.with_context(|| format!("binding {bind}"))?;
        let port =
            acceptor.local_addr().first().and_then(|a| a.as_socket_addr().map(std::net::SocketAddr::port)).context("no local address")?;
        Ok(Self { port, acceptor, state, admin_password, observer: None })
    }

    /// Shows every answer to `observer` (the tests' spec-conformance check).
    #[must_use]
    pub fn observe(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    #[must_use]
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C / SIGTERM, then drains for up to 10 s. The job
    /// runner (when `scheduler.enabled`) lives exactly as long: dropping this
    /// future stops both; a run cut short is superseded by the next tick.
    ///
    /// # Errors
    /// I/O errors of the listener.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let runner = self.state.settings.scheduler.enabled.then(|| runner(&self.state));
        let app = routes::app(self.state).map_to_response().boxed();
        let app = match self.observer {
            None => app,
            Some(observer) => app
                .around(move |ep, req| {
                    let observer = observer.clone();
                    async move {
                        let (method, path) = (req.method().clone(), req.uri().path().to_string());
                        let resp = ep.call(req).await?;
                        observer(&method, &path, &resp);
                        Ok(resp)
                    }
                })
                .boxed(),
        };
        let server =
            Server::new_with_acceptor(self.acceptor).run_with_graceful_shutdown(app, shutdown_signal(), Some(Duration::from_secs(10)));
        match runner {
            None => server.await,
            Some(runner) => {
                tokio::select! {
                    result = server => result,
                    () = runner.run_forever() => Ok(()),
                }
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
