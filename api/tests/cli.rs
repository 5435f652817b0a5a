//! The binary's commands, run as a user would: help, spec, migrate, first-start
//! admin, `user create`, `demo` (twice: idempotent), `jobs list`, `jobs run
//! --at`, `mail test`, and bad settings and arguments.

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
    for cmd in ["serve", "migrate", "openapi", "user", "demo", "jobs", "mail"] {
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
    assert!(text.contains("demo data: 80 rows created"), "{text}");

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

#[test]
fn jobs_run_at_delivers_queued_mail_like_the_scheduled_run() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let mail_dir = dir.path().join("mail");
    let mail_dir_s = mail_dir.display().to_string();
    let env = [("DATABASE_URL", url.as_str()), ("REGISTRY_MAIL__TRANSPORT", "file"), ("REGISTRY_MAIL__DIR", mail_dir_s.as_str())];

    let out = api(dir.path(), &["jobs", "list"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("mail_delivery") && text.contains("0 * * * * *"), "{text}");
    assert!(text.contains("weekly_digest") && text.contains("0 0 9 * * Mon") && text.contains("never run"), "{text}");

    let out = api(dir.path(), &["mail", "test", "--to", "zhangsan@example.dg.cn"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("queued test message"));

    // Queued at the real time: a run set before it finds nothing due.
    let out = api(dir.path(), &["jobs", "run", "mail_delivery", "--at", "2020-07-31T09:00:00+08:00"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("succeeded; seen 0, acted 0, failed 0"), "{}", stdout(&out));

    let out = api(dir.path(), &["jobs", "run", "mail_delivery", "--at", "2099-07-31T09:00+08:00"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("mail_delivery at 2099-07-31 09:00:00+08:00: succeeded; seen 1, acted 1, failed 0"), "{}", stdout(&out));
    let files: Vec<_> = std::fs::read_dir(&mail_dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read(&files[0]).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(parsed.subject(), Some("【东莞市技能资源登记】测试邮件"));
    assert!(parsed.body_text(0).unwrap().contains("测试邮件"));
    assert_eq!(parsed.date().map(|d| d.to_rfc3339()), Some("2099-07-31T01:00:00Z".to_string()), "Date from the --at clock");

    // Sent once: a second run has nothing to do.
    let out = api(dir.path(), &["jobs", "run", "mail_delivery", "--at", "2099-07-31T09:01:00+08:00"], &env);
    assert!(stdout(&out).contains("seen 0, acted 0"), "{}", stdout(&out));
    assert_eq!(std::fs::read_dir(&mail_dir).unwrap().count(), 1);
    let out = api(dir.path(), &["jobs", "list"], &env);
    assert!(stdout(&out).contains("last 2099-07-31 09:01:00+08:00 succeeded"), "{}", stdout(&out));
}

#[test]
fn jobs_run_refuses_unknown_jobs_and_bad_times_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let env = [("DATABASE_URL", url.as_str())];
    let out = api(dir.path(), &["jobs", "run", "no_such_job"], &env);
    assert!(!out.status.success());
    let known: Vec<&str> = jobs::registry::JOBS.iter().map(|j| j.name).collect();
    assert!(known.starts_with(&["mail_delivery", "notice_close", "report_chase"]) && known.contains(&"weekly_digest"));
    assert!(stderr(&out).contains(&format!("unknown job `no_such_job` (known: {})", known.join(", "))), "{}", stderr(&out));
    for bad in ["yesterday", "2026-07-31", "2026-07-31T09:00:00"] {
        let out = api(dir.path(), &["jobs", "run", "mail_delivery", "--at", bad], &env);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).contains("--at") && stderr(&out).contains("2026-07-31T09:00:00+08:00"), "{}", stderr(&out));
    }
    let out = api(dir.path(), &["mail", "test", "--to", "not-an-address"], &env);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--to"), "{}", stderr(&out));

    // Memory mail is for tests only.
    let out = api(
        dir.path(),
        &["migrate"],
        &[
            ("REGISTRY_MODE", "production"),
            ("REGISTRY_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("REGISTRY_MAIL__TRANSPORT", "memory"),
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("mail.transport"), "{}", stderr(&out));
    let out = api(dir.path(), &["migrate"], &[("REGISTRY_SCHEDULER__JOBS__WEEKLY_DIGEST__CRON", "0 9 * * 1")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("scheduler.jobs.weekly_digest.cron"), "{}", stderr(&out));
}
