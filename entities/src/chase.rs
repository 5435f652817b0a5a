//! The reminder schedule for half-year reports (DESIGN §8): reminders at 30,
//! 14, 7 and 1 days before a deadline, on the day, on the first working day
//! after it, then every 7 days; at 30 days overdue the bureau is told.
//! Reminders go out on working days only: a stage whose date is not a
//! working day waits for the next working day.
//!
//! A stage is "current" from the working day it fires until the next stage
//! fires, so a run that was missed (server down) still sends the stage due
//! now — never the older ones it skipped. Sending each (recipient, report,
//! stage) at most once is the caller's unique key.

use chrono::{Days, NaiveDate};

use crate::calendar::{Calendar, CalendarError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// N days before the deadline (30, 14, 7, 1).
    Before(u32),
    /// The deadline itself.
    DueDay,
    /// The first working day after the deadline.
    FirstWorkingDayAfter,
    /// Every 7 days after the deadline: `Overdue(7)`, `Overdue(14)`, …
    Overdue(u32),
}

impl Stage {
    /// A stable key for the once-only record, e.g. `d-30`, `d0`, `after`, `overdue-14`.
    #[must_use]
    pub fn key(self) -> String {
        match self {
            Self::Before(n) => format!("d-{n}"),
            Self::DueDay => "d0".into(),
            Self::FirstWorkingDayAfter => "after".into(),
            Self::Overdue(n) => format!("overdue-{n}"),
        }
    }

    #[must_use]
    pub fn is_overdue(self) -> bool {
        matches!(self, Self::FirstWorkingDayAfter | Self::Overdue(_))
    }
}

/// Days before the deadline at which reminders go out.
pub const BEFORE: [u32; 4] = [30, 14, 7, 1];
/// Days overdue at which the bureau is told (once).
pub const ESCALATE_AFTER_DAYS: u32 = 30;

fn add(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(n))).unwrap_or(d)
}

fn sub(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_days(Days::new(u64::from(n))).unwrap_or(d)
}

/// The stages whose nominal date is on or before `today`, with the working
/// day each fires on, in order. Later stages cannot have fired yet, so their
/// (possibly not yet published) calendar years are never consulted.
fn schedule(due: NaiveDate, today: NaiveDate, cal: &Calendar) -> Result<Vec<(Stage, NaiveDate)>, CalendarError> {
    let mut nominal: Vec<(Stage, NaiveDate)> = BEFORE.iter().map(|n| (Stage::Before(*n), sub(due, *n))).collect();
    nominal.push((Stage::DueDay, due));
    nominal.push((Stage::FirstWorkingDayAfter, add(due, 1)));
    let mut k = 1;
    while add(due, 7 * k) <= today && k <= 520 {
        nominal.push((Stage::Overdue(7 * k), add(due, 7 * k)));
        k += 1;
    }
    let mut out: Vec<(Stage, NaiveDate)> = Vec::with_capacity(nominal.len());
    for (stage, day) in nominal.into_iter().filter(|(_, day)| *day <= today) {
        let fires = cal.next_working_day_on_or_after(day)?;
        // Two stages can land on the same working day (a stage on a Sunday and
        // the next on Monday): keep the later stage.
        if let Some(last) = out.last_mut()
            && last.1 >= fires
        {
            *last = (stage, last.1.max(fires));
            continue;
        }
        out.push((stage, fires));
    }
    Ok(out)
}

/// The stage to send on `today` for a deadline `due`, if any: the latest
/// stage that has fired, provided `today` is a working day. None before the
/// first stage, and None on weekends and holidays.
///
/// # Errors
/// Calendar data missing for a year involved.
pub fn current_stage(due: NaiveDate, today: NaiveDate, cal: &Calendar) -> Result<Option<Stage>, CalendarError> {
    if !cal.is_working_day(today)? {
        return Ok(None);
    }
    Ok(schedule(due, today, cal)?.into_iter().take_while(|(_, fires)| *fires <= today).last().map(|(stage, _)| stage))
}

/// Whether the bureau should be told on `today` (30 days overdue reached,
/// on a working day): the first working day on or after `due + 30`, or later
/// if that run was missed.
///
/// # Errors
/// Calendar data missing.
pub fn escalation_due(due: NaiveDate, today: NaiveDate, cal: &Calendar) -> Result<bool, CalendarError> {
    let nominal = add(due, ESCALATE_AFTER_DAYS);
    if nominal > today || !cal.is_working_day(today)? {
        return Ok(false);
    }
    Ok(today >= cal.next_working_day_on_or_after(nominal)?)
}

/// Where a unit that owes a half-year row or report is reminded (DESIGN §8
/// "reminders to member contacts and initiators"; issue 16 item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach<'a> {
    /// Its active `org_user` accounts with an e-mail address, each told.
    Accounts,
    /// The unit's own address: the organisation record's e-mail, else the
    /// e-mail of its latest 附件1 form (003 附件1 电子邮箱).
    UnitAddress(&'a str),
    /// Nobody to write to: listed in the bureau's weekly digest instead.
    Unreachable,
}

/// Every unit that owes something is reached: through its accounts when one
/// has an e-mail, else at its own address (record, then latest form), else
/// the bureau is told it could not be. `jobs::reach` spells the same rule in
/// SQL for the chase's and the digest's set-based statements.
#[must_use]
pub fn reach<'a>(account_with_email: bool, record: &'a str, latest_form: Option<&'a str>) -> Reach<'a> {
    if account_with_email {
        return Reach::Accounts;
    }
    [Some(record), latest_form].into_iter().flatten().map(str::trim).find(|a| !a.is_empty()).map_or(Reach::Unreachable, Reach::UnitAddress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_owing_unit_is_reached_somewhere() {
        let form = Some("form@example.cn");
        assert_eq!(reach(true, "unit@example.cn", form), Reach::Accounts, "accounts first");
        assert_eq!(reach(true, "", None), Reach::Accounts);
        assert_eq!(reach(false, "unit@example.cn", form), Reach::UnitAddress("unit@example.cn"), "then the record");
        assert_eq!(reach(false, "  ", form), Reach::UnitAddress("form@example.cn"), "then the latest form");
        assert_eq!(reach(false, "", Some(" ")), Reach::Unreachable);
        assert_eq!(reach(false, "", None), Reach::Unreachable);
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn cal() -> Calendar {
        let mut c = Calendar::new();
        for y in [2025, 2026] {
            let (_, days) = crate::calendar::official_year(y).unwrap();
            c.add_year(y, days);
        }
        c
    }

    /// Every date in a range on which a new stage starts.
    fn sends(due: NaiveDate, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, String)> {
        let c = cal();
        let mut out = Vec::new();
        let mut last = None;
        let mut day = from;
        while day <= to {
            if let Some(s) = current_stage(due, day, &c).unwrap()
                && Some(s) != last
            {
                out.push((day, s.key()));
                last = Some(s);
            }
            day = day.succ_opt().unwrap();
        }
        out
    }

    #[test]
    fn reminders_for_a_31_july_deadline() {
        // Friday 31 July 2026. 1 Jul is a Wednesday; 17 Jul Friday; 24 Jul Friday; 30 Jul Thursday.
        let got = sends(d(7, 31), d(6, 1), d(9, 15));
        let want = [
            (d(7, 1), "d-30"),
            (d(7, 17), "d-14"),
            (d(7, 24), "d-7"),
            (d(7, 30), "d-1"),
            (d(7, 31), "d0"),
            (d(8, 3), "after"), // Sat 1 Aug → Monday 3 Aug
            (d(8, 7), "overdue-7"),
            (d(8, 14), "overdue-14"),
            (d(8, 21), "overdue-21"),
            (d(8, 28), "overdue-28"),
            (d(9, 4), "overdue-35"),
            (d(9, 11), "overdue-42"),
        ];
        let want: Vec<(NaiveDate, String)> = want.iter().map(|(a, b)| (*a, (*b).to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_stage_on_a_holiday_waits_for_the_next_working_day() {
        // Deadline Mon 22 Jun 2026: d-1 is Sun 21 Jun (端午节 19–21 Jun) → Mon 22 Jun, same day as d0: only d0 is sent.
        let got = sends(d(6, 22), d(6, 15), d(6, 23));
        assert_eq!(got, vec![(d(6, 15), "d-7".to_string()), (d(6, 22), "d0".to_string()), (d(6, 23), "after".to_string())]);
        // Nothing on a weekend or the Dragon Boat holiday.
        for day in [d(6, 19), d(6, 20), d(6, 21), d(6, 27)] {
            assert_eq!(current_stage(d(7, 31), day, &cal()).unwrap(), None, "{day}");
        }
    }

    #[test]
    fn a_missed_run_sends_the_current_stage_not_the_old_ones() {
        // Nobody ran the job between 1 and 20 July: on 20 July the current stage is d-14.
        assert_eq!(current_stage(d(7, 31), d(7, 20), &cal()).unwrap(), Some(Stage::Before(14)));
    }

    #[test]
    fn the_bureau_is_told_from_30_days_overdue() {
        let c = cal();
        // 31 Jul + 30 = Sun 30 Aug → Mon 31 Aug.
        assert!(!escalation_due(d(7, 31), d(8, 28), &c).unwrap());
        assert!(!escalation_due(d(7, 31), d(8, 30), &c).unwrap());
        assert!(escalation_due(d(7, 31), d(8, 31), &c).unwrap());
        assert!(escalation_due(d(7, 31), d(9, 7), &c).unwrap());
    }

    #[test]
    fn future_years_without_calendar_data_are_not_needed() {
        // Due 15 Jan 2027 (no 2027 data): in July 2026 no stage has started, and nothing fails.
        let due = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        assert_eq!(current_stage(due, d(7, 20), &cal()).unwrap(), None);
        assert!(!escalation_due(due, d(7, 20), &cal()).unwrap());
    }

    #[test]
    fn keys_are_stable() {
        assert_eq!(Stage::Before(30).key(), "d-30");
        assert_eq!(Stage::Overdue(14).key(), "overdue-14");
        assert!(Stage::FirstWorkingDayAfter.is_overdue());
    }
}
