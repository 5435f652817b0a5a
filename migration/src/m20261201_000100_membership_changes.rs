//! `membership_changes`: one row per write that can change who is a member
//! unit of an alliance on file, or of which kind — memberships inserted,
//! deleted or given other dates, alliance or organisation; an alliance
//! created, deleted or given another status; an organisation deleted or
//! given another kind. Written by triggers, so no code path can forget it.
//!
//! The dashboard's member figures (the costliest of its aggregates) are kept
//! in memory with the number of rows of this table they were computed with
//! and the day they are for: the same count and day mean the same figures
//! (rows are only ever inserted; a later snapshot sees every row an earlier
//! one saw). PostgreSQL writes one row per statement, SQLite one per row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "membership_changes";

/// (table, the PostgreSQL events, the SQLite events) of each trigger.
const WATCHED: [(&str, &str, &[&str]); 3] = [
    (
        "alliance_members",
        "INSERT OR UPDATE OF alliance_id, organization_id, joined_on, left_on OR DELETE OR TRUNCATE",
        &["INSERT", "UPDATE OF alliance_id, organization_id, joined_on, left_on", "DELETE"],
    ),
    ("alliances", "INSERT OR UPDATE OF status OR DELETE OR TRUNCATE", &["INSERT", "UPDATE OF status", "DELETE"]),
    ("organizations", "UPDATE OF kind OR DELETE OR TRUNCATE", &["UPDATE OF kind", "DELETE"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(Table::create().table(TABLE).col(pk_auto("id")).col(string_len("source", 40)).to_owned()).await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared(
                "CREATE FUNCTION note_membership_change() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN INSERT INTO membership_changes (source) VALUES (TG_TABLE_NAME); RETURN NULL; END $$",
            )
            .await?;
            for (table, events, _) in WATCHED {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_membership_change AFTER {events} ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION note_membership_change()"
                ))
                .await?;
            }
        } else {
            for (table, _, events) in WATCHED {
                for (i, event) in events.iter().enumerate() {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_membership_change_{i} AFTER {event} ON {table} FOR EACH ROW \
                         BEGIN INSERT INTO membership_changes (source) VALUES ('{table}'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            for (table, _, _) in WATCHED {
                db.execute_unprepared(&format!("DROP TRIGGER {table}_membership_change ON {table}")).await?;
            }
            db.execute_unprepared("DROP FUNCTION note_membership_change()").await?;
        } else {
            for (table, _, events) in WATCHED {
                for i in 0..events.len() {
                    db.execute_unprepared(&format!("DROP TRIGGER {table}_membership_change_{i}")).await?;
                }
            }
        }
        manager.drop_table(Table::drop().table(TABLE).to_owned()).await
    }
}
