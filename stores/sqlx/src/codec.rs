//! Conversions between the core's records and column values, shared by every backend.
//!
//! Times are `BIGINT` nanoseconds since the Unix epoch (UTC), which round-trips every
//! `OffsetDateTime` between 1677 and 2262 exactly and saturates outside that range.

use auth_core::{
    AccountStatus, ApiKeyDigest, ApiKeyRecord, AuditEvent, AuditKind, AuthMethod, Delivery,
    DeliveryState, Email, FailedMail, MailKind, OutboxMessage, PasskeyCredential, PasswordHash,
    Profile, Result, SecondFactor, SecurityStamp, SessionDigest, SessionRecord, User, UserId,
    WebhookCall, WebhookDelivery,
};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{corrupt, map_err};
use crate::sql::WEBHOOK_KIND;

/// A time as stored: nanoseconds since the Unix epoch, saturating.
pub(crate) fn ts(t: OffsetDateTime) -> i64 {
    let n = t.unix_timestamp_nanos();
    i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

pub(crate) fn opt_ts(t: Option<OffsetDateTime>) -> Option<i64> {
    t.map(ts)
}

/// A stored time back as a UTC `OffsetDateTime`.
pub(crate) fn from_ts(n: i64, column: &'static str) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n))
        .map_err(|e| corrupt(column, e.to_string()))
}

fn from_opt_ts(n: Option<i64>, column: &'static str) -> Result<Option<OffsetDateTime>> {
    n.map(|n| from_ts(n, column)).transpose()
}

/// An unsigned counter as stored (saturating at `i64::MAX`).
pub(crate) fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(n: i64, column: &'static str) -> Result<u64> {
    u64::try_from(n).map_err(|_| corrupt(column, format!("negative value {n}")))
}

fn to_u32(n: i64, column: &'static str) -> Result<u32> {
    u32::try_from(n).map_err(|_| corrupt(column, format!("value {n} out of range")))
}

/// The longest counter key stored verbatim; longer keys are stored as their SHA-256 so
/// that every key fits the primary key (MySQL limits index keys to 3072 bytes).
pub(crate) const MAX_COUNTER_KEY_LEN: usize = 255;

/// The stored form of a counter key.
pub(crate) fn counter_key(key: &str) -> std::borrow::Cow<'_, str> {
    if key.len() <= MAX_COUNTER_KEY_LEN {
        std::borrow::Cow::Borrowed(key)
    } else {
        std::borrow::Cow::Owned(format!(
            "sha256:{}",
            hex::encode(Sha256::digest(key.as_bytes()))
        ))
    }
}

/// Roles as stored: a JSON array of strings.
pub(crate) fn roles_json(roles: &[String]) -> Result<String> {
    serde_json::to_string(roles).map_err(auth_core::Error::backend)
}

/// The longest `last_error` kept for an outbox message, in characters.
pub(crate) const MAX_LAST_ERROR_CHARS: usize = 4000;

pub(crate) fn truncate_error(s: &str) -> &str {
    match s.char_indices().nth(MAX_LAST_ERROR_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Typed column access, implemented for the row type of every enabled backend.
pub(crate) trait RowExt {
    fn i64(&self, col: &'static str) -> Result<i64>;
    fn opt_i64(&self, col: &'static str) -> Result<Option<i64>>;
    fn string(&self, col: &'static str) -> Result<String>;
    fn opt_string(&self, col: &'static str) -> Result<Option<String>>;
    fn bytes(&self, col: &'static str) -> Result<Vec<u8>>;
    fn uuid(&self, col: &'static str) -> Result<Uuid>;
    fn opt_uuid(&self, col: &'static str) -> Result<Option<Uuid>>;
    fn boolean(&self, col: &'static str) -> Result<bool>;
}

macro_rules! impl_row_ext {
    ($row:ty) => {
        impl RowExt for $row {
            fn i64(&self, col: &'static str) -> Result<i64> {
                sqlx::Row::try_get::<i64, _>(self, col).map_err(map_err)
            }
            fn opt_i64(&self, col: &'static str) -> Result<Option<i64>> {
                sqlx::Row::try_get::<Option<i64>, _>(self, col).map_err(map_err)
            }
            fn string(&self, col: &'static str) -> Result<String> {
                sqlx::Row::try_get::<String, _>(self, col).map_err(map_err)
            }
            fn opt_string(&self, col: &'static str) -> Result<Option<String>> {
                sqlx::Row::try_get::<Option<String>, _>(self, col).map_err(map_err)
            }
            fn bytes(&self, col: &'static str) -> Result<Vec<u8>> {
                sqlx::Row::try_get::<Vec<u8>, _>(self, col).map_err(map_err)
            }
            fn uuid(&self, col: &'static str) -> Result<Uuid> {
                sqlx::Row::try_get::<Uuid, _>(self, col).map_err(map_err)
            }
            fn opt_uuid(&self, col: &'static str) -> Result<Option<Uuid>> {
                sqlx::Row::try_get::<Option<Uuid>, _>(self, col).map_err(map_err)
            }
            fn boolean(&self, col: &'static str) -> Result<bool> {
                sqlx::Row::try_get::<bool, _>(self, col).map_err(map_err)
            }
        }
    };
}

#[cfg(feature = "postgres")]
impl_row_ext!(sqlx::postgres::PgRow);
#[cfg(feature = "sqlite")]
impl_row_ext!(sqlx::sqlite::SqliteRow);
#[cfg(feature = "mysql")]
impl_row_ext!(sqlx::mysql::MySqlRow);

/// The stored form of a second factor: JSON, or NULL for none.
pub(crate) fn second_factor_json(factor: Option<&SecondFactor>) -> Result<Option<String>> {
    factor
        .map(|f| serde_json::to_string(f).map_err(auth_core::Error::backend))
        .transpose()
}

fn second_factor_from_json(stored: Option<String>) -> Result<Option<SecondFactor>> {
    stored
        .map(|s| serde_json::from_str(&s).map_err(|e| corrupt("second_factor", e.to_string())))
        .transpose()
}

/// The user in a row selected with [`crate::sql::USER_COLUMNS`].
pub(crate) fn user_from_row(r: &impl RowExt) -> Result<User> {
    let status = r.string("status")?;
    let roles = r.string("roles")?;
    Ok(User {
        id: UserId(r.uuid("id")?),
        email: r.string("email")?,
        username: r.opt_string("username")?,
        password_hash: PasswordHash::new(r.string("password_hash")?),
        status: AccountStatus::parse(&status)
            .ok_or_else(|| corrupt("status", format!("unknown account status {status:?}")))?,
        email_verified_at: from_opt_ts(r.opt_i64("email_verified_at")?, "email_verified_at")?,
        roles: serde_json::from_str(&roles).map_err(|e| corrupt("roles", e.to_string()))?,
        security_stamp: SecurityStamp::new(r.string("security_stamp")?),
        locked_until: from_opt_ts(r.opt_i64("locked_until")?, "locked_until")?,
        lockout_count: to_u32(r.i64("lockout_count")?, "lockout_count")?,
        created_at: from_ts(r.i64("created_at")?, "created_at")?,
        updated_at: from_ts(r.i64("updated_at")?, "updated_at")?,
        last_login_at: from_opt_ts(r.opt_i64("last_login_at")?, "last_login_at")?,
        version: to_u64(r.i64("version")?, "version")?,
        profile: Profile::from_json(&r.string("profile")?)
            .map_err(|e| corrupt("profile", e.to_string()))?,
        second_factor: second_factor_from_json(r.opt_string("second_factor")?)?,
        language: r.opt_string("language")?,
    })
}

/// The session in a row selected with [`crate::sql::SESSION_COLUMNS`] (columns aliased
/// with an `s_` prefix so that they can share a row with a user's).
pub(crate) fn session_from_row(r: &impl RowExt) -> Result<SessionRecord> {
    let digest = r.bytes("s_digest")?;
    let digest: [u8; 32] = digest
        .as_slice()
        .try_into()
        .map_err(|_| corrupt("digest", format!("{} bytes instead of 32", digest.len())))?;
    let created_at = from_ts(r.i64("s_created_at")?, "created_at")?;
    Ok(SessionRecord {
        digest: SessionDigest::from_bytes(digest),
        user_id: UserId(r.uuid("s_user_id")?),
        created_at,
        last_seen_at: from_ts(r.i64("s_last_seen_at")?, "last_seen_at")?,
        expires_at: from_ts(r.i64("s_expires_at")?, "expires_at")?,
        idle_expires_at: from_ts(r.i64("s_idle_expires_at")?, "idle_expires_at")?,
        remember: r.boolean("s_remember")?,
        user_agent: r.opt_string("s_user_agent")?,
        ip: r.opt_string("s_ip")?,
        amr: SessionRecord::amr_or_default(
            r.opt_string("s_amr")?
                .map(|amr| serde_json::from_str(&amr).map_err(|e| corrupt("amr", e.to_string())))
                .transpose()?,
        ),
        auth_time: from_opt_ts(r.opt_i64("s_auth_time")?, "auth_time")?.unwrap_or(created_at),
        proved_at: from_opt_ts(r.opt_i64("s_proved_at")?, "proved_at")?.unwrap_or(created_at),
    })
}

/// A session's `amr` as stored: a JSON array of the methods' names.
pub(crate) fn amr_json(amr: &[AuthMethod]) -> Result<String> {
    serde_json::to_string(amr).map_err(auth_core::Error::backend)
}

/// The API key in a row selected with [`crate::sql::API_KEY_COLUMNS`].
pub(crate) fn api_key_from_row(r: &impl RowExt) -> Result<ApiKeyRecord> {
    let digest = r.bytes("digest")?;
    let digest: [u8; 32] = digest
        .as_slice()
        .try_into()
        .map_err(|_| corrupt("digest", format!("{} bytes instead of 32", digest.len())))?;
    let scopes = r.string("scopes")?;
    Ok(ApiKeyRecord {
        digest: ApiKeyDigest::from_bytes(digest),
        id: r.string("id")?,
        user_id: UserId(r.uuid("user_id")?),
        name: r.string("name")?,
        scopes: serde_json::from_str(&scopes).map_err(|e| corrupt("scopes", e.to_string()))?,
        created_at: from_ts(r.i64("created_at")?, "created_at")?,
        expires_at: from_opt_ts(r.opt_i64("expires_at")?, "expires_at")?,
        last_used_at: from_opt_ts(r.opt_i64("last_used_at")?, "last_used_at")?,
        last_used_ip: r.opt_string("last_used_ip")?,
    })
}

/// The linked identity in a row selected with [`crate::sql::IDENTITY_COLUMNS`].
pub(crate) fn identity_from_row(r: &impl RowExt) -> Result<auth_core::Identity> {
    Ok(auth_core::Identity {
        provider: r.string("provider")?,
        subject: r.string("subject")?,
        user_id: UserId(r.uuid("user_id")?),
        email: r.opt_string("email")?,
        email_verified: r.boolean("email_verified")?,
        linked_at: from_ts(r.i64("linked_at")?, "linked_at")?,
        last_used_at: from_opt_ts(r.opt_i64("last_used_at")?, "last_used_at")?,
    })
}

/// The passkey in a row selected with [`crate::sql::PASSKEY_COLUMNS`].
pub(crate) fn passkey_from_row(r: &impl RowExt) -> Result<PasskeyCredential> {
    let transports = r.string("transports")?;
    let sign_count = r.i64("sign_count")?;
    Ok(PasskeyCredential {
        id: r.string("id")?,
        user_id: UserId(r.uuid("user_id")?),
        name: r.string("name")?,
        passkey: r.string("passkey")?,
        sign_count: u32::try_from(sign_count)
            .map_err(|_| corrupt("sign_count", format!("{sign_count} is not a u32")))?,
        backup_eligible: r.boolean("backup_eligible")?,
        backup_state: r.boolean("backup_state")?,
        transports: serde_json::from_str(&transports)
            .map_err(|e| corrupt("transports", e.to_string()))?,
        created_at: from_ts(r.i64("created_at")?, "created_at")?,
        last_used_at: from_opt_ts(r.opt_i64("last_used_at")?, "last_used_at")?,
    })
}

/// A mail kind from its stored name.
fn mail_kind(s: &str) -> Result<MailKind> {
    MailKind::parse(s).ok_or_else(|| corrupt("kind", format!("unknown mail kind {s:?}")))
}

/// The outbox message in a row selected with [`crate::sql::OUTBOX_COLUMNS`].
/// A webhook call is a row of kind [`WEBHOOK_KIND`]; any other kind is a mail's.
pub(crate) fn outbox_from_row(r: &impl RowExt) -> Result<OutboxMessage> {
    let kind = r.string("kind")?;
    let delivery = if kind == WEBHOOK_KIND {
        Delivery::Webhook(WebhookCall {
            url: r.string("to_address")?,
            event_type: r.string("subject")?,
            body: r.string("text_body")?,
        })
    } else {
        Delivery::Email(Email {
            to: r.string("to_address")?,
            subject: r.string("subject")?,
            text: r.string("text_body")?,
            html: r.opt_string("html_body")?,
            kind: mail_kind(&kind)?,
        })
    };
    Ok(OutboxMessage {
        id: r.uuid("id")?,
        delivery,
        attempts: to_u32(r.i64("attempts")?, "attempts")?,
        next_attempt_at: from_ts(r.i64("next_attempt_at")?, "next_attempt_at")?,
        created_at: from_ts(r.i64("created_at")?, "created_at")?,
        last_error: r.opt_string("last_error")?,
    })
}

/// The failed message in a row selected with [`crate::sql::FAILED_COLUMNS`].
pub(crate) fn failed_from_row(r: &impl RowExt) -> Result<FailedMail> {
    Ok(FailedMail {
        id: r.uuid("id")?,
        to: r.string("to_address")?,
        kind: mail_kind(&r.string("kind")?)?,
        attempts: to_u32(r.i64("attempts")?, "attempts")?,
        created_at: from_ts(r.i64("created_at")?, "created_at")?,
        failed_at: from_ts(r.i64("failed_at")?, "failed_at")?,
        last_error: r.opt_string("last_error")?.unwrap_or_default(),
    })
}

/// The webhook call in a row selected with [`crate::sql::WEBHOOK_COLUMNS`].
pub(crate) fn webhook_from_row(r: &impl RowExt) -> Result<WebhookDelivery> {
    let failed_at = r.opt_i64("failed_at")?;
    let delivered_at = r.opt_i64("delivered_at")?;
    let (state, finished_at) = match (failed_at, delivered_at) {
        (Some(at), _) => (DeliveryState::Failed, Some(from_ts(at, "failed_at")?)),
        (None, Some(at)) => (DeliveryState::Delivered, Some(from_ts(at, "delivered_at")?)),
        (None, None) => (DeliveryState::Pending, None),
    };
    let next_attempt_at = match state {
        DeliveryState::Pending => Some(from_ts(r.i64("next_attempt_at")?, "next_attempt_at")?),
        _ => None,
    };
    Ok(WebhookDelivery {
        id: r.uuid("id")?,
        url: r.string("to_address")?,
        event_type: r.string("subject")?,
        state,
        attempts: to_u32(r.i64("attempts")?, "attempts")?,
        created_at: from_ts(r.i64("created_at")?, "created_at")?,
        next_attempt_at,
        finished_at,
        last_outcome: r.opt_string("last_error")?,
    })
}

/// The columns an outbox message is written to: recipient or URL, subject or event
/// type, text body or JSON body, HTML body, and kind.
pub(crate) fn outbox_columns(message: &OutboxMessage) -> (&str, &str, &str, Option<&str>, &str) {
    match &message.delivery {
        Delivery::Webhook(call) => (&call.url, &call.event_type, &call.body, None, WEBHOOK_KIND),
        Delivery::Email(email) => (
            &email.to,
            &email.subject,
            &email.text,
            email.html.as_deref(),
            email.kind.as_str(),
        ),
    }
}

/// The audit event in a row selected with [`crate::sql::AUDIT_COLUMNS`].
pub(crate) fn audit_from_row(r: &impl RowExt) -> Result<AuditEvent> {
    let kind = r.string("kind")?;
    Ok(AuditEvent {
        id: r.uuid("id")?,
        at: from_ts(r.i64("occurred_at")?, "occurred_at")?,
        kind: AuditKind::parse(&kind)
            .ok_or_else(|| corrupt("kind", format!("unknown audit kind {kind:?}")))?,
        user_id: r.opt_uuid("user_id")?.map(UserId),
        actor_id: r.opt_uuid("actor_id")?.map(UserId),
        ip: r.opt_string("ip")?,
        detail: r.opt_string("detail")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_round_trip_to_the_nanosecond() {
        for t in [
            datetime!(2026-11-22 05:43:53.123456789 UTC),
            OffsetDateTime::UNIX_EPOCH,
            datetime!(1970-01-01 00:00:00.000000001 UTC),
            datetime!(1969-12-31 23:59:59.999999999 UTC),
            datetime!(2262-04-11 23:47:16.854775807 UTC),
        ] {
            assert_eq!(from_ts(ts(t), "t").unwrap(), t);
        }
        // Offsets are normalised to UTC but the instant is kept.
        let t = datetime!(2026-01-01 12:00:00 +02:00);
        assert_eq!(from_ts(ts(t), "t").unwrap(), t);
    }

    #[test]
    fn times_outside_the_range_saturate() {
        assert_eq!(ts(datetime!(3000-01-01 00:00 UTC)), i64::MAX);
        assert_eq!(ts(datetime!(1000-01-01 00:00 UTC)), i64::MIN);
    }

    #[test]
    fn long_counter_keys_are_hashed_deterministically() {
        assert_eq!(counter_key("login:a@b"), "login:a@b");
        let long = "k".repeat(MAX_COUNTER_KEY_LEN + 1);
        let stored = counter_key(&long);
        assert!(stored.starts_with("sha256:") && stored.len() == 71);
        assert_eq!(stored, counter_key(&long));
        assert_ne!(stored, counter_key(&"j".repeat(MAX_COUNTER_KEY_LEN + 1)));
    }

    #[test]
    fn last_error_is_truncated_on_a_char_boundary() {
        let s = "é".repeat(MAX_LAST_ERROR_CHARS + 10);
        assert_eq!(truncate_error(&s).chars().count(), MAX_LAST_ERROR_CHARS);
        assert_eq!(truncate_error("short"), "short");
    }

    #[test]
    fn a_stored_mail_kind_is_read_by_its_name_and_an_unknown_one_refused() {
        // Every kind's name round trips in auth-core (`MailKind::parse`); here, that the
        // store reads the stored name through it and refuses one it does not know.
        let k = MailKind::SignInCode;
        assert_eq!(mail_kind(k.as_str()).unwrap(), k);
        assert!(mail_kind("nope").is_err());
    }
}
