//! The in-process scenario kit for framework adapters (feature `testkit`).
//!
//! `auth-axum`, `auth-poem` and `auth-rocket` run the same scenarios through their own
//! in-process clients, so that the three bindings are shown to behave alike; an adapter
//! for another framework proves itself with the same call. The kit builds the engine
//! and the web layer ([`Site`]); the adapter's test builds its application around
//! [`Site::web`] and makes it an [`App`]: one method that sends an `http` 1.x request
//! through the framework and returns the response.
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
//! use auth_http::testkit::{App, Site};
//! use auth_http::AuthWeb;
//!
//! /// The web layer on its own, as an "adapter" that only serves `/auth`.
//! struct LayerOnly(AuthWeb);
//!
//! impl App for LayerOnly {
//!     async fn send(&self, req: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
//!         let (mut parts, body) = req.into_parts();
//!         // What a framework's `nest("/auth", ..)` does: strip the mount point.
//!         let full = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
//!         let relative = full.strip_prefix("/auth").filter(|r| r.starts_with('/'));
//!         parts.uri = relative.unwrap_or("/").parse().unwrap();
//!         let req = http::Request::from_parts(parts, bytes::Bytes::from(body));
//!         self.0.handle(req, None).await.map(|b| b.to_vec())
//!     }
//! }
//!
//! async fn app(site: &Site) -> LayerOnly {
//!     LayerOnly(site.web())
//! }
//!
//! // In a test file, with the routes above served too:
//! // auth_http::adapter_scenarios!(app);
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! # let site = Site::new();
//! # let r = auth_http::testkit::Browser::new().get(&app(&site).await, "/auth/login").await;
//! # assert_eq!(r.status, http::StatusCode::OK);
//! # }
//! ```
//!
//! The calling crate needs `tokio` (features `macros`, `rt`) as a dev-dependency and
//! `auth-http` with feature `testkit`.
//!
//! The kit panics (fails the test) on anything unexpected: it is test code.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test kit: a step that fails panics the test that runs it"
)]

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use auth_core::{
    Auth, CapturingMailer, HashParams, MailKind, NewUser, SessionDigest, SessionRecord,
    SessionUserStore, User,
};
use auth_store_memory::MemoryStore;
use http::{HeaderMap, Request, Response, StatusCode};

use crate::AuthWeb;

/// The password of every user the kit creates.
pub const PASSWORD: &str = "correct horse battery staple";

/// The password the life-cycle scenario resets to.
pub const NEW_PASSWORD: &str = "violet elephants juggle quietly";

/// The application under test, as the framework serves it in-process.
pub trait App {
    /// Sends `req` (a path from the application's root, e.g. `/auth/login`) through
    /// the framework and returns the complete response.
    fn send(&self, req: Request<Vec<u8>>) -> impl Future<Output = Response<Vec<u8>>>;
}

/// The engine and web layer the application is built over: an in-memory store, a
/// capturing mailer, fast password hashing, links to `http://localhost/auth`,
/// plain-HTTP cookies and a 4 KiB body limit.
#[derive(Debug)]
pub struct Site {
    auth: Auth,
    web: AuthWeb,
    mailer: CapturingMailer,
    sessions: Arc<CountingSessions>,
}

impl Default for Site {
    fn default() -> Self {
        Self::new()
    }
}

impl Site {
    /// A fresh site with no users.
    pub fn new() -> Self {
        Self::with(|config| config)
    }

    /// A fresh site with no users, its engine configured further by `configure` (e.g. a
    /// different admin role).
    pub fn with(
        configure: impl FnOnce(auth_core::ConfigBuilder) -> auth_core::ConfigBuilder,
    ) -> Self {
        let store = Arc::new(MemoryStore::new());
        let sessions = Arc::new(CountingSessions {
            inner: store.clone(),
            calls: AtomicUsize::new(0),
            down: AtomicBool::new(false),
        });
        let mailer = CapturingMailer::new();
        let config = auth_core::Config::builder()
            .app_name("Adapter Test")
            .base_url("http://localhost")
            .link_prefix("/auth")
            .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
            .hash_params(HashParams::insecure_fast_for_tests())
            .mail_in_background(false);
        let config = configure(config).build().unwrap();
        let auth = Auth::builder(config)
            .store(store)
            .session_users(sessions.clone())
            .mailer(Arc::new(mailer.clone()))
            .build()
            .unwrap();
        let web = AuthWeb::builder(auth.clone())
            .insecure_dev_cookies(true)
            .body_limit(4096)
            .build()
            .unwrap();
        Self {
            auth,
            web,
            mailer,
            sessions,
        }
    }

    /// The web layer, to build the application around.
    pub fn web(&self) -> AuthWeb {
        self.web.clone()
    }

    /// Creates a user with [`PASSWORD`].
    pub async fn user(&self, email: &str, roles: &[&str], verified: bool) -> User {
        create_user(&self.auth, email, roles, verified).await
    }

    /// The path of the newest link of `kind` mailed to `to` (`marker` is part of it,
    /// e.g. `/verify/`).
    pub fn mailed_path(&self, to: &str, kind: MailKind, marker: &str) -> String {
        mailed_path(&self.mailer, "http://localhost", to, kind, marker)
    }

    /// How many times a request's session was looked up so far.
    pub fn session_lookups(&self) -> usize {
        self.sessions.calls.load(Ordering::SeqCst)
    }

    /// Makes session lookups fail as an unreachable store would (`true`), or work again.
    pub fn session_store_down(&self, down: bool) {
        self.sessions.down.store(down, Ordering::SeqCst);
    }
}

/// Counts session lookups, and fails them as an unreachable store would when told to.
#[derive(Debug)]
struct CountingSessions {
    inner: Arc<MemoryStore>,
    calls: AtomicUsize,
    down: AtomicBool,
}

#[async_trait]
impl SessionUserStore for CountingSessions {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> auth_core::Result<Option<(SessionRecord, User)>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(auth_core::Error::unavailable(std::io::Error::other(
                "connection refused",
            )));
        }
        self.inner.session_with_user(digest).await
    }
}

/// A response, its body as text.
#[derive(Debug)]
pub struct Resp {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (UTF-8).
    pub body: String,
}

impl Resp {
    /// The `Location` header, or `""`.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .map_or("", |v| v.to_str().unwrap())
    }

    /// The `Set-Cookie` header that sets `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

/// A browser-like client: keeps cookies, and the CSRF token of the last page.
#[derive(Debug, Default)]
pub struct Browser {
    /// The cookies, by name.
    pub jar: BTreeMap<String, String>,
    /// The CSRF token of the last page that had a form.
    pub csrf: Option<String>,
}

impl Browser {
    /// A browser without cookies.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends a request built by `req` with `body`, adding `Host` and the cookies.
    pub async fn send(
        &mut self,
        app: &impl App,
        req: http::request::Builder,
        body: impl Into<Vec<u8>>,
    ) -> Resp {
        let mut req = req.header("host", "localhost");
        if !self.jar.is_empty() {
            let c: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header("cookie", c.join("; "));
        }
        let resp = app.send(req.body(body.into()).unwrap()).await;
        let (parts, body) = resp.into_parts();
        let body = String::from_utf8(body).unwrap();
        for c in parts.headers.get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let (k, v) = c.split(';').next().unwrap().split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_owned(), v.to_owned());
            }
        }
        let marker = "name=\"csrf_token\" value=\"";
        if let Some(i) = body.find(marker) {
            let rest = &body[i + marker.len()..];
            self.csrf = Some(rest[..rest.find('"').unwrap()].to_owned());
        }
        Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, app: &impl App, path: &str) -> Resp {
        self.send(app, Request::get(path), Vec::new()).await
    }

    /// `GET path` asking for JSON.
    pub async fn get_json(&mut self, app: &impl App, path: &str) -> Resp {
        let req = Request::get(path).header("accept", "application/json");
        self.send(app, req, Vec::new()).await
    }

    /// Posts a form with the CSRF token of the last page.
    pub async fn post(&mut self, app: &impl App, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("csrf_token", &token));
        let body = serde_urlencoded::to_string(&all).unwrap();
        let req = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        self.send(app, req, body).await
    }

    /// Posts a JSON body.
    pub async fn post_json(&mut self, app: &impl App, path: &str, body: String) -> Resp {
        let req = Request::post(path).header("content-type", "application/json");
        self.send(app, req, body).await
    }

    /// Signs in through the HTML form.
    pub async fn login(&mut self, app: &impl App, email: &str, password: &str) -> Resp {
        self.get(app, "/auth/login").await;
        self.post(
            app,
            "/auth/login",
            &[("login", email), ("password", password)],
        )
        .await
    }
}

/// Expands to one `#[tokio::test]` per scenario of [`scenarios`](crate::testkit::scenarios),
/// in a module `adapter_scenarios`. The argument names an
/// `async fn(&Site) -> impl App` that builds the application under test (see
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
        }
    };
}

/// The scenarios, each an `async fn(&Site, &impl App)` that panics when the adapter
/// misbehaves.
pub mod scenarios {
    use auth_core::MailKind;
    use http::{Method, Request, StatusCode};

    use super::{App, Browser, NEW_PASSWORD, PASSWORD, Site};

    /// Register, open the confirmation link (which only shows a button) and press it,
    /// sign in, use guarded routes, sign out (a replayed session cookie is refused), reset the password (the link works once; the old
    /// password no longer does).
    pub async fn a_whole_account_life_cycle(site: &Site, app: &impl App) {
        let mut c = Browser::new();
        let r = c.get(app, "/auth/register").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        let r = c
            .post(
                app,
                "/auth/register",
                &[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let link = site.mailed_path("ada@example.com", MailKind::Verification, "/verify/");
        let r = c.get(app, &link).await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/auth/verify")
        );
        let r = c.get(app, "/auth/verify").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("method=\"post\" action=\"/auth/verify\""),
            "opening the link only shows a button: {}",
            r.body
        );
        let r = c.login(app, "ada@example.com", PASSWORD).await;
        let r = c.get(app, r.location()).await;
        assert_eq!(
            r.body, "hello ada@example.com",
            "signed in, not confirmed yet"
        );
        assert_eq!(
            c.get(app, "/dashboard").await.status,
            StatusCode::FORBIDDEN,
            "opening the link confirmed nothing"
        );
        c.get(app, "/auth/verify").await;
        let r = c.post(app, "/auth/verify", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            c.get(app, "/dashboard").await.body,
            "dashboard of ada@example.com",
            "the button confirmed it"
        );
        c.post(app, "/auth/logout", &[]).await;

        let r = c.login(app, "ada@example.com", PASSWORD).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
        assert_eq!(c.get(app, "/").await.body, "hello ada@example.com");
        assert_eq!(
            c.get(app, "/dashboard").await.body,
            "dashboard of ada@example.com"
        );
        let old = c.jar.get("auth_session").cloned().unwrap();

        let r = c.post(app, "/auth/logout", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(c.get(app, "/").await.body, "anonymous");
        c.jar.insert("auth_session".into(), old);
        let r = c.get(app, "/dashboard").await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "a replayed cookie is refused"
        );
        assert_eq!(r.location(), "/auth/login?next=%2Fdashboard");

        // Reset, then the new password works and the old one does not.
        c.get(app, "/auth/request_password_reset").await;
        c.post(
            app,
            "/auth/request_password_reset",
            &[("email", "ada@example.com")],
        )
        .await;
        let link = site.mailed_path("ada@example.com", MailKind::PasswordReset, "/reset/");
        let r = c.get(app, &link).await;
        assert_eq!(r.headers["referrer-policy"], "no-referrer");
        c.get(app, "/auth/reset").await;
        let r = c
            .post(
                app,
                "/auth/reset",
                &[
                    ("password", NEW_PASSWORD),
                    ("password_confirm", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = c.get(app, &link).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            c.get(app, "/auth/reset").await.status,
            StatusCode::BAD_REQUEST,
            "a used link is refused"
        );
        assert_eq!(
            c.login(app, "ada@example.com", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            c.login(app, "ada@example.com", NEW_PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
    }

    /// Without a session, HTML requests are sent to the sign-in page with `next` and
    /// API requests get 401; an unconfirmed address gets 403 (a page offering a new
    /// link, or `email_not_verified`); a missing role gets 403.
    pub async fn guards_redirect_html_and_refuse_api_requests(site: &Site, app: &impl App) {
        site.user("ada@example.com", &[], false).await;
        site.user("root@example.com", &["admin"], true).await;
        let mut anon = Browser::new();
        let r = anon.get(app, "/members?x=1").await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/auth/login?next=%2Fmembers%3Fx%3D1")
        );
        let r = anon.get_json(app, "/dashboard").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("\"unauthenticated\""), "{}", r.body);

        let mut ada = Browser::new();
        ada.login(app, "ada@example.com", PASSWORD).await;
        assert_eq!(ada.get(app, "/members").await.body, "members");
        let r = ada.get(app, "/dashboard").await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "the address is not confirmed"
        );
        assert!(r.body.contains("Confirm your email address"));
        assert!(
            r.body.contains("action=\"/auth/verify/resend\""),
            "offers a new link"
        );
        let r = ada.get_json(app, "/dashboard").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("\"email_not_verified\""), "{}", r.body);
        assert_eq!(ada.get(app, "/admin").await.status, StatusCode::FORBIDDEN);
        let r = ada.get_json(app, "/admin").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("\"forbidden\""), "{}", r.body);

        let mut root = Browser::new();
        root.login(app, "root@example.com", PASSWORD).await;
        assert_eq!(root.get(app, "/admin").await.body, "admin root@example.com");
        assert_eq!(root.get(app, "/dashboard").await.status, StatusCode::OK);
    }

    /// A refused user is still signed in: the 403 pages (missing role, unconfirmed
    /// address) show the signed-in header, not the sign-in link.
    pub async fn refusal_pages_show_who_is_signed_in(site: &Site, app: &impl App) {
        site.user("ada@example.com", &[], false).await;
        let mut ada = Browser::new();
        ada.login(app, "ada@example.com", PASSWORD).await;
        for (path, what) in [
            ("/admin", "Not allowed"),
            ("/dashboard", "Confirm your email"),
        ] {
            let r = ada.get(app, path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert!(r.body.contains(what), "{path}: {}", r.body);
            assert!(
                r.body
                    .contains("Signed in as <strong>ada@example.com</strong>"),
                "{path}: {}",
                r.body
            );
            assert!(r.body.contains(">Sign out</button>"), "{path}: {}", r.body);
            assert!(!r.body.contains(">Sign in</a>"), "{path}: {}", r.body);
        }
        let r = ada.get(app, "/dashboard").await;
        assert!(
            r.body.contains("value=\"ada@example.com\""),
            "the resend form knows the address: {}",
            r.body
        );
    }

    /// Guards for a confirmed address, and for a role and a confirmed address: a user
    /// lacking both is told about the role first (confirming would not help).
    pub async fn a_role_and_a_confirmed_address_combine(site: &Site, app: &impl App) {
        site.user("ada@example.com", &[], true).await;
        site.user("new@example.com", &["admin"], false).await;
        site.user("eve@example.com", &[], false).await;
        site.user("root@example.com", &["admin"], true).await;
        let r = Browser::new().get(app, "/staff").await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/auth/login?next=%2Fstaff")
        );
        for (email, path, expected) in [
            ("ada@example.com", "/staff", "forbidden"),
            ("eve@example.com", "/staff", "forbidden"),
            ("eve@example.com", "/verified", "email_not_verified"),
            ("new@example.com", "/staff", "email_not_verified"),
            ("new@example.com", "/verified", "email_not_verified"),
        ] {
            let mut c = Browser::new();
            c.login(app, email, PASSWORD).await;
            let r = c.get_json(app, path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{email} {path}");
            assert!(
                r.body.contains(&format!("\"{expected}\"")),
                "{email} {path}: {}",
                r.body
            );
        }
        let mut ada = Browser::new();
        ada.login(app, "ada@example.com", PASSWORD).await;
        assert_eq!(ada.get(app, "/verified").await.body, "verified");
        let mut root = Browser::new();
        root.login(app, "root@example.com", PASSWORD).await;
        assert_eq!(root.get(app, "/staff").await.body, "staff");
    }

    /// A guard in a nested router sends the path the application received, not the
    /// one the nesting left, as `next`.
    pub async fn next_is_the_full_path_of_a_nested_route(site: &Site, app: &impl App) {
        site.user("ada@example.com", &[], true).await;
        let mut c = Browser::new();
        let r = c.get(app, "/area/page?x=1").await;
        assert_eq!(
            (r.status, r.location()),
            (
                StatusCode::SEE_OTHER,
                "/auth/login?next=%2Farea%2Fpage%3Fx%3D1"
            )
        );
        c.get(app, r.location()).await;
        let r = c
            .post(
                app,
                "/auth/login?next=%2Farea%2Fpage%3Fx%3D1",
                &[("login", "ada@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/area/page?x=1")
        );
        assert_eq!(c.get(app, "/area/page?x=1").await.body, "members");
    }

    /// A route without a user extractor costs no session lookup; two extractors, or a
    /// guard and an extractor, cost one.
    pub async fn the_session_is_loaded_lazily_and_once(site: &Site, app: &impl App) {
        site.user("ada@example.com", &[], true).await;
        let mut c = Browser::new();
        c.login(app, "ada@example.com", PASSWORD).await;
        let before = site.session_lookups();
        assert_eq!(c.get(app, "/public").await.body, "no user needed");
        assert_eq!(site.session_lookups(), before, "no store round trip");
        assert_eq!(c.get(app, "/twice").await.body, "ada@example.com true");
        assert_eq!(
            site.session_lookups(),
            before + 1,
            "two extractors, one lookup"
        );
        let before = site.session_lookups();
        assert_eq!(c.get(app, "/admin").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            site.session_lookups(),
            before + 1,
            "guard and extractor share it"
        );
    }

    /// A session store that cannot be reached gives 503 with `Retry-After`, on guarded
    /// routes and in the API, without leaking the cause.
    pub async fn an_unavailable_session_store_is_503_not_500(site: &Site, app: &impl App) {
        site.user("ada@example.com", &[], true).await;
        let mut c = Browser::new();
        c.login(app, "ada@example.com", PASSWORD).await;
        site.session_store_down(true);
        let r = c.get(app, "/dashboard").await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.headers.contains_key("retry-after"));
        assert!(!r.body.contains("connection refused"), "no internals leak");
        let r = c.get(app, "/auth/api/me").await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.body.contains("\"unavailable\""), "{}", r.body);
    }

    /// Bodies past the limit get 413, forms and JSON alike, even without a
    /// `Content-Length` (the kit sends none): the binding stops reading at the limit.
    pub async fn bodies_past_the_limit_get_413_even_without_a_length(_site: &Site, app: &impl App) {
        let mut c = Browser::new();
        c.get(app, "/auth/login").await;
        let big = "x".repeat(10_000);
        let r = c.post(app, "/auth/login", &[("login", &big)]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        let r = c
            .post_json(app, "/auth/api/login", format!("{{\"login\":\"{big}\"}}"))
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.body.contains("payload_too_large"), "{}", r.body);
    }

    /// The layer answers at its mount point: the bare mount point redirects to the
    /// sign-in page, unknown paths get 404, wrong methods 405, and the versioned
    /// stylesheet is served with a long cache lifetime.
    pub async fn routes_nest_and_unknown_paths_are_404(_site: &Site, app: &impl App) {
        let mut c = Browser::new();
        let r = c.get(app, "/auth").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/auth/login");
        assert_eq!(c.get(app, "/auth/nope").await.status, StatusCode::NOT_FOUND);
        let r = c
            .send(
                app,
                Request::builder().method(Method::DELETE).uri("/auth/login"),
                Vec::new(),
            )
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        let r = c.get(app, "/auth/login").await;
        let css = r
            .body
            .split("rel=\"stylesheet\" href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&#x2f;", "/");
        let r = c.get(app, &css).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
    }

    /// A forged CSRF token and a cross-site JSON post are refused; the session cookie is
    /// HttpOnly and SameSite=Lax (not Secure: plain-HTTP development), and a new sign-in
    /// issues a new session id.
    pub async fn csrf_is_enforced_and_cookies_carry_their_flags(site: &Site, app: &impl App) {
        site.user("ada@example.com", &[], true).await;
        let mut c = Browser::new();
        c.get(app, "/auth/login").await;
        let good = c.csrf.clone();
        c.csrf = Some("ab".repeat(32));
        let r = c
            .post(
                app,
                "/auth/login",
                &[("login", "ada@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a forged token is refused");
        assert!(!c.jar.contains_key("auth_session"));
        let r = c
            .send(
                app,
                Request::post("/auth/api/login")
                    .header("content-type", "application/json")
                    .header("origin", "https://evil.example"),
                format!("{{\"login\":\"ada@example.com\",\"password\":\"{PASSWORD}\"}}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a cross-site origin");
        assert!(r.body.contains("csrf_failed"), "{}", r.body);

        c.csrf = good;
        let r = c.login(app, "ada@example.com", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let session = r.set_cookie("auth_session").unwrap();
        assert!(session.contains("HttpOnly"), "{session}");
        assert!(session.contains("SameSite=Lax"), "{session}");
        assert!(
            !session.contains("Secure"),
            "plain-HTTP development cookies"
        );
        let first = c.jar["auth_session"].clone();
        c.login(app, "ada@example.com", PASSWORD).await;
        assert_ne!(c.jar["auth_session"], first, "a new session id on login");
    }
}

/// Creates a user of `auth` with [`PASSWORD`], `roles` and, if `verified`, a confirmed
/// address. For a site of one's own; [`Site::user`] does this for the kit's site.
pub async fn create_user(auth: &Auth, email: &str, roles: &[&str], verified: bool) -> User {
    auth.create_user(NewUser {
        email: email.into(),
        username: None,
        password: PASSWORD.into(),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        verified,
        profile: Default::default(),
    })
    .await
    .unwrap()
}

/// The path (`base_url` stripped) of the newest link of `kind` that `mailer` captured
/// for `to`; `marker` is part of the link, e.g. `/verify/`.
pub fn mailed_path(
    mailer: &CapturingMailer,
    base_url: &str,
    to: &str,
    kind: MailKind,
    marker: &str,
) -> String {
    let mail = mailer.last_to(to, kind).expect("a mail");
    let link = CapturingMailer::link_in(&mail, marker).expect("a link in the mail");
    link.strip_prefix(base_url).unwrap().to_owned()
}
