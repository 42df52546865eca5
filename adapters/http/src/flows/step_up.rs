//! Step-up and enforced second factors in the web layer: the re-authentication page
//! (`/reauth?next=...`) and endpoint (`/api/reauth`), where sensitive actions send a
//! session whose last proof is too old, and the routes a user who must enrol a second
//! factor may still reach. The decisions are the engine's
//! ([`Auth::require_recent_proof`](auth_core::Auth::require_recent_proof),
//! [`Authenticated::must_enrol_second_factor`]).

use auth_core::{Authenticated, Error, StepUp, ValidationErrors};
use http::StatusCode;
use serde::Serialize;
use serde_json::json;

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::kind::RequestKind;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::templates::Template;
use crate::views::{SessionBody, rfc3339};

/// The page where a signed-in user enrols a second factor, relative to the mount point:
/// where a user whose role requires one is sent, and the pages under it are the only
/// ones such a user reaches.
pub const SECOND_FACTOR_PAGE: &str = "/account/second_factor";

/// The re-authentication page, relative to the mount point (`?next=` where to return).
pub const REAUTH_PAGE: &str = "/reauth";

/// The API routes (relative to the mount point) a user who must enrol a second factor
/// still reaches: enrolment itself, and signing out.
const ENROLMENT_API: &[&str] = &[
    "/api/account/second_factor",
    "/api/logout",
    "/api/logout_everywhere",
];

/// `POST /api/reauth`: the session as it now stands.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SteppedUp {
    session: SessionBody,
    /// Until when sensitive actions are open without another re-authentication.
    fresh_until: String,
}

impl AuthWeb {
    /// Whether a user who must enrol a second factor may reach `relative_path`: the
    /// enrolment pages and endpoints, and signing out.
    pub(crate) fn reachable_before_enrolment(relative_path: &str) -> bool {
        let path = relative_path.trim_end_matches('/');
        let under = |root: &str| {
            path == root
                || path
                    .strip_prefix(root)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        under(SECOND_FACTOR_PAGE) || path == "/logout" || ENROLMENT_API.iter().any(|r| under(r))
    }

    /// Refuses `a` on request `r` when the user must enrol a second factor first and
    /// the route is not one of enrolment's (the one check of the layer's own routes).
    pub(crate) fn enforce_enrolment(&self, r: &Req, a: &Authenticated) -> Result<(), Problem> {
        if a.must_enrol_second_factor && !Self::reachable_before_enrolment(&r.path) {
            Err(Problem::second_factor_enrolment_required())
        } else {
            Ok(())
        }
    }

    /// To the second-factor enrolment page.
    pub(crate) fn enrolment_redirect(&self) -> Reply {
        Reply::redirect(&format!("{}{SECOND_FACTOR_PAGE}", self.inner.prefix))
    }

    /// To the re-authentication page, coming back to `next` (a full path) afterwards.
    pub(crate) fn reauth_redirect(&self, next: &str) -> Reply {
        let next = percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC);
        Reply::redirect(&format!("{}{REAUTH_PAGE}?next={next}", self.inner.prefix))
    }

    /// The page reply to an engine refusal that step-up answers with a redirect: to
    /// re-authentication (coming back to `next`) or to enrolment. `None` for any other
    /// error.
    pub(crate) fn step_up_reply(&self, e: &Error, next: &str) -> Option<Reply> {
        match e {
            Error::ReauthenticationRequired => Some(self.reauth_redirect(next)),
            Error::SecondFactorEnrolmentRequired => Some(self.enrolment_redirect()),
            _ => None,
        }
    }

    /// `GET /reauth`: the form asking for the password, or for a code when the account
    /// has a second factor.
    pub(super) async fn reauth_page(&self, r: &Req) -> Reply {
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let next = Self::next_of(r, None);
        let ctx = self.reauth_context(&a, next.as_deref()).await;
        self.page(r, StatusCode::OK, Template::Reauth, Some(&a.user), ctx)
    }

    /// The re-authentication page's context: which proof it asks for (a code, the
    /// password, or, for an account without either or whose second factor is a passkey,
    /// only a passkey), and whether the account has a passkey to offer.
    pub(super) async fn reauth_context(
        &self,
        a: &Authenticated,
        next: Option<&str>,
    ) -> serde_json::Value {
        let auth = &self.inner.auth;
        // Passkeys off, or the list unreadable: the page offers none.
        let passkey = auth.passkeys_enabled()
            && auth
                .passkeys(a)
                .await
                .is_ok_and(|passkeys| !passkeys.is_empty());
        // Whether the password form shows: not for an account whose second factor is a
        // passkey (the engine would refuse the password alone). Unreadable: shown, the
        // engine decides on submission.
        let password = auth
            .step_up_accepts_password(&a.user)
            .await
            .unwrap_or_else(|_| a.user.password_hash.is_usable());
        json!({
            "next": next,
            "needs_code": auth.step_up_needs_code(&a.user),
            "has_password": password,
            "passkey": passkey,
        })
    }

    /// Where a re-authentication returns: `next`, or the account.
    pub(super) fn after_reauth(&self, next: Option<&str>) -> Reply {
        Reply::redirect(next.unwrap_or(&format!("{}/account", self.inner.prefix)))
            .cookie(Flash::Reauthenticated.cookie(self))
    }

    /// `POST /reauth`: re-authenticates, then back to `next` (the account by default).
    pub(super) async fn reauth_post(&self, r: &Req) -> Reply {
        let fields = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let next = Self::next_of(r, Some(&fields));
        match self.step_up(r, &a, &fields).await {
            Ok(_) => self.after_reauth(next.as_deref()),
            Err(e) => {
                let p = Problem::from_error(&e);
                let extra = self.reauth_context(&a, next.as_deref()).await;
                self.form_problem(r, Template::Reauth, Some(&a), &p, extra)
            }
        }
    }

    /// `POST /api/reauth` with `{"password"}` (or `{"code"}` for an account with a
    /// second factor): 200 `{"session", "fresh_until"}`.
    pub(super) async fn api_reauth(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let session = self.step_up(r, &a, f).await?;
        Ok(self.stepped_up_reply(&session))
    }

    /// 200 `{"session", "fresh_until"}`: the session after a re-authentication.
    pub(super) fn stepped_up_reply(&self, session: &auth_core::SessionRecord) -> Reply {
        let max_age = self.inner.auth.config().step_up().max_age;
        let body = SteppedUp {
            session: SessionBody::new(session, true, RequestKind::Api),
            fresh_until: rfc3339(session.proved_at + max_age),
        };
        Reply::json(StatusCode::OK, &body)
    }

    /// Reads the proof the account needs (a `code` when it has a second factor, else the
    /// `password`; missing is a `required` error on that field) and re-authenticates.
    async fn step_up(
        &self,
        r: &Req,
        a: &Authenticated,
        f: &Fields,
    ) -> Result<auth_core::SessionRecord, Error> {
        let field = if self.inner.auth.step_up_needs_code(&a.user) {
            "code"
        } else {
            "password"
        };
        let value = f.get(field).unwrap_or_default();
        if value.trim().is_empty() {
            let mut missing = ValidationErrors::new();
            missing.push(field, "required", auth_core::Message::new("field-required"));
            return Err(Error::Validation(missing));
        }
        let input = if field == "code" {
            StepUp {
                code: value.to_owned(),
                ..StepUp::default()
            }
        } else {
            StepUp {
                password: value.to_owned(),
                ..StepUp::default()
            }
        };
        self.inner.auth.step_up(a, input, &r.ctx).await
    }
}
