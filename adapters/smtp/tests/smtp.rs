//! `SmtpMailer` against a real SMTP server (aiosmtpd), never a mock: plain delivery, AUTH,
//! required STARTTLS, implicit TLS, and failures within the time limit.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::time::{Duration, Instant};

use auth_core::{Email, Error, MailKind, Mailer};
use auth_smtp::{SmtpMailer, TlsMode, parse_eml};
use common::{ServerOptions, SmtpServer, TestPki, dead_port, sample_email};

const FROM_PARAM: &str = "from=Demo%20%3Cno-reply%40example.com%3E";

fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn lettre_error(err: &Error) -> &lettre::transport::smtp::Error {
    let Error::Mail { source } = err else {
        panic!("expected Error::Mail, got {err:?}");
    };
    source
        .downcast_ref::<lettre::transport::smtp::Error>()
        .unwrap_or_else(|| panic!("expected a lettre SMTP error, got {source:?}"))
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn plain_delivery_carries_the_exact_message() {
    let server = SmtpServer::start(ServerOptions::default());
    let mailer =
        SmtpMailer::from_url(&format!("smtp://127.0.0.1:{}?{FROM_PARAM}", server.port)).unwrap();
    let email = sample_email("ada@example.com");
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();

    mailer.send(&email).await.unwrap();

    let deliveries = server.wait_for(1);
    assert_eq!(deliveries.len(), 1);
    let delivery = &deliveries[0];
    assert_eq!(delivery.mail_from, "no-reply@example.com");
    assert_eq!(delivery.rcpt_tos, ["ada@example.com"]);
    assert!(!delivery.tls);
    assert_eq!(delivery.login, None);

    let mail = parse_eml(&delivery.raw).unwrap();
    assert_eq!(mail.subject, email.subject);
    assert_eq!(mail.to, ["ada@example.com"]);
    assert_eq!(mail.from.as_deref(), Some("no-reply@example.com"));
    assert_eq!(mail.from_name.as_deref(), Some("Demo"));
    assert_eq!(mail.text.as_deref(), Some(email.text.as_str()));
    assert_eq!(mail.html, email.html);
    assert_eq!(mail.kind.as_deref(), Some("verification"));
    assert!(
        mail.message_id
            .as_deref()
            .is_some_and(|id| id.ends_with("@example.com")),
        "{:?}",
        mail.message_id
    );
    let date = mail.date.expect("a Date header");
    assert!(
        (date - i64::try_from(before).unwrap()).abs() < 120,
        "{date}"
    );
    assert_eq!(
        mail.first_link(),
        Some("https://app.example/auth/verify/tok-123")
    );

    // On the wire: MIME alternative, and an RFC 2047 encoded subject (no raw UTF-8 in
    // the header).
    let raw = String::from_utf8_lossy(&delivery.raw);
    let headers = &raw[..raw.find("\r\n\r\n").unwrap()];
    assert!(headers.contains("multipart/alternative"), "{headers}");
    assert!(headers.contains("MIME-Version: 1.0"), "{headers}");
    let subject_line = headers.lines().find(|l| l.starts_with("Subject:")).unwrap();
    assert!(subject_line.is_ascii(), "{subject_line}");
    assert!(subject_line.contains("=?utf-8?"), "{subject_line}");
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn text_only_mail_is_a_single_plain_part() {
    let server = SmtpServer::start(ServerOptions::default());
    let mailer = SmtpMailer::from_url(&format!("smtp://localhost:{}", server.port)).unwrap();
    let email = Email {
        to: "bob@example.com".into(),
        subject: "Your password was changed".into(),
        text: "If this was not you, reset it now.\n".into(),
        html: None,
        kind: MailKind::PasswordChanged,
    };
    mailer.send(&email).await.unwrap();

    let deliveries = server.wait_for(1);
    assert_eq!(deliveries.len(), 1);
    let mail = parse_eml(&deliveries[0].raw).unwrap();
    assert_eq!(mail.subject, "Your password was changed");
    assert_eq!(
        mail.text.as_deref(),
        Some("If this was not you, reset it now.\n")
    );
    assert_eq!(mail.html, None);
    assert_eq!(mail.kind.as_deref(), Some("password_changed"));
    // The default From address.
    assert_eq!(mail.from.as_deref(), Some("no-reply@localhost"));
    let raw = String::from_utf8_lossy(&deliveries[0].raw);
    assert!(!raw.contains("multipart/"), "{raw}");
    assert!(
        raw.contains("Content-Type: text/plain; charset=utf-8"),
        "{raw}"
    );
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn auth_with_correct_percent_encoded_credentials_delivers() {
    let password = "s3cr#t p@ss:/?%";
    let server = SmtpServer::start(ServerOptions {
        auth: Some(("mailer@example.com", password)),
        ..ServerOptions::default()
    });
    let url = format!(
        "smtp://{}:{}@127.0.0.1:{}?{FROM_PARAM}",
        percent_encode("mailer@example.com"),
        percent_encode(password),
        server.port
    );
    let mailer = SmtpMailer::from_url(&url).unwrap();
    mailer.send(&sample_email("ada@example.com")).await.unwrap();

    let deliveries = server.wait_for(1);
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].login.as_deref(), Some("mailer@example.com"));
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn auth_with_wrong_credentials_is_a_mail_error_worth_retrying() {
    let server = SmtpServer::start(ServerOptions {
        auth: Some(("mailer", "right")),
        ..ServerOptions::default()
    });
    let mailer = SmtpMailer::builder("127.0.0.1")
        .port(server.port)
        .tls(TlsMode::None)
        .credentials("mailer", "wrong")
        .build()
        .unwrap();

    let err = mailer
        .send(&sample_email("ada@example.com"))
        .await
        .unwrap_err();

    // A 5xx reply, but about this mailer's configuration, not the message: once the
    // password is fixed the same message goes through, so the outbox keeps it.
    let smtp = lettre_error(&err);
    assert!(smtp.is_permanent(), "{smtp:?}");
    assert_eq!(smtp.status().map(|c| c.to_string()).as_deref(), Some("535"));
    assert!(server.deliveries().is_empty());
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn a_recipient_refused_with_5xx_is_refused_for_good() {
    let server = SmtpServer::start(ServerOptions {
        refuse: Some(("gone@example.com", "550 5.1.1 No such user here")),
        ..ServerOptions::default()
    });
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{}", server.port)).unwrap();

    let err = mailer
        .send(&sample_email("gone@example.com"))
        .await
        .unwrap_err();

    let Error::MailRejected { source } = &err else {
        panic!("expected Error::MailRejected, got {err:?}");
    };
    let smtp = source
        .downcast_ref::<lettre::transport::smtp::Error>()
        .unwrap();
    assert_eq!(smtp.status().map(|c| c.to_string()).as_deref(), Some("550"));
    assert!(
        std::error::Error::source(&err)
            .unwrap()
            .to_string()
            .contains("No such user"),
        "the reply's text reaches the administrator: {err}"
    );
    // Others still get their mail from the same server.
    mailer.send(&sample_email("ada@example.com")).await.unwrap();
    assert_eq!(server.wait_for(1).len(), 1);
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn a_recipient_deferred_with_4xx_is_worth_retrying() {
    let server = SmtpServer::start(ServerOptions {
        refuse: Some((
            "busy@example.com",
            "451 4.2.0 Mailbox busy, try again later",
        )),
        ..ServerOptions::default()
    });
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{}", server.port)).unwrap();

    let err = mailer
        .send(&sample_email("busy@example.com"))
        .await
        .unwrap_err();

    let smtp = lettre_error(&err);
    assert!(smtp.is_transient(), "{smtp:?}");
    assert_eq!(smtp.status().map(|c| c.to_string()).as_deref(), Some("451"));
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn required_starttls_with_a_trusted_ca_delivers_encrypted() {
    let pki = TestPki::generate();
    let server = SmtpServer::start(ServerOptions {
        auth: Some(("mailer", "pw")),
        starttls: Some(&pki),
        ..ServerOptions::default()
    });
    // Through the URL, with the CA file as an operator would give it.
    let url = format!(
        "smtp://mailer:pw@localhost:{}?tls=starttls&ca_file={}&{FROM_PARAM}",
        server.port,
        percent_encode(pki.ca_cert.to_str().unwrap())
    );
    let mailer = SmtpMailer::from_url(&url).unwrap();
    assert_eq!(mailer.tls_mode(), TlsMode::StartTls);
    mailer.send(&sample_email("ada@example.com")).await.unwrap();

    // And through the builder, with the CA as PEM data.
    let mailer = SmtpMailer::builder("localhost")
        .port(server.port)
        .tls(TlsMode::StartTls)
        .credentials("mailer", "pw")
        .add_root_certificate_pem(pki.ca_pem.clone())
        .build()
        .unwrap();
    mailer.test_connection().await.unwrap();
    mailer.send(&sample_email("bob@example.com")).await.unwrap();

    let deliveries = server.wait_for(2);
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|d| d.tls), "{deliveries:?}");
    assert!(
        deliveries
            .iter()
            .all(|d| d.login.as_deref() == Some("mailer"))
    );
    assert_eq!(deliveries[1].rcpt_tos, ["bob@example.com"]);
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn starttls_with_an_untrusted_certificate_fails() {
    let pki = TestPki::generate();
    let server = SmtpServer::start(ServerOptions {
        starttls: Some(&pki),
        ..ServerOptions::default()
    });
    let mailer = SmtpMailer::builder("localhost")
        .port(server.port)
        .tls(TlsMode::StartTls)
        .build()
        .unwrap();

    let err = mailer
        .send(&sample_email("ada@example.com"))
        .await
        .unwrap_err();

    let smtp = lettre_error(&err);
    assert!(
        format!("{smtp:?}").contains("InvalidCertificate(UnknownIssuer)"),
        "{smtp:?}"
    );
    assert!(server.deliveries().is_empty());
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn required_starttls_against_a_server_without_it_fails() {
    let server = SmtpServer::start(ServerOptions::default());
    let mailer =
        SmtpMailer::from_url(&format!("smtp://localhost:{}?tls=starttls", server.port)).unwrap();

    let err = mailer
        .send(&sample_email("ada@example.com"))
        .await
        .unwrap_err();

    let smtp = lettre_error(&err);
    assert!(smtp.to_string().contains("STARTTLS"), "{smtp}");
    assert!(
        server.deliveries().is_empty(),
        "nothing may be sent in clear"
    );
}

#[test_services::needs(smtp_server)]
#[tokio::test]
async fn implicit_tls_delivers_encrypted() {
    let pki = TestPki::generate();
    let server = SmtpServer::start(ServerOptions {
        auth: Some(("mailer", "pw")),
        implicit_tls: Some(&pki),
        ..ServerOptions::default()
    });
    let url = format!(
        "smtps://mailer:pw@localhost:{}?ca_file={}&{FROM_PARAM}",
        server.port,
        percent_encode(pki.ca_cert.to_str().unwrap())
    );
    let mailer = SmtpMailer::from_url(&url).unwrap();
    assert_eq!(mailer.tls_mode(), TlsMode::Implicit);
    mailer.send(&sample_email("ada@example.com")).await.unwrap();

    let deliveries = server.wait_for(1);
    assert_eq!(deliveries.len(), 1);
    assert!(deliveries[0].tls);
    let mail = parse_eml(&deliveries[0].raw).unwrap();
    assert_eq!(mail.subject, sample_email("x@example.com").subject);
}

#[tokio::test]
async fn a_dead_port_fails_quickly_with_a_mail_error() {
    let port = dead_port();
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}?timeout=2")).unwrap();
    let started = Instant::now();

    let err = mailer
        .send(&sample_email("ada@example.com"))
        .await
        .unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, Error::Mail { .. }), "{err:?}");
    assert!(mailer.test_connection().await.is_err());
}

#[tokio::test]
async fn a_server_that_never_answers_fails_within_the_timeout() {
    // A real socket that accepts connections and never says a word (no greeting).
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}?timeout=500ms")).unwrap();
    let started = Instant::now();

    let err = mailer
        .send(&sample_email("ada@example.com"))
        .await
        .unwrap_err();

    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    let Error::Mail { source } = &err else {
        panic!("{err:?}");
    };
    let io = source.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    hold.abort();
}

#[tokio::test]
async fn an_invalid_recipient_is_refused_for_good_before_any_connection() {
    let port = dead_port();
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    for recipient in ["not an address", "\"x y\"@example.com"] {
        let err = mailer.send(&sample_email(recipient)).await.unwrap_err();
        let Error::MailRejected { source } = &err else {
            panic!("{recipient}: {err:?}");
        };
        assert!(
            source
                .downcast_ref::<lettre::address::AddressError>()
                .is_some(),
            "{source:?}"
        );
    }
}
