//! Audit events as webhook calls: queued in the outbox where the event is recorded,
//! signed and sent by the outbox passes, and what an administrator sees and does.

use uuid::Uuid;

use super::effects::Origin;
use super::mailing::{Pass, describe};
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Result};
use crate::model::{
    AuditEvent, AuditKind, Delivery, DeliveryState, OutboxMessage, Page, WebhookCall,
    WebhookDelivery,
};
use crate::webhooks::{DELIVERED_WEBHOOKS_KEPT, WebhookRequest, event_type, payload, sign};

impl Auth {
    /// Queues one call of `event` per endpoint that wants it, due at once. Called where
    /// the event is recorded, so a call is in the outbox (and survives a restart) before
    /// the flow returns; a failing outbox is logged as an error.
    pub(super) async fn queue_webhooks(&self, event: &AuditEvent) {
        let Some(webhooks) = &self.inner.webhooks else {
            return;
        };
        let body = payload(event);
        let event_type = event_type(event.kind);
        for endpoint in webhooks.endpoints().iter().filter(|e| e.wants(event.kind)) {
            let message = OutboxMessage {
                id: Uuid::now_v7(),
                delivery: Delivery::Webhook(WebhookCall {
                    url: endpoint.url().to_owned(),
                    event_type: event_type.clone(),
                    body: body.clone(),
                }),
                attempts: 0,
                next_attempt_at: event.at,
                created_at: event.at,
                last_error: None,
            };
            if let Err(e) = self.inner.outbox.enqueue(&message).await {
                tracing::error!(
                    error = %e,
                    event_type,
                    url = endpoint.url(),
                    "webhook lost: not queued"
                );
            }
        }
    }

    /// One attempt at a queued webhook call: signed now, sent, and marked delivered on
    /// a 2xx answer, retried later otherwise, or marked failed when the attempts are
    /// used up or its endpoint is no longer configured.
    pub(super) async fn send_queued_webhook(
        &self,
        message: &OutboxMessage,
        call: &WebhookCall,
    ) -> Result<Pass> {
        let attempts = message.attempts.saturating_add(1);
        let endpoint = self
            .inner
            .webhooks
            .as_ref()
            .and_then(|w| w.endpoint(&call.url).map(|e| (w, e)));
        let Some((webhooks, endpoint)) = endpoint else {
            self.give_up(
                message,
                message.attempts,
                "gave up: the endpoint is no longer configured",
            )
            .await?;
            return Ok(Pass::GaveUp);
        };
        let id = message.id.to_string();
        let timestamp = self.now().unix_timestamp();
        let request = WebhookRequest {
            url: call.url.clone(),
            headers: vec![
                ("content-type", "application/json".to_owned()),
                ("webhook-id", id.clone()),
                ("webhook-timestamp", timestamp.to_string()),
                (
                    "webhook-signature",
                    sign(endpoint.secret(), &id, timestamp, &call.body),
                ),
            ],
            body: call.body.clone(),
        };
        let outcome =
            match tokio::time::timeout(webhooks.timeout, webhooks.sender.send(&request)).await {
                Ok(Ok(status)) if (200..300).contains(&status) => Ok(status),
                Ok(Ok(status)) => Err(format!("the endpoint answered HTTP {status}")),
                Ok(Err(error)) => Err(describe(&error)),
                Err(_) => Err(format!(
                    "no answer within {} ms",
                    webhooks.timeout.as_millis()
                )),
            };
        match outcome {
            Ok(status) => {
                self.inner
                    .outbox
                    .mark_delivered(message.id, attempts, self.now(), &format!("HTTP {status}"))
                    .await?;
                Ok(Pass::Delivered)
            }
            Err(detail) => {
                if let Some(reason) = self.out_of_attempts(attempts, &detail) {
                    self.give_up(message, attempts, &reason).await?;
                    return Ok(Pass::GaveUp);
                }
                tracing::warn!(
                    id = %message.id,
                    attempts,
                    url = call.url,
                    error = detail,
                    "webhook not delivered; queued for retry"
                );
                self.retry_later(message, attempts, &detail).await?;
                Ok(Pass::Retried)
            }
        }
    }

    /// Deletes the webhook calls delivered more than [`DELIVERED_WEBHOOKS_KEPT`](crate::webhooks::DELIVERED_WEBHOOKS_KEPT) ago;
    /// returns how many. The maintenance loop runs it.
    ///
    /// # Errors
    /// A store error.
    pub async fn purge_delivered_webhooks(&self) -> Result<u64> {
        self.inner
            .outbox
            .purge_delivered(self.now() - DELIVERED_WEBHOOKS_KEPT)
            .await
    }

    /// Webhook deliveries in every state, newest first, and how many there are in all:
    /// endpoint, event type, state, attempts, times and the last outcome.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin; a store error.
    #[tracing::instrument(name = "auth.admin_webhook_deliveries", skip_all, fields(user_id = %actor.user.id))]
    pub async fn admin_webhook_deliveries(
        &self,
        actor: &Authenticated,
        page: Page,
    ) -> Result<(Vec<WebhookDelivery>, u64)> {
        self.require_admin(actor)?;
        self.webhook_deliveries(page).await
    }

    /// [`Auth::admin_webhook_deliveries`] without the check of who asks.
    pub(super) async fn webhook_deliveries(
        &self,
        page: Page,
    ) -> Result<(Vec<WebhookDelivery>, u64)> {
        let deliveries = self.inner.outbox.webhook_deliveries(page).await?;
        let total = self.inner.outbox.webhook_delivery_count().await?;
        Ok((deliveries, total))
    }

    /// Puts a failed webhook delivery back in the outbox, due at once with its attempts
    /// counted afresh; the next outbox pass sends it (with a new timestamp and
    /// signature, the same `webhook-id`). Audited on the administrator's trail.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin; [`Error::NotFound`] when no failed delivery
    /// has this id; a store error.
    #[tracing::instrument(name = "auth.admin_retry_webhook", skip_all, fields(user_id = %actor.user.id))]
    pub async fn admin_retry_webhook(
        &self,
        actor: &Authenticated,
        id: Uuid,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin(actor)?;
        self.retry_webhook(id, Some((actor, ctx))).await
    }

    /// Deletes a failed webhook delivery for good. Audited on the administrator's trail.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin; [`Error::NotFound`] when no failed delivery
    /// has this id; a store error.
    #[tracing::instrument(name = "auth.admin_discard_webhook", skip_all, fields(user_id = %actor.user.id))]
    pub async fn admin_discard_webhook(
        &self,
        actor: &Authenticated,
        id: Uuid,
        ctx: &RequestContext,
    ) -> Result<()> {
        self.require_admin(actor)?;
        self.discard_webhook(id, Some((actor, ctx))).await
    }

    /// Puts a failed webhook delivery back in the outbox; `by` is the administrator and
    /// their request, `None` for an operator.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no failed webhook delivery has this id; a store error.
    pub(super) async fn retry_webhook(
        &self,
        id: Uuid,
        by: Option<(&Authenticated, &RequestContext)>,
    ) -> Result<()> {
        self.require_failed_webhook(id).await?;
        if !self.inner.outbox.retry_failed(id, self.now()).await? {
            return Err(Error::NotFound);
        }
        self.audit_webhook_action(AuditKind::WebhookRetried, id, by)
            .await;
        Ok(())
    }

    /// Deletes a failed webhook delivery; `by` as in [`Auth::retry_webhook`].
    pub(super) async fn discard_webhook(
        &self,
        id: Uuid,
        by: Option<(&Authenticated, &RequestContext)>,
    ) -> Result<()> {
        self.require_failed_webhook(id).await?;
        if !self.inner.outbox.discard_failed(id).await? {
            return Err(Error::NotFound);
        }
        self.audit_webhook_action(AuditKind::WebhookDiscarded, id, by)
            .await;
        Ok(())
    }

    /// [`Error::NotFound`] unless a failed webhook delivery has this id (so that the
    /// webhook actions never touch a failed mail).
    async fn require_failed_webhook(&self, id: Uuid) -> Result<()> {
        match self.inner.outbox.webhook_delivery(id).await? {
            Some(found) if found.state == DeliveryState::Failed => Ok(()),
            _ => Err(Error::NotFound),
        }
    }

    async fn audit_webhook_action(
        &self,
        kind: AuditKind,
        id: Uuid,
        by: Option<(&Authenticated, &RequestContext)>,
    ) {
        match by {
            Some((actor, ctx)) => {
                let origin = Origin {
                    ctx: Some(ctx),
                    session: None,
                    actor: None,
                };
                self.audit(
                    kind,
                    Some(actor.user.id),
                    origin,
                    Some(format!("webhook delivery {id}")),
                )
                .await;
            }
            None => {
                self.audit(
                    kind,
                    None,
                    Origin::default(),
                    Some(format!("webhook delivery {id}, by an operator")),
                )
                .await;
            }
        }
    }
}
