//! [`AuditSink`](crate::AuditSink) checks.

use time::Duration;
use uuid::Uuid;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, now};
use crate::model::{AuditEvent, AuditKind, UserId};

/// `record` keeps every field; `events_for_user` returns only that user's events, newest
/// first, at most `limit`.
pub async fn audit_record_and_list(subject: &Subject) {
    let ctx = Ctx::new("audit_record_and_list");
    let Some(audit) = ctx.need(subject.audit(), "AuditSink") else {
        return;
    };

    let user = UserId::new();
    let admin = UserId::new();
    let t = now();
    let kinds = [
        AuditKind::Registered,
        AuditKind::EmailVerified,
        AuditKind::LoginFailed,
        AuditKind::LoginSucceeded,
        AuditKind::RolesChanged,
    ];
    let events: Vec<AuditEvent> = kinds
        .iter()
        .zip(0i64..)
        .map(|(kind, i)| AuditEvent {
            id: Uuid::now_v7(),
            at: t - Duration::minutes(10 - i),
            kind: *kind,
            user_id: Some(user),
            actor_id: (*kind == AuditKind::RolesChanged).then_some(admin),
            ip: (i % 2 == 0).then(|| "2001:db8::1".to_owned()),
            detail: (*kind == AuditKind::RolesChanged).then(|| "roles=admin,editor".to_owned()),
        })
        .collect();
    let foreign = AuditEvent {
        id: Uuid::now_v7(),
        at: t,
        kind: AuditKind::LoginSucceeded,
        user_id: Some(UserId::new()),
        actor_id: None,
        ip: None,
        detail: None,
    };
    let anonymous = AuditEvent {
        user_id: None,
        id: Uuid::now_v7(),
        ..foreign.clone()
    };
    // Out of order: the store orders by time.
    for event in [
        &events[3], &events[0], &foreign, &events[4], &events[1], &anonymous, &events[2],
    ] {
        ctx.ok("record", audit.record(event).await);
    }

    let newest_first: Vec<AuditEvent> = events.iter().rev().cloned().collect();
    let listed = ctx.ok("events_for_user", audit.events_for_user(user, 50).await);
    ctx.eq("events_for_user, newest first", &listed, &newest_first);
    let listed = ctx.ok("events_for_user", audit.events_for_user(user, 2).await);
    ctx.eq(
        "events_for_user with limit 2",
        &listed[..],
        &newest_first[..2],
    );
    let listed = ctx.ok("events_for_user", audit.events_for_user(admin, 50).await);
    ctx.eq(
        "events_for_user of a user who only acted on others",
        listed.len(),
        0,
    );
    let listed = ctx.ok(
        "events_for_user",
        audit.events_for_user(UserId::new(), 50).await,
    );
    ctx.eq("events_for_user of a user without events", listed.len(), 0);
}
