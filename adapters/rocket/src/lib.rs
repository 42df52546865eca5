//! # auth-rocket
//!
//! The [Rocket](rocket) 0.5 binding of the auth toolkit's web layer ([`auth_http`]):
//! a fairing that installs the web layer, a catch-all route set to mount at the mount
//! point, request guards for the current user, and catchers that turn a refused guard
//! into the sign-in redirect (HTML) or a JSON 401/403 (API).
//!
//! ```no_run
//! use auth_rocket::{AdminUser, AuthFairing, CurrentUser, MaybeUser};
//! use rocket::{get, routes};
//!
//! #[get("/")]
//! fn home(user: MaybeUser) -> String {
//!     match user.0 {
//!         Some(a) => format!("hello {}", a.user.email),
//!         None => "hello stranger".to_owned(),
//!     }
//! }
//!
//! #[get("/dashboard")]
//! fn dashboard(user: CurrentUser) -> String {
//!     user.0.user.email.clone()
//! }
//!
//! #[get("/admin")]
//! fn admin(_admin: AdminUser) -> &'static str {
//!     "admins only"
//! }
//!
//! # async fn run(web: auth_http::AuthWeb) -> Result<(), rocket::Error> {
//! rocket::build()
//!     .mount(web.mount_path(), auth_rocket::routes())
//!     .attach(AuthFairing::new(web))
//!     .mount("/", routes![home, dashboard, admin])
//!     .launch()
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! Mount [`routes`] at [`AuthWeb::mount_path`] (by default the engine's `link_prefix`,
//! where mailed links point): mounted anywhere else, they answer 500 and log the
//! mismatch, so the mistake shows on the first request instead of in every mailed link.
//! [`AuthFairing`] manages the [`AuthWeb`] (so handlers can take
//! `&State<AuthWeb>`) and registers [`catchers`] at `/` unless told not to.
//!
//! Rocket 0.5 speaks `http` 0.2 internally; this crate converts requests and responses
//! at the edge, so nothing of the web layer changes. Loading the session is lazy and
//! cached in Rocket's request-local cache: only a route with a user guard costs a store
//! round trip, and at most one per request.
//!
//! Rocket's client address is taken from the connection ([`Request::remote`]), not
//! from `X-Real-IP`; to trust reverse proxies' headers, configure the web layer
//! (`AuthWebBuilder::trusted_proxy_hops`, `AuthWebBuilder::proxy_header`).

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod convert;
mod guard;

use auth_http::Miswired;
use rocket::data::ToByteUnit;
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{Method, Status};
use rocket::route::{Handler, Outcome};
use rocket::{Build, Catcher, Data, Request, Rocket, Route};

pub use convert::{HttpHeaders, WebResponse};
pub use guard::{
    AdminUser, AuthGuardError, CurrentUser, HasRole, HasScope, MaybeUser, RoleName, ScopeName,
    VerifiedUser,
};

// What an application needs besides this crate and a store: the engine and the web
// layer, as modules and their common items, so that `Cargo.toml` names one adapter.
pub use auth_core;
pub use auth_core::{Auth, Authenticated, Config, User};
pub use auth_http;
pub use auth_http::{AuthWeb, AuthWebBuilder, Caller, Denial, Requirement};

/// Installs the auth toolkit in a Rocket application: manages the [`AuthWeb`] (guards,
/// [`routes`] and handlers taking `&State<AuthWeb>` find it there) and registers
/// [`catchers`] at `/`.
#[derive(Debug, Clone)]
pub struct AuthFairing {
    web: AuthWeb,
    catchers: bool,
}

impl AuthFairing {
    /// A fairing over `web` that also registers [`catchers`] at `/`.
    pub fn new(web: AuthWeb) -> Self {
        Self {
            web,
            catchers: true,
        }
    }

    /// Do not register [`catchers`]: for applications with their own 401, 403 or 503
    /// catchers, which can call [`catchers`]' logic through
    /// [`WebResponse::for_refusal`].
    #[must_use]
    pub fn without_catchers(mut self) -> Self {
        self.catchers = false;
        self
    }
}

#[rocket::async_trait]
impl Fairing for AuthFairing {
    fn info(&self) -> Info {
        Info {
            name: "auth",
            kind: Kind::Ignite,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let rocket = rocket.manage(self.web.clone());
        Ok(if self.catchers {
            rocket.register("/", catchers())
        } else {
            rocket
        })
    }
}

/// Every route of the web layer: one catch-all route per method, to mount at the mount
/// point (`.mount("/auth", auth_rocket::routes())`). Requests are handed to
/// [`AuthWeb::handle`] with their path relative to the mount point. Ranked last
/// (`rank = 100`) so application routes under the same base win.
pub fn routes() -> Vec<Route> {
    [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Options,
    ]
    .into_iter()
    .map(|m| Route::ranked(100, m, "/<path..>", AuthHandler))
    .collect()
}

/// The catchers for 401, 403 and 503 that answer a refused guard as the web layer
/// does: a redirect to the sign-in page with `next` (HTML) or a JSON 401 (API) for a
/// missing sign-in, 403 for a missing role or unconfirmed address, 503 with
/// `Retry-After` when the session store is unavailable.
pub fn catchers() -> Vec<Catcher> {
    [401u16, 403, 503]
        .into_iter()
        .map(|code| Catcher::new(code, AuthCatcher))
        .collect()
}

#[derive(Clone)]
struct AuthHandler;

#[rocket::async_trait]
impl Handler for AuthHandler {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        let Some(web) = req.rocket().state::<AuthWeb>() else {
            let miswired =
                Miswired::missing_layer("auth-rocket", "add .attach(AuthFairing::new(web))");
            return Outcome::Success(convert::into_rocket(miswired.into_response()));
        };
        let relative = convert::relative_path(req);
        if let Err(miswired) = web.check_mount(req.uri().path().as_str(), &relative) {
            return Outcome::Success(convert::into_rocket(miswired.into_response()));
        }
        // Rocket's own cap one byte past the limit, so that the web layer tells a body at
        // the limit from a longer one; a limit of `usize::MAX` must not wrap.
        let past_limit = u64::try_from(web.body_limit_for(&relative))
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let body = convert::DataBody::new(data.open(past_limit.bytes()));
        let Some(request) = convert::into_http(req, &relative, body) else {
            return Outcome::Error(Status::BadRequest);
        };
        let peer = req.remote().map(|a| a.ip());
        Outcome::Success(convert::into_rocket(web.serve(request, peer).await))
    }
}

#[derive(Clone)]
struct AuthCatcher;

#[rocket::async_trait]
impl rocket::catcher::Handler for AuthCatcher {
    async fn handle<'r>(
        &self,
        status: Status,
        req: &'r Request<'_>,
    ) -> rocket::catcher::Result<'r> {
        match WebResponse::for_refusal(status, req).await {
            Some(resp) => Ok(convert::into_rocket(resp.0)),
            None => Err(status),
        }
    }
}
