//! Names the fields of a JSON body the framework could not read.
//!
//! poem-openapi stops at the first field it cannot parse and says so in the
//! parser's English ("Expected input type \"string\", found null"), without
//! the field. When that happens the edge middleware hands the body to
//! [`BodySchemas::explain`], which walks it against the operation's request
//! schema from our own OpenAPI document and lists every missing required
//! field and every value of the wrong type at once; the caller answers 422
//! with one `errors` entry per field, labelled in Chinese (see `labels`).
//! Bodies that are not JSON at all stay 400 `malformed_body`.

use std::sync::Arc;

use entities::values::FieldError;
use poem::http::Method;
use serde_json::{Map, Value};

tokio::task_local! {
    /// The operation being served, so that field messages rendered during the
    /// request are labelled by the request body the field belongs to.
    static REQUEST: (Arc<BodySchemas>, Method, String);
}

/// Runs `fut` as the request `method path`: field labels follow its request body.
pub async fn scope<F: Future>(schemas: Arc<BodySchemas>, method: Method, path: String, fut: F) -> F::Output {
    REQUEST.scope((schemas, method, path), fut).await
}

/// The request body (schema name) holding `field` in the request being
/// served; `None` outside an API request or for a field it has not.
#[must_use]
pub fn owner_in_request(field: &str) -> Option<String> {
    REQUEST.try_with(|(schemas, method, path)| schemas.owner(method, path, field)).ok().flatten()
}

/// The JSON request-body schema of every operation, read from the spec once.
pub struct BodySchemas {
    ops: Vec<Op>,
    components: Map<String, Value>,
}

struct Op {
    method: Method,
    /// Literal segments; `None` for a path parameter.
    segments: Vec<Option<String>>,
    schema: Value,
}

impl Op {
    /// The number of literal segments matched, or `None` when the path does not fit.
    fn fits(&self, method: &Method, segments: &[&str]) -> Option<usize> {
        if self.method != method || self.segments.len() != segments.len() {
            return None;
        }
        let mut literal = 0;
        for (want, got) in self.segments.iter().zip(segments) {
            match want {
                Some(w) if w == got => literal += 1,
                Some(_) => return None,
                None if got.is_empty() => return None,
                None => {}
            }
        }
        Some(literal)
    }
}

fn split(path: &str) -> Vec<&str> {
    path.trim_matches('/').split('/').collect()
}

impl BodySchemas {
    /// From the spec's JSON text; paths are prefixed with the spec's server URL.
    #[must_use]
    pub fn from_spec(spec_json: &str) -> Self {
        let spec: Value = serde_json::from_str(spec_json).unwrap_or(Value::Null);
        let base = spec["servers"][0]["url"].as_str().unwrap_or("").trim_end_matches('/').to_string();
        let mut ops = Vec::new();
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            for (name, op) in item.as_object().into_iter().flatten() {
                let Ok(method) = name.to_ascii_uppercase().parse::<Method>() else { continue };
                let content = op["requestBody"]["content"].as_object();
                let Some(schema) =
                    content.and_then(|c| c.iter().find(|(ct, _)| ct.starts_with("application/json"))).map(|(_, m)| &m["schema"])
                else {
                    continue;
                };
                let full = format!("{base}{path}");
                let segments = split(&full).into_iter().map(|s| (!s.starts_with('{')).then(|| s.to_string())).collect();
                ops.push(Op { method, segments, schema: schema.clone() });
            }
        }
        let components = spec["components"]["schemas"].as_object().cloned().unwrap_or_default();
        Self { ops, components }
    }

    /// Every missing required field and every value of the wrong type in
    /// `body` for the operation at `method path`; empty when the body is not
    /// JSON, the operation is unknown, or nothing is found.
    #[must_use]
    pub fn explain(&self, method: &Method, path: &str, body: &[u8]) -> Vec<FieldError> {
        let Ok(value) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
        let Some(op) = self.op(method, path) else { return Vec::new() };
        let mut out = Vec::new();
        self.check(&op.schema, &value, "", &mut out, 0);
        out
    }

    /// The operation at `method path` (the most literal segments win).
    fn op(&self, method: &Method, path: &str) -> Option<&Op> {
        let segments = split(path);
        self.ops.iter().filter_map(|op| op.fits(method, &segments).map(|n| (n, op))).max_by_key(|(n, _)| *n).map(|(_, op)| op)
    }

    /// The name of the schema whose property the field path `field`
    /// (`team[1].name`) ends in, in the request body of `method path`.
    #[must_use]
    pub fn owner(&self, method: &Method, path: &str, field: &str) -> Option<String> {
        let mut schema = &self.op(method, path)?.schema;
        let segments: Vec<&str> = field.split('.').collect();
        for (i, segment) in segments.iter().enumerate() {
            let name = segment.split('[').next().unwrap_or(segment);
            let (owner, object) = self.resolve_named(schema);
            let prop = object["properties"].get(name)?;
            if i + 1 == segments.len() {
                return owner.map(str::to_string);
            }
            schema = prop;
            for _ in 0..segment.matches('[').count() {
                schema = &self.resolve(schema)["items"];
            }
        }
        None
    }

    /// [`Self::resolve`], also naming the last component schema reached.
    fn resolve_named<'a>(&'a self, mut schema: &'a Value) -> (Option<&'a str>, &'a Value) {
        let mut name = None;
        for _ in 0..16 {
            if let Some(n) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
                match self.components.get(n) {
                    Some(s) => {
                        name = Some(n);
                        schema = s;
                    }
                    None => break,
                }
            } else if let Some(inner) = schema["allOf"]
                .as_array()
                .and_then(|all| all.iter().find(|s| ["$ref", "type", "properties", "enum"].iter().any(|k| s.get(*k).is_some())))
            {
                schema = inner;
            } else {
                break;
            }
        }
        (name, schema)
    }

    /// Follows `$ref` and `allOf` wrappers (poem writes `allOf: [$ref, {description}]`
    /// for a documented field of an object type).
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        self.resolve_named(schema).1
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, out: &mut Vec<FieldError>, depth: usize) {
        if depth > 16 {
            return;
        }
        let s = self.resolve(schema);
        if let Some(alternatives) = s["oneOf"].as_array().or_else(|| s["anyOf"].as_array()) {
            let fits = alternatives.iter().any(|alt| {
                let mut errors = Vec::new();
                self.check(alt, value, at, &mut errors, depth + 1);
                errors.is_empty()
            });
            if !fits && !at.is_empty() {
                out.push(FieldError::new(at, "取值格式不正确", "has a value of the wrong form"));
            }
            return;
        }
        if let Some(allowed) = s["enum"].as_array() {
            if !allowed.contains(value) {
                let list: Vec<String> = allowed.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect();
                out.push(FieldError::new(
                    at,
                    format!("取值须为以下之一：{}", list.join("、")),
                    format!("must be one of: {}", list.join(", ")),
                ));
            }
            return;
        }
        match s["type"].as_str() {
            Some("object") | None if s["properties"].is_object() || s["additionalProperties"].is_object() => {
                self.check_object(s, value, at, out, depth);
            }
            Some("array") => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check(&s["items"], item, &format!("{at}[{i}]"), out, depth + 1);
                    }
                }
                None => out.push(wrong(at, "列表", "a list")),
            },
            Some("string") => check_string(s, value, at, out),
            Some("integer") => check_integer(s, value, at, out),
            Some("number") if !value.is_number() => out.push(wrong(at, "数字", "a number")),
            Some("boolean") if !value.is_boolean() => out.push(wrong(at, "是或否（true/false）", "true or false")),
            _ => {}
        }
    }

    fn check_object(&self, s: &Value, value: &Value, at: &str, out: &mut Vec<FieldError>, depth: usize) {
        let Some(map) = value.as_object() else {
            out.push(if at.is_empty() {
                FieldError::new("body", "请求体须为 JSON 对象", "must be a JSON object")
            } else {
                wrong(at, "对象", "an object")
            });
            return;
        };
        let join = |name: &str| if at.is_empty() { name.to_string() } else { format!("{at}.{name}") };
        let required: Vec<&str> = s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        for (name, prop) in s["properties"].as_object().into_iter().flatten() {
            match map.get(name) {
                None | Some(Value::Null) if required.contains(&name.as_str()) => {
                    out.push(FieldError::new(join(name), "缺少必填项", "is required"));
                }
                None | Some(Value::Null) => {}
                Some(v) => self.check(prop, v, &join(name), out, depth + 1),
            }
        }
        if let Some(values) = s["additionalProperties"].as_object().map(|_| &s["additionalProperties"]) {
            for (key, v) in map {
                if s["properties"].get(key).is_none() {
                    self.check(values, v, &join(key), out, depth + 1);
                }
            }
        }
    }
}

fn wrong(at: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(at, format!("应为{zh}"), format!("must be {en}"))
}

fn check_string(s: &Value, value: &Value, at: &str, out: &mut Vec<FieldError>) {
    let Some(text) = value.as_str() else {
        out.push(wrong(at, "文本", "text"));
        return;
    };
    let ok = match s["format"].as_str() {
        Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
        Some("naive-date" | "date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        _ => true,
    };
    if !ok {
        let (zh, en) = match s["format"].as_str() {
            Some("uuid") => ("编号（UUID）", "a UUID"),
            Some("date-time") => ("带时区的时间（如 2026-07-01T09:00:00+08:00）", "an RFC 3339 time with offset"),
            _ => ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
        };
        out.push(wrong(at, zh, en));
    }
}

fn check_integer(s: &Value, value: &Value, at: &str, out: &mut Vec<FieldError>) {
    let (min, max): (i128, i128) = match s["format"].as_str() {
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint16") => (0, u16::MAX.into()),
        Some("uint64") => (0, u64::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    };
    let n = value.as_i64().map(i128::from).or_else(|| value.as_u64().map(i128::from));
    match n {
        None => out.push(wrong(at, "整数", "a whole number")),
        Some(n) if n < min || n > max => {
            out.push(FieldError::new(at, format!("须在 {min} 至 {max} 之间"), format!("must be between {min} and {max}")));
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemas() -> BodySchemas {
        BodySchemas::from_spec(&crate::routes::service().spec())
    }

    #[test]
    fn every_missing_and_mistyped_field_is_named_at_once() {
        let body = r#"{"name": "东莞市样例有限公司", "postcode": 523000, "kind": "factory", "registered_in_dongguan": "yes"}"#.as_bytes();
        let errors = schemas().explain(&Method::POST, "/api/v1/organizations", body);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["credit_code", "office_phone", "postcode", "kind", "registered_in_dongguan"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert!(!fields.contains(&"name"), "{fields:?}");
        let phone = errors.iter().find(|e| e.field == "office_phone").map(|e| e.zh.as_str());
        assert_eq!(phone, Some("缺少必填项"));
    }

    #[test]
    fn not_json_or_unknown_routes_explain_nothing() {
        let s = schemas();
        assert!(s.explain(&Method::POST, "/api/v1/organizations", b"{\"name\":").is_empty());
        assert!(s.explain(&Method::POST, "/api/v1/no-such-thing", b"{}").is_empty());
    }

    #[test]
    fn every_request_body_field_has_a_chinese_label() {
        let s = schemas();
        let mut missing = std::collections::BTreeSet::new();
        let mut stack: Vec<Value> = s.ops.iter().map(|op| op.schema.clone()).collect();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(schema) = stack.pop() {
            let r = s.resolve(&schema).clone();
            if !seen.insert(r.to_string()) {
                continue;
            }
            for (name, prop) in r["properties"].as_object().into_iter().flatten() {
                if crate::labels::field_label_zh(name).is_none() {
                    missing.insert(name.clone());
                }
                stack.push(prop.clone());
            }
            for key in ["items", "additionalProperties"] {
                if r[key].is_object() {
                    stack.push(r[key].clone());
                }
            }
            for key in ["oneOf", "anyOf", "allOf"] {
                stack.extend(r[key].as_array().into_iter().flatten().cloned());
            }
        }
        assert!(missing.is_empty(), "request fields without a Chinese label in labels.rs: {missing:?}");
    }

    /// Every (request body, field) of the spec, by the body's schema name.
    fn fields_by_body(s: &BodySchemas) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        let mut by_name: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
        let mut stack: Vec<(Option<String>, Value)> = s.ops.iter().map(|op| (None, op.schema.clone())).collect();
        let mut seen = std::collections::BTreeSet::new();
        while let Some((owner, schema)) = stack.pop() {
            let (name, r) = s.resolve_named(&schema);
            let owner = name.map(str::to_string).or(owner);
            if !seen.insert(r.to_string()) {
                continue;
            }
            for (field, prop) in r["properties"].as_object().into_iter().flatten() {
                by_name.entry(field.clone()).or_default().insert(owner.clone().unwrap_or_else(|| "(inline)".into()));
                stack.push((None, prop.clone()));
            }
            for key in ["items", "additionalProperties"] {
                if r[key].is_object() {
                    stack.push((owner.clone(), r[key].clone()));
                }
            }
            for key in ["oneOf", "anyOf", "allOf"] {
                stack.extend(r[key].as_array().into_iter().flatten().map(|x| (owner.clone(), x.clone())));
            }
        }
        by_name
    }

    /// A name used by several request bodies is labelled by each body
    /// (`labels::IN_SCHEMA`) unless it was judged to mean the same in all
    /// (`labels::SAME_EVERYWHERE`): a new body reusing `kind` or `note` fails
    /// here until someone decides what its field is called.
    #[test]
    fn a_name_shared_by_request_bodies_is_labelled_per_body_or_judged_the_same() {
        use crate::labels::{IN_SCHEMA, SAME_EVERYWHERE};
        let s = schemas();
        let fields = fields_by_body(&s);
        let mut undecided = Vec::new();
        for (field, bodies) in &fields {
            if bodies.len() < 2 || SAME_EVERYWHERE.contains(&field.as_str()) {
                continue;
            }
            for body in bodies {
                if !IN_SCHEMA.iter().any(|(sc, f, _)| sc == body && f == field) {
                    undecided.push(format!("{body}.{field}"));
                }
            }
        }
        assert!(undecided.is_empty(), "fields shared by several request bodies without a label of their own: {undecided:?}");
        // No stale entries: every body-specific label names a field of that body, every shared name is shared.
        for (sc, f, _) in IN_SCHEMA {
            assert!(fields.get(*f).is_some_and(|b| b.contains(*sc)), "labels::IN_SCHEMA names {sc}.{f}, not in the spec");
        }
        for f in SAME_EVERYWHERE {
            assert!(fields.get(*f).is_some_and(|b| b.len() > 1), "labels::SAME_EVERYWHERE lists {f}, not shared");
        }
    }

    #[test]
    fn a_field_is_owned_by_the_body_it_is_in() {
        let s = schemas();
        let post = Method::POST;
        assert_eq!(s.owner(&post, "/api/v1/sanctions", "kind").as_deref(), Some("NewSanctionBody"));
        assert_eq!(s.owner(&post, "/api/v1/organizations", "kind").as_deref(), Some("CreateOrganization"));
        let id = uuid::Uuid::nil();
        assert_eq!(s.owner(&post, &format!("/api/v1/resources/{id}/assessments"), "note").as_deref(), Some("AssessmentBody"));
        assert_eq!(s.owner(&post, "/api/v1/sanctions", "no_such_field"), None);
    }
}
