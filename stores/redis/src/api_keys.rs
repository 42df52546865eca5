//! [`ApiKeyStore`] on Redis.
//!
//! A key is one hash found by its digest (`api_key` is one `HMGET`, one round trip); an id
//! index serves revocation by public id and uniqueness of ids, and a sorted set per owner
//! lists and revokes a person's keys. Everything sits in the accounts slot, so that a
//! user's keys are deleted with the user in [`scripts::DELETE_USER`].

use async_trait::async_trait;
use auth_core::{ApiKeyDigest, ApiKeyRecord, ApiKeyStore, Error, Result, UniqueField, UserId};
use time::OffsetDateTime;

use crate::RedisStore;
use crate::codec::{Corrupt, floor_ms, from_json, in_rows, parse_time_key, time_key, to_json};
use crate::scripts;

/// A key hash read back: the record as created, with the last use that touches set.
fn key_from_parts(json: &str, last_used: &str, ip: &str) -> Result<ApiKeyRecord> {
    let mut record: ApiKeyRecord = from_json(json)?;
    if !last_used.is_empty() {
        record.last_used_at = Some(parse_time_key(last_used)?);
        record.last_used_ip = (!ip.is_empty()).then(|| ip.to_owned());
    }
    Ok(record)
}

#[async_trait]
impl ApiKeyStore for RedisStore {
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        let keys = self.keys();
        let created: i64 = self
            .script(
                scripts::CREATE_API_KEY
                    .key(keys.api_key(&key.digest))
                    .key(keys.api_key_id(&key.id))
                    .key(keys.user_api_keys(key.user_id))
                    .arg(keys.accounts())
                    .arg(key.digest.to_hex())
                    .arg(&key.id)
                    .arg(key.user_id.to_string())
                    .arg(to_json(key)?)
                    .arg(floor_ms(key.created_at))
                    .arg(key.last_used_at.map(time_key).unwrap_or_default())
                    .arg(key.last_used_ip.as_deref().unwrap_or("")),
            )
            .await?;
        if created == 1 {
            Ok(())
        } else {
            Err(Error::Conflict {
                field: UniqueField::ApiKey,
            })
        }
    }

    async fn api_key(&self, digest: &ApiKeyDigest) -> Result<Option<ApiKeyRecord>> {
        let fields: Vec<Option<String>> = self
            .query(
                redis::cmd("HMGET")
                    .arg(self.keys().api_key(digest))
                    .arg("d")
                    .arg("lu")
                    .arg("li"),
            )
            .await?;
        match fields.as_slice() {
            [None, _, _] => Ok(None),
            [Some(d), lu, li] => {
                key_from_parts(d, lu.as_deref().unwrap_or(""), li.as_deref().unwrap_or(""))
                    .map(Some)
            }
            _ => Err(Error::backend(Corrupt::new("an API key hash", fields))),
        }
    }

    async fn api_keys_for_user(&self, user_id: UserId) -> Result<Vec<ApiKeyRecord>> {
        let keys = self.keys();
        let rows: Vec<String> = self
            .script(
                scripts::API_KEYS_FOR_USER
                    .key(keys.user_api_keys(user_id))
                    .arg(keys.accounts()),
            )
            .await?;
        let mut found = in_rows(&rows, 3, "API key triples")?
            .map(|r| key_from_parts(&r[0], &r[1], &r[2]))
            .collect::<Result<Vec<_>>>()?;
        found.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(found)
    }

    async fn touch_api_key(
        &self,
        digest: &ApiKeyDigest,
        at: OffsetDateTime,
        ip: Option<&str>,
    ) -> Result<()> {
        let _touched: i64 = self
            .script(
                scripts::TOUCH_API_KEY
                    .key(self.keys().api_key(digest))
                    .arg(time_key(at))
                    .arg(ip.unwrap_or("")),
            )
            .await?;
        Ok(())
    }

    async fn delete_api_key(&self, user_id: UserId, id: &str) -> Result<bool> {
        let keys = self.keys();
        let deleted: i64 = self
            .script(
                scripts::DELETE_API_KEY
                    .key(keys.api_key_id(id))
                    .arg(keys.accounts())
                    .arg(user_id.to_string()),
            )
            .await?;
        Ok(deleted == 1)
    }

    async fn delete_api_keys_for_user(&self, user_id: UserId) -> Result<u64> {
        let keys = self.keys();
        self.script(
            scripts::DELETE_API_KEYS_FOR_USER
                .key(keys.user_api_keys(user_id))
                .arg(keys.accounts()),
        )
        .await
    }
}
