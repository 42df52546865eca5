//! # auth-oidc
//!
//! "Sign in with ..." for [`auth_core`]: OpenID Connect clients built on the
//! [`openidconnect`] crate (never a hand-written OAuth client), for any provider found by
//! its issuer URL (discovery, JWKS, ID-token signature, `iss`, `aud`, `exp` and `nonce`
//! checked by the crate).
//!
//! Each sign-in is an Authorization Code flow with PKCE (S256), `state` and `nonce`:
//!
//! 1. [`Oidc::start`] makes the provider's authorization URL and keeps the flow's secrets
//!    (PKCE verifier, nonce, the provider, where to go back to) in the engine's
//!    [`auth_core::EphemeralStore`] under the digest of `state`, for ten
//!    minutes. It also returns a random **browser binding** for a cookie: the flow only
//!    finishes in the browser that started it.
//! 2. [`Oidc::finish`] takes the flow **once** (a replayed or unknown `state` is refused),
//!    checks the browser binding, the provider the callback came to (mixed-up providers),
//!    the `iss` parameter of the answer (RFC 9207, required when the provider says it
//!    sends one), exchanges the code with the PKCE verifier and verifies the ID token
//!    with the nonce. The result is a [`ProviderIdentity`] for
//!    [`Auth::sign_in_with_identity`](auth_core::Auth::sign_in_with_identity) and the
//!    checked local return path.
//!
//! HTTPS goes through `reqwest` with `rustls` and the `ring` provider (no aws-lc-rs, no
//! OpenSSL), trusting the Mozilla roots; redirects are never followed (SSRF).

use std::sync::Arc;
use std::time::Duration as StdDuration;

use auth_core::identity::amr_shows_multi_factor;
use auth_core::{EphemeralStore, ProviderIdentity, ProviderTokens};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse as _,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

mod error;
mod return_path;
#[cfg(feature = "web")]
#[cfg_attr(docsrs, doc(cfg(feature = "web")))]
mod web;

pub use error::{Error, Result};
pub use return_path::safe_return_path;

/// How long a started sign-in waits for the provider's answer.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);
/// How long one request to a provider may take.
const HTTP_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// What the ephemeral key of a started sign-in starts with.
const KEY_PREFIX: &str = "oidc-flow:";
/// The longest `state` or browser binding looked at.
const MAX_TOKEN: usize = 256;

/// The client type `openidconnect` builds from discovery.
type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// One provider as configured.
#[derive(Clone)]
pub struct ProviderConfig {
    /// The name in URLs and in the linked identities (`a-z`, `0-9`, `-`, `_`).
    pub name: String,
    /// What its button says ("Sign in with {label}").
    pub label: String,
    /// The issuer URL, exactly as the provider's discovery document states it.
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret (`client_secret_basic`), if the client has one.
    pub client_secret: Option<String>,
    /// Scopes asked for besides `openid` (default `email`, `profile`).
    pub scopes: Vec<String>,
    /// Whether a first sign-in may create an account.
    pub sign_up: bool,
    /// Whether the provider's multi-factor sign-in stands in for the local second step:
    /// an ID token whose `amr` shows several factors
    /// ([`auth_core::identity::MULTI_FACTOR_AMR`]) signs an account with a second
    /// factor in without it. Off by default: trust it only for a provider that enforces
    /// the factors it reports.
    pub trust_mfa: bool,
    /// Whether the provider's access and refresh tokens are kept (sealed with the
    /// engine's identity token keys) for the application to call the provider's API.
    /// Off by default.
    pub keep_tokens: bool,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("name", &self.name)
            .field("label", &self.label)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("sign_up", &self.sign_up)
            .field("trust_mfa", &self.trust_mfa)
            .field("keep_tokens", &self.keep_tokens)
            .finish_non_exhaustive()
    }
}

impl ProviderConfig {
    /// A provider with the default scopes (`email`, `profile`), sign-up allowed, labelled
    /// by its name.
    pub fn new(name: &str, issuer: &str, client_id: &str, client_secret: Option<&str>) -> Self {
        Self {
            name: name.to_owned(),
            label: name.to_owned(),
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.map(str::to_owned),
            scopes: vec!["email".into(), "profile".into()],
            sign_up: true,
            trust_mfa: false,
            keep_tokens: false,
        }
    }

    /// Parses a demo flag's value: `name=...,issuer=...,client-id=...` with optional
    /// `client-secret=...`, `label=...`, `sign-up=false`, `trust-mfa=true` (see
    /// [`trust_mfa`](Self::trust_mfa)), `keep-tokens=true` (see
    /// [`keep_tokens`](Self::keep_tokens)).
    ///
    /// # Errors
    /// [`Error::Config`] naming what is missing or unknown.
    pub fn parse(spec: &str) -> Result<Self> {
        let mut name = None;
        let mut issuer = None;
        let mut client_id = None;
        let mut secret = None;
        let mut label = None;
        let mut sign_up = true;
        let mut trust_mfa = false;
        let mut keep_tokens = false;
        let flag = |key: &str, value: &str| {
            value.parse::<bool>().map_err(|_| {
                Error::Config(format!("provider option {key}={value:?}: true or false"))
            })
        };
        for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                Error::Config(format!("provider option {part:?}: expected key=value"))
            })?;
            let value = value.trim().to_owned();
            match key.trim() {
                "name" => name = Some(value),
                "issuer" => issuer = Some(value),
                "client-id" => client_id = Some(value),
                "client-secret" => secret = Some(value),
                "label" => label = Some(value),
                "sign-up" => sign_up = flag("sign-up", &value)?,
                "trust-mfa" => trust_mfa = flag("trust-mfa", &value)?,
                "keep-tokens" => keep_tokens = flag("keep-tokens", &value)?,
                other => return Err(Error::Config(format!("unknown provider option {other:?}"))),
            }
        }
        let need = |v: Option<String>, what: &str| {
            v.ok_or_else(|| Error::Config(format!("provider option {what}=... is missing")))
        };
        let name = need(name, "name")?;
        let mut config = Self::new(
            &name,
            &need(issuer, "issuer")?,
            &need(client_id, "client-id")?,
            secret.as_deref(),
        );
        if let Some(label) = label {
            config.label = label;
        }
        config.sign_up = sign_up;
        config.trust_mfa = trust_mfa;
        config.keep_tokens = keep_tokens;
        Ok(config)
    }
}

/// An HTTP client for providers: rustls with ring, the Mozilla roots (or given ones), no
/// redirects followed, a timeout per request.
///
/// # Errors
/// [`Error::Config`] when TLS cannot be set up.
pub fn http_client() -> Result<reqwest::Client> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::Config(format!("TLS for the providers: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .build()
        .map_err(|e| Error::Config(format!("the providers' HTTP client: {e}")))
}

/// A discovered provider, ready for sign-ins.
pub struct Provider {
    config: ProviderConfig,
    client: DiscoveredClient,
    /// Whether the provider says it sends `iss` with its answers (RFC 9207).
    sends_iss: bool,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("config", &self.config)
            .field("sends_iss", &self.sends_iss)
            .finish_non_exhaustive()
    }
}

/// The part of the discovery document `openidconnect` does not model: RFC 9207's flag.
#[derive(Deserialize)]
struct Rfc9207 {
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

impl Provider {
    /// Discovers the provider at its issuer (its discovery document and keys) and makes
    /// a client whose answers come back to `redirect_uri` (the application's callback
    /// for this provider, e.g. `https://app.example/auth/oidc/google/callback`).
    ///
    /// # Errors
    /// [`Error::Config`] for a bad name, issuer or redirect URI; [`Error::Provider`] when
    /// discovery fails (unreachable, not OpenID Connect, issuer mismatch).
    pub async fn discover(
        config: ProviderConfig,
        redirect_uri: &str,
        http: &reqwest::Client,
    ) -> Result<Self> {
        auth_core::identity::check_provider(&config.name)
            .map_err(|e| Error::Config(format!("provider name {:?}: {e}", config.name)))?;
        let issuer = IssuerUrl::new(config.issuer.clone())
            .map_err(|e| Error::Config(format!("issuer {:?}: {e}", config.issuer)))?;
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| Error::Config(format!("redirect URI {redirect_uri:?}: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, http)
            .await
            .map_err(|e| Error::provider(&config.name, "discovery", e))?;
        let sends_iss = Self::read_rfc9207_flag(&config, http).await;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(config.client_id.clone()),
            config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect);
        Ok(Self {
            config,
            client,
            sends_iss,
        })
    }

    /// Reads RFC 9207's flag from the discovery document (absent or unreadable: false).
    async fn read_rfc9207_flag(config: &ProviderConfig, http: &reqwest::Client) -> bool {
        let url = format!(
            "{}/.well-known/openid-configuration",
            config.issuer.trim_end_matches('/')
        );
        let Ok(answer) = http.get(url).send().await else {
            return false;
        };
        let Ok(body) = answer.bytes().await else {
            return false;
        };
        serde_json::from_slice::<Rfc9207>(&body)
            .is_ok_and(|d| d.authorization_response_iss_parameter_supported)
    }

    /// The configuration it was made from.
    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// Whether the provider says it sends `iss` with its answers (then required).
    pub fn sends_iss(&self) -> bool {
        self.sends_iss
    }
}

/// What the server keeps of a started sign-in, under the digest of its `state`.
#[derive(Serialize, Deserialize)]
struct FlowRecord {
    provider: String,
    /// SHA-256 of the browser binding (the cookie), hex.
    browser: String,
    pkce_verifier: String,
    nonce: String,
    return_to: String,
    expires_at: OffsetDateTime,
}

/// A started sign-in: where to send the browser, and the binding for its cookie.
/// `Debug` hides the binding.
#[derive(Clone)]
pub struct Started {
    /// The provider's authorization URL (carries `state`, the PKCE challenge, `nonce`).
    pub authorize_url: url::Url,
    browser_binding: String,
    /// When the flow dies (the cookie's lifetime).
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Started {
    /// The random value to keep in an HttpOnly cookie until the callback.
    pub fn browser_binding(&self) -> &str {
        &self.browser_binding
    }
}

/// The provider's answer at the callback, as its query parameters carry it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Callback {
    /// `state`, as sent.
    pub state: Option<String>,
    /// The authorization code.
    pub code: Option<String>,
    /// The issuer of the answer (RFC 9207).
    pub iss: Option<String>,
    /// An error code instead of a code (`access_denied`, ...).
    pub error: Option<String>,
}

/// A finished sign-in: the verified identity and where to go back to.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The identity, for [`Auth::sign_in_with_identity`](auth_core::Auth::sign_in_with_identity).
    pub identity: ProviderIdentity,
    /// Whether this provider may create accounts.
    pub sign_up: bool,
    /// The local path to go back to (checked when the flow started).
    pub return_to: String,
}

/// The configured providers and the store of their flows.
#[derive(Clone)]
pub struct Oidc {
    providers: Arc<Vec<Provider>>,
    ephemeral: Arc<dyn EphemeralStore>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("providers", &self.providers)
            .finish_non_exhaustive()
    }
}

/// The tokens of the provider's answer to keep: the access token, the refresh token if
/// any, and when the access token expires (when the provider said).
fn kept_tokens(
    tokens: &openidconnect::core::CoreTokenResponse,
    now: OffsetDateTime,
) -> ProviderTokens {
    let expires_at = tokens
        .expires_in()
        .and_then(|d| Duration::try_from(d).ok())
        .map(|d| now + d);
    ProviderTokens::new(
        tokens.access_token().secret(),
        tokens.refresh_token().map(|r| r.secret().as_str()),
        expires_at,
    )
}

/// The ephemeral key of a `state`: its digest, never the value.
fn flow_key(state: &str) -> Option<String> {
    (!state.is_empty() && state.len() <= MAX_TOKEN).then(|| {
        format!(
            "{KEY_PREFIX}{}",
            hex::encode(Sha256::digest(state.as_bytes()))
        )
    })
}

fn digest_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

impl Oidc {
    /// The providers (already discovered), keeping their flows in `ephemeral` (the same
    /// store the engine uses, so that every instance sees them) and talking to them with
    /// `http` (see [`http_client`]).
    pub fn new(
        providers: Vec<Provider>,
        ephemeral: Arc<dyn EphemeralStore>,
        http: reqwest::Client,
    ) -> Self {
        Self {
            providers: Arc::new(providers),
            ephemeral,
            http,
        }
    }

    /// The providers, in configuration order (one button each).
    pub fn providers(&self) -> impl Iterator<Item = &ProviderConfig> {
        self.providers.iter().map(|p| &p.config)
    }

    fn provider(&self, name: &str) -> Result<&Provider> {
        self.providers
            .iter()
            .find(|p| p.config.name == name)
            .ok_or(Error::UnknownProvider)
    }

    /// Starts a sign-in with the provider `name`: the authorization URL to redirect the
    /// browser to, and the browser binding for a cookie. `return_to` is where to go back
    /// after signing in; anything but a local path is replaced by `/`.
    ///
    /// # Errors
    /// [`Error::UnknownProvider`]; [`Error::Store`].
    pub async fn start(&self, name: &str, return_to: &str, now: OffsetDateTime) -> Result<Started> {
        let provider = self.provider(name)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &provider.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (authorize_url, state, nonce) = request.url();
        // 256 random bits, base64url (the crate's generator, as for `state`).
        let browser_binding = CsrfToken::new_random_len(32).secret().clone();
        let expires_at = now + FLOW_LIFETIME;
        let record = FlowRecord {
            provider: provider.config.name.clone(),
            browser: digest_hex(&browser_binding),
            pkce_verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
            return_to: safe_return_path(return_to).to_owned(),
            expires_at,
        };
        let key = flow_key(state.secret()).ok_or(Error::StateUnknown)?;
        let bytes =
            serde_json::to_vec(&record).map_err(|e| Error::Store(auth_core::Error::backend(e)))?;
        let stored = self
            .ephemeral
            .insert(&key, &bytes, expires_at, now)
            .await
            .map_err(Error::Store)?;
        if !stored {
            return Err(Error::Store(auth_core::Error::backend(
                "an OpenID Connect state collided",
            )));
        }
        Ok(Started {
            authorize_url,
            browser_binding,
            expires_at,
        })
    }

    /// Finishes a sign-in at the callback of the provider `name`, with the provider's
    /// answer and the browser binding from the cookie. The flow is taken first, so any
    /// answer (good or bad) uses it up.
    ///
    /// # Errors
    /// [`Error::StateUnknown`] (unknown, expired, replayed), [`Error::WrongBrowser`],
    /// [`Error::MixedUpProvider`], [`Error::WrongIssuer`], [`Error::Refused`] (the
    /// provider answered with an error), [`Error::Provider`] (the code exchange or the
    /// ID token failed: bad signature, audience, expiry, nonce, unknown key, HTTP
    /// failure, timeout), [`Error::UnknownProvider`], [`Error::Store`].
    pub async fn finish(
        &self,
        name: &str,
        answer: &Callback,
        browser_binding: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Finished> {
        let provider = self.provider(name)?;
        let key = answer
            .state
            .as_deref()
            .and_then(flow_key)
            .ok_or(Error::StateUnknown)?;
        let taken = self.ephemeral.take(&key, now).await.map_err(Error::Store)?;
        let record: FlowRecord = serde_json::from_slice(&taken.ok_or(Error::StateUnknown)?)
            .map_err(|e| Error::Store(auth_core::Error::backend(e)))?;
        let binding_ok = browser_binding
            .filter(|b| b.len() <= MAX_TOKEN)
            .is_some_and(|b| {
                auth_core::constant_time_eq(digest_hex(b).as_bytes(), record.browser.as_bytes())
            });
        if !binding_ok {
            return Err(Error::WrongBrowser);
        }
        if record.provider != provider.config.name {
            return Err(Error::MixedUpProvider);
        }
        match &answer.iss {
            Some(iss) if iss != provider.config.issuer.as_str() => return Err(Error::WrongIssuer),
            None if provider.sends_iss => return Err(Error::WrongIssuer),
            _ => {}
        }
        if let Some(error) = &answer.error {
            return Err(Error::Refused {
                error: error.chars().take(64).collect(),
            });
        }
        let code = answer.code.clone().ok_or(Error::Refused {
            error: "no code".into(),
        })?;
        let request = provider
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Error::provider(name, "token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(record.pkce_verifier));
        let tokens = request
            .request_async(&self.http)
            .await
            .map_err(|e| Error::provider(name, "code exchange", e))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| Error::provider(name, "code exchange", "no ID token in the answer"))?;
        let claims = id_token
            .claims(
                &provider.client.id_token_verifier(),
                &Nonce::new(record.nonce),
            )
            .map_err(|e| Error::provider(name, "ID token", e))?;
        let mut identity = ProviderIdentity::new(
            &provider.config.name,
            claims.subject().as_str(),
            claims.email().map(|e| e.as_str()),
            claims.email_verified().unwrap_or(false),
        )
        .map_err(|e| Error::provider(name, "ID token", e))?;
        let amr = claims.auth_method_refs().into_iter().flatten();
        if provider.config.trust_mfa && amr_shows_multi_factor(amr.map(|r| r.as_str())) {
            identity = identity.with_trusted_multi_factor();
        }
        if provider.config.keep_tokens {
            identity = identity.with_tokens(kept_tokens(&tokens, now));
        }
        Ok(Finished {
            identity,
            sign_up: provider.config.sign_up,
            return_to: record.return_to,
        })
    }
}
