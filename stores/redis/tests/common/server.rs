//! A throwaway `redis-server` started by a test on a free port (the shared server is
//! never reconfigured), killed by its own handle when dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `redis-server` (and any other `tools`) can run here. Missing: a visible notice
/// and `false`, or a panic under `CI=true`.
pub fn tools_present(test: &str, tools: &[&str]) -> bool {
    let found = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    let missing: Vec<_> = tools.iter().filter(|t| !found(t)).collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: {missing:?} not on the PATH, and CI=true forbids skipping");
    }
    eprintln!("\n*** SKIPPED {test}: {missing:?} not on the PATH ***\n");
    false
}

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
    /// Starts `redis-server` without persistence in `dir`, with `args`, and waits until
    /// `port` accepts connections.
    pub fn start(dir: tempfile::TempDir, port: u16, args: &[String]) -> Self {
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
            .unwrap();
        let server = Self { child, port, dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}
