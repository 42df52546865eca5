//! What the engine tells about itself: `tracing` spans for every flow and every store
//! call, and counters and histograms through the [`metrics`] facade.
//!
//! Nothing is exported until the application installs a `metrics` recorder (for
//! example `metrics-exporter-prometheus`, as the demos do with `--metrics-addr`) and a
//! `tracing` subscriber; without them the calls cost a few nanoseconds. Spans carry the
//! flow's name and, where one is known, the user id; never a password, token, code,
//! session id or address. Labels are the fixed names below, so series stay few.
//!
//! | metric | kind | labels | what |
//! |---|---|---|---|
//! | `auth_sign_ins_total` | counter | `outcome` | sign-ins by outcome: `success` or [`Error::kind`] |
//! | `auth_lockouts_total` | counter | | locks started by failed sign-ins |
//! | `auth_rate_limited_total` | counter | `limit` | refusals by rate limit (the [`RateLimits`](crate::RateLimits) field) |
//! | `auth_password_hash_seconds` | histogram | `operation` | time to `hash` or `verify` a password, queue wait excluded |
//! | `auth_password_hash_queue_seconds` | histogram | | wait for a hashing slot |
//! | `auth_store_operation_seconds` | histogram | `store`, `operation`, `outcome` | every store call: the trait, the method, `ok` or [`Error::kind`] |
//! | `auth_outbox_depth` | gauge | | mail waiting in the outbox after a delivery pass |
//! | `auth_mail_delivered_total` | counter | | queued mail sent by a delivery pass |
//! | `auth_mail_delivery_failures_total` | counter | `outcome` | queued mail not sent: `retry` (tried again later) or `gave_up` |
//! | `auth_breached_password_checks_total` | counter | `outcome` | new passwords looked up (see [`BreachCheck`](crate::BreachCheck)): `clean`, `breached`, or, when the source failed, `unavailable_accepted` / `unavailable_refused` |
//!
//! [`describe`] registers the descriptions and units with the installed recorder.

mod stores;

use std::future::Future;
use std::time::Instant;

use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};

use crate::error::{Error, Result};

pub(crate) use stores::Observed;

/// Sign-ins by outcome.
pub const SIGN_INS: &str = "auth_sign_ins_total";
/// Locks started by failed sign-ins.
pub const LOCKOUTS: &str = "auth_lockouts_total";
/// Refusals by rate limit.
pub const RATE_LIMITED: &str = "auth_rate_limited_total";
/// Time spent hashing or verifying a password.
pub const HASH_SECONDS: &str = "auth_password_hash_seconds";
/// Time spent waiting for a hashing slot.
pub const HASH_QUEUE_SECONDS: &str = "auth_password_hash_queue_seconds";
/// Time of every store call.
pub const STORE_SECONDS: &str = "auth_store_operation_seconds";
/// Mail waiting in the outbox.
pub const OUTBOX_DEPTH: &str = "auth_outbox_depth";
/// Queued mail sent.
pub const MAIL_DELIVERED: &str = "auth_mail_delivered_total";
/// Queued mail not sent.
pub const MAIL_FAILURES: &str = "auth_mail_delivery_failures_total";
/// New passwords looked up in the breached-password source, by outcome.
pub const BREACH_CHECKS: &str = "auth_breached_password_checks_total";

/// Registers the description and unit of every metric above with the installed
/// recorder (call it once, after installing one).
pub fn describe() {
    describe_counter!(SIGN_INS, Unit::Count, "Sign-ins by outcome.");
    describe_counter!(LOCKOUTS, Unit::Count, "Locks started by failed sign-ins.");
    describe_counter!(
        RATE_LIMITED,
        Unit::Count,
        "Requests refused by a rate limit."
    );
    describe_histogram!(
        HASH_SECONDS,
        Unit::Seconds,
        "Time to hash or verify a password."
    );
    describe_histogram!(
        HASH_QUEUE_SECONDS,
        Unit::Seconds,
        "Wait for a hashing slot."
    );
    describe_histogram!(STORE_SECONDS, Unit::Seconds, "Time of each store call.");
    describe_gauge!(OUTBOX_DEPTH, Unit::Count, "Mail waiting in the outbox.");
    describe_counter!(MAIL_DELIVERED, Unit::Count, "Queued mail sent.");
    describe_counter!(MAIL_FAILURES, Unit::Count, "Queued mail not sent.");
    describe_counter!(
        BREACH_CHECKS,
        Unit::Count,
        "New passwords looked up in the breached-password source, by outcome."
    );
}

/// `ok`, or the error's kind: the `outcome` label.
fn outcome<T>(result: &Result<T>) -> &'static str {
    result.as_ref().map_or_else(Error::kind, |_| "ok")
}

/// Counts a finished sign-in.
pub(crate) fn sign_in<T>(result: &Result<T>) {
    let outcome = match result {
        Ok(_) => "success",
        Err(e) => e.kind(),
    };
    counter!(SIGN_INS, "outcome" => outcome).increment(1);
}

/// Counts a lock started by a failed sign-in.
pub(crate) fn lockout() {
    counter!(LOCKOUTS).increment(1);
}

/// Counts a breached-password lookup by its outcome.
pub(crate) fn breach_check(outcome: &'static str) {
    counter!(BREACH_CHECKS, "outcome" => outcome).increment(1);
}

/// Counts a refusal by the rate limit named `limit`.
pub(crate) fn rate_limited(limit: &'static str) {
    counter!(RATE_LIMITED, "limit" => limit).increment(1);
}

/// Records the wait for a hashing slot and the work of `operation` (`hash`, `verify`).
pub(crate) fn hashed(operation: &'static str, queued: Instant, started: Instant) {
    let done = Instant::now();
    histogram!(HASH_QUEUE_SECONDS).record(started.duration_since(queued).as_secs_f64());
    histogram!(HASH_SECONDS, "operation" => operation)
        .record(done.duration_since(started).as_secs_f64());
}

/// What a delivery pass of the outbox did.
pub(crate) fn outbox_pass(delivered: usize, retried: u64, gave_up: u64, depth: Option<u64>) {
    counter!(MAIL_DELIVERED).increment(delivered as u64);
    if retried > 0 {
        counter!(MAIL_FAILURES, "outcome" => "retry").increment(retried);
    }
    if gave_up > 0 {
        counter!(MAIL_FAILURES, "outcome" => "gave_up").increment(gave_up);
    }
    if let Some(depth) = depth {
        gauge!(OUTBOX_DEPTH).set(depth as f64);
    }
}

/// Runs one store call inside a `debug` span and records its time and outcome.
pub(crate) async fn store_call<T>(
    store: &'static str,
    operation: &'static str,
    call: impl Future<Output = Result<T>>,
) -> Result<T> {
    use tracing::Instrument as _;
    let started = Instant::now();
    let result = call
        .instrument(tracing::debug_span!("auth.store", store, operation))
        .await;
    histogram!(STORE_SECONDS, "store" => store, "operation" => operation, "outcome" => outcome(&result))
        .record(started.elapsed().as_secs_f64());
    result
}
