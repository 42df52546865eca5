//! The test kit (feature `testkit`): one browser-like client, the sites it talks to, and
//! the scenarios every framework adapter passes.
//!
//! - [`Browser`] is the only HTTP test client of the workspace: it keeps cookies, reads
//!   the CSRF token of the last page with a form, posts forms and JSON, follows
//!   redirects and signs in. It is generic over a [`Transport`], what carries one
//!   `http` 1.x request to the application and back:
//!   - [`LayerOnly`] hands it to [`AuthWeb::handle`](crate::AuthWeb::handle) in-process
//!     (the web layer's own tests);
//!   - each adapter's tests implement [`Transport`] by sending it through the framework
//!     in-process (`oneshot` and the like);
//!   - the black-box suite (`tests/blackbox`) implements it over a real TCP connection to
//!     a running demo binary, and wraps `Browser` in a blocking façade.
//! - [`Site`] builds the engine and the web layer over an in-memory store and a
//!   capturing mailer, and reads links out of the mail it captured.
//! - [`scenarios`] are the adapter scenarios; [`adapter_scenarios!`](crate::adapter_scenarios)
//!   runs them all against an adapter.
//!
//! # The application under test
//!
//! Besides the web layer's routes at `/auth`, the application serves these routes,
//! using the adapter's own extractors and guards:
//!
//! | Route | Guard or extractor | Body |
//! |---|---|---|
//! | `GET /` | the optional user | `anonymous`, or `hello {email}` |
//! | `GET /public` | none (must not load the session) | `no user needed` |
//! | `GET /dashboard` | a user with a confirmed address | `dashboard of {email}` |
//! | `GET /twice` | the user, then the optional user | `{email} true` |
//! | `GET /admin` | role `admin` (guard), then the user | `admin {email}` |
//! | `GET /members` | any signed-in user (guard) | `members` |
//! | `GET /verified` | a user with a confirmed address (guard) | `verified` |
//! | `GET /staff` | role `admin` and a confirmed address (guard, or guards in that order) | `staff` |
//! | `GET /area/page` | any signed-in user (guard), in a nested router or mount at `/area` | `members` |
//!
//! # Running the scenarios
//!
//! In a test file, with an `async fn` that builds the application over a [`Site`],
//! [`adapter_scenarios!`](crate::adapter_scenarios) expands to one `#[tokio::test]` per
//! scenario of [`scenarios`], in a module `adapter_scenarios`:
//!
//! ```
//! use auth_http::testkit::{Browser, LayerOnly, Site};
//!
//! /// The web layer on its own, as an "adapter" that only serves `/auth`: a real
//! /// adapter sends the request through its framework instead.
//! async fn app(site: &Site) -> LayerOnly {
//!     LayerOnly::new(site.web())
//! }
//!
//! // In a test file, with the routes above served too:
//! // auth_http::adapter_scenarios!(app);
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! # let site = Site::new();
//! # let r = Browser::new(app(&site).await).get("/auth/login").await;
//! # assert_eq!(r.status, http::StatusCode::OK);
//! # }
//! ```
//!
//! The calling crate needs `tokio` (features `macros`, `rt`) as a dev-dependency and
//! `auth-http` with feature `testkit`.
//!
//! The kit panics (fails the test) on anything unexpected: it is test code.

mod browser;
mod layer;
pub mod scenarios;
mod site;

use std::sync::Arc;

use auth_core::{Auth, CapturingMailer, Config, MailKind, NewUser, User};
use auth_store_memory::MemoryStore;

pub use auth_core::conformance::engine::{NEW_PASSWORD, PASSWORD};
pub use browser::{Browser, Resp, Transport};
pub use layer::LayerOnly;
pub use site::Site;

/// Expands to one `#[tokio::test]` per scenario of [`scenarios`](crate::testkit::scenarios),
/// in a module `adapter_scenarios`. The argument names an
/// `async fn(&Site) -> impl Transport` that builds the application under test (see
/// [`testkit`](crate::testkit)); it is looked up from the invoking module.
#[macro_export]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
macro_rules! adapter_scenarios {
    ($app:path $(,)?) => {
        $crate::__adapter_scenarios! {
            $app;
            a_whole_account_life_cycle,
            guards_redirect_html_and_refuse_api_requests,
            refusal_pages_show_who_is_signed_in,
            a_role_and_a_confirmed_address_combine,
            next_is_the_full_path_of_a_nested_route,
            the_session_is_loaded_lazily_and_once,
            an_unavailable_session_store_is_503_not_500,
            bodies_past_the_limit_get_413_even_without_a_length,
            routes_nest_and_unknown_paths_are_404,
            csrf_is_enforced_and_cookies_carry_their_flags,
            two_step_sign_in_by_page,
            the_openapi_document_is_served,
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __adapter_scenarios {
    ($app:path; $($scenario:ident),* $(,)?) => {
        /// The adapter scenarios of `auth-http`'s test kit, one test each.
        mod adapter_scenarios {
            // `allow`, not `expect`: unused or not depending on the caller's module.
            #[allow(unused_imports)]
            use super::*;

            $(
                #[::tokio::test]
                async fn $scenario() {
                    let site = $crate::testkit::Site::new();
                    let app = $app(&site).await;
                    $crate::testkit::scenarios::$scenario(&site, &app).await;
                }
            )*

            #[::tokio::test]
            async fn sensitive_actions_need_a_recent_proof() {
                let site = $crate::testkit::Site::with(|c| {
                    c.step_up_max_age($crate::testkit::scenarios::STEP_UP_MAX_AGE)
                });
                let app = $app(&site).await;
                $crate::testkit::scenarios::sensitive_actions_need_a_recent_proof(&site, &app)
                    .await;
            }

            #[::tokio::test]
            async fn a_role_that_requires_a_second_factor_reaches_only_enrolment() {
                let site = $crate::testkit::Site::with(|c| {
                    c.require_second_factor_for_role("admin")
                });
                let app = $app(&site).await;
                $crate::testkit::scenarios::a_role_that_requires_a_second_factor_reaches_only_enrolment(
                    &site, &app,
                )
                .await;
            }
        }
    };
}

/// An engine from `config` over a fresh memory store that also keeps its API keys, its
/// mail captured and dropped: for a site of one's own where keys are used (the kit's
/// [`Site`] has none).
///
/// # Panics
/// When the engine cannot be built from `config`.
pub fn engine_with_api_keys(config: Config) -> Auth {
    let store = Arc::new(MemoryStore::new());
    Auth::builder(config)
        .store(store.clone())
        .api_keys(store)
        .mailer(Arc::new(CapturingMailer::new()))
        .build()
        .unwrap_or_else(|e| panic!("a test engine: {e}"))
}

/// Creates a user of `auth` with [`PASSWORD`], `roles` and, if `verified`, a confirmed
/// address. For a site of one's own; [`Site::user`] does this for the kit's site.
///
/// # Panics
/// When the engine refuses the user.
pub async fn create_user(auth: &Auth, email: &str, roles: &[&str], verified: bool) -> User {
    let created = auth
        .create_user(NewUser {
            email: email.into(),
            username: None,
            password: PASSWORD.into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            verified,
            profile: Default::default(),
        })
        .await;
    created.unwrap_or_else(|e| panic!("creating {email}: {e}"))
}

/// The code an authenticator app shows for `secret_base32` (as an enrolment shows it),
/// `steps` time steps of 30 seconds from now (negative: before).
///
/// # Panics
/// When `secret_base32` is not base32.
pub fn authenticator_code(secret_base32: &str, steps: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32)
        .unwrap_or_else(|e| panic!("not a base32 secret: {e}"));
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap_or_else(|e| panic!("not a TOTP secret: {e}"));
    let now = time::OffsetDateTime::now_utc().unix_timestamp() + steps * 30;
    totp.generate(u64::try_from(now).unwrap_or_default())
        .to_string()
}

/// The path (`base_url` stripped) of the newest link of `kind` that `mailer` captured
/// for `to`; `marker` is part of the link, e.g. `/verify/`.
///
/// # Panics
/// When there is no such mail or link, or the link is not under `base_url`.
pub fn mailed_path(
    mailer: &CapturingMailer,
    base_url: &str,
    to: &str,
    kind: MailKind,
    marker: &str,
) -> String {
    let mail = mailer
        .last_to(to, kind)
        .unwrap_or_else(|| panic!("no {kind:?} mail to {to}"));
    let link = CapturingMailer::link_in(&mail, marker)
        .unwrap_or_else(|| panic!("no link containing {marker} in the {kind:?} mail to {to}"));
    path_of(&link, base_url)
}

/// The path of `link` on the site at `base_url` (`https://app.test/auth/verify/x` under
/// `https://app.test` is `/auth/verify/x`): how a test opens a mailed link with a
/// [`Browser`], whatever the mail was read from.
///
/// # Panics
/// When `link` does not start with `base_url`.
pub fn path_of(link: &str, base_url: &str) -> String {
    link.strip_prefix(base_url)
        .unwrap_or_else(|| panic!("{link} does not start with {base_url}"))
        .to_owned()
}
