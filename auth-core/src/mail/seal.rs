//! Sealing the bodies of queued mail, so that a store never holds a live link token in
//! clear.
//!
//! Each body is encrypted with XChaCha20-Poly1305 (a random 192-bit nonce per body, so
//! nonces never repeat in practice) under a key derived with HKDF-SHA256 from a token
//! signing secret ([`TokenKeys::derive_keys`]). The stored text is
//!
//! ```text
//! sealed:v1:<key id>:<base64url(nonce || ciphertext || tag)>
//! ```
//!
//! in the same column or field that held the body before, so no store changes its
//! schema. The key id says which secret to derive the key from: after a rotation, mail
//! sealed under the previous key opens for as long as that key stays configured as a
//! verification key. The associated data binds each body to its message (id, kind,
//! recipient) and to its part (text or HTML), so sealed bodies cannot be moved to another
//! message or recipient, or swapped, without failing to open.
//!
//! A body without the prefix was queued before sealing existed and is delivered as it
//! is, so an upgrade does not strand the mail already waiting.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use uuid::Uuid;

use crate::model::{Email, MailKind};
use crate::token::TokenKeys;

/// What the sealed form starts with; the version names the construction.
const PREFIX: &str = "sealed:v1:";
/// The HKDF context of the sealing keys.
const KEY_INFO: &[u8] = b"auth-core: outbox mail sealing, XChaCha20-Poly1305, v1";
/// XChaCha20's nonce length.
const NONCE_LEN: usize = 24;

/// Why a queued body could not be sealed or opened. Its text is what an administrator
/// reads as the message's last error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum SealError {
    /// The key the body was sealed with is not among the configured token keys.
    #[error(
        "the message was sealed with token key {kid:?}, which is no longer configured; add it \
         back as a verification key to send it"
    )]
    UnknownKey {
        /// The key id in the sealed body.
        kid: String,
    },
    /// Not in the sealed format, or its authentication failed (altered, or sealed for
    /// another message).
    #[error("the sealed message body is damaged or was altered")]
    Damaged,
    /// The cipher refused to encrypt (a body beyond its size limit).
    #[error("the message body could not be sealed")]
    Encrypt,
}

/// Seals and opens queued mail with keys derived from the token keys.
#[derive(Clone)]
pub(crate) struct Sealer {
    signing_kid: String,
    ciphers: BTreeMap<String, XChaCha20Poly1305>,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer")
            .field("signing_kid", &self.signing_kid)
            .field("kids", &self.ciphers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The two bodies of a message.
#[derive(Debug, Clone, Copy)]
enum Part {
    Text,
    Html,
}

impl Part {
    fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Html => "html",
        }
    }
}

/// What a body is bound to: the message and the part.
fn associated_data(id: Uuid, kind: MailKind, to: &str, part: Part) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64 + to.len());
    aad.extend_from_slice(b"auth-core outbox v1\0");
    aad.extend_from_slice(id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(kind.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(to.as_bytes());
    aad.push(0);
    aad.extend_from_slice(part.as_str().as_bytes());
    aad
}

impl Sealer {
    /// One cipher per configured token key; new mail is sealed under the signing key.
    pub(crate) fn new(keys: &TokenKeys) -> Self {
        Self::with_info(keys, KEY_INFO)
    }

    /// One cipher per configured token key, derived with the HKDF context `info` (one
    /// context per kind of secret, so that keys never serve two purposes); new data is
    /// sealed under the signing key.
    pub(crate) fn with_info(keys: &TokenKeys, info: &[u8]) -> Self {
        let ciphers = keys
            .derive_keys(info)
            .into_iter()
            .map(|(kid, key)| {
                let key = chacha20poly1305::Key::from(*key);
                (kid, XChaCha20Poly1305::new(&key))
            })
            .collect();
        Self {
            signing_kid: keys.signing_kid().to_owned(),
            ciphers,
        }
    }

    /// Replaces the bodies of `message` with their sealed form.
    ///
    /// # Errors
    /// [`SealError::Encrypt`] (the bodies are then left as they were; the caller must not
    /// store them).
    pub(crate) fn seal(&self, id: Uuid, email: &mut Email) -> Result<(), SealError> {
        let text = self.seal_part(id, email, Part::Text, &email.text)?;
        let html = match &email.html {
            Some(html) => Some(self.seal_part(id, email, Part::Html, html)?),
            None => None,
        };
        email.text = text;
        email.html = html;
        Ok(())
    }

    fn seal_part(
        &self,
        id: Uuid,
        email: &Email,
        part: Part,
        body: &str,
    ) -> Result<String, SealError> {
        let aad = associated_data(id, email.kind, &email.to, part);
        self.seal_bytes(&aad, body.as_bytes())
    }

    /// `plain` sealed under the signing key and bound to `aad`, in the stored form
    /// `sealed:v1:<key id>:<base64url(nonce || ciphertext || tag)>`.
    ///
    /// # Errors
    /// [`SealError::Encrypt`].
    pub(crate) fn seal_bytes(&self, aad: &[u8], plain: &[u8]) -> Result<String, SealError> {
        let cipher = self
            .ciphers
            .get(&self.signing_kid)
            .ok_or(SealError::Encrypt)?;
        let nonce_bytes = crate::random::bytes::<NONCE_LEN>();
        let nonce = XNonce::from(nonce_bytes);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: plain, aad })
            .map_err(|_| SealError::Encrypt)?;
        let mut data = Vec::with_capacity(NONCE_LEN + sealed.len());
        data.extend_from_slice(&nonce_bytes);
        data.extend_from_slice(&sealed);
        Ok(format!(
            "{PREFIX}{}:{}",
            self.signing_kid,
            URL_SAFE_NO_PAD.encode(data)
        ))
    }

    /// Replaces sealed bodies of `message` with their plain text. Bodies that were never
    /// sealed are left as they are.
    ///
    /// # Errors
    /// [`SealError::UnknownKey`] when the sealing key is no longer configured,
    /// [`SealError::Damaged`] when a body does not open; the message is then unchanged.
    pub(crate) fn unseal(&self, id: Uuid, email: &mut Email) -> Result<(), SealError> {
        let text = self.open_part(id, email, Part::Text, &email.text)?;
        let html = match &email.html {
            Some(html) => Some(self.open_part(id, email, Part::Html, html)?),
            None => None,
        };
        email.text = text;
        email.html = html;
        Ok(())
    }

    fn open_part(
        &self,
        id: Uuid,
        email: &Email,
        part: Part,
        stored: &str,
    ) -> Result<String, SealError> {
        if !stored.starts_with(PREFIX) {
            return Ok(stored.to_owned());
        }
        let aad = associated_data(id, email.kind, &email.to, part);
        let plain = self.open_bytes(&aad, stored)?;
        String::from_utf8(plain).map_err(|_| SealError::Damaged)
    }

    /// Opens what [`Sealer::seal_bytes`] sealed with the same `aad`.
    ///
    /// # Errors
    /// [`SealError::UnknownKey`] when the sealing key is no longer configured,
    /// [`SealError::Damaged`] when `stored` is not in the sealed form or does not open.
    pub(crate) fn open_bytes(&self, aad: &[u8], stored: &str) -> Result<Vec<u8>, SealError> {
        let rest = stored.strip_prefix(PREFIX).ok_or(SealError::Damaged)?;
        let (kid, data) = rest.split_once(':').ok_or(SealError::Damaged)?;
        let cipher = self.ciphers.get(kid).ok_or_else(|| SealError::UnknownKey {
            kid: kid.to_owned(),
        })?;
        let data = URL_SAFE_NO_PAD
            .decode(data)
            .map_err(|_| SealError::Damaged)?;
        if data.len() < NONCE_LEN {
            return Err(SealError::Damaged);
        }
        let (nonce, sealed) = data.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Damaged)?;
        cipher
            .decrypt(&nonce, Payload { msg: sealed, aad })
            .map_err(|_| SealError::Damaged)
    }
}

/// Whether a stored body is in the sealed form.
#[cfg(test)]
pub(crate) fn is_sealed(body: &str) -> bool {
    body.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Email;

    const K1: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
    const K2: &[u8; 32] = b"fedcba9876543210fedcba9876543210";

    /// A queued mail: what the sealer binds a body to.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Queued {
        id: Uuid,
        email: Email,
    }

    fn message() -> Queued {
        Queued {
            id: Uuid::now_v7(),
            email: Email {
                to: "ann@example.com".into(),
                subject: "Reset your password".into(),
                text: "Reset: https://app.test/auth/reset/TOKEN-123".into(),
                html: Some("<a href=\"https://app.test/auth/reset/TOKEN-123\">Reset</a>".into()),
                kind: MailKind::PasswordReset,
            },
        }
    }

    fn sealer(keys: TokenKeys) -> Sealer {
        Sealer::new(&keys)
    }

    #[test]
    fn sealed_bodies_hide_the_token_and_open_to_the_original() {
        let s = sealer(TokenKeys::new("k1", K1).unwrap());
        let original = message();
        let mut m = original.clone();
        s.seal(m.id, &mut m.email).unwrap();
        assert!(
            m.email.text.starts_with("sealed:v1:k1:"),
            "{}",
            m.email.text
        );
        assert!(is_sealed(m.email.html.as_deref().unwrap()));
        for body in [&m.email.text, m.email.html.as_ref().unwrap()] {
            assert!(!body.contains("TOKEN-123"));
            assert!(!body.contains("reset"));
        }
        // Recipient, subject and kind stay readable for operators.
        assert_eq!(m.email.to, original.email.to);
        assert_eq!(m.email.subject, original.email.subject);
        s.unseal(m.id, &mut m.email).unwrap();
        assert_eq!(m, original);
    }

    #[test]
    fn every_sealing_uses_a_fresh_nonce() {
        let s = sealer(TokenKeys::new("k1", K1).unwrap());
        let (mut a, mut b) = (message(), message());
        b.id = a.id;
        s.seal(a.id, &mut a.email).unwrap();
        s.seal(b.id, &mut b.email).unwrap();
        assert_ne!(a.email.text, b.email.text);
    }

    #[test]
    fn older_keys_open_after_a_rotation_and_removed_keys_are_named() {
        let before = sealer(TokenKeys::new("k1", K1).unwrap());
        let mut m = message();
        before.seal(m.id, &mut m.email).unwrap();

        let rotated = sealer(
            TokenKeys::new("k2", K2)
                .unwrap()
                .with_verification_key("k1", K1)
                .unwrap(),
        );
        let mut opened = m.clone();
        rotated.unseal(opened.id, &mut opened.email).unwrap();
        assert_eq!(opened.email.text, message().email.text);

        let gone = sealer(TokenKeys::new("k2", K2).unwrap());
        let mut kept = m.clone();
        assert_eq!(
            gone.unseal(kept.id, &mut kept.email),
            Err(SealError::UnknownKey { kid: "k1".into() })
        );
        assert_eq!(kept, m, "a failed unseal leaves the message as it was");
        // The same key id with another secret does not open it either.
        let impostor = sealer(TokenKeys::new("k1", K2).unwrap());
        assert_eq!(
            impostor.unseal(m.id, &mut m.clone().email),
            Err(SealError::Damaged)
        );
    }

    #[test]
    fn bodies_are_bound_to_their_message_and_part() {
        let s = sealer(TokenKeys::new("k1", K1).unwrap());
        let mut m = message();
        s.seal(m.id, &mut m.email).unwrap();

        let mut redirected = m.clone();
        redirected.email.to = "mallory@example.com".into();
        assert_eq!(
            s.unseal(redirected.id, &mut redirected.email),
            Err(SealError::Damaged)
        );

        let mut swapped = m.clone();
        std::mem::swap(
            &mut swapped.email.text,
            swapped.email.html.as_mut().unwrap(),
        );
        assert_eq!(
            s.unseal(swapped.id, &mut swapped.email),
            Err(SealError::Damaged)
        );

        let mut moved = m.clone();
        moved.id = Uuid::now_v7();
        assert_eq!(
            s.unseal(moved.id, &mut moved.email),
            Err(SealError::Damaged)
        );

        let mut tampered = m.clone();
        let mut bytes = tampered.email.text.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        tampered.email.text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            s.unseal(tampered.id, &mut tampered.email),
            Err(SealError::Damaged)
        );

        for junk in [
            "sealed:v1:",
            "sealed:v1:k1",
            "sealed:v1:k1:!!",
            "sealed:v1:k1:AAAA",
        ] {
            let mut bad = m.clone();
            bad.email.text = junk.into();
            assert_eq!(
                s.unseal(bad.id, &mut bad.email),
                Err(SealError::Damaged),
                "{junk}"
            );
        }
    }

    #[test]
    fn bodies_queued_before_sealing_are_delivered_as_they_are() {
        let s = sealer(TokenKeys::new("k1", K1).unwrap());
        let legacy = message();
        let mut m = legacy.clone();
        s.unseal(m.id, &mut m.email).unwrap();
        assert_eq!(m, legacy);
    }

    #[test]
    fn debug_shows_key_ids_only() {
        let shown = format!("{:?}", sealer(TokenKeys::new("k1", K1).unwrap()));
        assert!(shown.contains("k1") && !shown.contains("0123456789abcdef"));
    }
}
