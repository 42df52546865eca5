//! Signed link tokens for email verification, password reset and change of email.
//!
//! Tokens are JWTs signed with HMAC-SHA256 (`HS256`, the only algorithm accepted), with a
//! `kid` header naming the key so that keys can be rotated: one key signs, any number of
//! older keys still verify until they are removed. Each token is for one [`Purpose`]
//! (its `aud` claim), expires, and carries the user's security stamp at issue. Comparing
//! that stamp with the user's current one ([`crate::SecurityStamp::matches`]) is the
//! engine's job: it is what makes reset and change-email links single use, since every
//! credential change rotates the stamp.
//!
//! [`TokenService::verify`] checks, in this order: size (at most 4 KiB), shape, the
//! header's `alg` (exactly `HS256`, before anything else is trusted), the `kid`, the
//! signature, the purpose, and the expiry against the caller's clock. Each refusal is an
//! [`Error::Token`] with its [`TokenRejection`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{Error, Message, Result, TokenRejection};
use crate::model::{User, UserId};

/// Tokens longer than this are refused without being decoded.
pub const MAX_TOKEN_BYTES: usize = 4 * 1024;
/// Shortest HMAC secret accepted, in bytes (the output size of SHA-256).
pub const MIN_SECRET_BYTES: usize = 32;
/// Longest key id accepted.
const MAX_KID_LEN: usize = 64;
/// The HKDF-SHA256 salt of keys derived from the token secrets for other uses (see
/// [`TokenKeys::derive_keys`]): it keeps them apart from the HMAC keys themselves.
const DERIVATION_SALT: &[u8] = b"auth-core: keys derived from token secrets, v1";

/// What a token is for. Serialised as the JWT `aud` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Purpose {
    /// Confirms the address given at registration (`verify_email`).
    VerifyEmail,
    /// Allows choosing a new password (`reset_password`).
    ResetPassword,
    /// Confirms a new address before it replaces the old one (`change_email`).
    ChangeEmail,
}

impl Purpose {
    /// The `aud` value: `verify_email`, `reset_password` or `change_email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
        }
    }

    /// Parses an `aud` value.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::VerifyEmail, Self::ResetPassword, Self::ChangeEmail]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claims of a link token. Times are whole seconds since the Unix epoch on the wire.
///
/// `Debug` redacts the security stamp.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user the token is about.
    pub sub: UserId,
    /// The flow the token is for.
    pub aud: Purpose,
    /// The token is dead at and after this instant.
    #[serde(with = "time::serde::timestamp")]
    pub exp: OffsetDateTime,
    /// When the token was issued.
    #[serde(with = "time::serde::timestamp")]
    pub iat: OffsetDateTime,
    /// A random (v4) id, unique per token, for logs and replay bookkeeping.
    pub jti: Uuid,
    /// The user's security stamp when the token was issued; the engine refuses the token
    /// when it no longer matches ([`crate::SecurityStamp::matches`]).
    pub stamp: String,
    /// The address the token is about: the one to verify, or for
    /// [`Purpose::ChangeEmail`] the new address that will replace the current one.
    pub email: String,
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("jti", &self.jti)
            .field("stamp", &"<redacted>")
            .field("email", &self.email)
            .finish()
    }
}

/// The claims as they come off the wire, before the purpose and times are checked.
#[derive(Deserialize)]
struct WireClaims {
    sub: UserId,
    aud: String,
    exp: i64,
    iat: i64,
    jti: Uuid,
    stamp: String,
    email: String,
}

/// The only header fields read before the signature is checked.
#[derive(Deserialize)]
struct WireHeader {
    alg: String,
    kid: Option<String>,
}

/// The HMAC keys: one that signs new tokens, and any number of older ones that still
/// verify tokens signed before a rotation.
///
/// Rotation: add the new key as the signing key and keep the old one as a verification
/// key for as long as its tokens may live (the longest lifetime, 24 h by default), then
/// remove it. The same keys also seal mail waiting in the outbox (through keys derived
/// from them), so a queued message stays readable while the key it was sealed with is
/// configured. `Debug` shows key ids only.
#[derive(Clone)]
pub struct TokenKeys {
    signing_kid: String,
    signing: EncodingKey,
    /// Every key that verifies, the signing key included.
    verifying: BTreeMap<String, DecodingKey>,
    /// HKDF-SHA256 extracted from every secret, by key id, for [`TokenKeys::derive_keys`].
    derivation: BTreeMap<String, Hkdf<Sha256>>,
}

impl TokenKeys {
    /// Keys with one signing key.
    ///
    /// # Errors
    /// [`Error::Config`] when the secret is shorter than 32 bytes or the key id is empty,
    /// longer than 64 bytes, or not made of ASCII letters, digits, `-`, `_` and `.`.
    pub fn new(kid: impl Into<String>, secret: impl AsRef<[u8]>) -> Result<Self> {
        let kid = kid.into();
        let secret = secret.as_ref();
        check_key(&kid, secret)?;
        let mut verifying = BTreeMap::new();
        verifying.insert(kid.clone(), DecodingKey::from_secret(secret));
        let mut derivation = BTreeMap::new();
        derivation.insert(kid.clone(), Hkdf::new(Some(DERIVATION_SALT), secret));
        Ok(Self {
            signing_kid: kid,
            signing: EncodingKey::from_secret(secret),
            verifying,
            derivation,
        })
    }

    /// Adds a key that verifies tokens but never signs new ones.
    ///
    /// # Errors
    /// [`Error::Config`] for the same reasons as [`TokenKeys::new`], or when the key id is
    /// already used.
    pub fn with_verification_key(
        mut self,
        kid: impl Into<String>,
        secret: impl AsRef<[u8]>,
    ) -> Result<Self> {
        let kid = kid.into();
        let secret = secret.as_ref();
        check_key(&kid, secret)?;
        if self.verifying.contains_key(&kid) {
            return Err(Error::Config(format!(
                "token key id {kid:?} is listed twice"
            )));
        }
        self.verifying
            .insert(kid.clone(), DecodingKey::from_secret(secret));
        self.derivation
            .insert(kid, Hkdf::new(Some(DERIVATION_SALT), secret));
        Ok(self)
    }

    /// The id of the key that signs new tokens.
    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    /// The ids of every key that verifies, the signing key included, in order.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.verifying.keys().map(String::as_str)
    }

    /// A 256-bit key for the purpose named by `info`, derived from each secret with
    /// HKDF-SHA256 (a fixed salt, `info` as the expansion's context), by key id. Keys for
    /// different `info` are independent of each other and of the HMAC keys.
    pub(crate) fn derive_keys(&self, info: &[u8]) -> BTreeMap<String, Zeroizing<[u8; 32]>> {
        self.derivation
            .iter()
            .filter_map(|(kid, hkdf)| {
                let mut key = Zeroizing::new([0u8; 32]);
                // 32 bytes is far below HKDF-SHA256's limit of 255 * 32: never refused.
                hkdf.expand(info, key.as_mut_slice())
                    .ok()
                    .map(|()| (kid.clone(), key))
            })
            .collect()
    }
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeys")
            .field("signing_kid", &self.signing_kid)
            .field("verifying_kids", &self.verifying.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn check_key(kid: &str, secret: &[u8]) -> Result<()> {
    if kid.is_empty()
        || kid.len() > MAX_KID_LEN
        || !kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(Error::Config(format!(
            "token key ids must be 1 to {MAX_KID_LEN} ASCII letters, digits, '-', '_' or '.'"
        )));
    }
    if secret.len() < MIN_SECRET_BYTES {
        return Err(Error::Config(format!(
            "the token secret for key {kid:?} must be at least {MIN_SECRET_BYTES} bytes"
        )));
    }
    Ok(())
}

/// How long tokens of each purpose live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetimes {
    /// Email verification links (default 24 hours).
    pub verify_email: Duration,
    /// Password reset links (default 30 minutes).
    pub reset_password: Duration,
    /// Change-of-email confirmation links (default 24 hours).
    pub change_email: Duration,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            verify_email: Duration::hours(24),
            reset_password: Duration::minutes(30),
            change_email: Duration::hours(24),
        }
    }
}

impl TokenLifetimes {
    /// The longest lifetime [`TokenLifetimes::validate`] accepts, for any purpose: a link
    /// that works for longer is close to a standing password.
    pub const LONGEST: Duration = Duration::days(30);

    /// The lifetime of tokens for `purpose`.
    pub fn get(&self, purpose: Purpose) -> Duration {
        match purpose {
            Purpose::VerifyEmail => self.verify_email,
            Purpose::ResetPassword => self.reset_password,
            Purpose::ChangeEmail => self.change_email,
        }
    }

    /// Checks that every lifetime is at least one second and at most 30 days.
    ///
    /// # Errors
    /// [`Error::Config`] naming the offending lifetime.
    pub fn validate(&self) -> Result<()> {
        for purpose in [
            Purpose::VerifyEmail,
            Purpose::ResetPassword,
            Purpose::ChangeEmail,
        ] {
            let lifetime = self.get(purpose);
            if lifetime < Duration::SECOND || lifetime > Self::LONGEST {
                return Err(Error::Config(format!(
                    "the {purpose} token lifetime must be between 1 second and 30 days"
                )));
            }
        }
        Ok(())
    }
}

/// Issues and verifies link tokens. Cheap to clone (an [`Arc`] inside).
#[derive(Clone)]
pub struct TokenService {
    inner: Arc<Inner>,
}

struct Inner {
    keys: TokenKeys,
    lifetimes: TokenLifetimes,
    validation: Validation,
}

impl fmt::Debug for TokenService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenService")
            .field("keys", &self.inner.keys)
            .field("lifetimes", &self.inner.lifetimes)
            .finish()
    }
}

impl TokenService {
    /// A service signing with `keys`' signing key.
    ///
    /// # Errors
    /// [`Error::Config`] when a lifetime fails [`TokenLifetimes::validate`].
    pub fn new(keys: TokenKeys, lifetimes: TokenLifetimes) -> Result<Self> {
        lifetimes.validate()?;
        // Only the signature is left to the library. The algorithm was checked before
        // decoding; purpose and expiry are checked afterwards against the caller's clock.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        Ok(Self {
            inner: Arc::new(Inner {
                keys,
                lifetimes,
                validation,
            }),
        })
    }

    /// The lifetimes in force.
    pub fn lifetimes(&self) -> TokenLifetimes {
        self.inner.lifetimes
    }

    /// The keys in use.
    pub fn keys(&self) -> &TokenKeys {
        &self.inner.keys
    }

    /// A token for `purpose` about `user` and the address `email`, issued at `now`.
    ///
    /// # Errors
    /// [`Error::Validation`] (`email`) when the address is so long that the token would
    /// exceed [`MAX_TOKEN_BYTES`]; [`Error::Config`] if signing fails.
    pub fn issue(
        &self,
        purpose: Purpose,
        user: &User,
        email: &str,
        now: OffsetDateTime,
    ) -> Result<String> {
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let claims = Claims {
            sub: user.id,
            aud: purpose,
            exp: now + self.inner.lifetimes.get(purpose),
            iat: now,
            jti: Uuid::new_v4(),
            stamp: user.security_stamp.as_str().to_owned(),
            email: email.to_owned(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.inner.keys.signing_kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.inner.keys.signing)
            .map_err(|e| Error::Config(format!("signing a link token failed: {e}")))?;
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::invalid(
                "email",
                Message::new("field-email-too_long_for_link"),
            ));
        }
        Ok(token)
    }

    /// Checks a token presented for `purpose` at `now` and returns its claims.
    ///
    /// The stamp is not compared here: the caller compares [`Claims::stamp`] with the
    /// user's current [`crate::SecurityStamp`].
    ///
    /// # Errors
    /// [`Error::Token`] with the reason: `Malformed` (oversized, not three base64url
    /// parts, bad JSON, missing claims), `DisallowedAlgorithm` (any `alg` but `HS256`,
    /// including `none`), `UnknownKey` (missing or unlisted `kid`), `BadSignature`,
    /// `WrongPurpose` (an `aud` other than `purpose`), `Expired` (`exp <= now`). The
    /// decoder's error is kept as the source where there is one.
    pub fn verify(&self, token: &str, purpose: Purpose, now: OffsetDateTime) -> Result<Claims> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::token(TokenRejection::Malformed));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::token(TokenRejection::Malformed));
        };
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|e| rejected(TokenRejection::Malformed, e))?;
        let header: WireHeader =
            serde_json::from_slice(&header).map_err(|e| rejected(TokenRejection::Malformed, e))?;
        if header.alg != "HS256" {
            return Err(Error::token(TokenRejection::DisallowedAlgorithm));
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.inner.keys.verifying.get(kid))
            .ok_or(Error::token(TokenRejection::UnknownKey))?;

        let data = jsonwebtoken::decode::<WireClaims>(token, key, &self.inner.validation).map_err(
            |e| {
                let reason = match e.kind() {
                    ErrorKind::InvalidSignature => TokenRejection::BadSignature,
                    ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => {
                        TokenRejection::DisallowedAlgorithm
                    }
                    _ => TokenRejection::Malformed,
                };
                rejected(reason, e)
            },
        )?;
        let wire = data.claims;

        let aud = Purpose::parse(&wire.aud);
        if aud != Some(purpose) {
            return Err(Error::token(TokenRejection::WrongPurpose));
        }
        let exp = OffsetDateTime::from_unix_timestamp(wire.exp)
            .map_err(|e| rejected(TokenRejection::Malformed, e))?;
        let iat = OffsetDateTime::from_unix_timestamp(wire.iat)
            .map_err(|e| rejected(TokenRejection::Malformed, e))?;
        if exp <= now {
            return Err(Error::token(TokenRejection::Expired));
        }
        Ok(Claims {
            sub: wire.sub,
            aud: purpose,
            exp,
            iat,
            jti: wire.jti,
            stamp: wire.stamp,
            email: wire.email,
        })
    }
}

fn rejected(
    reason: TokenRejection,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Token {
        reason,
        source: Some(Box::new(source)),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::model::SecurityStamp;

    const SECRET_1: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
    const SECRET_2: &[u8; 32] = b"fedcba9876543210fedcba9876543210";
    const NOW: OffsetDateTime = datetime!(2026-01-02 03:04:05.678 UTC);

    fn user() -> User {
        User {
            email: "ann@example.com".into(),
            username: Some("ann".into()),
            security_stamp: SecurityStamp::new("stamp-0123456789"),
            ..crate::conformance::sample_user(NOW)
        }
    }

    fn service() -> TokenService {
        TokenService::new(
            TokenKeys::new("k1", SECRET_1).unwrap(),
            TokenLifetimes::default(),
        )
        .unwrap()
    }

    fn reason(result: Result<Claims>) -> TokenRejection {
        match result {
            Err(Error::Token { reason, .. }) => reason,
            other => panic!("expected a token refusal, got {other:?}"),
        }
    }

    fn b64(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn parts(token: &str) -> Vec<String> {
        token.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn issue_then_verify_round_trips() {
        let s = service();
        let u = user();
        let token = s
            .issue(Purpose::VerifyEmail, &u, "ann@example.com", NOW)
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::HS256);
        assert_eq!(header.kid.as_deref(), Some("k1"));

        let claims = s.verify(&token, Purpose::VerifyEmail, NOW).unwrap();
        assert_eq!(claims.sub, u.id);
        assert_eq!(claims.aud, Purpose::VerifyEmail);
        assert_eq!(claims.iat, datetime!(2026-01-02 03:04:05 UTC));
        assert_eq!(claims.exp, datetime!(2026-01-03 03:04:05 UTC));
        assert_eq!(claims.email, "ann@example.com");
        assert!(u.security_stamp.matches(&claims.stamp));
        assert_eq!(claims.jti.get_version_num(), 4);

        let other = s
            .issue(Purpose::VerifyEmail, &u, "ann@example.com", NOW)
            .unwrap();
        let other = s.verify(&other, Purpose::VerifyEmail, NOW).unwrap();
        assert_ne!(other.jti, claims.jti);
    }

    #[test]
    fn change_email_carries_the_new_address() {
        let s = service();
        let token = s
            .issue(Purpose::ChangeEmail, &user(), "new@example.org", NOW)
            .unwrap();
        let claims = s.verify(&token, Purpose::ChangeEmail, NOW).unwrap();
        assert_eq!(claims.email, "new@example.org");
    }

    #[test]
    fn expiry_uses_the_callers_clock() {
        let s = service();
        let token = s
            .issue(Purpose::ResetPassword, &user(), "ann@example.com", NOW)
            .unwrap();
        let exp = datetime!(2026-01-02 03:34:05 UTC);
        assert!(
            s.verify(&token, Purpose::ResetPassword, exp - Duration::SECOND)
                .is_ok()
        );
        assert_eq!(
            reason(s.verify(&token, Purpose::ResetPassword, exp)),
            TokenRejection::Expired
        );
        assert_eq!(
            reason(s.verify(&token, Purpose::ResetPassword, exp + Duration::days(400))),
            TokenRejection::Expired
        );
        // Custom lifetimes apply.
        let short = TokenService::new(
            TokenKeys::new("k1", SECRET_1).unwrap(),
            TokenLifetimes {
                verify_email: Duration::minutes(5),
                ..TokenLifetimes::default()
            },
        )
        .unwrap();
        let token = short
            .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
            .unwrap();
        assert_eq!(
            reason(short.verify(&token, Purpose::VerifyEmail, NOW + Duration::minutes(6))),
            TokenRejection::Expired
        );
    }

    #[test]
    fn wrong_purpose_is_refused_both_ways() {
        let s = service();
        let u = user();
        let verify = s
            .issue(Purpose::VerifyEmail, &u, "ann@example.com", NOW)
            .unwrap();
        let reset = s
            .issue(Purpose::ResetPassword, &u, "ann@example.com", NOW)
            .unwrap();
        assert_eq!(
            reason(s.verify(&verify, Purpose::ResetPassword, NOW)),
            TokenRejection::WrongPurpose
        );
        assert_eq!(
            reason(s.verify(&reset, Purpose::VerifyEmail, NOW)),
            TokenRejection::WrongPurpose
        );
        assert_eq!(
            reason(s.verify(&verify, Purpose::ChangeEmail, NOW)),
            TokenRejection::WrongPurpose
        );
    }

    #[test]
    fn tampered_payload_is_refused() {
        let s = service();
        let token = s
            .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
            .unwrap();
        let p = parts(&token);
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(&p[1]).unwrap()).unwrap();
        for forged in [
            payload.replace("ann@example.com", "eve@example.com"),
            payload.replace("verify_email", "reset_password"),
        ] {
            assert_ne!(forged, payload);
            let forged = format!("{}.{}.{}", p[0], b64(&forged), p[2]);
            let err = s.verify(&forged, Purpose::VerifyEmail, NOW).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Token {
                        reason: TokenRejection::BadSignature,
                        source: Some(_)
                    }
                ),
                "{err:?}"
            );
        }
    }

    #[test]
    fn tampered_signature_is_refused() {
        let s = service();
        let token = s
            .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
            .unwrap();
        let p = parts(&token);
        let mut sig = p[2].clone().into_bytes();
        sig[0] = if sig[0] == b'A' { b'B' } else { b'A' };
        let forged = format!("{}.{}.{}", p[0], p[1], String::from_utf8(sig).unwrap());
        assert_eq!(
            reason(s.verify(&forged, Purpose::VerifyEmail, NOW)),
            TokenRejection::BadSignature
        );
        // Signed with another secret under the same kid.
        let impostor = TokenService::new(
            TokenKeys::new("k1", SECRET_2).unwrap(),
            TokenLifetimes::default(),
        )
        .unwrap()
        .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
        .unwrap();
        assert_eq!(
            reason(s.verify(&impostor, Purpose::VerifyEmail, NOW)),
            TokenRejection::BadSignature
        );
        // No signature at all.
        let unsigned = format!("{}.{}.", p[0], p[1]);
        assert_eq!(
            reason(s.verify(&unsigned, Purpose::VerifyEmail, NOW)),
            TokenRejection::BadSignature
        );
    }

    #[test]
    fn alg_none_and_other_algorithms_are_refused_before_anything_else() {
        let s = service();
        let token = s
            .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
            .unwrap();
        let p = parts(&token);
        for alg in [
            "none", "None", "NONE", "RS256", "HS512", "hs256", "ES256", "",
        ] {
            // A header naming a known kid, with the genuine payload and signature.
            let header = b64(&format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"k1"}}"#));
            for sig in ["", p[2].as_str()] {
                let forged = format!("{header}.{}.{sig}", p[1]);
                assert_eq!(
                    reason(s.verify(&forged, Purpose::VerifyEmail, NOW)),
                    TokenRejection::DisallowedAlgorithm,
                    "alg {alg:?}"
                );
            }
        }
        // RS256 header with an HMAC made with our secret (key confusion): still refused.
        let header = b64(r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#);
        let message = format!("{header}.{}", p[1]);
        let sig = jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &EncodingKey::from_secret(SECRET_1),
            Algorithm::HS256,
        )
        .unwrap();
        assert_eq!(
            reason(s.verify(&format!("{message}.{sig}"), Purpose::VerifyEmail, NOW)),
            TokenRejection::DisallowedAlgorithm
        );
    }

    #[test]
    fn unknown_or_missing_kid_is_refused() {
        let s = service();
        let other = TokenService::new(
            TokenKeys::new("k9", SECRET_1).unwrap(),
            TokenLifetimes::default(),
        )
        .unwrap()
        .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
        .unwrap();
        assert_eq!(
            reason(s.verify(&other, Purpose::VerifyEmail, NOW)),
            TokenRejection::UnknownKey
        );
        let token = s
            .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
            .unwrap();
        let p = parts(&token);
        let no_kid = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"HS256","typ":"JWT"}"#),
            p[1],
            p[2]
        );
        assert_eq!(
            reason(s.verify(&no_kid, Purpose::VerifyEmail, NOW)),
            TokenRejection::UnknownKey
        );
    }

    #[test]
    fn rotation_keeps_old_tokens_valid_until_the_old_key_is_removed() {
        let old = service();
        let token = old
            .issue(Purpose::ResetPassword, &user(), "ann@example.com", NOW)
            .unwrap();

        let rotated = TokenService::new(
            TokenKeys::new("k2", SECRET_2)
                .unwrap()
                .with_verification_key("k1", SECRET_1)
                .unwrap(),
            TokenLifetimes::default(),
        )
        .unwrap();
        assert!(rotated.verify(&token, Purpose::ResetPassword, NOW).is_ok());
        let fresh = rotated
            .issue(Purpose::ResetPassword, &user(), "ann@example.com", NOW)
            .unwrap();
        assert_eq!(
            jsonwebtoken::decode_header(&fresh).unwrap().kid.as_deref(),
            Some("k2")
        );
        assert!(rotated.verify(&fresh, Purpose::ResetPassword, NOW).is_ok());
        assert_eq!(
            reason(old.verify(&fresh, Purpose::ResetPassword, NOW)),
            TokenRejection::UnknownKey
        );

        let retired = TokenService::new(
            TokenKeys::new("k2", SECRET_2).unwrap(),
            TokenLifetimes::default(),
        )
        .unwrap();
        assert_eq!(
            reason(retired.verify(&token, Purpose::ResetPassword, NOW)),
            TokenRejection::UnknownKey
        );
        assert!(retired.verify(&fresh, Purpose::ResetPassword, NOW).is_ok());
    }

    #[test]
    fn garbage_and_oversized_input_is_malformed() {
        let s = service();
        let valid = s
            .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
            .unwrap();
        let p = parts(&valid);
        let not_json = b64("not json");
        let garbage = [
            String::new(),
            "abc".into(),
            "a.b".into(),
            "a.b.c.d".into(),
            format!("{valid}.{}", p[2]),
            "!!!.???.***".into(),
            format!("{not_json}.{}.{}", p[1], p[2]),
            format!("{}.{}.{}", b64(r#"{"typ":"JWT","kid":"k1"}"#), p[1], p[2]),
            format!(
                "{}.{}.{}",
                b64(r#"{"alg":"HS256","alg":"none","kid":"k1"}"#),
                p[1],
                p[2]
            ),
        ];
        for input in garbage {
            assert_eq!(
                reason(s.verify(&input, Purpose::VerifyEmail, NOW)),
                TokenRejection::Malformed,
                "{input:?}"
            );
        }
        // A correctly signed token whose payload lacks our claims.
        let header = Header {
            kid: Some("k1".into()),
            ..Header::new(Algorithm::HS256)
        };
        let bare = jsonwebtoken::encode(
            &header,
            &serde_json::json!({"sub": "x", "exp": 4_000_000_000u64}),
            &EncodingKey::from_secret(SECRET_1),
        )
        .unwrap();
        assert_eq!(
            reason(s.verify(&bare, Purpose::VerifyEmail, NOW)),
            TokenRejection::Malformed
        );

        let oversized = format!("{}{}", valid, "A".repeat(MAX_TOKEN_BYTES));
        let err = s.verify(&oversized, Purpose::VerifyEmail, NOW).unwrap_err();
        assert!(matches!(
            err,
            Error::Token {
                reason: TokenRejection::Malformed,
                source: None
            }
        ));
    }

    #[test]
    fn an_address_too_long_for_a_link_is_a_validation_error() {
        let s = service();
        let long = format!("{}@example.com", "a".repeat(4000));
        let err = s
            .issue(Purpose::VerifyEmail, &user(), &long, NOW)
            .unwrap_err();
        assert!(matches!(err, Error::Validation(_)), "{err:?}");
    }

    #[test]
    fn keys_and_lifetimes_are_validated() {
        assert!(matches!(
            TokenKeys::new("k1", [7u8; 31]),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            TokenKeys::new("", SECRET_1),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            TokenKeys::new("bad kid", SECRET_1),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            TokenKeys::new("k1", SECRET_1)
                .unwrap()
                .with_verification_key("k1", SECRET_2),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            TokenKeys::new("k1", SECRET_1)
                .unwrap()
                .with_verification_key("k0", b"short"),
            Err(Error::Config(_))
        ));
        let keys = TokenKeys::new("k2", SECRET_2)
            .unwrap()
            .with_verification_key("k1", SECRET_1)
            .unwrap();
        assert_eq!(keys.signing_kid(), "k2");
        assert_eq!(keys.kids().collect::<Vec<_>>(), ["k1", "k2"]);

        for lifetimes in [
            TokenLifetimes {
                reset_password: Duration::ZERO,
                ..TokenLifetimes::default()
            },
            TokenLifetimes {
                verify_email: Duration::days(-1),
                ..TokenLifetimes::default()
            },
            TokenLifetimes {
                change_email: Duration::days(31),
                ..TokenLifetimes::default()
            },
        ] {
            assert!(matches!(
                TokenService::new(keys.clone(), lifetimes),
                Err(Error::Config(_))
            ));
        }
        let d = TokenLifetimes::default();
        assert_eq!(d.verify_email, Duration::hours(24));
        assert_eq!(d.reset_password, Duration::minutes(30));
        assert_eq!(d.change_email, Duration::hours(24));
    }

    #[test]
    fn debug_output_hides_secrets_and_stamps() {
        let keys = TokenKeys::new("k1", SECRET_1).unwrap();
        let s = TokenService::new(keys.clone(), TokenLifetimes::default()).unwrap();
        let secret = std::str::from_utf8(SECRET_1).unwrap();
        for debug in [format!("{keys:?}"), format!("{s:?}")] {
            assert!(!debug.contains(secret), "{debug}");
            assert!(!debug.contains("48, 49, 50"), "{debug}");
            assert!(debug.contains("k1"));
        }
        let token = s
            .issue(Purpose::VerifyEmail, &user(), "ann@example.com", NOW)
            .unwrap();
        let claims = s.verify(&token, Purpose::VerifyEmail, NOW).unwrap();
        let debug = format!("{claims:?}");
        assert!(!debug.contains("stamp-0123456789"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }

    #[test]
    fn purposes_have_stable_names() {
        for (p, s) in [
            (Purpose::VerifyEmail, "verify_email"),
            (Purpose::ResetPassword, "reset_password"),
            (Purpose::ChangeEmail, "change_email"),
        ] {
            assert_eq!(p.as_str(), s);
            assert_eq!(Purpose::parse(s), Some(p));
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(Purpose::parse("login"), None);
    }
}
