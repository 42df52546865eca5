//! Connection settings and their defaults.

use std::time::Duration;

use auth_core::{Error, Result};

/// The key prefix used when none is configured.
pub const DEFAULT_KEY_PREFIX: &str = "auth:";

/// How many audit events are kept per user (and for events about no user) by default.
pub const DEFAULT_AUDIT_CAP: u32 = 1000;

/// Settings of a [`RedisStore`](crate::RedisStore): one server ([`RedisConfig::new`]) or a
/// Redis Cluster ([`RedisConfig::cluster`]).
///
/// ```
/// use std::time::Duration;
/// use auth_store_redis::RedisConfig;
///
/// let config = RedisConfig::new("redis://127.0.0.1:6379/")
///     .key_prefix("myapp:auth:")
///     .response_timeout(Duration::from_millis(500));
/// assert_eq!(config.prefix(), "myapp:auth:");
/// ```
///
/// Its `Debug` output hides the URLs' passwords and any TLS key material.
#[derive(Clone)]
pub struct RedisConfig {
    pub(crate) target: Target,
    pub(crate) key_prefix: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) response_timeout: Duration,
    pub(crate) reconnect_retries: usize,
    pub(crate) audit_cap: u32,
    pub(crate) stale_index_grace: Duration,
    #[cfg(feature = "tls")]
    pub(crate) tls_root_pem: Option<Vec<u8>>,
    #[cfg(feature = "tls")]
    pub(crate) tls_client_pem: Option<(Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("RedisConfig");
        match &self.target {
            Target::Server(url) => d.field("url", &redact_url(url)),
            Target::Cluster(nodes) => d.field(
                "cluster_nodes",
                &nodes.iter().map(|url| redact_url(url)).collect::<Vec<_>>(),
            ),
        };
        d.field("key_prefix", &self.key_prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("reconnect_retries", &self.reconnect_retries)
            .field("audit_cap", &self.audit_cap)
            .field("stale_index_grace", &self.stale_index_grace);
        #[cfg(feature = "tls")]
        d.field("tls_root_certificates", &self.tls_root_pem.is_some())
            .field("tls_client_certificate", &self.tls_client_pem.is_some());
        d.finish()
    }
}

/// Where the store connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// One server (or the primary behind a stable address).
    Server(String),
    /// The seed nodes of a Redis Cluster: the client learns the rest from them.
    Cluster(Vec<String>),
}

impl Target {
    /// Every URL the store may connect to.
    pub(crate) fn urls(&self) -> &[String] {
        match self {
            Self::Server(url) => std::slice::from_ref(url),
            Self::Cluster(nodes) => nodes,
        }
    }
}

/// `url` with the password (if any) replaced by `***`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split_once(':').map_or("", |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_owned(),
    }
}

impl RedisConfig {
    /// Settings for the server at `url` (`redis://`, `rediss://` for TLS, or
    /// `redis+unix://`), with every other value at its default:
    ///
    /// | setting | default |
    /// |---|---|
    /// | key prefix | `auth:` |
    /// | connect timeout | 1 s |
    /// | response timeout | 1 s |
    /// | reconnect retries per call | 1 |
    /// | audit events kept per user | 1000 |
    /// | stale-index grace | 1 h |
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_target(Target::Server(url.into()))
    }

    /// Settings for a Redis Cluster reached through these seed nodes (`redis://` or
    /// `rediss://` URLs of some of its primaries or replicas; one is enough, more keep
    /// the store starting while one is down). The client learns the slot map from them,
    /// follows `MOVED`/`ASK` redirections and refreshes the map after a failover. Every
    /// other setting is as for [`RedisConfig::new`]; the key layout is the same in both
    /// modes (see docs/redis-store.md).
    ///
    /// ```
    /// use auth_store_redis::RedisConfig;
    ///
    /// let config = RedisConfig::cluster(["redis://10.0.0.1:7000/", "redis://10.0.0.2:7000/"]);
    /// assert_eq!(config.prefix(), "auth:");
    /// ```
    pub fn cluster<I>(nodes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Self::with_target(Target::Cluster(nodes.into_iter().map(Into::into).collect()))
    }

    fn with_target(target: Target) -> Self {
        Self {
            target,
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
            reconnect_retries: 1,
            audit_cap: DEFAULT_AUDIT_CAP,
            stale_index_grace: Duration::from_secs(3600),
            #[cfg(feature = "tls")]
            tls_root_pem: None,
            #[cfg(feature = "tls")]
            tls_client_pem: None,
        }
    }

    /// Trusts exactly these CA certificates (PEM, one or more) for `rediss://` instead of
    /// the platform's roots: for servers with a private CA.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[must_use]
    pub fn tls_root_certificates(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls_root_pem = Some(pem.into());
        self
    }

    /// Presents this client certificate and key (PEM) for `rediss://` servers that
    /// require client authentication (`tls-auth-clients yes`).
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[must_use]
    pub fn tls_client_certificate(
        mut self,
        certificate_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.tls_client_pem = Some((certificate_pem.into(), key_pem.into()));
        self
    }

    /// Prepends `prefix` to every key the store reads or writes, so that several
    /// applications (or tests) can share one database. Include a separator (`:`). The
    /// prefix may not contain `{` or `}`: the store places its own hash tags (see
    /// docs/redis-store.md), and a brace in the prefix would change the slots its keys
    /// hash to in a Redis Cluster.
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// How long one attempt to open a connection may take.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the server may take to answer one command or script.
    #[must_use]
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// How many times a call retries opening a connection (with a short jittered backoff)
    /// before it gives up with [`Error::Unavailable`]. Whatever the value, no call waits
    /// longer than [`RedisConfig::call_deadline`]. On a cluster the cluster client's own
    /// retries (after redirections and during a failover) apply instead, within the same
    /// deadline.
    #[must_use]
    pub fn reconnect_retries(mut self, retries: usize) -> Self {
        self.reconnect_retries = retries;
        self
    }

    /// How many audit events are kept per user (older ones are dropped as new ones
    /// arrive). Events about no user share one list with the same cap.
    #[must_use]
    pub fn audit_cap(mut self, cap: u32) -> Self {
        self.audit_cap = cap;
        self
    }

    /// Entries of the expiry indexes whose record Redis has expired more than this long
    /// ago (by the server's clock) are dropped lazily on writes, so that the indexes stay
    /// bounded even if no purge ever runs. Purges count records dead for less than this.
    #[must_use]
    pub fn stale_index_grace(mut self, grace: Duration) -> Self {
        self.stale_index_grace = grace;
        self
    }

    /// The configured key prefix.
    pub fn prefix(&self) -> &str {
        &self.key_prefix
    }

    /// The longest a single round trip may take before the call returns
    /// [`Error::Unavailable`]: connect timeout plus response timeout.
    pub fn call_deadline(&self) -> Duration {
        self.connect_timeout.saturating_add(self.response_timeout)
    }

    /// Whether the store talks to a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self.target, Target::Cluster(_))
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.target.urls().is_empty() {
            return Err(Error::Config(
                "redis store: a cluster needs at least one seed node".to_owned(),
            ));
        }
        if self.key_prefix.contains(['{', '}']) {
            return Err(Error::Config(
                "redis store: the key prefix may not contain `{` or `}`".to_owned(),
            ));
        }
        if self.connect_timeout.is_zero() || self.response_timeout.is_zero() {
            return Err(Error::Config(
                "redis store: timeouts must be greater than zero".to_owned(),
            ));
        }
        if self.audit_cap == 0 {
            return Err(Error::Config(
                "redis store: the audit cap must be at least 1".to_owned(),
            ));
        }
        #[cfg(feature = "tls")]
        if (self.tls_root_pem.is_some() || self.tls_client_pem.is_some())
            && !self
                .target
                .urls()
                .iter()
                .all(|url| url.starts_with("rediss://"))
        {
            return Err(Error::Config(
                "redis store: TLS certificates are set but a URL is not rediss://".to_owned(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let config = RedisConfig::new("redis://app:s3cret@cache.internal:6379/2");
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("redis://app:***@cache.internal:6379/2"),
            "{shown}"
        );
        assert_eq!(redact_url("redis://:pw@h/"), "redis://:***@h/");
        assert_eq!(redact_url("redis://h:6379/"), "redis://h:6379/");
    }

    #[test]
    fn debug_hides_the_passwords_of_cluster_nodes() {
        let config = RedisConfig::cluster(["redis://:s3cret@a:7000/", "redis://b:7001/"]);
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("redis://:***@a:7000/"), "{shown}");
        assert!(shown.contains("redis://b:7001/"), "{shown}");
        assert!(config.is_cluster());
        assert!(!RedisConfig::new("redis://a/").is_cluster());
    }

    #[test]
    fn a_cluster_without_nodes_or_a_prefix_with_braces_is_refused() {
        let none: [&str; 0] = [];
        assert!(RedisConfig::cluster(none).validate().is_err());
        for prefix in ["app{1}:", "a{", "b}:"] {
            let err = RedisConfig::new("redis://a/")
                .key_prefix(prefix)
                .validate()
                .unwrap_err();
            assert!(
                err.to_string().contains("may not contain"),
                "{prefix}: {err}"
            );
        }
        assert!(
            RedisConfig::new("redis://a/")
                .key_prefix("app:1:")
                .validate()
                .is_ok()
        );
    }
}
