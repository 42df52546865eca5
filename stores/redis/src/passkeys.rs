//! [`PasskeyStore`] on Redis: each passkey's JSON under its credential id, and a set of
//! ids per user, both in the accounts slot (so that `delete_user` deletes a user's
//! passkeys in its script). Updates are compare-and-swap on the JSON read.

use async_trait::async_trait;
use auth_core::{Error, PasskeyCredential, PasskeyStore, PasskeyUse, Result, UniqueField, UserId};

use crate::{RedisStore, scripts};

/// Attempts of a compare-and-swap before giving up (another writer kept winning).
const CAS_ATTEMPTS: usize = 8;

fn to_json(passkey: &PasskeyCredential) -> Result<String> {
    serde_json::to_string(passkey).map_err(Error::backend)
}

fn from_json(json: &str) -> Result<PasskeyCredential> {
    serde_json::from_str(json).map_err(Error::backend)
}

/// The answer of a removal script at a ways-in version: 1 removed, 0 nothing to remove,
/// -1 the version moved on.
pub(crate) fn removed_at_version(done: i64) -> Result<bool> {
    match done {
        1 => Ok(true),
        0 => Ok(false),
        _ => Err(Error::StaleVersion),
    }
}

impl RedisStore {
    /// The user's ways-in version (absent: 0).
    pub(crate) async fn current_ways_in_version(&self, user_id: UserId) -> Result<u64> {
        let version: Option<u64> = self
            .query(redis::cmd("GET").arg(self.keys().user_ways_in(user_id)))
            .await?;
        Ok(version.unwrap_or(0))
    }

    /// Applies `change` to the stored passkey (if `owner` matches, when given) with a
    /// compare-and-swap; returns whether the passkey was there to change.
    async fn change_passkey(
        &self,
        id: &str,
        owner: Option<UserId>,
        change: impl Fn(&mut PasskeyCredential),
    ) -> Result<bool> {
        let key = self.keys().passkey(id);
        for _ in 0..CAS_ATTEMPTS {
            let read: Option<String> = self.query(redis::cmd("GET").arg(&key)).await?;
            let Some(read) = read else {
                return Ok(false);
            };
            let mut passkey = from_json(&read)?;
            if owner.is_some_and(|o| o != passkey.user_id) {
                return Ok(false);
            }
            change(&mut passkey);
            let replaced: i64 = self
                .script(
                    scripts::REPLACE_PASSKEY
                        .key(&key)
                        .arg(&read)
                        .arg(to_json(&passkey)?),
                )
                .await?;
            match replaced {
                1 => return Ok(true),
                0 => return Ok(false),
                _ => {}
            }
        }
        Err(Error::backend("a passkey kept changing during an update"))
    }
}

#[async_trait]
impl PasskeyStore for RedisStore {
    async fn create_passkey(&self, passkey: &PasskeyCredential) -> Result<()> {
        let keys = self.keys();
        let created: i64 = self
            .script(
                scripts::CREATE_PASSKEY
                    .key(keys.passkey(&passkey.id))
                    .key(keys.user_passkeys(passkey.user_id))
                    .arg(to_json(passkey)?)
                    .arg(&passkey.id),
            )
            .await?;
        if created == 1 {
            Ok(())
        } else {
            Err(Error::Conflict {
                field: UniqueField::Passkey,
            })
        }
    }

    async fn passkey(&self, id: &str) -> Result<Option<PasskeyCredential>> {
        let json: Option<String> = self
            .query(redis::cmd("GET").arg(self.keys().passkey(id)))
            .await?;
        json.as_deref().map(from_json).transpose()
    }

    async fn passkeys_for_user(&self, user_id: UserId) -> Result<Vec<PasskeyCredential>> {
        let keys = self.keys();
        let ids: Vec<String> = self
            .query(redis::cmd("SMEMBERS").arg(keys.user_passkeys(user_id)))
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = ids.iter().map(|id| keys.passkey(id)).collect();
        let found: Vec<Option<String>> = self.query(redis::cmd("MGET").arg(&names)).await?;
        let mut passkeys = found
            .iter()
            .flatten()
            .map(|json| from_json(json))
            .collect::<Result<Vec<_>>>()?;
        passkeys.retain(|p| p.user_id == user_id);
        passkeys.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(passkeys)
    }

    async fn record_passkey_use(&self, id: &str, used: &PasskeyUse) -> Result<bool> {
        self.change_passkey(id, None, |p| {
            p.passkey.clone_from(&used.passkey);
            p.sign_count = used.sign_count;
            p.backup_eligible = used.backup_eligible;
            p.backup_state = used.backup_state;
            p.last_used_at = Some(used.at);
        })
        .await
    }

    async fn rename_passkey(&self, user_id: UserId, id: &str, name: &str) -> Result<bool> {
        self.change_passkey(id, Some(user_id), |p| name.clone_into(&mut p.name))
            .await
    }

    async fn delete_passkey(&self, user_id: UserId, id: &str) -> Result<bool> {
        let keys = self.keys();
        let deleted: i64 = self
            .script(
                scripts::DELETE_PASSKEY
                    .key(keys.passkey(id))
                    .key(keys.user_passkeys(user_id))
                    .arg(id),
            )
            .await?;
        Ok(deleted == 1)
    }

    async fn ways_in_version(&self, user_id: UserId) -> Result<u64> {
        self.current_ways_in_version(user_id).await
    }

    async fn delete_passkey_at(
        &self,
        user_id: UserId,
        id: &str,
        ways_in_version: u64,
    ) -> Result<bool> {
        let keys = self.keys();
        let done: i64 = self
            .script(
                scripts::DELETE_PASSKEY_AT
                    .key(keys.passkey(id))
                    .key(keys.user_passkeys(user_id))
                    .key(keys.user_ways_in(user_id))
                    .arg(id)
                    .arg(ways_in_version),
            )
            .await?;
        removed_at_version(done)
    }

    async fn delete_passkeys_for_user(&self, user_id: UserId) -> Result<u64> {
        let mut deleted = 0;
        for passkey in self.passkeys_for_user(user_id).await? {
            if self.delete_passkey(user_id, &passkey.id).await? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}
