//! Faults end to end, against the demo processes over real sockets:
//!
//! - **A store cut or frozen under traffic.** The demo reaches PostgreSQL (users) or
//!   Redis (sessions, counters) through a TCP proxy (crate `fault-proxy`) that the test
//!   cuts (connection refused) or freezes (nothing answers) while clients register and
//!   use their sessions through the JSON API and the HTML pages. Every answer comes
//!   within a bound and is either the usual one or a 503 (the JSON error shape with
//!   `Retry-After`, or a page saying the service is temporarily unavailable), never a 500
//!   and never a hang;
//!   the site serves again by itself once the path is restored, and the database holds no
//!   half-written account.
//! - **SMTP down.** Registrations and resets succeed while nothing listens on the SMTP
//!   port; their mail waits, sealed, in the outbox; the process is restarted, the SMTP
//!   server comes up, and every mail arrives once, with links that work.
//! - **SIGKILL.** Registrations, resets and changes of address run concurrently while the
//!   process is killed at a random moment; another process (of another framework) starts
//!   on the same store, and every account is either fully changed or unchanged, and each
//!   mailed link works at most once, and only if its change was not applied yet.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use blackbox_tests::site::Site;
use blackbox_tests::smtp_sink::{self, SmtpSink};
use blackbox_tests::{Client, Demo, Framework, NEW_PASSWORD, PASSWORD, Resp, services};
use fault_proxy::BlockingProxy;
use serde_json::json;

/// The longest an answer may take while a path is cut (connection refused): far more than
/// it needs on a loaded 2-core machine.
const CUT_BOUND: Duration = Duration::from_secs(10);
/// The longest an answer may take while a path is frozen: the SQL store's operation
/// timeout (10 s; Redis gives up after about 2 s), and slack.
const FREEZE_BOUND: Duration = Duration::from_secs(20);
/// How long the site may take to serve again after the path is restored.
const RECOVERY_BOUND: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------
// A store cut or frozen under traffic
// ---------------------------------------------------------------------------------------

/// Which path the test breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// The demo's PostgreSQL connection (users).
    Database,
    /// The demo's Redis connection (sessions, counters).
    Redis,
}

/// How it breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// Connection refused, open connections closed.
    Cut,
    /// Connections open, nothing answers.
    Freeze,
}

/// The requests of the traffic; each needs both stores, except that a session lookup may
/// be served from memory (see [`served_from_memory`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `POST /auth/api/register` with a new address: 202.
    ApiRegister,
    /// The registration form with a new address: 200, "Check your inbox".
    HtmlRegister,
    /// `GET /auth/api/me` with a session: 200.
    ApiMe,
    /// `GET /auth/account` with a session: 200.
    HtmlAccount,
}

impl Kind {
    const ALL: [Kind; 4] = [
        Kind::ApiRegister,
        Kind::HtmlRegister,
        Kind::ApiMe,
        Kind::HtmlAccount,
    ];

    fn success(self) -> u16 {
        match self {
            Kind::ApiRegister => 202,
            _ => 200,
        }
    }

    fn api(self) -> bool {
        matches!(self, Kind::ApiRegister | Kind::ApiMe)
    }
}

/// One answer of the traffic.
#[derive(Debug)]
struct Answer {
    kind: Kind,
    started: Instant,
    took: Duration,
    resp: Resp,
    /// The address registered, for registrations.
    email: Option<String>,
}

impl Answer {
    fn ok(&self) -> bool {
        self.resp.status == self.kind.success()
    }
}

/// One request of `kind` (`me` is a signed-in client), timed.
fn request(demo: &Demo, kind: Kind, me: &mut Client, n: usize) -> Answer {
    let started = Instant::now();
    let mut email = None;
    let resp = match kind {
        Kind::ApiRegister | Kind::HtmlRegister => {
            let address = format!(
                "traffic.{}.{n}.{}@example.com",
                demo.framework.name(),
                nanos()
            );
            email = Some(address.clone());
            // A fresh client (and source address) each time: no per-address limit is hit.
            let mut c = demo.client();
            if kind == Kind::ApiRegister {
                c.api(
                    "/auth/api/register",
                    json!({"email": address, "password": PASSWORD, "password_confirm": PASSWORD}),
                )
            } else {
                let page = c.get("/auth/register");
                assert!(
                    [200, 503].contains(&page.status),
                    "GET /auth/register: {} {}",
                    page.status,
                    page.body
                );
                c.post(
                    "/auth/register",
                    &[
                        ("email", &address),
                        ("password", PASSWORD),
                        ("password_confirm", PASSWORD),
                    ],
                )
            }
        }
        Kind::ApiMe => me.get_json("/auth/api/me"),
        Kind::HtmlAccount => me.get("/auth/account"),
    };
    Answer {
        kind,
        started,
        took: started.elapsed(),
        resp,
        email,
    }
}

fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A signed-in client of a new verified account.
fn signed_in(demo: &Demo, label: &str) -> Client {
    let email = format!("{label}.{}.{}@example.com", demo.framework.name(), nanos());
    demo.create_user(&email, false, true);
    let mut c = demo.client();
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 200, "{}", r.body);
    c
}

/// Asserts that a 503 is the documented one: the JSON error shape with `Retry-After`
/// for the API, the error page for HTML.
fn assert_unavailable_shape(a: &Answer) {
    if a.kind.api() {
        assert_eq!(a.resp.error_code(), "unavailable", "{:?}", a.resp);
        assert!(
            a.resp.json()["error"]["message"].is_string(),
            "{:?}",
            a.resp
        );
        assert!(a.resp.header("retry-after").is_some(), "{:?}", a.resp);
    } else {
        assert!(
            a.resp
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{:?}",
            a.resp
        );
        // The error page, or the form again with the message.
        assert!(
            a.resp
                .body
                .to_lowercase()
                .contains("temporarily unavailable"),
            "{}",
            a.resp.body
        );
    }
}

/// Whether `a`, answered while `path` was broken, may be the usual answer: the kinds that
/// use a session (`GET /auth/api/me`, the account page) read nothing but the session and
/// its user, and while PostgreSQL (the users) is down the demo may serve that lookup from
/// its memory, checked against the revision of users and sessions in Redis, which still
/// answers (no revocation can be written meanwhile: it would need the database).
/// Registrations need the database and must be refused.
fn served_from_memory(path: Path, a: &Answer) -> bool {
    path == Path::Database && matches!(a.kind, Kind::ApiMe | Kind::HtmlAccount) && a.ok()
}

/// Traffic of every kind against a PostgreSQL + Redis demo reached through proxies;
/// `path` breaks with `fault` for a while, then is restored.
fn outage(framework: Framework, path: Path, fault: Fault) {
    let (pg, redis) = services("a store cut under traffic");
    let pg_proxy = BlockingProxy::in_front_of(&pg, 5432);
    let redis_proxy = BlockingProxy::in_front_of(&redis, 6379);
    let site = Site::postgres_redis(pg_proxy.url(), redis_proxy.url());
    let demo = site.start(framework, &[]);
    let proxy = match path {
        Path::Database => &pg_proxy,
        Path::Redis => &redis_proxy,
    };
    let (bound, outage_for) = match fault {
        // Longer than the SQL store's acquire timeout (5 s), for which it retries a
        // refused connection before giving up.
        Fault::Cut => (CUT_BOUND, Duration::from_secs(12)),
        // Long enough for requests that start after the freeze to time out before the end.
        Fault::Freeze => (FREEZE_BOUND, FREEZE_BOUND),
    };

    let answers: Mutex<Vec<Answer>> = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let (broken, restored, recovered) = thread::scope(|scope| {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            let (demo, answers, stop) = (&demo, &answers, &stop);
            let mut me = signed_in(demo, &format!("outage{i}"));
            scope.spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let a = request(demo, kind, &mut me, n);
                    answers.lock().unwrap().push(a);
                    thread::sleep(Duration::from_millis(100));
                }
            });
        }
        thread::sleep(Duration::from_secs(2));
        match fault {
            Fault::Cut => proxy.cut(),
            Fault::Freeze => proxy.freeze(),
        }
        let broken = Instant::now();
        thread::sleep(outage_for);
        let restored = Instant::now();
        proxy.restore();
        // Serving again: every kind has succeeded since the restore.
        let recovered = loop {
            let back = {
                let answers = answers.lock().unwrap();
                Kind::ALL.iter().all(|k| {
                    answers
                        .iter()
                        .any(|a| a.kind == *k && a.started >= restored && a.ok())
                })
            };
            if back {
                break Some(Instant::now());
            }
            if restored.elapsed() > RECOVERY_BOUND {
                break None;
            }
            thread::sleep(Duration::from_millis(100));
        };
        if recovered.is_some() {
            thread::sleep(Duration::from_secs(2));
        }
        stop.store(true, Ordering::Relaxed);
        (broken, restored, recovered)
    });
    let recovered = recovered.unwrap_or_else(|| {
        panic!(
            "{framework:?}: not serving again {RECOVERY_BOUND:?} after the {path:?} path was restored"
        )
    });
    let answers = answers.into_inner().unwrap();

    let mut during = 0;
    let mut kept = 0;
    for a in &answers {
        let what = format!("{framework:?} {path:?} {fault:?} {:?}", a.kind);
        assert!(
            a.ok() || a.resp.status == 503,
            "{what}: {} {}",
            a.resp.status,
            a.resp.body
        );
        assert!(a.took <= bound, "{what}: answered after {:?}", a.took);
        if a.resp.status == 503 {
            assert_unavailable_shape(a);
        }
        let end = a.started + a.took;
        if a.started >= broken && end <= restored {
            if served_from_memory(path, a) {
                kept += 1;
            } else {
                assert_eq!(a.resp.status, 503, "{what} while broken: {}", a.resp.body);
                during += 1;
            }
        }
        if a.started >= recovered {
            assert!(
                a.ok(),
                "{what} after recovery: {} {}",
                a.resp.status,
                a.resp.body
            );
        }
    }
    assert!(during > 0, "no request ran while the path was broken");
    let slowest = answers.iter().map(|a| a.took).max().unwrap_or_default();
    eprintln!(
        "{framework:?} {path:?} {fault:?}: {} answers, {during} while broken (all 503), {kept} served from kept session lookups, slowest {slowest:?}, serving again {:?} after the restore",
        answers.len(),
        recovered - restored
    );
    assert_registrations_whole(&site, &answers);
}

/// Nothing half-written: every accepted registration is one complete account; one
/// answered 503 is either absent or complete.
fn assert_registrations_whole(site: &Site, answers: &[Answer]) {
    let rows = site.sql(&format!(
        "SELECT email, password_hash LIKE '$argon2id$%' AND length(security_stamp) > 0 AND status = 'active' AND email_verified_at IS NULL FROM {}",
        site.table("users")
    ));
    let accounts: Vec<(&str, &str)> = rows.lines().filter_map(|l| l.split_once('|')).collect();
    for a in answers {
        let Some(email) = &a.email else { continue };
        let found: Vec<_> = accounts.iter().filter(|(e, _)| e == email).collect();
        assert!(found.len() <= 1, "{email}: {found:?}");
        if a.ok() {
            assert_eq!(found.len(), 1, "{email} was accepted but has no account");
        }
        if let Some((_, whole)) = found.first() {
            assert!(
                ["t", "1"].contains(whole),
                "{email}: a half-written account: {rows}"
            );
        }
    }
}

#[test_services::needs(postgres, redis)]
#[test]
fn database_cut_under_traffic_axum() {
    outage(Framework::Axum, Path::Database, Fault::Cut);
}

#[test_services::needs(postgres, redis)]
#[test]
fn database_frozen_under_traffic_poem() {
    outage(Framework::Poem, Path::Database, Fault::Freeze);
}

#[test_services::needs(postgres, redis)]
#[test]
fn redis_cut_under_traffic_rocket() {
    outage(Framework::Rocket, Path::Redis, Fault::Cut);
}

#[test_services::needs(postgres, redis)]
#[test]
fn redis_frozen_under_traffic_axum() {
    outage(Framework::Axum, Path::Redis, Fault::Freeze);
}

// ---------------------------------------------------------------------------------------
// SMTP down
// ---------------------------------------------------------------------------------------

/// Registrations and resets while nothing listens on the SMTP port answer as usual and
/// queue their mail (sealed: no link in clear); after a restart of the process and with
/// the SMTP server up, every mail arrives exactly once and its link works.
#[test_services::needs(smtp_server)]
#[test]
fn smtp_down_mail_waits_in_the_outbox_across_a_restart() {
    let site = Site::sqlite();
    let port = smtp_sink::free_port();
    let smtp = smtp_sink::smtp_url(port);
    let flags = ["--smtp-url", smtp.as_str()];
    let demo = site.start(Framework::Axum, &flags);
    let resets = ["smtp-reset-api@example.com", "smtp-reset-form@example.com"];
    for email in resets {
        demo.create_user(email, false, true);
    }
    let registrations = [
        "smtp-reg-api-1@example.com",
        "smtp-reg-api-2@example.com",
        "smtp-reg-form@example.com",
    ];

    let timed = |what: &str, f: &mut dyn FnMut() -> Resp, status: u16| {
        let started = Instant::now();
        let r = f();
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert!(
            started.elapsed() <= CUT_BOUND,
            "{what}: {:?}",
            started.elapsed()
        );
        r
    };
    for email in &registrations[..2] {
        let mut c = demo.client();
        timed(
            "API registration",
            &mut || {
                c.api(
                    "/auth/api/register",
                    json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
                )
            },
            202,
        );
    }
    let mut c = demo.client();
    c.get("/auth/register");
    let r = timed(
        "registration form",
        &mut || {
            c.post(
                "/auth/register",
                &[
                    ("email", registrations[2]),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
        },
        200,
    );
    assert!(r.body.contains("Check your inbox"), "{}", r.body);
    let mut c = demo.client();
    timed(
        "API reset request",
        &mut || {
            c.api(
                "/auth/api/request_password_reset",
                json!({"email": resets[0]}),
            )
        },
        202,
    );
    let mut c = demo.client();
    c.get("/auth/request_password_reset");
    timed(
        "reset form",
        &mut || c.post("/auth/request_password_reset", &[("email", resets[1])]),
        200,
    );

    // The mail waits in the outbox, sealed.
    let outbox = site.table("outbox");
    let expected = registrations.len() + resets.len();
    let waited = Instant::now();
    while site.sql(&format!("SELECT count(*) FROM {outbox}")) != expected.to_string() {
        assert!(
            waited.elapsed() < CUT_BOUND,
            "the outbox holds {} of {expected} mails",
            site.sql(&format!("SELECT count(*) FROM {outbox}"))
        );
        thread::sleep(Duration::from_millis(100));
    }
    let queued = Instant::now();
    assert_eq!(
        site.sql(&format!(
            "SELECT count(*) FROM {outbox} WHERE text_body LIKE '%/auth/%' OR html_body LIKE '%/auth/%'"
        )),
        "0",
        "a queued mail holds a link in clear"
    );
    assert_eq!(
        std::fs::read_dir(&site.mail_dir).map_or(0, Iterator::count),
        0
    );
    drop(demo);

    // The server comes up; a new process (of another framework) delivers once the first
    // retry is due (30 s after the failed attempt: the outbox's documented backoff).
    let _sink = SmtpSink::start(port, &site.mail_dir);
    thread::sleep((queued + Duration::from_secs(31)).saturating_duration_since(Instant::now()));
    let demo = site.start(Framework::Poem, &flags);
    for email in registrations {
        let token = demo.mailed_token(email, "verification", "/verify/");
        let mut c = demo.client();
        let r = c.api("/auth/api/verify", json!({ "token": token }));
        assert_eq!(r.status, 200, "{email}: {}", r.body);
    }
    for email in resets {
        let token = demo.mailed_token(email, "password_reset", "/reset/");
        let mut c = demo.client();
        let r = c.api(
            "/auth/api/reset_password",
            json!({"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
        );
        assert_eq!(r.status, 200, "{email}: {}", r.body);
        assert_eq!(demo.client().api_login(email, NEW_PASSWORD).status, 200);
    }
    // Delivered mail leaves the outbox, and none came twice.
    let waited = Instant::now();
    while site.sql(&format!("SELECT count(*) FROM {outbox}")) != "0" {
        assert!(waited.elapsed() < CUT_BOUND, "the outbox is not emptied");
        thread::sleep(Duration::from_millis(100));
    }
    for email in registrations {
        assert_eq!(demo.mail_count(email, "verification"), 1, "{email}");
    }
    for email in resets {
        assert_eq!(demo.mail_count(email, "password_reset"), 1, "{email}");
    }
}

// ---------------------------------------------------------------------------------------
// SIGKILL
// ---------------------------------------------------------------------------------------

/// Rounds of traffic and a kill; each restarts on the next framework.
const ROUNDS: usize = 3;
/// The framework of each round's process, in turn.
const FRAMEWORKS: [Framework; 3] = [Framework::Axum, Framework::Poem, Framework::Rocket];

/// What one flow got to before the kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reached {
    /// Not answered (the process died first).
    Nothing,
    /// Asked for: the registration, reset request or change request answered 202.
    Asked,
    /// The mailed link was used and answered 200 (resets and changes of address).
    Done,
}

/// Which flow.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FlowKind {
    /// A registration through the API.
    Register,
    /// A reset: asking for the link, then using it.
    Reset,
    /// A change of address to this one: asking, then confirming with the link.
    ChangeEmail(String),
}

/// One flow of a round and what it got to.
#[derive(Debug)]
struct Flow {
    /// The account's address (for a change of address: the old one).
    email: String,
    kind: FlowKind,
    reached: Reached,
}

/// `f`, or `None` if it panicked: a request to a process that was killed fails, and
/// the client panics.
fn attempt<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// The name of the threads whose panics [`quiet_traffic_panics`] silences.
const TRAFFIC: &str = "traffic";

/// Silences the panics of the traffic threads, which are expected once the process is
/// killed (and caught by [`attempt`]); every other panic is reported as usual.
fn quiet_traffic_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if thread::current().name() != Some(TRAFFIC) {
            default(info);
        }
    }));
}

/// The token of the newest `kind` mail to `to` already written, if any.
fn mailed_token(site: &Site, to: &str, kind: &str, marker: &str) -> Option<String> {
    let mail = auth_smtp::wait_for_mail(&site.mail_dir, Duration::ZERO, |m| {
        m.is_to(to) && m.kind.as_deref() == Some(kind)
    })
    .expect("the mail directory is readable")?;
    let link = mail.link_containing(marker)?;
    Some(link.rsplit('/').next().unwrap_or_default().to_owned())
}

/// Waits (a few seconds at most) for the token of a `kind` mail to `to`.
fn wait_token(site: &Site, to: &str, kind: &str, marker: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let token = mailed_token(site, to, kind, marker);
        if token.is_some() || Instant::now() > deadline {
            return token;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Runs one flow against `demo` until it ends or the process dies.
fn run_flow(site: &Site, demo: &Demo, email: String, kind: FlowKind, me: Option<Client>) -> Flow {
    let mut reached = Reached::Nothing;
    let (ask, marker, mail_kind, to) = match &kind {
        FlowKind::Register => (
            attempt(|| {
                demo.client().api(
                    "/auth/api/register",
                    json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
                )
            }),
            "",
            "",
            email.clone(),
        ),
        FlowKind::Reset => (
            attempt(|| {
                demo.client().api(
                    "/auth/api/request_password_reset",
                    json!({ "email": email }),
                )
            }),
            "/reset/",
            "password_reset",
            email.clone(),
        ),
        FlowKind::ChangeEmail(new_email) => {
            let mut me = me.expect("a signed-in client");
            (
                attempt(|| {
                    me.api(
                        "/auth/api/account/email",
                        json!({"new_email": new_email, "password": PASSWORD}),
                    )
                }),
                "/email/confirm/",
                "email_change",
                new_email.clone(),
            )
        }
    };
    if ask.is_some_and(|r| r.status == 202) {
        reached = Reached::Asked;
        if let Some(token) = (kind != FlowKind::Register)
            .then(|| wait_token(site, &to, mail_kind, marker))
            .flatten()
        {
            let (path, body) = if kind == FlowKind::Reset {
                (
                    "/auth/api/reset_password",
                    json!({"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
                )
            } else {
                ("/auth/api/email/confirm", json!({ "token": token }))
            };
            if attempt(|| demo.client().api(path, body)).is_some_and(|r| r.status == 200) {
                reached = Reached::Done;
            }
        }
    }
    Flow {
        email,
        kind,
        reached,
    }
}

/// Registrations, resets and changes of address on `site`, interrupted by `SIGKILL` at a
/// random moment, [`ROUNDS`] times; after each kill a process of the next framework
/// checks every account.
fn killed_mid_flight(site: &Site) {
    quiet_traffic_panics();
    for round in 0..ROUNDS {
        let demo = site.start(FRAMEWORKS[round % 3], &[]);
        let label =
            |what: &str, i: usize| format!("kill.{round}.{what}.{i}.{}@example.com", nanos());
        let mut plan: Vec<(String, FlowKind)> = Vec::new();
        for i in 0..6 {
            plan.push((label("register", i), FlowKind::Register));
        }
        for i in 0..3 {
            plan.push((label("reset", i), FlowKind::Reset));
            let old = label("change", i);
            let new = old.replacen("change", "changed", 1);
            plan.push((old, FlowKind::ChangeEmail(new)));
        }
        // All at once: on a SQLite site the first ones also race to make the secret
        // file `create-user` keeps beside the database.
        thread::scope(|s| {
            for (email, kind) in &plan {
                if *kind != FlowKind::Register {
                    let demo = &demo;
                    s.spawn(move || demo.create_user(email, false, true));
                }
            }
        });
        let mut plan: Vec<(String, FlowKind, Option<Client>)> = plan
            .into_iter()
            .map(|(email, kind)| {
                let me = matches!(kind, FlowKind::ChangeEmail(_)).then(|| {
                    let mut c = demo.client();
                    assert_eq!(c.api_login(&email, PASSWORD).status, 200, "{email}");
                    c
                });
                (email, kind, me)
            })
            .collect();

        let start = Barrier::new(plan.len() + 1);
        let (killed, flows) = thread::scope(|s| {
            let running: Vec<_> = plan
                .drain(..)
                .map(|(email, kind, me)| {
                    let (demo, start) = (&demo, &start);
                    thread::Builder::new()
                        .name(TRAFFIC.to_owned())
                        .spawn_scoped(s, move || {
                            start.wait();
                            run_flow(site, demo, email, kind, me)
                        })
                        .expect("a thread")
                })
                .collect();
            start.wait();
            // Somewhere between the first requests and the end of the slowest flows.
            let random = RandomState::new().hash_one(round);
            let delay = Duration::from_millis(100 + random % 2400);
            thread::sleep(delay);
            demo.kill_hard();
            let flows: Vec<Flow> = running
                .into_iter()
                .map(|t| t.join().expect("a flow thread"))
                .collect();
            (delay, flows)
        });
        drop(demo);
        let demo = site.start(FRAMEWORKS[(round + 1) % 3], &[]);
        let mut tally = [0usize; 3];
        for flow in &flows {
            tally[flow.reached as usize] += 1;
            check_after_restart(site, &demo, flow);
        }
        eprintln!(
            "{:?} round {round}: killed after {killed:?}; flows not answered/asked/done: {tally:?}; every account consistent",
            site.backend
        );
    }
}

/// The outcome of signing in with `password`: the status and the error code.
fn login(demo: &Demo, email: &str, password: &str) -> (u16, String) {
    let r = demo.client().api_login(email, password);
    let code = if r.status == 200 {
        String::new()
    } else {
        r.error_code()
    };
    (r.status, code)
}

/// Sends a mailed link's token to `path` twice: the first use must give `first`, the
/// second must be refused as an invalid token.
fn use_twice(demo: &Demo, path: &str, body: &serde_json::Value, first: u16, what: &str) {
    let r = demo.client().api(path, body.clone());
    assert_eq!(r.status, first, "{what}, first use: {}", r.body);
    assert_refused(demo, path, body, what);
}

/// A used or superseded link is refused as an invalid token.
fn assert_refused(demo: &Demo, path: &str, body: &serde_json::Value, what: &str) {
    let r = demo.client().api(path, body.clone());
    assert_eq!(r.status, 400, "{what}: a used link works again: {}", r.body);
    assert_eq!(r.error_code(), "invalid_token", "{what}: {}", r.body);
}

/// Which of two passwords (or addresses) signs in: exactly one must.
fn which_signs_in(demo: &Demo, (a, pa): (&str, &str), (b, pb): (&str, &str)) -> bool {
    let first = login(demo, a, pa).0;
    let second = login(demo, b, pb).0;
    assert!(
        (first, second) == (200, 401) || (first, second) == (401, 200),
        "{a} / {b}: {first}, {second}: half changed"
    );
    second == 200
}

/// One account after the kill and restart: either fully changed or unchanged, and its
/// mailed link works once exactly when its change was not applied yet.
fn check_after_restart(site: &Site, demo: &Demo, flow: &Flow) {
    let email = flow.email.as_str();
    let accounts = |address: &str| {
        site.sql(&format!(
            "SELECT count(*) FROM {} WHERE email = '{address}'",
            site.table("users")
        ))
    };
    match &flow.kind {
        FlowKind::Register => {
            let present = match accounts(email).as_str() {
                "0" => false,
                "1" => true,
                n => panic!("{email}: {n} accounts"),
            };
            if flow.reached == Reached::Asked {
                assert!(present, "{email}: accepted, but no account");
            }
            let token = mailed_token(site, email, "verification", "/verify/");
            if !present {
                assert_eq!(
                    login(demo, email, PASSWORD),
                    (401, "invalid_credentials".to_owned())
                );
                assert!(token.is_none(), "{email}: a link to no account");
                return;
            }
            // Signed in, or refused only for the unconfirmed address, as configured.
            let signed_in = login(demo, email, PASSWORD);
            assert!(
                signed_in.0 == 200 || signed_in == (403, "email_not_verified".to_owned()),
                "{email}: {signed_in:?}"
            );
            if let Some(token) = token {
                use_twice(
                    demo,
                    "/auth/api/verify",
                    &json!({ "token": token }),
                    200,
                    email,
                );
                assert_eq!(login(demo, email, PASSWORD).0, 200, "{email}");
            }
        }
        FlowKind::Reset => {
            let applied = which_signs_in(demo, (email, PASSWORD), (email, NEW_PASSWORD));
            if flow.reached == Reached::Done {
                assert!(applied, "{email}: reset answered 200 but not applied");
            }
            if let Some(token) = mailed_token(site, email, "password_reset", "/reset/") {
                let path = "/auth/api/reset_password";
                let body = json!({"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD});
                if applied {
                    assert_refused(demo, path, &body, email);
                } else {
                    use_twice(demo, path, &body, 200, email);
                    assert_eq!(login(demo, email, NEW_PASSWORD).0, 200, "{email}");
                }
            }
        }
        FlowKind::ChangeEmail(new_email) => {
            let applied = which_signs_in(demo, (email, PASSWORD), (new_email, PASSWORD));
            let rows = (accounts(email), accounts(new_email));
            let expected = if applied { ("0", "1") } else { ("1", "0") };
            assert_eq!(
                (rows.0.as_str(), rows.1.as_str()),
                expected,
                "{email} -> {new_email}"
            );
            if flow.reached == Reached::Done {
                assert!(applied, "{email}: change answered 200 but not applied");
            }
            if let Some(token) = mailed_token(site, new_email, "email_change", "/email/confirm/") {
                let path = "/auth/api/email/confirm";
                let body = json!({ "token": token });
                if applied {
                    assert_refused(demo, path, &body, email);
                } else {
                    use_twice(demo, path, &body, 200, email);
                    assert_eq!(login(demo, new_email, PASSWORD).0, 200, "{new_email}");
                }
            }
        }
    }
}

#[test]
fn killed_mid_flight_sqlite_file() {
    killed_mid_flight(&Site::sqlite());
}

#[test_services::needs(postgres, redis)]
#[test]
fn killed_mid_flight_postgres_redis() {
    let (pg, redis) = services("SIGKILL on PostgreSQL + Redis");
    killed_mid_flight(&Site::postgres_redis(&pg, &redis));
}
