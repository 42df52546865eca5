//! The account flows, one module each, a flow's pages and its JSON endpoints together;
//! and the two routers that lead to them: pages by path and method, and the JSON API
//! under `/api/`.

mod access_tokens;
mod account;
mod admin;
mod admin_outbox;
mod api_keys;
mod authenticator;
mod code_step;
mod email_codes;
mod passkey_sign_up;
mod passkey_step_up;
mod passkeys;
mod password_reset;
mod picture;
mod registration;
mod second_factor;
mod sessions;
mod sign_in;
mod social;
mod step_up;

pub use passkeys::PASSKEY_SCRIPT;
// The reply types the OpenAPI document describes (`crate::openapi`).
pub(crate) use access_tokens::TokenBody;
pub(crate) use api_keys::{ApiKeys, CreatedKey};
pub(crate) use passkeys::{ChallengeReply, PasskeyReply, PasskeysReply};
pub(crate) use picture::PictureReply;
pub(crate) use second_factor::{EnrolmentReply, PendingReply, RecoveryCodesReply, StatusReply};
pub(crate) use social::{
    IdentitiesReply, IdentityReply, LinkRequired, ProviderStarted, ProvidersReply,
};
pub(crate) use step_up::SteppedUp;
pub use step_up::{REAUTH_PAGE, SECOND_FACTOR_PAGE};

use admin_outbox::{FailedMailList, WebhookDeliveryList};
use auth_core::{Authenticated, Error, Purpose};
use http::Method;

use crate::AuthWeb;
use crate::fields::Fields;
use crate::kind::RequestKind;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::templates::Template;

impl AuthWeb {
    /// A 202 `{"status": "accepted", "message"}` of the JSON API, its message the text
    /// `key` of `messages.ftl` in the language of request `r`.
    pub(super) fn accepted(&self, r: &Req, key: &str) -> Reply {
        Reply::json(
            http::StatusCode::ACCEPTED,
            &crate::responses::Accepted::new(self.text(r, key)),
        )
    }
}

/// First path segments of the page routes, to tell 405 from 404.
const PAGE_ROOTS: &[&str] = &[
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
    "pictures",
    "reauth",
    ".well-known",
    "oidc",
];

/// First path segments of the API routes, to tell 405 from 404.
const API_ROOTS: &[&str] = &[
    "register",
    "login",
    "logout",
    "logout_everywhere",
    "verify",
    "request_password_reset",
    "reset_password",
    "email",
    "account",
    "admin",
    "me",
    "password",
    "reauth",
    "token",
    "oidc",
    "openapi.json",
];

/// Whether `relative_path` is a picture upload, whose body may be larger than a form's
/// ([`AuthWeb::upload_limit`]).
pub(crate) fn is_upload(relative_path: &str) -> bool {
    matches!(
        relative_path.trim_end_matches('/'),
        "/account/picture" | "/api/account/picture"
    )
}

impl AuthWeb {
    /// Routes a request of the layer to its page or endpoint.
    pub(crate) async fn route(&self, r: &Req) -> Reply {
        match r.kind() {
            RequestKind::Api => self.api(r).await,
            RequestKind::Page => self.pages(r).await,
        }
    }

    /// Routes a page request.
    async fn pages(&self, r: &Req) -> Reply {
        let path = r.path.trim_start_matches('/').trim_end_matches('/');
        let segs: Vec<&str> = path.split('/').collect();
        let get = r.method == Method::GET;
        let post = r.method == Method::POST;
        match segs.as_slice() {
            [""] if get => self.index(r).await,
            ["static", file] if get => self.static_file(file),
            ["login", "email"] if get => self.code_form(r, Template::LoginEmail).await,
            ["login", "email"] if post => self.login_email_post(r).await,
            ["login", "email", "code"] if get => self.code_form(r, Template::LoginEmailCode).await,
            ["login", "email", "code"] if post => self.login_email_code_post(r).await,
            ["login", "email", "link"] if get => self.login_email_link_page(r).await,
            ["login", "email", "link"] if post => self.login_email_link_post(r).await,
            ["login", "email", token] if get => self.stash_sign_in_link(token),
            ["verify", "code"] if get => self.code_form(r, Template::VerifyCode).await,
            ["verify", "code"] if post => self.verify_code_post(r).await,
            ["reset", "code"] if get => self.code_form(r, Template::ResetCode).await,
            ["reset", "code"] if post => self.reset_code_post(r).await,
            ["login"] if get => self.login_page(r).await,
            ["login"] if post => self.login_post(r).await,
            ["login", "second_factor"] if get => self.code_step_page(r).await,
            ["login", "second_factor"] if post => self.code_step_post(r).await,
            ["login", "second_factor", "passkey"] if post => self.passkey_step_post(r).await,
            ["login", "passkey"] if post => self.login_passkey_post(r).await,
            ["logout"] if post => self.logout_post(r).await,
            ["reauth"] if get => self.reauth_page(r).await,
            ["reauth"] if post => self.reauth_post(r).await,
            ["reauth", "passkey"] if post => self.reauth_passkey_post(r).await,
            ["register"] if get => self.simple_form(r, Template::Register).await,
            ["register"] if post => self.register_post(r).await,
            ["register", "passkey"] if post => self.register_passkey_post(r).await,
            ["verify"] if get => self.verify_page(r).await,
            ["verify"] if post => self.verify_post(r).await,
            ["verify", "resend"] if get => self.simple_form(r, Template::VerifyResend).await,
            ["verify", "resend"] if post => self.resend_post(r).await,
            ["verify", token] if get => self.stash_link(Purpose::VerifyEmail, token, "/verify"),
            ["request_password_reset"] if get => self.simple_form(r, Template::RequestReset).await,
            ["request_password_reset"] if post => self.request_reset_post(r).await,
            ["reset"] if get => self.reset_page(r).await,
            ["reset"] if post => self.reset_post(r, None).await,
            ["reset", token] if get => self.stash_link(Purpose::ResetPassword, token, "/reset"),
            ["reset", token] if post => self.reset_post(r, Some(token)).await,
            ["email", "confirm"] if get => self.email_confirm_page(r).await,
            ["email", "confirm"] if post => self.email_confirm_post(r).await,
            ["email", "confirm", token] if get => {
                self.stash_link(Purpose::ChangeEmail, token, "/email/confirm")
            }
            ["account"] | ["account", "profile"] if get => {
                self.account_page(r, account::Section::Profile).await
            }
            ["account", "password"] if get => {
                self.account_page(r, account::Section::Password).await
            }
            ["account", "email"] if get => self.account_page(r, account::Section::Email).await,
            ["account", "delete"] if get => self.account_page(r, account::Section::Delete).await,
            ["account", "sessions"] if get => self.sessions_page(r).await,
            ["account", "second_factor"] if get => self.second_factor_page(r).await,
            ["account", "second_factor", "enrol"] if post => self.enrol_post(r).await,
            ["account", "second_factor", "enrol", "finish"] if post => {
                self.enrol_finish_post(r).await
            }
            ["account", "second_factor", "recovery_codes"] if post => {
                self.recovery_codes_post(r).await
            }
            ["account", "second_factor", "recovery_codes", "download"] if post => {
                self.recovery_codes_download(r).await
            }
            ["account", "second_factor", "disable"] if post => {
                self.second_factor_disable_post(r).await
            }
            ["account", "profile"] if post => self.profile_post(r).await,
            ["account", "language"] if post => self.language_post(r).await,
            ["account", "password"] if post => self.password_post(r).await,
            ["account", "email"] if post => self.email_post(r).await,
            ["account", "delete"] if post => self.delete_post(r).await,
            ["account", "sessions", "revoke"] if post => self.revoke_post(r).await,
            ["account", "sessions", "revoke_others"] if post => self.revoke_others_post(r).await,
            ["account", "api_keys"] if get => self.api_keys_page(r).await,
            ["account", "api_keys"] if post => self.api_key_create_post(r).await,
            ["account", "api_keys", "revoke"] if post => self.api_key_revoke_post(r).await,
            ["account", "api_keys", "revoke_all"] if post => self.api_keys_revoke_all_post(r).await,
            ["account", "passkeys"] if get => self.passkeys_page(r).await,
            ["account", "passkeys"] if post => self.passkey_register_post(r).await,
            ["account", "passkeys", "rename"] if post => self.passkey_rename_post(r).await,
            ["account", "passkeys", "remove"] if post => self.passkey_remove_post(r).await,
            ["account", "picture"] if post => self.picture_post(r).await,
            ["account", "picture", "remove"] if post => self.picture_remove_post(r).await,
            ["oidc", "link"] if get => self.oidc_link_page(r).await,
            ["oidc", "link"] if post => self.oidc_link_post(r).await,
            ["oidc", name, "start"] if get => self.oidc_start(r, name).await,
            ["oidc", name, "callback"] if get => self.oidc_callback(r, name).await,
            ["account", "identities"] if get => self.identities_page(r).await,
            ["account", "identities", "unlink"] if post => self.identity_unlink_post(r).await,
            ["pictures", id, version] if get => self.picture_get(r, id, version).await,
            ["admin"] if get => self.admin_list(r).await,
            ["admin", "users", id] if get => self.admin_user_page(r, id, None).await,
            ["admin", "users", id, action] if post => self.admin_post(r, id, action).await,
            ["admin", "mail"] if get => self.admin_outbox_page::<FailedMailList>(r).await,
            ["admin", "mail", id, action] if post => {
                self.admin_outbox_post::<FailedMailList>(r, id, action)
                    .await
            }
            ["admin", "webhooks"] if get => self.admin_outbox_page::<WebhookDeliveryList>(r).await,
            ["admin", "webhooks", id, action] if post => {
                self.admin_outbox_post::<WebhookDeliveryList>(r, id, action)
                    .await
            }
            [".well-known", "jwks.json"] if get => self.jwks_reply(),
            ["logout"]
            | ["account", "language"]
            | ["account", "sessions", _]
            | ["account", "second_factor", _, ..]
            | ["account", "api_keys", _]
            | ["account", "passkeys", _]
            | ["login", "passkey"]
            | ["login", "second_factor", "passkey"]
            | ["register", "passkey"]
            | ["reauth", "passkey"]
            | ["account", "identities", _]
            | ["oidc", _, _]
            | ["admin", "users", _, _]
            | ["admin", "mail", _, _]
            | ["admin", "webhooks", _, _]
                if get =>
            {
                self.problem(r, &Problem::method_not_allowed())
            }
            ["admin", "mail" | "webhooks"] if post => {
                self.problem(r, &Problem::method_not_allowed())
            }
            [first, ..] if !get && !post && PAGE_ROOTS.contains(first) => {
                self.problem(r, &Problem::method_not_allowed())
            }
            _ => self.problem(r, &Problem::not_found()),
        }
    }

    /// Routes an API request.
    async fn api(&self, r: &Req) -> Reply {
        let path = r.path.trim_start_matches("/api").trim_matches('/');
        let segs: Vec<&str> = path.split('/').collect();
        let get = r.method == Method::GET;
        let post = r.method == Method::POST;
        let result = match segs.as_slice() {
            ["me"] if get => self.api_me(r).await,
            ["account", "sessions"] if get => self.api_sessions(r).await,
            ["account", "second_factor"] if get => self.api_second_factor_status(r).await,
            ["account", "api_keys"] if get => self.api_api_keys(r).await,
            ["account", "passkeys"] if get => self.api_passkeys(r).await,
            ["admin", "users"] if get => self.api_admin_users(r).await,
            ["admin", "users", id] if get => self.api_admin_user(r, id).await,
            ["admin", "mail"] if get => self.api_admin_outbox::<FailedMailList>(r).await,
            ["admin", "webhooks"] if get => self.api_admin_outbox::<WebhookDeliveryList>(r).await,
            ["account", "picture"] if get => self.api_picture(r).await,
            ["oidc", "providers"] if get => Ok(self.api_providers()),
            ["openapi.json"] if get => Ok(self.openapi_reply()),
            ["account", "identities"] if get => self.api_identities(r).await,
            ["account", "picture"] if post => self.api_picture_upload(r).await,
            _ if post => match self.submitted(r) {
                Ok(fields) => self.api_post(r, &segs, &fields).await,
                Err(reply) => return reply,
            },
            [first, ..] if API_ROOTS.contains(first) => {
                Err(ApiFail::Problem(Problem::method_not_allowed()))
            }
            _ => Err(ApiFail::Problem(Problem::not_found())),
        };
        match result {
            Ok(reply) => reply,
            Err(ApiFail::Problem(p)) => self.problem(r, &p),
            Err(ApiFail::Engine(e)) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// Routes a `POST` of the API, its JSON body read.
    async fn api_post(&self, r: &Req, segs: &[&str], f: &Fields) -> Result<Reply, ApiFail> {
        match segs {
            ["register"] => self.api_register(r, f).await,
            ["register", "passkey", "start"] => self.api_passkey_sign_up_start(r, f).await,
            ["register", "passkey", "finish"] => self.api_passkey_sign_up_finish(r, f).await,
            ["login"] => self.api_login(r, f).await,
            ["login", "second_factor"] => self.api_login_second_factor(r, f).await,
            ["login", "email"] => self.api_login_email(r, f).await,
            ["login", "passkey", "start"] => self.api_passkey_sign_in_start(r).await,
            ["login", "passkey", "finish"] => self.api_passkey_sign_in_finish(r, f).await,
            ["login", "second_factor", "passkey", "start"] => {
                self.api_passkey_second_factor_start(f).await
            }
            ["login", "second_factor", "passkey", "finish"] => {
                self.api_passkey_second_factor_finish(r, f).await
            }
            ["login", "email", "code"] => self.api_login_email_code(r, f).await,
            ["login", "email", "link"] => self.api_login_email_link(r, f).await,
            ["verify", "code"] => self.api_verify_code(r, f).await,
            ["password", "reset", "code"] => self.api_reset_code(r, f).await,
            ["account", "second_factor", "totp", "start"] => self.api_totp_start(r).await,
            ["account", "second_factor", "totp", "finish"] => self.api_totp_finish(r, f).await,
            ["account", "second_factor", "recovery_codes"] => self.api_recovery_codes(r, f).await,
            ["account", "second_factor", "disable"] => self.api_second_factor_disable(r, f).await,
            ["logout"] => self.api_logout(r).await,
            ["token"] => self.api_token(r, f).await,
            ["reauth"] => self.api_reauth(r, f).await,
            ["reauth", "passkey", "start"] => self.api_passkey_reauth_start(r).await,
            ["reauth", "passkey", "finish"] => self.api_passkey_reauth_finish(r, f).await,
            ["logout_everywhere"] => self.api_logout_everywhere(r).await,
            ["verify"] => self.api_verify(r, f).await,
            ["verify", "resend"] => self.api_resend(r, f).await,
            ["request_password_reset"] => self.api_request_reset(r, f).await,
            ["reset_password"] => self.api_reset(r, f).await,
            ["email", "confirm"] | ["account", "email", "confirm"] => {
                self.api_email_confirm(r, f).await
            }
            ["account", "profile"] => self.api_profile(r, f).await,
            ["account", "language"] => self.api_language(r, f).await,
            ["account", "password"] => self.api_password(r, f).await,
            ["account", "email"] => self.api_email(r, f).await,
            ["account", "delete"] => self.api_delete(r, f).await,
            ["account", "sessions", "revoke"] => self.api_revoke(r, f).await,
            ["account", "sessions", "revoke_others"] => self.api_revoke_others(r).await,
            ["account", "picture", "remove"] => self.api_picture_remove(r).await,
            ["account", "api_keys"] => self.api_create_api_key(r, f).await,
            ["account", "passkeys", "register", "start"] => {
                self.api_passkey_register_start(r).await
            }
            ["account", "passkeys", "register", "finish"] => {
                self.api_passkey_register_finish(r, f).await
            }
            ["account", "passkeys", "rename"] => self.api_passkey_rename(r, f).await,
            ["account", "passkeys", "remove"] => self.api_passkey_remove(r, f).await,
            ["account", "api_keys", "revoke"] => self.api_revoke_api_key(r, f).await,
            ["account", "api_keys", "revoke_all"] => self.api_revoke_api_keys(r).await,
            ["oidc", "link"] => self.api_oidc_link(r, f).await,
            ["oidc", name, "start"] => self.api_oidc_start(r, name, f).await,
            ["oidc", name, "callback"] => self.api_oidc_callback(r, name, f).await,
            ["account", "identities", "unlink"] => self.api_identity_unlink(r, f).await,
            ["admin", "mail", id, action] => {
                self.api_admin_outbox_post::<FailedMailList>(r, id, action)
                    .await
            }
            ["admin", "webhooks", id, action] => {
                self.api_admin_outbox_post::<WebhookDeliveryList>(r, id, action)
                    .await
            }
            ["admin", "users", id, action] => self.api_admin_action(r, id, action, f).await,
            ["me"]
            | ["account", "sessions"]
            | ["account", "second_factor"]
            | ["account", "passkeys"]
            | ["account", "identities"]
            | ["oidc", "providers"]
            | ["openapi.json"]
            | ["admin", "mail"]
            | ["admin", "webhooks"]
            | ["admin", "users", ..] => Err(ApiFail::Problem(Problem::method_not_allowed())),
            _ => Err(ApiFail::Problem(Problem::not_found())),
        }
    }

    /// The signed-in user of an API request, or 401; 403
    /// `second_factor_enrolment_required` for a user who must enrol a second factor,
    /// on any route but enrolment's.
    pub(crate) async fn api_user(&self, r: &Req) -> Result<Authenticated, ApiFail> {
        let a = self
            .current_user(&r.headers)
            .await?
            .ok_or(ApiFail::Problem(Problem::unauthenticated()))?;
        self.enforce_enrolment(r, &a).map_err(ApiFail::Problem)?;
        r.prefer(
            self.inner.auth.config().catalogues(),
            self.inner.auth.account_language(&a.user),
        );
        Ok(a)
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

impl From<auth_core::ValidationErrors> for ApiFail {
    fn from(errors: auth_core::ValidationErrors) -> Self {
        Self::Engine(Error::Validation(errors))
    }
}
