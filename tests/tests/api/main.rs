//! End-to-end tests: each spawns the real server on a random port against a
//! fresh database (SQLite by default, PostgreSQL with `TEST_DATABASE_URL`).

// Test helpers outside #[test] functions unwrap too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod alliance_fidelity;
mod alliance_members;
mod alliances;
mod audit;
mod auth;
mod backup;
mod body_fields;
mod calendar;
mod changes;
mod chase;
mod credit_codes;
mod dashboard;
mod demo;
mod development;
mod documents;
mod errors;
mod funding;
mod fuzz;
mod health;
mod jobs;
mod metrics;
mod migrations;
mod notifications;
mod openapi;
mod operation;
mod organizations;
mod outbox;
mod read_paths;
mod report_access;
mod report_confirm;
mod report_deadlines;
mod report_exports;
mod report_members;
mod reports;
mod resource_access;
mod resource_eligibility;
mod resources;
mod smtp_sink;
mod users;
mod validity_jobs;
mod web;
mod web_bureau;
mod web_ranking;
mod web_resources;
mod web_review;
