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
//! Presets ([`Preset`]) configure Google, Microsoft (Entra ID, whose multi-tenant
//! issuer is a template: see [`Protocol::TenantOpenIdConnect`]), GitLab and GitHub from a
//! client id and secret alone. GitHub is no OpenID provider: [`Protocol::GitHub`] is
//! plain OAuth 2.0 over the [`oauth2`] crate (the one `openidconnect` is built on), with
//! PKCE and `state` as above, then GitHub's API for the person's id and primary address.
//!
//! HTTPS goes through `reqwest` with `rustls` and the `ring` provider (no aws-lc-rs, no
//! OpenSSL), trusting the Mozilla roots; redirects are never followed (SSRF).

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration as StdDuration;

use auth_core::identity::amr_shows_multi_factor;
use auth_core::{EphemeralStore, ProviderIdentity, ProviderTokens};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse as _,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

mod error;
mod github;
mod preset;
mod return_path;
mod tenant;
#[cfg(feature = "web")]
#[cfg_attr(docsrs, doc(cfg(feature = "web")))]
mod web;

pub use error::{Error, Result};
pub use preset::Preset;
pub use return_path::safe_return_path;

/// How long a started sign-in waits for the provider's answer.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);
/// How long one request to a provider may take.
const HTTP_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// The step of an [`Error::Provider`] when discovery failed (the provider is down, or
/// its discovery document is unusable).
pub const DISCOVERY: &str = "discovery";
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
    /// engine's identity token keys) for the application to call the provider's API
    /// (GitHub's too: its access token, and its refresh token when the app issues
    /// expiring tokens). Off by default.
    pub keep_tokens: bool,
    /// How the provider is spoken to (OpenID Connect unless a preset says otherwise).
    pub protocol: Protocol,
}

/// How a provider is spoken to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Protocol {
    /// OpenID Connect, discovered at the issuer, whose ID tokens carry exactly that
    /// issuer.
    #[default]
    OpenIdConnect,
    /// OpenID Connect at a multi-tenant endpoint (Microsoft Entra ID's `common` and
    /// `organizations`): the discovery document's issuer is a template
    /// (`https://login.microsoftonline.com/{tenantid}/v2.0`) that the configured issuer
    /// fits, and each ID token's `iss` must be the template filled with the token's own
    /// tenant (`tid`). Signature, audience, expiry and nonce are checked as always.
    TenantOpenIdConnect,
    /// Plain OAuth 2.0 with GitHub's API (GitHub, GitHub Enterprise): no ID token; the
    /// subject is the account's numeric id, the address its primary one, trusted only
    /// when GitHub verified it.
    GitHub(GitHubEndpoints),
}

/// Where a [`Protocol::GitHub`] provider answers (GitHub.com by default; a GitHub
/// Enterprise server, or a test's stand-in, elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubEndpoints {
    /// The authorization endpoint.
    pub authorize_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The REST API's root (`/user` and `/user/emails` below it).
    pub api_url: String,
}

impl Default for GitHubEndpoints {
    fn default() -> Self {
        Self {
            authorize_url: "https://github.com/login/oauth/authorize".into(),
            token_url: "https://github.com/login/oauth/access_token".into(),
            api_url: "https://api.github.com".into(),
        }
    }
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
            .field("protocol", &self.protocol)
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
            protocol: Protocol::OpenIdConnect,
            trust_mfa: false,
            keep_tokens: false,
        }
    }

    /// Parses a demo flag's value: `name=...,issuer=...,client-id=...` with optional
    /// `client-secret=...`, `label=...`, `sign-up=false`, `scopes=...` (space-separated,
    /// besides `openid`), `trust-mfa=true` (see [`trust_mfa`](Self::trust_mfa)),
    /// `keep-tokens=true` (see [`keep_tokens`](Self::keep_tokens)); or
    /// `preset=google|microsoft|gitlab|github,client-id=...`, where the preset gives the
    /// name, issuer, scopes and label (each may still be given).
    /// Microsoft takes `tenant=...` (`common` by default, `organizations`, or one
    /// tenant's id); GitHub `authorize-url=`, `token-url=`, `api-url=` (GitHub
    /// Enterprise).
    ///
    /// # Errors
    /// [`Error::Config`] naming what is missing or unknown.
    pub fn parse(spec: &str) -> Result<Self> {
        let mut options = std::collections::BTreeMap::new();
        for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                Error::Config(format!("provider option {part:?}: expected key=value"))
            })?;
            const KNOWN: [&str; 14] = [
                "name",
                "issuer",
                "client-id",
                "client-secret",
                "label",
                "sign-up",
                "trust-mfa",
                "keep-tokens",
                "scopes",
                "preset",
                "tenant",
                "authorize-url",
                "token-url",
                "api-url",
            ];
            let key = KNOWN
                .into_iter()
                .find(|k| *k == key.trim())
                .ok_or_else(|| {
                    Error::Config(format!("unknown provider option {:?}", key.trim()))
                })?;
            options.insert(key, value.trim().to_owned());
        }
        let mut take = |key: &str| options.remove(key);
        let preset = take("preset").map(|p| p.parse::<Preset>()).transpose()?;
        let need = |v: Option<String>, what: &str| {
            v.ok_or_else(|| Error::Config(format!("provider option {what}=... is missing")))
        };
        let client_id = need(take("client-id"), "client-id")?;
        let secret = take("client-secret");
        let name = match (take("name"), preset) {
            (Some(name), _) => name,
            (None, Some(p)) => p.as_str().to_owned(),
            (None, None) => need(None, "name")?,
        };
        let mut config = match preset {
            Some(p) => p.config(&name, &client_id, secret.as_deref()),
            None => Self::new(
                &name,
                &need(take("issuer"), "issuer")?,
                &client_id,
                secret.as_deref(),
            ),
        };
        if let Some(tenant) = take("tenant") {
            if preset != Some(Preset::Microsoft) {
                return Err(Error::Config(
                    "provider option tenant=... needs preset=microsoft".into(),
                ));
            }
            Preset::microsoft_tenant(&mut config, &tenant)?;
        }
        if let Some(issuer) = take("issuer") {
            config.issuer = issuer;
        }
        if let Some(label) = take("label") {
            config.label = label;
        }
        for (key, field) in [
            ("sign-up", &mut config.sign_up),
            ("trust-mfa", &mut config.trust_mfa),
            ("keep-tokens", &mut config.keep_tokens),
        ] {
            let Some(value) = take(key) else { continue };
            *field = value.parse().map_err(|_| {
                Error::Config(format!("provider option {key}={value:?}: true or false"))
            })?;
        }
        if let Some(scopes) = take("scopes") {
            config.scopes = scopes.split_whitespace().map(str::to_owned).collect();
        }
        for key in ["authorize-url", "token-url", "api-url"] {
            let Some(url) = take(key) else { continue };
            let Protocol::GitHub(endpoints) = &mut config.protocol else {
                return Err(Error::Config(format!(
                    "provider option {key}=... needs preset=github"
                )));
            };
            let field = match key {
                "authorize-url" => &mut endpoints.authorize_url,
                "token-url" => &mut endpoints.token_url,
                _ => &mut endpoints.api_url,
            };
            *field = url;
        }
        Ok(config)
    }
}

/// An HTTP client for providers: the toolkit's TLS settings
/// ([`auth_https::tls_config`]: rustls with ring, the Mozilla roots), no redirects
/// followed, a timeout per request.
///
/// # Errors
/// [`Error::Config`] when TLS cannot be set up.
pub fn http_client() -> Result<reqwest::Client> {
    let tls = auth_https::tls_config(auth_https::Roots::Mozilla)
        .map_err(|e| Error::Config(format!("TLS for the providers: {e}")))?;
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .build()
        .map_err(|e| Error::Config(format!("the providers' HTTP client: {e}")))
}

/// A provider, ready for sign-ins: discovered at once ([`Provider::discover`]) or at its
/// first sign-in ([`Provider::deferred`]).
pub struct Provider {
    config: ProviderConfig,
    redirect: RedirectUrl,
    /// The client, once discovered (a GitHub client at once); until then each sign-in
    /// tries discovery again.
    flavor: RwLock<Option<Arc<Flavor>>>,
}

/// How sign-ins with a provider go, by its [`Protocol`].
enum Flavor {
    /// OpenID Connect.
    Oidc {
        /// Boxed, as the GitHub client: both are large.
        client: Box<DiscoveredClient>,
        /// Whether the provider says it sends `iss` with its answers (RFC 9207).
        sends_iss: bool,
        /// The discovery document's issuer template, for a multi-tenant endpoint.
        tenant_template: Option<String>,
    },
    /// Plain OAuth 2.0 with GitHub's API.
    GitHub(Box<github::GitHub>),
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("config", &self.config)
            .field("sends_iss", &self.sends_iss())
            .finish_non_exhaustive()
    }
}

impl Flavor {
    /// Whether the provider says it sends `iss` with its answers (RFC 9207).
    fn sends_iss(&self) -> bool {
        matches!(
            self,
            Self::Oidc {
                sends_iss: true,
                ..
            }
        )
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
    /// for this provider, e.g. `https://app.example/auth/oidc/google/callback`). A
    /// [`Protocol::GitHub`] provider has nothing to discover: its client is made from
    /// the configured endpoints.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad name, issuer, endpoint or redirect URI;
    /// [`Error::Provider`] when discovery fails (unreachable, not OpenID Connect, issuer
    /// mismatch).
    pub async fn discover(
        config: ProviderConfig,
        redirect_uri: &str,
        http: &reqwest::Client,
    ) -> Result<Self> {
        let provider = Self::deferred(config, redirect_uri)?;
        provider.flavor(http).await?;
        Ok(provider)
    }

    /// A provider discovered at its first sign-in rather than now, for a site that must
    /// start while the provider is down: each sign-in tries discovery again until it
    /// works (until then starting one fails with [`Error::Provider`] at the
    /// [`DISCOVERY`] step, which the web layer shows as the provider being
    /// unavailable), and the discovered client is kept from then on. The configuration
    /// is checked now, as by [`Provider::discover`].
    ///
    /// # Errors
    /// [`Error::Config`] for a bad name, issuer, endpoint or redirect URI.
    pub fn deferred(config: ProviderConfig, redirect_uri: &str) -> Result<Self> {
        auth_core::identity::check_provider(&config.name)
            .map_err(|e| Error::Config(format!("provider name {:?}: {e}", config.name)))?;
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| Error::Config(format!("redirect URI {redirect_uri:?}: {e}")))?;
        let flavor = match &config.protocol {
            Protocol::GitHub(endpoints) => Some(Arc::new(Flavor::GitHub(Box::new(
                github::GitHub::new(&config, endpoints, redirect.clone())?,
            )))),
            Protocol::OpenIdConnect | Protocol::TenantOpenIdConnect => {
                Self::issuer_url(&config)?;
                None
            }
        };
        Ok(Self {
            config,
            redirect,
            flavor: RwLock::new(flavor),
        })
    }

    fn issuer_url(config: &ProviderConfig) -> Result<IssuerUrl> {
        IssuerUrl::new(config.issuer.clone())
            .map_err(|e| Error::Config(format!("issuer {:?}: {e}", config.issuer)))
    }

    /// The client: the one discovered before, or discovered now.
    async fn flavor(&self, http: &reqwest::Client) -> Result<Arc<Flavor>> {
        if let Some(flavor) = self.known_flavor() {
            return Ok(flavor);
        }
        let discovered = Arc::new(self.discover_flavor(http).await?);
        tracing::info!(provider = %self.config.name, "the provider was discovered");
        let mut slot = self.flavor.write().unwrap_or_else(PoisonError::into_inner);
        Ok(Arc::clone(slot.get_or_insert(discovered)))
    }

    /// The client, if discovered already.
    fn known_flavor(&self) -> Option<Arc<Flavor>> {
        self.flavor
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Discovers an OpenID provider: its metadata, keys and RFC 9207's flag.
    async fn discover_flavor(&self, http: &reqwest::Client) -> Result<Flavor> {
        let config = &self.config;
        let issuer = Self::issuer_url(config)?;
        let (metadata, tenant_template) = if config.protocol == Protocol::TenantOpenIdConnect {
            let metadata = tenant::discover(&config.name, &issuer, http).await?;
            let template = metadata.issuer().as_str().to_owned();
            (metadata, Some(template))
        } else {
            let metadata = CoreProviderMetadata::discover_async(issuer, http)
                .await
                .map_err(|e| Error::provider(&config.name, DISCOVERY, e))?;
            (metadata, None)
        };
        let sends_iss = Self::read_rfc9207_flag(config, http).await;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(config.client_id.clone()),
            config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect.clone());
        Ok(Flavor::Oidc {
            client: Box::new(client),
            sends_iss,
            tenant_template,
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

    /// Whether the provider says it sends `iss` with its answers (then required); false
    /// while a [`deferred`](Self::deferred) provider is not discovered yet.
    pub fn sends_iss(&self) -> bool {
        self.known_flavor().is_some_and(|f| f.sends_iss())
    }

    /// Whether the provider was discovered (always, for GitHub).
    pub fn is_discovered(&self) -> bool {
        self.known_flavor().is_some()
    }

    /// Whether `iss`, the issuer an answer names (RFC 9207), is this provider's: its
    /// issuer, or for a multi-tenant endpoint its template filled with a tenant id.
    fn is_issuer(&self, flavor: &Flavor, iss: &str) -> bool {
        match flavor {
            Flavor::Oidc {
                tenant_template: Some(template),
                ..
            } => tenant::matches_some_tenant(template, iss),
            _ => iss == self.config.issuer,
        }
    }

    /// The identity behind an authorization `code`: exchanged with the flow's PKCE
    /// verifier, then the ID token verified with its nonce (OpenID Connect: a trusted
    /// multi-factor `amr` and the tokens to keep are added as configured) or the
    /// profile read (GitHub).
    async fn identify(
        &self,
        flavor: &Flavor,
        code: String,
        record: FlowRecord,
        http: &reqwest::Client,
        now: OffsetDateTime,
    ) -> Result<ProviderIdentity> {
        let name = self.config.name.as_str();
        let (client, tenant_template) = match flavor {
            Flavor::GitHub(github) => {
                let (profile, tokens) = github
                    .identify(name, code, record.pkce_verifier, http)
                    .await?;
                let identity = ProviderIdentity::new(
                    name,
                    &profile.subject,
                    profile.email.as_deref(),
                    profile.email_verified,
                )
                .map_err(|e| Error::provider(name, "profile", e))?;
                return Ok(if self.config.keep_tokens {
                    identity.with_tokens(kept_tokens(&tokens, now))
                } else {
                    identity
                });
            }
            Flavor::Oidc {
                client,
                tenant_template,
                ..
            } => (client, tenant_template),
        };
        let request = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Error::provider(name, "token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(record.pkce_verifier));
        let tokens = request
            .request_async(http)
            .await
            .map_err(|e| Error::provider(name, "code exchange", e))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| Error::provider(name, "code exchange", "no ID token in the answer"))?;
        let verifier = client.id_token_verifier();
        let nonce = Nonce::new(record.nonce);
        let claims = match tenant_template {
            Some(template) => tenant::verify(name, id_token, &verifier, &nonce, template)?,
            None => id_token
                .claims(&verifier, &nonce)
                .map_err(|e| Error::provider(name, "ID token", e))?,
        };
        let mut identity = ProviderIdentity::new(
            name,
            claims.subject().as_str(),
            claims.email().map(|e| e.as_str()),
            claims.email_verified().unwrap_or(false),
        )
        .map_err(|e| Error::provider(name, "ID token", e))?;
        let amr = claims.auth_method_refs().into_iter().flatten();
        if self.config.trust_mfa && amr_shows_multi_factor(amr.map(|r| r.as_str())) {
            identity = identity.with_trusted_multi_factor();
        }
        if self.config.keep_tokens {
            identity = identity.with_tokens(kept_tokens(&tokens, now));
        }
        Ok(identity)
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

/// The tokens of the provider's answer to keep (OpenID Connect's or plain OAuth 2.0's):
/// the access token, the refresh token if any, and when the access token expires (when
/// the provider said).
fn kept_tokens(tokens: &impl oauth2::TokenResponse, now: OffsetDateTime) -> ProviderTokens {
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
        let flavor = provider.flavor(&self.http).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (authorize_url, state, nonce) = match &*flavor {
            Flavor::Oidc { client, .. } => {
                let mut request = client
                    .authorize_url(
                        CoreAuthenticationFlow::AuthorizationCode,
                        CsrfToken::new_random,
                        Nonce::new_random,
                    )
                    .set_pkce_challenge(challenge);
                for scope in &provider.config.scopes {
                    request = request.add_scope(Scope::new(scope.clone()));
                }
                let (url, state, nonce) = request.url();
                (url, state, nonce.secret().clone())
            }
            // No ID token, so no nonce: `state` and PKCE bind the answer to the flow.
            Flavor::GitHub(github) => {
                let (url, state) = github.authorize_url(&provider.config.scopes, challenge);
                (url, state, String::new())
            }
        };
        // 256 random bits, base64url (the crate's generator, as for `state`).
        let browser_binding = CsrfToken::new_random_len(32).secret().clone();
        let expires_at = now + FLOW_LIFETIME;
        let record = FlowRecord {
            provider: provider.config.name.clone(),
            browser: digest_hex(&browser_binding),
            pkce_verifier: verifier.secret().clone(),
            nonce,
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
        // Discovered by the start (on this instance or another).
        let flavor = provider.flavor(&self.http).await?;
        match &answer.iss {
            Some(iss) if !provider.is_issuer(&flavor, iss) => return Err(Error::WrongIssuer),
            None if flavor.sends_iss() => return Err(Error::WrongIssuer),
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
        let return_to = record.return_to.clone();
        let identity = provider
            .identify(&flavor, code, record, &self.http, now)
            .await?;
        Ok(Finished {
            identity,
            sign_up: provider.config.sign_up,
            return_to,
        })
    }
}
