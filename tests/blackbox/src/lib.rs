//! The harness of the black-box suite: start a demo binary (axum-demo, poem-demo or
//! rocket-demo) on a free port with its own database and mail directory, and talk to it
//! over real sockets like a browser: [`Client`] is the blocking face of the workspace's
//! one test client, `auth_http::testkit::Browser`, over the [`Tcp`] transport.
//!
//! # Finding the demo binaries
//!
//! A test crate cannot get another package's binary through `CARGO_BIN_EXE_*`, so the
//! harness looks for it next to the test executable: `current_exe()` is
//! `<target>/<profile>/deps/<test>-<hash>`, the demos are `<target>/<profile>/<demo>`.
//! `cargo test --workspace` and `cargo nextest run --workspace` build every workspace
//! binary before running tests. When one is missing the harness runs
//! `cargo build -p <demo>` for the same target directory and profile once, and if that
//! fails says which command to run.
//!
//! # Isolation
//!
//! Every [`Client`] connects from its own loopback address (127.0.0.2, 127.0.0.3, ...;
//! Linux routes all of 127/8 to the loopback interface), so the demos' per-IP rate limits
//! see each client as a different visitor and scenarios sharing one demo process do not
//! throttle each other. Scenarios use distinct email addresses.
//!
//! The demo runs under a tiny `sh` watchdog whose stdin is a pipe held by the test
//! process: when the test process ends (even without running destructors, as with a
//! demo kept in a `static`), the pipe closes and the watchdog stops the demo.
#![expect(
    clippy::expect_used,
    reason = "shared test support: a step that fails panics the calling test"
)]

pub mod site;
pub mod smtp_sink;
mod tcp;
pub mod walk;
pub mod webdriver;

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use auth_http::testkit::{self, Browser};
use http::Method;

/// A password the policy accepts, and another (for resets and changes): the test kit's.
pub use auth_http::testkit::{NEW_PASSWORD, PASSWORD};
pub use tcp::Tcp;

/// The `--link-lifetime` of demos started with [`Demo::start_with_short_links`]: long
/// enough to read a mailed link, short enough to wait for it to expire.
pub const SHORT_LINK_LIFETIME: Duration = Duration::from_secs(2);

/// The web frameworks the demos are built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    /// examples/axum-demo
    Axum,
    /// examples/poem-demo
    Poem,
    /// examples/rocket-demo
    Rocket,
}

impl Framework {
    /// The demo's package and binary name.
    pub fn binary(self) -> &'static str {
        match self {
            Framework::Axum => "axum-demo",
            Framework::Poem => "poem-demo",
            Framework::Rocket => "rocket-demo",
        }
    }

    /// A short lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Framework::Axum => "axum",
            Framework::Poem => "poem",
            Framework::Rocket => "rocket",
        }
    }
}

/// Where a demo keeps its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the demo's temporary directory.
    Sqlite,
    /// Users in PostgreSQL (`AUTH_TEST_POSTGRES_URL`), sessions and counters in Redis
    /// (`AUTH_TEST_REDIS_URL`), each demo with its own table and key prefix.
    PostgresRedis,
}

/// How the demo's cookies are configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `http://` base URL: plain-HTTP development cookies (`auth_session`, no `Secure`).
    Dev,
    /// `https://` base URL (the demos then configure `Secure` cookies with the `__Host-`
    /// prefix); the harness still talks plain HTTP to the socket.
    Secure,
}

/// The URLs of the PostgreSQL and Redis services.
///
/// A test that needs them carries `#[test_services::needs(postgres, redis)]`, which
/// ignores it (reported as skipped) in a build where they are not set, never under CI.
///
/// # Panics
/// When either is unset: the test runs anyway only under CI or when ignored tests are run,
/// and must then fail rather than pass without testing.
pub fn services(test: &str) -> (String, String) {
    match (
        std::env::var("AUTH_TEST_POSTGRES_URL"),
        std::env::var("AUTH_TEST_REDIS_URL"),
    ) {
        (Ok(pg), Ok(redis)) if !pg.is_empty() && !redis.is_empty() => (pg, redis),
        _ => panic!(
            "{test}: AUTH_TEST_POSTGRES_URL and AUTH_TEST_REDIS_URL must be set \
             (source .ci/services.sh && ensure_services)"
        ),
    }
}

static BUILT: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// The path of a demo binary, building it (once per test process) when it is missing.
///
/// # Panics
///
/// When the binary is missing and `cargo build` cannot produce it.
pub fn demo_binary(framework: Framework) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    // <target>/<profile>/deps/<test>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lives in <target>/<profile>/deps")
        .to_path_buf();
    let bin = profile_dir.join(framework.binary());
    if bin.is_file() {
        return bin;
    }
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.contains(&framework.binary()) {
        built.push(framework.binary());
        let target_dir = profile_dir.parent().expect("<target>").to_path_buf();
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("debug")
            .to_owned();
        eprintln!(
            "blackbox-tests: {} is not built yet; running `cargo build -p {} --profile {}` (target dir {})",
            bin.display(),
            framework.binary(),
            if profile == "debug" { "dev" } else { &profile },
            target_dir.display()
        );
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "-p", framework.binary(), "--profile"])
            .arg(if profile == "debug" { "dev" } else { &profile })
            .arg("--target-dir")
            .arg(&target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            panic!(
                "{} is missing and building it failed ({status:?}); build the demos first: \
                 `cargo build -p axum-demo -p poem-demo -p rocket-demo` with the same \
                 CARGO_TARGET_DIR and profile as the tests",
                bin.display()
            );
        }
    }
    assert!(
        bin.is_file(),
        "{} is missing; run `cargo build -p {}` with the same CARGO_TARGET_DIR and profile as the tests",
        bin.display(),
        framework.binary()
    );
    bin
}

/// A command that runs `program` under a tiny `sh` watchdog: the program is stopped when
/// the watchdog's stdin (a pipe from this process; spawn with `Stdio::piped()` stdin and
/// keep it) reaches end of file, which happens when this process ends however it ends.
/// The watchdog exits with the program, so a program that dies at start-up closes its
/// stdout at once instead of leaving a reader waiting. Append the program's arguments to
/// the command.
pub(crate) fn supervised(program: &Path) -> Command {
    // A background list's stdin is /dev/null in a non-interactive shell, so the stdin
    // watcher reads the pipe through fd 3; its stdout is not the program's, so that it
    // does not keep the program's stdout open after the program is gone.
    let script = r#"exec 3<&0
"$@" </dev/null 3<&- & child=$!
(while read -r _ <&3; do :; done; kill "$child" 2>/dev/null) >/dev/null 2>&1 &
exec 3<&-
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
wait "$child""#;
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).arg("sh").arg(program);
    cmd
}

/// A running demo process.
#[derive(Debug)]
pub struct Demo {
    /// Which demo this is.
    pub framework: Framework,
    /// Where it keeps its data.
    pub backend: Backend,
    /// `HOST:PORT` it listens on.
    pub addr: String,
    /// The base URL the demo puts into mailed links (and checks `Origin` against).
    pub base_url: String,
    /// Its mail directory.
    pub mail_dir: PathBuf,
    /// The database flags (for `create-user` against the same data).
    pub db_args: Vec<String>,
    child: Mutex<Child>,
    dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        // Closing the watchdog's stdin makes it stop the demo and exit; give it a
        // bounded moment (killing the watchdog first would orphan the demo).
        drop(child.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while matches!(child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn unique(label: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "bb{}_{}_{}_{}",
        std::process::id(),
        nanos % 100_000,
        N.fetch_add(1, Ordering::Relaxed),
        label
    )
}

/// The flags of a demo keeping users in PostgreSQL and sessions and counters in Redis,
/// under table and key prefixes made of `id`.
fn shared_store_args(pg: String, redis: String, id: &str) -> Vec<String> {
    vec![
        "--database-url".to_owned(),
        pg,
        "--table-prefix".to_owned(),
        format!("{id}_"),
        "--redis-url".to_owned(),
        redis,
        "--redis-key-prefix".to_owned(),
        format!("{id}:"),
    ]
}

/// The store flags of a demo of `framework` on `backend`: a SQLite file in `dir`, or a
/// fresh table and key prefix on the PostgreSQL and Redis services.
fn store_args(framework: Framework, backend: Backend, dir: &Path) -> Vec<String> {
    match backend {
        Backend::Sqlite => vec![
            "--database-url".to_owned(),
            format!("sqlite://{}", dir.join("demo.db").display()),
        ],
        Backend::PostgresRedis => {
            let (pg, redis) = services("PostgreSQL + Redis demo");
            shared_store_args(pg, redis, &unique(framework.name()))
        }
    }
}

/// How to start one demo process.
struct Launch<'a> {
    framework: Framework,
    backend: Backend,
    db_args: Vec<String>,
    /// Its working directory (where a generated secret is kept).
    dir: tempfile::TempDir,
    mail_dir: PathBuf,
    /// `--addr`.
    addr: String,
    /// `--base-url`; without it the base URL is `http://` + the listening address.
    base_url: Option<String>,
    flags: &'a [&'a str],
    /// `AUTH_SECRET`; without it the demo generates a secret in its directory.
    secret: Option<&'a str>,
}

/// Starts a demo and waits (bounded) for its `listening on http://HOST:PORT` line.
fn launch(l: Launch<'_>) -> Demo {
    let bin = demo_binary(l.framework);
    let base_arg: Vec<String> = match &l.base_url {
        Some(url) => vec!["--base-url".to_owned(), url.clone()],
        None => Vec::new(),
    };
    let mut cmd = supervised(&bin);
    cmd.args(["--addr", &l.addr])
        .args(&l.db_args)
        .arg("--mail-dir")
        .arg(&l.mail_dir)
        .args(&base_arg)
        .args(l.flags)
        .current_dir(l.dir.path())
        .env_remove("AUTH_SECRET")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env_remove("SMTP_URL")
        .env_remove("BASE_URL")
        .env_remove("ADDR")
        .env_remove("MAIL_DIR")
        .env_remove("TABLE_PREFIX")
        .env_remove("REDIS_KEY_PREFIX")
        .env_remove("LINK_LIFETIME")
        .env_remove("ROCKET_CONFIG")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(secret) = l.secret {
        cmd.env("AUTH_SECRET", secret);
    }
    let framework = l.framework;
    // Rocket cannot be handed a listener: its demo resolves port 0 to a free port and
    // binds it afterwards, so another process can take the port in between. Such a
    // start is tried again (twice at most).
    let retry_port_race = framework == Framework::Rocket && l.addr.ends_with(":0");
    let mut attempt = 0;
    let (child, addr) = loop {
        attempt += 1;
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.trim().strip_prefix("listening on http://") {
                    let _ = tx.send(addr.trim_end_matches('/').to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(90)) {
            Ok(addr) => break (child, addr),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait();
                if retry_port_race && attempt < 3 {
                    eprintln!(
                        "{} exited ({status:?}) before listening; starting it again",
                        framework.binary()
                    );
                    continue;
                }
                panic!(
                    "{} exited ({status:?}) before printing `listening on http://HOST:PORT` (its stderr is above)",
                    framework.binary()
                );
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                panic!(
                    "{} did not print `listening on http://HOST:PORT` within 90 s (its stderr is above)",
                    framework.binary()
                );
            }
        }
    };
    let base_url = l.base_url.unwrap_or_else(|| format!("http://{addr}"));
    Demo {
        framework,
        backend: l.backend,
        addr,
        base_url,
        mail_dir: l.mail_dir,
        db_args: l.db_args,
        child: Mutex::new(child),
        dir: l.dir,
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

impl Demo {
    /// Starts `framework`'s demo on a free port with a fresh temporary database (or
    /// fresh table/key prefixes on the shared services) and mail directory, and waits
    /// (bounded) for its `listening on http://HOST:PORT` line.
    ///
    /// # Panics
    ///
    /// When the binary is missing, does not start, or does not print the line in time.
    pub fn start(framework: Framework, backend: Backend, mode: Mode) -> Demo {
        Demo::start_with(framework, backend, mode, &[])
    }

    /// [`Demo::start`] with extra flags for the demo, e.g. `["--link-lifetime", "2s"]`.
    ///
    /// # Panics
    ///
    /// As [`Demo::start`].
    pub fn start_with(framework: Framework, backend: Backend, mode: Mode, flags: &[&str]) -> Demo {
        Demo::start_at(framework, backend, mode, None, flags)
    }

    /// [`Demo::start_with`] (development cookies) on `port`, for a test that must know the
    /// demo's address before it starts (to register its callback at an OpenID provider).
    ///
    /// # Panics
    ///
    /// As [`Demo::start`].
    pub fn start_on_port(
        framework: Framework,
        backend: Backend,
        port: u16,
        flags: &[&str],
    ) -> Demo {
        Demo::start_at(framework, backend, Mode::Dev, Some(port), flags)
    }

    fn start_at(
        framework: Framework,
        backend: Backend,
        mode: Mode,
        port: Option<u16>,
        flags: &[&str],
    ) -> Demo {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mail_dir = dir.path().join("mail");
        let db_args = store_args(framework, backend, dir.path());
        let (addr, base_url) = match mode {
            Mode::Dev => (format!("127.0.0.1:{}", port.unwrap_or(0)), None),
            Mode::Secure => {
                let port = port.unwrap_or_else(free_port);
                (
                    format!("127.0.0.1:{port}"),
                    Some(format!("https://127.0.0.1:{port}")),
                )
            }
        };
        launch(Launch {
            framework,
            backend,
            db_args,
            dir,
            mail_dir,
            addr,
            base_url,
            flags,
            secret: None,
        })
    }

    /// A SQLite demo with development cookies served as `http://localhost:PORT`
    /// (`--base-url`), so that its passkeys have a relying party a browser accepts (an IP
    /// address is none): browse it at [`Demo::base_url`].
    ///
    /// # Panics
    ///
    /// As [`Demo::start`].
    pub fn start_on_localhost(framework: Framework) -> Demo {
        Demo::start_on_localhost_with(framework, Backend::Sqlite, &[])
    }

    /// [`Demo::start_on_localhost`] on `backend` (for PostgreSQL with Redis, a fresh table
    /// and key prefix on the services), with the extra `flags`.
    ///
    /// # Panics
    ///
    /// As [`Demo::start`].
    pub fn start_on_localhost_with(framework: Framework, backend: Backend, flags: &[&str]) -> Demo {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mail_dir = dir.path().join("mail");
        let db_args = store_args(framework, backend, dir.path());
        let port = free_port();
        launch(Launch {
            framework,
            backend,
            db_args,
            dir,
            mail_dir,
            addr: format!("127.0.0.1:{port}"),
            base_url: Some(format!("http://localhost:{port}")),
            flags,
            secret: None,
        })
    }

    /// A SQLite demo with development cookies whose mailed links expire after
    /// [`SHORT_LINK_LIFETIME`] (`--link-lifetime 2s`).
    ///
    /// # Panics
    ///
    /// As [`Demo::start`].
    pub fn start_with_short_links(framework: Framework) -> Demo {
        let lifetime = format!("{}s", SHORT_LINK_LIFETIME.as_secs());
        Demo::start_with(
            framework,
            Backend::Sqlite,
            Mode::Dev,
            &["--link-lifetime", &lifetime],
        )
    }

    /// Sleeps until every link this demo (started with short links) has mailed so far
    /// has expired. A token's `iat` is rounded down to the second and it is refused from
    /// `exp = iat + lifetime` on, without leeway, so a link read from a mail is dead
    /// [`SHORT_LINK_LIFETIME`] later; a quarter second more for good measure.
    pub fn wait_until_mailed_links_expire(&self) {
        std::thread::sleep(SHORT_LINK_LIFETIME + Duration::from_millis(250));
    }

    /// Its working directory: the SQLite database and the generated secret.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A new client with an empty cookie jar, connecting from a loopback address of its
    /// own.
    pub fn client(&self) -> Client {
        Client::new(&self.addr, &self.base_url)
    }

    /// Runs `create-user` against this demo's data.
    ///
    /// # Panics
    ///
    /// When the subcommand fails.
    pub fn create_user(&self, email: &str, admin: bool, verified: bool) {
        let mut cmd = Command::new(demo_binary(self.framework));
        cmd.current_dir(self.dir.path())
            .args(&self.db_args)
            .arg("--mail-dir")
            .arg(&self.mail_dir)
            .args(["create-user", "--email", email, "--password", PASSWORD])
            .env_remove("AUTH_SECRET")
            .env("RUST_LOG", "error");
        if admin {
            cmd.arg("--admin");
        }
        if verified {
            cmd.arg("--verified");
        }
        let out = cmd.output().expect("create-user runs");
        assert!(
            out.status.success(),
            "{} create-user failed: {}",
            self.framework.binary(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("created user {email}")),
            "create-user output: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }

    /// The newest mail of `kind` (`verification`, `password_reset`, ...) to `to`, waiting
    /// (bounded) for it.
    ///
    /// # Panics
    ///
    /// When no such mail arrives within 20 seconds.
    pub fn mail(&self, to: &str, kind: &str) -> auth_smtp::ReceivedMail {
        self.mail_where(to, kind, "", |_| true)
    }

    /// The link containing `marker` in a `kind` mail to `to` that is not `old_link`: the
    /// link mailed after asking again, waiting (bounded) for it.
    ///
    /// # Panics
    ///
    /// When no such mail arrives within 20 seconds.
    pub fn new_link(&self, to: &str, kind: &str, marker: &str, old_link: &str) -> String {
        let is_new = |m: &auth_smtp::ReceivedMail| {
            m.link_containing(marker)
                .is_some_and(|link| link != old_link)
        };
        let mail = self.mail_where(to, kind, " with a new link", is_new);
        mail.link_containing(marker).unwrap_or_default().to_owned()
    }

    fn mail_where(
        &self,
        to: &str,
        kind: &str,
        what: &str,
        accept: impl Fn(&auth_smtp::ReceivedMail) -> bool,
    ) -> auth_smtp::ReceivedMail {
        auth_smtp::wait_for_mail(&self.mail_dir, Duration::from_secs(20), |m| {
            m.is_to(to) && m.kind.as_deref() == Some(kind) && accept(m)
        })
        .expect("the mail directory is readable")
        .unwrap_or_else(|| panic!("no {kind} mail{what} to {to} within 20 s"))
    }

    /// The number of mails of `kind` to `to` so far.
    pub fn mail_count(&self, to: &str, kind: &str) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return 0;
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| auth_smtp::read_eml(e.path()).ok())
            .filter(|m| m.is_to(to) && m.kind.as_deref() == Some(kind))
            .count()
    }

    /// The link containing `marker` in the newest `kind` mail to `to`, as mailed.
    ///
    /// # Panics
    ///
    /// When there is no such mail or it holds no such link.
    pub fn mailed_link(&self, to: &str, kind: &str, marker: &str) -> String {
        let mail = self.mail(to, kind);
        mail.link_containing(marker)
            .unwrap_or_else(|| panic!("the {kind} mail has no link containing {marker}"))
            .to_owned()
    }

    /// The path (from `/auth/...`) of the link in the newest `kind` mail to `to`.
    ///
    /// # Panics
    ///
    /// When there is no such mail or it holds no link to this demo.
    pub fn mailed_path(&self, to: &str, kind: &str, marker: &str) -> String {
        let link = self.mailed_link(to, kind, marker);
        let path = self.path_of(&link);
        assert!(path.starts_with(&format!("/auth{marker}")), "{link}");
        path
    }

    /// The path of a link to this demo.
    ///
    /// # Panics
    ///
    /// When `link` does not start with the demo's base URL.
    pub fn path_of(&self, link: &str) -> String {
        testkit::path_of(link, &self.base_url)
    }

    /// Registers `email` (with [`PASSWORD`]) through the JSON API and asks for a password
    /// reset: the links of the confirmation and the reset mail, both still unopened.
    ///
    /// # Panics
    ///
    /// When either request is refused or a mail does not arrive.
    pub fn register_and_request_reset(&self, email: &str) -> (String, String) {
        let mut c = self.client();
        let r = c.api(
            "/auth/api/register",
            serde_json::json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
        );
        assert_eq!(r.status, 202, "{}", r.body);
        let r = c.api(
            "/auth/api/request_password_reset",
            serde_json::json!({ "email": email }),
        );
        assert_eq!(r.status, 202, "{}", r.body);
        (
            self.mailed_link(email, "verification", "/verify/"),
            self.mailed_link(email, "password_reset", "/reset/"),
        )
    }

    /// The one-time code (six to eight digits) in the newest `kind` mail to `to`.
    ///
    /// # Panics
    ///
    /// When no such mail arrives or it holds no code.
    pub fn mailed_code(&self, to: &str, kind: &str) -> String {
        let mail = self.mail(to, kind);
        let text = mail.text.unwrap_or_default();
        text.split_whitespace()
            .find(|w| (6..=8).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or_else(|| panic!("the {kind} mail to {to} holds no code: {text}"))
            .to_owned()
    }

    /// The token of the link in the newest `kind` mail to `to` (the last path segment).
    pub fn mailed_token(&self, to: &str, kind: &str, marker: &str) -> String {
        let path = self.mailed_path(to, kind, marker);
        path.rsplit('/').next().unwrap_or_default().to_owned()
    }
}

/// Several demo processes serving one site, as behind a load balancer: the same users
/// table in PostgreSQL and the same Redis keys for sessions and counters (or one SQLite
/// file for everything, see [`Cluster::start_on`]), the same signing secret
/// (`AUTH_SECRET`), the same base URL in mailed links and the same mail directory.
/// Only the listening address differs. Each [`Demo`] in [`Cluster::instances`] reads the
/// shared mail directory and makes clients with the shared base URL as `Origin`, and
/// [`Client::set_addr`] moves a client from one instance to another.
#[derive(Debug)]
pub struct Cluster {
    /// The instances, one per framework given to [`Cluster::start_on`], in that order.
    pub instances: Vec<Demo>,
    /// What they share on disk: the mail directory and a SQLite database (removed after
    /// the instances stop).
    _shared: tempfile::TempDir,
}

impl Cluster {
    /// Starts one instance of each of `frameworks` (repeat one for a cluster of a single
    /// framework) at once, with development cookies, sharing their data on `backend`: a
    /// fresh table and key prefix of the PostgreSQL and Redis services, or one SQLite file
    /// (`--database-url sqlite://PATH`, in a temporary directory of the cluster) for
    /// users, sessions and counters alike, as processes of one site on one machine would
    /// share it. The base URL of mailed links names an address nothing listens on: the
    /// load balancer's, which the harness plays by choosing the instance of every request.
    ///
    /// # Panics
    ///
    /// When `backend` needs the services and they are not set, or an instance does not
    /// start (see [`Demo::start`]).
    pub fn start_on(backend: Backend, frameworks: &[Framework]) -> Cluster {
        Self::start_with(backend, frameworks, &[])
    }

    /// [`Cluster::start_on`] with the extra `flags` given to every instance, e.g.
    /// `["--session-staleness", "2000"]`.
    ///
    /// # Panics
    ///
    /// As [`Cluster::start_on`].
    pub fn start_with(backend: Backend, frameworks: &[Framework], flags: &[&str]) -> Cluster {
        let id = unique("cluster");
        let shared = tempfile::tempdir().expect("a temporary directory");
        let db_args = match backend {
            Backend::PostgresRedis => {
                let (pg, redis) = services("a cluster of demos");
                shared_store_args(pg, redis, &id)
            }
            Backend::Sqlite => vec![
                "--database-url".to_owned(),
                format!("sqlite://{}", shared.path().join("site.db").display()),
            ],
        };
        let mail_dir = shared.path().join("mail");
        let base_url = format!("http://127.0.0.1:{}", free_port());
        // At least 32 bytes; distinct per cluster, the same for its instances.
        let secret = format!("{id}-cluster-signing-secret-0123456789abcdef");
        let instances = std::thread::scope(|scope| {
            let starting: Vec<_> = frameworks
                .iter()
                .map(|&framework| {
                    let (db_args, mail_dir, base_url, secret) =
                        (db_args.clone(), mail_dir.clone(), base_url.clone(), &secret);
                    scope.spawn(move || {
                        launch(Launch {
                            framework,
                            backend,
                            db_args,
                            dir: tempfile::tempdir().expect("a temporary directory"),
                            mail_dir,
                            addr: "127.0.0.1:0".to_owned(),
                            base_url: Some(base_url),
                            flags,
                            secret: Some(secret.as_str()),
                        })
                    })
                })
                .collect();
            starting
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|e| std::panic::resume_unwind(e))
                })
                .collect()
        });
        Cluster {
            instances,
            _shared: shared,
        }
    }

    /// Instance `i` counted round-robin: `i` modulo the number of instances.
    pub fn instance(&self, i: usize) -> &Demo {
        &self.instances[i % self.instances.len()]
    }

    /// A verified account: registered through instance 0 and confirmed through instance
    /// 1, as a load balancer may send the mailed link elsewhere.
    ///
    /// # Panics
    ///
    /// When registering or confirming does not answer as usual.
    pub fn verified_account(&self, email: &str) {
        let mut c = self.instance(0).client();
        let r = c.api(
            "/auth/api/register",
            serde_json::json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
        );
        assert_eq!(r.status, 202, "{}", r.body);
        let token = self
            .instance(0)
            .mailed_token(email, "verification", "/verify/");
        c.set_addr(&self.instance(1).addr);
        let r = c.api("/auth/api/verify", serde_json::json!({ "token": token }));
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

/// One HTTP response.
#[derive(Debug, Clone)]
pub struct Resp {
    /// The status code.
    pub status: u16,
    /// Every header, in order (names in lowercase).
    pub headers: Vec<(String, String)>,
    /// The body, decoded from chunked transfer encoding.
    pub body: String,
}

impl From<testkit::Resp> for Resp {
    fn from(r: testkit::Resp) -> Self {
        let headers = r
            .headers
            .iter()
            .map(|(k, v)| {
                let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_owned(), v)
            })
            .collect();
        Resp {
            status: r.status.as_u16(),
            headers,
            body: r.body,
        }
    }
}

impl Resp {
    /// The first header named `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Location` header, or "" when absent.
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }

    /// The `Set-Cookie` header for cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .find(|v| v.split('=').next() == Some(name))
    }

    /// The body parsed as JSON (panics with the body when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// `error.code` of a JSON error body.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A request body.
#[derive(Debug)]
pub enum Body<'a> {
    /// No body.
    None,
    /// A form; the client appends its current CSRF token unless `csrf` is false.
    Form(&'a [(&'a str, &'a str)], bool),
    /// A JSON body.
    Json(&'a serde_json::Value),
    /// Raw bytes with a content type (`None`: no `Content-Type`).
    Raw(Option<&'a str>, &'a [u8]),
    /// Raw bytes sent with chunked transfer encoding (no `Content-Length`).
    Chunked(&'a str, &'a [u8]),
}

/// The blocking face of the workspace's one test client,
/// [`auth_http::testkit::Browser`] over [`Tcp`]: a cookie jar and the last CSRF token
/// seen in a form (`client.jar`, `client.csrf` and the browser's other fields and
/// helpers, through `Deref`), every request on a connection of its own from a loopback
/// address of its own, an `Origin` of the site on every request but `GET`, and the
/// answers as [`Resp`].
#[derive(Debug)]
pub struct Client {
    browser: Browser<Tcp>,
}

impl Deref for Client {
    type Target = Browser<Tcp>;

    fn deref(&self) -> &Browser<Tcp> {
        &self.browser
    }
}

impl DerefMut for Client {
    fn deref_mut(&mut self) -> &mut Browser<Tcp> {
        &mut self.browser
    }
}

/// The answer of the browser over [`Tcp`], whose futures are ready when first polled
/// (its I/O blocks).
fn blocking<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the TCP transport never waits"),
    }
}

impl Client {
    /// A client for the server at `addr` whose pages are served from `origin`.
    pub fn new(addr: &str, origin: &str) -> Self {
        let mut browser = Browser::new(Tcp::new(addr));
        addr.clone_into(&mut browser.host);
        browser.user_agent = Some("blackbox-tests".to_owned());
        browser.origin = Some(origin.to_owned());
        Client { browser }
    }

    /// Sends the following requests to the server at `addr` (another instance of the
    /// same site), keeping the cookies, the CSRF token, the `Origin` and the source
    /// address: what a load balancer does between a browser and the instances.
    pub fn set_addr(&mut self, addr: &str) {
        self.browser.transport_mut().set_addr(addr);
        addr.clone_into(&mut self.browser.host);
    }

    /// The loopback address this client connects from.
    pub fn source_ip(&self) -> Ipv4Addr {
        self.browser.transport().source_ip()
    }

    /// Sends one request with extra headers; `Origin` is this site's unless given (an
    /// extra header with an empty value is not sent).
    ///
    /// # Panics
    /// When `method` is not a method name.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Body<'_>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let method = Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("{method}: not a method: {e}"));
        let mut extra = extra.to_vec();
        let (content_type, bytes) = match body {
            Body::None => (None, Vec::new()),
            Body::Form(fields, with_csrf) => (
                Some("application/x-www-form-urlencoded"),
                self.browser.form(fields, with_csrf).into_bytes(),
            ),
            Body::Json(v) => (Some("application/json"), v.to_string().into_bytes()),
            Body::Raw(ct, b) => (ct, b.to_vec()),
            Body::Chunked(ct, b) => {
                extra.push(("Transfer-Encoding", "chunked"));
                (Some(ct), b.to_vec())
            }
        };
        let request = self
            .browser
            .request(method, path, content_type, bytes, &extra);
        blocking(request).into()
    }

    /// GET.
    pub fn get(&mut self, path: &str) -> Resp {
        blocking(self.browser.get(path)).into()
    }

    /// GET asking for JSON.
    pub fn get_json(&mut self, path: &str) -> Resp {
        blocking(self.browser.get_json(path)).into()
    }

    /// POST a form with the current CSRF token.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        blocking(self.browser.post(path, fields)).into()
    }

    /// POST JSON.
    pub fn api(&mut self, path: &str, body: serde_json::Value) -> Resp {
        blocking(self.browser.api(path, body)).into()
    }

    /// Opens the login page, then signs in with the form.
    pub fn login(&mut self, email: &str, password: &str) -> Resp {
        blocking(self.browser.login(email, password)).into()
    }

    /// Signs in through the JSON API.
    pub fn api_login(&mut self, email: &str, password: &str) -> Resp {
        blocking(self.browser.api_login(email, password)).into()
    }

    /// Follows a redirect once (GET).
    ///
    /// # Panics
    /// When `resp` is not a redirect to a local path.
    pub fn follow(&mut self, resp: &Resp) -> Resp {
        let location = resp.location().to_owned();
        assert!(
            (300..400).contains(&resp.status) && location.starts_with('/'),
            "not a local redirect: {} {location}",
            resp.status
        );
        self.get(&location)
    }
}

/// Percent-encodes a form or query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A distinct email address for one scenario on one demo.
pub fn email(scenario: &str, demo: &Demo) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}.{}.{}@example.com",
        scenario.replace('_', "-"),
        demo.framework.name(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The demo of `framework` on `backend` that the scenarios of one test binary share,
/// started at its first use (one per framework and backend; each test binary has its
/// own).
pub fn shared_demo(framework: Framework, backend: Backend) -> &'static Demo {
    static DEMOS: [OnceLock<Demo>; 6] = [const { OnceLock::new() }; 6];
    let i = match framework {
        Framework::Axum => 0,
        Framework::Poem => 1,
        Framework::Rocket => 2,
    } + match backend {
        Backend::Sqlite => 0,
        Backend::PostgresRedis => 3,
    };
    DEMOS[i].get_or_init(|| Demo::start(framework, backend, Mode::Dev))
}

/// Runs `scenario` against the [`shared_demo`] of `framework` on `backend`.
pub fn run_shared(framework: Framework, backend: Backend, scenario: fn(&Demo)) {
    scenario(shared_demo(framework, backend));
}

/// The demo of `framework` on `backend` started with the extra `flags` (e.g.
/// `["--email-sign-in"]`) that the scenarios of one test binary asking for the same
/// flags share, started at its first use; [`shared_demo`] is the one without flags.
pub fn shared_demo_with(
    framework: Framework,
    backend: Backend,
    flags: &'static [&'static str],
) -> &'static Demo {
    type Key = (Framework, Backend, &'static [&'static str]);
    static DEMOS: Mutex<Vec<(Key, &'static OnceLock<Demo>)>> = Mutex::new(Vec::new());
    let cell = {
        let mut demos = DEMOS.lock().unwrap_or_else(|e| e.into_inner());
        let key = (framework, backend, flags);
        match demos.iter().find(|(k, _)| *k == key) {
            Some((_, cell)) => *cell,
            None => {
                // One per framework, backend and set of flags for the life of the test
                // process (the watchdog stops the demo when the process ends).
                let cell: &'static OnceLock<Demo> = Box::leak(Box::new(OnceLock::new()));
                demos.push((key, cell));
                cell
            }
        }
    };
    cell.get_or_init(|| Demo::start_with(framework, backend, Mode::Dev, flags))
}

/// Runs `scenario` against the [`shared_demo_with`] `flags` of `framework` on `backend`.
pub fn run_shared_with(
    framework: Framework,
    backend: Backend,
    flags: &'static [&'static str],
    scenario: fn(&Demo),
) {
    scenario(shared_demo_with(framework, backend, flags));
}

/// Makes a test of each scenario (a `fn(&Demo)` beside the call, at the root of the test
/// crate) for each framework, on SQLite and on PostgreSQL with Redis (the latter needs
/// both services: skipped, never passed, without them), each on the [`shared_demo`]. The
/// test crate needs `test-services` as a dev-dependency.
///
/// `scenarios!(mod NAME = ["--flag", "value"]; a, b)` does the same on demos started
/// with those extra flags ([`shared_demo_with`]), in a module `NAME` (so that one test
/// crate can run scenarios on demos started differently).
#[macro_export]
macro_rules! scenarios {
    (mod $group:ident = $flags:tt; $($name:ident),* $(,)?) => {
        mod $group {
            $crate::scenarios!(@flagged axum, Axum, $flags, $($name),*);
            $crate::scenarios!(@flagged poem, Poem, $flags, $($name),*);
            $crate::scenarios!(@flagged rocket, Rocket, $flags, $($name),*);
        }
    };
    (@flagged $module:ident, $framework:ident, $flags:tt, $($name:ident),*) => {
        mod $module {
            mod sqlite {
                $(
                    #[test]
                    fn $name() {
                        $crate::run_shared_with(
                            $crate::Framework::$framework,
                            $crate::Backend::Sqlite,
                            &$flags,
                            super::super::super::$name,
                        );
                    }
                )*
            }
            mod postgres_redis {
                $(
                    #[test_services::needs(postgres, redis)]
                    #[test]
                    fn $name() {
                        $crate::run_shared_with(
                            $crate::Framework::$framework,
                            $crate::Backend::PostgresRedis,
                            &$flags,
                            super::super::super::$name,
                        );
                    }
                )*
            }
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::scenarios!(@framework axum, Axum, $($name),*);
        $crate::scenarios!(@framework poem, Poem, $($name),*);
        $crate::scenarios!(@framework rocket, Rocket, $($name),*);
    };
    (@framework $module:ident, $framework:ident, $($name:ident),*) => {
        mod $module {
            mod sqlite {
                $(
                    #[test]
                    fn $name() {
                        $crate::run_shared(
                            $crate::Framework::$framework,
                            $crate::Backend::Sqlite,
                            super::super::$name,
                        );
                    }
                )*
            }
            mod postgres_redis {
                $(
                    #[test_services::needs(postgres, redis)]
                    #[test]
                    fn $name() {
                        $crate::run_shared(
                            $crate::Framework::$framework,
                            $crate::Backend::PostgresRedis,
                            super::super::$name,
                        );
                    }
                )*
            }
        }
    };
}
