//! Password reset by mailed link: asking for the link, checking it, using it.

use super::effects::{MailLinks, Origin};
use super::{Auth, RequestContext};
use crate::error::{Message, Result, ValidationErrors};
use crate::machine::Event;
use crate::model::{SecurityStamp, User};
use crate::token::Purpose;

/// What a person submits on the reset page.
#[derive(Clone, Default)]
pub struct PasswordReset {
    /// The token from the mailed link.
    pub token: String,
    /// The new password.
    pub password: String,
    /// The new password again.
    pub password_confirm: String,
}

impl std::fmt::Debug for PasswordReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordReset { .. }")
    }
}

impl Auth {
    /// Mails a reset link if the address has an active account. The answer and its
    /// timing are the same for unknown addresses: after the rate limits, looking the
    /// address up and mailing happen after the answer (see
    /// [`ConfigBuilder::mail_in_background`](crate::ConfigBuilder::mail_in_background)).
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a malformed address; [`Error::RateLimited`](crate::Error::RateLimited).
    #[tracing::instrument(name = "auth.request_password_reset", skip_all)]
    pub async fn request_password_reset(&self, email: &str, ctx: &RequestContext) -> Result<()> {
        self.request_link(email, Event::ResetRequested, ctx).await
    }

    /// Checks a reset link without using it, so the page can say "expired" before the
    /// person types a new password.
    ///
    /// # Errors
    /// [`Error::Token`](crate::Error::Token) for a bad, expired, wrong-purpose, used or superseded link.
    #[tracing::instrument(name = "auth.check_reset_token", skip_all, level = "debug")]
    pub async fn check_reset_token(&self, token: &str) -> Result<()> {
        let (proof, user) = self.open_token(token, Purpose::ResetPassword).await?;
        proof.check(&user, Purpose::ResetPassword)
    }

    /// Sets a new password from a reset link. The link works once; every session of the
    /// account ends, a lock is lifted, and the owner is told by mail.
    ///
    /// # Errors
    /// [`Error::Token`](crate::Error::Token) for a bad or used link; [`Error::Validation`](crate::Error::Validation) for the password;
    /// [`Error::AccountDisabled`](crate::Error::AccountDisabled).
    #[tracing::instrument(name = "auth.reset_password", skip_all)]
    pub async fn reset_password(&self, input: PasswordReset, ctx: &RequestContext) -> Result<User> {
        let (proof, user) = self
            .open_token(&input.token, Purpose::ResetPassword)
            .await?;
        proof.check(&user, Purpose::ResetPassword)?;
        self.check_new_password(&user, &input.password, &input.password_confirm)
            .await?;
        let new_hash = self.inner.config.hasher.hash(&input.password).await?;
        let event = Event::PasswordReset {
            proof,
            new_hash,
            new_stamp: SecurityStamp::generate(),
        };
        let origin = Origin::of(ctx);
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Applies the password policy to a new password for `user`, and the confirmation.
    pub(super) async fn check_new_password(
        &self,
        user: &User,
        password: &str,
        confirm: &str,
    ) -> Result<()> {
        let mut errors = ValidationErrors::new();
        let inputs = [Some(user.email.as_str()), user.username.as_deref()];
        if let Err(policy) = self.check_password_policy(password, &inputs).await? {
            errors.extend(policy);
        }
        if password != confirm {
            errors.push(
                "password_confirm",
                "mismatch",
                Message::new("field-password_confirm-mismatch"),
            );
        }
        errors.into_result()
    }
}
