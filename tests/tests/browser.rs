//! Issue 8 acceptance 2: a real browser. Starts the server with the demo data
//! (plus generated half-years, `tests::dashboard::generate`), opens
//! `/dashboard` in headless Chromium, is sent to the login form, logs in as
//! the demo's bureau staff `staff01`, checks every card against
//! `GET /api/v1/dashboard/overview`, and saves a screenshot
//! (`$CARGO_TARGET_TMPDIR/dashboard.png`). Skipped, with a notice, when no
//! Chromium is installed (`.ci/run` installs Debian's `chromium` and `fonts-noto-cjk`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use tests::{
    browser::{Browser, find_chromium},
    dashboard::{LONG_TTL_SECS, card_values, generate},
    spawn_app_with,
};

/// Opens `/dashboard` at `base`, is sent to the login form, signs in as
/// `staff01`, saves a screenshot to `shot` and answers the cards as shown.
async fn cards_in_the_browser(chromium: std::path::PathBuf, base: String, shot: std::path::PathBuf) -> Vec<(String, String)> {
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(String, String)>> {
        let mut b = Browser::launch(&chromium)?;
        let long = Duration::from_secs(30);
        b.goto(&format!("{base}/dashboard"))?;
        // Not signed in: the page sends the browser to the login form.
        b.wait_for("location.pathname === '/dashboard/login' && document.readyState === 'complete' && !!document.getElementById('username')", long)?;
        b.eval(&format!(
            "document.getElementById('username').value = 'staff01'; document.getElementById('password').value = '{}'; document.getElementById('submit').click(); true",
            api::demo::DEMO_PASSWORD
        ))?;
        b.wait_for("location.pathname === '/dashboard' && document.readyState === 'complete' && !!document.querySelector('[data-figure]')", long)?;
        let cards = b.eval("JSON.stringify(Array.from(document.querySelectorAll('[data-figure]')).map(e => [e.dataset.figure, e.textContent]))")?;
        let png = b.screenshot()?;
        std::fs::write(&shot, &png)?;
        Ok(serde_json::from_str(cards.as_str().unwrap_or("[]"))?)
    })
    .await
    .expect("browser task")
    .expect("browser")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bureau_staff_log_in_in_a_browser_and_the_cards_show_the_api_figures() {
    let Some(chromium) = find_chromium() else {
        println!("browser test skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    let scenario = generate(&app).await;
    let (status, overview) = app.get("/api/v1/dashboard/overview", Some(&scenario.staff)).await;
    assert_eq!(status, 200, "{overview}");
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    let cards = cards_in_the_browser(chromium, app.address.clone(), shot.clone()).await;
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
/// is non-zero. The screenshot is `$CARGO_TARGET_TMPDIR/dashboard-demo.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_demo_loads_every_card_but_bans_and_dead_mail_is_non_zero_in_the_browser() {
    let Some(chromium) = find_chromium() else {
        println!("browser test skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)");
        return;
    };
    let app = spawn_app_with(|s| s.access_token_ttl_secs = LONG_TTL_SECS).await;
    app.set_now("2026-12-06T10:00:00+08:00").await;
    api::demo::load(&app.state).await.expect("demo");
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-demo.png");
    let cards = cards_in_the_browser(chromium, app.address.clone(), shot.clone()).await;
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
    println!("screenshot: {}", shot.display());
}
