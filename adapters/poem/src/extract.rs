//! Extractors for the current user.

use std::sync::Arc;

use auth_core::Authenticated;
use auth_http::{AuthWeb, Caller, Denial, Miswired, Requirement};
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
    pub(crate) loaded: OnceCell<Option<Caller>>,
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
        let uri = unrecorded(req.original_uri()).then(|| req.uri().clone());
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
    (!unrecorded(req.original_uri())).then(|| req.original_uri().path().to_owned())
}

/// Whether `original` is what Poem leaves in a request built by hand: `Uri::default()`,
/// `/`. Compared part by part, as `Uri`'s equality does, without building (parsing) a
/// default URI on every request.
fn unrecorded(original: &Uri) -> bool {
    original.scheme().is_none()
        && original.authority().is_none()
        && original.path() == "/"
        && original.query().is_none()
}

/// The caller a guard admitted (put in the request by [`RequireLogin`](crate::RequireLogin)),
/// which may be an API key when the guard named a scope.
#[derive(Clone)]
pub(crate) struct Admitted(pub(crate) Caller);

/// Who is calling on this request, by session or API key (loaded once, then kept for
/// the request).
pub(crate) async fn load(req: &Request) -> poem::Result<Option<Caller>> {
    let state = state(req)?;
    let loaded = state
        .loaded
        .get_or_try_init(|| async {
            state
                .web
                .current_caller(req.headers(), crate::peer_ip(req))
                .await
        })
        .await;
    match loaded {
        Ok(c) => Ok(c.clone()),
        Err(e) => Err(poem::Error::from_response(into_poem(
            state.web.error_response(&e, req.headers()),
        ))),
    }
}

/// The caller of the request if they meet `requirement` (an API key only when it names
/// a scope the key carries), or the web layer's refusal.
pub(crate) async fn require(req: &Request, requirement: &Requirement) -> poem::Result<Caller> {
    requirement
        .admit_caller(load(req).await?)
        .map_err(|refusal| refuse(req, refusal))
}

/// The signed-in user (by a session) among the loaded `caller` if they meet
/// `requirement`, which names no scope, so no key gets this far.
fn admit_session(
    req: &Request,
    requirement: &Requirement,
    caller: Option<Caller>,
) -> poem::Result<Arc<Authenticated>> {
    requirement
        .admit_session(caller)
        .map_err(|refusal| refuse(req, refusal))
}

/// The refusal of a [`Requirement`]'s denial, with the caller it handed back (whose user,
/// if signed in by a session, the refusal page may show).
fn refuse(req: &Request, (denial, caller): (Denial, Option<Caller>)) -> poem::Error {
    let user = caller.as_ref().and_then(Caller::session);
    deny(req, denial, user.map(Arc::as_ref))
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
        let caller = load(req).await?;
        admit_session(req, &Requirement::signed_in(), caller).map(Self)
    }
}

/// Who is calling: the caller a [`RequireLogin`](crate::RequireLogin) guard admitted
/// (an API key, when the guard names a scope the key carries, e.g.
/// `RequireLogin::scope("read:profile")`), or else the signed-in user by a session.
/// Without such a guard, a request presenting an API key is refused (403
/// `insufficient_scope`): a key only opens routes that name its scope.
#[derive(Debug, Clone)]
pub struct CurrentCaller(pub Caller);

impl<'a> FromRequest<'a> for CurrentCaller {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        if let Some(Admitted(c)) = req.extensions().get::<Admitted>() {
            return Ok(Self(c.clone()));
        }
        require(req, &Requirement::signed_in()).await.map(Self)
    }
}

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Arc<Authenticated>>);

impl<'a> FromRequest<'a> for MaybeUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        load(req)
            .await
            .map(|c| Self(c.and_then(Caller::into_session)))
    }
}

/// The signed-in user with a confirmed email address; others are refused (no session:
/// as [`CurrentUser`]; unconfirmed address: 403).
#[derive(Debug, Clone)]
pub struct VerifiedUser(pub Arc<Authenticated>);

impl<'a> FromRequest<'a> for VerifiedUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let caller = load(req).await?;
        admit_session(req, &Requirement::verified(), caller).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use http::Uri;

    use super::unrecorded;

    #[test]
    fn only_the_default_uri_is_unrecorded() {
        for text in [
            "/",
            "/?",
            "/?next=/",
            "/dashboard",
            "/auth/login?x=1",
            "http://example.com/",
            "http://example.com",
            "https://example.com/auth",
            "*",
        ] {
            let uri: Uri = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(unrecorded(&uri), uri == Uri::default(), "{text}");
        }
        assert!(unrecorded(&Uri::default()));
    }
}
