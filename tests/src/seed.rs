//! Bulk data for benchmarks (PostgreSQL only): registered alliances with
//! their members and four (or more, [`seed_reports_with`]) half-years of reports, written with a few
//! `INSERT … SELECT FROM generate_series` statements rather than through the
//! API. Ids are derived from `md5(…)` so they are stable and spread like UUIDs.
//!
//! Shape, for `n` alliances of `m` members registered on 2024-11-15:
//! - organisations `(a-1)*m + k` for alliance `a`, member `k` (1: the initiator,
//!   a technical school; 2: the lead enterprise; then a mix of kinds);
//! - reports for 2024H2, 2025H1, 2025H2 (accepted) and 2026H1, where
//!   `a % 6` gives accepted / submitted / late (5 days) / returned / draft
//!   (half the rows) / nothing yet;
//! - one row per member and report (drafts: the first half).

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use uuid::Uuid;

/// The four periods written, oldest first.
pub const PERIODS: [&str; 4] = ["2024H2", "2025H1", "2025H2", "2026H1"];

async fn exec(db: &DatabaseConnection, sql: &str) -> anyhow::Result<u64> {
    Ok(db.execute_raw(Statement::from_string(DbBackend::Postgres, sql.to_string())).await?.rows_affected())
}

/// Writes `alliances` × `members` with four periods of reports; `created_by`
/// is the account recorded as creator and filler. Returns the rows written
/// per table.
///
/// # Errors
/// Database errors (PostgreSQL only).
pub async fn seed_reports(
    db: &DatabaseConnection,
    alliances: u32,
    members: u32,
    created_by: Uuid,
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    seed_reports_with(db, alliances, members, created_by, 4).await
}

/// Like [`seed_reports`] with `periods` half-years ending with 2026H1
/// (alliances registered 137 days into the first), all accepted but the last.
///
/// # Errors
/// Database errors (PostgreSQL only).
pub async fn seed_reports_with(
    db: &DatabaseConnection,
    alliances: u32,
    members: u32,
    created_by: Uuid,
    periods: usize,
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    use entities::report::Period;
    let last = Period::parse("period", "2026H1").map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let list = entities::dashboard::history(last, periods.max(1));
    let first = list[0];
    let registered = first.start() + chrono::TimeDelta::days(137);
    let count = list.len();
    let values: Vec<String> = list
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let end = p.end();
            format!(
                "({}, '{}', DATE '{}', DATE '{}')",
                i + 1,
                p.code(),
                end + chrono::TimeDelta::days(15),
                end + chrono::TimeDelta::days(31)
            )
        })
        .collect();
    let periods = format!("(VALUES {}) AS p(i, code, rows_due, due)", values.join(", "));
    let (n, m) = (alliances, members);
    let by = created_by;
    let mut out = Vec::new();
    out.push((
        "organizations",
        exec(
            db,
            &format!(
                "INSERT INTO organizations (id, name, credit_code, kind, registered_in_dongguan, independent_legal_person, address, postcode, \
                 email, legal_representative, contact_person, office_phone, mobile, fax, profile, credit_code_verified, version, created_at, updated_at) \
                 SELECT md5('org' || g)::uuid, '东莞市基准测试单位' || g, '9144190' || lpad(g::text, 10, '0') || 'X', \
                 CASE WHEN g % {m} = 1 THEN 'technical_school' WHEN g % {m} IN (2, 3, 4) THEN 'enterprise' \
                      ELSE (ARRAY['enterprise','vocational_college','technical_school','training_institution','research_institute','industry_association','other'])[1 + g % 7] END, \
                 true, true, '广东省东莞市南城街道', '523000', 'bench@example.dg.cn', '张三', '李四', '0769-22881234', '13800769123', NULL, NULL, false, 1, now(), now() \
                 FROM generate_series(1, {n} * {m}) g"
            ),
        )
        .await?,
    ));
    out.push((
        "alliances",
        exec(
            db,
            &format!(
                "INSERT INTO alliances (id, name, industry, industry_code, initiator_org_id, lead_org_id, status, registration_no, registered_on, \
                 charter_version, version, created_by, created_at, updated_at) \
                 SELECT md5('alliance' || a)::uuid, '东莞市基准测试职业培训联盟' || a, '产业' || (a % 10), NULL, \
                 md5('org' || ((a - 1) * {m} + 1))::uuid, md5('org' || ((a - 1) * {m} + 2))::uuid, 'registered', \
                 'DGLM-{year}-' || lpad(a::text, 4, '0'), DATE '{registered}', 0, 1, '{by}', now(), now() \
                 FROM generate_series(1, {n}) a",
                year = registered.format("%Y")
            ),
        )
        .await?,
    ));
    out.push((
        "alliance_members",
        exec(
            db,
            &format!(
                "INSERT INTO alliance_members (id, alliance_id, organization_id, joined_on, left_on, leave_reason, created_at) \
                 SELECT md5('member' || ((a - 1) * {m} + k))::uuid, md5('alliance' || a)::uuid, md5('org' || ((a - 1) * {m} + k))::uuid, \
                 NULL, NULL, NULL, now() \
                 FROM generate_series(1, {n}) a, generate_series(1, {m}) k"
            ),
        )
        .await?,
    ));
    // Period p (1..count), oldest first; the last is 2026H1.
    let status = format!(
        "CASE WHEN p.i < {count} THEN 'accepted' ELSE (ARRAY['accepted','submitted','submitted','returned','draft'])[1 + a % 6] END"
    );
    out.push((
        "reports",
        exec(
            db,
            &format!(
                "INSERT INTO reports (id, alliance_id, period, status, member_rows_due_on, report_due_on, submitted_at, first_submitted_at, \
                 late_days, summary_text, summary_doc_id, decided_at, version, created_at, updated_at) \
                 SELECT md5('report' || a || p.code)::uuid, md5('alliance' || a)::uuid, p.code, {status}, p.rows_due, p.due, \
                 CASE WHEN {status} = 'draft' THEN NULL ELSE p.due::timestamptz END, CASE WHEN {status} = 'draft' THEN NULL ELSE p.due::timestamptz END, \
                 CASE WHEN {status} = 'draft' THEN NULL WHEN p.i = {count} AND a % 6 = 2 THEN 5 ELSE 0 END, \
                 CASE WHEN p.code LIKE '%H2' THEN '年终工作总结' END, NULL, NULL, 1, now(), now() \
                 FROM generate_series(1, {n}) a, {periods} \
                 WHERE NOT (p.i = {count} AND a % 6 = 5)"
            ),
        )
        .await?,
    ));
    let v = "(100 + ((a * 31 + k * 17) % 400))";
    out.push((
        "report_rows",
        exec(
            db,
            &format!(
                "INSERT INTO report_rows (id, report_id, organization_id, org_kind, total_staff, management, title_senior, title_intermediate, \
                 title_junior, skill_senior_technician, skill_technician, skill_senior_worker, skill_intermediate_worker, skill_junior_worker, \
                 skill_special, general_workers, trainees, new_occupations, special_abilities, members_joined, trained_senior_technician, \
                 trained_technician, trained_senior_worker, trained_intermediate_worker, trained_junior_worker, trained_special, \
                 trained_general_workers, filled_by, filled_by_initiator, confirmed_no_change, copied_from, version, created_at, updated_at) \
                 SELECT md5('row' || a || '-' || k || r.period)::uuid, r.id, o.id, o.kind, \
                 {v}, {v} / 10, {v} / 20, {v} / 10, {v} / 10, {v} / 50, {v} / 25, {v} / 10, {v} / 10, {v} / 10, {v} / 50, {v} / 2, \
                 {v} / 2, 1, 1, 0, {v} / 40, {v} / 20, {v} / 20, {v} / 10, {v} / 10, {v} / 40, {v} / 20, \
                 '{by}', false, false, NULL, 1, now(), now() \
                 FROM generate_series(1, {n}) a CROSS JOIN generate_series(1, {m}) k \
                 JOIN reports r ON r.alliance_id = md5('alliance' || a)::uuid \
                 JOIN organizations o ON o.id = md5('org' || ((a - 1) * {m} + k))::uuid \
                 WHERE r.status <> 'draft' OR k <= {m} / 2"
            ),
        )
        .await?,
    ));
    exec(db, "ANALYZE").await?;
    Ok(out)
}
