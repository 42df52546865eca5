//! [`ApiKeyStore`] on [`SqlxStore`]: the `api_keys` table (migration 0005), found by the
//! digest (its primary key) in one statement.

use async_trait::async_trait;
use auth_core::{ApiKeyDigest, ApiKeyRecord, ApiKeyStore, Error, Result, UniqueField, UserId};
use time::OffsetDateTime;

use crate::codec::{api_key_from_row, opt_ts, roles_json, ts};
use crate::error::map_err;
use crate::{SqlxStore, with_pool};

/// Maps a unique violation (id or digest) to the contract's `Conflict`.
fn key_conflict(e: sqlx::Error) -> Error {
    let unique = e
        .as_database_error()
        .is_some_and(|db| db.is_unique_violation());
    if unique {
        Error::Conflict {
            field: UniqueField::ApiKey,
        }
    } else {
        map_err(e)
    }
}

#[async_trait]
impl ApiKeyStore for SqlxStore {
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        let sql = &self.inner.sql.api_keys;
        let scopes = roles_json(&key.scopes)?;
        self.run("create_api_key", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.create.clone())
                    .bind(key.digest.as_bytes().as_slice())
                    .bind(key.id.as_str())
                    .bind(key.user_id.0)
                    .bind(key.name.as_str())
                    .bind(scopes.as_str())
                    .bind(ts(key.created_at))
                    .bind(opt_ts(key.expires_at))
                    .bind(opt_ts(key.last_used_at))
                    .bind(key.last_used_ip.as_deref())
                    .execute(pool)
                    .await
                    .map_err(key_conflict)?;
            });
            Ok(())
        })
        .await
    }

    async fn api_key(&self, digest: &ApiKeyDigest) -> Result<Option<ApiKeyRecord>> {
        let sql = &self.inner.sql.api_keys;
        self.run("api_key", || async {
            with_pool!(self, pool => {
                let row = sqlx::query(sql.by_digest.clone())
                    .bind(digest.as_bytes().as_slice())
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(api_key_from_row).transpose()
            })
        })
        .await
    }

    async fn api_keys_for_user(&self, user_id: UserId) -> Result<Vec<ApiKeyRecord>> {
        let sql = &self.inner.sql.api_keys;
        self.run("api_keys_for_user", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.for_user.clone())
                    .bind(user_id.0)
                    .fetch_all(pool)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(api_key_from_row)
                    .collect()
            })
        })
        .await
    }

    async fn touch_api_key(
        &self,
        digest: &ApiKeyDigest,
        at: OffsetDateTime,
        ip: Option<&str>,
    ) -> Result<()> {
        let sql = &self.inner.sql.api_keys;
        self.run("touch_api_key", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.touch.clone())
                    .bind(ts(at))
                    .bind(ip)
                    .bind(digest.as_bytes().as_slice())
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn delete_api_key(&self, user_id: UserId, id: &str) -> Result<bool> {
        let sql = &self.inner.sql.api_keys;
        self.run("delete_api_key", || async {
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

    async fn delete_api_keys_for_user(&self, user_id: UserId) -> Result<u64> {
        let sql = &self.inner.sql.api_keys;
        self.run("delete_api_keys_for_user", || async {
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
