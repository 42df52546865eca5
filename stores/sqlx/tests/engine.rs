//! The engine's flows end to end on the sqlx store, on every backend: register, verify by
//! the mailed link, sign in on two devices, authenticate, list and revoke devices, reset
//! the password by the mailed link (which signs every device out and kills the link),
//! mail that could not be sent waits in the outbox and is delivered later, and deleting
//! the account takes its sessions with it.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;

use auth_core::conformance::email_codes;
use auth_core::conformance::engine::{self, Engine, NEW_PASSWORD, PASSWORD, request as ctx};
use auth_core::{
    CapturingMailer, Error, MailKind, MailOutbox, PasswordReset, Registration, SessionStore,
    UserStore,
};
use auth_store_sqlx::{Backend, SqlxStore, SqlxStoreOptions};
use sqlx::{AssertSqlSafe, Row as _};

/// An engine over a fresh set of tables on the database at `url`.
async fn engine(url: &str) -> Engine<SqlxStore> {
    let store = common::connect(
        url,
        SqlxStoreOptions::new().table_prefix(common::unique_prefix("e2e_")),
    )
    .await;
    restarted(store)
}

/// An engine over `store`, as an application (re)started on its database.
fn restarted(store: SqlxStore) -> Engine<SqlxStore> {
    Engine::wired(store, engine::config(), |builder, store| {
        builder.store(Arc::new(store.clone()))
    })
}

async fn every_flow(url: &str) {
    let app = engine(url).await;
    let email = "amy@example.com";

    // Register and verify through the mailed link.
    let user = app.registered_and_verified(email).await;
    assert!(user.is_verified());
    assert_eq!(
        app.store.user_by_email(email).await.unwrap().unwrap().id,
        user.id
    );

    // A second registration of the address (in another case) is refused by the database.
    let again = app
        .auth
        .register(
            Registration {
                email: "AMY@example.com".into(),
                username: None,
                password: PASSWORD.into(),
                password_confirm: PASSWORD.into(),
                profile: Default::default(),
                language: None,
            },
            &ctx(),
        )
        .await;
    assert!(matches!(again, Err(Error::Conflict { .. })), "{again:?}");
    assert_eq!(app.store.count_users(None).await.unwrap(), 1);

    // Two devices; each authenticates with one query (session joined with its user).
    let a = app.login(email, PASSWORD).await.unwrap();
    let b = app.login("Amy@Example.com", PASSWORD).await.unwrap();
    let auth_a = app
        .auth
        .authenticate(&a.token)
        .await
        .unwrap()
        .expect("device a");
    assert_eq!(auth_a.user.id, user.id);
    assert!(app.auth.authenticate(&b.token).await.unwrap().is_some());
    assert_eq!(app.auth.sessions(&auth_a).await.unwrap().len(), 2);
    assert!(matches!(
        app.login(email, "wrong password!!").await,
        Err(Error::InvalidCredentials)
    ));

    // Logging out one device leaves the other.
    app.auth.logout(&b.token, &ctx()).await.unwrap();
    assert!(app.auth.authenticate(&b.token).await.unwrap().is_none());
    assert_eq!(app.auth.sessions(&auth_a).await.unwrap().len(), 1);

    // Reset by the mailed link: every device is signed out, the link dies with its use.
    app.auth
        .request_password_reset(email, &ctx())
        .await
        .unwrap();
    let reset = app.token_from_mail(email, MailKind::PasswordReset, "/reset/");
    let input = || PasswordReset {
        token: reset.clone(),
        password: NEW_PASSWORD.into(),
        password_confirm: NEW_PASSWORD.into(),
    };
    app.auth.reset_password(input(), &ctx()).await.unwrap();
    assert!(
        app.auth.authenticate(&a.token).await.unwrap().is_none(),
        "reset signs out"
    );
    assert!(matches!(
        app.auth.reset_password(input(), &ctx()).await,
        Err(Error::Token { .. })
    ));
    assert!(matches!(
        app.login(email, PASSWORD).await,
        Err(Error::InvalidCredentials)
    ));
    let c = app.login(email, NEW_PASSWORD).await.unwrap();

    // Mail that cannot be sent waits in the outbox and goes out later.
    app.mailer.set_failing(true);
    let before = app.store.pending_count().await.unwrap();
    app.auth
        .request_password_reset(email, &ctx())
        .await
        .unwrap();
    assert_eq!(
        app.store.pending_count().await.unwrap(),
        before + 1,
        "queued in the outbox"
    );
    app.mailer.set_failing(false);
    let sent_before = app.mailer.sent().len();
    assert_eq!(
        app.auth.deliver_outbox().await.unwrap(),
        0,
        "not due before its backoff"
    );
    app.clock.advance(time::Duration::seconds(31));
    assert_eq!(app.auth.deliver_outbox().await.unwrap(), 1);
    assert_eq!(app.store.pending_count().await.unwrap(), before);
    assert_eq!(app.mailer.sent().len(), sent_before + 1);

    // Delete the account: the user and every session go together.
    let auth_c = app.auth.authenticate(&c.token).await.unwrap().unwrap();
    app.auth
        .delete_account(&auth_c, NEW_PASSWORD, &ctx())
        .await
        .unwrap();
    assert!(app.store.user_by_id(user.id).await.unwrap().is_none());
    assert!(
        app.store
            .session(&c.token.digest())
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.auth.authenticate(&c.token).await.unwrap().is_none());
}

/// Every text the outbox table holds, read with plain SQL, as someone with a copy of the
/// database would.
async fn outbox_as_stored(store: &SqlxStore) -> String {
    let p = store.table_prefix();
    let sql = format!(
        "SELECT to_address, subject, text_body, COALESCE(html_body, ''), \
         COALESCE(last_error, '') FROM {p}outbox"
    );
    let rows: Vec<Vec<String>> = match store.backend() {
        Backend::Postgres => sqlx::query(AssertSqlSafe(sql))
            .fetch_all(store.pg_pool().unwrap())
            .await
            .unwrap()
            .iter()
            .map(|r| (0..5).map(|i| r.get::<String, _>(i)).collect())
            .collect(),
        Backend::Sqlite => sqlx::query(AssertSqlSafe(sql))
            .fetch_all(store.sqlite_pool().unwrap())
            .await
            .unwrap()
            .iter()
            .map(|r| (0..5).map(|i| r.get::<String, _>(i)).collect())
            .collect(),
        Backend::MySql => sqlx::query(AssertSqlSafe(sql))
            .fetch_all(store.mysql_pool().unwrap())
            .await
            .unwrap()
            .iter()
            .map(|r| (0..5).map(|i| r.get::<String, _>(i)).collect())
            .collect(),
        _ => unreachable!(),
    };
    rows.concat().join("\n")
}

/// Mail that could not be sent is stored sealed (no link token in any column) and a
/// new engine on the same database (a restart) delivers it exactly as composed.
async fn queued_mail_is_sealed_and_survives_a_restart(url: &str) {
    let app = engine(url).await;
    app.mailer.set_failing(true);
    let email = "sealed@example.com";
    app.register(email).await;
    let composed = app.mailer.attempted();
    assert_eq!(composed.len(), 1);
    let link = CapturingMailer::link_in(&composed[0], "/verify/").unwrap();
    let token = link.rsplit('/').next().unwrap();

    let stored = outbox_as_stored(&app.store).await;
    assert!(
        stored.contains(email),
        "the recipient stays readable: {stored}"
    );
    assert!(stored.contains("sealed:v1:k1:"), "{stored}");
    assert!(
        !stored.contains(token),
        "the database holds the link token: {stored}"
    );
    assert!(!stored.contains("/auth/verify/"), "{stored}");

    let restarted = restarted(app.store.clone());
    restarted.clock.advance(time::Duration::minutes(2));
    assert_eq!(restarted.auth.deliver_outbox().await.unwrap(), 1);
    assert_eq!(restarted.mailer.sent(), composed);
    assert_eq!(restarted.store.pending_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_mail_on_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    queued_mail_is_sealed_and_survives_a_restart(&format!(
        "sqlite://{}",
        dir.path().join("app.db").display()
    ))
    .await;
}

#[test_services::needs(postgres)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_mail_on_postgres() {
    queued_mail_is_sealed_and_survives_a_restart(&common::server_url(common::POSTGRES)).await;
}

#[test_services::needs(mysql)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_mail_on_mysql() {
    queued_mail_is_sealed_and_survives_a_restart(&common::server_url(common::MYSQL)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_on_sqlite_memory() {
    every_flow("sqlite::memory:").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_on_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    every_flow(&format!("sqlite://{}", dir.path().join("app.db").display())).await;
}

#[test_services::needs(postgres)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_on_postgres() {
    every_flow(&common::server_url(common::POSTGRES)).await;
}

#[test_services::needs(mysql)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_on_mysql() {
    every_flow(&common::server_url(common::MYSQL)).await;
}

/// Mailed codes and sign-in links (the conformance kit's scenarios): single use, tries,
/// expiry and replacement, with the codes kept in this backend's ephemeral table.
async fn email_codes(url: &str) {
    let store = common::connect(
        url,
        SqlxStoreOptions::new().table_prefix(common::unique_prefix("codes_")),
    )
    .await;
    let app = Engine::wired(store, email_codes::config(), |builder, store| {
        builder.store(Arc::new(store.clone()))
    });
    email_codes::run(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_codes_on_sqlite_memory() {
    email_codes("sqlite::memory:").await;
}

#[test_services::needs(postgres)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_codes_on_postgres() {
    email_codes(&common::server_url(common::POSTGRES)).await;
}

#[test_services::needs(mysql)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_codes_on_mysql() {
    email_codes(&common::server_url(common::MYSQL)).await;
}
