//! Sign-in with other providers ([`SignInProviders`](crate::SignInProviders)): the
//! pages `GET /oidc/{name}/start`, `GET /oidc/{name}/callback`, `GET/POST /oidc/link`
//! (the proof of ownership before an identity is linked to an existing account),
//! `GET /account/identities` and `POST /account/identities/unlink`; and the JSON API
//! `GET /api/oidc/providers`, `POST /api/oidc/{name}/start`,
//! `POST /api/oidc/{name}/callback`, `POST /api/oidc/link`,
//! `GET /api/account/identities`, `POST /api/account/identities/unlink`.
//!
//! The flow's browser binding rides in an HttpOnly, SameSite=Lax cookie (Lax, because
//! the provider's redirect back is a cross-site top-level `GET`) that lives as long as
//! the flow; nothing else of the flow is in the browser. An offered link (an account
//! has the provider's verified address) rides in a second cookie: the provider's name
//! and the engine's opaque single-use token. The link is made only by a `POST` from a
//! session opened after the offer, never silently.

use std::sync::Arc;

use auth_core::{Authenticated, Error, Identity, IdentitySignIn};
use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::ApiFail;
use super::second_factor::PendingReply;
use crate::AuthWeb;
use crate::cookies;
use crate::delivery::TokenMode;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::kind::RequestKind;
use crate::problem::Problem;
use crate::providers::{FinishedSignIn, ProviderAnswer, ProviderFailure, SignInProviders};
use crate::reply::{Reply, Req};
use crate::templates::Template;
use crate::views::{human_time, rfc3339};

/// `{"providers": [...]}`: the sign-in providers, in the application's order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ProvidersReply {
    providers: Vec<crate::ProviderButton>,
}

/// `{"url", "expires_at"}`: where to send the browser, and until when the flow lasts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ProviderStarted {
    url: String,
    expires_at: String,
}

/// `{"identity"}`: an identity just linked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct IdentityReply {
    identity: IdentityView,
}

/// `{"identities": [...]}`: the account's linked identities.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct IdentitiesReply {
    identities: Vec<IdentityView>,
}

/// `{"link_required": true, "provider", "link", "expires_at"}`: an account has the
/// provider's address; its owner signs in and confirms with `link` (`POST /api/oidc/link`).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LinkRequired {
    link_required: bool,
    provider: String,
    link: String,
    expires_at: String,
}

/// The separator of the provider's name and the token in the link cookie (in neither).
const LINK_COOKIE_SEPARATOR: char = '.';

/// A linked identity as the pages and the API show it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct IdentityView {
    provider: String,
    label: String,
    subject: String,
    email: Option<String>,
    email_verified: bool,
    linked_at: String,
    last_used_at: Option<String>,
}

impl IdentityView {
    fn new(i: &Identity, label: String, time: fn(time::OffsetDateTime) -> String) -> Self {
        Self {
            provider: i.provider.clone(),
            label,
            subject: i.subject.clone(),
            email: i.email.clone(),
            email_verified: i.email_verified,
            linked_at: time(i.linked_at),
            last_used_at: i.last_used_at.map(time),
        }
    }
}

/// How a provider's answer ended, before it becomes a page or JSON.
enum Outcome {
    /// Linked to the signed-in account.
    Linked(Identity),
    /// Signed in (or a new account made and signed in).
    SignedIn(Box<auth_core::LoginSuccess>),
    /// The account has a second factor.
    SecondFactor(auth_core::PendingSignIn),
    /// An account has the address: the owner must prove it before linking.
    LinkRequired(auth_core::PendingLink),
}

impl AuthWeb {
    /// The problem of a failed provider flow of request `r`: 404 for an unknown provider,
    /// else a coarse message in the request's language (the cause is logged, never shown).
    fn provider_problem(&self, r: &Req, failure: &ProviderFailure) -> Problem {
        match failure {
            ProviderFailure::UnknownProvider => Problem::not_found(),
            ProviderFailure::Refused(source) => {
                tracing::info!(error = %source, "a sign-in with a provider was refused");
                let mut p = Problem::new(
                    StatusCode::BAD_REQUEST,
                    "provider_sign_in_failed",
                    self.text(r, "refusal-provider-sign-in-failed"),
                );
                p.fields.push(crate::problem::FieldProblem {
                    field: "provider".into(),
                    code: "refused".into(),
                    message: self.text(r, "refusal-provider-sign-in-failed-reason"),
                    reason: None,
                });
                p
            }
            _ => {
                tracing::warn!(error = %failure, source = ?std::error::Error::source(failure), "a provider could not be reached");
                let mut p = Problem::new(
                    StatusCode::BAD_GATEWAY,
                    "provider_unavailable",
                    self.text(r, "refusal-provider-unavailable"),
                );
                p.retry_after = Some(5);
                p
            }
        }
    }

    /// The problem of an engine refusal after the provider's answer, in the language of
    /// request `r`; a refusal on `provider` (sign-up closed, an unverified address of an
    /// account) says why.
    fn sign_in_problem(&self, r: &Req, e: &Error) -> Problem {
        let catalogues = self.inner.auth.config().catalogues();
        let mut p = crate::localize::problem(catalogues, &r.lang_tag(), &Problem::from_error(e));
        if let Some(reason) = p.fields.iter().find(|f| f.field == "provider") {
            let message = self.text_with(
                r,
                "refusal-provider-not-usable-here",
                &[("reason", &reason.message)],
            );
            p.set_message(message);
        }
        p
    }
}

impl AuthWeb {
    /// The configured providers, if any.
    fn sign_in_providers(&self) -> Option<&Arc<dyn SignInProviders>> {
        self.inner.providers.as_ref()
    }

    /// A provider's label (its name if unknown).
    fn provider_label(&self, name: &str) -> String {
        self.sign_in_providers()
            .and_then(|p| p.buttons().into_iter().find(|b| b.name == name))
            .map_or_else(|| name.to_owned(), |b| b.label)
    }

    /// Where the account page lists identities.
    fn identities_path(&self) -> String {
        format!("{}/account/identities", self.inner.prefix)
    }

    fn clear_flow_cookie(&self) -> String {
        cookies::remove(&self.inner.cookies.oidc, self.inner.secure)
    }

    fn clear_link_cookie(&self) -> String {
        cookies::remove(&self.inner.cookies.identity_link, self.inner.secure)
    }

    /// The offered link of the request's cookie: the provider's name and the token.
    fn link_offer<'r>(&self, r: &'r Req) -> Option<(&'r str, &'r str)> {
        cookies::get(&r.headers, &self.inner.cookies.identity_link)?
            .split_once(LINK_COOKIE_SEPARATOR)
            .filter(|(p, t)| !p.is_empty() && !t.is_empty())
    }

    /// Starts a flow: where to send the browser, with the binding cookie set. Counted
    /// against the client's sign-in rate limit first.
    async fn start_flow(
        &self,
        r: &Req,
        name: &str,
        return_to: &str,
    ) -> Result<(String, String, time::OffsetDateTime), Problem> {
        let providers = self
            .sign_in_providers()
            .ok_or_else(|| self.provider_problem(r, &ProviderFailure::UnknownProvider))?;
        self.inner
            .auth
            .start_identity_sign_in(&r.ctx)
            .await
            .map_err(|e| Problem::from_error(&e))?;
        let now = self.inner.auth.now();
        let started = providers
            .start(name, return_to, now)
            .await
            .map_err(|f| self.provider_problem(r, &f))?;
        let seconds = (started.expires_at - now).whole_seconds().max(1);
        let cookie = cookies::set(
            &self.inner.cookies.oidc,
            &started.binding,
            self.inner.secure,
            Some(seconds),
        );
        Ok((started.url, cookie, started.expires_at))
    }

    /// Where a flow started by this request goes back to: the identities page for a
    /// signed-in person (who is linking), else `next` or the page after sign-in.
    async fn return_path(&self, r: &Req, fields: Option<&Fields>) -> String {
        if self.maybe_user(r).await.is_some() {
            return self.identities_path();
        }
        Self::next_of(r, fields).unwrap_or_else(|| self.inner.after_login.clone())
    }

    /// `GET /oidc/{name}/start[?next=]`: off to the provider, the flow bound to this
    /// browser by a cookie. A link (not a form), so that the page's
    /// `form-action 'self'` allows the redirect to the provider.
    pub(super) async fn oidc_start(&self, r: &Req, name: &str) -> Reply {
        let return_to = self.return_path(r, None).await;
        match self.start_flow(r, name, &return_to).await {
            Ok((url, cookie, _)) => Reply::redirect(&url).cookie(cookie),
            Err(p) => self.problem(r, &p),
        }
    }

    /// The provider's answer, checked by the providers. The flow named by `state` is
    /// taken whatever happens, but only a check that succeeds shows it was the flow this
    /// browser's cookie binds: after a refusal (a replay, another tab's older flow, a
    /// mixed-up provider) the cookie may still bind a pending flow, so callers leave it.
    async fn finish_flow(
        &self,
        r: &Req,
        name: &str,
        answer: &ProviderAnswer,
    ) -> Result<FinishedSignIn, Problem> {
        let providers = self.sign_in_providers().ok_or_else(Problem::not_found)?;
        let binding = cookies::get(&r.headers, &self.inner.cookies.oidc).filter(|b| !b.is_empty());
        providers
            .finish(name, answer, binding, self.inner.auth.now())
            .await
            .map_err(|f| self.provider_problem(r, &f))
    }

    /// The provider's checked answer, given to the engine: linked to the signed-in
    /// account, or signed in, or a link offered.
    async fn answered(
        &self,
        r: &Req,
        finished: FinishedSignIn,
    ) -> Result<(Outcome, String), Problem> {
        let FinishedSignIn {
            identity,
            sign_up,
            return_to,
        } = finished;
        // The implementation checked it; the layer never redirects anywhere else.
        let return_to = crate::redirect::safe_next(&return_to)
            .unwrap_or(&self.inner.after_login)
            .to_owned();
        if let Some(a) = self.maybe_user(r).await {
            let linked = self
                .inner
                .auth
                .link_identity(&a, identity, &r.ctx)
                .await
                .map_err(|e| self.sign_in_problem(r, &e))?;
            return Ok((Outcome::Linked(linked), return_to));
        }
        let outcome = match self
            .inner
            .auth
            .sign_in_with_identity(identity, sign_up, false, &r.ctx)
            .await
            .map_err(|e| self.sign_in_problem(r, &e))?
        {
            IdentitySignIn::Complete(s) | IdentitySignIn::Created(s) => Outcome::SignedIn(s),
            IdentitySignIn::SecondFactor(p) => Outcome::SecondFactor(p),
            IdentitySignIn::LinkRequired(offer) => Outcome::LinkRequired(offer),
            _ => return Err(Problem::internal()),
        };
        Ok((outcome, return_to))
    }

    /// The cookie of an offered link.
    fn link_cookie(&self, offer: &auth_core::PendingLink) -> String {
        let seconds = (offer.expires_at - self.inner.auth.now())
            .whole_seconds()
            .max(1);
        cookies::set(
            &self.inner.cookies.identity_link,
            &format!("{}{LINK_COOKIE_SEPARATOR}{}", offer.provider, offer.token()),
            self.inner.secure,
            Some(seconds),
        )
    }

    /// A refused callback as a page.
    async fn callback_problem(&self, r: &Req, p: &Problem) -> Reply {
        let user = self.maybe_user(r).await;
        self.problem_as(r, RequestKind::Page, p, user.as_ref().map(|a| &a.user))
    }

    /// `GET /oidc/{name}/callback?state&code&iss|error`: the provider's answer. The
    /// flow cookie is cleared once the answer used up the flow it binds; a refused
    /// answer (another tab's older flow, a replay) keeps it, so the pending flow of the
    /// newer tab still finishes.
    pub(super) async fn oidc_callback(&self, r: &Req, name: &str) -> Reply {
        let query = Fields::from_query(r.query.as_deref());
        let answer = ProviderAnswer {
            state: query.optional("state"),
            code: query.optional("code"),
            iss: query.optional("iss"),
            error: query.optional("error"),
        };
        let finished = match self.finish_flow(r, name, &answer).await {
            Ok(finished) => finished,
            Err(p) => return self.callback_problem(r, &p).await,
        };
        let reply = match self.answered(r, finished).await {
            Err(p) => self.callback_problem(r, &p).await,
            Ok((Outcome::Linked(_), _)) => {
                Reply::redirect(&self.identities_path()).cookie(Flash::IdentityLinked.cookie(self))
            }
            Ok((Outcome::SignedIn(s), to)) => self.signed_in_redirect(r, &s, Some(&to)).await,
            Ok((Outcome::SecondFactor(p), to)) => self.to_code_step(&p, Some(&to)),
            Ok((Outcome::LinkRequired(offer), _)) => {
                Reply::redirect(&format!("{}/oidc/link", self.inner.prefix))
                    .cookie(self.link_cookie(&offer))
            }
        };
        reply.cookie(self.clear_flow_cookie())
    }

    /// `GET /oidc/link`: an account has the address the provider verified. Signed out,
    /// the person is asked to sign in to that account first (password, then the second
    /// factor if it has one, or another provider already linked to it); signed in, to
    /// confirm the link with a button.
    pub(super) async fn oidc_link_page(&self, r: &Req) -> Reply {
        let Some((provider, _)) = self.link_offer(r) else {
            return Reply::redirect(&format!("{}/login", self.inner.prefix))
                .cookie(Flash::SignInExpired.cookie(self));
        };
        let a = self.maybe_user(r).await;
        let here = format!("{}/oidc/link", self.inner.prefix);
        let others: Vec<Value> = self
            .sign_in_providers()
            .map(|p| p.buttons())
            .unwrap_or_default()
            .into_iter()
            .filter(|b| b.name != provider)
            .map(|b| json!({ "name": b.name, "label": b.label }))
            .collect();
        self.page(
            r,
            StatusCode::OK,
            Template::OidcLink,
            a.as_ref().map(|a| &a.user),
            json!({
                "title": self.text(r, "title-link-your-account"),
                "provider_label": self.provider_label(provider),
                "signed_in": a.is_some(),
                "next": here,
                "other_providers": others,
                "email_sign_in": self.inner.auth.config().email_codes().sign_in,
            }),
        )
    }

    /// `POST /oidc/link`: links the offered identity to the signed-in account, whose
    /// session must be newer than the offer (the engine checks).
    pub(super) async fn oidc_link_post(&self, r: &Req) -> Reply {
        if let Err(reply) = self.submitted(r) {
            return reply;
        }
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let Some((_, token)) = self.link_offer(r) else {
            return Reply::redirect(&self.identities_path())
                .cookie(Flash::SignInExpired.cookie(self));
        };
        match self
            .inner
            .auth
            .confirm_identity_link(&a, token, &r.ctx)
            .await
        {
            Ok(_) => Reply::redirect(&self.identities_path())
                .cookie(Flash::IdentityLinked.cookie(self))
                .cookie(self.clear_link_cookie()),
            Err(e) => {
                let p = Problem::from_error(&e);
                let p = match &e {
                    Error::Validation(errors) if errors.field("link").is_some() => Problem::new(
                        StatusCode::BAD_REQUEST,
                        "link_expired",
                        self.text(r, "refusal-link-offer-expired"),
                    ),
                    _ => p,
                };
                self.problem_as(r, RequestKind::Page, &p, Some(&a.user))
                    .cookie(self.clear_link_cookie())
            }
        }
    }

    /// The identities of an account, for its page.
    async fn identity_views(
        &self,
        a: &Authenticated,
        kind: RequestKind,
    ) -> Result<Vec<IdentityView>, Error> {
        let time = match kind {
            RequestKind::Api => rfc3339,
            RequestKind::Page => human_time,
        };
        Ok(self
            .inner
            .auth
            .identities(a)
            .await?
            .iter()
            .map(|i| IdentityView::new(i, self.provider_label(&i.provider), time))
            .collect())
    }

    async fn identities_context(&self, a: &Authenticated, identities: &[IdentityView]) -> Value {
        let available: Vec<Value> = self
            .sign_in_providers()
            .map(|p| p.buttons())
            .unwrap_or_default()
            .into_iter()
            .filter(|b| !identities.iter().any(|i| i.provider == b.name))
            .map(|b| json!({ "name": b.name, "label": b.label }))
            .collect();
        json!({
            "section": "identities",
            "identities": identities,
            "available": available,
            "has_password": a.user.password_hash.is_usable(),
            // A passkey is a way in too (passkeys off, or the list unreadable: none).
            "has_passkey": self.inner.auth.passkeys_enabled()
                && self
                    .inner
                    .auth
                    .passkeys(a)
                    .await
                    .is_ok_and(|p| !p.is_empty()),
        })
    }

    /// `GET /account/identities`: the linked identities, a button to link each other
    /// provider, and an unlink button each (refused for the last way in).
    pub(super) async fn identities_page(&self, r: &Req) -> Reply {
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        match self.identity_views(&a, RequestKind::Page).await {
            Ok(views) => {
                let ctx = self.identities_context(&a, &views).await;
                self.page(
                    r,
                    StatusCode::OK,
                    Template::AccountIdentities,
                    Some(&a.user),
                    ctx,
                )
            }
            Err(e) => self.problem_as(
                r,
                RequestKind::Page,
                &Problem::from_error(&e),
                Some(&a.user),
            ),
        }
    }

    /// `POST /account/identities/unlink` (`provider`, `subject`).
    pub(super) async fn identity_unlink_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let provider = fields.text("provider");
        let subject = fields.text("subject");
        match self
            .inner
            .auth
            .unlink_identity(&a, &provider, &subject, &r.ctx)
            .await
        {
            Ok(()) => Reply::redirect(&self.identities_path())
                .cookie(Flash::IdentityUnlinked.cookie(self)),
            Err(e) => {
                let views = self
                    .identity_views(&a, RequestKind::Page)
                    .await
                    .unwrap_or_default();
                let ctx = self.identities_context(&a, &views).await;
                let p = Problem::from_error(&e);
                self.form_problem(r, Template::AccountIdentities, Some(&a), &p, ctx)
            }
        }
    }

    /// `GET /api/oidc/providers`: 200 `{"providers": [{"name", "label"}]}`.
    pub(super) fn api_providers(&self) -> Reply {
        let buttons = self
            .sign_in_providers()
            .map(|p| p.buttons())
            .unwrap_or_default();
        Reply::json(StatusCode::OK, &ProvidersReply { providers: buttons })
    }

    /// `POST /api/oidc/{name}/start` (`next`): 200 `{"url", "expires_at"}` and the
    /// binding cookie; the client sends the browser to `url`.
    pub(super) async fn api_oidc_start(
        &self,
        r: &Req,
        name: &str,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let return_to = self.return_path(r, Some(f)).await;
        let (url, cookie, expires_at) = self
            .start_flow(r, name, &return_to)
            .await
            .map_err(ApiFail::Problem)?;
        Ok(Reply::json(
            StatusCode::OK,
            &ProviderStarted {
                url,
                expires_at: rfc3339(expires_at),
            },
        )
        .cookie(cookie))
    }

    /// `POST /api/oidc/{name}/callback` (`state`, `code`, `iss`, `error`, as the
    /// provider sent them, and `token_mode`; the flow cookie is cleared as by the page
    /// callback): 200 `{"identity"}` when linked to the signed-in account; 200
    /// `{"user", "session"}` when signed in; 202
    /// `{"second_factor_required", "pending", "expires_at"}`; 202 `{"link_required":
    /// true, "provider", "link", "expires_at"}` when the owner of an existing account
    /// must sign in and confirm at `/api/oidc/link`.
    pub(super) async fn api_oidc_callback(
        &self,
        r: &Req,
        name: &str,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let mode = TokenMode::of(f).map_err(ApiFail::from)?;
        let answer = ProviderAnswer {
            state: f.optional("state"),
            code: f.optional("code"),
            iss: f.optional("iss"),
            error: f.optional("error"),
        };
        let finished = self
            .finish_flow(r, name, &answer)
            .await
            .map_err(ApiFail::Problem)?;
        // The flow is used up from here: its cookie goes whatever the engine says.
        let (outcome, _) = match self.answered(r, finished).await {
            Ok(answered) => answered,
            Err(p) => {
                return Ok(self
                    .problem_as(r, RequestKind::Api, &p, None)
                    .cookie(self.clear_flow_cookie()));
            }
        };
        let reply = match outcome {
            Outcome::Linked(i) => {
                let view = IdentityView::new(&i, self.provider_label(&i.provider), rfc3339);
                Reply::json(StatusCode::OK, &IdentityReply { identity: view })
            }
            Outcome::SignedIn(s) => self.signed_in_reply(r, &s, mode).await,
            Outcome::SecondFactor(p) => Reply::json(
                StatusCode::ACCEPTED,
                &PendingReply {
                    second_factor_required: true,
                    pending: p.token().to_owned(),
                    expires_at: rfc3339(p.expires_at),
                },
            ),
            Outcome::LinkRequired(offer) => Reply::json(
                StatusCode::ACCEPTED,
                &LinkRequired {
                    link_required: true,
                    provider: offer.provider.clone(),
                    link: offer.token().to_owned(),
                    expires_at: rfc3339(offer.expires_at),
                },
            ),
        };
        Ok(reply.cookie(self.clear_flow_cookie()))
    }

    /// `POST /api/oidc/link` (`link`): 200 `{"identity"}`, linking an offered identity
    /// to the signed-in account (signed in after the offer was made).
    pub(super) async fn api_oidc_link(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let token = f.text("link");
        let linked = self
            .inner
            .auth
            .confirm_identity_link(&a, &token, &r.ctx)
            .await?;
        let view = IdentityView::new(&linked, self.provider_label(&linked.provider), rfc3339);
        Ok(Reply::json(
            StatusCode::OK,
            &IdentityReply { identity: view },
        ))
    }

    /// `GET /api/account/identities`: 200 `{"identities": [...]}`.
    pub(super) async fn api_identities(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let views = self.identity_views(&a, RequestKind::Api).await?;
        Ok(Reply::json(
            StatusCode::OK,
            &IdentitiesReply { identities: views },
        ))
    }

    /// `POST /api/account/identities/unlink` (`provider`, `subject`): 204; 400 on
    /// `provider` for the last way to sign in; 404 for an identity the account lacks.
    pub(super) async fn api_identity_unlink(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        self.inner
            .auth
            .unlink_identity(&a, &f.text("provider"), &f.text("subject"), &r.ctx)
            .await?;
        Ok(Reply::new(StatusCode::NO_CONTENT))
    }
}
