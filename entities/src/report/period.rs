//! Reporting periods. 003 附件3 填报说明: "本表以半年为统计期限，即每年1月1日至
//! 6月30日为上半年度，7月1日至12月31日为下半年度". Written `2026H1` / `2026H2`
//! in URLs and storage (this spelling also sorts in time order).

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

use crate::{calendar::YEAR_RANGE, values::FieldError};

/// 上半年度 / 下半年度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Half {
    H1,
    H2,
}

impl Half {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::H1 => "上半年度",
            Self::H2 => "下半年度",
        }
    }
}

/// One half-year. Fields are private: a `Period` always has a year in
/// [`YEAR_RANGE`], so its dates always exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    half: Half,
}

impl Period {
    /// `None` when the year is outside [`YEAR_RANGE`].
    #[must_use]
    pub fn new(year: i32, half: Half) -> Option<Self> {
        YEAR_RANGE.contains(&year).then_some(Self { year, half })
    }

    /// Parses `2026H1` (upper-case H, four-digit year).
    ///
    /// # Errors
    /// A [`FieldError`] for `field` naming the expected spelling.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                format!("报送期须写作“2026H1”（上半年度）或“2026H2”（下半年度），年份在{}至{}之间", YEAR_RANGE.start(), YEAR_RANGE.end()),
                "must be like 2026H1 (first half) or 2026H2 (second half)",
            )
        };
        let raw = raw.trim();
        if raw.len() != 6 || !raw.is_ascii() {
            return Err(bad());
        }
        let (year, half) = raw.split_at(4);
        let half = match half {
            "H1" => Half::H1,
            "H2" => Half::H2,
            _ => return Err(bad()),
        };
        if !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        Self::new(year, half).ok_or_else(bad)
    }

    /// The period `date` falls in (dates outside [`YEAR_RANGE`] are clamped to its ends).
    #[must_use]
    pub fn containing(date: NaiveDate) -> Self {
        let year = date.year().clamp(*YEAR_RANGE.start(), *YEAR_RANGE.end());
        let half = if date.month() <= 6 { Half::H1 } else { Half::H2 };
        Self { year, half }
    }

    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    #[must_use]
    pub fn half(self) -> Half {
        self.half
    }

    /// 1 January or 1 July.
    #[must_use]
    pub fn start(self) -> NaiveDate {
        let month = if self.half == Half::H1 { 1 } else { 7 };
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// 30 June or 31 December.
    #[must_use]
    pub fn end(self) -> NaiveDate {
        let (month, day) = if self.half == Half::H1 { (6, 30) } else { (12, 31) };
        NaiveDate::from_ymd_opt(self.year, month, day).unwrap_or(NaiveDate::MAX)
    }

    #[must_use]
    pub fn contains(self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The following half-year (`None` past [`YEAR_RANGE`]).
    #[must_use]
    pub fn next(self) -> Option<Self> {
        match self.half {
            Half::H1 => Some(Self { year: self.year, half: Half::H2 }),
            Half::H2 => Self::new(self.year + 1, Half::H1),
        }
    }

    /// The preceding half-year (`None` before [`YEAR_RANGE`]).
    #[must_use]
    pub fn prev(self) -> Option<Self> {
        match self.half {
            Half::H2 => Some(Self { year: self.year, half: Half::H1 }),
            Half::H1 => Self::new(self.year - 1, Half::H2),
        }
    }

    /// H2 carries the year-end work summary (003 §二(七) "年终报送工作总结").
    #[must_use]
    pub fn is_year_end(self) -> bool {
        self.half == Half::H2
    }

    /// "2026年上半年度".
    #[must_use]
    pub fn label_zh(self) -> String {
        format!("{}年{}", self.year, self.half.label_zh())
    }

    /// `2026H1`.
    #[must_use]
    pub fn code(self) -> String {
        self.to_string()
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let half = match self.half {
            Half::H1 => "H1",
            Half::H2 => "H2",
        };
        write!(f, "{}{half}", self.year)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Whether an alliance registered on `registered_on` owes `period` on
/// `today`: the period ends after the registration date (DESIGN §5) and has
/// begun (periods up to the current one are listed; submission waits for
/// the period's end).
#[must_use]
pub fn is_owed(registered_on: NaiveDate, period: Period, today: NaiveDate) -> bool {
    period.end() > registered_on && period <= Period::containing(today)
}

/// Every period an alliance registered on `registered_on` owes on `today`,
/// oldest first: from the first period ending after registration up to the
/// current one.
#[must_use]
pub fn owed_periods(registered_on: NaiveDate, today: NaiveDate) -> Vec<Period> {
    let current = Period::containing(today);
    let mut p = Period::containing(registered_on);
    if p.end() <= registered_on {
        // Registered on 30 June or 31 December: that period does not end after it.
        match p.next() {
            Some(n) => p = n,
            None => return Vec::new(),
        }
    }
    let mut out = Vec::new();
    while p <= current {
        out.push(p);
        match p.next() {
            Some(n) => p = n,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse("period", s).unwrap()
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(p("2026H1").to_string(), "2026H1");
        assert_eq!(p(" 2025H2 ").code(), "2025H2");
        for bad in ["2026h1", "2026H3", "2026-H1", "26H1", "２０２６H1", "1999H2", "2101H1", "", "2026H", "+026H1", "2026H1x"] {
            let e = Period::parse("period", bad).unwrap_err();
            assert_eq!(e.field, "period", "{bad}");
            assert!(e.zh.contains("2026H1"), "{bad}");
        }
    }

    #[test]
    fn dates_follow_the_note_of_annex_3() {
        // 003 附件3: 1 Jan – 30 Jun, 1 Jul – 31 Dec.
        assert_eq!((p("2026H1").start(), p("2026H1").end()), (d(2026, 1, 1), d(2026, 6, 30)));
        assert_eq!((p("2026H2").start(), p("2026H2").end()), (d(2026, 7, 1), d(2026, 12, 31)));
        assert_eq!(Period::containing(d(2026, 6, 30)), p("2026H1"));
        assert_eq!(Period::containing(d(2026, 7, 1)), p("2026H2"));
        assert_eq!(p("2025H2").next(), Some(p("2026H1")));
        assert_eq!(p("2026H1").prev(), Some(p("2025H2")));
        assert!(p("2025H2") < p("2026H1") && p("2026H1") < p("2026H2"));
        assert_eq!(p("2026H1").label_zh(), "2026年上半年度");
        assert!(p("2026H2").is_year_end() && !p("2026H1").is_year_end());
    }

    #[test]
    fn owed_periods_start_with_the_first_period_ending_after_registration() {
        let owed = |reg, today| owed_periods(reg, today).iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(owed(d(2025, 11, 3), d(2026, 7, 5)), ["2025H2", "2026H1", "2026H2"]);
        assert_eq!(owed(d(2026, 6, 1), d(2026, 6, 1)), ["2026H1"]);
        // Registered on the last day of a period: that period does not end after it.
        assert_eq!(owed(d(2026, 6, 30), d(2026, 7, 5)), ["2026H2"]);
        assert_eq!(owed(d(2025, 12, 31), d(2026, 1, 2)), ["2026H1"]);
        assert_eq!(owed(d(2026, 7, 5), d(2026, 7, 5)), ["2026H2"], "the current period from registration day");
        assert!(owed(d(2026, 8, 1), d(2026, 6, 1)).is_empty(), "nothing owed before registration");
        assert!(is_owed(d(2025, 11, 3), p("2025H2"), d(2026, 7, 5)));
        assert!(!is_owed(d(2025, 11, 3), p("2025H1"), d(2026, 7, 5)));
        assert!(!is_owed(d(2025, 11, 3), p("2027H1"), d(2026, 7, 5)), "future periods are not owed yet");
    }
}
