//! Traffic for failover tests: tasks that keep writing through a store and record what
//! was acknowledged and when calls failed, and the checks made after the switch.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use auth_core::{CounterStore, Error, User, UserStore};
use auth_store_redis::RedisStore;

/// Writes from several tasks until stopped: each loop creates a user and counts one in a
/// counter, recording what was acknowledged and when each error happened.
pub struct Traffic {
    stop: Arc<AtomicBool>,
    acked_users: Arc<Mutex<Vec<User>>>,
    acked_increments: Arc<AtomicU64>,
    attempts: Arc<AtomicU64>,
    errors: Arc<Mutex<Vec<(Instant, Error)>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// The counter the traffic increments, in a window longer than any test.
const COUNTER: &str = "failover";

impl Traffic {
    /// Starts `tasks` writers on `store`.
    pub fn start(store: &RedisStore, tasks: usize) -> Self {
        let window_start = time::OffsetDateTime::now_utc();
        let traffic = Self {
            stop: Arc::default(),
            acked_users: Arc::default(),
            acked_increments: Arc::default(),
            attempts: Arc::default(),
            errors: Arc::default(),
            tasks: Vec::new(),
        };
        let tasks = (0..tasks)
            .map(|_| {
                let store = store.clone();
                let stop = traffic.stop.clone();
                let acked_users = traffic.acked_users.clone();
                let acked_increments = traffic.acked_increments.clone();
                let attempts = traffic.attempts.clone();
                let errors = traffic.errors.clone();
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let user = super::user("failover");
                        match store.create_user(&user).await {
                            Ok(()) => acked_users.lock().unwrap().push(user),
                            Err(e) => errors.lock().unwrap().push((Instant::now(), e)),
                        }
                        attempts.fetch_add(1, Ordering::Relaxed);
                        match store
                            .increment(COUNTER, time::Duration::hours(1), window_start)
                            .await
                        {
                            Ok(_) => {
                                acked_increments.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => errors.lock().unwrap().push((Instant::now(), e)),
                        }
                    }
                })
            })
            .collect();
        Self { tasks, ..traffic }
    }

    /// Stops the tasks and waits for them.
    pub async fn stop(mut self) -> Self {
        self.stop.store(true, Ordering::Relaxed);
        for task in std::mem::take(&mut self.tasks) {
            task.await.unwrap();
        }
        self
    }

    /// How many increments were acknowledged.
    pub fn acked_increments(&self) -> u64 {
        self.acked_increments.load(Ordering::Relaxed)
    }

    pub fn acked_users(&self) -> Vec<User> {
        self.acked_users.lock().unwrap().clone()
    }

    /// How many calls failed.
    pub fn error_count(&self) -> usize {
        self.errors.lock().unwrap().len()
    }

    /// The counter holds at least every acknowledged increment and at most one per loop.
    pub async fn assert_counter_exact(&self, store: &RedisStore) {
        let count = store
            .counter(COUNTER, time::OffsetDateTime::now_utc())
            .await
            .unwrap()
            .unwrap()
            .count;
        let (acked, attempts) = (
            self.acked_increments.load(Ordering::Relaxed),
            self.attempts.load(Ordering::Relaxed),
        );
        assert!(
            (acked..=attempts).contains(&count),
            "counted {count}, acknowledged {acked}, attempted {attempts}"
        );
    }

    /// Every error is `Unavailable` (a 503 to the web layer, never a backend error) and
    /// happened inside one of `windows` (a switch, from its start to its end plus slack).
    pub fn assert_errors_only_in(&self, windows: &[(Instant, Instant)]) {
        for (at, e) in self.errors.lock().unwrap().iter() {
            assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
            assert!(
                windows.iter().any(|(from, to)| from <= at && at <= to),
                "an error outside the switches: {e:?}"
            );
        }
    }
}

/// After the switch: a burst of sequential calls all succeed.
pub async fn assert_healthy(store: &RedisStore) {
    for _ in 0..50 {
        let user = super::user("after");
        store.create_user(&user).await.unwrap();
        assert_eq!(store.user_by_email(&user.email).await.unwrap(), Some(user));
        store
            .increment(
                "after",
                time::Duration::minutes(1),
                time::OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
    }
}

/// Every user in `users` can be read back, by id and by email.
pub async fn assert_present(store: &RedisStore, users: &[User]) {
    for user in users {
        assert_eq!(
            store.user_by_id(user.id).await.unwrap().as_ref(),
            Some(user),
            "an acknowledged user was lost"
        );
        assert_eq!(
            store
                .user_by_email(&user.email)
                .await
                .unwrap()
                .map(|u| u.id),
            Some(user.id),
            "an acknowledged email claim was lost"
        );
    }
}
