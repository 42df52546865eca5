//! The setup the route benches share (`routes`, in-process under criterion, and
//! `routes_wrk`, over loopback under `wrk`): one signed-in account, and the same `/me`
//! route in Axum, Poem and Rocket, with authentication (the adapter's middleware and its
//! `CurrentUser` extractor or guard, over the memory store) and without (no middleware,
//! a handler that answers the same body).
// Each bench uses a different part of this module; what one of them leaves unused is not
// dead code (`allow`, not `expect`: a bench that uses all of it would leave the expectation
// unfulfilled).
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::SocketAddr;

use auth_benches::engine;
use auth_core::{Auth, HashParams};
use auth_http::AuthWeb;
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;

/// The bench account's address, which every `/me` answers with.
pub(crate) const EMAIL: &str = "ada@example.com";

/// The frameworks with an adapter, in the order the tables list them.
pub(crate) const FRAMEWORKS: [Framework; 3] = [Framework::Axum, Framework::Poem, Framework::Rocket];

/// A framework with an adapter crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framework {
    /// `auth-axum`.
    Axum,
    /// `auth-poem`.
    Poem,
    /// `auth-rocket`.
    Rocket,
}

impl Framework {
    /// Lower-case name, as in bench ids.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Framework::Axum => "axum",
            Framework::Poem => "poem",
            Framework::Rocket => "rocket",
        }
    }
}

/// A web layer over an engine with one verified, signed-in account.
pub(crate) struct Fixture {
    /// The web layer (memory store, cheap test hash parameters: nothing here hashes).
    pub(crate) web: AuthWeb,
    /// `Cookie` header value with the account's session.
    pub(crate) cookie: String,
}

/// Builds an engine over the memory store, the account and its session.
pub(crate) async fn fixture() -> Fixture {
    signed_in(engine::engine(HashParams::insecure_fast_for_tests(), None).unwrap()).await
}

/// Creates the account in `auth`, signs it in, and builds the web layer over `auth`.
pub(crate) async fn signed_in(auth: Auth) -> Fixture {
    engine::verified_user(&auth, EMAIL).await.unwrap();
    let token = engine::login(&auth, EMAIL).await.unwrap().token;
    let web = AuthWeb::builder(auth)
        .secret(b"bench secret for the csrf key, 32+ bytes".to_vec())
        .build()
        .unwrap();
    let cookie = format!("{}={}", web.session_cookie_name(), token.expose());
    Fixture { web, cookie }
}

/// `/me` in Axum with the `CurrentUser` extractor under `AuthLayer` given to
/// `Router::layer` (the usual way; the comparison's route is [`axum_wrapped`]).
pub(crate) fn axum_layered(web: AuthWeb) -> axum::Router {
    axum_route(true).layer(auth_axum::AuthLayer::new(web))
}

/// `/me` in Axum with the `CurrentUser` extractor, `AuthLayer` wrapped around the router
/// (`AuthLayer::wrap`, the faster way the adapter's docs give): the `axum` route of the
/// comparisons.
pub(crate) fn axum_wrapped(web: AuthWeb) -> auth_axum::AuthLayerService<axum::Router> {
    auth_axum::AuthLayer::new(web).wrap(axum_route(true))
}

/// `/me` in Axum with the `CurrentUser` extractor (`auth`) or without it, and no layer.
pub(crate) fn axum_route(auth: bool) -> axum::Router {
    use auth_axum::CurrentUser;
    use axum::routing::get;
    if auth {
        axum::Router::new().route(
            "/me",
            get(|CurrentUser(a): CurrentUser| async move { a.user.email.clone() }),
        )
    } else {
        axum::Router::new().route("/me", get(|| async { EMAIL.to_owned() }))
    }
}

#[poem::handler]
fn poem_me(auth_poem::CurrentUser(a): auth_poem::CurrentUser) -> String {
    a.user.email.clone()
}

#[poem::handler]
fn poem_me_no_auth() -> String {
    EMAIL.to_owned()
}

/// `/me` in Poem: under `AuthMiddleware` with the `CurrentUser` extractor, or bare.
/// Boxed either way, so both pay the same dynamic call.
pub(crate) fn poem_app(web: Option<AuthWeb>) -> poem::endpoint::BoxEndpoint<'static> {
    use poem::{EndpointExt as _, Route, get};
    match web {
        Some(web) => Route::new()
            .at("/me", get(poem_me))
            .with(auth_poem::AuthMiddleware::new(web))
            .map_to_response()
            .boxed(),
        None => Route::new()
            .at("/me", get(poem_me_no_auth))
            .map_to_response()
            .boxed(),
    }
}

#[rocket::get("/me")]
fn rocket_me(user: auth_rocket::CurrentUser) -> String {
    user.0.user.email.clone()
}

#[rocket::get("/me")]
fn rocket_me_no_auth() -> String {
    EMAIL.to_owned()
}

/// Rocket's configuration: quiet, on `127.0.0.1:port` (0 for the local client).
pub(crate) fn rocket_figment(port: u16) -> Figment {
    Figment::from(rocket::Config::release_default()).merge(Serialized::defaults(
        serde_json::json!({
            "address": "127.0.0.1",
            "port": port,
            "ip_header": false,
            "cli_colors": false,
            "log_level": "off",
        }),
    ))
}

/// `/me` in Rocket: with `AuthFairing` and the `CurrentUser` guard, or bare.
pub(crate) fn rocket_app(web: Option<AuthWeb>, figment: Figment) -> rocket::Rocket<rocket::Build> {
    match web {
        Some(web) => rocket::custom(figment)
            .attach(auth_rocket::AuthFairing::new(web))
            .mount("/", rocket::routes![rocket_me]),
        None => rocket::custom(figment).mount("/", rocket::routes![rocket_me_no_auth]),
    }
}

/// Serves `app` on a free loopback port of the current runtime.
pub(crate) async fn serve(framework: Framework, web: Option<AuthWeb>) -> SocketAddr {
    match framework {
        Framework::Axum => match web {
            Some(web) => serve_axum(axum_wrapped(web)).await,
            None => serve_axum(axum_route(false).with_state(())).await,
        },
        Framework::Poem => {
            use poem::listener::{Acceptor as _, Listener as _};
            let acceptor = poem::listener::TcpListener::bind("127.0.0.1:0")
                .into_acceptor()
                .await
                .unwrap();
            let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
            let app = poem_app(web);
            tokio::spawn(async move {
                poem::Server::new_with_acceptor(acceptor)
                    .run(app)
                    .await
                    .unwrap();
            });
            addr
        }
        Framework::Rocket => {
            // Rocket binds its own listener: find a free port first.
            let addr = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .unwrap();
            let app = rocket_app(web, rocket_figment(addr.port()));
            tokio::spawn(async move { app.launch().await.unwrap() });
            for _ in 0..500 {
                if std::net::TcpStream::connect(addr).is_ok() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            addr
        }
    }
}

/// Serves an Axum application (a router, or a router wrapped in a layer) on a free
/// loopback port of the current runtime, with the client's address as
/// `into_make_service_with_connect_info` gives it.
pub(crate) async fn serve_axum<S>(app: S) -> SocketAddr
where
    S: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
        SocketAddr,
    >(app);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// One HTTP/1.1 GET over a fresh connection: (status, head, body). Blocking: call it
/// off the runtime's workers (`block_in_place`) or outside the runtime.
pub(crate) fn get_blocking(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// The same, from async code on a multi-threaded runtime.
pub(crate) async fn get_raw(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> (u16, String, String) {
    tokio::task::block_in_place(|| get_blocking(addr, path, cookie))
}
