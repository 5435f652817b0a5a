//! Chinese telephone number (mobile or landline).
//!
//! Rule (MIIT numbering plan, pragmatic subset):
//! - mobile: 11 digits `1[3-9]\d{9}`;
//! - landline: area code + local number, optionally `-extension`:
//!   area code `010` or `02X` (3 digits) or `0[3-9]XX` (4 digits), local
//!   number 7–8 digits not starting with 0 or 1, extension 1–6 digits; the
//!   area code may be followed by `-` or a space, or be written in ASCII or
//!   full-width brackets: `0769-22223333`, `076922223333`, `(0769)22223333`,
//!   `0769-22223333-123`;
//! - either may carry the `+86` country prefix (optionally followed by a
//!   space or `-`); after `+86` the area code's leading 0 may be dropped
//!   (`+86 769 22223333`).
//!
//! Hand-written, no regex. The value is stored as typed (trimmed).

use super::FieldError;

/// A validated Chinese phone number, stored as typed (trimmed).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

string_newtype!(Phone);

fn invalid(field: &str) -> FieldError {
    FieldError::new(field, "电话号码格式不正确", "the phone number is not valid")
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Rule: mobile numbers are `1[3-9]` followed by nine digits.
fn is_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && all_digits(s) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Rule: area codes are `010`, `02X` (3 digits) or `0[3-9]XX` (4 digits).
/// `area` includes the leading 0.
fn is_area_code(area: &str) -> bool {
    if !all_digits(area) {
        return false;
    }
    matches!(area.as_bytes(), [b'0', b'1', b'0'] | [b'0', b'2', _] | [b'0', b'3'..=b'9', _, _])
}

/// Length of the area code (with its leading 0) that a run of digits starts
/// with: 3 for `010…`/`02…`, otherwise 4.
fn area_len(digits_with_zero: &str) -> usize {
    if digits_with_zero.starts_with("010") || digits_with_zero.starts_with("02") { 3 } else { 4 }
}

/// Rule: local numbers have 7 or 8 digits and do not start with 0 or 1.
fn is_local(local: &str) -> bool {
    all_digits(local) && (7..=8).contains(&local.len()) && !local.starts_with('0') && !local.starts_with('1')
}

/// Rule: an extension is `-` followed by 1–6 digits.
fn is_extension(ext: &str) -> bool {
    all_digits(ext) && ext.len() <= 6
}

/// Splits off an optional `-extension` after the local number.
fn split_extension(s: &str) -> (&str, Option<&str>) {
    match s.split_once('-') {
        Some((local, ext)) => (local, Some(ext)),
        None => (s, None),
    }
}

/// Checks local number plus optional extension.
fn is_local_with_extension(s: &str) -> bool {
    let (local, ext) = split_extension(s);
    is_local(local) && ext.is_none_or(is_extension)
}

/// Normalises an area code for validation: after `+86` the leading 0 is
/// optional; without it the 0 is mandatory.
fn area_with_zero(area: &str, international: bool) -> Option<String> {
    if area.starts_with('0') {
        Some(area.to_owned())
    } else if international {
        Some(format!("0{area}"))
    } else {
        None
    }
}

fn is_landline(s: &str, international: bool) -> bool {
    // Bracketed area code: (0769)22223333 or （0769）22223333.
    for (open, close) in [("(", ")"), ("（", "）")] {
        if let Some(inner) = s.strip_prefix(open) {
            let Some((area, rest)) = inner.split_once(close) else {
                return false;
            };
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            return area_with_zero(area, international).is_some_and(|a| is_area_code(&a)) && is_local_with_extension(rest);
        }
    }
    // Leading run of digits, then either a separator or the end of the
    // digits (no separator between area code and local number).
    let run_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (run, tail) = s.split_at(run_end);
    if let Some(rest) = tail.strip_prefix(' ').or_else(|| tail.strip_prefix('-')) {
        // Separated: area code, then local number (and maybe extension). A
        // plain "0769-2222333" is area + local; "076922223333-12" is handled
        // below as unseparated + extension.
        if let Some(area) = area_with_zero(run, international)
            && is_area_code(&area)
            && is_local_with_extension(rest)
        {
            return true;
        }
    }
    // Unseparated: all digits, area length decided by its prefix, then an
    // optional extension.
    let (digits, ext) = split_extension(s);
    if !all_digits(digits) || !ext.is_none_or(is_extension) {
        return false;
    }
    let Some(with_zero) = area_with_zero(digits, international) else {
        return false;
    };
    let cut = area_len(&with_zero);
    let (area, local) = with_zero.split_at(cut.min(with_zero.len()));
    is_area_code(area) && is_local(local)
}

impl Phone {
    /// Parses a Chinese mobile or landline number (see module docs).
    ///
    /// # Errors
    /// A [`FieldError`] for `field` ("电话号码格式不正确") when the trimmed input
    /// matches none of the accepted shapes.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let (rest, international) = match s.strip_prefix("+86") {
            Some(r) => (r.strip_prefix(' ').or_else(|| r.strip_prefix('-')).unwrap_or(r), true),
            None => (s, false),
        };
        if is_mobile(rest) || is_landline(rest, international) { Ok(Self(s.to_owned())) } else { Err(invalid(field)) }
    }

    /// Whether this is a mobile number (`1[3-9]…`, with or without `+86`).
    #[must_use]
    pub fn is_mobile(&self) -> bool {
        let s = self.0.strip_prefix("+86").map_or(self.0.as_str(), |r| r.strip_prefix(' ').or_else(|| r.strip_prefix('-')).unwrap_or(r));
        is_mobile(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers() {
        for (raw, mobile) in [
            ("13800138000", true),
            ("19912345678", true),
            ("+8613800138000", true),
            ("+86 13800138000", true),
            ("+86-13800138000", true),
            ("0769-22223333", false),
            ("076922223333", false),
            ("(0769)22223333", false),
            ("（0769）22223333", false),
            ("(0769) 22223333", false),
            ("0769 22223333", false),
            ("0769-22223333-123", false),
            ("076922223333-8", false),
            ("(0769)22223333-123456", false),
            ("010-62345678", false),
            ("01062345678", false),
            ("020-2222333", false),
            ("0202222333", false),
            ("0755-8888888", false),
            ("+86 769 22223333", false),
            ("+86-769-22223333", false),
            ("+8676922223333", false),
            ("+86 0769-22223333", false),
            ("+86 (769)22223333", false),
            ("+86 10 62345678", false),
            (" 0769-22223333 ", false),
        ] {
            let p = Phone::parse("phone", raw);
            assert!(p.is_ok(), "{raw} should be accepted");
            let p = p.expect("checked");
            assert_eq!(p.as_str(), raw.trim());
            assert_eq!(p.is_mobile(), mobile, "{raw}");
        }
    }

    #[test]
    fn refuses_invalid_numbers() {
        for raw in [
            "",
            "   ",
            "12800138000",  // mobile second digit must be 3-9
            "1380013800",   // 10 digits
            "138001380000", // 12 digits starting with 1
            "1380013800a",
            "138 0013 8000",
            "86 13800138000", // "86" without '+'
            "+87 13800138000",
            "769-22223333",   // area code without 0 (no +86)
            "0769-02223333",  // local starting with 0
            "0769-12223333",  // local starting with 1
            "0769-222233",    // local 6 digits
            "0769-222233334", // local 9 digits
            "0769-22223333-", // empty extension
            "0769-22223333-1234567",
            "0769-22223333-12a",
            "011-62345678", // 011 is not an area code
            "010-12345678", // local number starting with 1
            "0169-22223333",
            "(0769-22223333",
            "(0769))22223333",
            "0769--22223333",
            "0769_22223333",
            "07692222333３", // full-width digit
            "0769-2222\u{0}333",
            "+86",
            "+86 ",
            "phone",
        ] {
            let e = Phone::parse("phone", raw).expect_err(raw);
            assert_eq!(e.zh, "电话号码格式不正确");
            assert_eq!(e.field, "phone");
        }
    }
}
