//! Validated configuration with safe defaults.
//!
//! Build it with [`Config::builder`]; [`ConfigBuilder::build`] refuses unsafe values
//! (a signing secret shorter than 32 bytes, Argon2 parameters below the floor, a
//! password policy that allows short passwords, a base URL that is not http(s)).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use auth_i18n::Catalogues;
use time::Duration;

use crate::email_code::EmailCodes;
use crate::error::{Error, Result};
use crate::machine::{LockoutPolicy, Policy};
use crate::mail::{Composer, OutboxPolicy};
use crate::password::{HashParams, Hasher, PasswordPolicy};
use crate::profile::ProfileSchema;
use crate::token::{TokenKeys, TokenLifetimes, TokenService};

/// How registration answers for an address that already has an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RegistrationMode {
    /// Every registration gets the same answer ("check your email"); the owner of an
    /// existing address is mailed instead. Nobody learns which addresses have accounts.
    /// The default.
    #[default]
    EnumerationSafe,
    /// A taken address is reported as a conflict (409). Friendlier, but it tells anyone
    /// whether an address has an account.
    RevealConflicts,
}

/// Session lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    /// Hard limit of an ordinary session.
    pub lifetime: Duration,
    /// An ordinary session dies after this long without use.
    pub idle_timeout: Duration,
    /// Hard limit of a "remember me" session.
    pub remember_lifetime: Duration,
    /// A "remember me" session dies after this long without use.
    pub remember_idle_timeout: Duration,
    /// Last-seen is written at most this often per session, so that authenticating a
    /// request is normally a single read.
    pub touch_interval: Duration,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            lifetime: Duration::hours(12),
            idle_timeout: Duration::hours(2),
            remember_lifetime: Duration::days(30),
            remember_idle_timeout: Duration::days(14),
            touch_interval: Duration::minutes(1),
        }
    }
}

/// A fixed-window rate limit: at most `max` attempts per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Attempts allowed per window.
    pub max: u64,
    /// The window.
    pub window: Duration,
}

impl RateLimit {
    /// `max` attempts per `window`.
    pub const fn new(max: u64, window: Duration) -> Self {
        Self { max, window }
    }
}

/// Rate limits per flow, shared between instances through the counter store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts per client IP address.
    pub login_per_ip: RateLimit,
    /// Sign-in attempts per identifier (email or username).
    pub login_per_identifier: RateLimit,
    /// Registrations per client IP address.
    pub register_per_ip: RateLimit,
    /// Reset or verification mails requested per client IP address.
    pub mail_per_ip: RateLimit,
    /// Reset, verification or change-of-address mails requested per address they go to.
    pub mail_per_address: RateLimit,
    /// Changes of address requested per account.
    pub email_change_per_account: RateLimit,
    /// Access tokens issued per account (by session or API key, see
    /// [`Auth::admit_access_token`](crate::Auth::admit_access_token)).
    pub token_per_account: RateLimit,
    /// The IPv6 prefix length whose addresses count as one client (default 64: one
    /// customer usually holds a whole /64). IPv4 addresses count one by one.
    pub ipv6_prefix: u8,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip: RateLimit::new(30, Duration::minutes(1)),
            login_per_identifier: RateLimit::new(10, Duration::minutes(1)),
            register_per_ip: RateLimit::new(10, Duration::hours(1)),
            mail_per_ip: RateLimit::new(20, Duration::hours(1)),
            mail_per_address: RateLimit::new(5, Duration::hours(1)),
            email_change_per_account: RateLimit::new(5, Duration::hours(1)),
            token_per_account: RateLimit::new(60, Duration::minutes(1)),
            ipv6_prefix: 64,
        }
    }
}

/// Where mailed links point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// Scheme, host and port of the site, without a trailing slash
    /// (e.g. `https://example.com`).
    pub base_url: String,
    /// The path the auth routes are mounted at (e.g. `/auth`), without a trailing slash.
    pub prefix: String,
}

impl Links {
    /// `{base_url}{prefix}/verify/{token}`.
    pub fn verify(&self, token: &str) -> String {
        format!("{}{}/verify/{token}", self.base_url, self.prefix)
    }

    /// `{base_url}{prefix}/reset/{token}`.
    pub fn reset(&self, token: &str) -> String {
        format!("{}{}/reset/{token}", self.base_url, self.prefix)
    }

    /// `{base_url}{prefix}/email/confirm/{token}`.
    pub fn confirm_email(&self, token: &str) -> String {
        format!("{}{}/email/confirm/{token}", self.base_url, self.prefix)
    }

    /// `{base_url}{prefix}/login`.
    pub fn login(&self) -> String {
        format!("{}{}/login", self.base_url, self.prefix)
    }

    /// `{base_url}{prefix}/login/email/{token}`: a mailed sign-in link.
    pub fn email_sign_in(&self, token: &str) -> String {
        format!("{}{}/login/email/{token}", self.base_url, self.prefix)
    }

    /// `{base_url}{prefix}/request_password_reset`.
    pub fn request_reset(&self) -> String {
        format!("{}{}/request_password_reset", self.base_url, self.prefix)
    }
}

/// The validated configuration of an [`Auth`](crate::Auth) engine.
#[derive(Clone)]
pub struct Config {
    pub(crate) app_name: String,
    pub(crate) links: Links,
    /// Built once here, so a bad key or lifetime is refused by `build`.
    pub(crate) tokens: TokenService,
    pub(crate) hash_params: HashParams,
    /// Built once here (its checks refuse a bad pepper or concurrency); engines built from
    /// clones of this configuration share its semaphore, so together they stay bounded.
    pub(crate) hasher: Hasher,
    pub(crate) password_policy: PasswordPolicy,
    pub(crate) sessions: SessionConfig,
    pub(crate) session_staleness: Duration,
    pub(crate) policy: Policy,
    pub(crate) rate_limits: RateLimits,
    pub(crate) registration: RegistrationMode,
    pub(crate) admin_role: String,
    pub(crate) mail_in_background: bool,
    pub(crate) outbox: OutboxPolicy,
    pub(crate) composer: Arc<Composer>,
    pub(crate) profile: Arc<ProfileSchema>,
    pub(crate) api_key_scopes: Arc<[String]>,
    pub(crate) email_codes: EmailCodes,
    pub(crate) step_up: StepUpPolicy,
    pub(crate) passkey_sign_up: bool,
    pub(crate) catalogues: Arc<Catalogues>,
}

/// Default of [`ConfigBuilder::step_up_max_age`]: ten minutes.
pub const DEFAULT_STEP_UP_MAX_AGE: Duration = Duration::minutes(10);

/// What sensitive actions demand of a session (see [`ConfigBuilder::step_up_max_age`]
/// and [`ConfigBuilder::require_second_factor_for_role`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepUpPolicy {
    /// How recent a session's last proof must be for a sensitive action.
    pub max_age: Duration,
    /// Roles whose holders must enrol a second factor before reaching anything else.
    pub second_factor_roles: Arc<[String]>,
}

impl Default for StepUpPolicy {
    fn default() -> Self {
        Self {
            max_age: DEFAULT_STEP_UP_MAX_AGE,
            second_factor_roles: Arc::from(Vec::new()),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("app_name", &self.app_name)
            .field("links", &self.links)
            .field("tokens", &self.tokens)
            .field("hasher", &self.hasher)
            .field("sessions", &self.sessions)
            .field("session_staleness", &self.session_staleness)
            .field("policy", &self.policy)
            .field("rate_limits", &self.rate_limits)
            .field("registration", &self.registration)
            .field("step_up", &self.step_up)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A builder with safe defaults; only the signing key and base URL must be given.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The application's name, used in mails.
    pub fn app_name(&self) -> &str {
        &self.app_name
    }

    /// Where mailed links point.
    pub fn links(&self) -> &Links {
        &self.links
    }

    /// Session lifetimes.
    pub fn sessions(&self) -> &SessionConfig {
        &self.sessions
    }

    /// How long a revoked session may still be served from an instance's memory (see
    /// [`ConfigBuilder::session_staleness`]); zero, the default, for never.
    pub fn session_staleness(&self) -> Duration {
        self.session_staleness
    }

    /// How repeated wrong passwords lock.
    pub fn lockout(&self) -> LockoutPolicy {
        self.policy.lockout
    }

    /// Whether sign-in requires a confirmed email address.
    pub fn requires_verified_email(&self) -> bool {
        self.policy.require_verified_email
    }

    /// Rate limits.
    pub fn rate_limits(&self) -> &RateLimits {
        &self.rate_limits
    }

    /// The password policy.
    pub fn password_policy(&self) -> &PasswordPolicy {
        &self.password_policy
    }

    /// The Argon2 parameters.
    pub fn hash_params(&self) -> &HashParams {
        &self.hash_params
    }

    /// How registration treats taken addresses.
    pub fn registration(&self) -> RegistrationMode {
        self.registration
    }

    /// The role that grants the admin operations.
    pub fn admin_role(&self) -> &str {
        &self.admin_role
    }

    /// The declared profile fields.
    pub fn profile(&self) -> &ProfileSchema {
        &self.profile
    }

    /// Link token lifetimes.
    pub fn token_lifetimes(&self) -> TokenLifetimes {
        self.tokens.lifetimes()
    }

    /// The scopes API keys may carry, as declared (none by default).
    pub fn api_key_scopes(&self) -> &[String] {
        &self.api_key_scopes
    }

    /// Mailed one-time codes, and whether sign-in by mail is on.
    pub fn email_codes(&self) -> &EmailCodes {
        &self.email_codes
    }

    /// What sensitive actions demand: how recent a proof, and which roles must hold a
    /// second factor.
    pub fn step_up(&self) -> &StepUpPolicy {
        &self.step_up
    }

    /// Whether people may sign up with a passkey and no password (see
    /// [`ConfigBuilder::passkey_sign_up`]).
    pub fn passkey_sign_up(&self) -> bool {
        self.passkey_sign_up
    }

    /// The message catalogues mails, pages and messages are rendered from (see
    /// [`ConfigBuilder::catalogues`]); the web layer reads them here, so an application
    /// gives its languages and overrides once.
    pub fn catalogues(&self) -> &Arc<Catalogues> {
        &self.catalogues
    }
}

/// Builds a [`Config`]; see [`Config::builder`].
#[derive(Default)]
pub struct ConfigBuilder {
    app_name: Option<String>,
    base_url: Option<String>,
    link_prefix: Option<String>,
    signing_key: Option<(String, Vec<u8>)>,
    verification_keys: Vec<(String, Vec<u8>)>,
    token_lifetimes: Option<TokenLifetimes>,
    hash_params: Option<HashParams>,
    pepper: Option<Vec<u8>>,
    max_concurrent_hashes: Option<usize>,
    password_policy: Option<PasswordPolicy>,
    sessions: Option<SessionConfig>,
    session_staleness: Duration,
    lockout: Option<LockoutPolicy>,
    require_verified_email: bool,
    rate_limits: Option<RateLimits>,
    registration: RegistrationMode,
    admin_role: Option<String>,
    mail_in_background: Option<bool>,
    outbox: OutboxPolicy,
    mail_templates: BTreeMap<String, String>,
    profile: Option<ProfileSchema>,
    api_key_scopes: Vec<String>,
    email_codes: EmailCodes,
    step_up_max_age: Option<Duration>,
    second_factor_roles: Vec<String>,
    passkey_sign_up: bool,
    catalogues: Option<Catalogues>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// The application's name, shown in mails (default "Your account").
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }

    /// Scheme, host and port of the site, used in mailed links (required).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The path the auth routes are mounted at (default `/auth`).
    pub fn link_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.link_prefix = Some(prefix.into());
        self
    }

    /// The key that signs new link tokens (required; at least 32 bytes).
    pub fn signing_key(mut self, kid: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        self.signing_key = Some((kid.into(), secret.into()));
        self
    }

    /// An older key still accepted when verifying tokens, for rotation.
    pub fn verification_key(mut self, kid: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        self.verification_keys.push((kid.into(), secret.into()));
        self
    }

    /// Link token lifetimes (defaults: verify 24 h, reset 30 min, change email 24 h).
    pub fn token_lifetimes(mut self, lifetimes: TokenLifetimes) -> Self {
        self.token_lifetimes = Some(lifetimes);
        self
    }

    /// Argon2id parameters (default: OWASP m=19456 KiB, t=2, p=1).
    pub fn hash_params(mut self, params: HashParams) -> Self {
        self.hash_params = Some(params);
        self
    }

    /// A secret mixed into every password hash. Changing or losing it makes every
    /// stored password unverifiable.
    pub fn pepper(mut self, pepper: impl Into<Vec<u8>>) -> Self {
        self.pepper = Some(pepper.into());
        self
    }

    /// How many hashes may run at once (default: the number of CPUs). Bounds the CPU
    /// and memory a login storm can take.
    pub fn max_concurrent_hashes(mut self, n: usize) -> Self {
        self.max_concurrent_hashes = Some(n);
        self
    }

    /// The password policy.
    pub fn password_policy(mut self, policy: PasswordPolicy) -> Self {
        self.password_policy = Some(policy);
        self
    }

    /// Session lifetimes.
    pub fn sessions(mut self, sessions: SessionConfig) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// Opts into a bounded staleness of session lookups, for speed (default zero: none).
    ///
    /// The engine keeps the lookups of live sessions in memory and checks, before
    /// serving one again, that the store's revision of users and sessions has not moved
    /// since (see [`Auth::authenticate_shared`](crate::Auth::authenticate_shared)). By
    /// default that check reads the revision on every request, so a revoked session
    /// (logout, password change, disabled account, administrator's sign-out) is refused
    /// on every instance from the moment the revoking call returned. With a staleness,
    /// an instance reads the revision at most once per `staleness` and trusts its copy
    /// in between: an authenticated request then costs no store round trip, and a
    /// session revoked on another instance may still be served there for at most
    /// `staleness` after the revoking call returned (never longer: the copy is read
    /// again then). Writes made by the instance itself drop its copy at once when the
    /// revision is kept apart ([`AuthBuilder::revisions`](crate::AuthBuilder::revisions)).
    /// [`build`](Self::build) refuses a negative staleness.
    pub fn session_staleness(mut self, staleness: Duration) -> Self {
        self.session_staleness = staleness;
        self
    }

    /// Lockout after repeated failures.
    pub fn lockout(mut self, lockout: LockoutPolicy) -> Self {
        self.lockout = Some(lockout);
        self
    }

    /// Refuse sign-in until the email address is confirmed (default: allowed, and
    /// routes that need a confirmed address guard for it).
    pub fn require_verified_email(mut self, required: bool) -> Self {
        self.require_verified_email = required;
        self
    }

    /// Rate limits.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// How registration treats taken addresses (default: enumeration safe).
    pub fn registration(mut self, mode: RegistrationMode) -> Self {
        self.registration = mode;
        self
    }

    /// The role that grants admin operations (default `admin`).
    pub fn admin_role(mut self, role: impl Into<String>) -> Self {
        self.admin_role = Some(role.into());
        self
    }

    /// How recent a session's last proof (its sign-in, or a re-authentication with
    /// [`Auth::step_up`](crate::Auth::step_up)) must be for a sensitive action: changing
    /// the password or address, removing the second factor, replacing the recovery
    /// codes, deleting the account, an administrator's action on an account (default
    /// [`DEFAULT_STEP_UP_MAX_AGE`], ten minutes; must be positive).
    pub fn step_up_max_age(mut self, max_age: Duration) -> Self {
        self.step_up_max_age = Some(max_age);
        self
    }

    /// Requires a second factor of every holder of `role` (e.g. `admin`; call once per
    /// role): such a user without one is signed in only to enrol one, and reaches
    /// nothing else until enrolled. None by default.
    pub fn require_second_factor_for_role(mut self, role: impl Into<String>) -> Self {
        self.second_factor_roles.push(role.into());
        self
    }

    /// Whether work whose timing could reveal an account (every mail, the record of a
    /// failed sign-in) is done after the answer, from a background task (default
    /// `true`). [`Auth::settle`](crate::Auth::settle) waits for it; tests usually turn
    /// it off so that a mail is there as soon as the call returns.
    pub fn mail_in_background(mut self, background: bool) -> Self {
        self.mail_in_background = Some(background);
        self
    }

    /// When the outbox gives up on a message that keeps failing (default: 30 attempts
    /// or 2 days, see [`OutboxPolicy`]).
    pub fn outbox_policy(mut self, policy: OutboxPolicy) -> Self {
        self.outbox = policy;
        self
    }

    /// Overrides a mail template by name, e.g. `password_reset.subject`,
    /// `password_reset.txt` or `password_reset.html` (see [`crate::mail`]).
    pub fn mail_template(mut self, name: impl Into<String>, source: impl Into<String>) -> Self {
        self.mail_templates.insert(name.into(), source.into());
        self
    }

    /// The profile fields accounts carry (default: the built-in optional display name,
    /// locale and time zone; see [`crate::profile`]).
    pub fn profile(mut self, schema: ProfileSchema) -> Self {
        self.profile = Some(schema);
        self
    }

    /// The scopes a person may give the API keys they create (default: none, so keys
    /// can be created but open no route). A scope is 1 to 64 characters of lower-case
    /// letters, digits and `:` `_` `-` `.`, e.g. `read:profile` or `admin:users`; routes
    /// name the scope they need (`Requirement::scope` in `auth-http`).
    pub fn api_key_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.api_key_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Mailed one-time codes: digits, lifetime, attempts, and whether people may sign
    /// in by a mailed code or link (default: six digits, 15 minutes, five tries, sign-in
    /// by mail off; see [`EmailCodes`]).
    pub fn email_codes(mut self, codes: EmailCodes) -> Self {
        self.email_codes = codes;
        self
    }

    /// Whether people may sign up with a passkey instead of a password (default off):
    /// the account then has passkeys and no password at all
    /// ([`Auth::start_passkey_sign_up`](crate::Auth::start_passkey_sign_up)). It confirms
    /// its address like any sign-up, and its owner can still set a password by a reset
    /// link. Needs passkeys ([`AuthBuilder::passkeys`](crate::AuthBuilder::passkeys)).
    pub fn passkey_sign_up(mut self, allowed: bool) -> Self {
        self.passkey_sign_up = allowed;
        self
    }

    /// The message catalogues (default: [`Catalogues::shipped`], English, German and
    /// Spanish, English the default language). An application adds a language or
    /// overrides single messages with [`Catalogues::add`] before passing them here.
    pub fn catalogues(mut self, catalogues: Catalogues) -> Self {
        self.catalogues = Some(catalogues);
        self
    }

    /// Checks every value and builds the configuration.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first unsafe or missing value.
    pub fn build(self) -> Result<Config> {
        let base_url = self
            .base_url
            .ok_or_else(|| Error::Config("base_url is required (used in mailed links)".into()))?;
        let base_url = base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://"))
            || base_url.contains(['?', '#', ' '])
        {
            return Err(Error::Config(format!(
                "base_url must be an http(s) URL without query or fragment, got {base_url:?}"
            )));
        }
        let prefix = self.link_prefix.unwrap_or_else(|| "/auth".to_owned());
        let prefix = prefix.trim_end_matches('/').to_owned();
        if !prefix.is_empty() && !prefix.starts_with('/') {
            return Err(Error::Config(format!(
                "link_prefix must start with '/', got {prefix:?}"
            )));
        }
        let (kid, secret) = self
            .signing_key
            .ok_or_else(|| Error::Config("a signing key is required".into()))?;
        let mut token_keys = TokenKeys::new(kid, secret)?;
        for (kid, secret) in self.verification_keys {
            token_keys = token_keys.with_verification_key(kid, secret)?;
        }
        let hash_params = self.hash_params.unwrap_or_default();
        let password_policy = self.password_policy.unwrap_or_default();
        password_policy.validate()?;
        let max_concurrent_hashes = self.max_concurrent_hashes.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let hasher = Hasher::new(hash_params, self.pepper, max_concurrent_hashes)?;
        let tokens = TokenService::new(token_keys, self.token_lifetimes.unwrap_or_default())?;
        let catalogues = Arc::new(self.catalogues.unwrap_or_else(Catalogues::shipped));
        let composer = Arc::new(Composer::new(&self.mail_templates, catalogues.clone())?);
        let sessions = self.sessions.unwrap_or_default();
        if sessions.lifetime <= Duration::ZERO
            || sessions.idle_timeout <= Duration::ZERO
            || sessions.remember_lifetime <= Duration::ZERO
            || sessions.remember_idle_timeout <= Duration::ZERO
            || sessions.touch_interval < Duration::ZERO
        {
            return Err(Error::Config("session lifetimes must be positive".into()));
        }
        if self.session_staleness < Duration::ZERO {
            return Err(Error::Config(
                "the session staleness must not be negative".into(),
            ));
        }
        let lockout = self.lockout.unwrap_or_default();
        if lockout.threshold == 0 || lockout.base_lock <= Duration::ZERO {
            return Err(Error::Config(
                "lockout threshold and base lock must be positive".into(),
            ));
        }
        let rate_limits = self.rate_limits.unwrap_or_default();
        if rate_limits.ipv6_prefix > 128 {
            return Err(Error::Config(format!(
                "rate_limits.ipv6_prefix {} is longer than an IPv6 address (128)",
                rate_limits.ipv6_prefix
            )));
        }
        let admin_role = crate::validate::normalize_roles([self
            .admin_role
            .unwrap_or_else(|| "admin".to_owned())])
        .map_err(|e| Error::Config(format!("admin_role: {e}")))?
        .remove(0);
        let profile = self.profile.unwrap_or_default();
        profile.check()?;
        let mut api_key_scopes = self.api_key_scopes;
        if let Some(bad) = api_key_scopes.iter().find(|s| !crate::api_key::is_scope(s)) {
            return Err(Error::Config(format!(
                "api_key_scopes: {bad:?} is not a scope (1 to 64 of a-z 0-9 : _ - .)"
            )));
        }
        api_key_scopes.dedup();
        let step_up = StepUpPolicy {
            max_age: self.step_up_max_age.unwrap_or(DEFAULT_STEP_UP_MAX_AGE),
            second_factor_roles: crate::validate::normalize_roles(&self.second_factor_roles)
                .map_err(|e| Error::Config(format!("require_second_factor_for_role: {e}")))?
                .into(),
        };
        if step_up.max_age <= Duration::ZERO {
            return Err(Error::Config("step_up_max_age must be positive".into()));
        }
        self.email_codes.validate()?;
        Ok(Config {
            catalogues,
            passkey_sign_up: self.passkey_sign_up,
            email_codes: self.email_codes,
            step_up,
            api_key_scopes: api_key_scopes.into(),
            app_name: self.app_name.unwrap_or_else(|| "Your account".to_owned()),
            links: Links { base_url, prefix },
            tokens,
            hash_params,
            hasher,
            password_policy,
            sessions,
            session_staleness: self.session_staleness,
            policy: Policy {
                lockout,
                require_verified_email: self.require_verified_email,
                profile_max_bytes: profile.max_profile_bytes(),
            },
            rate_limits,
            registration: self.registration,
            admin_role,
            mail_in_background: self.mail_in_background.unwrap_or(true),
            outbox: {
                self.outbox.validate()?;
                self.outbox
            },
            composer,
            profile: Arc::new(profile),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ConfigBuilder {
        Config::builder()
            .base_url("https://example.com/")
            .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
    }

    fn refused(builder: ConfigBuilder) -> String {
        match builder.build() {
            Err(Error::Config(why)) => why,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_documented_safe_ones() {
        let c = valid().build().unwrap();
        assert_eq!(c.links().base_url, "https://example.com");
        assert_eq!(c.links().prefix, "/auth");
        assert_eq!(c.links().reset("T"), "https://example.com/auth/reset/T");
        assert_eq!(*c.hash_params(), HashParams::new(19_456, 2, 1));
        assert_eq!(c.registration(), RegistrationMode::EnumerationSafe);
        assert_eq!(c.admin_role(), "admin");
        assert!(!c.requires_verified_email());
        assert_eq!(c.lockout().threshold, 5);
        assert_eq!(c.password_policy().min_length, 8);
    }

    #[test]
    fn unsafe_values_are_refused() {
        assert!(refused(Config::builder().signing_key("k", vec![7; 32])).contains("base_url"));
        assert!(refused(Config::builder().base_url("https://x.test")).contains("signing key"));
        refused(valid().signing_key("k1", b"too short".to_vec()));
        refused(valid().base_url("ftp://example.com"));
        refused(valid().base_url("https://example.com/?next=x"));
        refused(valid().link_prefix("auth"));
        refused(valid().hash_params(HashParams::new(1024, 1, 1)));
        refused(valid().max_concurrent_hashes(0));
        refused(valid().pepper(b"short".to_vec()));
        refused(valid().lockout(LockoutPolicy {
            threshold: 0,
            ..LockoutPolicy::default()
        }));
        refused(valid().admin_role("not a role"));
        refused(valid().rate_limits(RateLimits {
            ipv6_prefix: 129,
            ..RateLimits::default()
        }));
        refused(valid().mail_template("verification.txt", "{{ broken"));
        refused(valid().verification_key("old", b"short".to_vec()));
    }

    #[test]
    fn debug_hides_secrets() {
        let c = valid().pepper(vec![9u8; 32]).build().unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
