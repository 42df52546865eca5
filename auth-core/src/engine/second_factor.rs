//! Second factors: enrolment of an authenticator app, the second step of a sign-in,
//! recovery codes, and removing the factor.

use time::{Duration, OffsetDateTime};

use super::effects::{MailLinks, Origin};
use super::lockout::Subject;
use super::login::login_telemetry;
use super::throttle::Counted;
use super::{Auth, Authenticated, LoginSuccess, RequestContext};
use crate::error::{Error, Message, Result};
use crate::hooks::Veto;
use crate::machine::Event;
use crate::model::{User, UserId};
use crate::random::constant_time_eq;
use crate::second_factor::{
    AuthMethod, PendingRecord, PendingSignIn, RecoveryCodes, SecondFactor, SecondFactorVerified,
    TOTP_STEP_SECONDS, TotpEnrolment, TotpSecret, digest_recovery_code, parse_recovery_code,
    parse_totp_code,
};

/// How long a pending sign-in lives.
pub(super) const PENDING_LIFETIME: Duration = Duration::minutes(5);
/// Wrong codes a pending sign-in survives; the next one ends it.
pub(super) const PENDING_MAX_FAILURES: u32 = 5;
/// How long a started enrolment waits for its first code.
const ENROLMENT_LIFETIME: Duration = Duration::minutes(15);
/// The longest code input looked at; longer input is refused as it is.
pub(super) const MAX_CODE_INPUT: usize = 64;

/// The ephemeral key of a started enrolment.
fn enrolment_key(user: UserId) -> String {
    format!("totp-enrolment:{user}")
}

/// The ephemeral key that marks a TOTP time step of an account as used.
fn used_step_key(user: UserId, step: u64) -> String {
    format!("totp-step:{user}:{step}")
}

/// A pending sign-in that is unknown, expired, used up, or already completed.
pub(super) fn pending_gone() -> Error {
    Error::invalid("pending", Message::new("field-pending-gone"))
}

/// The outcome of a checked code: a proof, or a wrong code (which counts as a failure).
pub(super) enum Checked {
    Proof(SecondFactorVerified),
    Wrong(Error),
}

/// What became of a first code typed to finish an enrolment
/// ([`Auth::try_finish_totp_enrolment`]).
#[derive(Debug)]
pub enum EnrolmentAttempt {
    /// Two-step sign-in is on: the ten recovery codes, to show once.
    Finished(RecoveryCodes),
    /// The code was malformed or wrong and the enrolment still waits for one.
    Refused {
        /// Why, on the field `code`.
        error: Error,
        /// The waiting enrolment (the same secret), to show again.
        enrolment: TotpEnrolment,
    },
}

impl Auth {
    /// Opens the pending sign-in of an account whose password step passed: stored under
    /// the token's digest, for [`PENDING_LIFETIME`].
    pub(super) async fn open_pending(&self, record: &PendingRecord) -> Result<PendingSignIn> {
        let pending = PendingSignIn::generate(record.expires_at);
        let key = PendingSignIn::key_of(pending.token()).ok_or_else(pending_gone)?;
        let stored = self
            .inner
            .ephemeral
            .insert(&key, &record.to_bytes()?, record.expires_at, self.now())
            .await?;
        if !stored {
            // A 256-bit collision: never silently shared.
            return Err(Error::backend("a pending sign-in token collided"));
        }
        Ok(pending)
    }

    /// The second step of a sign-in: a code from the authenticator app (six digits) or a
    /// recovery code, with the token of the pending sign-in the password step returned.
    /// Turns the pending sign-in into a session whose methods are the password and the
    /// code.
    ///
    /// A wrong code counts toward the same lockout and rate limits as a wrong password;
    /// after five, the pending sign-in ends. A TOTP code is accepted once: its time step
    /// is recorded through the [`EphemeralStore`](crate::EphemeralStore), so a replay on
    /// any instance is refused. Malformed input changes nothing.
    ///
    /// # Errors
    /// [`Error::Validation`] on `code` (malformed, wrong, already used) or on `pending`
    /// (unknown, expired, used up); [`Error::AccountLocked`], [`Error::RateLimited`],
    /// [`Error::AccountDisabled`], [`Error::SignInRefused`].
    #[tracing::instrument(name = "auth.complete_sign_in", skip_all, fields(user_id))]
    pub async fn complete_sign_in(
        &self,
        pending_token: &str,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<LoginSuccess> {
        let result = self.second_step(pending_token, code, ctx).await;
        login_telemetry(&result);
        result
    }

    async fn second_step(
        &self,
        pending_token: &str,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<LoginSuccess> {
        let now = self.now();
        let limits = self.inner.config.rate_limits;
        self.hit_ip(Counted::LoginsPerNetwork, ctx.ip, limits.login_per_ip, now)
            .await?;
        if code.len() > MAX_CODE_INPUT {
            return Err(Error::invalid(
                "code",
                Message::new("field-code-input_too_long").arg("n", MAX_CODE_INPUT),
            ));
        }
        let key = PendingSignIn::key_of(pending_token).ok_or_else(pending_gone)?;
        let taken = self.inner.ephemeral.take(&key, now).await?;
        let mut pending = PendingRecord::from_bytes(&taken.ok_or_else(pending_gone)?)?;
        // From here on the record is ours alone; every way out but success and the last
        // failure puts it back.
        let result = self.check_pending(&pending, code, ctx, now).await;
        match result {
            Ok(Ok(success)) => Ok(success),
            Ok(Err((wrong, locked))) => {
                pending.failures += 1;
                if pending.failures < PENDING_MAX_FAILURES && !locked {
                    self.restore_pending(&key, &pending).await?;
                }
                Err(wrong)
            }
            Err(e) => {
                self.restore_pending(&key, &pending).await?;
                Err(e)
            }
        }
    }

    pub(super) async fn restore_pending(&self, key: &str, pending: &PendingRecord) -> Result<()> {
        self.inner
            .ephemeral
            .insert(key, &pending.to_bytes()?, pending.expires_at, self.now())
            .await
            .map(drop)
    }

    /// Checks the code for a taken pending sign-in: `Ok(Ok(..))` signed in,
    /// `Ok(Err((error, locked)))` a wrong code (counted), `Err` anything that changes
    /// nothing (malformed input, a rate limit, a lock, a store error).
    async fn check_pending(
        &self,
        pending: &PendingRecord,
        code: &str,
        ctx: &RequestContext,
        now: OffsetDateTime,
    ) -> Result<std::result::Result<LoginSuccess, (Error, bool)>> {
        let limits = self.inner.config.rate_limits;
        self.hit(
            Counted::LoginsPerIdentifier,
            &pending.identifier,
            limits.login_per_identifier,
            now,
        )
        .await?;
        let attempt = self
            .begin_attempt(Subject::identifier(&pending.identifier))
            .await?;
        let user = self
            .inner
            .users
            .user_by_id(pending.user)
            .await?
            .ok_or_else(pending_gone)?;
        let second = match self.check_code(&user, code, now).await? {
            Checked::Proof(proof) => proof,
            Checked::Wrong(wrong) => {
                let locked_until = self.attempt_failed(&attempt).await?;
                let auth = self.clone();
                let (failed, ctx_owned) = (user.clone(), ctx.clone());
                self.detached(async move {
                    if let Err(e) = auth.record_failure(failed, locked_until, &ctx_owned).await {
                        tracing::error!(error = %e, "recording a wrong code failed");
                    }
                })
                .await;
                return Ok(Err(match locked_until {
                    Some(until) => (crate::machine::locked(until, now), true),
                    None => (wrong, false),
                }));
            }
        };
        self.attempt_succeeded(&attempt).await?;
        let veto = self
            .inner
            .hooks
            .before_sign_in(&user, ctx)
            .await
            .err()
            .map(Veto::into_message);
        let origin = Origin::of(ctx);
        let amr = vec![pending.first_step, second.method()];
        let event = Event::SecondStepSucceeded {
            first: pending.proof(),
            second,
            veto,
        };
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        let (token, session) = self
            .open_proved_session(&user, pending.remember, amr, ctx)
            .await?;
        self.confirm_credentials_unchanged(&user, &session).await?;
        Ok(Ok(LoginSuccess {
            user,
            token,
            session,
        }))
    }

    /// Checks a code for `user`: a recovery code when it has letters or dashes or is
    /// longer than a TOTP code, else a TOTP code. `Err` for malformed input (changing
    /// nothing) and store errors.
    pub(super) async fn check_code(
        &self,
        user: &User,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<Checked> {
        let Some(factor) = &user.second_factor else {
            return Ok(Checked::Wrong(Error::invalid(
                "code",
                Message::new("field-code-no_second_factor"),
            )));
        };
        let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let looks_recovery = compact.len() > 8 || compact.chars().any(|c| !c.is_ascii_digit());
        if looks_recovery && compact.chars().any(|c| c.is_ascii_alphabetic() || c == '-') {
            let canonical = parse_recovery_code(code)?;
            let digest = digest_recovery_code(&canonical);
            let known = factor.recovery_digests.iter().fold(false, |found, d| {
                found | constant_time_eq(d.as_bytes(), digest.as_bytes())
            });
            return Ok(if known {
                Checked::Proof(SecondFactorVerified::recovery(user.id, digest))
            } else {
                Checked::Wrong(Error::invalid(
                    "code",
                    Message::new("field-code-wrong_recovery"),
                ))
            });
        }
        let code = parse_totp_code(code)?;
        let secret = self.inner.secrets.open(user.id, &factor.totp_sealed)?;
        self.check_totp(user.id, &secret, &code, now).await
    }

    /// Checks a TOTP code against `secret` and records its time step as used.
    async fn check_totp(
        &self,
        user: UserId,
        secret: &TotpSecret,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<Checked> {
        let Some(step) = secret.check(code, now)? else {
            return Ok(Checked::Wrong(Error::invalid(
                "code",
                Message::new("field-code-wrong_totp"),
            )));
        };
        // The step's code is accepted until the end of the following step (one step of
        // skew); the record must outlive that.
        let step_secs = i64::try_from(TOTP_STEP_SECONDS).unwrap_or(30);
        let last_use =
            i64::try_from(step.saturating_add(2)).unwrap_or(i64::MAX / step_secs) * step_secs;
        let expires_at =
            OffsetDateTime::from_unix_timestamp(last_use).unwrap_or(now + Duration::minutes(2));
        let first_use = self
            .inner
            .ephemeral
            .insert(&used_step_key(user, step), b"", expires_at, now)
            .await?;
        Ok(if first_use {
            Checked::Proof(SecondFactorVerified::totp(user))
        } else {
            Checked::Wrong(Error::invalid("code", Message::new("field-code-replayed")))
        })
    }

    /// Starts enrolling an authenticator app: a fresh 160-bit secret, kept (sealed) in
    /// the [`EphemeralStore`](crate::EphemeralStore) for 15 minutes, returned for a QR
    /// code and for typing in. The account does not change until
    /// [`Auth::finish_totp_enrolment`] gets a correct code; starting again replaces the
    /// secret.
    ///
    /// # Errors
    /// [`Error::Validation`] on `code` when a second factor is already enrolled; store
    /// errors.
    #[tracing::instrument(name = "auth.start_totp_enrolment", skip_all, fields(user_id = %auth.user.id))]
    pub async fn start_totp_enrolment(&self, auth: &Authenticated) -> Result<TotpEnrolment> {
        let user = self.load_user(auth.user.id).await?;
        if user.second_factor.is_some() {
            return Err(already_enrolled());
        }
        let now = self.now();
        let secret = TotpSecret::generate();
        let sealed = self.inner.secrets.seal(user.id, &secret)?;
        let key = enrolment_key(user.id);
        self.inner.ephemeral.take(&key, now).await?;
        let stored = self
            .inner
            .ephemeral
            .insert(&key, sealed.as_bytes(), now + ENROLMENT_LIFETIME, now)
            .await?;
        if !stored {
            return Err(Error::invalid(
                "code",
                Message::new("field-code-enrolment_raced"),
            ));
        }
        secret.enrolment(self.inner.config.app_name(), &user.email)
    }

    /// Finishes the enrolment started by [`Auth::start_totp_enrolment`] with a first
    /// correct code: the account now holds the (sealed) secret and the digests of ten
    /// new recovery codes, which are returned to be shown once. A wrong code leaves the
    /// enrolment waiting (until it expires); the account is unchanged.
    ///
    /// # Errors
    /// [`Error::Validation`] on `code` (malformed, wrong, no enrolment started or it
    /// expired, already enrolled); store errors.
    pub async fn finish_totp_enrolment(
        &self,
        auth: &Authenticated,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<RecoveryCodes> {
        match self.try_finish_totp_enrolment(auth, code, ctx).await? {
            EnrolmentAttempt::Finished(codes) => Ok(codes),
            EnrolmentAttempt::Refused { error, .. } => Err(error),
        }
    }

    /// [`Auth::finish_totp_enrolment`] for a page that asks again after a refused code:
    /// a malformed or wrong code comes back as [`EnrolmentAttempt::Refused`] with the
    /// enrolment that still waits (the same secret, to draw its QR code again), and
    /// changes nothing else.
    ///
    /// # Errors
    /// [`Error::Validation`] on `code` when no enrolment waits (none started, it expired,
    /// or a factor is already enrolled) or the code is over 64 characters; store errors.
    #[tracing::instrument(name = "auth.finish_totp_enrolment", skip_all, fields(user_id = %auth.user.id))]
    pub async fn try_finish_totp_enrolment(
        &self,
        auth: &Authenticated,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<EnrolmentAttempt> {
        if code.len() > MAX_CODE_INPUT {
            return Err(Error::invalid(
                "code",
                Message::new("field-code-input_too_long").arg("n", MAX_CODE_INPUT),
            ));
        }
        let user = self.load_user(auth.user.id).await?;
        if user.second_factor.is_some() {
            return Err(already_enrolled());
        }
        let now = self.now();
        let key = enrolment_key(user.id);
        let Some(sealed) = self.inner.ephemeral.take(&key, now).await? else {
            return Err(Error::invalid(
                "code",
                Message::new("field-code-no_enrolment"),
            ));
        };
        let sealed = String::from_utf8(sealed).map_err(Error::backend)?;
        let secret = self.inner.secrets.open(user.id, &sealed)?;
        let checked = match parse_totp_code(code) {
            Ok(code) => self.check_totp(user.id, &secret, &code, now).await?,
            Err(malformed) => Checked::Wrong(malformed),
        };
        let proof = match checked {
            Checked::Proof(proof) => proof,
            Checked::Wrong(error) => {
                // Put the enrolment back for another try (for the full lifetime again).
                self.inner
                    .ephemeral
                    .insert(&key, sealed.as_bytes(), now + ENROLMENT_LIFETIME, now)
                    .await?;
                let enrolment = secret.enrolment(self.inner.config.app_name(), &user.email)?;
                return Ok(EnrolmentAttempt::Refused { error, enrolment });
            }
        };
        let codes = RecoveryCodes::generate();
        let factor = SecondFactor {
            totp_sealed: sealed,
            enrolled_at: now,
            recovery_digests: codes.digests(),
        };
        let origin = Origin {
            session: Some(&auth.session.digest),
            ..Origin::of(ctx)
        };
        let (user, effects) = self
            .run_event(user, Event::SecondFactorEnrolled { factor, proof }, origin)
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(EnrolmentAttempt::Finished(codes))
    }

    /// Replaces every recovery code with ten new ones, proving a current code (from the
    /// app, or one of the old recovery codes). The new codes are returned to be shown
    /// once.
    ///
    /// # Errors
    /// [`Error::Validation`] on `code` (malformed, wrong, already used, no second factor).
    #[tracing::instrument(name = "auth.regenerate_recovery_codes", skip_all, fields(user_id = %auth.user.id))]
    pub async fn regenerate_recovery_codes(
        &self,
        auth: &Authenticated,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<RecoveryCodes> {
        let second = self.owner_code(auth, code).await?;
        let user = self.load_user(auth.user.id).await?;
        self.admit_sensitive(&user, auth, &[second.method()])
            .await?;
        let codes = RecoveryCodes::generate();
        let event = Event::RecoveryCodesRegenerated {
            digests: codes.digests(),
            second,
        };
        let origin = Origin::of(ctx);
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(codes)
    }

    /// Removes the second factor, proving the password and a current code (from the app,
    /// or a recovery code). Sign-in is by password alone afterwards.
    ///
    /// # Errors
    /// [`Error::Validation`] on `password` (wrong, counted toward the lockout) or `code`
    /// (malformed, wrong, already used, no second factor); [`Error::AccountLocked`].
    #[tracing::instrument(name = "auth.disable_second_factor", skip_all, fields(user_id = %auth.user.id))]
    pub async fn disable_second_factor(
        &self,
        auth: &Authenticated,
        password: &str,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<User> {
        let user = self.load_user(auth.user.id).await?;
        let password = self
            .reauthenticate(&user, password, "password", ctx)
            .await?;
        let second = self.owner_code(auth, code).await?;
        let user = self.load_user(auth.user.id).await?;
        self.admit_sensitive(&user, auth, &[AuthMethod::Pwd, second.method()])
            .await?;
        let origin = Origin::of(ctx);
        let (user, effects) = self
            .run_event(
                user,
                Event::SecondFactorDisabled { password, second },
                origin,
            )
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// A signed-in owner's code, checked into a proof (a wrong one is a field error).
    async fn owner_code(&self, auth: &Authenticated, code: &str) -> Result<SecondFactorVerified> {
        if code.len() > MAX_CODE_INPUT {
            return Err(Error::invalid(
                "code",
                Message::new("field-code-input_too_long").arg("n", MAX_CODE_INPUT),
            ));
        }
        let user = self.load_user(auth.user.id).await?;
        match self.check_code(&user, code, self.now()).await? {
            Checked::Proof(proof) => Ok(proof),
            Checked::Wrong(wrong) => Err(wrong),
        }
    }
}

fn already_enrolled() -> Error {
    Error::invalid("code", Message::new("field-code-already_enrolled"))
}
