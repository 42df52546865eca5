//! [`IdentityStore`] on [`SqlxStore`]: the `identities` table (migration 0011), keyed by
//! provider and subject, so that its primary key makes each identity link once.

use async_trait::async_trait;
use auth_core::{Error, Identity, IdentityStore, Result, UniqueField, UserId};

use crate::codec::{identity_from_row, opt_ts, ts};
use crate::error::map_err;
use crate::{SqlxStore, with_pool};

/// Maps a unique violation (the identity is linked already) to the contract's `Conflict`.
fn identity_conflict(e: sqlx::Error) -> Error {
    let unique = e
        .as_database_error()
        .is_some_and(|db| db.is_unique_violation());
    if unique {
        Error::Conflict {
            field: UniqueField::Identity,
        }
    } else {
        map_err(e)
    }
}

#[async_trait]
impl IdentityStore for SqlxStore {
    async fn link_identity(&self, identity: &Identity) -> Result<()> {
        let sql = &self.inner.sql.identities;
        self.run("link_identity", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.link.clone())
                    .bind(identity.provider.as_str())
                    .bind(identity.subject.as_str())
                    .bind(identity.user_id.0)
                    .bind(identity.email.as_deref())
                    .bind(identity.email_verified)
                    .bind(ts(identity.linked_at))
                    .bind(opt_ts(identity.last_used_at))
                    .execute(pool)
                    .await
                    .map_err(identity_conflict)?;
            });
            Ok(())
        })
        .await
    }

    async fn identity(&self, provider: &str, subject: &str) -> Result<Option<Identity>> {
        let sql = &self.inner.sql.identities;
        self.run("identity", || async {
            with_pool!(self, pool => {
                let row = sqlx::query(sql.by_key.clone())
                    .bind(provider)
                    .bind(subject)
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(identity_from_row).transpose()
            })
        })
        .await
    }

    async fn identities_for_user(&self, user_id: UserId) -> Result<Vec<Identity>> {
        let sql = &self.inner.sql.identities;
        self.run("identities_for_user", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.for_user.clone())
                    .bind(user_id.0)
                    .fetch_all(pool)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(identity_from_row)
                    .collect()
            })
        })
        .await
    }

    async fn touch_identity(&self, identity: &Identity) -> Result<()> {
        let sql = &self.inner.sql.identities;
        self.run("touch_identity", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.touch.clone())
                    .bind(identity.email.as_deref())
                    .bind(identity.email_verified)
                    .bind(opt_ts(identity.last_used_at))
                    .bind(identity.provider.as_str())
                    .bind(identity.subject.as_str())
                    .bind(identity.user_id.0)
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn unlink_identity(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
    ) -> Result<bool> {
        let sql = &self.inner.sql.identities;
        self.run("unlink_identity", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.unlink.clone())
                    .bind(provider)
                    .bind(subject)
                    .bind(user_id.0)
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n > 0)
        })
        .await
    }

    async fn unlink_identities_for_user(&self, user_id: UserId) -> Result<u64> {
        let sql = &self.inner.sql.identities;
        self.run("unlink_identities_for_user", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.unlink_for_user.clone())
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
