//! # auth-axum
//!
//! The [Axum](axum) binding of the auth toolkit's web layer ([`auth_http`]): a
//! [`Router`] with every page and JSON endpoint, extractors for the current user, and
//! guards for routes that need a sign-in, a confirmed address or a role.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use auth_axum::{AuthLayer, CurrentUser, MaybeUser, RequireLogin};
//! # async fn run(web: auth_http::AuthWeb) {
//! let app: Router = Router::new()
//!     .route("/", get(|MaybeUser(user): MaybeUser| async move {
//!         match user {
//!             Some(a) => format!("hello {}", a.user.email),
//!             None => "hello stranger".to_owned(),
//!         }
//!     }))
//!     .route("/dashboard", get(|CurrentUser(a): CurrentUser| async move { a.user.email.clone() }))
//!     .route("/admin", get(|| async { "admins only" }).route_layer(RequireLogin::role("admin")))
//!     .nest(web.mount_path(), auth_axum::router(web.clone()))
//!     .layer(AuthLayer::new(web));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await.unwrap();
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
//!     .await
//!     .unwrap();
//! # }
//! ```
//!
//! [`AuthLayer::wrap`] puts the same layer around the whole router instead of giving it
//! to [`Router::layer`]: the same answers, and less work per request.
//!
//! Nest the router at [`AuthWeb::mount_path`] (by default the engine's `link_prefix`,
//! where mailed links point): nested anywhere else, its routes answer 500 and log the
//! mismatch, so the mistake shows on the first request instead of in every mailed link.
//! Serve with `into_make_service_with_connect_info::<SocketAddr>()` so that rate limits
//! and the device list see the client's address.
//!
//! Loading the session is lazy: only a handler that takes [`CurrentUser`],
//! [`MaybeUser`] or [`VerifiedUser`], or a route behind [`RequireLogin`], costs a store
//! round trip, and at most one per request.

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod extract;
mod guard;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, OriginalUri, Request};
use axum::response::Response;
use axum::routing::any;

pub use extract::{AuthRejection, CurrentCaller, CurrentUser, MaybeUser, VerifiedUser};
pub use guard::{AuthLayer, AuthLayerService, RequireLogin, RequireLoginService};

// What an application needs besides this crate and a store: the engine and the web
// layer, as modules and their common items, so that `Cargo.toml` names one adapter.
pub use auth_core;
pub use auth_core::{Auth, Authenticated, Config, User};
pub use auth_http;
pub use auth_http::{AuthWeb, AuthWebBuilder, Caller, Denial, Requirement};

/// Every route of the web layer, to [`Router::nest`] at the mount point
/// (`app.nest("/auth", auth_axum::router(web))`).
pub fn router<S>(web: AuthWeb) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let root = web.clone();
    Router::new()
        .route(
            "/",
            any(move |req: Request| {
                let web = root.clone();
                async move { serve(&web, req).await }
            }),
        )
        .route(
            "/{*rest}",
            any(move |req: Request| {
                let web = web.clone();
                async move { serve(&web, req).await }
            }),
        )
}

/// Serves one request with the web layer ([`AuthWeb::serve`]: the body read up to the
/// limit, 413 past it) with the client's address from [`ConnectInfo`], after checking
/// that the router is nested at [`AuthWeb::mount_path`]: nested anywhere else, every
/// request answers 500 and logs the mismatch ([`auth_http::Miswired`]), since every
/// mailed link would point to the wrong place.
pub async fn serve(web: &AuthWeb, req: Request) -> Result<Response, Infallible> {
    let full = req
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path(), |o| o.0.path());
    if let Err(miswired) = web.check_mount(full, req.uri().path()) {
        return Ok(into_axum(miswired.into_response()));
    }
    let peer = peer_ip(req.extensions());
    Ok(into_axum(web.serve(req, peer).await))
}

/// The client address Axum recorded, when served with connect info.
pub(crate) fn peer_ip(ext: &http::Extensions) -> Option<IpAddr> {
    ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// Converts a web-layer response.
pub(crate) fn into_axum(resp: http::Response<bytes::Bytes>) -> Response {
    resp.map(Body::from)
}
