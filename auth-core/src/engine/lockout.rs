//! The lockout guard: how repeated wrong passwords lock, kept in the counter store so
//! that every instance of the application shares it.
//!
//! A guard protects a *subject*: the identifier typed at sign-in (an email address or a
//! username, known or not), or an account whose signed-in owner re-enters the password.
//! Every subject follows the same course, so nothing observable tells a real account
//! from an unknown name, nor links an account's email address to its username:
//!
//! 1. While the subject is locked, attempts are refused before any hashing.
//! 2. Otherwise the attempt is *reserved* by an atomic increment of the subject's failure
//!    count before the password is checked. Only attempts numbered up to the threshold
//!    are checked at all, so concurrent guesses cannot overshoot the lockout.
//! 3. A success clears the count. A failure of the attempt numbered at the threshold
//!    locks the subject for [`LockoutPolicy::lock_length`] of the locks it had within
//!    the escalation window.
//!
//! The account state machine records a lock of a known account (`locked_until`, for its
//! owner and administrators); the decision is made here, once, for every subject.

use time::OffsetDateTime;

use super::Auth;
use super::throttle::Counted;
use crate::error::Result;
use crate::machine::{self, LockoutPolicy};
use crate::model::{User, UserId};
use crate::telemetry;

/// What a lockout guard protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Subject(String);

impl Subject {
    /// An identifier as typed at sign-in, normalised (it need not belong to an account).
    pub(super) fn identifier(identifier: &str) -> Self {
        Self(Counted::LockoutIdentifier.key(identifier))
    }

    /// An account whose signed-in owner re-enters the password.
    pub(super) fn account(id: UserId) -> Self {
        Self(format!("u:{id}"))
    }

    /// Every subject that guards `user`: its email address, its username and itself.
    pub(super) fn all_of(user: &User) -> Vec<Self> {
        let mut all = vec![Self::identifier(&user.email), Self::account(user.id)];
        if let Some(username) = &user.username {
            all.push(Self::identifier(username));
        }
        all
    }

    fn failures(&self) -> String {
        format!("fail:{}", self.0)
    }

    fn lock(&self) -> String {
        format!("lock:{}", self.0)
    }

    fn locks(&self) -> String {
        format!("locks:{}", self.0)
    }
}

/// A reserved password check: the subject and the attempt's number in the window.
#[derive(Debug)]
pub(super) struct Attempt {
    subject: Subject,
    number: u64,
}

impl Auth {
    fn lockout(&self) -> LockoutPolicy {
        self.inner.config.policy.lockout
    }

    /// Refuses while `subject` is locked, otherwise reserves one password check.
    ///
    /// # Errors
    /// [`Error::AccountLocked`] while locked, or when the threshold's worth of attempts
    /// is already reserved (a concurrent attempt is deciding the lock); store errors.
    pub(super) async fn begin_attempt(&self, subject: Subject) -> Result<Attempt> {
        let now = self.now();
        let counters = &self.inner.counters;
        if let Some(lock) = counters.counter(&subject.lock(), now).await? {
            return Err(machine::locked(lock.expires_at, now));
        }
        let policy = self.lockout();
        let reserved = counters
            .increment(&subject.failures(), policy.window, now)
            .await?;
        if reserved.count > u64::from(policy.threshold) {
            let until = match counters.counter(&subject.lock(), now).await? {
                Some(lock) => lock.expires_at,
                None => now + policy.lock_length(self.previous_locks(&subject, now).await?),
            };
            return Err(machine::locked(until, now));
        }
        Ok(Attempt {
            subject,
            number: reserved.count,
        })
    }

    /// The password was right: the subject's failure count starts again.
    pub(super) async fn attempt_succeeded(&self, attempt: &Attempt) -> Result<()> {
        self.inner
            .counters
            .reset_counter(&attempt.subject.failures())
            .await
    }

    /// The password was wrong. Returns when the lock this failure caused ends, if it
    /// caused one.
    pub(super) async fn attempt_failed(&self, attempt: &Attempt) -> Result<Option<OffsetDateTime>> {
        let policy = self.lockout();
        if !policy.locks_at(attempt.number) {
            return Ok(None);
        }
        let now = self.now();
        let counters = &self.inner.counters;
        let subject = &attempt.subject;
        let previous = self.previous_locks(subject, now).await?;
        counters
            .increment(&subject.locks(), policy.escalation_window, now)
            .await?;
        let lock = counters
            .increment(&subject.lock(), policy.lock_length(previous), now)
            .await?;
        counters.reset_counter(&subject.failures()).await?;
        telemetry::lockout();
        Ok(Some(lock.expires_at))
    }

    async fn previous_locks(&self, subject: &Subject, now: OffsetDateTime) -> Result<u32> {
        let locks = self.inner.counters.counter(&subject.locks(), now).await?;
        Ok(locks.map_or(0, |c| u32::try_from(c.count).unwrap_or(u32::MAX)))
    }

    /// Lifts every lock guarding `user` and forgets its failures (a reset by mailed link,
    /// an administrator's unlock).
    pub(super) async fn lift_locks(&self, user: &User) -> Result<()> {
        let counters = &self.inner.counters;
        for subject in Subject::all_of(user) {
            counters.reset_counter(&subject.failures()).await?;
            counters.reset_counter(&subject.lock()).await?;
        }
        Ok(())
    }

    /// Forgets the failures of the owner re-entering the password.
    pub(super) async fn reset_account_failures(&self, user: UserId) -> Result<()> {
        self.inner
            .counters
            .reset_counter(&Subject::account(user).failures())
            .await
    }
}
