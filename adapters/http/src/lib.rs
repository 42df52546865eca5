//! # auth-http
//!
//! The framework-neutral web layer of the auth toolkit: every page, form and JSON
//! endpoint of the account flows of [`auth_core`], over the types of the [`http`] 1.x
//! crate. Framework adapters (`auth-axum`, `auth-poem`, `auth-rocket`) are thin bindings
//! around one call:
//!
//! ```
//! # use std::sync::Arc;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use auth_core::{Auth, CapturingMailer, Config};
//! use auth_http::AuthWeb;
//!
//! let config = Config::builder()
//!     .base_url("https://app.example")
//!     .link_prefix("/auth")
//!     .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
//!     .build()?;
//! let auth = Auth::builder(config)
//!     .store(Arc::new(auth_store_memory::MemoryStore::new()))
//!     .mailer(Arc::new(CapturingMailer::new()))
//!     .build()?;
//! let web = AuthWeb::builder(auth).secret(vec![7; 32]).build()?;
//!
//! // What an adapter does for `GET /auth/login` (the mount point already stripped):
//! let request = http::Request::get("/login").body(bytes::Bytes::new())?;
//! let response = web.handle(request, Some([127, 0, 0, 1].into())).await;
//! assert_eq!(response.status(), http::StatusCode::OK);
//! assert!(response.headers()["content-security-policy"].to_str()?.contains("frame-ancestors 'none'"));
//!
//! // And where the application asks who is signed in (nobody, without a cookie):
//! assert!(web.current_user(&http::HeaderMap::new()).await?.is_none());
//! # Ok(())
//! # }
//! ```
//!
//! The request's path is relative to the mount point. Besides [`AuthWeb::handle`] the
//! adapters' guards use three calls: [`AuthWeb::current_user`] ("who is the current
//! user of this request", from its headers), [`Requirement::check`] (the access
//! decision: signed in, role, confirmed address) and [`AuthWeb::deny`] (refuse a
//! request the way the layer does: JSON or a page, as [`RequestKind`] decides).
//!
//! The feature `testkit` exports `auth_http::testkit`: the scenarios the three adapters
//! pass, for an adapter to another framework to pass too, and the browser-like client
//! (`testkit::Browser`) that every HTTP test of the workspace drives.
//!
//! ## What it serves
//!
//! Relative to the mount point (the demos use `/auth`):
//!
//! | Route | |
//! |---|---|
//! | `GET/POST /register` | `email`, optional `username`, `password`, `password_confirm` |
//! | `GET/POST /login` | `login` (email or username), `password`, `remember`; honours `?next=` |
//! | `GET/POST /login/second_factor` | `code` (from the authenticator app, or a recovery code with `?use=recovery`): the second step for an account with a second factor |
//! | `POST /logout` | |
//! | `GET /verify/{token}`, `GET/POST /verify` | the mailed link; the token moves into a cookie, `GET /verify` shows a button, and only its `POST` confirms |
//! | `GET/POST /verify/resend` | `email` |
//! | `GET/POST /request_password_reset` | `email` |
//! | `GET /reset/{token}`, `GET/POST /reset` | `password`, `password_confirm` |
//! | `GET /email/confirm/{token}`, `GET/POST /email/confirm` | a change of address, confirmed as above: by the button's `POST` only |
//! | `GET /account`, `POST /account/profile` | overview, `username` |
//! | `GET/POST /account/password` | `current_password`, `password`, `password_confirm` |
//! | `GET/POST /account/email` | `new_email`, `password` |
//! | `GET /account/sessions`, `POST /account/sessions/revoke`, `POST /account/sessions/revoke_others` | `session` (handle) |
//! | `GET/POST /account/delete` | `password` |
//! | `GET /account/second_factor`, `POST /account/second_factor/{enrol,enrol/finish,recovery_codes,recovery_codes/download,disable}` | the authenticator app: `code`; `codes` for the download; `password` and `code` to disable |
//! | `GET /oidc/{name}/start`, `GET /oidc/{name}/callback`, `GET/POST /oidc/link` | sign-in with other providers ([`SignInProviders`]); the link page asks the owner of an existing account to sign in, then to confirm |
//! | `GET /account/identities`, `POST /account/identities/unlink` | `provider`, `subject` |
//! | `GET /admin`, `GET /admin/users/{id}`, `POST /admin/users/{id}/{disable,enable,unlock,logout,roles,reset_second_factor}` | role `admin` |
//! | `GET /admin/mail`, `POST /admin/mail/{id}/{retry,discard}` | mail the outbox gave up on; role `admin` |
//! | `GET /admin/webhooks`, `POST /admin/webhooks/{id}/{retry,discard}` | webhook deliveries in every state, the failed ones retried or discarded; role `admin` |
//! | `GET /static/auth-{hash}.css` | the stylesheet, cached for a year |
//! | `/api/...` | the JSON API, see the guide (`docs/web.md`); `POST /api/token` exchanges a session or API key for an access token ([`AccessTokens`], `docs/programs.md`) |
//! | `GET /api/openapi.json` | the OpenAPI 3.1 document of the JSON API ([`openapi`]) |
//! | `GET /.well-known/jwks.json` | the public keys of the access tokens (also for the site's root: [`AuthWeb::jwks_response`]) |
//!
//! Every HTML form carries a hidden `csrf_token`; the JSON API requires
//! `Content-Type: application/json` and a same-site `Origin`. Errors answer
//! `{"error": {"code", "message", "fields"}}` with the statuses of [`Problem`].
//!
//! ## Templates
//!
//! Pages are [`minijinja`] templates embedded in the crate ([`TEMPLATE_NAMES`]); an
//! application replaces any of them by name with [`AuthWebBuilder::template`] or a
//! directory ([`AuthWebBuilder::template_dir`]), and may add pages of its own that
//! extend `base.html` and render them with [`AuthWeb::render_page`]. No page has inline
//! script or style, so the strict [`CONTENT_SECURITY_POLICY`] holds.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![expect(
    clippy::result_large_err,
    reason = "handlers return `Result<_, Reply>` where the error side is the response to send (a redirect or an error page), not an error value: its size is that of a response"
)]

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod access;
mod adapter;
mod avatar;
mod builder;
mod caller;
mod cookies;
mod credential;
mod csrf;
mod delivery;
mod fields;
mod flash;
mod flows;
mod forwarded;
mod input;
mod intake;
mod kind;
mod language;
mod links;
mod localize;
mod multipart;
mod names;
pub mod openapi;
mod pages;
mod problem;
mod profile;
mod providers;
mod qr;
mod redirect;
mod reply;
mod requirement;
mod responses;
mod templates;
#[cfg(feature = "testkit")]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
pub mod testkit;
mod views;
mod web;

use std::path::Path;

pub use access::{AccessTokens, DEFAULT_ACCESS_TOKEN_LIFETIME, MAX_ACCESS_TOKEN_LIFETIME};
pub use adapter::Miswired;
// The access tokens' keys and the verifier, for an application that configures them.
pub use auth_access_token;
pub use builder::AuthWebBuilder;
pub use caller::Caller;
pub use flows::{PASSKEY_SCRIPT, REAUTH_PAGE, SECOND_FACTOR_PAGE};
pub use forwarded::ProxyHeader;
pub use kind::RequestKind;
pub use problem::{FieldProblem, Problem};
pub use providers::{
    FinishedSignIn, ProviderAnswer, ProviderButton, ProviderFailure, SignInProviders, StartedSignIn,
};
pub use redirect::safe_next;
pub use requirement::{Denial, Requirement};
pub use templates::{STYLESHEET, TEMPLATE_NAMES};
pub use web::{AuthWeb, CONTENT_SECURITY_POLICY, DEFAULT_BODY_LIMIT, security_headers};

/// Why the web layer could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebError {
    /// A template does not compile.
    #[error("template {name}: {source}")]
    Template {
        /// The template's name.
        name: String,
        /// The compiler's error.
        #[source]
        source: minijinja::Error,
    },
    /// A template directory could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A setting is unsafe or inconsistent.
    #[error("invalid web configuration: {0}")]
    Config(String),
}

impl WebError {
    fn template(name: &str, source: minijinja::Error) -> Self {
        Self::Template {
            name: name.to_owned(),
            source,
        }
    }

    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
