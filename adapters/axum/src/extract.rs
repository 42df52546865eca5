//! Extractors for the current user.

use auth_core::Authenticated;
use auth_http::{AuthWeb, Denial, Requirement};
use axum::extract::{FromRequestParts, OriginalUri};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::into_axum;

/// The result of loading the session, kept in the request's extensions so that a
/// request costs at most one store round trip however many extractors ask.
#[derive(Clone)]
pub(crate) struct Loaded(pub(crate) Option<Authenticated>);

/// Who is signed in on this request (loaded once, then cached in the extensions).
pub(crate) async fn load(parts: &mut Parts) -> Result<Option<Authenticated>, AuthRejection> {
    if let Some(Loaded(a)) = parts.extensions.get::<Loaded>() {
        return Ok(a.clone());
    }
    let web = web_of(parts)?;
    match web.current_user(&parts.headers).await {
        Ok(a) => {
            parts.extensions.insert(Loaded(a.clone()));
            Ok(a)
        }
        Err(e) => Err(AuthRejection::new(into_axum(
            web.error_response(&e, &parts.headers),
        ))),
    }
}

pub(crate) fn web_of(parts: &Parts) -> Result<AuthWeb, AuthRejection> {
    parts.extensions.get::<AuthWeb>().cloned().ok_or_else(|| {
        tracing::error!("auth-axum: an extractor or guard ran without AuthLayer; add .layer(AuthLayer::new(web)) to the app");
        AuthRejection::new(
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.").into_response(),
        )
    })
}

/// The signed-in user of the request if they meet `requirement`, or the web layer's
/// refusal.
pub(crate) async fn require(
    parts: &mut Parts,
    requirement: &Requirement,
) -> Result<Authenticated, AuthRejection> {
    let user = load(parts).await?;
    if let Err(denial) = requirement.check(user.as_ref()) {
        return Err(deny(parts, denial, user.as_ref()));
    }
    // `check` admits nobody without a session; this only spells that out for the types.
    user.ok_or_else(|| deny(parts, Denial::Unauthenticated, None))
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

/// The signed-in user; requests without a valid session are refused (HTML: redirect to
/// the sign-in page with `next`; API: 401).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        require(parts, &Requirement::signed_in()).await.map(Self)
    }
}

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Authenticated>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        load(parts).await.map(Self)
    }
}

/// The signed-in user with a confirmed email address; others are refused (no session:
/// as [`CurrentUser`]; unconfirmed address: 403).
#[derive(Debug, Clone)]
pub struct VerifiedUser(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for VerifiedUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        require(parts, &Requirement::verified()).await.map(Self)
    }
}
