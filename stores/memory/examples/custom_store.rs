//! A custom store checked with the `auth-core` conformance kit.
//!
//! `TenantCounters` is a [`CounterStore`] of our own: rate-limit counters kept per
//! tenant, e.g. to give every customer of a multi-tenant application its own limits. The
//! other stores come from [`MemoryStore`]. The kit is run on the combination exactly as
//! a test would run it:
//!
//! ```text
//! cargo run -p auth-store-memory --example custom_store
//! ```
//!
//! In a real crate, the same `subject()` goes into a test file instead, where
//! `auth_core::store_conformance_tests!(subject());` makes one test per contract (see
//! `docs/custom-store.md`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use auth_core::conformance::{CHECKS, Subject, run_all};
use auth_core::{Counter, CounterStore, Result};
use auth_store_memory::MemoryStore;
use time::{Duration, OffsetDateTime};

/// Counters of one tenant: a map under one lock, so every call is atomic, which is what
/// the contract asks ("`n` concurrent increments return `1..=n`").
#[derive(Debug, Default)]
struct TenantCounters {
    tenant: String,
    counters: Mutex<HashMap<String, Counter>>,
}

impl TenantCounters {
    fn new(tenant: &str) -> Self {
        Self {
            tenant: tenant.to_owned(),
            counters: Mutex::default(),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}/{key}", self.tenant)
    }
}

#[async_trait]
impl CounterStore for TenantCounters {
    async fn increment(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let counter = counters.entry(self.key(key)).or_insert(Counter {
            count: 0,
            expires_at: now,
        });
        // A window opens with the first increment (or the first after it closed) and is
        // never extended: compare with the `now` we are given, not our own clock.
        if now >= counter.expires_at {
            *counter = Counter {
                count: 0,
                expires_at: now + window,
            };
        }
        counter.count += 1;
        Ok(*counter)
    }

    async fn counter(&self, key: &str, now: OffsetDateTime) -> Result<Option<Counter>> {
        let counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(counters
            .get(&self.key(key))
            .copied()
            .filter(|c| now < c.expires_at))
    }

    async fn reset_counter(&self, key: &str) -> Result<()> {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        counters.remove(&self.key(key));
        Ok(())
    }

    async fn purge_expired_counters(&self, now: OffsetDateTime) -> Result<u64> {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let before = counters.len();
        counters.retain(|_, c| now < c.expires_at);
        Ok((before - counters.len()) as u64)
    }
}

/// What the kit tests: our counters, and the memory store for everything else.
fn subject() -> Subject {
    let memory = Arc::new(MemoryStore::new());
    Subject::new()
        .with_users(memory.clone())
        .with_sessions(memory.clone())
        .with_session_users(memory.clone())
        .with_outbox(memory.clone())
        .with_audit(memory)
        .with_counters(Arc::new(TenantCounters::new("acme")))
}

#[tokio::main]
async fn main() {
    println!("running {} conformance checks ...", CHECKS.len());
    // Panics with the check's name and what went wrong at the first broken contract.
    run_all(&subject()).await;
    println!("TenantCounters (with MemoryStore for the rest) keeps every store contract");
}
