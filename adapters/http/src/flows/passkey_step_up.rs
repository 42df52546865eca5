//! A passkey as the fresh proof of sensitive actions (step-up):
//!
//! - the page: the "Use a passkey" choice of `/reauth` (for an account with a passkey),
//!   whose script fetches the options and posts the answer to `POST /reauth/passkey`;
//! - the JSON API: `POST /api/reauth/passkey/start` (the options for
//!   `navigator.credentials.get()`, bound to this session) and
//!   `POST /api/reauth/passkey/finish` `{"challenge", "credential"}`, answered as
//!   `/api/reauth` is (`{"session", "fresh_until"}`).

use http::StatusCode;

use super::ApiFail;
use super::passkeys::{ChallengeReply, credential_of};
use crate::AuthWeb;
use crate::fields::Fields;
use crate::reply::{Reply, Req};
use crate::templates::Template;

impl AuthWeb {
    /// `POST /api/reauth/passkey/start`: 200 `{"challenge", "options", "expires_at"}`
    /// listing the account's passkeys.
    pub(super) async fn api_passkey_reauth_start(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let c = self.inner.auth.start_passkey_step_up(&a).await?;
        Ok(Reply::json(StatusCode::OK, &ChallengeReply::new(&c)))
    }

    /// `POST /api/reauth/passkey/finish` `{"challenge", "credential"}`: 200 `{"session",
    /// "fresh_until"}`.
    pub(super) async fn api_passkey_reauth_finish(
        &self,
        r: &Req,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let session = self
            .inner
            .auth
            .step_up_with_passkey(&a, &f.text("challenge"), &credential_of(f), &r.ctx)
            .await?;
        Ok(self.stepped_up_reply(&session))
    }

    /// `POST /reauth/passkey` (`challenge`, `credential`, `next`): re-authenticates with
    /// the passkey, then back to `next` (the account by default).
    pub(super) async fn reauth_passkey_post(&self, r: &Req) -> Reply {
        let f = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let next = Self::next_of(r, Some(&f));
        match self
            .inner
            .auth
            .step_up_with_passkey(&a, &f.text("challenge"), &f.text("credential"), &r.ctx)
            .await
        {
            Ok(_) => self.after_reauth(next.as_deref()),
            Err(e) => {
                let p = self.passkey_refusal(r, &e);
                let extra = self.reauth_context(&a, next.as_deref()).await;
                self.form_problem(r, Template::Reauth, Some(&a), &p, extra)
            }
        }
    }
}
