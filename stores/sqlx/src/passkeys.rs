//! [`PasskeyStore`] on [`SqlxStore`]: the `passkeys` table (migration 0010), found by the
//! credential id (its primary key) in one statement.

use async_trait::async_trait;
use auth_core::{PasskeyCredential, PasskeyStore, PasskeyUse, Result, UniqueField, UserId};

use crate::SqlxStore;
use crate::codec::{opt_ts, passkey_from_row, roles_json, ts};
use crate::error::conflict_on;
use crate::statement::{execute, fetch_all, fetch_optional};
use crate::ways_in::remove_at_version;

#[async_trait]
impl PasskeyStore for SqlxStore {
    async fn create_passkey(&self, passkey: &PasskeyCredential) -> Result<()> {
        let sql = &self.inner.sql.passkeys;
        let transports = roles_json(&passkey.transports)?;
        execute!(
            self,
            "create_passkey",
            sql.create,
            [
                passkey.id.as_str(),
                passkey.user_id.0,
                passkey.name.as_str(),
                passkey.passkey.as_str(),
                i64::from(passkey.sign_count),
                passkey.backup_eligible,
                passkey.backup_state,
                transports.as_str(),
                ts(passkey.created_at),
                opt_ts(passkey.last_used_at),
            ],
            conflict_on(UniqueField::Passkey)
        )
        .await
        .map(drop)
    }

    async fn passkey(&self, id: &str) -> Result<Option<PasskeyCredential>> {
        let sql = &self.inner.sql.passkeys;
        fetch_optional!(self, "passkey", sql.by_id, [id], passkey_from_row).await
    }

    async fn passkeys_for_user(&self, user_id: UserId) -> Result<Vec<PasskeyCredential>> {
        let sql = &self.inner.sql.passkeys;
        fetch_all!(
            self,
            "passkeys_for_user",
            sql.for_user,
            [user_id.0],
            passkey_from_row
        )
        .await
    }

    async fn record_passkey_use(&self, id: &str, used: &PasskeyUse) -> Result<bool> {
        let sql = &self.inner.sql.passkeys;
        let n = execute!(
            self,
            "record_passkey_use",
            sql.record_use,
            [
                used.passkey.as_str(),
                i64::from(used.sign_count),
                used.backup_eligible,
                used.backup_state,
                ts(used.at),
                id,
            ]
        )
        .await?;
        Ok(n > 0)
    }

    async fn rename_passkey(&self, user_id: UserId, id: &str, name: &str) -> Result<bool> {
        let sql = &self.inner.sql.passkeys;
        let n = execute!(self, "rename_passkey", sql.rename, [name, user_id.0, id]).await?;
        Ok(n > 0)
    }

    async fn delete_passkey(&self, user_id: UserId, id: &str) -> Result<bool> {
        let sql = &self.inner.sql.passkeys;
        let n = execute!(self, "delete_passkey", sql.delete_one, [user_id.0, id]).await?;
        Ok(n > 0)
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
        let sql = &self.inner.sql.passkeys;
        remove_at_version!(
            self,
            "delete_passkey_at",
            user_id,
            ways_in_version,
            sql.delete_one,
            [user_id.0, id]
        )
        .await
    }

    async fn delete_passkeys_for_user(&self, user_id: UserId) -> Result<u64> {
        let sql = &self.inner.sql.passkeys;
        execute!(
            self,
            "delete_passkeys_for_user",
            sql.delete_for_user,
            [user_id.0]
        )
        .await
    }
}
