use std::sync::{Arc, Mutex};

use super::revision::{Advancing, Revisions, same_store};
use super::{Auth, Clock, Inner, SystemClock};
use crate::config::Config;
use crate::email_code::CodeDigester;
use crate::error::{Error, Result};
use crate::hooks::{Hooks, NoHooks};
use crate::mail::{Mailer, Sealer};
use crate::passkey::RelyingParty;
use crate::password::BreachCheck;
use crate::picture::PictureLimits;
use crate::second_factor::SecretSealer;
use crate::store::{
    ApiKeyStore, AuditSink, CounterStore, EphemeralStore, IdentityStore, MailOutbox, PasskeyStore,
    PictureStore, RevisionStore, SessionStore, SessionUserStore, UserStore,
};
use crate::telemetry::Observed;
use crate::token::TokenKeys;
use crate::webhooks::Webhooks;

/// Assembles an [`Auth`] from a configuration, stores and a mailer.
///
/// Every store role must be filled: [`store`](Self::store) fills them all from one value;
/// the individual setters allow mixed deployments (users in PostgreSQL, sessions and
/// counters in Redis).
pub struct AuthBuilder {
    config: Config,
    users: Option<Arc<dyn UserStore>>,
    sessions: Option<Arc<dyn SessionStore>>,
    session_users: Option<Arc<dyn SessionUserStore>>,
    revisions: Option<Arc<dyn RevisionStore>>,
    api_keys: Option<Arc<dyn ApiKeyStore>>,
    passkeys: Option<(Arc<dyn PasskeyStore>, RelyingParty)>,
    counters: Option<Arc<dyn CounterStore>>,
    ephemeral: Option<Arc<dyn EphemeralStore>>,
    outbox: Option<Arc<dyn MailOutbox>>,
    audit: Option<Arc<dyn AuditSink>>,
    pictures: Option<Arc<dyn PictureStore>>,
    identities: Option<Arc<dyn IdentityStore>>,
    identity_token_keys: Option<TokenKeys>,
    picture_limits: PictureLimits,
    mailer: Option<Arc<dyn Mailer>>,
    breach_check: Option<BreachCheck>,
    hooks: Option<Arc<dyn Hooks>>,
    webhooks: Option<Webhooks>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AuthBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthBuilder").finish_non_exhaustive()
    }
}

impl AuthBuilder {
    pub(super) fn new(config: Config) -> Self {
        Self {
            config,
            users: None,
            sessions: None,
            session_users: None,
            revisions: None,
            api_keys: None,
            passkeys: None,
            counters: None,
            ephemeral: None,
            outbox: None,
            audit: None,
            pictures: None,
            identities: None,
            identity_token_keys: None,
            picture_limits: PictureLimits::DEFAULT,
            mailer: None,
            breach_check: None,
            hooks: None,
            webhooks: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses one store for every role, including the one-round-trip session lookup.
    pub fn store<S>(mut self, store: Arc<S>) -> Self
    where
        S: UserStore
            + SessionStore
            + SessionUserStore
            + CounterStore
            + EphemeralStore
            + MailOutbox
            + AuditSink,
    {
        self.users = Some(store.clone());
        self.sessions = Some(store.clone());
        self.session_users = Some(store.clone());
        self.counters = Some(store.clone());
        self.ephemeral = Some(store.clone());
        self.outbox = Some(store.clone());
        self.audit = Some(store);
        self
    }

    /// The user store. Replacing it also drops a combined session lookup set earlier,
    /// since that would read users from the old store.
    pub fn users(mut self, users: Arc<dyn UserStore>) -> Self {
        self.users = Some(users);
        self.session_users = None;
        self
    }

    /// The session store. Replacing it also drops a combined session lookup set earlier.
    pub fn sessions(mut self, sessions: Arc<dyn SessionStore>) -> Self {
        self.sessions = Some(sessions);
        self.session_users = None;
        self
    }

    /// A store that loads a session and its user in one round trip. Only correct when it
    /// reads the same data as the user and session stores.
    pub fn session_users(mut self, store: Arc<dyn SessionUserStore>) -> Self {
        self.session_users = Some(store);
        self
    }

    /// Where the revision of users and sessions is kept when they live in different
    /// stores (default: none; see [`RevisionStore`]). With one, the engine keeps the
    /// lookups of live sessions in memory and advances the revision after each of its
    /// writes of a user or session, so that an authenticated request costs one read of
    /// the revision instead of the lookup (none at all within
    /// [`ConfigBuilder::session_staleness`](crate::ConfigBuilder::session_staleness)).
    /// Every instance sharing the stores must be given the same revision store. It takes
    /// precedence over the revision of a combined lookup
    /// ([`session_users`](Self::session_users)).
    pub fn revisions(mut self, store: Arc<dyn RevisionStore>) -> Self {
        self.revisions = Some(store);
        self
    }

    /// The API key store (default: none, and then API keys can be neither created nor
    /// used). Every store crate of the workspace implements it; give the same store as
    /// for users where you can, so that deleting an account deletes its keys in the
    /// same step (the engine deletes them too).
    pub fn api_keys(mut self, store: Arc<dyn ApiKeyStore>) -> Self {
        self.api_keys = Some(store);
        self
    }

    /// The store of identities at other providers linked to accounts (default: none,
    /// and then "Sign in with ..." is off: [`Auth::identities_enabled`] is false). Give
    /// the same store as for users where you can.
    pub fn identities(mut self, store: Arc<dyn IdentityStore>) -> Self {
        self.identities = Some(store);
        self
    }

    /// The keys that seal the provider tokens kept with identities (default: none, and
    /// then an identity handed over with tokens is refused with [`Error::Config`]). A
    /// keyring of its own, not the token signing keys: its signing key seals, its
    /// verification keys still open what older keys sealed (rotate by adding a new key
    /// and keeping the old one as a verification key until every identity has signed in
    /// again). See [`identity::ProviderTokens`](crate::identity::ProviderTokens).
    pub fn identity_token_keys(mut self, keys: TokenKeys) -> Self {
        self.identity_token_keys = Some(keys);
        self
    }

    /// Turns passkeys (WebAuthn) on: where they are kept, and the relying party they are
    /// bound to (default: none, and then passkeys can be neither registered nor used).
    /// Every store crate of the workspace implements [`PasskeyStore`]; give the same
    /// store as for users where you can, so that deleting an account deletes its
    /// passkeys in the same step (the engine deletes them too).
    pub fn passkeys(mut self, store: Arc<dyn PasskeyStore>, relying_party: RelyingParty) -> Self {
        self.passkeys = Some((store, relying_party));
        self
    }

    /// The counter store (rate limits, lockout).
    pub fn counters(mut self, counters: Arc<dyn CounterStore>) -> Self {
        self.counters = Some(counters);
        self
    }

    /// The store of short-lived single-use state (pending sign-ins, used one-time-password
    /// steps).
    pub fn ephemeral(mut self, ephemeral: Arc<dyn EphemeralStore>) -> Self {
        self.ephemeral = Some(ephemeral);
        self
    }

    /// The outbox for mail that could not be sent yet.
    pub fn outbox(mut self, outbox: Arc<dyn MailOutbox>) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// The audit sink.
    pub fn audit(mut self, audit: Arc<dyn AuditSink>) -> Self {
        self.audit = Some(audit);
        self
    }

    /// Where uploaded profile pictures are kept (default: nowhere, and uploads are
    /// off: [`Auth::pictures_enabled`] is false). Not part of [`store`](Self::store),
    /// since pictures may live elsewhere than the accounts (files under a directory).
    ///
    /// Whether the signed-in user's picture version is kept with their session lookup,
    /// so that a page's header costs no picture query
    /// ([`Auth::own_picture_version`]): yes with a [`revisions`](Self::revisions)
    /// store; with the combined lookup's own revision (e.g. SQLite's, the memory
    /// store's) only when `pictures` is that very store, the same `Arc` (or a clone of
    /// it) given to [`store`](Self::store) or [`session_users`](Self::session_users);
    /// otherwise (e.g. files under a directory beside SQLite) every page asks this
    /// store, so that a change on another instance is never missed.
    pub fn pictures(mut self, pictures: Arc<dyn PictureStore>) -> Self {
        self.pictures = Some(pictures);
        self
    }

    /// How large an uploaded picture may be and how large it is stored (default
    /// [`PictureLimits::DEFAULT`]).
    pub fn picture_limits(mut self, limits: PictureLimits) -> Self {
        self.picture_limits = limits;
        self
    }

    /// The mailer.
    pub fn mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Refuse new passwords (registration, reset, change) that are known from breaches,
    /// as `check` looks them up (default: no such check).
    pub fn breach_check(mut self, check: BreachCheck) -> Self {
        self.breach_check = Some(check);
        self
    }

    /// The application's hooks into the flows (default: none): before-hooks that may
    /// refuse a registration or a sign-in, and an after-hook for every audit event.
    pub fn hooks(mut self, hooks: Arc<dyn Hooks>) -> Self {
        self.hooks = Some(hooks);
        self
    }

    /// Sends every audit event as a signed webhook to the configured endpoints, through
    /// the outbox (default: none; see [`webhooks`](crate::webhooks)).
    pub fn webhooks(mut self, webhooks: Webhooks) -> Self {
        self.webhooks = Some(webhooks);
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Builds the engine. Every store call it makes is observed (a `tracing` span and a
    /// metric, see [`telemetry`](crate::telemetry)).
    ///
    /// # Errors
    /// [`Error::Config`] when a store role or the mailer is missing, or a mail template
    /// override does not render.
    pub fn build(self) -> Result<Auth> {
        let missing = |what: &str| Error::Config(format!("no {what} was given to the builder"));
        let config = self.config;
        let users: Arc<dyn UserStore> =
            Observed::new(self.users.ok_or_else(|| missing("user store"))?);
        let sessions: Arc<dyn SessionStore> =
            Observed::new(self.sessions.ok_or_else(|| missing("session store"))?);
        let pictures_in_joined = match (&self.pictures, &self.session_users) {
            (Some(pictures), Some(joined)) => same_store(pictures, joined),
            _ => false,
        };
        // The revision is read from the store itself, not through its `Observed` wrapper:
        // it is read on every authenticated request and has no span or timing of its own,
        // so the wrapper would only add a boxed future.
        let revisions = Arc::new(Revisions::new(
            self.session_users.clone(),
            self.revisions,
            pictures_in_joined,
            config.session_staleness,
        ));
        let session_users: Option<Arc<dyn SessionUserStore>> =
            self.session_users.map(|s| Observed::new(s) as _);
        let pictures: Option<Arc<dyn PictureStore>> = self.pictures.map(|p| Observed::new(p) as _);
        let (users, sessions): (Arc<dyn UserStore>, Arc<dyn SessionStore>) =
            if revisions.advanced_by_writes() {
                (
                    Advancing::new(users, revisions.clone()),
                    Advancing::new(sessions, revisions.clone()),
                )
            } else {
                (users, sessions)
            };
        let pictures = match pictures {
            Some(p) if revisions.advanced_by_writes() => {
                Some(Advancing::new(p, revisions.clone()) as Arc<dyn PictureStore>)
            }
            other => other,
        };
        Ok(Auth {
            inner: Arc::new(Inner {
                users,
                sessions,
                session_users,
                revisions,
                api_keys: self.api_keys.map(|s| Observed::new(s) as _),
                passkeys: self
                    .passkeys
                    .map(|(store, rp)| (Observed::new(store) as _, rp)),
                counters: Observed::new(self.counters.ok_or_else(|| missing("counter store"))?),
                ephemeral: Observed::new(self.ephemeral.ok_or_else(|| missing("ephemeral store"))?),
                outbox: Observed::new(self.outbox.ok_or_else(|| missing("mail outbox"))?),
                audit: Observed::new(self.audit.ok_or_else(|| missing("audit sink"))?),
                pictures,
                identities: self.identities.map(|s| Observed::new(s) as _),
                picture_limits: self.picture_limits,
                mailer: self.mailer.ok_or_else(|| missing("mailer"))?,
                breach_check: self.breach_check,
                hooks: self.hooks.unwrap_or_else(|| Arc::new(NoHooks)),
                webhooks: self.webhooks.filter(|w| !w.endpoints.is_empty()),
                sealer: Sealer::new(config.tokens.keys()),
                secrets: SecretSealer::new(config.tokens.keys()),
                identity_tokens: self
                    .identity_token_keys
                    .as_ref()
                    .map(crate::identity::TokenSealer::new),
                sign_ins: crate::passkey::SignInSealer::new(config.tokens.keys()),
                codes: CodeDigester::new(config.tokens.keys()),
                clock: self.clock,
                config,
                session_cache: Default::default(),
                background: Mutex::new(Vec::new()),
            }),
        })
    }
}
