//! The Axum binding in-process (`tower::ServiceExt::oneshot`): the shared adapter
//! scenarios of `auth_http::testkit`, and what is particular to Axum.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::convert::Infallible;

use auth_axum::{AuthLayer, AuthWeb, CurrentUser, MaybeUser, RequireLogin, VerifiedUser};
use auth_http::testkit::{Browser, Site, Transport, scenarios};
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use tower::{Service, ServiceExt};

/// An application as a Tower service: a `Router`, or a `Router` wrapped in a layer.
struct AxumApp<S = Router>(S);

impl<S> Transport for AxumApp<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone,
{
    async fn send(&self, req: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let resp = self.0.clone().oneshot(req.map(Body::from)).await.unwrap();
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        http::Response::from_parts(parts, bytes.to_vec())
    }
}

/// The application of the kit's contract, plus routes behind the other guards, under
/// `AuthLayer` given to `Router::layer`.
async fn app(site: &Site) -> AxumApp {
    let web = site.web();
    AxumApp(routes(web.clone()).layer(AuthLayer::new(web)))
}

/// The same application with `AuthLayer` wrapped around the whole router instead
/// (`AuthLayer::wrap`, the faster way to install it): every scenario again.
mod wrapped {
    use super::*;

    async fn app(site: &Site) -> AxumApp<auth_axum::AuthLayerService<Router>> {
        let web = site.web();
        AxumApp(AuthLayer::new(web.clone()).wrap(routes(web)))
    }

    auth_http::adapter_scenarios!(app);
}

/// The routes of the kit's contract and the other guards, without `AuthLayer`.
fn routes(web: AuthWeb) -> Router {
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
            .route(
                "/verified",
                get(|| async { "verified" }).route_layer(RequireLogin::verified()),
            )
            .route(
                "/staff",
                get(|| async { "staff" }).route_layer(RequireLogin::role("admin").and_verified()),
            )
            .nest(
                "/area",
                Router::new().route(
                    "/page",
                    get(|| async { "members" }).route_layer(RequireLogin::new()),
                ),
            )
            .nest("/auth", auth_axum::router(web))
}

auth_http::adapter_scenarios!(app);

#[tokio::test]
async fn a_trailing_slash_reaches_the_same_page() {
    let site = Site::new();
    let app = app(&site).await;
    let r = Browser::new(&app).get("/auth/login/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"password\""), "{}", r.body);
}

/// Nested elsewhere than `AuthWeb::mount_path`, the routes refuse to serve (500, the
/// mismatch in the log) rather than answer pages whose mailed links point elsewhere.
#[tokio::test]
async fn routes_nested_away_from_the_mount_path_refuse_to_serve() {
    let site = Site::new();
    let web = site.web();
    assert_eq!(web.mount_path(), "/auth");
    let app = AxumApp(
        Router::new()
            .nest("/users", auth_axum::router(web.clone()))
            .layer(AuthLayer::new(web)),
    );
    for path in ["/users/login", "/users", "/users/api/session"] {
        let r = Browser::new(&app).get(path).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(!r.body.contains("password"), "{path}: {}", r.body);
    }
}

/// An extractor without `AuthLayer` is a wiring mistake: 500, not a panic.
#[tokio::test]
async fn an_extractor_without_the_layer_answers_500() {
    let app = AxumApp(Router::new().route(
        "/",
        get(|CurrentUser(a): CurrentUser| async move { a.user.email.clone() }),
    ));
    let r = Browser::new(&app).get("/").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.body, "Something went wrong on our side.");
}

/// The extractor's future is the web layer's lookup and little more: every handler
/// future that takes `CurrentUser` embeds it, and Axum allocates one per request (above
/// glibc's per-thread cache, at 1 032 bytes, each allocation takes the allocator's slow
/// path; docs/benchmarks.md). An extra layer of awaiting functions between the extractor
/// and the lookup (as there were two) adds about 100 bytes and fails this test.
#[tokio::test]
async fn the_extractor_adds_little_to_the_lookups_future() {
    use axum::extract::FromRequestParts;
    let web = Site::new().web();
    let headers = http::HeaderMap::new();
    let lookup = std::mem::size_of_val(&web.current_caller(&headers, None));
    let (mut parts, ()) = http::Request::new(()).into_parts();
    let extractor = std::mem::size_of_val(&CurrentUser::from_request_parts(&mut parts, &()));
    assert!(
        extractor <= lookup + 80,
        "CurrentUser's future is {extractor} bytes, the lookup's {lookup}"
    );
}

/// The layer's state goes with each request, not with the thread (the kit's scenario),
/// with every request made to wait once inside the layer.
#[tokio::test]
async fn requests_served_together_on_one_thread_see_their_own_users() {
    let site = Site::new();
    let web = site.web();
    let paused = routes(web.clone()).layer(axum::middleware::from_fn(
        |req: Request, next: axum::middleware::Next| async move {
            tokio::task::yield_now().await;
            next.run(req).await
        },
    ));
    let app = AxumApp(AuthLayer::new(web).wrap(paused));
    scenarios::requests_served_together_see_their_own_users(&site, &app).await;
}
