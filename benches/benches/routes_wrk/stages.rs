//! `--stages`: where the cost of Axum's authenticated route goes under `wrk`. The bare
//! route; the floor, the least any cookie session needs (no layer, the cookie's value
//! looked up in a map under a keyed hash); the minimum, the floor with what the issue's
//! rules add to any implementation (a lock shared with writers, the revision checked
//! with no staleness, the expiry checked against the clock, the record shared rather
//! than copied); reading the session cookie alone; then
//! `AuthLayer` alone, the layer and reading the cookie, the layer and the lookup called
//! by the handler, the same lookup without the layer (the web layer taken from the
//! router's state), the `CurrentUser` extractor under the layer given to `Router::layer`,
//! and the same extractor with the layer wrapped around the router (`AuthLayer::wrap`:
//! the `axum` route of the main comparison); last, the bare route doing a fixed piece of
//! pure computation. The work of the floor, of the minimum, of reading the cookie, of the
//! lookup and of that computation is also timed in a tight loop first, so that each can
//! be set against what it costs in a server.
//!
//! Every round runs the servers once, starting one later than the round before, so that
//! no server always follows the same one; each server's added cost is the median over
//! the rounds of its time per request less the bare route's in the same round.

use std::collections::HashMap;
use std::future::Future as _;
use std::hash::{DefaultHasher, Hasher as _};
use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use auth_axum::AuthLayer;
use auth_benches::stats;
use auth_http::AuthWeb;
use axum::Router;
use axum::extract::{Request, State};
use axum::routing::get;

use super::common::serve_axum;
use super::{EMAIL, Opts, Target, get_raw, wrk};

/// Bytes the calibration route hashes per request.
const SPIN_BYTES: usize = 2048;

/// The calibration's work: SipHash-1-3 over `SPIN_BYTES` bytes the compiler cannot see.
fn spin() -> u64 {
    static DATA: [u8; SPIN_BYTES] = [0x5a; SPIN_BYTES];
    let mut hasher = DefaultHasher::new();
    hasher.write(black_box(&DATA[..]));
    hasher.finish()
}

/// Nanoseconds one call of `f` takes in a tight loop (median of 15 batches).
fn loop_ns(mut f: impl FnMut() -> bool) -> f64 {
    const BATCH: u32 = 20_000;
    let mut per_call: Vec<f64> = (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..BATCH {
                assert!(black_box(f()));
            }
            start.elapsed().as_secs_f64() * 1e9 / f64::from(BATCH)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    per_call[per_call.len() / 2]
}

/// The session cookie's value in these headers, as the floor and the minimum read it:
/// the `Cookie` header the bench sends holds that cookie only, so its value is what
/// follows `prefix` (`<cookie name>=`).
fn cookie_value<'h>(prefix: &[u8], headers: &'h http::HeaderMap) -> Option<&'h [u8]> {
    headers
        .get(http::header::COOKIE)?
        .as_bytes()
        .strip_prefix(prefix)
}

/// The floor's session table.
struct Floor {
    /// `<cookie name>=` (see [`cookie_value`]).
    prefix: Vec<u8>,
    /// The session's cookie value, and its user's address (std's keyed SipHash).
    table: HashMap<Vec<u8>, String>,
}

impl Floor {
    /// The address of the user whose session the `Cookie` header carries.
    fn email(&self, headers: &http::HeaderMap) -> Option<&String> {
        self.table.get(cookie_value(&self.prefix, headers)?)
    }
}

/// A session the minimum keeps: what it is served under, and its user's address.
struct MinimumEntry {
    /// The revision it was read under: any later write refuses it.
    revision: u64,
    /// Its expiry (or idle timeout), checked on every request.
    serve_until: SystemTime,
    /// Its user's address.
    email: String,
}

/// The least a session lookup can do under issue 17's rules, whatever its code: the
/// floor's lookup, under a lock that writers share (sessions are added and revoked
/// while requests are served), the entry served only under the revision it was read
/// under (read with no staleness: one atomic load) and before its expiry (one clock
/// read), and handed out shared (one reference count up and down).
struct Minimum {
    /// `<cookie name>=` (see [`cookie_value`]).
    prefix: Vec<u8>,
    /// The revision every write advances.
    revision: AtomicU64,
    /// The sessions, by the cookie's value (std's keyed SipHash).
    table: RwLock<HashMap<Vec<u8>, Arc<MinimumEntry>>>,
}

impl Minimum {
    /// The session the `Cookie` header carries, if it may be served now.
    fn session(&self, headers: &http::HeaderMap) -> Option<Arc<MinimumEntry>> {
        let token = cookie_value(&self.prefix, headers)?;
        let revision = self.revision.load(Ordering::Acquire);
        let entry = Arc::clone(self.table.read().ok()?.get(token)?);
        (entry.revision == revision && SystemTime::now() < entry.serve_until).then_some(entry)
    }
}

/// Nanoseconds, in a tight loop over the headers `wrk` sends: [`spin`], reading the
/// session cookie (`AuthWeb::session_token`), the floor's lookup, the minimum's, and the
/// lookup (`AuthWeb::current_caller`, polled once: over the memory store it never waits).
fn tight_loops(
    web: &AuthWeb,
    floor: &Floor,
    minimum: &Minimum,
    cookie: &str,
) -> [(&'static str, f64); 5] {
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::HOST, "127.0.0.1:8080".parse().unwrap());
    headers.insert(http::header::COOKIE, cookie.parse().unwrap());
    [
        ("spin", loop_ns(|| spin() != 0)),
        (
            "read",
            loop_ns(|| web.session_token(black_box(&headers)).is_some()),
        ),
        (
            "floor",
            loop_ns(|| floor.email(black_box(&headers)).is_some()),
        ),
        (
            "minimum",
            loop_ns(|| minimum.session(black_box(&headers)).is_some()),
        ),
        (
            "lookup",
            loop_ns(|| {
                let lookup = pin!(web.current_caller(black_box(&headers), None));
                matches!(
                    lookup.poll(&mut Context::from_waker(Waker::noop())),
                    Poll::Ready(Ok(Some(_)))
                )
            }),
        ),
    ]
}

/// `/me` answering the address when the request carries a well-formed session cookie.
fn read_route(web: AuthWeb) -> Router {
    Router::new().route(
        "/me",
        get(move |req: Request| {
            let found = web.session_token(req.headers()).is_some();
            async move { if found { EMAIL } else { "" }.to_owned() }
        }),
    )
}

/// The address of the caller these headers present, by `AuthWeb::current_caller`;
/// empty for nobody.
async fn caller_email(web: &AuthWeb, headers: &http::HeaderMap) -> String {
    let caller = web.current_caller(headers, None).await;
    caller
        .ok()
        .flatten()
        .map(|c| c.user().email.clone())
        .unwrap_or_default()
}

/// The servers, and the tight loops' nanoseconds.
async fn setup() -> (Vec<(Target, &'static str)>, [(&'static str, f64); 5]) {
    let fixture = super::common::fixture().await;
    let web = fixture.web;
    let lookup_web = web.clone();
    // The floor's table: the session's cookie value, under std's keyed SipHash.
    let prefix = format!("{}=", web.session_cookie_name()).into_bytes();
    let token = fixture.cookie.as_bytes()[prefix.len()..].to_vec();
    let minimum = Arc::new(Minimum {
        prefix: prefix.clone(),
        revision: AtomicU64::new(1),
        table: RwLock::new(HashMap::from([(
            token.clone(),
            Arc::new(MinimumEntry {
                revision: 1,
                serve_until: SystemTime::now() + Duration::from_secs(24 * 3600),
                email: EMAIL.to_owned(),
            }),
        )])),
    });
    let floor = Arc::new(Floor {
        prefix,
        table: HashMap::from([(token, EMAIL.to_owned())]),
    });
    let loops = tight_loops(&web, &floor, &minimum, &fixture.cookie);
    let apps: [(&'static str, &'static str, Router); 10] = [
        (
            "bare",
            "no auth (the `axum-no-auth` route)",
            super::common::axum_route(false),
        ),
        (
            "floor",
            "no layer: the cookie's value looked up in a `HashMap` (keyed SipHash)",
            Router::new().route(
                "/me",
                get(move |req: Request| {
                    let email = floor.email(req.headers()).cloned().unwrap_or_default();
                    async move { email }
                }),
            ),
        ),
        (
            "minimum",
            "no layer: the floor under a read lock, with the revision and the expiry checked and the entry shared (`Arc`)",
            Router::new().route(
                "/me",
                get(move |req: Request| {
                    let email = minimum
                        .session(req.headers())
                        .map(|s| s.email.clone())
                        .unwrap_or_default();
                    async move { email }
                }),
            ),
        ),
        (
            "read",
            "no layer: the session cookie read and parsed (`AuthWeb::session_token`)",
            read_route(web.clone()),
        ),
        (
            "layer",
            "`AuthLayer` (an extension per request), handler asks nothing",
            Router::new()
                .route("/me", get(|| async { EMAIL.to_owned() }))
                .layer(AuthLayer::new(web.clone())),
        ),
        (
            "layer+read",
            "the layer + the session cookie read and parsed",
            read_route(web.clone()).layer(AuthLayer::new(web.clone())),
        ),
        (
            "layer+lookup",
            "the layer + `AuthWeb::current_caller` called by the handler",
            Router::new()
                .route(
                    "/me",
                    get(move |req: Request| async move {
                        caller_email(&lookup_web, req.headers()).await
                    }),
                )
                .layer(AuthLayer::new(web.clone())),
        ),
        (
            "state+lookup",
            "no layer: the handler takes the web layer from the router's state and calls `AuthWeb::current_caller`",
            Router::new()
                .route(
                    "/me",
                    get(|State(web): State<AuthWeb>, req: Request| async move {
                        caller_email(&web, req.headers()).await
                    }),
                )
                .with_state(web.clone()),
        ),
        (
            "extractor",
            "the layer (`Router::layer`) + the `CurrentUser` extractor",
            super::common::axum_layered(web.clone()),
        ),
        (
            "spin",
            "no auth, the handler hashes 2 KiB (the calibration)",
            Router::new().route(
                "/me",
                get(|| async {
                    black_box(spin());
                    EMAIL.to_owned()
                }),
            ),
        ),
    ];
    let mut servers = Vec::new();
    for (name, what, app) in apps {
        // As `into_make_service_with_connect_info` serves a router: its routes built once.
        let addr = serve_axum(app.with_state(())).await;
        servers.push(checked(name, what, addr, &fixture.cookie).await);
    }
    let addr = serve_axum(super::common::axum_wrapped(web)).await;
    servers.push(
        checked(
            "wrapped",
            "`AuthLayer::wrap` around the router + the `CurrentUser` extractor (the `axum` route)",
            addr,
            &fixture.cookie,
        )
        .await,
    );
    (servers, loops)
}

/// The server at `addr` as a target, after checking that it answers the signed-in address.
async fn checked(
    name: &'static str,
    what: &'static str,
    addr: std::net::SocketAddr,
    cookie: &str,
) -> (Target, &'static str) {
    let (status, head, body) = get_raw(addr, "/me", Some(cookie)).await;
    assert_eq!((status, body.as_str()), (200, EMAIL), "{name}: {head}");
    (
        Target {
            name,
            addr,
            cookie: Some(cookie.to_owned()),
            auth: false,
        },
        what,
    )
}

/// Runs the stages and prints their table.
pub(super) fn run(rt: &tokio::runtime::Runtime, o: &Opts) {
    let (servers, loops) = rt.block_on(setup());
    println!(
        "stages: {}; in a tight loop: {}",
        o.describe(),
        loops
            .iter()
            .map(|(name, ns)| format!("{name} {ns:.0} ns"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    for (t, _) in &servers {
        wrk(t, o);
    }
    let n = servers.len();
    let mut us: Vec<Vec<f64>> = vec![Vec::new(); n];
    for round in 0..o.rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let (rps, _) = wrk(&servers[i].0, o);
            eprintln!(
                "round {} {:<10} {rps:>10.0} req/s",
                round + 1,
                servers[i].0.name
            );
            us[i].push(1e6 / rps);
        }
    }
    println!();
    println!(
        "| server | what it adds | median req/s | µs per request | µs over bare (median of rounds) |"
    );
    println!("|---|---|---:|---:|---:|");
    for (i, (t, what)) in servers.iter().enumerate() {
        let median_us = stats::median_f64(&us[i]).unwrap_or(f64::NAN);
        let over: Vec<f64> = us[i].iter().zip(&us[0]).map(|(a, b)| a - b).collect();
        let over = stats::median_f64(&over).unwrap_or(f64::NAN);
        println!(
            "| {} | {what} | {:.0} | {median_us:.3} | {over:+.3} |",
            t.name,
            1e6 / median_us,
        );
    }
}
