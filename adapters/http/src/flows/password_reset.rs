//! Forgotten passwords: `/request_password_reset`, `/reset/{token}`, `/reset`, and
//! `/api/request_password_reset`, `/api/reset_password`.

use auth_core::{Error, PasswordReset, Purpose};
use http::StatusCode;
use serde_json::json;

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::input::{EmailAddress, NewPassword};
use crate::links::LinkRefusal;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::responses::UserReply;
use crate::templates::Template;

impl AuthWeb {
    pub(super) async fn request_reset_post(&self, r: &Req) -> Reply {
        let (_, EmailAddress { email }, extra) =
            match self.posted(r, Template::RequestReset, EmailAddress::again) {
                Ok(posted) => posted,
                Err(reply) => return reply,
            };
        match self.inner.auth.request_password_reset(&email, &r.ctx).await {
            Ok(()) => self.message(
                r,
                StatusCode::OK,
                None,
                json!({
                    "title": self.text(r, "title-check-your-inbox"),
                    "paragraphs": [
                        self.text_with(r, "notice-reset-sent", &[("email", &email)]),
                        self.text(r, "notice-reset-nothing-there"),
                    ],
                    "code_link": Self::code_link("/reset/code", &email, &self.text(r, "notice-enter-the-code-from-the-email")),
                    "link": { "href": format!("{}/login", self.inner.prefix), "text": self.text(r, "common-back-to-sign-in") },
                }),
            ),
            Err(e) => {
                let p = Problem::from_error(&e);
                self.form_problem(r, Template::RequestReset, None, &p, extra)
            }
        }
    }

    fn bad_reset_link(&self, r: &Req, why: LinkRefusal) -> Reply {
        let (title, text) = match why {
            LinkRefusal::Expired => (
                "notice-reset-link-expired-title",
                "notice-reset-link-expired",
            ),
            LinkRefusal::Unusable => (
                "notice-reset-link-unusable-title",
                "notice-reset-link-unusable",
            ),
        };
        self.bad_link(
            r,
            title,
            text,
            false,
            json!({ "href": format!("{}/request_password_reset", self.inner.prefix), "text": self.text(r, "message-send-a-new-link") }),
        )
    }

    pub(super) async fn reset_page(&self, r: &Req) -> Reply {
        let Some(token) = self.stashed_link(r, Purpose::ResetPassword) else {
            return self.bad_reset_link(r, LinkRefusal::Unusable);
        };
        match self.inner.auth.check_reset_token(&token).await {
            Ok(()) => self.page(
                r,
                StatusCode::OK,
                Template::Reset,
                None,
                json!({ "title": self.text(r, "title-choose-a-new-password") }),
            ),
            Err(e @ Error::Token { .. }) => self.bad_reset_link(r, LinkRefusal::of(&e)),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// The new password, for the token of the path, the stashed link or the form.
    pub(super) async fn reset_post(&self, r: &Req, path_token: Option<&str>) -> Reply {
        let fields = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let token = path_token
            .map(str::to_owned)
            .or_else(|| self.stashed_link(r, Purpose::ResetPassword))
            .or_else(|| fields.optional("token"));
        let Some(token) = token else {
            return self.bad_reset_link(r, LinkRefusal::Unusable);
        };
        let reset = match fields.input::<NewPassword>() {
            Ok(new) => new.for_token(token),
            Err(missing) => {
                let p = Problem::validation(&missing);
                return self.form_problem(r, Template::Reset, None, &p, json!({}));
            }
        };
        match self.inner.auth.reset_password(reset, &r.ctx).await {
            Ok(_) => Reply::redirect(&format!("{}/login", self.inner.prefix))
                .cookie(self.clear_link())
                .cookie(self.clear_session_cookie())
                .cookie(Flash::PasswordReset.cookie(self)),
            Err(e @ Error::Token { .. }) => self.bad_reset_link(r, LinkRefusal::of(&e)),
            Err(e) => {
                let p = Problem::from_error(&e);
                self.form_problem(r, Template::Reset, None, &p, json!({}))
            }
        }
    }

    /// `POST /api/request_password_reset`: 202, whether or not the account exists.
    pub(super) async fn api_request_reset(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let EmailAddress { email } = f.input()?;
        self.inner
            .auth
            .request_password_reset(&email, &r.ctx)
            .await?;
        Ok(self.accepted(r, "accepted-reset-sent"))
    }

    /// `POST /api/reset_password`: 200 `{"user"}`, the session cookie cleared.
    pub(super) async fn api_reset(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let reset = f.input::<PasswordReset>()?;
        let user = self.inner.auth.reset_password(reset, &r.ctx).await?;
        Ok(Reply::json(
            StatusCode::OK,
            &UserReply::new(&user, self.inner.auth.config().profile()),
        )
        .cookie(self.clear_session_cookie()))
    }
}
