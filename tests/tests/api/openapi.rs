//! The committed spec must equal the generated one.

#[test]
fn committed_spec_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.yaml");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = api::routes::spec_yaml();
    assert!(
        committed == generated,
        "openapi/openapi.yaml is stale; regenerate it with:\n\n    cargo run -p api -- openapi > openapi/openapi.yaml\n"
    );
}
