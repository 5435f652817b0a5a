//! Issue 8 acceptance 2, on the web front end (issue 15): a real browser.
//! Starts the server with the demo data (plus generated half-years,
//! `tests::dashboard::generate`), opens `/dashboard` in headless Chromium, is
//! sent to the site's login form (`/login?next=/dashboard`), signs in as the
//! demo's bureau staff `staff01`, lands back on `/dashboard`, checks every
//! card against `GET /api/v1/dashboard/overview`, runs axe-core on the login
//! form and the dashboard (no serious or critical violation) and saves their
//! screenshots (`$CARGO_TARGET_TMPDIR/portal/dashboard/`). Skipped, with a
//! notice, when no Chromium is installed (`.ci/run` installs Debian's
//! `chromium` and `fonts-noto-cjk`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::ensure;
use tests::{
    browser::find_chromium,
    dashboard::{LONG_TTL_SECS, card_values, generate},
    portal::Portal,
    spawn_app_with,
};

/// Opens `/dashboard` at `base`, is sent to the site's login form, signs in
/// as `staff01`, lands back on `/dashboard` (charts drawn, axe-core clean on
/// both pages, screenshots in `shots`) and answers the cards as shown.
async fn cards_in_the_browser(chromium: std::path::PathBuf, base: String, shots: std::path::PathBuf) -> Vec<(String, String)> {
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(String, String)>> {
        let mut p = Portal::launch(&chromium, &base, shots)?;
        p.open("/dashboard")?;
        // Not signed in: the page sends the browser to the site's login form.
        let at = p.path()?;
        ensure!(at == "/login?next=/dashboard", "sent to {at}");
        p.page_ok("login")?;
        p.fill("#username", "staff01")?;
        p.fill("#password", api::demo::DEMO_PASSWORD)?;
        p.click("#submit")?;
        let at = p.path()?;
        ensure!(at == "/dashboard", "after signing in: {at} {}", p.text("#login-error")?);
        ensure!(p.has("svg.chart rect")?, "the charts are drawn");
        let cards =
            p.eval("JSON.stringify(Array.from(document.querySelectorAll('[data-figure]')).map(e => [e.dataset.figure, e.textContent]))")?;
        p.page_ok("dashboard")?;
        Ok(serde_json::from_str(cards.as_str().unwrap_or("[]"))?)
    })
    .await
    .expect("browser task")
    .expect("browser")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bureau_staff_sign_in_in_a_browser_and_the_cards_show_the_api_figures() {
    let Some(chromium) = find_chromium() else {
        println!("browser test skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    let scenario = generate(&app).await;
    let (status, overview) = app.get("/api/v1/dashboard/overview", Some(&scenario.staff)).await;
    assert_eq!(status, 200, "{overview}");
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("dashboard");
    let shot = shots.join("02-dashboard.png");
    let cards = cards_in_the_browser(chromium, app.address.clone(), shots).await;
    let want = card_values(&overview);
    assert_eq!(cards.len(), want.len(), "{cards:?}");
    for (key, value) in want {
        let shown = cards.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!(shown, Some(value.as_str()), "card {key}");
    }
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "{} bytes", png.len());
    println!("screenshot: {}", shot.display());
}

/// Issue 18 acceptance 2: what `serve --demo` loads (the same function), on
/// a fresh database, seen in the browser: every card but bans and dead mail
/// is non-zero. Screenshots in `$CARGO_TARGET_TMPDIR/portal/dashboard-demo/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_demo_loads_every_card_but_bans_and_dead_mail_is_non_zero_in_the_browser() {
    let Some(chromium) = find_chromium() else {
        println!("browser test skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    app.set_now("2026-12-06T10:00:00+08:00").await;
    api::demo::load(&app.state).await.expect("demo");
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("dashboard-demo");
    let cards = cards_in_the_browser(chromium, app.address.clone(), shots.clone()).await;
    let staff = app.login_as("staff01", api::demo::DEMO_PASSWORD).await;
    let (status, overview) = app.get("/api/v1/dashboard/overview", Some(&staff)).await;
    assert_eq!(status, 200, "{overview}");
    for (key, value) in card_values(&overview) {
        let shown = cards.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!(shown, Some(value.as_str()), "card {key}");
        if key != "bans.active" && key != "mail.dead" {
            assert!(!value.starts_with('0') && value != "—", "card {key} shows {value}");
        }
    }
    println!("screenshots: {}", shots.display());
}
