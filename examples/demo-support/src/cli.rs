//! The command line shared by the demos.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use auth_core::WhenUnavailable;
use auth_http::ProxyHeader;
use clap::{Parser, Subcommand};

use crate::StoreArgs;

/// Run the demo site, or manage it from the command line.
///
/// `Debug` shows no secret: passwords and secret query parameters in the database, Redis
/// and SMTP URLs, and `create-user --password`, are shown as `[redacted]`.
#[derive(Clone, Parser)]
#[command(name = "demo", version)]
pub struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub addr: SocketAddr,
    /// Where accounts, sessions and counters live.
    #[command(flatten)]
    pub stores: StoreArgs,
    /// Directory the development mailer writes .eml files into (when no SMTP URL).
    #[arg(long, env = "MAIL_DIR", default_value = "mail", global = true)]
    pub mail_dir: PathBuf,
    /// Send mail over SMTP, e.g. smtp://user:pass@host:587?tls=starttls&from=...
    #[arg(long, env = "SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// Scheme, host and port used in mailed links (default: the listening address).
    #[arg(long, env = "BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// How long every mailed link (confirmation, password reset, change of address) stays
    /// valid: a number and a unit (s, m, h or d), e.g. 30m, or 2s to try expired links;
    /// 1s to 30d. Default: 24h for confirmation and change-of-address links, 30m for
    /// reset links.
    #[arg(long, env = "LINK_LIFETIME", value_name = "DURATION", value_parser = parse_link_lifetime, global = true)]
    pub link_lifetime: Option<Duration>,
    /// Requires a second factor of every holder of this role (repeatable, e.g.
    /// `--require-second-factor-role admin`): such a user without one is sent to enrol
    /// one right after the password and reaches nothing else until enrolled. None by
    /// default.
    #[arg(
        long = "require-second-factor-role",
        env = "REQUIRE_SECOND_FACTOR_ROLES",
        value_name = "ROLE",
        value_delimiter = ',',
        global = true
    )]
    pub second_factor_roles: Vec<String>,
    /// How recent a sign-in or re-authentication must be for sensitive actions (changing
    /// the password or address, removing the second factor, deleting the account, admin
    /// actions on accounts): a number and a unit (s, m, h or d), 1s to 30d. Default 10m.
    #[arg(long, env = "STEP_UP_MAX_AGE", value_name = "DURATION", value_parser = parse_link_lifetime, global = true)]
    pub step_up_max_age: Option<Duration>,
    /// Opt into serving a session for at most this many milliseconds after it was
    /// revoked on another instance (logout, password change, disabled account), for
    /// speed: each instance then reads the store's revision of users and sessions at
    /// most once per this interval instead of on every authenticated request. 0, the
    /// default, for none: a revoked session is refused everywhere as soon as the
    /// revoking request returned. At most 600000 (ten minutes).
    #[arg(
        long,
        env = "SESSION_STALENESS",
        value_name = "MS",
        default_value_t = 0,
        value_parser = clap::value_parser!(u32).range(0..=600_000),
        global = true
    )]
    pub session_staleness: u32,
    /// How many reverse proxies stand in front of the site, each appending the address
    /// that connected to it to --proxy-header; the client address (for rate limits and
    /// the device list) is the one the outermost of them appended. 0, the default, takes
    /// the connection's address and ignores the header: set it only behind such proxies.
    #[arg(
        long,
        env = "TRUSTED_PROXIES",
        value_name = "HOPS",
        default_value_t = 0,
        global = true
    )]
    pub trusted_proxies: u8,
    /// The header the trusted proxies write: x-forwarded-for, or forwarded (RFC 7239).
    #[arg(long, env = "PROXY_HEADER", value_name = "HEADER", default_value = "x-forwarded-for", value_parser = parse_proxy_header, global = true)]
    pub proxy_header: ProxyHeader,
    /// Serve Prometheus metrics (see auth_core::telemetry) at http://ADDR/metrics, on a
    /// listener of their own so that they stay off the site. Off by default.
    #[arg(long, env = "METRICS_ADDR", value_name = "ADDR", global = true)]
    pub metrics_addr: Option<SocketAddr>,
    /// Refuse new passwords found in known breaches, looked up in this k-anonymity range
    /// API (`https://api.pwnedpasswords.com/range/` is the public one): only the first five
    /// hex digits of a password's SHA-1 are sent. Off by default.
    #[arg(
        long,
        env = "BREACHED_PASSWORDS_API",
        value_name = "URL",
        conflicts_with = "breached_passwords_file",
        global = true
    )]
    pub breached_passwords_api: Option<String>,
    /// Refuse new passwords found in this local file instead: one `SHA1:COUNT` line per
    /// hash, sorted by hash (as the Pwned Passwords downloader writes it), for sites
    /// without internet access.
    #[arg(
        long,
        env = "BREACHED_PASSWORDS_FILE",
        value_name = "PATH",
        global = true
    )]
    pub breached_passwords_file: Option<PathBuf>,
    /// What to do with a new password when the breach source fails or takes more than
    /// two seconds: accept it (the default; registration keeps working) or refuse it.
    #[arg(long, env = "BREACHED_PASSWORDS_UNAVAILABLE", value_name = "accept|refuse", default_value = "accept", value_parser = parse_when_unavailable, global = true)]
    pub breached_passwords_unavailable: WhenUnavailable,
    /// Open sign-up only to addresses at these domains (repeat the flag, or separate
    /// them with commas), through the engine's before-registration hook; others are
    /// refused on the email field. Default: every domain.
    #[arg(
        long = "sign-up-domain",
        env = "SIGN_UP_DOMAINS",
        value_name = "DOMAIN",
        value_delimiter = ',',
        global = true
    )]
    pub sign_up_domains: Vec<String>,
    /// Send every audit event as a signed webhook (Standard Webhooks, see
    /// docs/webhooks.md) to this URL (repeat the flag, or separate them with commas),
    /// through the outbox; needs `--webhook-secret`. Off by default. Plain `http://` only
    /// to a loopback address.
    #[arg(
        long = "webhook",
        env = "WEBHOOKS",
        value_name = "URL",
        value_delimiter = ',',
        requires = "webhook_secret",
        global = true
    )]
    pub webhooks: Vec<String>,
    /// The secret that signs the webhooks, `whsec_` and the Base64 of 24 to 64 random
    /// bytes (better given through the environment than on the command line).
    #[arg(long, env = "WEBHOOK_SECRET", value_name = "whsec_...", global = true)]
    pub webhook_secret: Option<String>,
    /// Send only these event types (`auth.login_failed`, or `login_failed`; repeat or
    /// comma-separate). Default: every event.
    #[arg(
        long = "webhook-event",
        env = "WEBHOOK_EVENTS",
        value_name = "TYPE",
        value_delimiter = ',',
        global = true
    )]
    pub webhook_events: Vec<String>,
    /// Attempts at each outbox message (mail or webhook call), the first included,
    /// before it is marked failed and waits for an administrator (`/auth/admin/mail`,
    /// `/auth/admin/webhooks`). Default: the engine's (30, about a day of retries).
    #[arg(
        long,
        env = "OUTBOX_MAX_ATTEMPTS",
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub outbox_max_attempts: Option<u32>,
    /// Let people sign in with a code or link mailed to them, instead of the password
    /// (a second factor enrolled on the account is still asked for). Off by default.
    #[arg(long, env = "EMAIL_SIGN_IN", global = true)]
    pub email_sign_in: bool,
    /// Let people sign up with a passkey instead of a password: the account has passkeys
    /// and no password, and confirms its address by the mailed link as any sign-up.
    /// Needs passkeys (a host name in `--base-url`). Off by default.
    #[arg(long, env = "PASSKEY_SIGN_UP", global = true)]
    pub passkey_sign_up: bool,
    /// The private key that signs the access tokens of `POST /auth/api/token`: a PEM
    /// PKCS#8 file, Ed25519 (`openssl genpkey -algorithm ed25519`, tokens signed with
    /// EdDSA) or P-256 (ES256). Without it a key is generated at start (logged as a
    /// warning): tokens then die with the process, and instances do not share it.
    #[arg(long, env = "ACCESS_TOKEN_KEY", value_name = "FILE", global = true)]
    pub access_token_key: Option<PathBuf>,
    /// A key that signed access tokens before the current one (PEM, public or private;
    /// repeat the flag, or separate with commas): still published in the JWKS so that
    /// its tokens verify until they expire. Drop it once the overlap is over.
    #[arg(
        long = "access-token-previous-key",
        env = "ACCESS_TOKEN_PREVIOUS_KEYS",
        value_name = "FILE",
        value_delimiter = ',',
        global = true
    )]
    pub access_token_previous_keys: Vec<PathBuf>,
    /// The services access tokens may be asked for (their `aud`; repeat the flag, or
    /// separate with commas); the first is the default.
    #[arg(
        long = "access-token-audience",
        env = "ACCESS_TOKEN_AUDIENCES",
        value_name = "NAME",
        value_delimiter = ',',
        default_value = "demo-service",
        global = true
    )]
    pub access_token_audiences: Vec<String>,
    /// Offer sign-in with an OpenID Connect provider (repeat the flag for several; in
    /// the environment, separate them with `;`):
    /// `name=NAME,issuer=ISSUER_URL,client-id=ID,client-secret=SECRET` with optional
    /// `label=TEXT` (the button says "Continue with TEXT"), `sign-up=false` (only
    /// accounts already linked may sign in), `trust-mfa=true` (an ID token whose `amr`
    /// shows several factors, e.g. `mfa`, `otp`, `hwk`, stands in for the local second
    /// step) and `keep-tokens=true` (the provider's access and refresh tokens are kept,
    /// sealed with `--identity-token-key`); or
    /// `preset=google|microsoft|gitlab|github,client-id=ID,client-secret=SECRET` (the
    /// preset names the provider and gives its issuer, scopes and label; Microsoft
    /// takes `tenant=...`; the options above apply too). Register
    /// `BASE_URL/auth/oidc/NAME/callback` as the redirect URI at the provider. The
    /// provider is discovered at start-up (when it is down, at its first sign-in,
    /// answering 502 until then). None by default.
    #[arg(
        long = "oidc-provider",
        env = "OIDC_PROVIDERS",
        value_name = "SPEC",
        value_delimiter = ';',
        value_parser = parse_oidc_provider,
        global = true
    )]
    pub oidc_providers: Vec<auth_oidc::ProviderConfig>,
    /// The keys that seal the provider tokens kept for a provider with
    /// `keep-tokens=true`: `KEY_ID:BASE64` of 32 random bytes (e.g.
    /// `k1:$(head -c32 /dev/urandom | base64)`). Repeat the flag, or separate with
    /// commas: the first seals, the others only open what they sealed (keep an old key
    /// after a rotation until its identities have signed in again). Required when a
    /// provider keeps tokens.
    #[arg(
        long = "identity-token-key",
        env = "IDENTITY_TOKEN_KEYS",
        value_name = "KID:BASE64",
        value_delimiter = ',',
        value_parser = parse_identity_token_key,
        global = true
    )]
    pub identity_token_keys: Vec<IdentityTokenKey>,
    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands. `Debug` shows no password.
#[derive(Clone, Subcommand)]
pub enum Command {
    /// Create an account directly (no confirmation mail).
    CreateUser {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Password (the password policy applies).
        #[arg(long)]
        password: String,
        /// Grant the admin role.
        #[arg(long)]
        admin: bool,
        /// Mark the email address as confirmed.
        #[arg(long)]
        verified: bool,
    },
}

/// One `--identity-token-key`: a key id and 32 bytes. `Debug` shows the id only.
#[derive(Clone)]
pub struct IdentityTokenKey {
    /// The key id, stored with what the key sealed.
    pub kid: String,
    /// The key.
    pub key: zeroize::Zeroizing<Vec<u8>>,
}

impl fmt::Debug for IdentityTokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityTokenKey")
            .field("kid", &self.kid)
            .field("key", &REDACTED)
            .finish()
    }
}

/// One `--identity-token-key`: `KID:BASE64` of exactly 32 bytes.
fn parse_identity_token_key(spec: &str) -> Result<IdentityTokenKey, String> {
    use base64::Engine as _;
    let (kid, encoded) = spec
        .split_once(':')
        .filter(|(kid, _)| !kid.is_empty())
        .ok_or("expected KEY_ID:BASE64")?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| format!("identity token key {kid:?}: not base64"))?;
    if key.len() != 32 {
        return Err(format!(
            "identity token key {kid:?}: {} bytes, expected 32",
            key.len()
        ));
    }
    Ok(IdentityTokenKey {
        kid: kid.to_owned(),
        key: zeroize::Zeroizing::new(key),
    })
}

/// One `--oidc-provider` (see [`auth_oidc::ProviderConfig::parse`]).
fn parse_oidc_provider(spec: &str) -> Result<auth_oidc::ProviderConfig, String> {
    auth_oidc::ProviderConfig::parse(spec).map_err(|e| e.to_string())
}

/// What `Debug` shows instead of a secret.
const REDACTED: &str = "[redacted]";

impl fmt::Debug for Cli {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cli")
            .field("addr", &self.addr)
            .field("stores", &self.stores)
            .field("mail_dir", &self.mail_dir)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("base_url", &self.base_url.as_deref().map(redact_url))
            .field("link_lifetime", &self.link_lifetime)
            .field("email_sign_in", &self.email_sign_in)
            .field("passkey_sign_up", &self.passkey_sign_up)
            .field("oidc_providers", &self.oidc_providers)
            .field("identity_token_keys", &self.identity_token_keys)
            .field("second_factor_roles", &self.second_factor_roles)
            .field("step_up_max_age", &self.step_up_max_age)
            .field("session_staleness", &self.session_staleness)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("proxy_header", &self.proxy_header)
            .field("metrics_addr", &self.metrics_addr)
            .field(
                "breached_passwords_api",
                &self.breached_passwords_api.as_deref().map(redact_url),
            )
            .field("breached_passwords_file", &self.breached_passwords_file)
            .field(
                "breached_passwords_unavailable",
                &self.breached_passwords_unavailable,
            )
            .field("sign_up_domains", &self.sign_up_domains)
            .field("webhooks", &self.webhooks)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| REDACTED),
            )
            .field("webhook_events", &self.webhook_events)
            .field("outbox_max_attempts", &self.outbox_max_attempts)
            .field("command", &self.command)
            .finish()
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CreateUser {
                email,
                password: _,
                admin,
                verified,
            } => f
                .debug_struct("CreateUser")
                .field("email", email)
                .field("password", &REDACTED)
                .field("admin", admin)
                .field("verified", verified)
                .finish(),
        }
    }
}

/// `url` with the password of its user info (`scheme://user:PASSWORD@host`) and the
/// values of query parameters that name a secret (`password`, `pass`, `secret`, `token`,
/// `key`, in any case or as part of a longer name) replaced by [`REDACTED`]. Text that is
/// no URL is returned as it is.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:{REDACTED}@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (tail, None),
    };
    let tail = match before_fragment.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, _value)) if names_a_secret(name) => format!("{name}={REDACTED}"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => before_fragment.to_owned(),
    };
    match fragment {
        Some(fragment) => format!("{scheme}://{authority}{tail}#{fragment}"),
        None => format!("{scheme}://{authority}{tail}"),
    }
}

/// Whether a query parameter's name says its value is a secret.
fn names_a_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["pass", "secret", "token", "key", "auth"]
        .iter()
        .any(|word| name.contains(word))
}

impl Cli {
    /// The base of mailed links for a site listening on `local`: `--base-url`, or
    /// `http://` + the address (127.0.0.1 when listening on every interface).
    pub fn base_url_for(&self, local: SocketAddr) -> String {
        match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if local.ip().is_unspecified() => format!("http://127.0.0.1:{}", local.port()),
            None => format!("http://{local}"),
        }
    }
}

/// Parses `--breached-passwords-unavailable`.
fn parse_when_unavailable(text: &str) -> Result<WhenUnavailable, String> {
    match text {
        "accept" => Ok(WhenUnavailable::Accept),
        "refuse" => Ok(WhenUnavailable::Refuse),
        _ => Err(format!("expected accept or refuse, got {text:?}")),
    }
}

/// Parses `--proxy-header`.
fn parse_proxy_header(text: &str) -> Result<ProxyHeader, String> {
    ProxyHeader::from_name(text)
        .ok_or_else(|| format!("expected x-forwarded-for or forwarded, got {text:?}"))
}

/// Parses `--link-lifetime`: a whole number and one unit, `s`, `m`, `h` or `d`; refuses
/// zero (every link would be dead on arrival) and more than auth-core accepts
/// ([`auth_core::TokenLifetimes::LONGEST`], 30 days), before anything starts.
fn parse_link_lifetime(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let seconds_per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 60 * 60,
        "d" => 24 * 60 * 60,
        _ => 0,
    };
    let number: u64 = match number.parse() {
        Ok(n) if seconds_per_unit > 0 => n,
        _ => {
            return Err(format!(
                "expected a whole number and a unit (s, m, h or d), e.g. 30m or 2s; got {text:?}"
            ));
        }
    };
    if number == 0 {
        return Err("a link lifetime of zero would make every mailed link dead on arrival; the shortest is 1s".into());
    }
    let longest = auth_core::TokenLifetimes::LONGEST;
    match number
        .checked_mul(seconds_per_unit)
        .map(Duration::from_secs)
    {
        Some(lifetime) if lifetime <= longest => Ok(lifetime),
        _ => Err(format!(
            "{text} is too long: mailed links may live at most {}d",
            longest.whole_days()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_with_defaults_and_the_subcommand() {
        let cli = Cli::try_parse_from(["demo", "--addr", "127.0.0.1:0"]).unwrap();
        assert_eq!(cli.addr.port(), 0);
        assert_eq!(cli.stores.table_prefix, "auth_");
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from([
            "demo",
            "create-user",
            "--email",
            "a@b.example",
            "--password",
            "pw",
            "--admin",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::CreateUser {
                admin: true,
                verified: false,
                ..
            })
        ));
        assert!(Cli::try_parse_from(["demo", "--addr", "not an address"]).is_err());
    }

    #[test]
    fn link_lifetimes_parse_and_absurd_ones_are_refused() {
        let lifetime = |text: &str| {
            Cli::try_parse_from(["demo".to_owned(), format!("--link-lifetime={text}")])
                .map(|cli| cli.link_lifetime)
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            Cli::try_parse_from(["demo"]).unwrap().link_lifetime,
            None,
            "auth-core's per-link defaults"
        );
        for (text, seconds) in [
            ("2s", 2),
            ("90s", 90),
            ("30m", 1800),
            ("24h", 86_400),
            ("30d", 2_592_000),
        ] {
            assert_eq!(
                lifetime(text),
                Ok(Some(Duration::from_secs(seconds))),
                "{text}"
            );
        }
        for (text, why) in [
            ("0s", "dead on arrival"),
            ("0d", "dead on arrival"),
            ("31d", "at most 30d"),
            ("2592001s", "at most 30d"),
            ("99999999999999999999d", "a whole number and a unit"),
            ("18446744073709551615d", "at most 30d"),
            ("2", "a whole number and a unit"),
            ("s", "a whole number and a unit"),
            ("1.5h", "a whole number and a unit"),
            ("-1s", "a whole number and a unit"),
            ("2 weeks", "a whole number and a unit"),
        ] {
            let error = lifetime(text).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
            assert!(error.contains("--link-lifetime"), "{text}: {error}");
        }
    }

    #[test]
    fn debug_shows_no_password_or_secret() {
        let cli = Cli::try_parse_from([
            "demo",
            "--database-url",
            "postgres://app:pg-s3cret@db.example:5432/auth?sslmode=require&password=pg-q-secret",
            "--redis-url",
            "rediss://:redis-s3cret@cache.example:6380/0",
            "--smtp-url",
            "smtp://mailer:smtp%40s3cret@mail.example:587?tls=starttls&from=demo%40example.com&auth_token=smtp-token",
            "create-user",
            "--email",
            "ada@example.com",
            "--password",
            "correct horse battery staple",
        ])
        .unwrap();
        let shown = format!("{cli:?} {cli:#?}");
        for secret in [
            "pg-s3cret",
            "pg-q-secret",
            "redis-s3cret",
            "smtp%40s3cret",
            "smtp-token",
            "correct horse",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        for kept in [
            "postgres://app:[redacted]@db.example:5432/auth?sslmode=require&password=[redacted]",
            "rediss://:[redacted]@cache.example:6380/0",
            "smtp://mailer:[redacted]@mail.example:587?tls=starttls&from=demo%40example.com&auth_token=[redacted]",
            "ada@example.com",
            "password: \"[redacted]\"",
        ] {
            assert!(shown.contains(kept), "{kept} not in {shown}");
        }
        // Without secrets, URLs show as given.
        for url in [
            "sqlite://auth-demo.db",
            "sqlite::memory:",
            "redis://cache.example/0",
            "smtp://mailer@mail.example:587?tls=starttls#x",
            "postgres://db.example/auth?sslmode=require",
            "not a url",
        ] {
            assert_eq!(redact_url(url), url);
        }
        assert_eq!(
            redact_url("redis://u:p@w@host/0#frag"),
            "redis://u:[redacted]@host/0#frag",
            "the host follows the last @"
        );
    }

    #[test]
    fn cluster_nodes_repeat_or_split_on_commas_hide_passwords_and_exclude_a_server_url() {
        let cli = Cli::try_parse_from([
            "demo",
            "--redis-cluster-node",
            "redis://:node-s3cret@10.0.0.1:7000/,redis://10.0.0.2:7000/",
            "--redis-cluster-node",
            "redis://10.0.0.3:7000/",
        ])
        .unwrap();
        assert_eq!(
            cli.stores.redis_cluster_nodes,
            [
                "redis://:node-s3cret@10.0.0.1:7000/",
                "redis://10.0.0.2:7000/",
                "redis://10.0.0.3:7000/"
            ]
        );
        let shown = format!("{cli:?}");
        assert!(!shown.contains("node-s3cret"), "{shown}");
        assert!(
            shown.contains("redis://:[redacted]@10.0.0.1:7000/"),
            "{shown}"
        );
        assert!(
            Cli::try_parse_from([
                "demo",
                "--redis-url",
                "redis://a/",
                "--redis-cluster-node",
                "redis://b/"
            ])
            .is_err(),
            "one server or a cluster, not both"
        );
        assert!(
            Cli::try_parse_from(["demo"])
                .unwrap()
                .stores
                .redis_cluster_nodes
                .is_empty()
        );
    }

    #[test]
    fn trusted_proxies_are_off_unless_asked_for() {
        let cli = Cli::try_parse_from(["demo"]).unwrap();
        assert_eq!(
            (cli.trusted_proxies, cli.proxy_header),
            (0, ProxyHeader::XForwardedFor)
        );
        let cli = Cli::try_parse_from([
            "demo",
            "--trusted-proxies",
            "2",
            "--proxy-header",
            "Forwarded",
        ])
        .unwrap();
        assert_eq!(
            (cli.trusted_proxies, cli.proxy_header),
            (2, ProxyHeader::Forwarded)
        );
        for bad in [
            ["--trusted-proxies", "-1"],
            ["--trusted-proxies", "256"],
            ["--trusted-proxies", "many"],
            ["--proxy-header", "x-real-ip"],
        ] {
            let arg = format!("{}={}", bad[0], bad[1]);
            let error = Cli::try_parse_from(["demo", &arg]).unwrap_err();
            assert!(error.to_string().contains(bad[0]), "{bad:?}: {error}");
        }
    }

    #[test]
    fn mailed_links_use_the_real_address() {
        let cli = Cli::try_parse_from(["demo"]).unwrap();
        assert_eq!(
            cli.base_url_for("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            cli.base_url_for("127.0.0.1:4000".parse().unwrap()),
            "http://127.0.0.1:4000"
        );
        let cli = Cli::try_parse_from(["demo", "--base-url", "https://demo.example/"]).unwrap();
        assert_eq!(
            cli.base_url_for("127.0.0.1:4000".parse().unwrap()),
            "https://demo.example"
        );
    }
}
