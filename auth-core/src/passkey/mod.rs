//! Passkeys (WebAuthn): credentials as data on the account, and the relying party they
//! are bound to.
//!
//! The ceremonies themselves are `webauthn-rs`'s (never hand-written CBOR or signature
//! code here): registration and authentication are start/finish pairs on
//! [`Auth`](crate::Auth). What this module adds is what the toolkit keeps:
//!
//! - [`RelyingParty`]: the RP id and the origins allowed, from configuration; a browser
//!   answering for another origin or RP id is refused by `webauthn-rs`.
//! - [`PasskeyCredential`]: one registered passkey of an account (its credential id,
//!   the `webauthn-rs` passkey as JSON with the public key, sign count and backup flags,
//!   the transports, a name, and when it was created and last used), persisted by a
//!   [`PasskeyStore`](crate::PasskeyStore).
//! - [`PasskeyChallenge`]: what a started ceremony gives the client (the options for
//!   `navigator.credentials`) and the token that names its server-side state. That state
//!   lives in the [`EphemeralStore`](crate::EphemeralStore) under the token's digest, for
//!   a few minutes, and is *taken* by the finish: a challenge is answered once. A
//!   passwordless sign-in, which a sign-in page with passkey autofill starts on every
//!   load, stores nothing when it starts: its state is sealed into its token, and the
//!   finish marks its challenge used instead.

mod challenge;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

use crate::error::{Error, Result};
use crate::model::UserId;

pub use challenge::PasskeyChallenge;
pub(crate) use challenge::{Ceremony, ChallengeRecord, SignInSealer};

/// The longest passkey name, in characters.
pub const MAX_PASSKEY_NAME_CHARS: usize = 64;
/// The most passkeys one account may register.
pub const MAX_PASSKEYS_PER_USER: usize = 20;

/// The relying party: the site passkeys are bound to.
///
/// The RP id is a registrable domain (`example.com`), and each allowed origin
/// (`https://example.com`, `https://login.example.com`) must be that domain or one of its
/// subdomains. Browsers put the origin of the page into every answer, and authenticators
/// sign the RP id's hash: `webauthn-rs` refuses an answer whose origin is not allowed or
/// whose RP id hash differs. Local development uses `localhost` with
/// `http://localhost:PORT` (browsers treat it as a secure context).
#[derive(Clone)]
pub struct RelyingParty {
    rp_id: String,
    origins: Vec<Url>,
    webauthn: Webauthn,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty")
            .field("rp_id", &self.rp_id)
            .field("origins", &self.origins)
            .finish_non_exhaustive()
    }
}

impl RelyingParty {
    /// A relying party with this RP id, display name and allowed origins (at least one).
    ///
    /// # Errors
    /// [`Error::Config`] when no origin is given, an origin is not a URL, or the RP id is
    /// not the origin's host or a parent domain of it.
    pub fn new(rp_id: &str, rp_name: &str, origins: &[&str]) -> Result<Self> {
        let parsed = origins
            .iter()
            .map(|o| {
                Url::parse(o)
                    .map_err(|e| Error::Config(format!("passkey origin {o:?} is not a URL: {e}")))
            })
            .collect::<Result<Vec<Url>>>()?;
        let Some((first, more)) = parsed.split_first() else {
            return Err(Error::Config("passkeys need at least one origin".into()));
        };
        let mut builder = WebauthnBuilder::new(rp_id, first).map_err(|e| {
            Error::Config(format!(
                "passkey RP id {rp_id:?} is not the host of {first} or a parent domain of it: {e}"
            ))
        })?;
        for origin in more {
            // The same rule for every origin (webauthn-rs checks only the first).
            if WebauthnBuilder::new(rp_id, origin).is_err() {
                return Err(Error::Config(format!(
                    "passkey RP id {rp_id:?} is not the host of {origin} or a parent domain of it"
                )));
            }
            builder = builder.append_allowed_origin(origin);
        }
        let webauthn = builder
            .rp_name(rp_name)
            .build()
            .map_err(|e| Error::Config(format!("passkey relying party: {e}")))?;
        Ok(Self {
            rp_id: rp_id.to_owned(),
            origins: parsed,
            webauthn,
        })
    }

    /// The RP id.
    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    /// The origins allowed.
    pub fn origins(&self) -> &[Url] {
        &self.origins
    }

    pub(crate) fn webauthn(&self) -> &Webauthn {
        &self.webauthn
    }
}

/// One registered passkey of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyCredential {
    /// The credential id (base64url without padding): unique across all accounts.
    pub id: String,
    /// The account it signs in.
    pub user_id: UserId,
    /// The owner's name for it ("MacBook Touch ID").
    pub name: String,
    /// The `webauthn-rs` passkey as JSON: the public key, its algorithm, the sign count
    /// and the backup flags it verifies against. Public data; no secret.
    pub passkey: String,
    /// The signature counter last seen (0 for authenticators without one, like most
    /// synced passkeys).
    pub sign_count: u32,
    /// Whether the authenticator may back the credential up (a synced passkey).
    pub backup_eligible: bool,
    /// Whether it was backed up when last used.
    pub backup_state: bool,
    /// How the browser said it reaches the authenticator (`internal`, `usb`, `hybrid`,
    /// ...), as a hint for later sign-ins.
    pub transports: Vec<String>,
    /// When it was registered.
    pub created_at: OffsetDateTime,
    /// When it last signed in.
    pub last_used_at: Option<OffsetDateTime>,
}

/// What a successful use of a passkey changes on its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyUse {
    /// The passkey JSON, with its counter and flags updated.
    pub passkey: String,
    /// The new signature counter.
    pub sign_count: u32,
    /// The backup eligibility now reported.
    pub backup_eligible: bool,
    /// The backup state now reported.
    pub backup_state: bool,
    /// When it was used.
    pub at: OffsetDateTime,
}

/// Proof that a passkey assertion was verified for an account: only the engine's finish
/// of an authentication ceremony makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a verified passkey is the proof a flow needs; dropping it drops the proof"]
pub(crate) struct PasskeyVerified {
    user: UserId,
}

impl PasskeyVerified {
    pub(crate) fn new(user: UserId) -> Self {
        Self { user }
    }

    /// The account the assertion was verified for.
    pub(crate) fn user(&self) -> UserId {
        self.user
    }
}
