//! [`Verifier`]: checks access tokens offline against a JWKS document.

use std::collections::HashSet;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm as JwkAlgorithm};
use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;

use crate::{AccessClaims, Error, KeyAlgorithm, Rejection, TOKEN_TYPE};

/// Tokens longer than this are refused without being decoded.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The clock skew tolerated by default on `exp`, `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY_SECONDS: u64 = 60;

/// The only header fields read before the signature is checked.
#[derive(Deserialize)]
struct WireHeader {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
}

/// One usable key of the JWKS.
struct Key {
    kid: String,
    alg: KeyAlgorithm,
    decoding: DecodingKey,
}

/// Checks access tokens against the keys of a JWKS document, for one issuer and one
/// audience (the service itself). Build it once per JWKS copy; verifying costs one
/// signature check and no I/O.
///
/// Keys of the document that cannot sign access tokens (other algorithms, `use: enc`,
/// no `kid`) are skipped; a key whose `alg` is absent gets the one its curve implies.
pub struct Verifier {
    keys: Vec<Key>,
    issuer: String,
    audience: String,
    leeway: u64,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field(
                "kids",
                &self.keys.iter().map(|k| &k.kid).collect::<Vec<_>>(),
            )
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .finish()
    }
}

impl Verifier {
    /// A verifier over the keys of `jwks`, accepting tokens of `issuer` for `audience`,
    /// with a leeway of [`DEFAULT_LEEWAY_SECONDS`].
    ///
    /// # Errors
    /// [`Error::NoUsableKey`] when no key of the document can verify access tokens.
    pub fn new(
        jwks: &JwkSet,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, Error> {
        let keys: Vec<Key> = jwks.keys.iter().filter_map(usable).collect();
        if keys.is_empty() {
            return Err(Error::NoUsableKey);
        }
        Ok(Self {
            keys,
            issuer: issuer.into(),
            audience: audience.into(),
            leeway: DEFAULT_LEEWAY_SECONDS,
        })
    }

    /// [`Verifier::new`] over a JWKS document's JSON text.
    ///
    /// # Errors
    /// [`Error::Jwks`] when it is not one, [`Error::NoUsableKey`] as for
    /// [`Verifier::new`].
    pub fn from_json(
        jwks: &str,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, Error> {
        let set: JwkSet = serde_json::from_str(jwks).map_err(Error::Jwks)?;
        Self::new(&set, issuer, audience)
    }

    /// The clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// The ids of the keys it accepts.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.kid.as_str())
    }

    /// Checks `token` now (the system clock).
    ///
    /// # Errors
    /// [`Error::Rejected`] with the [`Rejection`].
    pub fn verify(&self, token: &str) -> Result<AccessClaims, Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.verify_at(token, now)
    }

    /// Checks `token` at `now` (seconds since the Unix epoch): size, shape, `typ`, the
    /// header's `alg` (before anything else is trusted), the `kid`, that the key's
    /// algorithm is the header's, the signature, `iss`, `aud`, then `exp`, `nbf` and
    /// `iat` with the leeway.
    ///
    /// # Errors
    /// [`Error::Rejected`] with the [`Rejection`].
    pub fn verify_at(&self, token: &str, now: u64) -> Result<AccessClaims, Error> {
        self.check(token, now).map_err(Error::Rejected)
    }

    fn check(&self, token: &str, now: u64) -> Result<AccessClaims, Rejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Rejection::TooLarge);
        }
        let header = token
            .split('.')
            .next()
            .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
            .and_then(|h| serde_json::from_slice::<WireHeader>(&h).ok())
            .ok_or(Rejection::Malformed)?;
        let alg = KeyAlgorithm::parse(&header.alg).ok_or(Rejection::Algorithm)?;
        if header.typ.as_deref() != Some(TOKEN_TYPE) {
            return Err(Rejection::Malformed);
        }
        let kid = header.kid.ok_or(Rejection::UnknownKey)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or(Rejection::UnknownKey)?;
        if key.alg != alg {
            return Err(Rejection::Algorithm);
        }
        let mut v = Validation::new(alg.jwt());
        v.validate_exp = false;
        v.validate_nbf = false;
        v.leeway = 0;
        v.required_spec_claims = ["exp", "nbf", "iat", "iss", "aud", "sub"]
            .into_iter()
            .map(str::to_owned)
            .collect::<HashSet<_>>();
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &v)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => Rejection::Signature,
                ErrorKind::InvalidIssuer => Rejection::Issuer,
                ErrorKind::InvalidAudience => Rejection::Audience,
                ErrorKind::InvalidAlgorithm => Rejection::Algorithm,
                _ => Rejection::Malformed,
            })?
            .claims;
        if now >= claims.exp.saturating_add(self.leeway) {
            return Err(Rejection::Expired);
        }
        if now.saturating_add(self.leeway) < claims.nbf.max(claims.iat) {
            return Err(Rejection::NotYetValid);
        }
        Ok(claims)
    }
}

/// The key of a JWK, when it is an Ed25519 or P-256 signing key with a `kid`.
fn usable(jwk: &jsonwebtoken::jwk::Jwk) -> Option<Key> {
    let kid = jwk.common.key_id.clone()?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != jsonwebtoken::jwk::PublicKeyUse::Signature)
    {
        return None;
    }
    let alg = match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            KeyAlgorithm::EdDsa
        }
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
            KeyAlgorithm::Es256
        }
        _ => return None,
    };
    let declared = match jwk.common.key_algorithm {
        None => Some(alg),
        Some(JwkAlgorithm::EdDSA) => Some(KeyAlgorithm::EdDsa),
        Some(JwkAlgorithm::ES256) => Some(KeyAlgorithm::Es256),
        Some(_) => None,
    };
    if declared != Some(alg) {
        return None;
    }
    let decoding = DecodingKey::from_jwk(jwk).ok()?;
    Some(Key { kid, alg, decoding })
}
