//! Helpers shared by the integration tests: finding the test servers, connecting, and
//! the TCP proxy (crate `fault-proxy`) that can be cut to simulate a database going down.

// Each test binary uses a different part of this module; `allow`, not `expect`: one that
// uses all of it would leave the expectation unfulfilled.
#![allow(dead_code)]
#![expect(
    unreachable_pub,
    reason = "`pub` items used by the test files that include this module"
)]

use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};

/// Environment variable with the PostgreSQL test database URL.
pub const POSTGRES: &str = "AUTH_TEST_POSTGRES_URL";
/// Environment variable with the MySQL/MariaDB test database URL.
pub const MYSQL: &str = "AUTH_TEST_MYSQL_URL";

/// The URL of a test server.
///
/// # Panics
/// When the variable is unset. A test that needs a server carries
/// `#[test_services::needs(..)]`, which ignores it in a build without the variable (never
/// under CI), so it only gets here unset under CI or when ignored tests are run anyway:
/// both must fail, not pass without testing.
pub fn server_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{var} is not set: this test needs its server (source .ci/services.sh && ensure_services)"
        ),
    }
}

/// Connects to `url` with `options`, running the migrations.
///
/// # Panics
/// When the server cannot be reached: a configured server must be up (under CI and
/// locally alike), so that an unreachable one is a failure, never a skip.
pub async fn connect(url: &str, options: SqlxStoreOptions) -> SqlxStore {
    match SqlxStore::connect(url, options.migrate_on_connect(true)).await {
        Ok(store) => store,
        Err(e) => panic!(
            "cannot use the test database ({}): {e} (source: {:?})",
            redact(url),
            std::error::Error::source(&e)
        ),
    }
}

/// The test server's store under `prefix`.
///
/// # Panics
/// As [`server_url`] and [`connect`].
pub async fn store_for(var: &str, prefix: &str) -> SqlxStore {
    let url = server_url(var);
    connect(&url, SqlxStoreOptions::new().table_prefix(prefix)).await
}

/// A prefix unique to this process, so that parallel and repeated runs never share
/// tables: `<base><random>_`.
pub fn unique_prefix(base: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{base}{}_", &id[..10])
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}
