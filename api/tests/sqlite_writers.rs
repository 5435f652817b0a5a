//! Issue 21 (2): on one SQLite file, the server answering writes and the CLI
//! (`api mail test`, `api jobs run`) writing from other processes, all flat
//! out together, never fail with "database is locked": every write
//! transaction begins IMMEDIATE and waits on the busy timeout.
//!
//! A further connection keeps the write lock busy (20 ms held, 20 ms free,
//! like a long import). That widens the window in which a transaction begun
//! the deferred way has read and not yet written: SQLite does not wait on the
//! busy timeout for such a transaction, it fails at once (code 5, or 517 once
//! the other writer has committed). With a deferred `BEGIN` 71 of the 200
//! writes failed, every test mail among them (see docs/DECISIONS.md); with
//! `BEGIN IMMEDIATE` everywhere none fails.

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use api::{Application, Settings, config::Mode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const ADMIN_PASSWORD: &str = "Admin#Test2026";
/// Each HTTP writer's requests, each CLI writer's runs.
const HTTP_WRITERS: usize = 4;
const REQUESTS: usize = 40;
const CLI_WRITERS: usize = 2;
const CLI_RUNS: usize = 20;

/// One failed write: who, how it answered.
type Failure = String;

async fn http_writer(client: reqwest::Client, base: String, token: String, n: usize) -> Vec<Failure> {
    let mut failures = Vec::new();
    for i in 0..REQUESTS {
        let (path, body) = if i % 2 == 0 {
            ("/api/v1/outbox/test".to_string(), json!({"to_address": format!("writer{n}.{i}@example.dg.cn")}))
        } else {
            ("/api/v1/jobs/policy_validity/run".to_string(), json!({}))
        };
        match client.post(format!("{base}{path}")).bearer_auth(&token).json(&body).send().await {
            Ok(r) if r.status().is_success() => {
                let body: Value = r.json().await.unwrap_or_default();
                if body.get("outcome").is_some_and(|o| o != "succeeded") {
                    failures.push(format!("POST {path}: run {body}"));
                }
            }
            Ok(r) => failures.push(format!("POST {path}: {} {}", r.status(), r.text().await.unwrap_or_default())),
            Err(e) => failures.push(format!("POST {path}: {e}")),
        }
    }
    failures
}

fn cli_writer(url: &str, dir: &std::path::Path, n: usize) -> Vec<Failure> {
    let mut failures = Vec::new();
    for i in 0..CLI_RUNS {
        let to = format!("cli{n}.{i}@example.dg.cn");
        let args: Vec<&str> = if i % 2 == 0 { vec!["mail", "test", "--to", &to] } else { vec!["jobs", "run", "policy_validity"] };
        let out = Command::new(env!("CARGO_BIN_EXE_api"))
            .args(&args)
            .current_dir(dir)
            .env("DATABASE_URL", url)
            .env("REGISTRY_MAIL__TRANSPORT", "file")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run api");
        if !out.status.success() {
            failures.push(format!("api {}: {:?} {}", args.join(" "), out.status.code(), String::from_utf8_lossy(&out.stderr)));
        }
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_and_the_cli_writing_flat_out_on_one_sqlite_file_never_hit_database_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("registry.db").display());
    let mut settings = Settings {
        mode: Mode::Dev,
        database_url: url.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        jwt_secret: Some("test-secret-test-secret-test-secret-0123456789".into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        documents_dir: dir.path().join("documents"),
        ..Settings::default()
    };
    settings.scheduler.enabled = false;
    settings.mail.transport = jobs::mailer::Transport::File;
    settings.mail.dir = dir.path().join("mail");
    let app = Application::build(settings, Arc::new(jobs::SystemClock)).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let server = tokio::spawn(app.run_until_stopped());

    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().expect("token").to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let busy = {
        let (conn, stop) = (api::db::connect(&url, 1, 0).await.unwrap(), Arc::clone(&stop));
        tokio::spawn(async move {
            let mut held = 0;
            while !stop.load(Ordering::SeqCst) {
                let txn = api::db::begin_write(&conn).await.expect("the busy writer's lock");
                txn.execute_unprepared("UPDATE job_schedules SET enabled = enabled").await.unwrap();
                tokio::time::sleep(Duration::from_millis(20)).await;
                txn.commit().await.unwrap();
                held += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            held
        })
    };

    let started = Instant::now();
    let cli: Vec<_> = (0..CLI_WRITERS)
        .map(|n| {
            let (url, dir) = (url.clone(), dir.path().to_path_buf());
            tokio::task::spawn_blocking(move || cli_writer(&url, &dir, n))
        })
        .collect();
    let http: Vec<_> = (0..HTTP_WRITERS).map(|n| tokio::spawn(http_writer(client.clone(), base.clone(), token.clone(), n))).collect();
    let mut failures = Vec::new();
    for task in http {
        failures.extend(task.await.unwrap());
    }
    for task in cli {
        failures.extend(task.await.unwrap());
    }
    stop.store(true, Ordering::SeqCst);
    let held = busy.await.unwrap();
    server.abort();
    let writes = HTTP_WRITERS * REQUESTS + CLI_WRITERS * CLI_RUNS;
    eprintln!(
        "{writes} writes ({HTTP_WRITERS}×{REQUESTS} HTTP, {CLI_WRITERS}×{CLI_RUNS} CLI) beside {held} busy-writer locks in {:?}: {} failed",
        started.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "{} of {writes} writes failed:\n{}", failures.len(), failures.join("\n"));
}
