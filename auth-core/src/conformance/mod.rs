//! The store conformance kit: every contract of the [store traits](crate::UserStore),
//! checked against a real implementation (feature `conformance`).
//!
//! The stores shipped with this project (memory, sqlx, Redis) pass it, and a custom store
//! proves itself with the same call. Each check is a public `async fn` in [`checks`]
//! taking a [`Subject`]: the stores under test, one per trait, any of which may be absent
//! (the checks that need an absent store pass without testing anything and say so on
//! stderr).
//!
//! # Two ways to run it
//!
//! **One test per contract** (recommended): in a test file of your crate (say
//! `tests/conformance.rs`), expand [`store_conformance_tests!`](crate::store_conformance_tests)
//! with an expression that builds a [`Subject`]. Every check becomes its own
//! `#[tokio::test]` in a module `store_conformance`, so a broken contract shows up by name
//! in the test output (`store_conformance::counters_reset`, ...).
//!
//! **Everything in one call**, e.g. from an existing test or a binary: [`run_all`] runs
//! every check in turn and panics with the name of the first that fails.
//!
//! Both, for a custom store that only keeps counters (compiled and run as a doc test):
//!
//! ```
//! use std::collections::HashMap;
//! use std::sync::{Arc, Mutex};
//!
//! use async_trait::async_trait;
//! use auth_core::conformance::{Subject, run_all};
//! use auth_core::{Counter, CounterStore, Result};
//! use time::{Duration, OffsetDateTime};
//!
//! /// Counters in a map; one lock makes every call atomic.
//! #[derive(Default)]
//! struct MyCounters(Mutex<HashMap<String, Counter>>);
//!
//! #[async_trait]
//! impl CounterStore for MyCounters {
//!     async fn increment(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
//!         let mut map = self.0.lock().unwrap();
//!         let counter = map.entry(key.to_owned()).or_insert(Counter { count: 0, expires_at: now });
//!         if now >= counter.expires_at {
//!             *counter = Counter { count: 0, expires_at: now + window };
//!         }
//!         counter.count += 1;
//!         Ok(*counter)
//!     }
//!
//!     async fn counter(&self, key: &str, now: OffsetDateTime) -> Result<Option<Counter>> {
//!         let map = self.0.lock().unwrap();
//!         Ok(map.get(key).copied().filter(|c| now < c.expires_at))
//!     }
//!
//!     async fn reset_counter(&self, key: &str) -> Result<()> {
//!         self.0.lock().unwrap().remove(key);
//!         Ok(())
//!     }
//!
//!     async fn purge_expired_counters(&self, now: OffsetDateTime) -> Result<u64> {
//!         let mut map = self.0.lock().unwrap();
//!         let before = map.len();
//!         map.retain(|_, c| now < c.expires_at);
//!         Ok((before - map.len()) as u64)
//!     }
//! }
//!
//! fn subject() -> Subject {
//!     Subject::new().with_counters(Arc::new(MyCounters::default()))
//! }
//!
//! // In a test file: one #[tokio::test] per check.
//! auth_core::store_conformance_tests!(subject());
//!
//! // Or in one call:
//! #[tokio::main]
//! async fn main() {
//!     run_all(&subject()).await;
//! }
//! ```
//!
//! A store implementing every trait is tested with [`Subject::all`]; see
//! `stores/memory/tests/conformance.rs` and `stores/memory/examples/custom_store.rs` in
//! this repository, and `docs/custom-store.md`, which walks through writing a store.
//!
//! # Requirements on the caller
//!
//! - The macro expands to `#[::tokio::test(flavor = "multi_thread", worker_threads = 4)]`
//!   functions, so the calling crate needs `tokio` (features `macros`, `rt-multi-thread`)
//!   as a dev-dependency, and `auth-core` with feature `conformance`:
//!
//!   ```toml
//!   [dev-dependencies]
//!   auth-core = { version = "0.1", features = ["conformance"] }
//!   tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//!   ```
//! - [`run_all`] and the checks need a Tokio runtime (they spawn tasks to race calls
//!   against each other); a multi-threaded one makes the races real.
//!
//! # Sharing a database
//!
//! Every check works on records with fresh random identifiers (emails like
//! `u-<uuid>@example.test`, counter keys with a UUID), and removes what it created when
//! it passes, so the checks can run in parallel against one database and re-runs never
//! meet leftovers. A few contracts are global by nature, and the checks are written to
//! tolerate other data and to disturb nobody else's:
//! - session purging is checked with a `now` at most half an hour ahead of the real
//!   clock, and every other check's live sessions last at least a day; counter purging
//!   is checked with the real clock only;
//! - the outbox checks schedule their messages about ten years in the past and claim
//!   with a `now` in that era, ignoring any other message they are handed; the checks of
//!   failed messages look only at their own ids in the failed listing and discard them
//!   when done. Do not point the kit at a database whose outbox a running application is
//!   delivering from.
//!
//! One limit remains: the outbox is one queue. `claim_due` hands out every due message,
//! `purge_delivered` deletes every call delivered before its time, and the outbox checks
//! compare the global `pending_count` and `failed_count` before and after their own
//! steps, so **the outbox checks must run one at a time on one outbox**: two at once
//! take or count each other's messages and one of them fails. The workspace runs them
//! in a nextest test group of one thread (`.config/nextest.toml`); do the same, or give
//! each outbox check its own outbox. Running [`run_all`] next to the
//! one-test-per-check macro is fine as long as the two use separate outboxes (another
//! table prefix, key prefix or database). Every other check tolerates concurrent runs
//! of itself and of the others.
//!
//! Timestamps in the fixtures are whole seconds in UTC: a store has to keep at least
//! second precision and return equal instants.
//!
//! # What is checked
//!
//! See [`CHECKS`] for the names; each function in [`checks`] documents its contract.

use std::fmt;
use std::sync::Arc;

use crate::store::{
    ApiKeyStore, AuditSink, CounterStore, EphemeralStore, IdentityStore, MailOutbox, PasskeyStore,
    PictureStore, SessionStore, SessionUserStore, UserStore,
};

pub mod authenticator;
pub mod checks;
pub mod email_codes;
pub mod engine;
pub(crate) mod support;

pub use support::sample_user;

/// The stores under test: one optional handle per store trait.
///
/// Build it with [`Subject::all`] for a store implementing every trait, or start from
/// [`Subject::new`] and add the parts you have:
///
/// ```
/// use std::sync::Arc;
/// use auth_core::conformance::Subject;
/// use auth_core::{CounterStore, SessionStore, UserStore};
///
/// /// Users in one database, sessions and counters in another.
/// fn mixed(
///     users: Arc<dyn UserStore>,
///     sessions: Arc<dyn SessionStore>,
///     counters: Arc<dyn CounterStore>,
/// ) -> Subject {
///     Subject::new().with_users(users).with_sessions(sessions).with_counters(counters)
/// }
/// ```
#[derive(Clone, Default)]
pub struct Subject {
    users: Option<Arc<dyn UserStore>>,
    sessions: Option<Arc<dyn SessionStore>>,
    session_users: Option<Arc<dyn SessionUserStore>>,
    api_keys: Option<Arc<dyn ApiKeyStore>>,
    counters: Option<Arc<dyn CounterStore>>,
    ephemeral: Option<Arc<dyn EphemeralStore>>,
    outbox: Option<Arc<dyn MailOutbox>>,
    audit: Option<Arc<dyn AuditSink>>,
    pictures: Option<Arc<dyn PictureStore>>,
    identities: Option<Arc<dyn IdentityStore>>,
    passkeys: Option<Arc<dyn PasskeyStore>>,
}

impl Subject {
    /// A subject with no store: add them with the `with_*` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// A subject whose every part is `store`.
    pub fn all<S>(store: Arc<S>) -> Self
    where
        S: UserStore
            + SessionStore
            + SessionUserStore
            + CounterStore
            + EphemeralStore
            + MailOutbox
            + AuditSink,
    {
        Self {
            users: Some(store.clone()),
            sessions: Some(store.clone()),
            session_users: Some(store.clone()),
            api_keys: None,
            counters: Some(store.clone()),
            ephemeral: Some(store.clone()),
            outbox: Some(store.clone()),
            audit: Some(store),
            pictures: None,
            identities: None,
            passkeys: None,
        }
    }

    /// Tests `store` as the [`UserStore`].
    pub fn with_users(mut self, store: Arc<dyn UserStore>) -> Self {
        self.users = Some(store);
        self
    }

    /// Tests `store` as the [`SessionStore`].
    pub fn with_sessions(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.sessions = Some(store);
        self
    }

    /// Tests `store` as the [`SessionUserStore`]. Its check also needs a
    /// [`UserStore`] and a [`SessionStore`] over the same data, to create the records it
    /// loads.
    pub fn with_session_users(mut self, store: Arc<dyn SessionUserStore>) -> Self {
        self.session_users = Some(store);
        self
    }

    /// Tests `store` as the [`CounterStore`].
    pub fn with_counters(mut self, store: Arc<dyn CounterStore>) -> Self {
        self.counters = Some(store);
        self
    }

    /// Tests `store` as the [`EphemeralStore`].
    pub fn with_ephemeral(mut self, store: Arc<dyn EphemeralStore>) -> Self {
        self.ephemeral = Some(store);
        self
    }

    /// Tests `store` as the [`MailOutbox`].
    pub fn with_outbox(mut self, store: Arc<dyn MailOutbox>) -> Self {
        self.outbox = Some(store);
        self
    }

    /// Tests `store` as the [`AuditSink`].
    pub fn with_audit(mut self, store: Arc<dyn AuditSink>) -> Self {
        self.audit = Some(store);
        self
    }

    /// Tests `store` as the [`PictureStore`] (not part of [`Subject::all`]: pictures may
    /// be kept apart from the accounts).
    pub fn with_pictures(mut self, store: Arc<dyn PictureStore>) -> Self {
        self.pictures = Some(store);
        self
    }

    /// Tests `store` as the [`IdentityStore`] ([`Subject::all`] leaves it out, so that a
    /// store written before linked identities keeps its one call).
    pub fn with_identities(mut self, store: Arc<dyn IdentityStore>) -> Self {
        self.identities = Some(store);
        self
    }

    /// The [`IdentityStore`] under test, if any.
    pub fn identities(&self) -> Option<&Arc<dyn IdentityStore>> {
        self.identities.as_ref()
    }

    /// The [`UserStore`] under test, if any.
    pub fn users(&self) -> Option<&Arc<dyn UserStore>> {
        self.users.as_ref()
    }

    /// The [`SessionStore`] under test, if any.
    pub fn sessions(&self) -> Option<&Arc<dyn SessionStore>> {
        self.sessions.as_ref()
    }

    /// Tests `store` as the [`ApiKeyStore`] ([`Subject::all`] leaves it out, so that a
    /// store written before API keys keeps its one call). With a [`UserStore`] over the
    /// same data its checks also prove that keys go with their account.
    pub fn with_api_keys(mut self, store: Arc<dyn ApiKeyStore>) -> Self {
        self.api_keys = Some(store);
        self
    }

    /// The [`ApiKeyStore`] under test, if any.
    pub fn api_keys(&self) -> Option<&Arc<dyn ApiKeyStore>> {
        self.api_keys.as_ref()
    }

    /// The [`SessionUserStore`] under test, if any.
    pub fn session_users(&self) -> Option<&Arc<dyn SessionUserStore>> {
        self.session_users.as_ref()
    }

    /// The [`CounterStore`] under test, if any.
    pub fn counters(&self) -> Option<&Arc<dyn CounterStore>> {
        self.counters.as_ref()
    }

    /// The [`EphemeralStore`] under test, if any.
    pub fn ephemeral(&self) -> Option<&Arc<dyn EphemeralStore>> {
        self.ephemeral.as_ref()
    }

    /// The [`MailOutbox`] under test, if any.
    pub fn outbox(&self) -> Option<&Arc<dyn MailOutbox>> {
        self.outbox.as_ref()
    }

    /// The [`AuditSink`] under test, if any.
    pub fn audit(&self) -> Option<&Arc<dyn AuditSink>> {
        self.audit.as_ref()
    }

    /// Tests `store` as the [`PasskeyStore`] ([`Subject::all`] leaves it out, so that a
    /// store without passkeys still runs the kit).
    pub fn with_passkeys(mut self, store: Arc<dyn PasskeyStore>) -> Self {
        self.passkeys = Some(store);
        self
    }

    /// The [`PasskeyStore`] under test, if any.
    pub fn passkeys(&self) -> Option<&Arc<dyn PasskeyStore>> {
        self.passkeys.as_ref()
    }

    /// The [`PictureStore`] under test, if any.
    pub fn pictures(&self) -> Option<&Arc<dyn PictureStore>> {
        self.pictures.as_ref()
    }

    fn is_empty(&self) -> bool {
        self.users.is_none()
            && self.sessions.is_none()
            && self.session_users.is_none()
            && self.api_keys.is_none()
            && self.counters.is_none()
            && self.ephemeral.is_none()
            && self.outbox.is_none()
            && self.audit.is_none()
            && self.pictures.is_none()
            && self.identities.is_none()
            && self.passkeys.is_none()
    }
}

impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subject")
            .field("users", &self.users.is_some())
            .field("sessions", &self.sessions.is_some())
            .field("session_users", &self.session_users.is_some())
            .field("api_keys", &self.api_keys.is_some())
            .field("counters", &self.counters.is_some())
            .field("ephemeral", &self.ephemeral.is_some())
            .field("outbox", &self.outbox.is_some())
            .field("audit", &self.audit.is_some())
            .field("pictures", &self.pictures.is_some())
            .field("identities", &self.identities.is_some())
            .field("passkeys", &self.passkeys.is_some())
            .finish()
    }
}

/// Runs every check that applies to `subject`, one after the other.
///
/// # Panics
/// On the first failing check, with a message naming the check and what was wrong; also
/// when `subject` holds no store at all (surely a mistake).
pub async fn run_all(subject: &Subject) {
    if subject.is_empty() {
        panic!("store conformance: the subject holds no store; add one with Subject::with_*");
    }
    crate::__auth_conformance_checks!(__auth_conformance_run_all { subject });
}

/// The name of every check, in the order [`run_all`] runs them. Each is a function in
/// [`checks`] and a test of the same name in
/// [`store_conformance_tests!`](crate::store_conformance_tests).
pub const CHECKS: &[&str] = crate::__auth_conformance_checks!(__auth_conformance_names {});

/// Expands to one `#[tokio::test]` per conformance check, in a module `store_conformance`.
///
/// The argument is an expression evaluated inside each (async) test to build the
/// [`Subject`](crate::conformance::Subject) under test (it may `.await`), or
/// `factory = path` naming an `async fn() -> Subject`:
///
/// ```
/// use auth_core::conformance::Subject;
///
/// async fn make_subject() -> Subject {
///     // connect, migrate, ...
/// #   Subject::new()
/// }
///
/// mod with_an_expression {
///     use super::*;
///     auth_core::store_conformance_tests!(make_subject().await);
/// }
///
/// mod with_a_factory {
///     use super::*;
///     auth_core::store_conformance_tests!(factory = make_subject);
/// }
/// # fn main() {}
/// ```
///
/// Names used by the expression are looked up from the module that invokes the macro
/// (the generated module does `use super::*`). To test several configurations in one
/// file, invoke it once per module.
///
/// Attributes after the subject go on every generated test, e.g. to ignore the suite
/// (so that it is reported as skipped, not passed) in a build where its server is not
/// configured:
///
/// ```
/// use auth_core::conformance::Subject;
///
/// async fn remote_subject() -> Subject {
///     // connect to the server named by MY_STORE_TEST_URL, ...
/// #   Subject::new()
/// }
///
/// auth_core::store_conformance_tests!(
///     factory = remote_subject,
///     #[ignore = "needs MY_STORE_TEST_URL"]
/// );
/// # fn main() {}
/// ```
///
/// The generated tests use `#[::tokio::test(flavor = "multi_thread", worker_threads = 4)]`:
/// the calling crate needs `tokio` with features `macros` and `rt-multi-thread` (as a
/// dev-dependency), and `auth-core` with feature `conformance`.
#[macro_export]
#[cfg_attr(docsrs, doc(cfg(feature = "conformance")))]
macro_rules! store_conformance_tests {
    (factory = $factory:path $(, $(#[$attr:meta])+)? $(,)?) => {
        $crate::store_conformance_tests!($factory().await $(, $(#[$attr])+)?);
    };
    ($subject:expr $(, $(#[$attr:meta])+)? $(,)?) => {
        $crate::__auth_conformance_checks!(__auth_conformance_tests {
            [$($(#[$attr])+)?] $subject
        });
    };
}

/// The list of checks, handed to another macro: the one place a check is registered.
#[doc(hidden)]
#[macro_export]
macro_rules! __auth_conformance_checks {
    ($callback:ident { $($args:tt)* }) => {
        $crate::$callback! {
            { $($args)* }
            users_create_and_get,
            users_duplicate_email_conflicts,
            users_duplicate_username_conflicts,
            users_without_username_do_not_conflict,
            users_concurrent_create_same_email,
            users_concurrent_create_same_username,
            users_update_compare_and_swap,
            users_concurrent_update_one_winner,
            users_update_conflict_changes_nothing,
            users_delete_with_version,
            users_list_and_count,
            users_language_round_trip,
            profiles_round_trip,
            profiles_concurrent_updates_one_winner,
            profiles_at_the_size_limit,
            profiles_are_searched_where_named,
            sessions_create_get_touch_delete,
            sessions_record_proof,
            sessions_duplicate_digest_conflicts,
            sessions_list_for_user,
            sessions_delete_all_except_one,
            sessions_purge_expired,
            sessions_with_user,
            sessions_revision_moves_on_every_write,
            api_keys_create_find_touch_list_delete,
            api_keys_unique_ids_and_digests,
            api_keys_concurrent_revoke_and_use,
            api_keys_go_with_their_account,
            passkeys_create_find_use_rename_delete,
            passkeys_unique_across_users,
            passkeys_go_with_their_account,
            passkeys_concurrent_finishes_succeed_once,
            ways_in_removals_at_one_version_remove_once,
            ways_in_concurrent_removals_keep_one,
            counters_increment_sequence,
            counters_window_is_fixed,
            counters_expiry_follows_now,
            counters_expire_in_real_time,
            counters_concurrent_increments_exact,
            counters_reset,
            counters_purge_expired,
            ephemeral_insert_and_take,
            ephemeral_insert_if_absent,
            ephemeral_expiry_follows_now,
            ephemeral_expire_in_real_time,
            ephemeral_concurrent_takes_once,
            ephemeral_concurrent_inserts_once,
            ephemeral_purge_expired,
            outbox_claim_due,
            outbox_concurrent_claims_are_exclusive,
            outbox_failed_are_not_claimed,
            outbox_failed_are_listed,
            outbox_failed_are_discarded,
            outbox_failed_are_retried,
            outbox_webhook_deliveries,
            audit_record_and_list,
            pictures_put_get_replace_delete,
            pictures_concurrent_puts_leave_one_whole,
            identities_link_find_touch_list_unlink,
            identities_one_account_per_identity,
            identities_keep_sealed_tokens,
            debug_redacts_secrets,
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __auth_conformance_run_all {
    ({ $subject:ident } $($check:ident),* $(,)?) => {
        $( $crate::conformance::checks::$check($subject).await; )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __auth_conformance_names {
    ({} $($check:ident),* $(,)?) => {
        &[$(stringify!($check)),*]
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __auth_conformance_tests {
    ({ [$(#[$attr:meta])*] $subject:expr } $($check:ident),* $(,)?) => {
        /// The store conformance checks of `auth-core`, one test each.
        mod store_conformance {
            // `allow`, not `expect`: unused or not depending on the caller's module.
            #[allow(unused_imports)]
            use super::*;

            // The caller's attributes on one test (a macro of its own, because they cannot
            // repeat inside the repetition over the checks).
            macro_rules! __auth_conformance_with_attributes {
                ($test:item) => {
                    $(#[$attr])*
                    $test
                };
            }

            $(
                __auth_conformance_with_attributes! {
                    #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $check() {
                        let subject: $crate::conformance::Subject = $subject;
                        $crate::conformance::checks::$check(&subject).await;
                    }
                }
            )*
        }
    };
}
