//! An engine over the memory store for the flow benches and the login storm.
//!
//! Mail goes to a mailer that drops it (the benches time the flows, not a mailbox), and
//! rate limits are raised out of the way: a bench repeats the same sign-in thousands of
//! times a second, which the default limits rightly refuse.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use async_trait::async_trait;
use auth_core::{
    Auth, Config, Email, HashParams, Login, LoginSuccess, Mailer, NewUser, RateLimit, RateLimits,
    RegistrationMode, RequestContext, User,
};
use auth_store_memory::MemoryStore;

/// The password every bench account uses.
pub const PASSWORD: &str = "correct horse battery staple";

/// A mailer that accepts and forgets every message.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullMailer;

#[async_trait]
impl Mailer for NullMailer {
    async fn send(&self, _email: &Email) -> auth_core::Result<()> {
        Ok(())
    }
}

/// Rate limits that a bench never reaches.
pub fn unlimited() -> RateLimits {
    let never = RateLimit::new(u64::MAX / 4, time::Duration::minutes(1));
    RateLimits {
        login_per_ip: never,
        login_per_identifier: never,
        register_per_ip: never,
        mail_per_ip: never,
        mail_per_address: never,
        email_change_per_account: never,
        token_per_account: never,
        ..RateLimits::default()
    }
}

/// An engine over a fresh memory store with the given hash parameters and at most
/// `max_concurrent_hashes` Argon2 runs at once (`None`: one per core, the default).
///
/// # Errors
/// Configuration errors from `auth-core`.
pub fn engine(params: HashParams, max_concurrent_hashes: Option<usize>) -> crate::Result<Auth> {
    let mut config = Config::builder()
        .app_name("Bench")
        .base_url("https://bench.test")
        .link_prefix("/auth")
        .signing_key("bench-1", b"bench signing key, thirty-two bytes+".to_vec())
        .hash_params(params)
        .rate_limits(unlimited())
        .registration(RegistrationMode::RevealConflicts)
        .mail_in_background(false);
    if let Some(n) = max_concurrent_hashes {
        config = config.max_concurrent_hashes(n);
    }
    let auth = Auth::builder(config.build()?)
        .store(Arc::new(MemoryStore::new()))
        .mailer(Arc::new(NullMailer))
        .build()?;
    Ok(auth)
}

/// The request context of every bench request.
pub fn ctx() -> RequestContext {
    RequestContext::new(
        Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))),
        Some("auth-benches/0.1".into()),
    )
}

/// Creates a verified account for `email` with [`PASSWORD`].
///
/// # Errors
/// Validation, conflict, hashing and store errors from `auth-core`.
pub async fn verified_user(auth: &Auth, email: &str) -> crate::Result<User> {
    let user = auth
        .create_user(NewUser {
            email: email.into(),
            username: None,
            password: PASSWORD.into(),
            roles: Vec::new(),
            verified: true,
            profile: Default::default(),
        })
        .await?;
    Ok(user)
}

/// Signs in as `email` with [`PASSWORD`].
///
/// # Errors
/// Whatever the login flow refuses.
pub async fn login(auth: &Auth, email: &str) -> crate::Result<LoginSuccess> {
    let ok = auth
        .login(
            Login {
                login: email.into(),
                password: PASSWORD.into(),
                remember: false,
            },
            &ctx(),
        )
        .await?;
    Ok(ok)
}
