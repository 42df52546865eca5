//! Secrets never show in `Debug` output of what a store returns.

use time::Duration;

use crate::conformance::Subject;
use crate::conformance::support::{
    Ctx, new_session, now, remove_session_owner, sample_user, session_owner,
};
use crate::model::OutboxMessage;
use crate::session::SessionToken;

/// Formatting records with `{:?}` (as logs and panics do) never reveals a password hash,
/// a security stamp, a session id, a full session digest or a mail body with its link:
/// checked on the records as the stores return them, so that a store wrapping them in
/// its own types keeps the redaction.
pub async fn debug_redacts_secrets(subject: &Subject) {
    let ctx = Ctx::new("debug_redacts_secrets");

    // The raw session id, which no store ever sees, first.
    let token = SessionToken::generate();
    let shown = format!("{token:?}");
    ctx.ensure(!shown.contains(token.expose()), || {
        format!("Debug of a SessionToken shows the id: {shown}")
    });

    if let Some(users) = subject.users() {
        let user = sample_user(now());
        ctx.ok("create_user", users.create_user(&user).await);
        let stored = ctx.ok("user_by_id", users.user_by_id(user.id).await);
        let shown = format!("{stored:?}");
        ctx.ensure(stored.is_some(), || "user_by_id found nothing".to_owned());
        ctx.ensure(!shown.contains(user.password_hash.as_str()), || {
            format!("Debug of a stored user shows the password hash: {shown}")
        });
        ctx.ensure(!shown.contains(user.security_stamp.as_str()), || {
            format!("Debug of a stored user shows the security stamp: {shown}")
        });
        ctx.ok(
            "delete_user (cleanup)",
            users.delete_user(user.id, user.version).await,
        );
    }

    if let Some(sessions) = subject.sessions() {
        let owner = session_owner(&ctx, subject).await;
        let t = now();
        let token = SessionToken::generate();
        let mut session = new_session(owner, t, t + Duration::days(3), t + Duration::days(2));
        session.digest = token.digest();
        ctx.ok("create_session", sessions.create_session(&session).await);
        let stored = ctx.ok("session", sessions.session(&session.digest).await);
        ctx.ensure(stored.is_some(), || "session found nothing".to_owned());
        let shown = format!("{stored:?}");
        ctx.ensure(!shown.contains(&session.digest.to_hex()), || {
            format!("Debug of a stored session shows the whole digest: {shown}")
        });
        ctx.ensure(!shown.contains(token.expose()), || {
            format!("Debug of a stored session shows the session id: {shown}")
        });
        remove_session_owner(&ctx, subject, owner).await;
    }

    // Outbox messages carry link tokens in their bodies; the body never shows. The
    // message is checked as built (claiming it back would disturb the outbox checks).
    let t = now();
    let message = OutboxMessage {
        id: uuid::Uuid::new_v4(),
        delivery: crate::model::Delivery::Email(crate::model::Email {
            to: "r@example.test".to_owned(),
            subject: "Reset your password".to_owned(),
            text: "https://app.example.test/auth/reset/SECRET-LINK-TOKEN".to_owned(),
            html: Some("<a href=\"/auth/reset/SECRET-LINK-TOKEN\">reset</a>".to_owned()),
            kind: crate::model::MailKind::PasswordReset,
        }),
        attempts: 0,
        next_attempt_at: t,
        created_at: t,
        last_error: None,
    };
    let shown = format!("{message:?}");
    ctx.ensure(!shown.contains("SECRET-LINK-TOKEN"), || {
        format!("Debug of an outbox message shows the mail body: {shown}")
    });
}
