//! Development projects after 立项 (000 第十四—十七条, 第二十条): the
//! development agreement, the milestones, and the purpose of a notice
//! (公示 or a 10-working-day comment period on the same machinery).

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("notices").add_column(string_len("purpose", 16).default("publicity")).to_owned()).await?;
        manager.create_index(index("notices", &["purpose"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("development_agreements")
                    .col(pk_uuid("id"))
                    .col(uuid("application_id").unique_key())
                    .col(uuid("organization_id"))
                    .col(date("signed_on"))
                    .col(date("due_on"))
                    .col(json_binary("deliverables"))
                    .col(big_integer("quantity").check(Expr::col("quantity").gt(0)))
                    .col(uuid_null("document_id"))
                    .col(timestamp_with_time_zone_null("completed_at"))
                    .col(integer_null("overdue_stage"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("development_agreements", "application_id", "applications", "id"))
                    .foreign_key(&mut fk("development_agreements", "organization_id", "organizations", "id"))
                    .foreign_key(&mut fk("development_agreements", "document_id", "documents", "id"))
                    .foreign_key(&mut fk("development_agreements", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        for cols in [&["organization_id"][..], &["document_id"], &["created_by"], &["completed_at", "due_on"]] {
            manager.create_index(index("development_agreements", cols)).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("milestones")
                    .col(pk_uuid("id"))
                    .col(uuid("application_id"))
                    .col(string_len("kind", 32))
                    .col(integer("position"))
                    .col(date("held_on"))
                    .col(json_binary("documents"))
                    .col(json_binary("people"))
                    .col(json_binary("item_counts"))
                    .col(boolean_null("passed"))
                    .col(text("note"))
                    .col(uuid_null("notice_id"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("milestones", "application_id", "applications", "id"))
                    .foreign_key(&mut fk("milestones", "notice_id", "notices", "id"))
                    .foreign_key(&mut fk("milestones", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        // One position per application: two concurrent recordings cannot both be step N.
        manager.create_index(crate::util::unique("milestones", &["application_id", "position"])).await?;
        manager.create_index(index("milestones", &["notice_id"])).await?;
        manager.create_index(index("milestones", &["created_by"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("milestones").to_owned()).await?;
        manager.drop_table(Table::drop().table("development_agreements").to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_notices_purpose").table("notices").to_owned()).await?;
        manager.alter_table(Table::alter().table("notices").drop_column("purpose").to_owned()).await
    }
}
