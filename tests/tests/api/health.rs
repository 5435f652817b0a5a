//! Health, readiness, docs and the spec endpoints.

use tests::{db::Backend, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_ready_docs_and_spec_are_served() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz", None).await.0, 200);
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    let docs = app.send(app.client.get(app.url("/docs/"))).await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"), "Swagger UI page");
    let (status, spec) = app.get("/openapi.json", None).await;
    assert_eq!(status, 200);
    assert!(spec["paths"]["/auth/login"]["post"].is_object(), "login documented");
    let yaml = app.send(app.client.get(app.url("/openapi.yaml"))).await;
    assert_eq!(yaml.status(), 200);
    assert!(yaml.text().await.unwrap().starts_with("openapi: 3"));
}

/// Acceptance 8: 503 problem while the database is unreachable, 200 again when it is back, no restart.
#[tokio::test]
async fn readyz_follows_the_database_without_a_restart() {
    let Some((proxy, app)) = tests::proxy::spawn_app_behind_proxy().await else {
        eprintln!("readyz outage test needs PostgreSQL (TEST_DATABASE_URL); the embedded SQLite file cannot become unreachable");
        return;
    };
    assert_eq!(app.backend, Backend::Postgres);
    assert_eq!(app.get("/readyz", None).await.0, 200);

    proxy.cut();
    let (status, body) = app.get("/readyz", None).await;
    tests::http::assert_problem(status, &body, 503, "unavailable");

    proxy.restore().await;
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/readyz", None).await.0 == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "readyz back to 200 after the database returned");
}

/// `db_parallel_workers` reaches every PostgreSQL connection of the pool (0
/// by default: many short reads at once on a small server).
#[tokio::test]
async fn parallel_workers_setting_reaches_the_postgresql_connections() {
    use sea_orm::{ConnectionTrait, Statement};
    async fn workers(app: &tests::TestApp) -> String {
        let row = app
            .db
            .query_one_raw(Statement::from_string(app.db.get_database_backend(), "SHOW max_parallel_workers_per_gather"))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<String>(0).unwrap()
    }
    let app = spawn_app().await;
    if app.backend != Backend::Postgres {
        eprintln!("parallel workers are a PostgreSQL setting; nothing to check on SQLite");
        return;
    }
    assert_eq!(workers(&app).await, "0");
    let app = spawn_app_with(|s| s.db_parallel_workers = 2).await;
    assert_eq!(workers(&app).await, "2");
}
