//! Registration, email verification, and direct creation of accounts.

use super::effects::{MailLinks, Origin};
use super::throttle::Counted;
use super::{Auth, RequestContext};
use crate::config::RegistrationMode;
use crate::error::{Error, Message, Result, TokenRejection, UniqueField, ValidationErrors};
use crate::hooks::SignUp;
use crate::machine::{self, Creation, Effect, Event, NewAccount, TokenProof, Transition};
use crate::model::{MailKind, SecurityStamp, User, UserId};
use crate::profile::{Profile, ProfileSchema, ProfileUpdate, Writer};
use crate::token::Purpose;
use crate::validate::{normalize_email, normalize_roles, normalize_username};

/// What a person submits to sign up.
#[derive(Clone, Default)]
pub struct Registration {
    /// Email address (required).
    pub email: String,
    /// Username (optional; blank means none).
    pub username: Option<String>,
    /// Chosen password.
    pub password: String,
    /// The password again.
    pub password_confirm: String,
    /// Values of the profile fields asked at registration (see [`crate::profile`]).
    pub profile: ProfileUpdate,
    /// The language the account's mails are written in: a language the application
    /// offers (the web layer passes the one negotiated from `Accept-Language`); `None`
    /// leaves the default language.
    pub language: Option<String>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("email", &self.email)
            .field("username", &self.username)
            .field("profile", &self.profile)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

/// How a registration was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterOutcome {
    /// The account was created (only in [`RegistrationMode::RevealConflicts`]).
    Created(Box<User>),
    /// "Check your email": the same answer whether or not the address had an account
    /// ([`RegistrationMode::EnumerationSafe`], the default).
    Accepted,
}

/// An account created directly (by an operator tool or a test), bypassing verification
/// mail. The password policy still applies.
#[derive(Clone, Default)]
pub struct NewUser {
    /// Email address.
    pub email: String,
    /// Optional username.
    pub username: Option<String>,
    /// Password.
    pub password: String,
    /// Roles to grant.
    pub roles: Vec<String>,
    /// Whether the address counts as confirmed.
    pub verified: bool,
    /// Profile values (any declared field, as an administrator may write).
    pub profile: ProfileUpdate,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("roles", &self.roles)
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// The profile of a new account from `update` as `writer` may write it, every
    /// problem recorded in `errors` (the values are then incomplete).
    fn new_profile(
        &self,
        errors: &mut ValidationErrors,
        update: &ProfileUpdate,
        writer: Writer,
    ) -> Result<Profile> {
        let schema = &self.inner.config.profile;
        let mut values = Profile::new();
        if let Some(changes) = collect(errors, schema.validate(update, writer))? {
            changes.apply_to(&mut values);
            collect(
                errors,
                ProfileSchema::check_size(schema.max_profile_bytes(), &values),
            )?;
        }
        Ok(values)
    }

    /// Validates the email, username, password and profile values (all problems
    /// reported together), returning the normalised email and username and the profile.
    async fn validate_signup(
        &self,
        email: &str,
        username: Option<&str>,
        password: &str,
        confirm: Option<&str>,
        profile: (&ProfileUpdate, Writer),
    ) -> Result<(String, Option<String>, Profile)> {
        let mut errors = ValidationErrors::new();
        let email = collect(&mut errors, normalize_email("email", email))?;
        let username = collect(&mut errors, normalize_username(username))?.flatten();
        let values = self.new_profile(&mut errors, profile.0, profile.1)?;
        if confirm.is_some_and(|c| c != password) {
            errors.push(
                "password_confirm",
                "mismatch",
                Message::new("field-password_confirm-mismatch"),
            );
        }
        let identifiers = [email.as_deref(), username.as_deref()];
        if let Err(policy) = self.check_password_policy(password, &identifiers).await? {
            errors.extend(policy);
        }
        errors.into_result()?;
        match email {
            Some(email) => Ok((email, username, values)),
            None => Err(Error::invalid(
                "email",
                Message::new("field-email-required"),
            )),
        }
    }

    /// Refuses a username another account has. Asked before the account is created, for
    /// every registration alike, so that a taken username is reported the same way
    /// whether or not the email address has an account (the store's own check, which
    /// may look at the email first, still settles races).
    async fn refuse_taken_username(&self, username: Option<&str>) -> Result<()> {
        let Some(username) = username else {
            return Ok(());
        };
        match self.inner.users.user_by_username(username).await? {
            Some(_) => Err(Error::Conflict {
                field: UniqueField::Username,
            }),
            None => Ok(()),
        }
    }

    /// The facts of a new account from validated input: fresh identifiers and the hash.
    pub(super) fn new_account(
        &self,
        email: String,
        username: Option<String>,
        password_hash: crate::PasswordHash,
        profile: Profile,
        origin: Creation,
    ) -> NewAccount {
        NewAccount {
            id: UserId::new(),
            email,
            username,
            password_hash,
            security_stamp: SecurityStamp::generate(),
            roles: Vec::new(),
            profile,
            origin,
        }
    }

    /// Signs a person up and mails them a verification link.
    ///
    /// In [`RegistrationMode::EnumerationSafe`] (the default) the answer, and its timing,
    /// do not depend on whether the email address has an account: its owner is mailed
    /// instead, after the answer.
    ///
    /// # Errors
    /// [`Error::Validation`] listing every invalid field; [`Error::RateLimited`];
    /// [`Error::Conflict`] for a taken username, and for a taken email only in
    /// [`RegistrationMode::RevealConflicts`]; store errors.
    #[tracing::instrument(name = "auth.register", skip_all)]
    pub async fn register(
        &self,
        input: Registration,
        ctx: &RequestContext,
    ) -> Result<RegisterOutcome> {
        let now = self.now();
        let limits = self.inner.config.rate_limits;
        self.hit_ip(
            Counted::RegistrationsPerNetwork,
            ctx.ip,
            limits.register_per_ip,
            now,
        )
        .await?;
        let (email, username, profile) = self
            .validate_signup(
                &input.email,
                input.username.as_deref(),
                &input.password,
                Some(&input.password_confirm),
                (&input.profile, Writer::Registration),
            )
            .await?;
        let language = self.offered_language(input.language.as_deref())?;
        let sign_up = SignUp {
            email: &email,
            username: username.as_deref(),
            profile: &profile,
            ctx,
        };
        if let Err(veto) = self.inner.hooks.before_registration(&sign_up).await {
            let mut errors = ValidationErrors::new();
            errors.push_text("email", "not_allowed", veto.into_message());
            return Err(Error::Validation(errors));
        }
        self.refuse_taken_username(username.as_deref()).await?;
        let hash = self.inner.config.hasher.hash(&input.password).await?;
        let new = self.new_account(email, username, hash, profile, Creation::SignUp);
        let Transition { mut user, effects } = machine::create(new, now);
        user.language = language;
        let created = self.inner.users.create_user(&user).await;
        self.answer_sign_up(user, effects, created, ctx).await
    }

    /// The answer of a sign-up, from the account meant and how its creation went: the
    /// verification mail (after the answer) when it was created; in
    /// [`RegistrationMode::EnumerationSafe`] the same answer when the address had an
    /// account, whose owner is mailed instead.
    pub(super) async fn answer_sign_up(
        &self,
        user: User,
        effects: Vec<Effect>,
        created: Result<()>,
        ctx: &RequestContext,
    ) -> Result<RegisterOutcome> {
        let safe = self.inner.config.registration == RegistrationMode::EnumerationSafe;
        let auth = self.clone();
        let ctx = ctx.clone();
        match created {
            Ok(()) => {
                let welcome = user.clone();
                self.detached(async move {
                    if let Err(e) = auth.perform_created(&welcome, &effects, &ctx).await {
                        tracing::error!(error = %e, "the verification mail was not sent");
                    }
                })
                .await;
                Ok(if safe {
                    RegisterOutcome::Accepted
                } else {
                    RegisterOutcome::Created(Box::new(user))
                })
            }
            Err(Error::Conflict {
                field: UniqueField::Email,
            }) if safe => {
                self.detached(async move {
                    if let Err(e) = auth.tell_owner_of(&user.email).await {
                        tracing::error!(error = %e, "the account-exists mail was not sent");
                    }
                })
                .await;
                Ok(RegisterOutcome::Accepted)
            }
            Err(e) => Err(e),
        }
    }

    /// Mails the owner of `email` that someone tried to sign up with it.
    async fn tell_owner_of(&self, email: &str) -> Result<()> {
        if let Some(owner) = self.inner.users.user_by_email(email).await? {
            let mail = self.compose(
                MailKind::AccountExists,
                &owner.email,
                &owner,
                &MailLinks::default(),
            )?;
            self.deliver(mail).await;
        }
        Ok(())
    }

    /// Performs what follows an account's creation.
    async fn perform_created(
        &self,
        user: &User,
        effects: &[Effect],
        ctx: &RequestContext,
    ) -> Result<()> {
        let links = self.mail_links(user, effects).await?;
        self.perform(user, effects, Origin::of(ctx), links).await
    }

    /// Checks a link token's signature, expiry and purpose, and loads its user.
    pub(super) async fn open_token(
        &self,
        token: &str,
        purpose: Purpose,
    ) -> Result<(TokenProof, User)> {
        let claims = self
            .inner
            .config
            .tokens
            .verify(token, purpose, self.now())?;
        let user = self
            .inner
            .users
            .user_by_id(claims.sub)
            .await?
            .ok_or_else(|| Error::token(TokenRejection::AlreadyUsed))?;
        Ok((TokenProof::new(claims), user))
    }

    /// Confirms an email address from a verification link. A link works once.
    ///
    /// # Errors
    /// [`Error::Token`] for a bad, expired, wrong-purpose or already used link.
    #[tracing::instrument(name = "auth.verify_email", skip_all)]
    pub async fn verify_email(&self, token: &str, ctx: &RequestContext) -> Result<User> {
        let (proof, user) = self.open_token(token, Purpose::VerifyEmail).await?;
        let origin = Origin::of(ctx);
        let (user, effects) = self
            .run_event(user, Event::EmailVerified(proof), origin)
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }

    /// Mails a fresh verification link to an unverified account. The answer, and its
    /// timing, are the same for unknown and already verified addresses: the lookup and
    /// the mail happen after the answer.
    ///
    /// # Errors
    /// [`Error::Validation`] for a malformed address; [`Error::RateLimited`].
    #[tracing::instrument(name = "auth.resend_verification", skip_all)]
    pub async fn resend_verification(&self, email: &str, ctx: &RequestContext) -> Result<()> {
        self.request_link(email, Event::VerificationRequested, ctx)
            .await
    }

    /// Creates an account directly, without mail (operator tools, seeding, tests).
    ///
    /// # Errors
    /// [`Error::Validation`], [`Error::Conflict`], store errors.
    #[tracing::instrument(name = "auth.create_user", skip_all)]
    pub async fn create_user(&self, input: NewUser) -> Result<User> {
        let (email, username, profile) = self
            .validate_signup(
                &input.email,
                input.username.as_deref(),
                &input.password,
                None,
                (&input.profile, Writer::Admin),
            )
            .await?;
        let roles = normalize_roles(&input.roles)?;
        let hash = self.inner.config.hasher.hash(&input.password).await?;
        let mut new = self.new_account(
            email,
            username,
            hash,
            profile,
            Creation::Direct {
                verified: input.verified,
            },
        );
        new.roles = roles;
        let Transition { user, effects } = machine::create(new, self.now());
        self.inner.users.create_user(&user).await?;
        self.perform(&user, &effects, Origin::default(), MailLinks::default())
            .await?;
        Ok(user)
    }
}

impl Auth {
    /// Brings an account over from another system with its existing password hash, so
    /// that its owner keeps their password (no mail is sent).
    ///
    /// The hash must be in a format [`Hasher::recognize`](crate::Hasher::recognize)
    /// accepts; a hash in another system's format verifies at sign-in and is replaced by
    /// Argon2id with the configured parameters at the first successful one. The email,
    /// username, roles and profile are validated as for [`Auth::create_user`]; the password policy
    /// cannot apply (the password is not known).
    ///
    /// # Errors
    /// [`Error::Validation`] listing every invalid field (`email`, `username`, `roles`,
    /// `password_hash` with the reason), [`Error::Conflict`] when the email address or
    /// username is taken, store errors.
    #[tracing::instrument(name = "auth.import_user", skip_all)]
    pub async fn import_user(&self, input: ImportUser) -> Result<User> {
        let mut errors = ValidationErrors::new();
        let email = collect(&mut errors, normalize_email("email", &input.email))?;
        let username =
            collect(&mut errors, normalize_username(input.username.as_deref()))?.flatten();
        let roles = collect(&mut errors, normalize_roles(&input.roles))?;
        collect(
            &mut errors,
            self.inner.config.hasher.recognize(&input.password_hash),
        )?;
        let profile = self.new_profile(&mut errors, &input.profile, Writer::Admin)?;
        errors.into_result()?;
        let (Some(email), Some(roles)) = (email, roles) else {
            return Err(Error::invalid(
                "email",
                Message::new("field-email-required"),
            ));
        };
        let mut new = self.new_account(
            email,
            username,
            input.password_hash,
            profile,
            Creation::Imported {
                verified: input.verified,
            },
        );
        new.roles = roles;
        let Transition { user, effects } = machine::create(new, self.now());
        self.inner.users.create_user(&user).await?;
        self.perform(&user, &effects, Origin::default(), MailLinks::default())
            .await?;
        Ok(user)
    }
}

/// An account brought over from another system (see [`Auth::import_user`]).
#[derive(Clone)]
pub struct ImportUser {
    /// Email address.
    pub email: String,
    /// Optional username.
    pub username: Option<String>,
    /// The password hash the other system stored.
    pub password_hash: crate::PasswordHash,
    /// Roles to grant.
    pub roles: Vec<String>,
    /// Whether the address counts as confirmed.
    pub verified: bool,
    /// Profile values (any declared field, as an administrator may write).
    pub profile: ProfileUpdate,
}

impl std::fmt::Debug for ImportUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportUser")
            .field("email", &self.email)
            .field("username", &self.username)
            .field("password_hash", &"<redacted>")
            .field("roles", &self.roles)
            .field("verified", &self.verified)
            .field("profile", &self.profile)
            .finish()
    }
}

fn collect<T>(errors: &mut ValidationErrors, result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(Error::Validation(v)) => {
            errors.extend(v);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}
