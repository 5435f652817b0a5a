//! Chinese postal code (中国邮政编码).
//!
//! Rule: a mainland postal code is exactly six ASCII digits (e.g. 东莞 523000).

use super::FieldError;

/// A validated six-digit postal code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode(String);

string_newtype!(Postcode);

impl Postcode {
    /// Parses a postal code; surrounding whitespace is trimmed.
    ///
    /// # Errors
    /// A [`FieldError`] for `field` unless the trimmed input is exactly six
    /// ASCII digits (full-width digits are refused too).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        // Rule: exactly 6 ASCII digits.
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new(field, "邮政编码须为6位数字", "the postcode must be exactly 6 digits"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_six_digits() {
        for raw in ["523000", " 523808 ", "100084", "000000"] {
            let p = Postcode::parse("postcode", raw).expect("valid");
            assert_eq!(p.as_str(), raw.trim());
        }
    }

    #[test]
    fn refuses_everything_else() {
        for raw in ["", "52300", "5230000", "52300a", "５２３０００", "523 00", "523-000", "52300\0", "-52300"] {
            let e = Postcode::parse("postcode", raw).expect_err(raw);
            assert_eq!(e.zh, "邮政编码须为6位数字");
            assert_eq!(e.field, "postcode");
        }
    }

    #[test]
    fn serializes_as_string() {
        let p = Postcode::parse("postcode", "523000").expect("valid");
        assert_eq!(serde_json::to_string(&p).expect("json"), "\"523000\"");
    }
}
