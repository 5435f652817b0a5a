//! Tokens, login lock-out, refresh rotation and logout (DESIGN §3, acceptance 3).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::TimeDelta;
use entities::OrgKind;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use tests::{ADMIN_PASSWORD, AUDIENCE, ISSUER, JWT_SECRET, Session, db::audit_count, http::assert_problem, spawn_app};

fn sign(claims: &serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

fn claims_for(sub: &str, now: i64, aud: &str) -> serde_json::Value {
    json!({"sub": sub, "role": "bureau_admin", "iss": ISSUER, "aud": aud, "iat": now, "exp": now + 600, "jti": uuid::Uuid::new_v4()})
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, me) = app.get("/api/v1/me", Some(&admin)).await;
    let sub = me["id"].as_str().unwrap().to_string();
    let now = app.now_ts();

    // No token at all.
    let (status, body) = app.get("/api/v1/me", None).await;
    assert_problem(status, &body, 401, "unauthorized");

    // A token we signed ourselves with the right secret works (control).
    let good = sign(&claims_for(&sub, now, AUDIENCE), JWT_SECRET);
    assert_eq!(app.get("/api/v1/me", Some(&Session::with_token(&good))).await.0, 200);

    // Tampered signature.
    let mut tampered = good.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(app.get("/api/v1/me", Some(&Session::with_token(&tampered))).await.0, 401);

    // Tampered payload (role escalation attempt) with the old signature.
    let parts: Vec<&str> = good.split('.').collect();
    let mut forged_claims = claims_for(&sub, now, AUDIENCE);
    forged_claims["exp"] = json!(now + 999_999);
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(forged_claims.to_string()), parts[2]);
    assert_eq!(app.get("/api/v1/me", Some(&Session::with_token(&forged))).await.0, 401);

    // alg: none.
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let none_payload = URL_SAFE_NO_PAD.encode(claims_for(&sub, now, AUDIENCE).to_string());
    for token in [format!("{none_header}.{none_payload}."), format!("{none_header}.{none_payload}")] {
        assert_eq!(app.get("/api/v1/me", Some(&Session::with_token(&token))).await.0, 401, "alg none");
    }

    // Wrong audience, wrong issuer, wrong secret.
    assert_eq!(app.get("/api/v1/me", Some(&Session::with_token(&sign(&claims_for(&sub, now, "other-api"), JWT_SECRET)))).await.0, 401);
    let mut other_iss = claims_for(&sub, now, AUDIENCE);
    other_iss["iss"] = json!("someone-else");
    assert_eq!(app.get("/api/v1/me", Some(&Session::with_token(&sign(&other_iss, JWT_SECRET)))).await.0, 401);
    let wrong_secret = sign(&claims_for(&sub, now, AUDIENCE), "another-secret-another-secret-another-secret");
    assert_eq!(app.get("/api/v1/me", Some(&Session::with_token(&wrong_secret))).await.0, 401);

    // Garbage.
    assert_eq!(app.get("/api/v1/me", Some(&Session::with_token("not.a.jwt"))).await.0, 401);
}

#[tokio::test]
async fn access_tokens_expire_by_the_service_clock() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    assert_eq!(app.get("/api/v1/me", Some(&admin)).await.0, 200);
    app.clock.advance(TimeDelta::minutes(14));
    assert_eq!(app.get("/api/v1/me", Some(&admin)).await.0, 200);
    app.clock.advance(TimeDelta::minutes(1));
    let (status, body) = app.get("/api/v1/me", Some(&admin)).await;
    assert_problem(status, &body, 401, "unauthorized");
}

#[tokio::test]
async fn a_disabled_user_is_401_at_once_and_cannot_log_in() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let staff = app.login("bureau_staff", None).await;
    let (_, me) = app.get("/api/v1/me", Some(&staff)).await;
    let id = me["id"].as_str().unwrap();
    let (status, _) = app.post_json(&format!("/api/v1/users/{id}/disable"), Some(&admin), &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/api/v1/me", Some(&staff)).await.0, 401, "existing token refused");
    let (status, body) =
        app.post_json("/api/v1/auth/login", None, &json!({"username": staff.username, "password": tests::USER_PASSWORD})).await;
    assert_problem(status, &body, 401, "invalid_credentials");
    let (status, _) = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": staff.refresh_token})).await;
    assert_eq!(status, 401, "sessions revoked");
    assert_eq!(audit_count(&app.db, "user.disabled", Some(id)).await, 1);
}

#[tokio::test]
async fn wrong_role_is_403() {
    let app = spawn_app().await;
    let (org_user, _) = app.org_user(OrgKind::Enterprise).await;
    let expert = app.login("expert", None).await;
    let staff = app.login("bureau_staff", None).await;
    for session in [&org_user, &expert, &staff] {
        let (status, body) = app.get("/api/v1/users", Some(session)).await;
        assert_problem(status, &body, 403, "forbidden");
        let (status, _) =
            app.post_json("/api/v1/users", Some(session), &json!({"username": "x1234", "display_name": "x", "role": "expert"})).await;
        assert_eq!(status, 403);
    }
    for session in [&org_user, &expert] {
        assert_eq!(app.get("/api/v1/audit", Some(session)).await.0, 403);
        let (status, _) = app.post_json("/api/v1/organizations", Some(session), &tests::org_body("某单位", OrgKind::Enterprise)).await;
        assert_eq!(status, 403);
    }
    assert_eq!(app.get("/api/v1/organizations", Some(&expert)).await.0, 403);
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_for_15_minutes() {
    let app = spawn_app().await;
    let login = |pw: &'static str| {
        let body = json!({"username": "admin", "password": pw});
        let app = &app;
        async move { app.post_json("/api/v1/auth/login", None, &body).await }
    };
    for _ in 0..4 {
        let (status, body) = login("wrong-password").await;
        assert_problem(status, &body, 401, "invalid_credentials");
    }
    let (status, body) = login("wrong-password").await;
    assert_problem(status, &body, 401, "account_locked");
    // Even the right password is refused while locked.
    let (status, body) = login(ADMIN_PASSWORD).await;
    assert_problem(status, &body, 401, "account_locked");
    assert!(body["title"].as_str().unwrap().contains("锁定"), "{body}");
    app.clock.advance(TimeDelta::minutes(14));
    assert_eq!(login(ADMIN_PASSWORD).await.0, 401);
    app.clock.advance(TimeDelta::minutes(1));
    assert_eq!(login(ADMIN_PASSWORD).await.0, 200);
    assert_eq!(audit_count(&app.db, "user.login_failed", None).await, 4);
    assert_eq!(audit_count(&app.db, "user.locked", None).await, 1);
}

/// The changes of each security event, oldest first: (action, before, after).
async fn lockout_audit(app: &tests::TestApp, entity_type: &str) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    use entities::models::audit_log::{self, Column};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    audit_log::Entity::find()
        .filter(Column::EntityType.eq(entity_type))
        .filter(Column::Action.is_in([format!("{entity_type}.login_failed"), format!("{entity_type}.locked")]))
        .order_by_asc(Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.before.unwrap_or_default(), r.after.unwrap_or_default()))
        .collect()
}

/// Issue 21 (4): each failed login is audited with the counter and the
/// lock's end before and after (MLPS 2.0: each security event with its outcome).
#[tokio::test]
async fn each_failed_login_and_the_lock_are_audited_with_the_counter_and_the_locks_end() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let (status, _) = app.post_json("/api/v1/auth/login", None, &json!({"username": "admin", "password": "wrong-password"})).await;
        assert_eq!(status, 401);
    }
    let events = lockout_audit(&app, "user").await;
    let until = "2026-06-01T01:15:00Z";
    let expected: Vec<(String, serde_json::Value, serde_json::Value)> = (0..4)
        .map(|n| {
            (
                "user.login_failed".to_string(),
                json!({"failed_logins": n, "locked_until": null}),
                json!({"failed_logins": n + 1, "locked_until": null}),
            )
        })
        .chain([(
            "user.locked".to_string(),
            json!({"failed_logins": 4, "locked_until": null}),
            json!({"failed_logins": 0, "locked_until": until}),
        )])
        .collect();
    assert_eq!(events, expected);
}

/// Issue 21 (4): after as many failures, a username without an account
/// answers `account_locked` just like a real one, for as long; its failures
/// are audited the same way.
#[tokio::test]
async fn an_unknown_username_is_locked_like_a_real_one_so_answers_do_not_reveal_accounts() {
    let app = spawn_app().await;
    let attempt = |username: &'static str| {
        let app = &app;
        async move { app.post_json("/api/v1/auth/login", None, &json!({"username": username, "password": "wrong-password"})).await }
    };
    let mut answers = Vec::new();
    for _ in 0..6 {
        let (real, real_body) = attempt("admin").await;
        let (unknown, unknown_body) = attempt("no-such-user").await;
        assert_eq!(real, unknown);
        assert_eq!(real_body["title"], unknown_body["title"], "the same words, the same lock end");
        answers.push((real_body["code"].clone(), unknown_body["code"].clone()));
    }
    let codes = |c: &str| (json!(c), json!(c));
    assert_eq!(
        answers,
        [
            codes("invalid_credentials"),
            codes("invalid_credentials"),
            codes("invalid_credentials"),
            codes("invalid_credentials"),
            codes("account_locked"),
            codes("account_locked")
        ]
    );
    // The lock of the unknown name ends when an account's would.
    app.clock.advance(TimeDelta::minutes(15));
    let (status, body) = attempt("no-such-user").await;
    assert_problem(status, &body, 401, "invalid_credentials");
    let events = lockout_audit(&app, "login_name").await;
    assert_eq!(events.len(), 6, "{events:?}");
    assert_eq!(
        events[4],
        (
            "login_name.locked".to_string(),
            json!({"failed_logins": 4, "locked_until": null}),
            json!({"failed_logins": 0, "locked_until": "2026-06-01T01:15:00Z"})
        )
    );
    assert_eq!(events[5].2, json!({"failed_logins": 1, "locked_until": "2026-06-01T01:15:00Z"}), "counting again after the lock");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let first = app.admin().await;
    let (status, second) = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": first.refresh_token})).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["token_type"], "Bearer");
    let second = Session::from_tokens(&second, "admin");
    assert_ne!(second.refresh_token, first.refresh_token, "rotated");
    assert_eq!(app.get("/api/v1/me", Some(&second)).await.0, 200);

    // Someone replays the spent token: refused, and the live one dies too.
    let (status, body) = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": first.refresh_token})).await;
    assert_problem(status, &body, 401, "invalid_refresh_token");
    let (status, _) = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": second.refresh_token})).await;
    assert_eq!(status, 401, "family revoked");
    assert_eq!(audit_count(&app.db, "session.refresh_reuse_detected", None).await, 1);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let s = app.admin().await;
    let (status, _) = app.post_json("/api/v1/auth/logout", Some(&s), &json!({"refresh_token": s.refresh_token})).await;
    assert_eq!(status, 204);
    assert_eq!(app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": s.refresh_token})).await.0, 401);
    assert_eq!(audit_count(&app.db, "session.logout", None).await, 1);
}

#[tokio::test]
async fn users_change_their_password_under_the_policy() {
    let app = spawn_app().await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app
        .post_json("/api/v1/me/password", Some(&staff), &json!({"current_password": tests::USER_PASSWORD, "new_password": "short"}))
        .await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "new_password");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("密码"));
    let (status, body) =
        app.post_json("/api/v1/me/password", Some(&staff), &json!({"current_password": "nope", "new_password": "Better#Pass99"})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("current_password")));
    let (status, _) = app
        .post_json("/api/v1/me/password", Some(&staff), &json!({"current_password": tests::USER_PASSWORD, "new_password": "Better#Pass99"}))
        .await;
    assert_eq!(status, 204);
    app.login_as(&staff.username, "Better#Pass99").await;
}

#[tokio::test]
async fn logging_out_with_someone_elses_refresh_token_does_nothing() {
    let app = spawn_app().await;
    let victim = app.login("bureau_staff", None).await;
    let other = app.login("expert", None).await;
    let (status, _) = app.post_json("/api/v1/auth/logout", Some(&other), &json!({"refresh_token": victim.refresh_token})).await;
    assert_eq!(status, 204, "no hint whether the token exists");
    let (status, _) = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": victim.refresh_token})).await;
    assert_eq!(status, 200, "the victim's session survives");
    assert_eq!(audit_count(&app.db, "session.logout", None).await, 0);
}

#[tokio::test]
async fn experts_see_no_organisations() {
    let app = spawn_app().await;
    let expert = app.login("expert", None).await;
    let org = app.create_org(OrgKind::Enterprise).await;
    let (status, body) = app.get(&format!("/api/v1/organizations/{}", org["id"].as_str().unwrap()), Some(&expert)).await;
    assert_problem(status, &body, 403, "forbidden");
}
