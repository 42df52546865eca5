//! The `auth-cli` binary against real stores (SQLite, and PostgreSQL, MariaDB and Redis
//! when `AUTH_TEST_POSTGRES_URL`, `AUTH_TEST_MYSQL_URL` and `AUTH_TEST_REDIS_URL` are set): hashes made by the real Python libraries (bcrypt,
//! Django, passlib, argon2-cffi, see `make_hashes.py`) are imported with the CLI, then
//! signed in with through the engine with the original passwords, after which each
//! stored hash is Argon2id. Sessions kept in Redis (`AUTH_TEST_REDIS_URL`) are ended
//! through `--redis-url`.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use auth_core::{Auth, CapturingMailer, Error, Login, RequestContext, UserStore as _};
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};
use serde_json::Value;

const SECRET: &str = "auth-cli-tests-secret-0123456789abcdef";

/// The password of the accounts the tests create.
const PASSWORD: &str = "correct horse battery staple";

/// Where a test's accounts live: a database URL and a table prefix of its own.
struct Db {
    url: String,
    prefix: String,
    dir: tempfile::TempDir,
    /// Sessions and counters in Redis: its URL and a key prefix of the test's own.
    redis: Option<(String, String)>,
}

impl Db {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("cli.db").display());
        Self {
            url,
            prefix: "auth_".into(),
            dir,
            redis: None,
        }
    }

    fn postgres() -> Self {
        Self::shared("AUTH_TEST_POSTGRES_URL")
    }

    /// MariaDB (or MySQL) at `AUTH_TEST_MYSQL_URL`.
    fn mariadb() -> Self {
        Self::shared("AUTH_TEST_MYSQL_URL")
    }

    /// PostgreSQL, with sessions and counters in Redis (`AUTH_TEST_REDIS_URL`), as the
    /// demos run with `--redis-url`.
    fn postgres_with_redis() -> Self {
        let url = std::env::var("AUTH_TEST_REDIS_URL").expect("set when this test runs");
        let prefix = format!("cli-{}:", uuid::Uuid::new_v4().simple());
        Self {
            redis: Some((url, prefix)),
            ..Self::postgres()
        }
    }

    /// The database at the URL in `var`, under a table prefix of the test's own.
    fn shared(var: &str) -> Self {
        let url = std::env::var(var).expect("set when this test runs");
        let id = uuid::Uuid::new_v4().simple().to_string();
        Self {
            url,
            prefix: format!("cli{}_", &id[..12]),
            dir: tempfile::tempdir().unwrap(),
            redis: None,
        }
    }

    /// Runs `auth-cli args...` on this database.
    fn cli(&self, args: &[&str]) -> Output {
        self.cli_with_input(args, "")
    }

    fn cli_with_input(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write as _;
        let mut command = Command::new(env!("CARGO_BIN_EXE_auth-cli"));
        command
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("TABLE_PREFIX", &self.prefix)
            .env("AUTH_SECRET", SECRET);
        match &self.redis {
            Some((url, prefix)) => command
                .env("REDIS_URL", url)
                .env("REDIS_KEY_PREFIX", prefix),
            None => command.env_remove("REDIS_URL"),
        };
        let mut child = command
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.cli(&all);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `users create --json` with the tests' password and `args` (email and options);
    /// the created account as JSON.
    fn create_user(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json", "users", "create"];
        all.extend_from_slice(args);
        let out = self.cli_with_input(&all, &format!("{PASSWORD}\n"));
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The engine a site would run on this database.
    async fn engine(&self) -> (Auth, Arc<SqlxStore>) {
        let store = SqlxStore::connect(
            &self.url,
            SqlxStoreOptions::new().table_prefix(self.prefix.clone()),
        )
        .await
        .unwrap();
        let store = Arc::new(store);
        let config = auth_core::Config::builder()
            .app_name("CLI test")
            .base_url("http://127.0.0.1:3000")
            .signing_key("demo-1", SECRET.as_bytes().to_vec())
            .build()
            .unwrap();
        let auth = Auth::builder(config)
            .store(store.clone())
            .mailer(Arc::new(CapturingMailer::new()))
            .build()
            .unwrap();
        (auth, store)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One account made by `make_hashes.py`.
#[derive(Debug, serde::Deserialize)]
struct Made {
    email: String,
    password: String,
    password_hash: String,
    format: String,
}

fn python_hashes() -> Vec<Made> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/make_hashes.py");
    let out = Command::new("python3").arg(script).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Imports the Python-made hashes (as CSV, or as JSON lines), signs in with each
/// original password through the engine, and checks the rehash to Argon2id.
async fn import_then_sign_in(db: &Db, csv_format: bool) {
    assert!(db.cli(&["migrate"]).status.success());
    let made = python_hashes();
    let formats: std::collections::BTreeSet<_> = made.iter().map(|m| m.format.as_str()).collect();
    assert_eq!(formats.len(), 5, "every format is covered: {formats:?}");
    let file = db.dir.path().join("users");
    if csv_format {
        let mut w = csv::Writer::from_path(&file).unwrap();
        w.write_record(["email", "password_hash", "roles", "verified", "profile"])
            .unwrap();
        for m in &made {
            let profile = r#"{"company": "Acme"}"#;
            w.write_record([&m.email, &m.password_hash, "member", "true", profile])
                .unwrap();
        }
        w.flush().unwrap();
    } else {
        let lines: Vec<String> = made
            .iter()
            .map(|m| {
                serde_json::json!({
                    "email": m.email,
                    "password_hash": m.password_hash,
                    "roles": ["member"],
                    "verified": true,
                    "profile": {"company": "Acme"},
                })
                .to_string()
            })
            .collect();
        std::fs::write(&file, lines.join("\n")).unwrap();
    }
    let format = if csv_format { "csv" } else { "jsonl" };
    let summary = db.json(&["import", "--format", format, file.to_str().unwrap()]);
    assert_eq!(summary["imported"], made.len(), "{summary}");
    assert_eq!(summary["skipped"], 0, "{summary}");

    let (auth, store) = db.engine().await;
    for m in &made {
        let before = store.user_by_email(&m.email).await.unwrap().unwrap();
        assert_eq!(before.password_hash.as_str(), m.password_hash);
        assert!(before.is_verified() && before.has_role("member"));
        assert_eq!(before.profile.text("company"), Some("Acme"));
        let login = |password: &str| Login {
            login: m.email.clone(),
            password: password.into(),
            remember: false,
        };
        let ctx = RequestContext::new(None, None);
        assert!(
            auth.login(login("wrong password"), &ctx).await.is_err(),
            "{}: a wrong password",
            m.format
        );
        auth.login(login(&m.password), &ctx)
            .await
            .unwrap_or_else(|e| panic!("{} ({}): {e:?}", m.email, m.format));
        let after = store.user_by_email(&m.email).await.unwrap().unwrap();
        assert!(
            after
                .password_hash
                .as_str()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}: {} was not rehashed",
            m.format,
            m.email
        );
        auth.login(login(&m.password), &ctx).await.unwrap();
    }
    auth.settle().await;
}

#[test_services::needs(python_hashers)]
#[tokio::test(flavor = "multi_thread")]
async fn python_made_hashes_import_from_csv_and_sign_in_on_sqlite() {
    import_then_sign_in(&Db::sqlite(), true).await;
}

#[test_services::needs(python_hashers, postgres)]
#[tokio::test(flavor = "multi_thread")]
async fn python_made_hashes_import_from_json_lines_and_sign_in_on_postgres() {
    import_then_sign_in(&Db::postgres(), false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rows_are_reported_by_line_and_skipped_never_half_imported() {
    let db = Db::sqlite();
    assert!(db.cli(&["migrate"]).status.success());
    let argon2 = "$argon2id$v=19$m=64,t=1,p=1$a25vd24tc2FsdC0xNmJ5dA$2DciCxKFFsOzvsN6T3EQbjKev3RCIPxXKKlXpmKSbtQ";
    let file = db.dir.path().join("users.jsonl");
    let rows = [
        format!(r#"{{"email": "one@example.com", "username": "one", "password_hash": "{argon2}"}}"#),
        r#"{"email": "md5@example.com", "password_hash": "5f4dcc3b5aa765d61d8327deb882cf99"}"#.into(),
        String::new(),
        format!(r#"{{"email": "not an address", "password_hash": "{argon2}"}}"#),
        r#"{"email": "cut@example.com", "password_ha"#.into(),
        format!(r#"{{"email": "ONE@example.com", "password_hash": "{argon2}"}}"#),
        format!(r#"{{"email": "two@example.com", "username": "One", "password_hash": "{argon2}"}}"#),
        r#"{"email": "bad@example.com", "password_hash": "pbkdf2_sha256$0$salt$aGFzaGhhc2hoYXNoaGFzaA=="}"#.into(),
        format!(r#"{{"email": "three@example.com", "password_hash": "{argon2}", "roles": "a b", "verified": "yes"}}"#),
        format!(r#"{{"email": "four@example.com", "password_hash": "{argon2}", "profile": {{"shoe_size": 44}}}}"#),
    ];
    std::fs::write(&file, rows.join("\n")).unwrap();
    let out = db.cli(&["import", "--format", "jsonl", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "some rows were skipped");
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        stdout.contains("imported 2 of 9 rows, skipped 7"),
        "{stdout}"
    );
    for (line, reason) in [
        (2, "password_hash: Unknown password hash format"),
        (4, "email: "),
        (5, "unreadable row"),
        (6, "email: already taken"),
        (7, "username: already taken"),
        (
            8,
            "password_hash: Malformed django-pbkdf2-sha256 password hash. (iterations outside 1..=10000000)",
        ),
        (10, "profile: "),
    ] {
        let expected = format!("line {line}: skipped: {reason}");
        assert!(stderr.contains(&expected), "{expected:?} in\n{stderr}");
    }
    let listed = db.json(&["users", "list"]);
    assert_eq!(listed["total"], 2, "{listed}");
    let three = db.json(&["users", "show", "three@example.com"]);
    assert_eq!(three["user"]["roles"], serde_json::json!(["a", "b"]));
    assert_eq!(three["user"]["verified"], true);
    // Nothing of a skipped row was written.
    for email in [
        "md5@example.com",
        "two@example.com",
        "bad@example.com",
        "four@example.com",
    ] {
        let out = db.cli(&["users", "show", email]);
        assert_eq!(out.status.code(), Some(1), "{email}");
        assert!(text(&out.stderr).contains("no such account"));
    }
    // An unreadable file, or a CSV without the needed columns, fails as a whole.
    let out = db.cli(&["import", "--format", "csv", "missing.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let csv = db.dir.path().join("bad.csv");
    std::fs::write(&csv, "mail,hash\na@example.com,x\n").unwrap();
    let out = db.cli(&["import", "--format", "csv", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("password_hash column"));
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_roles_and_sessions_are_managed_through_the_engine() {
    let db = Db::sqlite();
    assert!(db.cli(&["migrate"]).status.success());
    let created = db.create_user(&[
        "--email",
        "ops@example.com",
        "--username",
        "ops",
        "--verified",
    ]);
    let id = created["user"]["id"].as_str().unwrap().to_owned();
    let weak = db.cli_with_input(
        &["users", "create", "--email", "weak@example.com"],
        "password\n",
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(
        text(&weak.stderr).contains("password: "),
        "{}",
        text(&weak.stderr)
    );

    let (auth, _store) = db.engine().await;
    let ctx = RequestContext::new(None, None);
    let login = || Login {
        login: "ops".into(),
        password: PASSWORD.into(),
        remember: false,
    };
    let session = auth.login(login(), &ctx).await.unwrap();

    let granted = db.json(&["roles", "grant", "ops@example.com", "Admin", "editor"]);
    assert_eq!(
        granted["user"]["roles"],
        serde_json::json!(["admin", "editor"])
    );
    let revoked = db.json(&["roles", "revoke", &id, "admin"]);
    assert_eq!(revoked["user"]["roles"], serde_json::json!(["editor"]));
    db.json(&["sessions", "revoke", "ops"]);
    assert!(auth.authenticate(&session.token).await.unwrap().is_none());

    let disabled = db.json(&["users", "disable", "ops"]);
    assert_eq!(disabled["user"]["status"], "disabled");
    assert!(auth.login(login(), &ctx).await.is_err());
    db.json(&["users", "enable", "ops"]);
    db.json(&["users", "unlock", "ops"]);
    auth.login(login(), &ctx).await.unwrap();

    let shown = db.json(&["users", "show", "ops"]);
    let kinds: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "disabled",
        "enabled",
        "unlocked",
        "roles_changed",
        "forced_logout",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(!text(&db.cli(&["--json", "users", "show", "ops"]).stdout).contains("argon2"));

    let mail = db.json(&["outbox", "show"]);
    assert_eq!(mail["total"], 0);
    let out = db.cli(&["outbox", "retry", "01234567-89ab-cdef-0123-456789abcdef"]);
    assert_eq!(out.status.code(), Some(1));

    db.json(&["users", "delete", "ops"]);
    assert_eq!(db.json(&["users", "list"])["total"], 0);
    let out = db.cli(&["users", "delete", "ops"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no such account"));
    auth.settle().await;
}

/// The code an authenticator app shows now for `secret` (base32).
fn totp_code(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    totp.generate_current().to_string()
}

/// `users reset-second-factor` removes a lost authenticator app: the password alone signs
/// in again, and the reset is on the account's audit trail.
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_second_factor_is_reset_by_the_operator() {
    let db = Db::sqlite();
    assert!(db.cli(&["migrate"]).status.success());
    let created = db.create_user(&["--email", "tess@example.com", "--verified"]);

    let (auth, _store) = db.engine().await;
    let ctx = RequestContext::new(None, None);
    let login = || Login {
        login: "tess@example.com".into(),
        password: PASSWORD.into(),
        remember: false,
    };
    let session = auth.login(login(), &ctx).await.unwrap();
    let signed_in = auth.authenticate(&session.token).await.unwrap().unwrap();
    let enrolment = auth.start_totp_enrolment(&signed_in).await.unwrap();
    auth.finish_totp_enrolment(&signed_in, &totp_code(&enrolment.secret_base32), &ctx)
        .await
        .unwrap();
    assert!(matches!(
        auth.login(login(), &ctx).await,
        Err(Error::SecondFactorRequired)
    ));

    let reset = db.json(&["users", "reset-second-factor", "tess@example.com"]);
    assert_eq!(reset["user"]["id"], created["user"]["id"]);
    auth.login(login(), &ctx).await.unwrap();
    let shown = db.json(&["users", "show", "tess@example.com"]);
    let kinds: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"second_factor_reset"), "{kinds:?}");

    let again = db.cli(&["users", "reset-second-factor", "nobody@example.com"]);
    assert_eq!(again.status.code(), Some(1));
    auth.settle().await;
}

/// `outbox webhooks` lists deliveries with their state; a failed one is retried or
/// discarded by id, and anything but a failed webhook delivery is refused.
#[tokio::test(flavor = "multi_thread")]
async fn webhook_deliveries_are_listed_retried_and_discarded() {
    use auth_core::{Delivery, MailOutbox as _, OutboxMessage, WebhookCall};
    let db = Db::sqlite();
    assert!(db.cli(&["migrate"]).status.success());
    let (auth, store) = db.engine().await;
    let call = |event: &str| OutboxMessage {
        id: uuid::Uuid::now_v7(),
        delivery: Delivery::Webhook(WebhookCall {
            url: "https://hooks.example.test/in".into(),
            event_type: event.into(),
            body: "{}".into(),
        }),
        attempts: 0,
        next_attempt_at: auth.now(),
        created_at: auth.now(),
        last_error: None,
    };
    let (failed, kept, delivered) = (
        call("auth.registered"),
        call("auth.locked"),
        call("auth.login_failed"),
    );
    for m in [&failed, &kept, &delivered] {
        store.enqueue(m).await.unwrap();
    }
    for m in [&failed, &kept] {
        store
            .mark_failed(m.id, 30, auth.now(), "gave up after 30 attempts")
            .await
            .unwrap();
    }
    store
        .mark_delivered(delivered.id, 1, auth.now(), "HTTP 204")
        .await
        .unwrap();

    let listed = db.json(&["outbox", "webhooks"]);
    assert_eq!(listed["total"], 3, "{listed}");
    let state = |listed: &Value, id: uuid::Uuid| {
        listed["webhooks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id.to_string())
            .map(|d| d["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(state(&listed, failed.id).as_deref(), Some("failed"));
    assert_eq!(state(&listed, delivered.id).as_deref(), Some("delivered"));
    let shown = text(&db.cli(&["outbox", "webhooks"]).stdout);
    assert!(
        shown.contains("auth.locked") && shown.contains("HTTP 204"),
        "{shown}"
    );

    db.json(&["outbox", "retry-webhook", &failed.id.to_string()]);
    db.json(&["outbox", "discard-webhook", &kept.id.to_string()]);
    let listed = db.json(&["outbox", "webhooks"]);
    assert_eq!(listed["total"], 2, "{listed}");
    assert_eq!(state(&listed, failed.id).as_deref(), Some("pending"));
    assert_eq!(state(&listed, kept.id), None);
    for refused in [&failed, &delivered] {
        let out = db.cli(&["outbox", "discard-webhook", &refused.id.to_string()]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    }
}

#[test_services::needs(redis)]
#[tokio::test(flavor = "multi_thread")]
async fn sessions_in_redis_are_revoked_with_redis_url() {
    let redis_url = std::env::var("AUTH_TEST_REDIS_URL").expect("set when this test runs");
    let key_prefix = format!("cli-{}:", uuid::Uuid::new_v4().simple());
    let db = Db::sqlite();
    assert!(db.cli(&["migrate"]).status.success());
    let out = db.cli_with_input(
        &[
            "users",
            "create",
            "--email",
            "red@example.com",
            "--verified",
        ],
        "correct horse battery staple\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, store) = db.engine().await;
    let redis = auth_store_redis::RedisStore::connect(
        auth_store_redis::RedisConfig::new(redis_url.clone()).key_prefix(key_prefix.clone()),
    )
    .await
    .unwrap();
    let redis = Arc::new(redis);
    let config = auth_core::Config::builder()
        .app_name("CLI test")
        .base_url("http://127.0.0.1:3000")
        .signing_key("demo-1", SECRET.as_bytes().to_vec())
        .build()
        .unwrap();
    let auth = Auth::builder(config)
        .store(store)
        .sessions(redis.clone())
        .counters(redis)
        .mailer(Arc::new(CapturingMailer::new()))
        .build()
        .unwrap();
    let login = Login {
        login: "red@example.com".into(),
        password: PASSWORD.into(),
        remember: false,
    };
    let session = auth
        .login(login, &RequestContext::new(None, None))
        .await
        .unwrap();
    // Without Redis, the CLI ends the sessions SQL holds: none; the Redis one lives on.
    db.json(&["sessions", "revoke", "red@example.com"]);
    assert!(auth.authenticate(&session.token).await.unwrap().is_some());
    let shown = db.json(&[
        "--redis-url",
        &redis_url,
        "--redis-key-prefix",
        &key_prefix,
        "users",
        "show",
        "red@example.com",
    ]);
    assert_eq!(shown["sessions"].as_array().unwrap().len(), 1, "{shown}");
    db.json(&[
        "--redis-url",
        &redis_url,
        "--redis-key-prefix",
        &key_prefix,
        "sessions",
        "revoke",
        "red@example.com",
    ]);
    assert!(auth.authenticate(&session.token).await.unwrap().is_none());
    auth.settle().await;
}

/// The engine of a site at `http://localhost:3000` with passkeys on, over `db`.
async fn passkey_engine(db: &Db) -> Auth {
    let (_, store) = db.engine().await;
    let config = auth_core::Config::builder()
        .app_name("CLI test")
        .base_url("http://localhost:3000")
        .signing_key("demo-1", SECRET.as_bytes().to_vec())
        .build()
        .unwrap();
    let rp =
        auth_core::RelyingParty::new("localhost", "CLI test", &["http://localhost:3000"]).unwrap();
    let mut builder = Auth::builder(config)
        .store(store.clone())
        .passkeys(store, rp)
        .mailer(Arc::new(CapturingMailer::new()));
    if let Some((url, prefix)) = &db.redis {
        let redis = auth_store_redis::RedisStore::connect(
            auth_store_redis::RedisConfig::new(url.clone()).key_prefix(prefix.clone()),
        )
        .await
        .unwrap();
        let redis = Arc::new(redis);
        builder = builder.sessions(redis.clone()).counters(redis);
    }
    builder.build().unwrap()
}

/// Signs in with `key` alone; the account signed in, or the refusal.
async fn passkey_sign_in(
    auth: &Auth,
    key: &mut auth_core::conformance::authenticator::SoftPasskey,
) -> auth_core::Result<auth_core::UserId> {
    let ctx = RequestContext::new(None, None);
    let challenge = auth.start_passkey_sign_in(&ctx).await?;
    let answer = key.sign_in(&challenge.options).await.unwrap();
    Ok(auth
        .finish_passkey_sign_in(challenge.token(), &answer, false, &ctx)
        .await?
        .user
        .id)
}

/// `passkeys list` and `passkeys remove` (one by id, then `--all`): a removed passkey no
/// longer signs in, the others still do, and every removal is on the audit trail. On
/// SQLite here, and on every other store below.
#[tokio::test(flavor = "multi_thread")]
async fn passkeys_are_listed_and_removed_by_the_operator() {
    operator_passkeys(&Db::sqlite()).await;
}

#[test_services::needs(postgres)]
#[tokio::test(flavor = "multi_thread")]
async fn passkeys_are_listed_and_removed_by_the_operator_on_postgres() {
    operator_passkeys(&Db::postgres()).await;
}

#[test_services::needs(mysql)]
#[tokio::test(flavor = "multi_thread")]
async fn passkeys_are_listed_and_removed_by_the_operator_on_mariadb() {
    operator_passkeys(&Db::mariadb()).await;
}

#[test_services::needs(postgres, redis)]
#[tokio::test(flavor = "multi_thread")]
async fn passkeys_are_listed_and_removed_by_the_operator_on_postgres_with_redis() {
    operator_passkeys(&Db::postgres_with_redis()).await;
}

async fn operator_passkeys(db: &Db) {
    use auth_core::conformance::authenticator::SoftPasskey;
    assert!(db.cli(&["migrate"]).status.success());
    let created = db.create_user(&["--email", "pia@example.com", "--verified"]);
    let auth = passkey_engine(db).await;
    let ctx = RequestContext::new(None, None);
    let login = Login {
        login: "pia@example.com".into(),
        password: PASSWORD.into(),
        remember: false,
    };
    let session = auth.login(login, &ctx).await.unwrap();
    let me = auth.authenticate(&session.token).await.unwrap().unwrap();
    let mut keys = Vec::new();
    for name in ["Laptop", "Phone"] {
        let mut key = SoftPasskey::new("http://localhost:3000");
        let started = auth.start_passkey_registration(&me).await.unwrap();
        let answer = key.register(&started.options).await.unwrap();
        let record = auth
            .finish_passkey_registration(&me, started.token(), name, &answer, &ctx)
            .await
            .unwrap();
        keys.push((key, record.id));
    }

    let listed = db.json(&["passkeys", "list", "pia@example.com"]);
    assert_eq!(listed["user"]["id"], created["user"]["id"]);
    let passkeys = listed["passkeys"].as_array().unwrap();
    assert_eq!(passkeys.len(), 2);
    assert_eq!(passkeys[0]["name"], "Laptop");
    assert_eq!(passkeys[0]["id"], keys[0].1.as_str());
    assert!(!listed.to_string().contains("public"), "{listed}");
    let out = db.cli(&["passkeys", "list", "pia@example.com"]);
    assert!(text(&out.stdout).starts_with("2 passkeys of pia@example.com"));

    let removed = db.json(&["passkeys", "remove", "pia@example.com", &keys[0].1]);
    assert_eq!(removed["removed"].as_array().unwrap().len(), 1);
    assert_eq!(removed["removed"][0]["name"], "Laptop");
    assert!(matches!(
        passkey_sign_in(&auth, &mut keys[0].0).await,
        Err(Error::InvalidCredentials)
    ));
    let user_id = passkey_sign_in(&auth, &mut keys[1].0).await.unwrap();
    assert_eq!(user_id.to_string(), created["user"]["id"].as_str().unwrap());

    // An id the account does not have, an account that does not exist, and neither an
    // id nor --all: refused, nothing removed.
    let out = db.cli(&["passkeys", "remove", "pia@example.com", &keys[0].1]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no passkey with this id"),
        "{}",
        text(&out.stderr)
    );
    let out = db.cli(&["passkeys", "remove", "nobody@example.com", "--all"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no such account"));
    assert!(
        !db.cli(&["passkeys", "remove", "pia@example.com"])
            .status
            .success()
    );
    assert_eq!(
        db.cli(&["passkeys", "list", "nobody"]).status.code(),
        Some(1)
    );

    let all = db.json(&["passkeys", "remove", "pia@example.com", "--all"]);
    assert_eq!(all["removed"][0]["name"], "Phone");
    assert!(matches!(
        passkey_sign_in(&auth, &mut keys[1].0).await,
        Err(Error::InvalidCredentials)
    ));
    assert_eq!(
        db.json(&["passkeys", "list", "pia@example.com"])["passkeys"],
        serde_json::json!([])
    );

    let shown = db.json(&["users", "show", "pia@example.com"]);
    let removals: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "passkey_removed")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(removals.len(), 2, "{removals:?}");
    assert!(
        removals.contains(&"Laptop (by an operator)"),
        "{removals:?}"
    );
    assert!(removals.contains(&"Phone (by an operator)"), "{removals:?}");
    auth.settle().await;
}

#[test]
fn openapi_prints_the_web_layers_document_without_a_store() {
    let out = Command::new(env!("CARGO_BIN_EXE_auth-cli"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), auth_http::openapi::document("/auth"));
    let out = Command::new(env!("CARGO_BIN_EXE_auth-cli"))
        .args(["openapi", "--mount", "/accounts"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["paths"]["/accounts/api/login"]["post"].is_object());
}
