//! # auth-access-token
//!
//! Short-lived signed access tokens of the auth toolkit, for the services behind it: a
//! JWT (`typ: at+jwt`, as in RFC 9068) signed with Ed25519 (`EdDSA`, the default) or
//! P-256 (`ES256`), with the claims `iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`, the
//! user's `roles` and a space-separated `scope`.
//!
//! - The issuing side holds a [`KeySet`]: one [`SigningKey`] that signs, and the
//!   [`PublicKey`]s of the keys it replaced, still published in the JWKS document
//!   ([`KeySet::jwks`]) while tokens they signed may live (the overlap of a rotation).
//! - A service that only checks tokens needs this crate alone (no web framework, no
//!   HTTP client): it fetches the JWKS document however it likes, builds a [`Verifier`]
//!   from it, and calls [`Verifier::verify`] per request. Nothing is fetched for it.
//!
//! Keys are identified by their RFC 7638 thumbprint (the `kid`), so the same key file
//! always gets the same `kid`, on every instance and after a restart. The verifier
//! accepts only `EdDSA` and `ES256`, pins the algorithm to the key the `kid` names (an
//! `HS256` token made with a public key as its secret, or an `alg: none` token, is
//! refused before any signature is checked), and checks `typ`, the signature, `iss`,
//! `aud`, `exp`, `nbf` and `iat` with a leeway for clock skew.
//!
//! ```
//! use auth_access_token::{AccessClaims, KeyAlgorithm, KeySet, SigningKey, Verifier};
//!
//! // The issuer (the auth server).
//! let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa)?);
//! let now = 1_700_000_000;
//! let claims = AccessClaims {
//!     iss: "https://auth.example.com".into(),
//!     sub: "0190c6f0-0000-7000-8000-000000000001".into(),
//!     aud: "orders".into(),
//!     iat: now,
//!     nbf: now,
//!     exp: now + 300,
//!     jti: "b5f7e1c2".into(),
//!     roles: vec!["admin".into()],
//!     scope: "read:profile".into(),
//! };
//! let token = keys.sign(&claims)?;
//!
//! // A service: the JWKS document, fetched once and refreshed when a `kid` is unknown.
//! let jwks = serde_json::to_string(&keys.jwks())?;
//! let verifier = Verifier::from_json(&jwks, "https://auth.example.com", "orders")?;
//! let checked = verifier.verify_at(&token, now + 10)?;
//! assert!(checked.has_scope("read:profile"));
//! assert!(verifier.verify_at(&token, now + 3600).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod keys;
mod verify;

pub use jsonwebtoken::jwk::{Jwk, JwkSet};
pub use keys::{KeyAlgorithm, KeySet, PublicKey, SigningKey};
pub use verify::{DEFAULT_LEEWAY_SECONDS, MAX_TOKEN_BYTES, Verifier};

use serde::{Deserialize, Serialize};

/// The `typ` header of access tokens (RFC 9068), checked by the verifier so that no
/// other JWT of the issuer passes for one.
pub const TOKEN_TYPE: &str = "at+jwt";

/// The claims of an access token. Times are whole seconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Who issued the token (the auth server's URL).
    pub iss: String,
    /// The user the token acts for (their id).
    pub sub: String,
    /// The service the token is for.
    pub aud: String,
    /// The token is dead at and after this instant.
    pub exp: u64,
    /// The token is not valid before this instant.
    pub nbf: u64,
    /// When the token was issued.
    pub iat: u64,
    /// A random id, unique per token, for logs and replay bookkeeping.
    pub jti: String,
    /// The user's roles when the token was issued.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The scopes the token carries, separated by spaces (RFC 8693 `scope`); empty for
    /// none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
}

impl AccessClaims {
    /// The scopes, one by one.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }

    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// Whether the user had `role` when the token was issued.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// Why a token was refused. What a service answers is one 401 whatever the reason; the
/// reason is for its logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// Longer than [`MAX_TOKEN_BYTES`].
    TooLarge,
    /// Not a JWT, a header or claims that cannot be read, a claim missing, or a `typ`
    /// other than `at+jwt`.
    Malformed,
    /// An algorithm other than `EdDSA` and `ES256` (`none`, `HS256`, `RS256`, ...), or
    /// not the algorithm of the key the `kid` names.
    Algorithm,
    /// No `kid`, or one the JWKS does not list (a key retired after its overlap).
    UnknownKey,
    /// The signature does not verify with the key the `kid` names.
    Signature,
    /// Another issuer's token.
    Issuer,
    /// A token for another service.
    Audience,
    /// Past its `exp` (beyond the leeway).
    Expired,
    /// Before its `nbf` or `iat` (beyond the leeway).
    NotYetValid,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TooLarge => "token too large",
            Self::Malformed => "malformed token",
            Self::Algorithm => "algorithm not accepted",
            Self::UnknownKey => "unknown signing key",
            Self::Signature => "bad signature",
            Self::Issuer => "wrong issuer",
            Self::Audience => "wrong audience",
            Self::Expired => "token expired",
            Self::NotYetValid => "token not yet valid",
        })
    }
}

/// The errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key file or document that is not a PKCS#8 Ed25519 or P-256 key.
    #[error("not a usable key: {0}")]
    Key(&'static str),
    /// A key the underlying library refused, or a token it could not sign.
    #[error("signing failed")]
    Jwt(#[source] jsonwebtoken::errors::Error),
    /// The operating system's random generator failed (key generation).
    #[error("no randomness")]
    Random(#[source] getrandom::Error),
    /// A JWKS document that is not JSON of that shape.
    #[error("not a JWKS document")]
    Jwks(#[source] serde_json::Error),
    /// A JWKS document with no Ed25519 or P-256 signing key that has a `kid`.
    #[error("the JWKS document lists no usable key")]
    NoUsableKey,
    /// A token the verifier refused.
    #[error("token refused: {0}")]
    Rejected(Rejection),
}

impl Error {
    /// The reason a token was refused, for [`Error::Rejected`].
    pub fn rejection(&self) -> Option<Rejection> {
        match self {
            Self::Rejected(r) => Some(*r),
            _ => None,
        }
    }
}

/// A new random token id (a UUID v4), for `jti`.
pub fn new_token_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
