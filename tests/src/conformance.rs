//! Issue 19, acceptance 3: every answer the end-to-end suite receives is held
//! against the spec while the suite runs. [`crate::spawn_app`] hands
//! [`observe`] to the server; an answer of an API operation with a status its
//! operation does not document, or a 405 without `Allow`, is recorded, and the
//! test that caused it fails when its `TestApp` is dropped.

use std::sync::{Arc, Mutex, OnceLock};

use poem::http::{Method, header::ALLOW};
use serde_json::Value;

struct Operation {
    method: String,
    /// Literal segments; `None` for a parameter.
    segments: Vec<Option<String>>,
    template: String,
    statuses: Vec<u16>,
}

struct Spec {
    base: String,
    ops: Vec<Operation>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let spec: Value = serde_json::from_str(&api::routes::spec_json()).expect("spec");
        let base = spec["servers"][0]["url"].as_str().unwrap_or("").trim_end_matches('/').to_string();
        let mut ops = Vec::new();
        for (template, item) in spec["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let statuses = op["responses"].as_object().into_iter().flatten().filter_map(|(s, _)| s.parse().ok()).collect();
                let segments = template.trim_matches('/').split('/').map(|s| (!s.starts_with('{')).then(|| s.to_string())).collect();
                ops.push(Operation { method: method.to_ascii_uppercase(), segments, template: template.clone(), statuses });
            }
        }
        Spec { base, ops }
    })
}

/// The documented operation answering `method path` (the most literal template that fits).
fn operation<'a>(spec: &'a Spec, method: &Method, path: &str) -> Option<&'a Operation> {
    let rest = path.strip_prefix(&spec.base)?;
    let got: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    spec.ops
        .iter()
        .filter(|op| op.method == method && op.segments.len() == got.len())
        .filter_map(|op| {
            let mut literal = 0;
            for (want, g) in op.segments.iter().zip(&got) {
                match want {
                    Some(w) if w == g => literal += 1,
                    Some(_) => return None,
                    None if g.is_empty() => return None,
                    None => {}
                }
            }
            Some((literal, op))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, op)| op)
}

/// What is wrong with this answer, if anything.
#[must_use]
pub fn violation(method: &Method, path: &str, status: u16, has_allow: bool) -> Option<String> {
    if status == 405 && !has_allow {
        return Some(format!("{method} {path}: 405 without Allow"));
    }
    let spec = spec();
    let op = operation(spec, method, path)?;
    (!op.statuses.contains(&status)).then(|| format!("{method} {}: answered {status}, documented {:?}", op.template, op.statuses))
}

/// The violations one app has seen.
pub type Seen = Arc<Mutex<Vec<String>>>;

/// The server's observer: records every violation into `seen`.
pub fn observe(seen: Seen) -> api::startup::Observer {
    Arc::new(move |method: &Method, path: &str, resp: &poem::Response| {
        if let Some(v) = violation(method, path, resp.status().as_u16(), resp.headers().contains_key(ALLOW)) {
            seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(v);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undocumented_status_and_a_bare_405_are_violations() {
        let id = "0192e4a0-0000-7000-8000-000000000000";
        assert!(violation(&Method::GET, &format!("/api/v1/alliances/{id}"), 200, false).is_none());
        assert!(violation(&Method::GET, &format!("/api/v1/alliances/{id}"), 418, false).is_some());
        assert!(violation(&Method::DELETE, "/api/v1/alliances", 405, false).is_some());
        assert!(violation(&Method::DELETE, "/api/v1/alliances", 405, true).is_none());
        assert!(violation(&Method::GET, "/tasks", 200, false).is_none());
    }
}
