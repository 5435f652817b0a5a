//! Backup and restore (issue 18, acceptance 3): a backup taken while eight
//! clients write restores, into an empty database elsewhere, to the source as
//! it was at one moment during the backup — every table row for row, every
//! document by its hash.

use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use entities::{
    OrgKind,
    models::{audit_log, document, organization},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use tests::{TestApp, alliances::PDF, db::table_rows, spawn_app};
use uuid::Uuid;

/// Uploads a PDF of its own content (so its file is new); answers the document id.
async fn upload(app: &TestApp, s: &tests::Session, nonce: &str) -> Uuid {
    let mut bytes = PDF.to_vec();
    bytes.extend_from_slice(format!("% {nonce}\n").as_bytes());
    let part = reqwest::multipart::Part::bytes(bytes).file_name(format!("{nonce}.pdf")).mime_str("application/pdf").unwrap();
    let resp =
        app.request(reqwest::Method::POST, "/api/v1/documents", Some(s)).multipart(reqwest::multipart::Form::new().part("file", part));
    let resp = resp.send().await.unwrap();
    assert_eq!(resp.status(), 201);
    resp.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap()
}

/// One acknowledged write: what it created, when it was sent and answered.
struct Write {
    org: Uuid,
    document: Option<Uuid>,
    sent: Duration,
    acked: Duration,
}

/// Is `small` contained in `big`, counting duplicates (both sorted)?
fn sub_multiset(small: &[String], big: &[String]) -> bool {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for r in big {
        *counts.entry(r).or_default() += 1;
    }
    small.iter().all(|r| {
        let c = counts.entry(r).or_default();
        *c -= 1;
        *c >= 0
    })
}

#[tokio::test]
async fn a_backup_taken_while_eight_clients_write_restores_that_moment() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin().await;
    for i in 0..3 {
        app.create_org(OrgKind::Enterprise).await;
        upload(&app, &admin, &format!("before-{i}")).await;
    }
    let before = table_rows(&app.db).await;

    let stop = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let mut writers = Vec::new();
    for w in 0..8 {
        let (app, stop) = (Arc::clone(&app), Arc::clone(&stop));
        writers.push(tokio::spawn(async move {
            let session = app.admin().await;
            let mut done = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let sent = t0.elapsed();
                let (status, org) = app
                    .post_json(
                        "/api/v1/organizations",
                        Some(&session),
                        &tests::org_body(&format!("备份测试单位{w}-{n}"), OrgKind::Enterprise),
                    )
                    .await;
                assert_eq!(status, 201, "{org}");
                let document = if n % 3 == 0 { Some(upload(&app, &session, &format!("w{w}-{n}")).await) } else { None };
                done.push(Write { org: org["id"].as_str().unwrap().parse().unwrap(), document, sent, acked: t0.elapsed() });
                n += 1;
            }
            done
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let archive = app.settings.documents_dir.parent().unwrap().join("backups/registry.tar.gz");
    let started = t0.elapsed();
    let manifest = api::backup::backup(&app.settings, &app.db, &archive, jobs::Clock::now(&app.clock)).await.expect("backup");
    let finished = t0.elapsed();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut writes = Vec::new();
    for w in writers {
        writes.extend(w.await.unwrap());
    }
    let after = table_rows(&app.db).await;

    // Restore elsewhere: a new empty database and documents folder.
    let files = tempfile::tempdir().unwrap();
    let target = tests::db::TestDatabase::create(&files).await;
    let mut settings = app.settings.clone();
    settings.database_url = target.url.clone();
    settings.documents_dir = files.path().join("restored-documents");
    let restored_manifest = api::backup::restore(&settings, &archive).await.expect("restore");
    assert_eq!(restored_manifest.documents, manifest.documents);
    let restored_db = sea_orm::Database::connect(&settings.database_url).await.unwrap();
    let restored = table_rows(&restored_db).await;

    // Every table: unchanged ones equal, written ones between before and after, row for row.
    assert_eq!(restored.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (table, rows) in &restored {
        let (b, a) = (&before[table], &after[table]);
        if b == a {
            assert_eq!(rows, a, "{table} was not written during the backup and must be equal");
        } else {
            assert!(sub_multiset(b, rows), "{table}: a row from before the writes is missing");
            assert!(sub_multiset(rows, a), "{table}: a row that the source never held");
        }
    }
    let orgs: Vec<Uuid> = organization::Entity::find().all(&restored_db).await.unwrap().into_iter().map(|o| o.id).collect();
    let acked_before: Vec<&Write> = writes.iter().filter(|w| w.acked < started).collect();
    let sent_after: Vec<&Write> = writes.iter().filter(|w| w.sent > finished).collect();
    assert!(!acked_before.is_empty() && !sent_after.is_empty(), "writes went on before and after the backup");
    assert!(acked_before.iter().all(|w| orgs.contains(&w.org)), "a write answered before the backup began is missing");
    assert!(sent_after.iter().all(|w| !orgs.contains(&w.org)), "a write sent after the backup ended is in it");
    // One moment: each organisation with its audit record, never one without the other.
    let created: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("organization.created"))
        .all(&restored_db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.entity_id)
        .collect();
    assert_eq!(created.len(), orgs.len());
    assert!(orgs.iter().all(|o| created.contains(&o.to_string())));

    // Documents: every one the restored database names is there with its content.
    let docs = document::Entity::find().all(&restored_db).await.unwrap();
    assert!(writes.iter().filter(|w| w.acked < started).filter_map(|w| w.document).all(|d| docs.iter().any(|x| x.id == d)));
    assert!(docs.len() > 3, "documents were uploaded during the writes");
    for doc in &docs {
        let bytes = std::fs::read(settings.documents_dir.join(&doc.sha256[..2]).join(&doc.sha256)).expect("restored document file");
        assert_eq!(hex::encode(Sha256::digest(&bytes)), doc.sha256);
        let source = std::fs::read(app.settings.documents_dir.join(&doc.sha256[..2]).join(&doc.sha256)).unwrap();
        assert_eq!(bytes, source);
    }
}

#[tokio::test]
async fn restore_refuses_a_database_that_is_not_empty() {
    let app = spawn_app().await;
    let archive = app.settings.documents_dir.parent().unwrap().join("b.tar.gz");
    api::backup::backup(&app.settings, &app.db, &archive, jobs::Clock::now(&app.clock)).await.expect("backup");
    let before = tests::db::snapshot(&app.db).await;
    let err = api::backup::restore(&app.settings, &archive).await.expect_err("the app's own database is not empty");
    assert!(err.to_string().contains("empty database"), "{err:#}");
    assert_eq!(tests::db::snapshot(&app.db).await, before);
    let not_a_backup = archive.with_file_name("x.tar.gz");
    std::fs::write(&not_a_backup, b"not a backup").unwrap();
    assert!(api::backup::restore(&app.settings, &not_a_backup).await.is_err());
}
