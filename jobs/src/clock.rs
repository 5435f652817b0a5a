//! The injected clock. Nothing in rules or jobs calls `Utc::now()`; it asks a
//! [`Clock`], so tests and `jobs run --at …` can set the time.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};

/// Asia/Shanghai: UTC+8 all year, no daylight saving.
pub fn shanghai() -> FixedOffset {
    // 8 hours is always a valid offset.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("UTC+8 is a valid offset"))
}

/// Where "now" comes from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Today's business date in Asia/Shanghai.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&shanghai()).date_naive()
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to: tests and `--at` runs.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<RwLock<DateTime<Utc>>>);

impl ManualClock {
    #[must_use]
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Arc::new(RwLock::new(at)))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    pub fn advance(&self, by: TimeDelta) {
        let mut guard = self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn today_is_the_shanghai_date() {
        // 2026-07-31 17:00 UTC is already 1 August in Dongguan.
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 7, 31, 17, 0, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 8, 1).unwrap());
        clock.advance(TimeDelta::hours(-2));
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 7, 31).unwrap());
    }
}
