//! Scheduled work (issue 5): the schedule table, one row per job run (the
//! unique `(job_name, tick_at)` makes each scheduled tick run once across
//! replicas), the mail outbox and in-app notifications.

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
                    .table("job_schedules")
                    .col(string_len("name", 64).primary_key())
                    .col(string_len("cron", 100))
                    .col(boolean("enabled"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("job_runs")
                    .col(pk_uuid("id"))
                    .col(string_len("job_name", 64))
                    // The scheduled fire time; NULL for a manual run (CLI or API), which
                    // the unique key below then never blocks.
                    .col(timestamp_with_time_zone_null("tick_at"))
                    .col(string_len("trigger", 16))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .col(string_len("outcome", 16))
                    .col(big_integer("seen").default(0))
                    .col(big_integer("acted").default(0))
                    .col(big_integer("failed").default(0))
                    .col(text_null("error"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ux_job_runs_job_name_tick_at").table("job_runs").col("job_name").col("tick_at").unique().to_owned(),
            )
            .await?;
        manager.create_index(index("job_runs", &["job_name", "started_at"])).await?;
        manager.create_index(index("job_runs", &["outcome"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(pk_uuid("id"))
                    .col(string_len("to_address", 254))
                    .col(uuid_null("to_user_id"))
                    .col(string_len("template", 64))
                    .col(string_len("subject", 300))
                    .col(text("body_text"))
                    .col(text("body_html"))
                    .col(string_len_null("dedupe_key", 200).unique_key())
                    .col(timestamp_with_time_zone("created_at"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone_null("dead_at"))
                    .col(text_null("last_error"))
                    .foreign_key(&mut fk("outbox", "to_user_id", "users", "id"))
                    .to_owned(),
            )
            .await?;
        // The delivery job's query: pending (sent_at and dead_at NULL) and due.
        manager.create_index(index("outbox", &["sent_at", "dead_at", "next_attempt_at"])).await?;
        manager.create_index(index("outbox", &["to_user_id"])).await?;
        manager.create_index(index("outbox", &["dead_at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len("kind", 64))
                    .col(string_len("title", 300))
                    .col(text("body"))
                    .col(string_len_null("link", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .foreign_key(&mut fk("notifications", "user_id", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("notifications", &["user_id", "read_at"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["notifications", "outbox", "job_runs", "job_schedules"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
