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
    let base = app.address.clone();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("portal").join("dashboard");
    let shot = shots.join("02-dashboard.png");
    let cards = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(String, String)>> {
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
    .expect("browser");
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
