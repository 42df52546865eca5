//! Extractors for the current user.

use std::sync::Arc;

use auth_core::Authenticated;
use auth_http::{AuthWeb, Denial, Miswired, Requirement};
use axum::extract::{FromRequestParts, OriginalUri};
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use crate::into_axum;

/// The result of loading the session, kept in the request's extensions so that a
/// request costs at most one store round trip however many extractors ask. Behind an
/// `Arc`, so that every extractor gets the user for a reference count, not a deep copy.
#[derive(Clone)]
pub(crate) struct Loaded(pub(crate) Option<Arc<Authenticated>>);

/// Who is signed in on this request (loaded once, then cached in the extensions).
pub(crate) async fn load(parts: &mut Parts) -> Result<Option<Arc<Authenticated>>, AuthRejection> {
    if let Some(Loaded(a)) = parts.extensions.get::<Loaded>() {
        return Ok(a.clone());
    }
    let loaded = web_of(parts)?.current_user(&parts.headers).await;
    match loaded {
        Ok(a) => {
            let a = a.map(Arc::new);
            parts.extensions.insert(Loaded(a.clone()));
            Ok(a)
        }
        Err(e) => Err(AuthRejection::new(into_axum(
            web_of(parts)?.error_response(&e, &parts.headers),
        ))),
    }
}

pub(crate) fn web_of(parts: &Parts) -> Result<&AuthWeb, AuthRejection> {
    parts.extensions.get::<AuthWeb>().ok_or_else(|| {
        AuthRejection::new(into_axum(
            Miswired::missing_layer("auth-axum", "add .layer(AuthLayer::new(web))").into_response(),
        ))
    })
}

/// The signed-in user of the request if they meet `requirement`, or the web layer's
/// refusal.
pub(crate) async fn require(
    parts: &mut Parts,
    requirement: &Requirement,
) -> Result<Arc<Authenticated>, AuthRejection> {
    let user = load(parts).await?;
    requirement
        .admit(user)
        .map_err(|(denial, user)| deny(parts, denial, user.as_deref()))
}

/// The refusal of a guard or extractor, as the web layer words it.
fn deny(parts: &Parts, denial: Denial, user: Option<&Authenticated>) -> AuthRejection {
    let web = match web_of(parts) {
        Ok(web) => web,
        Err(rejection) => return rejection,
    };
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    AuthRejection::new(into_axum(web.deny(denial, user, &parts.headers, &path)))
}

/// Why an extractor or guard refused the request, already as a response: a redirect to
/// the sign-in page (HTML), 401/403 JSON (API), 403 page, or 503 when the session store
/// is unavailable.
#[derive(Debug)]
pub struct AuthRejection(Box<Response>);

impl AuthRejection {
    pub(crate) fn new(response: Response) -> Self {
        Self(Box::new(response))
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// The signed-in user, shared with the request's other extractors (fields read through
/// the `Arc`: `a.user.email`); requests without a valid session are refused (HTML: redirect to
/// the sign-in page with `next`; API: 401).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Arc<Authenticated>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        require(parts, &Requirement::signed_in()).await.map(Self)
    }
}

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Arc<Authenticated>>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        load(parts).await.map(Self)
    }
}

/// The signed-in user with a confirmed email address; others are refused (no session:
/// as [`CurrentUser`]; unconfirmed address: 403).
#[derive(Debug, Clone)]
pub struct VerifiedUser(pub Arc<Authenticated>);

impl<S: Send + Sync> FromRequestParts<S> for VerifiedUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        require(parts, &Requirement::verified()).await.map(Self)
    }
}
