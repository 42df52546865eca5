//! Delivering mail: directly, in the background, and from the outbox with backoff;
//! giving up on mail that cannot be delivered, and what an administrator does with it.
//!
//! Bodies are sealed ([`crate::mail::Sealer`]) before a message is queued and opened
//! when it is claimed, so the outbox never holds a live link token in clear.

use time::Duration;
use uuid::Uuid;

use super::effects::Origin;
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Result};
use crate::mail::human_duration;
use crate::model::{AuditKind, Delivery, Email, FailedMail, OutboxMessage, Page};
use crate::telemetry;

/// First retry delay; each further failure doubles it up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::seconds(30);
/// Longest delay between two attempts.
const MAX_BACKOFF: Duration = Duration::hours(1);
/// How long a claimed outbox message is reserved for the instance that claimed it.
const CLAIM_LEASE: Duration = Duration::minutes(5);
/// Messages handled per outbox pass.
const BATCH: u32 = 50;

fn backoff(attempts: u32) -> Duration {
    let factor = 1i32
        .checked_shl(attempts.saturating_sub(1).min(20))
        .unwrap_or(i32::MAX);
    FIRST_BACKOFF
        .checked_mul(factor)
        .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
}

/// What became of one outbox message in a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// Sent, or (a webhook call) answered with a 2xx status.
    Delivered,
    /// Failed, and due again later.
    Retried,
    /// Marked failed for an administrator.
    GaveUp,
}

/// What an operator reads about a mail error: the error and its sources, each once
/// (a transport error often repeats its source in its own text).
pub(super) fn describe(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Auth {
    /// Why to stop trying a message whose attempt number `attempts` just failed with
    /// `error`, or `None` to try again later: a permanent refusal at once, any failure
    /// once the policy's attempts are used up.
    fn give_up_reason(&self, error: &Error, attempts: u32) -> Option<String> {
        if matches!(error, Error::MailRejected { .. }) {
            Some(describe(error))
        } else {
            self.out_of_attempts(attempts, &describe(error))
        }
    }

    /// Why to stop trying once attempt number `attempts` failed with `detail`: when the
    /// policy's attempts are used up.
    pub(super) fn out_of_attempts(&self, attempts: u32, detail: &str) -> Option<String> {
        (attempts >= self.inner.config.outbox.max_attempts)
            .then(|| format!("gave up after {attempts} attempts; the last one: {detail}"))
    }

    /// Marks a message failed, keeping it for an administrator.
    pub(super) async fn give_up(
        &self,
        message: &OutboxMessage,
        attempts: u32,
        reason: &str,
    ) -> Result<()> {
        let kind = match &message.delivery {
            Delivery::Email(email) => email.kind.as_str(),
            Delivery::Webhook(call) => call.event_type.as_str(),
        };
        tracing::warn!(
            id = %message.id,
            kind,
            attempts,
            reason,
            "mail given up; kept as failed for an administrator"
        );
        self.inner
            .outbox
            .mark_failed(message.id, attempts, self.now(), reason)
            .await
    }

    /// Sends `email`; if the mailer fails, seals it and queues it in the outbox, so the
    /// flow that produced it still succeeds: for a later attempt, or, when the failure
    /// is permanent (or the policy allows a single attempt), marked failed at once for
    /// an administrator to see. Only a failing outbox loses the message, which is logged
    /// as an error.
    pub(super) async fn deliver(&self, email: Email) {
        let Err(error) = self.inner.mailer.send(&email).await else {
            return;
        };
        let now = self.now();
        let kind = email.kind.as_str();
        let detail = describe(&error);
        let id = Uuid::now_v7();
        let mut email = email;
        if let Err(e) = self.inner.sealer.seal(id, &mut email) {
            tracing::error!(kind, error = %e, "mail lost: not sent, and not sealed for the outbox");
            return;
        }
        let message = OutboxMessage {
            id,
            delivery: Delivery::Email(email),
            attempts: 1,
            next_attempt_at: now + backoff(1),
            created_at: now,
            last_error: Some(detail.clone()),
        };
        if let Err(e) = self.inner.outbox.enqueue(&message).await {
            tracing::error!(kind, error = %e, "mail lost: neither sent nor queued");
            return;
        }
        match self.give_up_reason(&error, 1) {
            None => tracing::warn!(kind, error = detail, "mail not sent; queued for retry"),
            Some(reason) => {
                if let Err(e) = self.give_up(&message, 1, &reason).await {
                    tracing::error!(kind, error = %e, "a failed mail could not be marked failed; it will be retried");
                }
            }
        }
    }

    /// Sends `email` after the answer (see [`Auth::detached`]), so that no answer's
    /// timing depends on whether, or where, a mail went.
    pub(super) async fn deliver_detached(&self, email: Email) {
        let auth = self.clone();
        self.detached(async move { auth.deliver(email).await })
            .await;
    }

    /// One pass over the outbox: sends every due message (mail and webhook calls),
    /// removes the mail delivered, marks the webhook calls delivered, and reschedules the
    /// others with exponential backoff (30 s doubling to 1 h). Returns how many were
    /// delivered.
    ///
    /// A message is marked failed instead (kept for an administrator, see
    /// [`Auth::admin_failed_mail`] and [`Auth::admin_webhook_deliveries`], never sent
    /// again unless one retries it) when the mailer refuses it for good
    /// ([`Error::MailRejected`]), when it has used up the
    /// [`OutboxPolicy`](crate::OutboxPolicy)'s attempts, when it has waited longer than
    /// the policy's age limit (it is then not sent at all), when its body cannot be
    /// opened (sealed with a token key that is no longer configured, or damaged: it is
    /// never sent garbled), or when its webhook endpoint is no longer configured.
    ///
    /// # Errors
    /// A store error from claiming, removing, rescheduling or marking failed.
    #[tracing::instrument(name = "auth.deliver_outbox", skip_all, level = "debug")]
    pub async fn deliver_outbox(&self) -> Result<usize> {
        let now = self.now();
        let policy = self.inner.config.outbox;
        let due = self.inner.outbox.claim_due(now, BATCH, CLAIM_LEASE).await?;
        let (mut delivered, mut retried, mut gave_up) = (0, 0, 0);
        for message in due {
            let pass = if now - message.created_at >= policy.max_age {
                let mut reason = format!(
                    "gave up: not delivered within {} of being queued",
                    human_duration(policy.max_age)
                );
                if let Some(last) = &message.last_error {
                    reason.push_str("; the last attempt: ");
                    reason.push_str(last);
                }
                self.give_up(&message, message.attempts, &reason).await?;
                Pass::GaveUp
            } else {
                match &message.delivery {
                    Delivery::Email(email) => self.send_queued_mail(&message, email).await?,
                    Delivery::Webhook(call) => self.send_queued_webhook(&message, call).await?,
                }
            };
            match pass {
                Pass::Delivered => delivered += 1,
                Pass::Retried => retried += 1,
                Pass::GaveUp => gave_up += 1,
            }
        }
        let depth = self.inner.outbox.pending_count().await.ok();
        telemetry::outbox_pass(delivered, retried, gave_up, depth);
        Ok(delivered)
    }

    /// One attempt at a queued mail.
    async fn send_queued_mail(&self, message: &OutboxMessage, sealed: &Email) -> Result<Pass> {
        let mut email = sealed.clone();
        if let Err(e) = self.inner.sealer.unseal(message.id, &mut email) {
            self.give_up(message, message.attempts, &e.to_string())
                .await?;
            return Ok(Pass::GaveUp);
        }
        let attempts = message.attempts.saturating_add(1);
        let Err(error) = self.inner.mailer.send(&email).await else {
            self.inner.outbox.remove(message.id).await?;
            return Ok(Pass::Delivered);
        };
        if let Some(reason) = self.give_up_reason(&error, attempts) {
            self.give_up(message, attempts, &reason).await?;
            return Ok(Pass::GaveUp);
        }
        let detail = describe(&error);
        tracing::warn!(
            id = %message.id,
            attempts,
            error = detail,
            "queued mail still not sent"
        );
        self.retry_later(message, attempts, &detail).await?;
        Ok(Pass::Retried)
    }

    /// Records a failed attempt of `message`, due again after the backoff.
    pub(super) async fn retry_later(
        &self,
        message: &OutboxMessage,
        attempts: u32,
        detail: &str,
    ) -> Result<()> {
        self.inner
            .outbox
            .reschedule(message.id, attempts, self.now() + backoff(attempts), detail)
            .await
    }

    /// Mail the outbox gave up on, most recently failed first, and how many there are
    /// in all: recipient, kind, attempts, times and the last error, never the bodies.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin; a store error.
    #[tracing::instrument(name = "auth.admin_failed_mail", skip_all, fields(user_id = %actor.user.id))]
    pub async fn admin_failed_mail(
        &self,
        actor: &Authenticated,
        page: Page,
    ) -> Result<(Vec<FailedMail>, u64)> {
        self.require_admin(actor)?;
        self.failed_mail(page).await
    }

    /// [`Auth::admin_failed_mail`] without the check of who asks.
    pub(super) async fn failed_mail(&self, page: Page) -> Result<(Vec<FailedMail>, u64)> {
        let mail = self.inner.outbox.failed_messages(page).await?;
        let total = self.inner.outbox.failed_count().await?;
        Ok((mail, total))
    }

    /// Puts a failed mail back in the outbox, due at once and with the policy's attempts
    /// and age limit counted afresh; the next outbox pass sends it. Links in it may have
    /// expired in the meantime. Audited.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin; [`Error::NotFound`] when no failed mail has
    /// this id (already retried or discarded, or never failed); a store error.
    #[tracing::instrument(name = "auth.admin_retry_mail", skip_all, fields(user_id = %actor.user.id))]
    pub async fn admin_retry_mail(
        &self,
        actor: &Authenticated,
        id: Uuid,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin(actor)?;
        if !self.inner.outbox.retry_failed(id, self.now()).await? {
            return Err(Error::NotFound);
        }
        self.audit_mail_action(AuditKind::MailRetried, actor, id, ctx)
            .await;
        Ok(())
    }

    /// Deletes a failed mail for good. Audited.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin; [`Error::NotFound`] when no failed mail has
    /// this id; a store error.
    #[tracing::instrument(name = "auth.admin_discard_mail", skip_all, fields(user_id = %actor.user.id))]
    pub async fn admin_discard_mail(
        &self,
        actor: &Authenticated,
        id: Uuid,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin(actor)?;
        if !self.inner.outbox.discard_failed(id).await? {
            return Err(Error::NotFound);
        }
        self.audit_mail_action(AuditKind::MailDiscarded, actor, id, ctx)
            .await;
        Ok(())
    }

    /// Records an administrator's action on a failed mail in their own audit trail: a
    /// mail belongs to no account, and there the action shows with who did it.
    async fn audit_mail_action(
        &self,
        kind: AuditKind,
        actor: &Authenticated,
        id: Uuid,
        ctx: &RequestContext,
    ) {
        let origin = Origin {
            ctx: Some(ctx),
            session: None,
            actor: None,
        };
        self.audit(
            kind,
            Some(actor.user.id),
            origin,
            Some(format!("mail {id}")),
        )
        .await;
    }

    /// Puts a failed mail back in the outbox (see [`Auth::admin_retry_mail`]) for an
    /// operator, audited without an acting account.
    pub(super) async fn retry_failed_mail(&self, id: Uuid) -> Result<()> {
        if !self.inner.outbox.retry_failed(id, self.now()).await? {
            return Err(Error::NotFound);
        }
        self.audit(
            AuditKind::MailRetried,
            None,
            Origin::default(),
            Some(format!("mail {id}, by an operator")),
        )
        .await;
        Ok(())
    }

    /// Deletes expired sessions, counters and ephemeral entries (pending sign-ins, used
    /// one-time-password steps); returns how many sessions and counters (the ephemeral
    /// count is logged at `debug`).
    ///
    /// # Errors
    /// A store error.
    #[tracing::instrument(name = "auth.purge_expired", skip_all, level = "debug")]
    pub async fn purge_expired(&self) -> Result<(u64, u64)> {
        let now = self.now();
        let sessions = self.inner.sessions.purge_expired_sessions(now).await?;
        let counters = self.inner.counters.purge_expired_counters(now).await?;
        let ephemeral = self.inner.ephemeral.purge_expired_ephemeral(now).await?;
        tracing::debug!(sessions, counters, ephemeral, "purged expired records");
        Ok((sessions, counters))
    }

    /// Spawns the maintenance loop: every `every`, delivers due outbox mail and webhook
    /// calls, and purges expired sessions, counters and ephemeral entries and old delivered webhook calls. Errors are logged, never fatal. Abort the handle
    /// to stop it.
    pub fn spawn_maintenance(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let auth = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(e) = auth.deliver_outbox().await {
                    tracing::warn!(error = %e, "outbox pass failed");
                }
                if let Err(e) = auth.purge_expired().await {
                    tracing::warn!(error = %e, "purging expired records failed");
                }
                if let Err(e) = auth.purge_delivered_webhooks().await {
                    tracing::warn!(error = %e, "purging delivered webhook calls failed");
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
