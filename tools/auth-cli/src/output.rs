//! What the commands print: text for people, or JSON (`--json`) for programs. Password
//! hashes, security stamps and session digests are never printed.

use auth_core::{AdminUserView, Error, FailedMail, PasskeyCredential, User, WebhookDelivery};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where results go: standard output, as text or JSON.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Out {
    json: bool,
}

impl Out {
    pub(crate) fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether JSON was asked for (progress bars stay hidden then).
    pub(crate) fn is_json(self) -> bool {
        self.json
    }

    /// Prints `value` as one line of JSON, or `text`.
    pub(crate) fn print(self, value: &Value, text: impl FnOnce() -> String) {
        if self.json {
            println!("{value}");
        } else {
            println!("{}", text());
        }
    }

    /// A command that changed something: `{"ok": true, "action": .., "message": ..}`.
    pub(crate) fn done(self, action: &str, message: &str) {
        self.print(
            &json!({ "ok": true, "action": action, "message": message }),
            || message.to_owned(),
        );
    }

    /// One account after a change.
    pub(crate) fn user(self, action: &str, user: &User) {
        self.print(
            &json!({ "ok": true, "action": action, "user": user_json(user) }),
            || format!("{action}: {}", user_line(user)),
        );
    }

    pub(crate) fn users(self, users: &[User], total: u64) {
        let value = json!({
            "total": total,
            "users": users.iter().map(user_json).collect::<Vec<_>>(),
        });
        self.print(&value, || {
            let mut text = format!("{} of {total} accounts", users.len());
            for user in users {
                text.push('\n');
                text.push_str(&user_line(user));
            }
            text
        });
    }

    pub(crate) fn view(self, view: &AdminUserView) {
        let sessions: Vec<Value> = view
            .sessions
            .iter()
            .map(|s| {
                json!({
                    "created_at": timestamp(s.created_at),
                    "last_seen_at": timestamp(s.last_seen_at),
                    "expires_at": timestamp(s.expires_at),
                    "ip": s.ip,
                    "user_agent": s.user_agent,
                })
            })
            .collect();
        let events: Vec<Value> = view
            .events
            .iter()
            .map(|e| {
                json!({
                    "at": timestamp(e.at),
                    "kind": e.kind.as_str(),
                    "actor_id": e.actor_id.map(|a| a.to_string()),
                    "ip": e.ip,
                    "detail": e.detail,
                })
            })
            .collect();
        let value = json!({
            "user": user_json(&view.user),
            "sessions": sessions,
            "events": events,
        });
        self.print(&value, || {
            let u = &view.user;
            let mut text = user_line(u);
            text.push_str(&format!(
                "\n  created {}, last sign-in {}, locked until {}",
                timestamp(u.created_at),
                u.last_login_at.map_or_else(|| "never".into(), timestamp),
                u.locked_until.map_or_else(|| "-".into(), timestamp),
            ));
            text.push_str(&format!("\n  {} live sessions", view.sessions.len()));
            for s in &view.sessions {
                text.push_str(&format!(
                    "\n    since {} from {} ({})",
                    timestamp(s.created_at),
                    s.ip.as_deref().unwrap_or("?"),
                    s.user_agent.as_deref().unwrap_or("?")
                ));
            }
            text.push_str("\n  events, newest first:");
            for e in &view.events {
                text.push_str(&format!(
                    "\n    {} {}{}",
                    timestamp(e.at),
                    e.kind.as_str(),
                    e.detail
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ));
            }
            text
        });
    }

    /// The passkeys of `user`: `{"user", "passkeys": [...]}`.
    pub(crate) fn passkeys(self, user: &User, passkeys: &[PasskeyCredential]) {
        let value = json!({
            "user": user_json(user),
            "passkeys": passkeys.iter().map(passkey_json).collect::<Vec<_>>(),
        });
        self.print(&value, || {
            let mut text = format!("{} passkeys of {}", passkeys.len(), user.email);
            for p in passkeys {
                text.push('\n');
                text.push_str(&passkey_line(p));
            }
            text
        });
    }

    /// Passkeys removed from `user`: `{"ok", "action": "passkeys removed", "user",
    /// "removed": [...]}`.
    pub(crate) fn passkeys_removed(self, user: &User, removed: &[PasskeyCredential]) {
        let value = json!({
            "ok": true,
            "action": "passkeys removed",
            "user": user_json(user),
            "removed": removed.iter().map(passkey_json).collect::<Vec<_>>(),
        });
        self.print(&value, || {
            let mut text = format!("removed {} passkeys of {}", removed.len(), user.email);
            for p in removed {
                text.push('\n');
                text.push_str(&passkey_line(p));
            }
            text
        });
    }

    pub(crate) fn failed_mail(self, mail: &[FailedMail], total: u64) {
        let value = json!({
            "total": total,
            "mail": mail.iter().map(|m| json!({
                "id": m.id.to_string(),
                "to": m.to,
                "kind": m.kind.as_str(),
                "attempts": m.attempts,
                "created_at": timestamp(m.created_at),
                "failed_at": timestamp(m.failed_at),
                "last_error": m.last_error,
            })).collect::<Vec<_>>(),
        });
        self.print(&value, || {
            let mut text = format!("{total} failed mail");
            for m in mail {
                text.push_str(&format!(
                    "\n{}  {} to {}, {} attempts, failed {}: {}",
                    m.id,
                    m.kind.as_str(),
                    m.to,
                    m.attempts,
                    timestamp(m.failed_at),
                    m.last_error
                ));
            }
            text
        });
    }

    pub(crate) fn webhook_deliveries(self, deliveries: &[WebhookDelivery], total: u64) {
        let value = json!({
            "total": total,
            "webhooks": deliveries.iter().map(|d| json!({
                "id": d.id.to_string(),
                "url": d.url,
                "event_type": d.event_type,
                "state": d.state.as_str(),
                "attempts": d.attempts,
                "created_at": timestamp(d.created_at),
                "next_attempt_at": d.next_attempt_at.map(timestamp),
                "finished_at": d.finished_at.map(timestamp),
                "last_outcome": d.last_outcome,
            })).collect::<Vec<_>>(),
        });
        self.print(&value, || {
            let mut text = format!("{total} webhook deliveries");
            for d in deliveries {
                let when = match (d.next_attempt_at, d.finished_at) {
                    (Some(next), _) => format!("next attempt {}", timestamp(next)),
                    (None, Some(at)) => format!("at {}", timestamp(at)),
                    (None, None) => String::new(),
                };
                text.push_str(&format!(
                    "\n{}  {} to {}, {}, {} attempts, {}: {}",
                    d.id,
                    d.event_type,
                    d.url,
                    d.state.as_str(),
                    d.attempts,
                    when,
                    d.last_outcome.as_deref().unwrap_or("-")
                ));
            }
            text
        });
    }
}

fn user_json(user: &User) -> Value {
    json!({
        "id": user.id.to_string(),
        "email": user.email,
        "username": user.username,
        "status": user.status.as_str(),
        "verified": user.is_verified(),
        "roles": user.roles,
        "locked_until": user.locked_until.map(timestamp),
        "created_at": timestamp(user.created_at),
        "last_login_at": user.last_login_at.map(timestamp),
    })
}

/// A passkey as printed: never its public key.
fn passkey_json(p: &PasskeyCredential) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "created_at": timestamp(p.created_at),
        "last_used_at": p.last_used_at.map(timestamp),
        "backup_eligible": p.backup_eligible,
        "backed_up": p.backup_state,
        "transports": p.transports,
    })
}

fn passkey_line(p: &PasskeyCredential) -> String {
    format!(
        "{}  {}  created {}, last used {}{}",
        p.id,
        p.name,
        timestamp(p.created_at),
        p.last_used_at.map_or_else(|| "never".into(), timestamp),
        if p.backup_state { ", synced" } else { "" },
    )
}

fn user_line(user: &User) -> String {
    format!(
        "{}  {}{}  {}{}{}",
        user.id,
        user.email,
        user.username
            .as_deref()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default(),
        user.status.as_str(),
        if user.is_verified() {
            ""
        } else {
            ", unverified"
        },
        if user.roles.is_empty() {
            String::new()
        } else {
            format!(", roles: {}", user.roles.join(" "))
        },
    )
}

pub(crate) fn timestamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// The reasons of a validation error, one `field: message` per field (with a technical
/// detail in parentheses, such as why a password hash is malformed); other errors as
/// their message.
pub(crate) fn reasons(error: &Error) -> String {
    match error {
        Error::Validation(errors) => errors
            .errors()
            .iter()
            .map(|e| match e.reason.as_ref().and_then(|r| r.detail()) {
                // The command line is an operator's tool, in English: it says why a
                // value was malformed, which the web layer keeps to its log.
                Some(detail) => format!("{}: {} ({detail})", e.field, e.message),
                None => format!("{}: {}", e.field, e.message),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Error::Conflict { field } => format!("{field}: already taken by another account"),
        Error::NotFound => "no such account".into(),
        other => other.to_string(),
    }
}

/// `error: ...` with the reasons of a validation error and every cause.
pub(crate) fn error_report(e: &(dyn std::error::Error + 'static)) -> String {
    match e.downcast_ref::<Error>() {
        Some(error @ (Error::Validation(_) | Error::Conflict { .. } | Error::NotFound)) => {
            format!("error: {}", reasons(error))
        }
        _ => demo_support::report(e),
    }
}
