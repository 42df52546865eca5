//! The one error type of the core, shared by flows, stores and mailers.
//!
//! What a client may be told is deliberately coarse: [`Error::InvalidCredentials`] is the
//! same for an unknown account and a wrong password. The detail stays in logs and in
//! [`std::error::Error::source`].

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use auth_i18n::Catalogues;

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

    /// A validation failure of a single field, with code `invalid`.
    pub fn invalid(field: &'static str, reason: Message) -> Self {
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

/// A text of the message catalogues (`messages.ftl` of crate `auth-i18n`): a stable id
/// and its named arguments, so that the web layer can say it in the reader's language.
///
/// Numbers, sizes and names inside a reason are arguments (`$n`, `$max`), never part of
/// the id. [`english`](Self::english) renders it from the shipped English catalogue, which
/// is what [`FieldError::message`] holds.
///
/// A technical detail (a parser's error) is never an argument: the message says the
/// coarse reason, and the detail rides along for operators and logs
/// ([`with_detail`](Self::with_detail)), never rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
    following: Vec<Message>,
    detail: Option<String>,
}

/// The value of a [`Message`]'s argument.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    /// Shown as it is, in every language.
    Text(String),
    /// A message of its own, in the same language ("5 minutes" inside a sentence).
    Message(Message),
}

impl Message {
    /// The message `id`, without arguments yet.
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
            following: Vec::new(),
            detail: None,
        }
    }

    /// Attaches a technical detail (why a parser refused a value), in English. It is
    /// not part of the message in any language and the web layer never shows it; the
    /// code that makes the message logs it, and operator tools (the command line's
    /// import report) print it after the message ([`detail`](Self::detail)).
    #[must_use]
    pub fn with_detail(mut self, detail: impl fmt::Display) -> Self {
        self.detail = Some(detail.to_string());
        self
    }

    /// The technical detail attached with [`with_detail`](Self::with_detail), if any.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// Adds the argument `name` (`$name` in the catalogues).
    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    /// Adds the argument `name` as a message of its own, rendered in the same language.
    #[must_use]
    pub fn arg_message(mut self, name: &'static str, value: Message) -> Self {
        self.args.push((name, Arg::Message(value)));
        self
    }

    /// Adds a sentence that follows this one (a password's weakness, then advice), in
    /// the same language.
    #[must_use]
    pub fn then(mut self, next: Message) -> Self {
        self.following.push(next);
        self
    }

    /// The message id (`field-email-quoted`).
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The sentences that follow this one (see [`then`](Self::then)).
    pub fn following(&self) -> &[Message] {
        &self.following
    }

    /// The message in `lang` from `catalogues`, with its arguments filled in and the
    /// sentences that follow it appended.
    pub fn render(&self, catalogues: &Catalogues, lang: &str) -> String {
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, value)| match value {
                Arg::Text(text) => (*name, text.clone()),
                Arg::Message(message) => (*name, message.render(catalogues, lang)),
            })
            .collect();
        let args: Vec<(&str, &str)> = values
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let mut text = catalogues.text_with(lang, self.id, &args);
        for next in &self.following {
            text.push(' ');
            text.push_str(&next.render(catalogues, lang));
        }
        text
    }

    /// The message in the shipped English catalogue.
    pub fn english(&self) -> String {
        static SHIPPED: LazyLock<Catalogues> = LazyLock::new(Catalogues::shipped);
        self.render(&SHIPPED, "en")
    }
}

/// One field that failed validation and why, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form/JSON field name (`email`, `password`, ...).
    pub field: &'static str,
    /// A stable machine-readable code (`too_short`, `mismatch`, ...).
    pub code: &'static str,
    /// A human-readable reason, in English.
    pub message: String,
    /// The reason as a message of the catalogues, which the web layer renders in the
    /// reader's language; `None` for a text written elsewhere (an application hook's
    /// refusal), which is shown as written.
    pub reason: Option<Message>,
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
    pub fn single(field: &'static str, reason: Message) -> Self {
        let mut errors = Self::new();
        errors.push(field, "invalid", reason);
        errors
    }

    /// Adds an error whose reason is a message of the catalogues.
    pub fn push(&mut self, field: &'static str, code: &'static str, reason: Message) {
        self.errors.push(FieldError {
            field,
            code,
            message: reason.english(),
            reason: Some(reason),
        });
    }

    /// Adds an error whose reason is a text written elsewhere (an application hook's
    /// refusal): it is shown as written, in every language.
    pub fn push_text(
        &mut self,
        field: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.errors.push(FieldError {
            field,
            code,
            message: message.into(),
            reason: None,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message id written in `dir`'s Rust files: the string literals that start
    /// like one (`"field-…"`, `"error-…"`, `"password-…"`, `"duration-…"`).
    fn ids_in(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                ids_in(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for literal in text.split('"').skip(1).step_by(2) {
                    let id = ["field-", "error-", "password-", "duration-"]
                        .iter()
                        .any(|p| literal.starts_with(p))
                        && literal
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                    if id {
                        out.push(literal.to_owned());
                    }
                }
            }
        }
    }

    #[test]
    fn every_id_the_core_gives_is_in_the_english_catalogue() {
        let mut ids = Vec::new();
        ids_in(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut ids,
        );
        ids.sort();
        ids.dedup();
        // The reasons of validate.rs, the password policy, the picture rules, profiles,
        // passkeys, API keys, codes and the password advice.
        assert!(ids.len() > 100, "{ids:?}");
        let catalogues = Catalogues::shipped();
        let missing: Vec<&String> = ids.iter().filter(|id| !catalogues.has("en", id)).collect();
        assert!(missing.is_empty(), "not in en/messages.ftl: {missing:?}");
    }

    #[test]
    fn a_reason_keeps_its_id_and_renders_its_arguments_in_english() {
        let mut errors = ValidationErrors::new();
        errors.push(
            "username",
            "too_short",
            Message::new("field-username-too_short").arg("n", 3),
        );
        errors.push_text("email", "not_allowed", "Not with this address.");
        let [short, hook] = errors.errors() else {
            panic!("two errors");
        };
        assert_eq!(short.message, "A username has at least 3 characters.");
        assert_eq!(
            short.reason.as_ref().map(Message::id),
            Some("field-username-too_short")
        );
        assert_eq!(hook.message, "Not with this address.");
        assert_eq!(hook.reason, None);
        let weak = Message::new("field-password-too_weak")
            .then(Message::new("password-warning-dates"))
            .then(Message::new("password-advice-recent_years"));
        assert_eq!(
            weak.english(),
            "This password is too easy to guess. Dates are often easy to guess. Avoid recent years."
        );
        assert!(!weak.english().contains('{'), "every placeholder is filled");
        let de = weak.render(&Catalogues::shipped(), "de");
        assert!(
            de.starts_with("Dieses Passwort ist zu leicht zu erraten. Daten"),
            "{de}"
        );
    }
}
