//! Language of messages: Simplified Chinese by default, English when the
//! request says `Accept-Language: en…` (DESIGN §2). The middleware sets the
//! language for the task serving the request; errors read it when rendered.

use std::borrow::Cow;

tokio::task_local! {
    static LANG: Lang;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// English only when the first language the client names is English.
    #[must_use]
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let first = header.and_then(|h| h.split(',').next()).map(|t| t.trim().to_ascii_lowercase());
        match first {
            Some(tag) if tag == "en" || tag.starts_with("en-") || tag.starts_with("en;") => Self::En,
            _ => Self::Zh,
        }
    }

    /// The language of the request being served (Chinese outside a request).
    #[must_use]
    pub fn current() -> Self {
        LANG.try_with(|l| *l).unwrap_or_default()
    }

    pub async fn scope<F: Future>(self, fut: F) -> F::Output {
        LANG.scope(self, fut).await
    }
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Msg {
    pub fn new(zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }

    /// The text in the current request's language.
    #[must_use]
    pub fn render(&self) -> String {
        match Lang::current() {
            Lang::Zh => self.zh.to_string(),
            Lang::En => self.en.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_only_when_asked_first() {
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh-CN,en;q=0.5")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(None), Lang::Zh);
    }
}
