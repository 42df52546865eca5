//! [`Caller`]: who is calling, whichever credential they presented.

use std::sync::Arc;

use auth_core::{ApiKeyRecord, Authenticated, KeyAuthenticated, User};

/// Who is calling: a person signed in by a session (the cookie, or the same session as
/// `Authorization: Bearer <token>`), or a program by an API key
/// (`Authorization: Bearer ak_...`). Found by one lookup
/// ([`AuthWeb::current_caller`](crate::AuthWeb::current_caller)); cheap to clone.
///
/// A key is admitted only by a [`Requirement`](crate::Requirement) that names a scope
/// the key carries ([`Requirement::scope`](crate::Requirement::scope)); a session is
/// admitted by any requirement its user meets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Caller {
    /// Signed in by a session.
    Session(Arc<Authenticated>),
    /// Authenticated by an API key.
    Key(Arc<KeyAuthenticated>),
}

impl Caller {
    /// The user the request acts for.
    pub fn user(&self) -> &User {
        match self {
            Self::Session(a) => &a.user,
            Self::Key(k) => &k.user,
        }
    }

    /// Whether the user must enrol a second factor before this credential opens
    /// anything (see [`Authenticated::must_enrol_second_factor`]): decided by the engine
    /// for sessions, bearer tokens and API keys alike.
    pub fn must_enrol_second_factor(&self) -> bool {
        match self {
            Self::Session(a) => a.must_enrol_second_factor,
            Self::Key(k) => k.must_enrol_second_factor,
        }
    }

    /// The session, when signed in by one.
    pub fn session(&self) -> Option<&Arc<Authenticated>> {
        match self {
            Self::Session(a) => Some(a),
            Self::Key(_) => None,
        }
    }

    /// The API key, when authenticated by one.
    pub fn key(&self) -> Option<&ApiKeyRecord> {
        match self {
            Self::Session(_) => None,
            Self::Key(k) => Some(&k.key),
        }
    }

    /// The session, when signed in by one.
    pub fn into_session(self) -> Option<Arc<Authenticated>> {
        match self {
            Self::Session(a) => Some(a),
            Self::Key(_) => None,
        }
    }
}
