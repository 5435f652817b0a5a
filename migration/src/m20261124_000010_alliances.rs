//! Alliance filing and membership (seed 003), policy documents with the two
//! governing texts, sanctions (bans checked at filing), idempotency keys and
//! registration-number counters.

use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("alliances")
                    .col(pk_uuid("id"))
                    .col(string_len("name", 200))
                    .col(string_len("industry", 100))
                    .col(string_len_null("industry_code", 20))
                    .col(uuid("initiator_org_id"))
                    .col(uuid("lead_org_id"))
                    .col(string_len("status", 16))
                    .col(string_len_null("registration_no", 20).unique_key())
                    .col(date_null("registered_on"))
                    .col(uuid_null("agreement_doc_id"))
                    .col(uuid_null("charter_doc_id"))
                    .col(integer("charter_version").default(0))
                    .col(text_null("report_text"))
                    .col(uuid_null("report_doc_id"))
                    .col(uuid_null("licence_doc_id"))
                    .col(json_binary_null("composition_warnings"))
                    .col(text_null("status_reason"))
                    .col(integer("version").default(1))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .foreign_key(&mut fk("alliances", "initiator_org_id", "organizations", "id"))
                    .foreign_key(&mut fk("alliances", "lead_org_id", "organizations", "id"))
                    .foreign_key(&mut fk("alliances", "agreement_doc_id", "documents", "id"))
                    .foreign_key(&mut fk("alliances", "charter_doc_id", "documents", "id"))
                    .foreign_key(&mut fk("alliances", "report_doc_id", "documents", "id"))
                    .foreign_key(&mut fk("alliances", "licence_doc_id", "documents", "id"))
                    .foreign_key(&mut fk("alliances", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        for cols in [
            &["initiator_org_id"][..],
            &["lead_org_id"],
            &["status"],
            &["industry"],
            &["agreement_doc_id"],
            &["charter_doc_id"],
            &["report_doc_id"],
            &["licence_doc_id"],
            &["created_by"],
        ] {
            manager.create_index(index("alliances", cols)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("alliance_members")
                    .col(pk_uuid("id"))
                    .col(uuid("alliance_id"))
                    .col(uuid("organization_id"))
                    .col(date_null("joined_on"))
                    .col(date_null("left_on"))
                    .col(text_null("leave_reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("alliance_members", "alliance_id", "alliances", "id"))
                    .foreign_key(&mut fk("alliance_members", "organization_id", "organizations", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("alliance_members", &["alliance_id"])).await?;
        manager.create_index(index("alliance_members", &["organization_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("member_forms")
                    .col(pk_uuid("id"))
                    .col(uuid("alliance_id"))
                    .col(uuid("organization_id"))
                    .col(string_len("address", 300))
                    .col(string_len("postcode", 6))
                    .col(string_len("email", 254))
                    .col(string_len("legal_representative", 100))
                    .col(string_len("contact_person", 100))
                    .col(string_len("office_phone", 40))
                    .col(string_len("mobile", 40))
                    .col(string_len_null("fax", 40))
                    .col(big_integer("total_staff"))
                    .col(big_integer("management"))
                    .col(big_integer("title_senior"))
                    .col(big_integer("title_intermediate"))
                    .col(big_integer("title_junior"))
                    .col(big_integer("skill_senior_technician"))
                    .col(big_integer("skill_technician"))
                    .col(big_integer("skill_senior_worker"))
                    .col(big_integer("skill_intermediate_worker"))
                    .col(big_integer("skill_junior_worker"))
                    .col(big_integer("skill_special"))
                    .col(big_integer("general_workers"))
                    .col(text_null("profile"))
                    .col(uuid("filled_by"))
                    .col(boolean("filled_by_initiator"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("member_forms", "alliance_id", "alliances", "id"))
                    .foreign_key(&mut fk("member_forms", "organization_id", "organizations", "id"))
                    .foreign_key(&mut fk("member_forms", "filled_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("member_forms", &["alliance_id", "organization_id"])).await?;
        manager.create_index(index("member_forms", &["organization_id"])).await?;
        manager.create_index(index("member_forms", &["filled_by"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("charter_signatures")
                    .col(pk_uuid("id"))
                    .col(uuid("alliance_id"))
                    .col(uuid("organization_id"))
                    .col(integer("charter_version"))
                    .col(uuid("signed_by"))
                    .col(timestamp_with_time_zone("signed_at"))
                    .foreign_key(&mut fk("charter_signatures", "alliance_id", "alliances", "id"))
                    .foreign_key(&mut fk("charter_signatures", "organization_id", "organizations", "id"))
                    .foreign_key(&mut fk("charter_signatures", "signed_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("charter_signatures", &["alliance_id", "organization_id", "charter_version"])).await?;
        manager.create_index(index("charter_signatures", &["organization_id"])).await?;
        manager.create_index(index("charter_signatures", &["signed_by"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("alliance_rounds")
                    .col(pk_uuid("id"))
                    .col(uuid("alliance_id"))
                    .col(integer("round"))
                    .col(timestamp_with_time_zone("submitted_at"))
                    .col(uuid("submitted_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(uuid_null("decided_by"))
                    .col(string_len_null("outcome", 16))
                    .col(json_binary_null("reasons"))
                    .foreign_key(&mut fk("alliance_rounds", "alliance_id", "alliances", "id"))
                    .foreign_key(&mut fk("alliance_rounds", "submitted_by", "users", "id"))
                    .foreign_key(&mut fk("alliance_rounds", "decided_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("alliance_rounds", &["alliance_id", "round"])).await?;
        manager.create_index(index("alliance_rounds", &["submitted_by"])).await?;
        manager.create_index(index("alliance_rounds", &["decided_by"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("registration_counters")
                    .col(string_len("series", 20).primary_key())
                    .col(integer("last_number"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("policy_documents")
                    .col(pk_uuid("id"))
                    .col(string_len("title", 300))
                    .col(string_len("number", 100))
                    .col(string_len("issuer", 200))
                    .col(date("effective_from"))
                    .col(date_null("valid_until"))
                    .col(string_len_null("governs", 32))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("policy_documents", &["governs"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("sanctions")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(string_len("credit_code", 18))
                    .col(string_len("kind", 32))
                    .col(date("confirmed_on"))
                    .col(date_null("ban_until"))
                    .col(text("description"))
                    .col(uuid_null("application_id"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("sanctions", "organization_id", "organizations", "id"))
                    .foreign_key(&mut fk("sanctions", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("sanctions", &["organization_id"])).await?;
        manager.create_index(index("sanctions", &["credit_code", "ban_until"])).await?;
        manager.create_index(index("sanctions", &["created_by"])).await?;
        manager.create_index(index("sanctions", &["application_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len("key", 100))
                    .col(string_len("request", 300))
                    .col(integer("status"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("idempotency_keys", "user_id", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("idempotency_keys", &["user_id", "key"])).await?;

        seed_policies(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "idempotency_keys",
            "sanctions",
            "policy_documents",
            "registration_counters",
            "alliance_rounds",
            "charter_signatures",
            "member_forms",
            "alliance_members",
            "alliances",
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// The two governing texts of seeds/ (003 and 000) with their validity windows.
async fn seed_policies(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let at = Utc.with_ymd_and_hms(2026, 4, 3, 0, 0, 0).single().ok_or_else(|| DbErr::Custom("seed time".into()))?;
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DbErr::Custom("seed date".into()));
    let rows = [
        (
            "0195f0a0-0000-7000-8000-000000000003",
            "东莞市人力资源和社会保障局关于加强东莞市职业培训联盟建设的实施意见",
            "DGSRLZYHSHBZJ-2019-024",
            "东莞市人力资源和社会保障局",
            day(2019, 7, 10)?,
            day(2021, 12, 31)?,
            "alliance_filing",
        ),
        (
            "0195f0a0-0000-7000-8000-000000000000",
            "东莞市技能资源建设管理实施细则",
            "（印发通知未载文号，2026年4月3日印发）",
            "东莞市人力资源和社会保障局",
            day(2026, 4, 3)?,
            day(2027, 12, 31)?,
            "skill_resource",
        ),
    ];
    let mut insert = Query::insert();
    insert.into_table("policy_documents").columns([
        "id",
        "title",
        "number",
        "issuer",
        "effective_from",
        "valid_until",
        "governs",
        "created_at",
        "updated_at",
    ]);
    for (id, title, number, issuer, from, until, governs) in rows {
        let id = sea_orm_migration::sea_orm::prelude::Uuid::parse_str(id).map_err(|e| DbErr::Custom(e.to_string()))?;
        insert.values_panic([
            id.into(),
            title.into(),
            number.into(),
            issuer.into(),
            from.into(),
            until.into(),
            governs.into(),
            at.into(),
            at.into(),
        ]);
    }
    manager.exec_stmt(insert.to_owned()).await
}
