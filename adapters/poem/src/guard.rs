//! Middleware: [`AuthMiddleware`] makes the web layer available to extractors and
//! guards; [`RequireLogin`] guards endpoints.

use auth_http::{AuthWeb, Requirement};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::extract::{Admitted, RequestAuth, require};

/// Puts the [`AuthWeb`] in every request (for the extractors, [`RequireLogin`] and
/// handlers taking `Data<&AuthWeb>`). Costs nothing per request: the session is only
/// loaded when something asks for the user.
#[derive(Debug, Clone)]
pub struct AuthMiddleware {
    web: AuthWeb,
}

impl AuthMiddleware {
    /// Middleware over `web`.
    pub fn new(web: AuthWeb) -> Self {
        Self { web }
    }
}

impl<E: Endpoint> Middleware<E> for AuthMiddleware {
    type Output = AuthMiddlewareEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AuthMiddlewareEndpoint {
            inner,
            web: self.web.clone(),
        }
    }
}

/// The endpoint of [`AuthMiddleware`].
#[derive(Debug)]
pub struct AuthMiddlewareEndpoint<E> {
    inner: E,
    web: AuthWeb,
}

impl<E: Endpoint> Endpoint for AuthMiddlewareEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        req.extensions_mut().insert(self.web.clone());
        let state = RequestAuth::new(self.web.clone(), &req);
        req.extensions_mut().insert(state);
        self.inner.call(req).await
    }
}

/// A guard for endpoints that need a signed-in user, optionally with a confirmed email
/// address or a role: `get(handler).with(RequireLogin::role("admin"))`, under
/// [`AuthMiddleware`]. HTML requests without a session are redirected to the sign-in
/// page with `next`; API requests get 401; a missing role or unconfirmed address gets
/// 403. The user it loads is kept, so extractors in the handler cost nothing more.
///
/// The decision is [`auth_http::Requirement`]'s, as in every framework's adapter.
#[derive(Debug, Clone, Default)]
pub struct RequireLogin {
    requirement: Requirement,
}

auth_http::require_login_builders!(RequireLogin);

impl<E: Endpoint> Middleware<E> for RequireLogin {
    type Output = RequireLoginEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequireLoginEndpoint {
            inner,
            guard: self.clone(),
        }
    }
}

/// The endpoint of [`RequireLogin`].
#[derive(Debug)]
pub struct RequireLoginEndpoint<E> {
    inner: E,
    guard: RequireLogin,
}

impl<E: Endpoint> Endpoint for RequireLoginEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let caller = require(&req, &self.guard.requirement).await?;
        req.extensions_mut().insert(Admitted(caller));
        Ok(self.inner.call(req).await?.into_response())
    }
}
