//! # auth-poem
//!
//! The [Poem](poem) binding of the auth toolkit's web layer ([`auth_http`]): an
//! endpoint with every page and JSON endpoint to nest where the application likes,
//! [`FromRequest`](poem::FromRequest) extractors for the current user, and middleware
//! for routes that need a sign-in, a confirmed address or a role.
//!
//! ```no_run
//! use auth_poem::{AuthMiddleware, CurrentUser, MaybeUser, RequireLogin};
//! use poem::{EndpointExt, Route, get, handler, listener::TcpListener, Server};
//!
//! #[handler]
//! fn home(MaybeUser(user): MaybeUser) -> String {
//!     match user {
//!         Some(a) => format!("hello {}", a.user.email),
//!         None => "hello stranger".to_owned(),
//!     }
//! }
//!
//! #[handler]
//! fn dashboard(CurrentUser(a): CurrentUser) -> String {
//!     a.user.email.clone()
//! }
//!
//! #[handler]
//! fn admin() -> &'static str {
//!     "admins only"
//! }
//!
//! # async fn run(web: auth_http::AuthWeb) -> std::io::Result<()> {
//! let app = Route::new()
//!     .at("/", get(home))
//!     .at("/dashboard", get(dashboard))
//!     .at("/admin", get(admin).with(RequireLogin::role("admin")))
//!     .nest(web.mount_path(), auth_poem::routes(web.clone()))
//!     .with(AuthMiddleware::new(web));
//! Server::new(TcpListener::bind("127.0.0.1:3000")).run(app).await
//! # }
//! ```
//!
//! Nest the routes at [`AuthWeb::mount_path`] (by default the engine's `link_prefix`,
//! where mailed links point): nested anywhere else, they answer 500 and log the
//! mismatch, so the mistake shows on the first request instead of in every mailed link.
//! [`AuthMiddleware`] goes around the whole application: it makes the web layer (and
//! `Data<&AuthWeb>`) available to extractors, guards and handlers.
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

use std::net::IpAddr;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use poem::{Body, Endpoint, Request, Response};

pub use extract::{CurrentCaller, CurrentUser, MaybeUser, VerifiedUser};
pub use guard::{AuthMiddleware, AuthMiddlewareEndpoint, RequireLogin, RequireLoginEndpoint};

// What an application needs besides this crate and a store: the engine and the web
// layer, as modules and their common items, so that `Cargo.toml` names one adapter.
pub use auth_core;
pub use auth_core::{Auth, Authenticated, Config, User};
pub use auth_http;
pub use auth_http::{AuthWeb, AuthWebBuilder, Caller, Denial, Requirement};

/// Every route of the web layer, as one endpoint to [`Route::nest`](poem::Route::nest)
/// at the mount point (`Route::new().nest("/auth", auth_poem::routes(web))`).
pub fn routes(web: AuthWeb) -> AuthRoutes {
    AuthRoutes { web }
}

/// The endpoint returned by [`routes`]: hands every request under the mount point to
/// [`AuthWeb::handle`].
#[derive(Debug, Clone)]
pub struct AuthRoutes {
    web: AuthWeb,
}

impl Endpoint for AuthRoutes {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        Ok(serve(&self.web, req).await)
    }
}

/// Serves one request with the web layer ([`AuthWeb::serve`]: the body read up to the
/// limit, 413 past it) with the client's address, after checking that the routes are
/// nested at [`AuthWeb::mount_path`]: nested anywhere else, every request answers 500
/// and logs the mismatch ([`auth_http::Miswired`]), since every mailed link would point
/// to the wrong place. The request's URI must be relative to the mount point (as
/// [`Route::nest`](poem::Route::nest) leaves it).
pub async fn serve(web: &AuthWeb, req: Request) -> Response {
    if let Some(full) = extract::original_path(&req)
        && let Err(miswired) = web.check_mount(&full, req.uri().path())
    {
        return into_poem(miswired.into_response());
    }
    let peer = peer_ip(&req);
    let (parts, body) = req.into_parts();
    let mut http_req = http::Request::new(BoxBody::from(body));
    *http_req.method_mut() = parts.method;
    *http_req.uri_mut() = parts.uri;
    *http_req.version_mut() = parts.version;
    *http_req.headers_mut() = parts.headers;
    into_poem(web.serve(http_req, peer).await)
}

/// The client's address as Poem's listener recorded it.
pub(crate) fn peer_ip(req: &Request) -> Option<IpAddr> {
    req.remote_addr().as_socket_addr().map(|a| a.ip())
}

/// Converts a web-layer response (Poem speaks `http` 1.x too: only the body changes).
pub fn into_poem(resp: http::Response<Bytes>) -> Response {
    let (parts, body) = resp.into_parts();
    Response::from_parts(
        poem::ResponseParts {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            extensions: parts.extensions,
        },
        Body::from_bytes(body),
    )
}
