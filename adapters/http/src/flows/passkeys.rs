//! Passkeys (WebAuthn) in the web layer. Every ceremony is the engine's start/finish
//! pair ([`auth_core::Auth::start_passkey_registration`] and the others); this module
//! carries the options out and the browser's answer in.
//!
//! - The JSON API, for single-page and mobile clients: `GET /api/account/passkeys`,
//!   `POST /api/account/passkeys/register/start` and `.../register/finish`,
//!   `.../rename`, `.../remove` (signed in); `POST /api/login/passkey/start` and
//!   `.../finish` (passwordless); `POST /api/login/second_factor/passkey/start` and
//!   `.../finish` (after the password, with the pending sign-in).
//! - The pages: `/account/passkeys` (list, add, rename, remove), the "Sign in with a
//!   passkey" form of the sign-in page (`POST /login/passkey`) and the passkey choice of
//!   the second step (`POST /login/second_factor/passkey`).
//! - Sign-up with a passkey and a passkey as the proof of step-up have modules of their
//!   own (`passkey_sign_up`, `passkey_step_up`). The layer's static script
//!   ([`PASSKEY_SCRIPT`]) fetches the options, calls `navigator.credentials` and posts
//!   the answer with the page's own form (CSRF token and all). Without script the
//!   passkey controls stay hidden and every other form works as before.

use auth_core::{Authenticated, Error, PasskeyChallenge, PasskeyCredential};
use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::ApiFail;
use crate::AuthWeb;
use crate::delivery::TokenMode;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::responses::Removed;
use crate::templates::Template;
use crate::views::{human_time, rfc3339};

/// The script of the passkey controls, served by the layer under `/static/` (so the
/// Content-Security-Policy's `script-src 'self'` allows it).
pub const PASSKEY_SCRIPT: &str = include_str!("../passkeys.js");

/// `{"challenge", "options", "expires_at"}`: a started ceremony. `options` go to
/// `navigator.credentials.create()` or `.get()` (`PublicKeyCredential.parse...FromJSON`
/// reads them); `challenge` comes back with the answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ChallengeReply)]
pub(crate) struct ChallengeReply<'a> {
    challenge: &'a str,
    /// The options for the browser, as WebAuthn's JSON.
    #[schema(value_type = Object)]
    options: &'a Value,
    expires_at: String,
}

impl<'a> ChallengeReply<'a> {
    pub(super) fn new(c: &'a PasskeyChallenge) -> Self {
        Self {
            challenge: c.token(),
            options: &c.options,
            expires_at: rfc3339(c.expires_at),
        }
    }
}

/// A passkey as the API shows it: never its public key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct PasskeyBody {
    id: String,
    name: String,
    created_at: String,
    last_used_at: Option<String>,
    backup_eligible: bool,
    backed_up: bool,
    transports: Vec<String>,
}

impl PasskeyBody {
    fn new(p: &PasskeyCredential) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            created_at: rfc3339(p.created_at),
            last_used_at: p.last_used_at.map(rfc3339),
            backup_eligible: p.backup_eligible,
            backed_up: p.backup_state,
            transports: p.transports.clone(),
        }
    }
}

/// `{"passkeys": [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PasskeysReply {
    passkeys: Vec<PasskeyBody>,
}

/// `{"passkey": {...}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PasskeyReply {
    passkey: PasskeyBody,
}

/// A passkey as the account page shows it: times in words.
#[derive(Debug, Serialize)]
struct PasskeyView {
    id: String,
    name: String,
    created_at: String,
    last_used_at: Option<String>,
    synced: bool,
}

impl PasskeyView {
    fn new(p: &PasskeyCredential) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            created_at: human_time(p.created_at),
            last_used_at: p.last_used_at.map(human_time),
            synced: p.backup_state,
        }
    }
}

impl AuthWeb {
    /// The problem of `e` for a form whose fields the page does not show (the hidden
    /// `challenge` and `credential`, or a rename beside the list), in the language of
    /// request `r`: the first field's reason becomes the message.
    pub(super) fn above_the_form(&self, r: &Req, e: &Error) -> Problem {
        let catalogues = self.inner.auth.config().catalogues();
        let mut p = crate::localize::problem(catalogues, &r.lang_tag(), &Problem::from_error(e));
        if let Some(first) = p.fields.first() {
            p.set_message(first.message.clone());
        }
        p.fields.clear();
        p
    }

    /// The problem of a refused passkey sign-in or second step, for the page: as
    /// [`Self::above_the_form`], with the text `refusal-passkey-not-accepted` for an
    /// answer that does not check out (unknown, removed, bad signature, another site's:
    /// the engine's wording speaks of passwords).
    pub(super) fn passkey_refusal(&self, r: &Req, e: &Error) -> Problem {
        let mut p = self.above_the_form(r, e);
        if matches!(e, Error::InvalidCredentials) {
            p.set_message(self.text(r, "refusal-passkey-not-accepted"));
        }
        p
    }
}

/// The answer of a JSON client: `credential` as the `PublicKeyCredential`'s JSON (an
/// object, or that object as text).
pub(super) fn credential_of(f: &Fields) -> String {
    f.text("credential")
}

impl AuthWeb {
    /// The address of the passkey page.
    fn passkeys_href(&self) -> String {
        format!("{}/account/passkeys", self.inner.prefix)
    }

    // ---- JSON API -------------------------------------------------------------------

    /// `GET /api/account/passkeys`: the signed-in user's passkeys, oldest first.
    pub(super) async fn api_passkeys(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let passkeys = self.inner.auth.passkeys(&a).await?;
        let body = PasskeysReply {
            passkeys: passkeys.iter().map(PasskeyBody::new).collect(),
        };
        Ok(Reply::json(StatusCode::OK, &body))
    }

    /// `POST /api/account/passkeys/register/start`: 200 `{"challenge", "options",
    /// "expires_at"}` for `navigator.credentials.create()`, bound to this session.
    pub(super) async fn api_passkey_register_start(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let c = self.inner.auth.start_passkey_registration(&a).await?;
        Ok(Reply::json(StatusCode::OK, &ChallengeReply::new(&c)))
    }

    /// `POST /api/account/passkeys/register/finish` `{"challenge", "name", "credential"}`:
    /// 201 `{"passkey"}`.
    pub(super) async fn api_passkey_register_finish(
        &self,
        r: &Req,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let p = self
            .inner
            .auth
            .finish_passkey_registration(
                &a,
                &f.text("challenge"),
                &f.text("name"),
                &credential_of(f),
                &r.ctx,
            )
            .await?;
        let body = PasskeyReply {
            passkey: PasskeyBody::new(&p),
        };
        Ok(Reply::json(StatusCode::CREATED, &body))
    }

    /// `POST /api/account/passkeys/rename` `{"id", "name"}`: 200 `{"passkey"}`.
    pub(super) async fn api_passkey_rename(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let id = f.text("id");
        self.inner
            .auth
            .rename_passkey(&a, &id, &f.text("name"), &r.ctx)
            .await?;
        let renamed = self
            .inner
            .auth
            .passkeys(&a)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(Error::NotFound)?;
        let body = PasskeyReply {
            passkey: PasskeyBody::new(&renamed),
        };
        Ok(Reply::json(StatusCode::OK, &body))
    }

    /// `POST /api/account/passkeys/remove` `{"id"}`: 200 `{"removed": true}`; 403
    /// `reauthentication_required` without a recent proof (see `/api/reauth`).
    pub(super) async fn api_passkey_remove(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        self.inner
            .auth
            .remove_passkey(&a, &f.text("id"), &r.ctx)
            .await?;
        Ok(Reply::json(StatusCode::OK, &Removed { removed: true }))
    }

    /// `POST /api/login/passkey/start`: 200 `{"challenge", "options", "expires_at"}` for
    /// `navigator.credentials.get()` naming no account (`options.mediation` is
    /// `"conditional"`, for autofill; drop it to ask at once).
    pub(super) async fn api_passkey_sign_in_start(&self, r: &Req) -> Result<Reply, ApiFail> {
        let c = self.inner.auth.start_passkey_sign_in(&r.ctx).await?;
        Ok(Reply::json(StatusCode::OK, &ChallengeReply::new(&c)))
    }

    /// `POST /api/login/passkey/finish` `{"challenge", "credential", "remember",
    /// "token_mode"}`: 200 `{"user", "session"}` as `/api/login` answers.
    pub(super) async fn api_passkey_sign_in_finish(
        &self,
        r: &Req,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let mode = TokenMode::of(f)?;
        let success = self
            .inner
            .auth
            .finish_passkey_sign_in(
                &f.text("challenge"),
                &credential_of(f),
                f.flag("remember"),
                &r.ctx,
            )
            .await?;
        Ok(self.signed_in_reply(r, &success, mode).await)
    }

    /// `POST /api/login/second_factor/passkey/start` `{"pending"}`: 200 `{"challenge",
    /// "options", "expires_at"}` listing the account's passkeys.
    pub(super) async fn api_passkey_second_factor_start(
        &self,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let c = self
            .inner
            .auth
            .start_passkey_second_factor(&f.text("pending"))
            .await?;
        Ok(Reply::json(StatusCode::OK, &ChallengeReply::new(&c)))
    }

    /// `POST /api/login/second_factor/passkey/finish` `{"pending", "challenge",
    /// "credential", "token_mode"}`: 200 `{"user", "session"}` as
    /// `/api/login/second_factor` answers.
    pub(super) async fn api_passkey_second_factor_finish(
        &self,
        r: &Req,
        f: &Fields,
    ) -> Result<Reply, ApiFail> {
        let mode = TokenMode::of(f)?;
        let success = self
            .inner
            .auth
            .complete_sign_in_with_passkey(
                &f.text("pending"),
                &f.text("challenge"),
                &credential_of(f),
                &r.ctx,
            )
            .await?;
        Ok(self.signed_in_reply(r, &success, mode).await)
    }

    // ---- Pages ----------------------------------------------------------------------

    /// `GET /account/passkeys`: the list, and the form that adds one.
    pub(super) async fn passkeys_page(&self, r: &Req) -> Reply {
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        match self.passkeys_context(&a, json!({})).await {
            Ok(ctx) => self.page(
                r,
                StatusCode::OK,
                Template::AccountPasskeys,
                Some(&a.user),
                ctx,
            ),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    async fn passkeys_context(&self, a: &Authenticated, values: Value) -> Result<Value, Error> {
        let passkeys = self.inner.auth.passkeys(a).await?;
        let views: Vec<PasskeyView> = passkeys.iter().map(PasskeyView::new).collect();
        Ok(json!({
            "section": "passkeys",
            "passkeys": views,
            "has_password": a.user.password_hash.is_usable(),
            "values": values,
        }))
    }

    /// The passkey page again with `e` (at its field, or above the list for `at_top`),
    /// or the step-up or enrolment redirect it calls for.
    async fn passkeys_problem(
        &self,
        r: &Req,
        a: &Authenticated,
        e: &Error,
        values: Value,
        at_top: bool,
    ) -> Reply {
        if let Some(reply) = self.step_up_reply(e, &self.passkeys_href()) {
            return reply;
        }
        let mut extra = match self.passkeys_context(a, values).await {
            Ok(extra) => extra,
            Err(e) => return self.problem(r, &Problem::from_error(&e)),
        };
        let p = if at_top {
            let p = self.above_the_form(r, e);
            if let Value::Object(map) = &mut extra {
                map.insert("list_error".into(), Value::String(p.message.clone()));
            }
            p
        } else {
            Problem::from_error(e)
        };
        self.form_problem(r, Template::AccountPasskeys, Some(a), &p, extra)
    }

    /// `POST /account/passkeys` (`name`, `challenge`, `credential`): the answer of
    /// `navigator.credentials.create()` for the challenge the page's script fetched.
    pub(super) async fn passkey_register_post(&self, r: &Req) -> Reply {
        let (f, a) = match self.account_form(r).await {
            Ok(posted) => posted,
            Err(reply) => return reply,
        };
        let name = f.text("name");
        match self
            .inner
            .auth
            .finish_passkey_registration(
                &a,
                &f.text("challenge"),
                &name,
                &f.text("credential"),
                &r.ctx,
            )
            .await
        {
            Ok(_) => {
                Reply::redirect(&self.passkeys_href()).cookie(Flash::PasskeyAdded.cookie(self))
            }
            Err(e) => {
                self.passkeys_problem(r, &a, &e, json!({ "name": name }), false)
                    .await
            }
        }
    }

    /// `POST /account/passkeys/rename` (`id`, `name`).
    pub(super) async fn passkey_rename_post(&self, r: &Req) -> Reply {
        let (f, a) = match self.account_form(r).await {
            Ok(posted) => posted,
            Err(reply) => return reply,
        };
        match self
            .inner
            .auth
            .rename_passkey(&a, &f.text("id"), &f.text("name"), &r.ctx)
            .await
        {
            Ok(()) => {
                Reply::redirect(&self.passkeys_href()).cookie(Flash::PasskeyRenamed.cookie(self))
            }
            Err(e) => self.passkeys_problem(r, &a, &e, json!({}), true).await,
        }
    }

    /// `POST /account/passkeys/remove` (`id`): needs a recent proof (else off to
    /// `/reauth`, coming back to the list).
    pub(super) async fn passkey_remove_post(&self, r: &Req) -> Reply {
        let (f, a) = match self.account_form(r).await {
            Ok(posted) => posted,
            Err(reply) => return reply,
        };
        match self
            .inner
            .auth
            .remove_passkey(&a, &f.text("id"), &r.ctx)
            .await
        {
            Ok(()) => {
                Reply::redirect(&self.passkeys_href()).cookie(Flash::PasskeyRemoved.cookie(self))
            }
            Err(e) => self.passkeys_problem(r, &a, &e, json!({}), true).await,
        }
    }

    /// `POST /login/passkey` (`challenge`, `credential`, `remember`, `next`): a
    /// passwordless sign-in, ending as the password step does.
    pub(super) async fn login_passkey_post(&self, r: &Req) -> Reply {
        let f = match self.submitted(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let next = Self::next_of(r, Some(&f));
        match self
            .inner
            .auth
            .finish_passkey_sign_in(
                &f.text("challenge"),
                &f.text("credential"),
                f.flag("remember"),
                &r.ctx,
            )
            .await
        {
            Ok(success) => self.signed_in_redirect(r, &success, next.as_deref()).await,
            Err(e) => {
                let p = self.passkey_refusal(r, &e);
                let extra = json!({
                    "next": next,
                    "title": self.text(r, "title-sign-in"),
                    "email_sign_in": self.inner.auth.config().email_codes().sign_in,
                    "passkey_refused": true,
                });
                self.form_problem(r, Template::Login, None, &p, extra)
            }
        }
    }

    /// The passkey choice of the second step: the options (as JSON text, for the
    /// page's script) of a challenge bound to the pending sign-in `token`, or `None`
    /// when the account has no passkey (or passkeys are off).
    pub(super) async fn second_factor_passkey_options(&self, token: &str) -> Option<String> {
        if !self.inner.auth.passkeys_enabled() {
            return None;
        }
        let c = self
            .inner
            .auth
            .start_passkey_second_factor(token)
            .await
            .ok()?;
        serde_json::to_string(&ChallengeReply::new(&c)).ok()
    }
}
