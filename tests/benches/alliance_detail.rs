//! Benchmark of issue 20 (and issue 3, acceptance 7): the registry's read path
//! against its ceiling, on PostgreSQL.
//!
//! The ceiling is `tests/benches/ceiling/` — bare poem + sqlx + jsonwebtoken
//! doing per request what the registry does (verify the JWT, read the user row,
//! the same statements, the same JSON), copied from `../shared/bench-ceiling`
//! with a second handler for the report detail. It is built here into a temp
//! target dir (`CEILING_TARGET_DIR`, default `$TMPDIR/registry-bench-ceiling`).
//!
//! One seeded database (through the API: a registered alliance of 50 members
//! with their 附件1 forms and charter signatures; in bulk SQL: an alliance of 30
//! members with its half-year reports), then both servers on it as separate
//! processes with pools of 10 (the registry is this bench binary re-run as
//! `serve`, i.e. the `api` binary's code path, logging included; or
//! `BENCH_REGISTRY_BIN`), one bureau staff token, and `wrk` (one thread) against each
//! alternately: per connection count, three rounds of registry then ceiling,
//! each a 3 s warm-up then 10 s measured. Printed: req/s and p99 per round, the
//! means, the throughput ratio and the p99 ratio; and the statements one
//! request runs.
//!
//! ```sh
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p tests --bench alliance_detail
//! ```
//! `BENCH_ROUNDS` (3), `BENCH_SECONDS` (10), `BENCH_WARMUP` (3), `BENCH_CONNECTIONS` ("64,8"),
//! `BENCH_PATHS` ("alliance,report"); `BENCH_BASELINE_BIN`: an earlier build of this bench (or of
//! `api`) run third in every round as "before", for before/after figures; `BENCH_SERVE=1` seeds, starts both servers and prints their
//! URLs and the token, then waits (for `perf`/`valgrind` by hand).

// A benchmark: a failed request is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use entities::{
    OrgKind,
    models::{alliance, user},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tests::{Session, TestApp};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server process, killed when dropped.
struct Server {
    name: &'static str,
    base: String,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited: {status}", self.name);
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{} not ready", self.name);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The ceiling's source in this repository, built into its own target dir.
fn build_ceiling() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/ceiling/Cargo.toml");
    let target = std::env::var_os("CEILING_TARGET_DIR").map_or_else(|| std::env::temp_dir().join("registry-bench-ceiling"), PathBuf::from);
    eprintln!("building the ceiling ({}) into {}", manifest.display(), target.display());
    let status = Command::new(env_or("CARGO", "cargo"))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("cargo");
    assert!(status.success(), "building the ceiling failed");
    target.join("release/bare")
}

fn log_file(dir: &Path, name: &str) -> Stdio {
    Stdio::from(std::fs::File::create(dir.join(format!("{name}.log"))).expect("log file"))
}

/// The registry as its own process: this binary re-run as `serve` (the `api`
/// binary's entry point, `api::cli::main`), or `BENCH_REGISTRY_BIN`.
fn start_registry(database_url: &str, dir: &Path) -> Server {
    let exe = std::env::var_os("BENCH_REGISTRY_BIN").map_or_else(|| std::env::current_exe().expect("current exe"), PathBuf::from);
    start_registry_bin("registry", &exe, database_url, dir)
}

/// A registry binary (`api` or a bench binary of another checkout) as `name`.
fn start_registry_bin(name: &'static str, exe: &Path, database_url: &str, dir: &Path) -> Server {
    let port = free_port();
    let child = Command::new(exe)
        .arg("serve")
        .current_dir(dir)
        .env("BENCH_ROLE", "registry")
        .env("REGISTRY_DATABASE_URL", database_url)
        .env("REGISTRY_BIND", format!("127.0.0.1:{port}"))
        .env("REGISTRY_JWT_SECRET", tests::JWT_SECRET)
        .env("REGISTRY_DB_MAX_CONNECTIONS", "10")
        .env("REGISTRY_SCHEDULER__ENABLED", "false")
        .env("REGISTRY_DOCUMENTS_DIR", dir.join("documents"))
        .env("REGISTRY_MAIL__TRANSPORT", "memory")
        .stdout(log_file(dir, &format!("{name}-out")))
        .stderr(log_file(dir, name))
        .spawn()
        .expect("start the registry");
    Server { name, base: format!("http://127.0.0.1:{port}"), child }
}

fn start_ceiling(bin: &Path, database_url: &str, dir: &Path) -> Server {
    let port = free_port();
    let child = Command::new(bin)
        .env("DATABASE_URL", database_url)
        .env("JWT_SECRET", tests::JWT_SECRET)
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("DB_MAX_CONNECTIONS", "10")
        .stdout(log_file(dir, "ceiling-out"))
        .stderr(log_file(dir, "ceiling"))
        .spawn()
        .expect("start the ceiling");
    Server { name: "ceiling", base: format!("http://127.0.0.1:{port}"), child }
}

/// A bureau staff token valid for an hour by the real clock (both servers
/// check `exp` against it), signed as the registry signs.
fn staff_token(user_id: uuid::Uuid) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": user_id, "role": "bureau_staff", "iss": tests::ISSUER, "aud": tests::AUDIENCE,
        "iat": now, "exp": now + 3600, "jti": uuid::Uuid::now_v7()});
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(tests::JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

/// Seeds through the API: a registered alliance, 44 more units joining with
/// their forms and signatures (50 members). Returns its path.
async fn seed_alliance(app: &TestApp) -> String {
    let (f, _staff) = app.registered_alliance().await;
    let s = &f.initiator.session;
    for _ in 0..44 {
        let p = app.party(OrgKind::Enterprise).await;
        let (status, body) =
            app.post_json(&f.path("/members"), Some(s), &json!({"organization_id": p.id(), "effective_date": "2026-06-01"})).await;
        assert_eq!(status, 200, "add member: {body}");
        app.complete_join(&f, &p).await;
    }
    f.path("")
}

/// Seeds in bulk: one registered alliance of 30 members with four half-years
/// of reports; returns the path of its accepted 2025H2 report.
async fn seed_report(app: &TestApp, created_by: uuid::Uuid) -> String {
    tests::seed::seed_reports(&app.db, 1, 30, created_by).await.expect("seed reports");
    let alliance = alliance::Entity::find()
        .filter(alliance::Column::Name.eq("东莞市基准测试职业培训联盟1"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("seeded");
    format!("/api/v1/alliances/{}/reports/2025H2", alliance.id)
}

/// One wrk run: requests per second and p99 in ms.
fn wrk(url: &str, token: &str, connections: u32, seconds: u32) -> (f64, f64) {
    let out = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "--timeout", "10s"])
        .args(["-H", &format!("Authorization: Bearer {token}"), url])
        .output()
        .expect("wrk");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "wrk failed: {text}");
    assert!(!text.contains("Non-2xx"), "errors under load: {text}");
    let field = |prefix: &str| -> &str {
        text.lines().map(str::trim).find(|l| l.starts_with(prefix)).and_then(|l| l.split_whitespace().nth(1)).unwrap_or("0")
    };
    let rps = field("Requests/sec:").parse::<f64>().unwrap_or(0.0);
    (rps, to_ms(field("99%")))
}

/// `850.00us`, `12.34ms`, `1.20s` in ms.
fn to_ms(v: &str) -> f64 {
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    if let Some(x) = v.strip_suffix("us") {
        num(x) / 1000.0
    } else if let Some(x) = v.strip_suffix("ms") {
        num(x)
    } else if let Some(x) = v.strip_suffix('s') {
        num(x) * 1000.0
    } else {
        f64::NAN
    }
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Interleaved rounds against both servers for one path; prints each round and the summary.
fn compare(label: &str, path: &str, servers: &[&Server], token: &str) {
    let rounds: u32 = env_or("BENCH_ROUNDS", "3").parse().unwrap_or(3);
    let seconds: u32 = env_or("BENCH_SECONDS", "10").parse().unwrap_or(10);
    let warmup: u32 = env_or("BENCH_WARMUP", "3").parse().unwrap_or(3);
    for connections in env_or("BENCH_CONNECTIONS", "64,8").split(',').filter_map(|c| c.trim().parse::<u32>().ok()) {
        let mut results: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); servers.len()];
        for round in 1..=rounds {
            for (i, s) in servers.iter().enumerate() {
                let url = format!("{}{path}", s.base);
                if warmup > 0 {
                    let _ = wrk(&url, token, connections, warmup);
                }
                let (rps, p99) = wrk(&url, token, connections, seconds);
                println!("{label} c={connections:<3} round {round} {:<9} {rps:>8.0} req/s  p99 {p99:>7.1} ms", s.name);
                results[i].0.push(rps);
                results[i].1.push(p99);
            }
        }
        let (reg, ceil) = (&results[0], &results[1]);
        if let Some(before) = results.get(2) {
            println!(
                "{label} c={connections:<3} before   {:>7.0} req/s (rounds {}), p99 median {:.1} ms | throughput ratio to the ceiling {:.2}, p99 ratio {:.2}",
                mean(&before.0),
                before.0.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(", "),
                median(&before.1),
                mean(&before.0) / mean(&ceil.0),
                median(&before.1) / median(&ceil.1),
            );
        }
        println!(
            "{label} c={connections:<3} registry {:>7.0} req/s (rounds {}), p99 median {:.1} ms | ceiling {:>7.0} req/s (rounds {}), p99 median {:.1} ms | \
             throughput ratio {:.2} (target ≥ 0.85), p99 ratio {:.2} (target ≤ 1.5)",
            mean(&reg.0),
            reg.0.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(", "),
            median(&reg.1),
            mean(&ceil.0),
            ceil.0.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(", "),
            median(&ceil.1),
            mean(&reg.0) / mean(&ceil.0),
            median(&reg.1) / median(&ceil.1),
        );
    }
}

/// Statements and bytes of one request, through the seeding server (whose
/// connection counts statements).
async fn statements(app: &TestApp, s: &Session, path: &str) -> (usize, usize) {
    let _ = app.get(path, Some(s)).await;
    let before = app.query_count();
    let resp = app.send(app.request(reqwest::Method::GET, path, Some(s))).await;
    assert_eq!(resp.status(), 200, "{path}");
    let bytes = resp.bytes().await.unwrap().len();
    (app.query_count() - before, bytes)
}

async fn bench() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("alliance_detail bench: set TEST_DATABASE_URL to a PostgreSQL server; skipped");
        return;
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("alliance_detail bench: wrk is not installed; skipped");
        return;
    }
    let ceiling_bin = build_ceiling();
    let paths = env_or("BENCH_PATHS", "alliance,report");
    let app = tests::spawn_app().await;
    let started = Instant::now();
    let alliance = seed_alliance(&app).await;
    let staff = app.login("bureau_staff", None).await;
    let staff_id = user::Entity::find().filter(user::Column::Username.eq(&staff.username)).one(&app.db).await.unwrap().unwrap().id;
    let report = seed_report(&app, staff_id).await;
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    for (label, path) in [("alliance", &alliance), ("report", &report)] {
        let (n, bytes) = statements(&app, &staff, path).await;
        println!("GET {path} ({label}): {n} statements per request, {bytes} bytes");
    }
    let dir = tempfile::tempdir().unwrap();
    let url = app.settings.database_url.clone();
    let mut registry = start_registry(&url, dir.path());
    let mut ceiling = start_ceiling(&ceiling_bin, &url, dir.path());
    registry.wait_ready().await;
    ceiling.wait_ready().await;
    // `BENCH_BASELINE_BIN`: an earlier build of the registry, run third in each round ("before").
    let mut baseline = std::env::var_os("BENCH_BASELINE_BIN").map(|bin| start_registry_bin("before", Path::new(&bin), &url, dir.path()));
    if let Some(b) = baseline.as_mut() {
        b.wait_ready().await;
    }
    let token = staff_token(staff_id);
    let client = reqwest::Client::new();
    for (label, path) in [("alliance", &alliance), ("report", &report)] {
        for s in [&registry, &ceiling].into_iter().chain(baseline.as_ref()) {
            let resp = client.get(format!("{}{path}", s.base)).bearer_auth(&token).send().await.unwrap();
            let status = resp.status();
            let body = resp.bytes().await.unwrap();
            assert_eq!(status, 200, "{} {label}: {}", s.name, String::from_utf8_lossy(&body));
            println!("{:<8} {label}: {} bytes", s.name, body.len());
        }
    }
    if std::env::var("BENCH_SERVE").is_ok() {
        println!(
            "serving: registry {} (pid {}), ceiling {} (pid {}); paths {alliance} {report}\ntoken {token}",
            registry.base,
            registry.child.id(),
            ceiling.base,
            ceiling.child.id()
        );
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let mut servers = vec![&registry, &ceiling];
    servers.extend(baseline.as_ref());
    if paths.contains("alliance") {
        compare("GET /alliances/{id}          ", &alliance, &servers, &token);
    }
    if paths.contains("report") {
        compare("GET /alliances/{id}/reports/{p}", &report, &servers, &token);
    }
}

fn main() -> std::process::ExitCode {
    // Re-run as the registry's server (see `start_registry`).
    if std::env::var("BENCH_ROLE").as_deref() == Ok("registry") {
        return api::cli::main();
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(bench());
    std::process::ExitCode::SUCCESS
}
