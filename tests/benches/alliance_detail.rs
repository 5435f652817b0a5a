//! Benchmark (issue 3, acceptance 7): latency of `GET /alliances/{id}` for an
//! alliance of 50 members, on PostgreSQL, and statements per request.
//!
//! `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p tests --bench alliance_detail`

// A benchmark: a failed request is a failed run.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use entities::OrgKind;
use serde_json::json;

const SAMPLES: usize = 1000;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("alliance_detail bench: set TEST_DATABASE_URL to a PostgreSQL server; skipped");
        return;
    }
    let app = tests::spawn_app().await;
    let f = app.file_alliance().await;
    let s = f.initiator.session.clone();
    let admin = app.admin().await;
    for i in 0..44 {
        let (_, org) = app
            .post_json("/api/v1/organizations", Some(&admin), &tests::org_body(&format!("东莞市基准成员{i}"), OrgKind::Enterprise))
            .await;
        let (status, _) = app.post_json(&f.path("/members"), Some(&s), &json!({"organization_id": org["id"]})).await;
        assert_eq!(status, 200);
    }
    for p in f.parties() {
        let _ = app.put_json(&f.path(&format!("/members/{}/form", p.id())), Some(&p.session), &tests::alliances::form_body(100)).await;
    }
    let url = app.url(&f.path(""));
    for _ in 0..50 {
        let _ = app.client.get(&url).bearer_auth(&s.access_token).send().await.unwrap().bytes().await.unwrap();
    }
    let before = app.query_count();
    let mut ms = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let t = Instant::now();
        let resp = app.client.get(&url).bearer_auth(&s.access_token).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let body = resp.bytes().await.unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(body.len() > 1000);
    }
    let per_request = (app.query_count() - before) as f64 / SAMPLES as f64;
    ms.sort_by(f64::total_cmp);
    println!(
        "GET /alliances/{{id}} (50 members, PostgreSQL, {SAMPLES} sequential requests): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {per_request:.1} statements per request",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        percentile(&ms, 0.99),
        ms[ms.len() - 1]
    );
}
