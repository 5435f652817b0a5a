//! Sanctions in full (000 第二十二条): a revoked resource leaves the
//! catalogue (`resources.revoked_on`); a claw-back record per payment.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("resources").add_column(date_null("revoked_on")).to_owned()).await?;
        manager.create_index(index("resources", &["revoked_on"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("clawbacks")
                    .col(pk_uuid("id"))
                    .col(uuid("payment_id").unique_key())
                    .col(uuid("sanction_id"))
                    .col(uuid("organization_id"))
                    .col(big_integer("amount").check(Expr::col("amount").gte(0)))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("clawbacks", "payment_id", "payments", "id"))
                    .foreign_key(&mut fk("clawbacks", "sanction_id", "sanctions", "id"))
                    .foreign_key(&mut fk("clawbacks", "organization_id", "organizations", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("clawbacks", &["sanction_id"])).await?;
        manager.create_index(index("clawbacks", &["organization_id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("clawbacks").to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_resources_revoked_on").table("resources").to_owned()).await?;
        manager.alter_table(Table::alter().table("resources").drop_column("revoked_on").to_owned()).await
    }
}
