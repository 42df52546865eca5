//! The account state machine: pure transitions from (account, event, now, policy) to the
//! next account plus the effects to run, or a typed refusal.
//!
//! Nothing here does I/O. The engine loads the account, calls [`apply`], persists the
//! returned account with a compare-and-swap, then performs the effects. Because the
//! transitions are pure, their invariants are checked by property tests over random
//! event sequences (see the tests at the bottom of this file).
//!
//! Steps that need a proof take it as a value that only the proving code can build:
//! a [`PasswordVerified`] comes only from [`Hasher::verify`](crate::password::Hasher::verify)
//! and a [`TokenProof`] only from a token whose signature, purpose and expiry were checked.

use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result, TokenRejection};
use crate::model::{AccountStatus, AuditKind, MailKind, PasswordHash, SecurityStamp, User};
use crate::password::PasswordVerified;
use crate::token::{Claims, Purpose};

/// Where an account stands at a given instant, derived from the stored fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// Signed up, email address not confirmed yet.
    PendingVerification,
    /// In good standing.
    Active,
    /// Refusing sign-in until the instant given, after repeated failures.
    Locked {
        /// When the lock ends.
        until: OffsetDateTime,
    },
    /// Switched off by an administrator.
    Disabled,
}

impl AccountState {
    /// The state of `user` at `now`. Disabled wins over locked, locked over unverified.
    pub fn of(user: &User, now: OffsetDateTime) -> Self {
        if user.status == AccountStatus::Disabled {
            return Self::Disabled;
        }
        match user.locked_until {
            Some(until) if until > now => Self::Locked { until },
            _ if user.email_verified_at.is_none() => Self::PendingVerification,
            _ => Self::Active,
        }
    }
}

/// How consecutive sign-in failures lock an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures (within [`window`](Self::window)) that lock the account.
    pub threshold: u32,
    /// How long failures are remembered.
    pub window: Duration,
    /// The first lock's length; each further lock doubles it.
    pub base_lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            threshold: 5,
            window: Duration::minutes(15),
            base_lock: Duration::minutes(1),
            max_lock: Duration::hours(1),
        }
    }
}

impl LockoutPolicy {
    /// The length of the lock that follows `previous_locks` earlier ones.
    pub fn lock_length(&self, previous_locks: u32) -> Duration {
        let factor = 1i32.checked_shl(previous_locks.min(30)).unwrap_or(i32::MAX);
        self.base_lock
            .checked_mul(factor)
            .map_or(self.max_lock, |d| d.min(self.max_lock))
    }
}

/// The parts of the configuration the transitions depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Policy {
    /// Lockout after repeated failures.
    pub lockout: LockoutPolicy,
    /// Whether sign-in requires a confirmed email address.
    pub require_verified_email: bool,
}

/// Proof that a link token was checked (signature, expiry, purpose). Only the engine
/// builds it, from the claims of a token it verified.
#[derive(Debug, Clone)]
pub struct TokenProof {
    claims: Claims,
}

impl TokenProof {
    pub(crate) fn new(claims: Claims) -> Self {
        Self { claims }
    }

    /// The verified claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// Refuses the proof unless it was issued for `purpose` to `user` under the user's
    /// current security stamp (the single-use rule).
    fn check(&self, user: &User, purpose: Purpose) -> Result<()> {
        if self.claims.aud != purpose {
            return Err(Error::token(TokenRejection::WrongPurpose));
        }
        if self.claims.sub != user.id || !user.security_stamp.matches(&self.claims.stamp) {
            return Err(Error::token(TokenRejection::AlreadyUsed));
        }
        Ok(())
    }
}

/// Administrative actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminAction {
    /// Switch the account off and end its sessions.
    Disable,
    /// Switch the account back on.
    Enable,
    /// Lift a lockout.
    Unlock,
    /// Replace the roles (already normalised).
    SetRoles(Vec<String>),
    /// End every session.
    ForceLogout,
}

/// Something that happens to an account.
#[derive(Debug, Clone)]
pub enum Event {
    /// The password was verified at sign-in; `rehash` carries a new hash when the stored
    /// parameters are outdated.
    LoginSucceeded {
        /// The verification proof.
        proof: PasswordVerified,
        /// A fresh hash with the configured parameters, if one is due.
        rehash: Option<PasswordHash>,
    },
    /// A sign-in failed; `consecutive_failures` includes this one.
    LoginFailed {
        /// Failures in the current window, this one included.
        consecutive_failures: u64,
    },
    /// A verification link was followed.
    EmailVerified(TokenProof),
    /// A reset link was used to set a new password.
    PasswordReset {
        /// The reset token's proof.
        proof: TokenProof,
        /// The new password's hash.
        new_hash: PasswordHash,
    },
    /// The owner changed the password, proving the current one.
    PasswordChanged {
        /// The current password's verification.
        proof: PasswordVerified,
        /// The new password's hash.
        new_hash: PasswordHash,
    },
    /// The owner asked to move the account to another address, proving the password.
    EmailChangeRequested(PasswordVerified),
    /// A change-email link was followed; the address in the token becomes the account's.
    EmailChanged(TokenProof),
    /// The owner set or cleared the username (already normalised).
    UsernameChanged(Option<String>),
    /// The owner deleted the account, proving the password.
    Deleted(PasswordVerified),
    /// An administrator acted on the account.
    Admin(AdminAction),
}

/// What the engine must do after persisting a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Open a session for the user.
    CreateSession,
    /// End every session of the user.
    RevokeAllSessions,
    /// End every session of the user but the one making the request.
    RevokeOtherSessions,
    /// Forget the consecutive-failure count.
    ResetFailures,
    /// Send a message of this kind.
    Mail(MailKind),
    /// Record an audit event.
    Audit(AuditKind),
    /// Remove the account from the store.
    DeleteAccount,
}

/// The outcome of a transition.
#[derive(Debug, Clone)]
pub struct Transition {
    /// The account after the event (to persist when it differs from before).
    pub user: User,
    /// What to do once it is persisted, in order.
    pub effects: Vec<Effect>,
}

/// Applies `event` to `user` at `now`.
///
/// # Errors
/// A typed refusal: [`Error::AccountDisabled`], [`Error::AccountLocked`],
/// [`Error::EmailNotVerified`], [`Error::InvalidCredentials`] (a password proof that no
/// longer matches the stored hash), or [`Error::Token`] (wrong purpose, or a token already
/// used or superseded).
pub fn apply(user: User, event: Event, now: OffsetDateTime, policy: &Policy) -> Result<Transition> {
    let state = AccountState::of(&user, now);
    let mut next = user;
    let effects = match event {
        Event::LoginSucceeded { proof, rehash } => {
            check_password(&next, &proof)?;
            match state {
                AccountState::Disabled => return Err(Error::AccountDisabled),
                AccountState::Locked { until } => return Err(locked(until, now)),
                AccountState::PendingVerification if policy.require_verified_email => {
                    return Err(Error::EmailNotVerified);
                }
                AccountState::PendingVerification | AccountState::Active => {}
            }
            next.last_login_at = Some(now);
            next.locked_until = None;
            next.lockout_count = 0;
            if let Some(hash) = rehash {
                next.password_hash = hash;
            }
            vec![
                Effect::ResetFailures,
                Effect::CreateSession,
                Effect::Audit(AuditKind::LoginSucceeded),
            ]
        }
        Event::LoginFailed {
            consecutive_failures,
        } => {
            let mut effects = vec![Effect::Audit(AuditKind::LoginFailed)];
            let already_locked = matches!(state, AccountState::Locked { .. });
            if consecutive_failures >= u64::from(policy.lockout.threshold) && !already_locked {
                next.locked_until = Some(now + policy.lockout.lock_length(next.lockout_count));
                next.lockout_count = next.lockout_count.saturating_add(1);
                effects.push(Effect::ResetFailures);
                effects.push(Effect::Audit(AuditKind::Locked));
            }
            effects
        }
        Event::EmailVerified(proof) => {
            if proof.claims.aud != Purpose::VerifyEmail {
                return Err(Error::token(TokenRejection::WrongPurpose));
            }
            if proof.claims.sub != next.id
                || proof.claims.email != next.email
                || next.email_verified_at.is_some()
            {
                return Err(Error::token(TokenRejection::AlreadyUsed));
            }
            next.email_verified_at = Some(now);
            vec![Effect::Audit(AuditKind::EmailVerified)]
        }
        Event::PasswordReset { proof, new_hash } => {
            proof.check(&next, Purpose::ResetPassword)?;
            refuse_if_disabled(state)?;
            if proof.claims.email == next.email && next.email_verified_at.is_none() {
                // Following the link proved ownership of the address.
                next.email_verified_at = Some(now);
            }
            next.password_hash = new_hash;
            next.security_stamp = SecurityStamp::generate();
            next.locked_until = None;
            next.lockout_count = 0;
            vec![
                Effect::RevokeAllSessions,
                Effect::ResetFailures,
                Effect::Mail(MailKind::PasswordChanged),
                Effect::Audit(AuditKind::PasswordReset),
            ]
        }
        Event::PasswordChanged { proof, new_hash } => {
            check_password(&next, &proof)?;
            refuse_if_disabled(state)?;
            next.password_hash = new_hash;
            next.security_stamp = SecurityStamp::generate();
            vec![
                Effect::RevokeOtherSessions,
                Effect::Mail(MailKind::PasswordChanged),
                Effect::Audit(AuditKind::PasswordChanged),
            ]
        }
        Event::EmailChangeRequested(proof) => {
            check_password(&next, &proof)?;
            refuse_if_disabled(state)?;
            vec![
                Effect::Mail(MailKind::EmailChange),
                Effect::Mail(MailKind::EmailChangeNotice),
                Effect::Audit(AuditKind::EmailChangeRequested),
            ]
        }
        Event::EmailChanged(proof) => {
            proof.check(&next, Purpose::ChangeEmail)?;
            refuse_if_disabled(state)?;
            next.email.clone_from(&proof.claims.email);
            next.email_verified_at = Some(now);
            next.security_stamp = SecurityStamp::generate();
            vec![
                Effect::RevokeAllSessions,
                Effect::Audit(AuditKind::EmailChanged),
            ]
        }
        Event::UsernameChanged(username) => {
            refuse_if_disabled(state)?;
            next.username = username;
            Vec::new()
        }
        Event::Deleted(proof) => {
            check_password(&next, &proof)?;
            vec![
                Effect::RevokeAllSessions,
                Effect::DeleteAccount,
                Effect::Audit(AuditKind::AccountDeleted),
            ]
        }
        Event::Admin(action) => admin(&mut next, action),
    };
    if effects
        .iter()
        .any(|e| !matches!(e, Effect::Audit(AuditKind::LoginFailed)))
    {
        next.updated_at = now;
    }
    Ok(Transition {
        user: next,
        effects,
    })
}

fn admin(next: &mut User, action: AdminAction) -> Vec<Effect> {
    match action {
        AdminAction::Disable => {
            next.status = AccountStatus::Disabled;
            vec![
                Effect::RevokeAllSessions,
                Effect::Audit(AuditKind::Disabled),
            ]
        }
        AdminAction::Enable => {
            next.status = AccountStatus::Active;
            vec![Effect::Audit(AuditKind::Enabled)]
        }
        AdminAction::Unlock => {
            next.locked_until = None;
            next.lockout_count = 0;
            vec![Effect::ResetFailures, Effect::Audit(AuditKind::Unlocked)]
        }
        AdminAction::SetRoles(roles) => {
            next.roles = roles;
            vec![Effect::Audit(AuditKind::RolesChanged)]
        }
        AdminAction::ForceLogout => vec![
            Effect::RevokeAllSessions,
            Effect::Audit(AuditKind::ForcedLogout),
        ],
    }
}

fn check_password(user: &User, proof: &PasswordVerified) -> Result<()> {
    // The proof is for the hash it was checked against; if the password changed since,
    // the proof is worthless.
    if proof.is_for(&user.password_hash) {
        Ok(())
    } else {
        Err(Error::InvalidCredentials)
    }
}

fn refuse_if_disabled(state: AccountState) -> Result<()> {
    match state {
        AccountState::Disabled => Err(Error::AccountDisabled),
        _ => Ok(()),
    }
}

fn locked(until: OffsetDateTime, now: OffsetDateTime) -> Error {
    let left = (until - now).max(Duration::ZERO);
    Error::AccountLocked {
        retry_after: std::time::Duration::from_secs(left.whole_seconds().max(1).unsigned_abs()),
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
