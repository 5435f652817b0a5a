//! The SMTP client of [`crate::mailer`]: one connection per message, every
//! step bounded.
//!
//! lettre's transport bounds only the TCP connect (its `timeout`); a server
//! that accepts and never greets, or answers a command slowly, held a send
//! (and the job running it) for as long as the server liked. Here each step
//! — connect with greeting and EHLO, STARTTLS, AUTH, MAIL FROM, each RCPT TO,
//! DATA, the message and its final reply — has the step timeout
//! (`smtp.timeout_secs`), and the whole message has its deadline
//! (`smtp.message_deadline_secs`). A step that times out drops the
//! connection (the socket is closed), so nothing half-spoken is reused: this
//! is why lettre's pool is not used.

use std::time::Duration;

use lettre::{
    Address, Message,
    transport::smtp::{
        Error as SmtpError,
        authentication::{Credentials, DEFAULT_MECHANISMS},
        client::{AsyncSmtpConnection, TlsParameters},
        commands::{Data, Mail, Quit, Rcpt},
        extension::{ClientId, Extension, MailBodyParameter, MailParameter},
    },
};

use crate::mailer::{SendError, SmtpSettings, TlsMode};

/// Where and how to connect; built once from the settings.
#[derive(Clone)]
pub struct SmtpClient {
    host: String,
    port: u16,
    tls: Option<(TlsMode, TlsParameters)>,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Each step.
    step: Duration,
    /// The whole message, all steps together.
    deadline: Duration,
}

impl std::fmt::Debug for SmtpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpClient")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("step", &self.step)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl SmtpClient {
    /// # Errors
    /// TLS parameters for the host name cannot be built.
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Self> {
        let tls = match settings.tls {
            TlsMode::None => None,
            mode @ (TlsMode::Starttls | TlsMode::Tls) => Some((
                mode,
                TlsParameters::new(settings.host.clone()).map_err(|e| anyhow::anyhow!("setting `smtp.host`: TLS parameters: {e}"))?,
            )),
        };
        let credentials = match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.clone())),
            _ => None,
        };
        let step = Duration::from_secs(settings.timeout_secs.max(1));
        Ok(Self {
            host: settings.host.clone(),
            port: settings.port,
            tls,
            credentials,
            hello: ClientId::default(),
            step,
            deadline: Duration::from_secs(settings.message_deadline_secs).max(step),
        })
    }

    /// Sends `message` on a new connection, then says QUIT (a QUIT that fails
    /// or times out does not undo the accepted message).
    ///
    /// # Errors
    /// A 5xx answer is permanent; anything else (refused, reset, a step or
    /// the message deadline passed, 4xx) is transient.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        match tokio::time::timeout(self.deadline, self.converse(message)).await {
            Ok(result) => result,
            Err(_) => Err(transient(format!("SMTP: the message was not accepted within its deadline ({} s)", self.deadline.as_secs()))),
        }
    }

    async fn converse(&self, message: &Message) -> Result<(), SendError> {
        let wrapper = match &self.tls {
            Some((TlsMode::Tls, params)) => Some(params.clone()),
            _ => None,
        };
        let connect = AsyncSmtpConnection::connect_tokio1((self.host.as_str(), self.port), Some(self.step), &self.hello, wrapper, None);
        let mut conn = self.step("connecting (greeting, EHLO)", connect).await?;
        if let Some((TlsMode::Starttls, params)) = &self.tls {
            self.step("STARTTLS", conn.starttls(params.clone(), &self.hello)).await?;
        }
        if let Some(credentials) = &self.credentials {
            self.step("AUTH", conn.auth(DEFAULT_MECHANISMS, credentials)).await?;
        }
        let envelope = message.envelope();
        let bytes = message.formatted();
        let mut options = Vec::new();
        let addresses = || envelope.from().into_iter().chain(envelope.to()).map(Address::as_ref);
        if addresses().any(|a: &str| !a.is_ascii()) {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(SendError {
                    permanent: true,
                    message: "SMTP: the server does not accept non-ASCII addresses (SMTPUTF8)".into(),
                });
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !bytes.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err(SendError { permanent: true, message: "SMTP: the server does not accept 8-bit messages (8BITMIME)".into() });
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        self.step("MAIL FROM", conn.command(Mail::new(envelope.from().cloned(), options))).await?;
        for to in envelope.to() {
            self.step("RCPT TO", conn.command(Rcpt::new(to.clone(), Vec::new()))).await?;
        }
        self.step("DATA", conn.command(Data)).await?;
        self.step("the message", conn.message(&bytes)).await?;
        // Accepted: a slow or failing goodbye changes nothing.
        let _ = tokio::time::timeout(self.step, conn.command(Quit)).await;
        Ok(())
    }

    async fn step<T>(&self, what: &str, f: impl Future<Output = Result<T, SmtpError>>) -> Result<T, SendError> {
        match tokio::time::timeout(self.step, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(SendError { permanent: e.is_permanent(), message: format!("SMTP {what}: {e}") }),
            Err(_) => Err(transient(format!("SMTP {what}: no answer within {} s", self.step.as_secs()))),
        }
    }
}

fn transient(message: String) -> SendError {
    SendError { permanent: false, message }
}
