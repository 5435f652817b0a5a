//! The binary's commands, run as a user would: help, spec, migrate, first-start
//! admin, `user create`, `demo` (twice: idempotent), and a bad setting.

use std::process::{Command, Output};

fn api(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_api"));
    cmd.args(args).current_dir(dir).env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run api")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The CLI test keeps to a SQLite file: it exercises the binary, not the backend
/// (the end-to-end tests in `tests/` run on both).
fn database_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("cli.db").display())
}

#[test]
fn help_names_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = api(dir.path(), &["--help"], &[]);
    assert!(out.status.success());
    let text = stdout(&out);
    for cmd in ["serve", "migrate", "openapi", "user", "demo"] {
        assert!(text.contains(cmd), "{cmd} missing from --help:\n{text}");
    }
    let out = api(dir.path(), &["user", "create", "--help"], &[]);
    assert!(stdout(&out).contains("--email") && stdout(&out).contains("--role") && stdout(&out).contains("--org"));
}

#[test]
fn openapi_prints_the_committed_spec() {
    let dir = tempfile::tempdir().unwrap();
    let out = api(dir.path(), &["openapi"], &[]);
    assert!(out.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.yaml")).unwrap();
    assert_eq!(stdout(&out), committed, "regenerate with: cargo run -p api -- openapi > openapi/openapi.yaml");
}

#[test]
fn migrate_demo_and_user_create_work_and_demo_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let env = [("DATABASE_URL", url.as_str())];
    let out = api(dir.path(), &["migrate"], &env);
    assert!(out.status.success(), "{}", stderr(&out));

    let first = api(dir.path(), &["demo"], &env);
    assert!(first.status.success(), "{}", stderr(&first));
    let text = stdout(&first);
    assert!(text.contains("admin"), "first start prints the admin password once: {text}");
    assert!(text.contains("demo data: 53 rows created"), "{text}");

    let second = api(dir.path(), &["demo"], &env);
    assert!(second.status.success());
    let text = stdout(&second);
    assert!(text.contains("demo data: 0 rows created"), "{text}");
    assert!(!text.contains("初始密码"), "the admin password is printed only once: {text}");

    // An org_user for a demo organisation, found by credit code.
    let code = api::demo::demo_credit_code("12", 7);
    let out = api(dir.path(), &["user", "create", "--email", "li@example.dg.cn", "--role", "org_user", "--org", &code], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("one-time password"));
    let again = api(dir.path(), &["user", "create", "--email", "li@example.dg.cn", "--role", "org_user", "--org", &code], &env);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("用户名已被使用"), "{}", stderr(&again));
    let missing = api(dir.path(), &["user", "create", "--email", "x@example.dg.cn", "--role", "org_user"], &env);
    assert!(!missing.status.success());
}

#[test]
fn a_bad_setting_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = api(dir.path(), &["migrate"], &[("REGISTRY_BIND", "not-an-address")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bind"), "{}", stderr(&out));

    let out = api(dir.path(), &["serve"], &[("REGISTRY_MODE", "production")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("jwt_secret"), "{}", stderr(&out));

    std::fs::write(dir.path().join("registry.toml"), "access_token_ttl_secs = 5\n").unwrap();
    let out = api(dir.path(), &["migrate"], &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("access_token_ttl_secs"), "{}", stderr(&out));

    std::fs::write(dir.path().join("registry.toml"), "no_such_setting = 1\n").unwrap();
    let out = api(dir.path(), &["migrate"], &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no_such_setting"), "{}", stderr(&out));
}
