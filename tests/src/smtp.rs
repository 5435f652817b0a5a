//! An in-process SMTP sink: a small tokio listener that speaks just enough
//! SMTP to accept mail and records each message's raw bytes. It can refuse
//! connections for a while to simulate an outage, accept connections and
//! never greet (a hung server), or answer `RCPT TO` late (a slow one).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl ReceivedMail {
    /// Parsed with mail-parser.
    #[must_use]
    pub fn parsed(&self) -> Option<mail_parser::Message<'_>> {
        mail_parser::MessageParser::default().parse(&self.raw)
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    refusing: Arc<AtomicBool>,
    hanging: Arc<AtomicBool>,
    rcpt_delay_ms: Arc<AtomicU64>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp sink");
        let port = listener.local_addr().expect("addr").port();
        let sink =
            Self { port, received: Arc::default(), refusing: Arc::default(), hanging: Arc::default(), rcpt_delay_ms: Arc::default() };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    if s.refusing.load(Ordering::SeqCst) {
                        return; // closed at once: the client sees a failed connection
                    }
                    if s.hanging.load(Ordering::SeqCst) {
                        // Accepted, never greeted: whatever the client says is
                        // read and ignored until it gives up and closes.
                        let (mut read, _write) = stream.into_split();
                        let _ = tokio::io::copy(&mut read, &mut tokio::io::sink()).await;
                        return;
                    }
                    let _ = s.session(stream).await;
                });
            }
        });
        sink
    }

    /// While true, connections are closed before the greeting.
    pub fn refuse(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
    }

    /// While true, new connections are accepted and never greeted (held
    /// open until the client closes them).
    pub fn hang(&self, hanging: bool) {
        self.hanging.store(hanging, Ordering::SeqCst);
    }

    /// Answers each `RCPT TO` after `delay` (zero: at once).
    pub fn delay_rcpt_replies(&self, delay: Duration) {
        self.rcpt_delay_ms.store(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
    }

    #[must_use]
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("lock").clone()
    }

    async fn session(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 sink.test ESMTP\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                write.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?;
            } else if upper.starts_with("HELO") {
                write.write_all(b"250 sink.test\r\n").await?;
            } else if upper.starts_with("MAIL FROM:") {
                from = line[10..].trim().trim_matches(['<', '>']).split('>').next().unwrap_or_default().to_string();
                write.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                tokio::time::sleep(Duration::from_millis(self.rcpt_delay_ms.load(Ordering::SeqCst))).await;
                write.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("DATA") {
                write.write_all(b"354 end with .\r\n").await?;
                let mut raw = Vec::new();
                loop {
                    let mut l = Vec::new();
                    if lines.read_until(b'\n', &mut l).await? == 0 {
                        return Ok(());
                    }
                    if l == b".\r\n" || l == b".\n" {
                        break;
                    }
                    // Undo dot-stuffing.
                    let l = if l.starts_with(b"..") { l[1..].to_vec() } else { l };
                    raw.extend_from_slice(&l);
                }
                self.received.lock().expect("lock").push(ReceivedMail { from: from.clone(), to: std::mem::take(&mut to), raw });
                write.write_all(b"250 OK queued\r\n").await?;
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
                write.write_all(b"250 OK\r\n").await?;
            } else {
                write.write_all(b"502 not implemented\r\n").await?;
            }
        }
    }
}
