//! Test harness: [`spawn_app`] starts the real server on a random port against
//! a fresh database — a new SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE_URL` is set (dropped afterwards) — with a settable clock and
//! an in-process SMTP sink that the app's mail goes to. The job runner is off
//! unless a test turns it on (`spawn_app_with(|s| s.scheduler.enabled = true)`);
//! [`TestApp::run_job`] runs a job at the clock's time. Helpers read like the
//! user's actions.

pub mod alliances;
pub mod browser;
pub mod conformance;
pub mod dashboard;
pub mod db;
pub mod development;
pub mod http;
pub mod portal;
pub mod proxy;
pub mod reports;
pub mod resources;
pub mod seed;
pub mod smtp;
pub mod web;

use std::sync::Arc;

use api::{Application, Settings, config::Mode, state::AppState};
use chrono::{DateTime, Utc};
use entities::OrgKind;
use jobs::{ManualClock, mailer::TlsMode, mailer::Transport};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

pub use crate::http::Session;

pub const ADMIN_PASSWORD: &str = "Admin#Test2026";
pub const USER_PASSWORD: &str = "User#Test2026";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
pub const ISSUER: &str = "dg-skills-registry";
pub const AUDIENCE: &str = "dg-skills-registry-api";

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    /// Direct access for assertions (counts, audit rows).
    pub db: DatabaseConnection,
    pub clock: ManualClock,
    pub settings: Settings,
    pub backend: db::Backend,
    /// The server's state: run jobs and services directly.
    pub state: AppState,
    /// Where the app's mail goes.
    pub smtp: smtp::SmtpSink,
    /// Statements the app's connection has run (a sea-orm metric callback).
    pub queries: Arc<std::sync::atomic::AtomicUsize>,
    /// `None` for a second app on the first one's database.
    _database: Option<db::TestDatabase>,
    _files: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
    /// Answers that disagree with the spec (issue 19): the test fails on drop.
    pub conformance: conformance::Seen,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        let seen = std::mem::take(&mut *self.conformance.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        if !seen.is_empty() && !std::thread::panicking() {
            panic!("answers the spec does not document (openapi/openapi.yaml):\n{}", seen.join("\n"));
        }
    }
}

/// The default test time: Monday 1 June 2026, 09:00 in Dongguan.
#[must_use]
pub fn default_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T09:00:00+08:00").map(|d| d.to_utc()).unwrap_or_default()
}

/// Starts the server with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the server after `tweak` adjusts the settings.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let files = tempfile::tempdir().expect("tempdir");
    let database = db::TestDatabase::create(&files).await;
    let sink = smtp::SmtpSink::start().await;
    let mut settings = Settings {
        mode: Mode::Dev,
        database_url: database.url.clone(),
        bind: "127.0.0.1:0".parse().expect("addr"),
        jwt_secret: Some(JWT_SECRET.into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        documents_dir: files.path().join("documents"),
        db_max_connections: 5,
        ..Settings::default()
    };
    settings.scheduler.enabled = false;
    settings.mail.transport = Transport::Smtp;
    settings.smtp.host = "127.0.0.1".into();
    settings.smtp.port = sink.port;
    settings.smtp.tls = TlsMode::None;
    settings.smtp.timeout_secs = 5;
    tweak(&mut settings);
    let backend = database.backend;
    start(settings, ManualClock::new(default_now()), sink, Some(database), files, backend).await
}

/// A second server on `first`'s database (no new database, no migrations to
/// run), with its own clock set to `first`'s time and the same SMTP sink:
/// two replicas of one deployment. `tweak` adjusts its settings.
pub async fn spawn_second_app(first: &TestApp, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let files = tempfile::tempdir().expect("tempdir");
    let mut settings = first.settings.clone();
    settings.documents_dir = files.path().join("documents");
    tweak(&mut settings);
    let clock = ManualClock::new(jobs::Clock::now(&first.clock));
    start(settings, clock, first.smtp.clone(), None, files, first.backend).await
}

async fn start(
    settings: Settings,
    clock: ManualClock,
    smtp: smtp::SmtpSink,
    database: Option<db::TestDatabase>,
    files: tempfile::TempDir,
    backend: db::Backend,
) -> TestApp {
    let mut conn = api::startup::connect_and_migrate(&settings).await.expect("connect and migrate");
    let queries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&queries);
    // `SLOW_SQL_MS=50` prints every statement slower than that (benchmarks).
    let slow = std::env::var("SLOW_SQL_MS").ok().and_then(|v| v.parse::<u64>().ok()).map(std::time::Duration::from_millis);
    conn.set_metric_callback(move |info| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if slow.is_some_and(|s| info.elapsed > s) {
            eprintln!("slow statement ({} ms): {}", info.elapsed.as_millis(), info.statement.sql);
        }
    });
    let conformance = conformance::Seen::default();
    let app = Application::build_with_connection(settings.clone(), Arc::new(clock.clone()), conn)
        .await
        .expect("build app")
        .observe(conformance::observe(conformance.clone()));
    let port = app.port();
    let state = app.state().clone();
    let server = tokio::spawn(async move {
        let _ = app.run_until_stopped().await;
    });
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
        db: state.db.clone(),
        clock,
        settings,
        backend,
        state,
        smtp,
        queries,
        _database: database,
        _files: files,
        server,
        conformance,
    }
}

static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// A valid, unique credit code (Dongguan region) for test organisations.
#[must_use]
pub fn fresh_credit_code() -> String {
    let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let salt = u64::from(std::process::id()) % 1000;
    let first17 = format!("91441900{:09}", (salt * 1_000_000 + n as u64) % 1_000_000_000);
    let check = entities::values::compute_check_char(&first17).expect("check char");
    format!("{first17}{check}")
}

/// The API name of an organisation kind.
#[must_use]
pub fn kind_name(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Enterprise => "enterprise",
        OrgKind::VocationalCollege => "vocational_college",
        OrgKind::TechnicalSchool => "technical_school",
        OrgKind::TrainingInstitution => "training_institution",
        OrgKind::ResearchInstitute => "research_institute",
        OrgKind::IndustryAssociation => "industry_association",
        OrgKind::Other => "other",
    }
}

/// A complete, valid organisation body.
#[must_use]
pub fn org_body(name: &str, kind: OrgKind) -> Value {
    json!({
        "name": name,
        "credit_code": fresh_credit_code(),
        "kind": kind_name(kind),
        "registered_in_dongguan": true,
        "independent_legal_person": true,
        "address": "广东省东莞市南城街道鸿福路200号",
        "postcode": "523000",
        "email": "office@example.dg.cn",
        "legal_representative": "张三",
        "contact_person": "李四",
        "office_phone": "0769-22881234",
        "mobile": "13800769123",
        "fax": "0769-22991234",
        "profile": "测试单位简介"
    })
}

impl TestApp {
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Logs in as the first-start administrator.
    pub async fn admin(&self) -> Session {
        self.login_as("admin", ADMIN_PASSWORD).await
    }

    /// Logs in; panics on failure.
    pub async fn login_as(&self, username: &str, password: &str) -> Session {
        let (status, body) = self.post_json("/api/v1/auth/login", None, &json!({"username": username, "password": password})).await;
        assert_eq!(status, 200, "login {username}: {body}");
        Session::from_tokens(&body, username)
    }

    /// Creates an account of `role` (via the admin API) and logs in as it.
    /// `org` is required for `org_user`.
    pub async fn login(&self, role: &str, org: Option<&str>) -> Session {
        let admin = self.admin().await;
        let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let username = format!("{role}{n}");
        let (status, body) = self
            .post_json(
                "/api/v1/users",
                Some(&admin),
                &json!({"username": username, "display_name": format!("测试{role}"), "role": role, "organization_id": org, "password": USER_PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "create user: {body}");
        self.login_as(&username, USER_PASSWORD).await
    }

    /// Registers an organisation of `kind` (as bureau staff) and returns its JSON.
    pub async fn create_org(&self, kind: OrgKind) -> Value {
        let admin = self.admin().await;
        let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (status, body) = self.post_json("/api/v1/organizations", Some(&admin), &org_body(&format!("东莞市测试单位{n}"), kind)).await;
        assert_eq!(status, 201, "create org: {body}");
        body
    }

    /// An org_user session of a new organisation of `kind`, and the organisation.
    pub async fn org_user(&self, kind: OrgKind) -> (Session, Value) {
        let org = self.create_org(kind).await;
        let id = org["id"].as_str().expect("id").to_string();
        (self.login("org_user", Some(&id)).await, org)
    }

    /// Statements run so far on the app's connection.
    #[must_use]
    pub fn query_count(&self) -> usize {
        self.queries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The service clock as a Unix timestamp.
    #[must_use]
    pub fn now_ts(&self) -> i64 {
        jobs::Clock::now(&self.clock).timestamp()
    }

    pub async fn set_now(&self, rfc3339: &str) {
        self.clock.set(DateTime::parse_from_rfc3339(rfc3339).expect("time").to_utc());
    }

    /// Runs job `name` once at the clock's time, as `POST /jobs/{name}/run`
    /// and `jobs run` do (same function, no HTTP): the recorded run.
    pub async fn run_job(&self, name: &str) -> entities::models::job_run::Model {
        api::services::jobs::run_now(&self.state, None, name).await.unwrap_or_else(|e| panic!("run {name}: {e}"))
    }

    /// Queues a `test_message` to `to` in its own transaction, as other code
    /// queues mail: through `jobs::outbox::enqueue`. Answers the outbox id.
    pub async fn queue_test_mail(&self, to: &str, name: &str, user: Option<uuid::Uuid>, dedupe_key: Option<&str>) -> Option<uuid::Uuid> {
        let txn = jobs::db::begin_write(&self.db).await.expect("begin");
        let mail = jobs::outbox::OutgoingMail {
            to_address: to.to_string(),
            to_user_id: user,
            template: "test_message",
            vars: json!({"recipient_name": name, "sent_by": "测试程序", "link": "http://127.0.0.1/docs"}),
            dedupe_key: dedupe_key.map(str::to_string),
        };
        let id = jobs::outbox::enqueue(&txn, mail, jobs::Clock::now(&self.clock)).await.expect("enqueue");
        txn.commit().await.expect("commit");
        id
    }

    /// Creates an account of `role` with an e-mail address (via the admin API);
    /// answers its id and a session.
    pub async fn user_with_email(&self, role: &str, email: &str, display_name: &str) -> (uuid::Uuid, Session) {
        let admin = self.admin().await;
        let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let username = format!("{role}{n}");
        let (status, body) = self
            .post_json(
                "/api/v1/users",
                Some(&admin),
                &json!({"username": username, "display_name": display_name, "email": email, "role": role, "password": USER_PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "create user: {body}");
        let id = body["user"]["id"].as_str().expect("id").parse().expect("uuid");
        (id, self.login_as(&username, USER_PASSWORD).await)
    }
}
