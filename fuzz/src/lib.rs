//! What the fuzz targets share: an engine over the memory store with fast hashing, its
//! web layer, and a single-threaded runtime to drive them.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use auth_core::{
    Auth, CapturingMailer, ConfigBuilder, ManualClock, NewUser, PasswordPolicy, RateLimit,
    RateLimits, RequestContext, User,
};
use auth_http::AuthWeb;
use auth_store_memory::MemoryStore;
use time::{Duration, OffsetDateTime};

/// The password every fuzzed account is created with.
pub const PASSWORD: &str = "correct horse battery staple";
/// A second password the targets change to.
pub const OTHER_PASSWORD: &str = "violet elephants juggle quietly";

/// The password to change to from `current`: the other of the two.
pub fn next_password(current: &str) -> &'static str {
    if current == PASSWORD {
        OTHER_PASSWORD
    } else {
        PASSWORD
    }
}

/// One engine and what a target needs to watch it.
pub struct Site {
    /// The engine.
    pub auth: Auth,
    /// Every mail sent.
    pub mailer: CapturingMailer,
    /// The engine's clock.
    pub clock: ManualClock,
}

/// The configuration of every target: the engine tests' (fast hashing, mail sent inline,
/// conflicts revealed) at `https://app.example`, with no strength estimate (`zxcvbn`
/// took most of each run's time, and the flows, not the estimator, are under test), and
/// rate limits loose enough that a long sequence of events is not refused for its length
/// alone.
pub fn config() -> ConfigBuilder {
    let loose = RateLimit::new(1_000_000, Duration::minutes(1));
    auth_core::conformance::engine::config()
        .app_name("Fuzz")
        .base_url("https://app.example")
        .password_policy(PasswordPolicy {
            check_strength: false,
            ..PasswordPolicy::default()
        })
        .rate_limits(RateLimits {
            login_per_ip: loose,
            login_per_identifier: loose,
            register_per_ip: loose,
            mail_per_ip: loose,
            mail_per_address: loose,
            email_change_per_account: loose,
            token_per_account: loose,
            ..RateLimits::default()
        })
}

impl Site {
    /// A fresh engine over an empty memory store, its clock at a fixed instant.
    pub fn new() -> Self {
        let mailer = CapturingMailer::new();
        let clock =
            ManualClock::new(OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("in range"));
        let auth = Auth::builder(config().build().expect("a valid configuration"))
            .store(Arc::new(MemoryStore::new()))
            .mailer(Arc::new(mailer.clone()))
            .clock(Arc::new(clock.clone()))
            .build()
            .expect("a complete engine");
        Self {
            auth,
            mailer,
            clock,
        }
    }

    /// Creates a confirmed account with [`PASSWORD`], an administrator's if `admin`.
    pub async fn account(&self, email: &str, admin: bool) -> User {
        self.auth
            .create_user(NewUser {
                email: email.into(),
                password: PASSWORD.into(),
                roles: if admin {
                    vec!["admin".into()]
                } else {
                    Vec::new()
                },
                verified: true,
                ..NewUser::default()
            })
            .await
            .expect("a new account")
    }

    /// The web layer over this engine, with secure (`__Host-`) cookies.
    pub fn web(&self) -> AuthWeb {
        AuthWeb::builder(self.auth.clone())
            .secret(vec![7u8; 32])
            .build()
            .expect("a valid web layer")
    }
}

impl Default for Site {
    fn default() -> Self {
        Self::new()
    }
}

/// The request context of every call: one client.
pub fn ctx() -> RequestContext {
    RequestContext::new(
        Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))),
        Some("fuzz/1.0".into()),
    )
}

/// A single-threaded runtime for the async calls of one input.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}
