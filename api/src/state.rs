//! Shared state handed to every handler.

use std::sync::Arc;

use jobs::{Clock, JobContext};
use sea_orm::DatabaseConnection;

use crate::{auth::JwtKeys, config::Settings};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<JwtKeys>,
    /// Database, mailer and settings every job runs with.
    pub jobs: JobContext,
    /// The dashboard's member figures, kept until a membership changes.
    pub member_figures: Arc<crate::services::dashboard::members::Memo>,
    /// Prometheus metrics of this server (`GET /metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
}
