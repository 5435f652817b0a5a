//! End-to-end tests: each spawns the real server on a random port against a
//! fresh database (SQLite by default, PostgreSQL with `TEST_DATABASE_URL`).

mod audit;
mod auth;
mod calendar;
mod credit_codes;
mod errors;
mod health;
mod openapi;
mod organizations;
mod users;
