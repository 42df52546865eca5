//! The signed-in user's devices: `/account/sessions` with its revoke buttons, and
//! `/api/account/sessions`, `/api/account/sessions/revoke`, `.../revoke_others`.

use auth_core::Error;
use http::StatusCode;
use serde_json::json;

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::input::SessionHandle;
use crate::kind::RequestKind;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::responses::{Revoked, Sessions};
use crate::templates::Template;
use crate::views::{SessionBody, SessionView};

impl AuthWeb {
    pub(super) async fn sessions_page(&self, r: &Req) -> Reply {
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        match self.inner.auth.sessions(&a).await {
            Ok(sessions) => {
                let list: Vec<SessionView> = sessions
                    .iter()
                    .map(|s| {
                        SessionView::new(
                            s,
                            s.digest == a.session.digest,
                            self.inner.auth.config().catalogues(),
                            &r.lang_tag(),
                        )
                    })
                    .collect();
                self.page(
                    r,
                    StatusCode::OK,
                    Template::AccountSessions,
                    Some(&a.user),
                    json!({ "section": "sessions", "sessions": list, "title": self.text(r, "title-devices") }),
                )
            }
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// Signs one device out; the current one leads to the sign-in page.
    pub(super) async fn revoke_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let done = async {
            let SessionHandle { session } = fields.input().map_err(Error::Validation)?;
            self.inner.auth.revoke_session(&a, &session, &r.ctx).await?;
            if session == a.session.digest.to_hex() {
                return Ok(Reply::redirect(&format!("{}/login", self.inner.prefix))
                    .cookie(self.clear_session_cookie())
                    .cookie(Flash::SignedOut.cookie(self)));
            }
            Ok(self.to_sessions(Flash::SessionRevoked))
        };
        let done = done.await;
        self.sessions_outcome(r, done)
    }

    pub(super) async fn revoke_others_post(&self, r: &Req) -> Reply {
        let a = match self.account_form(r).await {
            Ok((_, a)) => a,
            Err(reply) => return reply,
        };
        let done = self
            .inner
            .auth
            .revoke_other_sessions(&a, &r.ctx)
            .await
            .map(|_| self.to_sessions(Flash::SessionsRevoked));
        self.sessions_outcome(r, done)
    }

    fn to_sessions(&self, flash: Flash) -> Reply {
        Reply::redirect(&format!("{}/account/sessions", self.inner.prefix))
            .cookie(flash.cookie(self))
    }

    fn sessions_outcome(&self, r: &Req, done: Result<Reply, Error>) -> Reply {
        done.unwrap_or_else(|e| self.problem(r, &Problem::from_error(&e)))
    }

    /// `GET /api/account/sessions`: 200 `{"sessions": [...]}`.
    pub(super) async fn api_sessions(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let sessions = self.inner.auth.sessions(&a).await?;
        let sessions = sessions
            .iter()
            .map(|s| SessionBody::new(s, s.digest == a.session.digest, RequestKind::Api))
            .collect();
        Ok(Reply::json(StatusCode::OK, &Sessions { sessions }))
    }

    /// `POST /api/account/sessions/revoke`: 204.
    pub(super) async fn api_revoke(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let SessionHandle { session } = f.input()?;
        self.inner.auth.revoke_session(&a, &session, &r.ctx).await?;
        Ok(Reply::new(StatusCode::NO_CONTENT))
    }

    /// `POST /api/account/sessions/revoke_others`: 200 `{"revoked": n}`.
    pub(super) async fn api_revoke_others(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let revoked = self.inner.auth.revoke_other_sessions(&a, &r.ctx).await?;
        Ok(Reply::json(StatusCode::OK, &Revoked { revoked }))
    }
}
