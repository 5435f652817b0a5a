//! Benchmark of issue 8 (acceptance 4), PostgreSQL only: 2,000 registered
//! alliances × 30 members × 8 half-years of reports (2022H2–2026H1) written in
//! bulk by SQL (`tests::seed`), then the p95 latency of
//! `GET /dashboard/overview?period=2026H1` over HTTP against the real server
//! on 10 August 2026 (2026H1 past due), and the statements one request runs.
//! Target: p95 under 150 ms. Then 3,000 skill-resource applications of 2026
//! spread over the categories and their statuses, with notices, objections,
//! catalogue entries and payments (`tests::seed::seed_applications`).
//! The member figures are kept until a membership changes: a second
//! measurement of the overview changes one before each request.
//!
//! ```sh
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p tests --bench dashboard
//! ```
//! `BENCH_ALLIANCES`, `BENCH_MEMBERS`, `BENCH_PERIODS`, `BENCH_APPLICATIONS` and `BENCH_ROUNDS` change the size;
//! `BENCH_KEEP_DB=1` keeps the database afterwards (for `EXPLAIN ANALYZE`; drop it by hand).
//! `BENCH_PAGES=1` measures only the bureau's review pages (a call's
//! applications, filtered by status, the ranking's first and second page,
//! notices, payments) on the 3,000 applications, with a smaller alliance seed
//! (100 × 30 members, one half-year, i.e. the same 3,000 applicant
//! organisations) and without the overview measurements:
//!
//! ```sh
//! BENCH_PAGES=1 TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p tests --bench dashboard
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use entities::models::user;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use tests::{
    Session, TestApp,
    seed::{seed_applications, seed_reports_with},
    spawn_app,
    web::{WebClient, measure_page},
};

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// p95 of `rounds` GETs of `path`, and the statements of one request.
async fn measure(app: &TestApp, s: &Session, label: &str, path: &str, rounds: u32) -> (Duration, usize) {
    measure_after(app, s, label, path, rounds, None).await
}

/// [`measure`], running `before_each` (SQL, not timed) before each request.
async fn measure_after(app: &TestApp, s: &Session, label: &str, path: &str, rounds: u32, before_each: Option<&str>) -> (Duration, usize) {
    for _ in 0..5 {
        let resp = app.send(app.request(reqwest::Method::GET, path, Some(s))).await;
        assert_eq!(resp.status(), 200, "{path}");
        let _ = resp.bytes().await;
    }
    if let Some(sql) = before_each {
        app.db.execute_unprepared(sql).await.expect("before each");
    }
    let before = app.query_count();
    let _ = app.send(app.request(reqwest::Method::GET, path, Some(s))).await.bytes().await;
    let statements = app.query_count() - before;
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..rounds {
        if let Some(sql) = before_each {
            app.db.execute_unprepared(sql).await.expect("before each");
        }
        let t = Instant::now();
        let resp = app.send(app.request(reqwest::Method::GET, path, Some(s))).await;
        assert_eq!(resp.status(), 200, "{path}");
        bytes = resp.bytes().await.unwrap().len();
        times.push(t.elapsed());
    }
    times.sort();
    let p95 = percentile(&times, 0.95);
    println!(
        "{label:<40} n={rounds:<4} p50={:>7.1} ms  p95={:>7.1} ms  max={:>7.1} ms  statements={statements}  ({bytes} bytes)",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        p95.as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    (p95, statements)
}

/// Issue 8's measurements: the overview (also after a membership change), the overdue list and the export.
async fn overview(app: &TestApp, rounds: u32) {
    let s = app.admin().await;
    let (overview, statements) =
        measure(app, &s, "GET /dashboard/overview?period=2026H1", "/api/v1/dashboard/overview?period=2026H1", rounds).await;
    measure(app, &s, "GET /dashboard/overview (default period)", "/api/v1/dashboard/overview", rounds).await;
    // The member figures are kept until a membership changes: the first
    // request after a change counts them again. A status set to itself is
    // such a change for the triggers.
    let touch = "UPDATE alliances SET status = status WHERE id = (SELECT MIN(id::text)::uuid FROM alliances)";
    measure_after(app, &s, "GET /dashboard/overview after a change", "/api/v1/dashboard/overview?period=2026H1", rounds / 3, Some(touch))
        .await;
    measure(app, &s, "GET /dashboard/overdue (first page)", "/api/v1/dashboard/overdue", rounds).await;
    measure(app, &s, "GET /dashboard/overview.xlsx", "/api/v1/dashboard/overview.xlsx?period=2026H1", 10).await;
    let target = Duration::from_millis(150);
    println!(
        "overview p95 {:.1} ms {} the 150 ms target; {statements} statements per request (one of them the caller's account)",
        overview.as_secs_f64() * 1000.0,
        if overview < target { "meets" } else { "MISSES" }
    );
}

#[tokio::main]
async fn main() {
    if std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")).is_none() {
        println!("dashboard bench skipped: set TEST_DATABASE_URL=postgres://… (PostgreSQL) to run it");
        return;
    }
    let pages_only = std::env::var("BENCH_PAGES").is_ok_and(|v| v == "1");
    let (alliances, periods) = if pages_only { (100, 1) } else { (2000, 8) };
    let (alliances, members, periods, rounds) = (
        env_u32("BENCH_ALLIANCES", alliances),
        env_u32("BENCH_MEMBERS", 30),
        env_u32("BENCH_PERIODS", periods),
        env_u32("BENCH_ROUNDS", 200),
    );
    let applications = env_u32("BENCH_APPLICATIONS", 3000);
    let app = spawn_app().await;
    let admin = user::Entity::find().filter(user::Column::Username.eq("admin")).one(&app.db).await.unwrap().unwrap();
    let t = Instant::now();
    let written = seed_reports_with(&app.db, alliances, members, admin.id, periods as usize).await.expect("seed");
    println!("seeded in {:.1} s: {written:?}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let written = seed_applications(&app.db, applications, alliances * members, admin.id).await.expect("seed applications");
    println!("seeded in {:.1} s: {written:?}", t.elapsed().as_secs_f64());
    // A live server's tables have been vacuumed and analysed by autovacuum;
    // freshly bulk-seeded ones have not, and autovacuum would otherwise do it
    // during the first measurement.
    let t = Instant::now();
    app.db.execute_unprepared("VACUUM ANALYZE").await.expect("vacuum");
    println!("vacuumed and analysed in {:.1} s", t.elapsed().as_secs_f64());

    app.set_now("2026-08-10T10:00:00+08:00").await;
    if !pages_only {
        overview(&app, rounds).await;
    }
    // Issue 17: the heaviest bureau pages of the skill-resource review, on
    // the 3,000 applications (about 600 per call), signed in through the login form.
    let staff = app.login("bureau_staff", None).await;
    let web = WebClient::sign_in(&app, &staff.username, tests::USER_PASSWORD).await;
    let call: uuid::Uuid = entities::models::call::Entity::find()
        .filter(entities::models::call::Column::Category.eq(entities::resource::Category::TrainingResource))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a call of category 3")
        .id;
    let mut pages = Vec::new();
    pages.push(measure_page(&app, &web, "/bureau/calls/{id} (applications, first 50)", &format!("/bureau/calls/{call}"), rounds).await);
    pages.push(
        measure_page(&app, &web, "/bureau/calls/{id}?status=published", &format!("/bureau/calls/{call}?status=published"), rounds).await,
    );
    let ranking = format!("/bureau/calls/{call}/ranking");
    pages.push(measure_page(&app, &web, "/bureau/calls/{id}/ranking (first 50)", &ranking, rounds).await);
    // The second page, through the form's "下一页" button (its cursor).
    let first = web.get(&ranking).await.body;
    let cursor = first
        .split("id=\"next-page\"")
        .next()
        .and_then(|b| b.rsplit("value=\"").next())
        .and_then(|v| v.split('"').next())
        .expect("a second page of the ranking")
        .to_string();
    pages.push(measure_page(&app, &web, "/bureau/calls/{id}/ranking (page 2)", &format!("{ranking}?cursor={cursor}"), rounds).await);
    pages.push(measure_page(&app, &web, "/bureau/notices (first 50)", "/bureau/notices", rounds).await);
    pages.push(measure_page(&app, &web, "/bureau/payments (first 50)", "/bureau/payments", rounds).await);
    println!(
        "review pages p95 {} the 50 ms target (worst {:.1} ms)",
        if pages.iter().all(|(p, _)| *p < Duration::from_millis(50)) { "meet" } else { "MISS" },
        pages.iter().map(|(p, _)| p.as_secs_f64() * 1000.0).fold(0.0, f64::max)
    );
    if std::env::var("BENCH_KEEP_DB").is_ok() {
        // Keep the database for EXPLAIN ANALYZE (drop it by hand afterwards).
        println!("database kept: {}", app.settings.database_url);
        std::mem::forget(app);
    }
}
