//! The Rocket binding in-process (Rocket's local client): the shared adapter scenarios
//! of `auth_http::testkit`, and what is particular to Rocket (catchers).
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::net::{IpAddr, SocketAddr};

use auth_http::testkit::{Browser, PASSWORD, Site, Transport};
use auth_rocket::auth_core::conformance::engine;
use auth_rocket::{
    AdminUser, AuthFairing, AuthWeb, Caller, CurrentUser, HasScope, MaybeUser, ScopeName,
    VerifiedUser,
};
use http::StatusCode;
use rocket::http::{Header, Method, Status};
use rocket::local::asynchronous::Client;
use rocket::{get, routes};

#[get("/")]
fn home(u: MaybeUser) -> String {
    u.0.map_or_else(
        || "anonymous".to_owned(),
        |a| format!("hello {}", a.user.email),
    )
}

#[get("/public")]
fn public() -> &'static str {
    "no user needed"
}

#[get("/dashboard")]
fn dashboard(u: VerifiedUser) -> String {
    format!("dashboard of {}", u.0.user.email)
}

#[get("/twice")]
fn twice(a: CurrentUser, b: MaybeUser) -> String {
    format!("{} {}", a.0.user.email, b.0.is_some())
}

#[get("/admin")]
fn admin(a: AdminUser) -> String {
    format!("admin {}", a.user.user.email)
}

#[get("/members")]
fn members(_u: CurrentUser) -> &'static str {
    "members"
}

#[get("/page")]
fn page(_u: CurrentUser) -> &'static str {
    "members"
}

#[get("/verified")]
fn verified(_u: VerifiedUser) -> &'static str {
    "verified"
}

/// The role first, then the address: Rocket runs guards in parameter order.
#[get("/staff")]
fn staff(_admin: AdminUser, _verified: VerifiedUser) -> &'static str {
    "staff"
}

/// Refuses without a user guard: the catcher answers on its own.
#[get("/closed")]
fn closed() -> Status {
    Status::Forbidden
}

/// The scope `/whoami` asks of an API key.
struct ReadProfile;

impl ScopeName for ReadProfile {
    const NAME: &'static str = "read:profile";
}

#[get("/whoami")]
fn whoami(c: HasScope<ReadProfile>) -> String {
    c.caller.user().email.clone()
}

/// The application of the kit's contract, plus a route refused by its handler.
struct RocketApp(Client);

impl Transport for RocketApp {
    async fn send(&self, req: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        // Rocket 0.5 speaks `http` 0.2: convert at the edge, by name and text.
        let (parts, body) = req.into_parts();
        let method: Method = parts.method.as_str().parse().unwrap();
        let mut local = self.0.req(method, parts.uri.to_string());
        for (name, value) in &parts.headers {
            local = local.header(Header::new(
                name.as_str().to_owned(),
                value.to_str().unwrap().to_owned(),
            ));
        }
        let resp = local.body(body).dispatch().await;
        let mut out = http::Response::new(Vec::new());
        *out.status_mut() = StatusCode::from_u16(resp.status().code).unwrap();
        for h in resp.headers().iter() {
            out.headers_mut().append(
                http::HeaderName::from_bytes(h.name().as_str().as_bytes()).unwrap(),
                http::HeaderValue::from_str(h.value()).unwrap(),
            );
        }
        *out.body_mut() = resp.into_bytes().await.unwrap_or_default();
        out
    }
}

async fn app(site: &Site) -> RocketApp {
    let rocket = rocket::custom(rocket::Config::debug_default())
        .attach(AuthFairing::new(site.web()))
        .mount(
            "/",
            routes![
                home, public, dashboard, twice, admin, members, verified, staff, closed
            ],
        )
        .mount("/area", routes![page])
        .mount("/auth", auth_rocket::routes());
    RocketApp(Client::untracked(rocket).await.unwrap())
}

auth_http::adapter_scenarios!(app);

#[tokio::test]
async fn the_catcher_answers_a_handler_refusal_as_the_web_layer() {
    let site = Site::new();
    let app = app(&site).await;
    site.user("ada@example.com", &[], true).await;
    let mut anon = Browser::new(&app);
    let r = anon.get("/closed").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains(">Sign in</a>"), "{}", r.body);
    let r = anon.get_json("/closed").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("\"forbidden\""), "{}", r.body);

    let mut ada = Browser::new(&app);
    ada.login("ada@example.com", PASSWORD).await;
    let before = site.session_lookups();
    let r = ada.get("/closed").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body
            .contains("Signed in as <strong>ada@example.com</strong>"),
        "the page shows who is signed in: {}",
        r.body
    );
    assert!(!r.body.contains(">Sign in</a>"), "{}", r.body);
    assert_eq!(
        site.session_lookups(),
        before + 1,
        "the catcher loaded the user"
    );
}

#[tokio::test]
async fn the_admin_guard_follows_the_configured_admin_role() {
    let site = Site::with(|c| c.admin_role("staff"));
    let app = app(&site).await;
    site.user("sam@example.com", &["staff"], true).await;
    site.user("ada@example.com", &["admin"], true).await;
    let mut sam = Browser::new(&app);
    sam.login("sam@example.com", PASSWORD).await;
    let r = sam.get("/admin").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "admin sam@example.com");
    let mut ada = Browser::new(&app);
    ada.login("ada@example.com", PASSWORD).await;
    let r = ada.get("/admin").await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "\"admin\" is not the admin role here"
    );
}

/// Mounted elsewhere than `AuthWeb::mount_path`, the routes refuse to serve (500, the
/// mismatch in the log) rather than answer pages whose mailed links point elsewhere.
#[tokio::test]
async fn routes_mounted_away_from_the_mount_path_refuse_to_serve() {
    let site = Site::new();
    assert_eq!(site.web().mount_path(), "/auth");
    let rocket = rocket::custom(rocket::Config::debug_default())
        .attach(AuthFairing::new(site.web()))
        .mount("/users", auth_rocket::routes());
    let app = RocketApp(Client::untracked(rocket).await.unwrap());
    for path in ["/users/login", "/users", "/users/api/session"] {
        let r = Browser::new(&app).get(path).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(!r.body.contains("password"), "{path}: {}", r.body);
    }
}

/// Routes mounted without `AuthFairing` are a wiring mistake: 500, not a panic.
#[tokio::test]
async fn routes_without_the_fairing_answer_500() {
    let rocket =
        rocket::custom(rocket::Config::debug_default()).mount("/auth", auth_rocket::routes());
    let app = RocketApp(Client::untracked(rocket).await.unwrap());
    let r = Browser::new(&app).get("/auth/login").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.body, "Something went wrong on our side.");
}

/// Behind a trusted proxy, an API key used on an application route records the client's
/// address the proxy gives, not the proxy's (as the pages and the other adapters do).
#[tokio::test]
async fn a_key_records_the_client_address_the_trusted_proxy_gives() {
    let config = engine::config()
        .api_key_scopes(["read:profile"])
        .build()
        .unwrap();
    let auth = auth_http::testkit::engine_with_api_keys(config);
    auth_http::testkit::create_user(&auth, "ada@example.com", &[], true).await;
    let web = AuthWeb::builder(auth.clone())
        .secret(vec![7u8; 32])
        .insecure_dev_cookies(true)
        .trusted_proxy_hops(1)
        .build()
        .unwrap();
    let rocket = rocket::custom(rocket::Config::debug_default())
        .attach(AuthFairing::new(web.clone()))
        .mount("/", routes![whoami])
        .mount("/auth", auth_rocket::routes());
    let app = RocketApp(Client::untracked(rocket).await.unwrap());

    let mut b = Browser::new(&app);
    let bearer = b.bearer_login("ada@example.com", PASSWORD).await;
    let key = b
        .created_api_key(
            &bearer,
            serde_json::json!({"name": "script", "scopes": ["read:profile"]}),
        )
        .await;

    let resp = app
        .0
        .get("/whoami")
        .header(Header::new("Authorization", key))
        .header(Header::new("X-Forwarded-For", "203.0.113.9"))
        .remote(SocketAddr::from(([10, 0, 0, 1], 40000)))
        .dispatch()
        .await;
    assert_eq!(resp.status(), Status::Ok);
    assert_eq!(resp.into_string().await.unwrap(), "ada@example.com");

    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", bearer.parse().unwrap());
    let peer = Some(IpAddr::from([10, 0, 0, 1]));
    let Some(Caller::Session(session)) = web.current_caller(&headers, peer).await.unwrap() else {
        panic!("the session is not the caller")
    };
    let keys = auth.api_keys(&session).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].last_used_ip.as_deref(), Some("203.0.113.9"));
}
