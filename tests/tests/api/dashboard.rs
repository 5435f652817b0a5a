//! Issue 8: the bureau dashboard — the overview's figures against counts made
//! independently in the test (acceptance 1), refusals for org users and
//! experts on every endpoint and the page (acceptance 3), the overdue list,
//! the exports, the page's login, and a fixed number of statements.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::{OrgKind, report::Period};
use serde_json::Value;
use tests::{
    dashboard::{LONG_TTL_SECS, expected, generate},
    http::assert_problem,
    kind_name, spawn_app_with,
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
    assert_eq!((o["bans"]["active"].as_u64(), o["bans"]["organizations"].as_u64()), (Some(1), Some(1)));
    assert_eq!(o["mail"]["dead"].as_u64().unwrap(), e.dead_mail);
    assert_eq!(o["mail"]["dead"], 1);

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

#[tokio::test]
async fn exports_have_a_sheet_per_section_and_chinese_headers() {
    use calamine::{Reader, Xlsx};
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    let scenario = generate(&app).await;
    let resp = app.send(app.request(reqwest::Method::GET, "/api/v1/dashboard/overview.xlsx?period=2026H1", Some(&scenario.staff))).await;
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["联盟", "成员单位", "报送情况", "报送趋势", "培训情况", "培训（按联盟）", "逾期未报", "禁入与邮件"]);
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
        for path in ["/dashboard", "/dashboard/overview.xlsx", "/dashboard/overdue.csv"] {
            let resp = app.send(app.request(reqwest::Method::GET, path, Some(s))).await;
            assert_eq!(resp.status(), 403, "{path}");
            let cookie = format!("dg_dashboard={}", s.access_token);
            let resp = app.send(app.client.get(app.url(path)).header("cookie", cookie)).await;
            assert_eq!(resp.status(), 403, "{path} with the cookie");
            assert!(resp.text().await.unwrap().contains("无权访问"));
        }
        // Logging in on the page form refuses them too, and sets no cookie.
        let resp = app
            .send(
                app.client.post(app.url("/dashboard/login")).form(&[("username", s.username.as_str()), ("password", tests::USER_PASSWORD)]),
            )
            .await;
        assert_eq!(resp.status(), 403);
        assert!(resp.headers().get("set-cookie").is_none());
    }
    for path in endpoints {
        assert_eq!(app.get(path, None).await.0, 401, "{path}");
    }
}

#[tokio::test]
async fn the_page_logs_bureau_staff_in_with_a_cookie_and_shows_the_api_figures() {
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    let scenario = generate(&app).await;
    let resp = app.send(app.client.get(app.url("/dashboard"))).await;
    assert_eq!((resp.status().as_u16(), resp.headers()["location"].to_str().unwrap()), (303, "/dashboard/login"));
    let resp = app.send(app.client.get(app.url("/dashboard/login"))).await;
    assert!(resp.text().await.unwrap().contains("市人社局工作人员登录"));
    let wrong = app.send(app.client.post(app.url("/dashboard/login")).form(&[("username", "staff01"), ("password", "Wrong#2026pw")])).await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.unwrap().contains("用户名或密码错误"));
    let ok = app
        .send(app.client.post(app.url("/dashboard/login")).form(&[("username", "staff01"), ("password", api::demo::DEMO_PASSWORD)]))
        .await;
    assert_eq!((ok.status().as_u16(), ok.headers()["location"].to_str().unwrap()), (303, "/dashboard"));
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/dashboard"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let page = app.send(app.client.get(app.url("/dashboard?period=2026H1")).header("cookie", &pair)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let (_, o) = app.get("/api/v1/dashboard/overview?period=2026H1", Some(&scenario.staff)).await;
    for (key, value) in tests::dashboard::card_values(&o) {
        assert!(html.contains(&format!("data-figure=\"{key}\">{value}<")), "card {key} = {value}");
    }
    assert!(html.contains("<svg") && html.contains("近六期报送情况") && html.contains("各报送期培训人数"));
    assert!(html.contains("href=\"/api/v1/alliances/"), "overdue rows link to the API resource");
    let xlsx = app.send(app.client.get(app.url("/dashboard/overview.xlsx")).header("cookie", &pair)).await;
    assert_eq!(xlsx.status(), 200);
    let bad = app.send(app.client.get(app.url("/dashboard?period=2030H1")).header("cookie", &pair)).await;
    assert_eq!(bad.status(), 422);
    let out = app.send(app.client.post(app.url("/dashboard/logout")).header("cookie", &pair)).await;
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
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
        let before = count(&app);
        let (status, _) = app.get("/api/v1/dashboard/overview?period=2026H1", Some(&staff)).await;
        assert_eq!(status, 200);
        seen.push(count(&app) - before);
    }
    assert_eq!(seen[0], seen[1], "no statement per alliance, report or row");
    assert!(seen[0] <= 14, "{} statements", seen[0]);
    let before = count(&app);
    let (status, _) = app.get("/api/v1/dashboard/overdue", Some(&staff)).await;
    assert_eq!(status, 200);
    assert!(count(&app) - before <= 5, "{} statements for the overdue list", count(&app) - before);
}
