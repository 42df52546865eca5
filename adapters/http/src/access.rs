//! [`AccessTokens`]: the settings of the access tokens the layer issues for other
//! services (`POST /api/token`) and the JWKS document it publishes.

use std::time::Duration;

use auth_access_token::KeySet;

/// The default lifetime of an access token: five minutes.
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// The longest lifetime accepted: one hour. Access tokens cannot be revoked (a service
/// checks them offline), so they are short-lived; a program asks for a new one.
pub const MAX_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// What `POST /api/token` issues, given to
/// [`AuthWebBuilder::access_tokens`](crate::AuthWebBuilder::access_tokens): the signing keys (current and previous), the
/// issuer, the services tokens may be asked for, and their lifetime. Without it the
/// token route and the JWKS documents answer 404.
///
/// ```
/// use auth_access_token::{KeyAlgorithm, KeySet, SigningKey};
/// use auth_http::AccessTokens;
///
/// let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa)?);
/// let tokens = AccessTokens::new(keys)
///     .audience("orders")
///     .audience("billing")
///     .lifetime(std::time::Duration::from_secs(120));
/// # let _ = tokens;
/// # Ok::<(), auth_access_token::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct AccessTokens {
    pub(crate) keys: KeySet,
    pub(crate) issuer: Option<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) lifetime: Duration,
}

impl AccessTokens {
    /// Tokens signed with `keys`' current key, whose JWKS lists it and the previous
    /// ones; no audience yet (add at least one with [`AccessTokens::audience`]), a
    /// lifetime of [`DEFAULT_ACCESS_TOKEN_LIFETIME`], the issuer the engine's base URL.
    pub fn new(keys: KeySet) -> Self {
        Self {
            keys,
            issuer: None,
            audiences: Vec::new(),
            lifetime: DEFAULT_ACCESS_TOKEN_LIFETIME,
        }
    }

    /// The `iss` claim (default: the engine's base URL, e.g. `https://app.example`).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// A service a token may be asked for (its `aud`). The first one added is what a
    /// request that names none gets.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        let audience = audience.into();
        if !self.audiences.contains(&audience) {
            self.audiences.push(audience);
        }
        self
    }

    /// How long a token lives, from one second to [`MAX_ACCESS_TOKEN_LIFETIME`]
    /// (checked by [`AuthWebBuilder::build`](crate::AuthWebBuilder::build)).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The keys.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Checks the settings, the issuer filled in from `base_url` when not given.
    pub(crate) fn checked(mut self, base_url: &str) -> Result<Self, String> {
        if self.audiences.is_empty() {
            return Err("access tokens need at least one audience".into());
        }
        if self
            .audiences
            .iter()
            .any(|a| a.is_empty() || a.len() > 200 || a.chars().any(char::is_whitespace))
        {
            return Err("an audience must be 1 to 200 characters without spaces".into());
        }
        if self.lifetime < Duration::from_secs(1) || self.lifetime > MAX_ACCESS_TOKEN_LIFETIME {
            return Err(format!(
                "the access token lifetime must be from 1 s to {} s",
                MAX_ACCESS_TOKEN_LIFETIME.as_secs()
            ));
        }
        let issuer = self
            .issuer
            .take()
            .unwrap_or_else(|| base_url.trim_end_matches('/').to_owned());
        if issuer.is_empty() {
            return Err("the access token issuer must not be empty".into());
        }
        self.issuer = Some(issuer);
        Ok(self)
    }

    /// The issuer, once [`AccessTokens::checked`].
    pub(crate) fn iss(&self) -> &str {
        self.issuer.as_deref().unwrap_or_default()
    }
}
