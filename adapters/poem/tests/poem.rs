//! The Poem binding in-process (`Endpoint::get_response`): the shared adapter
//! scenarios of `auth_http::testkit`, and what is particular to Poem.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use auth_http::testkit::{Site, Transport, scenarios};
use auth_poem::{AuthMiddleware, AuthWeb, CurrentUser, MaybeUser, RequireLogin, VerifiedUser};
use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt, Route, get, handler};

#[handler]
fn home(MaybeUser(u): MaybeUser) -> String {
    u.map_or_else(
        || "anonymous".to_owned(),
        |a| format!("hello {}", a.user.email),
    )
}

#[handler]
fn public() -> &'static str {
    "no user needed"
}

#[handler]
fn dashboard(VerifiedUser(a): VerifiedUser) -> String {
    format!("dashboard of {}", a.user.email)
}

#[handler]
fn twice(CurrentUser(a): CurrentUser, MaybeUser(b): MaybeUser) -> String {
    format!("{} {}", a.user.email, b.is_some())
}

#[handler]
fn admin(CurrentUser(a): CurrentUser) -> String {
    format!("admin {}", a.user.email)
}

#[handler]
fn members() -> &'static str {
    "members"
}

#[handler]
fn verified() -> &'static str {
    "verified"
}

#[handler]
fn staff() -> &'static str {
    "staff"
}

/// The application of the kit's contract, plus routes behind the other guards.
struct PoemApp(BoxEndpoint<'static, poem::Response>);

impl Transport for PoemApp {
    async fn send(&self, req: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let (parts, body) = req.into_parts();
        let mut req = poem::Request::builder()
            .method(parts.method)
            .uri(parts.uri)
            .body(body);
        *req.headers_mut() = parts.headers;
        let resp = self.0.get_response(req).await;
        let mut out = http::Response::new(Vec::new());
        *out.status_mut() = resp.status();
        *out.headers_mut() = resp.headers().clone();
        *out.body_mut() = resp.into_body().into_vec().await.unwrap();
        out
    }
}

async fn app(site: &Site) -> PoemApp {
    let web = site.web();
    PoemApp(routes(web.clone()).with(AuthMiddleware::new(web)).boxed())
}

/// The routes of the kit's contract and the other guards, without `AuthMiddleware`.
fn routes(web: AuthWeb) -> Route {
    Route::new()
        .at("/", get(home))
        .at("/public", get(public))
        .at("/dashboard", get(dashboard))
        .at("/twice", get(twice))
        .at("/admin", get(admin).with(RequireLogin::role("admin")))
        .at("/members", get(members).with(RequireLogin::new()))
        .at("/verified", get(verified).with(RequireLogin::verified()))
        .at(
            "/staff",
            get(staff).with(RequireLogin::role("admin").and_verified()),
        )
        .nest(
            "/area",
            Route::new().at("/page", get(members).with(RequireLogin::new())),
        )
        .nest("/auth", auth_poem::routes(web))
}

auth_http::adapter_scenarios!(app);

/// Nested elsewhere than `AuthWeb::mount_path`, the routes refuse to serve (500, the
/// mismatch in the log) rather than answer pages whose mailed links point elsewhere;
/// with the middleware (which sees the path the application received) and without it
/// (the path the server recorded).
#[tokio::test]
async fn routes_nested_away_from_the_mount_path_refuse_to_serve() {
    let site = Site::new();
    let web = site.web();
    assert_eq!(web.mount_path(), "/auth");
    let with_middleware = Route::new()
        .nest("/users", auth_poem::routes(web.clone()))
        .with(AuthMiddleware::new(web.clone()))
        .boxed();
    for path in ["/users/login", "/users", "/users/api/session"] {
        let req = poem::Request::builder().uri_str(path).finish();
        let resp = with_middleware.get_response(req).await;
        assert_eq!(
            resp.status(),
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "{path}"
        );
    }
    let bare = Route::new().nest("/users", auth_poem::routes(web.clone()));
    let resp = bare.get_response(as_served("/users/login")).await;
    assert_eq!(resp.status(), http::StatusCode::INTERNAL_SERVER_ERROR);
    let good = Route::new().nest("/auth", auth_poem::routes(web));
    let resp = good.get_response(as_served("/auth/login")).await;
    assert_eq!(resp.status(), http::StatusCode::OK);
}

/// A request as Poem's server builds it, with the original URI recorded.
fn as_served(path: &str) -> poem::Request {
    let (parts, ()) = http::Request::get(path).body(()).unwrap().into_parts();
    let parts = poem::RequestParts::from((
        parts,
        poem::web::LocalAddr::default(),
        poem::web::RemoteAddr::default(),
        http::uri::Scheme::HTTP,
    ));
    poem::Request::from_parts(parts, poem::Body::empty())
}

/// An extractor without `AuthMiddleware` is a wiring mistake: 500, not a panic.
#[tokio::test]
async fn an_extractor_without_the_middleware_answers_500() {
    let app = Route::new().at("/", get(twice));
    let resp = app.get_response(poem::Request::builder().finish()).await;
    assert_eq!(resp.status(), http::StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        resp.into_body().into_string().await.unwrap(),
        "Something went wrong on our side."
    );
}

/// The middleware's state goes with each request, not with the thread (the kit's
/// scenario), with every request made to wait once inside the middleware.
#[tokio::test]
async fn requests_served_together_on_one_thread_see_their_own_users() {
    let site = Site::new();
    let web = site.web();
    let paused = routes(web.clone())
        .around(|ep, req| async move {
            tokio::task::yield_now().await;
            ep.call(req).await
        })
        .with(AuthMiddleware::new(web));
    let app = PoemApp(paused.boxed());
    scenarios::requests_served_together_see_their_own_users(&site, &app).await;
}
