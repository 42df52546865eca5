//! Signing up with a passkey and no password (when
//! [`ConfigBuilder::passkey_sign_up`](crate::ConfigBuilder::passkey_sign_up) allows it).
//!
//! A start/finish pair like every ceremony: the start takes the email address and
//! returns the options for `navigator.credentials.create()` for an account that does not
//! exist yet (a fresh id, the passkey's user handle); the finish verifies the new passkey
//! and creates the account with it and an unusable password, as a provider's first
//! sign-in does. The address is confirmed by the mailed link like any sign-up. Neither
//! step looks at whether the address has an account before answering: in
//! [`RegistrationMode::EnumerationSafe`](crate::RegistrationMode::EnumerationSafe) the
//! finish answers [`RegisterOutcome::Accepted`] either way (the owner of a taken address
//! is mailed instead, and the new passkey is not kept).

use webauthn_rs::prelude::RegisterPublicKeyCredential;

use super::passkeys::{
    challenge_gone, checked_name, options_json, parse_answer, with_resident_key,
};
use super::register::RegisterOutcome;
use super::throttle::Counted;
use super::{Auth, RequestContext};
use crate::error::{Error, Message, Result, ValidationErrors};
use crate::hooks::SignUp;
use crate::machine::{self, Creation, Transition};
use crate::model::{AuditKind, PasswordHash, UserId};
use crate::passkey::{Ceremony, PasskeyChallenge};
use crate::profile::Profile;
use crate::validate::normalize_email;

use super::effects::Origin;

/// The name a passkey of a sign-up gets when none is given.
const FIRST_PASSKEY_NAME: &str = "Passkey";

impl Auth {
    /// Whether people may sign up with a passkey: passkeys are on and the configuration
    /// allows it ([`ConfigBuilder::passkey_sign_up`](crate::ConfigBuilder::passkey_sign_up)).
    pub fn passkey_sign_up_enabled(&self) -> bool {
        self.passkeys_enabled() && self.inner.config.passkey_sign_up
    }

    /// Starts signing up with a passkey: the options for `navigator.credentials.create()`
    /// for a new account with this address (a discoverable credential preferred, user
    /// verification required). Nothing is looked up: the answer is the same whether or
    /// not the address has an account.
    ///
    /// # Errors
    /// [`Error::Validation`] on `email` (malformed, or refused by the application's
    /// before-registration hook); [`Error::RateLimited`]; [`Error::NotFound`] when
    /// passkey sign-up is off.
    #[tracing::instrument(name = "auth.start_passkey_sign_up", skip_all)]
    pub async fn start_passkey_sign_up(
        &self,
        email: &str,
        ctx: &RequestContext,
    ) -> Result<PasskeyChallenge> {
        if !self.passkey_sign_up_enabled() {
            return Err(Error::NotFound);
        }
        let (_, rp) = self.passkey_setup()?;
        let limits = self.inner.config.rate_limits;
        self.hit_ip(
            Counted::RegistrationsPerNetwork,
            ctx.ip,
            limits.register_per_ip,
            self.now(),
        )
        .await?;
        let email = normalize_email("email", email)?;
        let profile = Profile::new();
        let sign_up = SignUp {
            email: &email,
            username: None,
            profile: &profile,
            ctx,
        };
        if let Err(veto) = self.inner.hooks.before_registration(&sign_up).await {
            let mut errors = ValidationErrors::new();
            errors.push_text("email", "not_allowed", veto.into_message());
            return Err(Error::Validation(errors));
        }
        let user = UserId::new();
        let (options, state) = rp
            .webauthn()
            .start_passkey_registration(user.0, &email, &email, None)
            .map_err(Error::backend)?;
        let options = with_resident_key(options_json(&options)?);
        self.open_challenge(Ceremony::SignUp { user, email, state }, options)
            .await
    }

    /// Finishes a sign-up started by [`Auth::start_passkey_sign_up`]: the browser's new
    /// passkey is verified, then the account is created with it, no password
    /// ([`PasswordHash::unusable`]) and the address unconfirmed; the verification link
    /// is mailed, as [`Auth::register`] does. `name` names the passkey ("Passkey" when
    /// blank). The owner can later set a password by a reset link, add passkeys and
    /// link providers; the last way in always stays.
    ///
    /// # Errors
    /// [`Error::Validation`] on `challenge` (unknown, expired, used), `credential`
    /// (malformed, not verified, registered already) or `name`; [`Error::Conflict`] for
    /// a taken address only in
    /// [`RegistrationMode::RevealConflicts`](crate::RegistrationMode::RevealConflicts);
    /// [`Error::NotFound`] when passkey sign-up is off; store errors.
    #[tracing::instrument(name = "auth.finish_passkey_sign_up", skip_all)]
    pub async fn finish_passkey_sign_up(
        &self,
        challenge: &str,
        name: &str,
        credential: &str,
        ctx: &RequestContext,
    ) -> Result<RegisterOutcome> {
        if !self.passkey_sign_up_enabled() {
            return Err(Error::NotFound);
        }
        let (store, rp) = self.passkey_setup()?;
        let name = checked_name(if name.trim().is_empty() {
            FIRST_PASSKEY_NAME
        } else {
            name
        })?;
        let answer: RegisterPublicKeyCredential = parse_answer(credential)?;
        let Ceremony::SignUp { user, email, state } = self.take_challenge(challenge).await? else {
            return Err(challenge_gone());
        };
        let passkey = rp
            .webauthn()
            .finish_passkey_registration(&answer, &state)
            .map_err(|e| {
                tracing::info!(error = %e, "a passkey sign-up was refused");
                Error::invalid("credential", Message::new("field-credential-not_verified"))
            })?;
        let record = self.new_passkey(user, name, &passkey, &answer)?;
        let mut new = self.new_account(
            email,
            None,
            PasswordHash::unusable(),
            Profile::new(),
            Creation::SignUp,
        );
        // The passkey's user handle names the account: the id fixed at the start.
        new.id = user;
        let Transition { user, effects } = machine::create(new, self.now());
        // The passkey first (its id is unique across accounts), then the account; a
        // failed creation takes the passkey with it, so nothing is half-written.
        self.keep_passkey(store, &record).await?;
        let created = self.inner.users.create_user(&user).await;
        match &created {
            Ok(()) => {
                self.audit(
                    AuditKind::PasskeyAdded,
                    Some(user.id),
                    Origin::of(ctx),
                    Some(record.name.clone()),
                )
                .await;
            }
            Err(_) => {
                if let Err(undo) = store.delete_passkey(user.id, &record.id).await {
                    tracing::error!(error = %undo, "could not undo the passkey of a failed sign-up");
                }
            }
        }
        self.answer_sign_up(user, effects, created, ctx).await
    }
}
