//! The published catalogue (000 第十一条(四), 第二十一条): each resource
//! carries its publication date and the date its next assessment is due
//! (default 24 months after publication, configurable per kind).

use chrono::{Months, NaiveDate};

/// Default months between publication and the next assessment (DESIGN §6).
pub const DEFAULT_ASSESSMENT_MONTHS: u32 = 24;

/// `published_on` + `months` (31 Jan + 1 month → 28/29 Feb).
#[must_use]
pub fn next_assessment_due(published_on: NaiveDate, months: u32) -> Option<NaiveDate> {
    published_on.checked_add_months(Months::new(months))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_four_months_by_default() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(next_assessment_due(d(2026, 10, 12), DEFAULT_ASSESSMENT_MONTHS), Some(d(2028, 10, 12)));
        assert_eq!(next_assessment_due(d(2026, 8, 31), 6), Some(d(2027, 2, 28)));
    }
}
