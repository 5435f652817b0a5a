//! Due dates of a period (DESIGN §5): member rows are due `member_rows_days`
//! after the period ends (default 15: 15 July / 15 January), the alliance
//! report `report_days` after (default 31: 31 July / 31 January). A due date
//! on a non-working day moves to the next working day of the calendar
//! (DESIGN §7). Something handed in on its due date is on time; each
//! calendar day after it is a day late.

use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

use super::period::Period;
use crate::calendar::{Calendar, CalendarError, DayStatus};

/// How many days after the period's end things are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DueRules {
    /// Member units' rows (default 15).
    pub member_rows_days: u32,
    /// The alliance report (default 31).
    pub report_days: u32,
}

impl Default for DueRules {
    fn default() -> Self {
        Self { member_rows_days: 15, report_days: 31 }
    }
}

/// One due date and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// Period end + N days.
    pub nominal: NaiveDate,
    /// The first working day on or after `nominal`.
    pub due: NaiveDate,
    /// Why `nominal` was not a working day ("周末", "法定节假日：春节").
    pub moved_because: Option<String>,
    /// The calendar of `nominal`'s year (or the next) has not been entered:
    /// `due` is the unmoved nominal date and may still move (DESIGN §7: a
    /// missing year is never guessed).
    pub provisional: bool,
}

impl Deadline {
    /// `days` after `period_end`, moved to the next working day.
    #[must_use]
    pub fn after(period_end: NaiveDate, days: u32, calendar: &Calendar) -> Self {
        let nominal = period_end.checked_add_signed(TimeDelta::days(i64::from(days))).unwrap_or(period_end);
        let moved_because = match calendar.classify(nominal) {
            Ok(DayStatus::Weekend) => Some("周末".to_string()),
            Ok(DayStatus::Holiday { name }) => Some(format!("法定节假日：{name}")),
            _ => None,
        };
        match calendar.next_working_day_on_or_after(nominal) {
            Ok(due) => Self { nominal, due, moved_because, provisional: false },
            Err(CalendarError::YearMissing(_) | CalendarError::TooManyDays) => {
                Self { nominal, due: nominal, moved_because: None, provisional: true }
            }
        }
    }

    /// "2026-01-31为周末，顺延至2026-02-02".
    #[must_use]
    pub fn explain_zh(&self) -> String {
        match (&self.moved_because, self.provisional) {
            (_, true) => format!("{}（该年度工作日历尚未录入，遇节假日可能顺延）", self.due),
            (Some(why), false) => format!("{}为{why}，顺延至{}", self.nominal, self.due),
            (None, false) => self.due.to_string(),
        }
    }
}

/// The two due dates of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub member_rows: Deadline,
    pub report: Deadline,
}

impl Period {
    /// Due dates of this period under `rules` and `calendar`.
    #[must_use]
    pub fn deadlines(self, rules: DueRules, calendar: &Calendar) -> Deadlines {
        Deadlines {
            member_rows: Deadline::after(self.end(), rules.member_rows_days, calendar),
            report: Deadline::after(self.end(), rules.report_days, calendar),
        }
    }
}

/// Calendar days from `today` to `due`: positive before, 0 on the day,
/// negative once overdue.
#[must_use]
pub fn days_until(today: NaiveDate, due: NaiveDate) -> i64 {
    (due - today).num_days()
}

/// Days late of something handed in on `on` for `due` (0 when on time).
#[must_use]
pub fn late_days(on: NaiveDate, due: NaiveDate) -> i64 {
    (on - due).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse("period", s).unwrap()
    }

    #[test]
    fn default_due_dates_of_2026h1_fall_on_working_days() {
        let dl = p("2026H1").deadlines(DueRules::default(), &Calendar::official());
        // 15 July 2026 is a Wednesday, 31 July a Friday.
        assert_eq!((dl.member_rows.nominal, dl.member_rows.due), (d(2026, 7, 15), d(2026, 7, 15)));
        assert_eq!((dl.report.nominal, dl.report.due), (d(2026, 7, 31), d(2026, 7, 31)));
        assert_eq!(dl.report.moved_because, None);
        assert!(!dl.report.provisional);
    }

    #[test]
    fn due_dates_on_non_working_days_move_to_the_next_working_day() {
        let cal = Calendar::official();
        // (period, days after its end, nominal, due, why)
        let cases = [
            // 2025H2 report: Sat 31 Jan 2026 → Mon 2 Feb.
            ("2025H2", 31, d(2026, 1, 31), d(2026, 2, 2), Some("周末")),
            // Sun 15 Feb 2026 is in the Spring Festival (15–23 Feb) → Tue 24 Feb.
            ("2025H2", 46, d(2026, 2, 15), d(2026, 2, 24), Some("法定节假日：春节")),
            // Sat 14 Feb 2026 is a make-up working day: not moved.
            ("2025H2", 45, d(2026, 2, 14), d(2026, 2, 14), None),
            // Thu 1 Oct 2026 (National Day 1–7 Oct) → Thu 8 Oct.
            ("2026H1", 93, d(2026, 10, 1), d(2026, 10, 8), Some("法定节假日：国庆节")),
            // Sat 3 Jan 2026 (New Year 1–3 Jan) → Sun 4 Jan, a make-up working day.
            ("2025H2", 3, d(2026, 1, 3), d(2026, 1, 4), Some("法定节假日：元旦")),
            // Sun 19 Jul 2026 → Mon 20 Jul.
            ("2026H1", 19, d(2026, 7, 19), d(2026, 7, 20), Some("周末")),
        ];
        for (period, days, nominal, due, why) in cases {
            let dl = Deadline::after(p(period).end(), days, &cal);
            assert_eq!((dl.nominal, dl.due, dl.moved_because.as_deref()), (nominal, due, why), "{period} +{days}");
        }
        let moved = Deadline::after(p("2025H2").end(), 31, &cal);
        assert_eq!(moved.explain_zh(), "2026-01-31为周末，顺延至2026-02-02");
    }

    #[test]
    fn a_missing_calendar_year_gives_a_provisional_unmoved_date() {
        // 2027 has no data: 31 Jan 2027 (a Sunday) is shown as is, flagged.
        let dl = p("2026H2").deadlines(DueRules::default(), &Calendar::official());
        assert_eq!(dl.report.due, d(2027, 1, 31));
        assert!(dl.report.provisional);
        assert!(dl.report.explain_zh().contains("尚未录入"));
    }

    #[test]
    fn days_late_and_days_left_are_calendar_days() {
        assert_eq!(late_days(d(2026, 2, 2), d(2026, 2, 2)), 0);
        assert_eq!(late_days(d(2026, 1, 20), d(2026, 2, 2)), 0);
        assert_eq!(late_days(d(2026, 2, 5), d(2026, 2, 2)), 3);
        assert_eq!(days_until(d(2026, 7, 5), d(2026, 7, 31)), 26);
        assert_eq!(days_until(d(2026, 8, 3), d(2026, 7, 31)), -3);
    }
}
