//! Identities at other providers (OpenID Connect, OAuth 2.0: "Sign in with ..."), linked
//! to accounts, and the rules that decide what a provider's sign-in may do.
//!
//! An [`Identity`] is account data like a password hash: the provider's name, its stable
//! subject for the person, the email address the provider gave with whether the provider
//! verified it, and when it was linked and last used. An [`IdentityStore`](crate::IdentityStore)
//! keeps them; one identity (provider and subject) belongs to at most one account.
//!
//! The client of the provider (discovery, the code flow, ID-token checks) lives outside
//! the core (the `auth-oidc` crate); it hands the engine a [`ProviderIdentity`], the
//! claims it verified, and `route` decides, purely, what follows:
//!
//! - an identity already linked signs its account in (through the second factor, when the
//!   account has one);
//! - an email address the provider **verified** that matches an account is **never linked
//!   silently**: the person must first prove they own that account (sign in to it), then
//!   confirm the link ([`Auth::confirm_identity_link`](crate::Auth::confirm_identity_link));
//! - an address the provider did **not** verify never matches an existing account;
//! - otherwise a new account is created when the provider allows sign-up, its address
//!   confirmed when the provider verified it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

mod tokens;

pub use tokens::ProviderTokens;
pub(crate) use tokens::TokenSealer;

use crate::error::{Error, Message, Result};
use crate::model::{User, UserId};

/// The longest provider name.
pub const MAX_PROVIDER: usize = 32;
/// The longest subject kept (OpenID Connect allows 255 ASCII characters).
pub const MAX_SUBJECT: usize = 255;

/// The `amr` values (RFC 8176) of a provider's answer that show a sign-in with more than
/// one factor, when the application trusts the provider's word for it:
///
/// - `mfa`: the provider says it used several factors;
/// - `otp`: a one-time password (an authenticator app or token);
/// - `hwk`, `swk`: proof of possession of a hardware- or software-secured key (a
///   security key, a passkey);
/// - `sc`: a smart card.
///
/// These are the possession factors that the local second step itself accepts (an
/// authenticator code, a passkey), or the provider's own statement. Not counted: `pwd`,
/// `pin`, `kba` (knowledge, what a password is), `sms` and `tel` (weaker than what the
/// local step asks for, NIST SP 800-63B §5.1.3.3), biometrics alone (`fpt`, `face`,
/// `iris`, `retina`, `vbm`, `user`: a device unlock, not a factor sent to the provider),
/// `geo`, `wia`, `rba`, `mca` and anything unknown.
pub const MULTI_FACTOR_AMR: [&str; 5] = ["mfa", "otp", "hwk", "swk", "sc"];

/// Whether a provider's `amr` values show a sign-in with more than one factor (one of
/// [`MULTI_FACTOR_AMR`], compared exactly).
pub fn amr_shows_multi_factor<'a>(amr: impl IntoIterator<Item = &'a str>) -> bool {
    amr.into_iter().any(|v| MULTI_FACTOR_AMR.contains(&v))
}

/// An identity at a provider, linked to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The account it signs in to.
    pub user_id: UserId,
    /// The provider's name as configured (see [`check_provider`]), e.g. `google`.
    pub provider: String,
    /// The provider's stable identifier of the person (`sub`), compared exactly.
    pub subject: String,
    /// The email address the provider gave at the last sign-in, if any (normalised).
    pub email: Option<String>,
    /// Whether the provider said it verified that address.
    pub email_verified: bool,
    /// When it was linked.
    pub linked_at: OffsetDateTime,
    /// When it was last used to sign in.
    pub last_used_at: Option<OffsetDateTime>,
}

/// Checks a provider name: 1 to [`MAX_PROVIDER`] characters of `a-z`, `0-9`, `-`, `_`
/// (it appears in URLs and keys).
///
/// # Errors
/// [`Error::Validation`] on `provider`.
pub fn check_provider(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_PROVIDER
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "provider",
            Message::new("field-provider-invalid_name"),
        ))
    }
}

/// What a provider said about the person signing in, as the client verified it (for
/// OpenID Connect: an ID token whose signature, issuer, audience, expiry and nonce were
/// checked). Only build one from such a verified answer: the engine trusts it.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderIdentity {
    provider: String,
    subject: String,
    email: Option<String>,
    email_verified: bool,
    multi_factor: bool,
    tokens: Option<ProviderTokens>,
}

impl std::fmt::Debug for ProviderIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderIdentity")
            .field("provider", &self.provider)
            .field("email_verified", &self.email_verified)
            .field("multi_factor", &self.multi_factor)
            .field("tokens", &self.tokens.is_some())
            .finish_non_exhaustive()
    }
}

impl ProviderIdentity {
    /// The verified claims of a provider's answer. The email address is normalised; a
    /// malformed one is dropped (and so never matches an account).
    ///
    /// # Errors
    /// [`Error::Validation`] on `provider` (see [`check_provider`]) or `subject` (empty,
    /// longer than [`MAX_SUBJECT`], or with control characters).
    pub fn new(
        provider: &str,
        subject: &str,
        email: Option<&str>,
        email_verified: bool,
    ) -> Result<Self> {
        check_provider(provider)?;
        if subject.is_empty()
            || subject.len() > MAX_SUBJECT
            || subject.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                "subject",
                Message::new("field-subject-invalid"),
            ));
        }
        let email = email.and_then(|e| crate::validate::normalize_email("email", e).ok());
        Ok(Self {
            provider: provider.to_owned(),
            subject: subject.to_owned(),
            email_verified: email_verified && email.is_some(),
            email,
            multi_factor: false,
            tokens: None,
        })
    }

    /// The same answer with the provider's tokens, to keep sealed with the identity
    /// (see [`Auth::identity_tokens`](crate::Auth::identity_tokens)). Only hand them
    /// over when the application asked to keep them.
    #[must_use]
    pub fn with_tokens(mut self, tokens: ProviderTokens) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The provider's tokens to keep, if any were handed over.
    pub fn tokens(&self) -> Option<&ProviderTokens> {
        self.tokens.as_ref()
    }

    /// The same answer, marked as a sign-in the provider made with more than one factor
    /// and that the application trusts as such: an account with a second factor is then
    /// signed in without its local second step, and the session's `amr` records
    /// [`AuthMethod::ExternalMfa`](crate::AuthMethod::ExternalMfa). Only mark an answer
    /// whose verified `amr` [shows several factors](amr_shows_multi_factor), from a
    /// provider configured to be trusted for it.
    #[must_use]
    pub fn with_trusted_multi_factor(mut self) -> Self {
        self.multi_factor = true;
        self
    }

    /// Whether the provider's multi-factor sign-in is trusted in place of the local
    /// second step (see [`with_trusted_multi_factor`](Self::with_trusted_multi_factor)).
    pub fn multi_factor(&self) -> bool {
        self.multi_factor
    }

    /// The provider's name.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The provider's subject.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The normalised email address, if the provider gave a well-formed one.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// Whether the provider verified the email address.
    pub fn email_verified(&self) -> bool {
        self.email_verified
    }

    /// The address only if the provider verified it: the only one that may match an
    /// account or be marked confirmed.
    pub fn verified_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.email_verified)
    }

    /// The stored identity of this sign-in for `user_id`, linked and used at `now`.
    pub(crate) fn linked_to(&self, user_id: UserId, now: OffsetDateTime) -> Identity {
        Identity {
            user_id,
            provider: self.provider.clone(),
            subject: self.subject.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            linked_at: now,
            last_used_at: Some(now),
        }
    }
}

/// Proof that a provider's verified answer names an identity linked to an account: only
/// the engine makes one, from the stored link and the answer.
#[derive(Debug, Clone)]
pub(crate) struct LinkedIdentityProof {
    user: UserId,
    provider: String,
    multi_factor: bool,
}

impl LinkedIdentityProof {
    /// The proof for `linked`, signed in to with `answer`; `None` when they differ.
    pub(crate) fn of(linked: &Identity, answer: &ProviderIdentity) -> Option<Self> {
        (linked.provider == answer.provider && linked.subject == answer.subject).then(|| Self {
            user: linked.user_id,
            provider: linked.provider.clone(),
            multi_factor: answer.multi_factor,
        })
    }

    /// The account it proves.
    pub(crate) fn user(&self) -> UserId {
        self.user
    }

    /// The provider's name.
    pub(crate) fn provider(&self) -> &str {
        &self.provider
    }

    /// Whether the answer carried a trusted multi-factor sign-in.
    pub(crate) fn multi_factor(&self) -> bool {
        self.multi_factor
    }

    /// What a session opened by this proof alone records in its `amr`.
    pub(crate) fn amr(&self) -> Vec<crate::AuthMethod> {
        let mut amr = vec![crate::AuthMethod::ExternalProvider];
        if self.multi_factor {
            amr.push(crate::AuthMethod::ExternalMfa);
        }
        amr
    }
}

/// Where a provider's sign-in goes, as [`route`] decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// The identity is linked to this account: sign it in.
    SignIn(UserId),
    /// An account has the provider's verified address: the person must prove they own
    /// it before the identity is linked.
    ProveOwnership(UserId),
    /// No account matches: create one (address confirmed when the provider verified it).
    CreateAccount,
    /// Nothing may happen: why.
    Refuse(Refusal),
}

/// Why a provider's sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No account matches and this provider may not create accounts.
    SignUpClosed,
    /// The provider gave no usable email address, so no account can be created.
    NoEmail,
    /// An account has the address, but the provider did not verify it: it is never
    /// trusted to match (sign in with the account and link from the account page).
    UnverifiedEmailTaken,
}

impl Refusal {
    /// The refusal as an error: coarse, with a reason a person can act on.
    pub(crate) fn into_error(self) -> Error {
        match self {
            Self::SignUpClosed => {
                Error::invalid("provider", Message::new("field-provider-sign_up_closed"))
            }
            Self::NoEmail => Error::invalid("provider", Message::new("field-provider-no_email")),
            Self::UnverifiedEmailTaken => Error::invalid(
                "provider",
                Message::new("field-provider-unverified_email_taken"),
            ),
        }
    }
}

/// Decides where a provider's sign-in goes, from the identity already linked (if any),
/// the account that has the provider's address (if any), and whether the provider may
/// create accounts. Pure: the engine gathers the facts, this decides.
pub(crate) fn route(
    identity: &ProviderIdentity,
    linked: Option<&Identity>,
    with_email: Option<&User>,
    sign_up: bool,
) -> Route {
    if let Some(linked) = linked {
        return Route::SignIn(linked.user_id);
    }
    match (with_email, identity.email_verified()) {
        (Some(owner), true) => Route::ProveOwnership(owner.id),
        (Some(_), false) => Route::Refuse(Refusal::UnverifiedEmailTaken),
        (None, _) if identity.email().is_none() => Route::Refuse(Refusal::NoEmail),
        (None, _) if !sign_up => Route::Refuse(Refusal::SignUpClosed),
        (None, _) => Route::CreateAccount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::sample_user;

    fn at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
    }

    fn user(email: &str) -> User {
        let mut user = sample_user(at());
        user.email = email.into();
        user
    }

    fn id(email: Option<&str>, verified: bool) -> ProviderIdentity {
        ProviderIdentity::new("idp", "sub-1", email, verified).unwrap()
    }

    #[test]
    fn a_linked_identity_signs_its_account_in_whatever_the_address() {
        let owner = user("linked@example.test");
        let other = user("other@example.test");
        let linked = id(None, false).linked_to(owner.id, at());
        for email_owner in [None, Some(&other)] {
            assert_eq!(
                route(
                    &id(Some("other@example.test"), true),
                    Some(&linked),
                    email_owner,
                    false
                ),
                Route::SignIn(owner.id)
            );
        }
    }

    #[test]
    fn a_verified_address_of_an_account_needs_proof_never_a_silent_link() {
        let owner = user("a@example.test");
        assert_eq!(
            route(&id(Some("A@Example.test"), true), None, Some(&owner), true),
            Route::ProveOwnership(owner.id)
        );
    }

    #[test]
    fn an_unverified_address_never_matches_an_account() {
        let owner = user("a@example.test");
        assert_eq!(
            route(&id(Some("a@example.test"), false), None, Some(&owner), true),
            Route::Refuse(Refusal::UnverifiedEmailTaken)
        );
    }

    #[test]
    fn new_accounts_need_an_address_and_open_sign_up() {
        assert_eq!(
            route(&id(Some("new@example.test"), false), None, None, true),
            Route::CreateAccount
        );
        assert_eq!(
            route(&id(Some("new@example.test"), true), None, None, false),
            Route::Refuse(Refusal::SignUpClosed)
        );
        assert_eq!(
            route(&id(None, true), None, None, true),
            Route::Refuse(Refusal::NoEmail)
        );
        // A malformed address is dropped, and with it the claim that it was verified.
        let malformed = id(Some("not an address"), true);
        assert_eq!(malformed.email(), None);
        assert!(!malformed.email_verified());
    }

    #[test]
    fn names_and_subjects_are_checked() {
        assert!(ProviderIdentity::new("Google", "s", None, false).is_err());
        assert!(ProviderIdentity::new("", "s", None, false).is_err());
        assert!(ProviderIdentity::new("a/b", "s", None, false).is_err());
        assert!(ProviderIdentity::new("ok", "", None, false).is_err());
        assert!(ProviderIdentity::new("ok", "a\nb", None, false).is_err());
        assert!(ProviderIdentity::new("ok", &"s".repeat(256), None, false).is_err());
        assert!(ProviderIdentity::new("my-idp_2", &"s".repeat(255), None, false).is_ok());
    }

    #[test]
    fn only_the_listed_amr_values_show_several_factors() {
        for shows in [
            &["pwd", "mfa"][..],
            &["otp"],
            &["hwk", "user"],
            &["swk"],
            &["sc"],
        ] {
            assert!(amr_shows_multi_factor(shows.iter().copied()), "{shows:?}");
        }
        for not in [
            &[][..],
            &["pwd"],
            &["pwd", "sms"],
            &["pwd", "tel"],
            &["face", "fpt", "user"],
            &["MFA"],
            &["pwd", "kba", "pin"],
        ] {
            assert!(!amr_shows_multi_factor(not.iter().copied()), "{not:?}");
        }
    }

    #[test]
    fn a_trusted_multi_factor_answer_is_recorded_in_the_proof_and_the_amr() {
        let owner = user("a@example.test");
        let linked = id(None, false).linked_to(owner.id, at());
        let plain = LinkedIdentityProof::of(&linked, &id(None, false)).unwrap();
        assert!(!plain.multi_factor());
        assert_eq!(plain.amr(), vec![crate::AuthMethod::ExternalProvider]);
        let answer = id(None, false).with_trusted_multi_factor();
        assert!(answer.multi_factor());
        let trusted = LinkedIdentityProof::of(&linked, &answer).unwrap();
        assert!(trusted.multi_factor());
        assert_eq!(
            trusted.amr(),
            vec![
                crate::AuthMethod::ExternalProvider,
                crate::AuthMethod::ExternalMfa
            ]
        );
    }
}
