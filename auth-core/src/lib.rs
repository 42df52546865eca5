//! # auth-core
//!
//! Every account flow of a web application (registration, email verification, login,
//! sessions, logout, password reset, account management, administration) as a pure state
//! machine over abstract store and mailer traits. No web framework, database driver or
//! HTTP crate is used here: adapters and stores live in their own crates.

mod config;
#[cfg(feature = "conformance")]
pub mod conformance;
mod engine;
mod error;
pub mod machine;
pub mod mail;
mod model;
pub mod password;
mod random;
pub mod session;
mod store;
pub mod token;
pub mod validate;

pub use config::{
    Config, ConfigBuilder, Links, RateLimit, RateLimits, RegistrationMode, SessionConfig,
};
pub use engine::{
    AdminUserView, Auth, AuthBuilder, Authenticated, Clock, EmailChange, Login, LoginSuccess,
    ManualClock, NewUser, PasswordChange, PasswordReset, RegisterOutcome, Registration,
    RequestContext, SystemClock,
};
pub use error::{
    BoxError, Error, FieldError, Result, TokenRejection, UniqueField, ValidationErrors,
};
pub use machine::{AccountState, LockoutPolicy};
pub use mail::{CapturingMailer, Mailer};
pub use model::{
    AccountStatus, AuditEvent, AuditKind, Counter, Email, MailKind, OutboxMessage, Page,
    PasswordHash, SecurityStamp, SessionRecord, User, UserId,
};
pub use password::{HashParams, Hasher, PasswordPolicy, PasswordVerified};
pub use random::constant_time_eq;
pub use session::{SessionDigest, SessionToken};
pub use store::{AuditSink, CounterStore, MailOutbox, SessionStore, SessionUserStore, UserStore};
pub use token::{Claims, Purpose, TokenKeys, TokenLifetimes, TokenService};
