//! Property tests of the account state machine: random event sequences through the pure
//! transitions, checking the invariants the rest of the system relies on.

use std::collections::HashSet;

use proptest::prelude::*;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::email_code::{CodePurpose, EmailCodeVerified, MailProof};
use crate::model::{AccountStatus, AuditKind, PasswordHash, SecurityStamp, User, UserId};
use crate::password::PasswordVerified;
use crate::second_factor::{FirstStepProof, SecondFactor, SecondFactorVerified};
use crate::token::Claims;

/// What the generated sequences do. Indices pick among tokens issued earlier.
#[derive(Debug, Clone)]
enum Op {
    Advance(i64),
    LoginOk,
    LoginFail,
    IssueVerify,
    UseVerify(usize),
    IssueReset,
    UseReset(usize),
    IssueChangeEmail,
    RequestChangeEmail(bool),
    UseChangeEmail(usize),
    RequestReset,
    RequestVerification,
    ChangePassword,
    StalePasswordProof,
    Disable,
    Enable,
    Unlock,
    ForceLogout,
    /// Enrol a second factor (ten recovery codes `r0`..`r9`).
    Enrol,
    /// The second step of the pending sign-in, by app code or by recovery code `i`.
    SecondStep(Option<usize>),
    /// The second step with a pending sign-in from before the last credential change.
    StaleSecondStep,
    ResetSecondFactor,
    /// Mail a code for purpose `0` (0 verify, 1 reset, 2 sign-in), to this account or
    /// (`true`) to another one.
    IssueCode(u8, bool),
    /// Type code `i` into the flow of purpose `1`; `2` says link instead of code.
    UseCode(usize, u8, bool),
    /// A re-authentication with the password (a stale proof when `false`).
    StepUpPassword(bool),
    /// A re-authentication with the app's code, or recovery code `i`.
    StepUpCode(Option<usize>),
    /// Removing the second factor, with a current (`true`) or stale password proof, and
    /// the app's code or recovery code `i`.
    DisableFactor(bool, Option<usize>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0i64..7_200).prop_map(Op::Advance),
        1 => Just(Op::LoginOk),
        3 => Just(Op::LoginFail),
        1 => Just(Op::IssueVerify),
        1 => (0usize..8).prop_map(Op::UseVerify),
        1 => Just(Op::IssueReset),
        2 => (0usize..8).prop_map(Op::UseReset),
        1 => Just(Op::IssueChangeEmail),
        1 => any::<bool>().prop_map(Op::RequestChangeEmail),
        1 => Just(Op::RequestReset),
        1 => Just(Op::RequestVerification),
        1 => (0usize..8).prop_map(Op::UseChangeEmail),
        1 => Just(Op::ChangePassword),
        1 => Just(Op::StalePasswordProof),
        1 => Just(Op::Disable),
        1 => Just(Op::Enable),
        1 => Just(Op::Unlock),
        1 => Just(Op::ForceLogout),
        1 => Just(Op::Enrol),
        2 => proptest::option::of(0usize..10).prop_map(Op::SecondStep),
        1 => Just(Op::StaleSecondStep),
        1 => Just(Op::ResetSecondFactor),
        2 => (0u8..3, proptest::bool::weighted(0.2)).prop_map(|(p, f)| Op::IssueCode(p, f)),
        3 => (0usize..8, 0u8..3, any::<bool>()).prop_map(|(i, p, l)| Op::UseCode(i, p, l)),
        1 => any::<bool>().prop_map(Op::StepUpPassword),
        1 => proptest::option::of(0usize..10).prop_map(Op::StepUpCode),
        1 => (any::<bool>(), proptest::option::of(0usize..10))
            .prop_map(|(fresh, code)| Op::DisableFactor(fresh, code)),
    ]
}

fn start() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
}

fn user() -> User {
    User {
        email: "a@example.com".into(),
        username: None,
        ..crate::conformance::sample_user(start())
    }
}

fn claims(user: &User, purpose: Purpose, email: &str, now: OffsetDateTime) -> Claims {
    Claims {
        sub: user.id,
        aud: purpose,
        exp: now + Duration::hours(1),
        iat: now,
        jti: Uuid::new_v4(),
        stamp: user.security_stamp.as_str().to_owned(),
        email: email.to_owned(),
    }
}

/// The state the test keeps beside the machine: issued tokens, the failure counter the
/// counter store would hold, and the tokens already honoured.
struct World {
    user: User,
    now: OffsetDateTime,
    failures: u64,
    verify_tokens: Vec<Claims>,
    reset_tokens: Vec<Claims>,
    change_tokens: Vec<Claims>,
    honoured: HashSet<Uuid>,
    hashes: u64,
    guard_lock: Option<OffsetDateTime>,
    /// The first-step proof of the newest pending sign-in, and one from the first.
    pending: Option<FirstStepProof>,
    first_pending: Option<FirstStepProof>,
    /// Recovery codes that finished a sign-in.
    recovery_used: HashSet<String>,
    /// Mailed codes: the proof a right code gives, its purpose, whether it was mailed to
    /// another account, and the stamp of the account it was mailed for.
    codes: Vec<MailedCode>,
    /// Verification and reset codes already honoured, by index.
    codes_honoured: HashSet<usize>,
}

#[derive(Clone)]
struct MailedCode {
    purpose: CodePurpose,
    foreign: bool,
    stamp: SecurityStamp,
    email: String,
}

fn purpose(n: u8) -> CodePurpose {
    match n % 3 {
        0 => CodePurpose::VerifyEmail,
        1 => CodePurpose::ResetPassword,
        _ => CodePurpose::SignIn,
    }
}

impl LockoutPolicy {
    const TEST: Self = Self {
        threshold: 3,
        window: Duration::minutes(15),
        base_lock: Duration::minutes(5),
        max_lock: Duration::hours(1),
        escalation_window: Duration::days(1),
    };
}

impl World {
    fn new_hash(&mut self) -> PasswordHash {
        self.hashes += 1;
        PasswordHash::new(format!(
            "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaD{}",
            self.hashes
        ))
    }

    fn event(&mut self, op: &Op) -> Option<Event> {
        let pick = |tokens: &[Claims], i: usize| tokens.get(i % tokens.len().max(1)).cloned();
        Some(match op {
            Op::Advance(secs) => {
                self.now += Duration::seconds(*secs);
                return None;
            }
            Op::LoginOk => Event::LoginSucceeded {
                passkeys: false,
                proof: PasswordVerified::for_tests(&self.user.password_hash),
                rehash: None,
                veto: None,
            },
            Op::LoginFail => {
                // What the engine's lockout guard decides, for the machine to record.
                self.failures += 1;
                let policy = LockoutPolicy::TEST;
                let locked_until = policy.locks_at(self.failures).then(|| {
                    self.failures = 0;
                    self.now + policy.lock_length(self.user.lockout_count)
                });
                self.guard_lock = locked_until;
                Event::LoginFailed { locked_until }
            }
            Op::IssueVerify => {
                let c = claims(&self.user, Purpose::VerifyEmail, &self.user.email, self.now);
                self.verify_tokens.push(c);
                return None;
            }
            Op::UseVerify(i) => {
                Event::EmailVerified(TokenProof::new(pick(&self.verify_tokens, *i)?))
            }
            Op::IssueReset => {
                let c = claims(
                    &self.user,
                    Purpose::ResetPassword,
                    &self.user.email,
                    self.now,
                );
                self.reset_tokens.push(c);
                return None;
            }
            Op::UseReset(i) => Event::PasswordReset {
                proof: TokenProof::new(pick(&self.reset_tokens, *i)?),
                new_hash: self.new_hash(),
                new_stamp: SecurityStamp::generate(),
            },
            Op::RequestChangeEmail(taken) => Event::EmailChangeRequested {
                proof: PasswordVerified::for_tests(&self.user.password_hash),
                new_stamp: SecurityStamp::generate(),
                address_taken: *taken,
            },
            Op::IssueChangeEmail => {
                let n = self.change_tokens.len();
                let c = claims(
                    &self.user,
                    Purpose::ChangeEmail,
                    &format!("new{n}@example.com"),
                    self.now,
                );
                self.change_tokens.push(c);
                return None;
            }
            Op::UseChangeEmail(i) => Event::EmailChanged {
                proof: TokenProof::new(pick(&self.change_tokens, *i)?),
                new_stamp: SecurityStamp::generate(),
            },
            Op::ChangePassword => Event::PasswordChanged {
                proof: PasswordVerified::for_tests(&self.user.password_hash),
                new_hash: self.new_hash(),
                new_stamp: SecurityStamp::generate(),
            },
            Op::StalePasswordProof => {
                let stale = self.new_hash();
                Event::PasswordChanged {
                    proof: PasswordVerified::for_tests(&stale),
                    new_hash: self.new_hash(),
                    new_stamp: SecurityStamp::generate(),
                }
            }
            Op::RequestReset => Event::ResetRequested,
            Op::RequestVerification => Event::VerificationRequested,
            Op::Disable => Event::Admin(AdminAction::Disable),
            Op::Enable => Event::Admin(AdminAction::Enable),
            Op::Unlock => Event::Admin(AdminAction::Unlock),
            Op::ForceLogout => Event::Admin(AdminAction::ForceLogout),
            Op::Enrol => Event::SecondFactorEnrolled {
                factor: SecondFactor {
                    totp_sealed: "sealed:v1:test:x".into(),
                    enrolled_at: self.now,
                    recovery_digests: (0..10).map(|i| format!("r{i}")).collect(),
                },
                proof: SecondFactorVerified::totp(self.user.id),
            },
            Op::SecondStep(code) => Event::SecondStepSucceeded {
                first: self.pending.clone()?,
                second: match code {
                    Some(i) => SecondFactorVerified::recovery(self.user.id, format!("r{i}")),
                    None => SecondFactorVerified::totp(self.user.id),
                },
                veto: None,
            },
            Op::StaleSecondStep => Event::SecondStepSucceeded {
                first: self.first_pending.clone()?,
                second: SecondFactorVerified::totp(self.user.id),
                veto: None,
            },
            Op::ResetSecondFactor => Event::Admin(AdminAction::ResetSecondFactor),
            Op::IssueCode(p, foreign) => {
                self.codes.push(MailedCode {
                    purpose: purpose(*p),
                    foreign: *foreign,
                    stamp: self.user.security_stamp.clone(),
                    email: self.user.email.clone(),
                });
                return None;
            }
            Op::UseCode(i, used_for, link) => {
                let code = self.codes.get(i % self.codes.len().max(1))?.clone();
                let how = if *link {
                    MailProof::Link
                } else {
                    MailProof::Code
                };
                let mut owner = self.user.clone();
                if code.foreign {
                    owner.id = UserId::new();
                }
                owner.security_stamp = code.stamp.clone();
                owner.email.clone_from(&code.email);
                let proof = EmailCodeVerified::for_tests(&owner, code.purpose, how);
                match purpose(*used_for) {
                    CodePurpose::VerifyEmail => Event::EmailVerifiedByCode(proof),
                    CodePurpose::ResetPassword => Event::PasswordResetByCode {
                        proof,
                        new_hash: self.new_hash(),
                        new_stamp: SecurityStamp::generate(),
                    },
                    CodePurpose::SignIn => Event::MailSignInSucceeded {
                        proof,
                        veto: None,
                        passkeys: false,
                    },
                }
            }
            Op::StepUpPassword(fresh) => {
                let hash = if *fresh {
                    self.user.password_hash.clone()
                } else {
                    self.new_hash()
                };
                Event::SteppedUp {
                    proof: FreshProof::Password(PasswordVerified::for_tests(&hash)),
                    passkeys: false,
                }
            }
            Op::StepUpCode(code) => Event::SteppedUp {
                proof: FreshProof::SecondFactor(self.code(*code)),
                passkeys: false,
            },
            Op::DisableFactor(fresh, code) => {
                let hash = if *fresh {
                    self.user.password_hash.clone()
                } else {
                    self.new_hash()
                };
                Event::SecondFactorDisabled {
                    password: PasswordVerified::for_tests(&hash),
                    second: self.code(*code),
                }
            }
        })
    }

    /// A checked code of the account: the app's, or recovery code `i`.
    fn code(&self, recovery: Option<usize>) -> SecondFactorVerified {
        match recovery {
            Some(i) => SecondFactorVerified::recovery(self.user.id, format!("r{i}")),
            None => SecondFactorVerified::totp(self.user.id),
        }
    }
}

fn single_use_jti(event: &Event) -> Option<Uuid> {
    match event {
        Event::PasswordReset { proof, .. }
        | Event::EmailChanged { proof, .. }
        | Event::EmailVerified(proof) => Some(proof.claims.jti),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn invariants_hold_over_random_histories(ops in proptest::collection::vec(op(), 1..60)) {
        let policy = Policy {
            lockout: LockoutPolicy::TEST,
            require_verified_email: false,
            ..Policy::default()
        };
        let mut w = World {
            user: user(),
            now: start(),
            failures: 0,
            verify_tokens: Vec::new(),
            reset_tokens: Vec::new(),
            change_tokens: Vec::new(),
            honoured: HashSet::new(),
            hashes: 0,
            guard_lock: None,
            pending: None,
            first_pending: None,
            recovery_used: HashSet::new(),
            codes: Vec::new(),
            codes_honoured: HashSet::new(),
        };
        for op in &ops {
            let Some(event) = w.event(op) else { continue };
            let before = w.user.clone();
            let state = AccountState::of(&before, w.now);
            let jti = single_use_jti(&event);
            let is_login = matches!(event, Event::LoginSucceeded { .. });
            let second_step = match &event {
                Event::SecondStepSucceeded { first, second, .. } => {
                    Some((first.is_for(&before), second.used_recovery().map(str::to_owned)))
                }
                _ => None,
            };
            let stale_proof = matches!(op, Op::StalePasswordProof);
            let code_use = match op {
                Op::UseCode(i, used_for, _) => {
                    let index = i % w.codes.len().max(1);
                    Some((index, w.codes[index].clone(), purpose(*used_for)))
                }
                _ => None,
            };
            let mail_sign_in = matches!(event, Event::MailSignInSucceeded { .. });
            let used_recovery = match &event {
                Event::SteppedUp {
                    proof: FreshProof::SecondFactor(second),
                    ..
                }
                | Event::SecondFactorDisabled { second, .. } => {
                    second.used_recovery().map(str::to_owned)
                }
                _ => None,
            };
            let result = apply(before.clone(), event, w.now, &policy);

            // Removing the second factor needs both proofs: a current password and a
            // code of the account (a recovery code not used yet).
            if let Op::DisableFactor(fresh, _) = op {
                let unused = used_recovery.as_ref().is_none_or(|c| !w.recovery_used.contains(c));
                let proven = *fresh && before.second_factor.is_some() && unused;
                if !proven {
                    prop_assert!(result.is_err(), "second factor removed without its proofs");
                }
                if let Ok(t) = &result {
                    prop_assert!(t.user.second_factor.is_none());
                }
            }
            // A re-authentication is by the password only for an account without a
            // second factor, by a code only for one with it; it records the fresh proof.
            let weak_step_up = match op {
                Op::StepUpPassword(fresh) => !*fresh || before.second_factor.is_some(),
                Op::StepUpCode(_) => before.second_factor.is_none(),
                _ => false,
            };
            if weak_step_up {
                prop_assert!(result.is_err(), "a weak, stale or misplaced step-up accepted");
            }
            if let (Op::StepUpPassword(_) | Op::StepUpCode(_), Ok(t)) = (op, &result) {
                let recorded = t.effects.iter().any(|e| matches!(e, Effect::RecordProof(_)));
                prop_assert!(recorded, "a step-up that records no proof");
            }
            if let (Some(code), Ok(_), Op::StepUpCode(_) | Op::DisableFactor(..)) =
                (&used_recovery, &result, op)
            {
                prop_assert!(w.recovery_used.insert(code.clone()), "recovery code {} used twice", code);
            }

            if stale_proof {
                let refused = matches!(result, Err(Error::InvalidCredentials));
                prop_assert!(refused, "a proof for another hash must be refused");
            }
            if is_login {
                match state {
                    AccountState::Disabled => {
                        let refused = matches!(result, Err(Error::AccountDisabled));
                        prop_assert!(refused);
                    }
                    AccountState::Locked { .. } => {
                        let refused = matches!(result, Err(Error::AccountLocked { .. }));
                        prop_assert!(refused);
                    }
                    _ => prop_assert!(result.is_ok()),
                }
            }
            // A mailed code is honoured only for its own purpose and account, under the
            // account's current stamp and address; a verification or reset code once.
            if let (Some((index, code, used_for)), Ok(_)) = (&code_use, &result) {
                prop_assert_eq!(code.purpose, *used_for, "a code was accepted for another purpose");
                prop_assert!(!code.foreign, "another account's code was accepted");
                prop_assert!(before.security_stamp == code.stamp, "a code from before a credential change was accepted");
                prop_assert_eq!(&before.email, &code.email);
                if code.purpose != CodePurpose::SignIn {
                    prop_assert!(w.codes_honoured.insert(*index), "code {} honoured twice", index);
                }
            }
            if mail_sign_in && matches!(state, AccountState::Disabled | AccountState::Locked { .. }) {
                prop_assert!(result.is_err(), "a sign-in by mail in state {:?}", state);
            }
            let Ok(t) = result else { continue };

            // A sign-in by mail is a first step like the password: with a second factor
            // it never opens a session, it waits for the second step.
            if mail_sign_in {
                let enrolled = before.second_factor.is_some();
                prop_assert_eq!(t.effects.contains(&Effect::CreateSession), !enrolled);
                prop_assert_eq!(t.effects.contains(&Effect::AwaitSecondFactor), enrolled);
                prop_assert_eq!(&t.user.security_stamp, &before.security_stamp);
            }

            // With a second factor enrolled, the password never opens a session: it
            // yields a pending sign-in, which the second step needs.
            if is_login && before.second_factor.is_some() {
                prop_assert!(!t.effects.contains(&Effect::CreateSession), "session before the second step");
                prop_assert!(t.effects.contains(&Effect::AwaitSecondFactor));
                let proof = crate::second_factor::PendingRecord::after_password(
                    &before,
                    &PasswordVerified::for_tests(&before.password_hash),
                    false,
                    before.email.clone(),
                    w.now + Duration::minutes(5),
                )
                .proof();
                w.first_pending.get_or_insert_with(|| proof.clone());
                w.pending = Some(proof);
            }
            if is_login && before.second_factor.is_none() {
                prop_assert!(!t.effects.contains(&Effect::AwaitSecondFactor));
            }
            // The second step signs in only with a pending sign-in of the account as it
            // is (no credential change since), and a recovery code only once.
            if let Some((fresh, recovery)) = &second_step {
                prop_assert!(*fresh, "a stale pending sign-in was honoured");
                prop_assert!(before.second_factor.is_some());
                prop_assert!(t.effects.contains(&Effect::CreateSession));
                if let Some(code) = recovery {
                    prop_assert!(w.recovery_used.insert(code.clone()), "recovery code {} used twice", code);
                }
            }

            // A disabled or locked account never obtains a session.
            if t.effects.contains(&Effect::CreateSession) {
                prop_assert!(!matches!(state, AccountState::Disabled | AccountState::Locked { .. }),
                    "session created in state {state:?}");
            }
            // A single-use token is honoured at most once.
            if let Some(jti) = jti {
                prop_assert!(w.honoured.insert(jti), "token honoured twice");
            }
            // A credential change rotates the stamp and revokes the other sessions.
            let credential_changed = t.user.password_hash != before.password_hash
                || t.user.email != before.email;
            if credential_changed {
                prop_assert!(t.user.security_stamp != before.security_stamp);
                prop_assert!(t.effects.iter().any(|e| matches!(e,
                    Effect::RevokeAllSessions | Effect::RevokeOtherSessions)));
            }
            // Disabling always ends the sessions and the API keys.
            if t.user.status == AccountStatus::Disabled && before.status == AccountStatus::Active {
                prop_assert!(t.effects.contains(&Effect::RevokeAllSessions));
                prop_assert!(t.effects.contains(&Effect::RevokeApiKeys));
            }
            // No API key outlives its account.
            if t.effects.contains(&Effect::DeleteAccount) {
                prop_assert!(t.effects.contains(&Effect::RevokeApiKeys));
            }
            // Reaching the threshold locks the account; a lock lasts at most max_lock.
            if let Some(until) = t.user.locked_until {
                prop_assert!(until <= w.now + policy.lockout.max_lock);
            }
            // A lock the guard decided is recorded on the account.
            if let (Op::LoginFail, Some(until)) = (op, w.guard_lock) {
                prop_assert!(t.user.locked_until >= Some(until.min(w.now + policy.lockout.max_lock)));
                prop_assert!(matches!(
                    AccountState::of(&t.user, w.now),
                    AccountState::Locked { .. } | AccountState::Disabled
                ), "threshold reached without a lock");
            }
            // Only the newest change-of-address request's link can be confirmed: a request
            // kills every link issued before it.
            if matches!(op, Op::RequestChangeEmail(_)) {
                prop_assert!(t.user.security_stamp != before.security_stamp);
                let taken = matches!(op, Op::RequestChangeEmail(true));
                let link_mailed = t.effects.contains(&Effect::Mail(crate::model::MailKind::EmailChange));
                prop_assert_eq!(link_mailed, !taken, "a taken address never gets a link");
                prop_assert!(t.effects.contains(&Effect::Mail(crate::model::MailKind::EmailChangeNotice)));
            }
            // Asking for a link changes nothing; a disabled account is never mailed one,
            // nor a verified address a verification link.
            if matches!(op, Op::RequestReset | Op::RequestVerification) {
                prop_assert_eq!(&t.user, &before, "a request for a link changed the account");
                let mailed = t.effects.iter().any(|e| matches!(e, Effect::Mail(_)));
                let disabled = matches!(state, AccountState::Disabled);
                let verified = before.email_verified_at.is_some();
                let due = !disabled && (matches!(op, Op::RequestReset) || !verified);
                prop_assert_eq!(mailed, due, "link mailed in state {:?}", state);
            }
            // Nothing that leaves the account as it was touches its timestamp (so the
            // engine writes nothing).
            if t.user.updated_at != before.updated_at {
                let mut unchanged = t.user.clone();
                unchanged.updated_at = before.updated_at;
                prop_assert_ne!(&unchanged, &before, "updated_at moved without a change");
            }
            if t.effects.contains(&Effect::LiftLocks) {
                w.failures = 0;
                prop_assert_eq!(t.user.locked_until, None);
            }
            // New recovery codes start unused.
            if matches!(op, Op::Enrol) {
                w.recovery_used.clear();
            }
            // The machine never touches the version: the store owns it.
            prop_assert_eq!(t.user.version, before.version);
            w.user = t.user;
        }
    }
}

#[test]
fn a_locked_account_opens_again_when_the_lock_ends() {
    let policy = Policy::default();
    let mut u = user();
    let now = start();
    u.locked_until = Some(now + Duration::minutes(1));
    let login = |u: &User| Event::LoginSucceeded {
        passkeys: false,
        proof: PasswordVerified::for_tests(&u.password_hash),
        rehash: None,
        veto: None,
    };
    let refused = apply(u.clone(), login(&u), now + Duration::seconds(59), &policy);
    match refused {
        Err(Error::AccountLocked { retry_after }) => assert_eq!(retry_after.as_secs(), 1),
        other => panic!("expected a lock, got {other:?}"),
    }
    let t = apply(u.clone(), login(&u), now + Duration::minutes(1), &policy).unwrap();
    assert!(t.effects.contains(&Effect::CreateSession));
    assert_eq!(t.user.locked_until, None);
}

#[test]
fn locks_double_up_to_the_cap() {
    let l = LockoutPolicy::default();
    assert_eq!(l.lock_length(0), Duration::minutes(1));
    assert_eq!(l.lock_length(1), Duration::minutes(2));
    assert_eq!(l.lock_length(3), Duration::minutes(8));
    assert_eq!(l.lock_length(10), Duration::hours(1));
    assert_eq!(l.lock_length(u32::MAX), Duration::hours(1));
}

#[test]
fn unverified_login_refused_only_when_required() {
    let u = user();
    let event = || Event::LoginSucceeded {
        passkeys: false,
        proof: PasswordVerified::for_tests(&u.password_hash),
        rehash: None,
        veto: None,
    };
    let strict = Policy {
        require_verified_email: true,
        ..Policy::default()
    };
    assert!(matches!(
        apply(u.clone(), event(), start(), &strict),
        Err(Error::EmailNotVerified)
    ));
    assert!(apply(u.clone(), event(), start(), &Policy::default()).is_ok());
}

#[test]
fn tokens_for_another_purpose_are_refused() {
    let u = user();
    let verify = claims(&u, Purpose::VerifyEmail, &u.email, start());
    let result = apply(
        u.clone(),
        Event::PasswordReset {
            proof: TokenProof::new(verify),
            new_hash: PasswordHash::new("x"),
            new_stamp: SecurityStamp::generate(),
        },
        start(),
        &Policy::default(),
    );
    assert!(matches!(
        result,
        Err(Error::Token {
            reason: TokenRejection::WrongPurpose,
            ..
        })
    ));
}

#[test]
fn a_reset_verifies_the_address_it_was_sent_to() {
    let u = user();
    let reset = claims(&u, Purpose::ResetPassword, &u.email, start());
    let t = apply(
        u,
        Event::PasswordReset {
            proof: TokenProof::new(reset),
            new_hash: PasswordHash::new("x"),
            new_stamp: SecurityStamp::generate(),
        },
        start(),
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(t.user.email_verified_at, Some(start()));
    assert!(
        t.effects
            .contains(&Effect::Mail(crate::model::MailKind::PasswordChanged))
    );
}

#[test]
fn an_account_is_created_from_its_facts() {
    let new = |origin| NewAccount {
        id: UserId::new(),
        email: "new@example.com".into(),
        username: Some("newbie".into()),
        password_hash: PasswordHash::new("h"),
        security_stamp: SecurityStamp::generate(),
        roles: vec!["editor".into()],
        profile: crate::profile::Profile::new(),
        origin,
    };
    let facts = new(Creation::SignUp);
    let t = create(facts.clone(), start());
    assert_eq!(t.user.id, facts.id);
    assert_eq!(t.user.security_stamp, facts.security_stamp);
    assert_eq!((t.user.version, t.user.created_at), (1, start()));
    assert_eq!(t.user.email_verified_at, None);
    assert_eq!(
        t.effects,
        vec![
            Effect::Audit(AuditKind::Registered, None),
            Effect::Mail(crate::model::MailKind::Verification)
        ]
    );
    let direct = create(new(Creation::Direct { verified: true }), start());
    assert_eq!(direct.user.email_verified_at, Some(start()));
    assert_eq!(direct.user.roles, vec!["editor"]);
    assert!(
        !direct.effects.iter().any(|e| matches!(e, Effect::Mail(_))),
        "an operator's account is not mailed"
    );
    let unverified = create(new(Creation::Direct { verified: false }), start());
    assert_eq!(unverified.user.email_verified_at, None);
}

#[test]
fn ending_sessions_revokes_what_was_asked_and_is_audited() {
    for (ending, revoke, kind) in [
        (Ending::Own, Effect::RevokeSession, AuditKind::LoggedOut),
        (
            Ending::Picked,
            Effect::RevokeSession,
            AuditKind::SessionRevoked,
        ),
        (
            Ending::Others,
            Effect::RevokeOtherSessions,
            AuditKind::LoggedOutEverywhere,
        ),
        (
            Ending::All,
            Effect::RevokeAllSessions,
            AuditKind::LoggedOutEverywhere,
        ),
    ] {
        let effects = end_sessions(ending);
        assert_eq!(effects[0], revoke, "{ending:?}");
        assert!(
            matches!(&effects[1], Effect::Audit(k, _) if *k == kind),
            "{ending:?}: {effects:?}"
        );
        assert_eq!(effects.len(), 2);
    }
}

#[test]
fn a_role_change_is_audited_with_the_new_roles() {
    let t = apply(
        user(),
        Event::Admin(AdminAction::SetRoles(vec![
            "admin".into(),
            "billing".into(),
        ])),
        start(),
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(
        t.effects,
        vec![Effect::Audit(
            AuditKind::RolesChanged,
            Some("roles: admin,billing".into())
        )]
    );
}

#[test]
fn a_hook_veto_refuses_a_sign_in_after_the_engines_own_refusals() {
    let policy = Policy::default();
    let u = user();
    let vetoed = |u: &User| Event::LoginSucceeded {
        passkeys: false,
        proof: PasswordVerified::for_tests(&u.password_hash),
        rehash: None,
        veto: Some("Not today.".into()),
    };
    match apply(u.clone(), vetoed(&u), start(), &policy) {
        Err(Error::SignInRefused { message }) => assert_eq!(message, "Not today."),
        other => panic!("expected the veto, got {other:?}"),
    }
    let mut disabled = u.clone();
    disabled.status = AccountStatus::Disabled;
    assert!(matches!(
        apply(disabled.clone(), vetoed(&disabled), start(), &policy),
        Err(Error::AccountDisabled)
    ));
}

fn profile_event(name: &'static str, value: Option<serde_json::Value>, by_admin: bool) -> Event {
    Event::ProfileChanged {
        changes: crate::profile::ProfileChanges(vec![(name, value)]),
        by_admin,
    }
}

#[test]
fn a_profile_change_merges_is_audited_by_name_and_respects_the_state() {
    let policy = Policy::default();
    let mut u = user();
    u.profile = serde_json::from_value(serde_json::json!({"company": "Acme", "x": 1})).unwrap();
    let later = start() + Duration::minutes(1);
    let t = apply(
        u.clone(),
        profile_event("display_name", Some("Ada".into()), false),
        later,
        &policy,
    )
    .unwrap();
    assert_eq!(t.user.profile.display_name(), Some("Ada"));
    assert_eq!(
        t.user.profile.text("company"),
        Some("Acme"),
        "other fields stay"
    );
    assert_eq!(t.user.updated_at, later);
    assert_eq!(
        t.effects,
        vec![Effect::Audit(
            AuditKind::ProfileChanged,
            Some("fields: display_name".into())
        )]
    );
    // Writing what is already there changes nothing and is not written back.
    let same = apply(
        u.clone(),
        profile_event("company", Some("Acme".into()), false),
        later,
        &policy,
    )
    .unwrap();
    assert_eq!(same.user, u);
    assert!(same.effects.is_empty());
    // Clearing removes the value.
    let cleared = apply(
        u.clone(),
        profile_event("company", None, false),
        later,
        &policy,
    )
    .unwrap();
    assert_eq!(cleared.user.profile.get("company"), None);
    // A disabled account: its owner is refused, an administrator is not.
    u.status = AccountStatus::Disabled;
    let refused = apply(
        u.clone(),
        profile_event("company", None, false),
        later,
        &policy,
    );
    assert!(matches!(refused, Err(Error::AccountDisabled)));
    assert!(apply(u, profile_event("company", None, true), later, &policy).is_ok());
}

#[test]
fn a_profile_over_the_ceiling_is_refused_whole() {
    let policy = Policy {
        profile_max_bytes: 64,
        ..Policy::default()
    };
    let big = apply(
        user(),
        profile_event("company", Some("x".repeat(100).into()), false),
        start(),
        &policy,
    );
    match big {
        Err(Error::Validation(v)) => assert_eq!(v.errors()[0].code, "too_large"),
        other => panic!("expected too_large, got {other:?}"),
    }
}

fn method() -> impl Strategy<Value = AuthMethod> {
    proptest::sample::select(AuthMethod::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The step-up decision over random accounts, sessions and requests: no sensitive
    /// action without a recent enough proof of the account's strength, none at all for
    /// a user who must enrol a second factor first, and every one with such a proof.
    #[test]
    fn sensitive_actions_need_a_recent_proof(
        enrolled in any::<bool>(),
        passkeys in any::<bool>(),
        admin in any::<bool>(),
        enforce_admin in any::<bool>(),
        amr in proptest::collection::vec(method(), 0..4),
        shown in proptest::collection::vec(method(), 0..3),
        age_secs in -30i64..3_600,
        max_age_secs in 1i64..1_800,
    ) {
        let now = start() + Duration::days(1);
        let mut u = user();
        if admin {
            u.roles.push("admin".into());
        }
        if enrolled {
            u.second_factor = Some(SecondFactor {
                totp_sealed: "sealed:v1:test:x".into(),
                enrolled_at: start(),
                recovery_digests: vec!["r0".into()],
            });
        }
        let policy = StepUpPolicy {
            max_age: Duration::seconds(max_age_secs),
            second_factor_roles: if enforce_admin { vec!["admin".to_owned()] } else { Vec::new() }.into(),
        };
        let mut session = crate::conformance::support::new_session(
            u.id,
            start(),
            now + Duration::days(1),
            now + Duration::days(1),
        );
        session.amr = amr.clone();
        session.proved_at = now - Duration::seconds(age_secs);
        let result = admit_sensitive(&u, passkeys, &session, &shown, now, &policy);

        // An enforced role without a second factor reaches no sensitive action, whatever
        // it proves.
        let must_enrol = admin && enforce_admin && !enrolled;
        prop_assert_eq!(must_enrol_second_factor(&u, &policy), must_enrol);
        if must_enrol {
            prop_assert!(matches!(result, Err(Error::SecondFactorEnrolmentRequired)));
            return Ok(());
        }
        let strong = |m: &AuthMethod| matches!(m, AuthMethod::Otp | AuthMethod::Recovery | AuthMethod::Passkey);
        // An authenticator app or a passkey is a second factor: then only a second
        // factor re-opens sensitive actions.
        let second_factor = enrolled || passkeys;
        let enough = |ms: &[AuthMethod]| if second_factor { ms.iter().any(strong) } else { !ms.is_empty() };
        let recent = age_secs < max_age_secs;
        let admitted = enough(&shown) || (recent && enough(&amr));
        if admitted {
            prop_assert!(result.is_ok(), "refused with a fresh proof: {:?}", result);
        } else {
            prop_assert!(
                matches!(result, Err(Error::ReauthenticationRequired)),
                "admitted without a recent proof: {:?}", result
            );
        }
        // An account with a second factor (an app or a passkey) never passes on a
        // password alone.
        if second_factor && result.is_ok() {
            prop_assert!(shown.iter().chain(&amr).any(strong));
        }
    }
}

#[test]
fn another_users_session_is_no_proof() {
    let now = start();
    let u = user();
    let session = crate::conformance::support::new_session(
        UserId::new(),
        now,
        now + Duration::days(1),
        now + Duration::days(1),
    );
    let result = admit_sensitive(&u, false, &session, &[], now, &StepUpPolicy::default());
    assert!(matches!(result, Err(Error::ReauthenticationRequired)));
    let mut own = session.clone();
    own.user_id = u.id;
    assert!(admit_sensitive(&u, false, &own, &[], now, &StepUpPolicy::default()).is_ok());
}
