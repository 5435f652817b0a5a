//! Issue 16 item 7: a JSON body with a missing required field or a value of
//! the wrong type is answered 422 `validation_failed`, one `errors` entry per
//! field, the Chinese label in the message (English on request), and nothing
//! is written.
//!
//! The walk reads every request-body schema of the running app's spec, builds
//! a well-typed body, drops each required field in turn (nested ones too) and
//! checks that the answer names exactly that field.

use entities::OrgKind;
use reqwest::Method;
use serde_json::{Map, Value, json};
use tests::{db, http::assert_problem, spawn_app};

use crate::fuzz::{BodyKind, resolve, write_operations};

/// A value of the schema's type that the parser accepts: real UUIDs, dates and times.
fn typed(spec: &Value, schema: &Value, depth: usize) -> Value {
    let s = resolve(spec, schema);
    if let Some(first) = s["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    match (s["type"].as_str(), s["format"].as_str()) {
        (Some("integer" | "number"), _) => json!(1),
        (Some("boolean"), _) => json!(true),
        (Some("array"), _) if depth < 8 => json!([typed(spec, &s["items"], depth + 1)]),
        (Some("string"), Some("uuid")) => json!(uuid::Uuid::now_v7().to_string()),
        (Some("string"), Some("naive-date" | "date")) => json!("2026-07-01"),
        (Some("string"), Some("date-time")) => json!("2026-07-01T09:00:00+08:00"),
        (Some("object") | None, _) if depth < 8 && s["properties"].is_object() => {
            Value::Object(s["properties"].as_object().into_iter().flatten().map(|(k, p)| (k.clone(), typed(spec, p, depth + 1))).collect())
        }
        (Some("object"), _) => json!({}),
        _ => json!("x"),
    }
}

/// Paths (`basic.total_staff`, `people[0].name`) of every required field in `value`.
fn required_paths(spec: &Value, schema: &Value, at: &str, out: &mut Vec<String>, depth: usize) {
    let s = resolve(spec, schema);
    if depth > 8 {
        return;
    }
    let join = |k: &str| if at.is_empty() { k.to_string() } else { format!("{at}.{k}") };
    let required: Vec<&str> = s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    for (name, prop) in s["properties"].as_object().into_iter().flatten() {
        if required.contains(&name.as_str()) {
            out.push(join(name));
        }
        let p = resolve(spec, prop);
        if p["type"] == "array" {
            required_paths(spec, &p["items"], &format!("{}[0]", join(name)), out, depth + 1);
        } else if p["properties"].is_object() {
            required_paths(spec, prop, &join(name), out, depth + 1);
        }
    }
}

/// `body` without the field at `path` (dotted, `[0]` for the first item).
fn without(body: &Value, path: &str) -> Value {
    let mut out = body.clone();
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut cur = &mut out;
    for part in parts {
        let (key, index) = part.strip_suffix("[0]").map_or((part, false), |k| (k, true));
        cur = &mut cur[key];
        if index {
            cur = &mut cur[0];
        }
    }
    if let Some(map) = cur.as_object_mut() {
        map.remove(last);
    }
    out
}

#[tokio::test]
async fn every_required_field_of_every_body_is_named_in_chinese_when_missing() {
    let app = spawn_app().await;
    let org = app.create_org(OrgKind::Enterprise).await;
    let admin = app.admin().await;
    let (_, spec) = app.get("/openapi.json", None).await;
    let ops: Vec<_> = write_operations(&spec, org["id"].as_str().unwrap()).into_iter().filter(|o| o.kind == BodyKind::Json).collect();
    let before = db::snapshot(&app.db).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for op in &ops {
        let body = typed(&spec, &op.schema, 0);
        let mut paths = Vec::new();
        required_paths(&spec, &op.schema, "", &mut paths, 0);
        for path in paths {
            checked += 1;
            let (status, problem) = app
                .send_raw(op.method.clone(), &op.url, Some(&admin), "application/json", without(&body, &path).to_string().into_bytes())
                .await;
            let entry = problem["errors"].as_array().into_iter().flatten().find(|e| e["field"] == path.as_str());
            let message = entry.and_then(|e| e["message"].as_str()).unwrap_or_default();
            // "办公电话：缺少必填项": a Chinese label, then what is wrong.
            let labelled = message
                .split_once('：')
                .is_some_and(|(label, rest)| !label.is_empty() && label.chars().all(|c| !c.is_ascii()) && rest == "缺少必填项");
            if status != 422 || problem["code"] != "validation_failed" || !labelled {
                failures.push(format!("{} {} without `{path}`: {status} {problem}", op.method, op.path));
            }
        }
    }
    assert!(checked >= 100, "only {checked} required fields found");
    assert!(failures.is_empty(), "{} of {checked} missing fields not named:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(db::snapshot(&app.db).await, before, "nothing written");
}

#[tokio::test]
async fn a_missing_office_phone_and_mistyped_fields_are_all_named_in_one_answer() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut body = tests::org_body("东莞市缺项有限公司", OrgKind::Enterprise);
    let map: &mut Map<String, Value> = body.as_object_mut().unwrap();
    map.remove("office_phone");
    map.insert("postcode".into(), json!(523_000));
    map.insert("registered_in_dongguan".into(), json!("是"));
    let before = db::snapshot(&app.db).await;

    let (status, problem) = app.post_json("/api/v1/organizations", Some(&admin), &body).await;
    assert_problem(status, &problem, 422, "validation_failed");
    let mut errors: Vec<(&str, &str)> =
        problem["errors"].as_array().unwrap().iter().map(|e| (e["field"].as_str().unwrap(), e["message"].as_str().unwrap())).collect();
    errors.sort_unstable();
    assert_eq!(
        errors,
        [
            ("office_phone", "办公电话：缺少必填项"),
            ("postcode", "邮政编码：应为文本"),
            ("registered_in_dongguan", "是否在东莞注册：应为是或否（true/false）"),
        ]
    );
    assert_eq!(db::snapshot(&app.db).await, before);

    // English only when asked.
    let resp = app.send(app.request(Method::POST, "/api/v1/organizations", Some(&admin)).header("Accept-Language", "en").json(&body)).await;
    assert_eq!(resp.status(), 422);
    let problem: Value = resp.json().await.unwrap();
    let office = problem["errors"].as_array().unwrap().iter().find(|e| e["field"] == "office_phone").unwrap();
    assert_eq!(office["message"], "office_phone: is required");

    // Not JSON at all stays a 400 without fields.
    let (status, problem) =
        app.send_raw(Method::POST, "/api/v1/organizations", Some(&admin), "application/json", b"{\"name\":".to_vec()).await;
    assert_problem(status, &problem, 400, "malformed_body");
}
