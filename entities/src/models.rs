//! sea-orm entities, one module per table. These are storage shapes only: the
//! API maps them to its own response types.

pub mod audit_log;
pub mod calendar_day;
pub mod calendar_year;
pub mod document;
pub mod job_run;
pub mod job_schedule;
pub mod notification;
pub mod organization;
pub mod outbox_message;
pub mod refresh_token;
pub mod user;
