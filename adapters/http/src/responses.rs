//! The JSON API's response bodies, typed: each endpoint answers one of these (or a
//! [`Problem`](crate::Problem)'s error body), so the shape of every answer is declared in
//! one place.

use auth_core::{ProfileSchema, User};
use serde::Serialize;
use utoipa::ToSchema;

use crate::views::{EventBody, FailedMailBody, SessionBody, UserBody, WebhookDeliveryBody};

/// `{"user"}`: the account after a change.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UserReply {
    user: UserBody,
}

impl UserReply {
    pub(crate) fn new(user: &User, schema: &ProfileSchema) -> Self {
        Self {
            user: UserBody::new(user, schema),
        }
    }
}

/// `{"status": "created", "user"}`: a registration, where conflicts may be revealed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Created {
    #[schema(value_type = String, pattern = "^created$")]
    status: &'static str,
    user: UserBody,
}

impl Created {
    pub(crate) fn new(user: UserBody) -> Self {
        Self {
            status: "created",
            user,
        }
    }
}

/// `{"status": "accepted", "message"}`: a request whose outcome is not told (a mail may
/// be on its way).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Accepted {
    #[schema(value_type = String, pattern = "^accepted$")]
    status: &'static str,
    message: String,
}

impl Accepted {
    /// `message` is already in the request's language (see `AuthWeb::accepted`).
    pub(crate) fn new(message: String) -> Self {
        Self {
            status: "accepted",
            message,
        }
    }
}

/// `{"user", "session": {"expires_at", "remember"}}`: a sign-in; with
/// `"token_mode": "bearer"` also `"token"` and `"token_type": "Bearer"`.
#[derive(Serialize, ToSchema)]
pub(crate) struct SignedIn {
    pub(crate) user: UserBody,
    pub(crate) session: NewSession,
    /// The session token (with `"token_mode": "bearer"` only), sent back as
    /// `Authorization: Bearer <token>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) token: Option<String>,
    /// `Bearer`, beside the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, pattern = "^Bearer$")]
    pub(crate) token_type: Option<&'static str>,
    /// The user's role requires a second factor and there is none: this session reaches
    /// only enrolment (`/api/account/second_factor/...`) until one is enrolled. Only
    /// present when `true`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) second_factor_enrolment_required: bool,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("user", &self.user)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

/// The session a sign-in opened.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NewSession {
    pub(crate) expires_at: String,
    pub(crate) remember: bool,
}

/// `{"revoked": n}`: how many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Revoked {
    pub(crate) revoked: u64,
}

/// `{"user", "session"}`: who is signed in, on which session.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Me {
    pub(crate) user: UserBody,
    pub(crate) session: SessionBody,
}

/// `{"sessions": [...]}`: the signed-in user's devices.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Sessions {
    pub(crate) sessions: Vec<SessionBody>,
}

/// `{"users": [...], "total"}`: a page of the admin's user list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Users {
    pub(crate) users: Vec<UserBody>,
    pub(crate) total: u64,
}

/// `{"user", "sessions", "events"}`: one account, for an admin.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AdminUser {
    pub(crate) user: UserBody,
    pub(crate) sessions: Vec<SessionBody>,
    pub(crate) events: Vec<EventBody>,
}

/// `{"mail": [...], "total"}`: a page of the mail the outbox gave up on.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FailedMails {
    pub(crate) mail: Vec<FailedMailBody>,
    pub(crate) total: u64,
}

/// `{"deliveries": [...], "total"}`: a page of the webhook deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WebhookDeliveries {
    pub(crate) deliveries: Vec<WebhookDeliveryBody>,
    pub(crate) total: u64,
}

/// `{"removed"}`: whether there was something to remove.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Removed {
    pub(crate) removed: bool,
}
