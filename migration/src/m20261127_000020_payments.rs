//! Payments (经费拨付, 000 第二十三条): one per published project, stating the
//! fee schedule version used.

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
                    .table("payments")
                    .col(pk_uuid("id"))
                    .col(uuid("application_id").unique_key())
                    .col(uuid_null("resource_id"))
                    .col(uuid("organization_id"))
                    .col(string_len("category", 32))
                    .col(string_len("kind", 32))
                    .col(string_len("fee_item", 32))
                    .col(big_integer("quantity").check(Expr::col("quantity").gt(0)))
                    .col(big_integer("unit_amount").check(Expr::col("unit_amount").gt(0)))
                    .col(big_integer("amount").check(Expr::col("amount").gt(0)))
                    .col(uuid("fee_schedule_id"))
                    .col(integer("schedule_version"))
                    .col(date("published_on"))
                    .col(integer("year"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone_null("disbursed_at"))
                    .col(uuid_null("disbursed_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("payments", "application_id", "applications", "id"))
                    .foreign_key(&mut fk("payments", "resource_id", "resources", "id"))
                    .foreign_key(&mut fk("payments", "organization_id", "organizations", "id"))
                    .foreign_key(&mut fk("payments", "fee_schedule_id", "fee_schedules", "id"))
                    .foreign_key(&mut fk("payments", "disbursed_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        for cols in [
            &["resource_id"][..],
            &["organization_id"],
            &["fee_schedule_id"],
            &["disbursed_by"],
            &["year", "category"],
            &["category"],
            &["status"],
        ] {
            manager.create_index(index("payments", cols)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("payments").to_owned()).await
    }
}
