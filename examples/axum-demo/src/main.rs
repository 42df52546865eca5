//! The Axum demo site of the auth toolkit.
//!
//! `cargo run -p axum-demo` serves <http://127.0.0.1:3000> with nothing else installed: a
//! SQLite database file created on first run, a development mailer writing every
//! message into `./mail` (and logging its link), and a generated signing secret kept
//! beside the database unless `AUTH_SECRET` is set. Every flag has an environment
//! variable; `--help` lists them. `create-user` adds an account from the command line.
//!
//! Flags, engine, secret, `create-user` and the page templates live in `demo-support`,
//! shared with the Poem and Rocket demos; this file is only the Axum wiring.

use std::net::SocketAddr;
use std::process::ExitCode;

use auth_axum::AuthWeb;
use auth_axum::{
    AuthLayer, AuthLayerService, CurrentCaller, CurrentUser, MaybeUser, RequireLogin, VerifiedUser,
};
use axum::body::Body;
use axum::extract::Extension;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Router, ServiceExt as _, serve};
use demo_support::{BoxError, Cli, MOUNT, Pages, Site};

const FRAMEWORK: &str = "Axum";

fn main() -> ExitCode {
    demo_support::run("axum-demo", FRAMEWORK, run)
}

/// Serves the site until Ctrl-C or SIGTERM.
async fn run(cli: Cli) -> Result<(), BoxError> {
    let listener = tokio::net::TcpListener::bind(cli.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cli.addr))?;
    let local = listener.local_addr()?;
    let site = Site::prepare(&cli, local, FRAMEWORK).await?;
    let app = app(site.web.clone(), site.pages.clone());
    site.announce();
    let served = serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(demo_support::shutdown_signal())
    .await;
    site.finish().await;
    served.map_err(Into::into)
}

/// The site: three pages of its own plus the auth routes under [`MOUNT`], with
/// `AuthLayer` around the whole router (`AuthLayer::wrap`: less work per request than
/// giving it to `Router::layer`, which Axum applies to every route).
fn app(web: AuthWeb, pages: Pages) -> AuthLayerService<Router> {
    let routes = Router::new()
        .route("/", get(home))
        .route("/dashboard", get(dashboard))
        .route("/.well-known/jwks.json", get(jwks))
        .route(
            "/whoami",
            get(whoami).route_layer(RequireLogin::scope("read:profile")),
        )
        .route(
            "/admin",
            get(admin).route_layer(RequireLogin::role("admin")),
        )
        .nest(MOUNT, auth_axum::router(web.clone()))
        .layer(Extension(pages));
    AuthLayer::new(web).wrap(routes)
}

async fn home(
    Extension(pages): Extension<Pages>,
    MaybeUser(user): MaybeUser,
    headers: HeaderMap,
) -> Response {
    pages.home(&headers, user.as_deref()).await.map(Body::from)
}

async fn jwks(Extension(pages): Extension<Pages>, headers: HeaderMap) -> Response {
    pages.jwks(&headers).map(Body::from)
}

async fn whoami(
    Extension(pages): Extension<Pages>,
    CurrentCaller(caller): CurrentCaller,
) -> Response {
    pages.whoami(&caller).map(Body::from)
}

async fn dashboard(
    Extension(pages): Extension<Pages>,
    VerifiedUser(a): VerifiedUser,
    headers: HeaderMap,
) -> Response {
    pages.dashboard(&headers, &a).await.map(Body::from)
}

async fn admin(
    Extension(pages): Extension<Pages>,
    CurrentUser(a): CurrentUser,
    headers: HeaderMap,
) -> Response {
    pages.admin(&headers, &a).await.map(Body::from)
}
