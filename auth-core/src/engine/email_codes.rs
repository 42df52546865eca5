//! Mailed one-time codes: issued with the verification and reset links, typed instead of
//! following them; and sign-in by mail (a code or a magic link), when switched on.
//!
//! Every code lives in the [`EphemeralStore`](crate::EphemeralStore) (see
//! [`crate::email_code`]): one per account and purpose, taken by each attempt and put
//! back with one more failure when wrong, gone once right or out of tries.

use zeroize::Zeroizing;

use super::effects::{MailLinks, Origin};
use super::lockout::{Attempt, Subject};
use super::login::finish_sign_in_telemetry;
use super::second_factor::PENDING_LIFETIME;
use super::throttle::Counted;
use super::{Auth, LoginSuccess, RequestContext, SignIn};
use crate::email_code::{
    Code, CodePurpose, CodeRecord, EmailCodeVerified, bad_link, link_key, link_key_of,
    new_link_token, parse_code, wrong_code,
};
use crate::error::{Error, Message, Result, ValidationErrors};
use crate::hooks::Veto;
use crate::machine::{Effect, Event, needs_second_step};
use crate::model::{MailKind, SecurityStamp, User, UserId};
use crate::second_factor::PendingRecord;
use crate::validate::normalize_email;

/// What a person submits to reset the password with a mailed code.
#[derive(Clone, Default)]
pub struct CodeReset {
    /// The address the code was mailed to.
    pub email: String,
    /// The code from the mail.
    pub code: String,
    /// The new password.
    pub password: String,
    /// The new password again.
    pub password_confirm: String,
}

impl std::fmt::Debug for CodeReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeReset")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// A right code, taken from the store: the proof, and the record to put back if the
/// flow cannot go on for a reason that is not the code's.
struct Taken {
    proof: EmailCodeVerified,
    record: CodeRecord,
}

impl Auth {
    /// Mails a code for `purpose` to `user`: the live code of that purpose (and its
    /// sign-in link) is replaced. Returns the code and, for a sign-in, the link's token.
    async fn issue_code(
        &self,
        user: &User,
        purpose: CodePurpose,
    ) -> Result<(Code, Option<Zeroizing<String>>)> {
        let now = self.now();
        let policy = self.inner.config.email_codes;
        let ephemeral = &self.inner.ephemeral;
        let key = purpose.key(user.id);
        // The newest mail's code is the live one: the one before dies, its link too.
        if let Some(old) = ephemeral.take(&key, now).await?
            && let Some(link) = CodeRecord::from_bytes(&old).ok().and_then(|r| r.link)
        {
            ephemeral.take(&link_key_of(&link), now).await?;
        }
        let code = Code::generate(policy.digits);
        let expires_at = now + policy.lifetime;
        let (token, link) = match purpose {
            CodePurpose::SignIn => {
                let (token, digest) = new_link_token();
                (Some(token), Some(digest))
            }
            CodePurpose::VerifyEmail | CodePurpose::ResetPassword => (None, None),
        };
        if let Some(digest) = &link {
            let id = user.id.to_string();
            ephemeral
                .insert(&link_key_of(digest), id.as_bytes(), expires_at, now)
                .await?;
        }
        let record = CodeRecord::new(&self.inner.codes, user, purpose, &code, link, expires_at)?;
        if !ephemeral
            .insert(&key, &record.to_bytes()?, expires_at, now)
            .await?
        {
            // Another request mailed a code at the same instant; its code stays live and
            // this one is never mailed.
            return Err(Error::backend(
                "two codes were issued at once; one was kept",
            ));
        }
        Ok((code, token))
    }

    /// What the mail among `effects` carries for `user`: a verification or reset link
    /// with its code, or a sign-in code with its link; nothing for other mails.
    pub(super) async fn mail_links(&self, user: &User, effects: &[Effect]) -> Result<MailLinks> {
        let config = &self.inner.config;
        if effects.contains(&Effect::Mail(MailKind::SignInCode)) {
            let (code, token) = self.issue_code(user, CodePurpose::SignIn).await?;
            return Ok(MailLinks {
                link: token.map(|t| config.links.email_sign_in(&t)),
                new_email: None,
                provider: None,
                code: Some(code),
            });
        }
        let Some(purpose) = self.link_purpose(effects) else {
            return Ok(MailLinks::default());
        };
        let mut links = self.mail_link(user, purpose)?;
        let code_purpose = match purpose {
            crate::token::Purpose::ResetPassword => CodePurpose::ResetPassword,
            _ => CodePurpose::VerifyEmail,
        };
        links.code = Some(self.issue_code(user, code_purpose).await?.0);
        Ok(links)
    }

    /// Takes `user`'s live code for `purpose` and checks the typed (canonical) `code`.
    /// `None` for a wrong code, whose record goes back with one more failure until the
    /// failures run out. For an address without an account, the same store round trip
    /// is made for a key that cannot exist, so the answer's timing tells nothing.
    async fn take_code(
        &self,
        user: Option<&User>,
        purpose: CodePurpose,
        code: &str,
    ) -> Result<Option<Taken>> {
        let now = self.now();
        let id = user.map_or_else(UserId::new, |u| u.id);
        let key = purpose.key(id);
        let Some(bytes) = self.inner.ephemeral.take(&key, now).await? else {
            return Ok(None);
        };
        let mut record = CodeRecord::from_bytes(&bytes)?;
        if let Some(proof) = record.check(&self.inner.codes, code) {
            return Ok(Some(Taken { proof, record }));
        }
        record.failures += 1;
        if record.failures < self.inner.config.email_codes.max_attempts {
            self.put_back(&record).await?;
        }
        Ok(None)
    }

    /// Puts a taken code back, until it expires.
    async fn put_back(&self, record: &CodeRecord) -> Result<()> {
        self.inner
            .ephemeral
            .insert(
                &record.purpose.key(record.user),
                &record.to_bytes()?,
                record.expires_at,
                self.now(),
            )
            .await
            .map(drop)
    }

    /// The account of `email` and its checked code: the form of the code and address
    /// first (a malformed one changes nothing), then the per-client limit that every
    /// typed credential counts toward.
    async fn typed_code(
        &self,
        email: &str,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<(String, Zeroizing<String>)> {
        let code = parse_code(code, self.inner.config.email_codes.digits)?;
        let email = normalize_email("email", email)?;
        let limits = self.inner.config.rate_limits;
        self.hit_ip(
            Counted::LoginsPerNetwork,
            ctx.ip,
            limits.login_per_ip,
            self.now(),
        )
        .await?;
        Ok((email, code))
    }

    /// Confirms the address with the code mailed with the verification link. The link
    /// keeps working until the address is confirmed either way. The answer to a wrong,
    /// expired or used code and to an address without an account is the same.
    ///
    /// # Errors
    /// [`Error::Validation`] on `code` (malformed, wrong, expired, used, too many tries)
    /// or `email` (malformed); [`Error::RateLimited`].
    #[tracing::instrument(name = "auth.verify_email_with_code", skip_all)]
    pub async fn verify_email_with_code(
        &self,
        email: &str,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<User> {
        let (email, code) = self.typed_code(email, code, ctx).await?;
        let user = self.inner.users.user_by_email(&email).await?;
        let Some(taken) = self
            .take_code(user.as_ref(), CodePurpose::VerifyEmail, &code)
            .await?
        else {
            return Err(wrong_code());
        };
        let user = user.ok_or_else(wrong_code)?;
        let origin = Origin::of(ctx);
        let (user, effects) = self
            .run_event(user, Event::EmailVerifiedByCode(taken.proof), origin)
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Sets a new password with the code mailed with the reset link: as the link does
    /// (every session and API key ends, a lock lifts, the owner is told), and the link
    /// dies with it. The password is checked against the policy before the code is
    /// looked at, so a refused password does not use the code up.
    ///
    /// # Errors
    /// [`Error::Validation`] on `code`, `email`, `password` or `password_confirm`;
    /// [`Error::RateLimited`]; [`Error::AccountDisabled`].
    #[tracing::instrument(name = "auth.reset_password_with_code", skip_all)]
    pub async fn reset_password_with_code(
        &self,
        input: CodeReset,
        ctx: &RequestContext,
    ) -> Result<User> {
        let (email, code) = self.typed_code(&input.email, &input.code, ctx).await?;
        // With the typed address only, so the answer is the same whether or not it has
        // an account.
        let mut errors = ValidationErrors::new();
        if let Err(policy) = self
            .check_password_policy(&input.password, &[Some(&email), None])
            .await?
        {
            errors.extend(policy);
        }
        if input.password != input.password_confirm {
            errors.push(
                "password_confirm",
                "mismatch",
                Message::new("field-password_confirm-mismatch"),
            );
        }
        errors.into_result()?;
        let user = self.inner.users.user_by_email(&email).await?;
        let Some(taken) = self
            .take_code(user.as_ref(), CodePurpose::ResetPassword, &code)
            .await?
        else {
            return Err(wrong_code());
        };
        let user = user.ok_or_else(wrong_code)?;
        // The account's username may refuse the password too: then the code stays live.
        let checked = self
            .check_new_password(&user, &input.password, &input.password_confirm)
            .await;
        if let Err(e) = checked {
            self.put_back(&taken.record).await?;
            return Err(e);
        }
        let new_hash = self.inner.config.hasher.hash(&input.password).await?;
        let event = Event::PasswordResetByCode {
            proof: taken.proof,
            new_hash,
            new_stamp: SecurityStamp::generate(),
        };
        let origin = Origin::of(ctx);
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Refuses sign-in by mail unless the configuration switched it on.
    fn mail_sign_in_on(&self) -> Result<()> {
        if self.inner.config.email_codes.sign_in {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Mails a sign-in code and link to the address, when sign-in by mail is on. The
    /// answer and its timing are those of a reset request: the same whether or not the
    /// address has an account (looking it up and mailing happen after the answer).
    ///
    /// # Errors
    /// [`Error::NotFound`] when sign-in by mail is off; [`Error::Validation`] for a
    /// malformed address; [`Error::RateLimited`].
    #[tracing::instrument(name = "auth.request_sign_in_code", skip_all)]
    pub async fn request_sign_in_code(&self, email: &str, ctx: &RequestContext) -> Result<()> {
        self.mail_sign_in_on()?;
        self.request_link(email, Event::MailSignInRequested, ctx)
            .await
    }

    /// Signs in with the code of a sign-in mail: a first proof like the password. An
    /// account with a second factor gets a [`SignIn::SecondFactor`], never a session.
    /// The same rate limits and lockout as the password apply; a wrong code counts as a
    /// wrong password would, and the code dies after its tries run out.
    ///
    /// # Errors
    /// [`Error::NotFound`] when sign-in by mail is off; [`Error::Validation`] on `code`
    /// or `email`; the refusals of [`Auth::login`].
    #[tracing::instrument(name = "auth.sign_in_with_code", skip_all, fields(user_id))]
    pub async fn sign_in_with_code(
        &self,
        email: &str,
        code: &str,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<SignIn> {
        let result = self.code_sign_in(email, code, remember, ctx).await;
        finish_sign_in_telemetry(&result);
        result
    }

    async fn code_sign_in(
        &self,
        email: &str,
        code: &str,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<SignIn> {
        self.mail_sign_in_on()?;
        let (email, code) = self.typed_code(email, code, ctx).await?;
        let limits = self.inner.config.rate_limits;
        self.hit(
            Counted::LoginsPerIdentifier,
            &email,
            limits.login_per_identifier,
            self.now(),
        )
        .await?;
        let attempt = self.begin_attempt(Subject::identifier(&email)).await?;
        let user = self.inner.users.user_by_email(&email).await?;
        let taken = self
            .take_code(user.as_ref(), CodePurpose::SignIn, &code)
            .await?;
        let (Some(user), Some(taken)) = (user.clone(), taken) else {
            // Counted as a wrong password would be, on the account too when there is one.
            return Err(match self.wrong_password(&attempt, user, ctx).await {
                Error::InvalidCredentials => wrong_code(),
                other => other,
            });
        };
        // The code is used: its link dies with it.
        if let Some(link) = &taken.record.link {
            self.inner
                .ephemeral
                .take(&link_key_of(link), self.now())
                .await?;
        }
        self.mail_signed_in(user, taken.proof, &email, remember, &attempt, ctx)
            .await
    }

    /// Signs in with the link of a sign-in mail (its token): a first proof like the
    /// password, as [`Auth::sign_in_with_code`]. The link works once, and not after a
    /// newer sign-in mail or the code of its own mail was used.
    ///
    /// # Errors
    /// [`Error::NotFound`] when sign-in by mail is off; [`Error::Validation`] on `token`
    /// for a link that is malformed, unknown, expired or used; the refusals of
    /// [`Auth::login`].
    #[tracing::instrument(name = "auth.sign_in_with_link", skip_all, fields(user_id))]
    pub async fn sign_in_with_link(
        &self,
        token: &str,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<SignIn> {
        let result = self.link_sign_in(token, remember, ctx).await;
        finish_sign_in_telemetry(&result);
        result
    }

    async fn link_sign_in(
        &self,
        token: &str,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<SignIn> {
        self.mail_sign_in_on()?;
        let now = self.now();
        let limits = self.inner.config.rate_limits;
        self.hit_ip(Counted::LoginsPerNetwork, ctx.ip, limits.login_per_ip, now)
            .await?;
        let key = link_key(token).ok_or_else(bad_link)?;
        let ephemeral = &self.inner.ephemeral;
        let owner = ephemeral.take(&key, now).await?.ok_or_else(bad_link)?;
        let id = std::str::from_utf8(&owner)
            .ok()
            .and_then(|s| s.parse::<UserId>().ok())
            .ok_or_else(bad_link)?;
        let user = self
            .inner
            .users
            .user_by_id(id)
            .await?
            .ok_or_else(bad_link)?;
        let code_key = CodePurpose::SignIn.key(user.id);
        let record = ephemeral.take(&code_key, now).await?.ok_or_else(bad_link)?;
        let record = CodeRecord::from_bytes(&record)?;
        let Some(proof) = record.check_link(token) else {
            self.put_back(&record).await?;
            return Err(bad_link());
        };
        let attempt = match self.begin_attempt(Subject::identifier(&user.email)).await {
            Ok(attempt) => attempt,
            Err(locked) => {
                // The link is not used up by a sign-in the lock refused.
                ephemeral
                    .insert(&key, &owner, record.expires_at, now)
                    .await?;
                self.put_back(&record).await?;
                return Err(locked);
            }
        };
        let identifier = user.email.clone();
        self.mail_signed_in(user, proof, &identifier, remember, &attempt, ctx)
            .await
    }

    /// The first step by mail passed: a session, or a pending sign-in for an account
    /// with a second factor, exactly as after a right password.
    async fn mail_signed_in(
        &self,
        user: User,
        proof: EmailCodeVerified,
        identifier: &str,
        remember: bool,
        attempt: &Attempt,
        ctx: &RequestContext,
    ) -> Result<SignIn> {
        let now = self.now();
        let passkeys = self.has_passkeys(user.id).await?;
        let first_step = needs_second_step(&user, passkeys).then(|| {
            PendingRecord::after_mail(
                &user,
                &proof,
                remember,
                identifier.to_owned(),
                now + PENDING_LIFETIME,
            )
        });
        // As for the password: with a second factor, the failures are forgotten only
        // when the second step passes.
        if first_step.is_none() {
            self.attempt_succeeded(attempt).await?;
        }
        let veto = self
            .inner
            .hooks
            .before_sign_in(&user, ctx)
            .await
            .err()
            .map(Veto::into_message);
        let origin = Origin::of(ctx);
        let method = proof.how().method();
        let event = Event::MailSignInSucceeded {
            proof,
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
        let (token, session) = self
            .open_proved_session(&user, remember, vec![method], ctx)
            .await?;
        self.confirm_credentials_unchanged(&user, &session).await?;
        Ok(SignIn::Complete(Box::new(LoginSuccess {
            user,
            token,
            session,
        })))
    }
}
