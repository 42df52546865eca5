//! Passkeys: registering them from the account, signing in with one alone
//! (passwordless), or using one as the second step after the password; listing, renaming
//! and removing them.
//!
//! Every ceremony is a start/finish pair. The start keeps `webauthn-rs`'s state in the
//! [`EphemeralStore`](crate::EphemeralStore) under the digest of a fresh token, bound to
//! what it was started for (the session, or the pending sign-in); the finish *takes* it,
//! so a challenge is answered once, on any instance, and a second answer finds nothing.

use std::sync::Arc;

use time::Duration;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PublicKeyCredential, RegisterPublicKeyCredential,
    WebauthnError,
};

use super::effects::{MailLinks, Origin};
use super::lockout::Subject;
use super::login::login_telemetry;
use super::second_factor::{PENDING_MAX_FAILURES, pending_gone};
use super::throttle::Counted;
use super::{Auth, Authenticated, LoginSuccess, RequestContext};
use crate::error::{Error, Message, Result, UniqueField};
use crate::hooks::Veto;
use crate::machine::Event;
use crate::model::{AuditKind, UserId};
use crate::passkey::{
    Ceremony, ChallengeRecord, MAX_PASSKEY_NAME_CHARS, MAX_PASSKEYS_PER_USER, PasskeyChallenge,
    PasskeyCredential, PasskeyUse, PasskeyVerified, RelyingParty,
};
use crate::second_factor::AuthMethod;
use crate::second_factor::{PendingRecord, PendingSignIn, SecondFactorVerified};
use crate::store::PasskeyStore;
use crate::ways_in::Losing;

/// How long a started ceremony waits for its answer (`webauthn-rs`'s timeout for the
/// browser is the same five minutes).
const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// The longest answer (a credential as JSON) looked at.
const MAX_CREDENTIAL_INPUT: usize = 16 * 1024;

/// A challenge that is unknown, expired, already answered, or for something else.
pub(super) fn challenge_gone() -> Error {
    Error::invalid("challenge", Message::new("field-challenge-gone"))
}

/// An answer that is not a WebAuthn credential at all.
pub(super) fn malformed() -> Error {
    Error::invalid("credential", Message::new("field-credential-malformed"))
}

/// The browser's answer (`credential.toJSON()`), read as `T`: refused as [`malformed`]
/// when longer than [`MAX_CREDENTIAL_INPUT`] or not of that shape.
pub(super) fn parse_answer<T: serde::de::DeserializeOwned>(credential: &str) -> Result<T> {
    if credential.len() > MAX_CREDENTIAL_INPUT {
        return Err(malformed());
    }
    serde_json::from_str(credential).map_err(|_| malformed())
}

/// The credential id as stored: base64url without padding.
pub(super) fn credential_id(raw: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// A passkey name, trimmed and checked.
pub(super) fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        Err(Error::invalid(
            "name",
            Message::new("field-passkey_name-required"),
        ))
    } else if name.chars().count() > MAX_PASSKEY_NAME_CHARS {
        Err(Error::invalid(
            "name",
            Message::new("field-passkey_name-too_long").arg("n", MAX_PASSKEY_NAME_CHARS),
        ))
    } else if name.chars().any(char::is_control) {
        Err(Error::invalid(
            "name",
            Message::new("field-passkey_name-control_characters"),
        ))
    } else {
        Ok(name.to_owned())
    }
}

/// Registration options that ask for a discoverable credential where the authenticator
/// can keep one: `webauthn-rs` discourages resident keys for passkeys, and a
/// passwordless sign-in needs them.
pub(super) fn with_resident_key(mut options: serde_json::Value) -> serde_json::Value {
    if let Some(selection) = options
        .pointer_mut("/publicKey/authenticatorSelection")
        .and_then(serde_json::Value::as_object_mut)
    {
        selection.insert("residentKey".into(), "preferred".into());
    }
    options
}

/// Options as JSON for the client.
pub(super) fn options_json(options: &impl serde::Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(options).map_err(Error::backend)
}

impl Auth {
    /// Whether passkeys were turned on ([`AuthBuilder::passkeys`](crate::AuthBuilder::passkeys)).
    pub fn passkeys_enabled(&self) -> bool {
        self.inner.passkeys.is_some()
    }

    pub(super) fn passkey_setup(&self) -> Result<(&Arc<dyn PasskeyStore>, &RelyingParty)> {
        self.inner
            .passkeys
            .as_ref()
            .map(|(store, rp)| (store, rp))
            .ok_or(Error::NotFound)
    }

    /// Whether the account has a passkey (false when passkeys are off).
    pub(super) async fn has_passkeys(&self, user: UserId) -> Result<bool> {
        match &self.inner.passkeys {
            Some((store, _)) => Ok(!store.passkeys_for_user(user).await?.is_empty()),
            None => Ok(false),
        }
    }

    /// Deletes the passkeys of a deleted account (logged, not fatal: the account is gone).
    pub(super) async fn forget_passkeys(&self, user_id: UserId) {
        if let Some((store, _)) = &self.inner.passkeys
            && let Err(e) = store.delete_passkeys_for_user(user_id).await
        {
            tracing::warn!(error = %e, %user_id, "could not delete the passkeys of a deleted account");
        }
    }

    /// The signed-in user's passkeys, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] when passkeys are off; store errors.
    pub async fn passkeys(&self, auth: &Authenticated) -> Result<Vec<PasskeyCredential>> {
        let (store, _) = self.passkey_setup()?;
        store.passkeys_for_user(auth.user.id).await
    }

    /// Keeps a started ceremony and returns its challenge.
    pub(super) async fn open_challenge(
        &self,
        ceremony: Ceremony,
        options: serde_json::Value,
    ) -> Result<PasskeyChallenge> {
        let now = self.now();
        let expires_at = now + CHALLENGE_LIFETIME;
        let challenge = PasskeyChallenge::generate(options, expires_at);
        let key = PasskeyChallenge::key_of(challenge.token()).ok_or_else(challenge_gone)?;
        let record = ChallengeRecord {
            ceremony,
            expires_at,
        };
        let stored = self
            .inner
            .ephemeral
            .insert(&key, &record.to_bytes()?, expires_at, now)
            .await?;
        if !stored {
            // A 256-bit collision: never silently shared.
            return Err(Error::backend("a passkey challenge token collided"));
        }
        Ok(challenge)
    }

    /// Takes a started ceremony: once only, on any instance.
    pub(super) async fn take_challenge(&self, token: &str) -> Result<Ceremony> {
        let key = PasskeyChallenge::key_of(token).ok_or_else(challenge_gone)?;
        let taken = self.inner.ephemeral.take(&key, self.now()).await?;
        Ok(ChallengeRecord::from_bytes(&taken.ok_or_else(challenge_gone)?)?.ceremony)
    }

    /// Starts registering a passkey for the signed-in user: the options for
    /// `navigator.credentials.create()`. Discoverable credentials (so that the passkey
    /// can sign in without a username) are preferred, user verification required; the
    /// account's passkeys are excluded, so one authenticator is not registered twice.
    /// The challenge is bound to this session.
    ///
    /// # Errors
    /// [`Error::NotFound`] when passkeys are off; [`Error::Validation`] on `name` when
    /// the account holds [`MAX_PASSKEYS_PER_USER`] passkeys; store errors.
    #[tracing::instrument(name = "auth.start_passkey_registration", skip_all, fields(user_id = %auth.user.id))]
    pub async fn start_passkey_registration(
        &self,
        auth: &Authenticated,
    ) -> Result<PasskeyChallenge> {
        let (store, rp) = self.passkey_setup()?;
        let user = self.load_user(auth.user.id).await?;
        let existing = store.passkeys_for_user(user.id).await?;
        if existing.len() >= MAX_PASSKEYS_PER_USER {
            return Err(Error::invalid(
                "name",
                Message::new("field-name-too_many_passkeys"),
            ));
        }
        let exclude = existing
            .iter()
            .map(|p| serde_json::from_str::<Passkey>(&p.passkey).map(|k| k.cred_id().clone()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(Error::backend)?;
        let display = user.username.as_deref().unwrap_or(&user.email);
        let (options, state) = rp
            .webauthn()
            .start_passkey_registration(user.id.0, &user.email, display, Some(exclude))
            .map_err(Error::backend)?;
        let options = with_resident_key(options_json(&options)?);
        let ceremony = Ceremony::Registration {
            user: user.id,
            session: auth.session.digest.to_hex(),
            state,
        };
        self.open_challenge(ceremony, options).await
    }

    /// Finishes a registration started by [`Auth::start_passkey_registration`] in the
    /// same session, with the browser's answer (the `PublicKeyCredential` as JSON, binary
    /// values in base64url) and a name for the passkey.
    ///
    /// # Errors
    /// [`Error::Validation`] on `name` (blank, too long, control characters), on
    /// `challenge` (unknown, expired, used, or started by another session or account) or
    /// on `credential` (malformed, wrong origin or RP id, not user-verified, not answering
    /// this challenge, or registered already); [`Error::NotFound`] when passkeys are off.
    #[tracing::instrument(name = "auth.finish_passkey_registration", skip_all, fields(user_id = %auth.user.id))]
    pub async fn finish_passkey_registration(
        &self,
        auth: &Authenticated,
        challenge: &str,
        name: &str,
        credential: &str,
        ctx: &RequestContext,
    ) -> Result<PasskeyCredential> {
        let (store, rp) = self.passkey_setup()?;
        let name = checked_name(name)?;
        let answer: RegisterPublicKeyCredential = parse_answer(credential)?;
        let Ceremony::Registration {
            user,
            session,
            state,
        } = self.take_challenge(challenge).await?
        else {
            return Err(challenge_gone());
        };
        if user != auth.user.id || session != auth.session.digest.to_hex() {
            return Err(challenge_gone());
        }
        let passkey = rp
            .webauthn()
            .finish_passkey_registration(&answer, &state)
            .map_err(|e| {
                tracing::info!(error = %e, "a passkey registration was refused");
                Error::invalid("credential", Message::new("field-credential-not_verified"))
            })?;
        let record = self.new_passkey(user, name, &passkey, &answer)?;
        self.keep_passkey(store, &record).await?;
        self.audit(
            AuditKind::PasskeyAdded,
            Some(user),
            Origin::of(ctx),
            Some(record.name.clone()),
        )
        .await;
        Ok(record)
    }

    /// The record of a passkey just registered for `user`.
    pub(super) fn new_passkey(
        &self,
        user: UserId,
        name: String,
        passkey: &Passkey,
        answer: &RegisterPublicKeyCredential,
    ) -> Result<PasskeyCredential> {
        Ok(PasskeyCredential {
            id: credential_id(passkey.cred_id()),
            user_id: user,
            name,
            passkey: serde_json::to_string(passkey).map_err(Error::backend)?,
            sign_count: 0,
            backup_eligible: false,
            backup_state: false,
            transports: answer
                .response
                .transports
                .iter()
                .flatten()
                .filter_map(|t| serde_json::to_value(t).ok())
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
            created_at: self.now(),
            last_used_at: None,
        })
    }

    /// Stores a new passkey; one registered already (on any account) is refused on
    /// `credential`.
    pub(super) async fn keep_passkey(
        &self,
        store: &Arc<dyn PasskeyStore>,
        record: &PasskeyCredential,
    ) -> Result<()> {
        match store.create_passkey(record).await {
            Err(Error::Conflict {
                field: UniqueField::Passkey,
                ..
            }) => Err(Error::invalid(
                "credential",
                Message::new("field-credential-registered"),
            )),
            other => other,
        }
    }

    /// The account's passkeys as `webauthn-rs` checks assertions against them; refused
    /// on `credential` when it has none (`none` says what to use instead).
    pub(super) async fn passkeys_to_check(
        &self,
        store: &Arc<dyn PasskeyStore>,
        user: UserId,
        none: Message,
    ) -> Result<Vec<Passkey>> {
        let passkeys = store
            .passkeys_for_user(user)
            .await?
            .iter()
            .map(|p| serde_json::from_str::<Passkey>(&p.passkey))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(Error::backend)?;
        if passkeys.is_empty() {
            return Err(Error::invalid("credential", none));
        }
        Ok(passkeys)
    }

    /// Renames one of the signed-in user's passkeys.
    ///
    /// # Errors
    /// [`Error::Validation`] on `name`; [`Error::NotFound`] when the passkey is not one
    /// of the user's, or passkeys are off.
    #[tracing::instrument(name = "auth.rename_passkey", skip_all, fields(user_id = %auth.user.id))]
    pub async fn rename_passkey(
        &self,
        auth: &Authenticated,
        id: &str,
        name: &str,
        ctx: &RequestContext,
    ) -> Result<()> {
        let (store, _) = self.passkey_setup()?;
        let name = checked_name(name)?;
        if !store.rename_passkey(auth.user.id, id, &name).await? {
            return Err(Error::NotFound);
        }
        self.audit(
            AuditKind::PasskeyRenamed,
            Some(auth.user.id),
            Origin::of(ctx),
            Some(name),
        )
        .await;
        Ok(())
    }

    /// Removes one of the signed-in user's passkeys: a sensitive action, so the session
    /// needs a recent proof (step-up). Never the account's last way to sign in (no
    /// usable password, no linked identity, no other passkey): that one stays until
    /// another way in is added. Password sign-in is one step again once the last
    /// passkey is gone, unless an authenticator app is enrolled.
    ///
    /// # Errors
    /// [`Error::ReauthenticationRequired`] without a recent proof; [`Error::Validation`]
    /// on `id` for the last way in; [`Error::NotFound`] when the passkey is not one of
    /// the user's, or passkeys are off; store errors.
    #[tracing::instrument(name = "auth.remove_passkey", skip_all, fields(user_id = %auth.user.id))]
    pub async fn remove_passkey(
        &self,
        auth: &Authenticated,
        id: &str,
        ctx: &RequestContext,
    ) -> Result<()> {
        let (store, _) = self.passkey_setup()?;
        let user = self.load_user(auth.user.id).await?;
        self.admit_sensitive(&user, auth, &[]).await?;
        let named = store
            .passkeys_for_user(auth.user.id)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(Error::NotFound)?;
        self.remove_way_in(
            user.id,
            Losing::Passkey,
            || store.ways_in_version(user.id),
            |version| store.delete_passkey_at(user.id, id, version),
        )
        .await?;
        self.audit(
            AuditKind::PasskeyRemoved,
            Some(auth.user.id),
            Origin::of(ctx),
            Some(named.name),
        )
        .await;
        Ok(())
    }

    /// Starts a passwordless sign-in: the options for `navigator.credentials.get()`,
    /// with no account named (the authenticator offers its discoverable passkeys for
    /// this site) and `"mediation": "conditional"` for autofill where the browser
    /// offers it (a sign-in button drops that member and asks directly).
    ///
    /// Starting stores nothing and counts against no rate limit: a sign-in page with
    /// passkey autofill starts one on every load, and page views must not use up the
    /// sign-in limit nor fill a store. The state travels sealed in the token
    /// (encrypted and authenticated under a key derived from the token keys); the
    /// finish is what is counted, and it marks the challenge used.
    ///
    /// # Errors
    /// [`Error::NotFound`] when passkeys are off; [`Error::Backend`] when the options
    /// cannot be made.
    #[tracing::instrument(name = "auth.start_passkey_sign_in", skip_all)]
    pub async fn start_passkey_sign_in(&self, _ctx: &RequestContext) -> Result<PasskeyChallenge> {
        let (_, rp) = self.passkey_setup()?;
        let (options, state) = rp
            .webauthn()
            .start_discoverable_authentication()
            .map_err(Error::backend)?;
        let options = options_json(&options)?;
        self.inner
            .sign_ins
            .seal(options, state, self.now() + CHALLENGE_LIFETIME)
    }

    /// Takes a started passwordless sign-in: its sealed state, once only, on any
    /// instance (the first finish marks its challenge used until it would have
    /// expired; any other finds the mark).
    async fn take_sign_in(&self, token: &str) -> Result<DiscoverableAuthentication> {
        let now = self.now();
        let opened = self
            .inner
            .sign_ins
            .open(token, now)
            .ok_or_else(challenge_gone)?;
        let first = self
            .inner
            .ephemeral
            .insert(&opened.used_key, b"answered", opened.expires_at, now)
            .await?;
        if !first {
            return Err(challenge_gone());
        }
        Ok(opened.state)
    }

    /// Finishes a passwordless sign-in started by [`Auth::start_passkey_sign_in`]: the
    /// passkey names its account, its signature is checked against the stored public
    /// key, and a session opens (the passkey's user verification makes it two factors in
    /// one, so no second step follows, even with an authenticator app enrolled).
    ///
    /// An unknown passkey, a bad signature, another site's answer and a disabled account
    /// all look like [`Error::InvalidCredentials`] from outside (details in the logs). A
    /// signature counter that went back is refused too and recorded in the audit trail
    /// ([`AuditKind::PasskeyCounterRegressed`]): the authenticator may have been cloned.
    ///
    /// # Errors
    /// [`Error::Validation`] on `challenge` (unknown, expired, used) or `credential`
    /// (malformed); [`Error::InvalidCredentials`]; the refusals of a sign-in
    /// ([`Error::AccountDisabled`], [`Error::AccountLocked`], [`Error::EmailNotVerified`],
    /// [`Error::SignInRefused`], [`Error::RateLimited`]); [`Error::NotFound`] when
    /// passkeys are off.
    #[tracing::instrument(name = "auth.finish_passkey_sign_in", skip_all, fields(user_id))]
    pub async fn finish_passkey_sign_in(
        &self,
        challenge: &str,
        credential: &str,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<LoginSuccess> {
        let result = self
            .passkey_sign_in(challenge, credential, remember, ctx)
            .await;
        login_telemetry(&result);
        result
    }

    async fn passkey_sign_in(
        &self,
        challenge: &str,
        credential: &str,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<LoginSuccess> {
        let (store, rp) = self.passkey_setup()?;
        let limits = self.inner.config.rate_limits;
        self.hit_ip(
            Counted::LoginsPerNetwork,
            ctx.ip,
            limits.login_per_ip,
            self.now(),
        )
        .await?;
        let answer: PublicKeyCredential = parse_answer(credential)?;
        let state = self.take_sign_in(challenge).await?;
        let (user_handle, raw_id) = rp
            .webauthn()
            .identify_discoverable_authentication(&answer)
            .map_err(|e| {
                tracing::info!(error = %e, "a passkey answer named no account");
                Error::InvalidCredentials
            })?;
        let stored = store
            .passkey(&credential_id(raw_id))
            .await?
            .filter(|p| p.user_id.0 == user_handle)
            .ok_or_else(|| {
                tracing::info!("a passkey sign-in named an unknown passkey");
                Error::InvalidCredentials
            })?;
        let passkey: Passkey = serde_json::from_str(&stored.passkey).map_err(Error::backend)?;
        let checked = rp
            .webauthn()
            .finish_discoverable_authentication_v2(&answer, state, &passkey);
        let proof = self
            .passkey_checked(store, &stored, passkey, checked, ctx)
            .await?;
        let user = self.load_user(stored.user_id).await.map_err(|e| match e {
            Error::NotFound => Error::InvalidCredentials,
            other => other,
        })?;
        let veto = self
            .inner
            .hooks
            .before_sign_in(&user, ctx)
            .await
            .err()
            .map(Veto::into_message);
        let origin = Origin::of(ctx);
        let (user, effects) = self
            .run_event(user, Event::PasskeySignedIn { proof, veto }, origin)
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        // Proved by the passkey alone (`passkey` in the session's amr, never `pwd`: the
        // account may have no password at all).
        let (token, session) = self
            .open_proved_session(&user, remember, vec![AuthMethod::Passkey], ctx)
            .await?;
        self.confirm_credentials_unchanged(&user, &session).await?;
        Ok(LoginSuccess {
            user,
            token,
            session,
        })
    }

    /// What `webauthn-rs` said of an assertion, turned into a proof: the stored record
    /// updated on success, the audit trail told of a counter that went back.
    pub(super) async fn passkey_checked(
        &self,
        store: &Arc<dyn PasskeyStore>,
        stored: &PasskeyCredential,
        mut passkey: Passkey,
        checked: std::result::Result<webauthn_rs::prelude::AuthenticationResult, WebauthnError>,
        ctx: &RequestContext,
    ) -> Result<PasskeyVerified> {
        let result = match checked {
            Ok(result) => result,
            Err(WebauthnError::CredentialPossibleCompromise) => {
                tracing::warn!(user_id = %stored.user_id, "a passkey's signature counter went back");
                self.audit(
                    AuditKind::PasskeyCounterRegressed,
                    Some(stored.user_id),
                    Origin::of(ctx),
                    Some(stored.name.clone()),
                )
                .await;
                return Err(Error::InvalidCredentials);
            }
            Err(e) => {
                tracing::info!(error = %e, "a passkey assertion was refused");
                return Err(Error::InvalidCredentials);
            }
        };
        passkey.update_credential(&result);
        let used = PasskeyUse {
            passkey: serde_json::to_string(&passkey).map_err(Error::backend)?,
            sign_count: result.counter(),
            backup_eligible: result.backup_eligible(),
            backup_state: result.backup_state(),
            at: self.now(),
        };
        if !store.record_passkey_use(&stored.id, &used).await? {
            // Removed while it was being used: it no longer signs anyone in.
            return Err(Error::InvalidCredentials);
        }
        Ok(PasskeyVerified::new(stored.user_id))
    }

    /// Starts the passkey as the second step of a pending sign-in (after the password):
    /// the options for `navigator.credentials.get()`, listing the account's passkeys.
    /// The challenge is bound to that pending sign-in.
    ///
    /// # Errors
    /// [`Error::Validation`] on `pending` (unknown, expired, used up) or on `credential`
    /// when the account has no passkey; [`Error::NotFound`] when passkeys are off.
    #[tracing::instrument(name = "auth.start_passkey_second_factor", skip_all)]
    pub async fn start_passkey_second_factor(
        &self,
        pending_token: &str,
    ) -> Result<PasskeyChallenge> {
        let (store, rp) = self.passkey_setup()?;
        let now = self.now();
        let key = PendingSignIn::key_of(pending_token).ok_or_else(pending_gone)?;
        // Read by taking, and put back at once: the pending sign-in stays as it was.
        let taken = self.inner.ephemeral.take(&key, now).await?;
        let pending = PendingRecord::from_bytes(&taken.ok_or_else(pending_gone)?)?;
        self.restore_pending(&key, &pending).await?;
        let passkeys = self
            .passkeys_to_check(
                store,
                pending.user,
                Message::new("field-credential-no_passkey_sign_in"),
            )
            .await?;
        let (options, state) = rp
            .webauthn()
            .start_passkey_authentication(&passkeys)
            .map_err(Error::backend)?;
        let ceremony = Ceremony::SecondFactor {
            user: pending.user,
            pending: key,
            state,
        };
        self.open_challenge(ceremony, options_json(&options)?).await
    }

    /// The second step of a sign-in with a passkey instead of a code: the pending sign-in
    /// of the password step, the challenge of [`Auth::start_passkey_second_factor`] and
    /// the browser's answer. A refused passkey counts like a wrong code (the lockout of
    /// the identifier typed, and the pending sign-in's failures).
    ///
    /// # Errors
    /// As [`Auth::complete_sign_in`], with `challenge` and `credential` in place of
    /// `code`.
    #[tracing::instrument(name = "auth.complete_sign_in_with_passkey", skip_all, fields(user_id))]
    pub async fn complete_sign_in_with_passkey(
        &self,
        pending_token: &str,
        challenge: &str,
        credential: &str,
        ctx: &RequestContext,
    ) -> Result<LoginSuccess> {
        let result = self
            .passkey_second_step(pending_token, challenge, credential, ctx)
            .await;
        login_telemetry(&result);
        result
    }

    async fn passkey_second_step(
        &self,
        pending_token: &str,
        challenge: &str,
        credential: &str,
        ctx: &RequestContext,
    ) -> Result<LoginSuccess> {
        let (store, rp) = self.passkey_setup()?;
        let now = self.now();
        let limits = self.inner.config.rate_limits;
        self.hit_ip(Counted::LoginsPerNetwork, ctx.ip, limits.login_per_ip, now)
            .await?;
        let answer: PublicKeyCredential = parse_answer(credential)?;
        let key = PendingSignIn::key_of(pending_token).ok_or_else(pending_gone)?;
        let Ceremony::SecondFactor {
            user,
            pending: bound,
            state,
        } = self.take_challenge(challenge).await?
        else {
            return Err(challenge_gone());
        };
        if bound != key {
            return Err(challenge_gone());
        }
        let taken = self.inner.ephemeral.take(&key, now).await?;
        let mut pending = PendingRecord::from_bytes(&taken.ok_or_else(pending_gone)?)?;
        if pending.user != user {
            self.restore_pending(&key, &pending).await?;
            return Err(challenge_gone());
        }
        // From here on the pending record is ours alone; every way out but success and
        // the last failure puts it back.
        let stored = store
            .passkey(&credential_id(answer.get_credential_id()))
            .await?
            .filter(|p| p.user_id == user);
        let proof = match stored {
            Some(stored) => {
                let passkey: Passkey =
                    serde_json::from_str(&stored.passkey).map_err(Error::backend)?;
                let checked = rp.webauthn().finish_passkey_authentication(&answer, &state);
                self.passkey_checked(store, &stored, passkey, checked, ctx)
                    .await
            }
            None => Err(Error::InvalidCredentials),
        };
        let attempt = self
            .begin_attempt(Subject::identifier(&pending.identifier))
            .await?;
        let user_record = self.load_user(user).await?;
        let proof = match proof {
            Ok(proof) => proof,
            Err(Error::InvalidCredentials) => {
                let locked_until = self.attempt_failed(&attempt).await?;
                pending.failures += 1;
                if pending.failures < PENDING_MAX_FAILURES && locked_until.is_none() {
                    self.restore_pending(&key, &pending).await?;
                }
                let auth = self.clone();
                let ctx_owned = ctx.clone();
                self.detached(async move {
                    if let Err(e) = auth
                        .record_failure(user_record, locked_until, &ctx_owned)
                        .await
                    {
                        tracing::error!(error = %e, "recording a refused passkey failed");
                    }
                })
                .await;
                return Err(match locked_until {
                    Some(until) => crate::machine::locked(until, now),
                    None => {
                        Error::invalid("credential", Message::new("field-credential-not_verified"))
                    }
                });
            }
            Err(e) => {
                self.restore_pending(&key, &pending).await?;
                return Err(e);
            }
        };
        self.attempt_succeeded(&attempt).await?;
        let veto = self
            .inner
            .hooks
            .before_sign_in(&user_record, ctx)
            .await
            .err()
            .map(Veto::into_message);
        let origin = Origin::of(ctx);
        let event = Event::SecondStepSucceeded {
            first: pending.proof(),
            second: SecondFactorVerified::passkey(&proof),
            veto,
        };
        let (user_record, effects) = self.run_event(user_record, event, origin).await?;
        self.perform(&user_record, &effects, origin, MailLinks::default())
            .await?;
        let amr = vec![pending.first_step, AuthMethod::Passkey];
        let (token, session) = self
            .open_proved_session(&user_record, pending.remember, amr, ctx)
            .await?;
        self.confirm_credentials_unchanged(&user_record, &session)
            .await?;
        Ok(LoginSuccess {
            user: user_record,
            token,
            session,
        })
    }
}
