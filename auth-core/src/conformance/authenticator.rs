//! A software passkey authenticator for tests: 1Password's `passkey` crate (a CTAP2
//! authenticator and a WebAuthn client), answering the options the engine's ceremonies
//! give with the JSON a browser would send back.
//!
//! ```
//! use auth_core::conformance::authenticator::SoftPasskey;
//!
//! let key = SoftPasskey::new("https://app.test");
//! assert_eq!(key.origin(), "https://app.test/");
//! ```
#![expect(
    clippy::expect_used,
    reason = "test kit: a malformed answer panics the test that asked for it"
)]

use passkey::authenticator::{Authenticator, UiHint, UserCheck, UserValidationMethod};
use passkey::client::{Client, DefaultClientData};
use passkey::crypto::rust_crypto::RustCryptoBackend;
use passkey::types::Passkey;
use passkey::types::ctap2::{Aaguid, Ctap2Error};
use passkey::types::webauthn::{CredentialCreationOptions, CredentialRequestOptions};
use url::Url;

/// A user who is always there and always verified (a PIN or a fingerprint, accepted).
#[derive(Debug, Clone, Copy)]
struct AlwaysVerified;

#[async_trait::async_trait]
impl UserValidationMethod for AlwaysVerified {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Self::PasskeyItem>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }
}

/// A software authenticator holding at most one passkey, answering as a browser at one
/// origin. Its signature counter counts (so a clone that falls behind shows).
pub struct SoftPasskey {
    passkey: Option<Passkey>,
    origin: Url,
}

impl std::fmt::Debug for SoftPasskey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftPasskey")
            .field("origin", &self.origin.as_str())
            .finish_non_exhaustive()
    }
}

/// The client of an authenticator holding `passkey`.
macro_rules! client {
    ($passkey:expr) => {{
        let mut authenticator = Authenticator::new(
            Aaguid::new_empty(),
            $passkey,
            AlwaysVerified,
            RustCryptoBackend,
        );
        authenticator.set_make_credentials_with_signature_counter(true);
        Client::new(authenticator).allows_insecure_localhost(true)
    }};
}

impl SoftPasskey {
    /// An empty authenticator in a browser at `origin`.
    ///
    /// # Panics
    /// When `origin` is not a URL.
    pub fn new(origin: &str) -> Self {
        Self {
            passkey: None,
            origin: Url::parse(origin).expect("the test origin is a URL"),
        }
    }

    /// The origin it answers from.
    pub fn origin(&self) -> &str {
        self.origin.as_str()
    }

    /// The same passkey (key and counter as they are now) in another authenticator, at
    /// `origin`: a clone.
    pub fn copy_at(&self, origin: &str) -> Self {
        Self {
            passkey: self.passkey.clone(),
            ..Self::new(origin)
        }
    }

    /// Answers registration options (`{"publicKey": {...}}`) as
    /// `navigator.credentials.create()` would: the credential as JSON.
    ///
    /// # Errors
    /// The client's or authenticator's refusal, as text.
    pub async fn register(&mut self, options: &serde_json::Value) -> Result<String, String> {
        let request: CredentialCreationOptions =
            serde_json::from_value(options.clone()).map_err(|e| e.to_string())?;
        let mut client = client!(self.passkey.take());
        let created = client
            .register(&self.origin, request, DefaultClientData)
            .await;
        self.passkey = client.authenticator().store().clone();
        let created = created.map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::to_string(&created).expect("a credential serialises"))
    }

    /// Answers sign-in options as `navigator.credentials.get()` would: the assertion as
    /// JSON.
    ///
    /// # Errors
    /// The client's or authenticator's refusal (no passkey for this site), as text.
    pub async fn sign_in(&mut self, options: &serde_json::Value) -> Result<String, String> {
        let mut options = options.clone();
        if let Some(object) = options.as_object_mut() {
            object.remove("mediation");
        }
        let request: CredentialRequestOptions =
            serde_json::from_value(options).map_err(|e| e.to_string())?;
        let mut client = client!(self.passkey.take());
        let asserted = client
            .authenticate(&self.origin, request, DefaultClientData)
            .await;
        self.passkey = client.authenticator().store().clone();
        let asserted = asserted.map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::to_string(&asserted).expect("an assertion serialises"))
    }
}
