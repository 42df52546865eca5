//! # demo-support
//!
//! Everything the Axum, Poem and Rocket demo sites share, so that each demo's `main`
//! is only its framework's wiring and the three behave the same (one test harness
//! drives all of them):
//!
//! - the command line ([`Cli`]): the same flags and environment variables everywhere;
//! - [`run`]: tracing, the runtime, the `create-user` subcommand, error reporting;
//! - [`Site::prepare`]: the engine and the web layer built from the flags (SQL store,
//!   optional Redis sessions, file or SMTP mailer, persisted secret) and the background
//!   maintenance task;
//! - [`Pages`]: the demo's own pages (`/`, `/dashboard`, `/admin`) rendered with the
//!   web layer's templates.
//!
//! A demo's `main`:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     demo_support::run("my-demo", "MyFramework", |cli| async move {
//!         let listener = tokio::net::TcpListener::bind(cli.addr).await?;
//!         let site = demo_support::Site::prepare(&cli, listener.local_addr()?, "MyFramework").await?;
//!         site.announce();
//!         // ... serve site.web and site.pages with the framework until
//!         // demo_support::shutdown_signal() resolves ...
//!         site.finish().await;
//!         Ok(())
//!     })
//! }
//! ```

mod cli;
mod engine;
mod files;
mod hooks;
mod pages;
mod secret;
mod stores;

use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use auth_core::Auth;
use auth_http::AuthWeb;
use clap::{CommandFactory, FromArgMatches};

pub use cli::{Cli, Command, IdentityTokenKey};
pub use engine::{API_KEY_SCOPES, base_config, engine, profile_fields};
pub use files::create_private_database;
pub use pages::Pages;
pub use secret::{secret, secret_path};
pub use stores::{StoreArgs, Stores};

/// The mount point of the auth routes; mailed links point under it.
pub const MOUNT: &str = "/auth";

/// Any error, with its source chain.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs a demo: parses the command line (with `bin` as the program name), sets up
/// tracing (`RUST_LOG`, default `info`, to stderr), starts a multi-threaded runtime,
/// and either runs `create-user` or hands the flags to `serve`. Errors are printed
/// with their causes and give a failure exit code.
pub fn run<F, Fut>(bin: &'static str, framework: &'static str, serve: F) -> ExitCode
where
    F: FnOnce(Cli) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    run_with_quiet_targets(bin, framework, &[], serve)
}

/// [`run`], with log targets kept at `error` whatever `RUST_LOG` says (e.g. `rocket`,
/// to keep a framework's own launch banner quiet).
pub fn run_with_quiet_targets<F, Fut>(
    bin: &'static str,
    framework: &'static str,
    quiet: &[&str],
    serve: F,
) -> ExitCode
where
    F: FnOnce(Cli) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    let about = format!("The {framework} demo site of the auth toolkit.");
    let matches = Cli::command()
        .name(bin)
        .bin_name(bin)
        .about(about)
        .get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    for target in quiet {
        if let Ok(directive) = format!("{target}=error").parse() {
            filter = filter.add_directive(directive);
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.clone() {
            Some(Command::CreateUser {
                email,
                password,
                admin,
                verified,
            }) => create_user(&cli, &email, &password, admin, verified).await,
            None => serve(cli).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", report(&*e));
            ExitCode::FAILURE
        }
    }
}

/// `error: ...` followed by one `caused by:` line per source.
pub fn report(e: &(dyn std::error::Error + 'static)) -> String {
    let mut message = format!("error: {e}");
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    message
}

/// A demo site ready to serve: the engine, the web layer, the demo pages.
#[derive(Debug)]
pub struct Site {
    /// The engine.
    pub auth: Auth,
    /// The web layer, mounted at [`MOUNT`].
    pub web: AuthWeb,
    /// The demo's own pages.
    pub pages: Pages,
    /// Scheme, host and port of mailed links.
    pub base_url: String,
    /// The address the site listens on.
    pub local: SocketAddr,
    maintenance: tokio::task::JoinHandle<()>,
}

impl Site {
    /// Builds the engine and web layer for a site listening on `local` (the bound
    /// address, so that port 0 has become the real port) and starts the maintenance
    /// task.
    ///
    /// # Errors
    /// A bad flag, an unreachable database, Redis or SMTP server, or an unreadable
    /// secret file.
    pub async fn prepare(
        cli: &Cli,
        local: SocketAddr,
        framework: &'static str,
    ) -> Result<Self, BoxError> {
        let base_url = cli.base_url_for(local);
        if let Some(addr) = cli.metrics_addr {
            serve_metrics(addr)?;
        }
        let (auth, web) = engine(cli, &base_url).await?;
        let maintenance = auth.spawn_maintenance(Duration::from_secs(30));
        let pages = Pages::new(web.clone(), framework);
        Ok(Self {
            auth,
            web,
            pages,
            base_url,
            local,
            maintenance,
        })
    }

    /// Prints `listening on http://HOST:PORT` (the line test harnesses wait for) once
    /// the listener accepts connections, and logs where mailed links point.
    pub fn announce(&self) {
        println!("listening on http://{}", self.local);
        tracing::info!(base_url = %self.base_url, "mailed links point to {}{MOUNT}/...", self.base_url);
    }

    /// After serving: stops the maintenance task and waits for mail still being sent.
    pub async fn finish(self) {
        self.maintenance.abort();
        self.auth.settle().await;
    }
}

/// Installs the Prometheus recorder and its scrape endpoint on `addr` (any path answers;
/// `/metrics` by convention), with the engine's metrics described. Every histogram of
/// the engine is in seconds, so one set of buckets serves them all.
fn serve_metrics(addr: SocketAddr) -> Result<(), BoxError> {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(addr)
        // Histograms with buckets (not summaries), so that instances can be summed.
        .set_buckets(&[
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ])?
        .install()?;
    auth_core::telemetry::describe();
    println!("metrics on http://{addr}/metrics");
    Ok(())
}

/// `create-user`: adds an account directly (no confirmation mail).
///
/// # Errors
/// As [`engine`], or the engine's refusal (address taken, weak password).
pub async fn create_user(
    cli: &Cli,
    email: &str,
    password: &str,
    admin: bool,
    verified: bool,
) -> Result<(), BoxError> {
    let base_url = cli
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", cli.addr));
    let (auth, _web) = engine(cli, &base_url).await?;
    let user = auth
        .create_user(auth_core::NewUser {
            email: email.to_owned(),
            username: None,
            password: password.to_owned(),
            roles: if admin {
                vec!["admin".to_owned()]
            } else {
                Vec::new()
            },
            verified,
            profile: Default::default(),
        })
        .await?;
    println!(
        "created user {} ({}){}{}",
        user.email,
        user.id,
        if admin { ", admin" } else { "" },
        if verified { ", verified" } else { "" }
    );
    Ok(())
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
}
