//! Authentication: argon2 password hashes, short-lived HS256 access tokens
//! (algorithm pinned; `exp`, `iss`, `aud` checked against the injected clock),
//! and the bearer security scheme that turns a token into a [`Caller`].

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};
use chrono::{DateTime, Utc};
use entities::{Role, models::user};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// The signed-in account, as loaded from the database for this request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub organization_id: Option<Uuid>,
}

impl Caller {
    /// 403 unless the caller has one of `roles`.
    ///
    /// # Errors
    /// [`ApiError::forbidden`].
    pub fn require(&self, roles: &[Role]) -> ApiResult<()> {
        if roles.contains(&self.role) { Ok(()) } else { Err(ApiError::forbidden()) }
    }

    /// 403 unless the caller is bureau staff or admin.
    ///
    /// # Errors
    /// [`ApiError::forbidden`].
    pub fn require_bureau(&self) -> ApiResult<()> {
        self.require(&[Role::BureauAdmin, Role::BureauStaff])
    }

    #[must_use]
    pub fn is_bureau(&self) -> bool {
        self.role.is_bureau()
    }

    /// Whether the caller acts for `org` (an org_user of that organisation).
    #[must_use]
    pub fn belongs_to(&self, org: Uuid) -> bool {
        self.role == Role::OrgUser && self.organization_id == Some(org)
    }
}

/// Bearer JWT issued by `POST /auth/login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub Caller);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let state = req.data::<AppState>().ok_or_else(|| poem::Error::from(ApiError::internal(&"state missing")))?;
    caller_from_token(state, &bearer.token).await.map_err(poem::Error::from)
}

/// The account an access token names, loaded now: a disabled account or a
/// token not valid at the service clock's time is 401 (also used by the
/// dashboard page, whose token travels in a cookie).
///
/// # Errors
/// 401 `unauthorized`; database errors.
pub async fn caller_from_token(state: &AppState, token: &str) -> ApiResult<Caller> {
    let claims = state.keys.decode(token, state.clock.now()).ok_or_else(ApiError::unauthorized)?;
    let user = user::Entity::find_by_id(claims.sub).one(&state.db).await?.filter(|u| !u.disabled).ok_or_else(ApiError::unauthorized)?;
    Ok(Caller { user_id: user.id, username: user.username, role: user.role, organization_id: user.organization_id })
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
}

/// Signing material and the token rules.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The checks of [`Self::decode`], made once (issue 20: not per request).
    validation: Validation,
    issuer: String,
    audience: String,
    pub ttl_secs: i64,
}

impl JwtKeys {
    #[must_use]
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl_secs: u32) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // `exp` is checked below against the injected clock.
        validation.validate_exp = false;
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl_secs: i64::from(ttl_secs),
        }
    }

    /// A signed access token for `user`, valid `ttl_secs` from `now`.
    ///
    /// # Errors
    /// Signing failure (not expected with HMAC).
    pub fn issue(&self, user: &user::Model, now: DateTime<Utc>) -> ApiResult<String> {
        let claims = Claims {
            sub: user.id,
            role: user.role,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl_secs,
            jti: Uuid::now_v7(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| ApiError::internal(&e))
    }

    /// Verified claims, or `None` for anything not signed by us with HS256,
    /// for another issuer or audience, or expired at `now` (the injected clock,
    /// not the system clock, so time-travel tests hold).
    #[must_use]
    pub fn decode(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.exp > now.timestamp()).then_some(data.claims)
    }
}

/// argon2id hash (PHC string) of `password`.
///
/// # Errors
/// Hashing failure (not expected).
pub fn hash_password(password: &str) -> ApiResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| ApiError::internal(&e))
}

/// Whether `password` matches `phc`. A malformed stored hash never matches.
#[must_use]
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A random password that satisfies the policy (upper, lower, digit, symbol).
#[must_use]
pub fn generate_password() -> String {
    use rand::{Rng, seq::SliceRandom};
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"!@#%+=?";
    let mut rng = rand::thread_rng();
    let mut chars: Vec<u8> = Vec::with_capacity(20);
    for set in [UPPER, LOWER, DIGIT, SYMBOL] {
        chars.push(set[rng.gen_range(0..set.len())]);
    }
    let all: Vec<u8> = [UPPER, LOWER, DIGIT].concat();
    while chars.len() < 20 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8_lossy(&chars).into_owned()
}

/// A new opaque refresh token and its SHA-256 hex (what is stored).
#[must_use]
pub fn new_refresh_token() -> (String, String) {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

#[must_use]
pub fn hash_refresh_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef", "iss", "aud", 900)
    }

    fn user() -> user::Model {
        let now = Utc::now();
        user::Model {
            id: Uuid::now_v7(),
            username: "u".into(),
            email: None,
            display_name: "U".into(),
            role: Role::BureauStaff,
            organization_id: None,
            password_hash: String::new(),
            disabled: false,
            failed_logins: 0,
            locked_until: None,
            must_change_password: false,
            last_login_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn token_expires_by_the_injected_clock() {
        let k = keys();
        let issued = DateTime::parse_from_rfc3339("2026-06-01T09:00:00+08:00").unwrap().to_utc();
        let token = k.issue(&user(), issued).unwrap();
        assert!(k.decode(&token, issued + chrono::TimeDelta::seconds(899)).is_some());
        assert!(k.decode(&token, issued + chrono::TimeDelta::seconds(900)).is_none());
    }

    #[test]
    fn other_audience_or_secret_is_refused() {
        let now = Utc::now();
        let token = keys().issue(&user(), now).unwrap();
        let other_aud = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "iss", "other", 900);
        assert!(other_aud.decode(&token, now).is_none());
        let other_secret = JwtKeys::new(b"ffffffffffffffffffffffffffffffff", "iss", "aud", 900);
        assert!(other_secret.decode(&token, now).is_none());
    }

    #[test]
    fn passwords_round_trip_and_generated_ones_pass_the_policy() {
        let pw = generate_password();
        entities::values::check_password_policy("password", &pw).unwrap();
        let hash = hash_password(&pw).unwrap();
        assert!(verify_password(&pw, &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password(&pw, "not-a-hash"));
    }
}
