//! Transactional operations behind the handlers: load, apply the rule from
//! `entities`, save, audit — all in one transaction.

pub mod accounts;
pub mod calendar;
pub mod documents;
pub mod jobs;
pub mod mail;
pub mod notifications;
pub mod organizations;
pub mod sessions;
