//! Behaviour of the sqlx store beyond the conformance kit: migrations, table prefixes,
//! indexes, transactions, the purge task, precision and error mapping, on every backend
//! (SQLite always; PostgreSQL and MariaDB when their URLs are set).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use auth_core::conformance::sample_user;
use auth_core::{
    AuditEvent, AuditKind, AuditSink, AuthMethod, CounterStore, Delivery, Email, Error, MailKind,
    MailOutbox, OutboxMessage, Page, SessionRecord, SessionStore, SessionToken, SessionUserStore,
    User, UserId, UserSearch, UserStore,
};
use auth_store_sqlx::{Backend, SqlxStore, SqlxStoreOptions, StoreError};
use sqlx::{AssertSqlSafe, Row as _};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Where a scenario runs.
#[derive(Debug, Clone, Copy)]
enum Target {
    SqliteMemory,
    SqliteFile,
    Postgres,
    MySql,
}

/// Holds what must outlive the store (the SQLite file's directory) and its URL.
struct Db {
    url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Target {
    /// The database for this target.
    ///
    /// # Panics
    /// When its server is not configured (see `common::server_url`).
    fn db(self) -> Db {
        match self {
            Target::SqliteMemory => Db {
                url: "sqlite::memory:".to_owned(),
                _dir: None,
            },
            Target::SqliteFile => {
                let dir = tempfile::tempdir().unwrap();
                Db {
                    url: format!("sqlite://{}", dir.path().join("t.db").display()),
                    _dir: Some(dir),
                }
            }
            Target::Postgres => Db {
                url: common::server_url(common::POSTGRES),
                _dir: None,
            },
            Target::MySql => Db {
                url: common::server_url(common::MYSQL),
                _dir: None,
            },
        }
    }
}

/// A migrated store on a prefix of its own.
async fn store(db: &Db) -> SqlxStore {
    common::connect(
        &db.url,
        SqlxStoreOptions::new().table_prefix(common::unique_prefix("t_")),
    )
    .await
}

fn t0() -> OffsetDateTime {
    // Whole seconds, like the kit; tests that need sub-second precision add it.
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

fn user(email: &str, username: Option<&str>, at: OffsetDateTime) -> User {
    User {
        email: email.to_owned(),
        username: username.map(str::to_owned),
        roles: vec!["admin".to_owned(), "user".to_owned()],
        ..sample_user(at)
    }
}

fn session(
    owner: UserId,
    at: OffsetDateTime,
    expires: OffsetDateTime,
    idle: OffsetDateTime,
) -> SessionRecord {
    SessionRecord {
        digest: SessionToken::generate().digest(),
        user_id: owner,
        created_at: at,
        last_seen_at: at,
        expires_at: expires,
        idle_expires_at: idle,
        remember: false,
        user_agent: Some("test".to_owned()),
        ip: Some("127.0.0.1".to_owned()),
        amr: vec![AuthMethod::Pwd],
        auth_time: at,
        proved_at: at,
    }
}

/// Runs a statement on the store's own pool.
async fn exec(store: &SqlxStore, sql: String) {
    match store.backend() {
        Backend::Postgres => {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(store.pg_pool().unwrap())
                .await
                .unwrap();
        }
        Backend::Sqlite => {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(store.sqlite_pool().unwrap())
                .await
                .unwrap();
        }
        Backend::MySql => {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(store.mysql_pool().unwrap())
                .await
                .unwrap();
        }
        _ => unreachable!(),
    }
}

/// The first column of every row, as text.
async fn strings(store: &SqlxStore, sql: String) -> Vec<String> {
    match store.backend() {
        Backend::Postgres => sqlx::query(AssertSqlSafe(sql))
            .fetch_all(store.pg_pool().unwrap())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect(),
        Backend::Sqlite => sqlx::query(AssertSqlSafe(sql))
            .fetch_all(store.sqlite_pool().unwrap())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect(),
        Backend::MySql => sqlx::query(AssertSqlSafe(sql))
            .fetch_all(store.mysql_pool().unwrap())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect(),
        _ => unreachable!(),
    }
}

// ---------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------

/// `migrate` records every version once and is a no-op when run again.
async fn migrate_is_idempotent(db: Db) {
    let store = store(&db).await;
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    let p = store.table_prefix();
    let mut versions: Vec<String> = strings(
        &store,
        format!("SELECT CAST(version AS CHAR(20)) FROM {p}schema_migrations"),
    )
    .await
    .iter()
    .map(|v| v.trim().to_owned())
    .collect();
    versions.sort_by_key(|v| v.parse::<u64>().unwrap_or(u64::MAX));
    let embedded: Vec<String> = migrations_of(&store)
        .iter()
        .map(|m| m.version.to_string())
        .collect();
    assert_eq!(versions, embedded);
    assert!(
        versions.iter().any(|v| v == "4"),
        "the ephemeral entries: {versions:?}"
    );
    assert!(
        versions.iter().any(|v| v == "5"),
        "the API keys: {versions:?}"
    );
    assert!(
        versions.iter().any(|v| v == "11"),
        "the linked identities: {versions:?}"
    );
    assert!(
        versions.iter().any(|v| v == "6"),
        "the webhook calls in the outbox: {versions:?}"
    );
    assert!(
        versions.iter().any(|v| v == "7"),
        "the pictures table: {versions:?}"
    );
    assert!(
        versions.iter().any(|v| v == "8"),
        "the session proofs: {versions:?}"
    );
    assert!(
        versions.iter().any(|v| v == "15"),
        "the account's language: {versions:?}"
    );
}

/// The embedded migrations of the store's backend.
fn migrations_of(store: &SqlxStore) -> &'static [auth_store_sqlx::migrate::Migration] {
    match store.backend() {
        Backend::Postgres => auth_store_sqlx::migrate::POSTGRES,
        Backend::Sqlite => auth_store_sqlx::migrate::SQLITE,
        Backend::MySql => auth_store_sqlx::migrate::MYSQL,
        _ => unreachable!(),
    }
}

/// A database created by the first release (migration 1 only) with mail waiting in its
/// outbox and an account is upgraded in place: the mail is still there and is delivered,
/// and failing works on it; the account reads back with an empty profile and no
/// language, and takes both.
async fn upgrade_keeps_queued_mail(db: Db) {
    let prefix = common::unique_prefix("up_");
    let store = SqlxStore::connect(&db.url, SqlxStoreOptions::new().table_prefix(&prefix))
        .await
        .unwrap();
    let first = &migrations_of(&store)[0];
    assert_eq!(first.version, 1);
    for statement in first.template.replace("{prefix}", &prefix).split(";\n") {
        let statement: String = statement
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        if !statement.trim().is_empty() {
            exec(&store, statement).await;
        }
    }
    exec(
        &store,
        format!(
            "CREATE TABLE {prefix}schema_migrations (version BIGINT NOT NULL PRIMARY KEY, \
             description VARCHAR(255) NOT NULL, checksum VARCHAR(64) NOT NULL, \
             applied_at BIGINT NOT NULL)"
        ),
    )
    .await;
    exec(
        &store,
        format!(
            "INSERT INTO {prefix}schema_migrations VALUES (1, 'initial schema', '{}', 0)",
            first.checksum()
        ),
    )
    .await;
    let old_user = Uuid::now_v7();
    let id = match store.backend() {
        Backend::Postgres => format!("'{old_user}'"),
        _ => format!("X'{}'", old_user.simple()),
    };
    exec(
        &store,
        format!(
            "INSERT INTO {prefix}users (id, email, username, password_hash, status, \
             email_verified_at, roles, security_stamp, locked_until, lockout_count, \
             created_at, updated_at, last_login_at, version) VALUES ({id}, \
             'old@example.test', NULL, 'phc', 'active', NULL, '[]', 'stamp', NULL, 0, \
             1700000000000, 1700000000000, NULL, 1)"
        ),
    )
    .await;
    // A session of the first release: no proof columns yet.
    let old_session = SessionToken::generate().digest();
    let digest = match store.backend() {
        Backend::Postgres => format!("'\\x{}'::bytea", old_session.to_hex()),
        _ => format!("X'{}'", old_session.to_hex()),
    };
    let far = 4_000_000_000_000_000_000_i64;
    exec(
        &store,
        format!(
            "INSERT INTO {prefix}sessions (digest, user_id, created_at, last_seen_at, \
             expires_at, idle_expires_at, dies_at, remember, user_agent, ip) VALUES \
             ({digest}, {id}, 1700000000000000000, 1700000000000000000, {far}, {far}, {far}, \
             FALSE, NULL, NULL)"
        ),
    )
    .await;
    // One instant for the whole test: now reads the clock, and two readings may fall
    // in different seconds.
    let now = t0();
    let t = now - Duration::days(1);
    let waiting = |to: &str| OutboxMessage {
        id: Uuid::now_v7(),
        delivery: Delivery::Email(Email {
            to: to.to_owned(),
            subject: "Confirm".to_owned(),
            text: "sealed:v1:k1:opaque".to_owned(),
            html: None,
            kind: MailKind::Verification,
        }),
        attempts: 2,
        next_attempt_at: t,
        created_at: t,
        last_error: Some("421 try later".to_owned()),
    };
    let (a, b) = (waiting("a@example.test"), waiting("b@example.test"));
    for m in [&a, &b] {
        store.enqueue(m).await.unwrap();
    }
    assert!(
        store
            .claim_due(now, 10, Duration::minutes(5))
            .await
            .is_err(),
        "the first schema has no failed_at column yet"
    );

    store.migrate().await.unwrap();
    let mut user = store
        .user_by_id(UserId(old_user))
        .await
        .unwrap()
        .expect("the account survives the upgrade");
    assert_eq!(user.email, "old@example.test");
    assert!(user.profile.is_empty(), "{:?}", user.profile);
    // The old session reads back as a password sign-in at its creation (migration 8),
    // and takes a recorded proof.
    let session = store
        .session(&old_session)
        .await
        .unwrap()
        .expect("the session survives the upgrade");
    let created = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    assert_eq!(session.created_at, created);
    assert_eq!(session.amr, vec![AuthMethod::Pwd]);
    assert_eq!((session.auth_time, session.proved_at), (created, created));
    assert!(
        store
            .record_session_proof(&old_session, &[AuthMethod::Pwd, AuthMethod::Otp], now)
            .await
            .unwrap()
    );
    let session = store.session(&old_session).await.unwrap().unwrap();
    assert_eq!(session.amr, vec![AuthMethod::Pwd, AuthMethod::Otp]);
    assert_eq!((session.auth_time, session.proved_at), (created, now));
    user.profile = serde_json::from_value(serde_json::json!({"company": "Acme"})).unwrap();
    store.update_user(&user).await.unwrap();
    let stored = store.user_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.profile.text("company"), Some("Acme"));
    // The old account has no language (migration 15: the default language), and takes one.
    assert_eq!(stored.language, None);
    let mut stored = stored;
    stored.language = Some("de".to_owned());
    store.update_user(&stored).await.unwrap();
    let stored = store.user_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.language.as_deref(), Some("de"));
    assert_eq!(store.pending_count().await.unwrap(), 2);
    assert_eq!(store.failed_count().await.unwrap(), 0);
    let claimed = store
        .claim_due(now, 10, Duration::minutes(5))
        .await
        .unwrap();
    let leased = |m: &OutboxMessage| OutboxMessage {
        next_attempt_at: now + Duration::minutes(5),
        ..m.clone()
    };
    assert_eq!(claimed, vec![leased(&a), leased(&b)]);
    store
        .mark_failed(b.id, 3, now, "550 no such user")
        .await
        .unwrap();
    assert_eq!(store.pending_count().await.unwrap(), 1);
    let failed = store.failed_messages(Page::default()).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, b.id);
    assert_eq!(failed[0].attempts, 3);
    // The upgraded outbox carries webhook calls too (migration 6); old mail is not one.
    assert_eq!(store.webhook_delivery_count().await.unwrap(), 0);
    assert_eq!(store.webhook_delivery(a.id).await.unwrap(), None);
}

/// Several instances migrating a fresh prefix at once all succeed and agree.
async fn concurrent_migrations(db: Db) {
    let prefix = common::unique_prefix("cm_");
    let url = Arc::new(db.url.clone());
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (url, prefix) = (url.clone(), prefix.clone());
        tasks.push(tokio::spawn(async move {
            SqlxStore::connect(
                &url,
                SqlxStoreOptions::new()
                    .table_prefix(prefix)
                    .migrate_on_connect(true),
            )
            .await
        }));
    }
    let mut stores = Vec::new();
    for t in tasks {
        stores.push(t.await.unwrap().expect("every concurrent migrate succeeds"));
    }
    let u = user(&format!("{}@example.test", Uuid::new_v4()), None, t0());
    stores[0].create_user(&u).await.unwrap();
    assert_eq!(stores[3].user_by_id(u.id).await.unwrap(), Some(u));
}

/// An applied migration whose recorded checksum differs is refused, not skipped.
async fn tampered_migration_is_refused(db: Db) {
    let store = store(&db).await;
    let p = store.table_prefix();
    exec(
        &store,
        format!("UPDATE {p}schema_migrations SET checksum = 'edited' WHERE version = 1"),
    )
    .await;
    let err = store.migrate().await.unwrap_err();
    let Error::Backend { source } = &err else {
        panic!("expected Backend, got {err:?}");
    };
    assert!(
        matches!(
            source.downcast_ref::<StoreError>(),
            Some(StoreError::MigrationChanged { version: 1, .. })
        ),
        "{source:?}"
    );
}

/// Two prefixes in one database are two independent stores.
async fn prefixes_isolate(db: Db) {
    let a = store(&db).await;
    let b = store(&db).await;
    let email = format!("{}@example.test", Uuid::new_v4());
    let u = user(&email, Some("same"), t0());
    a.create_user(&u).await.unwrap();
    assert_eq!(b.user_by_email(&email).await.unwrap(), None);
    // The same email and username are free under the other prefix.
    b.create_user(&user(&email, Some("same"), t0()))
        .await
        .unwrap();
    assert_eq!(a.count_users(None).await.unwrap(), 1);
    assert_eq!(b.count_users(None).await.unwrap(), 1);
}

/// Every lookup the flows make has its index.
async fn indexes_exist(db: Db) {
    let store = store(&db).await;
    let p = store.table_prefix();
    let sql = match store.backend() {
        Backend::Postgres => {
            format!("SELECT indexname::TEXT FROM pg_indexes WHERE indexname LIKE '{p}%'")
        }
        Backend::Sqlite => {
            format!("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '{p}%'")
        }
        Backend::MySql => format!(
            "SELECT DISTINCT index_name FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND index_name LIKE '{p}%'"
        ),
        _ => unreachable!(),
    };
    let names = strings(&store, sql).await;
    for suffix in [
        "users_email_uq",
        "users_username_uq",
        "users_created_idx",
        "sessions_user_idx",
        "sessions_dies_idx",
        "counters_expires_idx",
        "outbox_due_idx",
        "outbox_failed_idx",
        "audit_user_idx",
    ] {
        let name = format!("{p}{suffix}");
        assert!(
            names.contains(&name),
            "missing index {name}; have {names:?}"
        );
    }
}

/// `delete_user` with a stale version changes nothing; with the right one it removes the
/// user and every session of theirs together.
async fn delete_user_takes_sessions(db: Db) {
    let store = store(&db).await;
    let t = t0();
    let u = user(&format!("{}@example.test", Uuid::new_v4()), None, t);
    store.create_user(&u).await.unwrap();
    let s1 = session(u.id, t, t + Duration::days(1), t + Duration::hours(1));
    let s2 = session(u.id, t, t + Duration::days(1), t + Duration::hours(1));
    store.create_session(&s1).await.unwrap();
    store.create_session(&s2).await.unwrap();

    assert!(matches!(
        store.delete_user(u.id, 7).await,
        Err(Error::StaleVersion)
    ));
    assert_eq!(store.sessions_for_user(u.id, t).await.unwrap().len(), 2);
    assert!(store.user_by_id(u.id).await.unwrap().is_some());

    store.delete_user(u.id, 1).await.unwrap();
    assert_eq!(store.user_by_id(u.id).await.unwrap(), None);
    assert_eq!(store.sessions_for_user(u.id, t).await.unwrap(), vec![]);
    assert_eq!(store.session(&s1.digest).await.unwrap(), None);
    assert!(matches!(
        store.delete_user(u.id, 1).await,
        Err(Error::StaleVersion)
    ));
}

/// A session whose user is gone does not authenticate.
async fn orphan_session_has_no_user(db: Db) {
    let store = store(&db).await;
    let t = t0();
    let s = session(
        UserId::new(),
        t,
        t + Duration::days(1),
        t + Duration::hours(1),
    );
    store.create_session(&s).await.unwrap();
    assert_eq!(store.session(&s.digest).await.unwrap(), Some(s.clone()));
    assert_eq!(store.session_with_user(&s.digest).await.unwrap(), None);
}

/// The purge task deletes what expired by the wall clock and keeps what is live.
async fn purge_task(db: Db) {
    let store = store(&db).await;
    let now = OffsetDateTime::now_utc();
    let u = user(&format!("{}@example.test", Uuid::new_v4()), None, now);
    store.create_user(&u).await.unwrap();
    let dead = session(
        u.id,
        now - Duration::hours(3),
        now + Duration::days(1),
        now - Duration::hours(1),
    );
    let live = session(u.id, now, now + Duration::days(1), now + Duration::hours(1));
    store.create_session(&dead).await.unwrap();
    store.create_session(&live).await.unwrap();
    let past = now - Duration::hours(2);
    store
        .increment("old", Duration::hours(1), past)
        .await
        .unwrap();
    store
        .increment("new", Duration::hours(1), now)
        .await
        .unwrap();

    let handle = store.spawn_purge(StdDuration::from_millis(200)); // raised to 1 s
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    // Sessions and counters are purged by separate statements: wait for both.
    while store.session(&dead.digest).await.unwrap().is_some()
        || store.counter("old", past).await.unwrap().is_some()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the purge task did not run"
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    handle.abort();
    assert_eq!(store.session(&live.digest).await.unwrap(), Some(live));
    // Read with a `now` inside the old window: only a deleted row reads as absent.
    assert_eq!(store.counter("old", past).await.unwrap(), None);
    assert_eq!(store.counter("new", now).await.unwrap().unwrap().count, 1);
    // Nothing is left to purge.
    let report = store.purge_expired(now).await.unwrap();
    assert_eq!(report, auth_store_sqlx::PurgeReport::default());
}

/// Purges work through a backlog larger than one batch.
async fn purge_in_batches(db: Db) {
    let store = store(&db).await;
    let past = t0() - Duration::days(1);
    let n = 2100u64; // more than two batches of 1000
    for i in 0..n {
        store
            .increment(&format!("k{i}"), Duration::minutes(1), past)
            .await
            .unwrap();
    }
    store
        .increment("live", Duration::days(2), past)
        .await
        .unwrap();
    assert_eq!(store.purge_expired_counters(t0()).await.unwrap(), n);
    assert_eq!(store.purge_expired_counters(t0()).await.unwrap(), 0);
    assert!(store.counter("live", t0()).await.unwrap().is_some());
}

/// Search treats `%`, `_` and `!` literally and ignores case.
async fn search_is_literal(db: Db) {
    let store = store(&db).await;
    let t = t0();
    for (i, email) in [
        "a_b@example.test",
        "axb@example.test",
        "pct%x@example.test",
        "bang!@example.test",
    ]
    .into_iter()
    .enumerate()
    {
        store
            .create_user(&user(
                email,
                Some(&format!("user{i}")),
                t + Duration::seconds(i as i64),
            ))
            .await
            .unwrap();
    }
    let emails = |v: Vec<User>| v.into_iter().map(|u| u.email).collect::<Vec<_>>();
    assert_eq!(
        emails(
            store
                .list_users(Some(&UserSearch::text("A_B")), Page::default())
                .await
                .unwrap()
        ),
        ["a_b@example.test"]
    );
    assert_eq!(
        store
            .count_users(Some(&UserSearch::text("a_b")))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        emails(
            store
                .list_users(Some(&UserSearch::text("%")), Page::default())
                .await
                .unwrap()
        ),
        ["pct%x@example.test"]
    );
    assert_eq!(
        emails(
            store
                .list_users(Some(&UserSearch::text("!")), Page::default())
                .await
                .unwrap()
        ),
        ["bang!@example.test"]
    );
    assert_eq!(
        store
            .count_users(Some(&UserSearch::text("USER")))
            .await
            .unwrap(),
        4,
        "username matches count too"
    );
    assert_eq!(store.count_users(None).await.unwrap(), 4);
    let page = store
        .list_users(
            None,
            Page {
                offset: 1,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(emails(page), ["axb@example.test", "pct%x@example.test"]);
}

/// Times keep their nanoseconds; unicode and large bodies survive.
async fn values_round_trip(db: Db) {
    let store = store(&db).await;
    let t = t0() + Duration::nanoseconds(123_456_789);
    let mut u = user(
        &format!("ü-{}@example.test", Uuid::new_v4()),
        Some("jürgen"),
        t,
    );
    u.email_verified_at = Some(t + Duration::nanoseconds(1));
    u.locked_until = Some(t + Duration::days(365 * 200)); // far future
    u.lockout_count = 3;
    u.roles = vec![];
    store.create_user(&u).await.unwrap();
    assert_eq!(store.user_by_id(u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(
        store.user_by_username("jürgen").await.unwrap(),
        Some(u.clone())
    );

    let body = "x".repeat(200_000);
    let m = OutboxMessage {
        id: Uuid::new_v4(),
        delivery: Delivery::Email(Email {
            to: u.email.clone(),
            subject: "Größe".to_owned(),
            text: body.clone(),
            html: Some(format!("<p>{body}</p>")),
            kind: MailKind::PasswordReset,
        }),
        attempts: 0,
        next_attempt_at: t - Duration::days(5000),
        created_at: t - Duration::days(5000),
        last_error: None,
    };
    store.enqueue(&m).await.unwrap();
    let claimed = store
        .claim_due(t - Duration::days(4999), 1000, Duration::minutes(1))
        .await
        .unwrap();
    let mine = claimed.into_iter().find(|c| c.id == m.id).expect("claimed");
    assert_eq!(mine.delivery, m.delivery);
    store
        .reschedule(m.id, 1, t, &"e".repeat(10_000))
        .await
        .unwrap();
    store.remove(m.id).await.unwrap();

    let e = AuditEvent {
        id: Uuid::now_v7(),
        at: t,
        kind: AuditKind::RolesChanged,
        user_id: Some(u.id),
        actor_id: None,
        ip: Some("::1".to_owned()),
        detail: Some("roles: []".to_owned()),
    };
    store.record(&e).await.unwrap();
    assert_eq!(store.events_for_user(u.id, 10).await.unwrap(), vec![e]);
}

/// Counter keys of any length work; long ones stay distinct.
async fn long_counter_keys(db: Db) {
    let store = store(&db).await;
    let now = t0();
    let a = format!("login:{}", "a".repeat(5000));
    let b = format!("login:{}", "b".repeat(5000));
    assert_eq!(
        store
            .increment(&a, Duration::minutes(1), now)
            .await
            .unwrap()
            .count,
        1
    );
    assert_eq!(
        store
            .increment(&a, Duration::minutes(1), now)
            .await
            .unwrap()
            .count,
        2
    );
    assert_eq!(
        store
            .increment(&b, Duration::minutes(1), now)
            .await
            .unwrap()
            .count,
        1
    );
    assert_eq!(store.counter(&a, now).await.unwrap().unwrap().count, 2);
    store.reset_counter(&a).await.unwrap();
    assert_eq!(store.counter(&a, now).await.unwrap(), None);
}

/// A schema problem is `Backend` with the sqlx error kept as the source.
async fn errors_keep_their_source(db: Db) {
    let store = SqlxStore::connect(
        &db.url,
        SqlxStoreOptions::new().table_prefix(common::unique_prefix("nomigrate_")),
    )
    .await
    .unwrap();
    let err = store.user_by_id(UserId::new()).await.unwrap_err();
    let Error::Backend { source } = &err else {
        panic!("expected Backend, got {err:?}");
    };
    assert!(source.downcast_ref::<sqlx::Error>().is_some(), "{source:?}");

    store.close().await;
    let err = store.ping().await.unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
}

macro_rules! scenarios {
    ($($(#[$attr:meta])* $target:ident => $module:ident { $($extra:ident),* }),* $(,)?) => {$(
        mod $module {
            use super::*;
            // The target's attributes on each scenario's test.
            macro_rules! with_attributes {
                ($test:item) => {
                    $(#[$attr])*
                    $test
                };
            }
            scenarios!(@tests $target:
                migrate_is_idempotent, tampered_migration_is_refused, indexes_exist,
                upgrade_keeps_queued_mail,
                delete_user_takes_sessions, orphan_session_has_no_user, purge_task,
                purge_in_batches, search_is_literal, values_round_trip, long_counter_keys,
                errors_keep_their_source, $($extra),*
            );
        }
    )*};
    (@tests $target:ident: $($scenario:ident),* $(,)?) => {$(
        with_attributes! {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                super::$scenario(Target::$target.db()).await;
            }
        }
    )*};
}

// An in-memory database is private to its store, so the scenarios about several stores
// sharing one database run on the others only.
scenarios! {
    SqliteMemory => sqlite_memory {},
    SqliteFile => sqlite_file { concurrent_migrations, prefixes_isolate },
    #[test_services::needs(postgres)]
    Postgres => postgres { concurrent_migrations, prefixes_isolate },
    #[test_services::needs(mysql)]
    MySql => mysql { concurrent_migrations, prefixes_isolate },
}

/// PostgreSQL connections carry an application name for `pg_stat_activity`, unless the
/// URL gives its own.
#[test_services::needs(postgres)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_are_named() {
    let url = common::server_url(common::POSTGRES);
    let name_of = |store: SqlxStore| async move {
        let name: String = sqlx::query_scalar(
            "SELECT application_name::TEXT FROM pg_stat_activity WHERE pid = pg_backend_pid()",
        )
        .fetch_one(store.pg_pool().unwrap())
        .await
        .unwrap();
        name
    };
    let store = common::connect(
        &url,
        SqlxStoreOptions::new().table_prefix(common::unique_prefix("n_")),
    )
    .await;
    assert_eq!(name_of(store).await, "auth-store-sqlx");
    let sep = if url.contains('?') { '&' } else { '?' };
    let named = format!("{url}{sep}application_name=billing");
    let store = common::connect(
        &named,
        SqlxStoreOptions::new().table_prefix(common::unique_prefix("n_")),
    )
    .await;
    assert_eq!(name_of(store).await, "billing");
}
