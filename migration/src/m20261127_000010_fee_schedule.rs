//! The fee schedule of seed 000 附件2 (第二十三条) as versioned data, seeded
//! with version 1 in force from the day seed 000 took effect (2026-04-03).

use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A fixed id sorts before every UUID v7, so version 1 pages first.
const SEEDED_ID: &str = "00000000-0000-7000-8000-0000000000f1";

const AMOUNTS: [&str; 7] = [
    "printed_textbook",
    "e_textbook",
    "certified_course",
    "online_course",
    "evaluation_specification",
    "theory_question_bank_level",
    "integrated_case_course",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("fee_schedules").col(pk_uuid("id")).col(integer("version").unique_key()).col(date("effective_from"));
        for a in AMOUNTS {
            t.col(big_integer(a).check(Expr::col(a).gt(0)));
        }
        t.col(text("note")).col(uuid_null("created_by")).col(timestamp_with_time_zone("created_at")).foreign_key(&mut fk(
            "fee_schedules",
            "created_by",
            "users",
            "id",
        ));
        manager.create_table(t.to_owned()).await?;
        manager.create_index(index("fee_schedules", &["effective_from"])).await?;
        manager.create_index(index("fee_schedules", &["created_by"])).await?;

        let from = NaiveDate::from_ymd_opt(2026, 4, 3).ok_or_else(|| DbErr::Custom("bad date".into()))?;
        let at = Utc.with_ymd_and_hms(2026, 4, 2, 16, 0, 0).single().ok_or_else(|| DbErr::Custom("bad seed time".into()))?;
        let id = sea_orm_migration::sea_orm::prelude::Uuid::parse_str(SEEDED_ID).map_err(|e| DbErr::Custom(e.to_string()))?;
        let mut cols = vec!["id", "version", "effective_from"];
        cols.extend(AMOUNTS);
        cols.extend(["note", "created_at"]);
        let amounts: [i64; 7] = [50_000, 20_000, 15_000, 10_000, 50_000, 15_000, 15_000];
        let mut values: Vec<SimpleExpr> = vec![id.into(), 1.into(), from.into()];
        values.extend(amounts.map(Into::into));
        values.extend(["东莞市技能资源开发与认定经费支付标准（000 附件2）".into(), at.into()]);
        manager.exec_stmt(Query::insert().into_table("fee_schedules").columns(cols).values_panic(values).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("fee_schedules").to_owned()).await
    }
}
