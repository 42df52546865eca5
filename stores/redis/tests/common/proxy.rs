//! A TCP proxy in front of the test server that a test can cut and restore, so that
//! faults are tested without stopping the shared Redis.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forwards both ways.
    Open,
    /// Closes every connection and refuses new ones (closes them on accept): a server
    /// that is down.
    Refuse,
    /// Stops forwarding on every open connection for good, leaving it open, and holds
    /// new connections without forwarding: a network partition where the client's
    /// sockets stay open. Restoring (`Open`) forwards new connections only; the old
    /// ones stay dead, as after a real partition until the kernel gives up.
    BlackHole,
}

/// The proxy; dropped, it stops.
pub struct Proxy {
    pub addr: SocketAddr,
    mode: watch::Sender<Mode>,
    upstream: Arc<Mutex<String>>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`host:port`) on a free local port.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (mode, _) = watch::channel(Mode::Open);
        let modes = mode.clone();
        let upstream = Arc::new(Mutex::new(upstream));
        let target = upstream.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let rx = modes.subscribe();
                let upstream = target.lock().unwrap().clone();
                tokio::spawn(async move {
                    let _ = serve(client, upstream, rx).await;
                });
            }
        });
        Self {
            addr,
            mode,
            upstream,
            task,
        }
    }

    /// Sends new connections to `upstream` (`host:port`) from now on, as an endpoint that
    /// follows a failover does; open connections stay where they are.
    pub fn retarget(&self, upstream: String) {
        *self.upstream.lock().unwrap() = upstream;
    }

    /// Switches the mode.
    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }

    /// `url` with its host and port replaced by the proxy's.
    pub fn url_for(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap();
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let credentials = authority
            .rsplit_once('@')
            .map(|(c, _)| format!("{c}@"))
            .unwrap_or_default();
        format!("{scheme}://{credentials}{}/{path}", self.addr)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.set(Mode::Refuse);
        self.task.abort();
    }
}

/// `host:port` of a `redis://` URL.
pub fn upstream_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let authority = rest.split('/').next().unwrap();
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, hp)| hp)
        .to_owned()
}

async fn serve(
    mut client: TcpStream,
    upstream: String,
    mut mode: watch::Receiver<Mode>,
) -> std::io::Result<()> {
    let current = *mode.borrow_and_update();
    match current {
        Mode::Refuse => return Ok(()),
        Mode::BlackHole => return zombie(mode).await,
        Mode::Open => {}
    }
    let mut server = TcpStream::connect(upstream).await?;
    let (mut buf_c, mut buf_s) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    loop {
        tokio::select! {
            read = client.read(&mut buf_c) => {
                let n = read?;
                if n == 0 { return Ok(()); }
                server.write_all(&buf_c[..n]).await?;
            }
            read = server.read(&mut buf_s) => {
                let n = read?;
                if n == 0 { return Ok(()); }
                client.write_all(&buf_s[..n]).await?;
            }
            changed = mode.changed() => {
                if changed.is_err() { return Ok(()); }
                let current = *mode.borrow_and_update();
                match current {
                    Mode::Open => {}
                    Mode::Refuse => return Ok(()),
                    Mode::BlackHole => {
                        // Keep both sockets open, forward nothing, ever.
                        let _keep = (client, server);
                        return zombie(mode).await;
                    }
                }
            }
        }
    }
}

/// Holds a connection without forwarding until the proxy refuses or stops.
async fn zombie(mut mode: watch::Receiver<Mode>) -> std::io::Result<()> {
    loop {
        if mode.changed().await.is_err() || *mode.borrow_and_update() == Mode::Refuse {
            return Ok(());
        }
    }
}
