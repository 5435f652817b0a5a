//! The one mailer wrapper over lettre (STYLE §10): SMTP in production, `.eml`
//! files in a folder for development, in-memory capture for tests (refused by
//! the configuration when `mode = production`).

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    time::SystemTime,
};

use anyhow::Context;
use chrono::{DateTime, Utc};
use entities::models::outbox_message;
use lettre::{
    Message,
    message::{Mailbox, MultiPart},
};
use serde::{Deserialize, Serialize};

use crate::templates::Rendered;

/// Where mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Smtp,
    /// `.eml` files in a folder: the development default.
    File,
    /// Kept in memory: tests only.
    Memory,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text (a relay on localhost, the test sink).
    None,
    /// Upgrade with STARTTLS (port 587); refuses servers without it.
    Starttls,
    /// Implicit TLS (port 465).
    Tls,
}

/// The `[smtp]` settings.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Each SMTP step at most: connect with greeting, every command and its reply, the message.
    pub timeout_secs: u64,
    /// One message at most, all its steps together.
    pub message_deadline_secs: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 587,
            tls: TlsMode::Starttls,
            username: None,
            password: None,
            timeout_secs: 30,
            message_deadline_secs: 60,
        }
    }
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout_secs", &self.timeout_secs)
            .field("message_deadline_secs", &self.message_deadline_secs)
            .finish()
    }
}

/// A message captured by the memory transport.
#[derive(Debug, Clone)]
pub struct Captured {
    pub to: String,
    pub subject: String,
    pub raw: Vec<u8>,
}

#[derive(Clone)]
enum Inner {
    Smtp(crate::smtp::SmtpClient),
    File(PathBuf),
    Memory(Arc<Mutex<Vec<Captured>>>),
}

/// Why a send failed; permanent failures are not retried.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Sends rendered outbox messages.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    inner: Inner,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.inner {
            Inner::Smtp(_) => "smtp",
            Inner::File(_) => "file",
            Inner::Memory(_) => "memory",
        };
        f.debug_struct("Mailer").field("from", &self.from.to_string()).field("transport", &kind).finish()
    }
}

fn parse_from(from: &str) -> anyhow::Result<Mailbox> {
    from.parse().map_err(|_| {
        anyhow::anyhow!("setting `mail.from`: not a valid address (e.g. `东莞市人力资源和社会保障局 <noreply@registry.dg.gov.cn>`): {from}")
    })
}

/// Checks the from-address setting.
///
/// # Errors
/// It does not parse, with the setting named.
pub fn check_from(from: &str) -> anyhow::Result<()> {
    parse_from(from).map(|_| ())
}

impl Mailer {
    /// SMTP, one bounded connection per message ([`crate::smtp`]); nothing
    /// is connected until the first send.
    ///
    /// # Errors
    /// A bad from-address or host name.
    pub fn smtp(settings: &SmtpSettings, from: &str) -> anyhow::Result<Self> {
        Ok(Self { from: parse_from(from)?, inner: Inner::Smtp(crate::smtp::SmtpClient::new(settings)?) })
    }

    /// Writes each message as `<dir>/<id>.eml`.
    ///
    /// # Errors
    /// A bad from-address.
    pub fn file(dir: PathBuf, from: &str) -> anyhow::Result<Self> {
        Ok(Self { from: parse_from(from)?, inner: Inner::File(dir) })
    }

    /// Captures messages in memory (tests).
    ///
    /// # Errors
    /// A bad from-address.
    pub fn memory(from: &str) -> anyhow::Result<Self> {
        Ok(Self { from: parse_from(from)?, inner: Inner::Memory(Arc::default()) })
    }

    /// What the memory transport captured (empty for the others).
    #[must_use]
    pub fn captured(&self) -> Vec<Captured> {
        match &self.inner {
            Inner::Memory(m) => m.lock().map(|v| v.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Builds the MIME message of `msg` worded as `content` (text and HTML
    /// alternatives, `Message-ID` from the outbox id).
    ///
    /// # Errors
    /// An address that does not parse (permanent).
    pub fn build(&self, msg: &outbox_message::Model, content: &Rendered, now: DateTime<Utc>) -> Result<Message, SendError> {
        let to: Mailbox = msg.to_address.parse().map_err(|e| permanent(&e))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(content.subject.clone())
            .message_id(Some(format!("<{}@dg-skills-registry>", msg.id)))
            .date(SystemTime::from(now))
            .multipart(MultiPart::alternative_plain_html(content.text.clone(), content.html.clone()))
            .map_err(|e| permanent(&e))
    }

    /// Sends one message (rendered here when it was queued as variables) and
    /// answers what was sent; `Ok` means the server (or folder) accepted it.
    /// `now` (the injected clock) becomes the `Date` header.
    ///
    /// # Errors
    /// [`SendError`]: permanent for messages that cannot be rendered or built
    /// and for 5xx answers, else transient.
    pub async fn send(&self, msg: &outbox_message::Model, now: DateTime<Utc>) -> Result<Rendered, SendError> {
        let content = crate::outbox::content(msg).map_err(|e| permanent(&format!("{e:#}")))?;
        let message = self.build(msg, &content, now)?;
        match &self.inner {
            Inner::Smtp(client) => client.send(&message).await.map(|()| content),
            Inner::File(dir) => write_eml(dir, msg, &message.formatted())
                .await
                .map(|()| content)
                .map_err(|e| SendError { permanent: false, message: format!("writing .eml: {e:#}") }),
            Inner::Memory(store) => {
                let captured = Captured { to: msg.to_address.clone(), subject: content.subject.clone(), raw: message.formatted() };
                store.lock().map_err(|_| SendError { permanent: false, message: "memory transport poisoned".into() })?.push(captured);
                Ok(content)
            }
        }
    }
}

fn permanent(e: &dyn std::fmt::Display) -> SendError {
    SendError { permanent: true, message: format!("cannot build the message: {e}") }
}

async fn write_eml(dir: &std::path::Path, msg: &outbox_message::Model, bytes: &[u8]) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(".{}.tmp", msg.id));
    tokio::fs::write(&tmp, bytes).await.with_context(|| format!("writing {}", tmp.display()))?;
    tokio::fs::rename(&tmp, dir.join(format!("{}.eml", msg.id))).await.context("renaming the .eml file")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;

    const FROM: &str = "东莞市人力资源和社会保障局 <noreply@registry.dg.gov.cn>";

    fn message(to: &str) -> outbox_message::Model {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap();
        outbox_message::Model {
            id: Uuid::now_v7(),
            to_address: to.into(),
            to_user_id: None,
            template: "test_message".into(),
            subject: Some("【东莞市技能资源登记】测试邮件".into()),
            body_text: Some("张三您好：".into()),
            body_html: Some("<p>张三您好：</p>".into()),
            vars: None,
            dedupe_key: None,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            sent_at: None,
            dead_at: None,
            last_error: None,
            in_app: false,
            read_at: None,
        }
    }

    #[tokio::test]
    async fn memory_captures_and_file_writes_eml_named_by_id() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap();
        let memory = Mailer::memory(FROM).unwrap();
        memory.send(&message("zhangsan@example.dg.cn"), now).await.unwrap();
        let captured = memory.captured();
        assert_eq!(captured.len(), 1);
        let raw = String::from_utf8_lossy(&captured[0].raw);
        assert!(raw.contains("Date: Mon, 01 Jun 2026 01:00:00 +0000"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");

        let dir = tempfile::tempdir().unwrap();
        let file = Mailer::file(dir.path().join("mail"), FROM).unwrap();
        let msg = message("lisi@example.dg.cn");
        file.send(&msg, now).await.unwrap();
        let eml = std::fs::read_to_string(dir.path().join("mail").join(format!("{}.eml", msg.id))).unwrap();
        assert!(eml.contains(&format!("Message-ID: <{}@dg-skills-registry>", msg.id)), "{eml}");
        assert!(file.captured().is_empty());
    }

    #[tokio::test]
    async fn an_unusable_address_is_a_permanent_failure_and_bad_from_is_refused() {
        let memory = Mailer::memory(FROM).unwrap();
        let err = memory.send(&message("not an address"), Utc::now()).await.unwrap_err();
        assert!(err.permanent, "{err}");
        assert!(Mailer::memory("nobody").is_err());
        assert!(check_from("nobody").unwrap_err().to_string().contains("mail.from"));
    }

    #[test]
    fn the_smtp_password_is_never_printed() {
        let s = SmtpSettings { password: Some("s3cret".into()), ..SmtpSettings::default() };
        assert!(!format!("{s:?}").contains("s3cret"));
    }
}
