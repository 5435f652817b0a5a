//! sea-orm entities, one module per table. These are storage shapes only: the
//! API maps them to its own response types.

pub mod alliance;
pub mod alliance_member;
pub mod alliance_round;
pub mod audit_log;
pub mod calendar_day;
pub mod calendar_year;
pub mod charter_signature;
pub mod document;
pub mod idempotency_key;
pub mod job_run;
pub mod job_schedule;
pub mod member_form;
pub mod notification;
pub mod organization;
pub mod outbox_message;
pub mod policy_document;
pub mod refresh_token;
pub mod registration_counter;
pub mod report;
pub mod report_round;
pub mod report_row;
pub mod sanction;
pub mod user;
