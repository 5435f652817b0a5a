//! Scheduled work of the registry (DESIGN §8): the injected clock, the job
//! framework and its runner, the mail outbox with SMTP delivery, the weekly
//! digest and in-app notifications. Nothing here knows about HTTP.
//!
//! # Layout
//! - [`clock`]: "now" for every rule and job; [`db`]: the write discipline ([`db::begin_write`])
//! - [`schedule`]: cron in Asia/Shanghai; [`registry`]: the jobs and their default schedules
//! - [`runner`]: fires due ticks once across replicas and records runs
//! - [`outbox`] ([`outbox::enqueue`]), [`templates`], [`mailer`] ([`smtp`]), [`delivery`]: mail
//! - [`notify`] ([`notify::create`]): in-app notifications
//! - [`notice_close`]: ends 公示 notices; [`resource_mail`]: mail to applicants and objectors
//! - [`digest`]: the weekly digest and its sections

pub mod agreement_overdue;
pub mod ban_expiry;
pub mod chase;
pub mod clock;
pub mod db;
pub mod delivery;
pub mod digest;
pub mod mailer;
pub mod notice_close;
pub mod notify;
pub mod outbox;
pub mod policy_validity;
pub mod reach;
pub mod reassessment;
pub mod registry;
pub mod resource_mail;
pub mod runner;
pub mod schedule;
pub mod smtp;
pub mod sql;
pub mod templates;

pub use clock::{Clock, ManualClock, SystemClock};
pub use registry::{JobContext, JobDef, JobReport};
