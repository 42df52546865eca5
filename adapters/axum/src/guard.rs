//! Layers: [`AuthLayer`] makes the web layer available to extractors and guards;
//! [`RequireLogin`] guards routes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use auth_http::{AuthWeb, Requirement};
use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

use crate::extract::{Admitted, RequestAuth, require};

/// Puts the [`AuthWeb`] in every request's extensions (with room for the caller, once
/// loaded), where the extractors and [`RequireLogin`] find it. Costs one extension per
/// request: the session is only loaded when something asks for the user.
///
/// Install it in one of two ways, which serve the same answers:
///
/// - `router.layer(AuthLayer::new(web))`, the usual Axum way;
/// - `AuthLayer::new(web).wrap(router)`, around the whole router, which is faster: Axum
///   gives a layer installed by [`Router::layer`] to every route as a boxed service of its
///   own, cloned and called on every request, while a layer around the router runs once,
///   before routing. Serve the result with
///   [`axum::ServiceExt::into_make_service_with_connect_info`].
#[derive(Debug, Clone)]
pub struct AuthLayer {
    web: AuthWeb,
}

impl AuthLayer {
    /// A layer over `web`.
    pub fn new(web: AuthWeb) -> Self {
        Self { web }
    }

    /// `router` with this layer around it, its routes built once as a server builds them
    /// (`Router::with_state(())`, which [`Router::into_make_service`] does and a service
    /// wrapped around the router would otherwise skip, rebuilding its handlers' routes on
    /// every request).
    ///
    /// ```no_run
    /// use axum::{Router, ServiceExt as _, routing::get};
    /// use auth_axum::{AuthLayer, CurrentUser};
    /// # async fn run(web: auth_http::AuthWeb) {
    /// let router = Router::new()
    ///     .route("/me", get(|CurrentUser(a): CurrentUser| async move { a.user.email.clone() }))
    ///     .nest(web.mount_path(), auth_axum::router(web.clone()));
    /// let app = AuthLayer::new(web).wrap(router);
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await.unwrap();
    /// axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
    ///     .await
    ///     .unwrap();
    /// # }
    /// ```
    pub fn wrap(self, router: Router) -> AuthLayerService<Router> {
        self.layer(router.with_state(()))
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthLayerService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthLayerService {
            inner,
            web: self.web.clone(),
        }
    }
}

/// The service of [`AuthLayer`].
#[derive(Debug, Clone)]
pub struct AuthLayerService<S> {
    inner: S,
    web: AuthWeb,
}

// For Axum's own request only (as `RequireLoginService`): implemented for any body, it
// left `axum::ServiceExt::into_make_service_with_connect_info` on a wrapped router
// without a type to infer.
impl<S> Service<Request> for AuthLayerService<S>
where
    S: Service<Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        req.extensions_mut()
            .insert(RequestAuth::new(self.web.clone()));
        self.inner.call(req)
    }
}

/// A guard for routes that need a signed-in user, optionally with a confirmed email
/// address or a role. Use it with `route_layer` (or `layer` on a sub-router), under
/// [`AuthLayer`]. HTML requests without a session are redirected to the sign-in page
/// with `next`; API requests get 401; a missing role or unconfirmed address gets 403.
/// The user it loads is cached, so extractors in the handler cost nothing more.
///
/// With a scope (`RequireLogin::scope("read:profile")`, or `.and_scope(..)`), the guard
/// also admits programs presenting an API key that carries it; the handler then takes
/// [`CurrentCaller`](crate::CurrentCaller) to learn who calls. Without one, no key passes.
///
/// The decision is [`auth_http::Requirement`]'s, as in every framework's adapter.
#[derive(Debug, Clone, Default)]
pub struct RequireLogin {
    requirement: Requirement,
}

auth_http::require_login_builders!(RequireLogin);

impl<S> Layer<S> for RequireLogin {
    type Service = RequireLoginService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireLoginService {
            inner,
            guard: self.clone(),
        }
    }
}

/// The service of [`RequireLogin`].
#[derive(Debug, Clone)]
pub struct RequireLoginService<S> {
    inner: S,
    guard: RequireLogin,
}

impl<S> Service<Request> for RequireLoginService<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // The usual dance: the clone that was driven to readiness handles this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.guard.clone();
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            match require(&parts, &guard.requirement).await {
                Ok(caller) => {
                    parts.extensions.insert(Admitted(caller));
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(rejection) => Ok(rejection.into_response()),
            }
        })
    }
}
