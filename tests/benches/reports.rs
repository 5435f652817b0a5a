//! Benchmark of issue 4 (acceptance 6), PostgreSQL only: 2,000 registered
//! alliances × 30 members × 4 half-years of reports written in bulk by SQL
//! (`tests::seed`), then the p95 latency of the bureau list
//! `GET /reports?period=2026H1` (first page, a filtered page, a later page)
//! and of one alliance's XLSX export, measured over HTTP against the real
//! server. Target: p95 under 100 ms for the list.
//!
//! ```sh
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p tests --bench reports
//! ```
//! `BENCH_ALLIANCES`, `BENCH_MEMBERS` and `BENCH_ROUNDS` change the size.
//!
//! Issue 15 acceptance 5: the web pages of the same data, signed in through
//! the login form with a browser session — the bureau's report queue, the
//! filing queue, one report page and the bureau's 我的待办 — with the
//! statements each page runs. Target: p95 under 50 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use entities::models::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tests::{
    Session, TestApp,
    seed::seed_reports,
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

async fn measure(app: &TestApp, s: &Session, label: &str, path: &str, rounds: u32) -> Duration {
    // Warm-up (connections, plan cache).
    for _ in 0..5 {
        let resp = app.send(app.request(reqwest::Method::GET, path, Some(s))).await;
        assert_eq!(resp.status(), 200, "{path}");
        let _ = resp.bytes().await;
    }
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let resp = app.send(app.request(reqwest::Method::GET, path, Some(s))).await;
        assert_eq!(resp.status(), 200, "{path}");
        bytes = resp.bytes().await.unwrap().len();
        times.push(t.elapsed());
    }
    times.sort();
    let p95 = percentile(&times, 0.95);
    println!(
        "{label:<44} n={rounds:<4} p50={:>7.1} ms  p95={:>7.1} ms  max={:>7.1} ms  ({bytes} bytes)",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        p95.as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    p95
}

#[tokio::main]
async fn main() {
    if std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")).is_none() {
        println!("reports bench skipped: set TEST_DATABASE_URL=postgres://… (PostgreSQL) to run it");
        return;
    }
    let (alliances, members, rounds) = (env_u32("BENCH_ALLIANCES", 2000), env_u32("BENCH_MEMBERS", 30), env_u32("BENCH_ROUNDS", 200));
    let app = spawn_app().await;
    let admin = user::Entity::find().filter(user::Column::Username.eq("admin")).one(&app.db).await.unwrap().unwrap();
    let t = Instant::now();
    let written = seed_reports(&app.db, alliances, members, admin.id).await.expect("seed");
    println!("seeded in {:.1} s: {written:?}", t.elapsed().as_secs_f64());

    app.set_now("2026-07-20T10:00:00+08:00").await;
    let s = app.admin().await;
    let list = measure(&app, &s, "GET /reports?period=2026H1 (first page)", "/api/v1/reports?period=2026H1", rounds).await;
    let late = measure(&app, &s, "GET /reports?period=2026H1&status=late", "/api/v1/reports?period=2026H1&status=late", rounds).await;
    let (_, page) = app.get("/api/v1/reports?period=2026H1&status=returned&limit=200", Some(&s)).await;
    let cursor = page["next_cursor"].as_str().unwrap_or_default().to_string();
    let later = measure(
        &app,
        &s,
        "GET /reports?…&status=returned (2nd page of 200)",
        &format!("/api/v1/reports?period=2026H1&status=returned&limit=200&cursor={cursor}"),
        rounds,
    )
    .await;
    let (_, first) = app.get("/api/v1/reports?period=2026H1&status=submitted&limit=1", Some(&s)).await;
    let id = first["items"][0]["alliance_id"].as_str().unwrap().to_string();
    let xlsx = measure(
        &app,
        &s,
        "GET /alliances/{id}/reports/2026H1/export.xlsx",
        &format!("/api/v1/alliances/{id}/reports/2026H1/export.xlsx"),
        rounds,
    )
    .await;
    measure(&app, &s, "GET /alliances/{id}/reports/2026H1 (detail)", &format!("/api/v1/alliances/{id}/reports/2026H1"), rounds).await;
    measure(&app, &s, "GET /reports/export.xlsx?period=2026H1 (bureau-wide)", "/api/v1/reports/export.xlsx?period=2026H1", 10).await;
    // The web pages of issue 15 (signed in as a bureau_staff account through the login form).
    let staff = app.login("bureau_staff", None).await;
    let web = WebClient::sign_in(&app, &staff.username, tests::USER_PASSWORD).await;
    let mut pages = Vec::new();
    pages.push(measure_page(&app, &web, "/review/reports (queue, first 50)", "/review/reports", rounds).await);
    pages.push(
        measure_page(&app, &web, "/review/reports?period=2026H1&name=…", "/review/reports?period=2026H1&name=%E8%81%94%E7%9B%9F", rounds)
            .await,
    );
    pages.push(measure_page(&app, &web, "/review/filings (queue)", "/review/filings", rounds).await);
    pages.push(
        measure_page(&app, &web, "/alliances/{id}/reports/2026H1 (report)", &format!("/alliances/{id}/reports/2026H1"), rounds).await,
    );
    pages.push(measure_page(&app, &web, "/tasks (bureau 我的待办)", "/tasks", rounds).await);
    let page_target = Duration::from_millis(50);
    println!(
        "pages p95 {} the 50 ms target (worst {:.1} ms)",
        if pages.iter().all(|(p, _)| *p < page_target) { "meet" } else { "MISS" },
        pages.iter().map(|(p, _)| p.as_secs_f64() * 1000.0).fold(0.0, f64::max)
    );
    let target = Duration::from_millis(100);
    println!(
        "list p95 {} the 100 ms target (first page {:.1} ms, filtered {:.1} ms, later page {:.1} ms); one alliance's XLSX p95 {:.1} ms",
        if list < target && late < target && later < target { "meets" } else { "MISSES" },
        list.as_secs_f64() * 1000.0,
        late.as_secs_f64() * 1000.0,
        later.as_secs_f64() * 1000.0,
        xlsx.as_secs_f64() * 1000.0
    );
}
