//! [`ApiKeyStore`] on [`SqlxStore`]: the `api_keys` table (migration 0005), found by the
//! digest (its primary key) in one statement.

use async_trait::async_trait;
use auth_core::{ApiKeyDigest, ApiKeyRecord, ApiKeyStore, Result, UniqueField, UserId};
use time::OffsetDateTime;

use crate::SqlxStore;
use crate::codec::{api_key_from_row, opt_ts, roles_json, ts};
use crate::error::conflict_on;
use crate::statement::{execute, fetch_all, fetch_optional};

#[async_trait]
impl ApiKeyStore for SqlxStore {
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        let sql = &self.inner.sql.api_keys;
        let scopes = roles_json(&key.scopes)?;
        execute!(
            self,
            "create_api_key",
            sql.create,
            [
                key.digest.as_bytes().as_slice(),
                key.id.as_str(),
                key.user_id.0,
                key.name.as_str(),
                scopes.as_str(),
                ts(key.created_at),
                opt_ts(key.expires_at),
                opt_ts(key.last_used_at),
                key.last_used_ip.as_deref(),
            ],
            conflict_on(UniqueField::ApiKey)
        )
        .await
        .map(drop)
    }

    async fn api_key(&self, digest: &ApiKeyDigest) -> Result<Option<ApiKeyRecord>> {
        let sql = &self.inner.sql.api_keys;
        fetch_optional!(
            self,
            "api_key",
            sql.by_digest,
            [digest.as_bytes().as_slice()],
            api_key_from_row
        )
        .await
    }

    async fn api_keys_for_user(&self, user_id: UserId) -> Result<Vec<ApiKeyRecord>> {
        let sql = &self.inner.sql.api_keys;
        fetch_all!(
            self,
            "api_keys_for_user",
            sql.for_user,
            [user_id.0],
            api_key_from_row
        )
        .await
    }

    async fn touch_api_key(
        &self,
        digest: &ApiKeyDigest,
        at: OffsetDateTime,
        ip: Option<&str>,
    ) -> Result<()> {
        let sql = &self.inner.sql.api_keys;
        execute!(
            self,
            "touch_api_key",
            sql.touch,
            [ts(at), ip, digest.as_bytes().as_slice()]
        )
        .await
        .map(drop)
    }

    async fn delete_api_key(&self, user_id: UserId, id: &str) -> Result<bool> {
        let sql = &self.inner.sql.api_keys;
        let n = execute!(self, "delete_api_key", sql.delete_one, [user_id.0, id]).await?;
        Ok(n > 0)
    }

    async fn delete_api_keys_for_user(&self, user_id: UserId) -> Result<u64> {
        let sql = &self.inner.sql.api_keys;
        execute!(
            self,
            "delete_api_keys_for_user",
            sql.delete_for_user,
            [user_id.0]
        )
        .await
    }
}
