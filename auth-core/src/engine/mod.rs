//! The engine: one [`Auth`] value whose methods are the flows.
//!
//! Every flow follows the same shape: validate input, load the account, apply a pure
//! transition from [`crate::machine`], persist it with a compare-and-swap (reloading
//! and re-applying when another request won the race), then perform the effects
//! (sessions, mail, audit).

mod access_tokens;
mod account;
mod admin;
mod api_keys;
mod builder;
mod clock;
mod effects;
mod email_codes;
mod identity;
mod language;
mod links;
mod lockout;
mod login;
mod mailing;
mod operator;
mod passkey_sign_up;
mod passkey_step_up;
mod passkeys;
mod password_reset;
mod picture;
mod register;
mod revision;
mod second_factor;
mod session_cache;
mod step_up;
mod throttle;
mod ways_in;
mod webhook_calls;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

pub use access_tokens::TokenIssue;
pub use account::{EmailChange, PasswordChange};
pub use admin::AdminUserView;
pub use api_keys::{CreatedApiKey, KeyAuthenticated, MAX_API_KEYS_PER_USER, NewApiKey};
pub use builder::AuthBuilder;
pub use clock::{Clock, ManualClock, SystemClock};
pub use email_codes::CodeReset;
pub use identity::{IdentitySignIn, PendingLink};
pub use login::{Login, LoginSuccess, SignIn};
pub use operator::{Operator, OperatorAction};
pub use password_reset::PasswordReset;
pub use register::{ImportUser, NewUser, RegisterOutcome, Registration};
pub use second_factor::EnrolmentAttempt;
pub use step_up::StepUp;

use crate::config::Config;
use crate::error::{Error, Result, ValidationErrors};
use crate::hooks::Hooks;
use crate::machine::{self, Effect, Event};
use crate::mail::{Mailer, Sealer};
use crate::model::{SessionRecord, User, UserId};
use crate::password::{BreachCheck, Hasher, normalize};
use crate::picture::PictureLimits;
use crate::second_factor::SecretSealer;
use crate::store::{
    ApiKeyStore, AuditSink, CounterStore, EphemeralStore, IdentityStore, MailOutbox, PasskeyStore,
    PictureStore, SessionStore, SessionUserStore, UserStore,
};
use effects::Origin;

/// What the engine knows about the request it serves: used for rate limits, the
/// device list and the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// The client's address (as the application determined it, e.g. behind a proxy).
    pub ip: Option<IpAddr>,
    /// The client's User-Agent header.
    pub user_agent: Option<String>,
}

impl RequestContext {
    /// A context with an address and a user agent.
    pub fn new(ip: Option<IpAddr>, user_agent: Option<String>) -> Self {
        Self { ip, user_agent }
    }
}

/// A request whose session was found live: the user and the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The signed-in user, as stored.
    pub user: User,
    /// The session that authenticated the request.
    pub session: SessionRecord,
    /// The user holds a role that requires a second factor and has none (see
    /// [`Auth::must_enrol_second_factor`]): this session may only enrol one, and the
    /// web layer's guards refuse everything else.
    pub must_enrol_second_factor: bool,
}

/// The authentication engine. Cheap to clone: everything is behind one `Arc`.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    users: Arc<dyn UserStore>,
    sessions: Arc<dyn SessionStore>,
    session_users: Option<Arc<dyn SessionUserStore>>,
    api_keys: Option<Arc<dyn ApiKeyStore>>,
    /// Passkeys and the relying party they are bound to, when turned on.
    passkeys: Option<(Arc<dyn PasskeyStore>, crate::passkey::RelyingParty)>,
    counters: Arc<dyn CounterStore>,
    /// Short-lived single-use state: pending sign-ins, used one-time-password steps.
    ephemeral: Arc<dyn EphemeralStore>,
    outbox: Arc<dyn MailOutbox>,
    audit: Arc<dyn AuditSink>,
    /// Uploaded profile pictures, when the application keeps them.
    pictures: Option<Arc<dyn PictureStore>>,
    /// Identities at other providers linked to accounts, when sign-in with them is on.
    identities: Option<Arc<dyn IdentityStore>>,
    picture_limits: PictureLimits,
    mailer: Arc<dyn Mailer>,
    breach_check: Option<BreachCheck>,
    hooks: Arc<dyn Hooks>,
    /// Where audit events go as webhooks; `None` without endpoints.
    webhooks: Option<crate::webhooks::Webhooks>,
    /// Seals mail bodies before they are queued, opens them when claimed.
    sealer: Sealer,
    /// Seals TOTP secrets on the account, opens them to check a code.
    secrets: SecretSealer,
    /// Seals the provider tokens kept with identities, when identity token keys were
    /// given.
    identity_tokens: Option<crate::identity::TokenSealer>,
    /// Seals the state of passwordless passkey sign-ins into their tokens.
    sign_ins: crate::passkey::SignInSealer,
    /// Digests mailed one-time codes.
    codes: crate::email_code::CodeDigester,
    clock: Arc<dyn Clock>,
    /// Where the revision that kept lookups are checked against is read.
    revisions: Arc<revision::Revisions>,
    /// The digests of live sessions by a keyed fingerprint of their id, with their
    /// lookups, served again while the store's revision holds.
    session_cache: session_cache::SessionCache,
    background: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Starts building an engine with this configuration.
    pub fn builder(config: Config) -> AuthBuilder {
        AuthBuilder::new(config)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The current time by the engine's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    /// The password hasher (to hash out of band, e.g. in an import tool).
    pub fn hasher(&self) -> &Hasher {
        &self.inner.config.hasher
    }

    /// Checks a new password against the policy, with the account's email address and
    /// username as the personal inputs it must not contain, off the async executor; then,
    /// if it passed and a [`BreachCheck`] is configured, against known breaches.
    ///
    /// The outer error is a failure to run the check (or a breach source that is down,
    /// when the check refuses then); the inner one the verdict.
    async fn check_password_policy(
        &self,
        password: &str,
        identifiers: &[Option<&str>; 2],
    ) -> Result<std::result::Result<(), ValidationErrors>> {
        let policy = self.inner.config.password_policy.clone();
        let password = Zeroizing::new(password.to_owned());
        let [email, username] = identifiers;
        let local_part = email.and_then(|e| e.split('@').next());
        let inputs: Vec<String> = [local_part, *username]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let normalized = normalize(&password);
        let verdict = self
            .inner
            .config
            .hasher
            .off_executor(move || {
                let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
                policy.check(&password, &inputs)
            })
            .await?;
        let Some(breaches) = &self.inner.breach_check else {
            return Ok(verdict);
        };
        if verdict.is_err() {
            return Ok(verdict);
        }
        match breaches.check(&normalized).await {
            Ok(()) => Ok(Ok(())),
            Err(Error::Validation(errors)) => Ok(Err(errors)),
            Err(other) => Err(other),
        }
    }

    async fn load_user(&self, id: UserId) -> Result<User> {
        self.inner
            .users
            .user_by_id(id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Applies `event` to `user` and persists the result with a compare-and-swap. When
    /// another request changed the user in between, reloads and re-applies (the pure
    /// transition decides again on fresh data), up to three times.
    ///
    /// Sessions the transition ends are ended before the write as well as after it (by
    /// [`perform`](Self::perform)): a process that dies between the write and its
    /// effects leaves no session opened before the change, and a session a sign-in opens
    /// while the write is under way ends after it (the sign-in re-checks the stamp too).
    async fn run_event(
        &self,
        mut user: User,
        event: Event,
        origin: Origin<'_>,
    ) -> Result<(User, Vec<Effect>)> {
        const ATTEMPTS: usize = 3;
        for attempt in 1..=ATTEMPTS {
            let now = self.now();
            let transition = machine::apply(user.clone(), event.clone(), now, self.policy())?;
            let deleting = transition.effects.contains(&Effect::DeleteAccount);
            if transition.user == user && !deleting {
                return Ok((transition.user, transition.effects));
            }
            self.end_sessions_ahead(user.id, &transition.effects, origin)
                .await?;
            let written = if deleting {
                self.inner.users.delete_user(user.id, user.version).await
            } else {
                self.inner.users.update_user(&transition.user).await
            };
            match written {
                Ok(()) => {
                    let mut next = transition.user;
                    next.version += 1;
                    return Ok((next, transition.effects));
                }
                Err(Error::StaleVersion) if attempt < ATTEMPTS => {
                    user = self.load_user(user.id).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::StaleVersion)
    }

    fn policy(&self) -> &machine::Policy {
        &self.inner.config.policy
    }

    /// Runs `work` after the answer, from a background task that [`Auth::settle`] waits
    /// for, when the configuration says so
    /// ([`ConfigBuilder::mail_in_background`](crate::ConfigBuilder::mail_in_background));
    /// otherwise inline. For work whose duration would tell whether an account exists.
    pub(super) async fn detached<F>(&self, work: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        if !self.inner.config.mail_in_background {
            work.await;
            return;
        }
        let handle = tokio::spawn(work);
        let mut pending = self
            .inner
            .background
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pending.retain(|h| !h.is_finished());
        pending.push(handle);
    }

    /// Waits for mail sent in the background (see
    /// [`ConfigBuilder::mail_in_background`](crate::ConfigBuilder::mail_in_background)).
    /// Call it in tests before reading a mailbox, and at shutdown.
    pub async fn settle(&self) {
        loop {
            let pending: Vec<JoinHandle<()>> = {
                let mut guard = self
                    .inner
                    .background
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                std::mem::take(&mut *guard)
            };
            if pending.is_empty() {
                return;
            }
            for handle in pending {
                if let Err(e) = handle.await {
                    tracing::error!(error = %e, "background mail task failed");
                }
            }
        }
    }
}
