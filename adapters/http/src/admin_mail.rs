//! Mail the outbox gave up on, for administrators: the page `/admin/mail` with its
//! retry and discard buttons, and the JSON API `/api/admin/mail`.

use auth_core::{FailedMail, Page};
use http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AuthWeb;
use crate::api::ApiFail;
use crate::fields::Fields;
use crate::flash;
use crate::problem::Problem;
use crate::views::{human_time, rfc3339};
use crate::web::{Reply, Req};

/// Failed mails per page of the admin page.
const PAGE_SIZE: u64 = 25;
/// The most failed mails one API listing returns.
const MAX_API_PAGE: u64 = 200;

/// What the page or the API shows of a failed mail: never its bodies (the store does not
/// even return them).
fn failed_mail_view(m: &FailedMail, for_json: bool) -> Value {
    let t = if for_json { rfc3339 } else { human_time };
    let mut view = json!({
        "id": m.id.to_string(),
        "to": m.to,
        "kind": m.kind.as_str(),
        "attempts": m.attempts,
        "created_at": t(m.created_at),
        "failed_at": t(m.failed_at),
        "last_error": m.last_error,
    });
    if !for_json {
        view["label"] = json!(m.kind.label());
    }
    view
}

/// The `offset` of a listing's query string; anything that is not a number reads as 0.
fn offset_of(query: &Fields) -> u64 {
    query
        .get("offset")
        .and_then(|o| o.parse::<u64>().ok())
        .unwrap_or(0)
}

/// A retry or discard, by action name: `None` for any other name.
enum MailAction {
    Retry,
    Discard,
}

impl MailAction {
    fn parse(action: &str) -> Option<Self> {
        match action {
            "retry" => Some(Self::Retry),
            "discard" => Some(Self::Discard),
            _ => None,
        }
    }
}

impl AuthWeb {
    /// `GET /admin/mail`: the failed mail, most recently failed first, a page at a time.
    pub(crate) async fn admin_mail_page(&self, r: &Req) -> Reply {
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
                let mail: Vec<Value> = mail.iter().map(|m| failed_mail_view(m, false)).collect();
                let next = offset.checked_add(PAGE_SIZE).filter(|n| *n < total);
                self.page(
                    r,
                    StatusCode::OK,
                    "admin_mail.html",
                    Some(&a.user),
                    json!({
                        "title": "Undelivered mail",
                        "mail": mail,
                        "total": total,
                        "prev_offset": (offset > 0).then(|| offset.saturating_sub(PAGE_SIZE)),
                        "next_offset": next,
                    }),
                )
            }
            Err(e) => self.problem(r, false, &Problem::from_error(&e)),
        }
    }

    /// `POST /admin/mail/{id}/{retry,discard}`: back to the list with a flash, or an
    /// error page (404 for a mail that is not, or no longer, failed).
    pub(crate) async fn admin_mail_post(&self, r: &Req, id: &str, action: &str) -> Reply {
        if let Err(reply) = self.form(r) {
            return reply;
        }
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let (Ok(id), Some(action)) = (id.parse::<Uuid>(), MailAction::parse(action)) else {
            return self.problem(r, false, &Problem::not_found());
        };
        let auth = &self.inner.auth;
        let done = match action {
            MailAction::Retry => auth.admin_retry_mail(&a, id, &r.ctx).await,
            MailAction::Discard => auth.admin_discard_mail(&a, id, &r.ctx).await,
        };
        match done {
            Ok(()) => Reply::redirect(&format!("{}/admin/mail", self.inner.prefix))
                .cookie(flash::set(self, "admin_done")),
            Err(e) => self.problem(r, false, &Problem::from_error(&e)),
        }
    }

    /// `GET /api/admin/mail?offset=&limit=`: `{"mail": [...], "total": n}`.
    pub(crate) async fn api_admin_mail(&self, r: &Req) -> Result<Reply, ApiFail> {
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
        let mail: Vec<Value> = mail.iter().map(|m| failed_mail_view(m, true)).collect();
        Ok(Reply::json(
            StatusCode::OK,
            &json!({ "mail": mail, "total": total }),
        ))
    }

    /// `POST /api/admin/mail/{id}/{retry,discard}`: 204, or 404 for a mail that is not
    /// (or no longer) failed.
    pub(crate) async fn api_admin_mail_post(
        &self,
        r: &Req,
        id: &str,
        action: &str,
    ) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let (Ok(id), Some(action)) = (id.parse::<Uuid>(), MailAction::parse(action)) else {
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
