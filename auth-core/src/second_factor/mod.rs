//! Second factors: TOTP (RFC 6238) authenticator apps and one-time recovery codes.
//!
//! What an account holds is a [`SecondFactor`]: its TOTP secret, sealed with
//! XChaCha20-Poly1305 under a key derived from the token keys (like queued mail), and the
//! SHA-256 digests of its unused recovery codes. The codes themselves exist only in the
//! answer to the enrolment (or regeneration) that made them.
//!
//! A code is checked into a `SecondFactorVerified` proof, which only this module can
//! make; the state machine requires it to finish a sign-in of an enrolled account.

mod pending;
mod recovery;
mod totp;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use pending::PendingSignIn;
pub(crate) use pending::{FirstStepProof, PendingRecord};
pub use recovery::{RECOVERY_CODES, RecoveryCodes};
pub(crate) use recovery::{digest_recovery_code, parse_recovery_code};
pub use totp::{TOTP_DIGITS, TOTP_STEP_SECONDS, TotpEnrolment};
pub(crate) use totp::{TotpSecret, parse_totp_code};

use crate::mail::Sealer;
use crate::model::UserId;

/// The HKDF context of the keys that seal TOTP secrets.
const SEAL_INFO: &[u8] = b"auth-core: TOTP secrets, XChaCha20-Poly1305, v1";

/// The second factor enrolled on an account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactor {
    /// The TOTP secret, sealed (`sealed:v1:<key id>:<base64url>`), bound to the user id.
    pub totp_sealed: String,
    /// When the authenticator was enrolled.
    pub enrolled_at: OffsetDateTime,
    /// SHA-256 digests (hex) of the recovery codes not used yet.
    pub recovery_digests: Vec<String>,
}

impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondFactor")
            .field("enrolled_at", &self.enrolled_at)
            .field("recovery_codes_left", &self.recovery_digests.len())
            .finish_non_exhaustive()
    }
}

impl SecondFactor {
    /// How many recovery codes are left.
    pub fn recovery_codes_left(&self) -> usize {
        self.recovery_digests.len()
    }

    /// The recovery codes in `submitted` (separated by white space) when every one is
    /// still unused on this factor, written as they were shown: what a page that showed
    /// new codes posts back to offer them as a file
    /// ([`RecoveryCodes::as_text_file`]). `None` when any code is not one of them (or
    /// was used), or there is none. Compared in constant time.
    pub fn recovery_codes_held(&self, submitted: &str) -> Option<RecoveryCodes> {
        RecoveryCodes::held(submitted, &self.recovery_digests)
    }
}

/// Which method proved a step of a sign-in, or a later re-authentication: what a
/// session's `amr` ([`SessionRecord::amr`](crate::SessionRecord::amr)) lists. The
/// first three names are those of RFC 8176; the others name what this toolkit's other
/// sign-in methods record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthMethod {
    /// A password (`pwd`).
    Pwd,
    /// A one-time password from an authenticator app (`otp`).
    Otp,
    /// A recovery code, used instead of the authenticator.
    Recovery,
    /// A one-time code mailed to the account's address (`email_code`).
    EmailCode,
    /// A sign-in link mailed to the account's address (`magic_link`).
    MagicLink,
    /// A passkey (WebAuthn credential) (`passkey`).
    Passkey,
    /// An identity asserted by an external provider, e.g. OpenID Connect
    /// (`external_provider`).
    ExternalProvider,
    /// The external provider's own sign-in with more than one factor, trusted by
    /// configuration in place of the local second step (`external_mfa`; see
    /// [`identity::MULTI_FACTOR_AMR`](crate::identity::MULTI_FACTOR_AMR)).
    ExternalMfa,
}

impl AuthMethod {
    /// Every method, in declaration order.
    pub const ALL: [Self; 8] = [
        Self::Pwd,
        Self::Otp,
        Self::Recovery,
        Self::EmailCode,
        Self::MagicLink,
        Self::Passkey,
        Self::ExternalProvider,
        Self::ExternalMfa,
    ];

    /// The `amr` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pwd => "pwd",
            Self::Otp => "otp",
            Self::Recovery => "recovery",
            Self::EmailCode => "email_code",
            Self::MagicLink => "magic_link",
            Self::Passkey => "passkey",
            Self::ExternalProvider => "external_provider",
            Self::ExternalMfa => "external_mfa",
        }
    }

    /// Whether the method proves possession of something beyond what a password
    /// proves: what an account with a second factor must show for a sensitive action.
    /// An authenticator code, a recovery code and a passkey do; a password, a mailed
    /// code or link and an external identity do not, nor does a provider's trusted
    /// multi-factor sign-in (it stands in for the second step of a sign-in, but a
    /// sensitive action still asks for a factor this site checked itself).
    pub fn is_second_factor(self) -> bool {
        matches!(self, Self::Otp | Self::Recovery | Self::Passkey)
    }
}

impl std::fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AuthMethod {
    type Err = UnknownAuthMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or(UnknownAuthMethod)
    }
}

/// A name that is no [`AuthMethod`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an authentication method name")]
pub struct UnknownAuthMethod;

/// Proof that a second factor was checked for a user: a TOTP code (its time step now
/// recorded as used) or a recovery code (its digest, to be removed). Only this crate can
/// make one, and only by checking a code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a verified code is the proof a flow needs; dropping it drops the proof"]
pub(crate) struct SecondFactorVerified {
    user: UserId,
    method: AuthMethod,
    /// For a recovery code: the digest to remove from the account.
    used_recovery: Option<String>,
}

impl SecondFactorVerified {
    pub(crate) fn totp(user: UserId) -> Self {
        Self {
            user,
            method: AuthMethod::Otp,
            used_recovery: None,
        }
    }

    /// A verified passkey assertion, as the second step.
    pub(crate) fn passkey(proof: &crate::passkey::PasskeyVerified) -> Self {
        Self {
            user: proof.user(),
            method: AuthMethod::Passkey,
            used_recovery: None,
        }
    }

    pub(crate) fn recovery(user: UserId, digest: String) -> Self {
        Self {
            user,
            method: AuthMethod::Recovery,
            used_recovery: Some(digest),
        }
    }

    /// The account the code was checked for.
    pub(crate) fn user(&self) -> UserId {
        self.user
    }

    pub(crate) fn method(&self) -> AuthMethod {
        self.method
    }

    pub(crate) fn used_recovery(&self) -> Option<&str> {
        self.used_recovery.as_deref()
    }
}

/// Seals and opens TOTP secrets, each bound to its account.
#[derive(Debug, Clone)]
pub(crate) struct SecretSealer(Sealer);

impl SecretSealer {
    pub(crate) fn new(keys: &crate::token::TokenKeys) -> Self {
        Self(Sealer::with_info(keys, SEAL_INFO))
    }

    fn aad(user: UserId) -> Vec<u8> {
        let mut aad = b"auth-core totp v1\0".to_vec();
        aad.extend_from_slice(user.0.as_bytes());
        aad
    }

    /// The stored form of `secret` for `user`.
    pub(crate) fn seal(&self, user: UserId, secret: &TotpSecret) -> crate::Result<String> {
        self.0
            .seal_bytes(&Self::aad(user), secret.as_bytes())
            .map_err(crate::Error::backend)
    }

    /// The secret sealed for `user`.
    pub(crate) fn open(&self, user: UserId, sealed: &str) -> crate::Result<TotpSecret> {
        let bytes = self
            .0
            .open_bytes(&Self::aad(user), sealed)
            .map_err(crate::Error::backend)?;
        TotpSecret::from_bytes(bytes)
    }
}
