//! Password policy (DESIGN §3).
//!
//! Rule: at least 8 and at most 128 characters, and at least three of the four
//! classes upper-case letter, lower-case letter, digit, symbol. Control
//! characters are refused. The password is never trimmed — spaces are part
//! of it (and count as symbols).

use super::FieldError;

/// Minimum length in characters (DESIGN §3).
pub const MIN_CHARS: usize = 8;
/// Maximum length in characters (DESIGN §3; bounds hashing cost).
pub const MAX_CHARS: usize = 128;

const WEAK_ZH: &str = "密码至少8位，且须包含大写字母、小写字母、数字、符号中的至少三类";
const WEAK_EN: &str =
    "the password must have at least 8 characters and contain at least three of: upper-case letters, lower-case letters, digits, symbols";

/// Checks a new password against the policy.
///
/// # Errors
/// A [`FieldError`] for `field` when the password is too short or uses fewer
/// than three character classes, is longer than 128 characters, or contains
/// a control character.
pub fn check_password_policy(field: &str, pw: &str) -> Result<(), FieldError> {
    let len = pw.chars().count();
    if len > MAX_CHARS {
        return Err(FieldError::new(field, "密码不能超过128位", "the password must not exceed 128 characters"));
    }
    if pw.chars().any(char::is_control) {
        return Err(FieldError::new(field, "密码不能包含控制字符", "the password must not contain control characters"));
    }
    let upper = pw.chars().any(char::is_uppercase);
    let lower = pw.chars().any(char::is_lowercase);
    let digit = pw.chars().any(|c| c.is_ascii_digit());
    // Symbol: anything that is neither a letter nor a digit (punctuation,
    // space, emoji…). Letters without case (e.g. 汉字) count as none of the
    // four classes.
    let symbol = pw.chars().any(|c| !c.is_alphanumeric());
    let classes = [upper, lower, digit, symbol].into_iter().filter(|&b| b).count();
    if len < MIN_CHARS || classes < 3 {
        return Err(FieldError::new(field, WEAK_ZH, WEAK_EN));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_three_or_four_classes() {
        for pw in ["Abcdefg1", "abcdef1!", "ABCDEF1!", "Abcdefg!", "Ab1!Ab1!", "Dongguan 2026", "correct Horse battery"] {
            assert!(check_password_policy("password", pw).is_ok(), "{pw}");
        }
        assert!(check_password_policy("password", &format!("Aa1{}", "x".repeat(125))).is_ok());
    }

    #[test]
    fn refuses_weak_passwords() {
        for pw in ["", "Ab1!", "Abc1!xy", "abcdefgh", "abcdefg1", "ABCDEFG1", "12345678!", "Abcdefgh", "密码密码密码密码1a"] {
            let e = check_password_policy("password", pw).expect_err(pw);
            assert_eq!(e.zh, WEAK_ZH, "{pw}");
            assert_eq!(e.field, "password");
        }
    }

    #[test]
    fn refuses_too_long_and_control_characters() {
        let e = check_password_policy("password", &format!("Aa1{}", "x".repeat(126))).expect_err("long");
        assert_eq!(e.zh, "密码不能超过128位");
        let e = check_password_policy("password", "Abcdefg1\0").expect_err("nul");
        assert_eq!(e.zh, "密码不能包含控制字符");
    }
}
