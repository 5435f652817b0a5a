//! Login, logout and the password change that `must_change_password` forces.
//!
//! The login form has no session yet: its CSRF token is a random value in a
//! short-lived cookie that the form must send back (double submit), so a
//! foreign site cannot sign a browser into someone else's account.

use poem::{
    Request, Response, handler,
    http::{StatusCode, header},
    web::{Form, Query},
};
use serde::Deserialize;
use serde_json::json;

use super::{Fields, St, error_page, form_errors, page, posted, redirect, session, signed_in};
use crate::services::accounts;

#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path of this site (no `//host`, no scheme) may follow the login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n != "/login" => n.to_string(),
        _ => "/tasks".into(),
    }
}

fn login_page(status: StatusCode, next: &str, error: Option<&str>, username: &str) -> Response {
    let token = session::random_token();
    let mut resp = page(
        status,
        None,
        "login.html",
        json!({ "title": "登录", "next": next, "error": error, "username": username, "login_csrf": token }),
    );
    if let Ok(v) = format!("{}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600", session::LOGIN_COOKIE).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[handler]
pub async fn login_form(req: &Request, state: St<'_>, q: Query<Next>) -> Response {
    if let Ok(Some(_)) = session::resolve(&state, req).await {
        return redirect(&safe_next(q.next.as_deref()));
    }
    login_page(StatusCode::OK, &safe_next(q.next.as_deref()), None, "")
}

#[handler]
pub async fn login(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let next = safe_next(f.get("next"));
    let username = f.get("username").unwrap_or_default().to_string();
    if !session::tokens_match(&session::cookie(req, session::LOGIN_COOKIE).unwrap_or_default(), f.get("_login_csrf"))
        || req.header("sec-fetch-site").is_some_and(|s| s == "cross-site")
    {
        return login_page(StatusCode::FORBIDDEN, &next, Some("登录表单已过期，请重新输入后登录。"), &username);
    }
    let password = f.0.iter().rev().find(|(k, _)| k == "password").map(|(_, v)| v.as_str()).unwrap_or_default();
    if username.is_empty() || password.is_empty() {
        return login_page(StatusCode::UNPROCESSABLE_ENTITY, &next, Some("请输入用户名和密码。"), &username);
    }
    match session::sign_in(&state, &username, password).await {
        Ok(token) => {
            let mut resp = redirect(&next);
            let max_age = i64::from(state.settings.web.session_max_hours) * 3600;
            if let Ok(v) = session::set_cookie(&state, session::COOKIE, &token, max_age).parse() {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            if let Ok(v) = format!("{}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0", session::LOGIN_COOKIE).parse() {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            let p = e.to_problem(None);
            login_page(StatusCode::UNAUTHORIZED, &next, Some(&p.title), &username)
        }
        Err(e) => error_page(None, &e),
    }
}

#[handler]
pub async fn logout(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let viewer = match posted(&state, req, f.csrf()).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(e) = session::end(&state, &viewer).await {
        return error_page(Some(&viewer), &e);
    }
    let mut resp = redirect("/login");
    if let Ok(v) = session::set_cookie(&state, session::COOKIE, "", 0).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[handler]
pub async fn password_form(req: &Request, state: St<'_>) -> Response {
    match signed_in(&state, req).await {
        Ok(v) => {
            let forced = v.must_change_password;
            page(StatusCode::OK, Some(&v), "password.html", json!({ "title": "修改密码", "forced": forced }))
        }
        Err(r) => r,
    }
}

#[handler]
pub async fn change_password(req: &Request, state: St<'_>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let viewer = match posted(&state, req, f.csrf()).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let raw = |name: &str| f.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (current, new, again) = (raw("current_password"), raw("new_password"), raw("new_password_again"));
    let result = if new == again {
        accounts::change_password(&state, &viewer.caller, &current, &new).await
    } else {
        Err(crate::error::ApiError::field("new_password_again", "两次输入的新密码不一致", "The two new passwords differ"))
    };
    match result {
        Ok(()) => redirect("/tasks?notice=password_changed"),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&viewer),
            "password.html",
            json!({ "title": "修改密码", "forced": viewer.must_change_password, "errors": form_errors(&e) }),
        ),
        Err(e) => error_page(Some(&viewer), &e),
    }
}
