//! Issue 8: the bureau dashboard — the overview's figures against counts made
//! independently in the test (acceptance 1), refusals for org users and
//! experts on every endpoint and the page (acceptance 3), the overdue list,
//! the exports, the page (behind the web front end's sign-in), and a fixed
//! number of statements.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::{OrgKind, report::Period};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use tests::{
    dashboard::{LONG_TTL_SECS, expected, generate},
    http::assert_problem,
    kind_name,
    reports::report_path,
    spawn_app_with,
    web::WebClient,
};

fn p(s: &str) -> Period {
    Period::parse("p", s).unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn by<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|x| x[key] == value).unwrap_or_else(|| panic!("{key}={value} in {list}"))
}

#[tokio::test]
async fn overview_figures_equal_counts_made_independently_on_demo_data_and_generated_periods() {
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    let scenario = generate(&app).await;
    let staff = &scenario.staff;
    let (status, o) = app.get("/api/v1/dashboard/overview?period=2026H1", Some(staff)).await;
    assert_eq!(status, 200, "{o}");
    let today = d("2026-08-10");
    assert_eq!(o["as_of"], "2026-08-10");
    assert_eq!(o["reports"]["report_due"], "2026-07-31");
    let history: Vec<String> =
        o["reports_by_period"].as_array().unwrap().iter().map(|c| c["period"].as_str().unwrap().to_string()).collect();
    assert_eq!(history, ["2023H2", "2024H1", "2024H2", "2025H1", "2025H2", "2026H1"]);
    let mut due = BTreeMap::new();
    for c in o["reports_by_period"].as_array().unwrap() {
        due.insert(p(c["period"].as_str().unwrap()), d(c["report_due"].as_str().unwrap()));
    }
    assert_eq!(due[&p("2025H2")], d("2026-02-02"), "31 January 2026 is a Saturday");
    let e = expected(&app, today, &due, p("2026H1")).await;

    // Alliances: by status and, for those on file, by industry.
    for s in o["alliances"]["by_status"].as_array().unwrap() {
        assert_eq!(s["count"].as_u64().unwrap(), e.alliances_by_status.get(s["status"].as_str().unwrap()).copied().unwrap_or(0), "{s}");
    }
    assert_eq!(o["alliances"]["total"].as_u64().unwrap(), e.alliances_by_status.values().sum::<u64>());
    assert_eq!(o["alliances"]["registered"], 6, "five generated and the demo alliance");
    let industries: BTreeMap<String, u64> = o["alliances"]["by_industry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["industry"].as_str().unwrap().to_string(), i["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(industries, e.alliances_by_industry);

    // Member units by the seven kinds.
    let kinds = &o["members"]["by_kind"];
    assert_eq!(kinds.as_array().unwrap().len(), 7);
    for k in OrgKind::ALL {
        let row = by(kinds, "kind", kind_name(k));
        assert_eq!(row["units"].as_u64().unwrap(), e.units_by_kind.get(&k).copied().unwrap_or(0), "{row}");
        assert_eq!(row["memberships"].as_u64().unwrap(), e.memberships_by_kind.get(&k).copied().unwrap_or(0), "{row}");
    }
    assert_eq!(o["members"]["units"].as_u64().unwrap(), e.units_by_kind.values().sum::<u64>());
    assert_eq!(o["members"]["units"], 36, "5 × 6 generated units and the demo alliance's 6");

    // Compliance, this period and each period of the chart.
    for c in o["reports_by_period"].as_array().unwrap() {
        let want = e.compliance.get(&p(c["period"].as_str().unwrap())).cloned().unwrap_or_default();
        assert_eq!(c["owed"].as_u64().unwrap(), want.owed, "{c}");
        for s in c["by_status"].as_array().unwrap() {
            assert_eq!(s["count"].as_u64().unwrap(), want.by_standing.get(s["status"].as_str().unwrap()).copied().unwrap_or(0), "{c}");
        }
        assert_eq!((c["handed_in"].as_u64().unwrap(), c["on_time"].as_u64().unwrap()), (want.handed_in, want.on_time), "{c}");
    }
    let r = &o["reports"];
    assert_eq!(
        [
            &r["owed"],
            &r["not_started"],
            &r["in_progress"],
            &r["submitted_on_time"],
            &r["late"],
            &r["overdue"],
            &r["accepted"],
            &r["returned"]
        ]
        .map(|v| v.as_u64().unwrap()),
        [6, 0, 0, 1, 1, 2, 1, 1],
        "{r}"
    );
    assert_eq!((r["handed_in"].as_u64(), r["on_time"].as_u64()), (Some(4), Some(3)));
    assert_eq!(
        (r["handed_in_permille"].as_u64(), r["on_time_permille"].as_u64(), r["on_time_rate_label"].as_str()),
        (Some(667), Some(500), Some("50.0%"))
    );
    let prev = &o["reports_by_period"][4];
    assert_eq!((prev["owed"].as_u64(), prev["on_time"].as_u64(), prev["overdue"].as_u64()), (Some(6), Some(2), Some(4)), "{prev}");

    // Training totals of 附件3 by category, this period and the previous one.
    let t = &o["training"];
    let fields = [
        "trainees",
        "senior_technician",
        "technician",
        "senior_worker",
        "intermediate_worker",
        "junior_worker",
        "special",
        "general_workers",
    ];
    for k in OrgKind::ALL {
        let row = by(&t["by_category"], "kind", kind_name(k));
        for (which, period) in [("current", "2026H1"), ("previous", "2025H2")] {
            let want = e.training.get(&(p(period), k)).copied().unwrap_or([0; 8]);
            let got: Vec<i64> = fields.iter().map(|f| row[which][f].as_i64().unwrap()).collect();
            assert_eq!(got, want, "{k:?} {which}");
        }
    }
    let sum = |period: &str| e.training.iter().filter(|((q, _), _)| *q == p(period)).map(|(_, v)| v[0]).sum::<i64>();
    assert_eq!(t["total"]["trainees"].as_i64().unwrap(), sum("2026H1"));
    assert_eq!(t["previous_total"]["trainees"].as_i64().unwrap(), sum("2025H2"));
    assert_eq!(t["trainees_change"]["delta"].as_i64().unwrap(), sum("2026H1") - sum("2025H2"));
    assert_eq!(t["total"]["trainees"], 630, "a and e (210 each) and b (210); c is returned, d is a draft");
    for h in t["trainees_by_period"].as_array().unwrap() {
        assert_eq!(h["trainees"].as_i64().unwrap(), sum(h["period"].as_str().unwrap()), "{h}");
    }
    let top: Vec<(uuid::Uuid, i64)> = t["top_alliances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["alliance_id"].as_str().unwrap().parse().unwrap(), a["current"]["trainees"].as_i64().unwrap()))
        .collect();
    assert!(top.windows(2).all(|w| w[0].1 >= w[1].1), "most trainees first: {top:?}");
    let mut got = top.clone();
    got.sort();
    let want: Vec<(uuid::Uuid, i64)> = e.trainees_by_alliance.clone().into_iter().collect();
    assert_eq!(got, want);
    // Overdue over all periods, bans in force, dead mail.
    assert_eq!(o["overdue"]["total"].as_u64().unwrap(), e.overdue);
    assert_eq!((o["overdue"]["total"].as_u64(), o["overdue"]["oldest_period"].as_str()), (Some(6), Some("2025H2")));
    assert_eq!(o["bans"]["active"].as_u64().unwrap(), e.bans);
    assert_eq!(
        (o["bans"]["active"].as_u64(), o["bans"]["organizations"].as_u64()),
        (Some(2), Some(2)),
        "the fraud in development and the fraud in certification"
    );
    assert_eq!(o["mail"]["dead"].as_u64().unwrap(), e.dead_mail);
    assert_eq!(o["mail"]["dead"], 1);
    skill_resource_sections_equal_the_rows(&o, &e);

    // The default period is the latest ended one; year + half says the same.
    let (_, default) = app.get("/api/v1/dashboard/overview", Some(staff)).await;
    assert_eq!(default["period"], "2026H1");
    let (_, by_year) = app.get("/api/v1/dashboard/overview?year=2025&period=H2", Some(staff)).await;
    assert_eq!((by_year["period"].as_str(), by_year["reports"]["owed"].as_u64()), (Some("2025H2"), Some(6)));

    // The overdue list: oldest period first, paged, each row linking to its report.
    let (status, page) = app.get("/api/v1/dashboard/overdue?limit=2", Some(staff)).await;
    assert_eq!(status, 200, "{page}");
    let mut items = page["items"].as_array().unwrap().clone();
    let mut cursor = page["next_cursor"].as_str().map(str::to_string);
    while let Some(c) = cursor {
        let (status, next) = app.get(&format!("/api/v1/dashboard/overdue?limit=2&cursor={c}"), Some(staff)).await;
        assert_eq!(status, 200, "{next}");
        items.extend(next["items"].as_array().unwrap().iter().cloned());
        cursor = next["next_cursor"].as_str().map(str::to_string);
    }
    let periods: Vec<&str> = items.iter().map(|i| i["period"].as_str().unwrap()).collect();
    assert_eq!(periods, ["2025H2", "2025H2", "2025H2", "2025H2", "2026H1", "2026H1"]);
    assert_eq!(items[0]["days_overdue"], 189, "{}", items[0]);
    for i in &items {
        let (status, report) = app.get(i["url"].as_str().unwrap(), Some(staff)).await;
        assert_eq!(status, 200, "{report}");
    }
}

/// Applications, notices, funding and reassessments against the counts of `e`.
fn skill_resource_sections_equal_the_rows(o: &Value, e: &tests::dashboard::Expected) {
    // Applications handed in during 2026 by category and status, and the funnel.
    let a = &o["applications"];
    let got: BTreeMap<(String, String), u64> = a["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| ((x["category"].as_str().unwrap().to_string(), x["status"].as_str().unwrap().to_string()), x["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, e.applications);
    assert_eq!(a["total"].as_u64().unwrap(), e.applications.values().sum::<u64>());
    let reached = |stage: usize| {
        e.applications
            .iter()
            .filter(|((_, s), _)| {
                let status: entities::resource::ApplicationStatus =
                    sea_orm::ActiveEnum::try_from_value(&s.clone()).unwrap_or(entities::resource::ApplicationStatus::Draft);
                entities::dashboard::funnel_reached(status) > stage
            })
            .map(|(_, n)| n)
            .sum::<u64>()
    };
    let funnel: Vec<u64> = a["funnel"].as_array().unwrap().iter().map(|s| s["count"].as_u64().unwrap()).collect();
    assert_eq!(funnel, (0..4).map(reached).collect::<Vec<_>>());
    assert_eq!(funnel, [6, 5, 5, 3], "6 handed in (a draft is not), 5 reviewed and on notice, 2 published and 1 revoked");
    let training = by(&a["by_category"], "category", "training_resource");
    assert_eq!(training["funnel"][0]["count"], 6);
    assert_eq!(training["funnel"][3]["stage"], "认定公布或立项");

    // Notices: open, ending this week (10–16 August), open objections, and the rows.
    let n = &o["notices"];
    assert_eq!((n["week_start"].as_str(), n["week_end"].as_str()), (Some("2026-08-10"), Some("2026-08-16")));
    assert_eq!(
        [&n["open"], &n["ending_this_week"], &n["open_objections"]].map(|v| v.as_u64().unwrap()),
        [e.notices_open, e.notices_ending_this_week, e.open_objections]
    );
    assert_eq!([e.notices_open, e.notices_ending_this_week, e.open_objections], [1, 1, 1]);
    let rows: BTreeMap<uuid::Uuid, (u64, u64)> = n["ending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (x["id"].as_str().unwrap().parse().unwrap(), (x["applications"].as_u64().unwrap(), x["open_objections"].as_u64().unwrap()))
        })
        .collect();
    assert_eq!(rows, e.notices_ending);
    assert!(n["ending"][0]["url"].as_str().unwrap().starts_with("/api/v1/notices/"));

    // Funding of 2026 by category and by line of the fee schedule.
    let f = &o["funding"];
    for c in f["by_category"].as_array().unwrap() {
        let want = e.funding.get(c["category"].as_str().unwrap()).copied().unwrap_or_default();
        let m = &c["money"];
        let got = [&m["payments"], &m["committed"], &m["disbursed"], &m["clawed_back"], &m["to_recover"]].map(|v| v.as_i64().unwrap());
        assert_eq!(got, want, "{c}");
    }
    let t = &f["total"];
    assert_eq!(t["payments"], 2, "an online course and a printed textbook; a course standard has no line in 附件2");
    assert_eq!(t["disbursed"].as_i64().unwrap() + t["clawed_back"].as_i64().unwrap(), t["committed"].as_i64().unwrap(), "{t}");
    assert!(
        t["to_recover"].as_i64().unwrap() > 0 && t["to_recover"] == t["clawed_back"],
        "the textbook was disbursed, then clawed back: {t}"
    );
    assert_eq!(t["undisbursed"], 0);
    for i in f["by_fee_item"].as_array().unwrap() {
        let want = e.funding_by_item.get(i["fee_item"].as_str().unwrap()).copied().unwrap_or_default();
        let m = &i["money"];
        assert_eq!([&m["quantity"], &m["committed"], &m["disbursed"]].map(|v| v.as_i64().unwrap()), want, "{i}");
    }
    assert_eq!(by(&f["by_fee_item"], "fee_item", "online_course")["unit_amount"], 10_000, "附件2, version 1 in force");
    assert_eq!(f["schedule_version"], 1);

    // Reassessments: overdue and within 60 days, by category.
    let r = &o["reassessments"];
    for c in r["by_category"].as_array().unwrap() {
        let want = e.reassessments.get(c["category"].as_str().unwrap()).copied().unwrap_or_default();
        assert_eq!((c["overdue"].as_u64().unwrap(), c["due_soon"].as_u64().unwrap()), want, "{c}");
    }
    assert_eq!((r["overdue"].as_u64(), r["due_soon"].as_u64(), r["total"].as_u64()), (Some(1), Some(1), Some(2)));
}

#[tokio::test]
async fn exports_have_a_sheet_per_section_and_chinese_headers() {
    use calamine::{Reader, Xlsx};
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    let scenario = generate(&app).await;
    let resp = app.send(app.request(reqwest::Method::GET, "/api/v1/dashboard/overview.xlsx?period=2026H1", Some(&scenario.staff))).await;
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "联盟",
            "成员单位",
            "报送情况",
            "报送趋势",
            "培训情况",
            "培训（按联盟）",
            "逾期未报",
            "禁入与邮件",
            "申报",
            "公示",
            "经费",
            "复评"
        ]
    );
    let funnel = wb.worksheet_range("申报").unwrap();
    assert_eq!(funnel.get_value((1, 1)).map(ToString::to_string).as_deref(), Some("已申报"));
    assert_eq!(funnel.get_value((7, 1)).map(ToString::to_string).as_deref(), Some("6"), "合计 row after the five categories");
    let notices = wb.worksheet_range("公示").unwrap();
    assert_eq!(notices.get_value((2, 5)).map(ToString::to_string).as_deref(), Some("1"), "one open objection");
    let compliance = wb.worksheet_range("报送情况").unwrap();
    assert_eq!(compliance.get_value((1, 2)).map(ToString::to_string).as_deref(), Some("应报联盟数"));
    assert_eq!(compliance.get_value((2, 2)).map(ToString::to_string).as_deref(), Some("6"));
    let overdue = wb.worksheet_range("逾期未报").unwrap();
    assert_eq!(overdue.height(), 2 + 6);

    let resp = app.send(app.request(reqwest::Method::GET, "/api/v1/dashboard/overdue.csv", Some(&scenario.staff))).await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("\u{feff}报送期,截止日期,逾期天数,联盟名称"), "{}", lines[0]);
    assert_eq!(lines.len(), 1 + 6);
    assert!(lines[1].starts_with("2025年下半年度,2026-02-02,189,"), "{}", lines[1]);
}

#[tokio::test]
async fn org_users_and_experts_get_403_on_every_dashboard_endpoint_and_the_page() {
    let app = spawn_app_with(|_| {}).await;
    let (org_user, _) = app.org_user(OrgKind::Enterprise).await;
    let expert = app.login("expert", None).await;
    let endpoints =
        ["/api/v1/dashboard/overview", "/api/v1/dashboard/overview.xlsx", "/api/v1/dashboard/overdue", "/api/v1/dashboard/overdue.csv"];
    for s in [&org_user, &expert] {
        for path in endpoints {
            let (status, body) = app.get(path, Some(s)).await;
            assert_problem(status, &body, 403, "forbidden");
        }
        // Signed in to the web front end, the page and its downloads refuse them too.
        let web = WebClient::sign_in(&app, &s.username, tests::USER_PASSWORD).await;
        for path in PAGES {
            let resp = app.send(app.request(reqwest::Method::GET, path, Some(s))).await;
            assert_eq!(resp.status(), 403, "{path} with a bearer token");
            let page = web.get(path).await;
            assert_eq!(page.status, 403, "{path} in the browser");
            assert!(page.body.contains("无权访问") && page.body.contains("统计看板仅供市人社局工作人员"), "{path}");
            assert!(!page.body.contains("data-figure"), "{path}: nothing of the dashboard");
        }
    }
    for path in endpoints {
        assert_eq!(app.get(path, None).await.0, 401, "{path}");
    }
}

/// The page and its downloads.
const PAGES: [&str; 3] = ["/dashboard", "/dashboard/overview.xlsx", "/dashboard/overdue.csv"];

#[tokio::test]
async fn the_page_sends_visitors_to_the_sites_login_and_shows_bureau_staff_the_api_figures() {
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    let scenario = generate(&app).await;
    let mut web = WebClient::anonymous(&app);
    for path in PAGES {
        let page = web.get(path).await;
        assert_eq!((page.status, page.location.as_deref()), (303, Some(format!("/login?next={path}").as_str())), "{path}");
    }
    // The page's old sign-in address leads to the site's login form, and back.
    let old = web.get("/dashboard/login").await;
    assert_eq!((old.status, old.location.as_deref()), (303, Some("/login?next=/dashboard")));
    let signed = web.try_sign_in_to("staff01", api::demo::DEMO_PASSWORD, "/dashboard").await;
    assert_eq!((signed.status, signed.location.as_deref()), (303, Some("/dashboard")), "{}", signed.body);
    assert!(signed.cookies.iter().all(|c| !c.starts_with("dg_dashboard")), "{:?}", signed.cookies);

    let page = web.get("/dashboard?period=2026H1").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (_, o) = app.get("/api/v1/dashboard/overview?period=2026H1", Some(&scenario.staff)).await;
    let figures = tests::dashboard::card_values(&o);
    for (key, value) in &figures {
        assert!(page.body.contains(&format!("data-figure=\"{key}\">{value}<")), "card {key} = {value}");
    }
    assert_eq!(page.body.matches("data-figure=").count(), figures.len());
    assert!(page.body.contains("<svg") && page.body.contains("近六期报送情况") && page.body.contains("各报送期培训人数"));
    let (_, overdue) = app.get("/api/v1/dashboard/overdue", Some(&scenario.staff)).await;
    let first = overdue["items"][0]["url"].as_str().unwrap();
    // The API gives the resource; the page links the report's page at the same path without `/api/v1`.
    let report_page = first.strip_prefix("/api/v1").unwrap();
    assert!(page.body.contains(&format!("href=\"{report_page}\"")), "overdue rows link to the report page {report_page}");
    assert!(page.body.contains("action=\"/logout\""), "the site's header, with its logout form");
    assert!(!page.body.contains("style="), "no inline style: the CSP forbids it");
    let xlsx = web.get("/dashboard/overview.xlsx?period=2026H1").await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(web.get("/dashboard/overdue.csv").await.status, 200);
    let bad = web.get("/dashboard?period=2030H1").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("报送期"), "{}", bad.body);
    assert_eq!(web.post("/dashboard/logout", &[]).await.status, 404, "the page's own logout is gone");

    // Scripts may still send an API token.
    let resp = app.send(app.request(reqwest::Method::GET, "/dashboard?period=2026H1", Some(&scenario.staff))).await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(figures.iter().all(|(key, value)| html.contains(&format!("data-figure=\"{key}\">{value}<"))));
    let stale = app.send(app.client.get(app.url("/dashboard")).bearer_auth("not-a-token")).await;
    assert_eq!(stale.status(), 401);
}

#[tokio::test]
async fn bad_periods_are_refused_naming_the_field() {
    let app = spawn_app_with(|_| {}).await;
    let staff = app.login("bureau_staff", None).await;
    for (query, field) in [
        ("period=2026H3", "period"),
        ("period=2027H1", "period"),
        ("year=2025&period=2026H1", "year"),
        ("period=H1", "year"),
        ("year=1900", "year"),
    ] {
        let (status, body) = app.get(&format!("/api/v1/dashboard/overview?{query}"), Some(&staff)).await;
        assert_problem(status, &body, 422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    let (status, body) = app.get("/api/v1/dashboard/overdue?limit=0", Some(&staff)).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("limit")));
    let (status, body) = app.get("/api/v1/dashboard/overdue?cursor=zzz", Some(&staff)).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("cursor")));
    // An empty registry answers zeros, not errors.
    let (status, o) = app.get("/api/v1/dashboard/overview", Some(&staff)).await;
    assert_eq!((status, o["alliances"]["total"].as_u64(), o["reports"]["on_time_permille"].is_null()), (200, Some(0), true), "{o}");
}

#[tokio::test]
async fn the_overview_runs_the_same_few_statements_whatever_the_data() {
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    let count = |app: &tests::TestApp| app.query_count();
    let _ = generate(&app).await;
    let staff = app.login("bureau_staff", None).await;
    let mut seen = Vec::new();
    for round in 0..2 {
        if round == 1 {
            // More alliances, members and reports: the same statements.
            let (f, _) = app.registered_alliance().await;
            app.everyone_fills(&f, "2026H2").await;
        }
        // The first request after a membership changed counts the member
        // units again (in a transaction of its own); the next one does not.
        let mut two = [0; 2];
        for n in &mut two {
            let before = count(&app);
            let (status, _) = app.get("/api/v1/dashboard/overview?period=2026H1", Some(&staff)).await;
            assert_eq!(status, 200);
            *n = count(&app) - before;
        }
        seen.push(two);
    }
    assert_eq!(seen[0], seen[1], "no statement per alliance, report or row");
    // 20 and 18 since issue 20 read the calendar in one statement (21 and 19 before).
    assert_eq!(seen[0], [20, 18], "statements after a membership changed, and while none did");
    let before = count(&app);
    let (status, _) = app.get("/api/v1/dashboard/overdue", Some(&staff)).await;
    assert_eq!(status, 200);
    assert!(count(&app) - before <= 5, "{} statements for the overdue list", count(&app) - before);
}

/// The 附件3 totals the overview sums are kept with the report
/// (`report_training_totals`): nothing while a draft, counted once submitted,
/// gone when returned, back when resubmitted, unchanged by acceptance; a
/// member's back-dated leave takes its row out of the period already handed
/// in; the migration's backfill writes the same. Each time the overview
/// equals the count made from the rows.
#[tokio::test]
async fn training_totals_follow_submission_return_acceptance_and_a_back_dated_leave() {
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    app.set_now("2025-12-01T09:00:00+08:00").await;
    let (f, staff) = app.registered_alliance().await;
    app.set_now("2026-07-10T09:00:00+08:00").await;
    let rows = app.everyone_fills(&f, "2026H1").await;
    let all: i64 = rows.iter().map(|r| r.progress[0]).sum();
    let due = BTreeMap::from([(p("2026H1"), d("2026-07-31"))]);
    let check = |want: i64| {
        let (app, staff, due) = (&app, &staff, &due);
        async move {
            let (status, o) = app.get("/api/v1/dashboard/overview?period=2026H1", Some(staff)).await;
            assert_eq!(status, 200, "{o}");
            let e = expected(app, d("2026-07-10"), due, p("2026H1")).await;
            let counted: i64 = e.training.values().map(|v| v[0]).sum();
            assert_eq!(o["training"]["total"]["trainees"].as_i64().unwrap(), counted, "{}", o["training"]["total"]);
            assert_eq!(counted, want);
            for k in OrgKind::ALL {
                let row = by(&o["training"]["by_category"], "kind", kind_name(k));
                assert_eq!(row["current"]["trainees"].as_i64().unwrap(), e.training.get(&(p("2026H1"), k)).map_or(0, |v| v[0]), "{k:?}");
            }
            // The chart and the per-alliance table (the totals per report).
            let chart = o["training"]["trainees_by_period"].as_array().unwrap();
            let last = chart.last().unwrap();
            assert_eq!((last["period"].as_str(), last["trainees"].as_i64()), (Some("2026H1"), Some(counted)), "{last}");
            let top: i64 =
                o["training"]["top_alliances"].as_array().unwrap().iter().map(|a| a["current"]["trainees"].as_i64().unwrap()).sum();
            assert_eq!(top, counted, "{}", o["training"]["top_alliances"]);
        }
    };
    check(0).await;
    let (status, body) = app.submit_report(&f, "2026H1").await;
    assert_eq!(status, 200, "{body}");
    check(all).await;
    let (status, body) = app
        .post_json(
            &report_path(&f, "2026H1", "/return"),
            Some(&staff),
            &serde_json::json!({"reasons": [{"item": "附件3", "reason": "请核实"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    check(0).await;
    let (status, body) = app.submit_report(&f, "2026H1").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.post_json(&report_path(&f, "2026H1", "/accept"), Some(&staff), &serde_json::json!({})).await;
    assert_eq!(status, 200, "{body}");
    check(all).await;
    // The first enterprise (third party) left on 15 June: not a member on 30 June.
    let leaving = &f.enterprises[0];
    let (status, body) = app
        .post_json(
            &format!("/api/v1/alliances/{}/members/{}/leave", f.id, leaving.id()),
            Some(&f.initiator.session),
            &serde_json::json!({"effective_date": "2026-06-15"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    check(all - rows[2].progress[0]).await;
    // The migration's backfill (run again from scratch) writes the same
    // totals: down to before `m20261128_000200_report_training_totals` (the
    // migrations after it are undone first) and up again.
    {
        use migration::{Migrator, MigratorTrait};
        let applied = Migrator::get_applied_migrations(&app.db).await.expect("applied");
        let after = applied.iter().rev().position(|m| m.name() == "m20261128_000200_report_training_totals").expect("applied");
        Migrator::down(&app.db, Some(u32::try_from(after + 1).unwrap())).await.expect("down");
        Migrator::up(&app.db, None).await.expect("up");
    }
    check(all - rows[2].progress[0]).await;
}

/// Member units by kind are counted again as soon as anything they depend on
/// changes — a joining (also one dated in the future, once its day comes), a
/// leaving, an organisation's kind, an alliance's status, even a change
/// written to the database by hand — and kept while nothing does (fewer
/// statements). Each time the overview equals the count made from the rows.
#[tokio::test]
async fn member_figures_follow_every_change_at_once_and_are_kept_while_nothing_changes() {
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    app.set_now("2025-12-01T09:00:00+08:00").await;
    let (f, staff) = app.registered_alliance().await;
    let check = |today: &'static str| {
        let (app, staff) = (&app, &staff);
        async move {
            let (status, o) = app.get("/api/v1/dashboard/overview?period=2025H2", Some(staff)).await;
            assert_eq!(status, 200, "{o}");
            let e = expected(app, d(today), &BTreeMap::new(), p("2025H2")).await;
            let mut units = BTreeMap::new();
            for k in OrgKind::ALL {
                let row = by(&o["members"]["by_kind"], "kind", kind_name(k));
                assert_eq!(row["units"].as_u64().unwrap(), e.units_by_kind.get(&k).copied().unwrap_or(0), "{today} {row}");
                assert_eq!(row["memberships"].as_u64().unwrap(), e.memberships_by_kind.get(&k).copied().unwrap_or(0), "{today} {row}");
                units.insert(k, row["units"].as_u64().unwrap());
            }
            units
        }
    };
    let research = OrgKind::ResearchInstitute;
    let start = check("2025-12-01").await;

    // Nothing changed: the same figures from fewer statements.
    let statements = |app: &tests::TestApp| app.query_count();
    let before = statements(&app);
    assert_eq!(check("2025-12-01").await, start);
    let kept = statements(&app) - before;

    // A research institute joins from 10 December: not yet a member unit.
    let newcomer = app.party(research).await;
    let (status, body) = app
        .post_json(
            &f.path("/members"),
            Some(&f.initiator.session),
            &serde_json::json!({"organization_id": newcomer.id(), "effective_date": "2025-12-10"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.complete_join(&f, &newcomer).await;
    let before = statements(&app);
    assert_eq!(check("2025-12-01").await, start, "joins on 10 December");
    assert!(statements(&app) - before > kept, "counted again after the joining");
    app.set_now("2025-12-10T09:00:00+08:00").await;
    let joined = check("2025-12-10").await;
    assert_eq!(joined[&research], start[&research] + 1, "a member unit from its day on");

    // The first enterprise leaves on 10 December: out the same day.
    let leaving = &f.enterprises[0];
    let (status, body) = app
        .post_json(&f.path(&format!("/members/{}/leave", leaving.id())), Some(&staff), &serde_json::json!({"effective_date": "2025-12-10"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let left = check("2025-12-10").await;
    assert_eq!(left[&OrgKind::Enterprise], joined[&OrgKind::Enterprise] - 1);

    // The bureau corrects the newcomer's kind: it moves to its new kind.
    let (status, body) = app
        .patch_json(&format!("/api/v1/organizations/{}", newcomer.id()), Some(&staff), &serde_json::json!({"kind": "training_institution"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let moved = check("2025-12-10").await;
    assert_eq!((moved[&research], moved[&OrgKind::TrainingInstitution]), (left[&research] - 1, left[&OrgKind::TrainingInstitution] + 1));

    // A change written by hand, past every service: the triggers see it too.
    let id: uuid::Uuid = newcomer.id().parse().unwrap();
    let backend = app.db.get_database_backend();
    let sql = "UPDATE organizations SET kind = 'research_institute' WHERE id = $1";
    app.db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [id.into()])).await.expect("update");
    assert_eq!(check("2025-12-10").await, left);

    // Suspended alliances stay on file; dissolved ones leave the figures.
    assert_eq!(app.post_json(&f.path("/suspend"), Some(&staff), &serde_json::json!({"reason": "半年度报送逾期"})).await.0, 200);
    assert_eq!(check("2025-12-10").await, left);
    assert_eq!(app.post_json(&f.path("/dissolve"), Some(&staff), &serde_json::json!({"reason": "联盟申请解散"})).await.0, 200);
    let dissolved = check("2025-12-10").await;
    assert!(dissolved.values().sum::<u64>() < left.values().sum::<u64>(), "{dissolved:?} after {left:?}");
}
