//! [`EphemeralStore`](crate::EphemeralStore) checks.

use std::sync::Arc;

use time::Duration;
use tokio::sync::Barrier;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, now, unique};
use crate::store::MAX_EPHEMERAL_VALUE;

/// A fresh entry key.
fn key(purpose: &str) -> String {
    format!("conformance:{purpose}:{}", unique())
}

/// How many tasks race in the concurrent checks.
const RACERS: usize = 50;

/// An inserted entry is taken once with its value unchanged (every byte value, and the
/// largest value allowed); a second take, and a take of an unknown key, return `None`;
/// once taken, the key can be inserted again.
pub async fn ephemeral_insert_and_take(subject: &Subject) {
    let ctx = Ctx::new("ephemeral_insert_and_take");
    let Some(store) = ctx.need(subject.ephemeral(), "EphemeralStore") else {
        return;
    };

    let t = now();
    let expires = t + Duration::minutes(5);
    let key = key("take");
    let value: Vec<u8> = (0..=255u8).collect();
    let inserted = ctx.ok("insert", store.insert(&key, &value, expires, t).await);
    ctx.eq("insert of a new key", inserted, true);
    let taken = ctx.ok("take", store.take(&key, t).await);
    ctx.eq("take of a live entry", taken, Some(value.clone()));
    let again = ctx.ok("take again", store.take(&key, t).await);
    ctx.eq("a second take of the same entry", again, None);
    let unknown = ctx.ok(
        "take of an unknown key",
        store.take(&self::key("unknown"), t).await,
    );
    ctx.eq("take of an unknown key", unknown, None);
    let reinserted = ctx.ok(
        "insert after take",
        store.insert(&key, b"x", expires, t).await,
    );
    ctx.eq("insert of a key whose entry was taken", reinserted, true);
    ctx.ok("take (cleanup)", store.take(&key, t).await);

    let big = vec![0xA5u8; MAX_EPHEMERAL_VALUE];
    let long_key = format!("{}:{}", self::key("long"), "k".repeat(600));
    let inserted = ctx.ok(
        "insert of the largest value under a 600-byte key",
        store.insert(&long_key, &big, expires, t).await,
    );
    ctx.eq("insert of the largest value", inserted, true);
    let neighbour = format!("{}x", &long_key[..long_key.len() - 1]);
    let other = ctx.ok(
        "take of a similar long key",
        store.take(&neighbour, t).await,
    );
    ctx.eq("take of another long key with the same start", other, None);
    let taken = ctx.ok("take of the largest value", store.take(&long_key, t).await);
    ctx.eq(
        "the largest value, taken back (length)",
        taken.as_ref().map(Vec::len),
        Some(MAX_EPHEMERAL_VALUE),
    );
    ctx.ensure(taken == Some(big), || {
        "the largest value came back changed".into()
    });
}

/// Insert refuses a key held by a live entry and leaves that entry as it was; an empty
/// value is a value like any other.
pub async fn ephemeral_insert_if_absent(subject: &Subject) {
    let ctx = Ctx::new("ephemeral_insert_if_absent");
    let Some(store) = ctx.need(subject.ephemeral(), "EphemeralStore") else {
        return;
    };

    let t = now();
    let key = key("absent");
    let first = ctx.ok(
        "insert",
        store.insert(&key, b"", t + Duration::minutes(5), t).await,
    );
    ctx.eq("insert of a new key", first, true);
    let second = ctx.ok(
        "insert of a held key",
        store
            .insert(
                &key,
                b"second",
                t + Duration::hours(5),
                t + Duration::minutes(1),
            )
            .await,
    );
    ctx.eq("insert of a key held by a live entry", second, false);
    let taken = ctx.ok("take", store.take(&key, t + Duration::minutes(2)).await);
    ctx.eq(
        "the entry after a refused insert (value unchanged)",
        taken,
        Some(Vec::new()),
    );
}

/// Liveness follows `now`: at `now == expires_at` an entry is not taken, and an insert
/// replaces it; an entry inserted with an expiry already past at `now` is never live.
pub async fn ephemeral_expiry_follows_now(subject: &Subject) {
    let ctx = Ctx::new("ephemeral_expiry_follows_now");
    let Some(store) = ctx.need(subject.ephemeral(), "EphemeralStore") else {
        return;
    };

    let t = now();
    let expires = t + Duration::minutes(10);
    let key = key("expiry");
    ctx.ok("insert", store.insert(&key, b"old", expires, t).await);
    let replaced = ctx.ok(
        "insert when the entry expires",
        store
            .insert(&key, b"new", expires + Duration::minutes(10), expires)
            .await,
    );
    ctx.eq(
        "insert at `now == expires_at` of the old entry",
        replaced,
        true,
    );
    let taken = ctx.ok("take", store.take(&key, expires).await);
    ctx.eq(
        "take after the replacing insert",
        taken,
        Some(b"new".to_vec()),
    );

    let key = self::key("expired-take");
    ctx.ok("insert", store.insert(&key, b"v", expires, t).await);
    let late = ctx.ok(
        "take when the entry expires",
        store.take(&key, expires).await,
    );
    ctx.eq("take at `now == expires_at`", late, None);

    let key = self::key("born-dead");
    ctx.ok("insert", store.insert(&key, b"v", t, t).await);
    let taken = ctx.ok("take", store.take(&key, t).await);
    ctx.eq(
        "take of an entry inserted with `expires_at == now`",
        taken,
        None,
    );
}

/// An entry with a 2-second life, taken after a real wait of 2–3 seconds, is gone: this
/// holds for stores that compare with `now` and for stores whose backend expires entries
/// on its own clock.
pub async fn ephemeral_expire_in_real_time(subject: &Subject) {
    let ctx = Ctx::new("ephemeral_expire_in_real_time");
    let Some(store) = ctx.need(subject.ephemeral(), "EphemeralStore") else {
        return;
    };

    let key = key("real-time");
    let t = now();
    let expires = t + Duration::seconds(2);
    ctx.ok("insert", store.insert(&key, b"v", expires, t).await);
    while now() < expires + Duration::seconds(1) {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let later = now();
    let taken = ctx.ok("take after expiry", store.take(&key, later).await);
    ctx.eq("take of an entry whose time ran out", taken, None);
    let inserted = ctx.ok(
        "insert after expiry",
        store
            .insert(&key, b"w", later + Duration::minutes(1), later)
            .await,
    );
    ctx.eq("insert of a key whose entry ran out", inserted, true);
    ctx.ok("take (cleanup)", store.take(&key, later).await);
}

/// 50 concurrent takes of one live entry: exactly one gets the value.
pub async fn ephemeral_concurrent_takes_once(subject: &Subject) {
    let ctx = Ctx::new("ephemeral_concurrent_takes_once");
    let Some(store) = ctx.need(subject.ephemeral(), "EphemeralStore") else {
        return;
    };

    let key = key("take-race");
    let t = now();
    ctx.ok(
        "insert",
        store.insert(&key, b"once", t + Duration::hours(1), t).await,
    );
    let barrier = Arc::new(Barrier::new(RACERS));
    let handles = (0..RACERS)
        .map(|_| {
            let store = store.clone();
            let barrier = barrier.clone();
            let key = key.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store.take(&key, t).await
            })
        })
        .collect();
    let mut winners = 0;
    for result in ctx.join_all(handles).await {
        if let Some(value) = ctx.ok("a racing take", result) {
            ctx.eq("the value a racing take got", value, b"once".to_vec());
            winners += 1;
        }
    }
    ctx.eq("racing takes that got the entry", winners, 1);
}

/// 50 concurrent inserts of one new key (different values): exactly one returns `true`,
/// and its value is the one stored.
pub async fn ephemeral_concurrent_inserts_once(subject: &Subject) {
    let ctx = Ctx::new("ephemeral_concurrent_inserts_once");
    let Some(store) = ctx.need(subject.ephemeral(), "EphemeralStore") else {
        return;
    };

    let key = key("insert-race");
    let t = now();
    let barrier = Arc::new(Barrier::new(RACERS));
    let handles = (0..RACERS)
        .map(|i| {
            let store = store.clone();
            let barrier = barrier.clone();
            let key = key.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let value = i.to_string().into_bytes();
                let won = store.insert(&key, &value, t + Duration::hours(1), t).await;
                won.map(|won| won.then_some(value))
            })
        })
        .collect();
    let mut winners = Vec::new();
    for result in ctx.join_all(handles).await {
        if let Some(value) = ctx.ok("a racing insert", result) {
            winners.push(value);
        }
    }
    ctx.eq("racing inserts that returned true", winners.len(), 1);
    let taken = ctx.ok("take", store.take(&key, t).await);
    ctx.eq("the stored value", taken, winners.pop());
}

/// `purge_expired_ephemeral(now)` keeps live entries and deletes expired ones: an entry
/// that expired an hour ago is gone even for a take with a `now` inside its old life
/// (a store with native expiry has dropped it by then). Only the real current time is
/// used, so that other checks' entries in a shared database are not disturbed.
pub async fn ephemeral_purge_expired(subject: &Subject) {
    let ctx = Ctx::new("ephemeral_purge_expired");
    let Some(store) = ctx.need(subject.ephemeral(), "EphemeralStore") else {
        return;
    };

    let t = now();
    let dead = key("purge-dead");
    let created = t - Duration::hours(1);
    ctx.ok(
        "insert (an hour ago, for a minute)",
        store
            .insert(&dead, b"d", created + Duration::minutes(1), created)
            .await,
    );
    let live = key("purge-live");
    ctx.ok(
        "insert",
        store.insert(&live, b"l", t + Duration::hours(1), t).await,
    );
    ctx.ok(
        "purge_expired_ephemeral",
        store.purge_expired_ephemeral(t).await,
    );
    let taken = ctx.ok(
        "take of a live entry after a purge",
        store.take(&live, t).await,
    );
    ctx.eq(
        "a live entry after purge_expired_ephemeral",
        taken,
        Some(b"l".to_vec()),
    );
    let taken = ctx.ok(
        "take of a purged entry, with a `now` inside its old life",
        store.take(&dead, created + Duration::seconds(30)).await,
    );
    ctx.eq("a purged entry, read inside its old life", taken, None);
}
