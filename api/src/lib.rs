//! The poem + poem-openapi service of the Dongguan skills registry and its
//! command line. `main.rs` only calls [`cli::run`].
//!
//! # Layout
//! - [`config`]: layered settings; [`startup`]: `Application::build` / `run_until_stopped`
//! - [`routes`]: one module per resource; handlers read input, call a service, map the result
//! - [`page`]: the server-rendered dashboard page `/dashboard` (Chinese, no JavaScript)
//! - [`services`]: transactional operations (rule from `entities`, save, audit)
//! - [`metrics`]: Prometheus `/metrics`
//! - [`auth`], [`audit`], [`error`], [`i18n`], [`middleware`], [`pagination`]: the edge
//! - [`cli`], [`demo`], [`backup`]: commands, sample data, backup and restore

pub mod audit;
pub mod auth;
pub mod backup;
pub mod body_check;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod json;
pub mod labels;
pub mod metrics;
pub mod middleware;
pub mod pagination;
pub mod routes;
pub mod services;
pub mod spec;
pub mod startup;
pub mod state;
pub mod text;
pub mod web;

pub use config::Settings;
pub use startup::Application;
