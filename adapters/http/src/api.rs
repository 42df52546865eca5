//! The JSON API under `/api/`.

use auth_core::{
    Authenticated, EmailChange, Error, Login, Page, PasswordChange, PasswordReset, RegisterOutcome,
    Registration, UserId,
};
use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::AuthWeb;
use crate::fields::Fields;
use crate::html::split_roles;
use crate::problem::Problem;
use crate::views::{event_view, rfc3339, session_view, user_json};
use crate::web::{Reply, Req};

/// The users one admin listing returns without a `limit`.
const DEFAULT_PAGE: u64 = 50;

/// The most users one admin listing returns; a larger `limit` is clamped to it.
const MAX_PAGE: u64 = 200;

impl AuthWeb {
    /// Routes an API request.
    pub(crate) async fn api(&self, r: &Req) -> Reply {
        let path = r.path.trim_start_matches("/api").trim_matches('/');
        let segs: Vec<&str> = path.split('/').collect();
        let get = r.method == Method::GET;
        let post = r.method == Method::POST;
        let result = match segs.as_slice() {
            ["me"] if get => self.api_me(r).await,
            ["account", "sessions"] if get => self.api_sessions(r).await,
            ["admin", "users"] if get => self.api_admin_users(r).await,
            ["admin", "users", id] if get => self.api_admin_user(r, id).await,
            ["admin", "mail"] if get => self.api_admin_mail(r).await,
            _ if post => {
                let fields = match self.json_body(r) {
                    Ok(f) => f,
                    Err(reply) => return reply,
                };
                self.api_post(r, &segs, &fields).await
            }
            [
                "register"
                | "login"
                | "logout"
                | "logout_everywhere"
                | "verify"
                | "request_password_reset"
                | "reset_password"
                | "email"
                | "account"
                | "admin"
                | "me",
                ..,
            ] => Err(ApiFail::Problem(Problem::method_not_allowed())),
            _ => Err(ApiFail::Problem(Problem::not_found())),
        };
        match result {
            Ok(reply) => reply,
            Err(ApiFail::Problem(p)) => self.problem(r, true, &p),
            Err(ApiFail::Engine(e)) => self.problem(r, true, &Problem::from_error(&e)),
        }
    }

    async fn api_post(&self, r: &Req, segs: &[&str], f: &Fields) -> Result<Reply, ApiFail> {
        let auth = &self.inner.auth;
        match segs {
            ["register"] => {
                require(f, &["email", "password", "password_confirm"])?;
                let outcome = auth
                    .register(
                        Registration {
                            email: f.text("email").trim().to_owned(),
                            username: f.optional("username"),
                            password: f.text("password"),
                            password_confirm: f.text("password_confirm"),
                        },
                        &r.ctx,
                    )
                    .await?;
                let reveal =
                    auth.config().registration() == auth_core::RegistrationMode::RevealConflicts;
                Ok(match outcome {
                    RegisterOutcome::Created(user) if reveal => Reply::json(
                        StatusCode::CREATED,
                        &json!({ "status": "created", "user": user_json(&user) }),
                    ),
                    _ => accepted("Check your inbox: we sent a link to confirm the address."),
                })
            }
            ["login"] => {
                require(f, &["login", "password"])?;
                let success = auth
                    .login(
                        Login {
                            login: f.text("login").trim().to_owned(),
                            password: f.text("password"),
                            remember: f.flag("remember"),
                        },
                        &r.ctx,
                    )
                    .await?;
                self.end_previous_session(r).await;
                Ok(Reply::json(
                    StatusCode::OK,
                    &json!({
                        "user": user_json(&success.user),
                        "session": { "expires_at": rfc3339(success.session.dies_at()), "remember": success.session.remember },
                    }),
                )
                .cookie(self.session_cookie(&success.token, &success.session)))
            }
            ["logout"] => {
                if let Some(token) = self.session_token(&r.headers) {
                    auth.logout(&token, &r.ctx).await?;
                }
                Ok(Reply::new(StatusCode::NO_CONTENT).cookie(self.clear_session_cookie()))
            }
            ["logout_everywhere"] => {
                let a = self.api_user(r).await?;
                let n = auth.logout_everywhere(a.user.id, &r.ctx).await?;
                Ok(Reply::json(StatusCode::OK, &json!({ "revoked": n }))
                    .cookie(self.clear_session_cookie()))
            }
            ["verify"] => {
                require(f, &["token"])?;
                let user = auth.verify_email(&f.text("token"), &r.ctx).await?;
                Ok(Reply::json(
                    StatusCode::OK,
                    &json!({ "user": user_json(&user) }),
                ))
            }
            ["verify", "resend"] => {
                require(f, &["email"])?;
                auth.resend_verification(f.text("email").trim(), &r.ctx)
                    .await?;
                Ok(accepted(
                    "If the address belongs to an account that still needs confirming, a new link is on its way.",
                ))
            }
            ["request_password_reset"] => {
                require(f, &["email"])?;
                auth.request_password_reset(f.text("email").trim(), &r.ctx)
                    .await?;
                Ok(accepted(
                    "If an account exists for this address, we sent it a link to choose a new password.",
                ))
            }
            ["reset_password"] => {
                require(f, &["token", "password", "password_confirm"])?;
                let user = auth
                    .reset_password(
                        PasswordReset {
                            token: f.text("token"),
                            password: f.text("password"),
                            password_confirm: f.text("password_confirm"),
                        },
                        &r.ctx,
                    )
                    .await?;
                Ok(
                    Reply::json(StatusCode::OK, &json!({ "user": user_json(&user) }))
                        .cookie(self.clear_session_cookie()),
                )
            }
            ["email", "confirm"] | ["account", "email", "confirm"] => {
                require(f, &["token"])?;
                let user = auth.confirm_email_change(&f.text("token"), &r.ctx).await?;
                Ok(Reply::json(
                    StatusCode::OK,
                    &json!({ "user": user_json(&user) }),
                ))
            }
            ["account", "profile"] => {
                let a = self.api_user(r).await?;
                let user = auth
                    .set_username(&a, f.optional("username"), &r.ctx)
                    .await?;
                Ok(Reply::json(
                    StatusCode::OK,
                    &json!({ "user": user_json(&user) }),
                ))
            }
            ["account", "password"] => {
                let a = self.api_user(r).await?;
                require(f, &["current_password", "password", "password_confirm"])?;
                let user = auth
                    .change_password(
                        &a,
                        PasswordChange {
                            current_password: f.text("current_password"),
                            password: f.text("password"),
                            password_confirm: f.text("password_confirm"),
                        },
                        &r.ctx,
                    )
                    .await?;
                Ok(Reply::json(
                    StatusCode::OK,
                    &json!({ "user": user_json(&user) }),
                ))
            }
            ["account", "email"] => {
                let a = self.api_user(r).await?;
                require(f, &["new_email", "password"])?;
                auth.request_email_change(
                    &a,
                    EmailChange {
                        password: f.text("password"),
                        new_email: f.text("new_email").trim().to_owned(),
                    },
                    &r.ctx,
                )
                .await?;
                Ok(accepted("We sent a confirmation link to the new address."))
            }
            ["account", "delete"] => {
                let a = self.api_user(r).await?;
                require(f, &["password"])?;
                auth.delete_account(&a, &f.text("password"), &r.ctx).await?;
                Ok(Reply::new(StatusCode::NO_CONTENT).cookie(self.clear_session_cookie()))
            }
            ["account", "sessions", "revoke"] => {
                let a = self.api_user(r).await?;
                require(f, &["session"])?;
                auth.revoke_session(&a, f.text("session").trim(), &r.ctx)
                    .await?;
                Ok(Reply::new(StatusCode::NO_CONTENT))
            }
            ["account", "sessions", "revoke_others"] => {
                let a = self.api_user(r).await?;
                let n = auth.revoke_other_sessions(&a, &r.ctx).await?;
                Ok(Reply::json(StatusCode::OK, &json!({ "revoked": n })))
            }
            ["admin", "mail", id, action] => self.api_admin_mail_post(r, id, action).await,
            ["admin", "mail"] => Err(ApiFail::Problem(Problem::method_not_allowed())),
            ["admin", "users", id, action] => {
                let a = self.api_user(r).await?;
                let id = parse_id(id)?;
                match *action {
                    "disable" => auth.admin_disable(&a, id, &r.ctx).await?,
                    "enable" => auth.admin_enable(&a, id, &r.ctx).await?,
                    "unlock" => auth.admin_unlock(&a, id, &r.ctx).await?,
                    "logout" => auth.admin_force_logout(&a, id, &r.ctx).await?,
                    "roles" => {
                        auth.admin_set_roles(&a, id, split_roles(&f.text("roles")), &r.ctx)
                            .await?;
                    }
                    _ => return Err(ApiFail::Problem(Problem::not_found())),
                }
                Ok(Reply::new(StatusCode::NO_CONTENT))
            }
            ["me"] | ["account", "sessions"] | ["admin", "users", ..] => {
                Err(ApiFail::Problem(Problem::method_not_allowed()))
            }
            _ => Err(ApiFail::Problem(Problem::not_found())),
        }
    }

    /// The signed-in user, or 401.
    pub(crate) async fn api_user(&self, r: &Req) -> Result<Authenticated, ApiFail> {
        self.current_user(&r.headers)
            .await?
            .ok_or(ApiFail::Problem(Problem::unauthenticated()))
    }

    async fn api_me(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        Ok(Reply::json(
            StatusCode::OK,
            &json!({
                "user": user_json(&a.user),
                "session": session_view(&a.session, true, true),
            }),
        ))
    }

    async fn api_sessions(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let sessions = self.inner.auth.sessions(&a).await?;
        let list: Vec<Value> = sessions
            .iter()
            .map(|s| session_view(s, s.digest == a.session.digest, true))
            .collect();
        Ok(Reply::json(StatusCode::OK, &json!({ "sessions": list })))
    }

    async fn api_admin_users(&self, r: &Req) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let q = Fields::from_query(r.query.as_deref());
        let offset = q.offset().map_err(Error::Validation)?;
        let limit = q
            .whole_number("limit")
            .map_err(Error::Validation)?
            .unwrap_or(DEFAULT_PAGE)
            .clamp(1, MAX_PAGE);
        let search = q.optional("q");
        let (users, total) = self
            .inner
            .auth
            .admin_list_users(&a, search.as_deref(), Page { offset, limit })
            .await?;
        let users: Vec<Value> = users.iter().map(user_json).collect();
        Ok(Reply::json(
            StatusCode::OK,
            &json!({ "users": users, "total": total }),
        ))
    }

    async fn api_admin_user(&self, r: &Req, id: &str) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let view = self.inner.auth.admin_user(&a, parse_id(id)?).await?;
        let sessions: Vec<Value> = view
            .sessions
            .iter()
            .map(|s| session_view(s, false, true))
            .collect();
        let events: Vec<Value> = view.events.iter().map(|e| event_view(e, true)).collect();
        Ok(Reply::json(
            StatusCode::OK,
            &json!({ "user": user_json(&view.user), "sessions": sessions, "events": events }),
        ))
    }
}

/// A failed API request.
pub(crate) enum ApiFail {
    Problem(Problem),
    Engine(Error),
}

impl From<Error> for ApiFail {
    fn from(e: Error) -> Self {
        Self::Engine(e)
    }
}

fn require(f: &Fields, names: &[&'static str]) -> Result<(), ApiFail> {
    f.require(names).into_result().map_err(ApiFail::Engine)
}

fn parse_id(id: &str) -> Result<UserId, ApiFail> {
    id.parse()
        .map_err(|_| ApiFail::Problem(Problem::not_found()))
}

fn accepted(message: &str) -> Reply {
    Reply::json(
        StatusCode::ACCEPTED,
        &json!({ "status": "accepted", "message": message }),
    )
}
