//! Signing in with an identity at another provider, linking and unlinking identities.
//!
//! What a provider's answer may do is decided by [`identity::route`](crate::identity);
//! this module gathers the facts, performs the outcome and settles the races (see
//! [`Auth::sign_in_with_identity`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

use super::effects::{MailLinks, Origin};
use super::second_factor::PENDING_LIFETIME;
use super::throttle::Counted;
use super::{Auth, Authenticated, LoginSuccess, RequestContext};
use crate::error::{Error, Message, Result, UniqueField, ValidationErrors};
use crate::hooks::{SignUp, Veto};
use crate::identity::{
    self, Identity, LinkedIdentityProof, ProviderIdentity, ProviderTokens, Route, TokenSealer,
};
use crate::machine::{self, Creation, Effect, Event, Transition, needs_second_step};
use crate::model::{PasswordHash, User, UserId};
use crate::profile::Profile;
use crate::second_factor::{PendingRecord, PendingSignIn};
use crate::store::IdentityStore;
use crate::telemetry;
use crate::ways_in::Losing;

/// How long an offered link waits for its account's owner to sign in and confirm it.
const LINK_LIFETIME: Duration = Duration::minutes(10);
/// What an ephemeral key of an offered link starts with.
const LINK_KEY_PREFIX: &str = "identity-link:";
/// The longest link token accepted (a real one is 43 characters).
const MAX_LINK_TOKEN: usize = 128;
/// How many times a sign-in goes round when it loses a race (another first sign-in with
/// the same identity or address); each round re-reads the facts.
const ROUNDS: usize = 40;
/// How long a losing sign-in waits before reading again.
const ROUND_PAUSE: std::time::Duration = std::time::Duration::from_millis(25);
/// A link to an account that does not exist is the leftover of a first sign-in that
/// died between linking and creating the account once it is this old.
const ORPHAN_AGE: Duration = Duration::seconds(30);

/// What a sign-in with a provider's identity gives.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IdentitySignIn {
    /// Signed in to the account the identity is linked to.
    Complete(Box<LoginSuccess>),
    /// A new account was created for the identity (and linked to it), and signed in.
    Created(Box<LoginSuccess>),
    /// The account has a second factor: no session yet (finish with
    /// [`Auth::complete_sign_in`], as after a password).
    SecondFactor(PendingSignIn),
    /// An account has the address the provider verified, and the identity is not linked
    /// to it: nothing was linked. The person must sign in to that account (with its
    /// password and second factor) and then confirm the link with
    /// [`Auth::confirm_identity_link`] and this token, before it expires.
    LinkRequired(PendingLink),
}

/// A link offered to the owner of an existing account, as its client holds it: the token
/// to confirm it with once signed in, the provider, and when it expires. `Debug` hides
/// the token.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingLink {
    token: String,
    /// The provider whose identity would be linked.
    pub provider: String,
    /// When the offer dies.
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for PendingLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLink")
            .field("provider", &self.provider)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl PendingLink {
    /// The token, for a cookie or a JSON body.
    pub fn token(&self) -> &str {
        &self.token
    }
}

/// What the server keeps of an offered link, under the digest of its token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LinkRecord {
    user: UserId,
    provider: String,
    subject: String,
    email: Option<String>,
    email_verified: bool,
    offered_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

/// The ephemeral key of a link token: its digest, never the token.
fn link_key(token: &str) -> Option<String> {
    if token.is_empty() || token.len() > MAX_LINK_TOKEN {
        return None;
    }
    Some(format!(
        "{LINK_KEY_PREFIX}{}",
        hex::encode(Sha256::digest(token.as_bytes()))
    ))
}

/// An offered link that is unknown, expired, already used, or for another account.
fn link_gone() -> Error {
    Error::invalid("link", Message::new("field-link-gone"))
}

/// Identities are off: no [`IdentityStore`] was given to the builder.
fn identities_off() -> Error {
    Error::Config("no identity store was given to the builder".into())
}

impl Auth {
    /// Whether sign-in with other providers is on (an
    /// [`IdentityStore`] was given to the builder).
    pub fn identities_enabled(&self) -> bool {
        self.inner.identities.is_some()
    }

    fn identity_store(&self) -> Result<&dyn IdentityStore> {
        self.inner.identities.as_deref().ok_or_else(identities_off)
    }

    /// Counts the start of a sign-in with a provider (the redirect to it) against the
    /// sign-in limit of the client's network ([`RateLimits::login_per_ip`](crate::RateLimits::login_per_ip)),
    /// each start stores a flow, so an unlimited start route would let one client fill
    /// the flow store. (A passwordless passkey start is not counted: it stores nothing.)
    ///
    /// # Errors
    /// [`Error::RateLimited`]; store errors.
    pub async fn start_identity_sign_in(&self, ctx: &RequestContext) -> Result<()> {
        let limits = self.inner.config.rate_limits;
        self.hit_ip(
            Counted::LoginsPerNetwork,
            ctx.ip,
            limits.login_per_ip,
            self.now(),
        )
        .await
    }

    /// The sealer of provider tokens, checked before anything happens for an answer
    /// that carries tokens: without identity token keys it is refused, never half done.
    fn token_sealer(&self) -> Result<&TokenSealer> {
        self.inner.identity_tokens.as_ref().ok_or_else(|| {
            Error::Config(
                "provider tokens are to be kept, but no identity token keys were given to the builder (AuthBuilder::identity_token_keys)"
                    .into(),
            )
        })
    }

    /// Keeps the tokens `identity` carries (if any), sealed, with its link to `user`.
    async fn keep_tokens(
        &self,
        store: &dyn IdentityStore,
        user: UserId,
        identity: &ProviderIdentity,
    ) -> Result<()> {
        let Some(tokens) = identity.tokens() else {
            return Ok(());
        };
        let sealed =
            self.token_sealer()?
                .seal(user, identity.provider(), identity.subject(), tokens)?;
        store
            .keep_identity_tokens(user, identity.provider(), identity.subject(), Some(&sealed))
            .await?;
        Ok(())
    }

    /// The provider's tokens kept with one of the signed-in account's identities (kept
    /// only for providers the application configured to keep them), opened.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the account has no such identity; [`Error::Config`] when
    /// identities are off, no identity token keys were given, or the tokens were sealed
    /// with a key that is not configured or does not open them (the message names the
    /// key id); store errors.
    pub async fn identity_tokens(
        &self,
        auth: &Authenticated,
        provider: &str,
        subject: &str,
    ) -> Result<Option<ProviderTokens>> {
        let store = self.identity_store()?;
        let sealer = self.token_sealer()?;
        match store.identity(provider, subject).await? {
            Some(linked) if linked.user_id == auth.user.id => {}
            _ => return Err(Error::NotFound),
        }
        match store.identity_tokens(provider, subject).await? {
            Some(sealed) => sealer
                .open(auth.user.id, provider, subject, &sealed)
                .map(Some),
            None => Ok(None),
        }
    }

    /// Signs in with a provider's verified answer (see [`identity`](crate::identity) for
    /// the rules): the linked account is signed in (through its second factor, if it has
    /// one); an account with the address the provider verified is offered a link
    /// ([`IdentitySignIn::LinkRequired`]), never linked silently; otherwise, when
    /// `sign_up` allows it, a new account is created with the provider's address
    /// (confirmed if the provider verified it) and no password.
    ///
    /// Concurrent first sign-ins with one identity create one account: the identity is
    /// linked (which the store allows once) before the account is created, and a sign-in
    /// that lost waits for the winner's account.
    ///
    /// # Errors
    /// [`Error::Validation`] on `provider` for a refusal (sign-up closed, no address, an
    /// unverified address that an account has); [`Error::AccountDisabled`],
    /// [`Error::AccountLocked`], [`Error::EmailNotVerified`], [`Error::SignInRefused`],
    /// [`Error::RateLimited`]; [`Error::Config`] when identities are off; store errors.
    #[tracing::instrument(name = "auth.sign_in_with_identity", skip_all, fields(provider = identity.provider(), user_id))]
    pub async fn sign_in_with_identity(
        &self,
        identity: ProviderIdentity,
        sign_up: bool,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<IdentitySignIn> {
        let result = self
            .identity_sign_in(&identity, sign_up, remember, ctx)
            .await;
        if let Ok(IdentitySignIn::Complete(s) | IdentitySignIn::Created(s)) = &result {
            tracing::Span::current().record("user_id", tracing::field::display(s.user.id));
        }
        // A pending sign-in is counted when its second step ends, an offered link when
        // its owner signs in.
        if !matches!(
            result,
            Ok(IdentitySignIn::SecondFactor(_) | IdentitySignIn::LinkRequired(_))
        ) {
            telemetry::sign_in(&result);
        }
        result
    }

    async fn identity_sign_in(
        &self,
        identity: &ProviderIdentity,
        sign_up: bool,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<IdentitySignIn> {
        let store = self.identity_store()?;
        if identity.tokens().is_some() {
            self.token_sealer()?;
        }
        let limits = self.inner.config.rate_limits;
        let now = self.now();
        self.hit_ip(Counted::LoginsPerNetwork, ctx.ip, limits.login_per_ip, now)
            .await?;
        for _ in 0..ROUNDS {
            let linked = store
                .identity(identity.provider(), identity.subject())
                .await?;
            let with_email = match (&linked, identity.email()) {
                (None, Some(email)) => self.inner.users.user_by_email(email).await?,
                _ => None,
            };
            let route = identity::route(identity, linked.as_ref(), with_email.as_ref(), sign_up);
            let settled = match (route, linked) {
                (Route::SignIn(_), Some(linked)) => {
                    match self.linked_account(store, &linked).await? {
                        Some(user) => {
                            let proof = LinkedIdentityProof::of(&linked, identity)
                                .ok_or(Error::InvalidCredentials)?;
                            let mut used = linked.clone();
                            used.email = identity.email().map(str::to_owned);
                            used.email_verified = identity.email_verified();
                            used.last_used_at = Some(self.now());
                            store.touch_identity(&used).await?;
                            self.keep_tokens(store, linked.user_id, identity).await?;
                            let outcome = self.enter(user, proof, remember, ctx).await?;
                            Some(match outcome {
                                Entered::Session(s) => IdentitySignIn::Complete(s),
                                Entered::Pending(p) => IdentitySignIn::SecondFactor(p),
                            })
                        }
                        None => None,
                    }
                }
                (Route::ProveOwnership(owner), _) => Some(IdentitySignIn::LinkRequired(
                    self.offer_link(owner, identity).await?,
                )),
                (Route::CreateAccount, _) => {
                    match self.create_for_identity(store, identity, ctx).await? {
                        Some((user, linked)) => {
                            self.keep_tokens(store, user.id, identity).await?;
                            let proof = LinkedIdentityProof::of(&linked, identity)
                                .ok_or(Error::InvalidCredentials)?;
                            match self.enter(user, proof, remember, ctx).await? {
                                Entered::Session(s) => Some(IdentitySignIn::Created(s)),
                                Entered::Pending(p) => Some(IdentitySignIn::SecondFactor(p)),
                            }
                        }
                        None => None,
                    }
                }
                (Route::Refuse(refusal), _) => return Err(refusal.into_error()),
                (Route::SignIn(_), None) => None,
            };
            if let Some(done) = settled {
                return Ok(done);
            }
            tokio::time::sleep(ROUND_PAUSE).await;
        }
        Err(Error::Unavailable {
            source: "a provider sign-in kept losing races with another".into(),
        })
    }

    /// The account a stored link names; `None` while a concurrent first sign-in is still
    /// creating it. A link to a missing account older than [`ORPHAN_AGE`] is removed
    /// (its first sign-in died half-way), and `None` returned so the caller reads again.
    async fn linked_account(
        &self,
        store: &dyn IdentityStore,
        linked: &Identity,
    ) -> Result<Option<User>> {
        if let Some(user) = self.inner.users.user_by_id(linked.user_id).await? {
            return Ok(Some(user));
        }
        if self.now() - linked.linked_at >= ORPHAN_AGE {
            tracing::warn!(provider = %linked.provider, "removing a link to an account that was never created");
            store
                .unlink_identity(linked.user_id, &linked.provider, &linked.subject)
                .await?;
        }
        Ok(None)
    }

    /// Creates the account of a first sign-in: links the identity to a fresh account id
    /// first (the store allows that once, so of concurrent first sign-ins one goes on),
    /// then creates the account. `None` when a race was lost (the identity was linked
    /// meanwhile, or an account took the address): the caller reads the facts again.
    async fn create_for_identity(
        &self,
        store: &dyn IdentityStore,
        identity: &ProviderIdentity,
        ctx: &RequestContext,
    ) -> Result<Option<(User, Identity)>> {
        let email = identity
            .email()
            .ok_or_else(|| identity::Refusal::NoEmail.into_error())?
            .to_owned();
        let limits = self.inner.config.rate_limits;
        let now = self.now();
        self.hit_ip(
            Counted::RegistrationsPerNetwork,
            ctx.ip,
            limits.register_per_ip,
            now,
        )
        .await?;
        let profile = Profile::new();
        let sign_up = SignUp {
            email: &email,
            username: None,
            profile: &profile,
            ctx,
        };
        if let Err(veto) = self.inner.hooks.before_registration(&sign_up).await {
            let mut errors = ValidationErrors::new();
            errors.push_text("provider", "not_allowed", veto.into_message());
            return Err(Error::Validation(errors));
        }
        let new = self.new_account(
            email,
            None,
            PasswordHash::unusable(),
            profile,
            Creation::Provider {
                provider: identity.provider().to_owned(),
                verified: identity.email_verified(),
            },
        );
        let linked = identity.linked_to(new.id, now);
        match store.link_identity(&linked).await {
            Ok(()) => {}
            Err(Error::Conflict {
                field: UniqueField::Identity,
            }) => return Ok(None),
            Err(e) => return Err(e),
        }
        let Transition { user, effects } = machine::create(new, now);
        match self.inner.users.create_user(&user).await {
            Ok(()) => {}
            Err(Error::Conflict { .. }) => {
                store
                    .unlink_identity(user.id, identity.provider(), identity.subject())
                    .await?;
                return Ok(None);
            }
            Err(e) => {
                // Nothing half-written: the reservation goes with the failed creation.
                if let Err(undo) = store
                    .unlink_identity(user.id, identity.provider(), identity.subject())
                    .await
                {
                    tracing::error!(error = %undo, "could not undo a provider link");
                }
                return Err(e);
            }
        }
        let links = MailLinks {
            provider: Some(identity.provider().to_owned()),
            ..self.mail_links(&user, &effects).await?
        };
        self.perform(&user, &effects, Origin::of(ctx), links)
            .await?;
        Ok(Some((user, linked)))
    }

    /// The sign-in of an account proven by a linked identity: a session, or a pending
    /// sign-in when the account has a second factor.
    async fn enter(
        &self,
        user: User,
        proof: LinkedIdentityProof,
        remember: bool,
        ctx: &RequestContext,
    ) -> Result<Entered> {
        let now = self.now();
        // A registered passkey stands as a second factor, as after a password.
        let passkeys = self.has_passkeys(user.id).await?;
        let first_step = needs_second_step(&user, passkeys).then(|| {
            PendingRecord::after_provider(&user, &proof, remember, now + PENDING_LIFETIME)
        });
        let amr = proof.amr();
        let veto = self
            .inner
            .hooks
            .before_sign_in(&user, ctx)
            .await
            .err()
            .map(Veto::into_message);
        let origin = Origin::of(ctx);
        let (user, effects) = self
            .run_event(
                user,
                Event::IdentitySignedIn {
                    proof,
                    veto,
                    passkeys,
                },
                origin,
            )
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        if effects.contains(&Effect::AwaitSecondFactor) {
            let record = first_step.ok_or(Error::InvalidCredentials)?;
            return Ok(Entered::Pending(self.open_pending(&record).await?));
        }
        let (token, session) = self.open_proved_session(&user, remember, amr, ctx).await?;
        self.confirm_credentials_unchanged(&user, &session).await?;
        Ok(Entered::Session(Box::new(LoginSuccess {
            user,
            token,
            session,
        })))
    }

    /// Offers to link `identity` to the account `owner` once its owner signs in.
    async fn offer_link(&self, owner: UserId, identity: &ProviderIdentity) -> Result<PendingLink> {
        let now = self.now();
        let expires_at = now + LINK_LIFETIME;
        let token = URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>());
        let key = link_key(&token).ok_or_else(link_gone)?;
        let record = LinkRecord {
            user: owner,
            provider: identity.provider().to_owned(),
            subject: identity.subject().to_owned(),
            email: identity.email().map(str::to_owned),
            email_verified: identity.email_verified(),
            offered_at: now,
            expires_at,
        };
        let bytes = serde_json::to_vec(&record).map_err(Error::backend)?;
        if !self
            .inner
            .ephemeral
            .insert(&key, &bytes, expires_at, now)
            .await?
        {
            return Err(Error::backend("a link token collided"));
        }
        Ok(PendingLink {
            token,
            provider: record.provider,
            expires_at,
        })
    }

    /// Links the identity of an offered link ([`IdentitySignIn::LinkRequired`]) to the
    /// signed-in account, once: the offer must be for this account, and the session must
    /// have been opened after the offer was made (the person proved they own the account
    /// by signing in to it, with its second factor if it has one). The owner is mailed a
    /// notice, and the link is in the audit trail.
    ///
    /// # Errors
    /// [`Error::Validation`] on `link` for an unknown, expired, used or foreign offer, or
    /// a session older than the offer; [`Error::Conflict`] on `provider` when the
    /// identity was linked to an account meanwhile; [`Error::Config`] when identities are
    /// off; store errors.
    #[tracing::instrument(name = "auth.confirm_identity_link", skip_all, fields(user_id = %auth.user.id))]
    pub async fn confirm_identity_link(
        &self,
        auth: &Authenticated,
        link_token: &str,
        ctx: &RequestContext,
    ) -> Result<Identity> {
        let store = self.identity_store()?;
        let now = self.now();
        let key = link_key(link_token).ok_or_else(link_gone)?;
        let taken = self.inner.ephemeral.take(&key, now).await?;
        let record: LinkRecord =
            serde_json::from_slice(&taken.ok_or_else(link_gone)?).map_err(Error::backend)?;
        if record.user != auth.user.id || auth.session.created_at < record.offered_at {
            return Err(link_gone());
        }
        let identity = ProviderIdentity::new(
            &record.provider,
            &record.subject,
            record.email.as_deref(),
            record.email_verified,
        )?;
        self.link(store, &auth.user, &identity, ctx).await
    }

    /// Links an identity the signed-in person just signed in with at a provider (from the
    /// account page's "link" button) to their account. Linking it again is no change.
    ///
    /// # Errors
    /// [`Error::Conflict`] on `provider` when the identity is linked to another account;
    /// [`Error::AccountDisabled`]; [`Error::Config`] when identities are off; store
    /// errors.
    #[tracing::instrument(name = "auth.link_identity", skip_all, fields(user_id = %auth.user.id))]
    pub async fn link_identity(
        &self,
        auth: &Authenticated,
        identity: ProviderIdentity,
        ctx: &RequestContext,
    ) -> Result<Identity> {
        let store = self.identity_store()?;
        if identity.tokens().is_some() {
            self.token_sealer()?;
        }
        if let Some(existing) = store
            .identity(identity.provider(), identity.subject())
            .await?
        {
            if existing.user_id == auth.user.id {
                self.keep_tokens(store, auth.user.id, &identity).await?;
                return Ok(existing);
            }
            return Err(Error::Conflict {
                field: UniqueField::Identity,
            });
        }
        self.link(store, &auth.user, &identity, ctx).await
    }

    /// Stores the link, then applies it to the account (audit trail, notice). When the
    /// account refuses (disabled meanwhile), the link is removed again.
    async fn link(
        &self,
        store: &dyn IdentityStore,
        user: &User,
        identity: &ProviderIdentity,
        ctx: &RequestContext,
    ) -> Result<Identity> {
        let linked = identity.linked_to(user.id, self.now());
        store.link_identity(&linked).await?;
        let origin = Origin::of(ctx);
        let user = self.load_user(user.id).await?;
        let event = Event::IdentityLinked {
            provider: identity.provider().to_owned(),
        };
        let (user, effects) = match self.run_event(user, event, origin).await {
            Ok(done) => done,
            Err(e) => {
                store
                    .unlink_identity(linked.user_id, &linked.provider, &linked.subject)
                    .await?;
                return Err(e);
            }
        };
        self.keep_tokens(store, user.id, identity).await?;
        let links = MailLinks {
            provider: Some(linked.provider.clone()),
            ..MailLinks::default()
        };
        self.perform(&user, &effects, origin, links).await?;
        Ok(linked)
    }

    /// The identities linked to the signed-in account, oldest first.
    ///
    /// # Errors
    /// [`Error::Config`] when identities are off; store errors.
    pub async fn identities(&self, auth: &Authenticated) -> Result<Vec<Identity>> {
        self.identity_store()?
            .identities_for_user(auth.user.id)
            .await
    }

    /// Unlinks one of the signed-in account's identities, unless it is the last way to
    /// sign in (no usable password, no other identity and no passkey). The owner is mailed a notice,
    /// and the unlink is in the audit trail.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the account has no such identity; [`Error::Validation`]
    /// on `provider` for the last way to sign in; [`Error::Config`] when identities are
    /// off; store errors.
    #[tracing::instrument(name = "auth.unlink_identity", skip_all, fields(user_id = %auth.user.id))]
    pub async fn unlink_identity(
        &self,
        auth: &Authenticated,
        provider: &str,
        subject: &str,
        ctx: &RequestContext,
    ) -> Result<()> {
        let store = self.identity_store()?;
        let user = self.load_user(auth.user.id).await?;
        let identities = store.identities_for_user(user.id).await?;
        if !identities
            .iter()
            .any(|i| i.provider == provider && i.subject == subject)
        {
            return Err(Error::NotFound);
        }
        let origin = Origin::of(ctx);
        let event = Event::IdentityUnlinked {
            provider: provider.to_owned(),
        };
        let (user, effects) = self.run_event(user, event, origin).await?;
        self.remove_way_in(
            user.id,
            Losing::Identity,
            || store.ways_in_version(user.id),
            |version| store.unlink_identity_at(user.id, provider, subject, version),
        )
        .await?;
        let links = MailLinks {
            provider: Some(provider.to_owned()),
            ..MailLinks::default()
        };
        self.perform(&user, &effects, origin, links).await
    }

    /// Unlinks every identity of a deleted account (logged, never failing the deletion).
    pub(super) async fn forget_identities(&self, user_id: UserId) {
        if let Some(store) = &self.inner.identities
            && let Err(e) = store.unlink_identities_for_user(user_id).await
        {
            tracing::warn!(error = %e, %user_id, "could not unlink the identities of a deleted account");
        }
    }
}

/// How a proven account was entered.
enum Entered {
    Session(Box<LoginSuccess>),
    Pending(PendingSignIn),
}
