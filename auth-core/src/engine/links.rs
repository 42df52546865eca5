//! Links asked for by address (a reset, a new verification link), and the link a
//! transition's mail carries.

use super::effects::{MailLinks, Origin};
use super::throttle::Counted;
use super::{Auth, RequestContext};
use crate::error::Result;
use crate::machine::{Effect, Event};
use crate::model::{MailKind, User};
use crate::token::Purpose;
use crate::validate::normalize_email;

impl Auth {
    /// The course of a request for a link mailed to an address: the rate limits (per
    /// client and per address) are counted in the answer; looking the address up, the
    /// machine's decision (`event`: whether the account gets a link) and the mail happen
    /// after it, so neither the answer nor its timing depends on the account.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a malformed address;
    /// [`Error::RateLimited`](crate::Error::RateLimited).
    pub(super) async fn request_link(
        &self,
        email: &str,
        event: Event,
        ctx: &RequestContext,
    ) -> Result<()> {
        let now = self.now();
        let email = normalize_email("email", email)?;
        let limits = self.inner.config.rate_limits;
        self.hit_ip(Counted::MailsPerNetwork, ctx.ip, limits.mail_per_ip, now)
            .await?;
        self.hit(
            Counted::MailsPerAddress,
            &email,
            limits.mail_per_address,
            now,
        )
        .await?;
        let auth = self.clone();
        let ctx = ctx.clone();
        self.detached(async move {
            if let Err(e) = auth.mail_link_to(&email, event, &ctx).await {
                tracing::warn!(error = %e, "a requested link was not sent");
            }
        })
        .await;
        Ok(())
    }

    async fn mail_link_to(&self, email: &str, event: Event, ctx: &RequestContext) -> Result<()> {
        let Some(user) = self.inner.users.user_by_email(email).await? else {
            return Ok(());
        };
        let origin = Origin::of(ctx);
        let (user, effects) = self.run_event(user, event, origin).await?;
        let links = self.mail_links(&user, &effects).await?;
        self.perform(&user, &effects, origin, links).await
    }

    /// The purpose of the link the mail among `effects` carries: a verification or a
    /// reset link; none for other mails.
    pub(super) fn link_purpose(&self, effects: &[Effect]) -> Option<Purpose> {
        if effects.contains(&Effect::Mail(MailKind::Verification)) {
            Some(Purpose::VerifyEmail)
        } else if effects.contains(&Effect::Mail(MailKind::PasswordReset)) {
            Some(Purpose::ResetPassword)
        } else {
            None
        }
    }

    /// A verification or reset link for `user`.
    pub(super) fn mail_link(&self, user: &User, purpose: Purpose) -> Result<MailLinks> {
        let config = &self.inner.config;
        let token = config
            .tokens
            .issue(purpose, user, &user.email, self.now())?;
        let link = match purpose {
            Purpose::ResetPassword => config.links.reset(&token),
            _ => config.links.verify(&token),
        };
        Ok(MailLinks {
            link: Some(link),
            new_email: None,
            provider: None,
            code: None,
        })
    }
}
