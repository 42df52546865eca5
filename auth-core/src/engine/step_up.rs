//! Step-up: a fresh proof of identity before sensitive actions, and the second factor
//! that configured roles must enrol before anything else.
//!
//! The decisions are the machine's ([`machine::admit_sensitive`],
//! [`machine::must_enrol_second_factor`], [`machine::required_fresh_proof`]); this module
//! gathers what they need and performs what they decide.

use super::effects::{MailLinks, Origin};
use super::lockout::Subject;
use super::second_factor::{Checked, MAX_CODE_INPUT};
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Message, Result};
use crate::machine::{self, AuthMethodClass, Event, FreshProof};
use crate::model::{SessionRecord, User};
use crate::second_factor::{AuthMethod, SecondFactorVerified};

/// What the signed-in owner submits to re-authenticate: the password for an account
/// without a second factor, a code (from the authenticator app, or a recovery code) for
/// an account with one ([`Auth::step_up_needs_code`] tells which). The other field is
/// ignored. An account whose only second factor is a passkey confirms with the passkey
/// ([`Auth::step_up_with_passkey`]) instead.
#[derive(Clone, Default)]
pub struct StepUp {
    /// The current password.
    pub password: String,
    /// A code from the authenticator app, or a recovery code.
    pub code: String,
}

impl std::fmt::Debug for StepUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StepUp { .. }")
    }
}

impl Auth {
    /// Whether `user` holds a role that requires a second factor (see
    /// [`ConfigBuilder::require_second_factor_for_role`](crate::ConfigBuilder::require_second_factor_for_role))
    /// and has none: such a user may only enrol one (and sign out). The web layer sends
    /// them to enrolment; the engine refuses their sensitive actions with
    /// [`Error::SecondFactorEnrolmentRequired`].
    pub fn must_enrol_second_factor(&self, user: &User) -> bool {
        machine::must_enrol_second_factor(user, &self.inner.config.step_up)
    }

    /// Whether a re-authentication ([`Auth::step_up`]) of `user` asks for a code (the
    /// account has an authenticator app) rather than the password.
    pub fn step_up_needs_code(&self, user: &User) -> bool {
        user.second_factor.is_some()
    }

    /// Whether [`Auth::step_up`] takes the password of `user` as a fresh proof: the
    /// account has a usable password and no second factor. An account whose second
    /// factor is a passkey (and no authenticator app) confirms with a passkey
    /// ([`Auth::step_up_with_passkey`]); one with an app, with a code or a passkey.
    ///
    /// # Errors
    /// Store errors.
    pub async fn step_up_accepts_password(&self, user: &User) -> Result<bool> {
        let passkeys = self.has_passkeys(user.id).await?;
        Ok(user.password_hash.is_usable()
            && machine::required_fresh_proof(user, passkeys) == AuthMethodClass::Any)
    }

    /// Whether the request's session may perform a sensitive action now, on the
    /// strength of its last proof alone: for an application's own sensitive actions,
    /// which the engine's (password and address changes, removing the second factor,
    /// new recovery codes, deleting the account, administrators' actions) already
    /// check.
    ///
    /// # Errors
    /// [`Error::ReauthenticationRequired`] when the session's last proof is older than
    /// [`ConfigBuilder::step_up_max_age`](crate::ConfigBuilder::step_up_max_age) (or,
    /// for an account with a second factor, an authenticator app or a passkey, was not
    /// one); send the person to re-authenticate with [`Auth::step_up`] or
    /// [`Auth::step_up_with_passkey`]. [`Error::SecondFactorEnrolmentRequired`] for a
    /// user who must enrol a second factor first; store errors.
    pub async fn require_recent_proof(&self, auth: &Authenticated) -> Result<()> {
        self.admit_sensitive(&auth.user, auth, &[]).await
    }

    /// The step-up check of a sensitive action by `auth` on the account as loaded
    /// (`user`), with the methods the request itself proved (`shown`).
    pub(super) async fn admit_sensitive(
        &self,
        user: &User,
        auth: &Authenticated,
        shown: &[AuthMethod],
    ) -> Result<()> {
        let passkeys = self.has_passkeys(user.id).await?;
        let result = machine::admit_sensitive(
            user,
            passkeys,
            &auth.session,
            shown,
            self.now(),
            &self.inner.config.step_up,
        );
        if let Err(e) = &result {
            tracing::info!(
                refusal = e.kind(),
                "sensitive action refused: no recent proof"
            );
        }
        result
    }

    /// Re-authenticates the signed-in owner for sensitive actions: the password, or for
    /// an account with a second factor a code from the authenticator app (or a recovery
    /// code, then used up). On success the request's session records the fresh proof
    /// (its `proved_at` becomes now, its `amr` gains the method) and the audit trail
    /// says `reauthenticated`; the session is returned as it now stands.
    ///
    /// A wrong password or code counts toward the account's lockout like a failed
    /// sign-in, so a stolen session is no oracle for either.
    ///
    /// # Errors
    /// [`Error::Validation`] on `password` (wrong) or `code` (malformed, wrong, already
    /// used); [`Error::AccountLocked`]; [`Error::SecondFactorEnrolmentRequired`] for a
    /// user who must enrol a second factor first; [`Error::Unauthenticated`] when the
    /// session ended meanwhile.
    #[tracing::instrument(name = "auth.step_up", skip_all, fields(user_id = %auth.user.id))]
    pub async fn step_up(
        &self,
        auth: &Authenticated,
        input: StepUp,
        ctx: &RequestContext,
    ) -> Result<SessionRecord> {
        let user = self.load_user(auth.user.id).await?;
        if self.must_enrol_second_factor(&user) {
            return Err(Error::SecondFactorEnrolmentRequired);
        }
        let passkeys = self.has_passkeys(user.id).await?;
        let proof = match machine::required_fresh_proof(&user, passkeys) {
            AuthMethodClass::Any => FreshProof::Password(
                self.reauthenticate(&user, &input.password, "password", ctx)
                    .await?,
            ),
            AuthMethodClass::SecondFactor if user.second_factor.is_some() => {
                FreshProof::SecondFactor(self.reauthenticate_code(&user, &input.code, ctx).await?)
            }
            // The second factor is a passkey: nothing typed is a fresh proof.
            AuthMethodClass::SecondFactor => return Err(machine::passkey_proof_needed()),
        };
        self.record_fresh_proof(auth, user, proof, ctx).await
    }

    /// Records a fresh proof of the signed-in owner on the request's session (through
    /// the machine, which checks it is the account's), and returns the session as it
    /// now stands.
    pub(super) async fn record_fresh_proof(
        &self,
        auth: &Authenticated,
        user: User,
        proof: FreshProof,
        ctx: &RequestContext,
    ) -> Result<SessionRecord> {
        let origin = Origin {
            session: Some(&auth.session.digest),
            ..Origin::of(ctx)
        };
        let passkeys = self.has_passkeys(user.id).await?;
        let (user, effects) = self
            .run_event(user, Event::SteppedUp { proof, passkeys }, origin)
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        self.inner
            .sessions
            .session(&auth.session.digest)
            .await?
            .filter(|s| s.user_id == user.id && s.is_live(self.now()))
            .ok_or(Error::Unauthenticated)
    }

    /// Checks the owner's code for a re-authentication; a wrong one counts toward the
    /// account's lockout like a wrong password.
    async fn reauthenticate_code(
        &self,
        user: &User,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<SecondFactorVerified> {
        if code.len() > MAX_CODE_INPUT {
            return Err(Error::invalid(
                "code",
                Message::new("field-code-input_too_long").arg("n", MAX_CODE_INPUT),
            ));
        }
        let now = self.now();
        machine::admit_reentry(user, now)?;
        let attempt = self.begin_attempt(Subject::account(user.id)).await?;
        match self.check_code(user, code, now).await? {
            Checked::Proof(proof) => {
                self.attempt_succeeded(&attempt).await?;
                Ok(proof)
            }
            Checked::Wrong(wrong) => {
                let locked_until = self.attempt_failed(&attempt).await?;
                self.record_failure(user.clone(), locked_until, ctx).await?;
                match locked_until {
                    Some(until) => Err(machine::locked(until, now)),
                    None => Err(wrong),
                }
            }
        }
    }
}
