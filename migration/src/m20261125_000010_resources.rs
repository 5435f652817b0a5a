//! Skill resources (seed 000): calls, applications, the expert pool, panel
//! draws and seats, reviews, notices and their items, objections, the
//! published catalogue, access-type occupations and new-occupation batches.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(clippy::too_many_lines)]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("calls")
                    .col(pk_uuid("id"))
                    .col(string_len("category", 32))
                    .col(string_len("title", 200))
                    .col(text("description"))
                    .col(uuid_null("document_id"))
                    .col(timestamp_with_time_zone("opens_at"))
                    .col(timestamp_with_time_zone("closes_at"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("calls", "document_id", "documents", "id"))
                    .foreign_key(&mut fk("calls", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        for cols in [&["category"][..], &["closes_at"], &["document_id"], &["created_by"]] {
            manager.create_index(index("calls", cols)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("occupation_batches")
                    .col(pk_uuid("id"))
                    .col(string_len("title", 200))
                    .col(integer("proposal_count"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("occupation_batches", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("occupation_batches", &["created_by"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("applications")
                    .col(pk_uuid("id"))
                    .col(string_len_null("number", 20).unique_key())
                    .col(uuid("call_id"))
                    .col(uuid("organization_id"))
                    .col(string_len("category", 32))
                    .col(string_len("resource_kind", 32))
                    .col(string_len("occupation_code", 20))
                    .col(string_len("occupation_name", 100))
                    .col(json_binary("levels"))
                    .col(string_len("title", 200))
                    .col(text("description"))
                    .col(json_binary("document_ids"))
                    .col(big_integer_null("trainees_last_3_years"))
                    .col(boolean("ip_declared"))
                    .col(json_binary("enterprises"))
                    .col(json_binary("team"))
                    .col(json_binary_null("leader"))
                    .col(string_len_null("funding_source", 500))
                    .col(string_len("status", 32))
                    .col(text_null("status_reason"))
                    .col(uuid_null("batch_id"))
                    .col(integer("version").default(1))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .foreign_key(&mut fk("applications", "call_id", "calls", "id"))
                    .foreign_key(&mut fk("applications", "organization_id", "organizations", "id"))
                    .foreign_key(&mut fk("applications", "batch_id", "occupation_batches", "id"))
                    .foreign_key(&mut fk("applications", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        for cols in [&["call_id", "status"][..], &["organization_id"], &["status"], &["category", "status"], &["batch_id"], &["created_by"]]
        {
            manager.create_index(index("applications", cols)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("experts")
                    .col(pk_uuid("id"))
                    .col(uuid_null("user_id").unique_key())
                    .col(string_len("name", 100))
                    .col(string_len("specialty", 200))
                    .col(string_len("title", 100))
                    .col(uuid_null("organization_id"))
                    .col(string_len("organization_name", 200))
                    .col(string_len("expert_type", 16))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("experts", "user_id", "users", "id"))
                    .foreign_key(&mut fk("experts", "organization_id", "organizations", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("experts", &["organization_id"])).await?;
        manager.create_index(index("experts", &["active"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("panel_draws")
                    .col(pk_uuid("id"))
                    .col(uuid("application_id"))
                    .col(big_integer("seed"))
                    .col(integer("requested"))
                    .col(json_binary("candidates"))
                    .col(json_binary("chosen"))
                    .col(uuid("drawn_by"))
                    .col(timestamp_with_time_zone("drawn_at"))
                    .foreign_key(&mut fk("panel_draws", "application_id", "applications", "id"))
                    .foreign_key(&mut fk("panel_draws", "drawn_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("panel_draws", &["application_id"])).await?;
        manager.create_index(index("panel_draws", &["drawn_by"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("panel_members")
                    .col(pk_uuid("id"))
                    .col(uuid("application_id"))
                    .col(uuid("expert_id"))
                    .col(uuid("draw_id"))
                    .col(string_len("status", 16))
                    .col(text_null("conflict_reason"))
                    .col(timestamp_with_time_zone_null("declared_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("panel_members", "application_id", "applications", "id"))
                    .foreign_key(&mut fk("panel_members", "expert_id", "experts", "id"))
                    .foreign_key(&mut fk("panel_members", "draw_id", "panel_draws", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("panel_members", &["application_id", "expert_id"])).await?;
        manager.create_index(index("panel_members", &["expert_id", "status"])).await?;
        manager.create_index(index("panel_members", &["draw_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("reviews")
                    .col(pk_uuid("id"))
                    .col(uuid("application_id"))
                    .col(uuid("panel_member_id").unique_key())
                    .col(uuid("expert_id"))
                    .col(integer_null("industry_match"))
                    .col(integer_null("wide_application"))
                    .col(integer_null("content_fit"))
                    .col(integer_null("flexible_mode"))
                    .col(integer_null("social_benefit"))
                    .col(integer("score_hundredths"))
                    .col(string_len_null("recommendation", 16))
                    .col(text_null("comment"))
                    .col(timestamp_with_time_zone("submitted_at"))
                    .foreign_key(&mut fk("reviews", "application_id", "applications", "id"))
                    .foreign_key(&mut fk("reviews", "panel_member_id", "panel_members", "id"))
                    .foreign_key(&mut fk("reviews", "expert_id", "experts", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("reviews", &["application_id"])).await?;
        manager.create_index(index("reviews", &["expert_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("notices")
                    .col(pk_uuid("id"))
                    .col(string_len("title", 200))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("published_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(text("explanation"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("notices", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("notices", &["status", "ends_at"])).await?;
        manager.create_index(index("notices", &["created_by"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("notice_items")
                    .col(pk_uuid("id"))
                    .col(uuid("notice_id"))
                    .col(uuid("application_id"))
                    .col(integer("position"))
                    .foreign_key(&mut fk("notice_items", "notice_id", "notices", "id"))
                    .foreign_key(&mut fk("notice_items", "application_id", "applications", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("notice_items", &["notice_id", "application_id"])).await?;
        manager.create_index(index("notice_items", &["application_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("objections")
                    .col(pk_uuid("id"))
                    .col(uuid("notice_id"))
                    .col(uuid("application_id"))
                    .col(string_len("name", 100))
                    .col(string_len_null("phone", 40))
                    .col(string_len_null("email", 254))
                    .col(text("argument"))
                    .col(string_len_null("evidence_filename", 255))
                    .col(string_len_null("evidence_content_type", 100))
                    .col(string_len_null("evidence_sha256", 64))
                    .col(string_len("ip_hash", 64))
                    .col(string_len("status", 16))
                    .col(text_null("ruling"))
                    .col(uuid_null("ruled_by"))
                    .col(timestamp_with_time_zone_null("ruled_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("objections", "notice_id", "notices", "id"))
                    .foreign_key(&mut fk("objections", "application_id", "applications", "id"))
                    .foreign_key(&mut fk("objections", "ruled_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("objections", &["notice_id"])).await?;
        manager.create_index(index("objections", &["application_id", "status"])).await?;
        manager.create_index(index("objections", &["ip_hash", "created_at"])).await?;
        manager.create_index(index("objections", &["ruled_by"])).await?;
        manager.create_index(index("objections", &["status"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("resources")
                    .col(pk_uuid("id"))
                    .col(uuid("application_id").unique_key())
                    .col(string_len("number", 20))
                    .col(string_len("category", 32))
                    .col(string_len("kind", 32))
                    .col(string_len("title", 200))
                    .col(text("description"))
                    .col(string_len("occupation_code", 20))
                    .col(string_len("occupation_name", 100))
                    .col(json_binary("levels"))
                    .col(uuid("publisher_org_id"))
                    .col(string_len("publisher_name", 200))
                    .col(date("published_on"))
                    .col(date_null("last_assessed_on"))
                    .col(date("next_assessment_due"))
                    .col(uuid_null("policy_document_id"))
                    .col(string_len("policy_title", 200))
                    .col(date_null("policy_valid_until"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("resources", "application_id", "applications", "id"))
                    .foreign_key(&mut fk("resources", "publisher_org_id", "organizations", "id"))
                    .foreign_key(&mut fk("resources", "policy_document_id", "policy_documents", "id"))
                    .to_owned(),
            )
            .await?;
        for cols in [&["kind"][..], &["occupation_code"], &["publisher_org_id"], &["next_assessment_due"], &["policy_document_id"]] {
            manager.create_index(index("resources", cols)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("access_occupations")
                    .col(string_len("code", 20).primary_key())
                    .col(string_len("name", 100))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("access_occupations", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("access_occupations", &["created_by"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "access_occupations",
            "resources",
            "objections",
            "notice_items",
            "notices",
            "reviews",
            "panel_members",
            "panel_draws",
            "experts",
            "applications",
            "occupation_batches",
            "calls",
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
