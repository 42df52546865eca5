//! Signing in, authenticating requests, sessions and signing out.

use std::sync::Arc;
use std::time::SystemTime;

use time::OffsetDateTime;

use super::effects::{MailLinks, Origin};
use super::lockout::{Attempt, Subject};
use super::second_factor::PENDING_LIFETIME;
use super::session_cache::{Fingerprint, Recalled};
use super::throttle::Counted;
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Result};
use crate::hooks::Veto;
use crate::machine::{self, Effect, Ending, Event, needs_second_step};
use crate::model::{AccountStatus, SessionRecord, User, UserId};
use crate::second_factor::{AuthMethod, PendingRecord, PendingSignIn};
use crate::session::{SessionDigest, SessionToken};
use crate::telemetry;
use crate::validate::LoginIdentifier;

/// A presented session id as [`Auth::authenticate_shared`] remembers it.
struct Remembered {
    fingerprint: Fingerprint,
    digest: SessionDigest,
    /// Already remembered (its digest came from memory).
    known: bool,
}

/// Longest User-Agent kept for the device list.
const MAX_USER_AGENT: usize = 256;

/// What a person submits to sign in.
#[derive(Clone, Default)]
pub struct Login {
    /// Email address or username.
    pub login: String,
    /// Password.
    pub password: String,
    /// Keep the session for the "remember me" lifetime.
    pub remember: bool,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("login", &self.login)
            .field("remember", &self.remember)
            .finish_non_exhaustive()
    }
}

/// A successful sign-in: the user, the new session id for the cookie, and the session.
#[derive(Debug, Clone)]
pub struct LoginSuccess {
    /// The signed-in user.
    pub user: User,
    /// The new session id, to put in the cookie. A fresh one on every sign-in.
    pub token: SessionToken,
    /// The stored session (its `expires_at` is the cookie's lifetime when `remember`).
    pub session: SessionRecord,
}

/// What the password step of a sign-in gives.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SignIn {
    /// Signed in: the account has no second factor.
    Complete(Box<LoginSuccess>),
    /// The password was right and the account has a second factor: no session yet. Send
    /// the code with this pending sign-in's token to
    /// [`Auth::complete_sign_in`] before it expires.
    SecondFactor(PendingSignIn),
}

/// Records the signed-in user on the span and counts the sign-in, except a pending one:
/// that is counted when its second step ends.
pub(super) fn finish_sign_in_telemetry(result: &Result<SignIn>) {
    if let Ok(SignIn::Complete(success)) = result {
        tracing::Span::current().record("user_id", tracing::field::display(success.user.id));
    }
    if !matches!(result, Ok(SignIn::SecondFactor(_))) {
        telemetry::sign_in(result);
    }
}

/// Records the signed-in user on the span and counts the sign-in, for the flows that
/// end in a session or fail (never pending).
pub(super) fn login_telemetry(result: &Result<LoginSuccess>) {
    if let Ok(success) = result {
        tracing::Span::current().record("user_id", tracing::field::display(success.user.id));
    }
    telemetry::sign_in(result);
}

impl Auth {
    /// Signs in by email or username, in one step or two: an account with a second
    /// factor gets a [`SignIn::SecondFactor`] (a pending sign-in, never a session), and
    /// [`Auth::complete_sign_in`] finishes it with a code.
    ///
    /// Refusals are those of [`Auth::login`]; a wrong password on an account with a
    /// second factor looks exactly like one on any other account.
    ///
    /// # Errors
    /// As [`Auth::login`].
    #[tracing::instrument(name = "auth.sign_in", skip_all, fields(user_id))]
    pub async fn sign_in(&self, input: Login, ctx: &RequestContext) -> Result<SignIn> {
        let result = self.password_sign_in(input, ctx).await;
        finish_sign_in_telemetry(&result);
        result
    }

    /// Signs in by email or username.
    ///
    /// Unknown account and wrong password give the same [`Error::InvalidCredentials`],
    /// after the same hashing work, and the identifier typed follows the same lockout
    /// course whether or not it belongs to an account (see the `lockout` module).
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`], [`Error::AccountLocked`], [`Error::RateLimited`],
    /// [`Error::AccountDisabled`], [`Error::EmailNotVerified`] and
    /// [`Error::SignInRefused`] (a veto of the application's
    /// [`Hooks::before_sign_in`](crate::hooks::Hooks::before_sign_in)), all only after a
    /// correct password; [`Error::SecondFactorRequired`] after a correct password for an
    /// account with a second factor (use [`Auth::sign_in`] to sign those in); store and
    /// hashing errors.
    #[tracing::instrument(name = "auth.login", skip_all, fields(user_id))]
    pub async fn login(&self, input: Login, ctx: &RequestContext) -> Result<LoginSuccess> {
        let result = match self.password_sign_in(input, ctx).await {
            Ok(SignIn::Complete(success)) => Ok(*success),
            Ok(SignIn::SecondFactor(_)) => Err(Error::SecondFactorRequired),
            Err(e) => Err(e),
        };
        login_telemetry(&result);
        result
    }

    /// The password step, without the telemetry.
    async fn password_sign_in(&self, input: Login, ctx: &RequestContext) -> Result<SignIn> {
        let now = self.now();
        let limits = self.inner.config.rate_limits;
        self.hit_ip(Counted::LoginsPerNetwork, ctx.ip, limits.login_per_ip, now)
            .await?;
        let identifier = LoginIdentifier::parse(&input.login);
        let identifier_text = identifier.as_ref().map_or_else(
            || input.login.trim().to_lowercase(),
            |i| i.as_str().to_owned(),
        );
        self.hit(
            Counted::LoginsPerIdentifier,
            &identifier_text,
            limits.login_per_identifier,
            now,
        )
        .await?;
        let attempt = self
            .begin_attempt(Subject::identifier(&identifier_text))
            .await?;
        let user = match &identifier {
            None => None,
            Some(LoginIdentifier::Email(e)) => self.inner.users.user_by_email(e).await?,
            Some(LoginIdentifier::Username(u)) => self.inner.users.user_by_username(u).await?,
        };
        let hasher = &self.inner.config.hasher;
        let proof = match &user {
            Some(user) => hasher.verify(&input.password, &user.password_hash).await?,
            None => {
                hasher.dummy_verify(&input.password).await;
                None
            }
        };
        let (user, proof) = match (user, proof) {
            (Some(user), Some(proof)) => (user, proof),
            (user, _) => return Err(self.wrong_password(&attempt, user, ctx).await),
        };
        // A registered passkey stands as a second factor, as an authenticator app does.
        let passkeys = self.has_passkeys(user.id).await?;
        let two_steps = needs_second_step(&user, passkeys);
        // With a second factor, the identifier's failures are forgotten only when the
        // code is right too: a known password must not reset the count of wrong codes.
        if !two_steps {
            self.attempt_succeeded(&attempt).await?;
        }
        let first_step = two_steps.then(|| {
            PendingRecord::after_password(
                &user,
                &proof,
                input.remember,
                identifier_text.clone(),
                self.now() + PENDING_LIFETIME,
            )
        });
        let rehash = if proof.needs_rehash() {
            Some(hasher.hash(&input.password).await?)
        } else {
            None
        };
        let veto = self
            .inner
            .hooks
            .before_sign_in(&user, ctx)
            .await
            .err()
            .map(Veto::into_message);
        let origin = Origin::of(ctx);
        let event = Event::LoginSucceeded {
            proof,
            rehash,
            veto,
            passkeys,
        };
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        if effects.contains(&Effect::AwaitSecondFactor) {
            let record = first_step.ok_or(Error::InvalidCredentials)?;
            return Ok(SignIn::SecondFactor(self.open_pending(&record).await?));
        }
        debug_assert!(effects.contains(&Effect::CreateSession));
        let (token, session) = self.open_session(&user, input.remember, ctx).await?;
        self.confirm_credentials_unchanged(&user, &session).await?;
        Ok(SignIn::Complete(Box::new(LoginSuccess {
            user,
            token,
            session,
        })))
    }

    /// Closes the race between a sign-in and a credential change (a reset, a password or
    /// address change, a disable): the change persists first and then ends every session,
    /// the sign-in persists first and then opens its session. If the change's revocation
    /// ran before the session existed, the account read back now shows the change, and
    /// the new session is ended here instead.
    pub(super) async fn confirm_credentials_unchanged(
        &self,
        signed_in: &User,
        session: &SessionRecord,
    ) -> Result<()> {
        let current = self.inner.users.user_by_id(signed_in.id).await?;
        let unchanged = current.is_some_and(|now| {
            now.security_stamp == signed_in.security_stamp && now.status == AccountStatus::Active
        });
        if unchanged {
            return Ok(());
        }
        self.inner.sessions.delete_session(&session.digest).await?;
        Err(Error::InvalidCredentials)
    }

    /// A wrong password (or an unknown identifier): counts the failure against the
    /// identifier's guard and, for a known account, records it on the account (after
    /// the answer, so the extra writes do not tell accounts apart by timing).
    pub(super) async fn wrong_password(
        &self,
        attempt: &Attempt,
        user: Option<User>,
        ctx: &RequestContext,
    ) -> Error {
        let now = self.now();
        let locked_until = match self.attempt_failed(attempt).await {
            Ok(lock) => lock,
            Err(e) => return e,
        };
        if let Some(user) = user {
            let auth = self.clone();
            let ctx = ctx.clone();
            self.detached(async move {
                if let Err(e) = auth.record_failure(user, locked_until, &ctx).await {
                    tracing::error!(error = %e, "recording a failed sign-in failed");
                }
            })
            .await;
        }
        match locked_until {
            Some(until) => machine::locked(until, now),
            None => Error::InvalidCredentials,
        }
    }

    /// Records a wrong password on a known account: the audit trail, and a lock it caused.
    pub(super) async fn record_failure(
        &self,
        user: User,
        locked_until: Option<OffsetDateTime>,
        ctx: &RequestContext,
    ) -> Result<()> {
        let origin = Origin::of(ctx);
        let (user, effects) = self
            .run_event(user, Event::LoginFailed { locked_until }, origin)
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await
    }

    /// Opens a session for a sign-in proved by the password alone.
    pub(super) async fn open_session(
        &self,
        user: &User,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<(SessionToken, SessionRecord)> {
        self.open_proved_session(user, remember, vec![AuthMethod::Pwd], ctx)
            .await
    }

    /// Opens a session for a sign-in proved by `amr` (in the order used), just now.
    pub(super) async fn open_proved_session(
        &self,
        user: &User,
        remember: bool,
        amr: Vec<AuthMethod>,
        ctx: &RequestContext,
    ) -> Result<(SessionToken, SessionRecord)> {
        let now = self.now();
        let config = &self.inner.config.sessions;
        let (lifetime, idle) = if remember {
            (config.remember_lifetime, config.remember_idle_timeout)
        } else {
            (config.lifetime, config.idle_timeout)
        };
        let token = SessionToken::generate();
        let expires_at = now + lifetime;
        let record = SessionRecord {
            digest: token.digest(),
            user_id: user.id,
            created_at: now,
            last_seen_at: now,
            expires_at,
            idle_expires_at: (now + idle).min(expires_at),
            remember,
            user_agent: ctx
                .user_agent
                .as_ref()
                .map(|ua| ua.chars().take(MAX_USER_AGENT).collect()),
            ip: ctx.ip.map(|ip| ip.to_string()),
            amr: SessionRecord::amr_or_default(Some(amr)),
            auth_time: now,
            proved_at: now,
        };
        self.inner.sessions.create_session(&record).await?;
        Ok((token, record))
    }

    /// Finds the live session behind a session id and its user: one store round trip
    /// (two when users and sessions live in different stores), plus a write at most once
    /// per touch interval to record use. [`Auth::authenticate_shared`] without the
    /// sharing: a lookup served from memory is copied out.
    ///
    /// `Ok(None)` for an unknown, expired or idle session, or a disabled account.
    ///
    /// # Errors
    /// Store errors only.
    pub async fn authenticate(&self, token: &SessionToken) -> Result<Option<Authenticated>> {
        Ok(self
            .authenticate_shared(token)
            .await?
            .map(Arc::unwrap_or_clone))
    }

    /// [`Auth::authenticate`], shared: when there is a revision of users and sessions
    /// (a [`RevisionStore`](crate::RevisionStore) given to the builder, for users and
    /// sessions in different stores; else
    /// [`SessionUserStore::revision`](crate::SessionUserStore::revision), e.g. the
    /// memory store's), a live session's lookup is kept in memory and handed out again
    /// (behind the same `Arc`) while the revision is the one read before that lookup;
    /// any write of a user or session, on any instance sharing the stores, ends that.
    /// So a revoked session (logout, password change, disabled account, administrator's
    /// sign-out) is refused from the moment the revoking call returned, with no
    /// staleness, unless the configuration opts into a bounded one
    /// ([`ConfigBuilder::session_staleness`](crate::ConfigBuilder::session_staleness)).
    /// Expiry and the idle timeout are checked on every request, and a session due for
    /// its last-seen write is looked up again. Such a request costs the revision read
    /// instead of the lookup; without a revision, nothing is kept.
    ///
    /// # Errors
    /// Store errors only.
    #[tracing::instrument(name = "auth.authenticate", skip_all, level = "debug")]
    pub async fn authenticate_shared(
        &self,
        token: &SessionToken,
    ) -> Result<Option<Arc<Authenticated>>> {
        // An id seen before is remembered under its keyed fingerprint (cheaper than
        // SHA-256, see `session_cache`); the store only sees the digest.
        let fingerprint = self.inner.session_cache.fingerprint(token);
        // Read before the lookup: a write that the lookup may have missed changes it,
        // so what the lookup found is never served under it.
        let revision = self.inner.revisions.read(|| self.now()).await?;
        let (digest, known) = match self.recall(fingerprint, revision) {
            Recalled::Lookup(found) => return Ok(Some(found)),
            Recalled::Digest(digest) => (digest, true),
            Recalled::Nothing => (token.digest(), false),
        };
        let id = Remembered {
            fingerprint,
            digest,
            known,
        };
        // On the heap: the records the lookup holds across its awaits would make this
        // future, and every caller's that embeds it, as large on every request.
        Box::pin(self.look_up_session(id, revision)).await
    }

    /// [`Auth::authenticate_shared`] when memory alone answers: the lookup kept for
    /// `token`, served under the same rules (the revision this process holds, or a
    /// copy of a store's still trusted; expiry and the idle timeout), without awaiting
    /// and without building the store's futures. `None` when
    /// [`Auth::authenticate_shared`] must be asked: an id with no lookup kept, one
    /// kept under another revision, or a revision only a store can tell.
    pub fn authenticate_kept(&self, token: &SessionToken) -> Option<Arc<Authenticated>> {
        // Nothing is kept without a revision: then the id is not even fingerprinted
        // here, since `authenticate_shared` will do it.
        let revision = self.inner.revisions.read_in_process(|| self.now())??;
        let fingerprint = self.inner.session_cache.fingerprint(token);
        match self.recall(fingerprint, Some(revision)) {
            Recalled::Lookup(found) => Some(found),
            Recalled::Digest(_) | Recalled::Nothing => None,
        }
    }

    /// What the session table holds of the id behind `fingerprint` under `revision`, at
    /// the engine's time.
    fn recall(&self, fingerprint: Fingerprint, revision: Option<u64>) -> Recalled {
        let clock = &self.inner.clock;
        self.inner
            .session_cache
            .recall(fingerprint, revision, || clock.now_system())
    }

    /// The store's lookup behind [`Auth::authenticate_shared`]: the live session of
    /// `id` and its user, touched when due; `id` is remembered, and the lookup with it
    /// under `revision` (read before this lookup) unless it was touched.
    async fn look_up_session(
        &self,
        id: Remembered,
        revision: Option<u64>,
    ) -> Result<Option<Arc<Authenticated>>> {
        let found = self.live_session(&id.digest).await?;
        let cache = &self.inner.session_cache;
        let Some((found, touched)) = found else {
            cache.forget(id.fingerprint);
            return Ok(None);
        };
        let found = Arc::new(found);
        // After its own write the revision has moved on: the next request looks again.
        let kept = revision
            .filter(|_| !touched)
            .map(|r| (r, Arc::clone(&found), self.serve_until(&found.session)));
        // With nothing to keep, a known id needs no write (e.g. a store without a
        // revision, whose every request comes here).
        if kept.is_some() || !id.known {
            cache.remember(id.fingerprint, id.digest, kept);
        }
        Ok(Some(found))
    }

    /// The live session under `digest` and its user, touched when due (and whether it
    /// was); `None` for an unknown or dead session, or a disabled account.
    async fn live_session(&self, digest: &SessionDigest) -> Result<Option<(Authenticated, bool)>> {
        let found = match &self.inner.session_users {
            Some(joined) => joined.session_with_user(digest).await?,
            None => match self.inner.sessions.session(digest).await? {
                Some(session) => self
                    .inner
                    .users
                    .user_by_id(session.user_id)
                    .await?
                    .map(|user| (session, user)),
                None => None,
            },
        };
        let Some((mut session, user)) = found else {
            return Ok(None);
        };
        let now = self.now();
        if !session.is_live(now) || user.status == AccountStatus::Disabled {
            return Ok(None);
        }
        let touched = self.due_for_touch(&session, now);
        if touched {
            let config = &self.inner.config.sessions;
            let idle = if session.remember {
                config.remember_idle_timeout
            } else {
                config.idle_timeout
            };
            session.last_seen_at = now;
            session.idle_expires_at = (now + idle).min(session.expires_at);
            self.inner
                .sessions
                .touch_session(digest, session.last_seen_at, session.idle_expires_at)
                .await?;
        }
        let must_enrol_second_factor = self.must_enrol_second_factor(&user);
        let found = Authenticated {
            user,
            session,
            must_enrol_second_factor,
        };
        Ok(Some((found, touched)))
    }

    /// Whether a session used at `now` is due for its last-seen write.
    fn due_for_touch(&self, session: &SessionRecord, now: OffsetDateTime) -> bool {
        self.touch_due_at(session).is_some_and(|due| now >= due)
    }

    /// When `session` becomes due for its last-seen write; `None`: never (an interval
    /// reaching past the calendar).
    fn touch_due_at(&self, session: &SessionRecord) -> Option<OffsetDateTime> {
        session
            .last_seen_at
            .checked_add(self.inner.config.sessions.touch_interval)
    }

    /// The instant from which a kept lookup of `session` is no longer served: when the
    /// session dies ([`SessionRecord::dies_at`]) or, sooner, when it is due for its
    /// last-seen write ([`Self::touch_due_at`]), as a [`SystemTime`] to compare with
    /// [`Clock::now_system`](crate::Clock::now_system).
    fn serve_until(&self, session: &SessionRecord) -> SystemTime {
        let dies_at = session.dies_at();
        self.touch_due_at(session)
            .map_or(dies_at, |due| due.min(dies_at))
            .into()
    }

    /// Ends the session behind this id (server side: a replayed cookie is worthless).
    ///
    /// # Errors
    /// Store errors only; an unknown session is not an error.
    #[tracing::instrument(name = "auth.logout", skip_all)]
    pub async fn logout(&self, token: &SessionToken, ctx: &RequestContext) -> Result<()> {
        let digest = token.digest();
        let Some(session) = self.inner.sessions.session(&digest).await? else {
            return Ok(());
        };
        let origin = Origin {
            session: Some(&digest),
            ..Origin::of(ctx)
        };
        self.end_sessions(session.user_id, Ending::Own, origin)
            .await
            .map(drop)
    }

    /// Ends every session of a user; returns how many.
    ///
    /// # Errors
    /// Store errors.
    #[tracing::instrument(name = "auth.logout_everywhere", skip_all, fields(user_id = %user_id))]
    pub async fn logout_everywhere(&self, user_id: UserId, ctx: &RequestContext) -> Result<u64> {
        self.end_sessions(user_id, Ending::All, Origin::of(ctx))
            .await
    }

    /// Performs what [`machine::end_sessions`] decides; returns how many sessions ended.
    async fn end_sessions(&self, user: UserId, ending: Ending, origin: Origin<'_>) -> Result<u64> {
        let mut ended = 0;
        for effect in machine::end_sessions(ending) {
            ended += self.perform_on_sessions(user, &effect, origin).await?;
        }
        Ok(ended)
    }

    /// The signed-in user's live sessions, newest first (the device list). A session's
    /// public handle is `session.digest.to_hex()`.
    ///
    /// # Errors
    /// Store errors.
    #[tracing::instrument(name = "auth.sessions", skip_all, fields(user_id = %auth.user.id))]
    pub async fn sessions(&self, auth: &Authenticated) -> Result<Vec<SessionRecord>> {
        self.inner
            .sessions
            .sessions_for_user(auth.user.id, self.now())
            .await
    }

    /// Ends one of the signed-in user's sessions, by its handle from [`Auth::sessions`].
    ///
    /// # Errors
    /// [`Error::NotFound`] when the handle is not one of the user's sessions.
    #[tracing::instrument(name = "auth.revoke_session", skip_all, fields(user_id = %auth.user.id))]
    pub async fn revoke_session(
        &self,
        auth: &Authenticated,
        handle: &str,
        ctx: &RequestContext,
    ) -> Result<()> {
        let digest = SessionDigest::from_hex(handle).ok_or(Error::NotFound)?;
        let session = self.inner.sessions.session(&digest).await?;
        if session.is_none_or(|s| s.user_id != auth.user.id) {
            return Err(Error::NotFound);
        }
        let origin = Origin {
            session: Some(&digest),
            ..Origin::of(ctx)
        };
        self.end_sessions(auth.user.id, Ending::Picked, origin)
            .await
            .map(drop)
    }

    /// Ends every session of the signed-in user except the current one; returns how many.
    ///
    /// # Errors
    /// Store errors.
    #[tracing::instrument(name = "auth.revoke_other_sessions", skip_all, fields(user_id = %auth.user.id))]
    pub async fn revoke_other_sessions(
        &self,
        auth: &Authenticated,
        ctx: &RequestContext,
    ) -> Result<u64> {
        let origin = Origin {
            session: Some(&auth.session.digest),
            ..Origin::of(ctx)
        };
        self.end_sessions(auth.user.id, Ending::Others, origin)
            .await
    }
}
