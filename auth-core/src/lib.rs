//! # auth-core
//!
//! Every account flow of a web application (registration, email verification, login,
//! sessions, logout, password reset, account management, administration) as a pure state
//! machine over abstract store and mailer traits. No web framework, database driver or
//! HTTP crate is used here: adapters and stores live in their own crates.
//!
//! ## Quick start
//!
//! ```
//! use std::sync::Arc;
//! use auth_core::{Auth, CapturingMailer, Config, HashParams, Login, MailKind,
//!                 Registration, RegistrationMode, RequestContext};
//! use auth_store_memory::MemoryStore;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> auth_core::Result<()> {
//! let config = Config::builder()
//!     .app_name("Example")
//!     .base_url("https://example.com")        // mailed links point here
//!     .link_prefix("/auth")                   // where the web adapter is mounted
//!     .signing_key("2026-11", b"a secret of at least thirty-two bytes!".to_vec())
//!     .registration(RegistrationMode::RevealConflicts)
//!     .mail_in_background(false)
//! #   .hash_params(HashParams::insecure_fast_for_tests())
//!     .build()?;
//! let mailer = CapturingMailer::new();
//! let auth = Auth::builder(config)
//!     .store(Arc::new(MemoryStore::new()))
//!     .mailer(Arc::new(mailer.clone()))
//!     .build()?;
//!
//! let ctx = RequestContext::default();
//! auth.register(Registration {
//!     email: "ada@example.com".into(),
//!     username: None,
//!     password: "correct horse battery staple".into(),
//!     password_confirm: "correct horse battery staple".into(),
//!     profile: Default::default(),
//!     language: None,
//! }, &ctx).await?;
//!
//! // The verification link arrives by mail; following it confirms the address.
//! let mail = mailer.last_to("ada@example.com", MailKind::Verification).unwrap();
//! let link = CapturingMailer::link_in(&mail, "/verify/").unwrap();
//! let token = link.rsplit('/').next().unwrap();
//! auth.verify_email(token, &ctx).await?;
//!
//! let signed_in = auth.login(Login {
//!     login: "ada@example.com".into(),
//!     password: "correct horse battery staple".into(),
//!     remember: false,
//! }, &ctx).await?;
//! // Put `signed_in.token.expose()` in a cookie; on each request:
//! let who = auth.authenticate(&signed_in.token).await?.expect("a live session");
//! assert!(who.user.is_verified());
//! # Ok(())
//! # }
//! ```
//!
//! ## Where things are
//!
//! - [`Auth`]: the engine; its methods are the flows. Each flow validates, loads the
//!   account, applies a pure transition of the internal state machine (account states,
//!   events, effects; see the guide's chapter on the core), persists it with a
//!   compare-and-swap, then performs the effects (sessions, mail, audit).
//! - [`AccountState`]: where an account stands (pending, active, locked, disabled);
//!   [`LockoutPolicy`]: how repeated wrong passwords lock.
//! - [`UserStore`], [`SessionStore`], [`SessionUserStore`], [`CounterStore`],
//!   [`MailOutbox`], [`AuditSink`]: what a store implements, with the contracts in their
//!   docs; the `conformance` feature exports the kit that checks them. [`PictureStore`]
//!   keeps uploaded profile pictures (optional); [`IdentityStore`] the identities at
//!   other providers linked to accounts (optional, for "Sign in with ..."); a
//!   [`RevisionStore`] lets the engine keep session lookups in memory when users and
//!   sessions live in different stores (optional).
//! - [`identity`]: linked provider identities and the rules that decide what a
//!   provider's sign-in may do (never link an existing account silently).
//! - [`Mailer`]: what a mail transport implements; [`mail`] composes the messages.
//! - [`password`]: Argon2id hashing off the executor, and the NIST-style policy.
//! - [`token`]: signed, purpose-bound, expiring link tokens with key rotation.
//! - [`picture`]: uploaded profile pictures, checked and re-encoded so that nothing but
//!   pixels is kept.
//! - [`profile`]: application-defined profile fields, declared in the [`Config`],
//!   validated on every write, typed access through serde.
//! - [`Config`]: validated configuration with safe defaults.

#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub mod api_key;
mod config;
#[cfg(any(test, feature = "conformance"))]
#[cfg_attr(docsrs, doc(cfg(feature = "conformance")))]
pub mod conformance;
mod digest;
mod email_code;
mod engine;
mod error;
pub mod hooks;
pub mod identity;
mod machine;
pub mod mail;
mod model;
pub mod passkey;
pub mod password;
pub mod picture;
pub mod profile;
mod random;
pub mod second_factor;
pub mod session;
mod store;
pub mod telemetry;
pub mod token;
pub mod validate;
mod ways_in;
pub mod webhooks;

pub use api_key::{ApiKeyDigest, ApiKeyRecord, ApiKeyToken};
pub use auth_i18n::Catalogues;
pub use config::{
    Config, ConfigBuilder, DEFAULT_STEP_UP_MAX_AGE, Links, RateLimit, RateLimits, RegistrationMode,
    SessionConfig, StepUpPolicy,
};
pub use email_code::EmailCodes;
pub use engine::{
    AdminUserView, Auth, AuthBuilder, Authenticated, Clock, CodeReset, CreatedApiKey, EmailChange,
    EnrolmentAttempt, IdentitySignIn, ImportUser, KeyAuthenticated, Login, LoginSuccess,
    MAX_API_KEYS_PER_USER, ManualClock, NewApiKey, NewUser, Operator, OperatorAction,
    PasswordChange, PasswordReset, PendingLink, RegisterOutcome, Registration, RequestContext,
    SignIn, StepUp, SystemClock, TokenIssue,
};
pub use error::{
    BoxError, Error, FieldError, Message, Result, TokenRejection, UniqueField, ValidationErrors,
};
pub use identity::{Identity, ProviderIdentity, ProviderTokens};
pub use machine::{AccountState, LockoutPolicy};
pub use mail::{CapturingMailer, Mailer, OutboxPolicy};
pub use model::{
    AccountStatus, AuditEvent, AuditKind, Counter, Delivery, DeliveryState, Email, FailedMail,
    MailKind, OutboxMessage, Page, PasswordHash, SecurityStamp, SessionRecord, User, UserId,
    WebhookCall, WebhookDelivery,
};
pub use passkey::{PasskeyChallenge, PasskeyCredential, PasskeyUse, RelyingParty};
pub use password::{
    BreachCheck, BreachedPasswords, HashFormat, HashParams, Hasher, PasswordPolicy,
    PasswordVerified, SortedHashFile, WhenUnavailable,
};
pub use picture::{Picture, PictureFormat, PictureLimits, PictureRejection};
pub use profile::{Profile, ProfileField, ProfileSchema, ProfileUpdate};
pub use random::constant_time_eq;
pub use second_factor::{
    AuthMethod, PendingSignIn, RecoveryCodes, SecondFactor, TotpEnrolment, UnknownAuthMethod,
};
pub use session::{SessionDigest, SessionToken};
pub use store::{
    ApiKeyStore, AuditSink, CounterStore, EphemeralStore, IdentityStore, MAX_EPHEMERAL_VALUE,
    MailOutbox, PasskeyStore, PictureStore, RevisionStore, SessionStore, SessionUserStore,
    UserSearch, UserStore,
};
pub use token::{Claims, Purpose, TokenKeys, TokenLifetimes, TokenService};
