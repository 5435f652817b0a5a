//! Operation and validity (000 第二十一条, 第二十二条, 第二十六条; DESIGN §8):
//! usage reports and assessments of published resources, a withdrawal date
//! on the catalogue entry (indexed: the catalogue filters it), the sent marker of reassessment reminders, and
//! when the end of a ban was recorded.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("resources").add_column(date_null("withdrawn_on")).to_owned()).await?;
        manager.create_index(index("resources", &["withdrawn_on"])).await?;
        manager.alter_table(Table::alter().table("sanctions").add_column(timestamp_with_time_zone_null("ban_ended_at")).to_owned()).await?;
        manager.create_index(index("sanctions", &["ban_until"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("usage_reports")
                    .col(pk_uuid("id"))
                    .col(uuid("resource_id"))
                    .col(integer("year"))
                    .col(big_integer("trainees").check(Expr::col("trainees").gte(0)))
                    .col(big_integer("organisations").check(Expr::col("organisations").gte(0)))
                    .col(text("note"))
                    .col(uuid("reported_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("usage_reports", "resource_id", "resources", "id"))
                    .foreign_key(&mut fk("usage_reports", "reported_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("usage_reports", &["resource_id", "year"])).await?;
        manager.create_index(index("usage_reports", &["reported_by"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("assessments")
                    .col(pk_uuid("id"))
                    .col(uuid("resource_id"))
                    .col(string_len("outcome", 16))
                    .col(date("assessed_on"))
                    .col(date("previous_due"))
                    .col(date("next_due"))
                    .col(text("note"))
                    .col(uuid("assessed_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("assessments", "resource_id", "resources", "id"))
                    .foreign_key(&mut fk("assessments", "assessed_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("assessments", &["resource_id", "id"])).await?;
        manager.create_index(index("assessments", &["assessed_by"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("reassessment_reminders")
                    .col(pk_uuid("id"))
                    .col(uuid("resource_id"))
                    .col(date("due_on"))
                    .col(string_len("stage", 8))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("reassessment_reminders", "resource_id", "resources", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("reassessment_reminders", &["resource_id", "due_on", "stage"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["reassessment_reminders", "assessments", "usage_reports"] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        manager.drop_index(Index::drop().name("ix_sanctions_ban_until").table("sanctions").to_owned()).await?;
        manager.alter_table(Table::alter().table("sanctions").drop_column("ban_ended_at").to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_resources_withdrawn_on").table("resources").to_owned()).await?;
        manager.alter_table(Table::alter().table("resources").drop_column("withdrawn_on").to_owned()).await
    }
}
