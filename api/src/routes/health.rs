//! `/healthz`: the process is up. `/readyz`: the database answers.

use std::time::Duration;

use poem::{IntoResponse, Response, handler, web::Data};
use sea_orm::ConnectionTrait;

use crate::{error::ApiError, state::AppState};

#[handler]
pub async fn healthz() -> Response {
    poem::web::Json(serde_json::json!({ "status": "ok" })).into_response()
}

/// 200 when `SELECT 1` answers within 2 s; 503 problem otherwise. Recovers by
/// itself when the database comes back (the pool reconnects).
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let ping = tokio::time::timeout(Duration::from_secs(2), state.db.execute_unprepared("SELECT 1")).await;
    match ping {
        Ok(Ok(_)) => poem::web::Json(serde_json::json!({ "status": "ready" })).into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            ApiError::unavailable().into_response()
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            ApiError::unavailable().into_response()
        }
    }
}
