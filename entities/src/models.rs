//! sea-orm entities, one module per table. These are storage shapes only: the
//! API maps them to its own response types.

pub mod access_occupation;
pub mod alliance;
pub mod alliance_member;
pub mod alliance_round;
pub mod application;
pub mod audit_log;
pub mod calendar_day;
pub mod calendar_year;
pub mod call;
pub mod charter_signature;
pub mod document;
pub mod expert;
pub mod idempotency_key;
pub mod job_run;
pub mod job_schedule;
pub mod member_form;
pub mod notice;
pub mod notice_item;
pub mod notification;
pub mod objection;
pub mod occupation_batch;
pub mod organization;
pub mod outbox_message;
pub mod panel_draw;
pub mod panel_member;
pub mod policy_document;
pub mod refresh_token;
pub mod registration_counter;
pub mod report;
pub mod report_round;
pub mod report_row;
pub mod resource;
pub mod review;
pub mod sanction;
pub mod user;
