//! Sign-up with a passkey and no password, when the engine allows it
//! ([`auth_core::ConfigBuilder::passkey_sign_up`]):
//!
//! - the page: the "Sign up with a passkey" choice of `/register` (the email address
//!   typed, then the browser's ceremony), posting `POST /register/passkey`;
//! - the JSON API: `POST /api/register/passkey/start` `{"email"}` (the options for
//!   `navigator.credentials.create()`) and `POST /api/register/passkey/finish`
//!   `{"challenge", "credential", "name"}`, answered as `/api/register` is.
//!
//! Both answer the same whether or not the address has an account; with passkey sign-up
//! off they answer 404.

use http::StatusCode;
use serde_json::json;

use super::ApiFail;
use super::passkeys::{ChallengeReply, credential_of};
use crate::AuthWeb;
use crate::fields::Fields;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::templates::Template;

impl AuthWeb {
    /// `POST /api/register/passkey/start` `{"email"}`: 200 `{"challenge", "options",
    /// "expires_at"}` for `navigator.credentials.create()`.
    pub(super) async fn api_passkey_sign_up_start(
        &self,
        r: &Req,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let c = self
            .inner
            .auth
            .start_passkey_sign_up(&f.text("email"), &r.ctx)
            .await?;
        Ok(Reply::json(StatusCode::OK, &ChallengeReply::new(&c)))
    }

    /// `POST /api/register/passkey/finish` `{"challenge", "credential", "name"}` (`name`
    /// optional): 202 `{"status": "accepted", ...}`, or 201 with the user where
    /// conflicts are revealed, as `/api/register`.
    pub(super) async fn api_passkey_sign_up_finish(
        &self,
        r: &Req,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let outcome = self
            .inner
            .auth
            .finish_passkey_sign_up(
                &f.text("challenge"),
                &f.text("name"),
                &credential_of(f),
                &r.ctx,
            )
            .await?;
        Ok(self.sign_up_reply(r, outcome))
    }

    /// `POST /register/passkey` (`email`, `challenge`, `credential`): the answer of
    /// `navigator.credentials.create()` for the challenge the sign-up page's script
    /// fetched; then "check your inbox", as the password sign-up.
    pub(super) async fn register_passkey_post(&self, r: &Req) -> Reply {
        if !self.inner.auth.passkey_sign_up_enabled() {
            return self.problem(r, &Problem::not_found());
        }
        let f = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let email = f.text("email");
        match self
            .inner
            .auth
            .finish_passkey_sign_up(
                &f.text("challenge"),
                &f.text("name"),
                &f.text("credential"),
                &r.ctx,
            )
            .await
        {
            Ok(_) => self.check_your_inbox(r, email.trim()),
            Err(e) => {
                let p = self.passkey_refusal(r, &e);
                let extra = json!({ "values": { "email": email } });
                self.form_problem(r, Template::Register, None, &p, extra)
            }
        }
    }
}
