//! The application's hooks into the flows: before-hooks that may refuse a registration
//! or a sign-in (an allow-list of domains, a licence seat count, an account flagged in
//! the application's own records), and an after-hook that sees every audit event once it
//! is recorded (to update a search index, notify a team channel, start onboarding).
//!
//! ```
//! use async_trait::async_trait;
//! use auth_core::hooks::{Hooks, SignUp, Veto};
//!
//! /// Only addresses of one company may sign up.
//! #[derive(Debug)]
//! struct CompanyOnly;
//!
//! #[async_trait]
//! impl Hooks for CompanyOnly {
//!     async fn before_registration(&self, sign_up: &SignUp<'_>) -> Result<(), Veto> {
//!         if sign_up.email.ends_with("@example.com") {
//!             Ok(())
//!         } else {
//!             Err(Veto::new("Sign-up is open to example.com addresses only."))
//!         }
//!     }
//! }
//! # let _ = auth_core::Auth::builder; // set with `AuthBuilder::hooks(Arc::new(CompanyOnly))`
//! ```
//!
//! Hooks run inside the flow that calls them, so the flow waits for them: a hook that
//! does slow work (a call to another service) should bound it with a timeout, or hand it
//! to a task of its own. A before-hook that fails for its own reasons decides itself
//! whether that refuses (return a [`Veto`]) or lets the flow go on.

use async_trait::async_trait;

use crate::engine::RequestContext;
use crate::model::{AuditEvent, User};
use crate::profile::Profile;

/// Hooks of the application into the engine's flows; every method has a default that
/// does nothing, so an implementation names only those it needs.
#[async_trait]
pub trait Hooks: Send + Sync + std::fmt::Debug + 'static {
    /// Before a self-service registration creates an account, after its input is
    /// valid. A veto refuses it with a field error on `email` (code `not_allowed`, the
    /// veto's message), whether or not the address already has an account, so the
    /// answer still tells nothing about existing accounts. Accounts created by an
    /// operator ([`Auth::create_user`](crate::Auth::create_user)) do not pass here.
    async fn before_registration(&self, sign_up: &SignUp<'_>) -> Result<(), Veto> {
        let _ = sign_up;
        Ok(())
    }

    /// Before a sign-in opens a session, once the credentials were proven and the
    /// account is allowed in by the engine. A veto refuses it with
    /// [`Error::SignInRefused`](crate::Error::SignInRefused) and the veto's message; the
    /// failed-attempt counters are not charged, since the credentials were right.
    async fn before_sign_in(&self, user: &User, ctx: &RequestContext) -> Result<(), Veto> {
        let _ = (user, ctx);
        Ok(())
    }

    /// After an audit event was recorded (or recording it failed, which is logged): every
    /// event of the trail, in the order the flow produced them.
    async fn after_event(&self, event: &AuditEvent) {
        let _ = event;
    }
}

/// A registration about to create an account.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SignUp<'a> {
    /// The normalised email address.
    pub email: &'a str,
    /// The normalised username, if one was given.
    pub username: Option<&'a str>,
    /// The profile values given at registration, validated (see [`crate::profile`]).
    pub profile: &'a Profile,
    /// Where the request came from.
    pub ctx: &'a RequestContext,
}

/// A before-hook's refusal, with the message shown to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veto {
    message: String,
}

impl Veto {
    /// A refusal showing `message` (written for the person, in the site's language; it
    /// must not reveal anything about other accounts).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message shown to the person.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn into_message(self) -> String {
        self.message
    }
}

/// The hooks of an engine built without any: every default.
#[derive(Debug)]
pub(crate) struct NoHooks;

impl Hooks for NoHooks {}
