//! Signing in and out: `/login`, `/logout`, and `/api/login`, `/api/logout`,
//! `/api/logout_everywhere`, `/api/me`.

use auth_core::{Error, Login, LoginSuccess, SignIn};
use http::StatusCode;
use serde_json::json;

use super::ApiFail;
use super::second_factor::PendingReply;
use crate::AuthWeb;
use crate::credential::Presented;
use crate::delivery::TokenMode;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::kind::RequestKind;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::responses::{Me, NewSession, Revoked, SignedIn};
use crate::templates::Template;
use crate::views::{SessionBody, UserBody, rfc3339};

impl AuthWeb {
    /// The mount point itself: the account when signed in, else the sign-in page.
    pub(super) async fn index(&self, r: &Req) -> Reply {
        match self.maybe_user(r).await {
            Some(_) => Reply::redirect(&format!("{}/account", self.inner.prefix)),
            None => Reply::redirect(&format!("{}/login", self.inner.prefix)),
        }
    }

    pub(super) async fn login_page(&self, r: &Req) -> Reply {
        let next = Self::next_of(r, None);
        if self.maybe_user(r).await.is_some() {
            return Reply::redirect(next.as_deref().unwrap_or(&self.inner.after_login));
        }
        self.page(
            r,
            StatusCode::OK,
            Template::Login,
            None,
            json!({
                "next": next,
                "title": self.text(r, "title-sign-in"),
                "email_sign_in": self.inner.auth.config().email_codes().sign_in,
            }),
        )
    }

    pub(super) async fn login_post(&self, r: &Req) -> Reply {
        let again = |f: &Fields| {
            let values = json!({ "login": f.text("login"), "remember": f.flag("remember") });
            json!({
                "values": values,
                "next": Self::next_of(r, Some(f)),
                "email_sign_in": self.inner.auth.config().email_codes().sign_in,
            })
        };
        let (fields, login, extra) = match self.posted::<Login>(r, Template::Login, again) {
            Ok(posted) => posted,
            Err(reply) => return reply,
        };
        let next = Self::next_of(r, Some(&fields));
        let e = match self.inner.auth.sign_in(login, &r.ctx).await {
            Ok(SignIn::Complete(success)) => {
                return self.signed_in_redirect(r, &success, next.as_deref()).await;
            }
            Ok(SignIn::SecondFactor(pending)) => {
                return self.to_code_step(&pending, next.as_deref());
            }
            Ok(_) => Error::SecondFactorRequired,
            Err(e) => e,
        };
        let mut p = Problem::from_error(&e);
        if matches!(e, Error::EmailNotVerified) {
            p.set_message(self.text(r, "refusal-sign-in-email-not-verified"));
        }
        self.form_problem(r, Template::Login, None, &p, extra)
    }

    /// The end of every sign-in of a page (the password step of an account without a
    /// second factor, or the code step): the session cookie, after ending the session the
    /// browser still carried, and off to `next` (else the page after sign-in) with the
    /// "signed in" message.
    pub(super) async fn signed_in_redirect(
        &self,
        r: &Req,
        success: &LoginSuccess,
        next: Option<&str>,
    ) -> Reply {
        let delivered = self.deliver_session(r, success, TokenMode::Cookie).await;
        // A role that requires a second factor, without one: enrolment first.
        let then = if self.inner.auth.must_enrol_second_factor(&success.user) {
            self.enrolment_redirect()
        } else {
            Reply::redirect(next.unwrap_or(&self.inner.after_login))
        };
        delivered.set_on(then.cookie(Flash::SignedIn.cookie(self)))
    }

    pub(super) async fn logout_post(&self, r: &Req) -> Reply {
        if let Err(reply) = self.submitted(r) {
            return reply;
        }
        if let Some(token) = r.presented.token()
            && let Err(e) = self.inner.auth.logout(token, &r.ctx).await
        {
            let p = Problem::from_error(&e);
            if p.status.is_server_error() {
                return self.problem(r, &p);
            }
        }
        Reply::redirect(&self.inner.after_logout)
            .cookie(self.clear_session_cookie())
            .cookie(Flash::SignedOut.cookie(self))
    }

    /// `POST /api/login`: 200 `{"user", "session"}` and the session cookie, or with
    /// `"token_mode": "bearer"` the token in the body (`"token"`) and no cookie; for an
    /// account with a second factor, 202 `{"second_factor_required": true, "pending",
    /// "expires_at"}` and no session (see `/api/login/second_factor`, which takes the
    /// same `token_mode`).
    pub(super) async fn api_login(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let mode = TokenMode::of(f);
        let login = f.input::<Login>();
        let (mode, login) = match (mode, login) {
            (Ok(mode), Ok(login)) => (mode, login),
            (mode, login) => {
                let mut errors = login.err().unwrap_or_default();
                errors.extend(mode.err().unwrap_or_default());
                return Err(errors.into());
            }
        };
        let signed = self.inner.auth.sign_in(login, &r.ctx).await?;
        self.api_signed_in(r, signed, mode).await
    }

    /// 200 with the session, or 202 with the pending sign-in of an account with a
    /// second factor (finished at `/api/login/second_factor`), as `/api/login` answers.
    pub(super) async fn api_signed_in(
        &self,
        r: &Req,
        signed: SignIn,
        mode: TokenMode,
    ) -> Result<Reply, ApiFail> {
        let success = match signed {
            SignIn::Complete(success) => success,
            SignIn::SecondFactor(pending) => {
                let body = PendingReply {
                    second_factor_required: true,
                    pending: pending.token().to_owned(),
                    expires_at: rfc3339(pending.expires_at),
                };
                return Ok(Reply::json(StatusCode::ACCEPTED, &body));
            }
            _ => return Err(ApiFail::Engine(Error::SecondFactorRequired)),
        };
        Ok(self.signed_in_reply(r, &success, mode).await)
    }

    /// 200 `{"user", "session"}` of a finished sign-in, with the session cookie or (bearer
    /// mode) the token in the body, after ending the session the request came with.
    pub(super) async fn signed_in_reply(
        &self,
        r: &Req,
        success: &LoginSuccess,
        mode: TokenMode,
    ) -> Reply {
        let delivered = self.deliver_session(r, success, mode).await;
        let body = SignedIn {
            user: UserBody::new(&success.user, self.inner.auth.config().profile()),
            session: NewSession {
                expires_at: rfc3339(success.session.dies_at()),
                remember: success.session.remember,
            },
            token: delivered.token.clone(),
            token_type: delivered.token.is_some().then_some("Bearer"),
            second_factor_enrolment_required: self
                .inner
                .auth
                .must_enrol_second_factor(&success.user),
        };
        delivered.set_on(Reply::json(StatusCode::OK, &body))
    }

    /// `POST /api/logout`: 204, the cookie cleared. A bearer token must be a live
    /// session (401 otherwise, nothing changed); a cookie need not be.
    pub(super) async fn api_logout(&self, r: &Req) -> Result<Reply, ApiFail> {
        match &r.presented {
            Presented::Bearer(token) => {
                self.api_user(r).await?;
                self.inner.auth.logout(token, &r.ctx).await?;
                Ok(Reply::new(StatusCode::NO_CONTENT))
            }
            Presented::Refused | Presented::Key(_) => {
                Err(ApiFail::Problem(Problem::unauthenticated()))
            }
            Presented::Cookie(token) => {
                self.inner.auth.logout(token, &r.ctx).await?;
                Ok(Reply::new(StatusCode::NO_CONTENT).cookie(self.clear_session_cookie()))
            }
            Presented::Nothing => {
                Ok(Reply::new(StatusCode::NO_CONTENT).cookie(self.clear_session_cookie()))
            }
        }
    }

    /// `POST /api/logout_everywhere`: 200 `{"revoked": n}`, the cookie cleared.
    pub(super) async fn api_logout_everywhere(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let revoked = self.inner.auth.logout_everywhere(a.user.id, &r.ctx).await?;
        Ok(Reply::json(StatusCode::OK, &Revoked { revoked }).cookie(self.clear_session_cookie()))
    }

    /// `GET /api/me`: 200 `{"user", "session"}`, or 401.
    pub(super) async fn api_me(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let body = Me {
            user: UserBody::new(&a.user, self.inner.auth.config().profile()),
            session: SessionBody::new(&a.session, true, RequestKind::Api),
        };
        Ok(Reply::json(StatusCode::OK, &body))
    }
}
