//! Request guards for the current user.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use auth_core::Authenticated;
use auth_http::{AuthWeb, Caller, Denial, Miswired, Requirement};
use bytes::Bytes;
use rocket::Request;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};

use crate::convert::{full_path, headers};

/// The response a refused guard prepared for the catcher (request-local).
#[derive(Default)]
pub(crate) struct Refusal(Mutex<Option<http::Response<Bytes>>>);

impl Refusal {
    pub(crate) fn take(&self) -> Option<http::Response<Bytes>> {
        self.0.lock().ok().and_then(|mut r| r.take())
    }

    fn set(&self, resp: http::Response<Bytes>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(resp);
        }
    }
}

/// The session loaded for this request, once (request-local); the user behind an `Arc`,
/// so that every guard gets it for a reference count, not a deep copy.
struct Loaded(Option<Option<Caller>>);

/// Why a user guard refused a request. The registered catchers turn it into the
/// web layer's answer; the status tells which catcher runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthGuardError {
    /// The request was refused for this reason.
    Denied(Denial),
    /// The session store could not be reached (503).
    Unavailable,
    /// [`AuthFairing`](crate::AuthFairing) is not attached (500).
    NotInstalled,
}

fn web_of<'r>(req: &'r Request<'_>) -> Result<&'r AuthWeb, (Status, AuthGuardError)> {
    req.rocket().state::<AuthWeb>().ok_or_else(|| {
        Miswired::missing_layer("auth-rocket", "add .attach(AuthFairing::new(web))").report();
        (Status::InternalServerError, AuthGuardError::NotInstalled)
    })
}

/// Who is calling on this request, by session or API key: loaded at most once per
/// request.
pub(crate) async fn load(req: &Request<'_>) -> Result<Option<Caller>, (Status, AuthGuardError)> {
    let web = web_of(req)?;
    let loaded = req
        .local_cache_async(async {
            // Only the `Cookie` and `Authorization` headers, not a copy of every
            // header: all of them are converted only for an API key (whose lookup
            // records the client's address through the trusted proxies) or when the
            // store fails and the refusal needs them.
            let cookies = req.headers().get("Cookie");
            let authorization = req.headers().get("Authorization");
            let peer = req.remote().map(|a| a.ip());
            match web
                .current_caller_from_values(cookies, authorization, || headers(req), peer)
                .await
            {
                Ok(c) => Loaded(Some(c)),
                Err(e) => {
                    req.local_cache(Refusal::default)
                        .set(web.error_response(&e, &headers(req)));
                    Loaded(None)
                }
            }
        })
        .await;
    match &loaded.0 {
        Some(a) => Ok(a.clone()),
        None => Err((Status::ServiceUnavailable, AuthGuardError::Unavailable)),
    }
}

/// The signed-in user of the request if they meet `requirement`; otherwise the guard
/// fails, with the web layer's refusal recorded for the catcher.
async fn require(
    req: &Request<'_>,
    requirement: &Requirement,
) -> Result<Caller, (Status, AuthGuardError)> {
    requirement
        .admit_caller(load(req).await?)
        .map_err(|refusal| refuse(req, refusal))
}

/// The signed-in user (by a session) of the request if they meet `requirement`, which
/// names no scope, so no key gets this far.
async fn require_session(
    req: &Request<'_>,
    requirement: &Requirement,
) -> Result<Arc<Authenticated>, (Status, AuthGuardError)> {
    let caller = load(req).await?;
    requirement
        .admit_session(caller)
        .map_err(|refusal| refuse(req, refusal))
}

/// The refusal of a [`Requirement`]'s denial, with the caller it handed back (whose user,
/// if signed in by a session, the refusal page may show).
fn refuse(
    req: &Request<'_>,
    (denial, caller): (Denial, Option<Caller>),
) -> (Status, AuthGuardError) {
    let user = caller.as_ref().and_then(Caller::session);
    deny(req, denial, user.map(Arc::as_ref))
}

/// Records the web layer's refusal for the catcher and fails the guard.
fn deny(
    req: &Request<'_>,
    denial: Denial,
    user: Option<&Authenticated>,
) -> (Status, AuthGuardError) {
    let web = match web_of(req) {
        Ok(web) => web,
        Err(e) => return e,
    };
    let resp = web.deny(denial, user, &headers(req), &full_path(req));
    req.local_cache(Refusal::default).set(resp);
    let status = match denial {
        Denial::Unauthenticated => Status::Unauthorized,
        _ => Status::Forbidden,
    };
    (status, AuthGuardError::Denied(denial))
}

fn outcome<T>(r: Result<T, (Status, AuthGuardError)>) -> Outcome<T, AuthGuardError> {
    match r {
        Ok(v) => Outcome::Success(v),
        Err(e) => Outcome::Error(e),
    }
}

/// The signed-in user, shared with the request's other guards (fields read through the
/// `Arc`: `a.user.email`); requests without a valid session are refused (HTML: redirect to
/// the sign-in page with `next`; API: 401) through the 401 catcher.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Arc<Authenticated>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = AuthGuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        outcome(
            require_session(req, &Requirement::signed_in())
                .await
                .map(Self),
        )
    }
}

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Arc<Authenticated>>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MaybeUser {
    type Error = AuthGuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        outcome(
            load(req)
                .await
                .map(|c| Self(c.and_then(Caller::into_session))),
        )
    }
}

/// The signed-in user with a confirmed email address; others are refused (no session:
/// as [`CurrentUser`]; unconfirmed address: 403).
#[derive(Debug, Clone)]
pub struct VerifiedUser(pub Arc<Authenticated>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for VerifiedUser {
    type Error = AuthGuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        outcome(
            require_session(req, &Requirement::verified())
                .await
                .map(Self),
        )
    }
}

/// A role a [`HasRole`] guard requires, named at the type level so that it can appear
/// in a handler's signature.
pub trait RoleName: Send + Sync + 'static {
    /// The role (e.g. `admin`).
    const NAME: &'static str;
}

/// The signed-in user holding role `R`; others are refused (no session: as
/// [`CurrentUser`]; without the role: 403).
#[derive(Debug, Clone)]
pub struct HasRole<R: RoleName> {
    /// The user.
    pub user: Arc<Authenticated>,
    role: PhantomData<fn() -> R>,
}

impl<R: RoleName> HasRole<R> {
    /// The user.
    pub fn into_inner(self) -> Arc<Authenticated> {
        self.user
    }
}

/// A signed-in administrator: the user holding the engine's configured admin role
/// ([`Requirement::admin`]); others are refused (no session: as [`CurrentUser`]; without
/// the role: 403).
#[derive(Debug, Clone)]
pub struct AdminUser {
    /// The administrator.
    pub user: Arc<Authenticated>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AdminUser {
    type Error = AuthGuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let requirement = match web_of(req) {
            Ok(web) => Requirement::admin(web.auth().config()),
            Err(e) => return Outcome::Error(e),
        };
        outcome(
            require_session(req, &requirement)
                .await
                .map(|user| Self { user }),
        )
    }
}

#[rocket::async_trait]
impl<'r, R: RoleName> FromRequest<'r> for HasRole<R> {
    type Error = AuthGuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let requirement = Requirement::role(R::NAME);
        outcome(require_session(req, &requirement).await.map(|user| Self {
            user,
            role: PhantomData,
        }))
    }
}

/// A scope a [`HasScope`] guard requires, named at the type level so that it can appear
/// in a handler's signature.
pub trait ScopeName: Send + Sync + 'static {
    /// The scope (e.g. `read:profile`).
    const NAME: &'static str;
}

/// The caller signed in by a session, or authenticated by an API key carrying scope `S`
/// ([`Requirement::scope`]); others are refused (nobody: 401 or the sign-in page; a key
/// without the scope: 403 `insufficient_scope`).
#[derive(Debug, Clone)]
pub struct HasScope<S: ScopeName> {
    /// Who calls.
    pub caller: Caller,
    scope: PhantomData<fn() -> S>,
}

impl<S: ScopeName> HasScope<S> {
    /// Who calls.
    pub fn into_inner(self) -> Caller {
        self.caller
    }
}

#[rocket::async_trait]
impl<'r, S: ScopeName> FromRequest<'r> for HasScope<S> {
    type Error = AuthGuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let requirement = Requirement::scope(S::NAME);
        outcome(require(req, &requirement).await.map(|caller| Self {
            caller,
            scope: PhantomData,
        }))
    }
}
