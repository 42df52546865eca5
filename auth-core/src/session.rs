//! Session ids: opaque random values held by the client, stored only as digests.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// Bytes of entropy in a session id (256 bits).
const SESSION_ID_BYTES: usize = 32;

/// Characters of a session id: its bytes in URL-safe base64 without padding.
const SESSION_ID_CHARS: usize = 43;

/// The raw session id, as carried in the client's cookie. Never stored, never logged:
/// its `Debug` output is redacted.
///
/// Held inline (its 43 ASCII characters), so reading one from a request allocates
/// nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken([u8; SESSION_ID_CHARS]);

impl SessionToken {
    /// A fresh id with 256 bits of entropy, URL-safe base64 without padding.
    pub fn generate() -> Self {
        let mut text = [0u8; SESSION_ID_CHARS];
        let n = URL_SAFE_NO_PAD
            .encode_slice(crate::random::bytes::<SESSION_ID_BYTES>(), &mut text)
            .unwrap_or_default();
        debug_assert_eq!(n, SESSION_ID_CHARS, "32 bytes are 43 characters");
        Self(text)
    }

    /// Wraps a value read from a cookie or header. Values that cannot have been issued
    /// by [`SessionToken::generate`] are refused, so garbage never reaches a store.
    pub fn parse(value: &str) -> Option<Self> {
        // Decoded on the stack: one byte of room past an id's length, so that a longer
        // value is refused rather than allocated for.
        let mut decoded = [0u8; SESSION_ID_BYTES + 1];
        let n = URL_SAFE_NO_PAD.decode_slice(value, &mut decoded).ok()?;
        // 32 decoded bytes come from exactly 43 characters of the base64 alphabet.
        let text = value.as_bytes().try_into().ok()?;
        (n == SESSION_ID_BYTES).then_some(Self(text))
    }

    /// The value to put in the cookie.
    pub fn expose(&self) -> &str {
        // Only base64 characters (ASCII) are ever held, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The id's characters as bytes, for hashing without `expose`'s UTF-8 check.
    pub(crate) fn as_bytes(&self) -> &[u8; SESSION_ID_CHARS] {
        &self.0
    }

    /// The digest under which the store keeps the session.
    pub fn digest(&self) -> SessionDigest {
        SessionDigest(Sha256::digest(self.0).into())
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// SHA-256 of a session id: what stores keep and index. A plain hash suffices because
/// the id itself has 256 bits of entropy; knowing a digest does not give the cookie.
///
/// Its hex form doubles as the public handle of a session in device lists.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct SessionDigest([u8; 32]);

impl SessionDigest {
    /// Wraps raw digest bytes, as read from storage.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex (64 characters).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Self(out))
    }
}

impl fmt::Debug for SessionDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionDigest({}…)", &self.to_hex()[..8])
    }
}

impl From<SessionDigest> for String {
    fn from(d: SessionDigest) -> Self {
        d.to_hex()
    }
}

impl TryFrom<String> for SessionDigest {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::from_hex(&s).ok_or_else(|| "a session digest is 64 hex characters".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_differ() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a, b);
        assert_eq!(SessionToken::parse(a.expose()), Some(a.clone()));
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a.digest(), b.digest());
    }

    #[test]
    fn garbage_is_refused() {
        assert!(SessionToken::parse("").is_none());
        assert!(SessionToken::parse("short").is_none());
        assert!(SessionToken::parse(&"A".repeat(44)).is_none());
        assert!(SessionToken::parse("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!").is_none());
    }

    #[test]
    fn debug_never_shows_the_id() {
        let t = SessionToken::generate();
        assert!(!format!("{t:?}").contains(t.expose()));
        let d = t.digest();
        assert!(!format!("{d:?}").contains(&d.to_hex()));
        assert_eq!(SessionDigest::from_hex(&d.to_hex()), Some(d));
    }
}
