//! A test harness: an engine over the memory store, a capturing mailer and a manual clock.
#![expect(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "`pub` items used by the test files that include this module; shared test support: a step that fails panics the calling test"
)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use auth_core::{
    Auth, CapturingMailer, ConfigBuilder, HashParams, Login, LoginSuccess, MailKind, ManualClock,
    RegisterOutcome, Registration, RegistrationMode, RequestContext, User,
};
use auth_store_memory::MemoryStore;

pub const PASSWORD: &str = "correct horse battery staple";
pub const NEW_PASSWORD: &str = "violet elephants juggle quietly";

pub struct Harness {
    pub auth: Auth,
    pub mailer: CapturingMailer,
    pub clock: ManualClock,
    pub store: Arc<MemoryStore>,
}

pub fn ctx() -> RequestContext {
    RequestContext::new(
        Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))),
        Some("test-agent/1.0".into()),
    )
}

pub fn config() -> ConfigBuilder {
    auth_core::Config::builder()
        .app_name("Test App")
        .base_url("https://app.test")
        .link_prefix("/auth")
        .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
        .hash_params(HashParams::insecure_fast_for_tests())
        .mail_in_background(false)
        .registration(RegistrationMode::RevealConflicts)
}

impl Harness {
    pub fn new() -> Self {
        Self::with(|c| c)
    }

    pub fn with(f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        Self::on_store(Arc::new(MemoryStore::new()), f)
    }

    pub fn on_store(
        store: Arc<MemoryStore>,
        f: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
    ) -> Self {
        let mailer = CapturingMailer::new();
        let clock = ManualClock::default();
        let auth = Auth::builder(f(config()).build().unwrap())
            .store(store.clone())
            .mailer(Arc::new(mailer.clone()))
            .clock(Arc::new(clock.clone()))
            .build()
            .unwrap();
        Self {
            auth,
            mailer,
            clock,
            store,
        }
    }

    pub async fn register(&self, email: &str) -> User {
        let outcome = self
            .auth
            .register(
                Registration {
                    email: email.into(),
                    username: None,
                    password: PASSWORD.into(),
                    password_confirm: PASSWORD.into(),
                },
                &ctx(),
            )
            .await
            .unwrap();
        match outcome {
            RegisterOutcome::Created(user) => *user,
            other => panic!("expected Created in RevealConflicts mode, got {other:?}"),
        }
    }

    /// The token at the end of the newest link of `kind` mailed to `to`.
    pub fn token_from_mail(&self, to: &str, kind: MailKind, marker: &str) -> String {
        let mail = self
            .mailer
            .last_to(to, kind)
            .unwrap_or_else(|| panic!("no {kind:?} mail to {to}"));
        let link = CapturingMailer::link_in(&mail, marker).expect("a link in the mail");
        assert!(
            link.starts_with(&format!("https://app.test/auth{marker}")),
            "{link}"
        );
        link.rsplit('/').next().unwrap().to_owned()
    }

    pub async fn registered_and_verified(&self, email: &str) -> User {
        self.register(email).await;
        let token = self.token_from_mail(email, MailKind::Verification, "/verify/");
        self.auth.verify_email(&token, &ctx()).await.unwrap()
    }

    /// Creates `root@example.com` with the admin role and signs it in.
    pub async fn admin(&self) -> auth_core::Authenticated {
        self.auth
            .create_user(auth_core::NewUser {
                email: "root@example.com".into(),
                password: PASSWORD.into(),
                roles: vec!["admin".into()],
                verified: true,
                ..auth_core::NewUser::default()
            })
            .await
            .unwrap();
        self.signed_in("root@example.com").await
    }

    /// Signs in with [`PASSWORD`] and returns the request's view of the new session.
    pub async fn signed_in(&self, login: &str) -> auth_core::Authenticated {
        let s = self.login(login, PASSWORD).await.unwrap();
        self.auth.authenticate(&s.token).await.unwrap().unwrap()
    }

    pub async fn login(&self, login: &str, password: &str) -> auth_core::Result<LoginSuccess> {
        self.auth
            .login(
                Login {
                    login: login.into(),
                    password: password.into(),
                    remember: false,
                },
                &ctx(),
            )
            .await
    }
}
