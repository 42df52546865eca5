//! API keys: a signed-in person creates, lists and revokes them; a program presents one
//! and is authenticated as that person, within the key's scopes.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::effects::Origin;
use super::{Auth, Authenticated, RequestContext};
use crate::api_key::{ApiKeyRecord, ApiKeyToken};
use crate::error::{Error, Message, Result, ValidationErrors};
use crate::model::{AccountStatus, AuditKind, User, UserId};
use crate::store::ApiKeyStore;

/// The longest key name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// The most keys one account may hold.
pub const MAX_API_KEYS_PER_USER: usize = 50;
/// How often the use of a key is written back (its last-used time and address).
const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// What a person asks for when creating a key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewApiKey {
    /// A name to recognise it by ("deploy script"): 1 to 100 characters.
    pub name: String,
    /// The scopes it carries, each one the application declared
    /// ([`ConfigBuilder::api_key_scopes`](crate::ConfigBuilder::api_key_scopes)).
    pub scopes: Vec<String>,
    /// When it stops working; `None` for never.
    pub expires_at: Option<OffsetDateTime>,
}

/// A key just created: its record, and the whole key, to show its owner once.
#[derive(Debug, Clone)]
pub struct CreatedApiKey {
    /// What the store keeps.
    pub record: ApiKeyRecord,
    /// The whole key (its `Debug` output is redacted).
    pub token: ApiKeyToken,
}

/// A request authenticated by an API key: the key's owner and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAuthenticated {
    /// The owner, as stored: the key acts for them, never beyond their roles.
    pub user: User,
    /// The key that authenticated the request.
    pub key: ApiKeyRecord,
    /// Whether the owner holds a role that requires a second factor and has none (see
    /// [`Auth::must_enrol_second_factor`]): the key then opens nothing until the owner
    /// enrols one, as the owner's sessions reach nothing but enrolment.
    pub must_enrol_second_factor: bool,
}

impl Auth {
    /// Whether an [`ApiKeyStore`] was given to the builder: without one, API keys can be
    /// neither created nor used.
    pub fn api_keys_enabled(&self) -> bool {
        self.inner.api_keys.is_some()
    }

    fn key_store(&self) -> Result<&Arc<dyn ApiKeyStore>> {
        self.inner.api_keys.as_ref().ok_or(Error::NotFound)
    }

    /// Creates an API key for the signed-in user.
    ///
    /// # Errors
    /// [`Error::Validation`] naming `name` (blank, too long, control characters, or the
    /// account already holds [`MAX_API_KEYS_PER_USER`] keys), `scopes` (one that was
    /// not declared) or `expires_at` (not in the future); [`Error::NotFound`] when API
    /// keys are not enabled; store errors.
    #[tracing::instrument(name = "auth.create_api_key", skip_all, fields(user_id = %auth.user.id))]
    pub async fn create_api_key(
        &self,
        auth: &Authenticated,
        input: NewApiKey,
        ctx: &RequestContext,
    ) -> Result<CreatedApiKey> {
        let store = self.key_store()?;
        let now = self.now();
        let name = input.name.trim().to_owned();
        let mut errors = ValidationErrors::new();
        if name.is_empty() {
            errors.push("name", "required", Message::new("field-name-required"));
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.push(
                "name",
                "too_long",
                Message::new("field-name-too_long").arg("n", MAX_NAME_CHARS),
            );
        } else if name.chars().any(char::is_control) {
            errors.push(
                "name",
                "invalid",
                Message::new("field-name-control_characters"),
            );
        }
        let declared = self.inner.config.api_key_scopes();
        let mut scopes: Vec<String> = Vec::new();
        for scope in input.scopes {
            if !declared.contains(&scope) {
                errors.push(
                    "scopes",
                    "unknown_scope",
                    Message::new("field-scopes-unknown_scope").arg("scope", format!("{scope:?}")),
                );
            } else if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if input.expires_at.is_some_and(|at| at <= now) {
            errors.push(
                "expires_at",
                "in_the_past",
                Message::new("field-expires_at-in_the_past"),
            );
        }
        errors.into_result()?;
        if store.api_keys_for_user(auth.user.id).await?.len() >= MAX_API_KEYS_PER_USER {
            return Err(Error::invalid(
                "name",
                Message::new("field-name-too_many_keys"),
            ));
        }
        let token = ApiKeyToken::generate();
        let record = ApiKeyRecord {
            id: token.id().to_owned(),
            digest: token.digest(),
            user_id: auth.user.id,
            name,
            scopes,
            created_at: now,
            expires_at: input.expires_at,
            last_used_at: None,
            last_used_ip: None,
        };
        store.create_api_key(&record).await?;
        let detail = format!("{} ({})", record.prefix(), record.scopes.join(" "));
        self.audit(
            AuditKind::ApiKeyCreated,
            Some(auth.user.id),
            Origin::of(ctx),
            Some(detail),
        )
        .await;
        Ok(CreatedApiKey { record, token })
    }

    /// The signed-in user's API keys, expired ones included, newest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] when API keys are not enabled; store errors.
    pub async fn api_keys(&self, auth: &Authenticated) -> Result<Vec<ApiKeyRecord>> {
        self.key_store()?.api_keys_for_user(auth.user.id).await
    }

    /// Revokes one of the signed-in user's keys, by its public id.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no key of theirs has this id (or API keys are not
    /// enabled); store errors.
    #[tracing::instrument(name = "auth.revoke_api_key", skip_all, fields(user_id = %auth.user.id))]
    pub async fn revoke_api_key(
        &self,
        auth: &Authenticated,
        id: &str,
        ctx: &RequestContext,
    ) -> Result<()> {
        if !self.key_store()?.delete_api_key(auth.user.id, id).await? {
            return Err(Error::NotFound);
        }
        let detail = format!("{}{id}", crate::api_key::API_KEY_PREFIX);
        self.audit(
            AuditKind::ApiKeysRevoked,
            Some(auth.user.id),
            Origin::of(ctx),
            Some(detail),
        )
        .await;
        Ok(())
    }

    /// Revokes every key of the signed-in user; returns how many.
    ///
    /// # Errors
    /// [`Error::NotFound`] when API keys are not enabled; store errors.
    #[tracing::instrument(name = "auth.revoke_api_keys", skip_all, fields(user_id = %auth.user.id))]
    pub async fn revoke_api_keys(&self, auth: &Authenticated, ctx: &RequestContext) -> Result<u64> {
        self.key_store()?;
        self.delete_api_keys_of(auth.user.id, Origin::of(ctx)).await
    }

    /// Finds the live key behind a presented API key and its owner: one store round trip
    /// for the key and one for the owner, plus a write at most once a minute (or when
    /// the address changes) to record use.
    ///
    /// `Ok(None)` for an unknown, revoked or expired key, a disabled or deleted account,
    /// or when API keys are not enabled.
    ///
    /// # Errors
    /// Store errors only.
    #[tracing::instrument(name = "auth.authenticate_key", skip_all, level = "debug")]
    pub async fn authenticate_key(
        &self,
        token: &ApiKeyToken,
        ctx: &RequestContext,
    ) -> Result<Option<KeyAuthenticated>> {
        let Some(store) = &self.inner.api_keys else {
            return Ok(None);
        };
        let digest = token.digest();
        let Some(mut key) = store.api_key(&digest).await? else {
            return Ok(None);
        };
        let now = self.now();
        if !key.is_live(now) {
            return Ok(None);
        }
        let Some(user) = self.inner.users.user_by_id(key.user_id).await? else {
            return Ok(None);
        };
        if user.status == AccountStatus::Disabled {
            return Ok(None);
        }
        let ip = ctx.ip.map(|ip| ip.to_string());
        let due = key
            .last_used_at
            .is_none_or(|at| now - at >= TOUCH_INTERVAL || key.last_used_ip != ip);
        if due {
            store.touch_api_key(&digest, now, ip.as_deref()).await?;
            key.last_used_at = Some(now);
            key.last_used_ip = ip;
        }
        let must_enrol_second_factor = self.must_enrol_second_factor(&user);
        Ok(Some(KeyAuthenticated {
            user,
            key,
            must_enrol_second_factor,
        }))
    }

    /// Deletes every key of `user` (when keys are enabled), recording it when there were
    /// any; returns how many.
    pub(super) async fn delete_api_keys_of(&self, user: UserId, origin: Origin<'_>) -> Result<u64> {
        let Some(store) = &self.inner.api_keys else {
            return Ok(0);
        };
        let deleted = store.delete_api_keys_for_user(user).await?;
        if deleted > 0 {
            let detail = format!("{deleted} key(s)");
            self.audit(AuditKind::ApiKeysRevoked, Some(user), origin, Some(detail))
                .await;
        }
        Ok(deleted)
    }
}
