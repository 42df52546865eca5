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
use crate::mail::Sealer;
use crate::model::UserId;
use crate::token::TokenKeys;

/// What an ephemeral key of a started ceremony starts with.
const KEY_PREFIX: &str = "passkey-challenge:";
/// The longest token accepted (a real one is 43 characters).
const MAX_TOKEN: usize = 128;
/// What an ephemeral key of an answered passwordless sign-in starts with.
const USED_SIGN_IN_PREFIX: &str = "passkey-sign-in-used:";
/// The longest sealed sign-in token accepted (a real one is about 450 characters).
const MAX_SEALED_TOKEN: usize = 2048;
/// The HKDF context of the sign-in sealing key (its own, so that the key serves nothing
/// else).
const SIGN_IN_SEAL_INFO: &[u8] = b"auth-core: passkey sign-in challenges, XChaCha20-Poly1305, v1";
/// What the sealed state is bound to.
const SIGN_IN_AAD: &[u8] = b"auth-core passkey sign-in v1";

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

    /// A challenge whose token is the sealed state itself (see [`SignInSealer`]).
    fn sealed(token: String, options: serde_json::Value, expires_at: OffsetDateTime) -> Self {
        Self {
            token,
            options,
            expires_at,
        }
    }

    /// The token to send back with the answer: it names the server-side state, or, for
    /// a passwordless sign-in, carries that state sealed (see
    /// [`Auth::start_passkey_sign_in`](crate::Auth::start_passkey_sign_in)).
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

/// A passwordless sign-in's state, carried by its own token instead of stored.
#[derive(Serialize, Deserialize)]
struct SealedSignIn {
    state: DiscoverableAuthentication,
    /// The WebAuthn challenge the browser signs (base64url): what makes the answer once.
    challenge: String,
    expires_at: OffsetDateTime,
}

/// Seals a passwordless sign-in's `webauthn-rs` state into the token the client gets,
/// so that starting one stores nothing and counts nothing: the sign-in page of a
/// browser with passkey autofill starts one on every load, and a page view must neither
/// write to a store nor use up the sign-in rate limit. The state is encrypted and
/// authenticated (XChaCha20-Poly1305 under a key derived from the token keys, so every
/// instance of a site opens what another sealed); the finish opens it, checks its
/// expiry, and marks its WebAuthn challenge used in the ephemeral store (an insert that
/// only one finish wins), so a challenge is still answered once, on any instance.
#[derive(Clone)]
pub(crate) struct SignInSealer(Sealer);

impl std::fmt::Debug for SignInSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInSealer").finish_non_exhaustive()
    }
}

/// An opened sign-in token: the state to finish with, and the single-use mark to take.
pub(crate) struct OpenedSignIn {
    pub(crate) state: DiscoverableAuthentication,
    /// The ephemeral key that marks the challenge answered.
    pub(crate) used_key: String,
    pub(crate) expires_at: OffsetDateTime,
}

impl SignInSealer {
    pub(crate) fn new(keys: &TokenKeys) -> Self {
        Self(Sealer::with_info(keys, SIGN_IN_SEAL_INFO))
    }

    /// The started sign-in: `options` out, `state` sealed into the token.
    pub(crate) fn seal(
        &self,
        options: serde_json::Value,
        state: DiscoverableAuthentication,
        expires_at: OffsetDateTime,
    ) -> Result<PasskeyChallenge> {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Error::backend("passkey sign-in options without a challenge"))?
            .to_owned();
        let plain = serde_json::to_vec(&SealedSignIn {
            state,
            challenge,
            expires_at,
        })
        .map_err(Error::backend)?;
        let token = self
            .0
            .seal_bytes(SIGN_IN_AAD, &plain)
            .map_err(Error::backend)?;
        Ok(PasskeyChallenge::sealed(token, options, expires_at))
    }

    /// The state sealed into `token`, or `None` when it is not one of this site's
    /// sign-in tokens (malformed, tampered, sealed under a key no longer configured) or
    /// it expired by `now`.
    pub(crate) fn open(&self, token: &str, now: OffsetDateTime) -> Option<OpenedSignIn> {
        if token.len() > MAX_SEALED_TOKEN {
            return None;
        }
        let plain = self.0.open_bytes(SIGN_IN_AAD, token).ok()?;
        let sealed: SealedSignIn = serde_json::from_slice(&plain).ok()?;
        if now >= sealed.expires_at {
            return None;
        }
        Some(OpenedSignIn {
            state: sealed.state,
            used_key: format!(
                "{USED_SIGN_IN_PREFIX}{}",
                hex::encode(Sha256::digest(sealed.challenge.as_bytes()))
            ),
            expires_at: sealed.expires_at,
        })
    }
}
