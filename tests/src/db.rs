//! A fresh database per test: a SQLite file in the test's temp dir, or a new
//! PostgreSQL database (named by UUID) on `TEST_DATABASE_URL`, dropped when the
//! test ends.

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    /// (admin url, database name) to drop afterwards.
    drop: Option<(String, String)>,
}

/// `postgres://u@h:p/db?x` with the database replaced.
#[must_use]
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

impl TestDatabase {
    pub async fn create(dir: &tempfile::TempDir) -> Self {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            None => Self {
                url: format!("sqlite://{}?mode=rwc", dir.path().join("registry.db").display()),
                backend: Backend::Sqlite,
                drop: None,
            },
            Some(admin_url) => {
                let name = format!("test_{}", uuid::Uuid::new_v4().simple());
                let admin: DatabaseConnection = Database::connect(&admin_url).await.expect("connect TEST_DATABASE_URL");
                admin
                    .execute_raw(Statement::from_string(admin.get_database_backend(), format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create database");
                let _ = admin.close().await;
                Self { url: with_database(&admin_url, &name), backend: Backend::Postgres, drop: Some((admin_url, name)) }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.drop.take() else { return };
        // Drop runs inside the test's runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_raw(Statement::from_string(
                            admin.get_database_backend(),
                            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Row counts (and a change marker) of every table: equal snapshots mean nothing was written.
pub async fn snapshot(db: &DatabaseConnection) -> Vec<(String, i64)> {
    let tables = [
        ("organizations", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS m FROM organizations"),
        ("users", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(failed_logins), 0) AS BIGINT) AS m FROM users"),
        ("refresh_tokens", "SELECT COUNT(*) AS n, COUNT(used_at) + COUNT(revoked_at) AS m FROM refresh_tokens"),
        ("audit_log", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM audit_log"),
        ("calendar_years", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM calendar_years"),
        ("calendar_days", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM calendar_days"),
        ("documents", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM documents"),
        ("alliances", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS m FROM alliances"),
        ("alliance_members", "SELECT COUNT(*) AS n, COUNT(left_on) AS m FROM alliance_members"),
        ("member_forms", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS m FROM member_forms"),
        ("charter_signatures", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM charter_signatures"),
        ("alliance_rounds", "SELECT COUNT(*) AS n, COUNT(decided_at) AS m FROM alliance_rounds"),
        ("registration_counters", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(last_number), 0) AS BIGINT) AS m FROM registration_counters"),
        ("policy_documents", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM policy_documents"),
        ("sanctions", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM sanctions"),
        ("idempotency_keys", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM idempotency_keys"),
        ("notifications", "SELECT COUNT(*) AS n, COUNT(read_at) AS m FROM notifications"),
        ("outbox", "SELECT COUNT(*) AS n, COUNT(read_at) AS m FROM outbox"),
        ("reports", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS m FROM reports"),
        ("report_rows", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS m FROM report_rows"),
        ("report_rounds", "SELECT COUNT(*) AS n, COUNT(decided_at) AS m FROM report_rounds"),
        ("calls", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM calls"),
        ("applications", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS m FROM applications"),
        ("experts", "SELECT COUNT(*) AS n, COUNT(CASE WHEN active THEN 1 END) AS m FROM experts"),
        ("panel_draws", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM panel_draws"),
        ("panel_members", "SELECT COUNT(*) AS n, COUNT(declared_at) AS m FROM panel_members"),
        ("reviews", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(score_hundredths), 0) AS BIGINT) AS m FROM reviews"),
        ("notices", "SELECT COUNT(*) AS n, COUNT(closed_at) AS m FROM notices"),
        ("notice_items", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM notice_items"),
        ("objections", "SELECT COUNT(*) AS n, COUNT(ruled_at) AS m FROM objections"),
        ("resources", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM resources"),
        ("access_occupations", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM access_occupations"),
        ("occupation_batches", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM occupation_batches"),
        ("fee_schedules", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(printed_textbook), 0) AS BIGINT) AS m FROM fee_schedules"),
        ("payments", "SELECT COUNT(*) AS n, COUNT(disbursed_at) AS m FROM payments"),
        ("clawbacks", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS m FROM clawbacks"),
        ("resources_revoked", "SELECT COUNT(revoked_on) AS n, COUNT(withdrawn_on) AS m FROM resources"),
        ("resources_assessed", "SELECT COUNT(last_assessed_on) AS n, CAST(0 AS BIGINT) AS m FROM resources"),
        ("usage_reports", "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(trainees), 0) AS BIGINT) AS m FROM usage_reports"),
        ("assessments", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM assessments"),
        ("reassessment_reminders", "SELECT COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM reassessment_reminders"),
        ("sanctions_ended", "SELECT COUNT(ban_ended_at) AS n, CAST(0 AS BIGINT) AS m FROM sanctions"),
    ];
    let mut out = Vec::new();
    for (table, sql) in tables {
        let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await.expect("count").expect("row");
        let n: i64 = row.try_get("", "n").expect("n");
        let m: i64 = row.try_get("", "m").expect("m");
        out.push((format!("{table}.rows"), n));
        out.push((format!("{table}.marker"), m));
    }
    out
}

/// Number of audit rows with `action` (and, when given, for `entity_id`).
pub async fn audit_count(db: &DatabaseConnection, action: &str, entity_id: Option<&str>) -> i64 {
    use entities::models::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let mut q = audit_log::Entity::find().filter(audit_log::Column::Action.eq(action));
    if let Some(id) = entity_id {
        q = q.filter(audit_log::Column::EntityId.eq(id));
    }
    i64::try_from(q.count(db).await.expect("count")).unwrap_or(i64::MAX)
}

/// Number of audit rows of every kind (a post that wrote anything audited it).
pub async fn audit_total(db: &DatabaseConnection) -> u64 {
    use entities::models::{audit_log, document};
    use sea_orm::{EntityTrait, PaginatorTrait};
    // Documents too: an upload stored before a refusal would be a write.
    audit_log::Entity::find().count(db).await.expect("count") + document::Entity::find().count(db).await.expect("count")
}

/// Every row of every table as text (PostgreSQL: the row cast to text;
/// SQLite: each column `quote`d), sorted per table: equal maps mean equal
/// databases, whatever the tables hold.
pub async fn table_rows(db: &DatabaseConnection) -> std::collections::BTreeMap<String, Vec<String>> {
    let backend = db.get_database_backend();
    let list = match backend {
        sea_orm::DatabaseBackend::Sqlite => "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        _ => {
            "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let strings = |sql: String, col: &'static str| async move {
        let rows = db.query_all_raw(Statement::from_string(backend, sql)).await.expect("query");
        rows.iter().map(|r| r.try_get::<Option<String>>("", col).expect(col).unwrap_or_default()).collect::<Vec<String>>()
    };
    let mut out = std::collections::BTreeMap::new();
    for table in strings(list.to_string(), "t").await {
        let sql = match backend {
            sea_orm::DatabaseBackend::Sqlite => {
                let cols = strings(format!("SELECT name AS c FROM pragma_table_info('{table}')"), "c").await;
                let row = cols.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
                format!("SELECT {row} AS r FROM \"{table}\"")
            }
            _ => format!("SELECT CAST(t AS TEXT) AS r FROM \"{table}\" t"),
        };
        let mut rows = strings(sql, "r").await;
        rows.sort();
        out.insert(table, rows);
    }
    out
}
