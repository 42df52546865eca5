//! The HTML pages.

use auth_core::{
    Authenticated, EmailChange, Error, Login, Page, PasswordChange, PasswordReset, Registration,
    TokenRejection, UserId,
};
use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fields::Fields;
use crate::problem::Problem;
use crate::views::{UserView, event_view, session_view};
use crate::web::{Reply, Req};
use crate::{AuthWeb, Requirement, flash};

/// What a link page says about a refused link token.
///
/// Only expiry is told apart, because the person can act on it (ask for a new link) and
/// it leaks nothing: the engine reports `Expired` only for a link it signed, for this
/// flow, whose signature checked out, so the holder learns no more than the link's own
/// `exp` already says. Every other reason (malformed, bad signature, unknown key, wrong
/// flow, already used or superseded) and a missing link share one coarse wording, so a
/// page never tells a forger which check stopped them. The JSON API still carries the
/// precise code for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkRefusal {
    Expired,
    Unusable,
}

impl LinkRefusal {
    fn of(e: &Error) -> Self {
        match e {
            Error::Token {
                reason: TokenRejection::Expired,
                ..
            } => Self::Expired,
            _ => Self::Unusable,
        }
    }
}

/// First path segments of the HTML routes, to tell 405 from 404.
const KNOWN: &[&str] = &[
    "",
    "static",
    "login",
    "logout",
    "register",
    "verify",
    "request_password_reset",
    "reset",
    "email",
    "account",
    "admin",
];

/// Users per page in the admin list.
const ADMIN_PAGE: u64 = 25;

impl AuthWeb {
    /// Routes an HTML request.
    pub(crate) async fn html(&self, r: &Req) -> Reply {
        let path = r.path.trim_start_matches('/').trim_end_matches('/');
        let segs: Vec<&str> = path.split('/').collect();
        let get = r.method == Method::GET;
        let post = r.method == Method::POST;
        match segs.as_slice() {
            [""] if get => self.index(r).await,
            ["static", file] if get => self.stylesheet(file),
            ["login"] if get => self.login_page(r).await,
            ["login"] if post => self.login_post(r).await,
            ["logout"] if post => self.logout_post(r).await,
            ["register"] if get => self.simple_form(r, "register.html").await,
            ["register"] if post => self.register_post(r).await,
            ["verify"] if get => self.verify_page(r).await,
            ["verify"] if post => self.verify_post(r).await,
            ["verify", "resend"] if get => self.simple_form(r, "verify_resend.html").await,
            ["verify", "resend"] if post => self.resend_post(r).await,
            ["verify", token] if get => self.stash_link("verify", token, "/verify"),
            ["request_password_reset"] if get => self.simple_form(r, "request_reset.html").await,
            ["request_password_reset"] if post => self.request_reset_post(r).await,
            ["reset"] if get => self.reset_page(r).await,
            ["reset"] if post => self.reset_post(r, None).await,
            ["reset", token] if get => self.stash_link("reset", token, "/reset"),
            ["reset", token] if post => self.reset_post(r, Some(token)).await,
            ["email", "confirm"] if get => self.email_confirm_page(r).await,
            ["email", "confirm"] if post => self.email_confirm_post(r).await,
            ["email", "confirm", token] if get => self.stash_link("email", token, "/email/confirm"),
            ["account"] if get => self.account_page(r, "account.html", "profile").await,
            ["account", "profile"] if get => self.account_page(r, "account.html", "profile").await,
            ["account", "password"] if get => {
                self.account_page(r, "account_password.html", "password")
                    .await
            }
            ["account", "email"] if get => {
                self.account_page(r, "account_email.html", "email").await
            }
            ["account", "sessions"] if get => self.sessions_page(r).await,
            ["account", "delete"] if get => {
                self.account_page(r, "account_delete.html", "delete").await
            }
            ["account", action] if post => self.account_post(r, action, None).await,
            ["account", "sessions", action] if post => {
                self.account_post(r, "sessions", Some(action)).await
            }
            ["admin"] if get => self.admin_list(r).await,
            ["admin", "users", id] if get => self.admin_user_page(r, id, None).await,
            ["admin", "users", id, action] if post => self.admin_post(r, id, action).await,
            ["admin", "mail"] if get => self.admin_mail_page(r).await,
            ["admin", "mail", id, action] if post => self.admin_mail_post(r, id, action).await,
            ["admin", "mail", _, _] if get => {
                self.problem(r, false, &Problem::method_not_allowed())
            }
            ["admin", "mail"] if post => self.problem(r, false, &Problem::method_not_allowed()),
            ["logout"] | ["account", "sessions", _] | ["admin", "users", _, _] if get => {
                self.problem(r, false, &Problem::method_not_allowed())
            }
            [first, ..] if !get && !post && KNOWN.contains(first) => {
                self.problem(r, false, &Problem::method_not_allowed())
            }
            _ => self.problem(r, false, &Problem::not_found()),
        }
    }

    /// The signed-in user, or the reply to send instead (sign-in redirect, 503, ...).
    async fn signed_in(&self, r: &Req) -> Result<Authenticated, Reply> {
        match self.current_user(&r.headers).await {
            Ok(Some(a)) => Ok(a),
            Ok(None) => {
                let next = if r.method == Method::GET {
                    self.full_path(r)
                } else {
                    format!("{}/account", self.inner.prefix)
                };
                let mut reply = self.login_redirect(&next);
                if self.session_token(&r.headers).is_some() {
                    reply = reply.cookie(self.clear_session_cookie());
                }
                Err(reply)
            }
            Err(e) => Err(self.problem(r, false, &Problem::from_error(&e))),
        }
    }

    /// The user when signed in; store failures read as "not signed in" for pages that
    /// only show the header.
    async fn maybe_user(&self, r: &Req) -> Option<Authenticated> {
        match self.current_user(&r.headers).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "could not load the session for a public page");
                None
            }
        }
    }

    /// Re-renders a form with the problem tied to its fields.
    fn form_problem(
        &self,
        r: &Req,
        template: &str,
        a: Option<&Authenticated>,
        p: &Problem,
        extra: Value,
    ) -> Reply {
        let errors: serde_json::Map<String, Value> = p
            .fields
            .iter()
            .map(|f| (f.field.clone(), Value::String(f.message.clone())))
            .collect();
        let form_error = if p.code == "validation_failed" && !p.fields.is_empty() {
            "Please correct the fields marked below.".to_owned()
        } else {
            p.message.clone()
        };
        let mut ctx = json!({ "errors": errors, "form_error": form_error });
        if let (Value::Object(base), Value::Object(extra)) = (&mut ctx, extra) {
            base.extend(extra);
        }
        self.page(r, p.status, template, a.map(|a| &a.user), ctx)
            .retry_after(p.retry_after)
    }

    fn message(&self, r: &Req, status: StatusCode, a: Option<&Authenticated>, ctx: Value) -> Reply {
        self.page(r, status, "message.html", a.map(|a| &a.user), ctx)
    }

    async fn index(&self, r: &Req) -> Reply {
        match self.maybe_user(r).await {
            Some(_) => Reply::redirect(&format!("{}/account", self.inner.prefix)),
            None => Reply::redirect(&format!("{}/login", self.inner.prefix)),
        }
    }

    async fn simple_form(&self, r: &Req, template: &str) -> Reply {
        let a = self.maybe_user(r).await;
        let values = Fields::from_query(r.query.as_deref());
        let email = values.optional("email").unwrap_or_default();
        self.page(
            r,
            StatusCode::OK,
            template,
            a.as_ref().map(|a| &a.user),
            json!({ "values": { "email": email } }),
        )
    }

    async fn login_page(&self, r: &Req) -> Reply {
        let next = Self::next_of(r, None);
        if self.maybe_user(r).await.is_some() {
            return Reply::redirect(next.as_deref().unwrap_or(&self.inner.after_login));
        }
        self.page(
            r,
            StatusCode::OK,
            "login.html",
            None,
            json!({ "next": next, "title": "Sign in" }),
        )
    }

    async fn login_post(&self, r: &Req) -> Reply {
        let fields = match self.form(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let next = Self::next_of(r, Some(&fields));
        let values = json!({ "login": fields.text("login"), "remember": fields.flag("remember") });
        let extra = json!({ "values": values, "next": next });
        let missing = fields.require(&["login", "password"]);
        if !missing.is_empty() {
            return self.form_problem(r, "login.html", None, &Problem::validation(&missing), extra);
        }
        let login = Login {
            login: fields.text("login").trim().to_owned(),
            password: fields.text("password"),
            remember: fields.flag("remember"),
        };
        match self.inner.auth.login(login, &r.ctx).await {
            Ok(success) => {
                self.end_previous_session(r).await;
                Reply::redirect(next.as_deref().unwrap_or(&self.inner.after_login))
                    .cookie(self.session_cookie(&success.token, &success.session))
                    .cookie(flash::set(self, "signed_in"))
            }
            Err(e) => {
                let mut p = Problem::from_error(&e);
                if matches!(e, Error::EmailNotVerified) {
                    p.message = "Confirm your email address before signing in: follow the link we sent you, or ask for a new one.".into();
                }
                self.form_problem(r, "login.html", None, &p, extra)
            }
        }
    }

    async fn logout_post(&self, r: &Req) -> Reply {
        if let Err(reply) = self.form(r) {
            return reply;
        }
        if let Some(token) = self.session_token(&r.headers)
            && let Err(e) = self.inner.auth.logout(&token, &r.ctx).await
        {
            let p = Problem::from_error(&e);
            if p.status.is_server_error() {
                return self.problem(r, false, &p);
            }
        }
        Reply::redirect(&self.inner.after_logout)
            .cookie(self.clear_session_cookie())
            .cookie(flash::set(self, "signed_out"))
    }

    async fn register_post(&self, r: &Req) -> Reply {
        let fields = match self.form(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let extra = json!({ "values": { "email": fields.text("email"), "username": fields.text("username") } });
        let missing = fields.require(&["email", "password", "password_confirm"]);
        if !missing.is_empty() {
            return self.form_problem(
                r,
                "register.html",
                None,
                &Problem::validation(&missing),
                extra,
            );
        }
        let email = fields.text("email").trim().to_owned();
        let registration = Registration {
            email: email.clone(),
            username: fields.optional("username"),
            password: fields.text("password"),
            password_confirm: fields.text("password_confirm"),
        };
        match self.inner.auth.register(registration, &r.ctx).await {
            Ok(_) => self.message(
                r,
                StatusCode::OK,
                None,
                json!({
                    "title": "Check your inbox",
                    "paragraphs": [
                        format!("We sent a link to {email}. Open it to confirm your address and finish creating your account."),
                        "Nothing there after a few minutes? Check your spam folder, or ask for a new link below.",
                    ],
                    "resend": true,
                    "values": { "email": email },
                    "link": { "href": format!("{}/login", self.inner.prefix), "text": "Continue to sign in" },
                }),
            ),
            Err(e) => self.form_problem(r, "register.html", None, &Problem::from_error(&e), extra),
        }
    }

    fn bad_link(&self, r: &Req, title: &str, text: &str, resend: bool, link: Value) -> Reply {
        self.message(
            r,
            StatusCode::BAD_REQUEST,
            None,
            json!({ "title": title, "paragraphs": [text], "resend": resend, "link": link }),
        )
        .cookie(self.clear_link())
    }

    /// The page a mailed confirmation link lands on (its token already moved into the
    /// link cookie): a button that posts back. Opening the link confirms nothing, so a
    /// mail scanner that follows it (with cookies and redirects) cannot confirm an
    /// address for whoever registered it; only the posted form does.
    async fn verify_page(&self, r: &Req) -> Reply {
        if self.stashed_link(r, "verify").is_none() {
            return self.bad_verify_link(r, LinkRefusal::Unusable);
        }
        let a = self.maybe_user(r).await;
        self.page(
            r,
            StatusCode::OK,
            "verify.html",
            a.as_ref().map(|a| &a.user),
            json!({ "title": "Confirm your email address" }),
        )
    }

    /// The button of [`Self::verify_page`]: confirms the address of the stashed link.
    async fn verify_post(&self, r: &Req) -> Reply {
        if let Err(reply) = self.form(r) {
            return reply;
        }
        let Some(token) = self.stashed_link(r, "verify") else {
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
                    .cookie(flash::set(self, "email_verified"))
            }
            Err(e @ Error::Token { .. }) => self.bad_verify_link(r, LinkRefusal::of(&e)),
            Err(e) => self.problem(r, false, &Problem::from_error(&e)),
        }
    }

    async fn resend_post(&self, r: &Req) -> Reply {
        let fields = match self.form(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let extra = json!({ "values": { "email": fields.text("email") } });
        let missing = fields.require(&["email"]);
        if !missing.is_empty() {
            return self.form_problem(
                r,
                "verify_resend.html",
                None,
                &Problem::validation(&missing),
                extra,
            );
        }
        let email = fields.text("email").trim().to_owned();
        match self.inner.auth.resend_verification(&email, &r.ctx).await {
            Ok(()) => self.message(
                r,
                StatusCode::OK,
                None,
                json!({
                    "title": "Check your inbox",
                    "paragraphs": [format!("If {email} belongs to an account that still needs confirming, a new link is on its way.")],
                    "link": { "href": format!("{}/login", self.inner.prefix), "text": "Continue to sign in" },
                }),
            ),
            Err(e) => self.form_problem(r, "verify_resend.html", None, &Problem::from_error(&e), extra),
        }
    }

    async fn request_reset_post(&self, r: &Req) -> Reply {
        let fields = match self.form(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let extra = json!({ "values": { "email": fields.text("email") } });
        let missing = fields.require(&["email"]);
        if !missing.is_empty() {
            return self.form_problem(
                r,
                "request_reset.html",
                None,
                &Problem::validation(&missing),
                extra,
            );
        }
        let email = fields.text("email").trim().to_owned();
        match self.inner.auth.request_password_reset(&email, &r.ctx).await {
            Ok(()) => self.message(
                r,
                StatusCode::OK,
                None,
                json!({
                    "title": "Check your inbox",
                    "paragraphs": [
                        format!("If an account exists for {email}, we sent it a link to choose a new password."),
                        "The link works once and expires soon. Nothing there? Check your spam folder.",
                    ],
                    "link": { "href": format!("{}/login", self.inner.prefix), "text": "Back to sign in" },
                }),
            ),
            Err(e) => self.form_problem(r, "request_reset.html", None, &Problem::from_error(&e), extra),
        }
    }

    fn bad_verify_link(&self, r: &Req, why: LinkRefusal) -> Reply {
        let (title, text) = match why {
            LinkRefusal::Expired => (
                "This link has expired",
                "Confirmation links work for a limited time. Ask for a new one below.",
            ),
            LinkRefusal::Unusable => (
                "This link cannot be used",
                "It may have been used already or copied incompletely. Ask for a new confirmation link below.",
            ),
        };
        self.bad_link(r, title, text, true, Value::Null)
    }

    fn bad_reset_link(&self, r: &Req, why: LinkRefusal) -> Reply {
        let (title, text) = match why {
            LinkRefusal::Expired => (
                "This reset link has expired",
                "Reset links work for a limited time. Ask for a new one.",
            ),
            LinkRefusal::Unusable => (
                "This reset link cannot be used",
                "It may have been used already or copied incompletely. Reset links work once and for a limited time. Ask for a new one.",
            ),
        };
        self.bad_link(
            r,
            title,
            text,
            false,
            json!({ "href": format!("{}/request_password_reset", self.inner.prefix), "text": "Send a new link" }),
        )
    }

    fn bad_email_link(&self, r: &Req, why: LinkRefusal) -> Reply {
        let title = match why {
            LinkRefusal::Expired => "This link has expired",
            LinkRefusal::Unusable => "This link cannot be used",
        };
        self.bad_link(
            r,
            title,
            "Start the change of address again from your account settings.",
            false,
            json!({ "href": format!("{}/account/email", self.inner.prefix), "text": "Change email address" }),
        )
    }

    async fn reset_page(&self, r: &Req) -> Reply {
        let Some(token) = self.stashed_link(r, "reset") else {
            return self.bad_reset_link(r, LinkRefusal::Unusable);
        };
        match self.inner.auth.check_reset_token(&token).await {
            Ok(()) => self.page(
                r,
                StatusCode::OK,
                "reset.html",
                None,
                json!({ "title": "Choose a new password" }),
            ),
            Err(e @ Error::Token { .. }) => self.bad_reset_link(r, LinkRefusal::of(&e)),
            Err(e) => self.problem(r, false, &Problem::from_error(&e)),
        }
    }

    async fn reset_post(&self, r: &Req, path_token: Option<&str>) -> Reply {
        let fields = match self.form(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let token = path_token
            .map(str::to_owned)
            .or_else(|| self.stashed_link(r, "reset"))
            .or_else(|| fields.optional("token"));
        let Some(token) = token else {
            return self.bad_reset_link(r, LinkRefusal::Unusable);
        };
        let missing = fields.require(&["password", "password_confirm"]);
        if !missing.is_empty() {
            return self.form_problem(
                r,
                "reset.html",
                None,
                &Problem::validation(&missing),
                json!({}),
            );
        }
        let reset = PasswordReset {
            token,
            password: fields.text("password"),
            password_confirm: fields.text("password_confirm"),
        };
        match self.inner.auth.reset_password(reset, &r.ctx).await {
            Ok(_) => Reply::redirect(&format!("{}/login", self.inner.prefix))
                .cookie(self.clear_link())
                .cookie(self.clear_session_cookie())
                .cookie(flash::set(self, "password_reset")),
            Err(e @ Error::Token { .. }) => self.bad_reset_link(r, LinkRefusal::of(&e)),
            Err(e) => self.form_problem(r, "reset.html", None, &Problem::from_error(&e), json!({})),
        }
    }

    /// The page a mailed change-of-address link lands on: a button that posts back, as
    /// for [`Self::verify_page`], so that only a deliberate press moves the account.
    async fn email_confirm_page(&self, r: &Req) -> Reply {
        if self.stashed_link(r, "email").is_none() {
            return self.bad_email_link(r, LinkRefusal::Unusable);
        }
        let a = self.maybe_user(r).await;
        self.page(
            r,
            StatusCode::OK,
            "email_confirm.html",
            a.as_ref().map(|a| &a.user),
            json!({ "title": "Confirm your new address" }),
        )
    }

    /// The button of [`Self::email_confirm_page`]: completes the change of address.
    async fn email_confirm_post(&self, r: &Req) -> Reply {
        if let Err(reply) = self.form(r) {
            return reply;
        }
        let Some(token) = self.stashed_link(r, "email") else {
            return self.bad_email_link(r, LinkRefusal::Unusable);
        };
        match self.inner.auth.confirm_email_change(&token, &r.ctx).await {
            Ok(_) => {
                let to = if self.maybe_user(r).await.is_some() {
                    format!("{}/account", self.inner.prefix)
                } else {
                    format!("{}/login", self.inner.prefix)
                };
                Reply::redirect(&to)
                    .cookie(self.clear_link())
                    .cookie(flash::set(self, "email_changed"))
            }
            Err(e @ Error::Token { .. }) => self.bad_email_link(r, LinkRefusal::of(&e)),
            Err(e) => self.problem(r, false, &Problem::from_error(&e)),
        }
    }

    async fn account_page(&self, r: &Req, template: &str, section: &str) -> Reply {
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let values = json!({ "username": a.user.username });
        self.page(
            r,
            StatusCode::OK,
            template,
            Some(&a.user),
            json!({ "section": section, "values": values, "title": "Your account" }),
        )
    }

    async fn sessions_page(&self, r: &Req) -> Reply {
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        match self.inner.auth.sessions(&a).await {
            Ok(sessions) => {
                let list: Vec<Value> = sessions
                    .iter()
                    .map(|s| session_view(s, s.digest == a.session.digest, false))
                    .collect();
                self.page(
                    r,
                    StatusCode::OK,
                    "account_sessions.html",
                    Some(&a.user),
                    json!({ "section": "sessions", "sessions": list, "title": "Devices" }),
                )
            }
            Err(e) => self.problem(r, false, &Problem::from_error(&e)),
        }
    }

    async fn account_post(&self, r: &Req, action: &str, sub: Option<&str>) -> Reply {
        let (template, section) = match (action, sub) {
            ("profile", None) => ("account.html", "profile"),
            ("password", None) => ("account_password.html", "password"),
            ("email", None) => ("account_email.html", "email"),
            ("delete", None) => ("account_delete.html", "delete"),
            ("sessions", Some("revoke" | "revoke_others")) => ("account_sessions.html", "sessions"),
            _ => return self.problem(r, false, &Problem::not_found()),
        };
        let fields = match self.form(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let account = format!("{}/account", self.inner.prefix);
        let extra = json!({
            "section": section,
            "values": { "username": fields.text("username"), "new_email": fields.text("new_email") },
            "title": "Your account",
        });
        let result = match (action, sub) {
            ("profile", _) => self
                .inner
                .auth
                .set_username(&a, fields.optional("username"), &r.ctx)
                .await
                .map(|_| Reply::redirect(&account).cookie(flash::set(self, "profile_saved"))),
            ("password", _) => {
                let missing = fields.require(&["current_password", "password", "password_confirm"]);
                if missing.is_empty() {
                    let change = PasswordChange {
                        current_password: fields.text("current_password"),
                        password: fields.text("password"),
                        password_confirm: fields.text("password_confirm"),
                    };
                    self.inner
                        .auth
                        .change_password(&a, change, &r.ctx)
                        .await
                        .map(|_| {
                            Reply::redirect(&account).cookie(flash::set(self, "password_changed"))
                        })
                } else {
                    Err(Error::Validation(missing))
                }
            }
            ("email", _) => {
                let missing = fields.require(&["new_email", "password"]);
                if missing.is_empty() {
                    let change = EmailChange {
                        password: fields.text("password"),
                        new_email: fields.text("new_email").trim().to_owned(),
                    };
                    self.inner
                        .auth
                        .request_email_change(&a, change, &r.ctx)
                        .await
                        .map(|()| {
                            Reply::redirect(&account).cookie(flash::set(self, "email_change_sent"))
                        })
                } else {
                    Err(Error::Validation(missing))
                }
            }
            ("delete", _) => {
                let missing = fields.require(&["password"]);
                if missing.is_empty() {
                    self.inner
                        .auth
                        .delete_account(&a, &fields.text("password"), &r.ctx)
                        .await
                        .map(|()| {
                            Reply::redirect(&self.inner.home)
                                .cookie(self.clear_session_cookie())
                                .cookie(flash::set(self, "account_deleted"))
                        })
                } else {
                    Err(Error::Validation(missing))
                }
            }
            (_, Some("revoke")) => {
                let handle = fields.text("session");
                let current = handle == a.session.digest.to_hex();
                self.inner
                    .auth
                    .revoke_session(&a, &handle, &r.ctx)
                    .await
                    .map(|()| {
                        if current {
                            Reply::redirect(&format!("{}/login", self.inner.prefix))
                                .cookie(self.clear_session_cookie())
                                .cookie(flash::set(self, "signed_out"))
                        } else {
                            Reply::redirect(&format!("{account}/sessions"))
                                .cookie(flash::set(self, "session_revoked"))
                        }
                    })
            }
            (_, _) => self
                .inner
                .auth
                .revoke_other_sessions(&a, &r.ctx)
                .await
                .map(|_| {
                    Reply::redirect(&format!("{account}/sessions"))
                        .cookie(flash::set(self, "sessions_revoked"))
                }),
        };
        match result {
            Ok(reply) => reply,
            Err(e) if section == "sessions" => self.problem(r, false, &Problem::from_error(&e)),
            Err(e) => self.form_problem(r, template, Some(&a), &Problem::from_error(&e), extra),
        }
    }

    /// The signed-in admin, or the reply to send instead.
    pub(crate) async fn admin(&self, r: &Req) -> Result<Authenticated, Reply> {
        let a = self.signed_in(r).await?;
        Requirement::admin(self.inner.auth.config())
            .admit(Some(a))
            .map_err(|(denial, a)| {
                let user = a.as_ref().map(|a| &a.user);
                self.refusal(r, false, denial, user, &self.full_path(r))
            })
    }

    async fn admin_list(&self, r: &Req) -> Reply {
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let query = Fields::from_query(r.query.as_deref());
        let search = query.optional("q");
        let offset = match query.offset() {
            Ok(offset) => offset,
            Err(errors) => {
                let mut p = Problem::validation(&errors);
                if let Some(f) = p.fields.first() {
                    p.message = format!(
                        "The {} in the address is not usable: {}",
                        f.field, f.message
                    );
                }
                return self.problem_as(r, false, &p, Some(&a.user));
            }
        };
        let page = Page {
            offset,
            limit: ADMIN_PAGE,
        };
        match self
            .inner
            .auth
            .admin_list_users(&a, search.as_deref(), page)
            .await
        {
            Ok((users, total)) => {
                let role = self.inner.auth.config().admin_role();
                let users: Vec<UserView> = users.iter().map(|u| UserView::new(u, role)).collect();
                self.page(
                    r,
                    StatusCode::OK,
                    "admin_users.html",
                    Some(&a.user),
                    json!({
                        "title": "Users",
                        "users": users,
                        "total": total,
                        "search": search.unwrap_or_default(),
                        "prev_offset": (offset > 0).then(|| offset.saturating_sub(ADMIN_PAGE)),
                        "next_offset": offset.checked_add(ADMIN_PAGE).filter(|next| *next < total),
                    }),
                )
            }
            Err(e) => self.problem(r, false, &Problem::from_error(&e)),
        }
    }

    async fn admin_user_page(&self, r: &Req, id: &str, problem: Option<&Problem>) -> Reply {
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let Ok(id) = id.parse::<UserId>() else {
            return self.problem(r, false, &Problem::not_found());
        };
        match self.inner.auth.admin_user(&a, id).await {
            Ok(view) => {
                let role = self.inner.auth.config().admin_role();
                let subject = UserView::new(&view.user, role);
                let mut actions = Vec::new();
                if view.user.status == auth_core::AccountStatus::Disabled {
                    actions.push(json!({ "name": "enable", "label": "Enable account", "class": "secondary" }));
                } else {
                    actions.push(
                        json!({ "name": "disable", "label": "Disable account", "class": "danger" }),
                    );
                }
                if view.user.locked_until.is_some() {
                    actions.push(
                        json!({ "name": "unlock", "label": "Lift lock", "class": "secondary" }),
                    );
                }
                actions.push(json!({ "name": "logout", "label": "Sign out everywhere", "class": "secondary" }));
                let sessions: Vec<Value> = view
                    .sessions
                    .iter()
                    .map(|s| session_view(s, false, false))
                    .collect();
                let events: Vec<Value> = view.events.iter().map(|e| event_view(e, false)).collect();
                let status = problem.map_or(StatusCode::OK, |p| p.status);
                self.page(
                    r,
                    status,
                    "admin_user.html",
                    Some(&a.user),
                    json!({
                        "title": view.user.email,
                        "subject": subject,
                        "actions": actions,
                        "sessions": sessions,
                        "events": events,
                        "form_error": problem.map(|p| p.message.clone()),
                        "errors": problem.map(|p| p.fields.iter().map(|f| (f.field.clone(), Value::String(f.message.clone()))).collect::<serde_json::Map<_, _>>()).unwrap_or_default(),
                    }),
                )
            }
            Err(e) => self.problem(r, false, &Problem::from_error(&e)),
        }
    }

    async fn admin_post(&self, r: &Req, id_text: &str, action: &str) -> Reply {
        let fields = match self.form(r) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let a = match self.admin(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let Ok(id) = id_text.parse::<UserId>() else {
            return self.problem(r, false, &Problem::not_found());
        };
        let auth = &self.inner.auth;
        let result = match action {
            "disable" => auth.admin_disable(&a, id, &r.ctx).await,
            "enable" => auth.admin_enable(&a, id, &r.ctx).await,
            "unlock" => auth.admin_unlock(&a, id, &r.ctx).await,
            "logout" => auth.admin_force_logout(&a, id, &r.ctx).await,
            "roles" => {
                let roles = split_roles(&fields.text("roles"));
                auth.admin_set_roles(&a, id, roles, &r.ctx).await
            }
            _ => return self.problem(r, false, &Problem::not_found()),
        };
        match result {
            Ok(()) => Reply::redirect(&format!("{}/admin/users/{id}", self.inner.prefix))
                .cookie(flash::set(self, "admin_done")),
            Err(e) => {
                let p = Problem::from_error(&e);
                if p.status.is_client_error() && p.status != StatusCode::NOT_FOUND {
                    self.admin_user_page(r, id_text, Some(&p)).await
                } else {
                    self.problem(r, false, &p)
                }
            }
        }
    }
}

/// `"admin, editor"` or `"admin,editor"` to a list.
pub(crate) fn split_roles(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
