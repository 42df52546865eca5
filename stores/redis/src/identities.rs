//! [`IdentityStore`] on Redis: one hash per identity (owner `u`, JSON `d`, and the sealed
//! provider tokens `t` when kept) and a set per user naming them, in the accounts slot,
//! written together by scripts. Unlinking deletes the hash, tokens included.

use async_trait::async_trait;
use auth_core::{Error, Identity, IdentityStore, Result, UniqueField, UserId};

use crate::RedisStore;
use crate::keys::identity_member;
use crate::scripts;

fn to_json(identity: &Identity) -> Result<String> {
    serde_json::to_string(identity).map_err(Error::backend)
}

fn from_json(json: &str) -> Result<Identity> {
    serde_json::from_str(json).map_err(Error::backend)
}

#[async_trait]
impl IdentityStore for RedisStore {
    async fn link_identity(&self, identity: &Identity) -> Result<()> {
        let keys = self.keys();
        let taken: i64 = self
            .script(
                scripts::LINK_IDENTITY
                    .key(keys.identity(&identity.provider, &identity.subject))
                    .key(keys.user_identities(identity.user_id))
                    .arg(identity.user_id.to_string())
                    .arg(to_json(identity)?)
                    .arg(identity_member(&identity.provider, &identity.subject)),
            )
            .await?;
        if taken == 0 {
            Ok(())
        } else {
            Err(Error::Conflict {
                field: UniqueField::Identity,
            })
        }
    }

    async fn identity(&self, provider: &str, subject: &str) -> Result<Option<Identity>> {
        let json: Option<String> = self
            .query(
                redis::cmd("HGET")
                    .arg(self.keys().identity(provider, subject))
                    .arg("d"),
            )
            .await?;
        json.as_deref().map(from_json).transpose()
    }

    async fn identities_for_user(&self, user_id: UserId) -> Result<Vec<Identity>> {
        let pairs: Vec<String> = self
            .script(
                scripts::IDENTITIES_FOR_USER
                    .key(self.keys().user_identities(user_id))
                    .arg(self.keys().accounts()),
            )
            .await?;
        let owner = user_id.to_string();
        let mut found = Vec::new();
        for pair in pairs.chunks(2) {
            if let [user, json] = pair
                && *user == owner
            {
                found.push(from_json(json)?);
            }
        }
        found.sort_by(|a, b| {
            (a.linked_at, &a.provider, &a.subject).cmp(&(b.linked_at, &b.provider, &b.subject))
        });
        Ok(found)
    }

    async fn touch_identity(&self, identity: &Identity) -> Result<()> {
        let stored = self.identity(&identity.provider, &identity.subject).await?;
        let Some(mut stored) = stored.filter(|s| s.user_id == identity.user_id) else {
            return Ok(());
        };
        stored.email.clone_from(&identity.email);
        stored.email_verified = identity.email_verified;
        stored.last_used_at = identity.last_used_at;
        let _: i64 = self
            .script(
                scripts::TOUCH_IDENTITY
                    .key(self.keys().identity(&identity.provider, &identity.subject))
                    .arg(identity.user_id.to_string())
                    .arg(to_json(&stored)?),
            )
            .await?;
        Ok(())
    }

    async fn unlink_identity(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
    ) -> Result<bool> {
        let keys = self.keys();
        let done: i64 = self
            .script(
                scripts::UNLINK_IDENTITY
                    .key(keys.identity(provider, subject))
                    .key(keys.user_identities(user_id))
                    .arg(user_id.to_string())
                    .arg(identity_member(provider, subject)),
            )
            .await?;
        Ok(done == 1)
    }

    async fn ways_in_version(&self, user_id: UserId) -> Result<u64> {
        self.current_ways_in_version(user_id).await
    }

    async fn unlink_identity_at(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        ways_in_version: u64,
    ) -> Result<bool> {
        let keys = self.keys();
        let done: i64 = self
            .script(
                scripts::UNLINK_IDENTITY_AT
                    .key(keys.identity(provider, subject))
                    .key(keys.user_identities(user_id))
                    .key(keys.user_ways_in(user_id))
                    .arg(user_id.to_string())
                    .arg(identity_member(provider, subject))
                    .arg(ways_in_version),
            )
            .await?;
        crate::passkeys::removed_at_version(done)
    }

    async fn unlink_identities_for_user(&self, user_id: UserId) -> Result<u64> {
        let n: u64 = self
            .script(
                scripts::UNLINK_IDENTITIES_FOR_USER
                    .key(self.keys().user_identities(user_id))
                    .arg(self.keys().accounts())
                    .arg(user_id.to_string()),
            )
            .await?;
        Ok(n)
    }

    async fn keep_identity_tokens(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        sealed: Option<&str>,
    ) -> Result<bool> {
        let kept: i64 = self
            .script(
                scripts::KEEP_IDENTITY_TOKENS
                    .key(self.keys().identity(provider, subject))
                    .arg(user_id.to_string())
                    .arg(if sealed.is_some() { "1" } else { "0" })
                    .arg(sealed.unwrap_or("")),
            )
            .await?;
        Ok(kept == 1)
    }

    async fn identity_tokens(&self, provider: &str, subject: &str) -> Result<Option<String>> {
        self.query(
            redis::cmd("HGET")
                .arg(self.keys().identity(provider, subject))
                .arg("t"),
        )
        .await
    }
}
