//! The demo walk shared by the integration tests of the Axum, Poem and Rocket demos
//! (included with `#[path]` by each demo's `tests/demo.rs`): start the binary on a free
//! port with a temporary SQLite database and mail directory, and walk it over real
//! HTTP like a browser: register, confirm the address with the mailed link (read back
//! with auth-smtp's helpers) and the button of the page it opens, sign in, dashboard,
//! sign out, reset the password, sign in with the new one; then `create-user --admin`
//! and the admin page, and the modes of the files the demo made.
// Each test binary uses a different part of this module; `allow`, not `expect`: one that
// uses all of it would leave the expectation unfulfilled.
#![allow(dead_code)]
#![expect(
    unreachable_pub,
    reason = "`pub` items of a test-support module, used by the test files that include it"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "violet elephants juggle quietly";

pub struct Demo {
    child: Child,
    /// `HOST:PORT` the demo listens on.
    pub addr: String,
    dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn args(dir: &Path) -> Vec<String> {
    vec![
        "--database-url".into(),
        format!("sqlite://{}", dir.join("demo.db").display()),
    ]
}

pub fn start(bin: &str, database: Option<Vec<String>>) -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .current_dir(dir.path())
        .args(["--addr", "127.0.0.1:0"])
        .args(database.unwrap_or_else(|| args(dir.path())))
        .args([
            "--mail-dir".to_owned(),
            dir.path().join("mail").display().to_string(),
        ])
        .env_remove("AUTH_SECRET")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env_remove("SMTP_URL")
        .env_remove("BASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(addr) = line.strip_prefix("listening on http://") {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the demo printed `listening on http://HOST:PORT`");
    Demo { child, addr, dir }
}

pub struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A tiny HTTP/1.1 client with a cookie jar, enough to drive the site like a browser.
pub struct Browser {
    addr: String,
    jar: BTreeMap<String, String>,
    csrf: Option<String>,
}

impl Browser {
    fn new(addr: &str) -> Self {
        Self {
            addr: addr.to_owned(),
            jar: BTreeMap::new(),
            csrf: None,
        }
    }

    fn request(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Resp {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let body = form.map(|fields| {
            let mut all: Vec<(&str, &str)> = fields.to_vec();
            let token = self.csrf.clone().unwrap_or_default();
            all.push(("csrf_token", &token));
            all.iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect::<Vec<_>>()
                .join("&")
        });
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: demo-test\r\n",
            self.addr
        );
        if !self.jar.is_empty() {
            let c: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            head.push_str(&format!("Cookie: {}\r\n", c.join("; ")));
        }
        if let Some(body) = &body {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nOrigin: http://{}\r\n",
                body.len(),
                self.addr
            ));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        if let Some(body) = &body {
            stream.write_all(body.as_bytes()).unwrap();
        }
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let mut body = body.to_owned();
        if headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let (name, value) = v.split(';').next().unwrap().split_once('=').unwrap();
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.jar.remove(name);
                } else {
                    self.jar.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let marker = "name=\"csrf_token\" value=\"";
        if let Some(i) = body.find(marker) {
            let rest = &body[i + marker.len()..];
            self.csrf = Some(rest[..rest.find('"').unwrap()].to_owned());
        }
        Resp {
            status,
            headers,
            body,
        }
    }

    fn get(&mut self, path: &str) -> Resp {
        self.request("GET", path, None)
    }

    fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        self.request("POST", path, Some(fields))
    }

    fn login(&mut self, email: &str, password: &str) -> Resp {
        self.get("/auth/login");
        self.post("/auth/login", &[("login", email), ("password", password)])
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The path of the link in the newest mail of `kind` to `to` (waiting for it: the
/// demo sends some mail after answering).
fn mailed_path(mail_dir: &PathBuf, addr: &str, to: &str, kind: &str, marker: &str) -> String {
    let mail = auth_smtp::wait_for_mail(mail_dir, Duration::from_secs(20), |m| {
        m.is_to(to) && m.kind.as_deref() == Some(kind)
    })
    .unwrap()
    .unwrap_or_else(|| panic!("no {kind} mail to {to}"));
    let link = mail.link_containing(marker).unwrap().to_owned();
    let prefix = format!("http://{addr}");
    assert!(
        link.starts_with(&format!("{prefix}/auth{marker}")),
        "{link}"
    );
    link.strip_prefix(&prefix).unwrap().to_owned()
}

/// The whole walk of the issue against the demo binary `bin`, then `create-user
/// --admin` and the admin page.
pub fn register_verify_login_dashboard_logout_reset_login(bin: &str) {
    let demo = start(bin, None);
    walk(&demo, "ada@example.com");
    // The database (and SQLite's WAL and shared-memory files beside it) and the generated
    // secret are readable by their owner only.
    #[cfg(unix)]
    for file in ["demo.db", "demo.db-wal", "demo.db-shm", "demo.db.secret"] {
        use std::os::unix::fs::PermissionsExt;
        let path = demo.dir.path().join(file);
        let meta = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mode = meta.permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}: {mode:o}");
    }
    // create-user against the same database, then the admin page.
    let out = Command::new(bin)
        .current_dir(demo.dir.path())
        .args(args(demo.dir.path()))
        .args([
            "create-user",
            "--email",
            "root@example.com",
            "--password",
            PASSWORD,
            "--admin",
            "--verified",
        ])
        .env_remove("AUTH_SECRET")
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created user root@example.com"));
    let mut admin = Browser::new(&demo.addr);
    assert_eq!(admin.login("root@example.com", PASSWORD).status, 303);
    let page = admin.get("/admin");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("2 accounts"), "{}", page.body);
    assert_eq!(admin.get("/auth/admin").status, 200);
}

/// The same walk with users in PostgreSQL and sessions and counters in Redis (the CI
/// services). The calling test carries `#[test_services::needs(postgres, redis)]`, so it
/// is skipped in a build where their URLs are not set (never under CI).
///
/// # Panics
/// When `AUTH_TEST_POSTGRES_URL` or `AUTH_TEST_REDIS_URL` is unset.
pub fn postgres_users_and_redis_sessions(bin: &str) {
    let var = |name: &str| match std::env::var(name) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!("{name} is not set (source .ci/services.sh && ensure_services)"),
    };
    let (pg, redis) = (var("AUTH_TEST_POSTGRES_URL"), var("AUTH_TEST_REDIS_URL"));
    let unique = format!(
        "demo{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    );
    let demo = start(
        bin,
        Some(vec![
            "--database-url".into(),
            pg,
            "--table-prefix".into(),
            format!("{unique}_"),
            "--redis-url".into(),
            redis,
            "--redis-key-prefix".into(),
            format!("{unique}:"),
        ]),
    );
    walk(&demo, &format!("{unique}@example.com"));
}

fn walk(demo: &Demo, email: &str) {
    let mail_dir = demo.dir.path().join("mail");
    let mut b = Browser::new(&demo.addr);

    let home = b.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Create an account"));
    assert!(
        home.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );

    b.get("/auth/register");
    let r = b.post(
        "/auth/register",
        &[
            ("email", email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Check your inbox"));

    let link = mailed_path(&mail_dir, &demo.addr, email, "verification", "/verify/");
    let r = b.get(&link);
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/auth/verify"));
    let r = b.get("/auth/verify");
    assert_eq!(
        r.status, 200,
        "opening the link only shows a button: {}",
        r.body
    );
    assert!(
        r.body.contains("method=\"post\" action=\"/auth/verify\""),
        "{}",
        r.body
    );
    let r = b.post("/auth/verify", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/auth/login"));

    let r = b.login(email, PASSWORD);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/"));
    let dash = b.get("/dashboard");
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains(email));
    assert!(dash.body.contains("<h1>Dashboard</h1>"));

    let r = b.post("/auth/logout", &[]);
    assert_eq!(r.status, 303);
    let r = b.get("/dashboard");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/auth/login?next=%2Fdashboard"));

    b.get("/auth/request_password_reset");
    let r = b.post("/auth/request_password_reset", &[("email", email)]);
    assert_eq!(r.status, 200);
    let link = mailed_path(&mail_dir, &demo.addr, email, "password_reset", "/reset/");
    let r = b.get(&link);
    assert_eq!(r.header("location"), Some("/auth/reset"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    let form = b.get("/auth/reset");
    assert_eq!(form.status, 200);
    let r = b.post(
        "/auth/reset",
        &[
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    assert_eq!(b.login(email, PASSWORD).status, 401);
    let r = b.login(email, NEW_PASSWORD);
    assert_eq!(r.status, 303);
    assert_eq!(b.get("/dashboard").status, 200);
    assert_eq!(b.get("/admin").status, 403, "not an admin");
}
