//! The one error type of the core, shared by flows, stores and mailers.
//!
//! What a client may be told is deliberately coarse: [`Error::InvalidCredentials`] is the
//! same for an unknown account and a wrong password. The detail stays in logs and in
//! [`std::error::Error::source`].

use std::fmt;
use std::time::Duration;

/// A boxed error from a backend (database driver, Redis client, SMTP transport, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Convenience alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a flow, a store or a mailer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Unknown account or wrong password: deliberately indistinguishable.
    #[error("invalid credentials")]
    InvalidCredentials,

    /// The account is temporarily locked after repeated failures.
    #[error("account temporarily locked")]
    AccountLocked {
        /// How long until another attempt is accepted.
        retry_after: Duration,
    },

    /// The account was disabled by an administrator.
    #[error("account disabled")]
    AccountDisabled,

    /// The application's before-sign-in hook refused the sign-in (see
    /// [`Hooks::before_sign_in`](crate::hooks::Hooks::before_sign_in)); the message is
    /// the hook's, written for the person.
    #[error("sign-in refused by the application")]
    SignInRefused {
        /// What the person is told.
        message: String,
    },

    /// The password was right, and the account has a second factor: [`Auth::login`]
    /// opens no session for it (use [`Auth::sign_in`] and
    /// [`Auth::complete_sign_in`]).
    ///
    /// [`Auth::login`]: crate::Auth::login
    /// [`Auth::sign_in`]: crate::Auth::sign_in
    /// [`Auth::complete_sign_in`]: crate::Auth::complete_sign_in
    #[error("a second factor is required")]
    SecondFactorRequired,

    /// The flow requires a verified email address and the account has none.
    #[error("email address not verified")]
    EmailNotVerified,

    /// Too many requests for this identifier or address; try again later.
    #[error("too many requests")]
    RateLimited {
        /// How long until another attempt is accepted.
        retry_after: Duration,
    },

    /// Input failed validation; every offending field is listed with its reason.
    #[error("invalid input: {0}")]
    Validation(ValidationErrors),

    /// A link token was refused.
    #[error("invalid or expired link ({reason})")]
    Token {
        /// Why the token was refused.
        reason: TokenRejection,
        /// The decoder's error, when there was one.
        #[source]
        source: Option<BoxError>,
    },

    /// The request carries no valid session.
    #[error("not signed in")]
    Unauthenticated,

    /// The signed-in user lacks the role or permission the operation needs.
    #[error("not allowed")]
    Forbidden,

    /// A sensitive action needs a fresh proof of identity and the session's last one is
    /// too old (see [`ConfigBuilder::step_up_max_age`](crate::ConfigBuilder::step_up_max_age)):
    /// re-authenticate with [`Auth::step_up`](crate::Auth::step_up), then try again.
    #[error("re-authentication required")]
    ReauthenticationRequired,

    /// The signed-in user holds a role that requires a second factor and has none (see
    /// [`ConfigBuilder::require_second_factor_for_role`](crate::ConfigBuilder::require_second_factor_for_role)):
    /// nothing but enrolling one is allowed.
    #[error("a second factor must be enrolled first")]
    SecondFactorEnrolmentRequired,

    /// A unique field (normalised email or username) is already taken.
    #[error("{field} is already taken")]
    Conflict {
        /// Which field collided.
        field: UniqueField,
    },

    /// A compare-and-swap update lost: the record changed since it was read.
    #[error("the record was changed concurrently")]
    StaleVersion,

    /// The record does not exist.
    #[error("not found")]
    NotFound,

    /// A backend (database, cache, SMTP server) cannot be reached or timed out; retrying
    /// later may succeed.
    #[error("service temporarily unavailable")]
    Unavailable {
        /// The backend's error.
        #[source]
        source: BoxError,
    },

    /// A backend failed in a way that retrying will not fix (bad schema, corrupt data).
    #[error("storage backend error")]
    Backend {
        /// The backend's error.
        #[source]
        source: BoxError,
    },

    /// Sending mail failed for a reason that may pass (the server is down, timed out, or
    /// answered with a temporary 4xx reply): the outbox tries again later.
    #[error("sending mail failed")]
    Mail {
        /// The transport's error.
        #[source]
        source: BoxError,
    },

    /// The mail transport refused the message for good (an SMTP 5xx reply, or a recipient
    /// address it cannot use): sending it again would fail the same way, so the outbox
    /// marks it failed instead of retrying.
    #[error("mail refused for good")]
    MailRejected {
        /// The transport's error.
        #[source]
        source: BoxError,
    },

    /// Hashing or verifying a password failed for a reason other than a mismatch.
    #[error("password hashing failed")]
    Hashing {
        /// The hasher's error.
        #[source]
        source: BoxError,
    },

    /// A configuration value is unsafe or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl Error {
    /// A stable name of the variant, without its detail: for logs and metric labels
    /// (see [`telemetry`](crate::telemetry)).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountLocked { .. } => "account_locked",
            Self::AccountDisabled => "account_disabled",
            Self::SignInRefused { .. } => "sign_in_refused",
            Self::EmailNotVerified => "email_not_verified",
            Self::SecondFactorRequired => "second_factor_required",
            Self::RateLimited { .. } => "rate_limited",
            Self::Validation(_) => "validation",
            Self::Token { .. } => "invalid_token",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::ReauthenticationRequired => "reauthentication_required",
            Self::SecondFactorEnrolmentRequired => "second_factor_enrolment_required",
            Self::Conflict { .. } => "conflict",
            Self::StaleVersion => "stale_version",
            Self::NotFound => "not_found",
            Self::Unavailable { .. } => "unavailable",
            Self::Backend { .. } => "backend",
            Self::Mail { .. } => "mail",
            Self::MailRejected { .. } => "mail_rejected",
            Self::Hashing { .. } => "hashing",
            Self::Config(_) => "config",
        }
    }

    /// Wraps a backend error that retrying may fix (connection refused, timeout).
    pub fn unavailable(source: impl Into<BoxError>) -> Self {
        Self::Unavailable {
            source: source.into(),
        }
    }

    /// Wraps a backend error that retrying will not fix.
    pub fn backend(source: impl Into<BoxError>) -> Self {
        Self::Backend {
            source: source.into(),
        }
    }

    /// Wraps a mail transport error that retrying may fix (see [`Error::Mail`]).
    pub fn mail(source: impl Into<BoxError>) -> Self {
        Self::Mail {
            source: source.into(),
        }
    }

    /// Wraps a mail transport error that retrying will not fix (see
    /// [`Error::MailRejected`]).
    pub fn mail_rejected(source: impl Into<BoxError>) -> Self {
        Self::MailRejected {
            source: source.into(),
        }
    }

    /// A token refusal without an underlying decoder error.
    pub fn token(reason: TokenRejection) -> Self {
        Self::Token {
            reason,
            source: None,
        }
    }

    /// A validation failure of a single field.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Validation(ValidationErrors::single(field, reason))
    }

    /// How long the client should wait before retrying, for throttling errors.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::AccountLocked { retry_after } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }
}

/// The unique fields of a user record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UniqueField {
    /// The normalised email address.
    Email,
    /// The normalised username.
    Username,
    /// A session digest (a 256-bit collision, or the same session stored twice).
    SessionDigest,
    /// An API key's public id or digest (a collision, or the same key stored twice).
    ApiKey,
    /// An identity at another provider (provider and subject), linked to an account.
    Identity,
    /// A passkey's credential id (registered already, to this account or another).
    Passkey,
}

impl UniqueField {
    /// The form field name this corresponds to.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Username => "username",
            Self::SessionDigest => "session",
            Self::ApiKey => "api_key",
            Self::Identity => "provider",
            Self::Passkey => "passkey",
        }
    }
}

impl fmt::Display for UniqueField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a link token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenRejection {
    /// Not a well-formed token.
    Malformed,
    /// The signature does not match (tampered, or signed with another key).
    BadSignature,
    /// Past its expiry.
    Expired,
    /// Issued for another flow (e.g. a verification token presented for a reset).
    WrongPurpose,
    /// Signed with a key id this deployment does not know.
    UnknownKey,
    /// Uses an algorithm other than the pinned one (including `none`).
    DisallowedAlgorithm,
    /// Already used, or superseded by a later credential change.
    AlreadyUsed,
}

impl TokenRejection {
    /// A stable machine-readable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::WrongPurpose => "wrong_purpose",
            Self::UnknownKey => "unknown_key",
            Self::DisallowedAlgorithm => "disallowed_algorithm",
            Self::AlreadyUsed => "already_used",
        }
    }
}

impl fmt::Display for TokenRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field that failed validation and why, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form/JSON field name (`email`, `password`, ...).
    pub field: &'static str,
    /// A stable machine-readable code (`too_short`, `mismatch`, ...).
    pub code: &'static str,
    /// A human-readable reason.
    pub message: String,
}

/// A non-empty list of field errors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    errors: Vec<FieldError>,
}

impl ValidationErrors {
    /// An empty list, to accumulate into.
    pub fn new() -> Self {
        Self::default()
    }

    /// A list with one error whose code is `invalid`.
    pub fn single(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.push(field, "invalid", message);
        errors
    }

    /// Adds an error.
    pub fn push(&mut self, field: &'static str, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            code,
            message: message.into(),
        });
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The recorded errors, in order.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The first error for `field`, if any.
    pub fn field(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }

    /// `Ok(())` when empty, otherwise the list as an [`Error::Validation`].
    ///
    /// # Errors
    /// Returns [`Error::Validation`] when any error was recorded.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self))
        }
    }

    /// Moves every error of `other` into `self`.
    pub fn extend(&mut self, other: ValidationErrors) {
        self.errors.extend(other.errors);
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}
