//! Building and running the server: connect, migrate, make sure an admin
//! exists, bind. Tests call [`Application::build`] with port 0.

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use jobs::Clock;
use migration::{Migrator, MigratorTrait};
use poem::{
    Server,
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
}

/// Connects and applies pending migrations.
///
/// # Errors
/// Unreachable database, failed migration.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let conn = db::connect(&settings.database_url, settings.db_max_connections).await?;
    Migrator::up(&conn, None).await.context("applying migrations")?;
    Ok(conn)
}

/// The state shared by handlers, from settings and an open connection.
///
/// # Errors
/// JWT secret missing in production.
pub fn state(settings: Settings, conn: DatabaseConnection, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let secret = settings.jwt_secret_or_generate()?;
    let keys = JwtKeys::new(&secret, &settings.jwt_issuer, &settings.jwt_audience, settings.access_token_ttl_secs);
    Ok(AppState { db: conn, settings: Arc::new(settings), clock, keys: Arc::new(keys) })
}

impl Application {
    /// # Errors
    /// Database, migration, bind failures.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let conn = connect_and_migrate(&settings).await?;
        let bind = settings.bind;
        let state = state(settings, conn, clock)?;
        let admin_password = accounts::ensure_admin(&state).await?;
        let acceptor = TcpListener::bind(bind.to_string()).into_acceptor().await.with_context(|| format!("binding {bind}"))?;
        let port =
            acceptor.local_addr().first().and_then(|a| a.as_socket_addr().map(std::net::SocketAddr::port)).context("no local address")?;
        Ok(Self { port, acceptor, state, admin_password })
    }

    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    #[must_use]
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C / SIGTERM, then drains for up to 10 s.
    ///
    /// # Errors
    /// I/O errors of the listener.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let app = routes::app(self.state);
        Server::new_with_acceptor(self.acceptor).run_with_graceful_shutdown(app, shutdown_signal(), Some(Duration::from_secs(10))).await
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
