//! [`SignInProviders`]: what the web layer needs of sign-in with other providers
//! ("Sign in with Google", a company's OpenID provider), so that it depends on no OAuth
//! or HTTP client crate. `auth-oidc` implements it (feature `web`) over the
//! `openidconnect` crate; give it to [`AuthWebBuilder::sign_in_providers`](crate::AuthWebBuilder::sign_in_providers).

use async_trait::async_trait;
use auth_core::{BoxError, ProviderIdentity};
use time::OffsetDateTime;

/// The sign-in providers of a site: their buttons, and the two halves of a sign-in.
/// Implementations keep each flow's secrets (PKCE verifier, nonce, return path)
/// server-side, single use and short-lived, and bind the flow to the browser that
/// started it by [`StartedSignIn::binding`] (the layer keeps it in an HttpOnly cookie).
#[async_trait]
pub trait SignInProviders: Send + Sync + 'static {
    /// The configured providers, in the order their buttons are shown.
    fn buttons(&self) -> Vec<ProviderButton>;

    /// Starts a sign-in with `provider`: the provider's authorization URL and the browser
    /// binding. `return_to` is a local path to go back to afterwards.
    ///
    /// # Errors
    /// [`ProviderFailure::UnknownProvider`]; [`ProviderFailure::Unavailable`].
    async fn start(
        &self,
        provider: &str,
        return_to: &str,
        now: OffsetDateTime,
    ) -> Result<StartedSignIn, ProviderFailure>;

    /// Finishes a sign-in at `provider`'s callback with the provider's answer and the
    /// browser binding the request carried. A flow is used up by its first answer.
    ///
    /// # Errors
    /// [`ProviderFailure::Refused`] for a replayed or unknown `state`, another browser,
    /// a mixed-up provider or issuer, the provider's error, a bad ID token;
    /// [`ProviderFailure::UnknownProvider`]; [`ProviderFailure::Unavailable`] when the
    /// provider or the flow store cannot be reached.
    async fn finish(
        &self,
        provider: &str,
        answer: &ProviderAnswer,
        binding: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<FinishedSignIn, ProviderFailure>;
}

/// One provider's button.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ProviderButton {
    /// The name in URLs (`/oidc/{name}/start`) and in linked identities.
    pub name: String,
    /// What the button says after "Continue with".
    pub label: String,
}

/// A started sign-in. `Debug` hides the binding.
#[derive(Clone)]
pub struct StartedSignIn {
    /// Where to send the browser.
    pub url: String,
    /// The random value that binds the flow to this browser (kept in a cookie).
    pub binding: String,
    /// When the flow dies.
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for StartedSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartedSignIn")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The provider's answer at the callback, from its query (or an API body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderAnswer {
    /// `state`, as sent.
    pub state: Option<String>,
    /// The authorization code.
    pub code: Option<String>,
    /// The issuer of the answer (RFC 9207).
    pub iss: Option<String>,
    /// The provider's error code instead of a code.
    pub error: Option<String>,
}

/// A finished sign-in: the verified identity and where to go back to.
#[derive(Debug, Clone)]
pub struct FinishedSignIn {
    /// The provider's verified identity.
    pub identity: ProviderIdentity,
    /// Whether this provider may create accounts.
    pub sign_up: bool,
    /// The local path to go back to.
    pub return_to: String,
}

/// Why a sign-in with a provider failed. People see a coarse message; the source is
/// logged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderFailure {
    /// No provider has this name.
    #[error("unknown sign-in provider")]
    UnknownProvider,
    /// The answer was refused (replay, another browser, mix-up, the provider's error, a
    /// bad ID token).
    #[error("the provider's answer was refused")]
    Refused(#[source] BoxError),
    /// The provider or the flow store could not be reached.
    #[error("the provider could not be reached")]
    Unavailable(#[source] BoxError),
}
