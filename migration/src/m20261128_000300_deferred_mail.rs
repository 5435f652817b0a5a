//! Mail rendered at delivery (issue 5, acceptance 6): an outbox row may hold
//! its template's variables (`vars`, JSON text) instead of the rendered text,
//! so a job can queue hundreds of thousands of reminders with one
//! `INSERT … SELECT` in the database. `subject`, `body_text` and `body_html`
//! become nullable: empty until the delivery job renders the message, and
//! then they keep exactly what was sent. A notification may point at its
//! outbox message (`outbox_id`, unique) and is then worded from it when read,
//! so its `title` and `body` become nullable too.
//!
//! PostgreSQL alters the columns in place; SQLite cannot drop a NOT NULL, so
//! the two tables are rebuilt (new table, copy every row, drop, rename,
//! indexes again) inside one transaction (forced on SQLite as well).

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The outbox as the jobs migration made it; `deferred`: with the rendered
/// parts nullable and `vars` added.
fn outbox(name: &'static str, deferred: bool) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(name).col(pk_uuid("id")).col(string_len("to_address", 254)).col(uuid_null("to_user_id")).col(string_len("template", 64));
    if deferred {
        t.col(string_len_null("subject", 300)).col(text_null("body_text")).col(text_null("body_html")).col(text_null("vars"));
    } else {
        t.col(string_len("subject", 300)).col(text("body_text")).col(text("body_html"));
    }
    t.col(string_len_null("dedupe_key", 200).unique_key())
        .col(timestamp_with_time_zone("created_at"))
        .col(integer("attempts").default(0))
        .col(timestamp_with_time_zone("next_attempt_at"))
        .col(timestamp_with_time_zone_null("sent_at"))
        .col(timestamp_with_time_zone_null("dead_at"))
        .col(text_null("last_error"))
        .foreign_key(&mut fk("outbox", "to_user_id", "users", "id"))
        .to_owned()
}

/// Notifications as the jobs migration made them; `deferred`: with
/// `title`/`body` nullable and `outbox_id` added.
fn notifications(name: &'static str, deferred: bool) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(name).col(pk_uuid("id")).col(uuid("user_id")).col(string_len("kind", 64));
    if deferred {
        t.col(string_len_null("title", 300)).col(text_null("body")).col(string_len_null("link", 500)).col(uuid_null("outbox_id"));
        t.foreign_key(&mut fk("notifications", "outbox_id", "outbox", "id"));
    } else {
        t.col(string_len("title", 300)).col(text("body")).col(string_len_null("link", 500));
    }
    t.col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone_null("read_at"))
        .foreign_key(&mut fk("notifications", "user_id", "users", "id"))
        .to_owned()
}

/// SQLite: both tables rebuilt in the `deferred` shape or back, with their indexes.
async fn rebuild_both(manager: &SchemaManager<'_>, deferred: bool) -> Result<(), DbErr> {
    // Notifications first: in the deferred shape they reference the rebuilt outbox.
    rebuild(manager, "notifications", notifications("notifications_rebuilt", deferred), NOTIFICATION_COLUMNS).await?;
    rebuild(manager, "outbox", outbox("outbox_rebuilt", deferred), OUTBOX_COLUMNS).await?;
    // The indexes went with the old tables.
    manager.create_index(index("outbox", &["sent_at", "dead_at", "next_attempt_at"])).await?;
    manager.create_index(index("outbox", &["to_user_id"])).await?;
    manager.create_index(index("outbox", &["dead_at"])).await?;
    manager.create_index(index("notifications", &["user_id", "read_at"])).await?;
    Ok(())
}

const OUTBOX_COLUMNS: &str = "id, to_address, to_user_id, template, subject, body_text, body_html, dedupe_key, created_at, \
                              attempts, next_attempt_at, sent_at, dead_at, last_error";
const NOTIFICATION_COLUMNS: &str = "id, user_id, kind, title, body, link, created_at, read_at";

/// SQLite: replaces `table` by `create` (built under a temporary name), copying `columns`.
async fn rebuild(manager: &SchemaManager<'_>, table: &str, create: TableCreateStatement, columns: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    manager.create_table(create).await?;
    db.execute_unprepared(&format!("INSERT INTO {table}_rebuilt ({columns}) SELECT {columns} FROM {table}")).await?;
    db.execute_unprepared(&format!("DROP TABLE {table}")).await?;
    db.execute_unprepared(&format!("ALTER TABLE {table}_rebuilt RENAME TO {table}")).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In a transaction on SQLite too: the rebuild is all or nothing, and
    /// every statement of it runs on the one connection.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE outbox ALTER COLUMN subject DROP NOT NULL, ALTER COLUMN body_text DROP NOT NULL, \
                 ALTER COLUMN body_html DROP NOT NULL, ADD COLUMN vars text NULL",
            )
            .await?;
            db.execute_unprepared(
                "ALTER TABLE notifications ALTER COLUMN title DROP NOT NULL, ALTER COLUMN body DROP NOT NULL, \
                 ADD COLUMN outbox_id uuid NULL REFERENCES outbox (id) ON DELETE RESTRICT",
            )
            .await?;
        } else {
            rebuild_both(manager, true).await?;
        }
        manager
            .create_index(Index::create().name("ux_notifications_outbox_id").table("notifications").col("outbox_id").unique().to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Messages and notifications still unrendered cannot go back to NOT NULL columns.
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM notifications WHERE title IS NULL OR body IS NULL").await?;
        db.execute_unprepared("DELETE FROM outbox WHERE subject IS NULL OR body_text IS NULL OR body_html IS NULL").await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager.drop_index(Index::drop().name("ux_notifications_outbox_id").table("notifications").to_owned()).await?;
            db.execute_unprepared(
                "ALTER TABLE notifications DROP COLUMN outbox_id, ALTER COLUMN title SET NOT NULL, ALTER COLUMN body SET NOT NULL",
            )
            .await?;
            db.execute_unprepared(
                "ALTER TABLE outbox DROP COLUMN vars, ALTER COLUMN subject SET NOT NULL, ALTER COLUMN body_text SET NOT NULL, \
                 ALTER COLUMN body_html SET NOT NULL",
            )
            .await?;
        } else {
            rebuild_both(manager, false).await?;
        }
        Ok(())
    }
}
