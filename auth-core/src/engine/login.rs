//! Signing in, authenticating requests, sessions and signing out.

use super::effects::{MailLinks, Origin};
use super::throttle::{self, seconds_until};
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Result};
use crate::machine::{AccountState, Effect, Event};
use crate::model::{AccountStatus, AuditKind, SessionRecord, User, UserId};
use crate::session::{SessionDigest, SessionToken};
use crate::validate::LoginIdentifier;

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

impl Auth {
    /// Signs in by email or username.
    ///
    /// Unknown account and wrong password give the same [`Error::InvalidCredentials`],
    /// after the same hashing work. Consecutive failures lock the account (and, alike,
    /// an unknown identifier) for a time that doubles with each lock.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`], [`Error::AccountLocked`], [`Error::RateLimited`],
    /// [`Error::AccountDisabled`] and [`Error::EmailNotVerified`] (both only after a
    /// correct password), store and hashing errors.
    pub async fn login(&self, input: Login, ctx: &RequestContext) -> Result<LoginSuccess> {
        let now = self.now();
        let limits = self.inner.config.rate_limits;
        self.hit_ip("rl:login:ip", ctx.ip, limits.login_per_ip, now)
            .await?;
        let identifier = LoginIdentifier::parse(&input.login);
        let identifier_text = identifier.as_ref().map_or_else(
            || input.login.trim().to_lowercase(),
            |i| i.as_str().to_owned(),
        );
        self.hit(
            throttle::key("rl:login:id", &identifier_text),
            limits.login_per_identifier,
            now,
        )
        .await?;
        let too_long =
            input.password.chars().count() > self.inner.config.password_policy.max_length;
        let user = match (&identifier, too_long) {
            (_, true) | (None, _) => None,
            (Some(LoginIdentifier::Email(e)), false) => self.inner.users.user_by_email(e).await?,
            (Some(LoginIdentifier::Username(u)), false) => {
                self.inner.users.user_by_username(u).await?
            }
        };
        let Some(user) = user else {
            return Err(self
                .fail_unknown(&identifier_text, &input.password, too_long)
                .await);
        };
        if let AccountState::Locked { until } = AccountState::of(&user, now) {
            return Err(Error::AccountLocked {
                retry_after: seconds_until(until, now),
            });
        }
        let Some(proof) = self
            .inner
            .config
            .hasher
            .verify(&input.password, &user.password_hash)
            .await?
        else {
            return Err(self.fail_known(user, ctx).await);
        };
        let rehash = if proof.needs_rehash() {
            Some(self.inner.config.hasher.hash(&input.password).await?)
        } else {
            None
        };
        let (user, effects) = self
            .run_event(user, Event::LoginSucceeded { proof, rehash })
            .await?;
        let origin = Origin {
            ctx: Some(ctx),
            ..Origin::default()
        };
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        debug_assert!(effects.contains(&Effect::CreateSession));
        let (token, session) = self.open_session(&user, input.remember, ctx).await?;
        Ok(LoginSuccess {
            user,
            token,
            session,
        })
    }

    /// A failed attempt on an identifier without an account: the same hashing work and
    /// the same lockout behaviour as a known account, so neither timing nor answers
    /// tell them apart.
    async fn fail_unknown(&self, identifier: &str, password: &str, too_long: bool) -> Error {
        let now = self.now();
        let lockout = self.inner.config.policy.lockout;
        let lock_key = throttle::key("lock:i", identifier);
        let counters = &self.inner.counters;
        match counters.counter(&lock_key, now).await {
            Ok(Some(lock)) => {
                return Error::AccountLocked {
                    retry_after: seconds_until(lock.expires_at, now),
                };
            }
            Ok(None) => {}
            Err(e) => return e,
        }
        if !too_long {
            self.inner.config.hasher.dummy_verify(password).await;
        }
        let fail_key = throttle::key("fail:i", identifier);
        let failures = match counters.increment(&fail_key, lockout.window, now).await {
            Ok(c) => c.count,
            Err(e) => return e,
        };
        if failures < u64::from(lockout.threshold) {
            return Error::InvalidCredentials;
        }
        let locks_key = throttle::key("locks:i", identifier);
        let result = async {
            let locks = counters
                .increment(&locks_key, time::Duration::days(1), now)
                .await?;
            let previous = u32::try_from(locks.count.saturating_sub(1)).unwrap_or(u32::MAX);
            let length = lockout.lock_length(previous);
            let lock = counters.increment(&lock_key, length, now).await?;
            counters.reset_counter(&fail_key).await?;
            Ok::<_, Error>(Error::AccountLocked {
                retry_after: seconds_until(lock.expires_at, now),
            })
        };
        result.await.unwrap_or_else(|e| e)
    }

    /// A wrong password for an existing account: counts the failure and locks the
    /// account once the threshold is reached.
    pub(super) async fn fail_known(&self, user: User, ctx: &RequestContext) -> Error {
        let now = self.now();
        let failures = match self.count_failure(user.id, now).await {
            Ok(n) => n,
            Err(e) => return e,
        };
        let outcome = self
            .run_event(
                user,
                Event::LoginFailed {
                    consecutive_failures: failures,
                },
            )
            .await;
        let (user, effects) = match outcome {
            Ok(done) => done,
            Err(e) => return e,
        };
        let origin = Origin {
            ctx: Some(ctx),
            ..Origin::default()
        };
        if let Err(e) = self
            .perform(&user, &effects, origin, MailLinks::default())
            .await
        {
            return e;
        }
        match AccountState::of(&user, now) {
            AccountState::Locked { until } => Error::AccountLocked {
                retry_after: seconds_until(until, now),
            },
            _ => Error::InvalidCredentials,
        }
    }

    async fn open_session(
        &self,
        user: &User,
        remember: bool,
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
        };
        self.inner.sessions.create_session(&record).await?;
        Ok((token, record))
    }

    /// Finds the live session behind a session id and its user: one store round trip
    /// (two when users and sessions live in different stores), plus a write at most once
    /// per touch interval to record use.
    ///
    /// `Ok(None)` for an unknown, expired or idle session, or a disabled account.
    ///
    /// # Errors
    /// Store errors only.
    pub async fn authenticate(&self, token: &SessionToken) -> Result<Option<Authenticated>> {
        let digest = token.digest();
        let found = match &self.inner.session_users {
            Some(joined) => joined.session_with_user(&digest).await?,
            None => match self.inner.sessions.session(&digest).await? {
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
        let config = &self.inner.config.sessions;
        if now - session.last_seen_at >= config.touch_interval {
            let idle = if session.remember {
                config.remember_idle_timeout
            } else {
                config.idle_timeout
            };
            session.last_seen_at = now;
            session.idle_expires_at = (now + idle).min(session.expires_at);
            self.inner
                .sessions
                .touch_session(&digest, session.last_seen_at, session.idle_expires_at)
                .await?;
        }
        Ok(Some(Authenticated { user, session }))
    }

    /// Ends the session behind this id (server side: a replayed cookie is worthless).
    ///
    /// # Errors
    /// Store errors only; an unknown session is not an error.
    pub async fn logout(&self, token: &SessionToken, ctx: &RequestContext) -> Result<()> {
        let digest = token.digest();
        let owner = self
            .inner
            .sessions
            .session(&digest)
            .await?
            .map(|s| s.user_id);
        if self.inner.sessions.delete_session(&digest).await? {
            let origin = Origin {
                ctx: Some(ctx),
                ..Origin::default()
            };
            self.audit(AuditKind::LoggedOut, owner, origin, None).await;
        }
        Ok(())
    }

    /// Ends every session of a user; returns how many.
    ///
    /// # Errors
    /// Store errors.
    pub async fn logout_everywhere(&self, user_id: UserId, ctx: &RequestContext) -> Result<u64> {
        let n = self
            .inner
            .sessions
            .delete_sessions_for_user(user_id, None)
            .await?;
        let origin = Origin {
            ctx: Some(ctx),
            ..Origin::default()
        };
        self.audit(AuditKind::LoggedOutEverywhere, Some(user_id), origin, None)
            .await;
        Ok(n)
    }

    /// The signed-in user's live sessions, newest first (the device list). A session's
    /// public handle is `session.digest.to_hex()`.
    ///
    /// # Errors
    /// Store errors.
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
        self.inner.sessions.delete_session(&digest).await?;
        let origin = Origin {
            ctx: Some(ctx),
            ..Origin::default()
        };
        self.audit(AuditKind::SessionRevoked, Some(auth.user.id), origin, None)
            .await;
        Ok(())
    }

    /// Ends every session of the signed-in user except the current one; returns how many.
    ///
    /// # Errors
    /// Store errors.
    pub async fn revoke_other_sessions(
        &self,
        auth: &Authenticated,
        ctx: &RequestContext,
    ) -> Result<u64> {
        let n = self
            .inner
            .sessions
            .delete_sessions_for_user(auth.user.id, Some(&auth.session.digest))
            .await?;
        let origin = Origin {
            ctx: Some(ctx),
            ..Origin::default()
        };
        self.audit(
            AuditKind::LoggedOutEverywhere,
            Some(auth.user.id),
            origin,
            Some(format!("{n} other sessions")),
        )
        .await;
        Ok(n)
    }
}
