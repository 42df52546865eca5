//! The conformance kit has teeth: deliberately broken stores fail the checks aimed at
//! their flaw (and pass the others, so the failure points at the right contract).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use auth_core::conformance::{Subject, checks};
use auth_core::{
    ApiKeyDigest, ApiKeyRecord, ApiKeyStore, Counter, CounterStore, DeliveryState, EphemeralStore,
    Error, FailedMail, MailOutbox, OutboxMessage, Page, Result, SessionDigest, SessionRecord,
    SessionStore, SessionUserStore, UniqueField, User, UserId, UserSearch, UserStore,
    WebhookDelivery,
};
use auth_store_memory::MemoryStore;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Runs one check in its own task and tells whether it failed (panicked).
macro_rules! fails {
    ($check:path, $subject:expr) => {{
        let subject: Subject = $subject;
        let outcome = tokio::spawn(async move { $check(&subject).await }).await;
        match outcome {
            Ok(()) => false,
            Err(error) => error.is_panic(),
        }
    }};
}

/// A pause between reading and writing, so that racing calls interleave.
async fn window_for_races() {
    tokio::time::sleep(StdDuration::from_millis(2)).await;
}

/// Users in a map, checked then written in two steps: uniqueness and compare-and-swap
/// hold for one caller at a time but not under races.
#[derive(Default)]
struct CheckThenWriteUsers(Mutex<HashMap<UserId, User>>);

impl CheckThenWriteUsers {
    fn taken(&self, user: &User) -> Option<UniqueField> {
        let map = self.0.lock().unwrap();
        map.values().filter(|u| u.id != user.id).find_map(|u| {
            if u.email == user.email {
                Some(UniqueField::Email)
            } else if u.username.is_some() && u.username == user.username {
                Some(UniqueField::Username)
            } else {
                None
            }
        })
    }
}

#[async_trait]
impl UserStore for CheckThenWriteUsers {
    async fn create_user(&self, user: &User) -> Result<()> {
        if let Some(field) = self.taken(user) {
            return Err(Error::Conflict { field });
        }
        window_for_races().await;
        self.0.lock().unwrap().insert(user.id, user.clone());
        Ok(())
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        Ok(self.0.lock().unwrap().get(&id).cloned())
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let map = self.0.lock().unwrap();
        Ok(map.values().find(|u| u.email == email).cloned())
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let map = self.0.lock().unwrap();
        Ok(map
            .values()
            .find(|u| u.username.as_deref() == Some(username))
            .cloned())
    }

    async fn update_user(&self, user: &User) -> Result<()> {
        let current = self.0.lock().unwrap().get(&user.id).map(|u| u.version);
        if current != Some(user.version) {
            return Err(Error::StaleVersion);
        }
        if let Some(field) = self.taken(user) {
            return Err(Error::Conflict { field });
        }
        window_for_races().await;
        let mut stored = user.clone();
        stored.version += 1;
        self.0.lock().unwrap().insert(user.id, stored);
        Ok(())
    }

    async fn delete_user(&self, id: UserId, expected_version: u64) -> Result<()> {
        let mut map = self.0.lock().unwrap();
        match map.get(&id) {
            Some(u) if u.version == expected_version => {
                map.remove(&id);
                Ok(())
            }
            _ => Err(Error::StaleVersion),
        }
    }

    async fn list_users(&self, search: Option<&UserSearch<'_>>, page: Page) -> Result<Vec<User>> {
        let map = self.0.lock().unwrap();
        let mut users: Vec<User> = map
            .values()
            .filter(|u| search.is_none_or(|s| s.matches(u)))
            .cloned()
            .collect();
        users.sort_by_key(|u| (u.created_at, u.id));
        Ok(users
            .into_iter()
            .skip(page.offset as usize)
            .take(page.limit as usize)
            .collect())
    }

    async fn count_users(&self, search: Option<&UserSearch<'_>>) -> Result<u64> {
        let page = Page {
            offset: 0,
            limit: u64::MAX,
        };
        Ok(self.list_users(search, page).await?.len() as u64)
    }
}

/// Counters with two possible flaws: a read-modify-write in two steps, or a window that
/// every increment extends.
#[derive(Default)]
struct FlawedCounters {
    map: Mutex<HashMap<String, Counter>>,
    sliding: bool,
}

#[async_trait]
impl CounterStore for FlawedCounters {
    async fn increment(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
        let current = self
            .map
            .lock()
            .unwrap()
            .get(key)
            .copied()
            .filter(|c| now < c.expires_at);
        if !self.sliding {
            window_for_races().await;
        }
        let next = match current {
            Some(c) if !self.sliding => Counter {
                count: c.count + 1,
                expires_at: c.expires_at,
            },
            Some(c) => Counter {
                count: c.count + 1,
                expires_at: now + window,
            },
            None => Counter {
                count: 1,
                expires_at: now + window,
            },
        };
        self.map.lock().unwrap().insert(key.to_owned(), next);
        Ok(next)
    }

    async fn counter(&self, key: &str, now: OffsetDateTime) -> Result<Option<Counter>> {
        let map = self.map.lock().unwrap();
        Ok(map.get(key).copied().filter(|c| now < c.expires_at))
    }

    async fn reset_counter(&self, key: &str) -> Result<()> {
        self.map.lock().unwrap().remove(key);
        Ok(())
    }

    async fn purge_expired_counters(&self, now: OffsetDateTime) -> Result<u64> {
        let mut map = self.map.lock().unwrap();
        let before = map.len();
        map.retain(|_, c| now < c.expires_at);
        Ok((before - map.len()) as u64)
    }
}

/// Ephemeral entries kept by check-then-act: a take reads, yields, then deletes; an
/// insert checks, yields, then writes. Both let racing callers through.
#[derive(Default)]
struct RacyEphemeral {
    map: Mutex<HashMap<String, (Vec<u8>, OffsetDateTime)>>,
}

#[async_trait]
impl EphemeralStore for RacyEphemeral {
    async fn insert(
        &self,
        key: &str,
        value: &[u8],
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let held = self
            .map
            .lock()
            .unwrap()
            .get(key)
            .is_some_and(|(_, ends)| now < *ends);
        if held {
            return Ok(false);
        }
        window_for_races().await;
        self.map
            .lock()
            .unwrap()
            .insert(key.to_owned(), (value.to_vec(), expires_at));
        Ok(true)
    }

    async fn take(&self, key: &str, now: OffsetDateTime) -> Result<Option<Vec<u8>>> {
        let found = self.map.lock().unwrap().get(key).cloned();
        window_for_races().await;
        self.map.lock().unwrap().remove(key);
        Ok(found.and_then(|(value, ends)| (now < ends).then_some(value)))
    }

    async fn purge_expired_ephemeral(&self, now: OffsetDateTime) -> Result<u64> {
        let mut map = self.map.lock().unwrap();
        let before = map.len();
        map.retain(|_, (_, ends)| now < *ends);
        Ok((before - map.len()) as u64)
    }
}

/// An outbox with one of three flaws: it hands out due messages without leasing them,
/// it keeps handing out messages marked failed (it only records the error), or it
/// forgets webhook calls once they are delivered instead of keeping them for the
/// administrator's listing.
#[derive(Default)]
struct FlawedOutbox {
    map: Mutex<HashMap<Uuid, (OutboxMessage, Option<OffsetDateTime>)>>,
    delivered: Mutex<HashMap<Uuid, OffsetDateTime>>,
    leaseless: bool,
    failed_stay_due: bool,
    forgets_delivered: bool,
}

impl FlawedOutbox {
    fn delivery(
        &self,
        m: &OutboxMessage,
        failed: Option<OffsetDateTime>,
    ) -> Option<WebhookDelivery> {
        let call = m.webhook()?;
        let delivered = self.delivered.lock().unwrap().get(&m.id).copied();
        let (state, finished_at) = match (failed, delivered) {
            (Some(at), _) => (DeliveryState::Failed, Some(at)),
            (None, Some(at)) => (DeliveryState::Delivered, Some(at)),
            (None, None) => (DeliveryState::Pending, None),
        };
        Some(WebhookDelivery {
            id: m.id,
            url: call.url.clone(),
            event_type: call.event_type.clone(),
            state,
            attempts: m.attempts,
            created_at: m.created_at,
            next_attempt_at: finished_at.is_none().then_some(m.next_attempt_at),
            finished_at,
            last_outcome: m.last_error.clone(),
        })
    }

    fn is_delivered(&self, id: &Uuid) -> bool {
        self.delivered.lock().unwrap().contains_key(id)
    }
}

#[async_trait]
impl MailOutbox for FlawedOutbox {
    async fn enqueue(&self, message: &OutboxMessage) -> Result<()> {
        self.map
            .lock()
            .unwrap()
            .insert(message.id, (message.clone(), None));
        Ok(())
    }

    async fn claim_due(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>> {
        let mut map = self.map.lock().unwrap();
        let mut due: Vec<Uuid> = map
            .values()
            .filter(|(m, failed)| {
                m.next_attempt_at <= now
                    && (self.failed_stay_due || failed.is_none())
                    && !self.is_delivered(&m.id)
            })
            .map(|(m, _)| m.id)
            .collect();
        due.sort_by_key(|id| (map[id].0.next_attempt_at, map[id].0.created_at));
        due.truncate(limit as usize);
        Ok(due
            .into_iter()
            .map(|id| {
                let (m, _) = map.get_mut(&id).unwrap();
                if !self.leaseless {
                    m.next_attempt_at = now + lease;
                }
                m.clone()
            })
            .collect())
    }

    async fn remove(&self, id: Uuid) -> Result<()> {
        self.map.lock().unwrap().remove(&id);
        self.delivered.lock().unwrap().remove(&id);
        Ok(())
    }

    async fn reschedule(
        &self,
        id: Uuid,
        attempts: u32,
        next_attempt_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        if let Some((m, None)) = self.map.lock().unwrap().get_mut(&id) {
            m.attempts = attempts;
            m.next_attempt_at = next_attempt_at;
            m.last_error = Some(last_error.to_owned());
        }
        Ok(())
    }

    async fn pending_count(&self) -> Result<u64> {
        let map = self.map.lock().unwrap();
        Ok(map
            .values()
            .filter(|(m, failed)| failed.is_none() && !self.is_delivered(&m.id))
            .count() as u64)
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        attempts: u32,
        failed_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        if let Some((m, failed)) = self.map.lock().unwrap().get_mut(&id) {
            m.attempts = attempts;
            m.last_error = Some(last_error.to_owned());
            *failed = Some(failed_at);
        }
        Ok(())
    }

    async fn failed_messages(&self, page: Page) -> Result<Vec<FailedMail>> {
        let map = self.map.lock().unwrap();
        let mut failed: Vec<FailedMail> = map
            .values()
            .filter_map(|(m, failed)| {
                let email = m.email()?;
                failed.map(|failed_at| FailedMail {
                    id: m.id,
                    to: email.to.clone(),
                    kind: email.kind,
                    attempts: m.attempts,
                    created_at: m.created_at,
                    failed_at,
                    last_error: m.last_error.clone().unwrap_or_default(),
                })
            })
            .collect();
        failed.sort_by_key(|m| std::cmp::Reverse((m.failed_at, m.id)));
        Ok(failed
            .into_iter()
            .skip(page.offset as usize)
            .take(page.limit as usize)
            .collect())
    }

    async fn failed_count(&self) -> Result<u64> {
        let map = self.map.lock().unwrap();
        Ok(map.values().filter(|(_, failed)| failed.is_some()).count() as u64)
    }

    async fn discard_failed(&self, id: Uuid) -> Result<bool> {
        let mut map = self.map.lock().unwrap();
        if map.get(&id).is_some_and(|(_, failed)| failed.is_some()) {
            map.remove(&id);
            return Ok(true);
        }
        Ok(false)
    }

    async fn mark_delivered(
        &self,
        id: Uuid,
        attempts: u32,
        delivered_at: OffsetDateTime,
        outcome: &str,
    ) -> Result<()> {
        let mut map = self.map.lock().unwrap();
        if self.forgets_delivered {
            map.remove(&id);
        } else if let Some((m, failed)) = map.get_mut(&id) {
            m.attempts = attempts;
            m.last_error = Some(outcome.to_owned());
            *failed = None;
            self.delivered.lock().unwrap().insert(id, delivered_at);
        }
        Ok(())
    }

    async fn webhook_deliveries(&self, page: Page) -> Result<Vec<WebhookDelivery>> {
        let map = self.map.lock().unwrap();
        let mut calls: Vec<WebhookDelivery> = map
            .values()
            .filter_map(|(m, failed)| self.delivery(m, *failed))
            .collect();
        calls.sort_by_key(|d| std::cmp::Reverse((d.created_at, d.id)));
        Ok(calls
            .into_iter()
            .skip(page.offset as usize)
            .take(page.limit as usize)
            .collect())
    }

    async fn webhook_delivery(&self, id: Uuid) -> Result<Option<WebhookDelivery>> {
        let map = self.map.lock().unwrap();
        Ok(map
            .get(&id)
            .and_then(|(m, failed)| self.delivery(m, *failed)))
    }

    async fn webhook_delivery_count(&self) -> Result<u64> {
        let map = self.map.lock().unwrap();
        Ok(map.values().filter(|(m, _)| m.webhook().is_some()).count() as u64)
    }

    async fn purge_delivered(&self, before: OffsetDateTime) -> Result<u64> {
        let mut delivered = self.delivered.lock().unwrap();
        let gone: Vec<Uuid> = delivered
            .iter()
            .filter(|(_, at)| **at <= before)
            .map(|(id, _)| *id)
            .collect();
        let mut map = self.map.lock().unwrap();
        for id in &gone {
            delivered.remove(id);
            map.remove(id);
        }
        Ok(gone.len() as u64)
    }

    async fn retry_failed(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        match self.map.lock().unwrap().get_mut(&id) {
            Some((m, failed @ Some(_))) => {
                *failed = None;
                m.attempts = 0;
                m.created_at = now;
                m.next_attempt_at = now;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// Sessions from the memory store, except that listing ignores liveness and purging
/// uses the real clock instead of the `now` it is given.
#[derive(Default)]
struct ClockBlindSessions(MemoryStore);

#[async_trait]
impl SessionStore for ClockBlindSessions {
    async fn create_session(&self, session: &SessionRecord) -> Result<()> {
        self.0.create_session(session).await
    }

    async fn session(&self, digest: &SessionDigest) -> Result<Option<SessionRecord>> {
        self.0.session(digest).await
    }

    async fn touch_session(
        &self,
        digest: &SessionDigest,
        last_seen_at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<()> {
        self.0
            .touch_session(digest, last_seen_at, idle_expires_at)
            .await
    }

    async fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[auth_core::AuthMethod],
        proved_at: OffsetDateTime,
    ) -> Result<bool> {
        self.0.record_session_proof(digest, amr, proved_at).await
    }

    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool> {
        self.0.delete_session(digest).await
    }

    async fn sessions_for_user(
        &self,
        user_id: UserId,
        _now: OffsetDateTime,
    ) -> Result<Vec<SessionRecord>> {
        let far_past = OffsetDateTime::UNIX_EPOCH;
        self.0.sessions_for_user(user_id, far_past).await
    }

    async fn delete_sessions_for_user(
        &self,
        user_id: UserId,
        keep: Option<&SessionDigest>,
    ) -> Result<u64> {
        self.0.delete_sessions_for_user(user_id, keep).await
    }

    async fn purge_expired_sessions(&self, _now: OffsetDateTime) -> Result<u64> {
        self.0
            .purge_expired_sessions(OffsetDateTime::now_utc())
            .await
    }
}

/// The memory store's combined lookup, handing the engine a revision counter of its own
/// that no write raises (what `revision` answers moves on; the counter does not).
struct StaleCounter {
    store: MemoryStore,
    counter: Arc<AtomicU64>,
}

#[async_trait]
impl SessionUserStore for StaleCounter {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> Result<Option<(SessionRecord, User)>> {
        self.store.session_with_user(digest).await
    }

    async fn revision(&self) -> Result<Option<u64>> {
        self.store.revision().await
    }

    fn revision_counter(&self) -> Option<Arc<AtomicU64>> {
        Some(Arc::clone(&self.counter))
    }
}

/// API keys in a map, with three possible flaws: a use that reads the record, pauses and
/// writes it back whole (so it can bring back a key revoked meanwhile), a revocation
/// that ignores who owns the key, and ids that are not checked for uniqueness.
#[derive(Default)]
struct FlawedApiKeys {
    keys: Mutex<HashMap<ApiKeyDigest, ApiKeyRecord>>,
    touch_writes_back: bool,
    delete_ignores_owner: bool,
    ids_not_unique: bool,
}

#[async_trait]
impl ApiKeyStore for FlawedApiKeys {
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        let mut keys = self.keys.lock().unwrap();
        let id_taken = !self.ids_not_unique && keys.values().any(|k| k.id == key.id);
        if keys.contains_key(&key.digest) || id_taken {
            return Err(Error::Conflict {
                field: UniqueField::ApiKey,
            });
        }
        keys.insert(key.digest, key.clone());
        Ok(())
    }

    async fn api_key(&self, digest: &ApiKeyDigest) -> Result<Option<ApiKeyRecord>> {
        Ok(self.keys.lock().unwrap().get(digest).cloned())
    }

    async fn api_keys_for_user(&self, user_id: UserId) -> Result<Vec<ApiKeyRecord>> {
        let mut keys: Vec<ApiKeyRecord> = self
            .keys
            .lock()
            .unwrap()
            .values()
            .filter(|k| k.user_id == user_id)
            .cloned()
            .collect();
        keys.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(keys)
    }

    async fn touch_api_key(
        &self,
        digest: &ApiKeyDigest,
        at: OffsetDateTime,
        ip: Option<&str>,
    ) -> Result<()> {
        if self.touch_writes_back {
            let read = self.keys.lock().unwrap().get(digest).cloned();
            if let Some(mut key) = read {
                window_for_races().await;
                key.last_used_at = Some(at);
                key.last_used_ip = ip.map(str::to_owned);
                self.keys.lock().unwrap().insert(*digest, key);
            }
        } else if let Some(key) = self.keys.lock().unwrap().get_mut(digest) {
            key.last_used_at = Some(at);
            key.last_used_ip = ip.map(str::to_owned);
        }
        Ok(())
    }

    async fn delete_api_key(&self, user_id: UserId, id: &str) -> Result<bool> {
        let mut keys = self.keys.lock().unwrap();
        let before = keys.len();
        keys.retain(|_, k| !(k.id == id && (self.delete_ignores_owner || k.user_id == user_id)));
        Ok(keys.len() < before)
    }

    async fn delete_api_keys_for_user(&self, user_id: UserId) -> Result<u64> {
        let mut keys = self.keys.lock().unwrap();
        let before = keys.len();
        keys.retain(|_, k| k.user_id != user_id);
        Ok((before - keys.len()) as u64)
    }
}

fn users(store: CheckThenWriteUsers) -> Subject {
    Subject::new().with_users(Arc::new(store))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn check_then_insert_uniqueness_is_caught() {
    let racy = || users(CheckThenWriteUsers::default());
    assert!(fails!(checks::users_concurrent_create_same_email, racy()));
    assert!(fails!(
        checks::users_concurrent_create_same_username,
        racy()
    ));
    assert!(fails!(checks::users_concurrent_update_one_winner, racy()));
    // One caller at a time, the same store keeps every contract.
    assert!(!fails!(checks::users_create_and_get, racy()));
    assert!(!fails!(checks::users_duplicate_email_conflicts, racy()));
    assert!(!fails!(checks::users_update_compare_and_swap, racy()));
    assert!(!fails!(
        checks::users_update_conflict_changes_nothing,
        racy()
    ));
    assert!(!fails!(checks::users_delete_with_version, racy()));
    assert!(!fails!(checks::users_list_and_count, racy()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racy_and_sliding_counters_are_caught() {
    let racy = || Subject::new().with_counters(Arc::new(FlawedCounters::default()));
    assert!(fails!(checks::counters_concurrent_increments_exact, racy()));
    assert!(!fails!(checks::counters_window_is_fixed, racy()));
    assert!(!fails!(checks::counters_increment_sequence, racy()));

    let sliding = || {
        Subject::new().with_counters(Arc::new(FlawedCounters {
            sliding: true,
            ..FlawedCounters::default()
        }))
    };
    assert!(fails!(checks::counters_window_is_fixed, sliding()));
    assert!(!fails!(checks::counters_increment_sequence, sliding()));
    assert!(!fails!(checks::counters_reset, sliding()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn check_then_act_ephemeral_entries_are_caught() {
    let racy = || Subject::new().with_ephemeral(Arc::new(RacyEphemeral::default()));
    assert!(fails!(checks::ephemeral_concurrent_takes_once, racy()));
    assert!(fails!(checks::ephemeral_concurrent_inserts_once, racy()));
    assert!(!fails!(checks::ephemeral_insert_and_take, racy()));
    assert!(!fails!(checks::ephemeral_insert_if_absent, racy()));
    assert!(!fails!(checks::ephemeral_expiry_follows_now, racy()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_outbox_without_leases_is_caught() {
    let leaseless = || {
        Subject::new().with_outbox(Arc::new(FlawedOutbox {
            leaseless: true,
            ..FlawedOutbox::default()
        }))
    };
    assert!(fails!(checks::outbox_claim_due, leaseless()));
    assert!(fails!(
        checks::outbox_concurrent_claims_are_exclusive,
        leaseless()
    ));
    assert!(!fails!(checks::outbox_failed_are_listed, leaseless()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_outbox_that_hands_out_failed_mail_is_caught() {
    let sound = || Subject::new().with_outbox(Arc::new(FlawedOutbox::default()));
    assert!(!fails!(checks::outbox_claim_due, sound()));
    assert!(!fails!(checks::outbox_failed_are_not_claimed, sound()));

    let careless = || {
        Subject::new().with_outbox(Arc::new(FlawedOutbox {
            failed_stay_due: true,
            ..FlawedOutbox::default()
        }))
    };
    assert!(fails!(checks::outbox_failed_are_not_claimed, careless()));
    assert!(fails!(checks::outbox_claim_due, careless()));
    // The checks that never claim cannot see this flaw, and do not blame it.
    assert!(!fails!(checks::outbox_failed_are_listed, careless()));
    assert!(!fails!(checks::outbox_failed_are_discarded, careless()));
    assert!(!fails!(checks::outbox_failed_are_retried, careless()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forgetting_delivered_webhook_calls_is_caught() {
    let sound = || Subject::new().with_outbox(Arc::new(FlawedOutbox::default()));
    assert!(!fails!(checks::outbox_webhook_deliveries, sound()));

    let forgetful = || {
        Subject::new().with_outbox(Arc::new(FlawedOutbox {
            forgets_delivered: true,
            ..FlawedOutbox::default()
        }))
    };
    assert!(fails!(checks::outbox_webhook_deliveries, forgetful()));
    assert!(fails!(checks::outbox_claim_due, forgetful()));
    // The checks of failed mail do not blame it.
    assert!(!fails!(checks::outbox_failed_are_listed, forgetful()));
    assert!(!fails!(checks::outbox_failed_are_retried, forgetful()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_judged_by_the_wrong_clock_are_caught() {
    let blind = || Subject::new().with_sessions(Arc::new(ClockBlindSessions::default()));
    assert!(fails!(checks::sessions_list_for_user, blind()));
    assert!(fails!(checks::sessions_purge_expired, blind()));
    assert!(!fails!(checks::sessions_create_get_touch_delete, blind()));
    assert!(!fails!(checks::sessions_delete_all_except_one, blind()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn flawed_api_key_stores_are_caught() {
    let keys = |store: FlawedApiKeys| Subject::new().with_api_keys(Arc::new(store));
    let sound = || keys(FlawedApiKeys::default());
    assert!(!fails!(
        checks::api_keys_create_find_touch_list_delete,
        sound()
    ));
    assert!(!fails!(checks::api_keys_unique_ids_and_digests, sound()));
    assert!(!fails!(checks::api_keys_concurrent_revoke_and_use, sound()));

    // A use racing a revocation writes the key back: revocation is not final.
    let resurrecting = || {
        keys(FlawedApiKeys {
            touch_writes_back: true,
            ..FlawedApiKeys::default()
        })
    };
    assert!(fails!(
        checks::api_keys_concurrent_revoke_and_use,
        resurrecting()
    ));
    // One caller at a time, the same store keeps every contract.
    assert!(!fails!(
        checks::api_keys_create_find_touch_list_delete,
        resurrecting()
    ));

    let owner_blind = || {
        keys(FlawedApiKeys {
            delete_ignores_owner: true,
            ..FlawedApiKeys::default()
        })
    };
    assert!(fails!(
        checks::api_keys_create_find_touch_list_delete,
        owner_blind()
    ));
    assert!(!fails!(
        checks::api_keys_unique_ids_and_digests,
        owner_blind()
    ));

    let duplicate_ids = || {
        keys(FlawedApiKeys {
            ids_not_unique: true,
            ..FlawedApiKeys::default()
        })
    };
    assert!(fails!(
        checks::api_keys_unique_ids_and_digests,
        duplicate_ids()
    ));
    assert!(!fails!(
        checks::api_keys_concurrent_revoke_and_use,
        duplicate_ids()
    ));
}

#[tokio::test]
async fn a_revision_counter_that_lags_the_revision_is_caught() {
    let store = MemoryStore::new();
    let stale = StaleCounter {
        store: store.clone(),
        counter: Arc::new(AtomicU64::new(store.revision().await.unwrap().unwrap())),
    };
    let subject = |joined: Arc<dyn SessionUserStore>| {
        Subject::new()
            .with_users(Arc::new(store.clone()))
            .with_sessions(Arc::new(store.clone()))
            .with_session_users(joined)
    };
    assert!(fails!(
        checks::sessions_revision_moves_on_every_write,
        subject(Arc::new(stale))
    ));
    assert!(!fails!(
        checks::sessions_revision_moves_on_every_write,
        subject(Arc::new(store.clone()))
    ));
}

#[tokio::test]
async fn checks_skip_what_the_subject_lacks() {
    // A subject with counters only: the user checks have nothing to test and pass.
    let counters_only = Subject::new().with_counters(Arc::new(MemoryStore::new()));
    assert!(!fails!(
        checks::users_concurrent_create_same_email,
        counters_only.clone()
    ));
    assert!(counters_only.users().is_none());
    assert!(counters_only.counters().is_some());
}

#[tokio::test]
#[should_panic(expected = "holds no store")]
async fn run_all_refuses_an_empty_subject() {
    auth_core::conformance::run_all(&Subject::new()).await;
}
