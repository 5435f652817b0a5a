//! The 公示 period: 5 working days (000 第十一条(三), 十四条(三), 二十条(三),
//! (七)), counted by the working-day calendar (DESIGN §7): a notice published
//! on day D counts D+1 as the first candidate day and ends at 17:30 Beijing
//! time on the 5th working day. Objections are accepted while `now` is before
//! the end.

use chrono::{DateTime, Utc};

use crate::calendar::{CHINA_OFFSET, Calendar, CalendarError, WorkingDays};

/// 000 第十一条(三): 公示期为5个工作日.
pub const NOTICE_WORKING_DAYS: u32 = 5;

/// The notice period of a notice published at `published_at`, with its explanation.
///
/// # Errors
/// [`CalendarError::YearMissing`] when the calendar of a year reached is not entered.
pub fn notice_period(calendar: &Calendar, published_at: DateTime<Utc>) -> Result<WorkingDays, CalendarError> {
    period_of(calendar, published_at, NOTICE_WORKING_DAYS)
}

/// A period of `days` working days from a publication at `published_at`: the
/// 公示 (5) or the comment period of an evaluation specification (10, 000
/// 第十六条(四)), counted the same way.
///
/// # Errors
/// As [`notice_period`].
pub fn period_of(calendar: &Calendar, published_at: DateTime<Utc>, days: u32) -> Result<WorkingDays, CalendarError> {
    calendar.add_working_days(published_at.with_timezone(&CHINA_OFFSET).date_naive(), days)
}

/// The instant the notice ends (17:30 +08:00 on the last working day).
///
/// # Errors
/// As [`notice_period`].
pub fn notice_end(calendar: &Calendar, published_at: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
    let period = notice_period(calendar, published_at)?;
    period.deadline().map(|d| d.to_utc()).ok_or(CalendarError::TooManyDays)
}

/// Objections are accepted until the end, not at it.
#[must_use]
pub fn is_open(ends_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < ends_at
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn an_ordinary_week() {
        let cal = Calendar::official();
        // Published Monday 1 June 2026: Tue–Fri and Monday 8 June.
        assert_eq!(notice_end(&cal, at("2026-06-01T10:00:00+08:00")).unwrap(), at("2026-06-08T17:30:00+08:00"));
    }

    #[test]
    fn across_the_2026_national_day_holiday() {
        let cal = Calendar::official();
        // Published Monday 28 Sep: 29, 30 Sep; 1–7 Oct holiday; 8, 9 Oct; Saturday 10 Oct is a make-up working day.
        let p = notice_period(&cal, at("2026-09-28T09:00:00+08:00")).unwrap();
        let counted: Vec<String> = p.counted.iter().map(|c| c.date.to_string()).collect();
        assert_eq!(counted, ["2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10"]);
        assert_eq!(p.skipped.len(), 7);
        assert_eq!(notice_end(&cal, at("2026-09-28T09:00:00+08:00")).unwrap(), at("2026-10-10T17:30:00+08:00"));
        // Published Thursday 24 Sep: 25–27 Sep 中秋节, 28–30 Sep, 1–7 Oct 国庆节, 8 and 9 Oct.
        assert_eq!(notice_end(&cal, at("2026-09-24T16:00:00+08:00")).unwrap(), at("2026-10-09T17:30:00+08:00"));
        // Published 30 Sep: 8, 9, 10 (Sat, make-up), 12, 13 Oct.
        assert_eq!(notice_end(&cal, at("2026-09-30T11:00:00+08:00")).unwrap(), at("2026-10-13T17:30:00+08:00"));
    }

    #[test]
    fn a_comment_period_of_10_working_days_across_national_day() {
        // 000 第十六条(四): 征求意见期限为10个工作日. Published Monday 28 Sep 2026:
        // 29, 30 Sep; 1–7 Oct holiday; 8, 9, 10 (Saturday make-up), 12–16 Oct.
        let cal = Calendar::official();
        let p = period_of(&cal, at("2026-09-28T09:00:00+08:00"), 10).unwrap();
        let counted: Vec<String> = p.counted.iter().map(|c| c.date.to_string()).collect();
        assert_eq!(
            counted,
            [
                "2026-09-29",
                "2026-09-30",
                "2026-10-08",
                "2026-10-09",
                "2026-10-10",
                "2026-10-12",
                "2026-10-13",
                "2026-10-14",
                "2026-10-15",
                "2026-10-16"
            ]
        );
        assert_eq!(p.deadline().unwrap().to_utc(), at("2026-10-16T17:30:00+08:00"));
    }

    #[test]
    fn the_publication_date_is_the_beijing_date() {
        let cal = Calendar::official();
        // 2026-05-31T17:00Z is 1 June 01:00 in Dongguan.
        assert_eq!(notice_end(&cal, at("2026-05-31T17:00:00Z")).unwrap(), at("2026-06-08T17:30:00+08:00"));
    }

    #[test]
    fn open_until_the_end_exclusive() {
        let end = at("2026-10-10T17:30:00+08:00");
        assert!(is_open(end, at("2026-10-10T17:29:59+08:00")));
        assert!(!is_open(end, end));
    }

    #[test]
    fn a_missing_year_is_an_error() {
        let cal = Calendar::official();
        assert_eq!(notice_end(&cal, at("2026-12-30T09:00:00+08:00")), Err(CalendarError::YearMissing(2027)));
    }
}
