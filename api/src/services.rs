//! Transactional operations behind the handlers: load, apply the rule from
//! `entities`, save, audit — all in one transaction.

pub mod accounts;
pub mod alliances;
pub mod calendar;
pub mod changes;
pub mod dashboard;
pub mod directory;
pub mod documents;
pub mod idempotency;
pub mod jobs;
pub mod mail;
pub mod notices;
pub mod notifications;
pub mod organizations;
pub mod policies;
pub mod queues;
pub mod reports;
pub mod resources;
pub mod sanctions;
pub mod sessions;
pub mod sql;
pub mod tasks;
pub mod work_file;
