//! A TCP proxy between a local port and a real server (PostgreSQL, MariaDB, Redis, ...)
//! that a test cuts, freezes and restores, so that faults are tested without stopping
//! the server other tests share. The store fault tests (stores/sqlx, stores/redis) use
//! [`Proxy`] from async tests; the black-box suite, whose tests are synchronous, uses
//! [`BlockingProxy`] and points a demo process at [`BlockingProxy::url`].
//!
//! ```no_run
//! # async fn example() {
//! let (proxy, url) = fault_proxy::Proxy::in_front_of("postgres://u@127.0.0.1/db", 5432).await;
//! // connect the code under test to `url`, then:
//! proxy.cut().await; // connection refused, open connections closed
//! proxy.restore().await; // the server is back
//! proxy.freeze(); // connections open, nothing forwarded
//! proxy.heal().await; // new connections forward; the frozen ones stay silent
//! # let _ = url;
//! # }
//! ```
#![expect(
    clippy::expect_used,
    reason = "test support: a step that fails panics the calling test, naming the step"
)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Splits `scheme://[userinfo@]host[:port][/rest]` into the upstream `host:port`
/// (`default_port` when the URL names none, `localhost` as `127.0.0.1`), the URL up to
/// and including the userinfo, and the rest after the authority.
///
/// # Panics
/// When `url` has no `://`.
pub fn split_authority(url: &str, default_port: u16) -> (String, String, String) {
    let start = url.find("://").expect("the URL has a scheme") + 3;
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
    /// stopped answering, or a network partition.
    Hang,
}

/// The proxy; dropped, it stops and closes every connection.
#[derive(Debug)]
pub struct Proxy {
    port: u16,
    upstream: SocketAddr,
    mode: watch::Sender<Mode>,
    accept: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<JoinSet<()>>>,
}

impl Proxy {
    /// Starts forwarding a fresh local port to `upstream` (`host:port`).
    ///
    /// # Panics
    /// When `upstream` does not resolve or no local port can be bound.
    pub async fn start(upstream: &str) -> Self {
        let upstream: SocketAddr = tokio::net::lookup_host(upstream)
            .await
            .expect("the upstream resolves")
            .next()
            .expect("the upstream has an address");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the proxy");
        let port = listener.local_addr().expect("the proxy's address").port();
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

    /// A proxy in front of the server of `url`, and `url` pointed at the proxy instead
    /// (`default_port` when `url` names none).
    ///
    /// # Panics
    /// As [`Proxy::start`] and [`split_authority`].
    pub async fn in_front_of(url: &str, default_port: u16) -> (Self, String) {
        let (upstream, head, tail) = split_authority(url, default_port);
        let proxy = Self::start(&upstream).await;
        let via = format!("{head}{}{tail}", proxy.addr());
        (proxy, via)
    }

    /// The local `host:port` to point the client at.
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
                lock(&connections).spawn(handle(client, upstream, mode));
            }
        });
        *lock(&self.accept) = Some(task);
    }

    /// The server "goes down": the port refuses connections and every open connection
    /// is closed.
    pub async fn cut(&self) {
        let accept = lock(&self.accept).take();
        if let Some(task) = accept {
            task.abort();
            let _ = task.await; // the listener is dropped with the task
        }
        lock(&self.connections).abort_all();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// The server "stops answering": connections stay open (and new ones are accepted)
    /// but no byte is forwarded.
    pub fn freeze(&self) {
        self.mode.send_replace(Mode::Hang);
    }

    /// The server is back: frozen connections are closed (as a restarted server would),
    /// the port accepts again, bytes flow.
    ///
    /// # Panics
    /// When the port cannot be bound again within five seconds.
    pub async fn restore(&self) {
        lock(&self.connections).abort_all();
        self.heal().await;
    }

    /// The network is back after a partition: new connections are forwarded, but the
    /// frozen ones stay open and silent (as until the kernel gives up on them), so the
    /// client must open fresh connections by itself.
    ///
    /// # Panics
    /// When the port cannot be bound again within five seconds.
    pub async fn heal(&self) {
        self.mode.send_replace(Mode::Forward);
        let listening = lock(&self.accept).is_some();
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
        if let Some(task) = lock(&self.accept).take() {
            task.abort();
        }
        lock(&self.connections).abort_all();
    }
}

/// A lock that a panicking test thread does not poison for the others.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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

/// A [`Proxy`] for synchronous tests: it runs on a runtime of its own, and every method
/// returns once the proxy has switched.
#[derive(Debug)]
pub struct BlockingProxy {
    proxy: Proxy,
    url: String,
    runtime: tokio::runtime::Runtime,
}

impl BlockingProxy {
    /// A proxy in front of the server of `url` (`default_port` when it names none).
    ///
    /// # Panics
    /// As [`Proxy::in_front_of`], or when the runtime cannot start.
    pub fn in_front_of(url: &str, default_port: u16) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("the proxy's runtime");
        let (proxy, url) = runtime.block_on(Proxy::in_front_of(url, default_port));
        Self {
            proxy,
            url,
            runtime,
        }
    }

    /// The server's URL pointed at the proxy.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// See [`Proxy::cut`].
    pub fn cut(&self) {
        self.runtime.block_on(self.proxy.cut());
    }

    /// See [`Proxy::freeze`].
    pub fn freeze(&self) {
        self.proxy.freeze();
    }

    /// See [`Proxy::restore`].
    pub fn restore(&self) {
        self.runtime.block_on(self.proxy.restore());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_around_the_authority() {
        assert_eq!(
            split_authority("postgres://u:p@localhost/db?x=1", 5432),
            (
                "127.0.0.1:5432".to_owned(),
                "postgres://u:p@".to_owned(),
                "/db?x=1".to_owned()
            )
        );
        assert_eq!(
            split_authority("redis://127.0.0.1:6379/", 6379),
            (
                "127.0.0.1:6379".to_owned(),
                "redis://".to_owned(),
                "/".to_owned()
            )
        );
    }

    #[tokio::test]
    async fn a_cut_refuses_and_a_restore_forwards_again() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = echo.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = echo.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 64];
                    while let Ok(n) = s.read(&mut buf).await {
                        if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        let proxy = Proxy::start(&upstream).await;
        let roundtrip = || async {
            let mut s = TcpStream::connect(proxy.addr()).await?;
            s.write_all(b"ping").await?;
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).await?;
            Ok::<_, std::io::Error>(buf)
        };
        assert_eq!(&roundtrip().await.unwrap(), b"ping");
        proxy.cut().await;
        assert!(TcpStream::connect(proxy.addr()).await.is_err());
        proxy.restore().await;
        assert_eq!(&roundtrip().await.unwrap(), b"ping");
        proxy.freeze();
        let frozen = tokio::time::timeout(Duration::from_millis(300), roundtrip()).await;
        assert!(frozen.is_err(), "a frozen proxy forwarded: {frozen:?}");
    }
}
