//! [`CounterStore`](crate::CounterStore) checks.

use std::sync::Arc;

use time::Duration;
use tokio::sync::Barrier;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, now, unique};
use crate::model::Counter;

/// A fresh counter key.
fn key(purpose: &str) -> String {
    format!("conformance:{purpose}:{}", unique())
}

/// Successive increments return 1, 2, 3 with the window's end fixed by the first, and
/// `counter` reads the current value; an unknown key reads as absent.
pub async fn counters_increment_sequence(subject: &Subject) {
    let ctx = Ctx::new("counters_increment_sequence");
    let Some(counters) = ctx.need(subject.counters(), "CounterStore") else {
        return;
    };

    let key = key("sequence");
    let t = now();
    let window = Duration::hours(1);
    for expected in 1..=3u64 {
        let counter = ctx.ok("increment", counters.increment(&key, window, t).await);
        ctx.eq(
            "increment",
            counter,
            Counter {
                count: expected,
                expires_at: t + window,
            },
        );
    }
    let read = ctx.ok("counter", counters.counter(&key, t).await);
    ctx.eq(
        "counter after three increments",
        read,
        Some(Counter {
            count: 3,
            expires_at: t + window,
        }),
    );
    let other = ctx.ok(
        "counter of an unknown key",
        counters.counter(&self::key("unknown"), t).await,
    );
    ctx.eq("counter of an unknown key", other, None);

    ctx.ok(
        "reset_counter (cleanup)",
        counters.reset_counter(&key).await,
    );
}

/// The window is fixed by the first increment: later increments (at a later `now`, with
/// any window) count in the same window and do not extend it.
pub async fn counters_window_is_fixed(subject: &Subject) {
    let ctx = Ctx::new("counters_window_is_fixed");
    let Some(counters) = ctx.need(subject.counters(), "CounterStore") else {
        return;
    };

    let key = key("window");
    let t = now();
    let window = Duration::minutes(10);
    ctx.ok("increment", counters.increment(&key, window, t).await);
    let second = ctx.ok(
        "increment 4 minutes later",
        counters
            .increment(&key, window, t + Duration::minutes(4))
            .await,
    );
    ctx.eq(
        "an increment 4 minutes into a 10-minute window",
        second,
        Counter {
            count: 2,
            expires_at: t + window,
        },
    );
    let third = ctx.ok(
        "increment with a longer window",
        counters
            .increment(&key, Duration::hours(5), t + Duration::minutes(9))
            .await,
    );
    ctx.eq(
        "an increment with a longer window inside an open one",
        third,
        Counter {
            count: 3,
            expires_at: t + window,
        },
    );
    let read = ctx.ok(
        "counter one second before the window closes",
        counters
            .counter(&key, t + window - Duration::seconds(1))
            .await,
    );
    ctx.eq(
        "counter one second before the window closes",
        read.map(|c| c.count),
        Some(3),
    );

    ctx.ok(
        "reset_counter (cleanup)",
        counters.reset_counter(&key).await,
    );
}

/// Expiry follows the `now` argument, not the store's clock: at `now == expires_at` the
/// counter reads as absent, and the next increment starts a new window at 1.
pub async fn counters_expiry_follows_now(subject: &Subject) {
    let ctx = Ctx::new("counters_expiry_follows_now");
    let Some(counters) = ctx.need(subject.counters(), "CounterStore") else {
        return;
    };

    let key = key("expiry");
    let t = now();
    let window = Duration::minutes(10);
    ctx.ok("increment", counters.increment(&key, window, t).await);
    ctx.ok("increment", counters.increment(&key, window, t).await);
    let closes = t + window;
    let read = ctx.ok(
        "counter when the window closes",
        counters.counter(&key, closes).await,
    );
    ctx.eq(
        "counter at `now == expires_at` (the window is closed)",
        read,
        None,
    );
    let fresh = ctx.ok(
        "increment after the window closed",
        counters.increment(&key, window, closes).await,
    );
    ctx.eq(
        "the first increment after expiry",
        fresh,
        Counter {
            count: 1,
            expires_at: closes + window,
        },
    );
    let read = ctx.ok("counter", counters.counter(&key, closes).await);
    ctx.eq("counter in the new window", read.map(|c| c.count), Some(1));

    ctx.ok(
        "reset_counter (cleanup)",
        counters.reset_counter(&key).await,
    );
}

/// A counter with a 2-second window, read and incremented again after a real wait of
/// 2–3 seconds, is gone and restarts at 1: this holds for stores that compare with `now`
/// and for stores whose backend expires keys on its own clock.
pub async fn counters_expire_in_real_time(subject: &Subject) {
    let ctx = Ctx::new("counters_expire_in_real_time");
    let Some(counters) = ctx.need(subject.counters(), "CounterStore") else {
        return;
    };

    let key = key("real-time");
    let window = Duration::seconds(2);
    let t = now();
    ctx.ok("increment", counters.increment(&key, window, t).await);
    let second = ctx.ok("increment", counters.increment(&key, window, now()).await);
    ctx.eq(
        "a second increment inside a 2-second window",
        second.count,
        2,
    );

    // `t` is truncated to the second, so the window closed at most 2 s from now; wait
    // until a whole second after that, also by the backend's own clock.
    let closes = t + window;
    while now() < closes + Duration::seconds(1) {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let later = now();
    let read = ctx.ok(
        "counter after the window",
        counters.counter(&key, later).await,
    );
    ctx.eq("counter after its window closed", read, None);
    let fresh = ctx.ok(
        "increment after the window",
        counters.increment(&key, window, later).await,
    );
    ctx.eq(
        "the first increment after the window closed",
        fresh,
        Counter {
            count: 1,
            expires_at: later + window,
        },
    );

    ctx.ok(
        "reset_counter (cleanup)",
        counters.reset_counter(&key).await,
    );
}

/// 100 concurrent increments of one key return exactly the values 1..=100 and leave the
/// count at 100.
pub async fn counters_concurrent_increments_exact(subject: &Subject) {
    const RACERS: u64 = 100;
    let ctx = Ctx::new("counters_concurrent_increments_exact");
    let Some(counters) = ctx.need(subject.counters(), "CounterStore") else {
        return;
    };

    let key = key("race");
    let t = now();
    let window = Duration::hours(1);
    let barrier = Arc::new(Barrier::new(RACERS as usize));
    let handles = (0..RACERS)
        .map(|_| {
            let counters = counters.clone();
            let barrier = barrier.clone();
            let key = key.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                counters.increment(&key, window, t).await
            })
        })
        .collect();
    let mut values = Vec::new();
    for result in ctx.join_all(handles).await {
        let counter = ctx.ok("a racing increment", result);
        ctx.eq(
            "the window of a racing increment",
            counter.expires_at,
            t + window,
        );
        values.push(counter.count);
    }
    values.sort_unstable();
    ctx.eq(
        "values returned by 100 concurrent increments, sorted",
        values,
        (1..=RACERS).collect::<Vec<_>>(),
    );
    let read = ctx.ok("counter", counters.counter(&key, t).await);
    ctx.eq(
        "count after 100 concurrent increments",
        read.map(|c| c.count),
        Some(RACERS),
    );

    ctx.ok(
        "reset_counter (cleanup)",
        counters.reset_counter(&key).await,
    );
}

/// `reset_counter` removes the counter (the next increment starts at 1 with a new
/// window), leaves other keys alone, and accepts an unknown key.
pub async fn counters_reset(subject: &Subject) {
    let ctx = Ctx::new("counters_reset");
    let Some(counters) = ctx.need(subject.counters(), "CounterStore") else {
        return;
    };

    let key = key("reset");
    let neighbour = self::key("neighbour");
    let t = now();
    let window = Duration::hours(1);
    for _ in 0..3 {
        ctx.ok("increment", counters.increment(&key, window, t).await);
    }
    ctx.ok("increment", counters.increment(&neighbour, window, t).await);

    ctx.ok("reset_counter", counters.reset_counter(&key).await);
    let read = ctx.ok("counter", counters.counter(&key, t).await);
    ctx.eq("counter after reset_counter", read, None);
    let later = t + Duration::minutes(1);
    let fresh = ctx.ok(
        "increment after reset",
        counters.increment(&key, window, later).await,
    );
    ctx.eq(
        "the first increment after reset_counter",
        fresh,
        Counter {
            count: 1,
            expires_at: later + window,
        },
    );
    let read = ctx.ok("counter", counters.counter(&neighbour, t).await);
    ctx.eq(
        "another key after reset_counter",
        read.map(|c| c.count),
        Some(1),
    );
    ctx.ok(
        "reset_counter of an unknown key",
        counters.reset_counter(&self::key("unknown")).await,
    );

    ctx.ok(
        "reset_counter (cleanup)",
        counters.reset_counter(&key).await,
    );
    ctx.ok(
        "reset_counter (cleanup)",
        counters.reset_counter(&neighbour).await,
    );
}

/// `purge_expired_counters(now)` deletes the counters whose window closed at or before
/// `now` and keeps open ones. (Only the real current time is used, so that other checks'
/// counters in a shared database are not disturbed; the count returned may include
/// other expired counters, or miss ones the backend already expired on its own.)
pub async fn counters_purge_expired(subject: &Subject) {
    let ctx = Ctx::new("counters_purge_expired");
    let Some(counters) = ctx.need(subject.counters(), "CounterStore") else {
        return;
    };

    let t = now();
    // Opened an hour ago with a one-minute window: closed by the real clock.
    let closed = key("purge-closed");
    let opened_at = t - Duration::hours(1);
    ctx.ok(
        "increment (an hour ago)",
        counters
            .increment(&closed, Duration::minutes(1), opened_at)
            .await,
    );
    let open = key("purge-open");
    ctx.ok(
        "increment",
        counters.increment(&open, Duration::hours(1), t).await,
    );
    ctx.ok(
        "increment",
        counters.increment(&open, Duration::hours(1), t).await,
    );

    // A `now` before the closed window ended must not remove the open counter.
    ctx.ok(
        "purge_expired_counters (two hours ago)",
        counters
            .purge_expired_counters(t - Duration::hours(2))
            .await,
    );
    ctx.ok(
        "purge_expired_counters",
        counters.purge_expired_counters(t).await,
    );

    // Deleted, not merely expired: even read at a time inside its window, it is gone.
    let read = ctx.ok(
        "counter of a purged key",
        counters
            .counter(&closed, opened_at + Duration::seconds(1))
            .await,
    );
    ctx.eq(
        "counter of a purged key, read inside its old window",
        read,
        None,
    );
    let read = ctx.ok("counter", counters.counter(&open, t).await);
    ctx.eq(
        "an open counter after purge_expired_counters",
        read,
        Some(Counter {
            count: 2,
            expires_at: t + Duration::hours(1),
        }),
    );

    ctx.ok(
        "reset_counter (cleanup)",
        counters.reset_counter(&open).await,
    );
}
