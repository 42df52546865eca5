//! A throwaway `redis-server` started by a test on a free port (the shared server is
//! never reconfigured), killed by its own handle when dropped. A test that starts one
//! carries `#[test_services::needs(redis_server)]`, so it is skipped in a build where
//! `redis-server` is not on the PATH (never under CI).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process.
pub struct Server {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free local port (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts `redis-server` on a free port in a fresh temporary directory, with `extra`
    /// arguments.
    pub fn start_on_free_port(extra: &[&str]) -> Self {
        Self::start_on_free_ports(|| extra.iter().map(|s| (*s).to_owned()).collect())
    }

    /// [`Server::start_on_free_port`] with the `extra` arguments made afresh for each
    /// attempt, so that they may name more free ports.
    pub fn start_on_free_ports(extra: impl Fn() -> Vec<String>) -> Self {
        Self::start_listening(|port| {
            let mut args = vec!["--port".to_owned(), port.to_string()];
            args.extend(extra());
            args
        })
    }

    /// Starts `redis-server` without persistence in a fresh temporary directory, with
    /// the arguments `args` gives for a free port, and waits until that port accepts
    /// connections (the plain port, or the TLS one of a TLS-only server). A port found
    /// free can be taken (by any process's outgoing connection, say) before the server
    /// binds it; the server then exits at once, and is started again on other ports, up
    /// to five times.
    pub fn start_listening(args: impl Fn(u16) -> Vec<String>) -> Self {
        for _ in 0..5 {
            let port = free_port();
            if let Some(server) = Self::try_start(tempfile::tempdir().unwrap(), port, &args(port)) {
                return server;
            }
        }
        panic!("redis-server exited at once five times, on other ports each time");
    }

    /// Starts `redis-server` without persistence in `dir`, with `args`, and waits until
    /// `port` accepts connections; `None` when the server exits before that.
    fn try_start(dir: tempfile::TempDir, port: u16, args: &[String]) -> Option<Self> {
        let child = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
            ])
            .arg(dir.path())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server (on the PATH?): {e}"));
        let mut server = Self { child, port, dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if server.child.try_wait().unwrap().is_some() {
                return None;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }
}
