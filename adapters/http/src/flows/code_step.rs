//! The second step of a sign-in by page, `/login/second_factor`: after a correct password
//! for an account with an authenticator app, the person types a code from the app (or,
//! with `?use=recovery`, one of the recovery codes). The pending sign-in's token rides in
//! a short-lived HttpOnly cookie; the server keeps only its digest (see
//! [`Auth::complete_sign_in`](auth_core::Auth::complete_sign_in)). Nothing treats the
//! pending sign-in as signed in: only a correct code opens a session, the same way the
//! password step does for other accounts.

use auth_core::{Error, LoginSuccess, PendingSignIn};
use http::StatusCode;
use serde_json::{Value, json};

use crate::AuthWeb;
use crate::cookies;
use crate::flash::Flash;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::templates::Template;

/// The field (and query parameter) that asks for the recovery-code form.
const USE_FIELD: &str = "use";
/// Its value for a recovery code.
const USE_RECOVERY: &str = "recovery";

impl AuthWeb {
    /// The password step's answer for an account with a second factor: the pending
    /// sign-in's token in a cookie that lives as long as the pending sign-in, and the
    /// code page, keeping `next`.
    pub(super) fn to_code_step(&self, pending: &PendingSignIn, next: Option<&str>) -> Reply {
        let seconds = (pending.expires_at - self.inner.auth.now())
            .whole_seconds()
            .max(1);
        let cookie = cookies::set(
            &self.inner.cookies.pending,
            pending.token(),
            self.inner.secure,
            Some(seconds),
        );
        Reply::redirect(&self.code_step_href(next, false)).cookie(cookie)
    }

    /// `GET /login/second_factor`: the code form (`?use=recovery`: the recovery-code
    /// form); without a pending sign-in, back to the sign-in page.
    pub(super) async fn code_step_page(&self, r: &Req) -> Reply {
        let next = Self::next_of(r, None);
        if self.pending_token(r).is_none() {
            return self.sign_in_again(next.as_deref());
        }
        let query = crate::fields::Fields::from_query(r.query.as_deref());
        let recovery = query.get(USE_FIELD) == Some(USE_RECOVERY);
        let ctx = self
            .code_step_with_passkey(r, next.as_deref(), recovery)
            .await;
        self.page(r, StatusCode::OK, Template::LoginSecondFactor, None, ctx)
    }

    /// The code page's context with the passkey choice (a fresh challenge of the
    /// pending sign-in) when the account has a passkey.
    async fn code_step_with_passkey(&self, r: &Req, next: Option<&str>, recovery: bool) -> Value {
        let mut ctx = self.code_step_context(next, recovery);
        if let Some(token) = self.pending_token(r)
            && let Some(options) = self.second_factor_passkey_options(token).await
            && let Value::Object(map) = &mut ctx
        {
            map.insert("passkey".into(), Value::String(options));
        }
        ctx
    }

    /// `POST /login/second_factor/passkey` (`challenge`, `credential`, `next`): the
    /// passkey's answer finishes the pending sign-in as a code does; a refused one shows
    /// the code page again with the reason.
    pub(super) async fn passkey_step_post(&self, r: &Req) -> Reply {
        let fields = match self.submitted(r) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let next = Self::next_of(r, Some(&fields));
        let Some(token) = self.pending_token(r) else {
            return self.sign_in_again(next.as_deref());
        };
        let challenge = fields.text("challenge");
        let credential = fields.text("credential");
        let result = self
            .inner
            .auth
            .complete_sign_in_with_passkey(token, &challenge, &credential, &r.ctx)
            .await;
        self.second_step_reply(r, result, next, false, Self::passkey_refusal)
            .await
    }

    /// `POST /login/second_factor` (`code`, `next`, `use`): a correct code signs in as
    /// the password step does; a wrong one shows the form again with the reason at the
    /// field; an expired, used-up or finished pending sign-in goes back to the sign-in
    /// page with a message.
    pub(super) async fn code_step_post(&self, r: &Req) -> Reply {
        let fields = match self.submitted(r) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let next = Self::next_of(r, Some(&fields));
        let Some(token) = self.pending_token(r) else {
            return self.sign_in_again(next.as_deref());
        };
        let code = fields.text("code");
        let result = self.inner.auth.complete_sign_in(token, &code, &r.ctx).await;
        let recovery = fields.get(USE_FIELD) == Some(USE_RECOVERY);
        self.second_step_reply(r, result, next, recovery, |_, _, e| Problem::from_error(e))
            .await
    }

    /// The page after a second step (code or passkey): signed in, back to `next`; the
    /// pending sign-in gone, back to the sign-in page; refused, the code page again
    /// (showing the recovery-code field when it was used) with `refusal`'s reason.
    async fn second_step_reply(
        &self,
        r: &Req,
        result: Result<LoginSuccess, Error>,
        next: Option<String>,
        recovery: bool,
        refusal: fn(&Self, &Req, &Error) -> Problem,
    ) -> Reply {
        match result {
            Ok(success) => self
                .signed_in_redirect(r, &success, next.as_deref())
                .await
                .cookie(self.clear_pending_cookie()),
            Err(Error::Validation(errors)) if errors.field("pending").is_some() => {
                self.sign_in_again(next.as_deref())
            }
            Err(e) => {
                let ctx = self
                    .code_step_with_passkey(r, next.as_deref(), recovery)
                    .await;
                self.form_problem(
                    r,
                    Template::LoginSecondFactor,
                    None,
                    &refusal(self, r, &e),
                    ctx,
                )
            }
        }
    }

    /// The pending sign-in's token of the request, if it carries one.
    fn pending_token<'r>(&self, r: &'r Req) -> Option<&'r str> {
        cookies::get(&r.headers, &self.inner.cookies.pending).filter(|t| !t.is_empty())
    }

    fn clear_pending_cookie(&self) -> String {
        cookies::remove(&self.inner.cookies.pending, self.inner.secure)
    }

    /// Back to the sign-in page (keeping `next`) with "sign in again", the pending
    /// cookie cleared.
    fn sign_in_again(&self, next: Option<&str>) -> Reply {
        let to = match next {
            Some(next) => format!(
                "{}/login?{}",
                self.inner.prefix,
                serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
            ),
            None => format!("{}/login", self.inner.prefix),
        };
        Reply::redirect(&to)
            .cookie(self.clear_pending_cookie())
            .cookie(Flash::SignInExpired.cookie(self))
    }

    /// The code page's address, for the app's code or a recovery code, keeping `next`.
    fn code_step_href(&self, next: Option<&str>, recovery: bool) -> String {
        let mut pairs = Vec::new();
        if recovery {
            pairs.push((USE_FIELD, USE_RECOVERY));
        }
        if let Some(next) = next {
            pairs.push(("next", next));
        }
        let base = format!("{}/login/second_factor", self.inner.prefix);
        match serde_urlencoded::to_string(&pairs) {
            Ok(query) if !query.is_empty() => format!("{base}?{query}"),
            _ => base,
        }
    }

    fn code_step_context(&self, next: Option<&str>, recovery: bool) -> Value {
        json!({
            "next": next,
            "recovery": recovery,
            "switch_href": self.code_step_href(next, !recovery),
        })
    }
}
