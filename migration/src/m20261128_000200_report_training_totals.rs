//! The dashboard's training totals (issue 8, acceptance 4): each report's
//! 附件3 figures summed per category (`report_rows.org_kind`) over the rows
//! of members on the period's last day, kept only while the report counts
//! (submitted or accepted). Written in the transaction that submits, accepts
//! or returns a report, or changes a membership
//! (`api::services::reports::training_totals`), so the overview sums about
//! seven rows per report instead of one per member. `report_training_sums`
//! holds the same figures over every category, one row per counted report
//! (the per-alliance table and the trainee chart read one row per report).
//!
//! The backfill below is a frozen copy of that rule (migrations never call
//! code that may change later).

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, Statement},
};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 8] = [
    "trainees",
    "trained_senior_technician",
    "trained_technician",
    "trained_senior_worker",
    "trained_intermediate_worker",
    "trained_junior_worker",
    "trained_special",
    "trained_general_workers",
];

/// Every category together, one row per counted report.
const SUMS: &str = "report_training_sums";

/// The last day of `2026H1` / `2026H2`.
fn period_end(code: &str) -> Option<String> {
    let year: i32 = code.get(..4)?.parse().ok()?;
    match code.get(4..)? {
        "H1" => Some(format!("{year:04}-06-30")),
        "H2" => Some(format!("{year:04}-12-31")),
        _ => None,
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("report_training_totals")
            .col(uuid("report_id"))
            .col(uuid("alliance_id"))
            .col(string_len("period", 6))
            .col(string_len("org_kind", 32));
        for c in COLUMNS {
            t.col(big_integer(c));
        }
        t.primary_key(Index::create().col("report_id").col("org_kind"))
            .foreign_key(&mut fk("report_training_totals", "report_id", "reports", "id"))
            .foreign_key(&mut fk("report_training_totals", "alliance_id", "alliances", "id"));
        manager.create_table(t.to_owned()).await?;
        // The overview reads by period (then groups by kind or alliance); the FK to alliances.
        manager.create_index(index("report_training_totals", &["period", "alliance_id"])).await?;
        manager.create_index(index("report_training_totals", &["alliance_id"])).await?;

        let mut t = Table::create();
        t.table(SUMS).col(uuid("report_id").primary_key()).col(uuid("alliance_id")).col(string_len("period", 6));
        for c in COLUMNS {
            t.col(big_integer(c));
        }
        t.foreign_key(&mut fk(SUMS, "report_id", "reports", "id")).foreign_key(&mut fk(SUMS, "alliance_id", "alliances", "id"));
        manager.create_table(t.to_owned()).await?;
        manager.create_index(index(SUMS, &["period", "alliance_id"])).await?;
        manager.create_index(index(SUMS, &["alliance_id"])).await?;

        // Backfill: every counted report, one INSERT … SELECT per period.
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let periods = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT DISTINCT period FROM reports WHERE status IN ('submitted', 'accepted') ORDER BY period".to_string(),
            ))
            .await?;
        let sums: Vec<String> = COLUMNS.iter().map(|c| format!("CAST(SUM(rr.{c}) AS BIGINT)")).collect();
        for row in periods {
            let code: String = row.try_get("", "period")?;
            let Some(end) = period_end(&code) else { continue };
            let sql = format!(
                "INSERT INTO report_training_totals (report_id, alliance_id, period, org_kind, {cols}) \
                 SELECT r.id, r.alliance_id, r.period, rr.org_kind, {sums} \
                 FROM reports r JOIN report_rows rr ON rr.report_id = r.id \
                 WHERE r.period = '{code}' AND r.status IN ('submitted', 'accepted') \
                 AND EXISTS (SELECT 1 FROM alliance_members m WHERE m.alliance_id = r.alliance_id AND m.organization_id = rr.organization_id \
                 AND (m.joined_on IS NULL OR m.joined_on <= '{end}') AND (m.left_on IS NULL OR m.left_on > '{end}')) \
                 GROUP BY r.id, r.alliance_id, r.period, rr.org_kind",
                cols = COLUMNS.join(", "),
                sums = sums.join(", "),
            );
            db.execute_raw(Statement::from_string(backend, sql)).await?;
        }
        let sums: Vec<String> = COLUMNS.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT)")).collect();
        let sql = format!(
            "INSERT INTO {SUMS} (report_id, alliance_id, period, {cols}) \
             SELECT report_id, alliance_id, period, {sums} FROM report_training_totals GROUP BY report_id, alliance_id, period",
            cols = COLUMNS.join(", "),
            sums = sums.join(", "),
        );
        db.execute_raw(Statement::from_string(backend, sql)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SUMS).to_owned()).await?;
        manager.drop_table(Table::drop().table("report_training_totals").to_owned()).await
    }
}

#[cfg(test)]
mod tests {
    use super::period_end;

    #[test]
    fn period_ends() {
        assert_eq!(period_end("2026H1").as_deref(), Some("2026-06-30"));
        assert_eq!(period_end("2025H2").as_deref(), Some("2025-12-31"));
        assert_eq!(period_end("2025X2"), None);
    }
}
