//! The key layout (see docs/redis-store.md). Every key starts with the configured prefix.
//!
//! Keys that a script or a transaction reads or writes together carry the same hash tag,
//! so that in a Redis Cluster they hash to one slot (Redis refuses anything else), and
//! on one server the layout is the same:
//!
//! - `P{Paccounts}:` users, their email and username claims, the user list, sessions and
//!   the session indexes, API keys and their indexes: uniqueness is claimed atomically with the user, a user is
//!   deleted with every session in one script, and `session_with_user` reads a session
//!   and its owner in one round trip. A session is found by its digest alone, so a
//!   session can only share a slot with its owner if all accounts share one. API keys
//!   follow sessions: found by digest alone, deleted with their owner in one script.
//! - `P{Pcounters}:` counters and their expiry index.
//! - `P{Poutbox}:` the queue, the messages, the failed set, and the webhook calls' sets.
//! - `P ephemeral:<key>`: no tag; each entry is used alone.
//! - `P audit:user:<id>` and `P audit:anonymous`: no tag. Each is used alone, so the
//!   trails spread over the cluster's slots.
//!
//! The prefix is inside the tags, so that stores under different prefixes land on
//! different slots (and, in a cluster, usually on different primaries).

use auth_core::{ApiKeyDigest, SessionDigest, UserId};
use uuid::Uuid;

/// Builds keys under one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
    accounts: String,
    counters: String,
    outbox: String,
}

impl Keys {
    /// Keys under `prefix`, which contains no `{` or `}` (checked by the configuration).
    pub(crate) fn new(prefix: &str) -> Self {
        let group = |name: &str| format!("{prefix}{{{prefix}{name}}}:");
        Self {
            prefix: prefix.to_owned(),
            accounts: group("accounts"),
            counters: group("counters"),
            outbox: group("outbox"),
        }
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// What the keys of the accounts slot start with: the scripts that derive account
    /// keys from stored data (a user's old email claim, the sessions of a user being
    /// deleted) take it as `ARGV[1]`.
    pub(crate) fn accounts(&self) -> &str {
        &self.accounts
    }

    /// What the keys of the counters slot start with.
    pub(crate) fn counters(&self) -> &str {
        &self.counters
    }

    /// What the keys of the outbox slot start with.
    pub(crate) fn outbox(&self) -> &str {
        &self.outbox
    }

    /// Hash: `v` version, `e` email, `u` username (or empty), `d` the user as JSON.
    pub(crate) fn user(&self, id: UserId) -> String {
        format!("{}user:{id}", self.accounts)
    }

    /// Sorted set of the user's session digests, scored by creation (ms).
    /// String: a passkey's JSON, by credential id (in the accounts slot, so a user's
    /// passkeys go with the user in one script).
    pub(crate) fn passkey(&self, id: &str) -> String {
        format!("{}passkey:{id}", self.accounts)
    }

    /// Set: the credential ids of a user's passkeys.
    pub(crate) fn user_passkeys(&self, id: UserId) -> String {
        format!("{}user:{id}:passkeys", self.accounts)
    }

    /// String: the user's ways-in version (absent: 0), bumped by the scripts that remove
    /// a passkey or unlink an identity at a version; deleted with the user.
    pub(crate) fn user_ways_in(&self, id: UserId) -> String {
        format!("{}user:{id}:ways-in", self.accounts)
    }

    pub(crate) fn user_sessions(&self, id: UserId) -> String {
        format!("{}user:{id}:sessions", self.accounts)
    }

    /// String: the id of the user with this normalised email.
    pub(crate) fn email(&self, email: &str) -> String {
        format!("{}email:{email}", self.accounts)
    }

    /// String: the id of the user with this normalised username.
    pub(crate) fn username(&self, username: &str) -> String {
        format!("{}username:{username}", self.accounts)
    }

    /// Sorted set of user ids scored by creation (ms).
    pub(crate) fn users(&self) -> String {
        format!("{}users", self.accounts)
    }

    /// Hash: `d` the session as created (JSON), `u` owner, `ls` last seen, `ie` idle
    /// expiry, `ex` hard expiry (time keys), `exm` hard expiry (ms).
    pub(crate) fn session(&self, digest: &SessionDigest) -> String {
        format!("{}session:{}", self.accounts, digest.to_hex())
    }

    /// Sorted set of session digests scored by death (ms).
    pub(crate) fn session_expiry(&self) -> String {
        format!("{}sessions:expiry", self.accounts)
    }

    /// String: the revision of users and sessions (see `RevisionStore`), an integer.
    pub(crate) fn revision(&self) -> String {
        format!("{}revision", self.accounts)
    }

    /// Hash: `d` the API key as created (JSON), `u` owner, `i` public id, `lu` last use
    /// (time key) and `li` its address, once used.
    pub(crate) fn api_key(&self, digest: &ApiKeyDigest) -> String {
        format!("{}apikey:{}", self.accounts, digest.to_hex())
    }

    /// String: the digest (hex) of the API key with this public id.
    pub(crate) fn api_key_id(&self, id: &str) -> String {
        format!("{}apikey-id:{id}", self.accounts)
    }

    /// Sorted set of the user's API key digests (hex), scored by creation (ms).
    pub(crate) fn user_api_keys(&self, id: UserId) -> String {
        format!("{}user:{id}:apikeys", self.accounts)
    }

    /// Hash: `u` the owner's id, `d` the linked identity (JSON). The provider name has no
    /// `:` (see `auth_core::identity::check_provider`), so `<provider>:<subject>` (the
    /// member in [`Keys::user_identities`]) names one identity.
    pub(crate) fn identity(&self, provider: &str, subject: &str) -> String {
        format!(
            "{}identity:{}",
            self.accounts,
            identity_member(provider, subject)
        )
    }

    /// Set of the `<provider>:<subject>` members of the user's identities.
    pub(crate) fn user_identities(&self, id: UserId) -> String {
        format!("{}user:{id}:identities", self.accounts)
    }

    /// Hash: `c` count, `e` window end (time key).
    pub(crate) fn counter(&self, name: &str) -> String {
        format!("{}counter:{name}", self.counters)
    }

    /// Sorted set of counter names scored by window end (ms).
    pub(crate) fn counter_expiry(&self) -> String {
        format!("{}counters:expiry", self.counters)
    }

    /// Sorted set of message ids scored by next attempt (ms).
    pub(crate) fn outbox_queue(&self) -> String {
        format!("{}queue", self.outbox)
    }

    /// Hash: `d` the message as queued (JSON), `a` attempts, `n` next attempt (time key),
    /// `le` last error (for a delivered webhook call, its outcome), `f` failed at (time
    /// key, only while failed), `c` created at (time key, set by a retry: it then wins
    /// over the JSON's); for a webhook call also `wk` its member in
    /// [`Keys::outbox_webhooks`] and, once delivered, `dv` the time (time key).
    pub(crate) fn outbox_message(&self, id: Uuid) -> String {
        format!("{}msg:{id}", self.outbox)
    }

    /// Sorted set of failed mail (never webhook calls): members
    /// `<failed at (time key)>:<id>`, all scored 0, so that member order is failure
    /// time, then id.
    pub(crate) fn outbox_failed(&self) -> String {
        format!("{}failed", self.outbox)
    }

    /// Sorted set of every webhook call, whatever its state: members
    /// `<created at (time key)>:<id>` (the message's `wk` field), all scored 0, so that
    /// member order is creation time, then id.
    pub(crate) fn outbox_webhooks(&self) -> String {
        format!("{}webhooks", self.outbox)
    }

    /// Sorted set of delivered webhook calls: members `<delivered at (time key)>:<id>`,
    /// all scored 0, so that a purge takes a lexicographic range.
    pub(crate) fn outbox_delivered(&self) -> String {
        format!("{}delivered", self.outbox)
    }

    /// Hash of the user's uploaded picture: `t` content type, `v` version, `at` upload
    /// time (Unix seconds), `b` the bytes. No tag: each is used alone.
    pub(crate) fn picture(&self, id: UserId) -> String {
        format!("{}picture:{id}", self.prefix)
    }

    /// Hash: `v` the value, `e` its expiry (time key); expires natively at that instant.
    pub(crate) fn ephemeral(&self, key: &str) -> String {
        format!("{}ephemeral:{key}", self.prefix)
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

/// How an identity is named in a user's identity index.
pub(crate) fn identity_member(provider: &str, subject: &str) -> String {
    format!("{provider}:{subject}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash tag Redis Cluster hashes a key by: the text between the first `{` and
    /// the first `}` after it, when not empty; otherwise the whole key.
    fn hash_tag(key: &str) -> &str {
        key.find('{')
            .and_then(|open| {
                let rest = &key[open + 1..];
                rest.find('}')
                    .filter(|close| *close > 0)
                    .map(|close| &rest[..close])
            })
            .unwrap_or(key)
    }

    #[test]
    fn each_group_shares_one_tag_and_groups_and_prefixes_differ() {
        let keys = Keys::new("app:");
        let id = UserId::new();
        let digest = SessionDigest::from_bytes([7; 32]);
        let accounts = [
            keys.user(id),
            keys.user_sessions(id),
            keys.email("a{b}@example.test"),
            keys.username("}{"),
            keys.users(),
            keys.session(&digest),
            keys.session_expiry(),
            keys.api_key(&ApiKeyDigest::from_bytes([9; 32])),
            keys.api_key_id("0123456789ab"),
            keys.user_api_keys(id),
            keys.identity("idp", "{sub}"),
            keys.user_identities(id),
        ];
        for key in &accounts {
            assert!(key.starts_with("app:"), "{key}");
            assert_eq!(hash_tag(key), "app:accounts", "{key}");
        }
        for key in [keys.counter("login:{x}"), keys.counter_expiry()] {
            assert_eq!(hash_tag(&key), "app:counters", "{key}");
        }
        let id = Uuid::new_v4();
        for key in [
            keys.outbox_queue(),
            keys.outbox_message(id),
            keys.outbox_failed(),
            keys.outbox_webhooks(),
            keys.outbox_delivered(),
        ] {
            assert_eq!(hash_tag(&key), "app:outbox", "{key}");
        }
        // Audit trails carry no tag: each hashes by its whole name.
        let trail = keys.audit_user(UserId::new());
        assert_eq!(hash_tag(&trail), trail);
        assert_eq!(
            hash_tag(&Keys::new("other:").users()),
            "other:accounts",
            "another prefix, another slot"
        );
        assert_eq!(hash_tag(&Keys::new("").users()), "accounts");
    }
}
