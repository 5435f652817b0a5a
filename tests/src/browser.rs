//! A small driver for headless Chromium over the DevTools protocol (a
//! WebSocket, `tungstenite`): start the browser, open a page, run a line of
//! JavaScript in it, wait for a condition, take a screenshot. Enough for the
//! dashboard's browser test; blocking, so call it from `spawn_blocking`.

use std::{
    io::{BufRead, BufReader},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use anyhow::{Context, anyhow, bail};
use base64::Engine;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// The Chromium binary: `$CHROMIUM`, else `chromium` or `chromium-browser` on the `PATH`.
#[must_use]
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM").map(PathBuf::from).filter(|p| p.exists()) {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n))).find(|p| p.is_file())
}

/// A running headless browser with one page attached.
pub struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts `binary` headless (`--headless --no-sandbox --disable-gpu
    /// --disable-background-networking`) with a fresh profile and opens a blank page.
    ///
    /// # Errors
    /// The browser does not start or does not answer.
    pub fn launch(binary: &Path) -> anyhow::Result<Self> {
        let profile = tempfile::tempdir()?;
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--window-size=1400,1000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stderr = child.stderr.take().context("no stderr")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split("DevTools listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = rx.recv_timeout(Duration::from_secs(60)).context("Chromium did not print its DevTools address")?;
        let host = url.trim_start_matches("ws://").split('/').next().context("DevTools address")?.to_string();
        let stream = TcpStream::connect(&host)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        let (ws, _) = tungstenite::client(url.as_str(), stream).map_err(|e| anyhow!("DevTools handshake: {e}"))?;
        let mut b = Self { child, ws, session: String::new(), next_id: 0, _profile: profile };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}))?;
        let target_id = target["targetId"].as_str().context("targetId")?.to_string();
        let attached = b.call("Target.attachToTarget", json!({"targetId": target_id, "flatten": true}))?;
        b.session = attached["sessionId"].as_str().context("sessionId")?.to_string();
        b.call("Page.enable", json!({}))?;
        b.call("Emulation.setDeviceMetricsOverride", json!({"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false}))?;
        Ok(b)
    }

    /// Sends one command (to the page once attached) and waits for its answer.
    ///
    /// # Errors
    /// A protocol error or no answer.
    pub fn call(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.ws.send(Message::text(msg.to_string()))?;
        loop {
            let Message::Text(text) = self.ws.read()? else { continue };
            let v: Value = serde_json::from_str(&text)?;
            if v["id"] == id {
                if let Some(err) = v.get("error") {
                    bail!("{method}: {err}");
                }
                return Ok(v["result"].clone());
            }
        }
    }

    /// Navigates the page to `url`.
    ///
    /// # Errors
    /// Protocol errors.
    pub fn goto(&mut self, url: &str) -> anyhow::Result<()> {
        self.call("Page.navigate", json!({"url": url})).map(|_| ())
    }

    /// The value of a JavaScript expression (JSON-serialisable).
    ///
    /// # Errors
    /// Protocol errors, or the expression threw.
    pub fn eval(&mut self, expression: &str) -> anyhow::Result<Value> {
        let r = self.call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true, "awaitPromise": true}))?;
        if let Some(e) = r.get("exceptionDetails") {
            bail!("{expression}: {e}");
        }
        Ok(r["result"]["value"].clone())
    }

    /// Waits until `expression` is true (checked every 100 ms).
    ///
    /// # Errors
    /// Not true within `timeout`.
    pub fn wait_for(&mut self, expression: &str, timeout: Duration) -> anyhow::Result<()> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.eval(expression).is_ok_and(|v| v == json!(true)) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let url = self.eval("location.href").unwrap_or_default();
        bail!("timed out waiting for {expression} (at {url})")
    }

    /// A PNG of the whole page.
    ///
    /// # Errors
    /// Protocol errors.
    pub fn screenshot(&mut self) -> anyhow::Result<Vec<u8>> {
        let r = self.call("Page.captureScreenshot", json!({"format": "png", "captureBeyondViewport": true}))?;
        let data = r["data"].as_str().context("screenshot data")?;
        Ok(base64::engine::general_purpose::STANDARD.decode(data)?)
    }
}
