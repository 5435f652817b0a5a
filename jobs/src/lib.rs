//! Scheduled work of the registry. For now: the injected clock that every rule
//! and job reads "now" from (DESIGN §2 Time). The schedule table, the outbox and
//! SMTP delivery build on this crate.

pub mod clock;

pub use clock::{Clock, ManualClock, SystemClock};
