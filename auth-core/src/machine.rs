//! The account state machine: pure transitions from (account, event, now, policy) to the
//! next account plus the effects to run, or a typed refusal.
//!
//! Nothing here does I/O, reads a clock or draws random numbers: whatever a decision
//! needs that only I/O can give (a new security stamp, whether an address is taken, the
//! lock the lockout guard decided) arrives in the event. The engine loads the account,
//! calls [`apply`], persists the returned account with a compare-and-swap when it
//! changed, then performs the effects. Accounts come into being through [`create`];
//! ending sessions is decided by [`end_sessions`]. Because the transitions are pure,
//! their invariants are checked by property tests over random event sequences (see
//! `machine_tests.rs`).
//!
//! The module is internal: applications use [`Auth`](crate::Auth), whose methods are the
//! flows.
//!
//! Steps that need a proof take it as a value that only the proving code can build:
//! a [`PasswordVerified`] comes only from [`Hasher::verify`](crate::password::Hasher::verify),
//! a [`TokenProof`] only from a token whose signature, purpose and expiry were checked,
//! and an [`EmailCodeVerified`] only from a mailed code (or sign-in link) that was right.

use time::{Duration, OffsetDateTime};

use crate::config::StepUpPolicy;
use crate::email_code::{CodePurpose, EmailCodeVerified, wrong_code};
use crate::error::{Error, Message, Result, TokenRejection};
use crate::identity::LinkedIdentityProof;
use crate::model::{
    AccountStatus, AuditKind, MailKind, PasswordHash, SecurityStamp, SessionRecord, User, UserId,
};
use crate::passkey::PasskeyVerified;
use crate::password::PasswordVerified;
use crate::profile::{ProfileChanges, ProfileSchema};
use crate::second_factor::{AuthMethod, FirstStepProof, SecondFactor, SecondFactorVerified};
use crate::token::{Claims, Purpose};

/// Where an account stands at a given instant, derived from the stored fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
    /// How long earlier locks count toward the length of the next one: a lock within
    /// this time of the previous one lasts twice as long.
    pub escalation_window: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            threshold: 5,
            window: Duration::minutes(15),
            base_lock: Duration::minutes(1),
            max_lock: Duration::hours(1),
            escalation_window: Duration::days(1),
        }
    }
}

impl LockoutPolicy {
    /// Whether the attempt numbered `attempt` (1 for the first in the window) is the one
    /// whose failure locks.
    pub fn locks_at(&self, attempt: u64) -> bool {
        attempt >= u64::from(self.threshold)
    }

    /// The length of the lock that follows `previous_locks` earlier ones.
    pub fn lock_length(&self, previous_locks: u32) -> Duration {
        let factor = 1i32.checked_shl(previous_locks.min(30)).unwrap_or(i32::MAX);
        self.base_lock
            .checked_mul(factor)
            .map_or(self.max_lock, |d| d.min(self.max_lock))
    }
}

/// The parts of the configuration the transitions depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Lockout after repeated failures.
    pub(crate) lockout: LockoutPolicy,
    /// Whether sign-in requires a confirmed email address.
    pub(crate) require_verified_email: bool,
    /// The ceiling of a whole profile, serialised as JSON, in bytes.
    pub(crate) profile_max_bytes: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            lockout: LockoutPolicy::default(),
            require_verified_email: false,
            profile_max_bytes: crate::profile::DEFAULT_MAX_BYTES,
        }
    }
}

/// Proof that a link token was checked (signature, expiry, purpose). Only the engine
/// builds it, from the claims of a token it verified.
#[derive(Debug, Clone)]
pub(crate) struct TokenProof {
    claims: Claims,
}

impl TokenProof {
    pub(crate) fn new(claims: Claims) -> Self {
        Self { claims }
    }

    /// Refuses the proof unless it was issued for `purpose` to `user` under the user's
    /// current security stamp (the single-use rule). The engine asks this before hashing
    /// a new password; [`apply`] asks it again on the account it persists.
    ///
    /// # Errors
    /// [`Error::Token`]: wrong purpose, or already used or superseded.
    pub(crate) fn check(&self, user: &User, purpose: Purpose) -> Result<()> {
        if self.claims.aud != purpose {
            return Err(Error::token(TokenRejection::WrongPurpose));
        }
        if self.claims.sub != user.id || !user.security_stamp.matches(&self.claims.stamp) {
            return Err(Error::token(TokenRejection::AlreadyUsed));
        }
        Ok(())
    }
}

/// Refuses a password check by the signed-in owner of a locked or disabled account: the
/// engine asks it before hashing, and the transitions that take a password proof enforce
/// the same states.
///
/// # Errors
/// [`Error::AccountLocked`], [`Error::AccountDisabled`].
pub(crate) fn admit_reentry(user: &User, now: OffsetDateTime) -> Result<()> {
    match AccountState::of(user, now) {
        AccountState::Locked { until } => Err(locked(until, now)),
        AccountState::Disabled => Err(Error::AccountDisabled),
        AccountState::PendingVerification | AccountState::Active => Ok(()),
    }
}

/// Administrative actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AdminAction {
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
    /// Delete the account (an operator's tool only: administrators on the web pages
    /// disable accounts).
    Delete,
    /// Remove the second factor (the owner lost it); the sessions end.
    ResetSecondFactor,
}

/// Something that happens to an account.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// The password was verified at sign-in; `rehash` carries a new hash when the stored
    /// parameters are outdated.
    LoginSucceeded {
        /// The verification proof.
        proof: PasswordVerified,
        /// A fresh hash with the configured parameters, if one is due.
        rehash: Option<PasswordHash>,
        /// The application's before-sign-in hook refused, with this message: the engine's
        /// own refusals (disabled, locked, unconfirmed) still come first.
        veto: Option<String>,
        /// Whether the account has a passkey: it then stands as a second factor, as an
        /// authenticator app does.
        passkeys: bool,
    },
    /// A passkey signed in by itself (passwordless): user verification makes it two
    /// factors in one, so no second step follows.
    PasskeySignedIn {
        /// The verified assertion.
        proof: PasskeyVerified,
        /// The application's before-sign-in hook refused, with this message.
        veto: Option<String>,
    },
    /// A password check against the account failed (at sign-in, or when a signed-in
    /// owner re-entered it). The engine's lockout guard decides whether the failure
    /// locks, with the same rule for every identifier, known or not (see
    /// [`LockoutPolicy`]); the account records that lock for its owner and
    /// administrators.
    LoginFailed {
        /// When the lock this failure caused ends, if it caused one.
        locked_until: Option<OffsetDateTime>,
    },
    /// A verification link was followed.
    EmailVerified(TokenProof),
    /// A reset link was used to set a new password.
    PasswordReset {
        /// The reset token's proof.
        proof: TokenProof,
        /// The new password's hash.
        new_hash: PasswordHash,
        /// The security stamp that replaces the current one.
        new_stamp: SecurityStamp,
    },
    /// The owner changed the password, proving the current one.
    PasswordChanged {
        /// The current password's verification.
        proof: PasswordVerified,
        /// The new password's hash.
        new_hash: PasswordHash,
        /// The security stamp that replaces the current one.
        new_stamp: SecurityStamp,
    },
    /// The owner asked to move the account to another address, proving the password.
    /// The stamp rotates, so only the link of the newest request can be confirmed.
    EmailChangeRequested {
        /// The current password's verification.
        proof: PasswordVerified,
        /// The security stamp that replaces the current one (the new link carries it).
        new_stamp: SecurityStamp,
        /// Whether another account already has the new address: then no link is mailed
        /// there, but the answer and the notice to the current address are the same.
        address_taken: bool,
    },
    /// A change-email link was followed; the address in the token becomes the account's.
    EmailChanged {
        /// The change-email token's proof.
        proof: TokenProof,
        /// The security stamp that replaces the current one.
        new_stamp: SecurityStamp,
    },
    /// The owner set or cleared the username (already normalised).
    UsernameChanged(Option<String>),
    /// The owner set or cleared the account's language (already checked to be offered).
    LanguageChanged(Option<String>),
    /// Profile fields were written (already validated against the schema for the
    /// writer). The changes are merged into the account's current profile, so concurrent
    /// writes of different fields both survive the compare-and-swap retry.
    ProfileChanged {
        /// The validated changes.
        changes: ProfileChanges,
        /// Written by an administrator (who may also change a disabled account).
        by_admin: bool,
    },
    /// Someone asked for a reset link for the account's address.
    ResetRequested,
    /// Someone asked for a new verification link for the account's address.
    VerificationRequested,
    /// Someone asked for a sign-in code and link for the account's address.
    MailSignInRequested,
    /// The owner deleted the account, proving the password.
    Deleted(PasswordVerified),
    /// An administrator acted on the account.
    Admin(AdminAction),
    /// A code mailed with the verification link was typed: the address is confirmed.
    EmailVerifiedByCode(EmailCodeVerified),
    /// A code mailed with the reset link was typed with a new password.
    PasswordResetByCode {
        /// The code's proof.
        proof: EmailCodeVerified,
        /// The new password's hash.
        new_hash: PasswordHash,
        /// The security stamp that replaces the current one.
        new_stamp: SecurityStamp,
    },
    /// The first step of a sign-in by mail passed: a mailed code typed or a mailed link
    /// followed, in place of the password.
    MailSignInSucceeded {
        /// The code's (or link's) proof.
        proof: EmailCodeVerified,
        /// The application's before-sign-in hook refused, with this message.
        veto: Option<String>,
        /// Whether the account has a passkey, which stands as a second factor.
        passkeys: bool,
    },
    /// The second step of a sign-in passed: the first step's proof and a checked code.
    SecondStepSucceeded {
        /// The password step, as the pending sign-in recorded it.
        first: FirstStepProof,
        /// The code's proof.
        second: SecondFactorVerified,
        /// The application's before-sign-in hook refused, with this message.
        veto: Option<String>,
    },
    /// A provider's verified answer named an identity linked to the account.
    IdentitySignedIn {
        /// The linked identity's proof.
        proof: LinkedIdentityProof,
        /// The application's before-sign-in hook refused, with this message.
        veto: Option<String>,
        /// The account has a passkey, which stands as a second factor.
        passkeys: bool,
    },
    /// An identity at a provider was linked to the account (its owner proved the
    /// account: signed in to it).
    IdentityLinked {
        /// The provider's name.
        provider: String,
    },
    /// An identity at a provider was unlinked from the account by its owner.
    IdentityUnlinked {
        /// The provider's name.
        provider: String,
    },
    /// An authenticator app was enrolled, proven by a first correct code.
    SecondFactorEnrolled {
        /// The factor to store (its secret sealed, the recovery codes' digests).
        factor: SecondFactor,
        /// The first code's proof, for the secret being enrolled.
        proof: SecondFactorVerified,
    },
    /// The owner removed the second factor, proving the password and a current code.
    SecondFactorDisabled {
        /// The password's proof.
        password: PasswordVerified,
        /// The code's proof.
        second: SecondFactorVerified,
    },
    /// The owner replaced the recovery codes, proving a current code.
    RecoveryCodesRegenerated {
        /// The new codes' digests.
        digests: Vec<String>,
        /// The code's proof.
        second: SecondFactorVerified,
    },
    /// The signed-in owner proved who they are again, for sensitive actions (step-up).
    SteppedUp {
        /// The proof.
        proof: FreshProof,
        /// Whether the account has a passkey (then a second factor, see
        /// [`required_fresh_proof`]).
        passkeys: bool,
    },
}

/// The proof a re-authentication shows: the password for an account without a second
/// factor, a code for an account with one (see [`required_fresh_proof`]).
#[derive(Debug, Clone)]
pub(crate) enum FreshProof {
    /// The password.
    Password(PasswordVerified),
    /// A code from the authenticator app, or a recovery code.
    SecondFactor(SecondFactorVerified),
}

impl FreshProof {
    /// The method it proves with.
    pub(crate) fn method(&self) -> AuthMethod {
        match self {
            Self::Password(_) => AuthMethod::Pwd,
            Self::SecondFactor(second) => second.method(),
        }
    }
}

/// What a re-authentication of `user` must show: a second factor when the account has
/// one, an authenticator app or a passkey (`passkeys`; the rule of
/// [`needs_second_step`]): a known password alone never re-opens its sensitive actions.
/// Else the password.
pub(crate) fn required_fresh_proof(user: &User, passkeys: bool) -> AuthMethodClass {
    if needs_second_step(user, passkeys) {
        AuthMethodClass::SecondFactor
    } else {
        AuthMethodClass::Any
    }
}

/// The refusal of a password as the fresh proof of an account whose second factor is a
/// passkey (on `password`: the passkey is asked for instead).
pub(crate) fn passkey_proof_needed() -> Error {
    Error::invalid("password", Message::new("field-password-passkey_needed"))
}

/// Which methods count as a fresh proof for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMethodClass {
    /// Any method (the account has no second factor).
    Any,
    /// Only a method that [`is_second_factor`](AuthMethod::is_second_factor).
    SecondFactor,
}

impl AuthMethodClass {
    /// Whether `methods` hold one of the class.
    pub(crate) fn met_by(self, methods: &[AuthMethod]) -> bool {
        match self {
            Self::Any => !methods.is_empty(),
            Self::SecondFactor => methods.iter().any(|m| m.is_second_factor()),
        }
    }
}

/// Whether `user` must enrol a second factor before reaching anything else: it holds a
/// role that requires one (`policy.second_factor_roles`) and has none.
pub(crate) fn must_enrol_second_factor(user: &User, policy: &StepUpPolicy) -> bool {
    user.second_factor.is_none()
        && policy
            .second_factor_roles
            .iter()
            .any(|role| user.has_role(role))
}

/// Admits a sensitive action (changing the password or address, removing the second
/// factor, replacing recovery codes, deleting the account, an administrator's action)
/// by the signed-in `user` on `session`: the one decision of step-up.
///
/// `shown` are the methods the request itself proved (the current password typed into
/// the form, a code): they count as a fresh proof. Otherwise the session's last proof
/// must be younger than `policy.max_age`, and for an account with a second factor (an
/// authenticator app, or a passkey: `passkeys`) the session's methods must include one.
///
/// # Errors
/// [`Error::SecondFactorEnrolmentRequired`] for a user who must enrol a second factor
/// first (whatever the proof); [`Error::ReauthenticationRequired`] without a fresh
/// enough proof.
pub(crate) fn admit_sensitive(
    user: &User,
    passkeys: bool,
    session: &SessionRecord,
    shown: &[AuthMethod],
    now: OffsetDateTime,
    policy: &StepUpPolicy,
) -> Result<()> {
    if must_enrol_second_factor(user, policy) {
        return Err(Error::SecondFactorEnrolmentRequired);
    }
    let class = required_fresh_proof(user, passkeys);
    if class.met_by(shown) {
        return Ok(());
    }
    let age = now - session.proved_at;
    let fresh = age < policy.max_age && session.user_id == user.id;
    if fresh && class.met_by(&session.amr) {
        Ok(())
    } else {
        Err(Error::ReauthenticationRequired)
    }
}

/// What the engine must do after persisting a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Open a session for the user.
    CreateSession,
    /// End every session of the user.
    RevokeAllSessions,
    /// End every session of the user but the one making the request.
    RevokeOtherSessions,
    /// End the one session named by the request (logout, or a device revoked).
    RevokeSession,
    /// Delete every API key of the user (a key never outlives the account's standing).
    RevokeApiKeys,
    /// Forget the account's count of consecutive wrong passwords (as re-entered by its
    /// signed-in owner).
    ResetFailures,
    /// Lift every lockout guarding the account: the failure counts and locks of its
    /// email address, its username and the account itself.
    LiftLocks,
    /// Send a message of this kind.
    Mail(MailKind),
    /// Record an audit event, with its detail for the trail if it has one.
    Audit(AuditKind, Option<String>),
    /// Remove the account from the store.
    DeleteAccount,
    /// The password was right and the account has a second factor: hold a pending
    /// sign-in, open no session.
    AwaitSecondFactor,
    /// Record on the request's session a fresh proof by this method (its `amr` gains
    /// it, its `proved_at` becomes now).
    RecordProof(AuthMethod),
}

/// The outcome of a transition.
#[derive(Debug, Clone)]
pub(crate) struct Transition {
    /// The account after the event (to persist when it differs from before).
    pub(crate) user: User,
    /// What to do once it is persisted, in order.
    pub(crate) effects: Vec<Effect>,
}

/// The facts of a new account, gathered by the engine: validated and normalised input,
/// the hash, and the identifiers it generated.
#[derive(Debug, Clone)]
pub(crate) struct NewAccount {
    pub(crate) id: UserId,
    pub(crate) email: String,
    pub(crate) username: Option<String>,
    pub(crate) password_hash: PasswordHash,
    pub(crate) security_stamp: SecurityStamp,
    pub(crate) roles: Vec<String>,
    /// The profile values given at creation (validated).
    pub(crate) profile: crate::profile::Profile,
    /// How the account came to be: a person signing up (who must confirm the address by
    /// the mailed link), or an operator creating it directly.
    pub(crate) origin: Creation,
}

/// How an account came to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Creation {
    /// A person signed up; the address is confirmed by the mailed link.
    SignUp,
    /// An operator created it, with the address confirmed or not.
    Direct {
        /// Whether the address counts as confirmed.
        verified: bool,
    },
    /// An operator brought it over from another system, with its existing password hash.
    Imported {
        /// Whether the address counts as confirmed.
        verified: bool,
    },
    /// A person signed in with another provider for the first time; the address counts
    /// as confirmed when the provider verified it (otherwise the mailed link confirms it).
    Provider {
        /// The provider's name.
        provider: String,
        /// Whether the provider verified the address.
        verified: bool,
    },
}

/// The account a [`NewAccount`] becomes, and what follows its creation: the audit record,
/// and the verification mail for a person who signed up.
pub(crate) fn create(new: NewAccount, now: OffsetDateTime) -> Transition {
    let verified = matches!(
        new.origin,
        Creation::Direct { verified: true }
            | Creation::Imported { verified: true }
            | Creation::Provider { verified: true, .. }
    );
    let user = User {
        id: new.id,
        email: new.email,
        username: new.username,
        password_hash: new.password_hash,
        status: AccountStatus::Active,
        email_verified_at: verified.then_some(now),
        roles: new.roles,
        security_stamp: new.security_stamp,
        locked_until: None,
        lockout_count: 0,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        version: 1,
        profile: new.profile,
        second_factor: None,
        language: None,
    };
    let effects = match new.origin {
        Creation::SignUp => vec![
            Effect::Audit(AuditKind::Registered, None),
            Effect::Mail(MailKind::Verification),
        ],
        Creation::Direct { .. } => vec![Effect::Audit(
            AuditKind::Registered,
            Some("created directly".into()),
        )],
        Creation::Imported { .. } => vec![Effect::Audit(
            AuditKind::Registered,
            Some("imported with an existing password hash".into()),
        )],
        Creation::Provider { provider, verified } => {
            let mut effects = vec![
                Effect::Audit(
                    AuditKind::Registered,
                    Some(format!("signed up with {provider}")),
                ),
                Effect::Audit(AuditKind::IdentityLinked, Some(provider)),
            ];
            if !verified {
                effects.push(Effect::Mail(MailKind::Verification));
            }
            effects
        }
    };
    Transition { user, effects }
}

/// Which sessions a request ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Its own session (logout).
    Own,
    /// One of the owner's sessions, picked from the device list.
    Picked,
    /// Every session but the one making the request.
    Others,
    /// Every session.
    All,
}

/// What ending sessions does: which are revoked and what the audit trail records. The
/// account itself does not change, so no account is needed.
pub(crate) fn end_sessions(ending: Ending) -> Vec<Effect> {
    match ending {
        Ending::Own => vec![
            Effect::RevokeSession,
            Effect::Audit(AuditKind::LoggedOut, None),
        ],
        Ending::Picked => vec![
            Effect::RevokeSession,
            Effect::Audit(AuditKind::SessionRevoked, None),
        ],
        Ending::Others => vec![
            Effect::RevokeOtherSessions,
            Effect::Audit(
                AuditKind::LoggedOutEverywhere,
                Some("other sessions".into()),
            ),
        ],
        Ending::All => vec![
            Effect::RevokeAllSessions,
            Effect::Audit(AuditKind::LoggedOutEverywhere, None),
        ],
    }
}

/// Applies `event` to `user` at `now`.
///
/// # Errors
/// A typed refusal: [`Error::AccountDisabled`], [`Error::AccountLocked`],
/// [`Error::EmailNotVerified`], [`Error::InvalidCredentials`] (a password proof that no
/// longer matches the stored hash), or [`Error::Token`] (wrong purpose, or a token already
/// used or superseded).
pub(crate) fn apply(
    user: User,
    event: Event,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<Transition> {
    let state = AccountState::of(&user, now);
    let mut next = user.clone();
    let effects = match event {
        Event::LoginSucceeded {
            proof,
            rehash,
            veto,
            passkeys,
        } => {
            check_password(&next, &proof)?;
            may_sign_in(state, now, policy, veto)?;
            if let Some(hash) = rehash {
                next.password_hash = hash;
            }
            first_step_passed(&mut next, now, None, passkeys)
        }
        Event::MailSignInSucceeded {
            proof,
            veto,
            passkeys,
        } => {
            proof.check(&next, CodePurpose::SignIn)?;
            may_sign_in(state, now, policy, veto)?;
            first_step_passed(
                &mut next,
                now,
                Some(format!("with {}", proof.how().as_str())),
                passkeys,
            )
        }
        Event::EmailVerifiedByCode(proof) => {
            proof.check(&next, CodePurpose::VerifyEmail)?;
            if next.email_verified_at.is_some() {
                return Err(wrong_code());
            }
            next.email_verified_at = Some(now);
            vec![Effect::Audit(
                AuditKind::EmailVerified,
                Some("by code".into()),
            )]
        }
        Event::PasswordResetByCode {
            proof,
            new_hash,
            new_stamp,
        } => {
            proof.check(&next, CodePurpose::ResetPassword)?;
            refuse_if_disabled(state)?;
            // The code reached the account's own address (the proof checked it).
            reset_to(&mut next, now, new_hash, new_stamp, true, Some("by code"))
        }
        Event::PasskeySignedIn { proof, veto } => {
            if proof.user() != next.id {
                return Err(Error::InvalidCredentials);
            }
            may_sign_in(state, now, policy, veto)?;
            next.last_login_at = Some(now);
            next.locked_until = None;
            next.lockout_count = 0;
            vec![
                Effect::ResetFailures,
                Effect::CreateSession,
                Effect::Audit(
                    AuditKind::LoginSucceeded,
                    Some(format!("with {}", AuthMethod::Passkey.as_str())),
                ),
            ]
        }
        Event::SecondStepSucceeded {
            first,
            second,
            veto,
        } => {
            if !first.is_for(&next) {
                return Err(Error::InvalidCredentials);
            }
            check_second(&next, &second)?;
            may_sign_in(state, now, policy, veto)?;
            next.last_login_at = Some(now);
            next.locked_until = None;
            next.lockout_count = 0;
            let mut effects = vec![Effect::ResetFailures];
            if let Some(used) = second.used_recovery() {
                if let Some(factor) = next.second_factor.as_mut() {
                    factor.recovery_digests.retain(|d| d != used);
                }
                effects.push(Effect::Audit(AuditKind::RecoveryCodeUsed, None));
                effects.push(Effect::Mail(MailKind::RecoveryCodeUsed));
            }
            effects.push(Effect::CreateSession);
            effects.push(Effect::Audit(
                AuditKind::LoginSucceeded,
                Some(format!("with {}", second.method().as_str())),
            ));
            effects
        }
        Event::IdentitySignedIn {
            proof,
            veto,
            passkeys,
        } => {
            if proof.user() != next.id {
                return Err(Error::InvalidCredentials);
            }
            may_sign_in(state, now, policy, veto)?;
            if proof.multi_factor() {
                // The provider's multi-factor sign-in is trusted in place of the local
                // second step.
                let detail = format!(
                    "with {} (its multi-factor sign-in trusted)",
                    proof.provider()
                );
                signed_in(&mut next, now, Some(detail))
            } else {
                let detail = format!("with {}", proof.provider());
                first_step_passed(&mut next, now, Some(detail), passkeys)
            }
        }
        Event::IdentityLinked { provider } => {
            refuse_if_disabled(state)?;
            vec![
                Effect::Audit(AuditKind::IdentityLinked, Some(provider)),
                Effect::Mail(MailKind::IdentityLinked),
            ]
        }
        Event::IdentityUnlinked { provider } => {
            refuse_if_disabled(state)?;
            vec![
                Effect::Audit(AuditKind::IdentityUnlinked, Some(provider)),
                Effect::Mail(MailKind::IdentityUnlinked),
            ]
        }
        Event::SecondFactorEnrolled { factor, proof } => {
            refuse_if_disabled(state)?;
            if proof.user() != next.id {
                return Err(Error::InvalidCredentials);
            }
            if next.second_factor.is_some() {
                return Err(Error::invalid(
                    "code",
                    Message::new("field-code-already_enrolled"),
                ));
            }
            next.second_factor = Some(factor);
            // The first code is a fresh second-factor proof for the session enrolling.
            vec![
                Effect::Mail(MailKind::SecondFactorEnabled),
                Effect::RecordProof(AuthMethod::Otp),
                Effect::Audit(AuditKind::SecondFactorEnabled, None),
            ]
        }
        Event::SecondFactorDisabled { password, second } => {
            refuse_if_disabled(state)?;
            check_password(&next, &password)?;
            check_second(&next, &second)?;
            next.second_factor = None;
            vec![
                Effect::Mail(MailKind::SecondFactorDisabled),
                Effect::Audit(
                    AuditKind::SecondFactorDisabled,
                    Some(format!("proven with {}", second.method().as_str())),
                ),
            ]
        }
        Event::SteppedUp { proof, passkeys } => {
            refuse_if_disabled(state)?;
            let method = proof.method();
            let mut effects = Vec::new();
            match &proof {
                FreshProof::Password(password) => {
                    if required_fresh_proof(&next, passkeys) != AuthMethodClass::Any {
                        return Err(if next.second_factor.is_some() {
                            Error::invalid("code", Message::new("field-code-second_factor_needed"))
                        } else {
                            passkey_proof_needed()
                        });
                    }
                    check_password(&next, password)?;
                }
                FreshProof::SecondFactor(second) => {
                    check_second(&next, second)?;
                    if let Some(used) = second.used_recovery() {
                        if let Some(factor) = next.second_factor.as_mut() {
                            factor.recovery_digests.retain(|d| d != used);
                        }
                        effects.push(Effect::Audit(AuditKind::RecoveryCodeUsed, None));
                    }
                }
            }
            effects.push(Effect::RecordProof(method));
            effects.push(Effect::Audit(
                AuditKind::Reauthenticated,
                Some(format!("with {}", method.as_str())),
            ));
            effects
        }
        Event::RecoveryCodesRegenerated { digests, second } => {
            refuse_if_disabled(state)?;
            check_second(&next, &second)?;
            if let Some(factor) = next.second_factor.as_mut() {
                factor.recovery_digests = digests;
            }
            vec![Effect::Audit(AuditKind::RecoveryCodesRegenerated, None)]
        }
        Event::LoginFailed { locked_until } => {
            let mut effects = vec![Effect::Audit(AuditKind::LoginFailed, None)];
            if let Some(until) = locked_until.filter(|u| next.locked_until < Some(*u)) {
                next.locked_until = Some(until.min(now + policy.lockout.max_lock));
                next.lockout_count = next.lockout_count.saturating_add(1);
                effects.push(Effect::Audit(AuditKind::Locked, None));
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
            vec![Effect::Audit(AuditKind::EmailVerified, None)]
        }
        Event::PasswordReset {
            proof,
            new_hash,
            new_stamp,
        } => {
            proof.check(&next, Purpose::ResetPassword)?;
            refuse_if_disabled(state)?;
            // Following the link proved ownership of the address it was sent to.
            let to_own_address = proof.claims.email == next.email;
            reset_to(&mut next, now, new_hash, new_stamp, to_own_address, None)
        }
        Event::PasswordChanged {
            proof,
            new_hash,
            new_stamp,
        } => {
            check_password(&next, &proof)?;
            refuse_if_disabled(state)?;
            next.password_hash = new_hash;
            next.security_stamp = new_stamp;
            vec![
                Effect::RevokeOtherSessions,
                Effect::Mail(MailKind::PasswordChanged),
                Effect::Audit(AuditKind::PasswordChanged, None),
            ]
        }
        Event::EmailChangeRequested {
            proof,
            new_stamp,
            address_taken,
        } => {
            check_password(&next, &proof)?;
            refuse_if_disabled(state)?;
            // Older change links (and reset links) carry the old stamp and die with it.
            next.security_stamp = new_stamp;
            let mut effects = Vec::with_capacity(3);
            if !address_taken {
                effects.push(Effect::Mail(MailKind::EmailChange));
            }
            effects.push(Effect::Mail(MailKind::EmailChangeNotice));
            effects.push(Effect::Audit(AuditKind::EmailChangeRequested, None));
            effects
        }
        Event::EmailChanged { proof, new_stamp } => {
            proof.check(&next, Purpose::ChangeEmail)?;
            refuse_if_disabled(state)?;
            next.email.clone_from(&proof.claims.email);
            next.email_verified_at = Some(now);
            next.security_stamp = new_stamp;
            vec![
                Effect::RevokeAllSessions,
                Effect::Audit(AuditKind::EmailChanged, None),
            ]
        }
        Event::UsernameChanged(username) => {
            refuse_if_disabled(state)?;
            next.username = username;
            Vec::new()
        }
        Event::LanguageChanged(language) => {
            refuse_if_disabled(state)?;
            next.language = language;
            Vec::new()
        }
        Event::ProfileChanged { changes, by_admin } => {
            if !by_admin {
                refuse_if_disabled(state)?;
            }
            changes.apply_to(&mut next.profile);
            ProfileSchema::check_size(policy.profile_max_bytes, &next.profile)?;
            if next.profile == user.profile {
                Vec::new()
            } else {
                vec![Effect::Audit(
                    AuditKind::ProfileChanged,
                    Some(format!("fields: {}", changes.names())),
                )]
            }
        }
        Event::ResetRequested => match state {
            AccountState::Disabled => Vec::new(),
            _ => vec![
                Effect::Mail(MailKind::PasswordReset),
                Effect::Audit(AuditKind::PasswordResetRequested, None),
            ],
        },
        Event::MailSignInRequested => match state {
            AccountState::Disabled => Vec::new(),
            _ => vec![Effect::Mail(MailKind::SignInCode)],
        },
        Event::VerificationRequested => match state {
            AccountState::Disabled => Vec::new(),
            _ if next.email_verified_at.is_some() => Vec::new(),
            _ => vec![Effect::Mail(MailKind::Verification)],
        },
        Event::Deleted(proof) => {
            check_password(&next, &proof)?;
            vec![
                Effect::RevokeAllSessions,
                Effect::RevokeApiKeys,
                Effect::DeleteAccount,
                Effect::Audit(AuditKind::AccountDeleted, None),
            ]
        }
        Event::Admin(action) => admin(&mut next, action),
    };
    if next != user {
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
                Effect::RevokeApiKeys,
                Effect::Audit(AuditKind::Disabled, None),
            ]
        }
        AdminAction::Enable => {
            next.status = AccountStatus::Active;
            vec![Effect::Audit(AuditKind::Enabled, None)]
        }
        AdminAction::Unlock => {
            next.locked_until = None;
            next.lockout_count = 0;
            vec![Effect::LiftLocks, Effect::Audit(AuditKind::Unlocked, None)]
        }
        AdminAction::SetRoles(roles) => {
            let detail = format!("roles: {}", roles.join(","));
            next.roles = roles;
            vec![Effect::Audit(AuditKind::RolesChanged, Some(detail))]
        }
        AdminAction::ForceLogout => vec![
            Effect::RevokeAllSessions,
            Effect::Audit(AuditKind::ForcedLogout, None),
        ],
        AdminAction::ResetSecondFactor => match next.second_factor.take() {
            Some(_) => vec![
                Effect::Mail(MailKind::SecondFactorReset),
                Effect::Audit(AuditKind::SecondFactorReset, None),
            ],
            None => Vec::new(),
        },
        AdminAction::Delete => vec![
            Effect::RevokeAllSessions,
            Effect::RevokeApiKeys,
            Effect::DeleteAccount,
            Effect::Audit(AuditKind::AccountDeleted, Some("by an operator".into())),
        ],
    }
}

/// A first sign-in proof (password, mailed code or link) passed: for an account with a
/// second factor nothing changes yet (the failures are forgotten, the sign-in recorded
/// and the session opened only when the second step passes); otherwise it is signed in.
fn first_step_passed(
    next: &mut User,
    now: OffsetDateTime,
    detail: Option<String>,
    passkeys: bool,
) -> Vec<Effect> {
    if needs_second_step(next, passkeys) {
        return vec![Effect::AwaitSecondFactor];
    }
    signed_in(next, now, detail)
}

/// Whether a sign-in of `user` takes a second step after its first: an enrolled
/// authenticator app, or a registered passkey (`passkeys`), stands as a second factor.
/// The one rule for every way of signing in (password, mailed code or link, provider).
pub(crate) fn needs_second_step(user: &User, passkeys: bool) -> bool {
    user.second_factor.is_some() || passkeys
}

/// A sign-in that ends in a session: locks lift, failures are forgotten.
fn signed_in(next: &mut User, now: OffsetDateTime, detail: Option<String>) -> Vec<Effect> {
    next.last_login_at = Some(now);
    next.locked_until = None;
    next.lockout_count = 0;
    vec![
        Effect::ResetFailures,
        Effect::CreateSession,
        Effect::Audit(AuditKind::LoginSucceeded, detail),
    ]
}

/// A new password from a reset (by link or by code): every session and API key ends,
/// locks lift, the owner is told. `verifies` when the proof came through the account's
/// own address, which it then confirms.
fn reset_to(
    next: &mut User,
    now: OffsetDateTime,
    new_hash: PasswordHash,
    new_stamp: SecurityStamp,
    verifies: bool,
    detail: Option<&str>,
) -> Vec<Effect> {
    if verifies && next.email_verified_at.is_none() {
        next.email_verified_at = Some(now);
    }
    next.password_hash = new_hash;
    next.security_stamp = new_stamp;
    next.locked_until = None;
    next.lockout_count = 0;
    vec![
        Effect::RevokeAllSessions,
        Effect::RevokeApiKeys,
        Effect::LiftLocks,
        Effect::Mail(MailKind::PasswordChanged),
        Effect::Audit(AuditKind::PasswordReset, detail.map(str::to_owned)),
    ]
}

/// The refusals every sign-in step applies once its proof is checked.
fn may_sign_in(
    state: AccountState,
    now: OffsetDateTime,
    policy: &Policy,
    veto: Option<String>,
) -> Result<()> {
    match state {
        AccountState::Disabled => return Err(Error::AccountDisabled),
        AccountState::Locked { until } => return Err(locked(until, now)),
        AccountState::PendingVerification if policy.require_verified_email => {
            return Err(Error::EmailNotVerified);
        }
        AccountState::PendingVerification | AccountState::Active => {}
    }
    match veto {
        Some(message) => Err(Error::SignInRefused { message }),
        None => Ok(()),
    }
}

/// A second-factor proof must be for this account, and the account must hold a factor.
fn check_second(user: &User, second: &SecondFactorVerified) -> Result<()> {
    // A passkey is checked against the account's registered keys by the engine; the
    // proof only has to be for this account.
    if second.method() == AuthMethod::Passkey {
        return if second.user() == user.id {
            Ok(())
        } else {
            Err(Error::InvalidCredentials)
        };
    }
    let Some(factor) = user
        .second_factor
        .as_ref()
        .filter(|_| second.user() == user.id)
    else {
        return Err(Error::InvalidCredentials);
    };
    // A recovery code is good once: its digest must still be on the account.
    match second.used_recovery() {
        Some(used) if !factor.recovery_digests.iter().any(|d| d == used) => {
            Err(Error::InvalidCredentials)
        }
        _ => Ok(()),
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

/// The refusal of a locked account: how long until `until`, in whole seconds rounded up
/// (at least one). Every lockout and rate-limit answer rounds this way.
pub(crate) fn locked(until: OffsetDateTime, now: OffsetDateTime) -> Error {
    Error::AccountLocked {
        retry_after: seconds_until(until, now),
    }
}

/// Seconds from `now` until `until`, rounded up, at least one: what a `Retry-After`
/// answer says.
pub(crate) fn seconds_until(until: OffsetDateTime, now: OffsetDateTime) -> std::time::Duration {
    let millis = (until - now).whole_milliseconds().max(0);
    let secs = u64::try_from((millis + 999) / 1000)
        .unwrap_or(u64::MAX)
        .max(1);
    std::time::Duration::from_secs(secs)
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
