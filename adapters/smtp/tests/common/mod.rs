//! A real SMTP server (Python's aiosmtpd, `tests/smtp_server.py`) started per test, and a
//! test CA made with rcgen. A test that starts the server carries
//! `#[test_services::needs(smtp_server)]`, so it is skipped in a build where aiosmtpd is
//! not importable and `AUTH_TEST_SMTP` is unset (never under CI).

// Each test binary uses a different part of this module; `allow`, not `expect`: one that
// uses all of it would leave the expectation unfulfilled.
#![allow(dead_code)]
#![expect(
    unreachable_pub,
    reason = "`pub` items of a test-support module, used by the test files that include it"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use auth_core::{Email, MailKind};

/// How the test server is set up.
#[derive(Default)]
pub struct ServerOptions<'a> {
    /// `(user, password)` required with AUTH PLAIN/LOGIN.
    pub auth: Option<(&'a str, &'a str)>,
    /// Offer STARTTLS with this certificate (and require it before mail).
    pub starttls: Option<&'a TestPki>,
    /// Implicit TLS with this certificate.
    pub implicit_tls: Option<&'a TestPki>,
    /// `(address, reply)`: answer `RCPT TO` for this address with this reply (e.g.
    /// `550 5.1.1 No such user`).
    pub refuse: Option<(&'a str, &'a str)>,
}

/// A running aiosmtpd, killed on drop.
pub struct SmtpServer {
    child: Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    out: tempfile::TempDir,
}

/// What the server received: the raw message and the session facts.
#[derive(Debug)]
pub struct Delivery {
    pub raw: Vec<u8>,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub tls: bool,
    pub login: Option<String>,
}

impl SmtpServer {
    pub fn start(options: ServerOptions<'_>) -> Self {
        let out = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_server.py");
        let mut command = Command::new("python3");
        command
            .arg(script)
            .arg("--out-dir")
            .arg(out.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some((user, password)) = options.auth {
            command.arg("--auth").arg(format!("{user}:{password}"));
        }
        if let Some((address, reply)) = options.refuse {
            command.arg("--refuse").arg(format!("{address}={reply}"));
        }
        for (flag, pki) in [
            ("--starttls", options.starttls),
            ("--implicit-tls", options.implicit_tls),
        ] {
            if let Some(pki) = pki {
                command
                    .arg(flag)
                    .arg("--cert")
                    .arg(&pki.server_cert)
                    .arg("--key")
                    .arg(&pki.server_key);
            }
        }
        let mut child = command.spawn().expect("python3 runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the SMTP server reports READY within 20 s");
        assert!(
            !line.is_empty(),
            "the SMTP test server exited before it was ready (its error is above; Python's \
             aiosmtpd missing? python3 -m pip install aiosmtpd, or source .ci/services.sh \
             && ensure_smtp_server)"
        );
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected line from the SMTP server: {line:?}"));
        // It listens before printing READY; check it accepts connections all the same.
        std::net::TcpStream::connect(("127.0.0.1", port)).expect("the SMTP server accepts");
        Self { child, port, out }
    }

    /// Every message received so far, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        let mut metas: Vec<PathBuf> = std::fs::read_dir(self.out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        metas.sort();
        metas
            .into_iter()
            .map(|meta| {
                let json = std::fs::read_to_string(&meta).unwrap();
                let raw = std::fs::read(meta.with_extension("eml")).unwrap();
                parse_meta(&json, raw)
            })
            .collect()
    }

    /// Waits (bounded) until `n` messages were received.
    pub fn wait_for(&self, n: usize) -> Vec<Delivery> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.deliveries();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the session facts the server script writes beside each message.
fn parse_meta(json: &str, raw: Vec<u8>) -> Delivery {
    let meta: serde_json::Value = serde_json::from_str(json).unwrap();
    Delivery {
        raw,
        mail_from: meta["mail_from"].as_str().unwrap().to_owned(),
        rcpt_tos: meta["rcpt_tos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect(),
        tls: meta["tls"].as_bool().unwrap(),
        login: meta["login"].as_str().map(str::to_owned),
    }
}

/// A throwaway CA and a server certificate for `localhost` and 127.0.0.1 signed by it,
/// written as PEM files.
pub struct TestPki {
    dir: tempfile::TempDir,
    pub ca_cert: PathBuf,
    pub ca_pem: String,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl TestPki {
    pub fn generate() -> Self {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
            KeyPair, KeyUsagePurpose,
        };
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "auth-smtp test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::from_params(&ca_params, &ca_key);

        let server_key = KeyPair::generate().unwrap();
        let mut server_params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, contents: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, contents).unwrap();
            path
        };
        let ca_pem = ca_cert.pem();
        Self {
            ca_cert: write("ca.pem", &ca_pem),
            server_cert: write("server.pem", &server_cert.pem()),
            server_key: write("server.key", &server_key.serialize_pem()),
            ca_pem,
            dir,
        }
    }
}

/// A message with an HTML alternative, a non-ASCII subject and a link.
pub fn sample_email(to: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: "Bestätigen Sie Ihre Adresse — Welcome ✓".to_owned(),
        text: "Hello Ada,\n\nconfirm your address: https://app.example/auth/verify/tok-123\n\n\
               A line that is long enough to be folded by quoted-printable encoding, since it \
               goes well past seventy-six characters: ünïcödé included.\n"
            .to_owned(),
        html: Some(
            "<p>Hello Ada,</p>\n<p><a href=\"https://app.example/auth/verify/tok-123\">Confirm \
             your address</a> — ünïcödé</p>\n"
                .to_owned(),
        ),
        kind: MailKind::Verification,
    }
}

/// A free port on 127.0.0.1 where nothing listens (bound, then released).
pub fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    listener.local_addr().unwrap().port()
}
