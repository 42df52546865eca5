//! The crate's one error enum.

/// What went wrong in a sign-in with a provider. What a visitor sees should stay coarse
/// ("the sign-in with this provider failed, try again"); the variants and their sources
/// are for logs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is unusable (a bad issuer URL, redirect URI or option).
    #[error("OpenID Connect configuration: {0}")]
    Config(String),
    /// No provider has this name.
    #[error("unknown sign-in provider")]
    UnknownProvider,
    /// The `state` is unknown, expired, or was used already (a replay).
    #[error("the sign-in expired or was already used")]
    StateUnknown,
    /// The answer came to a browser other than the one that started the sign-in (no or
    /// another binding cookie).
    #[error("the sign-in was started in another browser")]
    WrongBrowser,
    /// The answer came to the callback of another provider than the one the sign-in was
    /// started with (a mix-up attack).
    #[error("the answer came from another provider")]
    MixedUpProvider,
    /// The answer's `iss` is not the provider's issuer, or missing though the provider
    /// says it sends one (RFC 9207).
    #[error("the answer's issuer is not the provider's")]
    WrongIssuer,
    /// The provider answered with an error instead of a code (e.g. `access_denied`).
    #[error("the provider refused the sign-in: {error}")]
    Refused {
        /// The provider's error code (truncated).
        error: String,
    },
    /// Talking to the provider failed, or its answer did not check out (discovery, the
    /// code exchange, the ID token's signature, audience, expiry or nonce, an unknown
    /// key, an HTTP failure or timeout).
    #[error("provider {provider}: {step} failed")]
    Provider {
        /// The provider's name.
        provider: String,
        /// What was being done.
        step: &'static str,
        /// The cause.
        #[source]
        source: auth_core::BoxError,
    },
    /// The ephemeral store failed.
    #[error("the flow store failed")]
    Store(#[source] auth_core::Error),
}

impl Error {
    pub(crate) fn provider(
        provider: &str,
        step: &'static str,
        source: impl Into<auth_core::BoxError>,
    ) -> Self {
        Self::Provider {
            provider: provider.to_owned(),
            step,
            source: source.into(),
        }
    }
}

/// The crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
