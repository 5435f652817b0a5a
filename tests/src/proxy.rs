//! A TCP proxy between the app and PostgreSQL that a test can cut and restore,
//! to see the service notice an unreachable database and recover by itself.

use std::sync::{Arc, Mutex};

use tokio::{net::TcpListener, task::JoinHandle};

pub struct TcpProxy {
    pub port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl TcpProxy {
    /// Listens on a random local port and forwards to `target` (host:port).
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let proxy = Self { port, target: target.to_string(), tasks: Arc::new(Mutex::new(Vec::new())) };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target.clone();
        let tasks = Arc::clone(&self.tasks);
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().expect("lock").push(conn);
            }
        });
        self.tasks.lock().expect("lock").push(accept);
    }

    /// Stops listening and cuts every open connection.
    pub fn cut(&self) {
        for task in self.tasks.lock().expect("lock").drain(..) {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restore(&self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(e) => panic!("rebind proxy: {e}"),
            }
        };
        self.serve(listener);
    }
}

/// An app whose PostgreSQL connections go through a proxy the test can cut;
/// `None` without `TEST_DATABASE_URL` (the embedded SQLite file cannot
/// become unreachable).
pub async fn spawn_app_behind_proxy() -> Option<(TcpProxy, crate::TestApp)> {
    let admin_url = std::env::var("TEST_DATABASE_URL").ok()?;
    let host_port = admin_url.split('@').nth(1).and_then(|r| r.split('/').next()).unwrap_or("127.0.0.1:5432").to_string();
    let proxy = TcpProxy::start(&host_port).await;
    let proxied = admin_url.replacen(&host_port, &format!("127.0.0.1:{}", proxy.port), 1);
    let app = crate::spawn_app_with(|s| {
        s.database_url = crate::db::with_database(&proxied, s.database_url.rsplit('/').next().unwrap_or_default());
    })
    .await;
    Some((proxy, app))
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
    }
}
