//! Audit events as signed webhooks, after the
//! [Standard Webhooks](https://www.standardwebhooks.com/) scheme.
//!
//! With endpoints configured ([`AuthBuilder::webhooks`](crate::AuthBuilder::webhooks)),
//! every audit event the engine records is queued in the outbox once per endpoint that
//! wants it, in the same step that records it, and sent by the outbox passes
//! ([`Auth::deliver_outbox`](crate::Auth::deliver_outbox)): retried with exponential
//! backoff on a transport error or a non-2xx answer, marked failed after the
//! [`OutboxPolicy`](crate::OutboxPolicy)'s attempts, kept for an administrator in every
//! state. The HTTP client is not part of this crate: a [`WebhookSender`] sends the
//! requests (the `auth-webhooks` crate has one over hyper and rustls).
//!
//! Each request is a `POST` of a JSON body
//!
//! ```json
//! {"type":"auth.login_succeeded","timestamp":"2026-12-03T09:30:00Z",
//!  "data":{"event_id":"…","user_id":"…","actor_id":null,"ip":"192.0.2.7","detail":null}}
//! ```
//!
//! with the headers `webhook-id` (the delivery's id, the same on every attempt, for the
//! receiver to drop duplicates), `webhook-timestamp` (seconds since the Unix epoch, at
//! the attempt) and `webhook-signature`: `v1,` and the Base64 HMAC-SHA256, keyed with the
//! endpoint's secret, of `"{id}.{timestamp}.{body}"`.
//!
//! ```
//! use auth_core::webhooks::{WebhookSecret, sign};
//!
//! let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//! let signature = sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#);
//! assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//! # Ok::<(), auth_core::Error>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{AuditEvent, AuditKind};

/// How long a delivered webhook call stays listed for administrators before the
/// maintenance loop purges it ([`Auth::purge_delivered_webhooks`](crate::Auth::purge_delivered_webhooks)).
pub const DELIVERED_WEBHOOKS_KEPT: time::Duration = time::Duration::days(7);

/// What a Standard Webhooks secret starts with.
const SECRET_PREFIX: &str = "whsec_";
/// The shortest secret accepted, in bytes (Standard Webhooks: 24 to 64).
const MIN_SECRET_BYTES: usize = 24;
/// The longest secret accepted, in bytes.
const MAX_SECRET_BYTES: usize = 64;
/// How long one attempt may take by default, connection included.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// An endpoint's signing secret, in the Standard Webhooks form `whsec_<base64>`. Its
/// `Debug` output never shows it.
#[derive(Clone)]
pub struct WebhookSecret(Zeroizing<Vec<u8>>);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// Parses `whsec_` followed by the standard Base64 of 24 to 64 random bytes.
    ///
    /// # Errors
    /// [`Error::Config`] when the prefix is missing, the Base64 does not decode, or the
    /// key is shorter or longer than allowed (the message never repeats the secret).
    pub fn parse(text: &str) -> Result<Self> {
        let Some(encoded) = text.trim().strip_prefix(SECRET_PREFIX) else {
            return Err(Error::Config(format!(
                "a webhook secret starts with {SECRET_PREFIX:?}"
            )));
        };
        let key = Zeroizing::new(
            STANDARD
                .decode(encoded)
                .map_err(|_| Error::Config("a webhook secret is whsec_ and Base64".into()))?,
        );
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&key.len()) {
            return Err(Error::Config(format!(
                "a webhook secret has {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes, this one {}",
                key.len()
            )));
        }
        Ok(Self(key))
    }
}

/// The `webhook-signature` header's value: `v1,` and the Base64 HMAC-SHA256 of
/// `"{id}.{timestamp}.{body}"` keyed with `secret`.
pub fn sign(secret: &WebhookSecret, id: &str, timestamp: i64, body: &str) -> String {
    #[expect(
        clippy::expect_used,
        reason = "HMAC takes a key of any length; new_from_slice cannot fail"
    )]
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret.0).expect("HMAC accepts any key");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The stable event type of an audit kind: `auth.` and its stored name
/// ([`AuditKind::as_str`]), e.g. `auth.login_succeeded`.
pub fn event_type(kind: AuditKind) -> String {
    format!("auth.{}", kind.as_str())
}

/// The JSON body of the webhook for `event`: its type, time (RFC 3339) and data (the
/// event's id, the account, the acting administrator, the client's IP address and the
/// operator's detail). An audit event holds no password, token or session id, so
/// neither does the body.
pub fn payload(event: &AuditEvent) -> String {
    let timestamp = event
        .at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    serde_json::json!({
        "type": event_type(event.kind),
        "timestamp": timestamp,
        "data": {
            "event_id": event.id,
            "user_id": event.user_id,
            "actor_id": event.actor_id,
            "ip": event.ip,
            "detail": event.detail,
        },
    })
    .to_string()
}

/// One endpoint: where the events go, the secret that signs them, and which events it
/// wants (all by default).
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    url: String,
    secret: WebhookSecret,
    events: Option<BTreeSet<&'static str>>,
}

impl WebhookEndpoint {
    /// An endpoint at `url` (`http://` or `https://`) signing with `secret`
    /// (`whsec_<base64>`), receiving every event.
    ///
    /// # Errors
    /// [`Error::Config`] when the URL or the secret is not acceptable.
    pub fn new(url: &str, secret: &str) -> Result<Self> {
        let parsed =
            url::Url::parse(url).map_err(|e| Error::Config(format!("webhook URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(Error::Config(format!(
                "webhook URL {url:?}: an http:// or https:// URL is needed"
            )));
        }
        Ok(Self {
            url: url.to_owned(),
            secret: WebhookSecret::parse(secret)?,
            events: None,
        })
    }

    /// Receives only the events of these kinds.
    #[must_use]
    pub fn only(mut self, kinds: impl IntoIterator<Item = AuditKind>) -> Self {
        self.events = Some(kinds.into_iter().map(AuditKind::as_str).collect());
        self
    }

    /// Receives only the events whose types (`auth.login_succeeded`, or the stored name
    /// `login_succeeded`) are listed, as a flag or a configuration file names them.
    ///
    /// # Errors
    /// [`Error::Config`] naming an unknown event type.
    pub fn only_types<'a>(self, types: impl IntoIterator<Item = &'a str>) -> Result<Self> {
        let kinds = types
            .into_iter()
            .map(|t| {
                let name = t.trim();
                AuditKind::parse(name.strip_prefix("auth.").unwrap_or(name))
                    .ok_or_else(|| Error::Config(format!("unknown webhook event type {t:?}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(self.only(kinds))
    }

    /// The endpoint's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the endpoint receives events of `kind`.
    pub fn wants(&self, kind: AuditKind) -> bool {
        self.events
            .as_ref()
            .is_none_or(|kinds| kinds.contains(kind.as_str()))
    }

    /// The endpoint's signing secret.
    pub(crate) fn secret(&self) -> &WebhookSecret {
        &self.secret
    }
}

/// A webhook request, ready to send: `POST` `body` to `url` with `headers`
/// (`content-type`, `webhook-id`, `webhook-timestamp`, `webhook-signature`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookRequest {
    /// The endpoint's URL.
    pub url: String,
    /// The headers to send, names in lower case.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: String,
}

/// Sends webhook requests: the HTTP client, outside this crate.
#[async_trait]
pub trait WebhookSender: Send + Sync + fmt::Debug + 'static {
    /// Sends `request` and returns the status code the endpoint answered, whatever it
    /// is (the engine decides what counts as delivered).
    ///
    /// # Errors
    /// [`Error::Unavailable`] when no answer came (connection refused, TLS failure, a
    /// timeout), with the cause as source.
    async fn send(&self, request: &WebhookRequest) -> Result<u16>;
}

/// The webhook configuration of an engine: the sender and the endpoints.
#[derive(Debug, Clone)]
pub struct Webhooks {
    pub(crate) sender: Arc<dyn WebhookSender>,
    pub(crate) endpoints: Vec<WebhookEndpoint>,
    pub(crate) timeout: Duration,
}

impl Webhooks {
    /// Sends to `endpoints` through `sender`, each attempt bounded by 10 seconds.
    ///
    /// # Errors
    /// [`Error::Config`] when two endpoints have the same URL (a queued call names its
    /// endpoint by URL).
    pub fn new(sender: Arc<dyn WebhookSender>, endpoints: Vec<WebhookEndpoint>) -> Result<Self> {
        let mut urls = BTreeSet::new();
        for endpoint in &endpoints {
            if !urls.insert(endpoint.url.as_str()) {
                return Err(Error::Config(format!(
                    "webhook endpoint {:?} is configured twice",
                    endpoint.url
                )));
            }
        }
        Ok(Self {
            sender,
            endpoints,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Bounds each attempt (connecting, sending, reading the answer's status) by
    /// `timeout`; an attempt that takes longer counts as failed and is retried.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The configured endpoints.
    pub fn endpoints(&self) -> &[WebhookEndpoint] {
        &self.endpoints
    }

    /// The endpoint with this URL.
    pub(crate) fn endpoint(&self, url: &str) -> Option<&WebhookEndpoint> {
        self.endpoints.iter().find(|e| e.url == url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification and its reference libraries.
    #[test]
    fn signs_the_specification_example() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            sign(
                &secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                r#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        // Any change of id, time or body changes the signature.
        let base = sign(&secret, "a", 1, "{}");
        assert_ne!(base, sign(&secret, "b", 1, "{}"));
        assert_ne!(base, sign(&secret, "a", 2, "{}"));
        assert_ne!(base, sign(&secret, "a", 1, "{ }"));
    }

    #[test]
    fn secrets_must_have_the_prefix_base64_and_a_sane_length() {
        for bad in [
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_not base64!",
            "whsec_c2hvcnQ=",
            "whsec_",
        ] {
            let error = WebhookSecret::parse(bad).unwrap_err();
            assert!(matches!(error, Error::Config(_)), "{bad}");
            assert!(!error.to_string().contains("MfKQ9r8G"), "{error}");
        }
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
    }

    #[test]
    fn endpoints_check_their_url_and_filter_events() {
        const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        for bad in ["ftp://example.com/", "not a url", "mailto:a@example.com"] {
            assert!(WebhookEndpoint::new(bad, SECRET).is_err(), "{bad}");
        }
        let all = WebhookEndpoint::new("https://hooks.example.com/in", SECRET).unwrap();
        assert!(all.wants(AuditKind::LoginFailed));
        let some = all
            .clone()
            .only_types(["auth.registered", "login_failed"])
            .unwrap();
        assert!(some.wants(AuditKind::Registered) && some.wants(AuditKind::LoginFailed));
        assert!(!some.wants(AuditKind::LoginSucceeded));
        assert!(all.clone().only_types(["auth.nothing"]).is_err());
        assert!(!format!("{all:?}").contains("MfKQ"));
    }

    #[test]
    fn the_payload_carries_the_event_and_its_type() {
        let event = AuditEvent {
            id: uuid::Uuid::now_v7(),
            at: time::macros::datetime!(2026-12-03 09:30 UTC),
            kind: AuditKind::RolesChanged,
            user_id: Some(crate::UserId::new()),
            actor_id: None,
            ip: Some("192.0.2.7".into()),
            detail: Some("admin".into()),
        };
        let body: serde_json::Value = serde_json::from_str(&payload(&event)).unwrap();
        assert_eq!(body["type"], "auth.roles_changed");
        assert_eq!(body["timestamp"], "2026-12-03T09:30:00Z");
        assert_eq!(body["data"]["event_id"], event.id.to_string());
        assert_eq!(
            body["data"]["user_id"],
            event.user_id.unwrap().0.to_string()
        );
        assert_eq!(body["data"]["detail"], "admin");
    }
}
