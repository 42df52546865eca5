//! Configuration from URLs and the builder: accepted forms, defaults, and clear
//! `Error::Config` refusals that never echo the password.

use std::time::Duration;

use auth_core::Error;
use auth_smtp::{SmtpMailer, SmtpMailerBuilder, TlsMode};

#[test]
fn plain_local_url() {
    let mailer = SmtpMailer::from_url("smtp://localhost:1025").unwrap();
    assert_eq!(mailer.server(), ("localhost", 1025));
    assert_eq!(mailer.tls_mode(), TlsMode::None);
    assert_eq!(mailer.from_mailbox().to_string(), "no-reply@localhost");
}

#[test]
fn the_documented_starttls_example() {
    let mailer = SmtpMailer::from_url(
        "smtp://user:pass@mail.example.com:587?tls=starttls&from=Demo%20%3Cno-reply%40example.com%3E",
    )
    .unwrap();
    assert_eq!(mailer.server(), ("mail.example.com", 587));
    assert_eq!(mailer.tls_mode(), TlsMode::StartTls);
    assert_eq!(
        mailer.from_mailbox().to_string(),
        "Demo <no-reply@example.com>"
    );
    assert_eq!(
        mailer.from_mailbox().email.to_string(),
        "no-reply@example.com"
    );
}

#[test]
fn default_ports_follow_the_tls_mode() {
    let cases = [
        ("smtp://mail.example.com", 25, TlsMode::None),
        ("smtp://mail.example.com?tls=none", 25, TlsMode::None),
        (
            "smtp://mail.example.com?tls=starttls",
            587,
            TlsMode::StartTls,
        ),
        (
            "smtp://mail.example.com?tls=required",
            587,
            TlsMode::StartTls,
        ),
        (
            "smtp://mail.example.com?tls=implicit",
            465,
            TlsMode::Implicit,
        ),
        ("smtps://mail.example.com", 465, TlsMode::Implicit),
        (
            "smtps://mail.example.com?tls=implicit",
            465,
            TlsMode::Implicit,
        ),
        ("SMTPS://mail.example.com:2465", 2465, TlsMode::Implicit),
    ];
    for (url, port, tls) in cases {
        let mailer = SmtpMailer::from_url(url).unwrap();
        assert_eq!(mailer.server(), ("mail.example.com", port), "{url}");
        assert_eq!(mailer.tls_mode(), tls, "{url}");
    }
}

#[test]
fn ip_hosts() {
    let v4 = SmtpMailer::from_url("smtp://127.0.0.1:2525").unwrap();
    assert_eq!(v4.server(), ("127.0.0.1", 2525));
    let v6 = SmtpMailer::from_url("smtp://[::1]:2525").unwrap();
    assert_eq!(v6.server(), ("::1", 2525));
}

#[test]
fn credentials_are_percent_decoded_and_the_password_never_shown() {
    let builder = SmtpMailerBuilder::from_url(
        "smtps://us%40er%2Bx:hunter2%3A%2F%40@mail.example.com?timeout=5s&ehlo=client.example.com",
    )
    .unwrap();
    let debug = format!("{builder:?}");
    assert!(debug.contains("\"us@er+x\""), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(debug.contains("timeout: 5s"), "{debug}");
    assert!(debug.contains("client.example.com"), "{debug}");
    assert!(!debug.contains("hunter2"), "{debug}");

    let mailer = builder.build().unwrap();
    let debug = format!("{mailer:?}");
    assert!(debug.contains("us@er+x"), "{debug}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(!format!("{:#?}", mailer).contains("hunter2"));
}

#[test]
fn timeouts_in_seconds_or_milliseconds() {
    for (param, expected) in [("7", 7_000), ("7s", 7_000), ("250ms", 250)] {
        let builder =
            SmtpMailerBuilder::from_url(&format!("smtp://localhost?timeout={param}")).unwrap();
        let expected = format!("timeout: {:?}", Duration::from_millis(expected));
        assert!(format!("{builder:?}").contains(&expected), "{param}");
    }
}

fn config_error(url: &str) -> String {
    match SmtpMailer::from_url(url) {
        Err(Error::Config(message)) => message,
        other => panic!("{url}: expected Error::Config, got {other:?}"),
    }
}

#[test]
fn bad_urls_are_clear_config_errors_without_the_password() {
    let cases = [
        ("not a url", "not a valid URL"),
        ("http://user:hunter2@mail.example.com", "unsupported scheme"),
        ("smtp://", "no host"),
        (
            "smtp://user:hunter2@mail.example.com:99999",
            "not a valid URL",
        ),
        (
            "smtp://user:hunter2@mail.example.com?tls=opportunistic",
            "opportunistic",
        ),
        (
            "smtp://user:hunter2@mail.example.com?tls=startls",
            "unknown tls mode",
        ),
        (
            "smtps://user:hunter2@mail.example.com?tls=starttls",
            "implicit TLS",
        ),
        ("smtps://mail.example.com?tls=none", "implicit TLS"),
        (
            "smtp://user:hunter2@mail.example.com?tsl=starttls",
            "unknown parameter",
        ),
        (
            "smtp://mail.example.com?tls=starttls&tls=none",
            "given twice",
        ),
        ("smtp://mail.example.com?timeout=soon", "invalid timeout"),
        ("smtp://mail.example.com?timeout=0", "out of range"),
        ("smtp://mail.example.com?ehlo=", "ehlo is empty"),
        (
            "smtp://user:hunter2@mail.example.com/path",
            "unexpected path",
        ),
        ("smtp://mail.example.com#frag", "fragment"),
        (
            "smtp://user@mail.example.com?tls=starttls",
            "without a password",
        ),
        (
            "smtp://:hunter2@mail.example.com?tls=starttls",
            "without a user name",
        ),
        (
            "smtp://user:hunter%FF2@mail.example.com?tls=starttls",
            "UTF-8",
        ),
        (
            "smtp://mail.example.com?from=not%20an%20address",
            "invalid From address",
        ),
        (
            "smtp://mail.example.com?from=a%40b%40c",
            "invalid From address",
        ),
        // Credentials in clear to a remote host.
        ("smtp://user:hunter2@mail.example.com", "unencrypted"),
        (
            "smtp://user:hunter2@mail.example.com?ca_file=%2Fnonexistent%2Fca.pem&tls=starttls",
            "cannot read",
        ),
    ];
    for (url, expected) in cases {
        let message = config_error(url);
        assert!(
            message.contains(expected),
            "{url}: {message:?} lacks {expected:?}"
        );
        assert!(!message.contains("hunter2"), "{url}: {message:?}");
    }
}

#[test]
fn credentials_in_clear_are_allowed_only_to_loopback() {
    for url in [
        "smtp://user:pw@localhost:1025",
        "smtp://user:pw@127.0.0.1:1025",
        "smtp://user:pw@[::1]:1025",
    ] {
        assert!(SmtpMailer::from_url(url).is_ok(), "{url}");
    }
}

#[test]
fn a_root_certificate_file_must_hold_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, "this is not PEM").unwrap();
    let url = format!(
        "smtps://mail.example.com?ca_file={}",
        percent_encoding::utf8_percent_encode(
            path.to_str().unwrap(),
            percent_encoding::NON_ALPHANUMERIC
        )
    );
    let message = config_error(&url);
    assert!(message.contains("root certificate"), "{message}");

    let err = SmtpMailer::builder("mail.example.com")
        .add_root_certificate_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[test]
fn builder_validation() {
    let ok = SmtpMailer::builder("mail.example.com")
        .tls(TlsMode::Implicit)
        .credentials("u", "p")
        .from("Example <no-reply@example.com>")
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    assert_eq!(ok.server(), ("mail.example.com", 465));
    // The builder's default is required STARTTLS.
    assert_eq!(
        SmtpMailer::builder("mail.example.com")
            .build()
            .unwrap()
            .tls_mode(),
        TlsMode::StartTls
    );

    let refusals = [
        SmtpMailer::builder("  ").build(),
        SmtpMailer::builder("mail.example.com")
            .timeout(Duration::ZERO)
            .build(),
        SmtpMailer::builder("mail.example.com")
            .from("nobody")
            .build(),
        SmtpMailer::builder("mail.example.com")
            .tls(TlsMode::None)
            .credentials("u", "p")
            .build(),
        SmtpMailer::builder("localhost")
            .tls(TlsMode::None)
            .add_root_certificate_pem("-----BEGIN CERTIFICATE-----")
            .build(),
    ];
    for (i, result) in refusals.into_iter().enumerate() {
        assert!(
            matches!(result, Err(Error::Config(_))),
            "case {i}: {result:?}"
        );
    }
}
