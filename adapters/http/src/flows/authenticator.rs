//! The account's authenticator app, by page: `/account/second_factor` (whether two-step
//! sign-in is on, how many recovery codes are left), enrolment with a QR code
//! (`/account/second_factor/enrol`, then `.../enrol/finish` with a first code), new
//! recovery codes (`/account/second_factor/recovery_codes`) and their download as a text
//! file (`.../recovery_codes/download`), and removal (`/account/second_factor/disable`).
//! The JSON API of the same flows is in `second_factor`.

use auth_core::{Authenticated, EnrolmentAttempt, Error, RecoveryCodes, TotpEnrolment};
use bytes::Bytes;
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use super::account::Section;
use crate::AuthWeb;
use crate::flash::Flash;
use crate::kind::RequestKind;
use crate::problem::Problem;
use crate::qr;
use crate::reply::{Reply, Req};
use crate::templates::Template;
use crate::views::SecondFactorView;

/// How the downloaded recovery codes are offered: a file to save, by this name.
const CODES_DISPOSITION: &str = "attachment; filename=\"recovery-codes.txt\"";

/// Which form of the second-factor page a problem belongs to (both ask for a `code`).
#[derive(Debug, Clone, Copy)]
enum Form {
    Enrol,
    Regenerate,
    Disable,
}

impl Form {
    fn as_str(self) -> &'static str {
        match self {
            Self::Enrol => "enrol",
            Self::Regenerate => "regenerate",
            Self::Disable => "disable",
        }
    }
}

impl AuthWeb {
    /// `GET /account/second_factor`.
    pub(super) async fn second_factor_page(&self, r: &Req) -> Reply {
        match self.signed_in(r).await {
            Ok(a) => self.page(
                r,
                StatusCode::OK,
                Template::AccountSecondFactor,
                Some(&a.user),
                security_context(&a, None),
            ),
            Err(reply) => reply,
        }
    }

    /// `POST /account/second_factor/enrol`: a new secret, shown as a QR code and as
    /// text; the account changes only when the first code comes back.
    pub(super) async fn enrol_post(&self, r: &Req) -> Reply {
        let (_, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        match self.inner.auth.start_totp_enrolment(&a).await {
            Ok(enrolment) => self.page(
                r,
                StatusCode::OK,
                Template::AccountSecondFactorEnrol,
                Some(&a.user),
                enrol_context(Some(&enrolment)),
            ),
            Err(e) => self.security_problem(r, &a, Form::Enrol, &e),
        }
    }

    /// `POST /account/second_factor/enrol/finish` (`code`): the first correct code turns
    /// two-step sign-in on and shows the recovery codes, once. A malformed or wrong code
    /// asks again with the same QR code and key (the enrolment keeps waiting); when no
    /// enrolment waits any more, the page offers to start again.
    pub(super) async fn enrol_finish_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let code = fields.text("code");
        let attempt = self
            .inner
            .auth
            .try_finish_totp_enrolment(&a, &code, &r.ctx)
            .await;
        let (e, waiting) = match attempt {
            Ok(EnrolmentAttempt::Finished(codes)) => {
                return self.recovery_codes_page(r, &a, &codes, true);
            }
            Ok(EnrolmentAttempt::Refused { error, enrolment }) => (error, Some(enrolment)),
            Err(e) => (e, None),
        };
        let p = Problem::from_error(&e);
        let template = Template::AccountSecondFactorEnrol;
        self.form_problem(r, template, Some(&a), &p, enrol_context(waiting.as_ref()))
    }

    /// `POST /account/second_factor/recovery_codes` (`code`): ten new recovery codes,
    /// shown once; the old ones are dead.
    pub(super) async fn recovery_codes_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let code = fields.text("code");
        match self
            .inner
            .auth
            .regenerate_recovery_codes(&a, &code, &r.ctx)
            .await
        {
            Ok(codes) => self.recovery_codes_page(r, &a, &codes, false),
            Err(e) => self.security_problem(r, &a, Form::Regenerate, &e),
        }
    }

    /// `POST /account/second_factor/recovery_codes/download` (`codes`, as the codes page
    /// posts them back): the codes as a text file, when every one is an unused recovery
    /// code of the account (so the route serves nothing else).
    pub(super) async fn recovery_codes_download(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let held = a
            .user
            .second_factor
            .as_ref()
            .and_then(|f| f.recovery_codes_held(&fields.text("codes")));
        let Some(codes) = held else {
            let e = Error::invalid("codes", auth_core::Message::new("field-codes-not_current"));
            let mut p = Problem::from_error(&e);
            p.set_message(self.text(r, "refusal-recovery-codes-not-current"));
            return self.problem_as(r, RequestKind::Page, &p, Some(&a.user));
        };
        let mut reply = Reply::new(StatusCode::OK);
        reply.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        reply.headers.insert(
            CONTENT_DISPOSITION,
            HeaderValue::from_static(CODES_DISPOSITION),
        );
        let app_name = self.inner.auth.config().app_name();
        reply.body = Bytes::from(codes.as_text_file(app_name));
        reply
    }

    /// `POST /account/second_factor/disable` (`password`, `code`): two-step sign-in off.
    pub(super) async fn second_factor_disable_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let (password, code) = (fields.text("password"), fields.text("code"));
        match self
            .inner
            .auth
            .disable_second_factor(&a, &password, &code, &r.ctx)
            .await
        {
            Ok(_) => Reply::redirect(&format!("{}/account/second_factor", self.inner.prefix))
                .cookie(Flash::SecondFactorDisabled.cookie(self)),
            Err(e) => self.security_problem(r, &a, Form::Disable, &e),
        }
    }

    /// The page of new recovery codes: shown this once, with a download button that
    /// posts them back.
    fn recovery_codes_page(
        &self,
        r: &Req,
        a: &Authenticated,
        codes: &RecoveryCodes,
        enrolled: bool,
    ) -> Reply {
        self.page(
            r,
            StatusCode::OK,
            Template::AccountRecoveryCodes,
            Some(&a.user),
            json!({
                "section": Section::SecondFactor.as_str(),
                "title": self.text(r, "title-your-recovery-codes"),
                "codes": codes.codes(),
                "codes_joined": codes.codes().join(" "),
                "enrolled": enrolled,
            }),
        )
    }

    /// The second-factor page again, with `e` at the fields of `form`.
    fn security_problem(&self, r: &Req, a: &Authenticated, form: Form, e: &Error) -> Reply {
        let p = Problem::from_error(e);
        let ctx = security_context(a, Some(form));
        self.form_problem(r, Template::AccountSecondFactor, Some(a), &p, ctx)
    }
}

/// What the second-factor page shows; `form` is the form a problem belongs to.
fn security_context(a: &Authenticated, form: Option<Form>) -> Value {
    json!({
        "section": Section::SecondFactor.as_str(),
        "second_factor": SecondFactorView::of(&a.user),
        "form": form.map(Form::as_str),
    })
}

/// What the enrolment page shows: the QR code and the secret (also when asked again
/// after a wrong code), or, when no enrolment waits any more, only the offer to start
/// again.
fn enrol_context(enrolment: Option<&TotpEnrolment>) -> Value {
    let shown = enrolment.map(|e| {
        json!({
            "qr": qr::svg(&e.otpauth_url),
            "secret": grouped(&e.secret_base32),
            "issuer": e.issuer,
            "account": e.account,
        })
    });
    json!({
        "section": Section::SecondFactor.as_str(),
        "enrolment": shown,
    })
}

/// A base32 secret in groups of four, easier to type (authenticator apps ignore spaces).
fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_shown_in_groups_of_four() {
        assert_eq!(grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(grouped("ABCDEF"), "ABCD EF");
        assert_eq!(grouped(""), "");
    }
}
