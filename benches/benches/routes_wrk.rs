//! Per-request cost of an authenticated route under `wrk` on loopback, for every
//! framework adapter:
//!
//! - `axum`, `poem`, `rocket`: the adapter (`AuthLayer` wrapped around the router by
//!   `AuthLayer::wrap`, `AuthMiddleware`, `AuthFairing`, plus the `CurrentUser` extractor
//!   or guard) over the memory store, against
//!   `<framework>-no-auth`, the same route with no authentication at all (the shared
//!   setup is in `common/`);
//! - `axum-login`: axum-login 0.18 with tower-sessions 0.14 and its `MemoryStore`
//!   (`login_required!` + the `AuthSession` extractor, its layer wrapped around the router
//!   as ours is), users in a `HashMap`, against our Axum route.
//!
//! All servers run in this process on one Tokio runtime; `wrk` (Debian's package)
//! loads one of them at a time: one untimed pass over all of them, then every round
//! each framework with and without auth back to back, in an order swapped every round,
//! and the ratios are taken within each round. Every request carries the session cookie (also to the routes
//! without auth). Every response is checked before the run (200 with the user's
//! address) and `wrk`'s non-2xx count must be zero. The bench also counts store calls
//! per request on the Axum route.
//!
//! ```text
//! apt-get install wrk
//! cargo bench -p auth-benches --bench routes_wrk -- [--rounds 5] [--seconds 5]
//!     [--connections 32] [--threads 1] [--workers N] [--wrk-cpus LIST] [--stages]
//! ```
//!
//! `--workers` sets the Tokio runtime's worker threads (default: one per CPU);
//! `--wrk-cpus` runs `wrk` under `taskset -c LIST`. Together with `taskset` on the bench
//! itself they keep the servers and the load generator on separate cores, so that the
//! servers' throughput is bounded by their own CPU time per request rather than by how
//! the scheduler shares two cores between them and `wrk`:
//!
//! ```text
//! taskset -c 0 routes_wrk-<hash> --bench --workers 1 --wrk-cpus 1
//! ```
//!
//! `--stages` measures, instead of the comparison, where the Axum route's cost goes, part
//! by part; `routes_wrk/stages.rs` lists the servers it compares.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a bench that cannot set itself up has nothing to report: failing loudly is the point"
)]

mod common;
#[path = "routes_wrk/stages.rs"]
mod stages;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use auth_axum::{AuthLayer, CurrentUser, MaybeUser};
use auth_benches::counting::counted_engine;
use auth_benches::stats;
use axum::Router;
use axum::routing::get;
use axum_login::{AuthManagerLayerBuilder, AuthSession, AuthUser, AuthnBackend, UserId};
use common::{EMAIL, FRAMEWORKS, get_raw};
use tower_sessions::{MemoryStore, SessionManagerLayer};

#[derive(Debug, Clone)]
struct LoginUser {
    id: u64,
    email: String,
    pw_hash: Vec<u8>,
}

impl AuthUser for LoginUser {
    type Id = u64;
    fn id(&self) -> u64 {
        self.id
    }
    fn session_auth_hash(&self) -> &[u8] {
        &self.pw_hash
    }
}

#[derive(Debug, Clone, Default)]
struct Backend {
    users: Arc<tokio::sync::RwLock<HashMap<u64, LoginUser>>>,
}

impl AuthnBackend for Backend {
    type User = LoginUser;
    type Credentials = u64;
    type Error = Infallible;

    async fn authenticate(&self, id: u64) -> Result<Option<LoginUser>, Self::Error> {
        Ok(self.users.read().await.get(&id).cloned())
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<LoginUser>, Self::Error> {
        Ok(self.users.read().await.get(id).cloned())
    }
}

struct Target {
    name: &'static str,
    addr: SocketAddr,
    cookie: Option<String>,
    /// Whether the route needs a session (and must refuse a request without one).
    auth: bool,
}

/// Ours and no-auth for every framework, then axum-login: `targets[2 * i]` is
/// framework `i` with auth, `targets[2 * i + 1]` the same without.
async fn setup() -> Vec<Target> {
    let fixture = common::fixture().await;
    let mut targets = Vec::new();
    for framework in FRAMEWORKS {
        for web in [Some(fixture.web.clone()), None] {
            let name = match (framework, web.is_some()) {
                (common::Framework::Axum, true) => "axum",
                (common::Framework::Axum, false) => "axum-no-auth",
                (common::Framework::Poem, true) => "poem",
                (common::Framework::Poem, false) => "poem-no-auth",
                (common::Framework::Rocket, true) => "rocket",
                (common::Framework::Rocket, false) => "rocket-no-auth",
            };
            let auth = web.is_some();
            targets.push(Target {
                name,
                addr: common::serve(framework, web).await,
                cookie: Some(fixture.cookie.clone()),
                auth,
            });
        }
    }

    // axum-login + tower-sessions.
    let backend = Backend::default();
    backend.users.write().await.insert(
        1,
        LoginUser {
            id: 1,
            email: EMAIL.into(),
            pw_hash: b"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_vec(),
        },
    );
    let sessions = SessionManagerLayer::new(MemoryStore::default()).with_secure(false);
    let auth_layer = AuthManagerLayerBuilder::new(backend, sessions).build();
    let login =
        Router::new()
            .route(
                "/me",
                get(|s: AuthSession<Backend>| async move {
                    s.user.map(|u| u.email).unwrap_or_default()
                }),
            )
            .route_layer(axum_login::login_required!(Backend, login_url = "/login"))
            .route(
                "/login",
                get(|mut s: AuthSession<Backend>| async move {
                    let user = s.authenticate(1).await.unwrap().unwrap();
                    s.login(&user).await.unwrap();
                    "ok"
                }),
            );
    // Wrapped around the router, as the `axum` route's `AuthLayer` is.
    let login_addr =
        common::serve_axum(tower::Layer::layer(&auth_layer, login.with_state(()))).await;
    let (status, head, _) = get_raw(login_addr, "/login", None).await;
    assert_eq!(status, 200, "{head}");
    let set_cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .expect("axum-login sets a session cookie");
    let login_cookie = set_cookie.split(';').next().unwrap().to_owned();
    targets.push(Target {
        name: "axum-login",
        addr: login_addr,
        cookie: Some(login_cookie),
        auth: true,
    });

    for t in &targets {
        let (status, head, body) = get_raw(t.addr, "/me", t.cookie.as_deref()).await;
        assert_eq!((status, body.as_str()), (200, EMAIL), "{}: {head}", t.name);
        if t.auth {
            let (status, _, _) = get_raw(t.addr, "/me", None).await;
            assert_ne!(
                status, 200,
                "{} must refuse a request without a session",
                t.name
            );
        }
    }
    targets
}

/// Store calls per request, counted at the trait boundary, for routes that ask for the
/// user once, twice (two extractors), and never.
async fn round_trips() -> Vec<(&'static str, u64)> {
    let (auth, counting) = counted_engine(true).unwrap();
    let common::Fixture { web, cookie } = common::signed_in(auth).await;
    let app = Router::new()
        .route(
            "/me",
            get(|CurrentUser(a): CurrentUser| async move { a.user.email.clone() }),
        )
        .route(
            "/me-twice",
            get(
                |CurrentUser(a): CurrentUser, MaybeUser(b): MaybeUser| async move {
                    format!("{} {}", a.user.email, b.is_some())
                },
            ),
        )
        .route("/public", get(|| async { "hello" }))
        .layer(AuthLayer::new(web));
    let addr = common::serve_axum(app.with_state(())).await;
    let mut out = Vec::new();
    for (name, path) in [
        ("authenticated route (CurrentUser)", "/me"),
        ("two extractors (CurrentUser + MaybeUser)", "/me-twice"),
        ("route that never asks for the user", "/public"),
    ] {
        let before = counting.calls();
        let (status, head, _) = get_raw(addr, path, Some(&cookie)).await;
        assert_eq!(status, 200, "{path}: {head}");
        out.push((name, counting.calls() - before));
    }
    out
}

/// The least auth ÷ no-auth throughput ratio issue 17 asks of every adapter.
const TARGET: f64 = 0.95;

struct Opts {
    rounds: usize,
    seconds: u32,
    connections: u32,
    threads: u32,
    /// Worker threads of the servers' runtime; `None`: one per CPU.
    workers: Option<usize>,
    /// CPUs `wrk` runs on (`taskset -c`), if set.
    wrk_cpus: Option<String>,
    /// Whether to measure the Axum route's stages instead of the comparison.
    stages: bool,
}

impl Opts {
    /// How `wrk` is run, for the first line of a report.
    fn describe(&self) -> String {
        format!(
            "wrk -t{} -c{} -d{}s{}, {} rounds",
            self.threads,
            self.connections,
            self.seconds,
            self.wrk_cpus
                .as_deref()
                .map(|c| format!(" on CPUs {c}"))
                .unwrap_or_default(),
            self.rounds,
        )
    }
}

fn opts() -> Opts {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let get =
        |name: &str, default: u32| value(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    Opts {
        rounds: get("--rounds", 5) as usize,
        seconds: get("--seconds", 5),
        connections: get("--connections", 32),
        threads: get("--threads", 1),
        workers: value("--workers").map(|v| v.parse().expect("--workers takes a number")),
        wrk_cpus: value("--wrk-cpus"),
        stages: args.iter().any(|a| a == "--stages"),
    }
}

/// The order of the targets in `round` (after one untimed warm-up pass over all of
/// them): each framework's pair with and without auth back to back, the pair's order
/// swapped every round (ABBA), so that each ratio compares two runs seconds apart rather
/// than the machine's speed at two moments a minute apart; axum-login last.
fn order(round: usize, targets: usize) -> Vec<usize> {
    let pairs = FRAMEWORKS.len();
    let mut order: Vec<usize> = (0..pairs)
        .flat_map(|k| {
            let (a, b) = (2 * k, 2 * k + 1);
            if (round + k).is_multiple_of(2) {
                [a, b]
            } else {
                [b, a]
            }
        })
        .collect();
    order.extend(2 * pairs..targets);
    order
}

/// Runs wrk; returns (requests per second, average latency text).
fn wrk(t: &Target, o: &Opts) -> (f64, String) {
    let mut cmd = match &o.wrk_cpus {
        Some(cpus) => {
            let mut taskset = Command::new("taskset");
            taskset.arg("-c").arg(cpus).arg("wrk");
            taskset
        }
        None => Command::new("wrk"),
    };
    cmd.arg(format!("-t{}", o.threads))
        .arg(format!("-c{}", o.connections))
        .arg(format!("-d{}s", o.seconds));
    if let Some(c) = &t.cookie {
        cmd.arg("-H").arg(format!("Cookie: {c}"));
    }
    cmd.arg(format!("http://{}/me", t.addr));
    let out = cmd
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    assert!(
        out.status.success(),
        "wrk failed (is it installed? apt-get install wrk): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !text.contains("Non-2xx"),
        "{}: wrk saw error responses:\n{text}",
        t.name
    );
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}"));
    let latency = text
        .lines()
        .find(|l| l.trim_start().starts_with("Latency"))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_owned())
        .unwrap_or_default();
    (rps, latency)
}

fn main() {
    let o = opts();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = o.workers {
        builder.worker_threads(workers);
    }
    let rt = builder.enable_all().build().unwrap();
    if o.stages {
        stages::run(&rt, &o);
        return;
    }
    let trips = rt.block_on(round_trips());
    println!("| request (with a session cookie) | store calls |");
    println!("|---|---:|");
    for (name, n) in &trips {
        println!("| {name} | {n} |");
    }
    println!(
        "round trips: {} (target: 1, and 0 on routes that never ask for the user)",
        if trips[0].1 == 1 && trips[1].1 == 1 && trips[2].1 == 0 {
            "met"
        } else {
            "MISSED"
        }
    );
    println!();
    let targets = rt.block_on(setup());
    println!(
        "{}, servers on one {}-worker Tokio runtime",
        o.describe(),
        o.workers.unwrap_or_else(
            || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        )
    );
    let mut rps: Vec<Vec<f64>> = vec![Vec::new(); targets.len()];
    let mut lat: Vec<Vec<String>> = vec![Vec::new(); targets.len()];
    for t in &targets {
        wrk(t, &o);
    }
    for round in 0..o.rounds {
        for i in order(round, targets.len()) {
            let (r, l) = wrk(&targets[i], &o);
            eprintln!(
                "round {} {:<10} {r:>10.0} req/s  avg latency {l}",
                round + 1,
                targets[i].name
            );
            rps[i].push(r);
            lat[i].push(l);
        }
    }
    let ratio = |i: usize, j: usize| {
        let r: Vec<f64> = rps[i].iter().zip(&rps[j]).map(|(a, b)| a / b).collect();
        stats::median_f64(&r).unwrap_or(f64::NAN)
    };
    let median = |i: usize| stats::median_f64(&rps[i]).unwrap_or(f64::NAN);
    println!();
    println!("| server | median req/s | avg latency (per round) |");
    println!("|---|---:|---|");
    for (i, t) in targets.iter().enumerate() {
        println!("| {} | {:.0} | {} |", t.name, median(i), lat[i].join(", "));
    }
    println!();
    println!(
        "| framework | with auth (req/s) | without auth (req/s) | auth ÷ no-auth (median of rounds) | target ≥ {TARGET} |"
    );
    println!("|---|---:|---:|---:|---|");
    for (k, framework) in FRAMEWORKS.iter().enumerate() {
        let r = ratio(2 * k, 2 * k + 1);
        println!(
            "| {} | {:.0} | {:.0} | {r:.3} | {} |",
            framework.name(),
            median(2 * k),
            median(2 * k + 1),
            if r >= TARGET { "met" } else { "MISSED" }
        );
    }
    let login = targets.len() - 1;
    let vs_login = ratio(0, login);
    println!();
    println!(
        "axum ÷ axum-login = {vs_login:.3} (target > 1: {})",
        if vs_login > 1.0 { "met" } else { "MISSED" }
    );
    for (k, framework) in FRAMEWORKS.iter().enumerate() {
        let r = ratio(2 * k, 2 * k + 1);
        println!(
            "{} ÷ {}-no-auth = {r:.3} (target ≥ {TARGET}: {})",
            framework.name(),
            framework.name(),
            if r >= TARGET { "met" } else { "MISSED" }
        );
    }
}
