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
    let base = app.address.clone();
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    let shot_path = shot.clone();
    let cards = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(String, String)>> {
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
        std::fs::write(&shot_path, &png)?;
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
