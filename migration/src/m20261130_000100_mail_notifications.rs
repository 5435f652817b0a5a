//! A message queued in bulk is its own in-app notification (issue 5,
//! acceptance 6): the report chase queues hundreds of thousands of reminders
//! at once, and a second row per message (with its two foreign-key checks)
//! cost as much again as the messages. An outbox row with `in_app` set is
//! listed among its recipient's notifications, read or unread by its own
//! `read_at`. The notifications that bulk-queued messages had (no text of
//! their own, `outbox_id` set) move onto their messages, read state and all.
//! The recipient's index becomes (`to_user_id`, `read_at`): it still serves
//! the foreign key, and now the unread count too.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager.alter_table(Table::alter().table("outbox").add_column(boolean("in_app").default(false)).to_owned()).await?;
        manager.alter_table(Table::alter().table("outbox").add_column(timestamp_with_time_zone_null("read_at")).to_owned()).await?;
        db.execute_unprepared(
            "UPDATE outbox SET in_app = TRUE, read_at = (SELECT n.read_at FROM notifications n WHERE n.outbox_id = outbox.id) \
             WHERE id IN (SELECT outbox_id FROM notifications WHERE title IS NULL AND outbox_id IS NOT NULL)",
        )
        .await?;
        db.execute_unprepared("DELETE FROM notifications WHERE title IS NULL AND outbox_id IS NOT NULL").await?;
        manager.drop_index(Index::drop().name("ix_outbox_to_user_id").table("outbox").to_owned()).await?;
        manager.create_index(index("outbox", &["to_user_id", "read_at"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Each such message gets a notification again (its id the message's: both are unique UUIDs).
        db.execute_unprepared(
            "INSERT INTO notifications (id, user_id, kind, outbox_id, created_at, read_at) \
             SELECT id, to_user_id, template, id, created_at, read_at FROM outbox WHERE in_app = TRUE AND to_user_id IS NOT NULL",
        )
        .await?;
        manager.drop_index(Index::drop().name("ix_outbox_to_user_id_read_at").table("outbox").to_owned()).await?;
        manager.create_index(index("outbox", &["to_user_id"])).await?;
        manager.alter_table(Table::alter().table("outbox").drop_column("read_at").to_owned()).await?;
        manager.alter_table(Table::alter().table("outbox").drop_column("in_app").to_owned()).await?;
        Ok(())
    }
}
