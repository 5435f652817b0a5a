//! The changes feed (issue 18, acceptance 4): every change to the watched
//! entities, in commit order, from a cursor that never skips or repeats —
//! also while many transactions commit out of `seq` order on PostgreSQL.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use entities::{OrgKind, models::sanction};
use rand::Rng;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use tests::{Session, spawn_app_with};
use uuid::Uuid;

const FEED_TOKEN: &str = "provincial-system-feed-token-0123456789";

async fn read_feed(app: &tests::TestApp, path: &str, s: Option<&Session>) -> Value {
    let (status, body) = app.get(path, s).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// (entity, action, id) of every item of one page.
fn items(page: &Value) -> Vec<(String, String, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["entity"].as_str().unwrap().into(), i["action"].as_str().unwrap().into(), i["id"].as_str().unwrap().into()))
        .collect()
}

#[tokio::test]
async fn filing_and_registering_an_alliance_appear_in_the_feeds() {
    let app = spawn_app_with(|s| s.feed.tokens = vec![FEED_TOKEN.into()]).await;
    let staff = app.login("bureau_staff", None).await;
    let start = read_feed(&app, "/api/v1/changes", Some(&staff)).await;
    assert_eq!(start["items"], json!([]));
    assert_eq!(start["next_cursor"], "0");

    let filing = app.file_alliance().await;
    let page = read_feed(&app, "/api/v1/changes?limit=200", Some(&staff)).await;
    let seen = items(&page);
    assert_eq!(seen[0], ("alliance".into(), "created".into(), filing.id.clone()), "{page}");
    assert_eq!(
        seen.iter().filter(|(e, a, _)| e == "alliance_member" && a == "created").count(),
        6,
        "the initiator, the lead and four members: {page}"
    );
    assert_eq!(page["items"][0]["state"]["status"], "draft");
    assert_eq!(page["items"][0]["url"], format!("/api/v1/alliances/{}", filing.id));
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(cursor, page["items"].as_array().unwrap().last().unwrap()["cursor"].as_str().unwrap());
    // Nothing public yet: a draft is not in the directory.
    assert_eq!(read_feed(&app, "/api/v1/public/changes", None).await["items"], json!([]));

    app.complete_filing(&filing).await;
    let (status, _) = app.post_json(&filing.path("/submit"), Some(&filing.initiator.session), &json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = app.post_json(&filing.path("/register"), Some(&staff), &json!({})).await;
    assert_eq!(status, 200);
    // The integration token reads on from the stored cursor: exactly what happened since.
    let integration = Session::with_token(FEED_TOKEN);
    let next = read_feed(&app, &format!("/api/v1/changes?cursor={cursor}"), Some(&integration)).await;
    let statuses: Vec<&str> = next["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["entity"] == "alliance")
        .map(|i| i["state"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["submitted", "registered"], "{next}");
    let public = read_feed(&app, "/api/v1/public/changes", None).await;
    let registered = &public["items"].as_array().unwrap().iter().find(|i| i["entity"] == "alliance").unwrap();
    assert_eq!(registered["state"]["status"], "registered");
    assert!(registered["state"]["registration_no"].as_str().unwrap().starts_with("DGLM-"));
    assert_eq!(registered["url"], format!("/api/v1/public/alliances/{}", filing.id));
    assert!(public["items"].as_array().unwrap().iter().all(|i| i["entity"] == "alliance" || i["entity"] == "alliance_member"), "{public}");
    let (status, body) = app.get(registered["url"].as_str().unwrap(), None).await;
    assert_eq!(status, 200, "the url answers: {body}");
}

#[tokio::test]
async fn the_feed_is_for_bureau_roles_and_integration_tokens() {
    let app = spawn_app_with(|s| s.feed.tokens = vec![FEED_TOKEN.into()]).await;
    assert_eq!(app.get("/api/v1/changes", None).await.0, 401);
    assert_eq!(app.get("/api/v1/changes", Some(&Session::with_token("not-a-feed-token-and-not-a-jwt"))).await.0, 401);
    let (user, _) = app.org_user(OrgKind::Enterprise).await;
    assert_eq!(app.get("/api/v1/changes", Some(&user)).await.0, 403);
    let expert = app.login("expert", None).await;
    assert_eq!(app.get("/api/v1/changes", Some(&expert)).await.0, 403);
    assert_eq!(app.get("/api/v1/changes", Some(&app.admin().await)).await.0, 200);
    assert_eq!(app.get("/api/v1/changes", Some(&Session::with_token(FEED_TOKEN))).await.0, 200);
    // The integration token opens nothing else.
    assert_eq!(app.get("/api/v1/organizations", Some(&Session::with_token(FEED_TOKEN))).await.0, 401);
    for bad in ["cursor=abc", "cursor=-1", "limit=0", "limit=201"] {
        let (status, body) = app.get(&format!("/api/v1/changes?{bad}"), Some(&Session::with_token(FEED_TOKEN))).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(app.get(&format!("/api/v1/public/changes?{bad}"), None).await.0, 422, "{bad}");
    }
}

/// A sanction row written straight to the database (each one change in the feed).
fn sanction_row(org: Uuid, created_by: Uuid, credit_code: &str) -> sanction::ActiveModel {
    sanction::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        credit_code: Set(credit_code.into()),
        kind: Set("agreement_breach".into()),
        confirmed_on: Set(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()),
        ban_until: Set(None),
        description: Set("直接写入的测试记录".into()),
        application_id: Set(None),
        ban_ended_at: Set(None),
        created_by: Set(created_by),
        created_at: Set(chrono::Utc::now()),
    }
}

/// An organisation to sanction and the id of `admin`.
async fn org_and_admin(app: &tests::TestApp) -> (Uuid, Uuid) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let org = app.create_org(OrgKind::Enterprise).await["id"].as_str().unwrap().parse().unwrap();
    let admin = entities::models::user::Entity::find().filter(entities::models::user::Column::Username.eq("admin")).one(&app.db).await;
    (org, admin.unwrap().unwrap().id)
}

/// One committed transaction of the writers: its rows, when it began and when its commit returned.
struct Txn {
    ids: Vec<String>,
    began: Instant,
    committed: Instant,
}

#[tokio::test]
async fn ten_thousand_concurrent_changes_are_read_once_each_in_commit_order_by_a_consumer_that_crashes() {
    const WRITERS: usize = 8;
    const CHANGES: usize = 10_000;
    let app = Arc::new(spawn_app_with(|s| s.db_max_connections = 10).await);
    let (org, admin_id) = org_and_admin(&app).await;
    let baseline = api::services::changes::page(&app.state, false, 0, 200).await.unwrap().1;

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                let mut txns = Vec::new();
                let mut written = 0;
                while written < CHANGES / WRITERS {
                    let n = rand::thread_rng().gen_range(1..=5).min(CHANGES / WRITERS - written);
                    let began = Instant::now();
                    let txn = api::db::begin_write(&app.db).await.unwrap();
                    let mut ids = Vec::new();
                    for _ in 0..n {
                        let row = sanction_row(org, admin_id, &format!("W{w}")).insert(&txn).await.unwrap();
                        ids.push(row.id.to_string());
                        if rand::thread_rng().gen_bool(0.3) {
                            tokio::task::yield_now().await; // let other writers interleave inside this transaction
                        }
                    }
                    txn.commit().await.unwrap();
                    txns.push(Txn { ids, began, committed: Instant::now() });
                    written += n;
                }
                txns
            })
        })
        .collect();

    // The consumer: reads while the writers write; after each page it "crashes" after a random
    // number of items, keeping only the cursor of the last item it processed.
    let mut cursor = baseline;
    let mut seen: Vec<(i64, String)> = Vec::new();
    let mut writers_done = false;
    let mut txns = Vec::new();
    let mut writers = Some(writers);
    loop {
        let limit = rand::thread_rng().gen_range(1..=200);
        let (rows, _) = api::services::changes::page(&app.state, false, cursor, limit).await.unwrap();
        if rows.is_empty() {
            if writers_done {
                break; // an empty read begun after every writer had committed: all is read
            }
            if writers.as_ref().is_some_and(|ws| ws.iter().all(tokio::task::JoinHandle::is_finished)) {
                for w in writers.take().unwrap_or_default() {
                    txns.extend(w.await.unwrap());
                }
                writers_done = true;
            } else {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            continue;
        }
        let processed = rand::thread_rng().gen_range(1..=rows.len());
        for r in &rows[..processed] {
            seen.push((r.position.unwrap(), r.entity_id.clone()));
        }
        cursor = rows[processed - 1].position.unwrap();
    }

    let written: HashSet<&str> = txns.iter().flat_map(|t| t.ids.iter().map(String::as_str)).collect();
    assert_eq!(written.len(), CHANGES);
    let ids: Vec<&str> = seen.iter().map(|(_, id)| id.as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a change was read twice");
    let missing = written.difference(&unique).count();
    let strangers = unique.difference(&written).count();
    assert_eq!((missing, strangers), (0, 0), "(changes never read, changes read that were never written)");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "positions only go up");
    // Commit order: a transaction that committed before another began comes before it.
    let position: HashMap<&str, i64> = seen.iter().map(|(p, id)| (id.as_str(), *p)).collect();
    let span = |t: &Txn| {
        let ps: Vec<i64> = t.ids.iter().map(|id| position[id.as_str()]).collect();
        (*ps.iter().min().unwrap(), *ps.iter().max().unwrap())
    };
    let mut by_commit: Vec<(Instant, i64)> = txns.iter().map(|t| (t.committed, span(t).1)).collect();
    by_commit.sort();
    let mut running_max = Vec::with_capacity(by_commit.len());
    let mut m = i64::MIN;
    for (_, p) in &by_commit {
        m = m.max(*p);
        running_max.push(m);
    }
    for t in &txns {
        let earlier = by_commit.partition_point(|(c, _)| *c < t.began);
        if earlier > 0 {
            assert!(running_max[earlier - 1] < span(t).0, "a transaction committed before this one began but is read after it");
        }
    }
}

/// `cargo test -p tests --test api -- --ignored changes::feed_page_benchmark --nocapture`:
/// p50/p95 of `GET /changes?limit=200` over HTTP at random cursors in 20,000 changes.
#[tokio::test]
#[ignore = "benchmark: run by hand"]
async fn feed_page_benchmark() {
    let app = spawn_app_with(|s| s.feed.tokens = vec![FEED_TOKEN.into()]).await;
    let (org, admin_id) = org_and_admin(&app).await;
    for _ in 0..40 {
        let txn = api::db::begin_write(&app.db).await.unwrap();
        for _ in 0..500 {
            sanction_row(org, admin_id, "BENCH").insert(&txn).await.unwrap();
        }
        txn.commit().await.unwrap();
    }
    let token = Session::with_token(FEED_TOKEN);
    let first = Instant::now();
    read_feed(&app, "/api/v1/changes?limit=200", Some(&token)).await;
    println!("first read (numbers 20,000 waiting changes): {} ms", first.elapsed().as_millis());
    for (name, path) in [("changes", "/api/v1/changes")] {
        let mut times = Vec::new();
        for _ in 0..200 {
            let cursor = rand::thread_rng().gen_range(0..19_800);
            let started = Instant::now();
            read_feed(&app, &format!("{path}?cursor={cursor}&limit=200"), Some(&token)).await;
            times.push(started.elapsed());
        }
        times.sort();
        println!("{name} page of 200: p50 {:?}, p95 {:?} ({:?})", times[100], times[190], app.backend);
    }
}
