//! The records the core reads and writes through the store traits.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::profile::Profile;
use crate::second_factor::{AuthMethod, SecondFactor};
use crate::session::SessionDigest;

/// A user's stable identifier (a UUIDv7, so ids sort by creation time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl UserId {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for UserId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// A PHC-format password hash. Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string as read from storage.
    pub fn new(phc: impl Into<String>) -> Self {
        Self(phc.into())
    }

    /// The PHC string, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The hash of an account that has no password (created by a sign-in at another
    /// provider): no password matches it, and it counts as no way to sign in. A reset
    /// link sets a real one.
    pub fn unusable() -> Self {
        Self(UNUSABLE_HASH.to_owned())
    }

    /// Whether a password can match this hash (false for [`PasswordHash::unusable`]).
    pub fn is_usable(&self) -> bool {
        self.0 != UNUSABLE_HASH
    }
}

/// What [`PasswordHash::unusable`] stores: not a PHC string (it starts with `!`), so no
/// hasher ever accepts it.
const UNUSABLE_HASH: &str = "!no-password";

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A random value that every credential change replaces. Link tokens carry the stamp
/// they were issued under, so a change of password or email kills every older token.
/// Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecurityStamp(String);

impl SecurityStamp {
    /// A fresh random stamp (128 bits, hex).
    pub fn generate() -> Self {
        Self(hex::encode(crate::random::bytes::<16>()))
    }

    /// Wraps a stamp as read from storage.
    pub fn new(stamp: impl Into<String>) -> Self {
        Self(stamp.into())
    }

    /// The stamp, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison with a stamp taken from a token.
    pub fn matches(&self, other: &str) -> bool {
        crate::random::constant_time_eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl fmt::Debug for SecurityStamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityStamp(<redacted>)")
    }
}

/// Whether an administrator has switched the account off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountStatus {
    /// The account may sign in (subject to lockout and verification policy).
    Active,
    /// An administrator disabled the account; it cannot sign in and has no sessions.
    Disabled,
}

impl AccountStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// A user account as stored.
///
/// `email` and `username` are stored normalised (see [`crate::validate`]); stores enforce
/// their uniqueness. `version` is the compare-and-swap counter of [`crate::UserStore`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable identifier.
    pub id: UserId,
    /// Normalised email address (unique).
    pub email: String,
    /// Normalised username (unique when present).
    pub username: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: PasswordHash,
    /// Active or disabled.
    pub status: AccountStatus,
    /// When the current email address was confirmed, if it was.
    pub email_verified_at: Option<OffsetDateTime>,
    /// Role names, sorted and without duplicates.
    pub roles: Vec<String>,
    /// Rotated on every credential change.
    pub security_stamp: SecurityStamp,
    /// Sign-in is refused until this instant.
    pub locked_until: Option<OffsetDateTime>,
    /// How many times the account has been locked; the lock grows with it.
    pub lockout_count: u32,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Time of the last change.
    pub updated_at: OffsetDateTime,
    /// Time of the last successful sign-in.
    pub last_login_at: Option<OffsetDateTime>,
    /// Compare-and-swap version; starts at 1.
    pub version: u64,
    /// The application-defined profile fields (see [`crate::profile`]). Records written
    /// before profiles existed read as an empty profile.
    #[serde(default)]
    pub profile: Profile,
    /// The second factor enrolled, if any (see [`crate::second_factor`]). Records written
    /// before second factors existed read as none.
    #[serde(default)]
    pub second_factor: Option<SecondFactor>,
    /// The language the person chose (a tag the application's
    /// [`Catalogues`](auth_i18n::Catalogues) offer, such as `de`): the language of the
    /// account's mails, and of its pages unless the request asks for another. `None`
    /// means: the offered language its profile `locale` names, if any, else the default
    /// language (one rule, [`Auth::account_language`](crate::Auth::account_language)).
    /// Records written before languages existed read as none.
    #[serde(default)]
    pub language: Option<String>,
}

impl User {
    /// Whether the user holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the current email address was confirmed.
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }

    /// What to call the person: the display name when set, else the email address.
    pub fn shown_name(&self) -> &str {
        self.profile.display_name().unwrap_or(&self.email)
    }
}

/// A stored session. The raw session id never reaches the store: only its digest.
///
/// Serialised records written before sessions kept their proofs (without `amr`,
/// `auth_time`, `proved_at`) read back as signed in by password at their creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredSession")]
pub struct SessionRecord {
    /// SHA-256 digest of the session id held in the client's cookie.
    pub digest: SessionDigest,
    /// The owner.
    pub user_id: UserId,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last time the session was used (updated at most once per touch interval).
    pub last_seen_at: OffsetDateTime,
    /// Hard limit: the session is dead after this instant whatever its use.
    pub expires_at: OffsetDateTime,
    /// Idle limit: the session is dead after this instant unless touched before.
    pub idle_expires_at: OffsetDateTime,
    /// Created with "remember me".
    pub remember: bool,
    /// The client's User-Agent at sign-in, truncated, for the device list.
    pub user_agent: Option<String>,
    /// The client's IP address at sign-in, for the device list.
    pub ip: Option<String>,
    /// The methods that proved the sign-in, and any re-authentication since, in the
    /// order first used (OpenID Connect's `amr`). Never empty.
    pub amr: Vec<AuthMethod>,
    /// When the sign-in was proved (OpenID Connect's `auth_time`): the last step of it.
    pub auth_time: OffsetDateTime,
    /// When the session last showed a fresh proof: its sign-in, or a re-authentication
    /// since (see [`Auth::step_up`](crate::Auth::step_up)). Sensitive actions need it to
    /// be recent.
    pub proved_at: OffsetDateTime,
}

/// How a [`SessionRecord`] is read from its serialised form: the proof fields may be
/// missing from records written before they existed.
#[derive(Deserialize)]
struct StoredSession {
    digest: SessionDigest,
    user_id: UserId,
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    idle_expires_at: OffsetDateTime,
    remember: bool,
    user_agent: Option<String>,
    ip: Option<String>,
    #[serde(default)]
    amr: Option<Vec<AuthMethod>>,
    #[serde(default)]
    auth_time: Option<OffsetDateTime>,
    #[serde(default)]
    proved_at: Option<OffsetDateTime>,
}

impl From<StoredSession> for SessionRecord {
    fn from(s: StoredSession) -> Self {
        Self {
            digest: s.digest,
            user_id: s.user_id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            idle_expires_at: s.idle_expires_at,
            remember: s.remember,
            user_agent: s.user_agent,
            ip: s.ip,
            amr: SessionRecord::amr_or_default(s.amr),
            auth_time: s.auth_time.unwrap_or(s.created_at),
            proved_at: s.proved_at.unwrap_or(s.created_at),
        }
    }
}

impl SessionRecord {
    /// The `amr` of a session read back: what was stored, or, for a session stored
    /// before sessions kept it (nothing, or an empty list), a password sign-in. Stores
    /// read the proof fields through this and [`SessionRecord::created_at`] so that
    /// every backend applies the same defaults.
    pub fn amr_or_default(stored: Option<Vec<AuthMethod>>) -> Vec<AuthMethod> {
        match stored {
            Some(amr) if !amr.is_empty() => amr,
            _ => vec![AuthMethod::Pwd],
        }
    }

    /// The `amr` after a fresh proof by `method`: the same list, with `method` added at
    /// the end when it is not there yet.
    pub fn amr_with(&self, method: AuthMethod) -> Vec<AuthMethod> {
        let mut amr = self.amr.clone();
        if !amr.contains(&method) {
            amr.push(method);
        }
        amr
    }

    /// Whether the session is still usable at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at && now < self.idle_expires_at
    }

    /// The instant after which the session is dead unless touched.
    pub fn dies_at(&self) -> OffsetDateTime {
        self.expires_at.min(self.idle_expires_at)
    }
}

/// The value of a rate-limit or lockout counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    /// Increments since the window opened.
    pub count: u64,
    /// When the window closes and the counter resets.
    pub expires_at: OffsetDateTime,
}

/// What kind of message a mail is, for templates, logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MailKind {
    /// Confirm the address given at registration.
    Verification,
    /// A link to choose a new password.
    PasswordReset,
    /// Confirm a new address before it replaces the old one.
    EmailChange,
    /// Tells the old address that a change to another address was requested.
    EmailChangeNotice,
    /// Tells the owner their password was changed.
    PasswordChanged,
    /// Someone tried to register with an address that already has an account.
    AccountExists,
    /// Tells the owner an authenticator app was added (two-step sign-in is on).
    SecondFactorEnabled,
    /// Tells the owner their authenticator app was removed (two-step sign-in is off).
    SecondFactorDisabled,
    /// Tells the owner one of their recovery codes was used to sign in.
    RecoveryCodeUsed,
    /// Tells the owner an administrator removed their authenticator app.
    SecondFactorReset,
    /// Tells the owner a sign-in provider was linked to the account.
    IdentityLinked,
    /// Tells the owner a sign-in provider was unlinked from the account.
    IdentityUnlinked,
    /// A one-time code and link to sign in by mail.
    SignInCode,
}

impl MailKind {
    /// A stable name, used for template file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verification => "verification",
            Self::PasswordReset => "password_reset",
            Self::EmailChange => "email_change",
            Self::EmailChangeNotice => "email_change_notice",
            Self::PasswordChanged => "password_changed",
            Self::AccountExists => "account_exists",
            Self::SecondFactorEnabled => "second_factor_enabled",
            Self::SecondFactorDisabled => "second_factor_disabled",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::SecondFactorReset => "second_factor_reset",
            Self::IdentityLinked => "identity_linked",
            Self::IdentityUnlinked => "identity_unlinked",
            Self::SignInCode => "sign_in_code",
        }
    }

    /// A short English label for people, e.g. "Password reset link", as the admin pages
    /// show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Verification => "Address confirmation link",
            Self::PasswordReset => "Password reset link",
            Self::EmailChange => "New address confirmation link",
            Self::EmailChangeNotice => "Notice of an address change",
            Self::PasswordChanged => "Notice of a password change",
            Self::AccountExists => "Notice of a sign-up with a taken address",
            Self::SecondFactorEnabled => "Notice that two-step sign-in was turned on",
            Self::SecondFactorDisabled => "Notice that two-step sign-in was turned off",
            Self::RecoveryCodeUsed => "Notice of a recovery code used",
            Self::SecondFactorReset => "Notice of a second factor reset by an administrator",
            Self::IdentityLinked => "Notice of a linked sign-in provider",
            Self::IdentityUnlinked => "Notice of an unlinked sign-in provider",
            Self::SignInCode => "Sign-in code and link",
        }
    }

    /// Parses the stored form ([`MailKind::as_str`]).
    pub fn parse(s: &str) -> Option<Self> {
        ALL_MAIL_KINDS.iter().copied().find(|k| k.as_str() == s)
    }
}

const ALL_MAIL_KINDS: [MailKind; 13] = [
    MailKind::Verification,
    MailKind::PasswordReset,
    MailKind::EmailChange,
    MailKind::EmailChangeNotice,
    MailKind::PasswordChanged,
    MailKind::AccountExists,
    MailKind::SecondFactorEnabled,
    MailKind::SecondFactorDisabled,
    MailKind::RecoveryCodeUsed,
    MailKind::SecondFactorReset,
    MailKind::IdentityLinked,
    MailKind::IdentityUnlinked,
    MailKind::SignInCode,
];

/// A composed message, ready for a [`crate::Mailer`]. Its `Debug` output omits the
/// bodies, which may carry link tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: Option<String>,
    /// What the message is for.
    pub kind: MailKind,
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Email")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A message waiting in the outbox: a mail whose sending failed, or a webhook call
/// waiting for its (next) attempt.
///
/// The engine seals mail bodies before it queues a message (they carry link tokens), so
/// what a store holds in `email.text` and `email.html` is ciphertext; recipient, subject
/// and kind stay readable for operators. A webhook call's body holds no secret and is
/// kept as it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Unique id (for a webhook call, also its `webhook-id`, the same on every attempt).
    pub id: Uuid,
    /// What is delivered. Serialised as an `email` or a `webhook` field of the message,
    /// so that the JSON of a message queued before webhooks existed still reads.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not to be tried before this instant.
    pub next_attempt_at: OffsetDateTime,
    /// When the message was first queued.
    pub created_at: OffsetDateTime,
    /// The last transport error, as text, for operators.
    pub last_error: Option<String>,
}

impl OutboxMessage {
    /// The mail, when the message is one.
    pub fn email(&self) -> Option<&Email> {
        match &self.delivery {
            Delivery::Email(email) => Some(email),
            Delivery::Webhook(_) => None,
        }
    }

    /// The webhook call, when the message is one.
    pub fn webhook(&self) -> Option<&WebhookCall> {
        match &self.delivery {
            Delivery::Webhook(call) => Some(call),
            Delivery::Email(_) => None,
        }
    }
}

/// What an outbox message delivers: the outbox carries both through one contract.
///
/// Deliberately exhaustive: every store must be able to keep every kind, so a new kind
/// is a breaking change that a store's author has to see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// A mail, its bodies sealed.
    Email(Email),
    /// A signed HTTP call to a webhook endpoint.
    Webhook(WebhookCall),
}

/// One audit event on its way to one webhook endpoint.
///
/// The signing secret is not part of it: the engine looks the endpoint up by its URL
/// when it sends the call and signs with the secret configured then, so a store never
/// holds a webhook secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookCall {
    /// The endpoint's URL, as configured.
    pub url: String,
    /// The event type, e.g. `auth.login_succeeded` (see
    /// [`webhooks::event_type`](crate::webhooks::event_type)).
    pub event_type: String,
    /// The JSON body, exactly as it is sent and signed.
    pub body: String,
}

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryState {
    /// Waiting for its first or next attempt (or being attempted).
    Pending,
    /// The endpoint answered with a 2xx status.
    Delivered,
    /// The engine gave up; only an administrator's retry sends it again.
    Failed,
}

impl DeliveryState {
    /// A stable name: `pending`, `delivered` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

/// A webhook delivery as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// The delivery's id in the outbox (its `webhook-id`).
    pub id: Uuid,
    /// The endpoint's URL.
    pub url: String,
    /// The event type.
    pub event_type: String,
    /// Pending, delivered or failed.
    pub state: DeliveryState,
    /// Attempts made so far (the successful one included).
    pub attempts: u32,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When a pending delivery is next tried (or its claim runs out).
    pub next_attempt_at: Option<OffsetDateTime>,
    /// When it was delivered or given up on.
    pub finished_at: Option<OffsetDateTime>,
    /// The outcome of the last attempt: the status the endpoint answered, or the
    /// transport error, or why the engine gave up.
    pub last_outcome: Option<String>,
}

/// A message the outbox gave up on, as an administrator sees it: who it was for, what
/// it was, and why it failed. Never its bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedMail {
    /// The message's id in the outbox.
    pub id: Uuid,
    /// Recipient address.
    pub to: String,
    /// What the message was for.
    pub kind: MailKind,
    /// Delivery attempts made.
    pub attempts: u32,
    /// When the message was queued.
    pub created_at: OffsetDateTime,
    /// When the outbox gave up on it.
    pub failed_at: OffsetDateTime,
    /// Why: the last transport error, or the reason the outbox stopped trying.
    pub last_error: String,
}

/// What happened, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditKind {
    /// An account was created.
    Registered,
    /// An email address was confirmed.
    EmailVerified,
    /// A successful sign-in.
    LoginSucceeded,
    /// A failed sign-in against an existing account.
    LoginFailed,
    /// The account was locked after repeated failures.
    Locked,
    /// A session was ended by its owner.
    LoggedOut,
    /// Every session of the user was ended.
    LoggedOutEverywhere,
    /// A reset link was requested.
    PasswordResetRequested,
    /// The password was set through a reset link.
    PasswordReset,
    /// The password was changed by its owner.
    PasswordChanged,
    /// A change of email address was requested.
    EmailChangeRequested,
    /// The email address was changed.
    EmailChanged,
    /// The account was deleted.
    AccountDeleted,
    /// An administrator disabled the account.
    Disabled,
    /// An administrator enabled the account.
    Enabled,
    /// An administrator lifted a lock.
    Unlocked,
    /// An administrator changed the roles.
    RolesChanged,
    /// An administrator ended every session of the user.
    ForcedLogout,
    /// A session was revoked from the device list.
    SessionRevoked,
    /// An administrator put a failed mail back in the outbox (recorded on the
    /// administrator's own trail, with the mail's id as detail).
    MailRetried,
    /// An administrator discarded a failed mail (recorded as [`AuditKind::MailRetried`]).
    MailDiscarded,
    /// The profile fields were changed (by the owner, or by an administrator as actor);
    /// the detail names the fields, never their values.
    ProfileChanged,
    /// An administrator put a failed webhook delivery back in the outbox (recorded on
    /// the administrator's own trail, with the delivery's id as detail).
    WebhookRetried,
    /// An administrator discarded a failed webhook delivery (recorded as
    /// [`AuditKind::WebhookRetried`]).
    WebhookDiscarded,
    /// The owner uploaded a profile picture (replacing any earlier one).
    PictureChanged,
    /// The owner removed the profile picture.
    PictureRemoved,
    /// An authenticator app was enrolled as second factor.
    SecondFactorEnabled,
    /// The owner removed the second factor.
    SecondFactorDisabled,
    /// An administrator removed the user's second factor.
    SecondFactorReset,
    /// A recovery code was used to sign in.
    RecoveryCodeUsed,
    /// New recovery codes replaced the old ones.
    RecoveryCodesRegenerated,
    /// The owner created an API key (the detail names its prefix and scopes).
    ApiKeyCreated,
    /// API keys were revoked: one by its owner (the detail names its prefix), or all of
    /// them (by the owner, or with the account disabled, deleted or reset).
    ApiKeysRevoked,
    /// An identity at another provider was linked (the detail names the provider).
    IdentityLinked,
    /// An identity at another provider was unlinked (the detail names the provider).
    IdentityUnlinked,
    /// The owner registered a passkey (the detail names it).
    PasskeyAdded,
    /// The owner renamed a passkey (the detail names it).
    PasskeyRenamed,
    /// The owner removed a passkey (the detail names it).
    PasskeyRemoved,
    /// A passkey answered with a signature counter at or below the one stored: the
    /// authenticator may have been cloned. The sign-in was refused.
    PasskeyCounterRegressed,
    /// The signed-in owner proved who they are again for sensitive actions (step-up;
    /// the detail names the method).
    Reauthenticated,
    /// A signed access token was issued for another service (the detail names the
    /// token's id, audience and scopes, and whether a session or an API key asked).
    AccessTokenIssued,
}

impl AuditKind {
    /// A stable name, for storage and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::EmailVerified => "email_verified",
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::Locked => "locked",
            Self::LoggedOut => "logged_out",
            Self::LoggedOutEverywhere => "logged_out_everywhere",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::EmailChangeRequested => "email_change_requested",
            Self::EmailChanged => "email_changed",
            Self::AccountDeleted => "account_deleted",
            Self::Disabled => "disabled",
            Self::Enabled => "enabled",
            Self::Unlocked => "unlocked",
            Self::RolesChanged => "roles_changed",
            Self::ForcedLogout => "forced_logout",
            Self::SessionRevoked => "session_revoked",
            Self::MailRetried => "mail_retried",
            Self::MailDiscarded => "mail_discarded",
            Self::ProfileChanged => "profile_changed",
            Self::WebhookRetried => "webhook_retried",
            Self::WebhookDiscarded => "webhook_discarded",
            Self::PictureChanged => "picture_changed",
            Self::PictureRemoved => "picture_removed",
            Self::SecondFactorEnabled => "second_factor_enabled",
            Self::SecondFactorDisabled => "second_factor_disabled",
            Self::SecondFactorReset => "second_factor_reset",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            Self::ApiKeyCreated => "api_key_created",
            Self::ApiKeysRevoked => "api_keys_revoked",
            Self::IdentityLinked => "identity_linked",
            Self::IdentityUnlinked => "identity_unlinked",
            Self::PasskeyAdded => "passkey_added",
            Self::PasskeyRenamed => "passkey_renamed",
            Self::PasskeyRemoved => "passkey_removed",
            Self::PasskeyCounterRegressed => "passkey_counter_regressed",
            Self::Reauthenticated => "reauthenticated",
            Self::AccessTokenIssued => "access_token_issued",
        }
    }

    /// A short English label for people, e.g. "Password reset requested", as the admin
    /// pages show it. Kept here, next to [`AuditKind::as_str`], because the enum is
    /// `#[non_exhaustive]`: only this crate can match it without a catch-all arm, so a new
    /// kind cannot be added without a label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Registered => "Account created",
            Self::EmailVerified => "Email address confirmed",
            Self::LoginSucceeded => "Signed in",
            Self::LoginFailed => "Sign-in failed",
            Self::Locked => "Locked after failed sign-ins",
            Self::LoggedOut => "Signed out",
            Self::LoggedOutEverywhere => "Signed out everywhere",
            Self::PasswordResetRequested => "Password reset requested",
            Self::PasswordReset => "Password reset by link",
            Self::PasswordChanged => "Password changed",
            Self::EmailChangeRequested => "Email change requested",
            Self::EmailChanged => "Email address changed",
            Self::AccountDeleted => "Account deleted",
            Self::Disabled => "Disabled by an administrator",
            Self::Enabled => "Enabled by an administrator",
            Self::Unlocked => "Unlocked by an administrator",
            Self::RolesChanged => "Roles changed",
            Self::ForcedLogout => "Signed out everywhere by an administrator",
            Self::SessionRevoked => "Device signed out",
            Self::MailRetried => "Failed mail put back in the outbox",
            Self::MailDiscarded => "Failed mail discarded",
            Self::ProfileChanged => "Profile changed",
            Self::WebhookRetried => "Failed webhook put back in the outbox",
            Self::WebhookDiscarded => "Failed webhook discarded",
            Self::PictureChanged => "Profile picture uploaded",
            Self::PictureRemoved => "Profile picture removed",
            Self::SecondFactorEnabled => "Authenticator app enrolled",
            Self::SecondFactorDisabled => "Second factor removed",
            Self::SecondFactorReset => "Second factor reset by an administrator",
            Self::RecoveryCodeUsed => "Signed in with a recovery code",
            Self::RecoveryCodesRegenerated => "Recovery codes replaced",
            Self::ApiKeyCreated => "API key created",
            Self::ApiKeysRevoked => "API keys revoked",
            Self::IdentityLinked => "Sign-in provider linked",
            Self::IdentityUnlinked => "Sign-in provider unlinked",
            Self::PasskeyAdded => "Passkey added",
            Self::PasskeyRenamed => "Passkey renamed",
            Self::PasskeyRemoved => "Passkey removed",
            Self::PasskeyCounterRegressed => {
                "Passkey refused: its signature counter went back (possibly cloned)"
            }
            Self::Reauthenticated => "Confirmed identity for a sensitive action",
            Self::AccessTokenIssued => "Access token issued",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        ALL_AUDIT_KINDS.iter().copied().find(|k| k.as_str() == s)
    }
}

const ALL_AUDIT_KINDS: [AuditKind; 41] = [
    AuditKind::Registered,
    AuditKind::EmailVerified,
    AuditKind::LoginSucceeded,
    AuditKind::LoginFailed,
    AuditKind::Locked,
    AuditKind::LoggedOut,
    AuditKind::LoggedOutEverywhere,
    AuditKind::PasswordResetRequested,
    AuditKind::PasswordReset,
    AuditKind::PasswordChanged,
    AuditKind::EmailChangeRequested,
    AuditKind::EmailChanged,
    AuditKind::AccountDeleted,
    AuditKind::Disabled,
    AuditKind::Enabled,
    AuditKind::Unlocked,
    AuditKind::RolesChanged,
    AuditKind::ForcedLogout,
    AuditKind::SessionRevoked,
    AuditKind::MailRetried,
    AuditKind::MailDiscarded,
    AuditKind::ProfileChanged,
    AuditKind::WebhookRetried,
    AuditKind::WebhookDiscarded,
    AuditKind::PictureChanged,
    AuditKind::PictureRemoved,
    AuditKind::SecondFactorEnabled,
    AuditKind::SecondFactorDisabled,
    AuditKind::SecondFactorReset,
    AuditKind::RecoveryCodeUsed,
    AuditKind::RecoveryCodesRegenerated,
    AuditKind::ApiKeyCreated,
    AuditKind::ApiKeysRevoked,
    AuditKind::IdentityLinked,
    AuditKind::IdentityUnlinked,
    AuditKind::PasskeyAdded,
    AuditKind::PasskeyRenamed,
    AuditKind::PasskeyRemoved,
    AuditKind::PasskeyCounterRegressed,
    AuditKind::Reauthenticated,
    AuditKind::AccessTokenIssued,
];

/// One entry of the audit trail. It never holds a password, token or session id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Unique id (UUIDv7, so ids sort by time).
    pub id: Uuid,
    /// When it happened.
    pub at: OffsetDateTime,
    /// What happened.
    pub kind: AuditKind,
    /// The account concerned.
    pub user_id: Option<UserId>,
    /// Who did it, when not the user (an administrator).
    pub actor_id: Option<UserId>,
    /// The client's IP address, when known.
    pub ip: Option<String>,
    /// Free-form detail for operators (e.g. the roles set).
    pub detail: Option<String>,
}

/// A page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// How many records to skip.
    pub offset: u64,
    /// How many records at most.
    pub limit: u64,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: 50,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_kind_has_its_own_label_for_people() {
        let mut seen = std::collections::HashSet::new();
        for kind in ALL_AUDIT_KINDS {
            let label = kind.label();
            assert!(seen.insert(label), "{label:?} is used twice");
            assert_ne!(label, kind.as_str(), "{kind:?} shows its storage name");
            assert!(
                label.starts_with(|c: char| c.is_ascii_uppercase()) && !label.contains('_'),
                "{label:?} is not a label for people"
            );
            assert_eq!(AuditKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(
            AuditKind::PasswordResetRequested.label(),
            "Password reset requested"
        );
    }

    #[test]
    fn every_mail_kind_parses_back_and_has_its_own_label() {
        let mut seen = std::collections::HashSet::new();
        for kind in ALL_MAIL_KINDS {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
            assert!(
                seen.insert(kind.label()),
                "{:?} is used twice",
                kind.label()
            );
        }
        assert_eq!(MailKind::parse("nonsense"), None);
    }
}
