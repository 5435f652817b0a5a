//! `alliance_members.pending` (issue 16 item 2, 003 §二(四)(六)): a unit that
//! joins a registered alliance is not a member until its 附件1 form and its
//! signature of the current charter are in. A trigger beside those of
//! `m20261201_000100_membership_changes` notes a change of the new column, so
//! the dashboard's member figures follow a join that completes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TRIGGER: &str = "alliance_members_membership_change_pending";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("alliance_members").add_column(boolean("pending").default(false)).to_owned()).await?;
        // One more trigger beside the table's others (which stay as they are).
        let sql = if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            format!(
                "CREATE TRIGGER {TRIGGER} AFTER UPDATE OF pending ON alliance_members \
                 FOR EACH STATEMENT EXECUTE FUNCTION note_membership_change()"
            )
        } else {
            format!(
                "CREATE TRIGGER {TRIGGER} AFTER UPDATE OF pending ON alliance_members FOR EACH ROW \
                 BEGIN INSERT INTO membership_changes (source) VALUES ('alliance_members'); END"
            )
        };
        manager.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let on = if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres { " ON alliance_members" } else { "" };
        manager.get_connection().execute_unprepared(&format!("DROP TRIGGER {TRIGGER}{on}")).await?;
        manager.alter_table(Table::alter().table("alliance_members").drop_column("pending").to_owned()).await
    }
}
