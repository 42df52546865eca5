//! A sustained, bounded run of mixed traffic at a fixed rate against a demo server on
//! loopback: page views, authenticated API calls, sign-ins, failed sign-ins,
//! registrations and password-reset requests.
//!
//! ```text
//! cargo build --release -p axum-demo
//! cargo run --release -p auth-benches --bin soak -- --seconds 300 --rate 20
//!     [--demo target/release/axum-demo] [--database-url postgres://…] [--redis-url redis://…]
//! ```
//!
//! The tool starts the demo itself (a fresh SQLite file by default, or the given
//! database and Redis with a key prefix of its own), creates `--accounts` confirmed
//! accounts with the demo's `create-user` command, signs each in once, and then sends
//! requests on a fixed schedule (open loop: a request is sent at its time whether or not
//! earlier ones have been answered, and its latency counts from that time, so a stalled
//! server is not hidden by requests that were never sent). Every answer is checked
//! against the status its kind must get; anything else, a timeout or a broken
//! connection is an error. The demo trusts one proxy hop and every request carries its
//! own `X-Forwarded-For` address, so the per-address rate limits see many clients, as
//! behind a real load balancer; identifiers are spread so that no per-account limit is
//! reached either (a 429 is an error here).
//!
//! It reports, per kind of request, the count, the errors and the latency percentiles,
//! and the demo's resident memory sampled every second: at the end of the warm-up, the
//! median of each minute of the run, at the end, and its peak.
//! Exits with status 1 when any request failed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_benches::{memory, stats};
use bytes::Bytes;
use clap::Parser;
use http::header::{CONTENT_TYPE, COOKIE, HOST, ORIGIN, SET_COOKIE};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Sustained mixed traffic against a demo server.
#[derive(Debug, Parser)]
#[command(name = "soak")]
struct Args {
    /// The demo binary to start.
    #[arg(long, default_value = "target/release/axum-demo")]
    demo: PathBuf,
    /// The demo's `--database-url` (default: a new SQLite file in a temporary directory).
    #[arg(long)]
    database_url: Option<String>,
    /// The demo's `--redis-url` (sessions and counters in Redis).
    #[arg(long)]
    redis_url: Option<String>,
    /// Requests per second.
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// Length of the measured run in seconds (after the warm-up).
    #[arg(long, default_value_t = 300)]
    seconds: u64,
    /// Confirmed accounts created before the run; sign-ins and resets go to them.
    #[arg(long, default_value_t = 200)]
    accounts: usize,
    /// Most requests in flight; a request due while this many are open is an error.
    #[arg(long, default_value_t = 512)]
    max_in_flight: usize,
}

/// The password of every account the tool creates.
const PASSWORD: &str = "soak test horse battery staple";

/// How long one request may take before it counts as an error.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What one request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// `GET /auth/login`, no session.
    PageView,
    /// `GET /auth/api/me` with a session.
    Me,
    /// `POST /auth/api/login` with the right password.
    Login,
    /// `POST /auth/api/login` for an address that has no account.
    FailedLogin,
    /// `POST /auth/api/register` with a new address.
    Register,
    /// `POST /auth/api/request_password_reset` for an account.
    ResetRequest,
}

impl Kind {
    /// The mix, repeated: out of 20 requests, 7 page views, 4 authenticated calls,
    /// 3 sign-ins, 3 failed sign-ins, 2 registrations and 1 reset request.
    const MIX: [Kind; 20] = [
        Kind::PageView,
        Kind::Me,
        Kind::Login,
        Kind::PageView,
        Kind::FailedLogin,
        Kind::Register,
        Kind::PageView,
        Kind::Me,
        Kind::Login,
        Kind::PageView,
        Kind::FailedLogin,
        Kind::ResetRequest,
        Kind::PageView,
        Kind::Me,
        Kind::Login,
        Kind::PageView,
        Kind::FailedLogin,
        Kind::Register,
        Kind::PageView,
        Kind::Me,
    ];

    /// The status every answer of this kind must have.
    fn expected(self) -> StatusCode {
        match self {
            Kind::PageView | Kind::Me | Kind::Login => StatusCode::OK,
            Kind::FailedLogin => StatusCode::UNAUTHORIZED,
            Kind::Register | Kind::ResetRequest => StatusCode::ACCEPTED,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::PageView => "page view (GET /auth/login)",
            Kind::Me => "authenticated GET /auth/api/me",
            Kind::Login => "sign-in",
            Kind::FailedLogin => "failed sign-in (no such account)",
            Kind::Register => "registration",
            Kind::ResetRequest => "password-reset request",
        }
    }
}

/// Where the demo server listens.
#[derive(Debug)]
struct Target {
    /// `HOST:PORT`.
    addr: String,
    /// `http://HOST:PORT`, sent as `Origin` with every JSON post.
    origin: String,
}

/// One request to send.
struct Call {
    method: Method,
    path: &'static str,
    body: Option<serde_json::Value>,
    cookie: Option<String>,
}

/// What one request got.
struct Outcome {
    status: Option<StatusCode>,
    latency: Duration,
    cookies: Vec<String>,
}

/// Results of one kind of request.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: BTreeMap<String, u64>,
}

#[tokio::main]
async fn main() -> auth_benches::Result<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("auth-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut demo_args = vec![
        "--mail-dir".to_owned(),
        dir.join("mail").display().to_string(),
        "--trusted-proxies".to_owned(),
        "1".to_owned(),
        "--database-url".to_owned(),
        args.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", dir.join("soak.db").display())),
    ];
    if let Some(redis) = &args.redis_url {
        demo_args.extend([
            "--redis-url".to_owned(),
            redis.clone(),
            "--redis-key-prefix".to_owned(),
            format!("soak{}:", std::process::id()),
        ]);
    }
    let accounts: Vec<String> = (0..args.accounts)
        .map(|i| format!("soak-{i}-{}@example.com", std::process::id()))
        .collect();
    eprintln!("creating {} accounts", accounts.len());
    for email in &accounts {
        create_user(&args.demo, &demo_args, email).await?;
    }
    let (mut child, target) = start(&args.demo, &demo_args, &dir).await?;
    let pid = child.id().ok_or("the demo exited")?;
    eprintln!("demo pid {pid} at {}", target.origin);

    let mut sessions = Vec::with_capacity(accounts.len());
    for (i, email) in accounts.iter().enumerate() {
        let out = send(&target, &login_call(email, PASSWORD), client_ip(i as u64)).await;
        if out.status != Some(StatusCode::OK) {
            return Err(format!("warm-up sign-in of {email}: {:?}", out.status).into());
        }
        sessions.push(out.cookies.join("; "));
    }
    let warm_rss = memory::rss_kib_of(pid);

    let result = run(&args, pid, Arc::new(target), &accounts, &sessions).await;
    let _ = child.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
    let (tallies, rss) = result;
    report(&args, &tallies, warm_rss, &rss);
    let failed: u64 = tallies.values().flat_map(|t| t.errors.values()).sum();
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// Sends the traffic on its schedule and samples the server's memory; returns the
/// tallies and the memory samples (KiB, one a second).
async fn run(
    args: &Args,
    pid: u32,
    target: Arc<Target>,
    accounts: &[String],
    sessions: &[String],
) -> (BTreeMap<Kind, Tally>, Vec<u64>) {
    let tallies: Arc<Mutex<BTreeMap<Kind, Tally>>> = Arc::default();
    let rss: Arc<Mutex<Vec<u64>>> = Arc::default();
    let total = (args.rate * args.seconds as f64).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let start = Instant::now();
    let sampler = {
        let rss = Arc::clone(&rss);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                match memory::rss_kib_of(pid) {
                    Some(kib) => rss.lock().expect("not poisoned").push(kib),
                    None => break,
                }
            }
        })
    };
    let permits = Arc::new(Semaphore::new(args.max_in_flight));
    let mut tasks = Vec::new();
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        let kind = Kind::MIX[(i % Kind::MIX.len() as u64) as usize];
        let call = call_for(kind, i, accounts, sessions);
        let tallies = Arc::clone(&tallies);
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            record(
                &tallies,
                kind,
                Err("too many in flight".to_owned()),
                Duration::ZERO,
            );
            continue;
        };
        let target = Arc::clone(&target);
        tasks.push(tokio::spawn(async move {
            let out = send(&target, &call, client_ip(i)).await;
            let latency = due.elapsed().max(out.latency);
            let verdict = match out.status {
                Some(s) if s == kind.expected() => Ok(()),
                Some(s) => Err(format!("status {}", s.as_u16())),
                None => Err("no answer (timeout or connection error)".to_owned()),
            };
            record(&tallies, kind, verdict, latency);
            drop(permit);
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    sampler.abort();
    let tallies = std::mem::take(&mut *tallies.lock().expect("not poisoned"));
    let rss = std::mem::take(&mut *rss.lock().expect("not poisoned"));
    (tallies, rss)
}

fn record(
    tallies: &Mutex<BTreeMap<Kind, Tally>>,
    kind: Kind,
    verdict: Result<(), String>,
    latency: Duration,
) {
    let mut tallies = tallies.lock().expect("not poisoned");
    let tally = tallies.entry(kind).or_default();
    match verdict {
        Ok(()) => tally.latencies.push(latency),
        Err(why) => *tally.errors.entry(why).or_default() += 1,
    }
}

/// The request number `i` of kind `kind`.
fn call_for(kind: Kind, i: u64, accounts: &[String], sessions: &[String]) -> Call {
    let pick = |list: &[String]| list[(i as usize / Kind::MIX.len()) % list.len()].clone();
    match kind {
        Kind::PageView => Call {
            method: Method::GET,
            path: "/auth/login",
            body: None,
            cookie: None,
        },
        Kind::Me => Call {
            method: Method::GET,
            path: "/auth/api/me",
            body: None,
            cookie: Some(pick(sessions)),
        },
        Kind::Login => login_call(&pick(accounts), PASSWORD),
        Kind::FailedLogin => login_call(&format!("nobody-{i}@example.com"), PASSWORD),
        Kind::Register => Call {
            method: Method::POST,
            path: "/auth/api/register",
            body: Some(serde_json::json!({
                "email": format!("new-{i}-{}@example.com", std::process::id()),
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            })),
            cookie: None,
        },
        Kind::ResetRequest => Call {
            method: Method::POST,
            path: "/auth/api/request_password_reset",
            body: Some(serde_json::json!({ "email": pick(accounts) })),
            cookie: None,
        },
    }
}

fn login_call(email: &str, password: &str) -> Call {
    Call {
        method: Method::POST,
        path: "/auth/api/login",
        body: Some(serde_json::json!({ "login": email, "password": password })),
        cookie: None,
    }
}

/// The client address of request `i`: 65 025 distinct addresses in 10.0.0.0/16 … used
/// in turn, so no address sends more than a few requests a minute at the default rate.
fn client_ip(i: u64) -> String {
    let n = i % (255 * 255);
    format!(
        "10.{}.{}.{}",
        n / 255 % 255,
        n % 255,
        1 + (i / (255 * 255)) % 254
    )
}

/// Sends one request on a new connection; `status` is `None` after a timeout or an I/O
/// error.
async fn send(server: &Target, call: &Call, ip: String) -> Outcome {
    let start = Instant::now();
    let status = tokio::time::timeout(TIMEOUT, exchange(server, call, ip)).await;
    let (status, cookies) = match status {
        Ok(Ok((status, cookies))) => (Some(status), cookies),
        Ok(Err(_)) | Err(_) => (None, Vec::new()),
    };
    Outcome {
        status,
        latency: start.elapsed(),
        cookies,
    }
}

async fn exchange(
    server: &Target,
    call: &Call,
    ip: String,
) -> auth_benches::Result<(StatusCode, Vec<String>)> {
    let stream = TcpStream::connect(&server.addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(call.method.clone())
        .uri(call.path)
        .header(HOST, server.addr.as_str())
        .header("x-forwarded-for", ip)
        .header("accept", "application/json, text/html");
    if let Some(cookie) = &call.cookie {
        request = request.header(COOKIE, cookie.as_str());
    }
    let body = match &call.body {
        Some(json) => {
            request = request
                .header(ORIGIN, server.origin.as_str())
                .header(CONTENT_TYPE, "application/json");
            Bytes::from(serde_json::to_vec(json)?)
        }
        None => Bytes::new(),
    };
    let response = sender.send_request(request.body(Full::new(body))?).await?;
    let status = response.status();
    let cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    response.into_body().collect().await?;
    Ok((status, cookies))
}

/// Runs `demo create-user` for one confirmed account.
async fn create_user(
    demo: &PathBuf,
    demo_args: &[String],
    email: &str,
) -> auth_benches::Result<()> {
    let status = Command::new(demo)
        .args(demo_args)
        .args([
            "create-user",
            "--email",
            email,
            "--password",
            PASSWORD,
            "--verified",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await?;
    if !status.success() {
        return Err(format!("create-user {email}: {status}").into());
    }
    Ok(())
}

/// Starts the demo on a free port and waits for its `listening on` line.
async fn start(
    demo: &PathBuf,
    demo_args: &[String],
    dir: &std::path::Path,
) -> auth_benches::Result<(Child, Target)> {
    let log = std::fs::File::create(dir.join("demo.log"))?;
    let mut child = Command::new(demo)
        .args(demo_args)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let origin = loop {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await??
            .ok_or("the demo exited before listening")?;
        if let Some(rest) = line.strip_prefix("listening on ") {
            break rest.trim().to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let addr = origin.trim_start_matches("http://").to_owned();
    Ok((child, Target { addr, origin }))
}

fn report(args: &Args, tallies: &BTreeMap<Kind, Tally>, warm_rss: Option<u64>, rss: &[u64]) {
    println!(
        "{} s at {} requests/s ({} requests), {} accounts, demo {}",
        args.seconds,
        args.rate,
        tallies
            .values()
            .map(|t| t.latencies.len() as u64 + t.errors.values().sum::<u64>())
            .sum::<u64>(),
        args.accounts,
        args.demo.display()
    );
    println!();
    println!("| request | count | errors | p50 ms | p90 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (kind, tally) in tallies {
        let mut l = tally.latencies.clone();
        let q = |l: &mut [Duration], q: f64| stats::quantile(l, q).map_or(f64::NAN, stats::ms);
        let errors: u64 = tally.errors.values().sum();
        println!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
            kind.name(),
            l.len() as u64 + errors,
            errors,
            q(&mut l, 0.5),
            q(&mut l, 0.9),
            q(&mut l, 0.99),
            q(&mut l, 1.0),
        );
        for (why, n) in &tally.errors {
            println!("|   {why} | {n} | | | | | |");
        }
    }
    println!();
    let per_minute: Vec<String> = rss
        .chunks(60)
        .map(|minute| format!("{:.1}", median_mib(minute)))
        .collect();
    println!(
        "demo resident memory (MiB): after warm-up {:.1}; median of each minute of the run {}; at the end {:.1}, peak {:.1}",
        warm_rss.map_or(f64::NAN, mib),
        per_minute.join(", "),
        rss.last().copied().map_or(f64::NAN, mib),
        rss.iter().max().copied().map_or(f64::NAN, mib),
    );
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn median_mib(kib: &[u64]) -> f64 {
    let v: Vec<f64> = kib.iter().copied().map(mib).collect();
    stats::median_f64(&v).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_mix_has_the_documented_shares() {
        let count = |k: Kind| Kind::MIX.iter().filter(|&&m| m == k).count();
        assert_eq!(count(Kind::PageView), 7);
        assert_eq!(count(Kind::Me), 4);
        assert_eq!(count(Kind::Login), 3);
        assert_eq!(count(Kind::FailedLogin), 3);
        assert_eq!(count(Kind::Register), 2);
        assert_eq!(count(Kind::ResetRequest), 1);
    }

    #[test]
    fn consecutive_requests_come_from_distinct_addresses() {
        let n = 255 * 255;
        let ips: HashSet<String> = (0..n).map(client_ip).collect();
        assert_eq!(ips.len(), n as usize);
        assert!(
            ips.iter()
                .all(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok())
        );
    }

    #[test]
    fn sign_ins_and_resets_spread_over_the_accounts() {
        let accounts: Vec<String> = (0..10).map(|i| format!("a{i}@example.com")).collect();
        let mut per_account = BTreeMap::new();
        for i in 0..(Kind::MIX.len() as u64 * 10) {
            if let Some(body) = call_for(Kind::ResetRequest, i, &accounts, &accounts).body {
                *per_account.entry(body["email"].to_string()).or_insert(0) += 1;
            }
        }
        assert_eq!(per_account.len(), 10);
        assert!(per_account.values().all(|&n| n == Kind::MIX.len()));
    }
}
