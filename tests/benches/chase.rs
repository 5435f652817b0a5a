//! Benchmark (issue 5, acceptance 6): the report chase over 10,000 registered
//! alliances of 30 members each, one period due, on PostgreSQL: a full run,
//! then a second run that finds nothing to do.
//!
//! `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p tests --bench chase`
//! (`BENCH_KEEP_DB=1` keeps the database afterwards, for `EXPLAIN ANALYZE`; drop it by hand;
//! `CHASE_SHARES=n` sets `scheduler.shares`, 2 by default)
//!
//! Seeding is bulk SQL (`generate_series`): 10,000 initiators and a pool of
//! member organisations (3,000 by default, so an organisation belongs to about
//! 97 alliances; `CHASE_POOL=290000` for 290,000 distinct members), each with
//! one user with an email; every alliance has its initiator and 29 pool
//! members, registered on 10 March 2026. The chase runs on Wed 15 July 2026
//! 09:00, when the member rows of 2026H1 are due (300,000 missing rows): one
//! reminder per member-unit user (3,000 or 290,000) plus one per initiator
//! (10,000, report stage d-30 caught up).

// A benchmark: a failed step is a failed run.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use sea_orm::ConnectionTrait;

const ALLIANCES: i64 = 10_000;
const MEMBERS: i64 = 30;

#[tokio::main]
async fn main() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("chase bench: set TEST_DATABASE_URL to a PostgreSQL server; skipped");
        return;
    }
    // Member units are drawn from a pool: 3,000 by default (each belongs to
    // about 97 alliances); `CHASE_POOL=290000` makes every member distinct.
    let pool: i64 = std::env::var("CHASE_POOL").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000);
    let shares: u32 = std::env::var("CHASE_SHARES").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let app = tests::spawn_app_with(|s| {
        s.db_max_connections = 10;
        s.scheduler.shares = shares;
    })
    .await;
    let db = &app.db;
    let t = Instant::now();
    let statements = [
        // Organisations: 1..=ALLIANCES initiators (technical schools), then the pool (enterprises / institutes).
        format!(
            "INSERT INTO organizations (id, name, credit_code, kind, registered_in_dongguan, independent_legal_person, address, postcode, email,
                legal_representative, contact_person, office_phone, mobile, credit_code_verified, version, created_at, updated_at)
             SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, '基准单位' || i, '91441900' || lpad(i::text, 10, '0'),
                CASE WHEN i <= {ALLIANCES} THEN 'technical_school' WHEN i % 3 = 0 THEN 'research_institute' ELSE 'enterprise' END,
                true, true, '东莞市', '523000', 'org' || i || '@example.cn', '法人', '联系人', '0769-22880000', '13800769000', true, 1, now(), now()
             FROM generate_series(1, {}) AS i",
            ALLIANCES + pool
        ),
        format!(
            "INSERT INTO users (id, username, email, display_name, role, organization_id, password_hash, disabled, failed_logins, must_change_password, created_at, updated_at)
             SELECT ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, 'bench' || i, 'user' || i || '@example.cn', '联系人' || i, 'org_user',
                ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'x', false, 0, false, now(), now()
             FROM generate_series(1, {}) AS i",
            ALLIANCES + pool
        ),
        format!(
            "INSERT INTO alliances (id, name, industry, initiator_org_id, lead_org_id, status, registration_no, registered_on, charter_version, version, created_by, created_at, updated_at)
             SELECT ('00000000-0000-7000-a000-' || lpad(to_hex(i), 12, '0'))::uuid, '基准联盟' || i, '智能制造',
                ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
                ('00000000-0000-7000-8000-' || lpad(to_hex({ALLIANCES} + 1 + (i * 29) % {pool}), 12, '0'))::uuid,
                'registered', 'DGLM-2026-' || lpad(i::text, 5, '0'), DATE '2026-03-10', 1, 1,
                ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, now(), now()
             FROM generate_series(1, {ALLIANCES}) AS i"
        ),
        format!(
            "INSERT INTO alliance_members (id, alliance_id, organization_id, created_at)
             SELECT gen_random_uuid(), ('00000000-0000-7000-a000-' || lpad(to_hex(i), 12, '0'))::uuid,
                CASE WHEN j = 0 THEN ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid
                     ELSE ('00000000-0000-7000-8000-' || lpad(to_hex({ALLIANCES} + 1 + (i * 29 + j - 1) % {pool}), 12, '0'))::uuid END,
                now()
             FROM generate_series(1, {ALLIANCES}) AS i, generate_series(0, {}) AS j",
            MEMBERS - 1
        ),
        // As autovacuum would have left a live server's tables (otherwise it
        // vacuums the freshly seeded ones during the measured run).
        "VACUUM ANALYZE".to_string(),
    ];
    for sql in statements {
        db.execute_unprepared(&sql).await.unwrap();
    }
    println!("seeded {ALLIANCES} alliances × {MEMBERS} members ({} organisations) in {:.1} s", ALLIANCES + pool, t.elapsed().as_secs_f64());

    app.set_now("2026-07-15T09:00:00+08:00").await;
    let t = Instant::now();
    let first = app.run_job("report_chase").await;
    let full = t.elapsed();
    let t = Instant::now();
    let second = app.run_job("report_chase").await;
    let again = t.elapsed();
    println!(
        "report_chase ({shares} shares), full run: {:.2} s (seen {}, acted {}, failed {}); second run: {:.3} s (seen {}, acted {})",
        full.as_secs_f64(),
        first.seen,
        first.acted,
        first.failed,
        again.as_secs_f64(),
        second.seen,
        second.acted
    );
    assert_eq!(second.acted, 0);
    if std::env::var("BENCH_KEEP_DB").is_ok() {
        // Keep the database for EXPLAIN ANALYZE (drop it by hand afterwards).
        println!("database kept: {}", app.settings.database_url);
        std::mem::forget(app);
    }
}
