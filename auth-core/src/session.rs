//! Session ids: opaque random values held by the client, stored only as digests.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// Bytes of entropy in a session id (256 bits).
const SESSION_ID_BYTES: usize = 32;

/// Characters of a session id: its bytes in URL-safe base64 without padding.
const SESSION_ID_CHARS: usize = 43;

/// The value of each byte as a character of URL-safe base64, or [`NOT_BASE64`].
const SEXTET: [u8; 256] = {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut table = [NOT_BASE64; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Whether `b` is in [`SEXTET`]'s alphabet, by ranges rather than by the table, so
/// that a fold over many bytes vectorises (`in_alphabet_is_the_tables_alphabet`).
const fn in_alphabet(b: u8) -> bool {
    (b.wrapping_sub(b'A') < 26)
        | (b.wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'_')
}

/// [`SEXTET`]'s mark for a byte outside the alphabet (no sextet has its high bit).
const NOT_BASE64: u8 = 0x80;

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
    ///
    /// Accepts exactly what a strict URL-safe base64 decoder (no padding, no trailing
    /// bits) decodes into 32 bytes: 43 characters of the alphabet, the last of which
    /// carries the id's last 4 bits and 2 zero bits. Checked by character ranges and the
    /// last character by table, without decoding (the decoded bytes are never used; see
    /// `parse_accepts_what_base64_decodes`).
    pub fn parse(value: &str) -> Option<Self> {
        Self::parse_bytes(value.as_bytes())
    }

    /// [`SessionToken::parse`] for a value at hand as bytes (a header's, which need not
    /// be text): the same rule, no UTF-8 check needed first.
    pub fn parse_bytes(value: &[u8]) -> Option<Self> {
        let text: [u8; SESSION_ID_CHARS] = value.try_into().ok()?;
        let (last, rest) = text.split_last()?;
        // A fold without a branch per byte, which the compiler vectorises (it runs on
        // every authenticated request); the last character by table, for its low bits.
        let alphabet = rest.iter().fold(true, |ok, &b| ok & in_alphabet(b));
        let last = SEXTET[usize::from(*last)];
        (alphabet && last & (NOT_BASE64 | 0b11) == 0).then_some(Self(text))
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

crate::digest::sha256_digest!(
    /// SHA-256 of a session id: what stores keep and index. A plain hash suffices because
    /// the id itself has 256 bits of entropy; knowing a digest does not give the cookie.
    ///
    /// Its hex form doubles as the public handle of a session in device lists.
    SessionDigest,
    "a session digest"
);

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

    /// What the strict base64 decoder accepts as an id: 32 bytes from the whole value.
    fn decodes_to_an_id(value: &str) -> bool {
        let mut decoded = [0u8; SESSION_ID_BYTES + 1];
        URL_SAFE_NO_PAD.decode_slice(value, &mut decoded) == Ok(SESSION_ID_BYTES)
    }

    #[test]
    fn in_alphabet_is_the_tables_alphabet() {
        for b in 0..=u8::MAX {
            assert_eq!(
                in_alphabet(b),
                SEXTET[usize::from(b)] != NOT_BASE64,
                "{b:#x}"
            );
        }
    }

    #[test]
    fn parse_accepts_what_base64_decodes() {
        let mut checked = 0;
        let mut accepted = 0;
        for _ in 0..8 {
            let id = SessionToken::generate();
            // Every byte at every position of a valid id (the last character included,
            // whose 2 low bits must be zero); bytes that make it no text are refused.
            for at in 0..SESSION_ID_CHARS {
                for b in 0..=u8::MAX {
                    let mut text = *id.as_bytes();
                    text[at] = b;
                    let parsed = SessionToken::parse_bytes(&text);
                    let Ok(value) = std::str::from_utf8(&text) else {
                        assert_eq!(parsed, None, "{at} {b:#x} is not even text");
                        continue;
                    };
                    assert_eq!(parsed, SessionToken::parse(value), "{at} {b:#x}");
                    assert_eq!(parsed.is_some(), decodes_to_an_id(value), "{at} {b:#x}");
                    if let Some(t) = parsed {
                        assert_eq!(t.expose(), value);
                        accepted += 1;
                    }
                    checked += 1;
                }
            }
        }
        assert!(
            accepted > 1000 && accepted < checked,
            "{accepted} of {checked}"
        );
        // Other lengths, and characters that are not ASCII.
        for n in 0..64 {
            let value = "A".repeat(n);
            assert_eq!(
                SessionToken::parse(&value).is_some(),
                decodes_to_an_id(&value),
                "{n}"
            );
        }
        let id = SessionToken::generate();
        for value in [
            format!("{}\u{e9}", &id.expose()[..41]),
            format!("{}\u{e9}", &id.expose()[..42]),
            format!("{}=", id.expose()),
            format!("{}+", &id.expose()[..42]),
        ] {
            assert!(SessionToken::parse(&value).is_none(), "{value:?}");
            assert!(!decodes_to_an_id(&value), "{value:?}");
        }
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
