//! One statement as a store operation: the query text, its binds in order, run on the
//! store's pool through [`SqlxStore::run`](crate::SqlxStore) (so it is retried after a
//! deadlock and timed out like every other operation), with the row or error mapping
//! the operation needs. The bodies are compiled once per enabled backend, as ordinary
//! typed sqlx code.

/// Runs `$sql` with `$binds` and yields the number of rows it changed. Errors go through
/// `$on_error` (by default [`map_err`](crate::error::map_err); [`conflict_on`](crate::error::conflict_on)
/// where a unique violation is the contract's `Conflict`).
macro_rules! execute {
    ($store:expr, $operation:expr, $sql:expr, [$($bind:expr),* $(,)?]) => {
        $crate::statement::execute!(
            $store, $operation, $sql, [$($bind),*], $crate::error::map_err
        )
    };
    ($store:expr, $operation:expr, $sql:expr, [$($bind:expr),* $(,)?], $on_error:expr) => {
        $store.run($operation, || async {
            Ok($crate::with_pool!($store, pool => {
                sqlx::query($sql.clone())
                    $(.bind($bind))*
                    .execute(pool)
                    .await
                    .map_err($on_error)?
                    .rows_affected()
            }))
        })
    };
}
pub(crate) use execute;

/// Runs `$sql` with `$binds` and maps the row it finds, if any, with `$from_row`
/// (`fn(&Row) -> Result<T>`).
macro_rules! fetch_optional {
    ($store:expr, $operation:expr, $sql:expr, [$($bind:expr),* $(,)?], $from_row:expr) => {
        $store.run($operation, || async {
            $crate::with_pool!($store, pool => {
                sqlx::query($sql.clone())
                    $(.bind($bind))*
                    .fetch_optional(pool)
                    .await
                    .map_err($crate::error::map_err)?
                    .as_ref()
                    .map($from_row)
                    .transpose()
            })
        })
    };
}
pub(crate) use fetch_optional;

/// Runs `$sql` with `$binds` and maps every row it finds, in order, with `$from_row`
/// (`fn(&Row) -> Result<T>`).
macro_rules! fetch_all {
    ($store:expr, $operation:expr, $sql:expr, [$($bind:expr),* $(,)?], $from_row:expr) => {
        $store.run($operation, || async {
            $crate::with_pool!($store, pool => {
                sqlx::query($sql.clone())
                    $(.bind($bind))*
                    .fetch_all(pool)
                    .await
                    .map_err($crate::error::map_err)?
                    .iter()
                    .map($from_row)
                    .collect()
            })
        })
    };
}
pub(crate) use fetch_all;

/// Runs the count `$sql` (one row, the count in its column `n`) with `$binds` and yields
/// the count (a negative one, which no count is, as 0).
macro_rules! count {
    ($store:expr, $operation:expr, $sql:expr, [$($bind:expr),* $(,)?]) => {
        $store.run($operation, || async {
            let n: i64 = $crate::with_pool!($store, pool => {
                let row = sqlx::query($sql.clone())
                    $(.bind($bind))*
                    .fetch_one(pool)
                    .await
                    .map_err($crate::error::map_err)?;
                sqlx::Row::try_get(&row, "n").map_err($crate::error::map_err)?
            });
            Ok(u64::try_from(n).unwrap_or(0))
        })
    };
}
pub(crate) use count;
