//! Helpers shared by the integration tests: finding the test servers, connecting, and a
//! TCP proxy that can be cut to simulate a database going down.

// Each test binary uses a different part of this module; `allow`, not `expect`: one that
// uses all of it would leave the expectation unfulfilled.
#![allow(dead_code)]
#![expect(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "`pub` items used by the test files that include this module; shared test support: a step that fails panics the calling test"
)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Environment variable with the PostgreSQL test database URL.
pub const POSTGRES: &str = "AUTH_TEST_POSTGRES_URL";
/// Environment variable with the MySQL/MariaDB test database URL.
pub const MYSQL: &str = "AUTH_TEST_MYSQL_URL";

/// The URL of a test server.
///
/// # Panics
/// When the variable is unset. A test that needs a server carries
/// `#[test_services::needs(..)]`, which ignores it in a build without the variable (never
/// under CI), so it only gets here unset under CI or when ignored tests are run anyway:
/// both must fail, not pass without testing.
pub fn server_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{var} is not set: this test needs its server (source .ci/services.sh && ensure_services)"
        ),
    }
}

/// Connects to `url` with `options`, running the migrations.
///
/// # Panics
/// When the server cannot be reached: a configured server must be up (under CI and
/// locally alike), so that an unreachable one is a failure, never a skip.
pub async fn connect(url: &str, options: SqlxStoreOptions) -> SqlxStore {
    match SqlxStore::connect(url, options.migrate_on_connect(true)).await {
        Ok(store) => store,
        Err(e) => panic!(
            "cannot use the test database ({}): {e} (source: {:?})",
            redact(url),
            std::error::Error::source(&e)
        ),
    }
}

/// The test server's store under `prefix`.
///
/// # Panics
/// As [`server_url`] and [`connect`].
pub async fn store_for(var: &str, prefix: &str) -> SqlxStore {
    let url = server_url(var);
    connect(&url, SqlxStoreOptions::new().table_prefix(prefix)).await
}

/// A prefix unique to this process, so that parallel and repeated runs never share
/// tables: `<base><random>_`.
pub fn unique_prefix(base: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{base}{}_", &id[..10])
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Splits `scheme://[userinfo@]host[:port][/rest]` into the upstream address and a
/// function of a new `host:port` giving the rewritten URL.
pub fn split_authority(url: &str, default_port: u16) -> (String, String, String) {
    let start = url.find("://").expect("URL has a scheme") + 3;
    let end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| start + i);
    let authority = &url[start..end];
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(at) => (&authority[..=at], &authority[at + 1..]),
        None => ("", authority),
    };
    let hostport = if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:{default_port}")
    };
    let hostport = hostport.replace("localhost", "127.0.0.1");
    (
        hostport,
        format!("{}{userinfo}", &url[..start]),
        url[end..].to_owned(),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Bytes flow.
    Forward,
    /// Connections are accepted and kept open, but nothing is forwarded: a server that
    /// stopped answering.
    Hang,
}

/// A TCP proxy between a local port and the real server, which a test can cut (new
/// connections refused, existing ones closed), freeze (everything hangs) and restore.
pub struct Proxy {
    port: u16,
    upstream: SocketAddr,
    mode: watch::Sender<Mode>,
    accept: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<JoinSet<()>>>,
}

impl Proxy {
    /// Starts forwarding a fresh local port to `upstream`.
    pub async fn start(upstream: &str) -> Self {
        let upstream: SocketAddr = tokio::net::lookup_host(upstream)
            .await
            .expect("upstream resolves")
            .next()
            .expect("upstream has an address");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let (mode, _) = watch::channel(Mode::Forward);
        let proxy = Self {
            port,
            upstream,
            mode,
            accept: Mutex::new(None),
            connections: Arc::new(Mutex::new(JoinSet::new())),
        };
        proxy.spawn_accept(listener);
        proxy
    }

    /// The local address to point the store at.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn spawn_accept(&self, listener: TcpListener) {
        let upstream = self.upstream;
        let mode = self.mode.subscribe();
        let connections = self.connections.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let mode = mode.clone();
                connections
                    .lock()
                    .unwrap()
                    .spawn(handle(client, upstream, mode));
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    /// The server "goes down": the port refuses connections and every open connection
    /// is closed.
    pub async fn cut(&self) {
        let accept = self.accept.lock().unwrap().take();
        if let Some(task) = accept {
            task.abort();
            let _ = task.await; // the listener is dropped with the task
        }
        self.connections.lock().unwrap().abort_all();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// The server "stops answering": connections stay open (and new ones are accepted)
    /// but no byte is forwarded.
    pub fn freeze(&self) {
        self.mode.send_replace(Mode::Hang);
    }

    /// The server is back: frozen connections are closed (as a restarted server would),
    /// the port accepts again, bytes flow.
    pub async fn restore(&self) {
        self.connections.lock().unwrap().abort_all();
        self.mode.send_replace(Mode::Forward);
        let listening = self.accept.lock().unwrap().is_some();
        if !listening {
            let mut tries = 0;
            let listener = loop {
                match TcpListener::bind(("127.0.0.1", self.port)).await {
                    Ok(l) => break l,
                    Err(e) if tries < 50 => {
                        tries += 1;
                        eprintln!("rebinding proxy port {}: {e}", self.port);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(e) => panic!("cannot rebind proxy port {}: {e}", self.port),
                }
            };
            self.spawn_accept(listener);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(task) = self.accept.lock().unwrap().take() {
            task.abort();
        }
        self.connections.lock().unwrap().abort_all();
    }
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, mut mode: watch::Receiver<Mode>) {
    let hang = *mode.borrow() == Mode::Hang;
    if hang {
        // Keep the socket open, say nothing, until aborted.
        std::future::pending::<()>().await;
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let frozen = tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => false,
        r = mode.wait_for(|m| *m == Mode::Hang) => r.is_ok(),
    };
    if frozen {
        // Both sockets stay open, nothing moves, until aborted.
        std::future::pending::<()>().await;
    }
    drop((client, server));
}
