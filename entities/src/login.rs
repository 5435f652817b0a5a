//! The login lock-out (DESIGN §3): 5 failed logins lock the account for 15
//! minutes. The same rule counts failures under usernames that have no
//! account, so an unknown name is answered like a real one (issue 21).

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// Failed logins that lock (DESIGN §3).
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a lock lasts (DESIGN §3).
pub const LOCK_MINUTES: i64 = 15;

/// An account's (or unknown name's) failure counter and lock, as audited
/// before and after each failed login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lockout {
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl Lockout {
    /// Locked at `now`: the end of the lock.
    #[must_use]
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }

    /// After one more failed login at `now`: the count goes up; the fifth
    /// failure locks for 15 minutes and starts the count again.
    #[must_use]
    pub fn after_failure(self, now: DateTime<Utc>) -> Self {
        let failed = self.failed_logins.saturating_add(1);
        if failed >= MAX_FAILED_LOGINS {
            Self { failed_logins: 0, locked_until: Some(now + TimeDelta::minutes(LOCK_MINUTES)) }
        } else {
            Self { failed_logins: failed, ..self }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_failure_locks_for_15_minutes_and_restarts_the_count() {
        let now = DateTime::parse_from_rfc3339("2026-06-01T09:00:00+08:00").unwrap().to_utc();
        let mut state = Lockout { failed_logins: 0, locked_until: None };
        for n in 1..=4 {
            state = state.after_failure(now);
            assert_eq!(state, Lockout { failed_logins: n, locked_until: None });
            assert_eq!(state.locked_at(now), None);
        }
        let locked = state.after_failure(now);
        let until = now + TimeDelta::minutes(15);
        assert_eq!(locked, Lockout { failed_logins: 0, locked_until: Some(until) });
        assert_eq!(locked.locked_at(now + TimeDelta::minutes(14)), Some(until));
        assert_eq!(locked.locked_at(until), None, "unlocked at the end of the 15 minutes");
        // A failure after an old lock keeps the old end time (it is in the past) and counts from 1.
        assert_eq!(locked.after_failure(until), Lockout { failed_logins: 1, locked_until: Some(until) });
    }
}
