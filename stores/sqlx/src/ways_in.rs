//! The ways-in version of an account (`ways_in_version` of `users`, migration 0014):
//! removing a passkey or unlinking an identity at a version is one transaction that
//! bumps the version (only if it is the one expected) and then removes, so that of two
//! concurrent removals decided on one reading only one is written.

use auth_core::{Result, UserId};

use crate::SqlxStore;
use crate::codec::{RowExt as _, to_u64};
use crate::statement::fetch_optional;

/// Bumps the ways-in version of `$user_id` from `$expected` and runs `$removal` with
/// `$binds` in one write transaction: `Err(StaleVersion)` when the version moved on,
/// `Ok(false)` (rolled back) when the removal found nothing, `Ok(true)` when it removed.
macro_rules! remove_at_version {
    ($store:expr, $operation:expr, $user_id:expr, $expected:expr, $removal:expr, [$($bind:expr),* $(,)?]) => {
        $store.run($operation, || async {
            let bump = &$store.inner.sql.ways_in.bump;
            Ok($crate::with_pool!($store, pool => {
                let mut tx = $crate::BeginWrite::begin_write(pool)
                    .await
                    .map_err($crate::error::map_err)?;
                // The bump first: it takes the account's row lock, so a concurrent
                // removal waits for this one and then finds the version moved on.
                let bumped = sqlx::query(bump.clone())
                    .bind($user_id.0)
                    .bind($crate::codec::int($expected))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::error::map_err)?
                    .rows_affected();
                if bumped != 1 {
                    // Dropping the transaction rolls it back.
                    return Err(auth_core::Error::StaleVersion);
                }
                let removed = sqlx::query($removal.clone())
                    $(.bind($bind))*
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::error::map_err)?
                    .rows_affected();
                if removed == 0 {
                    false
                } else {
                    tx.commit().await.map_err($crate::error::map_err)?;
                    true
                }
            }))
        })
    };
}
pub(crate) use remove_at_version;

impl SqlxStore {
    /// The account's ways-in version (0 for an account that is not stored).
    pub(crate) async fn current_ways_in_version(&self, user_id: UserId) -> Result<u64> {
        let sql = &self.inner.sql.ways_in;
        let found = fetch_optional!(self, "ways_in_version", sql.version, [user_id.0], |r| r
            .i64("ways_in_version"))
        .await?;
        found.map_or(Ok(0), |n| to_u64(n, "ways_in_version"))
    }
}
