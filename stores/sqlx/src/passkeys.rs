//! [`PasskeyStore`] on [`SqlxStore`]: the `passkeys` table (migration 0010), found by the
//! credential id (its primary key) in one statement.

use async_trait::async_trait;
use auth_core::{Error, PasskeyCredential, PasskeyStore, PasskeyUse, Result, UniqueField, UserId};

use crate::codec::{opt_ts, passkey_from_row, roles_json, ts};
use crate::error::map_err;
use crate::{SqlxStore, with_pool};

/// Maps a unique violation (the credential id) to the contract's `Conflict`.
fn passkey_conflict(e: sqlx::Error) -> Error {
    let unique = e
        .as_database_error()
        .is_some_and(|db| db.is_unique_violation());
    if unique {
        Error::Conflict {
            field: UniqueField::Passkey,
        }
    } else {
        map_err(e)
    }
}

#[async_trait]
impl PasskeyStore for SqlxStore {
    async fn create_passkey(&self, passkey: &PasskeyCredential) -> Result<()> {
        let sql = &self.inner.sql.passkeys;
        let transports = roles_json(&passkey.transports)?;
        self.run("create_passkey", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.create.clone())
                    .bind(passkey.id.as_str())
                    .bind(passkey.user_id.0)
                    .bind(passkey.name.as_str())
                    .bind(passkey.passkey.as_str())
                    .bind(i64::from(passkey.sign_count))
                    .bind(passkey.backup_eligible)
                    .bind(passkey.backup_state)
                    .bind(transports.as_str())
                    .bind(ts(passkey.created_at))
                    .bind(opt_ts(passkey.last_used_at))
                    .execute(pool)
                    .await
                    .map_err(passkey_conflict)?;
            });
            Ok(())
        })
        .await
    }

    async fn passkey(&self, id: &str) -> Result<Option<PasskeyCredential>> {
        let sql = &self.inner.sql.passkeys;
        self.run("passkey", || async {
            with_pool!(self, pool => {
                let row = sqlx::query(sql.by_id.clone())
                    .bind(id)
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(passkey_from_row).transpose()
            })
        })
        .await
    }

    async fn passkeys_for_user(&self, user_id: UserId) -> Result<Vec<PasskeyCredential>> {
        let sql = &self.inner.sql.passkeys;
        self.run("passkeys_for_user", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.for_user.clone())
                    .bind(user_id.0)
                    .fetch_all(pool)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(passkey_from_row)
                    .collect()
            })
        })
        .await
    }

    async fn record_passkey_use(&self, id: &str, used: &PasskeyUse) -> Result<bool> {
        let sql = &self.inner.sql.passkeys;
        self.run("record_passkey_use", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.record_use.clone())
                    .bind(used.passkey.as_str())
                    .bind(i64::from(used.sign_count))
                    .bind(used.backup_eligible)
                    .bind(used.backup_state)
                    .bind(ts(used.at))
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n > 0)
        })
        .await
    }

    async fn rename_passkey(&self, user_id: UserId, id: &str, name: &str) -> Result<bool> {
        let sql = &self.inner.sql.passkeys;
        self.run("rename_passkey", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.rename.clone())
                    .bind(name)
                    .bind(user_id.0)
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n > 0)
        })
        .await
    }

    async fn delete_passkey(&self, user_id: UserId, id: &str) -> Result<bool> {
        let sql = &self.inner.sql.passkeys;
        self.run("delete_passkey", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.delete_one.clone())
                    .bind(user_id.0)
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n > 0)
        })
        .await
    }

    async fn delete_passkeys_for_user(&self, user_id: UserId) -> Result<u64> {
        let sql = &self.inner.sql.passkeys;
        self.run("delete_passkeys_for_user", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.delete_for_user.clone())
                    .bind(user_id.0)
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n)
        })
        .await
    }
}
