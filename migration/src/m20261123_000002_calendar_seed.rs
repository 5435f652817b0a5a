//! Reference data: the official 2025 and 2026 holiday calendars (DESIGN §7),
//! taken from `entities::calendar::official_year`.

use chrono::{TimeZone, Utc};
use entities::calendar::{DayKind, official_year};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SEEDED_YEARS: [i32; 2] = [2025, 2026];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A fixed timestamp keeps the migration deterministic.
        let seeded_at = Utc.with_ymd_and_hms(2025, 11, 4, 0, 0, 0).single().ok_or_else(|| DbErr::Custom("bad seed time".into()))?;
        for year in SEEDED_YEARS {
            let (source, days) = official_year(year).ok_or_else(|| DbErr::Custom(format!("no official calendar for {year}")))?;
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table("calendar_years")
                        .columns(["year", "source_notice", "updated_at"])
                        .values_panic([year.into(), source.into(), seeded_at.into()])
                        .to_owned(),
                )
                .await?;
            let mut insert = Query::insert();
            insert.into_table("calendar_days").columns(["date", "year", "kind", "name"]);
            for day in days {
                let kind = match day.kind {
                    DayKind::Holiday => "holiday",
                    DayKind::MakeupWorkday => "makeup_workday",
                };
                insert.values_panic([day.date.into(), year.into(), kind.into(), day.name.into()]);
            }
            manager.exec_stmt(insert.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for year in SEEDED_YEARS {
            manager.exec_stmt(Query::delete().from_table("calendar_days").and_where(Expr::col("year").eq(year)).to_owned()).await?;
            manager.exec_stmt(Query::delete().from_table("calendar_years").and_where(Expr::col("year").eq(year)).to_owned()).await?;
        }
        Ok(())
    }
}
