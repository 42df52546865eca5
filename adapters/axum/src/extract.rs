//! Extractors for the current user.

use std::sync::{Arc, OnceLock};

use auth_core::Authenticated;
use auth_http::{AuthWeb, Caller, Denial, Miswired, Requirement};
use axum::extract::{FromRequestParts, OriginalUri};
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use crate::into_axum;

/// What [`AuthLayer`](crate::AuthLayer) puts in every request's extensions: the web
/// layer, and the caller once loaded, so that a request costs at most one lookup however
/// many extractors ask (the user is behind an `Arc`: every extractor gets it for a
/// reference count, not a deep copy). One value, so that a request pays for one
/// extension, not two.
#[derive(Clone)]
pub(crate) struct RequestAuth {
    web: AuthWeb,
    loaded: OnceLock<Option<Caller>>,
}

impl RequestAuth {
    /// The state of a request served by `web`, nothing loaded yet.
    pub(crate) fn new(web: AuthWeb) -> Self {
        Self {
            web,
            loaded: OnceLock::new(),
        }
    }
}

/// The caller a guard admitted (put in the extensions by [`RequireLogin`](crate::RequireLogin)),
/// which may be an API key when the guard named a scope.
#[derive(Clone)]
pub(crate) struct Admitted(pub(crate) Caller);

/// Who is calling on this request, by session or API key (loaded once, then kept in the
/// request's [`RequestAuth`]).
pub(crate) async fn load(parts: &Parts) -> Result<Option<Caller>, AuthRejection> {
    let state = state_of(parts)?;
    if let Some(c) = state.loaded.get() {
        return Ok(c.clone());
    }
    let peer = crate::peer_ip(&parts.extensions);
    match state.web.current_caller(&parts.headers, peer).await {
        Ok(c) => Ok(state.loaded.get_or_init(|| c).clone()),
        Err(e) => Err(AuthRejection::new(into_axum(
            state.web.error_response(&e, &parts.headers),
        ))),
    }
}

fn state_of(parts: &Parts) -> Result<&RequestAuth, AuthRejection> {
    parts.extensions.get::<RequestAuth>().ok_or_else(|| {
        AuthRejection::new(into_axum(
            Miswired::missing_layer("auth-axum", "add .layer(AuthLayer::new(web))").into_response(),
        ))
    })
}

/// The caller of the request if they meet `requirement` (an API key only when it names
/// a scope the key carries), or the web layer's refusal.
pub(crate) async fn require(
    parts: &Parts,
    requirement: &Requirement,
) -> Result<Caller, AuthRejection> {
    requirement
        .admit_caller(load(parts).await?)
        .map_err(|refusal| refuse(parts, refusal))
}

/// The signed-in user (by a session) among the loaded `caller` if they meet
/// `requirement`, which names no scope, so no key gets this far.
fn admit_session(
    parts: &Parts,
    requirement: &Requirement,
    caller: Option<Caller>,
) -> Result<Arc<Authenticated>, AuthRejection> {
    requirement
        .admit_session(caller)
        .map_err(|refusal| refuse(parts, refusal))
}

/// The refusal of a [`Requirement`]'s denial, with the caller it handed back (whose user,
/// if signed in by a session, the refusal page may show).
fn refuse(parts: &Parts, (denial, caller): (Denial, Option<Caller>)) -> AuthRejection {
    let user = caller.as_ref().and_then(Caller::session);
    deny(parts, denial, user.map(Arc::as_ref))
}

/// The refusal of a guard or extractor, as the web layer words it.
fn deny(parts: &Parts, denial: Denial, user: Option<&Authenticated>) -> AuthRejection {
    let web = match state_of(parts) {
        Ok(state) => &state.web,
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
        let caller = load(parts).await?;
        admit_session(parts, &Requirement::signed_in(), caller).map(Self)
    }
}

/// Who is calling: the caller a [`RequireLogin`](crate::RequireLogin) guard admitted
/// (an API key, when the guard names a scope the key carries, e.g.
/// `RequireLogin::scope("read:profile")`), or else the signed-in user by a session.
/// Without such a guard, a request presenting an API key is refused (403
/// `insufficient_scope`): a key only opens routes that name its scope.
#[derive(Debug, Clone)]
pub struct CurrentCaller(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for CurrentCaller {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(Admitted(c)) = parts.extensions.get::<Admitted>() {
            return Ok(Self(c.clone()));
        }
        require(parts, &Requirement::signed_in()).await.map(Self)
    }
}

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Arc<Authenticated>>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        load(parts)
            .await
            .map(|c| Self(c.and_then(Caller::into_session)))
    }
}

/// The signed-in user with a confirmed email address; others are refused (no session:
/// as [`CurrentUser`]; unconfirmed address: 403).
#[derive(Debug, Clone)]
pub struct VerifiedUser(pub Arc<Authenticated>);

impl<S: Send + Sync> FromRequestParts<S> for VerifiedUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let caller = load(parts).await?;
        admit_session(parts, &Requirement::verified(), caller).map(Self)
    }
}
