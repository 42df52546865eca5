//! Started ceremonies: the options a client gets, and the state the server keeps.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, PasskeyAuthentication, PasskeyRegistration,
};

use crate::error::{Error, Result};
use crate::model::UserId;

/// What an ephemeral key of a started ceremony starts with.
const KEY_PREFIX: &str = "passkey-challenge:";
/// The longest token accepted (a real one is 43 characters).
const MAX_TOKEN: usize = 128;

/// A started ceremony, as its client gets it: the options to pass to
/// `navigator.credentials.create()` or `.get()` (the `publicKey` member, binary values
/// in base64url), and the token to send back with the answer. `Debug` hides the token.
#[derive(Clone, PartialEq)]
pub struct PasskeyChallenge {
    token: String,
    /// The options, as JSON (`{"publicKey": {...}}`, plus `"mediation"` for a sign-in
    /// that offers conditional UI).
    pub options: serde_json::Value,
    /// When the challenge dies.
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for PasskeyChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasskeyChallenge")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl PasskeyChallenge {
    /// A challenge with a fresh token (256 random bits).
    pub(crate) fn generate(options: serde_json::Value, expires_at: OffsetDateTime) -> Self {
        Self {
            token: URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>()),
            options,
            expires_at,
        }
    }

    /// The token naming the server-side state, to send back with the answer.
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

/// What the server keeps of a started ceremony: `webauthn-rs`'s state, and what it is
/// bound to.
#[derive(Serialize, Deserialize)]
pub(crate) enum Ceremony {
    /// Registering a passkey for a signed-in account, from one session.
    Registration {
        user: UserId,
        /// The hex digest of the session that started it.
        session: String,
        state: PasskeyRegistration,
    },
    /// A passwordless sign-in with a discoverable passkey: bound to no account yet.
    SignIn { state: DiscoverableAuthentication },
    /// The second step of a pending sign-in.
    SecondFactor {
        user: UserId,
        /// The ephemeral key of the pending sign-in it belongs to.
        pending: String,
        state: PasskeyAuthentication,
    },
    /// Signing up with a passkey: the account does not exist yet; its id (the passkey's
    /// user handle) and address are fixed here.
    SignUp {
        user: UserId,
        email: String,
        state: PasskeyRegistration,
    },
    /// A fresh proof for sensitive actions (step-up) of a signed-in account, from one
    /// session.
    StepUp {
        user: UserId,
        /// The hex digest of the session that started it.
        session: String,
        state: PasskeyAuthentication,
    },
}

/// A stored ceremony with its expiry.
#[derive(Serialize, Deserialize)]
pub(crate) struct ChallengeRecord {
    pub(crate) ceremony: Ceremony,
    pub(crate) expires_at: OffsetDateTime,
}

impl ChallengeRecord {
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(Error::backend)
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(Error::backend)
    }
}
