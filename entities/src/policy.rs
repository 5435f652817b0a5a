//! Validity of governing policy documents (DESIGN §4): the registry flags a
//! filing type whose policy has expired or expires within 90 days (e.g. seed
//! 003 expired 2021-12-31; seed 000 is valid to 2027-12-31, 第二十六条).

use chrono::NaiveDate;

/// Days ahead at which an approaching expiry is flagged.
pub const WARN_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyState {
    Valid,
    /// Expires within [`WARN_DAYS`]; `days_left` counts to the last valid day.
    ExpiresSoon {
        days_left: i64,
    },
    Expired {
        days_ago: i64,
    },
    NotYetEffective,
}

impl PolicyState {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::ExpiresSoon { .. } => "expires_soon",
            Self::Expired { .. } => "expired",
            Self::NotYetEffective => "not_yet_effective",
        }
    }

    /// A Chinese sentence for the flag, None when valid.
    #[must_use]
    pub fn message_zh(self, title: &str, valid_until: Option<NaiveDate>) -> Option<String> {
        let until = valid_until.map(|d| d.to_string()).unwrap_or_default();
        match self {
            Self::Valid => None,
            Self::ExpiresSoon { days_left } => Some(format!("《{title}》有效期至{until}，还有{days_left}天到期，请及时修订或延续")),
            Self::Expired { days_ago } => Some(format!("《{title}》已于{until}失效（已过期{days_ago}天），请确认备案依据")),
            Self::NotYetEffective => Some(format!("《{title}》尚未生效")),
        }
    }
}

/// From 1 December the next year's calendar must be entered (DESIGN §8): the
/// year to check on `today`, None before December.
#[must_use]
pub fn calendar_year_due(today: NaiveDate) -> Option<i32> {
    use chrono::Datelike;
    (today.month() == 12).then(|| today.year() + 1)
}

/// The state of a policy valid from `from` to `until` (inclusive) on `today`.
#[must_use]
pub fn policy_state(from: NaiveDate, until: Option<NaiveDate>, today: NaiveDate) -> PolicyState {
    if today < from {
        return PolicyState::NotYetEffective;
    }
    match until {
        None => PolicyState::Valid,
        Some(u) if today > u => PolicyState::Expired { days_ago: (today - u).num_days() },
        Some(u) if (u - today).num_days() <= WARN_DAYS => PolicyState::ExpiresSoon { days_left: (u - today).num_days() },
        Some(_) => PolicyState::Valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // DESIGN §8: calendar data for next year is checked from 1 December.
    #[test]
    fn next_years_calendar_is_due_in_december() {
        assert_eq!(calendar_year_due(d(2026, 11, 30)), None);
        assert_eq!(calendar_year_due(d(2026, 12, 1)), Some(2027));
        assert_eq!(calendar_year_due(d(2026, 12, 31)), Some(2027));
        assert_eq!(calendar_year_due(d(2027, 1, 1)), None);
    }

    #[test]
    fn seed_003_is_expired_and_000_warns_90_days_ahead() {
        assert_eq!(policy_state(d(2019, 7, 10), Some(d(2021, 12, 31)), d(2026, 6, 1)).code(), "expired");
        let until = Some(d(2027, 12, 31));
        assert_eq!(policy_state(d(2026, 4, 3), until, d(2027, 10, 1)), PolicyState::Valid);
        assert_eq!(policy_state(d(2026, 4, 3), until, d(2027, 10, 2)), PolicyState::ExpiresSoon { days_left: 90 });
        assert_eq!(policy_state(d(2026, 4, 3), until, d(2027, 12, 31)), PolicyState::ExpiresSoon { days_left: 0 });
        assert_eq!(policy_state(d(2026, 4, 3), until, d(2028, 1, 1)), PolicyState::Expired { days_ago: 1 });
        assert_eq!(policy_state(d(2026, 4, 3), until, d(2026, 4, 2)), PolicyState::NotYetEffective);
    }

    #[test]
    fn messages_are_chinese() {
        let m = policy_state(d(2019, 7, 10), Some(d(2021, 12, 31)), d(2022, 1, 2)).message_zh("实施意见", Some(d(2021, 12, 31))).unwrap();
        assert!(m.contains("已于2021-12-31失效"), "{m}");
    }
}
