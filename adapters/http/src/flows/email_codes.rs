//! Mailed one-time codes: typing the code of a verification or reset mail
//! (`/verify/code`, `/reset/code`), and sign-in by mail when it is switched on
//! (`/login/email`, `/login/email/code`, `/login/email/{token}`, `/login/email/link`);
//! and their JSON endpoints (`/api/verify/code`, `/api/password/reset/code`,
//! `/api/login/email`, `/api/login/email/code`, `/api/login/email/link`).

use auth_core::{CodeReset, Error, SignIn};
use http::StatusCode;
use serde_json::{Value, json};

use super::ApiFail;
use crate::AuthWeb;
use crate::cookies;
use crate::delivery::TokenMode;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::input::EmailAddress;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::responses::UserReply;
use crate::templates::Template;

/// What the link cookie's value starts with for a sign-in link's token (other links
/// carry their [`Purpose`](auth_core::Purpose) there, which this never parses as).
const SIGN_IN_LINK: &str = "email_sign_in.";

/// The longest sign-in link token moved into the cookie (a real one is 43 characters).
const MAX_SIGN_IN_TOKEN: usize = 128;

impl AuthWeb {
    /// The "enter the code" link of a page reached after asking for a mail: the code
    /// form of `path`, with the address filled in.
    pub(crate) fn code_link(path: &str, email: &str, text: &str) -> Value {
        json!({ "path": path, "email": email, "text": text })
    }

    /// A code form (`template`), its address filled in from `?email=`.
    pub(super) async fn code_form(&self, r: &Req, template: Template) -> Reply {
        if matches!(template, Template::LoginEmail | Template::LoginEmailCode)
            && !self.email_sign_in_on()
        {
            return self.problem(r, &Problem::not_found());
        }
        self.simple_form(r, template).await
    }

    fn email_sign_in_on(&self) -> bool {
        self.inner.auth.config().email_codes().sign_in
    }

    /// `POST /verify/code`: the address confirmed, on to the sign-in page (or the
    /// account, when signed in).
    pub(super) async fn verify_code_post(&self, r: &Req) -> Reply {
        let f = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let again = json!({ "values": { "email": f.text("email") } });
        match self
            .inner
            .auth
            .verify_email_with_code(&f.text("email"), &f.text("code"), &r.ctx)
            .await
        {
            Ok(_) => {
                let to = if self.maybe_user(r).await.is_some() {
                    self.inner.after_login.clone()
                } else {
                    format!("{}/login", self.inner.prefix)
                };
                Reply::redirect(&to).cookie(Flash::EmailVerified.cookie(self))
            }
            Err(e) => self.form_problem(
                r,
                Template::VerifyCode,
                None,
                &Problem::from_error(&e),
                again,
            ),
        }
    }

    /// `POST /reset/code`: the new password set, every device signed out, on to the
    /// sign-in page.
    pub(super) async fn reset_code_post(&self, r: &Req) -> Reply {
        let f = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let again = json!({ "values": { "email": f.text("email") } });
        match self
            .inner
            .auth
            .reset_password_with_code(code_reset(&f), &r.ctx)
            .await
        {
            Ok(_) => Reply::redirect(&format!("{}/login", self.inner.prefix))
                .cookie(self.clear_session_cookie())
                .cookie(Flash::PasswordReset.cookie(self)),
            Err(e) => self.form_problem(
                r,
                Template::ResetCode,
                None,
                &Problem::from_error(&e),
                again,
            ),
        }
    }

    /// `POST /login/email`: "check your inbox", the same for every address.
    pub(super) async fn login_email_post(&self, r: &Req) -> Reply {
        if !self.email_sign_in_on() {
            return self.problem(r, &Problem::not_found());
        }
        let (_, EmailAddress { email }, extra) =
            match self.posted(r, Template::LoginEmail, EmailAddress::again) {
                Ok(posted) => posted,
                Err(reply) => return reply,
            };
        match self.inner.auth.request_sign_in_code(&email, &r.ctx).await {
            Ok(()) => self.message(
                r,
                StatusCode::OK,
                None,
                json!({
                    "title": self.text(r, "title-check-your-inbox"),
                    "paragraphs": [
                        self.text_with(r, "notice-sign-in-code-sent", &[("email", &email)]),
                        self.text(r, "notice-sign-in-code-how"),
                    ],
                    "code_link": Self::code_link("/login/email/code", &email, &self.text(r, "notice-enter-the-code")),
                    "link": { "href": format!("{}/login", self.inner.prefix), "text": self.text(r, "common-sign-in-with-a-password") },
                }),
            ),
            Err(e) => self.form_problem(r, Template::LoginEmail, None, &Problem::from_error(&e), extra),
        }
    }

    /// `POST /login/email/code`: signed in, as after a password.
    pub(super) async fn login_email_code_post(&self, r: &Req) -> Reply {
        if !self.email_sign_in_on() {
            return self.problem(r, &Problem::not_found());
        }
        let f = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let again =
            json!({ "values": { "email": f.text("email"), "remember": f.flag("remember") } });
        let result = self
            .inner
            .auth
            .sign_in_with_code(
                &f.text("email"),
                &f.text("code"),
                f.flag("remember"),
                &r.ctx,
            )
            .await;
        self.mail_sign_in_page(r, result, Template::LoginEmailCode, again)
            .await
    }

    /// `GET /login/email/{token}`: the token moves out of the URL into the link cookie,
    /// then on to the page that asks to confirm (opening a link signs nobody in, so a
    /// mail scanner that follows it cannot use it up).
    pub(super) fn stash_sign_in_link(&self, token: &str) -> Reply {
        let to = Reply::redirect(&format!("{}/login/email/link", self.inner.prefix));
        let plausible = !token.is_empty()
            && token.len() <= MAX_SIGN_IN_TOKEN
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        if !plausible {
            return to.cookie(self.clear_link());
        }
        to.cookie(cookies::set(
            &self.inner.cookies.link,
            &format!("{SIGN_IN_LINK}{token}"),
            self.inner.secure,
            Some(crate::links::LINK_COOKIE_SECONDS),
        ))
    }

    fn stashed_sign_in_link(&self, r: &Req) -> Option<String> {
        let value = cookies::get(&r.headers, &self.inner.cookies.link)?;
        value
            .strip_prefix(SIGN_IN_LINK)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    }

    fn bad_sign_in_link(&self, r: &Req) -> Reply {
        self.bad_link(
            r,
            "notice-sign-in-link-unusable-title",
            "notice-sign-in-link-unusable",
            false,
            json!({ "href": format!("{}/login/email", self.inner.prefix), "text": self.text(r, "message-send-a-new-link") }),
        )
    }

    /// `GET /login/email/link`: a button that signs in with the stashed link.
    pub(super) async fn login_email_link_page(&self, r: &Req) -> Reply {
        if !self.email_sign_in_on() {
            return self.problem(r, &Problem::not_found());
        }
        if self.stashed_sign_in_link(r).is_none() {
            return self.bad_sign_in_link(r);
        }
        self.page(
            r,
            StatusCode::OK,
            Template::LoginEmailLink,
            None,
            json!({ "title": self.text(r, "title-sign-in") }),
        )
    }

    /// `POST /login/email/link`: signed in with the stashed link.
    pub(super) async fn login_email_link_post(&self, r: &Req) -> Reply {
        if !self.email_sign_in_on() {
            return self.problem(r, &Problem::not_found());
        }
        let f = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let Some(token) = self.stashed_sign_in_link(r) else {
            return self.bad_sign_in_link(r);
        };
        let result = self
            .inner
            .auth
            .sign_in_with_link(&token, f.flag("remember"), &r.ctx)
            .await;
        match result {
            Err(Error::Validation(_)) => self.bad_sign_in_link(r),
            other => self
                .mail_sign_in_page(r, other, Template::LoginEmailLink, json!({}))
                .await
                .cookie(self.clear_link()),
        }
    }

    /// The page answer of a sign-in by mail: it ends as a password sign-in does (the
    /// session cookie and on to the application, or, for an account with a second
    /// factor, on to the code step), or the form again with the refusal.
    async fn mail_sign_in_page(
        &self,
        r: &Req,
        result: Result<SignIn, Error>,
        template: Template,
        again: Value,
    ) -> Reply {
        let e = match result {
            Ok(SignIn::Complete(success)) => {
                return self.signed_in_redirect(r, &success, None).await;
            }
            Ok(SignIn::SecondFactor(pending)) => return self.to_code_step(&pending, None),
            Ok(_) => Error::SecondFactorRequired,
            Err(e) => e,
        };
        self.form_problem(r, template, None, &Problem::from_error(&e), again)
    }

    /// `POST /api/verify/code` `{"email", "code"}`: 200 `{"user"}`.
    pub(super) async fn api_verify_code(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let user = self
            .inner
            .auth
            .verify_email_with_code(&f.text("email"), &f.text("code"), &r.ctx)
            .await?;
        Ok(Reply::json(
            StatusCode::OK,
            &UserReply::new(&user, self.inner.auth.config().profile()),
        ))
    }

    /// `POST /api/password/reset/code` `{"email", "code", "password", "password_confirm"}`:
    /// 200 `{"user"}`, the session cookie cleared.
    pub(super) async fn api_reset_code(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let user = self
            .inner
            .auth
            .reset_password_with_code(code_reset(f), &r.ctx)
            .await?;
        Ok(Reply::json(
            StatusCode::OK,
            &UserReply::new(&user, self.inner.auth.config().profile()),
        )
        .cookie(self.clear_session_cookie()))
    }

    /// `POST /api/login/email` `{"email"}`: 202, whether or not the account exists.
    pub(super) async fn api_login_email(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let EmailAddress { email } = f.input()?;
        self.inner.auth.request_sign_in_code(&email, &r.ctx).await?;
        Ok(self.accepted(r, "accepted-sign-in-code-sent"))
    }

    /// `POST /api/login/email/code` `{"email", "code", "remember"}`: as `/api/login`.
    pub(super) async fn api_login_email_code(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let mode = TokenMode::of(f)?;
        let signed = self
            .inner
            .auth
            .sign_in_with_code(
                &f.text("email"),
                &f.text("code"),
                f.flag("remember"),
                &r.ctx,
            )
            .await?;
        self.api_signed_in(r, signed, mode).await
    }

    /// `POST /api/login/email/link` `{"token", "remember"}`: as `/api/login`.
    pub(super) async fn api_login_email_link(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let mode = TokenMode::of(f)?;
        let signed = self
            .inner
            .auth
            .sign_in_with_link(&f.text("token"), f.flag("remember"), &r.ctx)
            .await?;
        self.api_signed_in(r, signed, mode).await
    }
}

/// The reset by code a form or body asks for.
fn code_reset(f: &Fields) -> CodeReset {
    CodeReset {
        email: f.text("email"),
        code: f.text("code"),
        password: f.text("password"),
        password_confirm: f.text("password_confirm"),
    }
}
