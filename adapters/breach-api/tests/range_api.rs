//! The range API client against a local stand-in server: a range file built from
//! passwords that are in the real Pwned Passwords corpus, served over plain HTTP on the
//! loopback address and over TLS with a self-signed certificate.
#![expect(
    clippy::unwrap_used,
    reason = "the stand-in server and helpers outside `#[test]` functions: a step that fails panics"
)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use auth_breach_api::RangeApi;
use auth_core::{BreachedPasswords, Error};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sha1::{Digest as _, Sha1};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Passwords found in every published breach corpus.
const BREACHED: [&str; 8] = [
    "123456",
    "password",
    "qwerty",
    "iloveyou",
    "letmein",
    "monkey",
    "dragon",
    "correcthorsebatterystaple",
];

/// The ranges of [`BREACHED`], keyed by prefix, as `SUFFIX:COUNT` lines.
fn ranges() -> BTreeMap<String, Vec<String>> {
    let mut ranges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (count, password) in (1..).zip(BREACHED) {
        let hex = hex::encode_upper(Sha1::digest(password));
        let (prefix, suffix) = hex.split_at(5);
        ranges
            .entry(prefix.to_owned())
            .or_default()
            .push(format!("{suffix}:{count}"));
    }
    ranges
}

/// What the stand-in saw and how it answers.
#[derive(Default)]
struct StandIn {
    status: AtomicU16,
    padding_asked: AtomicBool,
    paths: Mutex<Vec<String>>,
}

impl StandIn {
    fn answer(&self, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        self.paths
            .lock()
            .unwrap()
            .push(request.uri().path().to_owned());
        let padding = request
            .headers()
            .get("add-padding")
            .is_some_and(|v| v == "true");
        self.padding_asked.store(padding, Ordering::SeqCst);
        let status = StatusCode::from_u16(self.status.load(Ordering::SeqCst)).unwrap();
        if status != StatusCode::OK {
            return response(status, String::new());
        }
        let prefix = request.uri().path().trim_start_matches("/range/");
        let mut lines = ranges().remove(prefix).unwrap_or_default();
        if padding {
            lines.extend((0..300).map(|i| format!("{:035X}:0", 0xABCDEF_u64 * (i + 1))));
        }
        response(StatusCode::OK, lines.join("\r\n"))
    }
}

fn response(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
}

/// Serves `stand_in` on a loopback port, over TLS when `tls` is given; returns the port.
async fn serve(stand_in: Arc<StandIn>, tls: Option<TlsAcceptor>) -> u16 {
    stand_in.status.store(200, Ordering::SeqCst);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let stand_in = stand_in.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let answer = stand_in.answer(&request);
                    async move { Ok::<_, Infallible>(answer) }
                });
                match tls {
                    Some(tls) => {
                        if let Ok(stream) = tls.accept(stream).await {
                            let _ = http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                    }
                    None => {
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                }
            });
        }
    });
    port
}

fn split(password: &str) -> (String, String) {
    let hex = hex::encode_upper(Sha1::digest(password));
    let (prefix, suffix) = hex.split_at(5);
    (prefix.to_owned(), suffix.to_owned())
}

#[tokio::test]
async fn a_range_is_asked_by_prefix_with_padding_and_lists_the_breached_suffix() {
    let stand_in = Arc::new(StandIn::default());
    let port = serve(stand_in.clone(), None).await;
    let api = RangeApi::new(&format!("http://127.0.0.1:{port}/range/")).unwrap();
    for password in BREACHED {
        let (prefix, suffix) = split(password);
        let range = api.range(&prefix).await.unwrap();
        assert!(
            range.lines().any(|l| l.starts_with(&format!("{suffix}:"))),
            "{password}: {suffix} not in the range"
        );
        assert!(stand_in.padding_asked.load(Ordering::SeqCst));
        assert_eq!(
            stand_in.paths.lock().unwrap().last().unwrap(),
            &format!("/range/{prefix}"),
            "only the prefix is sent"
        );
    }
    let (prefix, suffix) = split("a password nobody has ever used, 7f3c");
    let range = api.range(&prefix).await.unwrap();
    assert!(!range.contains(&suffix));
    assert!(range.lines().all(|l| l.ends_with(":0")), "padding only");
}

#[tokio::test]
async fn a_failing_server_or_a_bad_prefix_is_an_error_not_an_empty_range() {
    let stand_in = Arc::new(StandIn::default());
    let port = serve(stand_in.clone(), None).await;
    let api = RangeApi::new(&format!("http://127.0.0.1:{port}/range/")).unwrap();
    stand_in.status.store(503, Ordering::SeqCst);
    assert!(matches!(
        api.range("5BAA6").await,
        Err(Error::Unavailable { .. })
    ));
    stand_in.status.store(429, Ordering::SeqCst);
    assert!(matches!(
        api.range("5BAA6").await,
        Err(Error::Unavailable { .. })
    ));
    for bad in ["5BAA", "5BAA61", "ZZZZZ", "5B/A6"] {
        assert!(api.range(bad).await.is_err(), "{bad}");
    }
    let requests = stand_in.paths.lock().unwrap().len();
    assert_eq!(requests, 2, "bad prefixes are never sent");

    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let api = RangeApi::new(&format!("http://127.0.0.1:{port}/range/")).unwrap();
    assert!(matches!(
        api.range("5BAA6").await,
        Err(Error::Unavailable { .. })
    ));
}

#[tokio::test]
async fn over_tls_the_server_certificate_is_checked_against_the_given_roots() {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = key.cert.der().clone();
    let private_key =
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.clone()], private_key)
    .unwrap();
    let stand_in = Arc::new(StandIn::default());
    let port = serve(stand_in.clone(), Some(TlsAcceptor::from(Arc::new(config)))).await;
    let base = format!("https://localhost:{port}/range/");

    let trusting = RangeApi::with_root_certificates(&base, [cert]).unwrap();
    let (prefix, suffix) = split("password");
    assert!(trusting.range(&prefix).await.unwrap().contains(&suffix));

    let public_roots = RangeApi::new(&base).unwrap();
    assert!(matches!(
        public_roots.range(&prefix).await,
        Err(Error::Unavailable { .. })
    ));
    assert_eq!(stand_in.paths.lock().unwrap().len(), 1);
}

/// An engine whose breach check asks a server that accepts connections and never
/// answers: after the timeout, registration goes on or is refused, as configured.
#[tokio::test]
async fn a_server_that_never_answers_is_waited_for_only_until_the_timeout() {
    use auth_core::conformance::engine::{Engine, PASSWORD, config, request};
    use auth_core::{BreachCheck, Registration, WhenUnavailable};

    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            open.push(silent.accept().await.unwrap());
        }
    });
    let api = Arc::new(RangeApi::new(&format!("http://127.0.0.1:{port}/range/")).unwrap());
    for when in [WhenUnavailable::Accept, WhenUnavailable::Refuse] {
        let check = BreachCheck::new(api.clone())
            .timeout(std::time::Duration::from_millis(300))
            .when_unavailable(when);
        let engine = Engine::wired(
            Arc::new(auth_store_memory::MemoryStore::new()),
            config(),
            |builder, store| builder.store(store.clone()).breach_check(check),
        );
        let registration = Registration {
            email: "eva@example.com".into(),
            username: None,
            password: PASSWORD.into(),
            password_confirm: PASSWORD.into(),
            profile: Default::default(),
            language: None,
        };
        let outcome = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            engine.auth.register(registration, &request()),
        )
        .await
        .expect("the timeout ends the wait");
        match when {
            WhenUnavailable::Accept => assert!(outcome.is_ok(), "{outcome:?}"),
            WhenUnavailable::Refuse => assert!(
                matches!(outcome, Err(Error::Unavailable { .. })),
                "{outcome:?}"
            ),
        }
    }
    held.abort();
}
