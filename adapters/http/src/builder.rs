//! [`AuthWebBuilder`]: the settings of the web layer, checked once at start-up.

use std::path::PathBuf;
use std::sync::Arc;

use auth_core::Auth;

use crate::WebError;
use crate::access::AccessTokens;
use crate::cookies::CookieNames;
use crate::csrf::CsrfKey;
use crate::forwarded::{ProxyHeader, TrustedProxies};
use crate::providers::SignInProviders;
use crate::templates::{Overrides, Templates};
use crate::web::{AuthWeb, DEFAULT_BODY_LIMIT, Inner};

impl AuthWeb {
    /// A builder over an engine, with the defaults described on each method.
    pub fn builder(auth: Auth) -> AuthWebBuilder {
        AuthWebBuilder {
            auth,
            prefix: None,
            secure: true,
            body_limit: DEFAULT_BODY_LIMIT,
            secret: None,
            overrides: Overrides::default(),
            home: "/".into(),
            after_login: "/".into(),
            after_logout: "/".into(),
            origins: Vec::new(),
            proxies: TrustedProxies::default(),
            access_tokens: None,
            providers: None,
        }
    }
}

/// Builds an [`AuthWeb`]; see [`AuthWeb::builder`].
#[must_use]
pub struct AuthWebBuilder {
    auth: Auth,
    prefix: Option<String>,
    secure: bool,
    body_limit: usize,
    secret: Option<Vec<u8>>,
    overrides: Overrides,
    home: String,
    after_login: String,
    after_logout: String,
    origins: Vec<String>,
    proxies: TrustedProxies,
    access_tokens: Option<AccessTokens>,
    providers: Option<Arc<dyn SignInProviders>>,
}

impl std::fmt::Debug for AuthWebBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthWebBuilder")
            .field("prefix", &self.prefix)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

impl AuthWebBuilder {
    /// Where the routes are mounted (default: the engine's `link_prefix`, so that mailed
    /// links reach them). Relative paths given to [`AuthWeb::handle`] are under it.
    pub fn mount_path(mut self, path: impl Into<String>) -> Self {
        self.prefix = Some(path.into());
        self
    }

    /// Plain-HTTP local development: cookies without `Secure` and without the `__Host-`
    /// prefix. The default is secure cookies, which browsers only send over HTTPS
    /// (and `http://localhost`).
    pub fn insecure_dev_cookies(mut self, insecure: bool) -> Self {
        self.secure = !insecure;
        self
    }

    /// The largest request body accepted (default [`DEFAULT_BODY_LIMIT`]); larger
    /// bodies get 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// A secret (at least 32 bytes) the CSRF key is derived from. Give the same secret
    /// to every instance behind a load balancer; without one, each process draws a
    /// random key and forms rendered by another instance (or before a restart) are
    /// refused.
    pub fn secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Replaces (or adds) the template `name` with `source`.
    pub fn template(mut self, name: impl Into<String>, source: impl Into<String>) -> Self {
        self.overrides.strings.push((name.into(), source.into()));
        self
    }

    /// Loads every file of `dir` (recursively) as a template named by its relative
    /// path, replacing the shipped one of the same name. Strings given with
    /// [`AuthWebBuilder::template`] win over files.
    pub fn template_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.overrides.dirs.push(dir.into());
        self
    }

    /// Replaces the shipped stylesheet.
    pub fn stylesheet(mut self, css: impl Into<String>) -> Self {
        self.overrides.stylesheet = Some(css.into());
        self
    }

    /// The application's home page, linked from the header (default `/`).
    pub fn home(mut self, path: impl Into<String>) -> Self {
        self.home = path.into();
        self
    }

    /// Where sign-in leads when there is no `next` (default `/`).
    pub fn after_login(mut self, path: impl Into<String>) -> Self {
        self.after_login = path.into();
        self
    }

    /// Where sign-out leads (default `/`).
    pub fn after_logout(mut self, path: impl Into<String>) -> Self {
        self.after_logout = path.into();
        self
    }

    /// Another origin (`https://app.example.com`) allowed to post to the layer. The
    /// engine's base URL and the request's own `Host` are always allowed.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins
            .push(origin.into().trim_end_matches('/').to_owned());
        self
    }

    /// Behind one reverse proxy that appends the client's address to `X-Forwarded-For`
    /// (or the header chosen with [`AuthWebBuilder::proxy_header`]): `true` is
    /// [`AuthWebBuilder::trusted_proxy_hops`]`(1)`, `false` is `(0)`, the default, which
    /// takes the peer address and ignores the header.
    pub fn trust_forwarded_for(self, trust: bool) -> Self {
        self.trusted_proxy_hops(u8::from(trust))
    }

    /// How many reverse proxies stand in front of the application, each appending the
    /// address that connected to it to the proxy header (default 0: the peer address is
    /// the client's and the header is ignored). The client address is the entry the
    /// outermost of them appended, the `hops`-th from the right: entries further left
    /// were written by the client and are ignored. A header that is missing, malformed
    /// or names no address there (`unknown`, an obfuscated name) leaves the peer address.
    /// The address feeds per-address rate limits, the device list and the audit trail;
    /// set this only when every request comes through those proxies, or clients choose
    /// their own address.
    pub fn trusted_proxy_hops(mut self, hops: u8) -> Self {
        self.proxies.hops = hops;
        self
    }

    /// The header the trusted proxies write (default
    /// [`ProxyHeader::XForwardedFor`]); only that one is read. See
    /// [`AuthWebBuilder::trusted_proxy_hops`].
    pub fn proxy_header(mut self, header: ProxyHeader) -> Self {
        self.proxies.header = header;
        self
    }

    /// Issues access tokens for other services (`POST /api/token`) and publishes their
    /// keys (`GET /.well-known/jwks.json` under the mount point); see [`AccessTokens`].
    pub fn access_tokens(mut self, tokens: AccessTokens) -> Self {
        self.access_tokens = Some(tokens);
        self
    }

    /// Sign-in with other providers ("Continue with ..." buttons on the sign-in and
    /// sign-up pages, `/oidc/...` routes, the account's identities page). Needs the
    /// engine's identity store ([`AuthBuilder::identities`](auth_core::AuthBuilder::identities)).
    /// Off by default.
    pub fn sign_in_providers(mut self, providers: Arc<dyn SignInProviders>) -> Self {
        self.providers = Some(providers);
        self
    }

    /// Compiles the templates and checks the settings.
    ///
    /// # Errors
    /// [`WebError`] when a template does not compile, a template directory cannot be
    /// read, a path setting is not a local path, or the secret is too short.
    pub fn build(self) -> Result<AuthWeb, WebError> {
        let prefix = self
            .prefix
            .unwrap_or_else(|| self.auth.config().links().prefix.clone());
        let prefix = prefix.trim_end_matches('/').to_owned();
        if !prefix.is_empty() && (!prefix.starts_with('/') || prefix.starts_with("//")) {
            return Err(WebError::Config(format!(
                "mount path must be empty or start with a single '/', got {prefix:?}"
            )));
        }
        for (what, path) in [
            ("home", &self.home),
            ("after_login", &self.after_login),
            ("after_logout", &self.after_logout),
        ] {
            if crate::redirect::safe_next(path).is_none() {
                return Err(WebError::Config(format!(
                    "{what} must be a local path, got {path:?}"
                )));
            }
        }
        let csrf = match &self.secret {
            Some(s) if s.len() < 32 => {
                return Err(WebError::Config(
                    "the secret must be at least 32 bytes".into(),
                ));
            }
            Some(s) => CsrfKey::from_secret(s),
            None => {
                CsrfKey::random().map_err(|e| WebError::Config(format!("no randomness: {e}")))?
            }
        };
        let access_tokens = match self.access_tokens {
            Some(t) => Some(
                t.checked(&self.auth.config().links().base_url)
                    .map_err(WebError::Config)?,
            ),
            None => None,
        };
        if self.providers.is_some() && !self.auth.identities_enabled() {
            return Err(WebError::Config(
                "sign-in providers need the engine's identity store (AuthBuilder::identities)"
                    .into(),
            ));
        }
        let templates = Templates::build(&self.overrides, self.auth.config().catalogues().clone())?;
        let mut origins = self.origins;
        if let Some(origin) = origin_of(&self.auth.config().links().base_url) {
            origins.push(origin);
        }
        Ok(AuthWeb {
            inner: Arc::new(Inner {
                auth: self.auth,
                prefix,
                secure: self.secure,
                body_limit: self.body_limit,
                csrf,
                cookies: CookieNames::new(self.secure),
                templates,
                home: self.home,
                after_login: self.after_login,
                after_logout: self.after_logout,
                origins,
                proxies: self.proxies,
                access_tokens,
                providers: self.providers,
            }),
        })
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    Some(format!("{scheme}://{authority}").to_ascii_lowercase())
}
