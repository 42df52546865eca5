//! Password reset by mailed link: asking for the link, checking it, using it.

use super::effects::{MailLinks, Origin};
use super::throttle;
use super::{Auth, RequestContext};
use crate::error::{Result, ValidationErrors};
use crate::machine::{Effect, Event};
use crate::model::{MailKind, SecurityStamp, User};
use crate::token::Purpose;
use crate::validate::normalize_email;

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
    pub async fn request_password_reset(&self, email: &str, ctx: &RequestContext) -> Result<()> {
        let now = self.now();
        let email = normalize_email("email", email)?;
        let limits = self.inner.config.rate_limits;
        self.hit_ip("rl:mail:ip", ctx.ip, limits.mail_per_ip, now)
            .await?;
        self.hit(
            throttle::key("rl:mail:addr", &email),
            limits.mail_per_address,
            now,
        )
        .await?;
        let auth = self.clone();
        let ctx = ctx.clone();
        self.detached(async move {
            if let Err(e) = auth.mail_reset_link(&email, &ctx).await {
                tracing::warn!(error = %e, "a requested reset link was not sent");
            }
        })
        .await;
        Ok(())
    }

    async fn mail_reset_link(&self, email: &str, ctx: &RequestContext) -> Result<()> {
        let Some(user) = self.inner.users.user_by_email(email).await? else {
            return Ok(());
        };
        let (user, effects) = self.run_event(user, Event::ResetRequested).await?;
        let mut links = MailLinks::default();
        if effects.contains(&Effect::Mail(MailKind::PasswordReset)) {
            let tokens = &self.inner.config.tokens;
            let token = tokens.issue(Purpose::ResetPassword, &user, &user.email, self.now())?;
            links.link = Some(self.inner.config.links.reset(&token));
        }
        self.perform(&user, &effects, Origin::of(ctx), links).await
    }

    /// Checks a reset link without using it, so the page can say "expired" before the
    /// person types a new password.
    ///
    /// # Errors
    /// [`Error::Token`](crate::Error::Token) for a bad, expired, wrong-purpose, used or superseded link.
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
        let (user, effects) = self.run_event(user, event).await?;
        let origin = Origin::of(ctx);
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
                "The two passwords do not match.",
            );
        }
        errors.into_result()
    }
}
