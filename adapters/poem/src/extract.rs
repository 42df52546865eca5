//! Extractors for the current user.

use std::sync::Arc;

use auth_core::Authenticated;
use auth_http::{AuthWeb, Denial, Miswired, Requirement};
use http::Uri;
use poem::{FromRequest, Request, RequestBody};
use tokio::sync::OnceCell;

use crate::into_poem;

/// What [`AuthMiddleware`](crate::AuthMiddleware) puts in each request: the web layer
/// and the once-per-request result of loading the session (behind an `Arc`, so that
/// every extractor gets the user for a reference count, not a deep copy).
#[derive(Clone)]
pub(crate) struct RequestAuth {
    pub(crate) web: AuthWeb,
    pub(crate) loaded: OnceCell<Option<Arc<Authenticated>>>,
    /// The URI as the application received it, for requests built by hand (tests),
    /// whose original URI Poem leaves at `/`; `None` when Poem recorded the original
    /// URI, which no `nest` changes. Read only when a guard refuses (for `next`).
    uri: Option<Uri>,
}

impl RequestAuth {
    pub(crate) fn new(web: AuthWeb, req: &Request) -> Self {
        // Poem records the original URI when the server accepts a request; requests
        // built by hand (tests) leave it at `/`, in which case the URI at the top of
        // the app is the original one (a `nest` only ever shortens it).
        let uri = (req.original_uri() == &Uri::default()).then(|| req.uri().clone());
        Self {
            web,
            loaded: OnceCell::new(),
            uri,
        }
    }

    /// The path and query the application received (for `next`), before any `nest`
    /// stripped a prefix.
    fn path(&self, req: &Request) -> String {
        let uri = self.uri.as_ref().unwrap_or_else(|| req.original_uri());
        uri.path_and_query()
            .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
    }
}

fn state(req: &Request) -> poem::Result<&RequestAuth> {
    req.extensions().get::<RequestAuth>().ok_or_else(|| {
        poem::Error::from_response(into_poem(
            Miswired::missing_layer("auth-poem", "add .with(AuthMiddleware::new(web))")
                .into_response(),
        ))
    })
}

/// The path the application received, before any `nest` stripped a prefix: as
/// [`AuthMiddleware`](crate::AuthMiddleware) saw it, or as the server recorded it;
/// `None` for a request built by hand and served without the middleware.
pub(crate) fn original_path(req: &Request) -> Option<String> {
    if let Some(state) = req.extensions().get::<RequestAuth>() {
        let uri = state.uri.as_ref().unwrap_or_else(|| req.original_uri());
        return Some(uri.path().to_owned());
    }
    (req.original_uri() != &Uri::default()).then(|| req.original_uri().path().to_owned())
}

/// Who is signed in on this request (loaded once, then kept for the request).
pub(crate) async fn load(req: &Request) -> poem::Result<Option<Arc<Authenticated>>> {
    let state = state(req)?;
    let loaded = state
        .loaded
        .get_or_try_init(|| async {
            Ok::<_, auth_core::Error>(state.web.current_user(req.headers()).await?.map(Arc::new))
        })
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
) -> poem::Result<Arc<Authenticated>> {
    let user = load(req).await?;
    requirement
        .admit(user)
        .map_err(|(denial, user)| deny(req, denial, user.as_deref()))
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
        &state.path(req),
    )))
}

/// The signed-in user, shared with the request's other extractors (fields read through
/// the `Arc`: `a.user.email`); requests without a valid session are refused (HTML: redirect to
/// the sign-in page with `next`; API: 401).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Arc<Authenticated>);

impl<'a> FromRequest<'a> for CurrentUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        require(req, &Requirement::signed_in()).await.map(Self)
    }
}

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Arc<Authenticated>>);

impl<'a> FromRequest<'a> for MaybeUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        load(req).await.map(Self)
    }
}

/// The signed-in user with a confirmed email address; others are refused (no session:
/// as [`CurrentUser`]; unconfirmed address: 403).
#[derive(Debug, Clone)]
pub struct VerifiedUser(pub Arc<Authenticated>);

impl<'a> FromRequest<'a> for VerifiedUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        require(req, &Requirement::verified()).await.map(Self)
    }
}
