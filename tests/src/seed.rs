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
    // The dashboard's per-report training totals, as submission writes them.
    for p in &list {
        api::services::reports::training_totals::refresh_period(db, *p).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    exec(db, "ANALYZE").await?;
    Ok(out)
}

/// Status of application `g` of category index `c` (0–4, `Category::ALL`
/// order), spread over the statuses that category can be in; every tenth a draft.
fn application_status_sql() -> &'static str {
    "CASE WHEN g % 10 = 9 THEN 'draft' \
     WHEN g % 5 = 0 THEN (ARRAY['submitted','reported_upward','included','not_included','completed'])[1 + (g / 5) % 5] \
     WHEN g % 5 = 1 THEN 'submitted' \
     WHEN g % 5 = 2 THEN (ARRAY['submitted','under_review','not_selected','on_notice','awaiting_ruling','awaiting_approval','refused','published','published','revoked'])[1 + (g / 5) % 10] \
     ELSE (ARRAY['submitted','under_review','on_notice','awaiting_approval','approved_for_development','refused'])[1 + (g / 5) % 6] END"
}

/// Skill-resource data for the dashboard benchmark (after [`seed_reports_with`],
/// whose first `organizations` organisations apply): `n` applications of 2026 spread over the five
/// categories and their statuses (every tenth a draft), 60 notices ending
/// between 1 July and 29 August 2026 (those after 10 August open) listing
/// the applications that reached a notice, an objection per application on
/// notice or awaiting a ruling (open) or refused (upheld), a catalogue entry
/// per published or revoked certification with next assessments spread over
/// 400 days from 1 June 2026, and a payment of 10,000 yuan for each
/// (disbursed for every other one, clawed back when revoked); a panel of 5
/// accepted seats with a score each on every application past `submitted`.
///
/// # Errors
/// Database errors (PostgreSQL only).
pub async fn seed_applications(
    db: &DatabaseConnection,
    n: u32,
    organizations: u32,
    created_by: Uuid,
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let by = created_by;
    let orgs = organizations.max(1);
    let status = application_status_sql();
    let category = "(ARRAY['new_occupation','standard_upgrade','training_resource','evaluation_resource','skill_research'])[1 + g % 5]";
    let kind = "(ARRAY['new_occupation_proposal','course_standard','online_course','evaluation_specification','integrated_case_course'])[1 + g % 5]";
    let mut out = Vec::new();
    out.push((
        "calls",
        exec(
            db,
            &format!(
                "INSERT INTO calls (id, category, title, description, document_id, opens_at, closes_at, created_by, created_at) \
                 SELECT md5('call' || c)::uuid, (ARRAY['new_occupation','standard_upgrade','training_resource','evaluation_resource','skill_research'])[1 + c], \
                 '2026年度申报通知' || c, '基准测试', NULL, TIMESTAMPTZ '2026-01-01 00:00+08', TIMESTAMPTZ '2026-12-31 00:00+08', '{by}', now() \
                 FROM generate_series(0, 4) c"
            ),
        )
        .await?,
    ));
    out.push((
        "applications",
        exec(
            db,
            &format!(
                "INSERT INTO applications (id, number, call_id, organization_id, category, resource_kind, occupation_code, occupation_name, levels, title, \
                 description, document_ids, trainees_last_3_years, ip_declared, enterprises, team, leader, funding_source, status, status_reason, batch_id, \
                 version, created_by, created_at, updated_at, submitted_at) \
                 SELECT md5('application' || g)::uuid, CASE WHEN {status} = 'draft' THEN NULL ELSE 'DGJN-2026-' || lpad(g::text, 5, '0') END, \
                 md5('call' || (g % 5))::uuid, md5('org' || (1 + g * 7 % {orgs}))::uuid, {category}, {kind}, '6-25-04-08', '工业机器人系统操作员', \
                 '[\"senior_worker\"]'::jsonb, '基准测试申报' || g, '基准测试', '[]'::jsonb, 1200, true, '[]'::jsonb, '[]'::jsonb, NULL, NULL, {status}, NULL, NULL, \
                 1, '{by}', now(), now(), CASE WHEN {status} = 'draft' THEN NULL ELSE TIMESTAMPTZ '2026-01-05 10:00+08' + (g % 200) * INTERVAL '1 day' END \
                 FROM generate_series(1, {n}) g"
            ),
        )
        .await?,
    ));
    out.push((
        "notices",
        exec(
            db,
            &format!(
                "INSERT INTO notices (id, title, body, published_at, ends_at, explanation, status, closed_at, created_by, created_at) \
                 SELECT md5('notice' || j)::uuid, '拟认定技能资源公示' || j, '公示', TIMESTAMPTZ '2026-06-24 10:00+08' + j * INTERVAL '1 day', \
                 TIMESTAMPTZ '2026-07-01 17:30+08' + j * INTERVAL '1 day', '5个工作日', \
                 CASE WHEN TIMESTAMPTZ '2026-07-01 17:30+08' + j * INTERVAL '1 day' > TIMESTAMPTZ '2026-08-10 10:00+08' THEN 'open' ELSE 'closed' END, \
                 NULL, '{by}', now() \
                 FROM generate_series(0, 59) j"
            ),
        )
        .await?,
    ));
    let noticed =
        "a.status IN ('on_notice','awaiting_ruling','awaiting_approval','refused','published','revoked','approved_for_development')";
    out.push((
        "notice_items",
        exec(
            db,
            &format!(
                "INSERT INTO notice_items (id, notice_id, application_id, position) \
                 SELECT md5('item' || a.id)::uuid, md5('notice' || (abs(hashtext(a.id::text)) % 60))::uuid, a.id, 1 \
                 FROM applications a WHERE a.number LIKE 'DGJN-2026-%' AND {noticed}"
            ),
        )
        .await?,
    ));
    out.push((
        "objections",
        exec(
            db,
            "INSERT INTO objections (id, notice_id, application_id, name, phone, email, argument, evidence_filename, evidence_content_type, \
             evidence_sha256, ip_hash, status, ruling, ruled_by, ruled_at, created_at) \
             SELECT md5('objection' || a.id)::uuid, i.notice_id, a.id, '异议人', '13912345678', NULL, '基准测试异议', NULL, NULL, NULL, md5(a.id::text), \
             CASE WHEN a.status = 'refused' THEN 'upheld' ELSE 'open' END, NULL, NULL, NULL, now() \
             FROM applications a JOIN notice_items i ON i.application_id = a.id WHERE a.status IN ('on_notice','awaiting_ruling','refused')",
        )
        .await?,
    ));
    out.push((
        "resources",
        exec(
            db,
            "INSERT INTO resources (id, application_id, number, category, kind, title, description, occupation_code, occupation_name, levels, \
             publisher_org_id, publisher_name, published_on, last_assessed_on, next_assessment_due, policy_document_id, policy_title, \
             policy_valid_until, revoked_on, created_at) \
             SELECT md5('resource' || a.id)::uuid, a.id, a.number, a.category, a.resource_kind, a.title, a.description, a.occupation_code, \
             a.occupation_name, a.levels, a.organization_id, '基准测试单位', DATE '2026-05-01', NULL, \
             DATE '2026-06-01' + (abs(hashtext(a.id::text)) % 400), NULL, '技能资源开发认定管理办法', DATE '2027-12-31', \
             CASE WHEN a.status = 'revoked' THEN DATE '2026-07-01' END, now() \
             FROM applications a WHERE a.status IN ('published','revoked')",
        )
        .await?,
    ));
    out.push((
        "payments",
        exec(
            db,
            &format!(
                "INSERT INTO payments (id, application_id, resource_id, organization_id, category, kind, fee_item, quantity, unit_amount, amount, \
                 fee_schedule_id, schedule_version, published_on, year, status, disbursed_at, disbursed_by, created_at, updated_at) \
                 SELECT md5('payment' || r.id)::uuid, r.application_id, r.id, r.publisher_org_id, r.category, r.kind, 'online_course', 1, 10000, 10000, \
                 (SELECT id FROM fee_schedules WHERE version = 1), 1, r.published_on, 2026, \
                 CASE WHEN r.revoked_on IS NOT NULL THEN 'clawed_back' WHEN abs(hashtext(r.id::text)) % 2 = 0 THEN 'disbursed' ELSE 'committed' END, \
                 CASE WHEN abs(hashtext(r.id::text)) % 2 = 0 THEN TIMESTAMPTZ '2026-06-01 10:00+08' END, \
                 CASE WHEN abs(hashtext(r.id::text)) % 2 = 0 THEN '{by}'::uuid END, now(), now() \
                 FROM resources r"
            ),
        )
        .await?,
    ));
    // Panels of 5 (one draw each) with their scores on every submitted
    // application, so the ranking pages rank real means (issue 17).
    out.push((
        "experts",
        exec(
            db,
            "INSERT INTO experts (id, user_id, name, specialty, title, organization_id, organization_name, expert_type, active, created_at, updated_at) \
             SELECT md5('expert' || e)::uuid, NULL, '基准专家' || e, '智能制造', '高级工程师', NULL, '东莞市某单位', \
             (ARRAY['method','content','practical'])[1 + e % 3], true, now(), now() FROM generate_series(1, 5) e",
        )
        .await?,
    ));
    let reviewed = "a.status <> 'draft' AND a.status <> 'submitted'";
    out.push((
        "panel_draws",
        exec(
            db,
            &format!(
                "INSERT INTO panel_draws (id, application_id, seed, requested, candidates, chosen, drawn_by, drawn_at) \
                 SELECT md5('draw' || a.id)::uuid, a.id, 42, 5, '[]'::jsonb, '[]'::jsonb, '{by}', a.submitted_at + INTERVAL '1 day' \
                 FROM applications a WHERE {reviewed}"
            ),
        )
        .await?,
    ));
    out.push((
        "panel_members",
        exec(
            db,
            &format!(
                "INSERT INTO panel_members (id, application_id, expert_id, draw_id, status, conflict_reason, declared_at, created_at) \
                 SELECT md5('seat' || a.id || e)::uuid, a.id, md5('expert' || e)::uuid, md5('draw' || a.id)::uuid, 'accepted', NULL, \
                 a.submitted_at + INTERVAL '2 days', a.submitted_at + INTERVAL '1 day' \
                 FROM applications a CROSS JOIN generate_series(1, 5) e WHERE {reviewed}"
            ),
        )
        .await?,
    ));
    out.push((
        "reviews",
        exec(
            db,
            &format!(
                "INSERT INTO reviews (id, application_id, panel_member_id, expert_id, industry_match, wide_application, content_fit, flexible_mode, \
                 social_benefit, score_hundredths, recommendation, comment, submitted_at) \
                 SELECT md5('review' || a.id || e)::uuid, a.id, md5('seat' || a.id || e)::uuid, md5('expert' || e)::uuid, NULL, NULL, NULL, NULL, NULL, \
                 6000 + abs(hashtext(a.id::text || e)) % 4000, 'recommend', NULL, a.submitted_at + INTERVAL '3 days' \
                 FROM applications a CROSS JOIN generate_series(1, 5) e WHERE {reviewed}"
            ),
        )
        .await?,
    ));
    exec(db, "ANALYZE").await?;
    Ok(out)
}
