//! Every statement the store runs, built once per store from the table prefix and the
//! backend's dialect. The prefix is validated as an identifier before it gets here; every
//! value is a bind parameter.

use sqlx::{AssertSqlSafe, SqlSafeStr as _, SqlStr};

use crate::Backend;

/// Columns of a user, in the order of [`Queries::create_user`]'s parameters.
pub(crate) const USER_COLUMNS: &str = "id, email, username, password_hash, status, \
     email_verified_at, roles, security_stamp, locked_until, lockout_count, created_at, \
     updated_at, last_login_at, version, profile, second_factor, language";

/// Columns of a session, aliased with `s_` (see [`crate::codec::session_from_row`]).
pub(crate) const SESSION_COLUMNS: &str = "s.digest AS s_digest, s.user_id AS s_user_id, \
     s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at, \
     s.expires_at AS s_expires_at, s.idle_expires_at AS s_idle_expires_at, \
     s.remember AS s_remember, s.user_agent AS s_user_agent, s.ip AS s_ip, \
     s.amr AS s_amr, s.auth_time AS s_auth_time, s.proved_at AS s_proved_at";

/// Columns of an outbox message.
pub(crate) const OUTBOX_COLUMNS: &str = "id, to_address, subject, text_body, html_body, kind, \
     attempts, next_attempt_at, created_at, last_error";

/// Columns of a failed outbox message as an administrator sees it (no bodies).
pub(crate) const FAILED_COLUMNS: &str =
    "id, to_address, kind, attempts, created_at, failed_at, last_error";

/// Columns of a webhook call as an administrator sees it (no body).
pub(crate) const WEBHOOK_COLUMNS: &str = "id, to_address, subject, attempts, created_at, \
     next_attempt_at, failed_at, delivered_at, last_error";

/// The `kind` of a webhook call's row (mail rows hold a [`auth_core::MailKind`] name).
pub(crate) const WEBHOOK_KIND: &str = "webhook";

/// Columns of an audit event.
pub(crate) const AUDIT_COLUMNS: &str = "id, occurred_at, kind, user_id, actor_id, ip, detail";

/// Rows deleted per statement by the purge, so that a large backlog never holds locks
/// for long.
pub(crate) const PURGE_BATCH: i64 = 1000;

/// Columns of an API key, in the order of [`ApiKeyQueries::create`]'s parameters.
pub(crate) const API_KEY_COLUMNS: &str = "digest, id, user_id, name, scopes, created_at, \
     expires_at, last_used_at, last_used_ip";

/// The statements of the API key store.
#[derive(Debug)]
pub(crate) struct ApiKeyQueries {
    pub(crate) create: SqlStr,
    pub(crate) by_digest: SqlStr,
    pub(crate) for_user: SqlStr,
    pub(crate) touch: SqlStr,
    pub(crate) delete_one: SqlStr,
    pub(crate) delete_for_user: SqlStr,
}

impl ApiKeyQueries {
    fn new(backend: Backend, prefix: &str) -> Self {
        let keys = format!("{prefix}api_keys");
        let q = |sql: String| finish(backend, sql);
        Self {
            create: q(format!(
                "INSERT INTO {keys} ({API_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )),
            by_digest: q(format!(
                "SELECT {API_KEY_COLUMNS} FROM {keys} WHERE digest = ?"
            )),
            for_user: q(format!(
                "SELECT {API_KEY_COLUMNS} FROM {keys} WHERE user_id = ? \
                 ORDER BY created_at DESC, id DESC"
            )),
            touch: q(format!(
                "UPDATE {keys} SET last_used_at = ?, last_used_ip = ? WHERE digest = ?"
            )),
            delete_one: q(format!("DELETE FROM {keys} WHERE user_id = ? AND id = ?")),
            delete_for_user: q(format!("DELETE FROM {keys} WHERE user_id = ?")),
        }
    }
}

/// Columns of a linked identity, in the order of [`IdentityQueries::link`]'s parameters.
pub(crate) const IDENTITY_COLUMNS: &str =
    "provider, subject, user_id, email, email_verified, linked_at, last_used_at";

/// The statements of the identity store.
#[derive(Debug)]
pub(crate) struct IdentityQueries {
    pub(crate) link: SqlStr,
    pub(crate) by_key: SqlStr,
    pub(crate) for_user: SqlStr,
    pub(crate) touch: SqlStr,
    pub(crate) unlink: SqlStr,
    pub(crate) unlink_for_user: SqlStr,
    pub(crate) keep_tokens: SqlStr,
    pub(crate) tokens: SqlStr,
}

impl IdentityQueries {
    fn new(backend: Backend, prefix: &str) -> Self {
        let table = format!("{prefix}identities");
        let q = |sql: String| finish(backend, sql);
        Self {
            link: q(format!(
                "INSERT INTO {table} ({IDENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
            )),
            by_key: q(format!(
                "SELECT {IDENTITY_COLUMNS} FROM {table} WHERE provider = ? AND subject = ?"
            )),
            for_user: q(format!(
                "SELECT {IDENTITY_COLUMNS} FROM {table} WHERE user_id = ? \
                 ORDER BY linked_at, provider, subject"
            )),
            touch: q(format!(
                "UPDATE {table} SET email = ?, email_verified = ?, last_used_at = ? \
                 WHERE provider = ? AND subject = ? AND user_id = ?"
            )),
            unlink: q(format!(
                "DELETE FROM {table} WHERE provider = ? AND subject = ? AND user_id = ?"
            )),
            unlink_for_user: q(format!("DELETE FROM {table} WHERE user_id = ?")),
            keep_tokens: q(format!(
                "UPDATE {table} SET tokens = ? WHERE provider = ? AND subject = ? AND user_id = ?"
            )),
            tokens: q(format!(
                "SELECT tokens FROM {table} WHERE provider = ? AND subject = ?"
            )),
        }
    }
}

/// Columns of a passkey, in the order of [`PasskeyQueries::create`]'s parameters.
pub(crate) const PASSKEY_COLUMNS: &str = "id, user_id, name, passkey, sign_count, \
     backup_eligible, backup_state, transports, created_at, last_used_at";

/// The statements of the passkey store.
#[derive(Debug)]
pub(crate) struct PasskeyQueries {
    pub(crate) create: SqlStr,
    pub(crate) by_id: SqlStr,
    pub(crate) for_user: SqlStr,
    pub(crate) record_use: SqlStr,
    pub(crate) rename: SqlStr,
    pub(crate) delete_one: SqlStr,
    pub(crate) delete_for_user: SqlStr,
}

impl PasskeyQueries {
    fn new(backend: Backend, prefix: &str) -> Self {
        let passkeys = format!("{prefix}passkeys");
        let q = |sql: String| finish(backend, sql);
        Self {
            create: q(format!(
                "INSERT INTO {passkeys} ({PASSKEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )),
            by_id: q(format!(
                "SELECT {PASSKEY_COLUMNS} FROM {passkeys} WHERE id = ?"
            )),
            for_user: q(format!(
                "SELECT {PASSKEY_COLUMNS} FROM {passkeys} WHERE user_id = ? \
                 ORDER BY created_at, id"
            )),
            record_use: q(format!(
                "UPDATE {passkeys} SET passkey = ?, sign_count = ?, backup_eligible = ?, \
                 backup_state = ?, last_used_at = ? WHERE id = ?"
            )),
            rename: q(format!(
                "UPDATE {passkeys} SET name = ? WHERE user_id = ? AND id = ?"
            )),
            delete_one: q(format!(
                "DELETE FROM {passkeys} WHERE user_id = ? AND id = ?"
            )),
            delete_for_user: q(format!("DELETE FROM {passkeys} WHERE user_id = ?")),
        }
    }
}

/// The statements of the ways-in version (`ways_in_version` of `users`, migration 0014).
#[derive(Debug)]
pub(crate) struct WaysInQueries {
    /// The version of an account.
    pub(crate) version: SqlStr,
    /// Bumps the version if it is the one expected (binds: id, expected).
    pub(crate) bump: SqlStr,
}

impl WaysInQueries {
    fn new(backend: Backend, prefix: &str) -> Self {
        let users = format!("{prefix}users");
        let q = |sql: String| finish(backend, sql);
        Self {
            version: q(format!("SELECT ways_in_version FROM {users} WHERE id = ?")),
            bump: q(format!(
                "UPDATE {users} SET ways_in_version = ways_in_version + 1 \
                 WHERE id = ? AND ways_in_version = ?"
            )),
        }
    }
}

/// The statements of one store.
#[derive(Debug)]
pub(crate) struct Queries {
    pub(crate) create_user: SqlStr,
    pub(crate) user_by_id: SqlStr,
    pub(crate) user_by_email: SqlStr,
    pub(crate) user_by_username: SqlStr,
    pub(crate) update_user: SqlStr,
    pub(crate) delete_user: SqlStr,
    pub(crate) delete_user_sessions: SqlStr,
    pub(crate) list_users: SqlStr,
    pub(crate) count_users: SqlStr,

    pub(crate) create_session: SqlStr,
    pub(crate) session: SqlStr,
    pub(crate) touch_session: SqlStr,
    pub(crate) record_session_proof: SqlStr,
    pub(crate) delete_session: SqlStr,
    pub(crate) sessions_for_user: SqlStr,
    pub(crate) delete_sessions_for_user_except: SqlStr,
    pub(crate) purge_sessions: SqlStr,
    pub(crate) session_with_user: SqlStr,

    /// PostgreSQL/SQLite: the upsert with `RETURNING`; MySQL: the upsert alone.
    pub(crate) increment: SqlStr,
    /// MySQL: reads the counter back in the upsert's transaction.
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    pub(crate) read_counter: SqlStr,
    pub(crate) counter: SqlStr,
    pub(crate) reset_counter: SqlStr,
    pub(crate) purge_counters: SqlStr,

    /// PostgreSQL/SQLite: an upsert that replaces only an expired entry; MySQL: a plain
    /// insert, after [`Queries::clear_expired_entry`].
    pub(crate) insert_entry: SqlStr,
    /// MySQL: deletes the key's entry if expired, before the insert.
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    pub(crate) clear_expired_entry: SqlStr,
    /// PostgreSQL/SQLite: `DELETE ... RETURNING`; MySQL: the locking `SELECT`, followed
    /// by [`Queries::delete_entry`] in one transaction.
    pub(crate) take_entry: SqlStr,
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    pub(crate) delete_entry: SqlStr,
    pub(crate) purge_entries: SqlStr,

    pub(crate) enqueue: SqlStr,
    /// PostgreSQL/SQLite: one `UPDATE ... RETURNING`; MySQL: the locking `SELECT`.
    pub(crate) claim: SqlStr,
    pub(crate) remove_message: SqlStr,
    pub(crate) reschedule: SqlStr,
    pub(crate) pending_count: SqlStr,
    pub(crate) mark_failed: SqlStr,
    pub(crate) failed_messages: SqlStr,
    pub(crate) failed_count: SqlStr,
    pub(crate) discard_failed: SqlStr,
    pub(crate) retry_failed: SqlStr,
    pub(crate) mark_delivered: SqlStr,
    pub(crate) webhook_deliveries: SqlStr,
    pub(crate) webhook_delivery: SqlStr,
    pub(crate) webhook_delivery_count: SqlStr,
    pub(crate) purge_delivered: SqlStr,

    pub(crate) record_audit: SqlStr,
    pub(crate) events_for_user: SqlStr,

    /// An upsert: one statement, so a put replaces the whole row at once.
    pub(crate) put_picture: SqlStr,
    pub(crate) picture: SqlStr,
    pub(crate) picture_version: SqlStr,
    pub(crate) delete_picture: SqlStr,
    /// The statements of the passkey store.
    pub(crate) passkeys: PasskeyQueries,
    /// The statements of the API key store.
    pub(crate) api_keys: ApiKeyQueries,
    /// The statements of the identity store.
    pub(crate) identities: IdentityQueries,
    /// The statements of the ways-in version.
    pub(crate) ways_in: WaysInQueries,

    /// The backend and users table, for the user search over profile fields (built per
    /// call: one condition per searchable field).
    backend: Backend,
    users: String,

    /// MySQL: the prefix of the claim's `UPDATE`, completed with one `?` per id.
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    pub(crate) claim_update_prefix: String,
}

impl Queries {
    pub(crate) fn new(backend: Backend, prefix: &str) -> Self {
        let users = format!("{prefix}users");
        let sessions = format!("{prefix}sessions");
        let counters = format!("{prefix}counters");
        let ephemeral = format!("{prefix}ephemeral");
        let outbox = format!("{prefix}outbox");
        let audit = format!("{prefix}audit");
        let pictures = format!("{prefix}pictures");
        let q = |sql: String| finish(backend, sql);

        // Purges delete a batch at a time: MySQL supports DELETE ... LIMIT but not LIMIT in
        // an IN subquery; PostgreSQL and SQLite are the other way round.
        let purge = |table: &str, key: &str, column: &str| match backend {
            Backend::MySql => format!("DELETE FROM {table} WHERE {column} <= ? LIMIT ?"),
            _ => format!(
                "DELETE FROM {table} WHERE {key} IN \
                 (SELECT {key} FROM {table} WHERE {column} <= ? LIMIT ?)"
            ),
        };

        let increment = match backend {
            Backend::MySql => format!(
                "INSERT INTO {counters} (counter_key, hits, expires_at) VALUES (?, 1, ?) \
                 ON DUPLICATE KEY UPDATE \
                 hits = IF(expires_at <= ?, 1, hits + 1), \
                 expires_at = IF(expires_at <= ?, ?, expires_at)"
            ),
            _ => format!(
                "INSERT INTO {counters} AS c (counter_key, hits, expires_at) VALUES (?, 1, ?) \
                 ON CONFLICT (counter_key) DO UPDATE SET \
                 hits = CASE WHEN c.expires_at <= ? THEN 1 ELSE c.hits + 1 END, \
                 expires_at = CASE WHEN c.expires_at <= ? THEN excluded.expires_at \
                 ELSE c.expires_at END \
                 RETURNING hits, expires_at"
            ),
        };

        let (insert_entry, take_entry) = match backend {
            Backend::MySql => (
                format!("INSERT INTO {ephemeral} (entry_key, value, expires_at) VALUES (?, ?, ?)"),
                format!("SELECT value, expires_at FROM {ephemeral} WHERE entry_key = ? FOR UPDATE"),
            ),
            _ => (
                format!(
                    "INSERT INTO {ephemeral} AS e (entry_key, value, expires_at) VALUES (?, ?, ?) \
                     ON CONFLICT (entry_key) DO UPDATE SET value = excluded.value, \
                     expires_at = excluded.expires_at WHERE e.expires_at <= ?"
                ),
                format!("DELETE FROM {ephemeral} WHERE entry_key = ? RETURNING value, expires_at"),
            ),
        };

        let claim = match backend {
            Backend::Postgres => format!(
                "UPDATE {outbox} SET next_attempt_at = ? WHERE id IN \
                 (SELECT id FROM {outbox} WHERE next_attempt_at <= ? AND failed_at IS NULL \
                 AND delivered_at IS NULL \
                 ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED) \
                 RETURNING {OUTBOX_COLUMNS}"
            ),
            Backend::Sqlite => format!(
                "UPDATE {outbox} SET next_attempt_at = ? WHERE id IN \
                 (SELECT id FROM {outbox} WHERE next_attempt_at <= ? AND failed_at IS NULL \
                 AND delivered_at IS NULL \
                 ORDER BY created_at, id LIMIT ?) \
                 RETURNING {OUTBOX_COLUMNS}"
            ),
            Backend::MySql => format!(
                "SELECT {OUTBOX_COLUMNS} FROM {outbox} WHERE next_attempt_at <= ? \
                 AND failed_at IS NULL AND delivered_at IS NULL \
                 ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED"
            ),
        };

        let put_picture = match backend {
            Backend::MySql => format!(
                "INSERT INTO {pictures} (user_id, content_type, version, bytes, updated_at) \
                 VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE \
                 content_type = VALUES(content_type), version = VALUES(version), \
                 bytes = VALUES(bytes), updated_at = VALUES(updated_at)"
            ),
            _ => format!(
                "INSERT INTO {pictures} (user_id, content_type, version, bytes, updated_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET \
                 content_type = excluded.content_type, version = excluded.version, \
                 bytes = excluded.bytes, updated_at = excluded.updated_at"
            ),
        };

        Self {
            create_user: q(format!(
                "INSERT INTO {users} ({USER_COLUMNS}) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )),
            user_by_id: q(format!("SELECT {USER_COLUMNS} FROM {users} WHERE id = ?")),
            user_by_email: q(format!(
                "SELECT {USER_COLUMNS} FROM {users} WHERE email = ?"
            )),
            user_by_username: q(format!(
                "SELECT {USER_COLUMNS} FROM {users} WHERE username = ?"
            )),
            update_user: q(format!(
                "UPDATE {users} SET email = ?, username = ?, password_hash = ?, status = ?, \
                 email_verified_at = ?, roles = ?, security_stamp = ?, locked_until = ?, \
                 lockout_count = ?, created_at = ?, updated_at = ?, last_login_at = ?, \
                 version = ?, profile = ?, second_factor = ?, language = ? \
                 WHERE id = ? AND version = ?"
            )),
            delete_user: q(format!("DELETE FROM {users} WHERE id = ? AND version = ?")),
            delete_user_sessions: q(format!("DELETE FROM {sessions} WHERE user_id = ?")),
            list_users: q(format!(
                "SELECT {USER_COLUMNS} FROM {users} ORDER BY created_at, id LIMIT ? OFFSET ?"
            )),
            count_users: q(format!("SELECT COUNT(*) AS n FROM {users}")),

            create_session: q(format!(
                "INSERT INTO {sessions} (digest, user_id, created_at, last_seen_at, expires_at, \
                 idle_expires_at, dies_at, remember, user_agent, ip, amr, auth_time, proved_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )),
            record_session_proof: q(format!(
                "UPDATE {sessions} SET amr = ?, proved_at = ? WHERE digest = ?"
            )),
            session: q(format!(
                "SELECT {SESSION_COLUMNS} FROM {sessions} s WHERE s.digest = ?"
            )),
            touch_session: q(format!(
                "UPDATE {sessions} SET last_seen_at = ?, idle_expires_at = ?, \
                 dies_at = CASE WHEN expires_at < ? THEN expires_at ELSE ? END \
                 WHERE digest = ?"
            )),
            delete_session: q(format!("DELETE FROM {sessions} WHERE digest = ?")),
            sessions_for_user: q(format!(
                "SELECT {SESSION_COLUMNS} FROM {sessions} s WHERE s.user_id = ? AND s.dies_at > ? \
                 ORDER BY s.created_at DESC, s.digest DESC"
            )),
            delete_sessions_for_user_except: q(format!(
                "DELETE FROM {sessions} WHERE user_id = ? AND digest <> ?"
            )),
            purge_sessions: q(purge(&sessions, "digest", "dies_at")),
            session_with_user: q(format!(
                "SELECT {SESSION_COLUMNS}, {user_columns} FROM {sessions} s \
                 JOIN {users} u ON u.id = s.user_id WHERE s.digest = ?",
                user_columns = qualified(USER_COLUMNS, "u")
            )),

            increment: q(increment),
            read_counter: q(format!(
                "SELECT hits, expires_at FROM {counters} WHERE counter_key = ?"
            )),
            counter: q(format!(
                "SELECT hits, expires_at FROM {counters} WHERE counter_key = ? AND expires_at > ?"
            )),
            reset_counter: q(format!("DELETE FROM {counters} WHERE counter_key = ?")),
            purge_counters: q(purge(&counters, "counter_key", "expires_at")),

            insert_entry: q(insert_entry),
            clear_expired_entry: q(format!(
                "DELETE FROM {ephemeral} WHERE entry_key = ? AND expires_at <= ?"
            )),
            take_entry: q(take_entry),
            delete_entry: q(format!("DELETE FROM {ephemeral} WHERE entry_key = ?")),
            purge_entries: q(purge(&ephemeral, "entry_key", "expires_at")),

            enqueue: q(format!(
                "INSERT INTO {outbox} ({OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )),
            claim: q(claim),
            remove_message: q(format!("DELETE FROM {outbox} WHERE id = ?")),
            reschedule: q(format!(
                "UPDATE {outbox} SET attempts = ?, next_attempt_at = ?, last_error = ? \
                 WHERE id = ? AND failed_at IS NULL AND delivered_at IS NULL"
            )),
            pending_count: q(format!(
                "SELECT COUNT(*) AS n FROM {outbox} WHERE failed_at IS NULL \
                 AND delivered_at IS NULL"
            )),
            mark_failed: q(format!(
                "UPDATE {outbox} SET attempts = ?, failed_at = ?, last_error = ? WHERE id = ?"
            )),
            failed_messages: q(format!(
                "SELECT {FAILED_COLUMNS} FROM {outbox} WHERE failed_at IS NOT NULL \
                 AND kind <> '{WEBHOOK_KIND}' ORDER BY failed_at DESC, id DESC LIMIT ? OFFSET ?"
            )),
            failed_count: q(format!(
                "SELECT COUNT(*) AS n FROM {outbox} WHERE failed_at IS NOT NULL \
                 AND kind <> '{WEBHOOK_KIND}'"
            )),
            mark_delivered: q(format!(
                "UPDATE {outbox} SET attempts = ?, delivered_at = ?, last_error = ?, \
                 failed_at = NULL WHERE id = ?"
            )),
            webhook_deliveries: q(format!(
                "SELECT {WEBHOOK_COLUMNS} FROM {outbox} WHERE kind = '{WEBHOOK_KIND}' \
                 ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
            )),
            webhook_delivery: q(format!(
                "SELECT {WEBHOOK_COLUMNS} FROM {outbox} WHERE id = ? AND kind = '{WEBHOOK_KIND}'"
            )),
            webhook_delivery_count: q(format!(
                "SELECT COUNT(*) AS n FROM {outbox} WHERE kind = '{WEBHOOK_KIND}'"
            )),
            purge_delivered: q(format!(
                "DELETE FROM {outbox} WHERE delivered_at IS NOT NULL AND delivered_at <= ?"
            )),
            discard_failed: q(format!(
                "DELETE FROM {outbox} WHERE id = ? AND failed_at IS NOT NULL"
            )),
            retry_failed: q(format!(
                "UPDATE {outbox} SET failed_at = NULL, delivered_at = NULL, attempts = 0, \
                 created_at = ?, \
                 next_attempt_at = ? WHERE id = ? AND failed_at IS NOT NULL"
            )),

            record_audit: q(format!(
                "INSERT INTO {audit} ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
            )),
            events_for_user: q(format!(
                "SELECT {AUDIT_COLUMNS} FROM {audit} WHERE user_id = ? \
                 ORDER BY occurred_at DESC, id DESC LIMIT ?"
            )),
            api_keys: ApiKeyQueries::new(backend, prefix),
            identities: IdentityQueries::new(backend, prefix),
            ways_in: WaysInQueries::new(backend, prefix),
            passkeys: PasskeyQueries::new(backend, prefix),

            put_picture: q(put_picture),
            picture: q(format!(
                "SELECT content_type, version, bytes, updated_at FROM {pictures} \
                 WHERE user_id = ?"
            )),
            picture_version: q(format!("SELECT version FROM {pictures} WHERE user_id = ?")),
            delete_picture: q(format!("DELETE FROM {pictures} WHERE user_id = ?")),

            claim_update_prefix: format!("UPDATE {outbox} SET next_attempt_at = ? WHERE id IN ("),
            backend,
            users,
        }
    }

    /// The user search over email, username and `fields` profile fields: a listing
    /// (parameters: two patterns, then a field name and a pattern per field, then limit
    /// and offset) or, with `count`, its count (without limit and offset). Field names
    /// are bound as parameters, never spliced.
    pub(crate) fn search_profiles(&self, fields: usize, count: bool) -> SqlStr {
        let users = &self.users;
        let value = match self.backend {
            Backend::Postgres => "CAST(profile AS jsonb) ->> CAST(? AS TEXT)",
            Backend::Sqlite => "json_extract(profile, '$.' || ?)",
            Backend::MySql => "JSON_UNQUOTE(JSON_EXTRACT(profile, CONCAT('$.', ?)))",
        };
        let mut condition =
            String::from("(LOWER(email) LIKE ? ESCAPE '!' OR LOWER(username) LIKE ? ESCAPE '!'");
        for _ in 0..fields {
            condition.push_str(&format!(" OR LOWER({value}) LIKE ? ESCAPE '!'"));
        }
        condition.push(')');
        let sql = if count {
            format!("SELECT COUNT(*) AS n FROM {users} WHERE {condition}")
        } else {
            format!(
                "SELECT {USER_COLUMNS} FROM {users} WHERE {condition} \
                 ORDER BY created_at, id LIMIT ? OFFSET ?"
            )
        };
        finish(self.backend, sql)
    }
}

/// `a, b` → `u.a, u.b`.
fn qualified(columns: &str, alias: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rewrites `?` placeholders into the backend's form and wraps the statement.
pub(crate) fn finish(backend: Backend, sql: String) -> SqlStr {
    let sql = match backend {
        Backend::Postgres => numbered_placeholders(&sql),
        Backend::Sqlite | Backend::MySql => sql,
    };
    AssertSqlSafe(sql).into_sql_str()
}

/// `?` → `$1`, `$2`, ... (the statements here never contain `?` inside a literal).
fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// A `LIKE` pattern matching `needle` anywhere, case-insensitively (the column side is
/// lowered in SQL), with `!` as the escape character.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            numbered_placeholders("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("A_b%c!"), "%a!_b!%c!!%");
        assert_eq!(contains_pattern(""), "%%");
    }

    #[test]
    fn no_statement_has_a_question_mark_left_on_postgres() {
        let q = Queries::new(Backend::Postgres, "auth_");
        assert!(!q.claim.as_str().contains('?'));
        assert!(q.claim.as_str().contains("SKIP LOCKED"));
        assert!(q.session_with_user.as_str().contains("JOIN auth_users u"));
    }

    #[test]
    fn user_columns_are_qualified_for_the_join() {
        assert!(qualified("id, email", "u") == "u.id, u.email");
    }
}
