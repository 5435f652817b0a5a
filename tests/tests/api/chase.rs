//! The report chase (issue 5, acceptance 1, 2, 5): a day-by-day walk from
//! 1 June to 15 September 2026 with the jobs running each day.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::{OrgKind, models::user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tests::{Session, TestApp, alliances::form_body, spawn_app};

struct Member {
    session: Session,
    org_id: String,
    email: String,
}

async fn member(app: &TestApp, kind: OrgKind, email: &str) -> Member {
    let org = app.create_org(kind).await;
    let org_id = org["id"].as_str().unwrap().to_string();
    let admin = app.admin().await;
    let username = email.split('@').next().unwrap().to_string();
    let (status, body) = app
        .post_json(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": username, "display_name": format!("{username}联系人"), "email": email, "role": "org_user", "organization_id": org_id, "password": tests::USER_PASSWORD}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    Member { session: app.login_as(&username, tests::USER_PASSWORD).await, org_id, email: email.to_string() }
}

/// An alliance of the initiator and 3 members, registered on 10 March 2026.
async fn registered_in_march(app: &TestApp) -> Vec<Member> {
    app.set_now("2026-03-10T10:00:00+08:00").await;
    let parties = vec![
        member(app, OrgKind::TechnicalSchool, "initiator@school.example.cn").await,
        member(app, OrgKind::Enterprise, "leader@lead.example.cn").await,
        member(app, OrgKind::Enterprise, "enterprise@ent.example.cn").await,
        member(app, OrgKind::ResearchInstitute, "research@institute.example.cn").await,
    ];
    let admin = app.admin().await;
    let (status, _) = app
        .post_json("/api/v1/users", Some(&admin), &json!({"username": "chase.staff", "display_name": "督办科员", "email": "staff@bureau.example.cn", "role": "bureau_staff", "password": tests::USER_PASSWORD}))
        .await;
    assert_eq!(status, 201);
    register(app, "东莞市模具职业培训联盟", &parties.iter().collect::<Vec<_>>()).await;
    parties
}

/// Files and registers an alliance of `parties` (initiator, lead, members…),
/// filing forms and signatures through the API; answers its id.
async fn register(app: &TestApp, name: &str, parties: &[&Member]) -> String {
    let s = &parties[0].session;
    let docs = [app.upload_pdf(s, "a.pdf").await, app.upload_pdf(s, "c.pdf").await, app.upload_pdf(s, "l.pdf").await];
    let members: Vec<&str> = parties[2..].iter().map(|p| p.org_id.as_str()).collect();
    let (status, body) = app
        .post_json(
            "/api/v1/alliances",
            Some(s),
            &json!({"name": name, "industry": "模具制造", "lead_organization_id": parties[1].org_id,
                "member_organization_ids": members,
                "agreement_document_id": docs[0], "charter_document_id": docs[1], "licence_document_id": docs[2], "report_text": "报告"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    for p in parties {
        assert_eq!(
            app.put_json(&format!("/api/v1/alliances/{id}/members/{}/form", p.org_id), Some(&p.session), &form_body(50)).await.0,
            200
        );
        assert_eq!(app.post_json(&format!("/api/v1/alliances/{id}/charter/sign"), Some(&p.session), &json!({})).await.0, 200);
    }
    assert_eq!(app.post_json(&format!("/api/v1/alliances/{id}/submit"), Some(s), &json!({})).await.0, 200);
    let staff = app.login_as("chase.staff", tests::USER_PASSWORD).await;
    let (status, body) = app.post_json(&format!("/api/v1/alliances/{id}/register"), Some(&staff), &json!({})).await;
    assert_eq!((status, body["registered_on"].as_str()), (200, Some("2026-03-10")), "{body}");
    id
}

fn template_of(subject: &str) -> &'static str {
    if subject.starts_with("【逾期30天】") {
        "report_overdue_bureau"
    } else if subject.contains("请填报") {
        "report_rows_reminder"
    } else if subject.contains("报送提醒") {
        "report_reminder"
    } else {
        "other"
    }
}

/// Walks the days, running the chase twice and the delivery once each day at
/// 09:00; answers (day, recipient, template) for every message the sink got.
async fn walk(app: &TestApp, from: NaiveDate, to: NaiveDate) -> Vec<(String, String, String)> {
    let mut got = Vec::new();
    let mut day = from;
    while day <= to {
        app.set_now(&format!("{day}T09:00:00+08:00")).await;
        let before = app.smtp.messages().len();
        for job in ["report_chase", "report_chase", "mail_delivery"] {
            let run = app.run_job(job).await;
            assert_eq!((run.outcome, run.failed), (entities::models::job_run::Outcome::Succeeded, 0), "{day} {job}: {run:?}");
        }
        for m in &app.smtp.messages()[before..] {
            let parsed = m.parsed().unwrap();
            let subject = parsed.subject().unwrap_or_default().to_string();
            assert!(parsed.body_text(0).is_some_and(|b| b.contains("东莞市")), "Chinese body");
            for to in &m.to {
                got.push((day.to_string(), to.clone(), template_of(&subject).to_string()));
            }
        }
        day = day.succ_opt().unwrap();
    }
    got
}

#[tokio::test]
async fn the_chase_sends_exactly_the_scheduled_reminders_on_working_days_once() {
    let app = spawn_app().await;
    let parties = registered_in_march(&app).await;
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let got = walk(&app, d(6, 1), d(9, 15)).await;

    // Member rows due Wed 15 July; the alliance report due Fri 31 July;
    // the bureau is told on the first working day 30 days after (Sun 30 Aug → Mon 31 Aug).
    let rows =
        ["06-15", "07-01", "07-08", "07-14", "07-15", "07-16", "07-22", "07-29", "08-05", "08-12", "08-19", "08-26", "09-02", "09-09"];
    let report = ["07-01", "07-17", "07-24", "07-30", "07-31", "08-03", "08-07", "08-14", "08-21", "08-28", "09-04", "09-11"];
    let mut want = Vec::new();
    for day in rows {
        for p in &parties {
            want.push((format!("2026-{day}"), p.email.clone(), "report_rows_reminder".to_string()));
        }
    }
    for day in report {
        want.push((format!("2026-{day}"), parties[0].email.clone(), "report_reminder".to_string()));
    }
    want.push(("2026-08-31".into(), "staff@bureau.example.cn".into(), "report_overdue_bureau".into()));
    let mut got_sorted = got.clone();
    got_sorted.sort();
    want.sort();
    assert_eq!(got_sorted, want, "exactly the scheduled reminders, each once");

    // Nothing on weekends or the Dragon Boat holiday (19–21 June).
    for (day, _, _) in &got {
        let date: NaiveDate = day.parse().unwrap();
        assert!(!["2026-06-19", "2026-06-20", "2026-06-21"].contains(&day.as_str()));
        assert!(chrono::Datelike::weekday(&date).number_from_monday() <= 5, "{day} is a weekend");
    }
    // Each message arrived once: no two identical (day, recipient, template).
    let mut counts: BTreeMap<&(String, String, String), usize> = BTreeMap::new();
    for g in &got {
        *counts.entry(g).or_default() += 1;
    }
    assert!(counts.values().all(|n| *n == 1));

    // Every email also left an in-app notification for its recipient.
    let (_, notes) = app.get("/api/v1/notifications?limit=200", Some(&app.login_as("initiator", tests::USER_PASSWORD).await)).await;
    let reminders =
        notes["items"].as_array().unwrap().iter().filter(|n| n["kind"].as_str().is_some_and(|k| k.starts_with("report_"))).count();
    assert_eq!(reminders, rows.len() + report.len());

    // Acceptance 2: the same walk again sends nothing extra.
    let again = walk(&app, d(6, 1), d(9, 15)).await;
    assert!(again.is_empty(), "re-running the walk sent {} more", again.len());
}

/// The `api` binary next to this test executable (built by `cargo test --workspace`).
fn api_binary() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?.parent()?.join(format!("api{}", std::env::consts::EXE_SUFFIX));
    bin.exists().then_some(bin)
}

/// Acceptance 5: `jobs run report_chase --at …` from the CLI does what the scheduled run does.
#[tokio::test]
async fn the_cli_run_at_a_given_time_does_what_the_scheduled_run_does() {
    let Some(bin) = api_binary() else {
        eprintln!("api binary not built (run `cargo test --workspace`); CLI chase test skipped");
        return;
    };
    let app = spawn_app().await;
    registered_in_march(&app).await;
    let twin = spawn_app().await;
    registered_in_march(&twin).await;
    // On Wed 15 July the rows are due (4 reminders); the report's current stage is d-30 (fired 1 July, not yet sent).
    twin.set_now("2026-07-15T09:00:00+08:00").await;
    let scheduled = twin.run_job("report_chase").await;
    assert_eq!(scheduled.acted, 5, "{scheduled:?}");

    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(bin)
        .args(["jobs", "run", "report_chase", "--at", "2026-07-15T09:00:00+08:00"])
        .current_dir(dir.path())
        .env("DATABASE_URL", &app.settings.database_url)
        .env("REGISTRY_MAIL__TRANSPORT", "file")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("acted 5"), "{stdout}");
    // The same reminders are now in the outbox: an in-process run at that time has nothing left to do.
    app.set_now("2026-07-15T09:00:00+08:00").await;
    assert_eq!(app.run_job("report_chase").await.acted, 0);
    assert_eq!(tests::db::snapshot(&app.db).await.iter().find(|(k, _)| k == "outbox.rows").map(|(_, v)| *v), Some(5));
}

/// The weekly digest lists reports due within 14 days and overdue ones.
#[tokio::test]
async fn the_weekly_digest_lists_reports_due_soon_and_overdue() {
    let app = spawn_app().await;
    registered_in_march(&app).await;
    let digest_on = |day: &'static str| {
        let app = &app;
        async move {
            app.set_now(&format!("{day}T09:00:00+08:00")).await;
            let before = app.smtp.messages().len();
            app.run_job("weekly_digest").await;
            app.run_job("mail_delivery").await;
            app.smtp.messages()[before..]
                .iter()
                .filter(|m| m.to.iter().any(|t| t == "staff@bureau.example.cn"))
                .map(|m| m.parsed().unwrap().body_text(0).unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // Monday 20 July: the report is due on 31 July, in 11 days.
    let mails = digest_on("2026-07-20").await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("14天内到期的联盟半年度报送")
            && mails[0].contains("东莞市模具职业培训联盟（2026年上半年度，截止2026-07-31，还有11天）"),
        "{}",
        mails[0]
    );
    // Monday 3 August: 3 days overdue.
    let mails = digest_on("2026-08-03").await;
    assert!(mails[0].contains("逾期未报送的联盟半年度报送") && mails[0].contains("已逾期3天"), "{}", mails[0]);
}

/// A member unit of two alliances gets one reminder per stage listing both;
/// the bureau gets one message for all reports 30 days overdue.
#[tokio::test]
async fn one_reminder_per_recipient_lists_every_alliance_it_concerns() {
    let app = spawn_app().await;
    let first = registered_in_march(&app).await;
    let second = [
        member(&app, OrgKind::VocationalCollege, "initiator2@college.example.cn").await,
        member(&app, OrgKind::Enterprise, "leader2@lead.example.cn").await,
    ];
    let second_id = register(&app, "东莞市电子信息职业培训联盟", &[&second[0], &second[1], &first[2], &first[3]]).await;

    app.set_now("2026-07-15T09:00:00+08:00").await;
    // A notification of the shared member's before the chase and one after:
    // the reminders (ids made by the database) sort between them, newest first.
    let shared_user = user::Entity::find().filter(user::Column::Username.eq("enterprise")).one(&app.db).await.unwrap().unwrap().id;
    let plain = |title: &'static str| {
        let (db, now) = (app.db.clone(), jobs::Clock::now(&app.clock));
        async move {
            jobs::notify::create(&db, shared_user, "alliance_composition", title, "联盟成员构成提示。", None, now).await.unwrap()
        }
    };
    plain("较早的通知").await;
    let before = app.smtp.messages().len();
    let run = app.run_job("report_chase").await;
    plain("较晚的通知").await;
    app.run_job("mail_delivery").await;
    let (to_shared, subjects): (Vec<String>, Vec<String>) = app.smtp.messages()[before..]
        .iter()
        .filter(|m| m.to.iter().any(|t| t == &first[2].email))
        .map(|m| {
            let parsed = m.parsed().unwrap();
            (parsed.body_text(0).unwrap().to_string(), parsed.subject().unwrap_or_default().to_string())
        })
        .unzip();
    assert_eq!(to_shared.len(), 1, "one message for both alliances: {to_shared:?}");
    assert!(
        to_shared[0].contains(&format!("/alliances/{second_id}/reports/2026H1")) && !to_shared[0].contains("/api/v1/"),
        "each alliance's report page is linked: {}",
        to_shared[0]
    );
    // The in-app notification says what the mail says, and links to 我的待办, which lists both.
    let shared = app.login_as("enterprise", tests::USER_PASSWORD).await;
    let (status, notes) = app.get("/api/v1/notifications", Some(&shared)).await;
    assert_eq!(status, 200, "{notes}");
    let titles: Vec<&str> = notes["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["较晚的通知", subjects[0].as_str(), "较早的通知"], "newest first: {notes}");
    let reminder = &notes["items"][1];
    assert!(reminder["body"].as_str().unwrap().contains("以下2个职业培训联盟"), "{notes}");
    assert!(reminder["link"].as_str().unwrap().ends_with("/tasks"), "{notes}");
    let id: uuid::Uuid = reminder["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id.get_version_num(), 7, "time-ordered like the ids made in Rust: {id}");
    // Pages of one run across the notifications and the reminders.
    let mut paged = Vec::new();
    let mut url = "/api/v1/notifications?limit=1".to_string();
    loop {
        let (_, page) = app.get(&url, Some(&shared)).await;
        paged.push(page["items"][0]["title"].as_str().unwrap().to_string());
        let Some(next) = page["next_cursor"].as_str() else { break };
        url = format!("/api/v1/notifications?limit=1&cursor={next}");
    }
    assert_eq!(paged, titles);
    // The reminder is read and marked like any notification, by its recipient only.
    let initiator = app.login_as("initiator", tests::USER_PASSWORD).await;
    let (status, body) = app.post_json(&format!("/api/v1/notifications/{id}/read"), Some(&initiator), &json!({})).await;
    tests::http::assert_problem(status, &body, 404, "not_found");
    let (_, count) = app.get("/api/v1/notifications/unread-count", Some(&shared)).await;
    assert_eq!(count["unread"], 3);
    let (status, read) = app.post_json(&format!("/api/v1/notifications/{id}/read"), Some(&shared), &json!({})).await;
    assert_eq!((status, read["title"].as_str()), (200, Some(subjects[0].as_str())), "{read}");
    assert_eq!(read["read_at"], "2026-07-15T01:00:00+00:00");
    let (_, unread) = app.get("/api/v1/notifications?unread=true", Some(&shared)).await;
    let titles: Vec<&str> = unread["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["较晚的通知", "较早的通知"]);
    let (status, all) = app.post_json("/api/v1/notifications/read-all", Some(&shared), &json!({"up_to": id})).await;
    assert_eq!((status, all["marked_read"].as_i64()), (200, Some(1)), "up to the reminder: the earlier one");
    let (_, count) = app.get("/api/v1/notifications/unread-count", Some(&shared)).await;
    assert_eq!(count["unread"], 1);
    // A member of one alliance only is linked straight to its report.
    let only = app.login_as("leader2", tests::USER_PASSWORD).await;
    let (_, notes) = app.get("/api/v1/notifications", Some(&only)).await;
    let link = notes["items"][0]["link"].as_str().unwrap();
    assert!(link.ends_with(&format!("/alliances/{second_id}/reports/2026H1")) && !link.contains("/api/v1/"), "{notes}");
    // The link opens the report page for the member signed in on the web.
    let web = tests::web::WebClient::sign_in(&app, "leader2", tests::USER_PASSWORD).await;
    let page = web.get(&format!("/alliances/{second_id}/reports/2026H1")).await;
    assert!(page.status == 200 && page.body.contains("东莞市电子信息职业培训联盟"), "{} {}", page.status, page.body);
    assert!(
        to_shared[0].contains("以下2个职业培训联盟")
            && to_shared[0].contains("东莞市模具职业培训联盟")
            && to_shared[0].contains("东莞市电子信息职业培训联盟"),
        "{}",
        to_shared[0]
    );
    // 6 member units (shared ones once) and the 2 initiators (report stage d-30 not yet sent).
    assert_eq!(run.acted, 8, "{run:?}");

    app.set_now("2026-08-31T09:00:00+08:00").await;
    let before = app.smtp.messages().len();
    app.run_job("report_chase").await;
    app.run_job("mail_delivery").await;
    let to_bureau: Vec<_> = app.smtp.messages()[before..]
        .iter()
        .filter(|m| m.to.iter().any(|t| t == "staff@bureau.example.cn"))
        .map(|m| m.parsed().unwrap().subject().unwrap_or_default().to_string())
        .collect();
    assert_eq!(to_bureau, ["【逾期30天】2个联盟2026年上半年度报送已逾期31天"]);
}

/// Issue 16 item 4: a unit none of whose active accounts has an e-mail is
/// reminded at its own address — the organisation record's, else its latest
/// 附件1 form's — once per stage; a unit with neither is listed in the
/// bureau's weekly digest. Units with accounts are told as before.
#[tokio::test]
async fn units_without_an_account_are_reminded_at_their_own_address_and_the_unreachable_are_listed() {
    use entities::models::{member_form, organization};
    use sea_orm::sea_query::Expr;
    let app = spawn_app().await;
    let parties = registered_in_march(&app).await;
    let (lead, enterprise, research) = (&parties[1], &parties[2], &parties[3]);
    let admin = app.admin().await;
    for username in ["leader", "enterprise", "research"] {
        let id = user::Entity::find().filter(user::Column::Username.eq(username)).one(&app.db).await.unwrap().unwrap().id;
        let (status, body) = app.post_json(&format!("/api/v1/users/{id}/disable"), Some(&admin), &json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    // The research institute's record carries its address.
    let (status, body) = app
        .patch_json(&format!("/api/v1/organizations/{}", research.org_id), Some(&admin), &json!({"email": "office@institute.example.cn"}))
        .await;
    assert_eq!(status, 200, "{body}");
    // The lead's and the enterprise's records have none (carried over from
    // before addresses were required: the API cannot write such a record);
    // the lead's 附件1 form has one, the enterprise's not.
    let org_of = |m: &Member| m.org_id.parse::<uuid::Uuid>().unwrap();
    organization::Entity::update_many()
        .col_expr(organization::Column::Email, Expr::value(""))
        .filter(organization::Column::Id.is_in([org_of(lead), org_of(enterprise)]))
        .exec(&app.db)
        .await
        .unwrap();
    for (m, email) in [(lead, "hr@lead.example.cn"), (enterprise, " ")] {
        member_form::Entity::update_many()
            .col_expr(member_form::Column::Email, Expr::value(email))
            .filter(member_form::Column::OrganizationId.eq(org_of(m)))
            .exec(&app.db)
            .await
            .unwrap();
    }

    // 15 July: member rows are due.
    app.set_now("2026-07-15T09:00:00+08:00").await;
    let before = app.smtp.messages().len();
    let run = app.run_job("report_chase").await;
    assert_eq!(run.acted, 4, "the initiator's rows and report reminders, the research institute, the lead: {run:?}");
    app.run_job("mail_delivery").await;
    let mut got: Vec<(String, &str, String)> = app.smtp.messages()[before..]
        .iter()
        .map(|m| {
            let parsed = m.parsed().unwrap();
            let subject = parsed.subject().unwrap_or_default().to_string();
            (m.to.join(","), template_of(&subject), parsed.body_text(0).unwrap().to_string())
        })
        .collect();
    got.sort();
    let to: Vec<(&str, &str)> = got.iter().map(|(to, t, _)| (to.as_str(), *t)).collect();
    assert_eq!(
        to,
        [
            ("hr@lead.example.cn", "report_rows_reminder"),
            ("initiator@school.example.cn", "report_reminder"),
            ("initiator@school.example.cn", "report_rows_reminder"),
            ("office@institute.example.cn", "report_rows_reminder"),
        ],
        "a unit with an account is told there only (not at office@example.dg.cn); the enterprise cannot be reached"
    );
    let admin = app.admin().await; // the clock moved: a fresh token
    let (_, research_org) = app.get(&format!("/api/v1/organizations/{}", research.org_id), Some(&admin)).await;
    let unit_mail = &got[3].2;
    assert!(
        unit_mail.contains(&format!("{}您好", research_org["name"].as_str().unwrap()))
            && unit_mail.contains("尚无留有电子邮箱的有效账号")
            && unit_mail.contains("/alliances/")
            && !unit_mail.contains("/api/v1/"),
        "{unit_mail}"
    );
    assert!(!got[2].2.contains("尚无留有电子邮箱的有效账号"), "an account's reminder is worded as before: {}", got[2].2);

    // A re-run the same day sends nothing more.
    assert_eq!(app.run_job("report_chase").await.acted, 0);
    app.run_job("mail_delivery").await;
    assert_eq!(app.smtp.messages().len(), before + 4);

    // The next stage (16 July, the first working day after) reaches them again, once.
    app.set_now("2026-07-16T09:00:00+08:00").await;
    assert_eq!(app.run_job("report_chase").await.acted, 3, "rows: initiator, research institute, lead");
    assert_eq!(app.run_job("report_chase").await.acted, 0);

    // Monday 20 July: the digest lists the enterprise, which nobody could tell.
    app.set_now("2026-07-20T09:00:00+08:00").await;
    let admin = app.admin().await;
    let (_, enterprise_org) = app.get(&format!("/api/v1/organizations/{}", enterprise.org_id), Some(&admin)).await;
    let before = app.smtp.messages().len();
    app.run_job("weekly_digest").await;
    app.run_job("mail_delivery").await;
    let digests: Vec<String> = app.smtp.messages()[before..]
        .iter()
        .filter(|m| m.to.iter().any(|t| t == "staff@bureau.example.cn"))
        .map(|m| m.parsed().unwrap().body_text(0).unwrap().to_string())
        .collect();
    assert_eq!(digests.len(), 1);
    let section = digests[0].split("无电子邮箱、无法发送报送提醒的单位").nth(1).expect("the section is there").to_string();
    let line = format!("{}（{}）", enterprise_org["name"].as_str().unwrap(), enterprise_org["credit_code"].as_str().unwrap());
    assert!(section.contains(&line), "{}", digests[0]);
    assert!(!section.contains(research_org["name"].as_str().unwrap()), "reachable units are not listed: {}", digests[0]);
    let before = app.smtp.messages().len();
    app.run_job("weekly_digest").await;
    app.run_job("mail_delivery").await;
    assert_eq!(app.smtp.messages().len(), before, "a re-run in the same week sends nothing more");
}
