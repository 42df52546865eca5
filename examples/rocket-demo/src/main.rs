//! The Rocket demo site of the auth toolkit.
//!
//! `cargo run -p rocket-demo` serves <http://127.0.0.1:3000> with nothing else
//! installed, with the same flags, environment variables, pages and `create-user`
//! subcommand as the Axum and Poem demos (all of it lives in `demo-support`); `--help`
//! lists them. This file is only the Rocket wiring.
//!
//! Rocket is configured explicitly: no `Rocket.toml`, no `ROCKET_*` variables except
//! `ROCKET_LOG_LEVEL` (set it to `normal` to see Rocket's launch banner, which is off
//! by default), the client address from the connection rather than `X-Real-IP`.

use std::net::SocketAddr;
use std::process::ExitCode;

use auth_rocket::AuthWeb;
use auth_rocket::{
    AdminUser, AuthFairing, HasScope, HttpHeaders, MaybeUser, ScopeName, VerifiedUser, WebResponse,
};
use demo_support::{BoxError, Cli, MOUNT, Pages, Site};
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::figment::providers::{Env, Serialized};
use rocket::{Build, Rocket, State, get, routes};

const FRAMEWORK: &str = "Rocket";

fn main() -> ExitCode {
    // Rocket's launch banner and request log only when asked for with ROCKET_LOG_LEVEL.
    let quiet: &[&str] = if std::env::var_os("ROCKET_LOG_LEVEL").is_some() {
        &[]
    } else {
        &["rocket", "_"]
    };
    demo_support::run_with_quiet_targets("rocket-demo", FRAMEWORK, quiet, serve)
}

/// Serves the site until Ctrl-C or SIGTERM (Rocket's own shutdown handling).
async fn serve(cli: Cli) -> Result<(), BoxError> {
    // Rocket 0.5 binds its own listener and cannot be handed one, but mailed links need
    // the real port before the engine is built: resolve port 0 to a free port first.
    let local = std::net::TcpListener::bind(cli.addr)
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("cannot listen on {}: {e}", cli.addr))?;
    let site = Site::prepare(&cli, local, FRAMEWORK).await?;
    let base_url = site.base_url.clone();
    // `listening on` must only appear once connections are accepted: liftoff fairings
    // run after Rocket has bound its socket, with the bound address in its config.
    let announce = AdHoc::on_liftoff("announce", move |rocket| {
        Box::pin(async move {
            let config = rocket.config();
            println!(
                "listening on http://{}",
                SocketAddr::new(config.address, config.port)
            );
            tracing::info!(%base_url, "mailed links point to {base_url}{MOUNT}/...");
        })
    });
    let launched = app(figment(local), site.web.clone(), site.pages.clone())
        .attach(announce)
        .launch()
        .await;
    site.finish().await;
    launched.map(drop).map_err(Into::into)
}

/// Rocket's configuration, built explicitly.
fn figment(local: std::net::SocketAddr) -> Figment {
    Figment::from(rocket::Config::release_default())
        .merge(Serialized::defaults(serde_json::json!({
            "address": local.ip().to_string(),
            "port": local.port(),
            "ip_header": false,
            "cli_colors": false,
            "log_level": "off",
        })))
        .merge(Env::prefixed("ROCKET_").only(&["log_level"]))
}

/// The site: three pages of its own plus the auth routes under [`MOUNT`].
fn app(figment: Figment, web: AuthWeb, pages: Pages) -> Rocket<Build> {
    rocket::custom(figment)
        .attach(AuthFairing::new(web))
        .manage(pages)
        .mount("/", routes![home, dashboard, whoami, admin, jwks])
        .mount(MOUNT, auth_rocket::routes())
}

#[get("/")]
async fn home(pages: &State<Pages>, user: MaybeUser, headers: HttpHeaders) -> WebResponse {
    WebResponse(pages.home(&headers.0, user.0.as_deref()).await)
}

/// The scope `/whoami` asks of API keys.
struct ReadProfile;

impl ScopeName for ReadProfile {
    const NAME: &'static str = "read:profile";
}

#[get("/.well-known/jwks.json")]
fn jwks(pages: &State<Pages>, headers: HttpHeaders) -> WebResponse {
    WebResponse(pages.jwks(&headers.0))
}

#[get("/whoami")]
fn whoami(pages: &State<Pages>, caller: HasScope<ReadProfile>) -> WebResponse {
    WebResponse(pages.whoami(&caller.caller))
}

#[get("/dashboard")]
async fn dashboard(pages: &State<Pages>, user: VerifiedUser, headers: HttpHeaders) -> WebResponse {
    WebResponse(pages.dashboard(&headers.0, &user.0).await)
}

#[get("/admin")]
async fn admin(pages: &State<Pages>, admin: AdminUser, headers: HttpHeaders) -> WebResponse {
    WebResponse(pages.admin(&headers.0, &admin.user).await)
}
