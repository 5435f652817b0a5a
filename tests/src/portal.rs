//! Driving the web front end (网上办事) in headless Chromium like a clerk
//! would: sign in, follow links, fill fields, press buttons, upload files —
//! and on every page visited, an axe-core check (vendored in
//! `tests/vendor/axe-core`) that fails on serious or critical violations, and
//! a screenshot saved under `$CARGO_TARGET_TMPDIR/portal/`. Blocking, like
//! [`Browser`]; call it from `spawn_blocking`.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::browser::Browser;

/// axe-core, injected into pages under test.
pub const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

const WAIT: Duration = Duration::from_secs(30);

/// A browser on the portal of one server.
pub struct Portal {
    pub b: Browser,
    base: String,
    shots: PathBuf,
    shot_no: u32,
    /// Pages checked with axe-core, with their violations' ids (serious and critical only).
    pub checked: Vec<(String, Vec<String>)>,
}

/// JSON string literal of `s` for embedding in JavaScript.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

impl Portal {
    /// Starts Chromium; screenshots go to `shots` (a test passes
    /// `$CARGO_TARGET_TMPDIR/portal/<name>`).
    ///
    /// # Errors
    /// The browser does not start.
    pub fn launch(chromium: &Path, base: &str, shots: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&shots)?;
        Ok(Self { b: Browser::launch(chromium)?, base: base.to_string(), shots, shot_no: 0, checked: Vec::new() })
    }

    /// Where the screenshots are.
    #[must_use]
    pub fn shots(&self) -> &Path {
        &self.shots
    }

    /// Opens `path` and waits for the page.
    ///
    /// # Errors
    /// The page does not load.
    pub fn open(&mut self, path: &str) -> anyhow::Result<()> {
        self.b.eval("window.__left = true; true")?;
        self.b.goto(&format!("{}{path}", self.base))?;
        self.settle()
    }

    /// Waits until a new page has loaded (after a navigation started by a click or a form).
    fn settle(&mut self) -> anyhow::Result<()> {
        self.b.wait_for("!window.__left && document.readyState === 'complete' && !!document.body", WAIT)
    }

    /// The path (and query) of the current page.
    ///
    /// # Errors
    /// Protocol errors.
    pub fn path(&mut self) -> anyhow::Result<String> {
        Ok(self.b.eval("location.pathname + location.search")?.as_str().unwrap_or_default().to_string())
    }

    /// The text of the first element matching `selector` (empty when none).
    ///
    /// # Errors
    /// Protocol errors.
    pub fn text(&mut self, selector: &str) -> anyhow::Result<String> {
        let v = self.b.eval(&format!("(document.querySelector({}) || {{}}).textContent || ''", js(selector)))?;
        Ok(v.as_str().unwrap_or_default().trim().to_string())
    }

    /// Whether an element matches `selector`.
    ///
    /// # Errors
    /// Protocol errors.
    pub fn has(&mut self, selector: &str) -> anyhow::Result<bool> {
        Ok(self.b.eval(&format!("!!document.querySelector({})", js(selector)))? == json!(true))
    }

    /// The whole visible text of the page.
    ///
    /// # Errors
    /// Protocol errors.
    pub fn body_text(&mut self) -> anyhow::Result<String> {
        Ok(self.b.eval("document.body.innerText")?.as_str().unwrap_or_default().to_string())
    }

    /// Types `value` into the field `selector` (replacing what was there).
    ///
    /// # Errors
    /// No such field.
    pub fn fill(&mut self, selector: &str, value: &str) -> anyhow::Result<()> {
        let ok = self.b.eval(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return false; e.focus(); e.value = {}; \
             e.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})()",
            js(selector),
            js(value)
        ))?;
        if ok != json!(true) {
            bail!("no field {selector} on {}", self.path()?);
        }
        Ok(())
    }

    /// Checks the radio button or checkbox `selector`.
    ///
    /// # Errors
    /// No such element.
    pub fn check(&mut self, selector: &str) -> anyhow::Result<()> {
        let ok = self.b.eval(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return false; e.checked = true; return true; }})()",
            js(selector)
        ))?;
        if ok != json!(true) {
            bail!("no checkbox {selector} on {}", self.path()?);
        }
        Ok(())
    }

    /// Clicks `selector` (a link or a submit button) and waits for the next page.
    ///
    /// # Errors
    /// No such element, or no page follows.
    pub fn click(&mut self, selector: &str) -> anyhow::Result<()> {
        let ok = self.b.eval(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return false; window.__left = true; e.click(); return true; }})()",
            js(selector)
        ))?;
        if ok != json!(true) {
            bail!("nothing to click at {selector} on {}", self.path()?);
        }
        self.settle()
    }

    /// Puts `file` into the file input `selector` (as choosing it in the dialog would).
    ///
    /// # Errors
    /// No such input.
    pub fn choose_file(&mut self, selector: &str, file: &Path) -> anyhow::Result<()> {
        let doc = self.b.call("DOM.getDocument", json!({"depth": 0}))?;
        let root = doc["root"]["nodeId"].as_i64().context("root node")?;
        let node = self.b.call("DOM.querySelector", json!({"nodeId": root, "selector": selector}))?;
        let id = node["nodeId"].as_i64().filter(|n| *n != 0).with_context(|| format!("no file input {selector}"))?;
        self.b.call("DOM.setFileInputFiles", json!({"nodeId": id, "files": [file.display().to_string()]}))?;
        Ok(())
    }

    /// Signs out (if signed in) and signs in as `username`, landing on 我的待办
    /// (or the forced password form).
    ///
    /// # Errors
    /// The login form is refused.
    pub fn sign_in(&mut self, username: &str, password: &str) -> anyhow::Result<()> {
        self.b.call("Network.clearBrowserCookies", json!({}))?;
        self.open("/login")?;
        self.fill("#username", username)?;
        self.fill("#password", password)?;
        self.click("#submit")?;
        let path = self.path()?;
        if !(path.starts_with("/tasks") || path.starts_with("/password")) {
            bail!("login of {username} ended at {path}: {}", self.text("#login-error")?);
        }
        Ok(())
    }

    /// Runs axe-core on the page; records and returns the serious and critical violations.
    ///
    /// # Errors
    /// axe-core could not run.
    pub fn axe(&mut self) -> anyhow::Result<Vec<String>> {
        if self.b.eval("typeof window.axe === 'object'")? != json!(true) {
            self.b.eval(&format!("{AXE}; true"))?;
        }
        let result = self.b.eval(
            "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations \
             .filter(v => v.impact === 'serious' || v.impact === 'critical') \
             .map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))))",
        )?;
        let found: Vec<String> = serde_json::from_str(result.as_str().unwrap_or("[]"))?;
        let path = self.path()?;
        self.checked.push((path, found.clone()));
        Ok(found)
    }

    /// Saves a screenshot named `NN-name.png`; returns its path.
    ///
    /// # Errors
    /// Protocol or disk errors.
    pub fn shot(&mut self, name: &str) -> anyhow::Result<PathBuf> {
        self.shot_no += 1;
        let path = self.shots.join(format!("{:02}-{name}.png", self.shot_no));
        std::fs::write(&path, self.b.screenshot()?)?;
        Ok(path)
    }

    /// The page is checked: axe-core finds nothing serious, and a screenshot is kept.
    ///
    /// # Errors
    /// A serious or critical accessibility violation.
    pub fn page_ok(&mut self, name: &str) -> anyhow::Result<()> {
        let found = self.axe()?;
        self.shot(name)?;
        if !found.is_empty() {
            bail!("axe-core on {} ({name}): {found:#?}", self.path()?);
        }
        Ok(())
    }

    /// Presses a key (`Tab`, `Enter`, ` `) as the keyboard would.
    ///
    /// # Errors
    /// Protocol errors.
    pub fn press(&mut self, key: &str) -> anyhow::Result<()> {
        let (code, vk, text) = match key {
            "Tab" => ("Tab", 9, ""),
            "Enter" => ("Enter", 13, "\r"),
            " " => ("Space", 32, " "),
            other => bail!("no key {other}"),
        };
        let mut down = json!({"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk});
        if !text.is_empty() {
            down["text"] = json!(text);
        }
        self.b.call("Input.dispatchKeyEvent", down)?;
        self.b.call("Input.dispatchKeyEvent", json!({"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk}))?;
        Ok(())
    }

    /// Presses a key that leads to another page (Enter on a link or in a form) and waits for it.
    ///
    /// # Errors
    /// No page follows.
    pub fn press_and_wait(&mut self, key: &str) -> anyhow::Result<()> {
        self.b.eval("window.__left = true; true")?;
        self.press(key)?;
        self.settle()
    }

    /// Types `text` into the focused field.
    ///
    /// # Errors
    /// Protocol errors.
    pub fn type_text(&mut self, text: &str) -> anyhow::Result<()> {
        self.b.call("Input.insertText", json!({"text": text})).map(|_| ())
    }

    /// Presses Tab until the element matching `selector` has the focus.
    ///
    /// # Errors
    /// Not reached within `max` presses: the element cannot be reached by keyboard.
    pub fn tab_to(&mut self, selector: &str, max: u32) -> anyhow::Result<()> {
        for _ in 0..max {
            self.press("Tab")?;
            if self.b.eval(&format!("document.activeElement === document.querySelector({})", js(selector)))? == json!(true) {
                return Ok(());
            }
        }
        bail!("{selector} not reached with {max} presses of Tab on {}", self.path()?)
    }

    /// Evaluates `expression` (for checks the helpers above do not cover).
    ///
    /// # Errors
    /// Protocol errors.
    pub fn eval(&mut self, expression: &str) -> anyhow::Result<Value> {
        self.b.eval(expression)
    }
}
