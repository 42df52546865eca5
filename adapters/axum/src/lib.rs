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
//!     .nest("/auth", auth_axum::router(web.clone()))
//!     .layer(AuthLayer::new(web));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await.unwrap();
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
//!     .await
//!     .unwrap();
//! # }
//! ```
//!
//! Mount the router where the engine's `link_prefix` says (mailed links point there).
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

use auth_http::AuthWeb;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use axum::routing::any;
use http_body_util::{BodyExt, LengthLimitError, Limited};

pub use extract::{AuthRejection, CurrentUser, MaybeUser, VerifiedUser};
pub use guard::{AuthLayer, AuthLayerService, RequireLogin, RequireLoginService};

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

/// Serves one request with the web layer: reads the body up to the limit (413 past
/// it), hands it to [`AuthWeb::handle`] with the client's address from
/// [`ConnectInfo`], and converts the answer.
pub async fn serve(web: &AuthWeb, req: Request) -> Result<Response, Infallible> {
    let (parts, body) = req.into_parts();
    let peer = peer_ip(&parts.extensions);
    let api = parts.uri.path().starts_with("/api/");
    let bytes = match Limited::new(body, web.body_limit()).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Ok(into_axum(web.payload_too_large(&parts.headers, api)));
        }
        Err(e) => {
            tracing::debug!(error = %e, "reading a request body failed");
            let mut resp = Response::new(Body::from("could not read the request body"));
            *resp.status_mut() = http::StatusCode::BAD_REQUEST;
            return Ok(resp);
        }
    };
    let req = http::Request::from_parts(parts, bytes);
    Ok(into_axum(web.handle(req, peer).await))
}

/// The client address Axum recorded, when served with connect info.
pub(crate) fn peer_ip(ext: &http::Extensions) -> Option<IpAddr> {
    ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// Converts a web-layer response.
pub(crate) fn into_axum(resp: http::Response<bytes::Bytes>) -> Response {
    resp.map(Body::from)
}
