//! Where accounts, sessions and counters live: the store flags and the code that opens
//! them, shared by the demo sites and the `auth-cli` operator tool.

use std::fmt;
use std::sync::Arc;

use auth_core::{AuthBuilder, EphemeralStore, PictureStore};
use auth_store_files::FilePictureStore;
use auth_store_redis::{RedisConfig, RedisStore};
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};

use crate::cli::redact_url;
use crate::{BoxError, create_private_database};

/// The store flags: a SQL database for everything, optionally Redis for sessions and
/// counters. `Debug` shows no password.
#[derive(Clone, clap::Args)]
pub struct StoreArgs {
    /// Database URL: sqlite:PATH, postgres://... or mysql://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://auth-demo.db",
        global = true
    )]
    pub database_url: String,
    /// Prefix of the SQL table names, to share a database.
    #[arg(long, env = "TABLE_PREFIX", default_value = "auth_", global = true)]
    pub table_prefix: String,
    /// Keep sessions and rate-limit counters in Redis (redis:// or rediss://).
    #[arg(long, env = "REDIS_URL", global = true)]
    pub redis_url: Option<String>,
    /// Prefix of the Redis keys, to share a Redis server.
    #[arg(long, env = "REDIS_KEY_PREFIX", global = true)]
    pub redis_key_prefix: Option<String>,
    /// Keep sessions and rate-limit counters in a Redis Cluster instead: the URL of a
    /// node (redis:// or rediss://); repeat the flag, or separate URLs with commas, to
    /// give more than one, so that the demo starts while one is down.
    #[arg(
        long = "redis-cluster-node",
        env = "REDIS_CLUSTER_NODES",
        value_name = "URL",
        value_delimiter = ',',
        conflicts_with = "redis_url",
        global = true
    )]
    pub redis_cluster_nodes: Vec<String>,
    /// Keep uploaded profile pictures as files in this directory (created if missing)
    /// instead of in the SQL database.
    #[arg(long, env = "PICTURES_DIR", value_name = "PATH", global = true)]
    pub pictures_dir: Option<std::path::PathBuf>,
}

impl fmt::Debug for StoreArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreArgs")
            .field("database_url", &redact_url(&self.database_url))
            .field("table_prefix", &self.table_prefix)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("redis_key_prefix", &self.redis_key_prefix)
            .field(
                "redis_cluster_nodes",
                &self
                    .redis_cluster_nodes
                    .iter()
                    .map(|url| redact_url(url))
                    .collect::<Vec<_>>(),
            )
            .field("pictures_dir", &self.pictures_dir)
            .finish()
    }
}

/// The opened stores.
#[derive(Clone)]
pub struct Stores {
    /// The SQL store: users, the outbox and the audit trail, and sessions and counters
    /// unless Redis holds them.
    pub sql: Arc<SqlxStore>,
    /// Redis, for sessions and counters, when a Redis URL or cluster node was given.
    pub redis: Option<Arc<RedisStore>>,
    /// Uploaded profile pictures: files under `--pictures-dir`, else the SQL store.
    pub pictures: Arc<dyn PictureStore>,
}

impl StoreArgs {
    /// Connects to the stores. A new SQLite file is created readable by its owner only;
    /// with `migrate`, the SQL schema is brought up to date on connect (the demos always
    /// do; `auth-cli` only in its `migrate` command, so that a mistyped URL does not
    /// create tables).
    ///
    /// # Errors
    /// A bad URL or table prefix, an unreachable database or Redis server, a failed
    /// migration.
    pub async fn open(&self, migrate: bool) -> Result<Stores, BoxError> {
        create_private_database(&self.database_url)?;
        let sql = SqlxStore::connect(
            &self.database_url,
            SqlxStoreOptions::new()
                .table_prefix(self.table_prefix.clone())
                .migrate_on_connect(migrate),
        )
        .await?;
        let redis = match (&self.redis_url, self.redis_cluster_nodes.as_slice()) {
            (Some(url), _) => Some(RedisConfig::new(url.clone())),
            (None, []) => None,
            (None, nodes) => Some(RedisConfig::cluster(nodes.to_vec())),
        };
        let redis = match redis {
            Some(mut config) => {
                if let Some(prefix) = &self.redis_key_prefix {
                    config = config.key_prefix(prefix.clone());
                }
                Some(Arc::new(RedisStore::connect(config).await?))
            }
            None => None,
        };
        let sql = Arc::new(sql);
        let pictures: Arc<dyn PictureStore> = match &self.pictures_dir {
            Some(dir) => Arc::new(FilePictureStore::new(dir)?),
            None => sql.clone(),
        };
        Ok(Stores {
            sql,
            redis,
            pictures,
        })
    }
}

impl fmt::Debug for Stores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stores")
            .field("sql", &self.sql)
            .field("redis", &self.redis)
            .finish_non_exhaustive()
    }
}

impl Stores {
    /// Where short-lived entries live (the engine's, and the flows of sign-ins with
    /// other providers): Redis when it is there, else the SQL store.
    pub fn ephemeral(&self) -> Arc<dyn EphemeralStore> {
        match &self.redis {
            Some(redis) => redis.clone(),
            None => self.sql.clone(),
        }
    }

    /// Gives the stores to an engine builder: every role (API keys and identities
    /// linked at other providers too, beside the users they belong to) to the SQL
    /// store, then sessions, counters and ephemeral entries to Redis when it is there,
    /// with the revision of users and sessions (so that session lookups are kept in
    /// memory and checked with one `GET`); pictures where they are kept.
    pub fn wire(&self, builder: AuthBuilder) -> AuthBuilder {
        let builder = builder
            .store(self.sql.clone())
            .api_keys(self.sql.clone())
            .identities(self.sql.clone())
            .pictures(self.pictures.clone());
        match &self.redis {
            Some(redis) => builder
                .sessions(redis.clone())
                .revisions(redis.clone())
                .counters(redis.clone())
                .ephemeral(redis.clone()),
            None => builder,
        }
    }
}
