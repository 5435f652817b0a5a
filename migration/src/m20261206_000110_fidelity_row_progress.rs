//! `report_rows.progress_pending` (issue 16 item 5): "与上期相同" confirms a
//! member's 附件2 only; until its 附件3 is entered (or "本期无培训活动" is
//! given) the row is stored but does not count as filled. Existing rows are
//! complete.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("report_rows").add_column(boolean("progress_pending").default(false)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("report_rows").drop_column("progress_pending").to_owned()).await
    }
}
