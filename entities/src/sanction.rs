//! Sanctions (000 第二十二条): breaking the development agreement is handled
//! per the agreement; fraud in development or certification terminates the
//! project or revokes the certification and bars the organisation from
//! applying for 5 years from the confirmation date.

use chrono::{Months, NaiveDate};

/// Years of the ban after confirmed fraud (000 第二十二条).
pub const BAN_YEARS: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SanctionKind {
    /// 未按协议履行: handled per the agreement, no ban.
    AgreementBreach,
    /// 开发过程中弄虚作假
    FraudInDevelopment,
    /// 认定过程中弄虚作假
    FraudInCertification,
}

impl SanctionKind {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::AgreementBreach => "agreement_breach",
            Self::FraudInDevelopment => "fraud_development",
            Self::FraudInCertification => "fraud_certification",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        [Self::AgreementBreach, Self::FraudInDevelopment, Self::FraudInCertification].into_iter().find(|k| k.code() == code)
    }

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::AgreementBreach => "未按协议履行",
            Self::FraudInDevelopment => "开发过程中弄虚作假",
            Self::FraudInCertification => "认定过程中弄虚作假",
        }
    }

    #[must_use]
    pub fn is_fraud(self) -> bool {
        !matches!(self, Self::AgreementBreach)
    }
}

/// The first day the organisation may apply again: exactly 5 years after the
/// confirmation date (29 Feb → 28 Feb when that year has none). None: no ban.
#[must_use]
pub fn ban_ends_on(kind: SanctionKind, confirmed_on: NaiveDate) -> Option<NaiveDate> {
    kind.is_fraud().then(|| confirmed_on.checked_add_months(Months::new(12 * BAN_YEARS))).flatten()
}

/// Whether a ban ending (exclusive) on `ends_on`, confirmed on `confirmed_on`, is in force on `today`.
#[must_use]
pub fn is_in_force(confirmed_on: NaiveDate, ends_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    ends_on.is_some_and(|end| confirmed_on <= today && today < end)
}

/// Whether a ban ending (exclusive) on `ends_on` is over on `today`: the
/// `ban_expiry` job records it and tells the organisation it may apply again.
#[must_use]
pub fn has_ended(ends_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    ends_on.is_some_and(|end| today >= end)
}

/// Of bans given as (confirmed on, ends on), the first day the organisation
/// may apply again when any is in force on `today` (the latest end among
/// those in force); None when none is.
#[must_use]
pub fn banned_until(bans: impl IntoIterator<Item = (NaiveDate, Option<NaiveDate>)>, today: NaiveDate) -> Option<NaiveDate> {
    bans.into_iter().filter(|(from, end)| is_in_force(*from, *end, today)).filter_map(|(_, end)| end).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn fraud_bans_for_exactly_five_years() {
        let end = ban_ends_on(SanctionKind::FraudInCertification, d(2026, 7, 1)).unwrap();
        assert_eq!(end, d(2031, 7, 1));
        assert!(is_in_force(d(2026, 7, 1), Some(end), d(2026, 7, 1)));
        assert!(is_in_force(d(2026, 7, 1), Some(end), d(2031, 6, 30)));
        assert!(!is_in_force(d(2026, 7, 1), Some(end), d(2031, 7, 1)), "ends by itself");
        assert!(!is_in_force(d(2026, 7, 1), Some(end), d(2026, 6, 30)), "not before confirmation");
        assert!(!has_ended(Some(end), d(2031, 6, 30)));
        assert!(has_ended(Some(end), d(2031, 7, 1)), "the first day allowed again");
        assert!(!has_ended(None, d(2031, 7, 1)), "no ban, nothing to end");
        assert_eq!(ban_ends_on(SanctionKind::FraudInDevelopment, d(2028, 2, 29)), Some(d(2033, 2, 28)));
    }

    // 000 第二十二条: overlapping bans keep the credit code out until the last one ends.
    #[test]
    fn overlapping_bans_last_until_the_latest_end() {
        let bans = [(d(2026, 7, 1), Some(d(2031, 7, 1))), (d(2026, 9, 1), Some(d(2031, 9, 1))), (d(2026, 8, 1), None)];
        assert_eq!(banned_until(bans, d(2026, 7, 1)), Some(d(2031, 7, 1)), "the second is not confirmed yet");
        assert_eq!(banned_until(bans, d(2027, 1, 1)), Some(d(2031, 9, 1)));
        assert_eq!(banned_until(bans, d(2031, 7, 1)), Some(d(2031, 9, 1)));
        assert_eq!(banned_until(bans, d(2031, 9, 1)), None);
    }

    #[test]
    fn agreement_breach_does_not_ban() {
        assert_eq!(ban_ends_on(SanctionKind::AgreementBreach, d(2026, 7, 1)), None);
        assert!(!is_in_force(d(2026, 7, 1), None, d(2026, 7, 2)));
        assert_eq!(SanctionKind::parse("fraud_development"), Some(SanctionKind::FraudInDevelopment));
        assert_eq!(SanctionKind::parse("x"), None);
    }
}
