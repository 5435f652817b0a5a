//! Validated value types ("parse once at the edge").
//!
//! Every value that enters the registry from outside (HTTP body, Excel import,
//! e-mail) is parsed here exactly once into a newtype with a private field, so
//! code further in can rely on the invariant instead of re-checking it.
//!
//! Validation errors are bilingual (DESIGN: Chinese is the primary language of
//! the service, English is secondary): every [`FieldError`] carries the JSON
//! field name, a Chinese message and an English message.

/// Implements the shared boilerplate of a string newtype: `as_str`,
/// `into_string`, `Display`, `AsRef<str>`, `From<T> for String` and
/// `Serialize` as a plain JSON string.
///
/// Defined before the `mod` declarations below so the submodules can use it
/// (textual macro scope).
macro_rules! string_newtype {
    ($ty:ident) => {
        impl $ty {
            /// The validated value as a string slice.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The validated value as an owned string.
            #[must_use]
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.0
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

mod credit_code;
mod email;
mod password;
mod phone;
mod postcode;
mod text;

pub use credit_code::{CHARSET as CREDIT_CODE_CHARSET, CreditCode, compute_check_char};
pub use email::Email;
pub use password::check_password_policy;
pub use phone::Phone;
pub use postcode::Postcode;
pub use text::{optional_text, text};

/// A validation error for one input field.
///
/// `Display` shows the field name and the Chinese message (Chinese is primary);
/// the English message is kept alongside for API clients that want it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {zh}")]
pub struct FieldError {
    /// JSON field name the error refers to (e.g. `credit_code`).
    pub field: String,
    /// Chinese message (primary).
    pub zh: String,
    /// English message.
    pub en: String,
}

impl FieldError {
    /// Builds an error for `field` with a Chinese and an English message.
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { field: field.into(), zh: zh.into(), en: en.into() }
    }
}

/// Renders one character for quoting inside an error message: printable
/// characters as themselves, anything else (control, whitespace, format
/// characters) as `U+XXXX` so the message itself stays clean.
pub(crate) fn quote_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() || is_format_char(c) { format!("U+{:04X}", u32::from(c)) } else { c.to_string() }
}

/// Invisible format characters (zero-width, bidi controls, BOM) that must not
/// be echoed raw into messages.
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_error_displays_field_and_chinese_message() {
        let e = FieldError::new("postcode", "邮政编码须为6位数字", "postcode must be 6 digits");
        assert_eq!(e.to_string(), "postcode: 邮政编码须为6位数字");
        assert_eq!(e.en, "postcode must be 6 digits");
    }

    #[test]
    fn quote_char_escapes_invisible_characters() {
        assert_eq!(quote_char('I'), "I");
        assert_eq!(quote_char('中'), "中");
        assert_eq!(quote_char('\0'), "U+0000");
        assert_eq!(quote_char(' '), "U+0020");
        assert_eq!(quote_char('\u{FEFF}'), "U+FEFF");
    }
}
