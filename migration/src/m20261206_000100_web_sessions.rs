//! `web_sessions`: the browser sessions of the web front end (网上办事).
//! The cookie holds a random token; the table keeps only its SHA-256, the
//! account, the session's CSRF token and its times, so logout and an idle
//! timeout end a session on the server (a copied cookie stops working).
//! Also the indexes of the bureau's review queues (status, submitted_at).

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("web_sessions")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(uuid("user_id"))
                    .col(string_len("csrf_token", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .foreign_key(&mut fk("web_sessions", "user_id", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("web_sessions", &["user_id"])).await?;
        // The bureau's review queues: submitted filings and reports, longest waiting first.
        manager.create_index(index("alliances", &["status", "submitted_at"])).await?;
        manager.create_index(index("reports", &["status", "submitted_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_reports_status_submitted_at").table("reports").to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_alliances_status_submitted_at").table("alliances").to_owned()).await?;
        manager.drop_table(Table::drop().table("web_sessions").to_owned()).await
    }
}
