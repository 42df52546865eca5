//! What pages and the JSON API show of the engine's records. Never a password hash,
//! security stamp, session id or token.

use auth_core::{AuditEvent, SessionRecord, User};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// `2026-11-22 05:51 UTC`, for pages.
pub(crate) fn human_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// RFC 3339, for JSON.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// The user as the JSON API shows it.
pub(crate) fn user_json(user: &User) -> Value {
    json!({
        "id": user.id.to_string(),
        "email": user.email,
        "username": user.username,
        "email_verified": user.is_verified(),
        "roles": user.roles,
        "disabled": user.status == auth_core::AccountStatus::Disabled,
        "created_at": rfc3339(user.created_at),
        "last_login_at": user.last_login_at.map(rfc3339),
    })
}

/// The user as templates see it (`user.display`, `user.is_admin`, ...).
#[derive(Debug, Serialize)]
pub(crate) struct UserView {
    id: String,
    email: String,
    username: Option<String>,
    display: String,
    verified: bool,
    roles: Vec<String>,
    is_admin: bool,
    disabled: bool,
    locked: bool,
    created_at: String,
    last_login_at: Option<String>,
}

impl UserView {
    pub(crate) fn new(user: &User, admin_role: &str) -> Self {
        let now = OffsetDateTime::now_utc();
        Self {
            id: user.id.to_string(),
            email: user.email.clone(),
            username: user.username.clone(),
            display: user.username.clone().unwrap_or_else(|| user.email.clone()),
            verified: user.is_verified(),
            roles: user.roles.clone(),
            is_admin: user.has_role(admin_role),
            disabled: user.status == auth_core::AccountStatus::Disabled,
            locked: user.locked_until.is_some_and(|t| t > now),
            created_at: human_time(user.created_at),
            last_login_at: user.last_login_at.map(human_time),
        }
    }
}

/// A session in a device list. `handle` is the public id used to revoke it.
pub(crate) fn session_view(s: &SessionRecord, current: bool, for_json: bool) -> Value {
    let t = if for_json { rfc3339 } else { human_time };
    json!({
        "handle": s.digest.to_hex(),
        "current": current,
        "created_at": t(s.created_at),
        "last_seen_at": t(s.last_seen_at),
        "expires_at": t(s.dies_at()),
        "remember": s.remember,
        "user_agent": s.user_agent,
        "ip": s.ip,
    })
}

/// An audit event for the admin pages.
pub(crate) fn event_view(e: &AuditEvent, for_json: bool) -> Value {
    json!({
        "kind": e.kind.as_str(),
        "at": if for_json { rfc3339(e.at) } else { human_time(e.at) },
        "actor_id": e.actor_id.map(|a| a.to_string()),
        "ip": e.ip,
        "detail": e.detail,
    })
}
