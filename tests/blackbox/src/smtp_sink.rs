//! A real SMTP server (Python's aiosmtpd, the script of the auth-smtp tests) that a test
//! starts late, on a port it chose before: the demo is pointed at the port while nothing
//! listens there (mail fails and waits in the outbox), then the server comes up and
//! writes every message it accepts into a directory as `NNNN.eml`, where
//! [`Demo::mail`](crate::Demo::mail) and [`auth_smtp::wait_for_mail`] read it.
//! A test that starts it carries `#[test_services::needs(smtp_server)]`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A port nothing listens on yet, for [`SmtpSink::start`] later.
pub fn free_port() -> u16 {
    crate::free_port()
}

/// The `--smtp-url` of a demo that sends to `port` on 127.0.0.1 without TLS.
pub fn smtp_url(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}?from=demo%40example.com")
}

/// The running server, stopped on drop.
#[derive(Debug)]
pub struct SmtpSink {
    child: Child,
}

impl SmtpSink {
    /// Starts the server on `port`, writing what it receives into `dir` (created if
    /// missing), and waits for it to accept connections.
    ///
    /// # Panics
    /// When `python3` with `aiosmtpd` cannot run the server or it does not come up.
    pub fn start(port: u16, dir: &Path) -> SmtpSink {
        std::fs::create_dir_all(dir).expect("the mail directory");
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../adapters/smtp/tests/smtp_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg("--out-dir")
            .arg(dir)
            .arg("--port")
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the SMTP server (source .ci/services.sh && ensure_services)");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        assert!(
            matches!(read, Ok(n) if n > 0) && line.trim() == format!("READY {port}"),
            "the SMTP server did not start on port {port}: {line:?} (its stderr is above)"
        );
        SmtpSink { child }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Closing its stdin stops it; kill in case it does not.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
