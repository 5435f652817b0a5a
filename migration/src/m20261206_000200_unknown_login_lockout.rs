//! `login_failures`: failed logins under usernames that have no account,
//! counted and locked exactly like an account's (`users.failed_logins`,
//! `users.locked_until`), so that after repeated failures an unknown name
//! answers `account_locked` as a real one does (issue 21: no account
//! discovery). Rows not locked and untouched for a day are purged by the
//! next failure.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "login_failures";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TABLE)
                    .col(string_len("username", 200).primary_key())
                    .col(integer("failed_logins").default(0))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(TABLE, &["updated_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TABLE).to_owned()).await
    }
}
