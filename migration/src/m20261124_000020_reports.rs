//! Half-year reports (seed 003 §二(七), 附件2/附件3): one report per alliance
//! and period, one row per member unit, and the review rounds.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The count columns of 附件2 then 附件3.
const COUNTS: [&str; 23] = [
    "total_staff",
    "management",
    "title_senior",
    "title_intermediate",
    "title_junior",
    "skill_senior_technician",
    "skill_technician",
    "skill_senior_worker",
    "skill_intermediate_worker",
    "skill_junior_worker",
    "skill_special",
    "general_workers",
    "trainees",
    "new_occupations",
    "special_abilities",
    "members_joined",
    "trained_senior_technician",
    "trained_technician",
    "trained_senior_worker",
    "trained_intermediate_worker",
    "trained_junior_worker",
    "trained_special",
    "trained_general_workers",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("reports")
                    .col(pk_uuid("id"))
                    .col(uuid("alliance_id"))
                    .col(string_len("period", 6))
                    .col(string_len("status", 16))
                    .col(date("member_rows_due_on"))
                    .col(date("report_due_on"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(timestamp_with_time_zone_null("first_submitted_at"))
                    .col(integer_null("late_days"))
                    .col(text_null("summary_text"))
                    .col(uuid_null("summary_doc_id"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("reports", "alliance_id", "alliances", "id"))
                    .foreign_key(&mut fk("reports", "summary_doc_id", "documents", "id"))
                    .to_owned(),
            )
            .await?;
        // The unique index leads with alliance_id, so it also serves the foreign key.
        manager.create_index(unique("reports", &["alliance_id", "period"])).await?;
        manager.create_index(index("reports", &["period", "status"])).await?;
        manager.create_index(index("reports", &["status"])).await?;
        manager.create_index(index("reports", &["summary_doc_id"])).await?;

        let mut rows = Table::create();
        rows.table("report_rows").col(pk_uuid("id")).col(uuid("report_id")).col(uuid("organization_id")).col(string_len("org_kind", 32));
        for c in COUNTS {
            rows.col(big_integer(c));
        }
        rows.col(uuid("filled_by"))
            .col(boolean("filled_by_initiator"))
            .col(boolean("confirmed_no_change"))
            .col(string_len_null("copied_from", 6))
            .col(integer("version").default(1))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("report_rows", "report_id", "reports", "id"))
            .foreign_key(&mut fk("report_rows", "organization_id", "organizations", "id"))
            .foreign_key(&mut fk("report_rows", "filled_by", "users", "id"));
        manager.create_table(rows.to_owned()).await?;
        manager.create_index(unique("report_rows", &["report_id", "organization_id"])).await?;
        manager.create_index(index("report_rows", &["organization_id"])).await?;
        manager.create_index(index("report_rows", &["filled_by"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("report_rounds")
                    .col(pk_uuid("id"))
                    .col(uuid("report_id"))
                    .col(integer("round"))
                    .col(timestamp_with_time_zone("submitted_at"))
                    .col(uuid("submitted_by"))
                    .col(integer("days_after_due"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(uuid_null("decided_by"))
                    .col(string_len_null("outcome", 16))
                    .col(json_binary_null("reasons"))
                    .col(text_null("comment"))
                    .foreign_key(&mut fk("report_rounds", "report_id", "reports", "id"))
                    .foreign_key(&mut fk("report_rounds", "submitted_by", "users", "id"))
                    .foreign_key(&mut fk("report_rounds", "decided_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("report_rounds", &["report_id", "round"])).await?;
        manager.create_index(index("report_rounds", &["submitted_by"])).await?;
        manager.create_index(index("report_rounds", &["decided_by"])).await?;

        // The bureau list filters alliances by registration date (periods owed).
        manager.create_index(index("alliances", &["registered_on"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_alliances_registered_on").table("alliances").to_owned()).await?;
        for table in ["report_rounds", "report_rows", "reports"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
