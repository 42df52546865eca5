//! Fixtures and assertion helpers shared by the checks.
//!
//! Every fixture is unique (a fresh UUID in every email, username, key and id), so checks
//! can run in parallel against one shared database, and a re-run never meets the
//! leftovers of an earlier (possibly failed) run.
//!
//! Times are whole seconds in UTC, so that a store only has to keep second precision.
//!
//! Rules the checks keep so that they do not disturb each other in a shared database:
//! - only `sessions_purge_expired` purges sessions with a `now` in the future, and no more
//!   than half an hour ahead; every other check's live sessions live at least a day;
//! - counters are only purged with the real current time;
//! - outbox messages are scheduled years in the past (see `outbox.rs`).

use std::fmt::{Debug, Display};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::error::{Error, Result, UniqueField};
use crate::model::{AccountStatus, PasswordHash, SecurityStamp, SessionRecord, User, UserId};
use crate::session::SessionToken;

use super::Subject;

/// The running check: its name goes into every failure message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    name: &'static str,
}

impl Ctx {
    pub(crate) fn new(name: &'static str) -> Self {
        Self { name }
    }

    /// Fails the check.
    #[track_caller]
    pub(crate) fn fail(&self, message: impl Display) -> ! {
        panic!("store conformance check `{}` failed: {message}", self.name)
    }

    /// Fails the check unless `condition` holds.
    #[track_caller]
    pub(crate) fn ensure(&self, condition: bool, message: impl FnOnce() -> String) {
        if !condition {
            self.fail(message());
        }
    }

    /// Fails the check unless `actual == expected`.
    #[track_caller]
    pub(crate) fn eq<T: PartialEq + Debug>(&self, what: &str, actual: T, expected: T) {
        if actual != expected {
            self.fail(format_args!(
                "{what}:\n  expected: {expected:?}\n    actual: {actual:?}"
            ));
        }
    }

    /// The value of a store call that must succeed.
    #[track_caller]
    pub(crate) fn ok<T>(&self, call: &str, result: Result<T>) -> T {
        match result {
            Ok(value) => value,
            Err(error) => self.fail(format_args!(
                "{call} returned an error: {}",
                describe(&error)
            )),
        }
    }

    /// A store call that must fail with `Conflict` naming `field`.
    #[track_caller]
    pub(crate) fn conflict<T: Debug>(&self, call: &str, result: Result<T>, field: UniqueField) {
        match result {
            Err(Error::Conflict { field: f }) if f == field => {}
            Err(error) => self.fail(format_args!(
                "{call} must return Error::Conflict {{ field: {field:?} }}, returned {}",
                describe(&error)
            )),
            Ok(value) => self.fail(format_args!(
                "{call} must return Error::Conflict {{ field: {field:?} }}, returned Ok({value:?})"
            )),
        }
    }

    /// A store call that must fail with `StaleVersion`.
    #[track_caller]
    pub(crate) fn stale<T: Debug>(&self, call: &str, result: Result<T>) {
        match result {
            Err(Error::StaleVersion) => {}
            Err(error) => self.fail(format_args!(
                "{call} must return Error::StaleVersion, returned {}",
                describe(&error)
            )),
            Ok(value) => self.fail(format_args!(
                "{call} must return Error::StaleVersion, returned Ok({value:?})"
            )),
        }
    }

    /// The store of one kind, or `None` (and a note on stderr) when the subject lacks it:
    /// the check then passes without testing anything.
    pub(crate) fn need<'a, T: ?Sized>(
        &self,
        store: Option<&'a Arc<T>>,
        trait_name: &str,
    ) -> Option<&'a Arc<T>> {
        if store.is_none() {
            eprintln!(
                "store conformance check `{}` skipped: the subject has no {trait_name}",
                self.name
            );
        }
        store
    }

    /// Waits for spawned tasks, re-raising a panic from any of them.
    pub(crate) async fn join_all<T>(&self, handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::with_capacity(handles.len());
        for handle in handles {
            match handle.await {
                Ok(value) => out.push(value),
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(error) => self.fail(format_args!("a spawned task was cancelled: {error}")),
            }
        }
        out
    }
}

/// An error with its whole source chain, for failure messages.
pub(crate) fn describe(error: &Error) -> String {
    let mut text = format!("{error} ({error:?})");
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(&format!("\n  caused by: {inner}"));
        source = inner.source();
    }
    text
}

/// A fresh random identifier: 32 lower-case hex digits.
pub(crate) fn unique() -> String {
    Uuid::new_v4().simple().to_string()
}

/// The current time, truncated to whole seconds.
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now - Duration::nanoseconds(i64::from(now.nanosecond()))
}

/// A fresh user as the engine hands it to a store, created and last updated at `now`:
/// active, address not confirmed, no roles, never locked or signed in, version 1, a
/// unique email `u-<uuid>@example.test`, a unique username `u<24 hex digits>` and a
/// unique PHC-shaped password hash (never a real one). The checks build on it, and so do
/// a store's own tests, overriding what they need with struct update syntax:
///
/// ```
/// use auth_core::User;
/// use auth_core::conformance::sample_user;
///
/// let now = time::OffsetDateTime::now_utc();
/// let ada = User {
///     email: "ada@example.com".to_owned(),
///     roles: vec!["admin".to_owned()],
///     ..sample_user(now)
/// };
/// assert_eq!(ada.version, 1);
/// ```
pub fn sample_user(now: OffsetDateTime) -> User {
    let tag = unique();
    User {
        id: UserId::new(),
        email: format!("u-{}@example.test", Uuid::new_v4()),
        username: Some(format!("u{}", &tag[..24])),
        password_hash: fake_hash(),
        status: AccountStatus::Active,
        email_verified_at: None,
        roles: Vec::new(),
        security_stamp: SecurityStamp::generate(),
        locked_until: None,
        lockout_count: 0,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        version: 1,
        profile: Default::default(),
        second_factor: None,
        language: None,
    }
}

/// A PHC-shaped string that is unique per call (never a real hash).
pub(crate) fn fake_hash() -> PasswordHash {
    PasswordHash::new(format!(
        "$argon2id$v=19$m=19456,t=2,p=1${}${}",
        &unique()[..22],
        unique()
    ))
}

/// A session of `user_id` created at `created_at`, dying at the earlier of
/// `expires_at` and `idle_expires_at`.
pub(crate) fn new_session(
    user_id: UserId,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    idle_expires_at: OffsetDateTime,
) -> SessionRecord {
    SessionRecord {
        digest: SessionToken::generate().digest(),
        user_id,
        created_at,
        last_seen_at: created_at,
        expires_at,
        idle_expires_at,
        remember: false,
        user_agent: Some("auth-core-conformance/1.0".to_owned()),
        ip: Some("192.0.2.1".to_owned()),
        amr: vec![crate::second_factor::AuthMethod::Pwd],
        auth_time: created_at,
        proved_at: created_at,
    }
}

/// The owner for session records: a freshly created user when the subject stores users
/// (stores may enforce that a session's user exists), otherwise a random id.
pub(crate) async fn session_owner(ctx: &Ctx, subject: &Subject) -> UserId {
    match subject.users() {
        Some(users) => {
            let user = sample_user(now());
            ctx.ok(
                "create_user (owner of the sessions)",
                users.create_user(&user).await,
            );
            user.id
        }
        None => UserId::new(),
    }
}

/// Removes a session owner made by [`session_owner`] and every session left to it.
pub(crate) async fn remove_session_owner(ctx: &Ctx, subject: &Subject, user_id: UserId) {
    if let Some(sessions) = subject.sessions() {
        ctx.ok(
            "delete_sessions_for_user (cleanup)",
            sessions.delete_sessions_for_user(user_id, None).await,
        );
    }
    if let Some(users) = subject.users()
        && let Some(user) = ctx.ok("user_by_id (cleanup)", users.user_by_id(user_id).await)
    {
        ctx.ok(
            "delete_user (cleanup)",
            users.delete_user(user_id, user.version).await,
        );
    }
}
