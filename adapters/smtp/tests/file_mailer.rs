//! The development mailer: parseable `.eml` files, sortable unique names, atomic writes,
//! and logs that show the link but never the bodies.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use auth_core::{Email, Error, MailKind, Mailer};
use auth_smtp::{FileMailer, latest_in, latest_matching, read_eml, wait_for_mail};
use common::sample_email;

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn is_well_formed_name(name: &str, kind: &str) -> bool {
    let Some(rest) = name.strip_suffix(".eml") else {
        return false;
    };
    let parts: Vec<&str> = rest.splitn(2, '-').collect();
    let [millis, tail] = parts[..] else {
        return false;
    };
    let Some(random) = tail.strip_prefix(kind).and_then(|t| t.strip_prefix('-')) else {
        return false;
    };
    millis.len() == 13
        && millis.bytes().all(|b| b.is_ascii_digit())
        && random.len() == 8
        && random.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn writes_a_parseable_eml_into_a_created_directory() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("nested/mail");
    let mailer = FileMailer::new(&dir)
        .unwrap()
        .with_from("Demo <no-reply@example.com>")
        .unwrap();
    assert_eq!(mailer.dir(), dir);
    let email = sample_email("ada@example.com");

    mailer.send(&email).await.unwrap();

    let files = eml_files(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap();
    assert!(is_well_formed_name(name, "verification"), "{name}");

    let mail = read_eml(&files[0]).unwrap();
    assert_eq!(mail.path.as_deref(), Some(files[0].as_path()));
    assert_eq!(mail.subject, email.subject);
    assert_eq!(mail.to, ["ada@example.com"]);
    assert_eq!(mail.from.as_deref(), Some("no-reply@example.com"));
    assert_eq!(mail.from_name.as_deref(), Some("Demo"));
    assert_eq!(mail.text.as_deref(), Some(email.text.as_str()));
    assert_eq!(mail.html, email.html);
    assert_eq!(mail.kind.as_deref(), Some("verification"));
    assert!(mail.date.is_some());
    assert!(mail.message_id.is_some());
    assert_eq!(
        mail.link_containing("/auth/verify/"),
        Some("https://app.example/auth/verify/tok-123")
    );
    assert_eq!(mail.link_containing("/auth/reset/"), None);

    // The file is RFC 5322 with CRLF line endings, headers first.
    let raw = std::fs::read(&files[0]).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.contains("\r\nSubject: =?utf-8?"), "{raw}");
    assert!(raw.contains("multipart/alternative"));

    // The Debug output of what was read back keeps the token out.
    assert!(!format!("{mail:?}").contains("tok-123"));

    // The file carries a live link: only its owner may read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}

#[tokio::test]
async fn latest_in_finds_the_newest_message_for_a_recipient() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        latest_in(dir.path().join("missing"), "ada@example.com")
            .unwrap()
            .is_none()
    );

    let mailer = FileMailer::new(dir.path()).unwrap();
    for (to, subject, kind) in [
        ("ada@example.com", "first", MailKind::Verification),
        ("bob@example.com", "for bob", MailKind::Verification),
        ("ada@example.com", "second", MailKind::PasswordReset),
        ("bob@example.com", "bob again", MailKind::AccountExists),
    ] {
        let email = Email {
            to: to.into(),
            subject: subject.into(),
            text: format!("{subject}: https://app.example/auth/reset/{subject}\n"),
            html: None,
            kind,
        };
        mailer.send(&email).await.unwrap();
    }

    let names: Vec<String> = eml_files(dir.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 4);
    // Names sort in the order the messages were written.
    assert!(names[0].contains("-verification-"));
    assert!(names[2].contains("-password_reset-"));
    assert!(names[3].contains("-account_exists-"));

    let ada = latest_in(dir.path(), "ADA@example.com").unwrap().unwrap();
    assert_eq!(ada.subject, "second");
    assert_eq!(ada.kind.as_deref(), Some("password_reset"));
    assert_eq!(ada.html, None);
    assert_eq!(
        ada.first_link(),
        Some("https://app.example/auth/reset/second")
    );
    let bob = latest_in(dir.path(), "bob@example.com").unwrap().unwrap();
    assert_eq!(bob.subject, "bob again");
    assert!(latest_in(dir.path(), "eve@example.com").unwrap().is_none());
}

#[test]
fn wait_for_mail_sees_a_message_sent_later_and_gives_up_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let sender = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mailer = FileMailer::new(&path).unwrap();
            let mut first = sample_email("ada@example.com");
            first.subject = "verify".into();
            mailer.send(&first).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let reset = Email {
                to: "ada@example.com".into(),
                subject: "reset".into(),
                text: "https://app.example/auth/reset/r-1\n".into(),
                html: None,
                kind: MailKind::PasswordReset,
            };
            mailer.send(&reset).await.unwrap();
        });
    });

    let started = std::time::Instant::now();
    let reset = wait_for_mail(dir.path(), std::time::Duration::from_secs(10), |m| {
        m.is_to("ada@example.com") && m.kind.as_deref() == Some("password_reset")
    })
    .unwrap()
    .expect("the reset message arrives");
    assert_eq!(reset.subject, "reset");
    assert_eq!(
        reset.link_containing("/auth/reset/"),
        Some("https://app.example/auth/reset/r-1")
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    sender.join().unwrap();

    let verify = latest_matching(dir.path(), |m| m.kind.as_deref() == Some("verification"))
        .unwrap()
        .unwrap();
    assert_eq!(verify.subject, "verify");

    let started = std::time::Instant::now();
    let none = wait_for_mail(dir.path(), std::time::Duration::from_millis(200), |m| {
        m.is_to("eve@example.com")
    })
    .unwrap();
    assert!(none.is_none());
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(200),
        "{waited:?}"
    );
    assert!(waited < std::time::Duration::from_secs(3), "{waited:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_are_unique_and_never_seen_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Arc::new(FileMailer::new(dir.path()).unwrap());
    // Bodies large enough that a non-atomic write would be observable.
    let big = "All work and no play makes a very long body. ".repeat(20_000);

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let dir = dir.path().to_owned();
        let stop = Arc::clone(&stop);
        let big = big.clone();
        std::thread::spawn(move || {
            let mut checked = 0usize;
            while !stop.load(Ordering::Relaxed) {
                for path in eml_files(&dir) {
                    let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                    if name.starts_with('.') {
                        continue; // a temporary file, not a message yet
                    }
                    let mail = read_eml(&path).unwrap();
                    let text = mail.text.unwrap_or_default();
                    // (The encoder ends the body with a line break.)
                    assert!(
                        text.trim_end().ends_with(big.trim_end()),
                        "{name} was read half written"
                    );
                    checked += 1;
                }
            }
            checked
        })
    };

    let mut tasks = Vec::new();
    for i in 0..16 {
        let mailer = Arc::clone(&mailer);
        let big = big.clone();
        tasks.push(tokio::spawn(async move {
            let email = Email {
                to: format!("user{i}@example.com"),
                subject: format!("message {i}"),
                text: format!("https://app.example/auth/verify/{i}\n{big}"),
                html: None,
                kind: MailKind::Verification,
            };
            mailer.send(&email).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let checked = reader.join().unwrap();
    assert!(checked > 0);

    let files = eml_files(dir.path());
    assert_eq!(files.len(), 16, "{files:?}");
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            is_well_formed_name(name, "verification"),
            "no temp file left: {name}"
        );
    }
    for i in 0..16 {
        let mail = latest_in(dir.path(), &format!("user{i}@example.com"))
            .unwrap()
            .unwrap();
        assert_eq!(mail.subject, format!("message {i}"));
    }
}

#[test]
fn bad_configuration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    assert!(matches!(
        FileMailer::new(file.join("mail")),
        Err(Error::Config(_))
    ));

    let mailer = FileMailer::new(dir.path().join("mail")).unwrap();
    assert!(matches!(
        mailer.with_from("not an address"),
        Err(Error::Config(_))
    ));
}

#[tokio::test]
async fn an_invalid_recipient_is_refused_for_good_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(dir.path()).unwrap();
    let err = mailer
        .send(&sample_email("not an address"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MailRejected { .. }), "{err:?}");
    assert!(eml_files(dir.path()).is_empty());
}

/// Records every event's level and fields as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(format!("{} ", event.metadata().level()));
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn logs_recipient_subject_path_and_link_but_no_body() {
    let dir = tempfile::tempdir().unwrap();
    let capture = Capture::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let email = sample_email("ada@example.com");
    tracing::subscriber::with_default(capture.clone(), || {
        runtime.block_on(async {
            let mailer = FileMailer::new(dir.path()).unwrap();
            mailer.send(&email).await.unwrap();
        });
    });

    let events = capture.0.lock().unwrap().clone();
    let path = eml_files(dir.path()).pop().unwrap();
    let info: Vec<&String> = events.iter().filter(|e| e.starts_with("INFO")).collect();
    assert_eq!(info.len(), 1, "{events:#?}");
    let line = info[0];
    assert!(line.contains("to=ada@example.com"), "{line}");
    assert!(line.contains(&email.subject), "{line}");
    assert!(line.contains(&path.display().to_string()), "{line}");
    assert!(
        line.contains("link=\"https://app.example/auth/verify/tok-123\""),
        "{line}"
    );
    // The warning at construction says it is for development only.
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("WARN") && e.contains("do not use it in production")),
        "{events:#?}"
    );
    for event in &events {
        assert!(!event.contains("Hello Ada"), "a body leaked: {event}");
        assert!(
            !event.contains("quoted-printable"),
            "a body leaked: {event}"
        );
        assert!(!event.contains("<p>"), "a body leaked: {event}");
    }
}

/// Mail header injection: a line break in a header value (a subject from an overridden
/// template, an application name) never starts a header of its own, and an address with
/// one never reaches the mailer at all (auth-core refuses it at the form).
#[tokio::test]
async fn line_breaks_in_header_values_never_make_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(dir.path()).unwrap();
    let mut email = sample_email("ada@example.com");
    email.subject = "Welcome\r\nBcc: evil@example.net\r\nX-Injected: yes".to_owned();
    mailer.send(&email).await.unwrap();

    let files = eml_files(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    let headers = &raw[..raw.find("\r\n\r\n").unwrap()];
    for line in headers.split("\r\n") {
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert_ne!(name, "bcc", "{headers}");
        assert_ne!(name, "x-injected", "{headers}");
    }
    let mail = read_eml(&files[0]).unwrap();
    assert_eq!(
        mail.to,
        ["ada@example.com"],
        "one recipient, no injected copy"
    );

    for hostile in [
        "ada@example.com\r\nBcc: evil@example.net",
        "ada@example.com\nBcc: evil@example.net",
        "ada@example.com%0d%0aBcc:evil@example.net",
    ] {
        assert!(
            auth_core::validate::normalize_email("email", hostile).is_err(),
            "{hostile:?} was accepted"
        );
    }
}
