//! The engine's flows over the stores under test: one setup shared by the flow tests of
//! this crate and the end-to-end tests of every store.
//!
//! An [`Engine`] is an [`Auth`] built from [`config`] (fast hashing, mail sent inline,
//! conflicts revealed, links under `https://app.test/auth`), a [`CapturingMailer`] and
//! a [`ManualClock`] at a whole second, plus whatever handle on the stores the test
//! keeps (`S`). Its helpers panic on anything unexpected: it is test code.
//!
//! ```
//! use std::sync::Arc;
//!
//! use auth_core::conformance::engine::{Engine, PASSWORD};
//! use auth_store_memory::MemoryStore;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let engine = Engine::on(Arc::new(MemoryStore::new()));
//! let ada = engine.registered_and_verified("ada@example.com").await;
//! assert!(ada.email_verified_at.is_some());
//! assert!(engine.login("ada@example.com", PASSWORD).await.is_ok());
//! # }
//! ```
#![expect(
    clippy::expect_used,
    reason = "test kit: a setup step that fails panics the test that runs it"
)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use time::OffsetDateTime;

use crate::config::{ConfigBuilder, RegistrationMode};
use crate::engine::{
    Auth, AuthBuilder, Authenticated, Login, LoginSuccess, ManualClock, NewUser, RegisterOutcome,
    Registration, RequestContext,
};
use crate::mail::CapturingMailer;
use crate::model::{MailKind, User};
use crate::password::HashParams;
use crate::store::{
    AuditSink, CounterStore, EphemeralStore, MailOutbox, SessionStore, SessionUserStore, UserStore,
};
use crate::{Config, Result};

/// The password of every account the helpers create.
pub const PASSWORD: &str = "correct horse battery staple";

/// A second password, for changes and resets.
pub const NEW_PASSWORD: &str = "violet elephants juggle quietly";

/// The test configuration: app "Test App" at `https://app.test` with links under
/// `/auth`, a fixed signing key, fast (insecure) hashing, mail sent inline and
/// registration conflicts revealed.
pub fn config() -> ConfigBuilder {
    Config::builder()
        .app_name("Test App")
        .base_url("https://app.test")
        .link_prefix("/auth")
        .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
        .hash_params(HashParams::insecure_fast_for_tests())
        .mail_in_background(false)
        .registration(RegistrationMode::RevealConflicts)
}

/// The request every helper sends: from `192.0.2.7` (TEST-NET-1) with user agent
/// `test-agent/1.0`.
pub fn request() -> RequestContext {
    RequestContext::new(
        Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))),
        Some("test-agent/1.0".into()),
    )
}

/// An engine over the stores under test, with its mailer and clock in reach.
#[derive(Debug)]
pub struct Engine<S> {
    /// The engine.
    pub auth: Auth,
    /// Every mail the engine sent.
    pub mailer: CapturingMailer,
    /// The engine's clock, which only moves when told to.
    pub clock: ManualClock,
    /// What the test keeps of the stores.
    pub store: S,
}

impl<S> Engine<S> {
    /// An engine from `config`, whose stores `wire` sets on the builder from `store`.
    ///
    /// # Panics
    /// When the configuration is invalid or a store is missing.
    pub fn wired(
        store: S,
        config: ConfigBuilder,
        wire: impl FnOnce(AuthBuilder, &S) -> AuthBuilder,
    ) -> Self {
        let mailer = CapturingMailer::new();
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let clock = ManualClock::new(
            OffsetDateTime::from_unix_timestamp(now).expect("the current second is a time"),
        );
        let builder = Auth::builder(config.build().expect("a valid test configuration"));
        let auth = wire(builder, &store)
            .mailer(Arc::new(mailer.clone()))
            .clock(Arc::new(clock.clone()))
            .build()
            .expect("every store set");
        Self {
            auth,
            mailer,
            clock,
            store,
        }
    }

    /// Registers `email` with [`PASSWORD`] and no username.
    ///
    /// # Panics
    /// Unless the account is created.
    pub async fn register(&self, email: &str) -> User {
        let registration = Registration {
            email: email.into(),
            username: None,
            password: PASSWORD.into(),
            password_confirm: PASSWORD.into(),
            profile: Default::default(),
            language: None,
        };
        match self.auth.register(registration, &request()).await {
            Ok(RegisterOutcome::Created(user)) => *user,
            other => panic!("registering {email}: expected a new account, got {other:?}"),
        }
    }

    /// The token at the end of the newest link of `kind` mailed to `to`, whose path
    /// starts with `/auth{marker}`.
    ///
    /// # Panics
    /// When there is no such mail or link.
    pub fn token_from_mail(&self, to: &str, kind: MailKind, marker: &str) -> String {
        let mail = self
            .mailer
            .last_to(to, kind)
            .unwrap_or_else(|| panic!("no {kind:?} mail to {to}"));
        let link = CapturingMailer::link_in(&mail, marker)
            .unwrap_or_else(|| panic!("no link with {marker} in the {kind:?} mail to {to}"));
        assert!(
            link.starts_with(&format!("https://app.test/auth{marker}")),
            "{link}"
        );
        link.rsplit('/').next().unwrap_or_default().to_owned()
    }

    /// Registers `email` and confirms it through the mailed link.
    ///
    /// # Panics
    /// When a step fails.
    pub async fn registered_and_verified(&self, email: &str) -> User {
        self.register(email).await;
        let token = self.token_from_mail(email, MailKind::Verification, "/verify/");
        match self.auth.verify_email(&token, &request()).await {
            Ok(user) => user,
            Err(e) => panic!("confirming {email}: {e}"),
        }
    }

    /// Creates `root@example.com`, confirmed, with the `admin` role, and signs it in.
    ///
    /// # Panics
    /// When a step fails.
    pub async fn admin(&self) -> Authenticated {
        let root = NewUser {
            email: "root@example.com".into(),
            password: PASSWORD.into(),
            roles: vec!["admin".into()],
            verified: true,
            ..NewUser::default()
        };
        if let Err(e) = self.auth.create_user(root).await {
            panic!("creating the administrator: {e}");
        }
        self.signed_in("root@example.com").await
    }

    /// Signs `login` in with [`PASSWORD`] and returns the request's view of the session.
    ///
    /// # Panics
    /// When the sign-in or the session lookup fails.
    pub async fn signed_in(&self, login: &str) -> Authenticated {
        let success = match self.login(login, PASSWORD).await {
            Ok(success) => success,
            Err(e) => panic!("signing {login} in: {e}"),
        };
        match self.auth.authenticate(&success.token).await {
            Ok(Some(authenticated)) => authenticated,
            other => panic!("the new session of {login}: {other:?}"),
        }
    }

    /// Signs in as `login` with `password`, without "remember me".
    pub async fn login(&self, login: &str, password: &str) -> Result<LoginSuccess> {
        let login = Login {
            login: login.into(),
            password: password.into(),
            remember: false,
        };
        self.auth.login(login, &request()).await
    }
}

impl<T> Engine<Arc<T>>
where
    T: UserStore
        + SessionStore
        + SessionUserStore
        + CounterStore
        + EphemeralStore
        + MailOutbox
        + AuditSink,
{
    /// An engine with [`config`] over one store that plays every role.
    pub fn on(store: Arc<T>) -> Self {
        Self::on_with(store, |c| c)
    }

    /// As [`Engine::on`], with the configuration changed by `configure`.
    pub fn on_with(store: Arc<T>, configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        Self::wired(store, configure(config()), |builder, store| {
            builder.store(store.clone())
        })
    }
}
