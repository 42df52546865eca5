//! A provider's tokens kept with a linked identity, only when the application asks for
//! them (to call the provider's API for the person later), and then only sealed.
//!
//! The engine seals them with XChaCha20-Poly1305 (as it seals TOTP secrets and queued
//! mail) under a key derived with HKDF-SHA256 from the **identity token keys** given to
//! [`AuthBuilder::identity_token_keys`](crate::AuthBuilder::identity_token_keys), a
//! keyring of its own: a [`TokenKeys`] whose signing key seals and whose verification
//! keys still open what older keys sealed (rotation). The store keeps the text
//! `sealed:v1:<key id>:<base64url(nonce || ciphertext || tag)>` and never sees a token;
//! the associated data binds it to its account, provider and subject, so a sealed value
//! moved to another identity does not open.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::mail::{SealError, Sealer};
use crate::model::UserId;
use crate::token::TokenKeys;

/// The HKDF context of the keys that seal provider tokens.
const SEAL_INFO: &[u8] = b"auth-core: provider tokens, XChaCha20-Poly1305, v1";

/// The access token a provider issued at a sign-in, its refresh token if any, and when
/// the access token expires (when the provider said). `Debug` shows neither token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderTokens {
    access_token: String,
    refresh_token: Option<String>,
    /// When the access token expires, if the provider said.
    pub expires_at: Option<OffsetDateTime>,
}

impl fmt::Debug for ProviderTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderTokens")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| ".."))
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl ProviderTokens {
    /// The tokens of a provider's answer.
    pub fn new(
        access_token: &str,
        refresh_token: Option<&str>,
        expires_at: Option<OffsetDateTime>,
    ) -> Self {
        Self {
            access_token: access_token.to_owned(),
            refresh_token: refresh_token.map(str::to_owned),
            expires_at,
        }
    }

    /// The access token, for the provider's API.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The refresh token, if the provider issued one.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }
}

/// Seals and opens provider tokens, each bound to its account and identity.
#[derive(Debug, Clone)]
pub(crate) struct TokenSealer(Sealer);

impl TokenSealer {
    /// A sealer over the identity token keys.
    pub(crate) fn new(keys: &TokenKeys) -> Self {
        Self(Sealer::with_info(keys, SEAL_INFO))
    }

    fn aad(user: UserId, provider: &str, subject: &str) -> Vec<u8> {
        let mut aad = b"auth-core provider tokens v1\0".to_vec();
        aad.extend_from_slice(user.0.as_bytes());
        aad.push(0);
        aad.extend_from_slice(provider.as_bytes());
        aad.push(0);
        aad.extend_from_slice(subject.as_bytes());
        aad
    }

    /// The stored form of `tokens` for the identity `provider`/`subject` of `user`.
    ///
    /// # Errors
    /// A backend error when the cipher refuses (never for tokens of sane size).
    pub(crate) fn seal(
        &self,
        user: UserId,
        provider: &str,
        subject: &str,
        tokens: &ProviderTokens,
    ) -> Result<String> {
        let plain = Zeroizing::new(serde_json::to_vec(tokens).map_err(Error::backend)?);
        self.0
            .seal_bytes(&Self::aad(user, provider, subject), &plain)
            .map_err(Error::backend)
    }

    /// The tokens sealed for the identity `provider`/`subject` of `user`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the key id when the sealing key is not configured, or
    /// when the value does not open with the key configured under that id (another
    /// key, or a value altered or moved to another identity).
    pub(crate) fn open(
        &self,
        user: UserId,
        provider: &str,
        subject: &str,
        sealed: &str,
    ) -> Result<ProviderTokens> {
        let kid = key_id(sealed).unwrap_or("?");
        let plain = self
            .0
            .open_bytes(&Self::aad(user, provider, subject), sealed)
            .map(Zeroizing::new)
            .map_err(|e| match e {
                SealError::UnknownKey { kid } => Error::Config(format!(
                    "the provider tokens of this identity were sealed with identity token key \
                     {kid:?}, which is not configured; add it back as an older key"
                )),
                _ => Error::Config(format!(
                    "the provider tokens of this identity do not open with the identity \
                     token key configured as {kid:?} (another key under that id, or the \
                     stored value was altered)"
                )),
            })?;
        serde_json::from_slice(&plain).map_err(Error::backend)
    }
}

/// The key id of a sealed value (`sealed:v1:<key id>:...`), if it has the form.
pub(crate) fn key_id(sealed: &str) -> Option<&str> {
    sealed
        .strip_prefix("sealed:v1:")
        .and_then(|rest| rest.split_once(':'))
        .map(|(kid, _)| kid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
    const K2: &[u8; 32] = b"fedcba9876543210fedcba9876543210";

    fn tokens() -> ProviderTokens {
        ProviderTokens::new("ACCESS-secret-1", Some("REFRESH-secret-2"), None)
    }

    #[test]
    fn sealed_tokens_hide_both_tokens_and_open_to_the_original() {
        let s = TokenSealer::new(&TokenKeys::new("k1", K1).unwrap());
        let user = UserId::new();
        let sealed = s.seal(user, "idp", "sub", &tokens()).unwrap();
        assert_eq!(key_id(&sealed), Some("k1"));
        assert!(
            !sealed.contains("ACCESS") && !sealed.contains("REFRESH"),
            "{sealed}"
        );
        assert_eq!(s.open(user, "idp", "sub", &sealed).unwrap(), tokens());
        // Moved to another identity or account, it does not open.
        assert!(s.open(user, "idp", "other", &sealed).is_err());
        assert!(s.open(UserId::new(), "idp", "sub", &sealed).is_err());
    }

    #[test]
    fn rotation_opens_older_keys_and_wrong_or_missing_keys_are_named() {
        let user = UserId::new();
        let before = TokenSealer::new(&TokenKeys::new("k1", K1).unwrap());
        let sealed = before.seal(user, "idp", "sub", &tokens()).unwrap();
        let rotated = TokenSealer::new(
            &TokenKeys::new("k2", K2)
                .unwrap()
                .with_verification_key("k1", K1)
                .unwrap(),
        );
        assert_eq!(rotated.open(user, "idp", "sub", &sealed).unwrap(), tokens());
        let resealed = rotated.seal(user, "idp", "sub", &tokens()).unwrap();
        assert_eq!(key_id(&resealed), Some("k2"));

        let gone = TokenSealer::new(&TokenKeys::new("k2", K2).unwrap());
        let e = gone.open(user, "idp", "sub", &sealed).unwrap_err();
        assert!(
            matches!(&e, Error::Config(m) if m.contains("\"k1\"") && m.contains("not configured")),
            "{e}"
        );
        let wrong = TokenSealer::new(&TokenKeys::new("k1", K2).unwrap());
        let e = wrong.open(user, "idp", "sub", &sealed).unwrap_err();
        assert!(
            matches!(&e, Error::Config(m) if m.contains("do not open")),
            "{e}"
        );
    }

    #[test]
    fn debug_shows_no_token() {
        let shown = format!("{:?}", tokens());
        assert!(
            !shown.contains("ACCESS") && !shown.contains("REFRESH"),
            "{shown}"
        );
    }
}
