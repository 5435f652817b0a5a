//! `organizations.higher_education` (issue 16 item 3): the bureau records that
//! an organisation is a 高等院校, which may apply for a 技研项目 (000
//! 第十九条(一)). A mark beside the kind, so the reports keep the seven
//! categories of 003 附件2/附件3. Existing organisations are not.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("organizations").add_column(boolean("higher_education").default(false)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("organizations").drop_column("higher_education").to_owned()).await
    }
}
