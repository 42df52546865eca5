//! The key layout (see docs/redis-store.md). Every key starts with the configured prefix.

use auth_core::{SessionDigest, UserId};
use uuid::Uuid;

/// Builds keys under one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Hash: `v` version, `e` email, `u` username (or empty), `d` the user as JSON.
    pub(crate) fn user(&self, id: UserId) -> String {
        format!("{}user:{id}", self.prefix)
    }

    /// Sorted set of the user's session digests, scored by creation (ms).
    pub(crate) fn user_sessions(&self, id: UserId) -> String {
        format!("{}user:{id}:sessions", self.prefix)
    }

    /// String: the id of the user with this normalised email.
    pub(crate) fn email(&self, email: &str) -> String {
        format!("{}email:{email}", self.prefix)
    }

    /// String: the id of the user with this normalised username.
    pub(crate) fn username(&self, username: &str) -> String {
        format!("{}username:{username}", self.prefix)
    }

    /// Sorted set of user ids scored by creation (ms).
    pub(crate) fn users(&self) -> String {
        format!("{}users", self.prefix)
    }

    /// Hash: `d` the session as created (JSON), `u` owner, `ls` last seen, `ie` idle
    /// expiry, `ex` hard expiry (time keys), `exm` hard expiry (ms).
    pub(crate) fn session(&self, digest: &SessionDigest) -> String {
        format!("{}session:{}", self.prefix, digest.to_hex())
    }

    /// Sorted set of session digests scored by death (ms).
    pub(crate) fn session_expiry(&self) -> String {
        format!("{}sessions:expiry", self.prefix)
    }

    /// Hash: `c` count, `e` window end (time key).
    pub(crate) fn counter(&self, name: &str) -> String {
        format!("{}counter:{name}", self.prefix)
    }

    /// Sorted set of counter names scored by window end (ms).
    pub(crate) fn counter_expiry(&self) -> String {
        format!("{}counters:expiry", self.prefix)
    }

    /// Sorted set of message ids scored by next attempt (ms).
    pub(crate) fn outbox_queue(&self) -> String {
        format!("{}outbox:queue", self.prefix)
    }

    /// Hash: `d` the message as queued (JSON), `a` attempts, `n` next attempt (time key),
    /// `le` last error, `f` failed at (time key, only while failed), `c` created at
    /// (time key, set by a retry: it then wins over the JSON's).
    pub(crate) fn outbox_message(&self, id: Uuid) -> String {
        format!("{}outbox:msg:{id}", self.prefix)
    }

    /// Sorted set of failed messages: members `<failed at (time key)>:<id>`, all scored 0,
    /// so that member order is failure time, then id.
    pub(crate) fn outbox_failed(&self) -> String {
        format!("{}outbox:failed", self.prefix)
    }

    /// Sorted set of the user's audit events (JSON) scored by time (ms), capped.
    pub(crate) fn audit_user(&self, id: UserId) -> String {
        format!("{}audit:user:{id}", self.prefix)
    }

    /// Sorted set of audit events about no user, capped.
    pub(crate) fn audit_anonymous(&self) -> String {
        format!("{}audit:anonymous", self.prefix)
    }
}
