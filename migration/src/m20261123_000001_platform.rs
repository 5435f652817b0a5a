//! Platform tables: organisations, users, refresh tokens, audit log, calendar,
//! documents.

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
                    .table("organizations")
                    .col(pk_uuid("id"))
                    .col(string_len("name", 200))
                    .col(string_len_uniq("credit_code", 18))
                    .col(string_len("kind", 32))
                    .col(boolean("registered_in_dongguan"))
                    .col(boolean("independent_legal_person"))
                    .col(string_len("address", 300))
                    .col(string_len("postcode", 6))
                    .col(string_len("email", 254))
                    .col(string_len("legal_representative", 100))
                    .col(string_len("contact_person", 100))
                    .col(string_len("office_phone", 40))
                    .col(string_len("mobile", 40))
                    .col(string_len_null("fax", 40))
                    .col(text_null("profile"))
                    .col(boolean("credit_code_verified").default(false))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("organizations", &["kind"])).await?;
        manager.create_index(index("organizations", &["name"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("username", 100))
                    .col(string_len_null("email", 254))
                    .col(string_len("display_name", 100))
                    .col(string_len("role", 32))
                    .col(uuid_null("organization_id"))
                    .col(string_len("password_hash", 200))
                    .col(boolean("disabled").default(false))
                    .col(integer("failed_logins").default(0))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(boolean("must_change_password").default(false))
                    .col(timestamp_with_time_zone_null("last_login_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("users", "organization_id", "organizations", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("users", &["organization_id"])).await?;
        manager.create_index(index("users", &["role"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("refresh_tokens")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(uuid("family_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("issued_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk("refresh_tokens", "user_id", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("refresh_tokens", &["user_id"])).await?;
        manager.create_index(index("refresh_tokens", &["family_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(pk_uuid("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(uuid_null("actor_id"))
                    .col(string_len_null("actor_role", 32))
                    .col(string_len("action", 64))
                    .col(string_len("entity_type", 64))
                    .col(string_len("entity_id", 64))
                    .col(json_binary_null("before"))
                    .col(json_binary_null("after"))
                    .col(string_len_null("request_id", 64))
                    .foreign_key(&mut fk("audit_log", "actor_id", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("audit_log", &["entity_type", "entity_id"])).await?;
        manager.create_index(index("audit_log", &["actor_id"])).await?;
        manager.create_index(index("audit_log", &["at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("calendar_years")
                    .col(integer("year").primary_key())
                    .col(string_len("source_notice", 300))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(uuid_null("updated_by"))
                    .foreign_key(&mut fk("calendar_years", "updated_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("calendar_days")
                    .col(date("date").primary_key())
                    .col(integer("year"))
                    .col(string_len("kind", 16))
                    .col(string_len("name", 50))
                    .foreign_key(&mut fk("calendar_days", "year", "calendar_years", "year"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("calendar_days", &["year"])).await?;
        manager.create_index(index("calendar_years", &["updated_by"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("documents")
                    .col(pk_uuid("id"))
                    .col(string_len("filename", 255))
                    .col(string_len("content_type", 100))
                    .col(big_integer("size_bytes"))
                    .col(string_len("sha256", 64))
                    .col(uuid("uploaded_by"))
                    .col(uuid_null("organization_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("documents", "uploaded_by", "users", "id"))
                    .foreign_key(&mut fk("documents", "organization_id", "organizations", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("documents", &["uploaded_by"])).await?;
        manager.create_index(index("documents", &["organization_id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["documents", "calendar_days", "calendar_years", "audit_log", "refresh_tokens", "users", "organizations"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
