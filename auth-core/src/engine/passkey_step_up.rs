//! A passkey as the fresh proof of sensitive actions (step-up): a start/finish pair bound
//! to the session that asks, for any account with a passkey (the only re-authentication
//! an account without a password and without an authenticator app has).
//!
//! A passkey verifies the person with the device (user verification), so it counts as a
//! second factor: it re-opens sensitive actions of accounts with an authenticator app
//! too. A refused passkey counts toward the account's lockout like a wrong password.

use webauthn_rs::prelude::PublicKeyCredential;

use super::lockout::Subject;
use super::passkeys::{challenge_gone, credential_id, options_json, parse_answer};
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Message, Result};
use crate::machine::{self, FreshProof};
use crate::model::SessionRecord;
use crate::passkey::{Ceremony, PasskeyChallenge};
use crate::second_factor::SecondFactorVerified;

impl Auth {
    /// Starts a re-authentication with a passkey: the options for
    /// `navigator.credentials.get()` listing the signed-in account's passkeys, bound to
    /// the request's session.
    ///
    /// # Errors
    /// [`Error::Validation`] on `credential` when the account has no passkey;
    /// [`Error::SecondFactorEnrolmentRequired`] for a user who must enrol a second factor
    /// first; [`Error::NotFound`] when passkeys are off; store errors.
    #[tracing::instrument(name = "auth.start_passkey_step_up", skip_all, fields(user_id = %auth.user.id))]
    pub async fn start_passkey_step_up(&self, auth: &Authenticated) -> Result<PasskeyChallenge> {
        let (store, rp) = self.passkey_setup()?;
        let user = self.load_user(auth.user.id).await?;
        if self.must_enrol_second_factor(&user) {
            return Err(Error::SecondFactorEnrolmentRequired);
        }
        let passkeys = self
            .passkeys_to_check(
                store,
                user.id,
                Message::new("field-credential-no_passkey_step_up"),
            )
            .await?;
        let (options, state) = rp
            .webauthn()
            .start_passkey_authentication(&passkeys)
            .map_err(Error::backend)?;
        let ceremony = Ceremony::StepUp {
            user: user.id,
            session: auth.session.digest.to_hex(),
            state,
        };
        self.open_challenge(ceremony, options_json(&options)?).await
    }

    /// Re-authenticates the signed-in owner with a passkey, for the challenge of
    /// [`Auth::start_passkey_step_up`] (which must come from this session): as
    /// [`Auth::step_up`], the session records the fresh proof (`passkey` in its `amr`)
    /// and the audit trail says `reauthenticated` "with passkey".
    ///
    /// # Errors
    /// [`Error::Validation`] on `challenge` (unknown, expired, used, another session's)
    /// or `credential` (malformed, or not verified: unknown, removed, another account's,
    /// bad signature); [`Error::AccountLocked`]; [`Error::SecondFactorEnrolmentRequired`];
    /// [`Error::Unauthenticated`] when the session ended meanwhile; [`Error::NotFound`]
    /// when passkeys are off.
    #[tracing::instrument(name = "auth.step_up_with_passkey", skip_all, fields(user_id = %auth.user.id))]
    pub async fn step_up_with_passkey(
        &self,
        auth: &Authenticated,
        challenge: &str,
        credential: &str,
        ctx: &RequestContext,
    ) -> Result<SessionRecord> {
        let (store, rp) = self.passkey_setup()?;
        let answer: PublicKeyCredential = parse_answer(credential)?;
        let Ceremony::StepUp {
            user,
            session,
            state,
        } = self.take_challenge(challenge).await?
        else {
            return Err(challenge_gone());
        };
        if user != auth.user.id || session != auth.session.digest.to_hex() {
            return Err(challenge_gone());
        }
        let user = self.load_user(user).await?;
        if self.must_enrol_second_factor(&user) {
            return Err(Error::SecondFactorEnrolmentRequired);
        }
        let now = self.now();
        machine::admit_reentry(&user, now)?;
        let attempt = self.begin_attempt(Subject::account(user.id)).await?;
        let stored = store
            .passkey(&credential_id(answer.get_credential_id()))
            .await?
            .filter(|p| p.user_id == user.id);
        let checked = match stored {
            Some(stored) => {
                let passkey = serde_json::from_str(&stored.passkey).map_err(Error::backend)?;
                let result = rp.webauthn().finish_passkey_authentication(&answer, &state);
                self.passkey_checked(store, &stored, passkey, result, ctx)
                    .await
            }
            None => Err(Error::InvalidCredentials),
        };
        let proof = match checked {
            Ok(proof) => {
                self.attempt_succeeded(&attempt).await?;
                proof
            }
            Err(Error::InvalidCredentials) => {
                let locked_until = self.attempt_failed(&attempt).await?;
                self.record_failure(user, locked_until, ctx).await?;
                return Err(match locked_until {
                    Some(until) => machine::locked(until, now),
                    None => {
                        Error::invalid("credential", Message::new("field-credential-not_verified"))
                    }
                });
            }
            Err(e) => return Err(e),
        };
        let proof = FreshProof::SecondFactor(SecondFactorVerified::passkey(&proof));
        self.record_fresh_proof(auth, user, proof, ctx).await
    }
}
