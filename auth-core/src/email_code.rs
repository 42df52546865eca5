//! One-time codes mailed to an address: with the verification and reset links (for
//! people who read mail on another device, and for API clients), and, when switched on,
//! for signing in by mail (a code and a magic link in one message).
//!
//! A code is 6 to 8 random digits. The server keeps a [`CodeRecord`] in the
//! [`EphemeralStore`](crate::EphemeralStore) under `email-code:<purpose>:<user id>`: one
//! live code per account and purpose (a new mail replaces the last), never the code
//! itself but its HMAC-SHA256 under a key derived from the token signing key (a copy of
//! the store cannot be searched for the million possible codes without that key), bound
//! to the account, the purpose and the address it was mailed to. Each attempt *takes* the
//! record (so two attempts never share it) and puts it back with one more failure when
//! the code was wrong, until the failures run out; a right code is gone with the take.
//!
//! A right code becomes an [`EmailCodeVerified`], which only this module makes and which
//! the state machine checks against the account as it is (purpose, account, address,
//! security stamp) before it verifies an address, resets a password or signs in.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use crate::error::{Error, Message, Result};
use crate::model::{SecurityStamp, User, UserId};
use crate::random::constant_time_eq;
use crate::token::TokenKeys;

/// The HKDF context of the keys that digest mailed codes.
const DIGEST_INFO: &[u8] = b"auth-core: mailed one-time codes, HMAC-SHA256, v1";
/// The longest code input looked at; longer input is refused as it is.
pub(crate) const MAX_CODE_INPUT: usize = 64;
/// The longest magic-link token accepted (a real one is 43 characters).
const MAX_LINK_TOKEN: usize = 128;

/// Mailed one-time codes: their length, lifetime and attempts, and whether people may
/// sign in by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailCodes {
    /// Digits per code, 6 to 8 (default 6).
    pub digits: u8,
    /// How long a code (and a sign-in link) works (default 15 minutes, at most one hour).
    pub lifetime: Duration,
    /// Wrong tries a code survives; the next one ends it (default 5, between 1 and 10).
    pub max_attempts: u32,
    /// Whether people may sign in with a mailed code or link instead of the password
    /// (default `false`). A second factor enrolled on the account is still asked for.
    pub sign_in: bool,
}

impl Default for EmailCodes {
    fn default() -> Self {
        Self {
            digits: 6,
            lifetime: Duration::minutes(15),
            max_attempts: 5,
            sign_in: false,
        }
    }
}

impl EmailCodes {
    /// Refuses values outside the documented ranges.
    ///
    /// # Errors
    /// [`Error::Config`] naming the value.
    pub fn validate(&self) -> Result<()> {
        if !(6..=8).contains(&self.digits) {
            return Err(Error::Config(format!(
                "email_codes.digits must be 6 to 8, got {}",
                self.digits
            )));
        }
        if self.lifetime < Duration::minutes(1) || self.lifetime > Duration::hours(1) {
            return Err(Error::Config(
                "email_codes.lifetime must be between 1 minute and 1 hour".into(),
            ));
        }
        if !(1..=10).contains(&self.max_attempts) {
            return Err(Error::Config(format!(
                "email_codes.max_attempts must be 1 to 10, got {}",
                self.max_attempts
            )));
        }
        Ok(())
    }
}

/// What a mailed code proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CodePurpose {
    /// The address of the account.
    VerifyEmail,
    /// The right to choose a new password.
    ResetPassword,
    /// A first sign-in proof, in place of the password.
    SignIn,
}

impl CodePurpose {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::SignIn => "sign_in",
        }
    }

    /// The ephemeral key of `user`'s live code for this purpose.
    pub(crate) fn key(self, user: UserId) -> String {
        format!("email-code:{}:{user}", self.as_str())
    }
}

/// How a sign-in by mail was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailProof {
    /// The code was typed.
    Code,
    /// The link was followed.
    Link,
}

impl MailProof {
    /// The audit trail's words.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Code => "email code",
            Self::Link => "magic link",
        }
    }

    /// The method a session opened by this proof records in its `amr`.
    pub(crate) fn method(self) -> crate::AuthMethod {
        match self {
            Self::Code => crate::AuthMethod::EmailCode,
            Self::Link => crate::AuthMethod::MagicLink,
        }
    }
}

/// A freshly drawn code in clear, for the mail only. `Debug` hides it.
pub(crate) struct Code(Zeroizing<String>);

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Code(..)")
    }
}

impl Code {
    /// `digits` uniformly random decimal digits from the OS generator.
    pub(crate) fn generate(digits: u8) -> Self {
        let modulus = 10u32.pow(u32::from(digits));
        // Rejection sampling: only values below the largest multiple of the modulus, so
        // every code is equally likely.
        let limit = u32::MAX - (u32::MAX % modulus);
        let value = loop {
            let v = u32::from_le_bytes(crate::random::bytes::<4>());
            if v < limit {
                break v % modulus;
            }
        };
        Self(Zeroizing::new(format!(
            "{value:0width$}",
            width = usize::from(digits)
        )))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A typed code in canonical form: exactly the configured number of digits (spaces and
/// dashes people type between groups are dropped).
///
/// # Errors
/// [`Error::Validation`] on `code`: empty, over 64 characters, not digits, or not the
/// configured length.
pub(crate) fn parse_code(input: &str, digits: u8) -> Result<Zeroizing<String>> {
    if input.len() > MAX_CODE_INPUT {
        return Err(Error::invalid(
            "code",
            Message::new("field-code-input_too_long").arg("n", MAX_CODE_INPUT),
        ));
    }
    let compact: Zeroizing<String> = Zeroizing::new(
        input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect(),
    );
    if compact.is_empty() {
        return Err(Error::invalid("code", Message::new("field-code-invalid")));
    }
    if !compact.chars().all(|c| c.is_ascii_digit()) || compact.len() != usize::from(digits) {
        return Err(Error::invalid(
            "code",
            Message::new("field-code-email_code_form").arg("n", digits),
        ));
    }
    Ok(compact)
}

/// The ephemeral key of a sign-in link's token: its digest, never the token. `None` for
/// input that cannot be a token.
pub(crate) fn link_key(token: &str) -> Option<String> {
    let plausible = !token.is_empty()
        && token.len() <= MAX_LINK_TOKEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    plausible.then(|| link_key_of(&link_digest(token)))
}

/// The ephemeral key of a sign-in link, from the digest its code record keeps.
pub(crate) fn link_key_of(digest: &str) -> String {
    format!("email-link:{digest}")
}

fn link_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh sign-in link token (256 random bits) and the digest its record keeps.
pub(crate) fn new_link_token() -> (Zeroizing<String>, String) {
    let token = Zeroizing::new(URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>()));
    let digest = link_digest(&token);
    (token, digest)
}

/// Digests codes under keys derived from the token keys, one per key id.
#[derive(Clone)]
pub(crate) struct CodeDigester {
    signing_kid: String,
    keys: std::collections::BTreeMap<String, Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for CodeDigester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeDigester")
            .field("signing_kid", &self.signing_kid)
            .finish_non_exhaustive()
    }
}

impl CodeDigester {
    pub(crate) fn new(keys: &TokenKeys) -> Self {
        Self {
            signing_kid: keys.signing_kid().to_owned(),
            keys: keys.derive_keys(DIGEST_INFO),
        }
    }

    /// The digest of `code` for `user` and `purpose` under key `kid`; `None` when that
    /// key is no longer configured.
    fn digest(&self, kid: &str, user: UserId, purpose: CodePurpose, code: &str) -> Option<String> {
        let key = self.keys.get(kid)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_slice()).ok()?;
        mac.update(b"auth-core email code v1\0");
        mac.update(purpose.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(user.0.as_bytes());
        mac.update(b"\0");
        mac.update(code.as_bytes());
        Some(hex::encode(mac.finalize().into_bytes()))
    }
}

/// What the server keeps of a mailed code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CodeRecord {
    pub(crate) user: UserId,
    pub(crate) purpose: CodePurpose,
    /// The address the code was mailed to.
    email: String,
    /// The account's security stamp when the code was mailed.
    stamp: SecurityStamp,
    /// The key id of the digest's key.
    kid: String,
    digest: String,
    /// For a sign-in: the digest of the link token mailed with the code.
    pub(crate) link: Option<String>,
    /// Wrong codes so far.
    pub(crate) failures: u32,
    pub(crate) expires_at: OffsetDateTime,
}

impl CodeRecord {
    /// The record of `code`, mailed to `user` for `purpose`.
    pub(crate) fn new(
        digester: &CodeDigester,
        user: &User,
        purpose: CodePurpose,
        code: &Code,
        link: Option<String>,
        expires_at: OffsetDateTime,
    ) -> Result<Self> {
        let kid = digester.signing_kid.clone();
        let digest = digester
            .digest(&kid, user.id, purpose, code.as_str())
            .ok_or_else(|| Error::backend("the code digest key is missing"))?;
        Ok(Self {
            user: user.id,
            purpose,
            email: user.email.clone(),
            stamp: user.security_stamp.clone(),
            kid,
            digest,
            link,
            failures: 0,
            expires_at,
        })
    }

    /// Checks a canonical typed `code` against the record, in constant time: the proof,
    /// or `None` for a wrong code.
    pub(crate) fn check(&self, digester: &CodeDigester, code: &str) -> Option<EmailCodeVerified> {
        let typed = digester.digest(&self.kid, self.user, self.purpose, code)?;
        constant_time_eq(typed.as_bytes(), self.digest.as_bytes())
            .then(|| self.proof(MailProof::Code))
    }

    /// Checks the digest of a followed sign-in link against the record's, in constant
    /// time.
    pub(crate) fn check_link(&self, token: &str) -> Option<EmailCodeVerified> {
        let link = self.link.as_deref()?;
        constant_time_eq(link_digest(token).as_bytes(), link.as_bytes())
            .then(|| self.proof(MailProof::Link))
    }

    fn proof(&self, how: MailProof) -> EmailCodeVerified {
        EmailCodeVerified {
            user: self.user,
            purpose: self.purpose,
            email: self.email.clone(),
            stamp: self.stamp.clone(),
            how,
        }
    }

    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(Error::backend)
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(Error::backend)
    }
}

/// Proof that a mailed code (or sign-in link) was right: for which account, purpose and
/// address, under which security stamp. Only a [`CodeRecord`] makes one, and only by
/// checking what was typed or followed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a verified code is the proof a flow needs; dropping it drops the proof"]
pub(crate) struct EmailCodeVerified {
    user: UserId,
    purpose: CodePurpose,
    email: String,
    stamp: SecurityStamp,
    how: MailProof,
}

impl EmailCodeVerified {
    /// Refuses the proof unless it is for `purpose`, for `user` as it is now: the same
    /// account and address, and no credential change since the code was mailed.
    ///
    /// # Errors
    /// [`Error::Validation`] on `code`, with the one wording of every refused code.
    pub(crate) fn check(&self, user: &User, purpose: CodePurpose) -> Result<()> {
        let current = self.purpose == purpose
            && self.user == user.id
            && self.email == user.email
            && user.security_stamp.matches(self.stamp.as_str());
        if current { Ok(()) } else { Err(wrong_code()) }
    }

    /// Whether the code was typed or the link followed.
    pub(crate) fn how(&self) -> MailProof {
        self.how
    }

    /// A proof as the state machine's property tests need one.
    #[cfg(test)]
    pub(crate) fn for_tests(user: &User, purpose: CodePurpose, how: MailProof) -> Self {
        Self {
            user: user.id,
            purpose,
            email: user.email.clone(),
            stamp: user.security_stamp.clone(),
            how,
        }
    }
}

/// The one answer to a code that is wrong, expired, used, superseded, for another
/// account or purpose, or for an address without an account.
pub(crate) fn wrong_code() -> Error {
    Error::invalid("code", Message::new("field-code-wrong"))
}

/// The one answer to a sign-in link that cannot be used.
pub(crate) fn bad_link() -> Error {
    Error::invalid("token", Message::new("field-token-sign_in_link"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digester() -> CodeDigester {
        CodeDigester::new(&TokenKeys::new("k1", vec![7u8; 32]).unwrap())
    }

    fn user() -> User {
        crate::conformance::sample_user(OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn codes_have_the_configured_digits_and_vary() {
        for digits in 6..=8u8 {
            let codes: std::collections::HashSet<String> = (0..50)
                .map(|_| Code::generate(digits).as_str().to_owned())
                .collect();
            assert!(codes.len() > 40, "{digits} digits: too many repeats");
            assert!(
                codes.iter().all(
                    |c| c.len() == usize::from(digits) && c.bytes().all(|b| b.is_ascii_digit())
                )
            );
        }
    }

    #[test]
    fn typed_codes_are_checked_for_form_before_anything_else() {
        assert_eq!(parse_code("123 456", 6).unwrap().as_str(), "123456");
        assert_eq!(parse_code("123-456", 6).unwrap().as_str(), "123456");
        for bad in [
            "",
            "  ",
            "12345",
            "1234567",
            "12345a",
            "١٢٣٤٥٦",
            &"1".repeat(65),
        ] {
            match parse_code(bad, 6) {
                Err(Error::Validation(v)) => assert_eq!(v.errors()[0].field, "code", "{bad}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_digest_binds_the_code_to_its_account_and_purpose() {
        let d = digester();
        let u = user();
        let code = Code::generate(6);
        let record = CodeRecord::new(
            &d,
            &u,
            CodePurpose::ResetPassword,
            &code,
            None,
            OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap();
        assert_eq!(format!("{code:?}"), "Code(..)");
        assert!(record.check(&d, code.as_str()).is_some());
        let proof = record.check(&d, code.as_str()).unwrap();
        assert!(proof.check(&u, CodePurpose::ResetPassword).is_ok());
        assert!(proof.check(&u, CodePurpose::VerifyEmail).is_err());
        let mut other = u.clone();
        other.id = UserId::new();
        assert!(proof.check(&other, CodePurpose::ResetPassword).is_err());
        // The same code under another purpose or account digests differently.
        let elsewhere = CodeRecord {
            purpose: CodePurpose::SignIn,
            ..record.clone()
        };
        assert!(elsewhere.check(&d, code.as_str()).is_none());
        let moved = CodeRecord {
            user: other.id,
            ..record.clone()
        };
        assert!(moved.check(&d, code.as_str()).is_none());
        // A key that is gone checks nothing.
        let gone = CodeRecord {
            kid: "old".into(),
            ..record
        };
        assert!(gone.check(&d, code.as_str()).is_none());
    }

    #[test]
    fn link_tokens_are_kept_as_digests() {
        let (token, digest) = new_link_token();
        assert_eq!(token.len(), 43);
        assert_eq!(link_key(&token).unwrap(), format!("email-link:{digest}"));
        assert!(link_key("").is_none());
        assert!(link_key("a.b").is_none());
        assert!(link_key(&"a".repeat(129)).is_none());
    }

    #[test]
    fn policy_values_are_checked() {
        assert!(EmailCodes::default().validate().is_ok());
        for bad in [
            EmailCodes {
                digits: 5,
                ..EmailCodes::default()
            },
            EmailCodes {
                digits: 9,
                ..EmailCodes::default()
            },
            EmailCodes {
                lifetime: Duration::hours(2),
                ..EmailCodes::default()
            },
            EmailCodes {
                max_attempts: 0,
                ..EmailCodes::default()
            },
        ] {
            assert!(matches!(bad.validate(), Err(Error::Config(_))), "{bad:?}");
        }
    }
}
