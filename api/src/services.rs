//! Transactional operations behind the handlers: load, apply the rule from
//! `entities`, save, audit — all in one transaction.

pub mod accounts;
pub mod alliances;
pub mod calendar;
pub mod directory;
pub mod documents;
pub mod idempotency;
pub mod notices;
pub mod organizations;
pub mod policies;
pub mod reports;
pub mod sanctions;
pub mod sessions;
