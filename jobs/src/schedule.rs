//! Cron schedules: 6 fields, seconds first (`0 0 9 * * Mon`), evaluated in
//! Asia/Shanghai (UTC+8, no daylight saving) and answered in UTC.

use std::str::FromStr;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use cron::Schedule;

use crate::clock::shanghai;

/// A parsed cron expression.
#[derive(Debug, Clone)]
pub struct Cron(Schedule);

impl Cron {
    /// # Errors
    /// The expression is not a valid 6- or 7-field cron expression.
    pub fn parse(expr: &str) -> Result<Self, String> {
        if expr.split_whitespace().count() < 6 {
            return Err(format!("`{expr}`: needs 6 fields, seconds first (e.g. `0 0 9 * * Mon`)"));
        }
        Schedule::from_str(expr).map(Self).map_err(|e| format!("`{expr}`: {e}"))
    }

    /// The latest fire time at or before `now`, if it is no older than
    /// `window` (ticks older than that are not caught up).
    #[must_use]
    pub fn latest_due(&self, now: DateTime<Utc>, window: TimeDelta) -> Option<DateTime<Utc>> {
        // Fire times are whole seconds: the latest one before the next whole second.
        let probe = now.trunc_subsecs(0) + TimeDelta::seconds(1);
        let tick = self.0.after(&probe.with_timezone(&shanghai())).next_back()?.to_utc();
        (tick <= now && now - tick <= window).then_some(tick)
    }

    /// The first fire time strictly after `now`.
    #[must_use]
    pub fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.0.after(&now.with_timezone(&shanghai())).next().map(|t| t.to_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    const HOUR: TimeDelta = TimeDelta::hours(1);

    #[test]
    fn monday_nine_in_dongguan_is_one_utc() {
        let weekly = Cron::parse("0 0 9 * * Mon").unwrap();
        // Friday 5 June 2026: the next run is Monday 8 June, 01:00 UTC.
        assert_eq!(weekly.next_after(at("2026-06-05T12:00:00Z")), Some(at("2026-06-08T01:00:00Z")));
        // Sunday 7 June 2026 at 17:30 UTC is already Monday 01:30 in Dongguan, before 09:00.
        assert_eq!(weekly.next_after(at("2026-06-07T17:30:00Z")), Some(at("2026-06-08T01:00:00Z")));
    }

    #[test]
    fn latest_due_is_the_tick_at_or_before_now_within_the_window() {
        let weekly = Cron::parse("0 0 9 * * Mon").unwrap();
        let table = [
            ("2026-06-08T01:00:00Z", Some("2026-06-08T01:00:00Z")), // exactly at the tick
            ("2026-06-08T01:00:00.5Z", Some("2026-06-08T01:00:00Z")),
            ("2026-06-08T01:59:59Z", Some("2026-06-08T01:00:00Z")),
            ("2026-06-08T02:00:01Z", None), // older than an hour: not caught up
            ("2026-06-08T00:59:59Z", None), // Monday 08:59:59 in Dongguan: not yet
            ("2026-06-09T01:00:00Z", None), // Tuesday
        ];
        for (now, expected) in table {
            assert_eq!(weekly.latest_due(at(now), HOUR), expected.map(at), "now = {now}");
        }
    }

    #[test]
    fn every_minute_and_working_day_schedules() {
        let minutely = Cron::parse("0 * * * * *").unwrap();
        assert_eq!(minutely.latest_due(at("2026-06-01T01:02:59Z"), HOUR), Some(at("2026-06-01T01:02:00Z")));
        assert_eq!(minutely.next_after(at("2026-06-01T01:02:00Z")), Some(at("2026-06-01T01:03:00Z")));
        // 08:30 Dongguan time on weekdays: Saturday 6 June has none, Monday 8 June does.
        let weekdays = Cron::parse("0 30 8 * * Mon-Fri").unwrap();
        assert_eq!(weekdays.next_after(at("2026-06-05T01:00:00Z")), Some(at("2026-06-08T00:30:00Z")));
        // Midnight in Dongguan is 16:00 UTC the day before.
        let daily = Cron::parse("0 0 0 * * *").unwrap();
        assert_eq!(daily.latest_due(at("2026-06-01T16:10:00Z"), HOUR), Some(at("2026-06-01T16:00:00Z")));
    }

    #[test]
    fn bad_expressions_are_refused() {
        assert!(Cron::parse("* * * * *").unwrap_err().contains("6 fields"));
        assert!(Cron::parse("0 0 25 * * *").is_err());
        assert!(Cron::parse("0 0 9 * * Funday").is_err());
    }
}
