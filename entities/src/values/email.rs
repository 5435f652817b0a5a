//! E-mail address, pragmatic check.
//!
//! Rule: no attempt at full RFC 5322 — the registry needs an address that a
//! mail server will accept and a human typed on purpose: at most 254
//! characters (RFC 5321 path limit), exactly one `@`, a non-empty local part,
//! a domain containing a dot with no empty labels, and no whitespace or
//! control characters anywhere. The domain is case-insensitive (RFC 5321
//! §2.4) and is stored in lower case; the local part is kept as typed.

use super::FieldError;

/// Maximum length in characters (RFC 5321 §4.5.3.1.3 path limit minus `<>`).
const MAX_CHARS: usize = 254;

/// A validated e-mail address with a lower-cased domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

string_newtype!(Email);

fn invalid(field: &str) -> FieldError {
    FieldError::new(field, "电子邮箱格式不正确", "the e-mail address is not valid")
}

impl Email {
    /// Parses an e-mail address; surrounding whitespace is trimmed and the
    /// domain is lower-cased.
    ///
    /// # Errors
    /// A [`FieldError`] for `field` when the address is empty, longer than
    /// 254 characters, or breaks the pragmatic shape described in the module
    /// documentation.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, "电子邮箱不能为空", "the e-mail address is required"));
        }
        if s.chars().count() > MAX_CHARS {
            return Err(FieldError::new(field, "电子邮箱长度不能超过254个字符", "the e-mail address must not exceed 254 characters"));
        }
        // Rule: no whitespace or control characters anywhere.
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid(field));
        }
        // Rule: exactly one '@'.
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid(field));
        };
        // Rule: non-empty local part; domain with a dot and no empty labels.
        if local.is_empty() || !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err(invalid(field));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The domain part (lower case).
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases_domain() {
        let e = Email::parse("email", "  Zhang.San@DG.GOV.CN ").expect("valid");
        assert_eq!(e.as_str(), "Zhang.San@dg.gov.cn");
        assert_eq!(e.domain(), "dg.gov.cn");
        for ok in ["a@b.cn", "hr+test@example.com", "张三@例子.中国", "x@mail.dg.gov.cn"] {
            assert!(Email::parse("email", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_bad_shapes() {
        for bad in [
            "",
            "   ",
            "plain",
            "@b.cn",
            "a@",
            "a@b",
            "a@@b.cn",
            "a@b@c.cn",
            "a b@c.cn",
            "a@b .cn",
            "a@.cn",
            "a@b.",
            "a@b..cn",
            "a\0@b.cn",
            "a@b.cn\u{7}",
        ] {
            let e = Email::parse("email", bad).expect_err(bad);
            assert_eq!(e.field, "email");
        }
    }

    #[test]
    fn enforces_max_length() {
        let local = "a".repeat(64);
        let domain = format!("{}.cn", "b".repeat(254 - 64 - 1 - 3));
        let exactly = format!("{local}@{domain}");
        assert_eq!(exactly.chars().count(), 254);
        assert!(Email::parse("email", &exactly).is_ok());
        let too_long = format!("a{exactly}");
        let e = Email::parse("email", &too_long).expect_err("too long");
        assert!(e.zh.contains("254"));
    }
}
