//! Unified social credit code (统一社会信用代码), GB 32100-2015.
//!
//! Rule (GB 32100-2015 §4–§5): 18 characters from the 31-character set
//! `0123456789ABCDEFGHJKLMNPQRTUWXY` (I, O, Z, S, V are never used);
//! position 1 is the registration authority, position 2 the organisation
//! category, positions 3–8 the administrative division code of the
//! registration authority (digits), positions 9–17 the organisation code
//! body, and position 18 a check character computed with the ISO 7064-style
//! weighted sum modulo 31 given in the standard's appendix.

use super::{FieldError, quote_char};

/// The 31 characters allowed by GB 32100-2015, in value order
/// (the index of a character is its numeric value in the check computation).
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights for positions 1..=17 (GB 32100-2015, check character algorithm:
/// W_i = 3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Length of a code in characters (GB 32100-2015 §4).
const LEN: usize = 18;

/// A validated unified social credit code: 18 characters, upper case,
/// check character verified.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

string_newtype!(CreditCode);

/// Numeric value of a charset character (its index in [`CHARSET`]).
fn char_value(c: char) -> Option<u32> {
    CHARSET.chars().position(|x| x == c).and_then(|i| u32::try_from(i).ok())
}

/// Charset character for a numeric value 0..=30.
fn value_char(v: u32) -> Option<char> {
    usize::try_from(v).ok().and_then(|i| CHARSET.chars().nth(i))
}

/// Computes the check character (position 18) for the first 17 characters.
///
/// Rule (GB 32100-2015): C18 = 31 − (Σ Ci·Wi mod 31), where a result of 31
/// maps to 0. Returns `None` when `first17` is not exactly 17 characters from
/// [`CHARSET`]. Used to generate test and demo data.
#[must_use]
pub fn compute_check_char(first17: &str) -> Option<char> {
    let mut sum: u32 = 0;
    let mut count = 0usize;
    for c in first17.chars() {
        let w = *WEIGHTS.get(count)?;
        sum += char_value(c)? * w;
        count += 1;
    }
    if count != WEIGHTS.len() {
        return None;
    }
    value_char((31 - sum % 31) % 31)
}

impl CreditCode {
    /// Parses a unified social credit code.
    ///
    /// Surrounding whitespace is trimmed; nothing else is normalised — in
    /// particular lower-case letters are refused rather than upper-cased, so
    /// the stored value is exactly what the applicant typed and checked.
    ///
    /// # Errors
    /// A [`FieldError`] for `field` when the code is empty, not 18 characters,
    /// contains a lower-case letter or a character outside the charset, has a
    /// non-digit in positions 3–8, or has a wrong check character.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, "统一社会信用代码不能为空", "the unified social credit code is required"));
        }
        let len = s.chars().count();
        if len != LEN {
            return Err(FieldError::new(
                field,
                format!("统一社会信用代码须为18位，当前为{len}位"),
                format!("the unified social credit code must have 18 characters, got {len}"),
            ));
        }
        for (i, c) in s.chars().enumerate() {
            let pos = i + 1;
            // Lower case is refused, not silently upper-cased (brief: the
            // applicant must re-type the code as printed on the licence).
            if c.is_ascii_lowercase() && char_value(c.to_ascii_uppercase()).is_some() {
                return Err(FieldError::new(
                    field,
                    format!("统一社会信用代码第{pos}位“{c}”须使用大写字母"),
                    format!("character {pos} ('{c}') of the unified social credit code must be a capital letter"),
                ));
            }
            if char_value(c).is_none() {
                let q = quote_char(c);
                return Err(FieldError::new(
                    field,
                    format!("统一社会信用代码第{pos}位字符“{q}”不合法"),
                    format!("character {pos} ('{q}') is not allowed in a unified social credit code"),
                ));
            }
            // Positions 3–8: administrative division code, digits only
            // (GB 32100-2015 §4.3, GB/T 2260).
            if (3..=8).contains(&pos) && !c.is_ascii_digit() {
                return Err(FieldError::new(
                    field,
                    format!("统一社会信用代码第{pos}位须为数字（第3至8位为登记管理机关行政区划码）"),
                    format!(
                        "character {pos} of the unified social credit code must be a digit (positions 3-8 are the administrative division code)"
                    ),
                ));
            }
        }
        // All 18 characters are ASCII from the charset now, so byte slicing
        // is character slicing.
        let (body, check) = s.split_at(LEN - 1);
        if compute_check_char(body) != check.chars().next() {
            return Err(FieldError::new(
                field,
                "统一社会信用代码校验位错误，请核对后重新输入",
                "the check character of the unified social credit code is wrong; please check and re-enter it",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// Administrative division code of the registration authority
    /// (positions 3–8, GB 32100-2015 §4.3), e.g. `441900` for 东莞市.
    #[must_use]
    pub fn region_code(&self) -> &str {
        // ASCII-only invariant established by `parse`.
        self.0.get(2..8).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Real published codes (business licences / public registers) that pass
    /// the GB 32100 check. Every one was verified by computation, not taken
    /// on trust.
    const REAL: &[(&str, &str)] = &[
        ("914403001922038216", "华为技术有限公司"),
        ("91440300708461136T", "深圳市腾讯计算机系统有限公司"),
        ("91330100799655058B", "阿里巴巴（中国）有限公司"),
        ("91110108551385082Q", "小米科技有限责任公司"),
        ("9144030027939873X7", "中兴通讯股份有限公司"),
        ("91440300192317458F", "比亚迪股份有限公司"),
        ("91440400192548256N", "珠海格力电器股份有限公司"),
        ("91440606722473344C", "美的集团股份有限公司"),
        ("91110302562134916R", "北京京东世纪贸易有限公司"),
        ("91110000802100433B", "北京百度网讯科技有限公司"),
        ("91100000100003962T", "中国工商银行股份有限公司"),
        ("911100001000044477", "中国建设银行股份有限公司"),
        ("91110000710925243K", "中国石油化工股份有限公司"),
        ("12100000400000624D", "清华大学"),
        ("12100000400002259P", "北京大学"),
    ];

    fn ok(raw: &str) -> CreditCode {
        CreditCode::parse("credit_code", raw).expect("should parse")
    }

    fn err(raw: &str) -> FieldError {
        CreditCode::parse("credit_code", raw).expect_err("should be refused")
    }

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
        assert_eq!(CHARSET.chars().count(), 31);
        assert!(!CHARSET.contains(['I', 'O', 'Z', 'S', 'V']));
    }

    #[test]
    fn real_published_codes_validate() {
        for (code, name) in REAL {
            let parsed = CreditCode::parse("credit_code", code);
            assert!(parsed.is_ok(), "{code} ({name}) should validate: {parsed:?}");
            let first17: String = code.chars().take(17).collect();
            assert_eq!(compute_check_char(&first17), code.chars().last(), "{name}");
        }
    }

    #[test]
    fn codes_that_do_not_pass_the_check_are_refused() {
        // These were offered as examples but fail the GB 32100 check
        // (computed check characters: U, B, L respectively).
        for (code, expected) in [("91310000MA1FL4M7X7", 'U'), ("911100001000006050", 'B'), ("91440101190366093E", 'L')] {
            let e = err(code);
            assert_eq!(e.zh, "统一社会信用代码校验位错误，请核对后重新输入");
            let first17: String = code.chars().take(17).collect();
            assert_eq!(compute_check_char(&first17), Some(expected));
        }
    }

    #[test]
    fn trims_but_keeps_value() {
        let c = ok("  914403001922038216\t\n");
        assert_eq!(c.as_str(), "914403001922038216");
        assert_eq!(c.to_string(), "914403001922038216");
        assert_eq!(c.region_code(), "440300");
        assert_eq!(ok("12100000400000624D").region_code(), "100000");
    }

    #[test]
    fn serializes_as_plain_string() {
        let c = ok("91440300708461136T");
        assert_eq!(serde_json::to_string(&c).expect("serialize"), "\"91440300708461136T\"");
    }

    #[test]
    fn refuses_lowercase_with_capital_letter_message() {
        let e = err("91440300708461136t");
        assert_eq!(e.field, "credit_code");
        assert!(e.zh.contains("大写字母"), "{}", e.zh);
        assert!(e.zh.contains("第18位"), "{}", e.zh);
        assert!(e.en.contains("capital"), "{}", e.en);
    }

    #[test]
    fn refuses_wrong_length_and_empty() {
        assert!(err("").zh.contains("不能为空"));
        assert!(err("   ").zh.contains("不能为空"));
        assert!(err("91440300708461136").zh.contains("18位"));
        assert!(err("91440300708461136TT").zh.contains("18位"));
    }

    #[test]
    fn refuses_character_outside_charset_naming_position() {
        let e = err("9144I300708461136T");
        assert_eq!(e.zh, "统一社会信用代码第5位字符“I”不合法");
        let e = err("9144030070846113\u{0}T");
        assert_eq!(e.zh, "统一社会信用代码第17位字符“U+0000”不合法");
    }

    #[test]
    fn refuses_letters_in_region_code() {
        let e = err("91A40300708461136T");
        assert!(e.zh.contains("第3位须为数字"), "{}", e.zh);
    }

    #[test]
    fn refuses_wrong_check_digit() {
        let e = err("91440300708461136U");
        assert_eq!(e.zh, "统一社会信用代码校验位错误，请核对后重新输入");
        assert_eq!(e.to_string(), "credit_code: 统一社会信用代码校验位错误，请核对后重新输入");
    }

    #[test]
    fn compute_check_char_rejects_bad_input() {
        assert_eq!(compute_check_char(""), None);
        assert_eq!(compute_check_char("9144030070846113"), None);
        assert_eq!(compute_check_char("914403007084611366"), None);
        assert_eq!(compute_check_char("91440300708461I36"), None);
        assert_eq!(compute_check_char("91440300708461136"), Some('T'));
    }

    /// Every single-character substitution of every real code is refused:
    /// each position × each other charset character, plus lower case, the
    /// excluded letters I O Z S V, a CJK character, a space and a NUL.
    #[test]
    fn every_single_character_substitution_is_refused() {
        let extra: Vec<char> = "IOZSVabcxyz中 \u{0}-".chars().collect();
        let mut tried = 0usize;
        for (code, name) in REAL {
            let chars: Vec<char> = code.chars().collect();
            for pos in 0..chars.len() {
                let original = chars[pos];
                let mut replacements: Vec<char> = CHARSET.chars().filter(|&c| c != original).collect();
                replacements.extend(extra.iter().copied());
                if original.is_ascii_uppercase() {
                    replacements.push(original.to_ascii_lowercase());
                }
                for r in replacements {
                    let mut mutated = chars.clone();
                    mutated[pos] = r;
                    let s: String = mutated.into_iter().collect();
                    assert!(
                        CreditCode::parse("credit_code", &s).is_err(),
                        "{name}: substitution at position {} by {r:?} accepted: {s}",
                        pos + 1
                    );
                    tried += 1;
                }
            }
        }
        assert!(tried > REAL.len() * 18 * 30);
    }

    fn charset_char() -> impl Strategy<Value = char> {
        let chars: Vec<char> = CHARSET.chars().collect();
        proptest::sample::select(chars)
    }

    proptest! {
        /// Generated 17-character prefixes plus the computed check character
        /// always parse (digits in positions 3–8 as the rule requires).
        #[test]
        fn generated_codes_parse(
            head in proptest::collection::vec(charset_char(), 2),
            region in proptest::collection::vec(0u32..10, 6),
            body in proptest::collection::vec(charset_char(), 9),
        ) {
            let mut first17: String = head.into_iter().collect();
            for d in region {
                first17.push(char::from_digit(d, 10).expect("digit"));
            }
            first17.extend(body);
            let check = compute_check_char(&first17).expect("check char");
            let code = format!("{first17}{check}");
            let parsed = CreditCode::parse("credit_code", &code);
            prop_assert!(parsed.is_ok(), "{} refused: {:?}", code, parsed);
            // And any other check character is refused.
            for other in CHARSET.chars().filter(|&c| c != check) {
                let bad = format!("{first17}{other}");
                prop_assert!(CreditCode::parse("credit_code", &bad).is_err());
            }
        }
    }
}
