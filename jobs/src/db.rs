//! The write discipline shared by the service and the jobs: every
//! transaction that writes starts with [`begin_write`].

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`:
/// it takes the write lock at once, waiting on the busy timeout while another
/// connection (or process: `api jobs run`, `api mail test`) writes. A plain
/// `BEGIN` would read first and then fail with "database is locked" (code 5,
/// or 517 when another writer committed since its read) when it tried to
/// write. On PostgreSQL it is a plain `BEGIN`.
///
/// # Errors
/// Database errors (on SQLite also a write lock not had within the busy timeout).
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
