//! What the outbox gave up on or is still trying, for administrators: one page and one
//! JSON API per kind of item, `/admin/{mail,webhooks}` and `/api/admin/{mail,webhooks}`,
//! with the same paging, the same retry and discard actions and the same refusals. Each
//! kind ([`FailedMailList`], [`WebhookDeliveryList`]) says only what differs: how the
//! engine lists and acts on it and how an item looks on the page and in JSON.

use std::future::Future;

use auth_core::{
    Auth, Authenticated, Catalogues, Error, FailedMail, Page, RequestContext, WebhookDelivery,
};
use http::StatusCode;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::kind::RequestKind;
use crate::names::named;
use crate::problem::{FieldProblem, Problem};
use crate::reply::{Reply, Req};
use crate::responses::{FailedMails, WebhookDeliveries};
use crate::templates::Template;
use crate::views::{FailedMailBody, FailedMailView, WebhookDeliveryBody, WebhookDeliveryView};

/// Items per page of an admin outbox page.
const PAGE_SIZE: u64 = 25;
/// Items of an API listing without `limit`.
const DEFAULT_API_PAGE: u64 = 50;
/// The most items one API listing returns.
const MAX_API_PAGE: u64 = 200;

named! {
    /// What an administrator can do to an item the outbox gave up on: the last segment
    /// of `POST /admin/{mail,webhooks}/{id}/{action}`.
    pub(super) enum OutboxAction {
        Retry => "retry",
        Discard => "discard",
    }
}

/// A kind of outbox item as the admin pages and API show it.
pub(super) trait OutboxList {
    /// An item as the engine lists it.
    type Item;
    /// An item on the page.
    type View: Serialize;
    /// A page of items in JSON.
    type Listing: Serialize;
    /// The path segment after `admin/`.
    const PATH: &'static str;
    /// The page's template.
    const TEMPLATE: Template;
    /// The message id of the page's title.
    const TITLE: &'static str;
    /// The template's name for the list of items.
    const ITEMS: &'static str;

    /// A page of items and how many there are in all.
    fn list(
        auth: &Auth,
        admin: &Authenticated,
        page: Page,
    ) -> impl Future<Output = auth_core::Result<(Vec<Self::Item>, u64)>> + Send;

    /// Retries or discards the item `id`; [`Error::NotFound`] when no item the action
    /// applies to has it.
    fn act(
        auth: &Auth,
        admin: &Authenticated,
        id: Uuid,
        action: OutboxAction,
        ctx: &RequestContext,
    ) -> impl Future<Output = auth_core::Result<()>> + Send;

    /// `item` on the page, its words in `lang`.
    fn view(item: &Self::Item, catalogues: &Catalogues, lang: &str) -> Self::View;

    /// A page of items and the total, as the API answers them.
    fn listing(items: &[Self::Item], total: u64) -> Self::Listing;
}

/// The mail the outbox gave up on (`/admin/mail`).
pub(super) struct FailedMailList;

impl OutboxList for FailedMailList {
    type Item = FailedMail;
    type View = FailedMailView;
    type Listing = FailedMails;
    const PATH: &'static str = "mail";
    const TEMPLATE: Template = Template::AdminMail;
    const TITLE: &'static str = "title-undelivered-mail";
    const ITEMS: &'static str = "mail";

    async fn list(
        auth: &Auth,
        admin: &Authenticated,
        page: Page,
    ) -> auth_core::Result<(Vec<FailedMail>, u64)> {
        auth.admin_failed_mail(admin, page).await
    }

    async fn act(
        auth: &Auth,
        admin: &Authenticated,
        id: Uuid,
        action: OutboxAction,
        ctx: &RequestContext,
    ) -> auth_core::Result<()> {
        match action {
            OutboxAction::Retry => auth.admin_retry_mail(admin, id, ctx).await,
            OutboxAction::Discard => auth.admin_discard_mail(admin, id, ctx).await,
        }
    }

    fn view(item: &FailedMail, catalogues: &Catalogues, lang: &str) -> FailedMailView {
        FailedMailView::new(item, catalogues, lang)
    }

    fn listing(items: &[FailedMail], total: u64) -> FailedMails {
        FailedMails {
            mail: items
                .iter()
                .map(|m| FailedMailBody::new(m, RequestKind::Api))
                .collect(),
            total,
        }
    }
}

/// Webhook deliveries in every state (`/admin/webhooks`); only failed ones take actions.
pub(super) struct WebhookDeliveryList;

impl OutboxList for WebhookDeliveryList {
    type Item = WebhookDelivery;
    type View = WebhookDeliveryView;
    type Listing = WebhookDeliveries;
    const PATH: &'static str = "webhooks";
    const TEMPLATE: Template = Template::AdminWebhooks;
    const TITLE: &'static str = "title-webhook-deliveries";
    const ITEMS: &'static str = "deliveries";

    async fn list(
        auth: &Auth,
        admin: &Authenticated,
        page: Page,
    ) -> auth_core::Result<(Vec<WebhookDelivery>, u64)> {
        auth.admin_webhook_deliveries(admin, page).await
    }

    async fn act(
        auth: &Auth,
        admin: &Authenticated,
        id: Uuid,
        action: OutboxAction,
        ctx: &RequestContext,
    ) -> auth_core::Result<()> {
        match action {
            OutboxAction::Retry => auth.admin_retry_webhook(admin, id, ctx).await,
            OutboxAction::Discard => auth.admin_discard_webhook(admin, id, ctx).await,
        }
    }

    fn view(item: &WebhookDelivery, catalogues: &Catalogues, lang: &str) -> WebhookDeliveryView {
        WebhookDeliveryView::new(item, catalogues, lang)
    }

    fn listing(items: &[WebhookDelivery], total: u64) -> WebhookDeliveries {
        WebhookDeliveries {
            deliveries: items
                .iter()
                .map(|d| WebhookDeliveryBody::new(d, RequestKind::Api))
                .collect(),
            total,
        }
    }
}

/// The `offset` of a listing's query string; anything that is not a number reads as 0.
fn offset_of(query: &Fields) -> u64 {
    query
        .get("offset")
        .and_then(|o| o.parse::<u64>().ok())
        .unwrap_or(0)
}

/// 404 naming the `id` path segment and why nothing was found there: `malformed` (not an
/// item id at all) or `unknown` (no item the action applies to has it, or no longer).
fn no_such_item(code: &str, reason: &'static str) -> Problem {
    let mut p = Problem::not_found();
    p.fields.push(FieldProblem::said(
        "id",
        code,
        auth_core::Message::new(reason),
    ));
    p
}

/// The item and action a path names, or the 404 that says what is wrong with it.
fn target(id: &str, action: &str) -> Result<(Uuid, OutboxAction), Problem> {
    let action = action
        .parse::<OutboxAction>()
        .map_err(|_| Problem::not_found())?;
    let id = id
        .parse::<Uuid>()
        .map_err(|_| no_such_item("malformed", "field-id-malformed"))?;
    Ok((id, action))
}

/// The engine's answer to an action: [`Error::NotFound`] becomes the 404 naming `id`.
fn acted(result: auth_core::Result<()>) -> Result<(), Problem> {
    result.map_err(|e| match e {
        Error::NotFound => no_such_item("unknown", "field-id-unknown"),
        other => Problem::from_error(&other),
    })
}

impl AuthWeb {
    /// `GET /admin/{mail,webhooks}`: a page of items, newest first.
    pub(super) async fn admin_outbox_page<K: OutboxList>(&self, r: &Req) -> Reply {
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let offset = offset_of(&Fields::from_query(r.query.as_deref()));
        let page = Page {
            offset,
            limit: PAGE_SIZE,
        };
        match K::list(&self.inner.auth, &a, page).await {
            Ok((items, total)) => {
                let catalogues = self.inner.auth.config().catalogues();
                let lang = r.lang_tag();
                let items: Vec<K::View> = items
                    .iter()
                    .map(|item| K::view(item, catalogues, &lang))
                    .collect();
                let next = offset.checked_add(PAGE_SIZE).filter(|n| *n < total);
                self.page(
                    r,
                    StatusCode::OK,
                    K::TEMPLATE,
                    Some(&a.user),
                    json!({
                        "title": self.text(r, K::TITLE),
                        K::ITEMS: items,
                        "total": total,
                        "prev_offset": (offset > 0).then(|| offset.saturating_sub(PAGE_SIZE)),
                        "next_offset": next,
                    }),
                )
            }
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// `POST /admin/{mail,webhooks}/{id}/{retry,discard}`: back to the list with a
    /// flash, or an error page (404 naming `id` for an item that is not, or no longer,
    /// failed).
    pub(super) async fn admin_outbox_post<K: OutboxList>(
        &self,
        r: &Req,
        id: &str,
        action: &str,
    ) -> Reply {
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
        match acted(K::act(&self.inner.auth, &a, id, action, &r.ctx).await) {
            Ok(()) => Reply::redirect(&format!("{}/admin/{}", self.inner.prefix, K::PATH))
                .cookie(Flash::AdminDone.cookie(self)),
            Err(p) => self.problem(r, &p),
        }
    }

    /// `GET /api/admin/{mail,webhooks}?offset=&limit=`: a page of items and the total.
    pub(super) async fn api_admin_outbox<K: OutboxList>(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let q = Fields::from_query(r.query.as_deref());
        let limit = q
            .get("limit")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(DEFAULT_API_PAGE)
            .clamp(1, MAX_API_PAGE);
        let page = Page {
            offset: offset_of(&q),
            limit,
        };
        let (items, total) = K::list(&self.inner.auth, &a, page).await?;
        Ok(Reply::json(StatusCode::OK, &K::listing(&items, total)))
    }

    /// `POST /api/admin/{mail,webhooks}/{id}/{retry,discard}`: 204, or 404 naming `id`
    /// for an item that is not (or no longer) failed.
    pub(super) async fn api_admin_outbox_post<K: OutboxList>(
        &self,
        r: &Req,
        id: &str,
        action: &str,
    ) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let (id, action) = target(id, action).map_err(ApiFail::Problem)?;
        acted(K::act(&self.inner.auth, &a, id, action, &r.ctx).await).map_err(ApiFail::Problem)?;
        Ok(Reply::new(StatusCode::NO_CONTENT))
    }
}
