//! Per-request cost of authentication through each framework adapter, in-process: the
//! same `/me` route with authentication (`auth-axum`, `auth-poem`, `auth-rocket`: the
//! middleware or fairing plus the `CurrentUser` extractor or guard, memory store) and
//! without any, called without a network:
//!
//! - Axum: the application as a Tower service (`oneshot`): `AuthLayer` wrapped around the
//!   `Router` by `AuthLayer::wrap`, or the bare `Router`, with its state applied once as
//!   `into_make_service` does for a server (without it, its routes are rebuilt on every
//!   request);
//! - Poem: the endpoint's `get_response`;
//! - Rocket: its local client (`rocket::local::asynchronous::Client`, untracked cookies),
//!   which runs Rocket's whole request path but no socket.
//!
//! Every request carries the session cookie, also to the routes without auth, so both
//! sides parse the same headers and the difference is what authenticating costs. Each
//! answer is checked first (200 with the account's address; the authenticated routes
//! refuse a request without the cookie). `bench-report` turns the results into the
//! per-request cost table of docs/benchmarks.md.
//!
//! ```text
//! cargo bench -p auth-benches --bench routes
//! ```
#![expect(
    clippy::unwrap_used,
    reason = "a bench that cannot set itself up has nothing to report: failing loudly is the point"
)]

mod common;

use std::net::SocketAddr;

use common::{EMAIL, FRAMEWORKS, Fixture, Framework};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use tower::ServiceExt as _;

/// Criterion's group for these results (`routes/<framework>/<auth|no_auth>`).
const GROUP: &str = "routes";

fn axum_request(cookie: &str) -> axum::extract::Request {
    let mut req = http::Request::builder()
        .uri("/me")
        .header(http::header::COOKIE, cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    // What `into_make_service_with_connect_info` adds to every request of a real server.
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    req
}

async fn axum_call<S>(app: &S, cookie: &str) -> (u16, Vec<u8>)
where
    S: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone,
{
    let resp = app.clone().oneshot(axum_request(cookie)).await.unwrap();
    let status = resp.status().as_u16();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body.to_vec())
}

async fn poem_call(app: &poem::endpoint::BoxEndpoint<'static>, cookie: &str) -> (u16, Vec<u8>) {
    use poem::Endpoint as _;
    let req = poem::Request::builder()
        .uri(poem::http::Uri::from_static("/me"))
        .header(poem::http::header::COOKIE, cookie)
        .finish();
    let resp = app.get_response(req).await;
    let status = resp.status().as_u16();
    (status, resp.into_body().into_vec().await.unwrap())
}

async fn rocket_call(client: &rocket::local::asynchronous::Client, cookie: &str) -> (u16, Vec<u8>) {
    let resp = client
        .get("/me")
        .header(rocket::http::Header::new("Cookie", cookie.to_owned()))
        .dispatch()
        .await;
    let status = resp.status().code;
    (status, resp.into_bytes().await.unwrap_or_default())
}

/// Checks the route (200 with the account's address; with auth, no 200 without the
/// cookie), then times `call` with the cookie.
fn check_and_bench<'a, F, Fut>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rt: &tokio::runtime::Runtime,
    (framework, label): (&str, &str),
    auth: bool,
    cookie: &'a str,
    call: F,
) where
    F: Fn(&'a str) -> Fut,
    Fut: Future<Output = (u16, Vec<u8>)>,
{
    let (status, body) = rt.block_on(call(cookie));
    assert_eq!(
        (status, &body[..]),
        (200, EMAIL.as_bytes()),
        "{framework}/{label}"
    );
    if auth {
        assert_ne!(
            rt.block_on(call("")).0,
            200,
            "{framework}/{label} must refuse"
        );
    }
    let id = BenchmarkId::new(framework, label);
    group.bench_function(id, |b| b.to_async(rt).iter(|| call(cookie)));
}

fn routes(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Fixture { web, cookie } = rt.block_on(common::fixture());
    let mut group = c.benchmark_group(GROUP);
    for framework in FRAMEWORKS {
        for (label, web) in [("auth", Some(web.clone())), ("no_auth", None)] {
            let auth = web.is_some();
            let id = (framework.name(), label);
            match framework {
                // As a server serves them: routes turned into services once (by
                // `AuthLayer::wrap`, or as `into_make_service` does), not on every request.
                Framework::Axum => match web {
                    Some(web) => {
                        let app = common::axum_wrapped(web);
                        check_and_bench(&mut group, &rt, id, auth, &cookie, |c| axum_call(&app, c));
                    }
                    None => {
                        let app = common::axum_route(false).with_state(());
                        check_and_bench(&mut group, &rt, id, auth, &cookie, |c| axum_call(&app, c));
                    }
                },
                Framework::Poem => {
                    let app = common::poem_app(web);
                    check_and_bench(&mut group, &rt, id, auth, &cookie, |c| poem_call(&app, c));
                }
                Framework::Rocket => {
                    let client = rt.block_on(async {
                        let app = common::rocket_app(web, common::rocket_figment(0));
                        rocket::local::asynchronous::Client::untracked(app)
                            .await
                            .unwrap()
                    });
                    check_and_bench(&mut group, &rt, id, auth, &cookie, |c| {
                        rocket_call(&client, c)
                    });
                }
            }
        }
    }
    group.finish();
}

criterion_group!(benches, routes);
criterion_main!(benches);
