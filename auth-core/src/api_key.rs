//! API keys (personal access tokens): long-lived secrets a person creates for a program
//! (a script, a CLI, a service) that act for them within the scopes they chose.
//!
//! A key reads `ak_<id>_<secret>`: `ak_` says what it is (and lets secret scanners find
//! it), `<id>` is a short public id (12 lower-case hex characters) that names the key in
//! lists and logs, `<secret>` is 256 random bits. The person sees the whole key once, at
//! creation; the store keeps only its SHA-256 digest ([`ApiKeyDigest`]), and a request
//! presenting the key is found by that digest in one store round trip.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use crate::model::UserId;

/// What every key starts with.
pub const API_KEY_PREFIX: &str = "ak_";

/// Bytes of the public id (12 hex characters).
const ID_BYTES: usize = 6;
/// Bytes of the secret (256 bits).
const SECRET_BYTES: usize = 32;
/// Length of the encoded secret.
const SECRET_LEN: usize = 43;

/// Whether `s` is a well-formed scope name: 1 to 64 characters of lower-case letters,
/// digits and `:` `_` `-` `.`.
pub fn is_scope(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b":_-.".contains(&b))
}

/// A whole API key as the program holds it. Never stored, never logged: its `Debug`
/// output shows only the public id.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeyToken {
    value: String,
}

impl ApiKeyToken {
    /// A fresh key.
    pub fn generate() -> Self {
        let id = hex::encode(crate::random::bytes::<ID_BYTES>());
        let secret = URL_SAFE_NO_PAD.encode(crate::random::bytes::<SECRET_BYTES>());
        Self {
            value: format!("{API_KEY_PREFIX}{id}_{secret}"),
        }
    }

    /// Reads a key presented by a client. Values that cannot have come from
    /// [`ApiKeyToken::generate`] are refused, so garbage never reaches a store.
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.strip_prefix(API_KEY_PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let id_ok = id.len() == ID_BYTES * 2
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let mut decoded = [0u8; SECRET_BYTES + 1];
        let secret_ok = secret.len() == SECRET_LEN
            && URL_SAFE_NO_PAD.decode_slice(secret, &mut decoded).ok() == Some(SECRET_BYTES);
        (id_ok && secret_ok).then(|| Self {
            value: value.to_owned(),
        })
    }

    /// Whether `value` looks like an API key rather than a session token (it starts with
    /// [`API_KEY_PREFIX`]); it may still be malformed.
    pub fn looks_like_key(value: &str) -> bool {
        value.starts_with(API_KEY_PREFIX)
    }

    /// The whole key, to show once to its owner.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// The public id.
    pub fn id(&self) -> &str {
        let rest = &self.value[API_KEY_PREFIX.len()..];
        rest.split_once('_').map_or(rest, |(id, _)| id)
    }

    /// The digest under which the store keeps the key.
    pub fn digest(&self) -> ApiKeyDigest {
        ApiKeyDigest(Sha256::digest(self.value.as_bytes()).into())
    }
}

impl fmt::Debug for ApiKeyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeyToken({API_KEY_PREFIX}{}_<redacted>)", self.id())
    }
}

crate::digest::sha256_digest!(
    /// SHA-256 of a whole API key: what stores keep and index. A plain hash suffices because
    /// the key has 256 bits of entropy.
    ApiKeyDigest,
    "an API key digest"
);

/// A stored API key: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// The public id (12 hex characters), unique across all keys.
    pub id: String,
    /// SHA-256 of the whole key, unique across all keys.
    pub digest: ApiKeyDigest,
    /// The owner. The key acts for them, never beyond their roles.
    pub user_id: UserId,
    /// The name the owner gave it ("deploy script").
    pub name: String,
    /// What the key may do: scopes the application declared
    /// ([`ConfigBuilder::api_key_scopes`](crate::ConfigBuilder::api_key_scopes)).
    pub scopes: Vec<String>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// The key is refused from this instant on, if set.
    pub expires_at: Option<OffsetDateTime>,
    /// Last time the key authenticated a request (recorded at most once per minute).
    pub last_used_at: Option<OffsetDateTime>,
    /// The client address of that request.
    pub last_used_ip: Option<String>,
}

impl ApiKeyRecord {
    /// Whether the key is still usable at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }

    /// Whether the key carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The prefix that names the key in lists and logs (`ak_1a2b3c4d5e6f`).
    pub fn prefix(&self) -> String {
        format!("{API_KEY_PREFIX}{}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_differ_and_name_their_id() {
        let a = ApiKeyToken::generate();
        let b = ApiKeyToken::generate();
        assert_ne!(a, b);
        assert_ne!(a.id(), b.id());
        assert_eq!(ApiKeyToken::parse(a.expose()), Some(a.clone()));
        assert!(a.expose().starts_with(&format!("ak_{}_", a.id())));
        assert_eq!(a.id().len(), 12);
        assert_ne!(a.digest(), b.digest());
        assert!(ApiKeyToken::looks_like_key(a.expose()));
    }

    #[test]
    fn garbage_is_refused() {
        let good = ApiKeyToken::generate();
        // `ak_` and the id (12 hex digits) and `_`; the secret may hold `_` itself.
        let secret = good.expose()[3 + 12 + 1..].to_owned();
        for bad in [
            String::new(),
            "ak_".into(),
            "ak__".into(),
            format!("ak_{}", good.id()),
            // Upper-case hex (a generated id may be all digits, which has no case).
            format!("ak_ABCDEF012345_{secret}"),
            format!("ak_1234567890ab_{}x", secret),
            format!("ak_123_{secret}"),
            format!("xk_{}_{}", good.id(), secret),
            format!("ak_{}_{}", good.id(), "!".repeat(43)),
        ] {
            assert!(ApiKeyToken::parse(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let t = ApiKeyToken::generate();
        let shown = format!("{t:?}");
        assert!(!shown.contains(t.expose()), "{shown}");
        assert!(shown.contains(t.id()), "{shown}");
        let d = t.digest();
        assert!(!format!("{d:?}").contains(&d.to_hex()));
        assert_eq!(ApiKeyDigest::from_hex(&d.to_hex()), Some(d));
    }
}
