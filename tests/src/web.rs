//! A browser-less client of the web front end: signs in through the login
//! form (with its CSRF cookie), keeps the session cookie, reads the CSRF
//! token from pages, and sends forms without following redirects, so tests
//! see exactly what a browser would be told.

use reqwest::{Method, header};

use crate::TestApp;

/// One answer: status, `Location` (redirects), `Set-Cookie` lines, body.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub cookies: Vec<String>,
    pub body: String,
}

impl Page {
    /// The CSRF token the page's forms carry.
    #[must_use]
    pub fn csrf(&self) -> Option<String> {
        value_of(&self.body, "name=\"_csrf\" value=\"")
    }
}

fn value_of(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// A signed-in (or not) browser without JavaScript.
#[derive(Debug, Clone)]
pub struct WebClient {
    client: reqwest::Client,
    base: String,
    /// `dg_session=…`, when signed in.
    pub session: Option<String>,
    /// The session's CSRF token, read from the first page after sign-in.
    pub csrf: String,
}

impl WebClient {
    #[must_use]
    pub fn anonymous(app: &TestApp) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { client, base: app.address.clone(), session: None, csrf: String::new() }
    }

    /// Signs in through the login form; panics unless it succeeds.
    pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> Self {
        let mut c = Self::anonymous(app);
        let page = c.try_sign_in(username, password).await;
        assert_eq!(page.status, 303, "sign in {username}: {}", page.body);
        let tasks = c.get("/tasks").await;
        c.csrf = tasks.csrf().unwrap_or_default();
        c
    }

    /// Posts the login form as a browser would (login cookie and token from the form).
    pub async fn try_sign_in(&mut self, username: &str, password: &str) -> Page {
        self.try_sign_in_to(username, password, "/tasks").await
    }

    /// Like [`Self::try_sign_in`], from the login form a page sent the browser
    /// to (`/login?next=…`): the form carries `next` on.
    pub async fn try_sign_in_to(&mut self, username: &str, password: &str, next: &str) -> Page {
        let form = self.get(&format!("/login?next={next}")).await;
        let token = value_of(&form.body, "name=\"_login_csrf\" value=\"").unwrap_or_default();
        let login_cookie = form.cookies.iter().find(|c| c.starts_with("dg_login=")).and_then(|c| c.split(';').next()).unwrap_or_default();
        let resp = self
            .client
            .post(format!("{}/login", self.base))
            .header(header::COOKIE, login_cookie)
            .form(&[("_login_csrf", token.as_str()), ("username", username), ("password", password), ("next", next)])
            .send()
            .await
            .expect("login");
        let page = read(resp).await;
        if let Some(c) = page.cookies.iter().find(|c| c.starts_with("dg_session=")) {
            self.session = c.split(';').next().map(str::to_string);
        }
        page
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(s) = &self.session {
            req = req.header(header::COOKIE, s);
        }
        req
    }

    pub async fn get(&self, path: &str) -> Page {
        read(self.request(Method::GET, path).send().await.expect("get")).await
    }

    /// A download: status, `Content-Type`, `Content-Disposition` and the bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, String, Vec<u8>) {
        let resp = self.request(Method::GET, path).send().await.expect("get");
        let status = resp.status().as_u16();
        let header_of = |name| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let (kind, disposition) = (header_of(header::CONTENT_TYPE), header_of(header::CONTENT_DISPOSITION));
        (status, kind, disposition, resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
    }

    /// Posts `fields` plus the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[]).await
    }

    /// Posts a multipart form: the session's CSRF token, `fields` and one file as `file`.
    pub async fn post_file(&self, path: &str, fields: &[(&str, &str)], name: &str, bytes: Vec<u8>) -> Page {
        self.post_upload(path, fields, "file", name, bytes).await
    }

    /// [`Self::post_file`] with the file in the form field `field`.
    pub async fn post_upload(&self, path: &str, fields: &[(&str, &str)], field: &str, name: &str, bytes: Vec<u8>) -> Page {
        let mut form = reqwest::multipart::Form::new().text("_csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text((*k).to_string(), (*v).to_string());
        }
        form = form.part(field.to_string(), reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        read(self.request(Method::POST, path).multipart(form).send().await.expect("post")).await
    }

    /// Posts exactly `fields` with extra headers (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let mut req = self.request(Method::POST, path).form(fields);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send().await.expect("post")).await
    }
}

impl WebClient {
    /// Files an objection on the public page of `notice` as a browser would
    /// (the form's token and its cookie), with `fields` and perhaps an
    /// evidence file; `with_token: false` leaves the token out.
    pub async fn object(&self, notice: &str, fields: &[(&str, &str)], evidence: Option<(&str, Vec<u8>)>, with_token: bool) -> Page {
        let form = self.get(&format!("/notices/{notice}")).await;
        assert_eq!(form.status, 200, "notice page: {}", form.body);
        let token = value_of(&form.body, "name=\"_token\" value=\"").unwrap_or_default();
        let cookie = form.cookies.iter().find(|c| c.starts_with("dg_objection=")).and_then(|c| c.split(';').next()).unwrap_or_default();
        let mut mp = reqwest::multipart::Form::new();
        if with_token {
            mp = mp.text("_token", token);
        }
        for (k, v) in fields {
            mp = mp.text((*k).to_string(), (*v).to_string());
        }
        if let Some((name, bytes)) = evidence {
            mp = mp.part("evidence", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        }
        let resp = self
            .client
            .post(format!("{}/notices/{notice}/objections", self.base))
            .header(header::COOKIE, cookie)
            .multipart(mp)
            .send()
            .await
            .expect("objection");
        read(resp).await
    }
}

async fn read(resp: reqwest::Response) -> Page {
    let status = resp.status().as_u16();
    let location = resp.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    let cookies = resp.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
    let body = resp.text().await.unwrap_or_default();
    Page { status, location, cookies, body }
}

/// The `p`-th fraction of sorted durations (nearest rank).
#[must_use]
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Benchmarks: the p95 of `rounds` GETs of a web page (after 5 warm-up
/// requests, with the client's browser session), printed with p50, max, the
/// statements one request runs and its size; answers (p95, statements).
pub async fn measure_page(app: &TestApp, web: &WebClient, label: &str, path: &str, rounds: u32) -> (std::time::Duration, usize) {
    for _ in 0..5 {
        let page = web.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
    }
    let before = app.query_count();
    let one = web.get(path).await;
    let statements = app.query_count() - before;
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        let page = web.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        times.push(t.elapsed());
    }
    times.sort();
    let p95 = percentile(&times, 0.95);
    println!(
        "page {label:<39} n={rounds:<4} p50={:>7.1} ms  p95={:>7.1} ms  max={:>7.1} ms  {statements} statements ({} bytes)",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        p95.as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        one.body.len()
    );
    (p95, statements)
}

/// The public pages (no account) that must never show personal data
/// (issue 17 acceptance 4). Pages of one object (`/public/notices/{id}`) are
/// added by the test that creates the object.
pub const PUBLIC_PAGES: &[&str] = &["/public/calls", "/public/resources", "/public/resources?kind=online_course", "/public/alliances"];

/// Phone numbers, e-mail addresses and ID numbers in `text` (what a public
/// page must not contain): mobiles (11 digits from 1), landlines (0769-…,
/// area code 3–4 digits then 7–8), addresses with `@`, ID numbers (15 or 18
/// digits, or 17 and `X`). Digits are read as whole runs, so dates, numbers
/// like DGJN-2026-0001 and UUIDs are not mistaken for them.
#[must_use]
pub fn personal_data(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let next = chars.get(i).copied();
        let bounded = !next.is_some_and(|c| c.is_ascii_alphanumeric());
        match run.len() {
            11 if run.starts_with('1') && bounded => found.push(format!("phone {run}")),
            15 | 18 if bounded => found.push(format!("id {run}")),
            17 if matches!(next, Some('X' | 'x')) => found.push(format!("id {run}X")),
            3 | 4 if run.starts_with('0') && matches!(next, Some('-' | ' ')) => {
                let rest: String = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).collect();
                let after = chars.get(i + 1 + rest.len()).copied();
                if (7..=8).contains(&rest.len()) && !after.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    found.push(format!("phone {run}-{rest}"));
                }
            }
            _ => {}
        }
    }
    for (at, _) in text.match_indices('@') {
        let before = text[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || "._-+".contains(c));
        let domain: String = text[at + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || ".-".contains(*c)).collect();
        if before && domain.contains('.') {
            found.push(format!("email …@{domain}"));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::personal_data;

    #[test]
    fn personal_data_is_found_and_ordinary_numbers_are_not() {
        let hits = personal_data("电话 0769-22001100，手机13900769000，hr@example.dg.cn，身份证 44190019900101123X");
        assert_eq!(hits.len(), 4, "{hits:?}");
        assert!(personal_data("DGJN-2026-0001 2026-06-08 17:30 0193a1b2-7c3d-7e4f-8a9b-123456789012 6-25-04-08 15000 元").is_empty());
    }
}
