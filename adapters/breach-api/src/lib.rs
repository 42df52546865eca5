//! The k-anonymity range API of Pwned Passwords as an auth-core
//! [`BreachedPasswords`] source.
//!
//! For each new password, auth-core asks for the *range* of the first five hex digits of
//! its SHA-1; the password, and the rest of its hash, never leave the process. Every
//! request asks for padding (`Add-Padding: true`), so that the size of the answer does
//! not tell an observer of the encrypted traffic which range was asked for.
//!
//! ```no_run
//! # fn wire(builder: auth_core::AuthBuilder) -> auth_core::Result<auth_core::AuthBuilder> {
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use auth_breach_api::{PWNED_PASSWORDS, RangeApi};
//! use auth_core::{BreachCheck, WhenUnavailable};
//!
//! let check = BreachCheck::new(Arc::new(RangeApi::new(PWNED_PASSWORDS)?))
//!     .timeout(Duration::from_secs(2))
//!     .when_unavailable(WhenUnavailable::Accept);
//! Ok(builder.breach_check(check))
//! # }
//! ```
//!
//! HTTPS goes through rustls with the ring provider and the Mozilla roots of
//! `webpki-roots`; [`RangeApi::with_root_certificates`] trusts other roots instead (a
//! mirror behind a private certificate authority). Plain `http://` is accepted only for
//! a loopback address, such as a mirror on the same host.

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use std::fmt;

use async_trait::async_trait;
use auth_core::{BreachedPasswords, Error, Result};
use auth_https::{HttpsClient, Roots, is_loopback};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper::{Request, StatusCode, Uri, header};
use rustls::pki_types::CertificateDer;

/// The public Pwned Passwords range API; the prefix is appended to it.
pub const PWNED_PASSWORDS: &str = "https://api.pwnedpasswords.com/range/";

/// The largest answer read. A padded range of the public API is 800–1,000 lines of 40
/// bytes; anything far above that is not a range.
const MAX_RANGE_BYTES: usize = 1 << 20;

/// A range API at a base URL, to which the five-digit prefix is appended
/// (`https://api.pwnedpasswords.com/range/` asks `…/range/5BAA6`).
#[derive(Clone)]
pub struct RangeApi {
    client: HttpsClient<Empty<Bytes>>,
    base: String,
}

impl fmt::Debug for RangeApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RangeApi")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl RangeApi {
    /// The range API at `base_url`, trusting the Mozilla root certificates.
    ///
    /// # Errors
    /// [`Error::Config`] when `base_url` is not an `https://` URL (or `http://` to a
    /// loopback address).
    pub fn new(base_url: &str) -> Result<Self> {
        Self::build(base_url, Roots::Mozilla)
    }

    /// The range API at `base_url`, trusting only `roots` (a private certificate
    /// authority, or a test's self-signed certificate).
    ///
    /// # Errors
    /// [`Error::Config`] when `base_url` is not acceptable (see [`RangeApi::new`]) or a
    /// certificate cannot be used as a root.
    pub fn with_root_certificates(
        base_url: &str,
        roots: impl IntoIterator<Item = CertificateDer<'static>>,
    ) -> Result<Self> {
        Self::build(base_url, Roots::Only(roots.into_iter().collect()))
    }

    fn build(base_url: &str, roots: Roots) -> Result<Self> {
        check_base(base_url)?;
        let client = auth_https::client(roots, None)
            .map_err(|e| Error::Config(format!("TLS for the range API: {e}")))?;
        Ok(Self {
            client,
            base: base_url.to_owned(),
        })
    }
}

/// Refuses a base URL that does not parse, is not HTTPS (plain HTTP is allowed to a
/// loopback address only: anyone on the path could otherwise answer "never seen"), or
/// carries a query or fragment the prefix would land in.
fn check_base(base_url: &str) -> Result<()> {
    let refuse = |why: &str| Err(Error::Config(format!("range API URL {base_url:?}: {why}")));
    let Ok(uri) = format!("{base_url}00000").parse::<Uri>() else {
        return refuse("not a URL");
    };
    if base_url.contains(['?', '#']) {
        return refuse("the prefix is appended to the path, so it takes no query or fragment");
    }
    let host = uri.host().unwrap_or_default();
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => refuse("plain http:// only to a loopback address; use https://"),
        _ => refuse("an https:// URL is needed"),
    }
}

#[async_trait]
impl BreachedPasswords for RangeApi {
    async fn range(&self, prefix: &str) -> Result<String> {
        if prefix.len() != 5 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::backend("a range prefix is five hex digits"));
        }
        let uri: Uri = format!("{}{prefix}", self.base)
            .parse()
            .map_err(Error::backend)?;
        let request = Request::get(uri)
            .header(
                header::USER_AGENT,
                concat!("auth-breach-api/", env!("CARGO_PKG_VERSION")),
            )
            .header("add-padding", "true")
            .body(Empty::new())
            .map_err(Error::backend)?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(Error::unavailable)?;
        if response.status() != StatusCode::OK {
            return Err(Error::unavailable(format!(
                "the range API answered {}",
                response.status()
            )));
        }
        let body = Limited::new(response.into_body(), MAX_RANGE_BYTES)
            .collect()
            .await
            .map_err(Error::unavailable)?
            .to_bytes();
        String::from_utf8(body.to_vec()).map_err(Error::unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_base_urls_are_accepted() {
        for good in [
            PWNED_PASSWORDS,
            "http://127.0.0.1:8080/range/",
            "http://localhost/range/",
            "http://[::1]:9/r/",
        ] {
            assert!(check_base(good).is_ok(), "{good}");
        }
        for bad in [
            "http://api.pwnedpasswords.com/range/",
            "http://10.0.0.1/range/",
            "ftp://example.com/",
            "https:///range/",
            "https://example.com/range?x=",
            "not a url",
        ] {
            assert!(
                matches!(check_base(bad), Err(Error::Config(_))),
                "{bad} was accepted"
            );
        }
    }
}
