//! [`RevisionStore`] on Redis: one integer key in the accounts slot, read with `GET` and
//! advanced by a script (see [`scripts::ADVANCE_REVISION`]).

use async_trait::async_trait;
use auth_core::{Error, Result, RevisionStore};

use crate::RedisStore;
use crate::codec::Corrupt;
use crate::scripts;

#[async_trait]
impl RevisionStore for RedisStore {
    async fn current_revision(&self) -> Result<u64> {
        let key = self.keys().revision();
        let current: Option<u64> = self.query(redis::cmd("GET").arg(&key)).await?;
        if let Some(revision) = current {
            return Ok(revision);
        }
        // Never advanced, or lost: start it past every value it held.
        self.advance_revision().await?;
        let revision: Option<u64> = self.query(redis::cmd("GET").arg(&key)).await?;
        revision.ok_or_else(|| Error::backend(Corrupt::new("the revision", "missing")))
    }

    async fn advance_revision(&self) -> Result<()> {
        let _advanced: String = self
            .script(&scripts::ADVANCE_REVISION.key(self.keys().revision()))
            .await?;
        Ok(())
    }
}
