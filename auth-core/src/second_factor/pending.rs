//! Pending sign-ins: the password step of an account with a second factor yields one of
//! these, never a session.
//!
//! The client holds a random token (a cookie for a browser, the body for a JSON client);
//! the server holds a [`PendingRecord`] in the [`EphemeralStore`](crate::EphemeralStore)
//! under the token's SHA-256 digest, for a few minutes. Each code attempt *takes* the
//! record (so two attempts never share it) and puts it back with one more failure when
//! the code was wrong, until the failures run out.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use crate::email_code::EmailCodeVerified;
use crate::model::{SecurityStamp, User, UserId};
use crate::password::PasswordVerified;
use crate::second_factor::AuthMethod;

/// What an ephemeral key of a pending sign-in starts with.
const KEY_PREFIX: &str = "pending-sign-in:";
/// The longest token accepted (a real one is 43 characters).
const MAX_TOKEN: usize = 128;

/// A pending sign-in, as its client holds it: the token to send with the code, and when
/// it expires. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    token: String,
    /// When the pending sign-in dies.
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl PendingSignIn {
    /// A fresh token (256 random bits).
    pub(crate) fn generate(expires_at: OffsetDateTime) -> Self {
        Self {
            token: URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>()),
            expires_at,
        }
    }

    /// The token, for the cookie or the JSON body.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The ephemeral store key of a token: its digest, never the token.
    pub(crate) fn key_of(token: &str) -> Option<String> {
        if token.is_empty() || token.len() > MAX_TOKEN {
            return None;
        }
        Some(format!(
            "{KEY_PREFIX}{}",
            hex::encode(Sha256::digest(token.as_bytes()))
        ))
    }
}

/// What the server keeps of a pending sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingRecord {
    pub(crate) user: UserId,
    /// The account's security stamp at the first step: a credential change since kills
    /// the pending sign-in.
    stamp: SecurityStamp,
    pub(crate) remember: bool,
    /// The identifier typed at the first step: wrong codes count against its lockout
    /// like wrong passwords.
    pub(crate) identifier: String,
    /// Wrong codes so far.
    pub(crate) failures: u32,
    /// How the first step was proved: the first entry of the session's `amr`. Records
    /// written before it was kept were all password steps.
    #[serde(default = "password_step")]
    pub(crate) first_step: AuthMethod,
    pub(crate) expires_at: OffsetDateTime,
}

fn password_step() -> AuthMethod {
    AuthMethod::Pwd
}

impl PendingRecord {
    /// The record of a first step proved by `first_step` for `user`, just now.
    fn new(
        user: &User,
        first_step: AuthMethod,
        remember: bool,
        identifier: String,
        expires_at: OffsetDateTime,
    ) -> Self {
        Self {
            user: user.id,
            stamp: user.security_stamp.clone(),
            remember,
            identifier,
            failures: 0,
            first_step,
            expires_at,
        }
    }

    /// The record of a password step that passed for `user`: only a verified password
    /// makes one.
    pub(crate) fn after_password(
        user: &User,
        _proof: &PasswordVerified,
        remember: bool,
        identifier: String,
        expires_at: OffsetDateTime,
    ) -> Self {
        Self::new(user, AuthMethod::Pwd, remember, identifier, expires_at)
    }

    /// The record of a sign-in with a linked provider identity that passed for `user`:
    /// only the engine's proof of the link makes one. Wrong codes count against the
    /// account's email address.
    pub(crate) fn after_provider(
        user: &User,
        proof: &crate::identity::LinkedIdentityProof,
        remember: bool,
        expires_at: OffsetDateTime,
    ) -> Self {
        debug_assert_eq!(proof.user(), user.id);
        let identifier = user.email.clone();
        Self::new(
            user,
            AuthMethod::ExternalProvider,
            remember,
            identifier,
            expires_at,
        )
    }

    /// The record of a sign-in by mail that passed for `user`: only a right code or link
    /// makes one, and `proof` says which.
    pub(crate) fn after_mail(
        user: &User,
        proof: &EmailCodeVerified,
        remember: bool,
        identifier: String,
        expires_at: OffsetDateTime,
    ) -> Self {
        Self::new(user, proof.how().method(), remember, identifier, expires_at)
    }

    /// The proof of the first step this record stands for.
    pub(crate) fn proof(&self) -> FirstStepProof {
        FirstStepProof {
            user: self.user,
            stamp: self.stamp.clone(),
        }
    }

    pub(crate) fn to_bytes(&self) -> crate::Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(crate::Error::backend)
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> crate::Result<Self> {
        serde_json::from_slice(bytes).map_err(crate::Error::backend)
    }
}

/// Proof that the first step of a sign-in passed for an account, as a pending sign-in
/// recorded it. Only a [`PendingRecord`] (made from a [`PasswordVerified`]) makes one.
#[derive(Debug, Clone)]
pub(crate) struct FirstStepProof {
    user: UserId,
    stamp: SecurityStamp,
}

impl FirstStepProof {
    /// Whether it is for `user` as it is now (same account, no credential change since).
    pub(crate) fn is_for(&self, user: &User) -> bool {
        self.user == user.id && user.security_stamp.matches(self.stamp.as_str())
    }
}
