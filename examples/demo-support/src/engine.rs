//! The engine and web layer built from the flags.

use std::sync::Arc;

use auth_breach_api::RangeApi;
use auth_core::webhooks::{WebhookEndpoint, Webhooks};
use auth_core::{
    Auth, BreachCheck, BreachedPasswords, Mailer, ProfileField, ProfileSchema, SortedHashFile,
    TokenLifetimes,
};
use auth_http::auth_access_token::{KeyAlgorithm, KeySet, PublicKey, SigningKey};
use auth_http::{AccessTokens, AuthWeb};
use auth_smtp::{FileMailer, SmtpMailer};
use auth_webhooks::HttpSender;

use crate::hooks::SignUpDomains;
use crate::{BoxError, Cli, MOUNT, pages, secret};

/// Builds the engine and the web layer from the command line: the SQL store (migrated
/// on connect; a new SQLite file is created readable by its owner only), sessions and
/// counters in Redis when `--redis-url` (one server) or `--redis-cluster-node` (a Redis
/// Cluster) is given, the SMTP or development mailer, the persisted secret, the lifetime
/// of mailed links (`--link-lifetime`, else auth-core's defaults), the trusted proxies
/// (`--trusted-proxies`, `--proxy-header`), sign-in by mail (`--email-sign-in`), passkeys
/// (their relying party from `--base-url`, as `relying_party` derives it; sign-up with a
/// passkey with `--passkey-sign-up`), the
/// breached-password check
/// (`--breached-passwords-*`), the webhooks (`--webhook*`), and the demo page templates.
///
/// # Errors
/// A bad flag, an unreachable database, Redis or SMTP server, or an unreadable secret.
pub async fn engine(cli: &Cli, base_url: &str) -> Result<(Auth, AuthWeb), BoxError> {
    let (mut config, secret) = base_config(&cli.stores.database_url, base_url)?;
    if let Some(lifetime) = cli.link_lifetime {
        let lifetime = time::Duration::try_from(lifetime)?;
        tracing::info!(%lifetime, "every mailed link expires after {lifetime}");
        config = config.token_lifetimes(TokenLifetimes {
            verify_email: lifetime,
            reset_password: lifetime,
            change_email: lifetime,
        });
    }
    if cli.email_sign_in {
        tracing::info!("sign-in by a mailed code or link is on");
        config = config.email_codes(auth_core::EmailCodes {
            sign_in: true,
            ..auth_core::EmailCodes::default()
        });
    }
    if cli.passkey_sign_up {
        tracing::info!("sign-up with a passkey (and no password) is on");
        config = config.passkey_sign_up(true);
    }
    for role in &cli.second_factor_roles {
        tracing::info!(role, "holders of this role must enrol a second factor");
        config = config.require_second_factor_for_role(role);
    }
    if let Some(max_age) = cli.step_up_max_age {
        config = config.step_up_max_age(time::Duration::try_from(max_age)?);
    }
    if cli.session_staleness > 0 {
        tracing::info!(
            ms = cli.session_staleness,
            "a revoked session may be served on other instances for at most {} ms",
            cli.session_staleness
        );
        config = config.session_staleness(time::Duration::milliseconds(i64::from(
            cli.session_staleness,
        )));
    }
    if let Some(max_attempts) = cli.outbox_max_attempts {
        tracing::info!(
            max_attempts,
            "outbox messages fail after {max_attempts} attempts"
        );
        config = config.outbox_policy(auth_core::OutboxPolicy {
            max_attempts,
            ..auth_core::OutboxPolicy::default()
        });
    }
    let config = config.build()?;
    let stores = cli.stores.open(true).await?;
    let mailer: Arc<dyn Mailer> = match &cli.smtp_url {
        Some(url) => Arc::new(SmtpMailer::from_url(url)?),
        None => {
            tracing::warn!(dir = %cli.mail_dir.display(), "development mailer: every message is written to this directory, links included");
            Arc::new(FileMailer::new(&cli.mail_dir)?)
        }
    };
    let mut builder = stores.wire(Auth::builder(config)).mailer(mailer);
    if let Some(rp) = relying_party(base_url)? {
        tracing::info!(rp_id = rp.rp_id(), "passkeys are on");
        builder = builder.passkeys(stores.sql.clone(), rp);
    }
    if let Some(check) = breach_check(cli)? {
        builder = builder.breach_check(check);
    }
    if !cli.sign_up_domains.is_empty() {
        builder = builder.hooks(Arc::new(SignUpDomains::new(&cli.sign_up_domains)));
    }
    if let Some(webhooks) = webhooks(cli)? {
        builder = builder.webhooks(webhooks);
    }
    if let Some(keys) = identity_token_keys(cli)? {
        builder = builder.identity_token_keys(keys);
    }
    let auth = builder.build()?;
    let mut web = AuthWeb::builder(auth.clone())
        .mount_path(MOUNT)
        .secret(secret)
        .insecure_dev_cookies(base_url.starts_with("http://"))
        .trusted_proxy_hops(cli.trusted_proxies)
        .proxy_header(cli.proxy_header)
        .access_tokens(access_tokens(cli)?);
    for (name, source) in pages::TEMPLATES {
        web = web.template(*name, *source);
    }
    if let Some(providers) = sign_in_providers(cli, &stores, base_url).await? {
        web = web.sign_in_providers(providers);
    }
    Ok((auth, web.build()?))
}

/// The access tokens' settings from `--access-token-key` (or a key generated now, with a
/// warning), `--access-token-previous-key` and `--access-token-audience`.
fn access_tokens(cli: &Cli) -> Result<AccessTokens, BoxError> {
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let current = match &cli.access_token_key {
        Some(path) => {
            SigningKey::from_pem(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => {
            let key = SigningKey::generate(KeyAlgorithm::EdDsa)?;
            tracing::warn!(
                kid = key.kid(),
                "no --access-token-key: access tokens are signed with a key generated now, which dies with the process (tokens issued before a restart stop verifying, and other instances sign with keys of their own)"
            );
            key
        }
    };
    let mut keys = KeySet::new(current);
    for path in &cli.access_token_previous_keys {
        let key =
            PublicKey::from_pem(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        keys = keys.previous(key);
    }
    tracing::info!(
        kid = keys.current().kid(),
        alg = %keys.current().algorithm(),
        previous = keys.retired().len(),
        "access tokens: POST {MOUNT}/api/token, keys at /.well-known/jwks.json"
    );
    let mut tokens = AccessTokens::new(keys);
    for audience in &cli.access_token_audiences {
        tokens = tokens.audience(audience);
    }
    Ok(tokens)
}

/// The passkeys' relying party of a site at `base_url`: its host as the RP id, its
/// origin as the one origin allowed. `None` (passkeys off, said in the log) when the host
/// is an IP address, which browsers refuse as an RP id: serve the demo as
/// `--base-url http://localhost:PORT` (or under a domain name) for passkeys.
///
/// # Errors
/// A base URL without a scheme or host.
pub(crate) fn relying_party(base_url: &str) -> Result<Option<auth_core::RelyingParty>, BoxError> {
    let (scheme, rest) = base_url
        .split_once("://")
        .ok_or_else(|| format!("the base URL {base_url:?} has no scheme"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        authority
    } else {
        authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host)
    };
    if host.is_empty() {
        return Err(format!("the base URL {base_url:?} has no host").into());
    }
    if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        tracing::info!(
            host,
            "passkeys are off: a browser takes no IP address as their relying party; use a host name in --base-url (such as http://localhost:PORT)"
        );
        return Ok(None);
    }
    let origin = format!("{scheme}://{authority}");
    Ok(Some(auth_core::RelyingParty::new(
        host,
        "Auth Demo",
        &[origin.as_str()],
    )?))
}

/// The keys of `--identity-token-key` (the first seals, the others open), `None`
/// without any; refused when a provider keeps tokens and none was given.
fn identity_token_keys(cli: &Cli) -> Result<Option<auth_core::TokenKeys>, BoxError> {
    let Some((first, older)) = cli.identity_token_keys.split_first() else {
        if let Some(p) = cli.oidc_providers.iter().find(|p| p.keep_tokens) {
            return Err(format!(
                "--oidc-provider {} keeps its tokens (keep-tokens=true): give the key that seals them with --identity-token-key KID:BASE64",
                p.name
            )
            .into());
        }
        return Ok(None);
    };
    let mut keys = auth_core::TokenKeys::new(first.kid.clone(), first.key.as_slice())?;
    for older in older {
        keys = keys.with_verification_key(older.kid.clone(), older.key.as_slice())?;
    }
    tracing::info!(kid = %first.kid, "provider tokens are sealed with this identity token key");
    Ok(Some(keys))
}

/// The `--oidc-provider`s, discovered (or, when that fails, at their first sign-in),
/// with their flows in the engine's ephemeral store; `None` without any.
async fn sign_in_providers(
    cli: &Cli,
    stores: &crate::Stores,
    base_url: &str,
) -> Result<Option<Arc<dyn auth_http::SignInProviders>>, BoxError> {
    if cli.oidc_providers.is_empty() {
        return Ok(None);
    }
    let http = auth_oidc::http_client()?;
    let mut providers = Vec::new();
    for config in &cli.oidc_providers {
        let callback = format!(
            "{}{MOUNT}/oidc/{}/callback",
            base_url.trim_end_matches('/'),
            config.name
        );
        tracing::info!(provider = %config.name, issuer = %config.issuer, %callback, "sign-in with this provider is on");
        // A provider that is down does not keep the site from starting: it is
        // discovered at its first sign-in instead (502 until it answers).
        let provider = match auth_oidc::Provider::discover(config.clone(), &callback, &http).await {
            Err(auth_oidc::Error::Provider { source, .. }) => {
                tracing::warn!(provider = %config.name, error = %source, "the provider could not be discovered; trying again at its first sign-in");
                auth_oidc::Provider::deferred(config.clone(), &callback)?
            }
            discovered => discovered?,
        };
        providers.push(provider);
    }
    Ok(Some(Arc::new(auth_oidc::Oidc::new(
        providers,
        stores.ephemeral(),
        http,
    ))))
}

/// The scopes the demos let API keys carry: `read:profile` opens the demo's `/whoami`,
/// `admin:users` is there to be refused by it.
pub const API_KEY_SCOPES: [&str; 2] = ["read:profile", "admin:users"];

/// The configuration every program on the demo's data starts from (the sites, and
/// `auth-cli`): the name in mail, mailed links under `base_url` and [`MOUNT`], and the
/// signing key from [`secret`], which is also returned (the web layer needs it too), and
/// the demo's [`profile_fields`].
///
/// # Errors
/// An unreadable or too short secret.
pub fn base_config(
    database_url: &str,
    base_url: &str,
) -> Result<(auth_core::ConfigBuilder, Vec<u8>), BoxError> {
    let secret = secret(database_url)?;
    let config = auth_core::Config::builder()
        .app_name("Auth Demo")
        .base_url(base_url)
        .link_prefix(MOUNT)
        .signing_key("demo-1", secret.clone())
        .profile(profile_fields())
        .api_key_scopes(API_KEY_SCOPES);
    Ok((config, secret))
}

/// The webhook endpoints the flags ask for, if any (`--webhook`, `--webhook-secret`,
/// `--webhook-event`).
fn webhooks(cli: &Cli) -> Result<Option<Webhooks>, BoxError> {
    let (false, Some(secret)) = (cli.webhooks.is_empty(), &cli.webhook_secret) else {
        return Ok(None);
    };
    let endpoints = cli
        .webhooks
        .iter()
        .map(|url| {
            let endpoint = WebhookEndpoint::new(url, secret)?;
            if cli.webhook_events.is_empty() {
                Ok(endpoint)
            } else {
                endpoint.only_types(cli.webhook_events.iter().map(String::as_str))
            }
        })
        .collect::<auth_core::Result<Vec<_>>>()?;
    tracing::info!(endpoints = ?cli.webhooks, "audit events are sent as signed webhooks");
    Ok(Some(Webhooks::new(
        Arc::new(HttpSender::new()?),
        endpoints,
    )?))
}

/// The breached-password check the flags ask for, if any.
fn breach_check(cli: &Cli) -> Result<Option<BreachCheck>, BoxError> {
    let source: Arc<dyn BreachedPasswords> =
        match (&cli.breached_passwords_api, &cli.breached_passwords_file) {
            (Some(url), _) => Arc::new(RangeApi::new(url)?),
            (None, Some(path)) => Arc::new(SortedHashFile::open(path)?),
            (None, None) => return Ok(None),
        };
    tracing::info!(
        when_unavailable = ?cli.breached_passwords_unavailable,
        "new passwords known from breaches are refused"
    );
    Ok(Some(
        BreachCheck::new(source).when_unavailable(cli.breached_passwords_unavailable),
    ))
}

/// The demo's profile fields: the built-in display name (asked at registration, shown in
/// the header), language and time zone, and one field of the application's own, the
/// company (asked at registration, found by the admin search).
pub fn profile_fields() -> ProfileSchema {
    ProfileSchema::default()
        .field(
            ProfileField::text(auth_core::profile::DISPLAY_NAME)
                .label("Display name")
                .max_length(64)
                .at_registration(),
        )
        .field(
            ProfileField::text("company")
                .label("Company")
                .max_length(100)
                .at_registration()
                .searchable(),
        )
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    #[test]
    fn the_relying_party_comes_from_the_base_url() {
        let rp = relying_party("http://localhost:3000").unwrap().unwrap();
        assert_eq!(rp.rp_id(), "localhost");
        assert_eq!(rp.origins()[0].as_str(), "http://localhost:3000/");
        let rp = relying_party("https://login.example.com/")
            .unwrap()
            .unwrap();
        assert_eq!(rp.rp_id(), "login.example.com");
        assert!(relying_party("http://127.0.0.1:3000").unwrap().is_none());
        assert!(relying_party("http://[::1]:3000").unwrap().is_none());
        assert!(relying_party("localhost:3000").is_err());
        assert!(relying_party("http://:3000").is_err());
    }

    /// The SQLite database the demo creates, and the WAL and shared-memory files SQLite
    /// makes beside it, are readable by their owner only.
    #[cfg(unix)]
    #[tokio::test]
    async fn the_sqlite_database_and_its_companions_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        let cli = Cli::try_parse_from([
            "demo".to_owned(),
            "--database-url".to_owned(),
            format!("sqlite://{}", db.display()),
            "--mail-dir".to_owned(),
            dir.path().join("mail").display().to_string(),
        ])
        .unwrap();
        let (auth, _web) = engine(&cli, "http://127.0.0.1:3000").await.unwrap();
        auth.create_user(auth_core::NewUser {
            email: "ada@example.com".into(),
            username: None,
            password: "correct horse battery staple".into(),
            roles: Vec::new(),
            verified: true,
            profile: Default::default(),
        })
        .await
        .unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let path = dir.path().join(format!("demo.db{suffix}"));
            let meta =
                std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mode = meta.permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}: {mode:o}", path.display());
        }
    }
}
