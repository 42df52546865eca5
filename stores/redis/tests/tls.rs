//! TLS for real: the test starts its own throwaway `redis-server` with TLS only (a private
//! CA made with `openssl`, client certificates required) on a free port, and the store
//! talks to it over `rediss://` with rustls and ring. The shared server is not touched.
//! Needs `redis-server` (built with TLS) and `openssl` on the PATH; without them the test
//! is skipped, except under `CI`, where it fails.
#![cfg(feature = "tls")]
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use auth_core::{
    Error, SessionRecord, SessionStore, SessionToken, SessionUserStore, User, UserStore,
};
use auth_store_redis::{RedisConfig, RedisStore};
use common::server::Server;
use time::OffsetDateTime;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl (on the PATH?): {e}"));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for localhost/127.0.0.1 and a client certificate.
fn make_certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-days",
                "1",
                "-subj",
                "/CN=auth test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    for (name, ext) in [("server", "server.ext"), ("client", "client.ext")] {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let crt = format!("{name}.crt");
        openssl(
            dir,
            &[
                &["req"][..],
                &ec,
                &[
                    "-subj",
                    &format!("/CN={name}"),
                    "-keyout",
                    &key,
                    "-out",
                    &csr,
                ],
            ]
            .concat(),
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                ext,
                "-out",
                &crt,
            ],
        );
    }
}

/// The throwaway TLS-only server, and the directory of its certificates (kept apart
/// from the server's own, which each start attempt makes afresh).
struct TlsServer {
    server: Server,
    certificates: tempfile::TempDir,
}

impl TlsServer {
    fn start() -> Self {
        let certificates = tempfile::tempdir().unwrap();
        make_certificates(certificates.path());
        let p = |f: &str| certificates.path().join(f).to_str().unwrap().to_owned();
        let server = Server::start_listening(|port| {
            [
                "--port",
                "0",
                "--tls-port",
                &port.to_string(),
                "--tls-cert-file",
                &p("server.crt"),
                "--tls-key-file",
                &p("server.key"),
                "--tls-ca-cert-file",
                &p("ca.crt"),
                "--tls-auth-clients",
                "yes",
            ]
            .map(str::to_owned)
            .into()
        });
        Self {
            server,
            certificates,
        }
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.certificates.path().join(name)).unwrap()
    }

    fn config(&self, host: &str) -> RedisConfig {
        RedisConfig::new(format!("rediss://{host}:{}/", self.server.port))
            .connect_timeout(Duration::from_millis(1000))
            .response_timeout(Duration::from_millis(1000))
    }
}

fn user() -> User {
    User {
        email: "tls@example.test".to_owned(),
        ..common::user("tls")
    }
}

#[test_services::needs(redis_server, openssl)]
#[tokio::test]
async fn stores_over_verified_mutual_tls() {
    let server = TlsServer::start();

    // The private CA and a client certificate: everything works over TLS.
    for host in ["localhost", "127.0.0.1"] {
        let config = server
            .config(host)
            .tls_root_certificates(server.file("ca.crt"))
            .tls_client_certificate(server.file("client.crt"), server.file("client.key"));
        let store = Arc::new(RedisStore::connect(config).await.unwrap());
        let u = user();
        store.create_user(&u).await.unwrap();
        let t = OffsetDateTime::now_utc();
        let s = SessionRecord {
            digest: SessionToken::generate().digest(),
            user_id: u.id,
            created_at: t,
            last_seen_at: t,
            expires_at: t + time::Duration::hours(1),
            idle_expires_at: t + time::Duration::hours(1),
            remember: false,
            user_agent: None,
            ip: None,
            amr: vec![auth_core::AuthMethod::Pwd],
            auth_time: t,
            proved_at: t,
        };
        store.create_session(&s).await.unwrap();
        assert_eq!(
            store.session_with_user(&s.digest).await.unwrap(),
            Some((s, u.clone()))
        );
        store.delete_user(u.id, 1).await.unwrap();
    }
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());

    // Without the private CA the server's certificate is refused.
    let untrusted = server
        .config("localhost")
        .tls_client_certificate(server.file("client.crt"), server.file("client.key"));
    assert_refused(RedisStore::connect(untrusted).await);

    // Without a client certificate the server refuses us.
    let anonymous = server
        .config("localhost")
        .tls_root_certificates(server.file("ca.crt"));
    assert_refused(RedisStore::connect(anonymous).await);

    // TLS settings with a plain-text URL are a configuration error.
    let plain =
        RedisConfig::new("redis://127.0.0.1:6379/").tls_root_certificates(server.file("ca.crt"));
    assert!(matches!(
        RedisStore::connect(plain).await,
        Err(Error::Config(_))
    ));
}

fn assert_refused(result: auth_core::Result<RedisStore>) {
    match result {
        Err(e @ (Error::Unavailable { .. } | Error::Backend { .. })) => {
            eprintln!(
                "refused as expected: {e}: {:?}",
                std::error::Error::source(&e)
            );
        }
        other => panic!("expected the TLS handshake to fail, got {other:?}"),
    }
}
