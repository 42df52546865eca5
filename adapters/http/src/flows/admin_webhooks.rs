//! Webhook deliveries, for administrators: the page `/admin/webhooks` with the retry and
//! discard buttons of the failed ones, and the JSON API `/api/admin/webhooks`. The twin
//! of `admin_mail`, for the outbox's webhook calls.

use auth_core::{Error, Page};
use http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::ApiFail;
use super::admin_mail::{MAX_API_PAGE, PAGE_SIZE, offset_of};
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::kind::RequestKind;
use crate::names::named;
use crate::problem::{FieldProblem, Problem};
use crate::reply::{Reply, Req};
use crate::responses::WebhookDeliveries;
use crate::templates::Template;
use crate::views::{WebhookDeliveryBody, WebhookDeliveryView};

named! {
    /// What an administrator can do to a failed delivery: the last segment of
    /// `POST /admin/webhooks/{id}/{action}`.
    enum WebhookAction {
        Retry => "retry",
        Discard => "discard",
    }
}

/// 404 naming the `id` path segment and why nothing was found there: `malformed` (not a
/// delivery id at all) or `unknown` (no failed delivery has it, or no longer).
fn no_such_delivery(code: &str, reason: &'static str) -> Problem {
    let mut p = Problem::not_found();
    p.fields.push(FieldProblem::said(
        "id",
        code,
        auth_core::Message::new(reason),
    ));
    p
}

/// The delivery an action names, or the 404 that says what is wrong with the path.
fn target(id: &str, action: &str) -> Result<(Uuid, WebhookAction), Problem> {
    let action = action
        .parse::<WebhookAction>()
        .map_err(|_| Problem::not_found())?;
    let id = id
        .parse::<Uuid>()
        .map_err(|_| no_such_delivery("malformed", "field-id-malformed"))?;
    Ok((id, action))
}

/// The engine's answer to an action: [`Error::NotFound`] becomes the 404 naming `id`.
fn acted(result: auth_core::Result<()>) -> Result<(), Problem> {
    result.map_err(|e| match e {
        Error::NotFound => no_such_delivery("unknown", "field-id-unknown"),
        other => Problem::from_error(&other),
    })
}

impl AuthWeb {
    /// `GET /admin/webhooks`: every delivery, newest first, a page at a time.
    pub(super) async fn admin_webhooks_page(&self, r: &Req) -> Reply {
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let offset = offset_of(&Fields::from_query(r.query.as_deref()));
        let page = Page {
            offset,
            limit: PAGE_SIZE,
        };
        match self.inner.auth.admin_webhook_deliveries(&a, page).await {
            Ok((deliveries, total)) => {
                let catalogues = self.inner.auth.config().catalogues();
                let deliveries: Vec<WebhookDeliveryView> = deliveries
                    .iter()
                    .map(|d| WebhookDeliveryView::new(d, catalogues, &r.lang_tag()))
                    .collect();
                let next = offset.checked_add(PAGE_SIZE).filter(|n| *n < total);
                self.page(
                    r,
                    StatusCode::OK,
                    Template::AdminWebhooks,
                    Some(&a.user),
                    json!({
                        "title": self.text(r, "title-webhook-deliveries"),
                        "deliveries": deliveries,
                        "total": total,
                        "prev_offset": (offset > 0).then(|| offset.saturating_sub(PAGE_SIZE)),
                        "next_offset": next,
                    }),
                )
            }
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// `POST /admin/webhooks/{id}/{retry,discard}`: back to the list with a flash, or an
    /// error page (404 naming `id` for a delivery that is not, or no longer, failed).
    pub(super) async fn admin_webhooks_post(&self, r: &Req, id: &str, action: &str) -> Reply {
        if let Err(reply) = self.submitted(r) {
            return reply;
        }
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let (id, action) = match target(id, action) {
            Ok(t) => t,
            Err(p) => return self.problem(r, &p),
        };
        let auth = &self.inner.auth;
        let done = match action {
            WebhookAction::Retry => auth.admin_retry_webhook(&a, id, &r.ctx).await,
            WebhookAction::Discard => auth.admin_discard_webhook(&a, id, &r.ctx).await,
        };
        match acted(done) {
            Ok(()) => Reply::redirect(&format!("{}/admin/webhooks", self.inner.prefix))
                .cookie(Flash::AdminDone.cookie(self)),
            Err(p) => self.problem(r, &p),
        }
    }

    /// `GET /api/admin/webhooks?offset=&limit=`: `{"deliveries": [...], "total": n}`.
    pub(super) async fn api_admin_webhooks(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let q = Fields::from_query(r.query.as_deref());
        let limit = q
            .get("limit")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(50)
            .clamp(1, MAX_API_PAGE);
        let page = Page {
            offset: offset_of(&q),
            limit,
        };
        let (deliveries, total) = self.inner.auth.admin_webhook_deliveries(&a, page).await?;
        let deliveries = deliveries
            .iter()
            .map(|d| WebhookDeliveryBody::new(d, RequestKind::Api))
            .collect();
        Ok(Reply::json(
            StatusCode::OK,
            &WebhookDeliveries { deliveries, total },
        ))
    }

    /// `POST /api/admin/webhooks/{id}/{retry,discard}`: 204, or 404 naming `id` for a
    /// delivery that is not (or no longer) failed.
    pub(super) async fn api_admin_webhooks_post(
        &self,
        r: &Req,
        id: &str,
        action: &str,
    ) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let (id, action) = target(id, action).map_err(ApiFail::Problem)?;
        let auth = &self.inner.auth;
        let done = match action {
            WebhookAction::Retry => auth.admin_retry_webhook(&a, id, &r.ctx).await,
            WebhookAction::Discard => auth.admin_discard_webhook(&a, id, &r.ctx).await,
        };
        acted(done).map_err(ApiFail::Problem)?;
        Ok(Reply::new(StatusCode::NO_CONTENT))
    }
}
