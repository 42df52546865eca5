//! The Axum binding in-process (`tower::ServiceExt::oneshot`): nesting, extractors,
//! guards, body limits, lazy session loading, and a whole account life cycle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use auth_axum::{AuthLayer, CurrentUser, MaybeUser, RequireLogin, VerifiedUser};
use auth_core::{
    Auth, CapturingMailer, HashParams, MailKind, NewUser, SessionDigest, SessionRecord,
    SessionUserStore, User,
};
use auth_http::AuthWeb;
use auth_store_memory::MemoryStore;
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Method, Request, StatusCode};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "violet elephants juggle quietly";

/// Counts session lookups, and can be told to fail as an unreachable store would.
struct Counting {
    inner: Arc<MemoryStore>,
    calls: AtomicUsize,
    down: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl SessionUserStore for Counting {
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

struct App {
    router: Router,
    auth: Auth,
    mailer: CapturingMailer,
    lookups: Arc<Counting>,
}

fn app() -> App {
    let store = Arc::new(MemoryStore::new());
    let lookups = Arc::new(Counting {
        inner: store.clone(),
        calls: AtomicUsize::new(0),
        down: false.into(),
    });
    let mailer = CapturingMailer::new();
    let config = auth_core::Config::builder()
        .app_name("Axum Test")
        .base_url("http://localhost")
        .link_prefix("/auth")
        .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
        .hash_params(HashParams::insecure_fast_for_tests())
        .mail_in_background(false)
        .build()
        .unwrap();
    let auth = Auth::builder(config)
        .store(store)
        .session_users(lookups.clone())
        .mailer(Arc::new(mailer.clone()))
        .build()
        .unwrap();
    let web = AuthWeb::builder(auth.clone())
        .insecure_dev_cookies(true)
        .body_limit(4096)
        .build()
        .unwrap();
    let router =
        Router::new()
            .route(
                "/",
                get(|MaybeUser(u): MaybeUser| async move {
                    u.map_or_else(
                        || "anonymous".to_owned(),
                        |a| format!("hello {}", a.user.email),
                    )
                }),
            )
            .route("/public", get(|| async { "no user needed" }))
            .route(
                "/dashboard",
                get(|VerifiedUser(a): VerifiedUser| async move {
                    format!("dashboard of {}", a.user.email)
                }),
            )
            .route(
                "/twice",
                get(
                    |CurrentUser(a): CurrentUser, MaybeUser(b): MaybeUser| async move {
                        format!("{} {}", a.user.email, b.is_some())
                    },
                ),
            )
            .route(
                "/admin",
                get(|CurrentUser(a): CurrentUser| async move { format!("admin {}", a.user.email) })
                    .route_layer(RequireLogin::role("admin")),
            )
            .route(
                "/members",
                get(|| async { "members" }).route_layer(RequireLogin::new()),
            )
            .nest("/auth", auth_axum::router(web.clone()))
            .layer(AuthLayer::new(web));
    App {
        router,
        auth,
        mailer,
        lookups,
    }
}

struct Resp {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
}

impl Resp {
    fn location(&self) -> &str {
        self.headers
            .get("location")
            .map_or("", |v| v.to_str().unwrap())
    }
}

#[derive(Default)]
struct Client {
    jar: BTreeMap<String, String>,
    csrf: Option<String>,
}

impl Client {
    async fn send(&mut self, app: &App, req: http::request::Builder, body: Body) -> Resp {
        let mut req = req.header("host", "localhost");
        if !self.jar.is_empty() {
            let c: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header("cookie", c.join("; "));
        }
        let resp = app
            .router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        for c in headers.get_all("set-cookie") {
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
            status,
            headers,
            body,
        }
    }

    async fn get(&mut self, app: &App, path: &str) -> Resp {
        self.send(app, Request::get(path), Body::empty()).await
    }

    async fn post(&mut self, app: &App, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("csrf_token", &token));
        let body = serde_urlencoded_encode(&all);
        self.send(
            app,
            Request::post(path).header("content-type", "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    async fn login(&mut self, app: &App, email: &str, password: &str) -> Resp {
        self.get(app, "/auth/login").await;
        self.post(
            app,
            "/auth/login",
            &[("login", email), ("password", password)],
        )
        .await
    }
}

fn serde_urlencoded_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn user(app: &App, email: &str, roles: &[&str], verified: bool) -> User {
    app.auth
        .create_user(NewUser {
            email: email.into(),
            username: None,
            password: PASSWORD.into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            verified,
        })
        .await
        .unwrap()
}

fn mailed_path(app: &App, to: &str, kind: MailKind, marker: &str) -> String {
    let mail = app.mailer.last_to(to, kind).unwrap();
    let link = CapturingMailer::link_in(&mail, marker).unwrap();
    link.strip_prefix("http://localhost").unwrap().to_owned()
}

#[tokio::test]
async fn a_whole_account_life_cycle_through_axum() {
    let app = app();
    let mut c = Client::default();
    let r = c.get(&app, "/auth/register").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let r = c
        .post(
            &app,
            "/auth/register",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let link = mailed_path(&app, "ada@example.com", MailKind::Verification, "/verify/");
    let r = c.get(&app, &link).await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/auth/verify")
    );
    let r = c.get(&app, "/auth/verify").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let r = c.login(&app, "ada@example.com", PASSWORD).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(c.get(&app, "/").await.body, "hello ada@example.com");
    assert_eq!(
        c.get(&app, "/dashboard").await.body,
        "dashboard of ada@example.com"
    );
    let old = c.jar.get("auth_session").cloned().unwrap();

    let r = c.post(&app, "/auth/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get(&app, "/").await.body, "anonymous");
    c.jar.insert("auth_session".into(), old);
    let r = c.get(&app, "/dashboard").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "a replayed cookie is refused"
    );
    assert_eq!(r.location(), "/auth/login?next=%2Fdashboard");

    // Reset, then the new password works and the old one does not.
    c.get(&app, "/auth/request_password_reset").await;
    c.post(
        &app,
        "/auth/request_password_reset",
        &[("email", "ada@example.com")],
    )
    .await;
    let link = mailed_path(&app, "ada@example.com", MailKind::PasswordReset, "/reset/");
    let r = c.get(&app, &link).await;
    assert_eq!(r.headers["referrer-policy"], "no-referrer");
    c.get(&app, "/auth/reset").await;
    let r = c
        .post(
            &app,
            "/auth/reset",
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&app, &link).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        c.get(&app, "/auth/reset").await.status,
        StatusCode::BAD_REQUEST,
        "a used link is refused"
    );
    assert_eq!(
        c.login(&app, "ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.login(&app, "ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn guards_redirect_html_and_refuse_api_requests() {
    let app = app();
    user(&app, "ada@example.com", &[], false).await;
    user(&app, "root@example.com", &["admin"], true).await;
    let mut anon = Client::default();
    let r = anon.get(&app, "/members?x=1").await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/auth/login?next=%2Fmembers%3Fx%3D1")
    );
    let r = anon
        .send(
            &app,
            Request::get("/dashboard").header("accept", "application/json"),
            Body::empty(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("\"unauthenticated\""));

    let mut ada = Client::default();
    ada.login(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(ada.get(&app, "/members").await.body, "members");
    let r = ada.get(&app, "/dashboard").await;
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
    let r = ada
        .send(
            &app,
            Request::get("/dashboard").header("accept", "application/json"),
            Body::empty(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("\"email_not_verified\""));
    assert_eq!(ada.get(&app, "/admin").await.status, StatusCode::FORBIDDEN);

    let mut root = Client::default();
    root.login(&app, "root@example.com", PASSWORD).await;
    assert_eq!(
        root.get(&app, "/admin").await.body,
        "admin root@example.com"
    );
    assert_eq!(root.get(&app, "/dashboard").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_session_is_loaded_lazily_and_once() {
    let app = app();
    user(&app, "ada@example.com", &[], true).await;
    let mut c = Client::default();
    c.login(&app, "ada@example.com", PASSWORD).await;
    let before = app.lookups.calls.load(Ordering::SeqCst);
    assert_eq!(c.get(&app, "/public").await.body, "no user needed");
    assert_eq!(
        app.lookups.calls.load(Ordering::SeqCst),
        before,
        "no store round trip"
    );
    assert_eq!(c.get(&app, "/twice").await.body, "ada@example.com true");
    assert_eq!(
        app.lookups.calls.load(Ordering::SeqCst),
        before + 1,
        "two extractors, one lookup"
    );
    let before = app.lookups.calls.load(Ordering::SeqCst);
    assert_eq!(c.get(&app, "/admin").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.lookups.calls.load(Ordering::SeqCst),
        before + 1,
        "guard and extractor share it"
    );
}

#[tokio::test]
async fn an_unavailable_session_store_is_503_not_500() {
    let app = app();
    user(&app, "ada@example.com", &[], true).await;
    let mut c = Client::default();
    c.login(&app, "ada@example.com", PASSWORD).await;
    app.lookups.down.store(true, Ordering::SeqCst);
    let r = c.get(&app, "/dashboard").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers.contains_key("retry-after"));
    assert!(!r.body.contains("connection refused"), "no internals leak");
    let r = c
        .send(&app, Request::get("/auth/api/me"), Body::empty())
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("\"unavailable\""));
}

#[tokio::test]
async fn bodies_past_the_limit_get_413_even_without_a_length() {
    let app = app();
    let mut c = Client::default();
    c.get(&app, "/auth/login").await;
    let big = "x".repeat(10_000);
    let r = c.post(&app, "/auth/login", &[("login", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // JSON past the limit, with no Content-Length header (oneshot sets none): the
    // binding stops reading at the limit.
    let body = format!("{{\"login\":\"{big}\"}}");
    let r = c
        .send(
            &app,
            Request::post("/auth/api/login").header("content-type", "application/json"),
            Body::from(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("payload_too_large"));
}

#[tokio::test]
async fn routes_nest_and_unknown_paths_are_404() {
    let app = app();
    let mut c = Client::default();
    let r = c.get(&app, "/auth").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/auth/login");
    assert_eq!(c.get(&app, "/auth/login/").await.status, StatusCode::OK);
    assert_eq!(
        c.get(&app, "/auth/nope").await.status,
        StatusCode::NOT_FOUND
    );
    let r = c
        .send(
            &app,
            Request::builder().method(Method::DELETE).uri("/auth/login"),
            Body::empty(),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = c.get(&app, "/auth/login").await;
    let css = r
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#x2f;", "/");
    let r = c.get(&app, &css).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
}
