//! [`MailOutbox`](crate::MailOutbox) checks.
//!
//! `claim_due` is global: it hands out any due message in the outbox, not only this
//! check's. So that the checks can share a database with each other and with leftovers
//! of earlier runs, their messages are scheduled about ten years in the past (real mail
//! is due around the real time, so a claim with a `now` in that era never touches it),
//! every assertion is about this check's own message ids, and anything else a claim
//! returns is ignored. The two checks use eras a day apart. Claims take every older due
//! message, so the sequential check (which asserts exactly what happens to its messages)
//! has the later era, where the concurrent one never claims; the concurrent one only
//! asserts that no message is handed out twice, which holds whatever else is claimed.
//! For the same reason two runs of `outbox_claim_due` on one outbox at the same moment
//! disturb each other (documented in the kit's module docs).

use std::collections::HashSet;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, now, unique};
use crate::model::{Email, MailKind, OutboxMessage};

/// The lease the checks claim with.
const LEASE: Duration = Duration::minutes(5);

/// About ten years ago, in whole seconds.
fn era() -> OffsetDateTime {
    now() - Duration::days(3653)
}

/// A message first queued at `created_at`, due at `next_attempt_at`. Its bodies carry a
/// made-up link token.
fn message(created_at: OffsetDateTime, next_attempt_at: OffsetDateTime) -> OutboxMessage {
    let token = unique();
    OutboxMessage {
        id: Uuid::new_v4(),
        email: Email {
            to: format!("o-{}@example.test", Uuid::new_v4()),
            subject: "Confirm your address (store conformance kit)".to_owned(),
            text: format!("https://app.example.test/auth/verify/{token}"),
            html: Some(format!(
                "<a href=\"https://app.example.test/auth/verify/{token}\">Confirm</a>"
            )),
            kind: MailKind::Verification,
        },
        attempts: 0,
        next_attempt_at,
        created_at,
        last_error: None,
    }
}

/// Checks that a claimed message is the enqueued one: every field equal, except that
/// `next_attempt_at` may be either the stored value or the new lease end (the contract
/// leaves open which one the returned copy shows).
#[track_caller]
fn same_message(
    ctx: &Ctx,
    what: &str,
    claimed: &OutboxMessage,
    stored: &OutboxMessage,
    lease_end: OffsetDateTime,
) {
    let mut expected = stored.clone();
    if claimed.next_attempt_at == lease_end {
        expected.next_attempt_at = lease_end;
    }
    ctx.eq(what, claimed, &expected);
}

/// Claims with a generous limit and keeps only `ours`, in the order returned.
async fn claim_ours(
    ctx: &Ctx,
    subject: &Subject,
    now: OffsetDateTime,
    ours: &HashSet<Uuid>,
) -> Vec<OutboxMessage> {
    let Some(outbox) = subject.outbox() else {
        return Vec::new();
    };
    let claimed = ctx.ok("claim_due", outbox.claim_due(now, 1000, LEASE).await);
    claimed
        .into_iter()
        .filter(|m| ours.contains(&m.id))
        .collect()
}

/// The whole life of outbox messages: `enqueue` raises `pending_count`; `claim_due` hands
/// out only messages due at `now`, oldest first, at most `limit`, leasing each so that it
/// is not handed out again before `now + lease` but is after; claimed messages still
/// count as pending; `reschedule` records the attempt, the error and the next time;
/// `remove` deletes a message for good; both accept an unknown id.
pub async fn outbox_claim_due(subject: &Subject) {
    let ctx = Ctx::new("outbox_claim_due");
    let Some(outbox) = ctx.need(subject.outbox(), "MailOutbox") else {
        return;
    };

    let base = era();
    // Three due messages, queued a minute apart; one due only in an hour.
    let due: Vec<OutboxMessage> = (0..3i64)
        .map(|i| {
            let at = base + Duration::minutes(i);
            message(at, at)
        })
        .collect();
    let not_due = message(base, base + Duration::hours(1));
    let ours: HashSet<Uuid> = due.iter().chain([&not_due]).map(|m| m.id).collect();

    let before = ctx.ok("pending_count", outbox.pending_count().await);
    // Enqueue out of order: the store must order by time, not by insertion.
    for m in [&due[2], &not_due, &due[0], &due[1]] {
        ctx.ok("enqueue", outbox.enqueue(m).await);
    }
    let after = ctx.ok("pending_count", outbox.pending_count().await);
    ctx.ensure(after >= 4, || {
        format!("pending_count is {after} (it was {before}) after enqueueing 4 messages")
    });

    // limit 1: the oldest due message in the whole outbox. It may be another's (a
    // leftover of an earlier run, older than ours); if it is ours, it is the oldest.
    let claim_at = base + Duration::minutes(10);
    let first = ctx.ok(
        "claim_due with limit 1",
        outbox.claim_due(claim_at, 1, LEASE).await,
    );
    ctx.eq("messages claimed with limit 1", first.len(), 1);
    let mut claimed_ids = HashSet::new();
    if let Some(m) = first.first().filter(|m| ours.contains(&m.id)) {
        ctx.ensure(m.id == due[0].id, || {
            format!(
                "claim_due with limit 1 handed out a message first queued at {} before the one \
                 due at {}",
                m.created_at, due[0].next_attempt_at
            )
        });
        same_message(&ctx, "the claimed message", m, &due[0], claim_at + LEASE);
        claimed_ids.insert(m.id);
    }

    // The rest: the remaining due ones, oldest first, and not the one due in an hour.
    let rest = claim_ours(&ctx, subject, claim_at, &ours).await;
    let expected: Vec<&OutboxMessage> = due
        .iter()
        .filter(|m| !claimed_ids.contains(&m.id))
        .collect();
    ctx.eq(
        "ids of this check's messages handed out by a second claim_due at the same `now`, in \
         order (the oldest was leased by the first claim; the others are due)",
        rest.iter().map(|m| m.id).collect::<Vec<_>>(),
        expected.iter().map(|m| m.id).collect::<Vec<_>>(),
    );
    for (claimed, stored) in rest.iter().zip(&expected) {
        same_message(&ctx, "a claimed message", claimed, stored, claim_at + LEASE);
    }

    // Claimed messages still wait (for remove or reschedule): they still count.
    let pending = ctx.ok("pending_count", outbox.pending_count().await);
    ctx.ensure(pending >= 4, || {
        format!("pending_count is {pending} after claiming 3 of this check's 4 messages")
    });

    // Leased: not handed out again before the lease ends, even at the same `now`.
    let again = claim_ours(
        &ctx,
        subject,
        claim_at + LEASE - Duration::seconds(1),
        &ours,
    )
    .await;
    ctx.eq(
        "messages of this check handed out again within their lease",
        again.len(),
        0,
    );
    let after_lease = claim_at + LEASE;
    let again = claim_ours(&ctx, subject, after_lease, &ours).await;
    let mut again_ids: Vec<Uuid> = again.iter().map(|m| m.id).collect();
    again_ids.sort_unstable();
    let mut due_ids: Vec<Uuid> = due.iter().map(|m| m.id).collect();
    due_ids.sort_unstable();
    ctx.eq(
        "messages handed out again once their lease ended",
        again_ids,
        due_ids,
    );

    // Reschedule the first after a failed attempt: not due before its new time, then
    // handed out with the attempt recorded.
    let retry_at = after_lease + Duration::minutes(30);
    ctx.ok(
        "reschedule",
        outbox
            .reschedule(due[0].id, 1, retry_at, "550 mailbox unavailable")
            .await,
    );
    let early = claim_ours(&ctx, subject, retry_at - Duration::seconds(1), &ours).await;
    ctx.ensure(early.iter().all(|m| m.id != due[0].id), || {
        "claim_due handed out a rescheduled message before its next_attempt_at".to_owned()
    });
    let retried = claim_ours(&ctx, subject, retry_at, &ours).await;
    let mut expected = due[0].clone();
    expected.attempts = 1;
    expected.next_attempt_at = retry_at;
    expected.last_error = Some("550 mailbox unavailable".to_owned());
    match retried.iter().find(|m| m.id == due[0].id) {
        Some(m) => same_message(
            &ctx,
            "a rescheduled message",
            m,
            &expected,
            retry_at + LEASE,
        ),
        None => ctx.fail("claim_due did not hand out a rescheduled message at its next_attempt_at"),
    }

    // Remove: gone for good, and pending_count goes down.
    let before_remove = ctx.ok("pending_count", outbox.pending_count().await);
    ctx.ok("remove", outbox.remove(due[1].id).await);
    let after_remove = ctx.ok("pending_count", outbox.pending_count().await);
    ctx.ensure(after_remove >= 3, || {
        format!(
            "pending_count went from {before_remove} to {after_remove} on removing one of \
             this check's 4 messages"
        )
    });
    let late = claim_ours(&ctx, subject, base + Duration::days(1), &ours).await;
    ctx.ensure(late.iter().all(|m| m.id != due[1].id), || {
        "claim_due handed out a removed message".to_owned()
    });
    ctx.ensure(late.iter().any(|m| m.id == not_due.id), || {
        "claim_due did not hand out a message once it was due".to_owned()
    });

    // Unknown ids (a message removed by another delivery loop) are not errors.
    let unknown = Uuid::new_v4();
    ctx.ok(
        "reschedule of an unknown id",
        outbox.reschedule(unknown, 1, base, "x").await,
    );
    ctx.ok("remove of an unknown id", outbox.remove(unknown).await);
    ctx.ok("remove of a removed id", outbox.remove(due[1].id).await);

    for m in due.iter().chain([&not_due]) {
        ctx.ok("remove (cleanup)", outbox.remove(m.id).await);
    }
}

/// Several delivery loops claiming at once never get the same message: six concurrent
/// `claim_due` calls over thirty due messages hand each out at most once, and what they
/// handed out is leased (not handed out again at the same `now`).
pub async fn outbox_concurrent_claims_are_exclusive(subject: &Subject) {
    const MESSAGES: i64 = 30;
    const CLAIMERS: usize = 6;
    let ctx = Ctx::new("outbox_concurrent_claims_are_exclusive");
    let Some(outbox) = ctx.need(subject.outbox(), "MailOutbox") else {
        return;
    };

    // A day before the other outbox check's era (see the module docs).
    let base = era() - Duration::days(1);
    let messages: Vec<OutboxMessage> = (0..MESSAGES)
        .map(|i| {
            let at = base + Duration::seconds(i);
            message(at, at)
        })
        .collect();
    let ours: HashSet<Uuid> = messages.iter().map(|m| m.id).collect();
    for m in &messages {
        ctx.ok("enqueue", outbox.enqueue(m).await);
    }

    let claim_at = base + Duration::minutes(10);
    let barrier = Arc::new(Barrier::new(CLAIMERS));
    let handles = (0..CLAIMERS)
        .map(|_| {
            let outbox = outbox.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                outbox.claim_due(claim_at, 7, LEASE).await
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for result in ctx.join_all(handles).await {
        let claimed = ctx.ok("a concurrent claim_due", result);
        ctx.ensure(claimed.len() <= 7, || {
            format!(
                "claim_due with limit 7 handed out {} messages",
                claimed.len()
            )
        });
        for m in claimed.into_iter().filter(|m| ours.contains(&m.id)) {
            ctx.ensure(seen.insert(m.id), || {
                format!("message {} was handed to two concurrent claimers", m.id)
            });
        }
    }
    // (Not asserted: that the claimers got all thirty. The other outbox check, claiming
    // at a later `now`, may take some of them when both run against one database.)

    let again = claim_ours(&ctx, subject, claim_at, &ours).await;
    for m in &again {
        ctx.ensure(!seen.contains(&m.id), || {
            format!("message {} was handed out again within its lease", m.id)
        });
    }

    for m in &messages {
        ctx.ok("remove (cleanup)", outbox.remove(m.id).await);
    }
}
