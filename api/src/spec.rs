//! The published OpenAPI document: poem-openapi's spec, tidied so that
//! generated clients and fuzzers read it as the server behaves (issue 19).
//!
//! poem-openapi writes the spec from the code; [`tidy`] then makes four
//! mechanical changes, the same for `api openapi`, `/openapi.json`,
//! `/openapi.yaml` and Swagger UI:
//!
//! 1. A documented field of an object or enum type is written by poem as
//!    `allOf: [{$ref}, {description}]`, which openapi-python-client refuses
//!    ("Cannot take allOf a non-object"). Such a field becomes the `$ref`
//!    alone; the description stays on the referenced schema.
//! 2. Formats: poem's `naive-date` is the standard `date`; unsigned integers
//!    say `minimum: 0`, 32- and 16-bit ones their `maximum`.
//! 3. Responses: 415 (`unsupported_media_type`) on every operation that takes
//!    a body; `Retry-After` declared on every 503.
//! 4. Shape rules the server enforces that poem cannot derive from a Rust
//!    type, stated where JSON Schema can say them ([`PARAMS`],
//!    [`TEXT_FIELDS`]); each names the function that enforces it. Business
//!    rules (a referenced record exists, a date is not in the future, …)
//!    stay 422 answers.
//!
//! Optional fields are omitted when absent (every `Object` derives with
//! `skip_serializing_if_is_none`), never `null`: the spec declares them not
//! required and not nullable.

use serde_yaml::{Mapping, Value};

/// A free text field of request bodies: trimmed, not blank when required, no
/// control characters other than tab/CR/LF, no emoji in the BMP, at most
/// `max` characters (`entities::values::text` / `optional_text`).
pub const TEXT_FIELDS: &[(&str, u64)] = &[
    ("address", 300),
    ("argument", 10_000),
    ("comment", 5000),
    ("contact_person", 100),
    ("description", 20_000),
    ("display_name", 100),
    ("funding_source", 500),
    ("industry", 100),
    ("issuer", 200),
    ("legal_representative", 100),
    ("name", 200),
    ("note", 5000),
    ("occupation_name", 100),
    ("organization_name", 200),
    ("profile", 5000),
    ("reason", 2000),
    ("report_text", 20_000),
    ("ruling", 5000),
    ("source_notice", 300),
    ("specialty", 200),
    ("summary_text", 20_000),
    ("title", 20_000),
];

/// Characters free text may not contain (`entities::values::text`): C0/C1
/// controls except tab, LF and CR; BMP emoji and joiners.
const FORBIDDEN: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200D\u2600-\u27BF\uFE0F";

/// The pattern of a required free text field: at least one character that is
/// not white space, none forbidden.
#[must_use]
pub fn text_pattern(required: bool) -> String {
    if required { format!(r"^[^{FORBIDDEN}]*[^\s{FORBIDDEN}][^{FORBIDDEN}]*$") } else { format!(r"^[^{FORBIDDEN}]*$") }
}

/// A constraint on a parameter: (name, where, JSON Schema keywords as YAML,
/// enforced by). An empty value of an optional query parameter is taken as
/// absent by the server, so its pattern admits it; a required query
/// parameter follows the `path` rule.
pub const PARAMS: &[(&str, &str, &str, &str)] = &[
    ("limit", "query", "{minimum: 1, maximum: 200}", "pagination::parse_limit"),
    ("period", "path", "{pattern: '^(20[0-9]{2}|2100)H[12]$'}", "entities::report::Period::parse (YEAR_RANGE 2000–2100)"),
    ("period", "query", "{pattern: '^((20[0-9]{2}|2100)H[12])?$'}", "entities::report::Period::parse"),
    ("year", "path", "{minimum: 2000, maximum: 2100}", "entities::calendar::YEAR_RANGE"),
    ("If-Match", "header", "{pattern: '^(W/)?\"?[0-9]{1,9}\"?$'}", "routes::if_match"),
    ("Idempotency-Key", "header", "{pattern: '^[!-~]{1,100}$'}", "services::idempotency::parse_key"),
];

/// Request fields of a value type, by name: (name, JSON Schema keywords as
/// YAML, enforced by). The server trims, so the patterns admit surrounding
/// white space; a pattern may admit more than the parser (the parser's 422
/// then names the rule), never less.
pub const VALUE_FIELDS: &[(&str, &str, &str)] = &[
    ("postcode", r"{pattern: '^\s*[0-9]{6}\s*$', maxLength: 64}", "entities::values::Postcode::parse"),
    ("credit_code", r"{pattern: '^\s*[0-9A-HJ-NP-RTUW-Y]{18}\s*$', maxLength: 64}", "entities::values::CreditCode::parse (GB 32100)"),
    ("office_phone", PHONE, "entities::values::Phone::parse"),
    ("mobile", PHONE, "entities::values::Phone::parse"),
    ("fax", PHONE, "entities::values::Phone::parse"),
    ("phone", PHONE, "entities::values::Phone::parse"),
    ("email", "{format: email, maxLength: 254}", "entities::values::Email::parse"),
];

/// Mobile or landline, with `+86`, brackets, separators and an extension.
const PHONE: &str = r"{pattern: '^\s*(\+86[ -]?)?[0-9(（][0-9()（） -]*\s*$', maxLength: 64}";

/// The spec, tidied (see the module documentation), as a YAML value.
#[must_use]
pub fn tidy(yaml: &str) -> Value {
    let mut spec: Value = serde_yaml::from_str(yaml).unwrap_or(Value::Null);
    walk_schemas(&mut spec);
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_mapping_mut) {
        for (_, item) in paths.iter_mut() {
            for (_, op) in item.as_mapping_mut().into_iter().flatten() {
                tidy_operation(op);
            }
        }
    }
    let requests = request_schemas(&spec);
    let enums = enum_schemas(&spec);
    if let Some(schemas) = spec.get_mut("components").and_then(|c| c.get_mut("schemas")).and_then(Value::as_mapping_mut) {
        for (name, schema) in schemas.iter_mut() {
            if name.as_str().is_some_and(|n| requests.contains(n)) {
                request_rules(schema, &enums);
            }
        }
    }
    spec
}

/// Names of the component schemas a request body reaches.
fn request_schemas(spec: &Value) -> std::collections::BTreeSet<String> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Mapping(m) => {
                for (k, child) in m {
                    if k.as_str() == Some("$ref")
                        && let Some(name) = child.as_str().and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        out.push(name.to_string());
                    }
                    refs(child, out);
                }
            }
            Value::Sequence(items) => items.iter().for_each(|i| refs(i, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for (_, item) in spec.get("paths").and_then(Value::as_mapping).into_iter().flatten() {
        for (_, op) in item.as_mapping().into_iter().flatten() {
            if let Some(body) = op.get("requestBody") {
                refs(body, &mut todo);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone())
            && let Some(schema) = spec.get("components").and_then(|c| c.get("schemas")).and_then(|s| s.get(name.as_str()))
        {
            refs(schema, &mut todo);
        }
    }
    seen
}

fn key(s: &str) -> Value {
    Value::String(s.to_string())
}

/// Steps 1 and 2 on every schema, wherever it is.
fn walk_schemas(v: &mut Value) {
    match v {
        Value::Mapping(m) => {
            unwrap_all_of(m);
            fix_format(m);
            for (_, child) in m.iter_mut() {
                walk_schemas(child);
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(walk_schemas),
        _ => {}
    }
}

/// `{description, allOf: [{$ref}, {description}]}` → `{$ref}`.
fn unwrap_all_of(m: &mut Mapping) {
    let Some(Value::Sequence(all)) = m.get(key("allOf")) else { return };
    let refs: Vec<&Value> = all.iter().filter(|s| s.get("$ref").is_some()).collect();
    let only_docs = all
        .iter()
        .filter(|s| s.get("$ref").is_none())
        .all(|s| s.as_mapping().is_some_and(|o| o.keys().all(|k| matches!(k.as_str(), Some("description" | "title" | "default")))));
    if refs.len() != 1 || !only_docs {
        return;
    }
    let reference = refs[0].clone();
    m.clear();
    if let Some(r) = reference.get("$ref") {
        m.insert(key("$ref"), r.clone());
    }
}

fn fix_format(m: &mut Mapping) {
    let bounds = match m.get(key("format")).and_then(Value::as_str) {
        Some("naive-date") => {
            m.insert(key("format"), key("date"));
            return;
        }
        Some("uint64") => (0, None),
        Some("uint32") => (0, Some(i64::from(u32::MAX))),
        Some("uint16") => (0, Some(i64::from(u16::MAX))),
        Some("int32") => (i64::from(i32::MIN), Some(i64::from(i32::MAX))),
        _ => return,
    };
    if m.get(key("minimum")).is_none() {
        m.insert(key("minimum"), Value::from(bounds.0));
    }
    if let Some(max) = bounds.1
        && m.get(key("maximum")).is_none()
    {
        m.insert(key("maximum"), Value::from(max));
    }
}

fn problem(description: &str) -> Value {
    serde_yaml::from_str(&format!(
        "{{description: '{description}', content: {{application/problem+json: {{schema: {{$ref: '#/components/schemas/Problem'}}}}}}}}"
    ))
    .unwrap_or(Value::Null)
}

fn tidy_operation(op: &mut Value) {
    let has_body = op.get("requestBody").is_some();
    // The upload forms refuse parts they do not know (`deny_unknown_fields`).
    if let Some(form) = op
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(|c| c.get_mut("multipart/form-data"))
        .and_then(|m| m.get_mut("schema"))
        .and_then(Value::as_mapping_mut)
        && form.get(key("properties")).is_some()
    {
        form.insert(key("additionalProperties"), Value::Bool(false));
    }
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_sequence_mut) {
        for p in params {
            let Some(name) = p.get("name").and_then(Value::as_str).map(str::to_string) else { continue };
            let place = p.get("in").and_then(Value::as_str).unwrap_or_default().to_string();
            // A required query parameter may not be empty; an optional one may (read as absent).
            let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
            let has_query_rule = PARAMS.iter().any(|(n, at, _, _)| *n == name && *at == "query");
            let place = if place == "query" && required && has_query_rule { "path".to_string() } else { place };
            let Some((_, _, rule, _)) = PARAMS.iter().find(|(n, at, _, _)| *n == name && *at == place) else { continue };
            let rule: Mapping = serde_yaml::from_str(rule).unwrap_or_default();
            if let Some(schema) = p.get_mut("schema").and_then(Value::as_mapping_mut) {
                for (k, v) in rule {
                    schema.insert(k, v);
                }
            }
        }
    }
    let Some(responses) = op.get_mut("responses").and_then(Value::as_mapping_mut) else { return };
    if has_body {
        responses.insert(key("415"), problem("The body is not of a content type this operation reads (code `unsupported_media_type`)"));
    }
    if let Some(r) = responses.get_mut(key("503")).and_then(Value::as_mapping_mut) {
        let header: Value = serde_yaml::from_str(
            "{Retry-After: {description: Seconds to wait before retrying, required: true, schema: {type: integer, minimum: 0}}}",
        )
        .unwrap_or(Value::Null);
        r.insert(key("headers"), header);
    }
}

/// The component schemas that are enums, by name.
fn enum_schemas(spec: &Value) -> Mapping {
    let mut out = Mapping::new();
    for (name, schema) in spec.get("components").and_then(|c| c.get("schemas")).and_then(Value::as_mapping).into_iter().flatten() {
        if schema.get("enum").is_some() {
            out.insert(name.clone(), schema.clone());
        }
    }
    out
}

/// Step 4 on one component schema a request body reaches: an optional field
/// may be absent or `null` (both read as "not given"), so it is declared
/// nullable (an optional enum field gets its values inline, since a `$ref`
/// cannot carry `nullable`); value fields and free text get their patterns.
fn request_rules(schema: &mut Value, enums: &Mapping) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_sequence)
        .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let Some(props) = schema.get_mut("properties").and_then(Value::as_mapping_mut) else { return };
    for (name, prop) in props.iter_mut() {
        let Some(name) = name.as_str() else { continue };
        let Some(p) = prop.as_mapping_mut() else { continue };
        let is_required = required.iter().any(|r| r == name);
        if let Some((_, rule, _)) = VALUE_FIELDS.iter().find(|(n, _, _)| *n == name)
            && p.get(key("type")).and_then(Value::as_str) == Some("string")
        {
            let rule: Mapping = serde_yaml::from_str(rule).unwrap_or_default();
            for (k, v) in rule {
                if !is_required && k.as_str() == Some("pattern") {
                    // An optional value may be blank: read as not given.
                    let pattern = v.as_str().unwrap_or_default();
                    p.insert(k, Value::String(format!(r"^\s*$|{pattern}")));
                } else {
                    p.insert(k, v);
                }
            }
        }
        if is_required {
            continue;
        }
        if let Some(target) = p.get(key("$ref")).and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
            && let Some(inline) = enums.get(key(target)).and_then(Value::as_mapping)
        {
            *p = inline.clone();
        }
        if p.get(key("$ref")).is_none() {
            p.insert(key("nullable"), Value::Bool(true));
        }
    }
    text_rules(schema);
}

/// The free text fields of a request schema.
fn text_rules(schema: &mut Value) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_sequence)
        .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let Some(props) = schema.get_mut("properties").and_then(Value::as_mapping_mut) else { return };
    for (name, prop) in props.iter_mut() {
        let Some(name) = name.as_str() else { continue };
        let Some((_, max)) = TEXT_FIELDS.iter().find(|(n, _)| *n == name) else { continue };
        let Some(p) = prop.as_mapping_mut() else { continue };
        if p.get(key("type")).and_then(Value::as_str) != Some("string") || p.get(key("format")).is_some() {
            continue;
        }
        if p.get(key("enum")).is_some() {
            continue;
        }
        p.insert(key("maxLength"), Value::from(*max));
        p.insert(key("pattern"), Value::String(text_pattern(required.iter().any(|r| r == name))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_reference_stands_alone() {
        let spec = tidy(
            "components: {schemas: {A: {type: object, properties: {b: {description: d, allOf: [{$ref: '#/components/schemas/B'}, {description: d}]}}}}}",
        );
        let b = &spec["components"]["schemas"]["A"]["properties"]["b"];
        assert_eq!(b.as_mapping().map(Mapping::len), Some(1), "{b:?}");
        assert_eq!(b["$ref"].as_str(), Some("#/components/schemas/B"));
    }

    #[test]
    fn the_text_pattern_says_what_the_text_rule_does() {
        let required = regex::Regex::new(&text_pattern(true)).unwrap();
        let optional = regex::Regex::new(&text_pattern(false)).unwrap();
        for (s, ok) in [("东莞市", true), ("  a ", true), ("a\nb\tc", true), ("", false), ("   ", false), ("a\u{0}b", false), ("☀", false)]
        {
            assert_eq!(required.is_match(s), ok, "{s:?}");
            assert_eq!(entities::values::text("f", s, 100).is_ok(), ok, "{s:?}");
        }
        assert!(optional.is_match("") && optional.is_match("  ") && !optional.is_match("\u{7}"));
    }

    fn pattern_of(name: &str) -> regex::Regex {
        let rule = VALUE_FIELDS.iter().find(|(n, _, _)| *n == name).map(|(_, r, _)| *r).unwrap_or_default();
        let rule: Value = serde_yaml::from_str(rule).unwrap();
        regex::Regex::new(rule["pattern"].as_str().unwrap()).unwrap()
    }

    /// A value pattern may admit more than the parser, never less: every value
    /// the parser takes matches (samples from the parsers' own tests).
    #[test]
    fn value_patterns_admit_what_the_parsers_take() {
        use entities::values::{CreditCode, Phone, Postcode};
        let phone = pattern_of("mobile");
        for raw in [
            "13800138000",
            "+86 13800138000",
            "+86-13800138000",
            "0769-22223333",
            "(0769)22223333",
            "（0769）22223333",
            "(0769) 22223333",
            "0769 22223333",
            "0769-22223333-123",
            "+86 (769)22223333",
            "+86 10 62345678",
            " 0769-22223333 ",
        ] {
            assert!(Phone::parse("p", raw).is_ok() && phone.is_match(raw), "{raw}");
        }
        assert!(!phone.is_match("电话") && !phone.is_match(""));
        let postcode = pattern_of("postcode");
        for (raw, ok) in [("523000", true), (" 523808 ", true), ("52300", false), ("５２３０００", false)] {
            assert_eq!(Postcode::parse("p", raw).is_ok(), ok, "{raw}");
            assert_eq!(postcode.is_match(raw), ok, "{raw}");
        }
        let code = pattern_of("credit_code");
        let valid = "91440300708461136T";
        assert!(CreditCode::parse("c", valid).is_ok() && code.is_match(valid));
        assert!(!code.is_match("91441900ma4uj5qx6f") && !code.is_match("91441900MA4UJ5QX6"));
    }

    /// The Idempotency-Key pattern admits only keys the parser takes (a
    /// schema-valid key was refused with 400 before it was stated).
    #[test]
    fn the_idempotency_key_pattern_admits_only_what_the_parser_takes() {
        let rule = PARAMS.iter().find(|(n, _, _, _)| *n == "Idempotency-Key").map(|(_, _, r, _)| *r).unwrap_or_default();
        let rule: Value = serde_yaml::from_str(rule).unwrap();
        let pattern = regex::Regex::new(rule["pattern"].as_str().unwrap()).unwrap();
        let long = "k".repeat(101);
        for (raw, ok) in [("retry-1", true), ("a/b:c~!", true), ("a b", false), ("键", false), ("\u{7f}", false), (long.as_str(), false)] {
            assert_eq!(pattern.is_match(raw), ok, "{raw:?}");
            assert_eq!(crate::services::idempotency::parse_key(Some(raw)).is_ok(), ok, "{raw:?}");
        }
    }

    /// The convention (absent fields omitted, never `null`) holds for every
    /// `Object`, including ones added later: each derive says so.
    #[test]
    fn every_object_omits_absent_fields() {
        fn visit(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    visit(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    let lines: Vec<&str> = text.lines().collect();
                    for (i, line) in lines.iter().enumerate() {
                        let derive = line.trim_start();
                        if derive.starts_with("#[derive(") && derive.split(|c: char| !c.is_alphanumeric()).any(|w| w == "Object") {
                            let attrs = lines[i + 1..].iter().take_while(|l| l.trim_start().starts_with("#["));
                            if !attrs.into_iter().any(|l| l.contains("skip_serializing_if_is_none")) {
                                out.push(format!("{}:{}", path.display(), i + 1));
                            }
                        }
                    }
                }
            }
        }
        let mut missing = Vec::new();
        visit(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut missing);
        assert!(missing.is_empty(), "add #[oai(skip_serializing_if_is_none)] (docs/DECISIONS.md, issue 19) to: {missing:#?}");
    }
}
