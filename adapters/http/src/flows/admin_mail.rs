//! Mail the outbox gave up on, for administrators: the page `/admin/mail` with its
//! retry and discard buttons, and the JSON API `/api/admin/mail`.

use auth_core::Page;
use http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::kind::RequestKind;
use crate::names::named;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::responses::FailedMails;
use crate::templates::Template;
use crate::views::{FailedMailBody, FailedMailView};

/// Items per page of an admin outbox page (failed mail, webhook deliveries).
pub(super) const PAGE_SIZE: u64 = 25;
/// The most items one admin outbox API listing returns.
pub(super) const MAX_API_PAGE: u64 = 200;

/// The `offset` of a listing's query string; anything that is not a number reads as 0.
pub(super) fn offset_of(query: &Fields) -> u64 {
    query
        .get("offset")
        .and_then(|o| o.parse::<u64>().ok())
        .unwrap_or(0)
}

named! {
    /// What an administrator can do to a failed mail: the last segment of
    /// `POST /admin/mail/{id}/{action}`.
    enum MailAction {
        Retry => "retry",
        Discard => "discard",
    }
}

impl AuthWeb {
    /// `GET /admin/mail`: the failed mail, most recently failed first, a page at a time.
    pub(super) async fn admin_mail_page(&self, r: &Req) -> Reply {
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let offset = offset_of(&Fields::from_query(r.query.as_deref()));
        let page = Page {
            offset,
            limit: PAGE_SIZE,
        };
        match self.inner.auth.admin_failed_mail(&a, page).await {
            Ok((mail, total)) => {
                let mail: Vec<FailedMailView> = mail
                    .iter()
                    .map(|m| {
                        FailedMailView::new(m, self.inner.auth.config().catalogues(), &r.lang_tag())
                    })
                    .collect();
                let next = offset.checked_add(PAGE_SIZE).filter(|n| *n < total);
                self.page(
                    r,
                    StatusCode::OK,
                    Template::AdminMail,
                    Some(&a.user),
                    json!({
                        "title": self.text(r, "title-undelivered-mail"),
                        "mail": mail,
                        "total": total,
                        "prev_offset": (offset > 0).then(|| offset.saturating_sub(PAGE_SIZE)),
                        "next_offset": next,
                    }),
                )
            }
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// `POST /admin/mail/{id}/{retry,discard}`: back to the list with a flash, or an
    /// error page (404 for a mail that is not, or no longer, failed).
    pub(super) async fn admin_mail_post(&self, r: &Req, id: &str, action: &str) -> Reply {
        if let Err(reply) = self.submitted(r) {
            return reply;
        }
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let (Ok(id), Ok(action)) = (id.parse::<Uuid>(), action.parse::<MailAction>()) else {
            return self.problem(r, &Problem::not_found());
        };
        let auth = &self.inner.auth;
        let done = match action {
            MailAction::Retry => auth.admin_retry_mail(&a, id, &r.ctx).await,
            MailAction::Discard => auth.admin_discard_mail(&a, id, &r.ctx).await,
        };
        match done {
            Ok(()) => Reply::redirect(&format!("{}/admin/mail", self.inner.prefix))
                .cookie(Flash::AdminDone.cookie(self)),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// `GET /api/admin/mail?offset=&limit=`: `{"mail": [...], "total": n}`.
    pub(super) async fn api_admin_mail(&self, r: &Req) -> Result<Reply, ApiFail> {
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
        let (mail, total) = self.inner.auth.admin_failed_mail(&a, page).await?;
        let mail = mail
            .iter()
            .map(|m| FailedMailBody::new(m, RequestKind::Api))
            .collect();
        Ok(Reply::json(StatusCode::OK, &FailedMails { mail, total }))
    }

    /// `POST /api/admin/mail/{id}/{retry,discard}`: 204, or 404 for a mail that is not
    /// (or no longer) failed.
    pub(super) async fn api_admin_mail_post(
        &self,
        r: &Req,
        id: &str,
        action: &str,
    ) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let (Ok(id), Ok(action)) = (id.parse::<Uuid>(), action.parse::<MailAction>()) else {
            return Err(ApiFail::Problem(Problem::not_found()));
        };
        let auth = &self.inner.auth;
        match action {
            MailAction::Retry => auth.admin_retry_mail(&a, id, &r.ctx).await?,
            MailAction::Discard => auth.admin_discard_mail(&a, id, &r.ctx).await?,
        }
        Ok(Reply::new(StatusCode::NO_CONTENT))
    }
}
