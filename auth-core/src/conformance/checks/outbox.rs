//! [`MailOutbox`](crate::MailOutbox) checks.
//!
//! `claim_due` is global: it hands out any due message in the outbox, not only this
//! check's. So that the checks can share a database with each other and with leftovers
//! of earlier runs, their messages are scheduled about ten years in the past (real mail
//! is due around the real time, so a claim with a `now` in that era never touches it),
//! every assertion is about this check's own message ids, and anything else a claim
//! returns is ignored. Each check has its own era, a day or more apart. Claims take
//! every older due message, so the sequential check (`outbox_claim_due`, which asserts
//! exactly what happens to its messages, failure and retry included) has the latest era,
//! where no other check claims; the concurrent one only asserts that no message is
//! handed out twice, which holds whatever else is claimed. The checks of failed messages
//! have earlier eras still: only `outbox_failed_are_not_claimed` claims, and only to
//! assert what must *not* be handed out, which no other claimer can disturb; the others
//! never claim and judge through the failed listing. For the same reason two runs of
//! `outbox_claim_due` on one outbox at the same moment disturb each other (documented in
//! the kit's module docs).

use std::collections::HashSet;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, now, unique};
use crate::model::{
    Delivery, DeliveryState, Email, FailedMail, MailKind, OutboxMessage, Page, WebhookCall,
    WebhookDelivery,
};
use crate::store::MailOutbox;

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
        delivery: Delivery::Email(Email {
            to: format!("o-{}@example.test", Uuid::new_v4()),
            subject: "Confirm your address (store conformance kit)".to_owned(),
            text: format!("https://app.example.test/auth/verify/{token}"),
            html: Some(format!(
                "<a href=\"https://app.example.test/auth/verify/{token}\">Confirm</a>"
            )),
            kind: MailKind::Verification,
        }),
        attempts: 0,
        next_attempt_at,
        created_at,
        last_error: None,
    }
}

/// The mail of a message this kit made as one.
fn mail(message: &OutboxMessage) -> &Email {
    match &message.delivery {
        Delivery::Email(email) => email,
        other => panic!("the kit's mail message carries {other:?}"),
    }
}

/// A webhook call queued at `created_at`, due at `next_attempt_at`, to a made-up
/// endpoint, with a JSON body that a store must return byte for byte (spacing, key
/// order and non-ASCII text included).
fn webhook(created_at: OffsetDateTime, next_attempt_at: OffsetDateTime) -> OutboxMessage {
    let id = Uuid::new_v4();
    OutboxMessage {
        id,
        delivery: Delivery::Webhook(WebhookCall {
            url: format!("https://hooks.example.test/in/{id}?via=kit"),
            event_type: "auth.login_succeeded".to_owned(),
            body: format!(
                "{{\"type\":\"auth.login_succeeded\", \"data\":{{\"event_id\":\"{id}\",\
                 \"detail\":\"Zoë — ünïcode\"}}}}"
            ),
        }),
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

    // Failed: never handed out again, even once due, and a reschedule does not revive it.
    let failed_at = base + Duration::days(1) + Duration::minutes(1);
    ctx.ok(
        "mark_failed",
        outbox
            .mark_failed(due[2].id, 3, failed_at, "550 no such user")
            .await,
    );
    ctx.ok(
        "reschedule of a failed message",
        outbox
            .reschedule(due[2].id, 4, failed_at, "421 try later")
            .await,
    );
    let later = failed_at + LEASE + Duration::hours(1);
    let claimed = claim_ours(&ctx, subject, later, &ours).await;
    ctx.ensure(claimed.iter().all(|m| m.id != due[2].id), || {
        "claim_due handed out a message marked failed".to_owned()
    });

    // Retried: queued anew at the given time, with its bodies as they were.
    let retry_at = later + Duration::minutes(1);
    let retried = ctx.ok(
        "retry_failed",
        outbox.retry_failed(due[2].id, retry_at).await,
    );
    ctx.ensure(retried, || {
        "retry_failed of a failed message returned false".to_owned()
    });
    let early = claim_ours(&ctx, subject, retry_at - Duration::seconds(1), &ours).await;
    ctx.ensure(early.iter().all(|m| m.id != due[2].id), || {
        "claim_due handed out a retried message before the time it was retried at".to_owned()
    });
    let claimed = claim_ours(&ctx, subject, retry_at, &ours).await;
    match claimed.iter().find(|m| m.id == due[2].id) {
        Some(m) => {
            let mut expected = due[2].clone();
            expected.attempts = 0;
            expected.created_at = retry_at;
            expected.next_attempt_at = retry_at;
            // The last error may be kept or cleared.
            expected.last_error.clone_from(&m.last_error);
            same_message(
                &ctx,
                "a retried message (attempts 0, queued anew at the retry)",
                m,
                &expected,
                retry_at + LEASE,
            );
        }
        None => {
            ctx.fail("claim_due did not hand out a retried message at the time it was retried at")
        }
    }

    // A webhook call goes through the same queue: handed out whole (URL, event type and
    // body byte for byte), then, once marked delivered, never handed out again nor
    // counted as pending, and shown as delivered with its attempts and outcome.
    let hook_at = retry_at + Duration::hours(1);
    let hook = webhook(hook_at, hook_at);
    ctx.ok("enqueue of a webhook call", outbox.enqueue(&hook).await);
    let hooks: HashSet<Uuid> = [hook.id].into();
    let claimed = claim_ours(&ctx, subject, hook_at, &hooks).await;
    match claimed.first() {
        Some(m) => same_message(&ctx, "a claimed webhook call", m, &hook, hook_at + LEASE),
        None => ctx.fail("claim_due did not hand out a due webhook call"),
    }
    let pending = ctx.ok("pending_count", outbox.pending_count().await);
    let delivered_at = hook_at + Duration::seconds(2);
    ctx.ok(
        "mark_delivered",
        outbox
            .mark_delivered(hook.id, 1, delivered_at, "HTTP 204")
            .await,
    );
    let after = ctx.ok("pending_count", outbox.pending_count().await);
    ctx.ensure(after < pending, || {
        format!("pending_count went from {pending} to {after} when a webhook call was delivered")
    });
    let again = claim_ours(&ctx, subject, hook_at + LEASE + Duration::hours(2), &hooks).await;
    ctx.eq("delivered webhook calls handed out again", again.len(), 0);
    ctx.eq(
        "the delivered webhook call, as webhook_delivery shows it",
        ctx.ok("webhook_delivery", outbox.webhook_delivery(hook.id).await),
        Some(delivery_entry(
            &hook,
            DeliveryState::Delivered,
            1,
            delivered_at,
            "HTTP 204",
        )),
    );
    ctx.ok(
        "mark_delivered of an unknown id",
        outbox
            .mark_delivered(Uuid::new_v4(), 1, delivered_at, "HTTP 200")
            .await,
    );

    for m in due.iter().chain([&not_due, &hook]) {
        ctx.ok("remove (cleanup)", outbox.remove(m.id).await);
    }
}

/// The listing entry of a webhook call that is delivered or failed at `at`.
fn delivery_entry(
    message: &OutboxMessage,
    state: DeliveryState,
    attempts: u32,
    at: OffsetDateTime,
    outcome: &str,
) -> WebhookDelivery {
    let Delivery::Webhook(call) = &message.delivery else {
        panic!("the kit's webhook call carries {:?}", message.delivery);
    };
    WebhookDelivery {
        id: message.id,
        url: call.url.clone(),
        event_type: call.event_type.clone(),
        state,
        attempts,
        created_at: message.created_at,
        next_attempt_at: None,
        finished_at: Some(at),
        last_outcome: Some(outcome.to_owned()),
    }
}

/// Webhook calls in every state, listed for administrators: `webhook_deliveries` shows
/// pending, delivered and failed calls, newest first, with their attempts, times and
/// outcome, and never a mail; `failed_messages` never shows a webhook call;
/// `webhook_delivery` finds one call by id (and no mail); `retry_failed` puts a failed
/// call back as pending; `purge_delivered` deletes the calls delivered at or before its
/// time and nothing else.
///
/// `purge_delivered` is global, like `claim_due`: run the outbox checks one at a time on
/// one outbox (see the module documentation of [`crate::conformance`]).
pub async fn outbox_webhook_deliveries(subject: &Subject) {
    let ctx = Ctx::new("outbox_webhook_deliveries");
    let Some(outbox) = ctx.need(subject.outbox(), "MailOutbox") else {
        return;
    };
    // Ten days before the sequential check's era; this check never claims.
    let base = era() - Duration::days(10);
    let calls: Vec<OutboxMessage> = (0..4i64)
        .map(|i| webhook(base + Duration::minutes(i), base + Duration::minutes(i)))
        .collect();
    let failed_mail = message(base, base);
    for m in calls.iter().chain([&failed_mail]) {
        ctx.ok("enqueue", outbox.enqueue(m).await);
    }
    let count = ctx.ok(
        "webhook_delivery_count",
        outbox.webhook_delivery_count().await,
    );
    ctx.ensure(count >= 4, || {
        format!("webhook_delivery_count is {count} after queueing 4 webhook calls")
    });
    let failed_before = ctx.ok("failed_count", outbox.failed_count().await);

    // calls[0] pending with an error; [1] and [2] delivered a minute apart; [3] failed.
    let retry_at = base + Duration::hours(1);
    ctx.ok(
        "reschedule",
        outbox
            .reschedule(calls[0].id, 1, retry_at, "the endpoint answered HTTP 503")
            .await,
    );
    let first_delivery = base + Duration::minutes(10);
    let second_delivery = first_delivery + Duration::minutes(1);
    ctx.ok(
        "mark_delivered",
        outbox
            .mark_delivered(calls[1].id, 2, first_delivery, "HTTP 200")
            .await,
    );
    ctx.ok(
        "mark_delivered",
        outbox
            .mark_delivered(calls[2].id, 1, second_delivery, "HTTP 204")
            .await,
    );
    let failed_at = base + Duration::minutes(20);
    ctx.ok(
        "mark_failed",
        outbox
            .mark_failed(calls[3].id, 5, failed_at, "gave up after 5 attempts")
            .await,
    );
    ctx.ok(
        "mark_failed of a mail",
        outbox
            .mark_failed(failed_mail.id, 1, failed_at, "550 no such user")
            .await,
    );

    let mut pending = delivery_entry(&calls[0], DeliveryState::Pending, 1, retry_at, "x");
    pending.finished_at = None;
    pending.next_attempt_at = Some(retry_at);
    pending.last_outcome = Some("the endpoint answered HTTP 503".to_owned());
    let expected = vec![
        delivery_entry(
            &calls[3],
            DeliveryState::Failed,
            5,
            failed_at,
            "gave up after 5 attempts",
        ),
        delivery_entry(
            &calls[2],
            DeliveryState::Delivered,
            1,
            second_delivery,
            "HTTP 204",
        ),
        delivery_entry(
            &calls[1],
            DeliveryState::Delivered,
            2,
            first_delivery,
            "HTTP 200",
        ),
        pending,
    ];
    let ours: HashSet<Uuid> = calls.iter().map(|m| m.id).collect();
    let listed = deliveries_ours(&ctx, outbox, &ours).await;
    ctx.eq(
        "this check's webhook calls as webhook_deliveries lists them (newest first)",
        &listed,
        &expected,
    );
    for entry in &expected {
        ctx.eq(
            "a webhook call as webhook_delivery shows it",
            ctx.ok("webhook_delivery", outbox.webhook_delivery(entry.id).await),
            Some(entry.clone()),
        );
    }
    ctx.eq(
        "webhook_delivery of a mail",
        ctx.ok(
            "webhook_delivery",
            outbox.webhook_delivery(failed_mail.id).await,
        ),
        None,
    );
    let failed = all_failed(&ctx, outbox).await;
    ctx.ensure(failed.iter().all(|f| !ours.contains(&f.id)), || {
        "failed_messages listed a failed webhook call as mail".to_owned()
    });
    ctx.ensure(failed.iter().any(|f| f.id == failed_mail.id), || {
        "failed_messages did not list a failed mail next to failed webhook calls".to_owned()
    });
    let failed_after = ctx.ok("failed_count", outbox.failed_count().await);
    ctx.ensure(failed_after > failed_before, || {
        format!("failed_count went from {failed_before} to {failed_after} on failing one mail")
    });

    // Purge: only what was delivered at or before the time goes.
    let purged = ctx.ok(
        "purge_delivered",
        outbox.purge_delivered(first_delivery).await,
    );
    ctx.ensure(purged >= 1, || {
        format!("purge_delivered returned {purged} with one call delivered at its time")
    });
    let listed = deliveries_ours(&ctx, outbox, &ours).await;
    ctx.eq(
        "ids of this check's webhook calls left after purge_delivered",
        listed.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![calls[3].id, calls[2].id, calls[0].id],
    );

    // Retry: the failed call is pending again, due at the retry.
    let again_at = base + Duration::hours(2);
    let retried = ctx.ok(
        "retry_failed",
        outbox.retry_failed(calls[3].id, again_at).await,
    );
    ctx.ensure(retried, || {
        "retry_failed of a failed webhook call returned false".to_owned()
    });
    match ctx.ok(
        "webhook_delivery",
        outbox.webhook_delivery(calls[3].id).await,
    ) {
        Some(d) => {
            ctx.eq(
                "state of a retried webhook call",
                d.state,
                DeliveryState::Pending,
            );
            ctx.eq("attempts of a retried webhook call", d.attempts, 0);
            ctx.eq(
                "next_attempt_at of a retried webhook call",
                d.next_attempt_at,
                Some(again_at),
            );
            ctx.eq("finished_at of a retried webhook call", d.finished_at, None);
        }
        None => ctx.fail("webhook_delivery lost a retried webhook call"),
    }

    for m in calls.iter().chain([&failed_mail]) {
        ctx.ok("remove (cleanup)", outbox.remove(m.id).await);
    }
    ctx.eq(
        "webhook_delivery of a removed call",
        ctx.ok(
            "webhook_delivery",
            outbox.webhook_delivery(calls[0].id).await,
        ),
        None,
    );
}

/// Every webhook call listed, page by page, keeping only `ours` in the order listed.
async fn deliveries_ours(
    ctx: &Ctx,
    outbox: &Arc<dyn MailOutbox>,
    ours: &HashSet<Uuid>,
) -> Vec<WebhookDelivery> {
    let mut found = Vec::new();
    let mut page = Page {
        offset: 0,
        limit: 100,
    };
    loop {
        let listed = ctx.ok("webhook_deliveries", outbox.webhook_deliveries(page).await);
        let done = (listed.len() as u64) < page.limit;
        found.extend(listed.into_iter().filter(|d| ours.contains(&d.id)));
        if done {
            return found;
        }
        page.offset += page.limit;
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

/// Every failed message in the outbox, most recently failed first, read page by page;
/// checks that no page exceeds its limit and that each page is in order.
async fn all_failed(ctx: &Ctx, outbox: &Arc<dyn MailOutbox>) -> Vec<FailedMail> {
    const PAGE: u64 = 500;
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let page = ctx.ok(
            "failed_messages",
            outbox
                .failed_messages(Page {
                    offset,
                    limit: PAGE,
                })
                .await,
        );
        ctx.ensure(page.len() as u64 <= PAGE, || {
            format!(
                "failed_messages with limit {PAGE} returned {} messages",
                page.len()
            )
        });
        for pair in page.windows(2) {
            ctx.ensure(
                (pair[0].failed_at, pair[0].id) > (pair[1].failed_at, pair[1].id),
                || {
                    format!(
                        "failed_messages is not most recently failed first (then by id, \
                         descending): {} (failed at {}) before {} (failed at {})",
                        pair[0].id, pair[0].failed_at, pair[1].id, pair[1].failed_at
                    )
                },
            );
        }
        let len = page.len() as u64;
        all.extend(page);
        if len < PAGE {
            return all;
        }
        offset += PAGE;
    }
}

/// This check's failed messages in the listing, in the order listed.
async fn failed_ours(
    ctx: &Ctx,
    outbox: &Arc<dyn MailOutbox>,
    ours: &HashSet<Uuid>,
) -> Vec<FailedMail> {
    all_failed(ctx, outbox)
        .await
        .into_iter()
        .filter(|m| ours.contains(&m.id))
        .collect()
}

/// The listing entry a message marked failed should have.
fn failed_entry(
    message: &OutboxMessage,
    attempts: u32,
    failed_at: OffsetDateTime,
    last_error: &str,
) -> FailedMail {
    FailedMail {
        id: message.id,
        to: mail(message).to.clone(),
        kind: mail(message).kind,
        attempts,
        created_at: message.created_at,
        failed_at,
        last_error: last_error.to_owned(),
    }
}

/// A message marked failed is never handed out: not when it is due, not after a lease
/// it was claimed under has ended, not after a `reschedule`; it no longer counts as
/// pending. `mark_failed` works on a claimed message, and on an unknown id it is not an
/// error and creates nothing.
pub async fn outbox_failed_are_not_claimed(subject: &Subject) {
    let ctx = Ctx::new("outbox_failed_are_not_claimed");
    let Some(outbox) = ctx.need(subject.outbox(), "MailOutbox") else {
        return;
    };
    // Two days before the sequential check's era (see the module docs).
    let base = era() - Duration::days(2);
    let idle = message(base, base);
    let claimed_first = message(base, base);
    let ours: HashSet<Uuid> = [idle.id, claimed_first.id].into_iter().collect();
    ctx.ok("enqueue", outbox.enqueue(&idle).await);
    ctx.ok("enqueue", outbox.enqueue(&claimed_first).await);

    // One is failed while it waits; the other after a claim (whoever made it: another
    // delivery loop may have leased it first, which changes nothing here).
    ctx.ok(
        "mark_failed",
        outbox
            .mark_failed(
                idle.id,
                1,
                base + Duration::minutes(1),
                "550 mailbox unavailable",
            )
            .await,
    );
    let first = claim_ours(&ctx, subject, base + Duration::minutes(2), &ours).await;
    ctx.ensure(first.iter().all(|m| m.id != idle.id), || {
        "claim_due handed out a message marked failed while it waited".to_owned()
    });
    ctx.ok(
        "mark_failed of a claimed message",
        outbox
            .mark_failed(
                claimed_first.id,
                2,
                base + Duration::minutes(3),
                "554 rejected",
            )
            .await,
    );
    ctx.ok(
        "reschedule of a failed message",
        outbox
            .reschedule(idle.id, 2, base + Duration::minutes(4), "421 try later")
            .await,
    );
    for at in [
        base + Duration::minutes(5),
        base + LEASE * 3,
        base + Duration::hours(12),
    ] {
        let claimed = claim_ours(&ctx, subject, at, &ours).await;
        ctx.ensure(claimed.is_empty(), || {
            format!(
                "claim_due at {at} handed out {} message(s) marked failed",
                claimed.len()
            )
        });
    }

    // Both are listed, as failed by their last mark_failed; reschedule changed nothing.
    let listed = failed_ours(&ctx, outbox, &ours).await;
    ctx.eq(
        "this check's failed messages as listed",
        listed,
        vec![
            failed_entry(
                &claimed_first,
                2,
                base + Duration::minutes(3),
                "554 rejected",
            ),
            failed_entry(
                &idle,
                1,
                base + Duration::minutes(1),
                "550 mailbox unavailable",
            ),
        ],
    );
    let failed = ctx.ok("failed_count", outbox.failed_count().await);
    ctx.ensure(failed >= 2, || {
        format!("failed_count is {failed} with this check's 2 failed messages")
    });

    // An unknown id: not an error, and nothing appears.
    let unknown = message(base, base);
    ctx.ok(
        "mark_failed of an unknown id",
        outbox
            .mark_failed(unknown.id, 1, base, "550 mailbox unavailable")
            .await,
    );
    let all = all_failed(&ctx, outbox).await;
    ctx.ensure(all.iter().all(|m| m.id != unknown.id), || {
        "mark_failed of an unknown id created a failed message".to_owned()
    });

    for id in &ours {
        ctx.ok("discard_failed (cleanup)", outbox.discard_failed(*id).await);
    }
}

/// `failed_messages` lists failed messages most recently failed first (then by id,
/// descending, for equal times) with recipient, kind, attempts, queue and failure times
/// and the last error, pages with `offset` and `limit`, and never lists a queued message;
/// `failed_count` counts them.
pub async fn outbox_failed_are_listed(subject: &Subject) {
    let ctx = Ctx::new("outbox_failed_are_listed");
    let Some(outbox) = ctx.need(subject.outbox(), "MailOutbox") else {
        return;
    };
    // Three days before the sequential check's era; this check never claims.
    let base = era() - Duration::days(3);
    let mut messages: Vec<OutboxMessage> = (0..4i64)
        .map(|i| message(base + Duration::minutes(i), base + Duration::minutes(i)))
        .collect();
    if let Delivery::Email(email) = &mut messages[1].delivery {
        email.kind = MailKind::PasswordReset;
        email.html = None;
    }
    let queued = message(base, base);
    let ours: HashSet<Uuid> = messages.iter().chain([&queued]).map(|m| m.id).collect();
    for m in messages.iter().chain([&queued]) {
        ctx.ok("enqueue", outbox.enqueue(m).await);
    }
    let before = ctx.ok("failed_count", outbox.failed_count().await);

    // Failed in the order 0, 1, 2 and 3 at once with 2: 3 and 2 tie on time.
    let at = |minutes: i64| base + Duration::hours(1) + Duration::minutes(minutes);
    let marks = [
        (0usize, 1u32, at(0), "550 5.1.1 no such user"),
        (1, 2, at(1), "gave up after 2 attempts"),
        (2, 7, at(2), "554 5.7.1 rejected"),
        (3, 30, at(2), "gave up: not delivered within 2 days"),
    ];
    for (i, attempts, failed_at, error) in marks {
        ctx.ok(
            "mark_failed",
            outbox
                .mark_failed(messages[i].id, attempts, failed_at, error)
                .await,
        );
    }
    let after = ctx.ok("failed_count", outbox.failed_count().await);
    ctx.ensure(after >= 4, || {
        format!("failed_count went from {before} to {after} on marking 4 messages failed")
    });

    let mut expected: Vec<FailedMail> = marks
        .iter()
        .map(|(i, attempts, failed_at, error)| {
            failed_entry(&messages[*i], *attempts, *failed_at, error)
        })
        .collect();
    expected.sort_by_key(|m| std::cmp::Reverse((m.failed_at, m.id)));
    let listed = failed_ours(&ctx, outbox, &ours).await;
    ctx.eq(
        "this check's failed messages as listed (the queued one must not be)",
        listed,
        expected,
    );

    // Paging: a limit is a limit; offsets move through the same listing.
    let first = ctx.ok(
        "failed_messages with limit 1",
        outbox
            .failed_messages(Page {
                offset: 0,
                limit: 1,
            })
            .await,
    );
    ctx.ensure(first.len() == 1, || {
        format!(
            "failed_messages with limit 1 returned {} messages although at least 4 are failed",
            first.len()
        )
    });
    let none = ctx.ok(
        "failed_messages with limit 0",
        outbox
            .failed_messages(Page {
                offset: 0,
                limit: 0,
            })
            .await,
    );
    ctx.eq("messages listed with limit 0", none.len(), 0);
    let beyond = ctx.ok(
        "failed_messages far beyond the end",
        outbox
            .failed_messages(Page {
                offset: u64::MAX / 2,
                limit: 10,
            })
            .await,
    );
    ctx.eq("messages listed beyond the end", beyond.len(), 0);

    for m in &messages {
        ctx.ok(
            "discard_failed (cleanup)",
            outbox.discard_failed(m.id).await,
        );
    }
    ctx.ok("remove (cleanup)", outbox.remove(queued.id).await);
}

/// `discard_failed` deletes a failed message for good and says so; it returns `false`
/// and changes nothing for a queued message, an unknown id, or one already discarded;
/// a discarded message does not come back when marked failed again.
pub async fn outbox_failed_are_discarded(subject: &Subject) {
    let ctx = Ctx::new("outbox_failed_are_discarded");
    let Some(outbox) = ctx.need(subject.outbox(), "MailOutbox") else {
        return;
    };
    // Four days before the sequential check's era; this check never claims.
    let base = era() - Duration::days(4);
    let failed = message(base, base);
    let queued = message(base, base);
    let ours: HashSet<Uuid> = [failed.id, queued.id].into_iter().collect();
    ctx.ok("enqueue", outbox.enqueue(&failed).await);
    ctx.ok("enqueue", outbox.enqueue(&queued).await);
    let failed_at = base + Duration::minutes(1);
    ctx.ok(
        "mark_failed",
        outbox.mark_failed(failed.id, 1, failed_at, "550").await,
    );

    let refused = ctx.ok(
        "discard_failed of a queued message",
        outbox.discard_failed(queued.id).await,
    );
    ctx.ensure(!refused, || {
        "discard_failed of a message that is not failed returned true".to_owned()
    });
    let unknown = ctx.ok(
        "discard_failed of an unknown id",
        outbox.discard_failed(Uuid::new_v4()).await,
    );
    ctx.ensure(!unknown, || {
        "discard_failed of an unknown id returned true".to_owned()
    });

    let discarded = ctx.ok("discard_failed", outbox.discard_failed(failed.id).await);
    ctx.ensure(discarded, || {
        "discard_failed of a failed message returned false".to_owned()
    });
    let again = ctx.ok(
        "discard_failed of a discarded message",
        outbox.discard_failed(failed.id).await,
    );
    ctx.ensure(!again, || {
        "discard_failed of an already discarded message returned true".to_owned()
    });

    // Gone for good: marking it failed again creates nothing. The queued message is
    // still there: marking it failed lists it (the refused discard kept it).
    ctx.ok(
        "mark_failed of a discarded message",
        outbox.mark_failed(failed.id, 2, failed_at, "550").await,
    );
    ctx.ok(
        "mark_failed",
        outbox.mark_failed(queued.id, 1, failed_at, "550").await,
    );
    let listed = failed_ours(&ctx, outbox, &ours).await;
    ctx.eq(
        "this check's failed messages after discarding one",
        listed,
        vec![failed_entry(&queued, 1, failed_at, "550")],
    );

    ctx.ok("remove (cleanup)", outbox.remove(queued.id).await);
    ctx.ok("remove (cleanup)", outbox.remove(failed.id).await);
}

/// `retry_failed` puts a failed message back in the queue, queued anew at the time it
/// is given with no attempts, and says so; it returns `false` and changes nothing for a
/// queued message, an unknown id, or one already retried. (That a retried message is
/// handed out again is checked by `outbox_claim_due`, the one check that may claim
/// strictly.)
pub async fn outbox_failed_are_retried(subject: &Subject) {
    let ctx = Ctx::new("outbox_failed_are_retried");
    let Some(outbox) = ctx.need(subject.outbox(), "MailOutbox") else {
        return;
    };
    // Five days before the sequential check's era; this check never claims.
    let base = era() - Duration::days(5);
    let failed = message(base, base);
    let queued = message(base, base);
    let ours: HashSet<Uuid> = [failed.id, queued.id].into_iter().collect();
    ctx.ok("enqueue", outbox.enqueue(&failed).await);
    ctx.ok("enqueue", outbox.enqueue(&queued).await);
    ctx.ok(
        "mark_failed",
        outbox
            .mark_failed(failed.id, 5, base + Duration::minutes(1), "550")
            .await,
    );

    let retry_at = base + Duration::hours(2);
    let refused = ctx.ok(
        "retry_failed of a queued message",
        outbox.retry_failed(queued.id, retry_at).await,
    );
    ctx.ensure(!refused, || {
        "retry_failed of a message that is not failed returned true".to_owned()
    });
    let unknown = ctx.ok(
        "retry_failed of an unknown id",
        outbox.retry_failed(Uuid::new_v4(), retry_at).await,
    );
    ctx.ensure(!unknown, || {
        "retry_failed of an unknown id returned true".to_owned()
    });

    let retried = ctx.ok(
        "retry_failed",
        outbox.retry_failed(failed.id, retry_at).await,
    );
    ctx.ensure(retried, || {
        "retry_failed of a failed message returned false".to_owned()
    });
    let listed = failed_ours(&ctx, outbox, &ours).await;
    ctx.eq(
        "this check's failed messages after retrying the only one",
        listed,
        Vec::new(),
    );
    let again = ctx.ok(
        "retry_failed of a retried message",
        outbox.retry_failed(failed.id, retry_at).await,
    );
    ctx.ensure(!again, || {
        "retry_failed of a message already back in the queue returned true".to_owned()
    });
    let discard = ctx.ok(
        "discard_failed of a retried message",
        outbox.discard_failed(failed.id).await,
    );
    ctx.ensure(!discard, || {
        "discard_failed of a message back in the queue returned true".to_owned()
    });

    // Failing both again shows what the retry did: the retried one was queued anew at
    // the retry; the refused retry left the queued one as it was.
    let failed_at = base + Duration::hours(3);
    for m in [&failed, &queued] {
        ctx.ok(
            "mark_failed",
            outbox.mark_failed(m.id, 1, failed_at, "550").await,
        );
    }
    let mut anew = failed.clone();
    anew.created_at = retry_at;
    let mut expected = vec![
        failed_entry(&anew, 1, failed_at, "550"),
        failed_entry(&queued, 1, failed_at, "550"),
    ];
    expected.sort_by_key(|m| std::cmp::Reverse(m.id));
    let listed = failed_ours(&ctx, outbox, &ours).await;
    ctx.eq(
        "this check's messages failed again after the retry",
        listed,
        expected,
    );

    for id in &ours {
        ctx.ok("remove (cleanup)", outbox.remove(*id).await);
    }
}
