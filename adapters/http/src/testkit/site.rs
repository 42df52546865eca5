//! The engine and web layer a test runs against.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use auth_core::conformance::engine;
use auth_core::{
    Auth, AuthBuilder, CapturingMailer, ConfigBuilder, MailKind, RegistrationMode, SessionDigest,
    SessionRecord, SessionUserStore, User,
};
use auth_store_memory::MemoryStore;

use super::{Browser, LayerOnly};
use crate::{AuthWeb, AuthWebBuilder};

/// The engine and web layer a test runs against: an in-memory store (its session
/// lookups counted, and failing on demand), a capturing mailer, fast password hashing,
/// mail sent inline and plain-HTTP development cookies, from
/// [`engine::config`](auth_core::conformance::engine::config) with addresses hidden on
/// registration (the default mode).
///
/// Two presets: [`Site::new`] for the adapter scenarios (links to
/// `http://localhost/auth`, a 4 KiB body limit) and [`Site::layer`] for the web layer's
/// own tests (links to `https://app.test/auth`, the default body limit, a fixed secret).
#[derive(Debug)]
pub struct Site {
    auth: Auth,
    web: AuthWeb,
    mailer: CapturingMailer,
    sessions: Arc<CountingSessions>,
}

impl Default for Site {
    fn default() -> Self {
        Self::new()
    }
}

impl Site {
    /// A fresh site with no users, for the adapter scenarios.
    pub fn new() -> Self {
        Self::with(|config| config)
    }

    /// [`Site::new`], its engine configured further by `configure` (e.g. a different
    /// admin role).
    pub fn with(configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        let config = base_config()
            .app_name("Adapter Test")
            .base_url("http://localhost");
        Self::build(configure(config), |web| web.body_limit(4096))
    }

    /// A fresh site with no users, for the web layer's own tests.
    pub fn layer() -> Self {
        Self::layer_with(|config| config, |web| web)
    }

    /// [`Site::layer`], its engine and web layer configured further.
    pub fn layer_with(
        configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
        web: impl FnOnce(AuthWebBuilder) -> AuthWebBuilder,
    ) -> Self {
        Self::build(configure(base_config()), |w| web(w.secret(vec![7u8; 32])))
    }

    /// [`Site::layer`], its engine configured further by `configure` and with more parts
    /// wired into it by `engine` (e.g. [`AuthBuilder::webhooks`]), for the web layer's
    /// tests of what those parts show.
    pub fn layer_with_engine(
        configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
        engine: impl FnOnce(AuthBuilder) -> AuthBuilder,
    ) -> Self {
        Self::assemble(configure(base_config()), engine, |w| {
            w.secret(vec![7u8; 32])
        })
    }

    /// A site from `config`, its web layer (plain-HTTP development cookies) configured
    /// further by `web`.
    ///
    /// # Panics
    /// When the configuration is invalid.
    pub fn build(
        config: ConfigBuilder,
        web: impl FnOnce(AuthWebBuilder) -> AuthWebBuilder,
    ) -> Self {
        Self::assemble(config, |engine| engine, web)
    }

    /// [`Site::build`], the engine's builder passed through `engine` before it builds.
    fn assemble(
        config: ConfigBuilder,
        engine: impl FnOnce(AuthBuilder) -> AuthBuilder,
        web: impl FnOnce(AuthWebBuilder) -> AuthWebBuilder,
    ) -> Self {
        let store = Arc::new(MemoryStore::new());
        let sessions = Arc::new(CountingSessions {
            inner: store.clone(),
            calls: AtomicUsize::new(0),
            down: AtomicBool::new(false),
        });
        let mailer = CapturingMailer::new();
        let config = config
            .build()
            .unwrap_or_else(|e| panic!("a test configuration: {e}"));
        let auth = engine(
            Auth::builder(config)
                .store(store)
                .session_users(sessions.clone())
                .mailer(Arc::new(mailer.clone())),
        )
        .build()
        .unwrap_or_else(|e| panic!("a test engine: {e}"));
        let web = web(AuthWeb::builder(auth.clone()).insecure_dev_cookies(true))
            .build()
            .unwrap_or_else(|e| panic!("a test web layer: {e}"));
        Self {
            auth,
            web,
            mailer,
            sessions,
        }
    }

    /// The web layer, to build the application around.
    pub fn web(&self) -> AuthWeb {
        self.web.clone()
    }

    /// The engine.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Every mail the engine sent.
    pub fn mailer(&self) -> &CapturingMailer {
        &self.mailer
    }

    /// A browser on the web layer alone ([`LayerOnly`]), with the site's host and the
    /// user agent `test-browser/1.0`.
    pub fn browser(&self) -> Browser<LayerOnly> {
        let mut b = Browser::new(LayerOnly::new(self.web()));
        let base = &self.auth.config().links().base_url;
        base.split_once("://")
            .map_or(base.as_str(), |(_, host)| host)
            .clone_into(&mut b.host);
        b.user_agent = Some("test-browser/1.0".to_owned());
        b
    }

    /// Creates a user with [`PASSWORD`](super::PASSWORD).
    pub async fn user(&self, email: &str, roles: &[&str], verified: bool) -> User {
        super::create_user(&self.auth, email, roles, verified).await
    }

    /// The path of the newest link of `kind` mailed to `to` (`marker` is part of it,
    /// e.g. `/verify/`).
    pub fn mailed_path(&self, to: &str, kind: MailKind, marker: &str) -> String {
        let base = &self.auth.config().links().base_url;
        super::mailed_path(&self.mailer, base, to, kind, marker)
    }

    /// How many times a request's session was looked up so far.
    pub fn session_lookups(&self) -> usize {
        self.sessions.calls.load(Ordering::SeqCst)
    }

    /// Makes session lookups fail as an unreachable store would (`true`), or work again.
    pub fn session_store_down(&self, down: bool) {
        self.sessions.down.store(down, Ordering::SeqCst);
    }
}

/// The tests' configuration with the default registration mode.
fn base_config() -> ConfigBuilder {
    engine::config().registration(RegistrationMode::EnumerationSafe)
}

/// Counts session lookups, and fails them as an unreachable store would when told to.
#[derive(Debug)]
struct CountingSessions {
    inner: Arc<MemoryStore>,
    calls: AtomicUsize,
    down: AtomicBool,
}

#[async_trait]
impl SessionUserStore for CountingSessions {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> auth_core::Result<Option<(SessionRecord, User)>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(auth_core::Error::unavailable(std::io::Error::other(
                "connection refused",
            )));
        }
        self.inner.session_with_user(digest).await
    }
}
