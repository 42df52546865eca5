//! The outgoing HTTPS client the toolkit's adapters share (webhook delivery, the
//! breached-password range API): hyper's HTTP/1 client over rustls with the ring
//! provider and its safe default protocol versions, trusting the Mozilla roots or only
//! the roots an application gives; and the one rule for plain `http://`, which these
//! adapters allow to a loopback address only (for tests and local stand-ins).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Body;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

/// A client for `https://` (and, where its owner allows, `http://`) URLs sending bodies
/// of type `B`.
pub type HttpsClient<B> = Client<HttpsConnector<HttpConnector>, B>;

/// The certificates a client trusts.
#[derive(Debug, Clone, Default)]
pub enum Roots {
    /// The Mozilla root certificates (from `webpki-roots`).
    #[default]
    Mozilla,
    /// Only these: a private certificate authority, or a test's self-signed certificate.
    Only(Vec<CertificateDer<'static>>),
}

/// A client trusting `roots`, giving up on a connection after `connect_timeout` if set.
///
/// # Errors
/// A certificate of [`Roots::Only`] cannot be used as a root, or rustls cannot set up
/// its default protocol versions with the ring provider.
pub fn client<B>(
    roots: Roots,
    connect_timeout: Option<Duration>,
) -> Result<HttpsClient<B>, rustls::Error>
where
    B: Body + Send + 'static,
    B::Data: Send,
{
    let tls = tls_config(roots)?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(connect_timeout);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

/// The TLS settings of every outgoing client of the toolkit (this crate's, and
/// `auth-oidc`'s `reqwest` client): rustls with the ring provider and its safe default
/// protocol versions, trusting `roots`, no client certificate.
///
/// # Errors
/// A certificate of [`Roots::Only`] cannot be used as a root, or rustls cannot set up
/// its default protocol versions with the ring provider.
pub fn tls_config(roots: Roots) -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = match roots {
        Roots::Mozilla => RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        Roots::Only(certificates) => {
            let mut store = RootCertStore::empty();
            for certificate in certificates {
                store.add(certificate)?;
            }
            store
        }
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// Whether `host` (a URI's host, IPv6 addresses in brackets or not) is `localhost` or a
/// loopback address: the only place plain `http://` may go by default, since anyone on
/// the path to any other host could read or answer the request.
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "::1"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["example.com", "10.0.0.1", "[::2]", "localhost.example", ""] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn a_bad_root_is_refused() {
        let garbage = CertificateDer::from(vec![1, 2, 3]);
        let result =
            client::<http_body_util::Empty<bytes::Bytes>>(Roots::Only(vec![garbage]), None);
        assert!(result.is_err());
    }
}
