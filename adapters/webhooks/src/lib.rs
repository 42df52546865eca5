//! Sends auth-core's webhook calls over HTTP(S): an auth-core
//! [`WebhookSender`] on hyper, with TLS through
//! rustls and the ring provider (the client of `auth-breach-api`).
//!
//! auth-core builds each request (the JSON body and the Standard Webhooks headers, signed
//! with the endpoint's secret) and decides what the answer means; this crate only sends
//! it and reports the status code.
//!
//! ```no_run
//! # fn wire(builder: auth_core::AuthBuilder) -> auth_core::Result<auth_core::AuthBuilder> {
//! use std::sync::Arc;
//!
//! use auth_core::webhooks::{WebhookEndpoint, Webhooks};
//! use auth_webhooks::HttpSender;
//!
//! let endpoint = WebhookEndpoint::new(
//!     "https://hooks.example.com/auth",
//!     "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
//! )?;
//! let webhooks = Webhooks::new(Arc::new(HttpSender::new()?), vec![endpoint])?;
//! Ok(builder.webhooks(webhooks))
//! # }
//! ```
//!
//! HTTPS trusts the Mozilla roots of `webpki-roots`;
//! [`HttpSender::with_root_certificates`] trusts other roots instead (an endpoint behind
//! a private certificate authority). Plain `http://` goes only to a loopback address
//! unless [`HttpSender::allow_plain_http`] says otherwise: the calls are signed, not
//! encrypted, and carry account ids and IP addresses. Redirects are not followed (a
//! `3xx` answer is a failed attempt).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use auth_core::webhooks::{WebhookRequest, WebhookSender};
use auth_core::{Error, Result};
use auth_https::{HttpsClient, Roots, is_loopback};
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Uri, header};
use rustls::pki_types::CertificateDer;

/// How long connecting may take; the engine bounds the whole attempt as well.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Sends webhook requests with one pooled HTTP/1.1 client.
#[derive(Clone)]
pub struct HttpSender {
    client: HttpsClient<Full<Bytes>>,
    plain_http_anywhere: bool,
}

impl fmt::Debug for HttpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSender")
            .field("plain_http_anywhere", &self.plain_http_anywhere)
            .finish_non_exhaustive()
    }
}

impl HttpSender {
    /// A sender trusting the Mozilla root certificates.
    ///
    /// # Errors
    /// [`Error::Config`] when TLS cannot be set up.
    pub fn new() -> Result<Self> {
        Self::build(Roots::Mozilla)
    }

    /// A sender trusting only `roots` (a private certificate authority, or a test's
    /// self-signed certificate).
    ///
    /// # Errors
    /// [`Error::Config`] when a certificate cannot be used as a root.
    pub fn with_root_certificates(
        roots: impl IntoIterator<Item = CertificateDer<'static>>,
    ) -> Result<Self> {
        Self::build(Roots::Only(roots.into_iter().collect()))
    }

    /// Also sends plain `http://` to hosts other than loopback (default: refused, the
    /// attempt fails with the reason). For a private network the operator trusts.
    #[must_use]
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.plain_http_anywhere = allow;
        self
    }

    fn build(roots: Roots) -> Result<Self> {
        let client = auth_https::client(roots, Some(CONNECT_TIMEOUT))
            .map_err(|e| Error::Config(format!("TLS for webhooks: {e}")))?;
        Ok(Self {
            client,
            plain_http_anywhere: false,
        })
    }

    /// The request's URI, if this sender may send to it.
    fn target(&self, url: &str) -> Result<Uri> {
        let uri: Uri = url
            .parse()
            .map_err(|e| Error::Config(format!("webhook URL {url:?}: {e}")))?;
        let host = uri.host().unwrap_or_default();
        match uri.scheme_str() {
            Some("https") if !host.is_empty() => Ok(uri),
            Some("http") if self.plain_http_anywhere || is_loopback(host) => Ok(uri),
            Some("http") => Err(Error::Config(format!(
                "webhook URL {url:?}: plain http:// only to a loopback address (see \
                 HttpSender::allow_plain_http)"
            ))),
            _ => Err(Error::Config(format!(
                "webhook URL {url:?}: an https:// URL is needed"
            ))),
        }
    }
}

#[async_trait]
impl WebhookSender for HttpSender {
    async fn send(&self, request: &WebhookRequest) -> Result<u16> {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(self.target(&request.url)?)
            .header(
                header::USER_AGENT,
                concat!("auth-webhooks/", env!("CARGO_PKG_VERSION")),
            );
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let outgoing = builder
            .body(Full::new(Bytes::from(request.body.clone())))
            .map_err(Error::backend)?;
        let response = self
            .client
            .request(outgoing)
            .await
            .map_err(Error::unavailable)?;
        Ok(response.status().as_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_plain_http_to_loopback_only_unless_allowed() {
        let sender = HttpSender::new().unwrap();
        for good in [
            "https://hooks.example.com/in",
            "http://127.0.0.1:8080/in",
            "http://localhost/in",
            "http://[::1]:9/in",
        ] {
            assert!(sender.target(good).is_ok(), "{good}");
        }
        for bad in [
            "http://hooks.example.com/in",
            "http://10.0.0.1/in",
            "ftp://example.com/",
            "not a url",
        ] {
            assert!(
                matches!(sender.target(bad), Err(Error::Config(_))),
                "{bad} was accepted"
            );
        }
        let open = sender.allow_plain_http(true);
        assert!(open.target("http://hooks.example.com/in").is_ok());
    }
}
