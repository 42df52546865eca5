//! Extractors for the current user.

use std::sync::Arc;

use auth_core::Authenticated;
use auth_http::{AuthWeb, Denial, Requirement};
use http::Uri;
use poem::{FromRequest, Request, RequestBody};
use tokio::sync::OnceCell;

use crate::into_poem;

/// What [`AuthMiddleware`](crate::AuthMiddleware) puts in each request: the web layer
/// and the once-per-request result of loading the session.
#[derive(Clone)]
pub(crate) struct RequestAuth {
    pub(crate) web: AuthWeb,
    pub(crate) loaded: Arc<OnceCell<Option<Authenticated>>>,
    /// The path and query as the application received them (for `next`), before any
    /// `nest` stripped a prefix.
    pub(crate) path: Arc<str>,
}

impl RequestAuth {
    pub(crate) fn new(web: AuthWeb, req: &Request) -> Self {
        // Poem records the original URI when the server accepts a request; requests
        // built by hand (tests) leave it at `/`, in which case the URI at the top of
        // the app is the original one (a `nest` only ever shortens it).
        let original = req.original_uri();
        let uri = if original == &Uri::default() {
            req.uri()
        } else {
            original
        };
        let path = uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
        Self {
            web,
            loaded: Arc::new(OnceCell::new()),
            path: Arc::from(path),
        }
    }
}

fn state(req: &Request) -> poem::Result<&RequestAuth> {
    req.extensions().get::<RequestAuth>().ok_or_else(|| {
        tracing::error!(
            "auth-poem: an extractor or guard ran without AuthMiddleware; add .with(AuthMiddleware::new(web)) to the app"
        );
        poem::Error::from_string(
            "Something went wrong on our side.",
            http::StatusCode::INTERNAL_SERVER_ERROR,
        )
    })
}

/// Who is signed in on this request (loaded once, then kept for the request).
pub(crate) async fn load(req: &Request) -> poem::Result<Option<Authenticated>> {
    let state = state(req)?;
    let loaded = state
        .loaded
        .get_or_try_init(|| state.web.current_user(req.headers()))
        .await;
    match loaded {
        Ok(a) => Ok(a.clone()),
        Err(e) => Err(poem::Error::from_response(into_poem(
            state.web.error_response(&e, req.headers()),
        ))),
    }
}

/// The signed-in user of the request if they meet `requirement`, or the web layer's
/// refusal.
pub(crate) async fn require(
    req: &Request,
    requirement: &Requirement,
) -> poem::Result<Authenticated> {
    let user = load(req).await?;
    if let Err(denial) = requirement.check(user.as_ref()) {
        return Err(deny(req, denial, user.as_ref()));
    }
    // `check` admits nobody without a session; this only spells that out for the types.
    user.ok_or_else(|| deny(req, Denial::Unauthenticated, None))
}

/// The refusal of a guard or extractor, as the web layer words it.
fn deny(req: &Request, denial: Denial, user: Option<&Authenticated>) -> poem::Error {
    let state = match state(req) {
        Ok(s) => s,
        Err(e) => return e,
    };
    poem::Error::from_response(into_poem(state.web.deny(
        denial,
        user,
        req.headers(),
        &state.path,
    )))
}

/// The signed-in user; requests without a valid session are refused (HTML: redirect to
/// the sign-in page with `next`; API: 401).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Authenticated);

impl<'a> FromRequest<'a> for CurrentUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        require(req, &Requirement::signed_in()).await.map(Self)
    }
}

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Authenticated>);

impl<'a> FromRequest<'a> for MaybeUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        load(req).await.map(Self)
    }
}

/// The signed-in user with a confirmed email address; others are refused (no session:
/// as [`CurrentUser`]; unconfirmed address: 403).
#[derive(Debug, Clone)]
pub struct VerifiedUser(pub Authenticated);

impl<'a> FromRequest<'a> for VerifiedUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        require(req, &Requirement::verified()).await.map(Self)
    }
}
