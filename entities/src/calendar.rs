//! Working-day calendar (DESIGN §7), pure rules.
//!
//! Rule (DESIGN §7): working days are Monday–Friday, minus official public
//! holidays, plus official make-up working days (调休上班). The calendar is
//! data published each year by the General Office of the State Council; a
//! year without data is an error ([`CalendarError::YearMissing`]), never a
//! guess.
//!
//! "N working days" from a notice published on day D: D+1 is the first
//! candidate day, and the period ends at 17:30 Beijing time (Asia/Shanghai,
//! UTC+8 without daylight saving since 1991) on the N-th working day. Every
//! calculation returns its own explanation ([`WorkingDays`]): the start date,
//! each day counted, and each day skipped with the reason.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Weekday};

/// Time of day at which a period of working days ends (DESIGN §7: 17:30).
pub const END_OF_WORKING_DAY: NaiveTime = match NaiveTime::from_hms_opt(17, 30, 0) {
    Some(t) => t,
    None => panic!("17:30 is a valid time"),
};

/// Offset of Asia/Shanghai (UTC+8, no daylight saving since 1991).
pub const CHINA_OFFSET: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(o) => o,
    None => panic!("UTC+8 is a valid offset"),
};

/// Upper bound on the number of working days in one calculation (about 14
/// years; protects against absurd inputs).
pub const MAX_WORKING_DAYS: u32 = 3650;

/// Years the bureau may enter calendar data for (validation rule).
pub const YEAR_RANGE: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Index used in [`validate_year`] errors that concern the year as a whole
/// rather than one entry.
pub const WHOLE_YEAR: usize = usize::MAX;

/// Kind of an official special day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Public holiday (放假), whatever the weekday.
    Holiday,
    /// Make-up working day (调休上班), always a Saturday or Sunday.
    MakeupWorkday,
}

/// One official special day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpecialDay {
    /// The date.
    pub date: NaiveDate,
    /// Holiday or make-up working day.
    pub kind: DayKind,
    /// Name of the holiday (for a make-up day: of the holiday it belongs to),
    /// e.g. "春节".
    pub name: String,
}

impl SpecialDay {
    /// Convenience constructor.
    pub fn new(date: NaiveDate, kind: DayKind, name: impl Into<String>) -> Self {
        Self { date, kind, name: name.into() }
    }
}

/// Calendar data for a set of years (years present = years whose data was
/// published).
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeSet<i32>,
    days: BTreeMap<NaiveDate, SpecialDay>,
}

/// How one date is classified by the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayStatus {
    /// An ordinary Monday–Friday working day.
    Working,
    /// A Saturday/Sunday that is worked (调休上班) for the named holiday.
    MakeupWorkday {
        /// Holiday the make-up day belongs to.
        name: String,
    },
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A public holiday.
    Holiday {
        /// Holiday name.
        name: String,
    },
}

impl DayStatus {
    /// Whether a day with this status is a working day.
    #[must_use]
    pub fn is_working(&self) -> bool {
        matches!(self, Self::Working | Self::MakeupWorkday { .. })
    }
}

/// Errors of calendar calculations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calculation reached a year for which no calendar was entered.
    #[error("{0}年的工作日历尚未录入")]
    YearMissing(i32),
    /// More than [`MAX_WORKING_DAYS`] working days were requested.
    #[error("工作日数不能超过3650")]
    TooManyDays,
}

impl CalendarError {
    /// Chinese message (same as `Display`).
    #[must_use]
    pub fn zh(&self) -> String {
        self.to_string()
    }

    /// English message.
    #[must_use]
    pub fn en(&self) -> String {
        match self {
            Self::YearMissing(y) => {
                format!("the working-day calendar for {y} has not been entered")
            }
            Self::TooManyDays => {
                format!("the number of working days must not exceed {MAX_WORKING_DAYS}")
            }
        }
    }
}

/// Result and explanation of "N working days from D".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkingDays {
    /// Day D (e.g. the publication date); not itself a candidate.
    pub from: NaiveDate,
    /// N.
    pub days: u32,
    /// The N-th working day (= `from` when N is 0).
    pub end_date: NaiveDate,
    /// 17:30 (Asia/Shanghai).
    pub end_time: NaiveTime,
    /// Each working day counted, in order, with ordinals 1..=N.
    pub counted: Vec<CountedDay>,
    /// Each non-working candidate day between `from`+1 and `end_date`.
    pub skipped: Vec<SkippedDay>,
}

/// A working day that was counted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CountedDay {
    /// The date.
    pub date: NaiveDate,
    /// 1-based position in the count.
    pub ordinal: u32,
    /// For a make-up working day: the holiday it belongs to.
    pub makeup: Option<String>,
}

/// A candidate day that was skipped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedDay {
    /// The date.
    pub date: NaiveDate,
    /// Why it is not a working day.
    pub reason: SkipReason,
}

/// Why a day is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// Ordinary Saturday or Sunday.
    Weekend,
    /// Public holiday.
    Holiday {
        /// Holiday name.
        name: String,
    },
}

impl SkipReason {
    /// Chinese explanation: "周末" or "法定节假日：春节".
    #[must_use]
    pub fn zh(&self) -> String {
        match self {
            Self::Weekend => "周末".to_owned(),
            Self::Holiday { name } => format!("法定节假日：{name}"),
        }
    }

    /// English explanation: "weekend" or "public holiday: Spring Festival (春节)".
    #[must_use]
    pub fn en(&self) -> String {
        match self {
            Self::Weekend => "weekend".to_owned(),
            Self::Holiday { name } => format!("public holiday: {}", holiday_name_en(name)),
        }
    }
}

/// English rendering of an official holiday name; unknown names (entered by
/// the bureau) are returned unchanged.
#[must_use]
pub fn holiday_name_en(name: &str) -> String {
    let en = |n: &str| -> Option<&'static str> {
        Some(match n {
            "元旦" => "New Year's Day",
            "春节" => "Spring Festival",
            "清明节" => "Qingming Festival",
            "劳动节" => "Labour Day",
            "端午节" => "Dragon Boat Festival",
            "中秋节" => "Mid-Autumn Festival",
            "国庆节" => "National Day",
            _ => return None,
        })
    };
    let parts: Vec<&str> = name.split('、').collect();
    let translated: Option<Vec<&str>> = parts.iter().map(|p| en(p)).collect();
    match translated {
        Some(t) => format!("{} ({name})", t.join(" and ")),
        None => name.to_owned(),
    }
}

/// Next calendar day; past chrono's last representable date the next year
/// can have no data.
fn next_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.succ_opt().ok_or(CalendarError::YearMissing(date.year().saturating_add(1)))
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// An empty calendar (no year known).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A calendar holding the built-in official data ([`official_year`]) for
    /// every year that has it.
    #[must_use]
    pub fn official() -> Self {
        let mut cal = Self::new();
        for year in OFFICIAL_YEARS {
            if let Some((_, days)) = official_year(year) {
                cal.add_year(year, days);
            }
        }
        cal
    }

    /// Adds (or replaces) the data of `year` and marks the year as known.
    ///
    /// Existing special days of `year` are removed first, so re-adding a
    /// corrected year does not keep stale entries. Days whose date is not in
    /// `year` are ignored (use [`validate_year`] first to report them).
    pub fn add_year(&mut self, year: i32, days: impl IntoIterator<Item = SpecialDay>) {
        self.days.retain(|d, _| d.year() != year);
        self.years.insert(year);
        for day in days {
            if day.date.year() == year {
                self.days.insert(day.date, day);
            }
        }
    }

    /// Whether data for `year` is present.
    #[must_use]
    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Years with data, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Special days of `year`, in date order.
    pub fn special_days(&self, year: i32) -> impl Iterator<Item = &SpecialDay> + '_ {
        self.days.values().filter(move |d| d.date.year() == year)
    }

    /// Classifies `date` (DESIGN §7: official special days first, then
    /// Monday–Friday working / Saturday–Sunday weekend).
    ///
    /// # Errors
    /// [`CalendarError::YearMissing`] when the date's year has no data.
    pub fn classify(&self, date: NaiveDate) -> Result<DayStatus, CalendarError> {
        let year = date.year();
        if !self.has_year(year) {
            return Err(CalendarError::YearMissing(year));
        }
        Ok(match self.days.get(&date) {
            Some(SpecialDay { kind: DayKind::Holiday, name, .. }) => DayStatus::Holiday { name: name.clone() },
            Some(SpecialDay { kind: DayKind::MakeupWorkday, name, .. }) => DayStatus::MakeupWorkday { name: name.clone() },
            None if is_weekend(date) => DayStatus::Weekend,
            None => DayStatus::Working,
        })
    }

    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// [`CalendarError::YearMissing`] when the date's year has no data.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.classify(date).map(|s| s.is_working())
    }

    /// Counts `days` working days after `from` (DESIGN §7: `from`+1 is the
    /// first candidate; the period ends at 17:30 on the N-th working day).
    ///
    /// `days == 0` is not an error: it returns `from` itself as the end date
    /// with nothing counted or skipped, without consulting the calendar.
    ///
    /// # Errors
    /// [`CalendarError::TooManyDays`] when `days` exceeds
    /// [`MAX_WORKING_DAYS`]; [`CalendarError::YearMissing`] for the first
    /// year reached that has no data.
    pub fn add_working_days(&self, from: NaiveDate, days: u32) -> Result<WorkingDays, CalendarError> {
        if days > MAX_WORKING_DAYS {
            return Err(CalendarError::TooManyDays);
        }
        let mut counted = Vec::new();
        let mut skipped = Vec::new();
        let mut end_date = from;
        let mut date = from;
        let mut ordinal = 0u32;
        while ordinal < days {
            date = next_day(date)?;
            match self.classify(date)? {
                DayStatus::Working => {
                    ordinal += 1;
                    counted.push(CountedDay { date, ordinal, makeup: None });
                }
                DayStatus::MakeupWorkday { name } => {
                    ordinal += 1;
                    counted.push(CountedDay { date, ordinal, makeup: Some(name) });
                }
                DayStatus::Weekend => skipped.push(SkippedDay { date, reason: SkipReason::Weekend }),
                DayStatus::Holiday { name } => {
                    skipped.push(SkippedDay { date, reason: SkipReason::Holiday { name } });
                }
            }
            end_date = date;
        }
        Ok(WorkingDays { from, days, end_date, end_time: END_OF_WORKING_DAY, counted, skipped })
    }

    /// First working day on or after `date` (used to move deadlines that fall
    /// on non-working days).
    ///
    /// # Errors
    /// [`CalendarError::YearMissing`] for the first year reached that has no
    /// data.
    pub fn next_working_day_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        // Terminates: every step either finds a working day or moves forward;
        // only finitely many years are known, and an unknown year errors.
        loop {
            if self.is_working_day(d)? {
                return Ok(d);
            }
            d = next_day(d)?;
        }
    }
}

impl WorkingDays {
    /// The end of the period as a Beijing-time instant (`end_date` 17:30
    /// +08:00). `None` only at the edge of chrono's date range.
    #[must_use]
    pub fn deadline(&self) -> Option<DateTime<FixedOffset>> {
        self.end_date.and_time(self.end_time).and_local_timezone(CHINA_OFFSET).single()
    }

    /// Human-readable explanation in Chinese.
    #[must_use]
    pub fn explain_zh(&self) -> String {
        let mut out = format!(
            "自{}起算{}个工作日（次日为第一个候选日），截止于{} {}。",
            self.from,
            self.days,
            self.end_date,
            self.end_time.format("%H:%M")
        );
        for c in &self.counted {
            match &c.makeup {
                Some(name) => out.push_str(&format!("\n第{}个工作日：{}（调休上班：{name}）", c.ordinal, c.date)),
                None => out.push_str(&format!("\n第{}个工作日：{}", c.ordinal, c.date)),
            }
        }
        for s in &self.skipped {
            out.push_str(&format!("\n跳过 {}：{}", s.date, s.reason.zh()));
        }
        out
    }

    /// Human-readable explanation in English.
    #[must_use]
    pub fn explain_en(&self) -> String {
        let mut out = format!(
            "{} working day(s) counted from {} (the next day is the first candidate); ends {} at {} Beijing time.",
            self.days,
            self.from,
            self.end_date,
            self.end_time.format("%H:%M")
        );
        for c in &self.counted {
            match &c.makeup {
                Some(name) => {
                    out.push_str(&format!("\nworking day {}: {} (make-up working day for {})", c.ordinal, c.date, holiday_name_en(name)))
                }
                None => out.push_str(&format!("\nworking day {}: {}", c.ordinal, c.date)),
            }
        }
        for s in &self.skipped {
            out.push_str(&format!("\nskipped {}: {}", s.date, s.reason.en()));
        }
        out
    }
}

/// Years for which [`official_year`] has data.
pub const OFFICIAL_YEARS: [i32; 2] = [2025, 2026];

/// A (month, day) pair.
type MonthDay = (u32, u32);

/// Builds the special days of one year from named, inclusive (month, day)
/// ranges.
fn build(year: i32, kind: DayKind, entries: &[(&str, MonthDay, MonthDay)]) -> Vec<SpecialDay> {
    let mut out = Vec::new();
    for &(name, (m1, d1), (m2, d2)) in entries {
        let (Some(start), Some(end)) = (NaiveDate::from_ymd_opt(year, m1, d1), NaiveDate::from_ymd_opt(year, m2, d2)) else {
            continue;
        };
        let mut d = start;
        while d <= end {
            out.push(SpecialDay::new(d, kind, name));
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
    }
    out
}

/// Official data seeded by migration. 2025: 国务院办公厅 notice of
/// 2024-11-12; 2026: notice of 2025-11-04.
///
/// Returns the source notice and the special days (holidays and make-up
/// working days, in date order), or `None` for years without built-in data.
#[must_use]
pub fn official_year(year: i32) -> Option<(String, Vec<SpecialDay>)> {
    use DayKind::{Holiday, MakeupWorkday};
    let (source, holidays, makeups): (&str, Vec<SpecialDay>, Vec<SpecialDay>) = match year {
        // 国办发明电〔2024〕12号, published 2024-11-12.
        2025 => (
            "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）",
            build(
                2025,
                Holiday,
                &[
                    ("元旦", (1, 1), (1, 1)),
                    ("春节", (1, 28), (2, 4)),
                    ("清明节", (4, 4), (4, 6)),
                    ("劳动节", (5, 1), (5, 5)),
                    ("端午节", (5, 31), (6, 2)),
                    ("国庆节、中秋节", (10, 1), (10, 8)),
                ],
            ),
            build(
                2025,
                MakeupWorkday,
                &[
                    ("春节", (1, 26), (1, 26)),
                    ("春节", (2, 8), (2, 8)),
                    ("劳动节", (4, 27), (4, 27)),
                    ("国庆节、中秋节", (9, 28), (9, 28)),
                    ("国庆节、中秋节", (10, 11), (10, 11)),
                ],
            ),
        ),
        // Notice of 2025-11-04.
        2026 => (
            "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
            build(
                2026,
                Holiday,
                &[
                    ("元旦", (1, 1), (1, 3)),
                    ("春节", (2, 15), (2, 23)),
                    ("清明节", (4, 4), (4, 6)),
                    ("劳动节", (5, 1), (5, 5)),
                    ("端午节", (6, 19), (6, 21)),
                    ("中秋节", (9, 25), (9, 27)),
                    ("国庆节", (10, 1), (10, 7)),
                ],
            ),
            build(
                2026,
                MakeupWorkday,
                &[
                    ("元旦", (1, 4), (1, 4)),
                    ("春节", (2, 14), (2, 14)),
                    ("春节", (2, 28), (2, 28)),
                    ("劳动节", (5, 9), (5, 9)),
                    // Sun 20 Sep belongs to 国庆节 (1–7 Oct, Thu–Wed: five
                    // weekdays off for three statutory days → two make-up
                    // days, 20 Sep and 10 Oct). 中秋节 (Fri 25 – Sun 27 Sep)
                    // needs no make-up day.
                    ("国庆节", (9, 20), (9, 20)),
                    ("国庆节", (10, 10), (10, 10)),
                ],
            ),
        ),
        _ => return None,
    };
    let mut days: Vec<SpecialDay> = holidays.into_iter().chain(makeups).collect();
    days.sort_by_key(|d| d.date);
    Some((source.to_owned(), days))
}

/// Validates calendar data entered by the bureau for one year.
///
/// Rules: `year` in 2000..=2100; every date lies in `year`; no date appears
/// twice; a holiday may fall on any day, but a make-up working day must be a
/// Saturday or Sunday (a weekday is a working day anyway); the name must not
/// be blank.
///
/// # Errors
/// A list of `(index, zh, en)` — `index` is the position in `days`, or
/// [`WHOLE_YEAR`] for an error about the year itself.
pub fn validate_year(year: i32, days: &[SpecialDay]) -> Result<(), Vec<(usize, String, String)>> {
    let mut errors = Vec::new();
    if !YEAR_RANGE.contains(&year) {
        errors.push((
            WHOLE_YEAR,
            format!("年份须在{}至{}之间", YEAR_RANGE.start(), YEAR_RANGE.end()),
            format!("the year must be between {} and {}", YEAR_RANGE.start(), YEAR_RANGE.end()),
        ));
    }
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (i, day) in days.iter().enumerate() {
        let date = day.date;
        if date.year() != year {
            errors.push((i, format!("日期{date}不在{year}年内"), format!("date {date} is not in {year}")));
        }
        if let Some(first) = seen.get(&date) {
            errors.push((
                i,
                format!("日期{date}重复（与第{}条相同）", first + 1),
                format!("date {date} appears twice (same as entry {})", first + 1),
            ));
        } else {
            seen.insert(date, i);
        }
        if day.kind == DayKind::MakeupWorkday && !is_weekend(date) {
            errors.push((i, format!("调休上班日{date}须为周六或周日"), format!("make-up working day {date} must be a Saturday or Sunday")));
        }
        if day.name.trim().is_empty() {
            errors.push((i, format!("日期{date}的节日名称不能为空"), format!("the holiday name of {date} is required")));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn cal() -> Calendar {
        Calendar::official()
    }

    fn holiday(name: &str) -> SkipReason {
        SkipReason::Holiday { name: name.to_owned() }
    }

    fn counted(list: &[(NaiveDate, Option<&str>)]) -> Vec<CountedDay> {
        list.iter().zip(1u32..).map(|(&(date, makeup), ordinal)| CountedDay { date, ordinal, makeup: makeup.map(str::to_owned) }).collect()
    }

    fn skipped(list: &[(NaiveDate, SkipReason)]) -> Vec<SkippedDay> {
        list.iter().map(|(date, reason)| SkippedDay { date: *date, reason: reason.clone() }).collect()
    }

    #[test]
    fn official_data_is_valid_and_complete() {
        for year in OFFICIAL_YEARS {
            let (source, days) = official_year(year).expect("official data");
            assert!(source.contains(&year.to_string()), "{source}");
            assert_eq!(validate_year(year, &days), Ok(()), "{year}");
        }
        let (_, y2025) = official_year(2025).expect("2025");
        let count = |days: &[SpecialDay], k: DayKind| days.iter().filter(|s| s.kind == k).count();
        // 2025: 1 + 8 + 3 + 5 + 3 + 8 holidays; 5 make-up days.
        assert_eq!(count(&y2025, DayKind::Holiday), 28);
        assert_eq!(count(&y2025, DayKind::MakeupWorkday), 5);
        let (_, y2026) = official_year(2026).expect("2026");
        // 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 holidays; 6 make-up days.
        assert_eq!(count(&y2026, DayKind::Holiday), 33);
        assert_eq!(count(&y2026, DayKind::MakeupWorkday), 6);
        assert!(official_year(2024).is_none());
        assert!(official_year(2027).is_none());
    }

    #[test]
    fn classify_table() {
        let c = cal();
        let cases: Vec<(NaiveDate, DayStatus)> = vec![
            (d(2025, 1, 1), DayStatus::Holiday { name: "元旦".into() }),
            (d(2025, 1, 2), DayStatus::Working),
            (d(2025, 1, 26), DayStatus::MakeupWorkday { name: "春节".into() }),
            (d(2025, 2, 4), DayStatus::Holiday { name: "春节".into() }),
            (d(2025, 2, 8), DayStatus::MakeupWorkday { name: "春节".into() }),
            (d(2025, 10, 8), DayStatus::Holiday { name: "国庆节、中秋节".into() }),
            (d(2025, 10, 11), DayStatus::MakeupWorkday { name: "国庆节、中秋节".into() }),
            (d(2026, 1, 3), DayStatus::Holiday { name: "元旦".into() }),
            (d(2026, 1, 4), DayStatus::MakeupWorkday { name: "元旦".into() }),
            (d(2026, 1, 10), DayStatus::Weekend),
            (d(2026, 1, 11), DayStatus::Weekend),
            (d(2026, 2, 15), DayStatus::Holiday { name: "春节".into() }),
            (d(2026, 4, 6), DayStatus::Holiday { name: "清明节".into() }),
            (d(2026, 6, 19), DayStatus::Holiday { name: "端午节".into() }),
            (d(2026, 9, 20), DayStatus::MakeupWorkday { name: "国庆节".into() }),
            (d(2026, 9, 25), DayStatus::Holiday { name: "中秋节".into() }),
            (d(2026, 10, 12), DayStatus::Working),
        ];
        for (date, expected) in cases {
            assert_eq!(c.classify(date), Ok(expected), "{date}");
        }
        assert_eq!(c.classify(d(2027, 1, 4)), Err(CalendarError::YearMissing(2027)));
        assert_eq!(c.classify(d(2024, 12, 31)), Err(CalendarError::YearMissing(2024)));
        assert_eq!(c.is_working_day(d(2026, 2, 14)), Ok(true));
        assert_eq!(c.is_working_day(d(2026, 2, 16)), Ok(false));
        assert_eq!(c.is_working_day(d(2027, 1, 4)), Err(CalendarError::YearMissing(2027)));
    }

    #[test]
    fn five_working_days_across_spring_festival_2026() {
        // Thu 12 Feb 2026: Fri 13 (1), Sat 14 make-up (2), 15–23 Spring
        // Festival skipped, Tue 24 (3), Wed 25 (4), Thu 26 (5).
        let w = cal().add_working_days(d(2026, 2, 12), 5).expect("computable");
        assert_eq!(w.from, d(2026, 2, 12));
        assert_eq!(w.days, 5);
        assert_eq!(w.end_date, d(2026, 2, 26));
        assert_eq!(w.end_time, NaiveTime::from_hms_opt(17, 30, 0).expect("time"));
        assert_eq!(
            w.counted,
            counted(&[
                (d(2026, 2, 13), None),
                (d(2026, 2, 14), Some("春节")),
                (d(2026, 2, 24), None),
                (d(2026, 2, 25), None),
                (d(2026, 2, 26), None),
            ])
        );
        let festival: Vec<(NaiveDate, SkipReason)> = (15..=23).map(|day| (d(2026, 2, day), holiday("春节"))).collect();
        assert_eq!(w.skipped, skipped(&festival));
        let deadline = w.deadline().expect("in range");
        assert_eq!(deadline.to_rfc3339(), "2026-02-26T17:30:00+08:00");
        let zh = w.explain_zh();
        assert!(zh.contains("第2个工作日：2026-02-14（调休上班：春节）"), "{zh}");
        assert!(zh.contains("跳过 2026-02-15：法定节假日：春节"), "{zh}");
        let en = w.explain_en();
        assert!(en.contains("skipped 2026-02-15: public holiday: Spring Festival (春节)"), "{en}");
    }

    #[test]
    fn five_working_days_across_national_day_2026() {
        // Wed 30 Sep 2026: 1–7 Oct National Day skipped, Thu 8 (1), Fri 9
        // (2), Sat 10 make-up (3), Sun 11 weekend, Mon 12 (4), Tue 13 (5).
        let w = cal().add_working_days(d(2026, 9, 30), 5).expect("computable");
        assert_eq!(w.end_date, d(2026, 10, 13));
        assert_eq!(
            w.counted,
            counted(&[
                (d(2026, 10, 8), None),
                (d(2026, 10, 9), None),
                (d(2026, 10, 10), Some("国庆节")),
                (d(2026, 10, 12), None),
                (d(2026, 10, 13), None),
            ])
        );
        let mut expected: Vec<(NaiveDate, SkipReason)> = (1..=7).map(|day| (d(2026, 10, day), holiday("国庆节"))).collect();
        expected.push((d(2026, 10, 11), SkipReason::Weekend));
        assert_eq!(w.skipped, skipped(&expected));
    }

    #[test]
    fn working_days_table() {
        let c = cal();
        // (from, days, expected end date, expected number of skipped days)
        let cases = [
            // Plain week: Mon 12 Jan 2026 + 5 → Mon 19 Jan (skips Sat/Sun).
            (d(2026, 1, 12), 5, d(2026, 1, 19), 2),
            // Friday + 1 → Monday.
            (d(2026, 1, 16), 1, d(2026, 1, 19), 2),
            // New Year 2026: Wed 31 Dec 2025 + 1 → skips 1–3 Jan, Sun 4 Jan make-up.
            (d(2025, 12, 31), 1, d(2026, 1, 4), 3),
            // 2025 Spring Festival: Fri 24 Jan 2025 + 2 → Sun 26 Jan (make-up), Mon 27 Jan.
            (d(2025, 1, 24), 2, d(2025, 1, 27), 1),
            // Labour Day 2026: Thu 30 Apr + 3 → skip 1–5 May, Wed 6, Thu 7, Fri 8.
            (d(2026, 4, 30), 3, d(2026, 5, 8), 5),
            // ... + 4 → Sat 9 May make-up.
            (d(2026, 4, 30), 4, d(2026, 5, 9), 5),
            // Zero days: the day itself.
            (d(2026, 2, 15), 0, d(2026, 2, 15), 0),
        ];
        for (from, days, end, n_skipped) in cases {
            let w = c.add_working_days(from, days).expect("computable");
            assert_eq!(w.end_date, end, "{from} + {days}");
            assert_eq!(w.skipped.len(), n_skipped, "{from} + {days}: {:?}", w.skipped);
            assert_eq!(w.counted.len(), usize::try_from(days).expect("small"));
        }
    }

    #[test]
    fn zero_days_needs_no_calendar_data() {
        let w = Calendar::new().add_working_days(d(2030, 5, 1), 0).expect("zero days");
        assert_eq!(w.end_date, d(2030, 5, 1));
        assert!(w.counted.is_empty() && w.skipped.is_empty());
    }

    #[test]
    fn crossing_into_missing_year_is_an_error() {
        let c = cal();
        // Mon 28 Dec 2026: 29, 30, 31 Dec are working days, the 4th needs 2027.
        assert_eq!(c.add_working_days(d(2026, 12, 28), 3).map(|w| w.end_date), Ok(d(2026, 12, 31)));
        assert_eq!(c.add_working_days(d(2026, 12, 28), 4), Err(CalendarError::YearMissing(2027)));
        assert_eq!(c.add_working_days(d(2026, 12, 31), 1), Err(CalendarError::YearMissing(2027)));
        // Starting in an unknown year fails on the first candidate.
        assert_eq!(c.add_working_days(d(2024, 12, 30), 1), Err(CalendarError::YearMissing(2024)));
        assert_eq!(Calendar::new().add_working_days(d(2026, 1, 5), 1), Err(CalendarError::YearMissing(2026)));
        // A gap year: 2025 and 2027 known, 2026 missing.
        let mut gap = Calendar::new();
        gap.add_year(2025, Vec::new());
        gap.add_year(2027, Vec::new());
        assert_eq!(gap.add_working_days(d(2025, 12, 30), 5), Err(CalendarError::YearMissing(2026)));
        assert_eq!(CalendarError::YearMissing(2027).to_string(), "2027年的工作日历尚未录入");
        assert!(CalendarError::YearMissing(2027).en().contains("2027"));
    }

    #[test]
    fn too_many_days() {
        let c = cal();
        assert_eq!(c.add_working_days(d(2026, 1, 1), 3651), Err(CalendarError::TooManyDays));
        assert_eq!(c.add_working_days(d(2026, 1, 1), u32::MAX), Err(CalendarError::TooManyDays));
        // 3650 itself is allowed (and here runs into 2027).
        assert_eq!(c.add_working_days(d(2026, 1, 1), 3650), Err(CalendarError::YearMissing(2027)));
        assert_eq!(CalendarError::TooManyDays.to_string(), "工作日数不能超过3650");
    }

    #[test]
    fn end_of_chrono_range_is_reported_as_missing_year() {
        let mut c = Calendar::new();
        let last = NaiveDate::MAX;
        c.add_year(last.year(), Vec::new());
        assert_eq!(c.add_working_days(last, 1), Err(CalendarError::YearMissing(last.year() + 1)));
    }

    #[test]
    fn next_working_day_on_or_after_table() {
        let c = cal();
        let cases = [
            // Working day: itself.
            (d(2026, 3, 2), d(2026, 3, 2)),
            // Ordinary Saturday → Monday.
            (d(2026, 3, 7), d(2026, 3, 9)),
            // Holiday (first day of Spring Festival, a Sunday) → Tue 24 Feb.
            (d(2026, 2, 15), d(2026, 2, 24)),
            // Holiday mid-week (Labour Day, Fri 1 May) → Wed 6 May.
            (d(2026, 5, 1), d(2026, 5, 6)),
            // Make-up Saturday: itself.
            (d(2026, 2, 28), d(2026, 2, 28)),
            (d(2026, 10, 10), d(2026, 10, 10)),
            // Saturday before National Day make-up Sunday 20 Sep → that Sunday.
            (d(2026, 9, 19), d(2026, 9, 20)),
        ];
        for (date, expected) in cases {
            assert_eq!(c.next_working_day_on_or_after(date), Ok(expected), "{date}");
        }
        // Sat 2 Jan 2027 is not known.
        assert_eq!(c.next_working_day_on_or_after(d(2027, 1, 2)), Err(CalendarError::YearMissing(2027)));
        // 2025-12-31 is a Wednesday (working).
        assert_eq!(c.next_working_day_on_or_after(d(2025, 12, 31)), Ok(d(2025, 12, 31)));
    }

    #[test]
    fn add_year_replaces_previous_data() {
        let mut c = Calendar::new();
        assert!(!c.has_year(2026));
        c.add_year(2026, vec![SpecialDay::new(d(2026, 3, 2), DayKind::Holiday, "测试")]);
        assert!(c.has_year(2026));
        assert_eq!(c.is_working_day(d(2026, 3, 2)), Ok(false));
        c.add_year(2026, Vec::new());
        assert_eq!(c.is_working_day(d(2026, 3, 2)), Ok(true));
        // Days outside the year are ignored.
        c.add_year(2026, vec![SpecialDay::new(d(2027, 3, 1), DayKind::Holiday, "测试")]);
        assert!(!c.has_year(2027));
        assert_eq!(c.special_days(2026).count(), 0);
        assert_eq!(c.years().collect::<Vec<_>>(), vec![2026]);
    }

    #[test]
    fn skip_reason_messages() {
        assert_eq!(SkipReason::Weekend.zh(), "周末");
        assert_eq!(SkipReason::Weekend.en(), "weekend");
        assert_eq!(holiday("春节").zh(), "法定节假日：春节");
        assert_eq!(holiday("春节").en(), "public holiday: Spring Festival (春节)");
        assert_eq!(holiday("国庆节、中秋节").en(), "public holiday: National Day and Mid-Autumn Festival (国庆节、中秋节)");
        assert_eq!(holiday("莞香节").en(), "public holiday: 莞香节");
    }

    #[test]
    fn serde_shapes() {
        assert_eq!(serde_json::to_string(&DayKind::MakeupWorkday).expect("json"), "\"makeup_workday\"");
        assert_eq!(serde_json::to_string(&DayKind::Holiday).expect("json"), "\"holiday\"");
        let day: SpecialDay = serde_json::from_str(r#"{"date":"2026-02-14","kind":"makeup_workday","name":"春节"}"#).expect("json");
        assert_eq!(day, SpecialDay::new(d(2026, 2, 14), DayKind::MakeupWorkday, "春节"));
    }

    #[test]
    fn validate_year_refusals() {
        let ok = vec![
            SpecialDay::new(d(2026, 2, 16), DayKind::Holiday, "春节"),
            SpecialDay::new(d(2026, 2, 15), DayKind::Holiday, "春节"), // Sunday holiday is fine
            SpecialDay::new(d(2026, 2, 14), DayKind::MakeupWorkday, "春节"),
        ];
        assert_eq!(validate_year(2026, &ok), Ok(()));
        assert_eq!(validate_year(2026, &[]), Ok(()));

        let bad = vec![
            SpecialDay::new(d(2026, 2, 16), DayKind::Holiday, "春节"),
            SpecialDay::new(d(2027, 1, 1), DayKind::Holiday, "元旦"),  // wrong year
            SpecialDay::new(d(2026, 2, 16), DayKind::Holiday, "春节"), // duplicate
            SpecialDay::new(d(2026, 2, 13), DayKind::MakeupWorkday, "春节"), // Friday make-up
            SpecialDay::new(d(2026, 2, 28), DayKind::MakeupWorkday, "  "), // blank name
        ];
        let errors = validate_year(2026, &bad).expect_err("refused");
        let indexes: Vec<usize> = errors.iter().map(|e| e.0).collect();
        assert_eq!(indexes, vec![1, 2, 3, 4]);
        assert_eq!(errors[0].1, "日期2027-01-01不在2026年内");
        assert_eq!(errors[1].1, "日期2026-02-16重复（与第1条相同）");
        assert_eq!(errors[2].1, "调休上班日2026-02-13须为周六或周日");
        assert!(errors[3].1.contains("名称不能为空"));

        for year in [1999, 2101] {
            let errors = validate_year(year, &[]).expect_err("year out of range");
            assert_eq!(
                errors,
                vec![(WHOLE_YEAR, "年份须在2000至2100之间".to_owned(), "the year must be between 2000 and 2100".to_owned())]
            );
        }
        assert_eq!(validate_year(2000, &[]), Ok(()));
        assert_eq!(validate_year(2100, &[]), Ok(()));
    }

    proptest! {
        /// For random start dates in 2026 and 0..=40 working days (staying
        /// within 2026): the end date is a working day, exactly `days` days
        /// are counted with ordinals 1..=days, and counted + skipped cover
        /// exactly from+1..=end_date.
        #[test]
        fn working_days_properties(offset in 0u32..304, days in 0u32..=40) {
            let c = cal();
            let from = d(2026, 1, 1) + chrono::Days::new(u64::from(offset)); // up to 31 Oct
            let w = c.add_working_days(from, days).expect("stays within 2026");
            prop_assert_eq!(w.end_date.year(), 2026);
            prop_assert_eq!(w.counted.len(), usize::try_from(days).expect("small"));
            for (i, cd) in w.counted.iter().enumerate() {
                prop_assert_eq!(usize::try_from(cd.ordinal).expect("small"), i + 1);
                prop_assert_eq!(c.is_working_day(cd.date), Ok(true));
                prop_assert_eq!(cd.makeup.is_some(), matches!(c.classify(cd.date), Ok(DayStatus::MakeupWorkday { .. })));
            }
            for s in &w.skipped {
                prop_assert_eq!(c.is_working_day(s.date), Ok(false));
            }
            if days == 0 {
                prop_assert_eq!(w.end_date, from);
                prop_assert!(w.skipped.is_empty());
            } else {
                prop_assert_eq!(c.is_working_day(w.end_date), Ok(true));
                prop_assert_eq!(w.counted.last().map(|cd| cd.date), Some(w.end_date));
            }
            let mut all: Vec<NaiveDate> = w.counted.iter().map(|cd| cd.date).chain(w.skipped.iter().map(|s| s.date)).collect();
            all.sort();
            let expected: Vec<NaiveDate> = from.iter_days().skip(1).take_while(|x| *x <= w.end_date).collect();
            prop_assert_eq!(all, expected);
            // Lists are in date order.
            prop_assert!(w.counted.windows(2).all(|p| p[0].date < p[1].date));
            prop_assert!(w.skipped.windows(2).all(|p| p[0].date < p[1].date));
        }
    }
}
