//! The Axum demo site of the auth toolkit.
//!
//! `cargo run -p axum-demo` serves <http://127.0.0.1:3000> with nothing else installed: a
//! SQLite database file created on first run, a development mailer writing every
//! message into `./mail` (and logging its link), and a generated signing secret kept
//! beside the database unless `AUTH_SECRET` is set. Every flag has an environment
//! variable; `--help` lists them. `create-user` adds an account from the command line.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use auth_axum::{AuthLayer, CurrentUser, MaybeUser, RequireLogin, VerifiedUser};
use auth_core::{Auth, Mailer, NewUser, Page};
use auth_http::AuthWeb;
use auth_smtp::{FileMailer, SmtpMailer};
use auth_store_redis::{RedisConfig, RedisStore};
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};
use axum::extract::Extension;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, serve};
use clap::{Parser, Subcommand};
use serde_json::json;

/// The mount point of the auth routes; mailed links point under it.
const MOUNT: &str = "/auth";

/// Run the demo site, or manage it from the command line.
#[derive(Debug, Parser)]
#[command(name = "axum-demo", version, about)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "ADDR", default_value = "127.0.0.1:3000", global = true)]
    addr: SocketAddr,
    /// Database URL: sqlite:PATH, postgres://... or mysql://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://auth-demo.db",
        global = true
    )]
    database_url: String,
    /// Prefix of the SQL table names, to share a database.
    #[arg(long, env = "TABLE_PREFIX", default_value = "auth_", global = true)]
    table_prefix: String,
    /// Keep sessions and rate-limit counters in Redis (redis:// or rediss://).
    #[arg(long, env = "REDIS_URL", global = true)]
    redis_url: Option<String>,
    /// Prefix of the Redis keys, to share a Redis server.
    #[arg(long, env = "REDIS_KEY_PREFIX", global = true)]
    redis_key_prefix: Option<String>,
    /// Directory the development mailer writes .eml files into (when no SMTP URL).
    #[arg(long, env = "MAIL_DIR", default_value = "mail", global = true)]
    mail_dir: PathBuf,
    /// Send mail over SMTP, e.g. smtp://user:pass@host:587?tls=starttls&from=...
    #[arg(long, env = "SMTP_URL", global = true)]
    smtp_url: Option<String>,
    /// Scheme, host and port used in mailed links (default: the listening address).
    #[arg(long, env = "BASE_URL", global = true)]
    base_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create an account directly (no confirmation mail).
    CreateUser {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Password (the password policy applies).
        #[arg(long)]
        password: String,
        /// Grant the admin role.
        #[arg(long)]
        admin: bool,
        /// Mark the email address as confirmed.
        #[arg(long)]
        verified: bool,
    },
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
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
        match cli.command {
            Some(Command::CreateUser {
                ref email,
                ref password,
                admin,
                verified,
            }) => create_user(&cli, email, password, admin, verified).await,
            None => run(&cli).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = format!("error: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                message.push_str(&format!("\n  caused by: {s}"));
                source = s.source();
            }
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Serves the site until Ctrl-C.
async fn run(cli: &Cli) -> Result<(), BoxError> {
    let listener = tokio::net::TcpListener::bind(cli.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cli.addr))?;
    let local = listener.local_addr()?;
    let base_url = match &cli.base_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None if local.ip().is_unspecified() => format!("http://127.0.0.1:{}", local.port()),
        None => format!("http://{local}"),
    };
    let (auth, web) = engine(cli, &base_url).await?;
    let maintenance = auth.spawn_maintenance(Duration::from_secs(30));
    let app = app(web);
    println!("listening on http://{local}");
    tracing::info!(%base_url, "mailed links point to {base_url}{MOUNT}/...");
    let served = serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    maintenance.abort();
    auth.settle().await;
    served.map_err(Into::into)
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
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

/// The site: three pages of its own plus the auth routes under [`MOUNT`].
fn app(web: AuthWeb) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/dashboard", get(dashboard))
        .route(
            "/admin",
            get(admin).route_layer(RequireLogin::role("admin")),
        )
        .nest(MOUNT, auth_axum::router(web.clone()))
        .layer(AuthLayer::new(web))
}

async fn home(
    Extension(web): Extension<AuthWeb>,
    MaybeUser(user): MaybeUser,
    headers: HeaderMap,
) -> Response {
    let user = user.map(|a| a.user);
    page(
        &web,
        &headers,
        "demo_home.html",
        user.as_ref(),
        json!({ "title": "Home" }),
    )
}

async fn dashboard(
    Extension(web): Extension<AuthWeb>,
    VerifiedUser(a): VerifiedUser,
    headers: HeaderMap,
) -> Response {
    let expires = a.session.dies_at();
    let extra = json!({
        "title": "Dashboard",
        "remembered": a.session.remember,
        "session_expires": format!("{} {:02}:{:02} UTC", expires.date(), expires.hour(), expires.minute()),
    });
    page(&web, &headers, "demo_dashboard.html", Some(&a.user), extra)
}

async fn admin(
    Extension(web): Extension<AuthWeb>,
    CurrentUser(a): CurrentUser,
    headers: HeaderMap,
) -> Response {
    let total = match web
        .auth()
        .admin_list_users(
            &a,
            None,
            Page {
                offset: 0,
                limit: 1,
            },
        )
        .await
    {
        Ok((_, total)) => total,
        Err(e) => return web.error_response(&e, &headers).map(axum::body::Body::from),
    };
    page(
        &web,
        &headers,
        "demo_admin.html",
        Some(&a.user),
        json!({ "title": "Administration", "total": total }),
    )
}

fn page(
    web: &AuthWeb,
    headers: &HeaderMap,
    template: &str,
    user: Option<&auth_core::User>,
    extra: serde_json::Value,
) -> Response {
    web.render_page(headers, template, user, extra)
        .map(axum::body::Body::from)
        .into_response()
}

/// Builds the engine and the web layer from the command line.
async fn engine(cli: &Cli, base_url: &str) -> Result<(Auth, AuthWeb), BoxError> {
    let secret = secret(&cli.database_url)?;
    let config = auth_core::Config::builder()
        .app_name("Auth Demo")
        .base_url(base_url)
        .link_prefix(MOUNT)
        .signing_key("demo-1", secret.clone())
        .build()?;
    let store = SqlxStore::connect(
        &cli.database_url,
        SqlxStoreOptions::new()
            .table_prefix(cli.table_prefix.clone())
            .migrate_on_connect(true),
    )
    .await?;
    let store = Arc::new(store);
    let mailer: Arc<dyn Mailer> = match &cli.smtp_url {
        Some(url) => Arc::new(SmtpMailer::from_url(url)?),
        None => {
            tracing::warn!(dir = %cli.mail_dir.display(), "development mailer: every message is written to this directory, links included");
            Arc::new(FileMailer::new(&cli.mail_dir)?)
        }
    };
    let mut builder = Auth::builder(config).store(store).mailer(mailer);
    if let Some(url) = &cli.redis_url {
        let mut config = RedisConfig::new(url.clone());
        if let Some(prefix) = &cli.redis_key_prefix {
            config = config.key_prefix(prefix.clone());
        }
        let redis = Arc::new(RedisStore::connect(config).await?);
        builder = builder.sessions(redis.clone()).counters(redis);
    }
    let auth = builder.build()?;
    let web = AuthWeb::builder(auth.clone())
        .secret(secret)
        .insecure_dev_cookies(base_url.starts_with("http://"))
        .template(
            "demo_home.html",
            include_str!("../templates/demo_home.html"),
        )
        .template(
            "demo_dashboard.html",
            include_str!("../templates/demo_dashboard.html"),
        )
        .template(
            "demo_admin.html",
            include_str!("../templates/demo_admin.html"),
        )
        .build()?;
    Ok((auth, web))
}

/// `create-user`: adds an account directly.
async fn create_user(
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
        .create_user(NewUser {
            email: email.to_owned(),
            username: None,
            password: password.to_owned(),
            roles: if admin {
                vec!["admin".to_owned()]
            } else {
                Vec::new()
            },
            verified,
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

/// The signing secret: `AUTH_SECRET`, or one generated on first run and kept in a file
/// beside the SQLite database (or in the working directory for other databases).
fn secret(database_url: &str) -> Result<Vec<u8>, BoxError> {
    if let Ok(secret) = std::env::var("AUTH_SECRET") {
        if secret.len() < 32 {
            return Err("AUTH_SECRET must be at least 32 bytes".into());
        }
        return Ok(secret.into_bytes());
    }
    let path = secret_path(database_url);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .map_err(|e| format!("{} is not a hex secret: {e}", path.display()))?;
            if bytes.len() < 32 {
                return Err(format!("{} holds fewer than 32 bytes", path.display()).into());
            }
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = vec![0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
            write_private(&path, &hex::encode(&bytes))?;
            tracing::warn!(path = %path.display(), "generated a signing secret and stored it beside the database; set AUTH_SECRET in production");
            Ok(bytes)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display()).into()),
    }
}

fn secret_path(database_url: &str) -> PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|p| !p.is_empty() && !p.contains(":memory:"));
    match file {
        Some(db) => PathBuf::from(format!("{db}.secret")),
        None => PathBuf::from("auth-demo.secret"),
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_lives_beside_a_sqlite_file() {
        assert_eq!(
            secret_path("sqlite://data/app.db?mode=rwc"),
            PathBuf::from("data/app.db.secret")
        );
        assert_eq!(secret_path("sqlite:app.db"), PathBuf::from("app.db.secret"));
        assert_eq!(
            secret_path("sqlite::memory:"),
            PathBuf::from("auth-demo.secret")
        );
        assert_eq!(
            secret_path("postgres://db/app"),
            PathBuf::from("auth-demo.secret")
        );
    }

    #[test]
    fn flags_parse_with_defaults_and_the_subcommand() {
        let cli = Cli::try_parse_from(["axum-demo", "--addr", "127.0.0.1:0"]).unwrap();
        assert_eq!(cli.addr.port(), 0);
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from([
            "axum-demo",
            "create-user",
            "--email",
            "a@b.example",
            "--password",
            "pw",
            "--admin",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::CreateUser {
                admin: true,
                verified: false,
                ..
            })
        ));
        assert!(Cli::try_parse_from(["axum-demo", "--addr", "not an address"]).is_err());
    }
}
