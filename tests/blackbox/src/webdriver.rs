//! A minimal W3C WebDriver client for headless Chromium through `chromedriver`.
//!
//! Why not `fantoccini`: it brings a hyper client stack and a TLS backend (whose rustls
//! feature pulls `aws-lc-rs` unless carefully configured), while chromedriver is only
//! ever reached over plain HTTP on 127.0.0.1. The handful of commands these tests need
//! (new session, navigate, find, type, click, source, URL, window size, screenshot) are
//! a few JSON requests, written here over the same tiny HTTP code as the rest of the
//! harness: no extra dependency, nothing to audit for native TLS.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The flags Chromium needs on this machine's closed network and in CI.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
];

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn which(names: &[&str], env: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.push(PathBuf::from("/usr/bin"));
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|c| c.is_file())
}

/// Chromium and chromedriver.
///
/// A test that needs them carries `#[test_services::needs(chromium, chromedriver)]`, which
/// ignores it (reported as skipped) in a build where they are not found, never under CI.
///
/// # Panics
/// When either is missing.
pub fn browser_tools(test: &str) -> (PathBuf, PathBuf) {
    let chromium = which(
        &[
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ],
        "CHROMIUM",
    );
    let driver = which(&["chromedriver"], "CHROMEDRIVER");
    match (chromium, driver) {
        (Some(c), Some(d)) => (c, d),
        (c, d) => panic!(
            "{test}: Chromium and chromedriver are needed; found chromium={c:?} \
             chromedriver={d:?} (Debian: apt-get install chromium chromium-driver)"
        ),
    }
}

/// A chromedriver process on a free port with one browser session.
#[derive(Debug)]
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.command("DELETE", "", None);
        drop(self.driver.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.driver.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(90)))
        .map_err(|e| e.to_string())?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        payload.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(payload.as_bytes()))
        .map_err(|e| format!("send: {e}"))?;
    // chromedriver keeps the connection open: read until the answer is complete.
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let n = stream.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if crate::tcp::complete(&raw) {
            break;
        }
    }
    let resp = crate::tcp::parse(&raw).ok_or("not an HTTP answer")?;
    let body = String::from_utf8_lossy(resp.body());
    let v: Value = serde_json::from_str(&body).map_err(|e| format!("not JSON ({e}): {body}"))?;
    if resp.status().as_u16() >= 400 {
        return Err(format!("{method} {path}: {} {v}", resp.status().as_u16()));
    }
    Ok(v)
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium session with a fresh
    /// profile and a `width`×`height` window.
    ///
    /// # Panics
    ///
    /// When chromedriver or the browser does not come up within a minute.
    pub fn start(chromium: &std::path::Path, driver: &std::path::Path, size: (u32, u32)) -> Self {
        let port = crate::free_port();
        // Under the watchdog, so that chromedriver (and the browser it owns) stops with
        // this process even if it aborts.
        let child = crate::supervised(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()));
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut browser = Browser {
            driver: child,
            port,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(v) = http(port, "GET", "/status", None)
                && v["value"]["ready"] == true
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser._profile.path().display()
        ));
        args.push(format!("--window-size={},{}", size.0, size.1));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {"binary": chromium.display().to_string(), "args": args},
        }}});
        let v = http(port, "POST", "/session", Some(&caps))
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"));
        browser.session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {v}"))
            .to_owned();
        browser.set_window(size);
        browser
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let p = format!("/session/{}{path}", self.session);
        let body = match (method, body) {
            ("POST", None) => Some(json!({})),
            (_, b) => b,
        };
        http(self.port, method, &p, body.as_ref()).map(|v| v["value"].clone())
    }

    fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.command(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver: {e}"))
    }

    /// Resizes the window so that the viewport (what screenshots show) is
    /// `width`×`height` CSS pixels: the window rectangle includes the browser's own
    /// frame, so the difference is measured and added.
    pub fn set_window(&self, (width, height): (u32, u32)) {
        let resize = |w: u32, h: u32| {
            self.must(
                "POST",
                "/window/rect",
                Some(json!({"width": w, "height": h})),
            );
        };
        resize(width, height);
        let inner = |what: &str| {
            self.command(
                "POST",
                "/execute/sync",
                Some(json!({"script": format!("return window.{what}"), "args": []})),
            )
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(0) as u32
        };
        let (w, h) = (inner("innerWidth"), inner("innerHeight"));
        if (w, h) != (width, height) && w > 0 && h > 0 {
            resize(
                width + width.saturating_sub(w),
                height + height.saturating_sub(h),
            );
        }
    }

    /// Navigates to `url` and waits for the load.
    pub fn goto(&self, url: &str) {
        self.must("POST", "/url", Some(json!({"url": url})));
    }

    /// The current URL.
    pub fn url(&self) -> String {
        self.must("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The current DOM, serialised.
    pub fn source(&self) -> String {
        self.must("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The visible text of the page body. A page being replaced (a form a script just
    /// submitted) has no document to run the script in for a moment: that is asked
    /// again for up to 5 s before it counts as a failure.
    pub fn text(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.try_text() {
                Ok(text) => return text,
                Err(e) if e.contains("no such execution context") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("WebDriver: {e}"),
            }
        }
    }

    fn try_text(&self) -> Result<String, String> {
        // A script rather than an element reference: the page may be replaced between
        // two commands (a form just submitted), which would make a reference stale.
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.body ? document.body.innerText : ''", "args": []})),
        )
        .map(|v| v.as_str().unwrap_or_default().to_owned())
    }

    /// The id of the first element matching a CSS selector (panics when none).
    pub fn find(&self, css: &str) -> String {
        match self.command(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        ) {
            Ok(v) => v[ELEMENT]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| panic!("WebDriver: no element id in {v}")),
            Err(e) => panic!(
                "no element matches {css:?} on {} ({e}):\n{}",
                self.url(),
                self.source()
            ),
        }
    }

    /// The id of the first element matching a CSS selector, if any.
    pub fn try_find(&self, css: &str) -> Option<String> {
        let v = self
            .command(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .ok()?;
        v[ELEMENT].as_str().map(str::to_owned)
    }

    /// Types `text` into the element matching `css` (after clearing it).
    pub fn fill(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.must("POST", &format!("/element/{el}/clear"), None);
        self.must(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Chooses the file at `path` in the file input matching `css`.
    pub fn attach(&self, css: &str, path: &std::path::Path) {
        let el = self.find(css);
        self.must(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({"text": path.display().to_string()})),
        );
    }

    /// Clicks the element matching `css` (a submit button: the page load is awaited by
    /// the next command, bounded by chromedriver's page-load timeout).
    pub fn click(&self, css: &str) {
        let el = self.find(css);
        self.must("POST", &format!("/element/{el}/click"), None);
    }

    /// Waits (bounded) until the page text contains `needle`.
    ///
    /// # Panics
    ///
    /// With the page's URL and text when it does not appear within 20 seconds.
    pub fn wait_for_text(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.try_text().unwrap_or_default();
            if text.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} did not appear on {} within 20 s; the page says:\n{text}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (bounded) until the page's first `<h1>` contains `heading`: a page change,
    /// unlike text that the previous page may also show.
    ///
    /// # Panics
    ///
    /// With the page's URL and text when it does not appear within 20 seconds.
    pub fn wait_for_heading(&self, heading: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let h1 = self
                .command(
                    "POST",
                    "/execute/sync",
                    Some(json!({"script": "var h = document.querySelector('h1'); return h ? h.innerText : ''", "args": []})),
                )
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .unwrap_or_default();
            if h1.contains(heading) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "heading {heading:?} did not appear on {} within 20 s (h1: {h1:?}); the page says:\n{}",
                self.url(),
                self.try_text().unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page and returns
    /// what it returns.
    ///
    /// # Panics
    ///
    /// When the script throws or the page is gone.
    pub fn execute(&self, script: &str, args: &[Value]) -> Value {
        self.must(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let v = self.must("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("the screenshot is base64")
    }

    /// Scrolls the first element matching `css` to the top of the viewport.
    pub fn scroll_to(&self, css: &str) {
        self.must(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "document.querySelector(arguments[0]).scrollIntoView({block: 'start'})",
                "args": [css],
            })),
        );
    }

    /// The page's full height in CSS pixels.
    pub fn document_height(&self) -> u32 {
        let v = self.must(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.documentElement.scrollHeight", "args": []})),
        );
        v.as_u64().unwrap_or(0) as u32
    }

    /// The page's full width in CSS pixels (wider than the window means it overflows).
    pub fn document_width(&self) -> u32 {
        let v = self.must(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.documentElement.scrollWidth", "args": []})),
        );
        v.as_u64().unwrap_or(0) as u32
    }

    /// Adds a virtual authenticator to the session (WebDriver's WebAuthn extension, which
    /// chromedriver implements): a platform authenticator (CTAP2, internal transport)
    /// that keeps discoverable credentials and verifies its user every time, as a phone or
    /// laptop with a fingerprint reader does. Returns its id.
    pub fn add_virtual_authenticator(&self) -> String {
        let v = self.must(
            "POST",
            "/webauthn/authenticator",
            Some(json!({
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserVerified": true,
            })),
        );
        v.as_str()
            .unwrap_or_else(|| panic!("no authenticator id in {v}"))
            .to_owned()
    }

    /// The credentials the virtual authenticator `id` holds (each with `credentialId`,
    /// `isResidentCredential`, `rpId`, `signCount`, ...).
    pub fn authenticator_credentials(&self, id: &str) -> Vec<Value> {
        let v = self.must(
            "GET",
            &format!("/webauthn/authenticator/{id}/credentials"),
            None,
        );
        v.as_array().cloned().unwrap_or_default()
    }

    /// Takes every credential out of the virtual authenticator `id` and returns them (to
    /// be put back with [`Browser::put_authenticator_credential`]): while it holds none,
    /// a page's passkey autofill waits instead of answering at once.
    pub fn take_authenticator_credentials(&self, id: &str) -> Vec<Value> {
        let held = self.authenticator_credentials(id);
        self.must(
            "DELETE",
            &format!("/webauthn/authenticator/{id}/credentials"),
            None,
        );
        held
    }

    /// Puts a credential (as [`Browser::authenticator_credentials`] lists it, private key
    /// included) into the virtual authenticator `id`.
    pub fn put_authenticator_credential(&self, id: &str, credential: &Value) {
        self.must(
            "POST",
            &format!("/webauthn/authenticator/{id}/credential"),
            Some(credential.clone()),
        );
    }
}
