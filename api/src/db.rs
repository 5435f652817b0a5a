//! Connecting to the database chosen by URL: embedded SQLite (WAL, busy
//! timeout, foreign keys on) or PostgreSQL.

use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::config::redact_url;

/// Opens a pool; for SQLite creates the parent directory of the file; for
/// PostgreSQL sets each connection's parallel workers per query.
///
/// # Errors
/// Unreachable database or bad URL.
pub async fn connect(url: &str, max_connections: u32, parallel_workers: u32) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_path(url)
        && let Some(parent) = std::path::Path::new(&path).parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        })
        // PostgreSQL: parallel workers per query (`max_parallel_workers_per_gather`).
        // The service's reads are short and many run at once (the dashboard
        // reads its sections concurrently): on a small server, starting
        // workers for each costs more than it gives. Jobs that run one big
        // statement raise it for their transaction (`jobs::chase`).
        .map_sqlx_postgres_opts(move |o| o.options([("max_parallel_workers_per_gather", parallel_workers.to_string())]));
    Database::connect(opts).await.with_context(|| format!("connecting to {}", redact_url(url)))
}

/// The file path of a `sqlite://path?…` URL (None for memory or other schemes).
#[must_use]
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

/// Begins a transaction that will write (`BEGIN IMMEDIATE` on SQLite): the
/// one discipline of the service, the jobs and the CLI.
pub use jobs::db::begin_write;

/// Begins a read-only transaction whose statements all read one snapshot:
/// repeatable read on PostgreSQL; on SQLite a plain transaction, which reads
/// one snapshot anyway (and takes no isolation level).
///
/// # Errors
/// Database errors.
pub async fn begin_snapshot(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{AccessMode, DatabaseBackend, IsolationLevel, TransactionTrait};
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => db.begin().await,
        _ => db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_paths() {
        assert_eq!(super::sqlite_path("sqlite://data/registry.db?mode=rwc").as_deref(), Some("data/registry.db"));
        assert_eq!(super::sqlite_path("sqlite::memory:"), None);
        assert_eq!(super::sqlite_path("postgres://x"), None);
    }
}
