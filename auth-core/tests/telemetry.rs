//! What the engine reports through `metrics` and `tracing`, read back from a recording
//! recorder and a subscriber writing into memory: the counts of sign-ins by outcome,
//! locks, rate-limit refusals, hashing and store calls, the outbox, and spans that name
//! the user and never carry a secret.
//!
//! One test: the recorder and the subscriber are global to the process.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use auth_core::conformance::engine::{Engine, PASSWORD, config, request};
use auth_core::telemetry::{
    BREACH_CHECKS, HASH_QUEUE_SECONDS, HASH_SECONDS, LOCKOUTS, MAIL_DELIVERED, MAIL_FAILURES,
    OUTBOX_DEPTH, RATE_LIMITED, SIGN_INS, STORE_SECONDS,
};
use auth_core::{
    BreachCheck, Error, LockoutPolicy, RateLimit, RateLimits, Registration, SortedHashFile,
};
use auth_store_memory::MemoryStore;
use metrics_util::CompositeKey;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use time::Duration;

/// A password the policy accepts and the breach file lists.
const BREACHED: &str = "summer holidays in tuscany 2019";

/// Everything the subscriber wrote.
#[derive(Clone, Default)]
struct Written(Arc<Mutex<Vec<u8>>>);

impl Written {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Written {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The metrics recorded so far. A snapshot hands out what was recorded since the last
/// one (counters, gauges and histograms are drained), so counters and histograms are
/// summed here, and a gauge reads as it was last set before the snapshot: read it first
/// after the step that sets it.
struct Recorded {
    snapshotter: Snapshotter,
    totals: Mutex<Vec<(CompositeKey, f64)>>,
}

impl Recorded {
    /// The value of the metric `name` whose labels include every pair of `labels`,
    /// summed over the series that match: counters and gauges by value, histograms by
    /// their number of observations.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, _, _, value) in self.snapshotter.snapshot().into_vec() {
            let (fresh, replaces) = match value {
                DebugValue::Counter(n) => (n as f64, false),
                DebugValue::Gauge(g) => (g.into_inner(), true),
                DebugValue::Histogram(samples) => (samples.len() as f64, false),
            };
            match totals.iter_mut().find(|(k, _)| *k == key) {
                Some((_, total)) if replaces => *total = fresh,
                Some((_, total)) => *total += fresh,
                None => totals.push((key, fresh)),
            }
        }
        totals
            .iter()
            .filter(|(key, _)| {
                let key = key.key();
                key.name() == name
                    && labels.iter().all(|(k, v)| {
                        key.labels()
                            .any(|label| label.key() == *k && label.value() == *v)
                    })
            })
            .map(|(_, total)| total)
            .sum()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flows_report_metrics_and_spans_without_secrets() {
    let recorder = DebuggingRecorder::new();
    let metrics = Recorded {
        snapshotter: recorder.snapshotter(),
        totals: Mutex::default(),
    };
    recorder.install().unwrap();
    let written = Written::default();
    let writer = written.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let engine = Engine::on_with(Arc::new(MemoryStore::new()), |c| {
        c.lockout(LockoutPolicy {
            threshold: 3,
            ..LockoutPolicy::default()
        })
        .rate_limits(RateLimits {
            mail_per_address: RateLimit::new(1, Duration::hours(1)),
            ..RateLimits::default()
        })
    });
    let amy = engine.registered_and_verified("amy@example.com").await;
    let session = engine.login("amy@example.com", PASSWORD).await.unwrap();
    assert_eq!(metrics.value(SIGN_INS, &[("outcome", "success")]), 1.0);

    // Two wrong passwords, then the third locks the account.
    for _ in 0..2 {
        let wrong = engine
            .login("amy@example.com", "not the password at all")
            .await;
        assert!(matches!(wrong, Err(Error::InvalidCredentials)), "{wrong:?}");
    }
    let third = engine
        .login("amy@example.com", "not the password at all")
        .await;
    assert!(
        matches!(third, Err(Error::AccountLocked { .. })),
        "{third:?}"
    );
    assert_eq!(
        metrics.value(SIGN_INS, &[("outcome", "invalid_credentials")]),
        2.0
    );
    assert_eq!(
        metrics.value(SIGN_INS, &[("outcome", "account_locked")]),
        1.0
    );
    assert_eq!(metrics.value(LOCKOUTS, &[]), 1.0);

    // One reset mail per address and hour: the second is refused by that limit.
    engine
        .auth
        .request_password_reset("amy@example.com", &request())
        .await
        .unwrap();
    let limited = engine
        .auth
        .request_password_reset("amy@example.com", &request())
        .await;
    assert!(
        matches!(limited, Err(Error::RateLimited { .. })),
        "{limited:?}"
    );
    assert_eq!(
        metrics.value(RATE_LIMITED, &[("limit", "mail_per_address")]),
        1.0
    );

    // Hashing: the registration's hash, and one verification per sign-in attempt.
    assert!(metrics.value(HASH_SECONDS, &[("operation", "hash")]) >= 1.0);
    assert!(metrics.value(HASH_SECONDS, &[("operation", "verify")]) >= 4.0);
    assert!(metrics.value(HASH_QUEUE_SECONDS, &[]) >= 5.0);

    // Every store call, by store, method and outcome.
    assert!(
        metrics.value(
            STORE_SECONDS,
            &[
                ("store", "users"),
                ("operation", "user_by_email"),
                ("outcome", "ok")
            ]
        ) >= 4.0
    );
    assert!(
        metrics.value(
            STORE_SECONDS,
            &[("store", "counters"), ("operation", "increment")]
        ) >= 1.0
    );

    // The outbox: a confirmation mail that cannot be sent waits; a pass that cannot send
    // it either retries it later and says one mail waits; the next pass sends it.
    engine.mailer.set_failing(true);
    engine.register("bob@example.com").await;
    engine.clock.advance(Duration::minutes(1));
    assert_eq!(engine.auth.deliver_outbox().await.unwrap(), 0);
    assert_eq!(metrics.value(OUTBOX_DEPTH, &[]), 1.0);
    assert_eq!(metrics.value(MAIL_FAILURES, &[("outcome", "retry")]), 1.0);
    engine.mailer.set_failing(false);
    engine.clock.advance(Duration::hours(1));
    assert_eq!(engine.auth.deliver_outbox().await.unwrap(), 1);
    assert_eq!(metrics.value(MAIL_DELIVERED, &[]), 1.0);

    // Breached-password lookups by outcome, on an engine with a breach file.
    let dir = tempfile::tempdir().unwrap();
    let file = SortedHashFile::create(dir.path().join("breached.txt"), [BREACHED]).unwrap();
    let checked = Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder
            .store(store.clone())
            .breach_check(BreachCheck::new(Arc::new(file)))
    });
    for password in [BREACHED, PASSWORD] {
        let registration = Registration {
            email: "bea@example.com".into(),
            username: None,
            password: password.into(),
            password_confirm: password.into(),
            profile: Default::default(),
            language: None,
        };
        let _ = checked.auth.register(registration, &request()).await;
    }
    assert_eq!(
        metrics.value(BREACH_CHECKS, &[("outcome", "breached")]),
        1.0
    );
    assert_eq!(metrics.value(BREACH_CHECKS, &[("outcome", "clean")]), 1.0);

    // Spans: the sign-in names the account it opened, and nothing secret is written.
    let logs = written.text();
    let user_id = format!("user_id={}", amy.id);
    assert!(
        logs.lines()
            .any(|line| line.contains("auth.login") && line.contains(&user_id)),
        "{logs}"
    );
    assert!(logs.contains("auth.store"), "{logs}");
    assert!(logs.contains("operation=\"user_by_email\""), "{logs}");
    for secret in [
        PASSWORD,
        BREACHED,
        "not the password at all",
        session.token.expose(),
        &session.token.digest().to_hex(),
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
}
