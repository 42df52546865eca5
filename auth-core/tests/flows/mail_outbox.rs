use auth_core::{MailKind, MailOutbox};
use time::Duration;

use crate::support::Harness;

#[tokio::test]
async fn mail_that_fails_is_queued_and_delivered_later() {
    let h = Harness::new();
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
    let h = Harness::new();
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
