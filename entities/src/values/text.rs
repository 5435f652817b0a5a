//! Free text fields (names, addresses, remarks).
//!
//! Rule: text is trimmed; it must not be empty; it must not contain control
//! characters other than line feed, carriage return and tab (NUL bytes and
//! other C0/C1 controls break exports and databases); and its length,
//! counted in Unicode scalar values (so one Chinese character counts as
//! one), must not exceed the field's maximum.

use super::{FieldError, quote_char};

/// Whether `c` is a control character that free text may not contain
/// (all `Cc` characters except `\n`, `\r`, `\t`).
fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// Whether `c` is an emoji or pictograph: official forms take words, and
/// emoji break the printed 附件 tables. Rare CJK characters (生僻字, outside
/// the BMP) stay allowed.
fn is_emoji(c: char) -> bool {
    matches!(u32::from(c), 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0xFE0F | 0x200D)
}

/// Validates a required free-text field and returns it trimmed.
///
/// # Errors
/// A [`FieldError`] for `field` when the trimmed text is empty ("不能为空"),
/// contains a forbidden control character ("不能包含控制字符"), or is longer
/// than `max_chars` characters ("长度不能超过N个字符").
pub fn text(field: &str, raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "不能为空", "must not be empty"));
    }
    if let Some(c) = s.chars().find(|&c| is_forbidden_control(c)) {
        let q = quote_char(c);
        return Err(FieldError::new(field, format!("不能包含控制字符（{q}）"), format!("must not contain control characters ({q})")));
    }
    if s.chars().any(is_emoji) {
        return Err(FieldError::new(field, "不能包含表情符号", "must not contain emoji"));
    }
    let len = s.chars().count();
    if len > max_chars {
        return Err(FieldError::new(
            field,
            format!("长度不能超过{max_chars}个字符（当前{len}个）"),
            format!("must not exceed {max_chars} characters (got {len})"),
        ));
    }
    Ok(s.to_owned())
}

/// Validates an optional free-text field: absent or blank (after trimming)
/// gives `None`, anything else follows the rules of [`text`].
///
/// # Errors
/// As [`text`], except that empty input is not an error.
pub fn optional_text(field: &str, raw: Option<&str>, max_chars: usize) -> Result<Option<String>, FieldError> {
    match raw {
        Some(r) if !r.trim().is_empty() => text(field, r, max_chars).map(Some),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_emoji_but_keeps_rare_cjk() {
        assert!(text("name", "东莞😀", 10).is_err());
        assert!(text("name", "☀", 10).is_err());
        // U+20BB7 𠮷 is a real (rare) character used in names.
        assert_eq!(text("name", "𠮷野家", 10).expect("ok"), "𠮷野家");
    }

    #[test]
    fn trims_and_accepts() {
        assert_eq!(text("name", "  东莞市人社局 ", 10).expect("ok"), "东莞市人社局");
        assert_eq!(text("note", "第一行\n第二行\r\n\t缩进", 100).expect("ok"), "第一行\n第二行\r\n\t缩进");
    }

    #[test]
    fn refuses_empty() {
        for raw in ["", "   ", "\n\t "] {
            let e = text("name", raw, 10).expect_err("empty");
            assert_eq!(e.zh, "不能为空");
            assert_eq!(e.field, "name");
        }
    }

    #[test]
    fn refuses_control_characters() {
        for raw in ["a\0b", "a\u{7}b", "a\u{1b}[31m", "a\u{7f}", "a\u{85}b"] {
            let e = text("name", raw, 100).expect_err(raw);
            assert!(e.zh.starts_with("不能包含控制字符"), "{}", e.zh);
        }
        let e = text("name", "x\0", 100).expect_err("nul");
        assert_eq!(e.zh, "不能包含控制字符（U+0000）");
    }

    #[test]
    fn counts_unicode_scalar_values() {
        let ten = "东".repeat(10);
        assert!(text("name", &ten, 10).is_ok());
        let e = text("name", &format!("{ten}莞"), 10).expect_err("too long");
        assert_eq!(e.zh, "长度不能超过10个字符（当前11个）");
        // Trimmed whitespace does not count.
        assert!(text("name", &format!("  {ten}  "), 10).is_ok());
    }

    #[test]
    fn optional_text_maps_blank_to_none() {
        assert_eq!(optional_text("note", None, 5).expect("ok"), None);
        assert_eq!(optional_text("note", Some("  "), 5).expect("ok"), None);
        assert_eq!(optional_text("note", Some(" a "), 5).expect("ok"), Some("a".to_owned()));
        assert!(optional_text("note", Some("abcdef"), 5).is_err());
        assert!(optional_text("note", Some("a\0"), 5).is_err());
    }
}
