use auth_core::{MailKind, MailOutbox};
use time::Duration;

use crate::support::{Harness, harness, harness_with};

#[tokio::test]
async fn mail_that_fails_is_queued_and_delivered_later() {
    let h = harness();
    h.mailer.set_failing(true);
    let user = h.register("outbox@example.com").await;
    assert_eq!(
        user.email, "outbox@example.com",
        "the flow succeeds although mail failed"
    );
    assert_eq!(h.store.pending_count().await.unwrap(), 1);

    // Not due yet: nothing is tried.
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
    h.clock.advance(Duration::seconds(31));
    // Still failing: rescheduled with a longer delay.
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
    assert_eq!(h.store.pending_count().await.unwrap(), 1);

    h.mailer.set_failing(false);
    h.clock.advance(Duration::seconds(61));
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 1);
    assert_eq!(h.store.pending_count().await.unwrap(), 0);
    let mail = h
        .mailer
        .last_to("outbox@example.com", MailKind::Verification)
        .unwrap();
    assert!(mail.text.contains("https://app.test/auth/verify/"));
}

#[tokio::test]
async fn purging_removes_dead_sessions() {
    let h = harness();
    h.registered_and_verified("purge@example.com").await;
    let s = h
        .login("purge@example.com", crate::support::PASSWORD)
        .await
        .unwrap();
    h.clock.advance(Duration::days(1));
    let (sessions, _) = h.auth.purge_expired().await.unwrap();
    assert_eq!(sessions, 1);
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_none());
}

// ---------------------------------------------------------------------------------------
// Giving up, failed mail for administrators, and sealed bodies
// ---------------------------------------------------------------------------------------

use std::sync::Arc;

use auth_core::{
    AuditKind, AuditSink, CapturingMailer, Email, Error, FailedMail, OutboxPolicy, Page,
};
use auth_store_memory::MemoryStore;

use crate::support::{PASSWORD, ctx};

async fn failed(h: &Harness) -> Vec<FailedMail> {
    h.store.failed_messages(Page::default()).await.unwrap()
}

/// What the store holds for every queued message due within a minute: the copies
/// `claim_due` returns are the stored ones. They stay leased for a second only.
async fn stored(h: &Harness) -> Vec<Email> {
    let soon = h.auth.now() + Duration::minutes(1);
    h.store
        .claim_due(soon, 100, Duration::seconds(1))
        .await
        .unwrap()
        .iter()
        .filter_map(|m| m.email().cloned())
        .collect()
}

#[tokio::test]
async fn mail_refused_for_good_is_kept_as_failed_and_never_retried() {
    let h = harness();
    h.mailer.set_rejecting(true);
    h.register("gone@example.com").await;

    assert_eq!(
        h.store.pending_count().await.unwrap(),
        0,
        "not queued for retry"
    );
    let list = failed(&h).await;
    assert_eq!(list.len(), 1);
    let mail = &list[0];
    assert_eq!(mail.to, "gone@example.com");
    assert_eq!(mail.kind, MailKind::Verification);
    assert_eq!(mail.attempts, 1);
    assert_eq!(mail.failed_at, h.auth.now());
    assert!(mail.last_error.contains("550"), "{}", mail.last_error);

    h.mailer.set_rejecting(false);
    for _ in 0..3 {
        h.clock.advance(Duration::hours(2));
        assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
    }
    assert_eq!(h.mailer.attempted().len(), 1, "never tried again by itself");
    assert_eq!(failed(&h).await.len(), 1);
}

#[tokio::test]
async fn queued_mail_refused_for_good_on_a_retry_is_marked_failed() {
    let h = harness();
    h.mailer.set_failing(true);
    h.register("later-gone@example.com").await;
    assert_eq!(h.store.pending_count().await.unwrap(), 1);

    h.mailer.set_failing(false);
    h.mailer.set_rejecting(true);
    h.clock.advance(Duration::seconds(31));
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
    assert_eq!(h.store.pending_count().await.unwrap(), 0);
    let list = failed(&h).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].attempts, 2);
    assert!(
        list[0].last_error.contains("refuse"),
        "{}",
        list[0].last_error
    );
}

#[tokio::test]
async fn the_outbox_gives_up_after_the_policy_s_attempts() {
    let h = harness_with(|c| {
        c.outbox_policy(OutboxPolicy {
            max_attempts: 3,
            ..OutboxPolicy::default()
        })
    });
    h.mailer.set_failing(true);
    h.register("flaky@example.com").await;
    // Attempt 1 was inline; 2 and 3 from the outbox, then it is given up.
    for attempt in 2..=3 {
        h.clock.advance(Duration::hours(1));
        assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
        assert_eq!(h.mailer.attempted().len(), attempt);
    }
    assert_eq!(h.store.pending_count().await.unwrap(), 0);
    let list = failed(&h).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].attempts, 3);
    assert!(
        list[0].last_error.starts_with("gave up after 3 attempts"),
        "{}",
        list[0].last_error
    );
    h.clock.advance(Duration::hours(1));
    h.mailer.set_failing(false);
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
    assert_eq!(h.mailer.attempted().len(), 3);
}

#[tokio::test]
async fn mail_older_than_the_policy_allows_is_given_up_unsent() {
    let h = harness_with(|c| {
        c.outbox_policy(OutboxPolicy {
            max_age: Duration::hours(6),
            ..OutboxPolicy::default()
        })
    });
    h.mailer.set_failing(true);
    h.register("stale@example.com").await;
    h.mailer.set_failing(false);
    // The delivery loop was down for a day.
    h.clock.advance(Duration::days(1));
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
    assert!(h.mailer.sent().is_empty(), "stale mail is not sent");
    let list = failed(&h).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].attempts, 1);
    assert!(
        list[0].last_error.contains("within 6 hours"),
        "{}",
        list[0].last_error
    );
}

#[tokio::test]
async fn administrators_list_retry_and_discard_failed_mail() {
    let h = harness();
    let root = h.admin().await;
    h.mailer.set_rejecting(true);
    h.register("one@example.com").await;
    h.clock.advance(Duration::minutes(1));
    h.register("two@example.com").await;
    h.mailer.set_rejecting(false);

    let (list, total) = h
        .auth
        .admin_failed_mail(&root, Page::default())
        .await
        .unwrap();
    assert_eq!(total, 2);
    let to: Vec<&str> = list.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(
        to,
        ["two@example.com", "one@example.com"],
        "newest failure first"
    );

    // Someone who is not an administrator sees nothing and changes nothing.
    h.registered_and_verified("user@example.com").await;
    let s = h.login("user@example.com", PASSWORD).await.unwrap();
    let user = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    assert!(matches!(
        h.auth.admin_failed_mail(&user, Page::default()).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        h.auth.admin_retry_mail(&user, list[0].id, &ctx()).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        h.auth.admin_discard_mail(&user, list[0].id, &ctx()).await,
        Err(Error::Forbidden)
    ));

    // Retry: queued again, due at once, delivered by the next pass.
    h.auth
        .admin_retry_mail(&root, list[1].id, &ctx())
        .await
        .unwrap();
    assert!(matches!(
        h.auth.admin_retry_mail(&root, list[1].id, &ctx()).await,
        Err(Error::NotFound)
    ));
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 1);
    let mail = h
        .mailer
        .last_to("one@example.com", MailKind::Verification)
        .expect("the retried mail arrived");
    assert!(mail.text.contains("https://app.test/auth/verify/"));

    // Discard: gone for good.
    h.auth
        .admin_discard_mail(&root, list[0].id, &ctx())
        .await
        .unwrap();
    assert!(matches!(
        h.auth.admin_discard_mail(&root, list[0].id, &ctx()).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        h.auth
            .admin_retry_mail(&root, uuid::Uuid::now_v7(), &ctx())
            .await,
        Err(Error::NotFound)
    ));
    let (list, total) = h
        .auth
        .admin_failed_mail(&root, Page::default())
        .await
        .unwrap();
    assert!(list.is_empty());
    assert_eq!(total, 0);
    assert_eq!(h.store.pending_count().await.unwrap(), 0);

    // Both actions are in the administrator's audit trail, newest first.
    let kinds: Vec<AuditKind> = h
        .store
        .events_for_user(root.user.id, 50)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .filter(|k| matches!(k, AuditKind::MailRetried | AuditKind::MailDiscarded))
        .collect();
    assert_eq!(kinds, [AuditKind::MailDiscarded, AuditKind::MailRetried]);
}

/// The token in the first link of `email` with `marker`.
fn token_in(email: &Email, marker: &str) -> String {
    let link = CapturingMailer::link_in(email, marker).expect("a link");
    link.rsplit('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn queued_mail_holds_no_token_and_survives_a_restart_intact() {
    let store = Arc::new(MemoryStore::new());
    let first = Harness::on_with(store.clone(), |c| c);
    first.mailer.set_failing(true);
    first.register("restart@example.com").await;
    first
        .auth
        .request_password_reset("restart@example.com", &ctx())
        .await
        .unwrap();
    let originals = first.mailer.attempted();
    assert_eq!(originals.len(), 2);
    let tokens = [
        token_in(&originals[0], "/verify/"),
        token_in(&originals[1], "/reset/"),
    ];

    // What the store holds: recipient, subject and kind readable; no token anywhere.
    let held = stored(&first).await;
    assert_eq!(held.len(), 2);
    for (held, original) in held.iter().zip(&originals) {
        assert_eq!(held.to, original.to);
        assert_eq!(held.subject, original.subject);
        assert_eq!(held.kind, original.kind);
        let everything = format!("{held:?} {} {:?}", held.text, held.html);
        for token in &tokens {
            assert!(
                !everything.contains(token.as_str()),
                "the store holds a token: {everything}"
            );
        }
        assert!(!everything.contains("/auth/"), "{everything}");
        assert!(held.text.starts_with("sealed:v1:k1:"), "{}", held.text);
    }

    // A new engine over the same store (the application restarted) delivers both as
    // they were composed.
    let restarted = Harness::on_with(store, |c| c);
    restarted.clock.advance(Duration::minutes(2));
    assert_eq!(restarted.auth.deliver_outbox().await.unwrap(), 2);
    assert_eq!(restarted.mailer.sent(), originals);
    assert_eq!(restarted.store.pending_count().await.unwrap(), 0);
}

const K1: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
const K2: &[u8; 32] = b"fedcba9876543210fedcba9876543210";

#[tokio::test]
async fn after_a_key_rotation_mail_sealed_with_the_old_key_is_delivered() {
    let store = Arc::new(MemoryStore::new());
    let before = Harness::on_with(store.clone(), |c| c);
    before.mailer.set_failing(true);
    before.register("rotate@example.com").await;
    let originals = before.mailer.attempted();

    let rotated = Harness::on_with(store, |c| {
        c.signing_key("k2", K2.to_vec())
            .verification_key("k1", K1.to_vec())
    });
    rotated.clock.advance(Duration::minutes(2));
    assert_eq!(rotated.auth.deliver_outbox().await.unwrap(), 1);
    assert_eq!(rotated.mailer.sent(), originals);

    // New mail is sealed with the new signing key.
    rotated.mailer.set_failing(true);
    rotated.register("new@example.com").await;
    let held = stored(&rotated).await;
    assert!(
        held[0].text.starts_with("sealed:v1:k2:"),
        "{}",
        held[0].text
    );
}

#[tokio::test]
async fn mail_sealed_with_a_removed_key_is_failed_with_a_reason_and_never_sent() {
    let store = Arc::new(MemoryStore::new());
    let before = Harness::on_with(store.clone(), |c| c);
    before.mailer.set_failing(true);
    before.register("orphan@example.com").await;

    let without_k1 = Harness::on_with(store, |c| c.signing_key("k2", K2.to_vec()));
    without_k1.clock.advance(Duration::minutes(2));
    assert_eq!(without_k1.auth.deliver_outbox().await.unwrap(), 0);
    assert!(
        without_k1.mailer.attempted().is_empty(),
        "nothing garbled is sent"
    );
    let list = failed(&without_k1).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].to, "orphan@example.com");
    assert!(
        list[0].last_error.contains("\"k1\"")
            && list[0].last_error.contains("no longer configured"),
        "{}",
        list[0].last_error
    );
}
