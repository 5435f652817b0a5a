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
        // sqlx pings a connection on every acquire by default: one more round
        // trip per statement (issue 20). Ping only those idle long enough to
        // have been dropped by the server or a firewall; a connection that
        // broke while in use is still caught by sqlx's test on release.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
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

/// Whether `err` means "try again": the database could not be reached, the
/// connection was cut (a restart: "terminating connection due to
/// administrator command", "Connection reset by peer", a reply cut short),
/// the server is starting or shutting down or has no connection left, or
/// the statement lost a race it may win next time (SQLite busy or locked,
/// PostgreSQL serialization failure or deadlock). The one place that
/// classifies them; the HTTP layer answers these 503 with `Retry-After`.
#[must_use]
pub fn is_transient(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e.as_ref(),
        _ => return false,
    };
    match sqlx {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| transient_code(&code)),
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs and SQLite result codes that mean "try again".
fn transient_code(code: &str) -> bool {
    // PostgreSQL: class 08 connection exception; 57P01 admin shutdown, 57P02
    // crash shutdown, 57P03 cannot connect now; 53300 too many connections;
    // 40001 serialization failure, 40P01 deadlock detected.
    code.starts_with("08")
        || matches!(code, "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01")
        // SQLite: the primary code (low byte) 5 BUSY or 6 LOCKED, e.g. 517 BUSY_SNAPSHOT.
        || code.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cut_connections_busy_databases_and_lost_races_are_transient_other_errors_are_not() {
        use std::{io, sync::Arc};

        use sea_orm::{DbErr, RuntimeErr, sqlx};
        let query = |e: sqlx::Error| DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)));
        let transient = [
            query(sqlx::Error::Io(io::Error::from(io::ErrorKind::ConnectionReset))),
            query(sqlx::Error::Io(io::Error::new(io::ErrorKind::UnexpectedEof, "expected to read 5 bytes, got 0 bytes at EOF"))),
            query(sqlx::Error::Protocol("unexpected end of stream".into())),
            query(sqlx::Error::PoolTimedOut),
            DbErr::Exec(RuntimeErr::SqlxError(Arc::new(sqlx::Error::WorkerCrashed))),
            DbErr::Conn(RuntimeErr::Internal("connection refused".into())),
        ];
        for e in &transient {
            assert!(super::is_transient(e), "{e}");
        }
        let not = [
            query(sqlx::Error::RowNotFound),
            query(sqlx::Error::ColumnNotFound("x".into())),
            DbErr::RecordNotFound("x".into()),
            DbErr::Custom("rendering".into()),
        ];
        for e in &not {
            assert!(!super::is_transient(e), "{e}");
        }
        for code in ["57P01", "57P03", "08006", "08003", "53300", "40001", "40P01", "5", "517", "6", "261"] {
            assert!(super::transient_code(code), "{code}");
        }
        for code in ["23505", "23503", "42P01", "19", "2067", "1"] {
            assert!(!super::transient_code(code), "{code}");
        }
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(super::sqlite_path("sqlite://data/registry.db?mode=rwc").as_deref(), Some("data/registry.db"));
        assert_eq!(super::sqlite_path("sqlite::memory:"), None);
        assert_eq!(super::sqlite_path("postgres://x"), None);
    }
}
