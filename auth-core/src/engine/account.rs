//! Account management by the signed-in owner.

use super::effects::{MailLinks, Origin};
use super::lockout::Subject;
use super::throttle::Counted;
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Message, Result};
use crate::machine::{self, Event};
use crate::model::{SecurityStamp, User};
use crate::password::PasswordVerified;
use crate::profile::{ProfileUpdate, Writer};
use crate::second_factor::AuthMethod;
use crate::token::Purpose;
use crate::validate::{normalize_email, normalize_username};

/// What the owner submits to change the password.
#[derive(Clone, Default)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new password.
    pub password: String,
    /// The new password again.
    pub password_confirm: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { .. }")
    }
}

/// What the owner submits to move the account to another address.
#[derive(Clone, Default)]
pub struct EmailChange {
    /// The current password.
    pub password: String,
    /// The new address.
    pub new_email: String,
}

impl std::fmt::Debug for EmailChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailChange")
            .field("new_email", &self.new_email)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Verifies the owner's password for a sensitive operation. A wrong password counts
    /// toward the account's lockout like a failed sign-in (a stolen session must not
    /// become a password oracle) and is reported on `field`.
    pub(super) async fn reauthenticate(
        &self,
        user: &User,
        password: &str,
        field: &'static str,
        ctx: &RequestContext,
    ) -> Result<PasswordVerified> {
        let now = self.now();
        machine::admit_reentry(user, now)?;
        let attempt = self.begin_attempt(Subject::account(user.id)).await?;
        if let Some(proof) = self
            .inner
            .config
            .hasher
            .verify(password, &user.password_hash)
            .await?
        {
            self.attempt_succeeded(&attempt).await?;
            return Ok(proof);
        }
        let locked_until = self.attempt_failed(&attempt).await?;
        self.record_failure(user.clone(), locked_until, ctx).await?;
        match locked_until {
            Some(until) => Err(machine::locked(until, now)),
            None => Err(Error::invalid(
                field,
                Message::new("field-password-invalid"),
            )),
        }
    }

    /// Changes the password, proving the current one. Every other session ends and the
    /// owner is told by mail.
    ///
    /// # Errors
    /// [`Error::Validation`] (wrong current password on `current_password`, policy on
    /// `password`, mismatch on `password_confirm`), [`Error::AccountLocked`].
    #[tracing::instrument(name = "auth.change_password", skip_all, fields(user_id = %auth.user.id))]
    pub async fn change_password(
        &self,
        auth: &Authenticated,
        input: PasswordChange,
        ctx: &RequestContext,
    ) -> Result<User> {
        let user = self.load_user(auth.user.id).await?;
        self.admit_sensitive(&user, auth, &[AuthMethod::Pwd])
            .await?;
        self.check_new_password(&user, &input.password, &input.password_confirm)
            .await?;
        let proof = self
            .reauthenticate(&user, &input.current_password, "current_password", ctx)
            .await?;
        let new_hash = self.inner.config.hasher.hash(&input.password).await?;
        let event = Event::PasswordChanged {
            proof,
            new_hash,
            new_stamp: SecurityStamp::generate(),
        };
        let origin = Origin {
            session: Some(&auth.session.digest),
            ..Origin::of(ctx)
        };
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Sets or clears the username.
    ///
    /// # Errors
    /// [`Error::Validation`], [`Error::Conflict`] when taken.
    #[tracing::instrument(name = "auth.set_username", skip_all, fields(user_id = %auth.user.id))]
    pub async fn set_username(
        &self,
        auth: &Authenticated,
        username: Option<String>,
        ctx: &RequestContext,
    ) -> Result<User> {
        let username = normalize_username(username.as_deref())?;
        let user = self.load_user(auth.user.id).await?;
        let origin = Origin::of(ctx);
        let (user, effects) = self
            .run_event(user, Event::UsernameChanged(username), origin)
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Writes the owner's profile fields: only fields the owner may edit; fields not
    /// named stay as they are, `null` or an empty value clears one. Nothing is written
    /// unless every value is valid.
    ///
    /// # Errors
    /// [`Error::Validation`] on each bad field (an undeclared or hidden one on `profile`,
    /// a whole profile over the size limit on `profile` with code `too_large`);
    /// [`Error::AccountDisabled`].
    #[tracing::instrument(name = "auth.update_profile", skip_all, fields(user_id = %auth.user.id))]
    pub async fn update_profile(
        &self,
        auth: &Authenticated,
        update: &ProfileUpdate,
        ctx: &RequestContext,
    ) -> Result<User> {
        let changes = self.inner.config.profile.validate(update, Writer::Owner)?;
        let user = self.load_user(auth.user.id).await?;
        let origin = Origin::of(ctx);
        let event = Event::ProfileChanged {
            changes,
            by_admin: false,
        };
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Starts moving the account to another address: mails a confirmation link to the
    /// new address and a notice to the current one. Nothing changes until the link is
    /// followed, and only the newest request's link can be followed. The answer, and its
    /// timing, are the same whether or not the new address is taken (a taken address
    /// gets no link; every mail leaves after the answer).
    ///
    /// # Errors
    /// [`Error::Validation`] (address on `new_email`, wrong password on `password`);
    /// [`Error::RateLimited`] per account and per new address (the same limit as every
    /// mail asked for an address).
    #[tracing::instrument(name = "auth.request_email_change", skip_all, fields(user_id = %auth.user.id))]
    pub async fn request_email_change(
        &self,
        auth: &Authenticated,
        input: EmailChange,
        ctx: &RequestContext,
    ) -> Result<()> {
        let now = self.now();
        let user = self.load_user(auth.user.id).await?;
        self.admit_sensitive(&user, auth, &[AuthMethod::Pwd])
            .await?;
        let new_email = normalize_email("new_email", &input.new_email)?;
        if new_email == user.email {
            return Err(Error::invalid(
                "new_email",
                Message::new("field-new_email-unchanged"),
            ));
        }
        let limits = self.inner.config.rate_limits;
        self.hit(
            Counted::EmailChangesPerAccount,
            &user.id.to_string(),
            limits.email_change_per_account,
            now,
        )
        .await?;
        self.hit(
            Counted::MailsPerAddress,
            &new_email,
            limits.mail_per_address,
            now,
        )
        .await?;
        let proof = self
            .reauthenticate(&user, &input.password, "password", ctx)
            .await?;
        let address_taken = self.inner.users.user_by_email(&new_email).await?.is_some();
        let event = Event::EmailChangeRequested {
            proof,
            new_stamp: SecurityStamp::generate(),
            address_taken,
        };
        let origin = Origin::of(ctx);
        let (user, effects) = self.run_event(user, event, origin).await?;
        let token =
            self.inner
                .config
                .tokens
                .issue(Purpose::ChangeEmail, &user, &new_email, self.now())?;
        let links = MailLinks {
            link: Some(self.inner.config.links.confirm_email(&token)),
            new_email: Some(new_email),
            provider: None,
            code: None,
        };
        self.perform(&user, &effects, origin, links).await?;
        Ok(())
    }

    /// Completes an email change from the link mailed to the new address. The address is
    /// then confirmed, older links die, and every session ends (the address is a sign-in
    /// credential).
    ///
    /// # Errors
    /// [`Error::Token`] for a bad or used link; [`Error::Conflict`] when the address was
    /// taken meanwhile.
    #[tracing::instrument(name = "auth.confirm_email_change", skip_all)]
    pub async fn confirm_email_change(&self, token: &str, ctx: &RequestContext) -> Result<User> {
        let (proof, user) = self.open_token(token, Purpose::ChangeEmail).await?;
        let event = Event::EmailChanged {
            proof,
            new_stamp: SecurityStamp::generate(),
        };
        let origin = Origin::of(ctx);
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Deletes the account, proving the password. Its sessions end with it.
    ///
    /// # Errors
    /// [`Error::Validation`] on `password` when it is wrong.
    #[tracing::instrument(name = "auth.delete_account", skip_all, fields(user_id = %auth.user.id))]
    pub async fn delete_account(
        &self,
        auth: &Authenticated,
        password: &str,
        ctx: &RequestContext,
    ) -> Result<()> {
        let user = self.load_user(auth.user.id).await?;
        self.admit_sensitive(&user, auth, &[AuthMethod::Pwd])
            .await?;
        let proof = self
            .reauthenticate(&user, password, "password", ctx)
            .await?;
        let origin = Origin::of(ctx);
        let (user, effects) = self.run_event(user, Event::Deleted(proof), origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await
    }
}
