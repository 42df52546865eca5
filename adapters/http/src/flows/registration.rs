//! Registration and confirming the address: `/register`, `/verify/{token}`, `/verify`,
//! `/verify/resend`, and `/api/register`, `/api/verify`, `/api/verify/resend`.

use auth_core::profile::Writer;
use auth_core::{Error, Purpose, RegisterOutcome, Registration, RegistrationMode};
use http::StatusCode;
use serde_json::{Value, json};

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::input::{EmailAddress, LinkToken};
use crate::links::LinkRefusal;
use crate::problem::Problem;
use crate::profile;
use crate::reply::{Reply, Req};
use crate::responses::{Created, UserReply};
use crate::templates::Template;
use crate::views::UserBody;

impl AuthWeb {
    pub(super) async fn register_post(&self, r: &Req) -> Reply {
        let schema = self.inner.auth.config().profile();
        let again = |f: &Fields| {
            let mut values = profile::typed(f, schema, Writer::Registration);
            values.insert("email".into(), f.text("email").into());
            values.insert("username".into(), f.text("username").into());
            json!({ "values": values })
        };
        let (fields, mut registration, extra) =
            match self.posted::<Registration>(r, Template::Register, again) {
                Ok(posted) => posted,
                Err(reply) => return reply,
            };
        registration.profile = profile::update_from(&fields, schema, Writer::Registration, true);
        registration.language = self.browser_language(r);
        let email = registration.email.clone();
        match self.inner.auth.register(registration, &r.ctx).await {
            Ok(_) => self.check_your_inbox(r, &email),
            Err(e) => {
                let p = Problem::from_error(&e);
                self.form_problem(r, Template::Register, None, &p, extra)
            }
        }
    }

    /// The answer of a sign-up page: a link went to `email` (or, unsaid, to the owner of
    /// an account that had it).
    pub(super) fn check_your_inbox(&self, r: &Req, email: &str) -> Reply {
        self.message(
            r,
            StatusCode::OK,
            None,
            json!({
                "title": self.text(r, "title-check-your-inbox"),
                "paragraphs": [
                    self.text_with(r, "notice-sign-up-sent", &[("email", email)]),
                    self.text(r, "notice-sign-up-nothing-there"),
                ],
                "resend": true,
                "values": { "email": email },
                "code_link": Self::code_link("/verify/code", email, &self.text(r, "notice-enter-the-code-from-the-email")),
                "link": { "href": format!("{}/login", self.inner.prefix), "text": self.text(r, "notice-continue-to-sign-in") },
            }),
        )
    }

    /// The page a mailed confirmation link lands on (its token already moved into the
    /// link cookie): a button that posts back. Opening the link confirms nothing, so a
    /// mail scanner that follows it (with cookies and redirects) cannot confirm an
    /// address for whoever registered it; only the posted form does.
    pub(super) async fn verify_page(&self, r: &Req) -> Reply {
        if self.stashed_link(r, Purpose::VerifyEmail).is_none() {
            return self.bad_verify_link(r, LinkRefusal::Unusable);
        }
        let a = self.maybe_user(r).await;
        self.page(
            r,
            StatusCode::OK,
            Template::Verify,
            a.as_ref().map(|a| &a.user),
            json!({ "title": self.text(r, "title-confirm-your-email-address") }),
        )
    }

    /// The button of [`Self::verify_page`]: confirms the address of the stashed link.
    pub(super) async fn verify_post(&self, r: &Req) -> Reply {
        if let Err(reply) = self.submitted(r) {
            return reply;
        }
        let Some(token) = self.stashed_link(r, Purpose::VerifyEmail) else {
            return self.bad_verify_link(r, LinkRefusal::Unusable);
        };
        match self.inner.auth.verify_email(&token, &r.ctx).await {
            Ok(_) => {
                let to = if self.maybe_user(r).await.is_some() {
                    self.inner.after_login.clone()
                } else {
                    format!("{}/login", self.inner.prefix)
                };
                Reply::redirect(&to)
                    .cookie(self.clear_link())
                    .cookie(Flash::EmailVerified.cookie(self))
            }
            Err(e @ Error::Token { .. }) => self.bad_verify_link(r, LinkRefusal::of(&e)),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    pub(super) async fn resend_post(&self, r: &Req) -> Reply {
        let (_, EmailAddress { email }, extra) =
            match self.posted(r, Template::VerifyResend, EmailAddress::again) {
                Ok(posted) => posted,
                Err(reply) => return reply,
            };
        match self.inner.auth.resend_verification(&email, &r.ctx).await {
            Ok(()) => self.message(
                r,
                StatusCode::OK,
                None,
                json!({
                    "title": self.text(r, "title-check-your-inbox"),
                    "paragraphs": [self.text_with(r, "notice-verification-resent", &[("email", &email)])],
                    "code_link": Self::code_link("/verify/code", &email, &self.text(r, "notice-enter-the-code-from-the-email")),
                    "link": { "href": format!("{}/login", self.inner.prefix), "text": self.text(r, "notice-continue-to-sign-in") },
                }),
            ),
            Err(e) => {
                let p = Problem::from_error(&e);
                self.form_problem(r, Template::VerifyResend, None, &p, extra)
            }
        }
    }

    fn bad_verify_link(&self, r: &Req, why: LinkRefusal) -> Reply {
        let (title, text) = match why {
            LinkRefusal::Expired => ("notice-link-expired", "notice-verify-link-expired"),
            LinkRefusal::Unusable => ("notice-link-unusable", "notice-verify-link-unusable"),
        };
        self.bad_link(r, title, text, true, Value::Null)
    }

    /// `POST /api/register`: 202 `{"status": "accepted", ...}`, or 201 with the user
    /// where conflicts are revealed.
    pub(super) async fn api_register(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let auth = &self.inner.auth;
        let mut registration: Registration = f.input()?;
        registration.profile =
            profile::update_from(f, auth.config().profile(), Writer::Registration, false);
        registration.language = self.browser_language(r);
        let outcome = auth.register(registration, &r.ctx).await?;
        Ok(self.sign_up_reply(r, outcome))
    }

    /// The API's answer to a sign-up of request `r`: 202 `{"status": "accepted", ...}`,
    /// or 201 with the user where conflicts are revealed.
    pub(super) fn sign_up_reply(&self, r: &Req, outcome: RegisterOutcome) -> Reply {
        let auth = &self.inner.auth;
        let reveal = auth.config().registration() == RegistrationMode::RevealConflicts;
        match outcome {
            RegisterOutcome::Created(user) if reveal => Reply::json(
                StatusCode::CREATED,
                &Created::new(UserBody::new(&user, auth.config().profile())),
            ),
            _ => self.accepted(r, "accepted-sign-up"),
        }
    }

    /// `POST /api/verify`: 200 `{"user"}`.
    pub(super) async fn api_verify(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let LinkToken { token } = f.input()?;
        let user = self.inner.auth.verify_email(&token, &r.ctx).await?;
        Ok(Reply::json(
            StatusCode::OK,
            &UserReply::new(&user, self.inner.auth.config().profile()),
        ))
    }

    /// `POST /api/verify/resend`: 202, whether or not the address needed a link.
    pub(super) async fn api_resend(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let EmailAddress { email } = f.input()?;
        self.inner.auth.resend_verification(&email, &r.ctx).await?;
        Ok(self.accepted(r, "accepted-verification-resent"))
    }
}
