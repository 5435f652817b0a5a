//! Outbox dedupe keys compare byte by byte on PostgreSQL too (`COLLATE "C"`),
//! whatever the server's locale: jobs read "every key starting with
//! `chase:2026H1:rows:d0:`" as a range of the unique index
//! (`key >= prefix AND key < prefix with its last byte + 1`), which is exact
//! only under a bytewise order. SQLite compares text bytewise already.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(r#"ALTER TABLE outbox ALTER COLUMN dedupe_key TYPE varchar(200) COLLATE "C""#)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(r#"ALTER TABLE outbox ALTER COLUMN dedupe_key TYPE varchar(200) COLLATE "default""#)
                .await?;
        }
        Ok(())
    }
}
