//! The Poem demo site of the auth toolkit.
//!
//! `cargo run -p poem-demo` serves <http://127.0.0.1:3000> with nothing else installed,
//! with the same flags, environment variables, pages and `create-user` subcommand as
//! the Axum and Rocket demos (all of it lives in `demo-support`); `--help` lists them.
//! This file is only the Poem wiring.

use std::process::ExitCode;

use auth_poem::AuthWeb;
use auth_poem::{
    AuthMiddleware, CurrentCaller, CurrentUser, MaybeUser, RequireLogin, VerifiedUser, into_poem,
};
use demo_support::{BoxError, Cli, MOUNT, Pages, Site};
use poem::http::HeaderMap;
use poem::listener::TcpAcceptor;
use poem::web::Data;
use poem::{EndpointExt, IntoEndpoint, Response, Route, Server, get, handler};

const FRAMEWORK: &str = "Poem";

fn main() -> ExitCode {
    demo_support::run("poem-demo", FRAMEWORK, serve)
}

/// Serves the site until Ctrl-C or SIGTERM.
async fn serve(cli: Cli) -> Result<(), BoxError> {
    let listener = tokio::net::TcpListener::bind(cli.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cli.addr))?;
    let local = listener.local_addr()?;
    let acceptor = TcpAcceptor::from_tokio(listener)?;
    let site = Site::prepare(&cli, local, FRAMEWORK).await?;
    let app = app(site.web.clone(), site.pages.clone());
    site.announce();
    let served = Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(app, demo_support::shutdown_signal(), None)
        .await;
    site.finish().await;
    served.map_err(Into::into)
}

/// The site: three pages of its own plus the auth routes under [`MOUNT`].
fn app(web: AuthWeb, pages: Pages) -> impl IntoEndpoint {
    Route::new()
        .at("/", get(home))
        .at("/dashboard", get(dashboard))
        .at("/.well-known/jwks.json", get(jwks))
        .at(
            "/whoami",
            get(whoami).with(RequireLogin::scope("read:profile")),
        )
        .at("/admin", get(admin).with(RequireLogin::role("admin")))
        .nest(MOUNT, auth_poem::routes(web.clone()))
        .data(pages)
        .with(AuthMiddleware::new(web))
}

#[handler]
async fn home(pages: Data<&Pages>, MaybeUser(user): MaybeUser, headers: &HeaderMap) -> Response {
    into_poem(pages.home(headers, user.as_deref()).await)
}

#[handler]
fn jwks(pages: Data<&Pages>, headers: &HeaderMap) -> Response {
    into_poem(pages.jwks(headers))
}

#[handler]
fn whoami(pages: Data<&Pages>, CurrentCaller(caller): CurrentCaller) -> Response {
    into_poem(pages.whoami(&caller))
}

#[handler]
async fn dashboard(
    pages: Data<&Pages>,
    VerifiedUser(a): VerifiedUser,
    headers: &HeaderMap,
) -> Response {
    into_poem(pages.dashboard(headers, &a).await)
}

#[handler]
async fn admin(pages: Data<&Pages>, CurrentUser(a): CurrentUser, headers: &HeaderMap) -> Response {
    into_poem(pages.admin(headers, &a).await)
}
