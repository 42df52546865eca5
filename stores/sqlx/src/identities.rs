//! [`IdentityStore`] on [`SqlxStore`]: the `identities` table (migration 0011), keyed by
//! provider and subject, so that its primary key makes each identity link once, with
//! the sealed provider tokens in its `tokens` column (migration 0013).

use async_trait::async_trait;
use auth_core::{Identity, IdentityStore, Result, UniqueField, UserId};

use crate::SqlxStore;
use crate::codec::{RowExt as _, identity_from_row, opt_ts, ts};
use crate::error::conflict_on;
use crate::statement::{execute, fetch_all, fetch_optional};
use crate::ways_in::remove_at_version;

#[async_trait]
impl IdentityStore for SqlxStore {
    async fn link_identity(&self, identity: &Identity) -> Result<()> {
        let sql = &self.inner.sql.identities;
        execute!(
            self,
            "link_identity",
            sql.link,
            [
                identity.provider.as_str(),
                identity.subject.as_str(),
                identity.user_id.0,
                identity.email.as_deref(),
                identity.email_verified,
                ts(identity.linked_at),
                opt_ts(identity.last_used_at),
            ],
            conflict_on(UniqueField::Identity)
        )
        .await
        .map(drop)
    }

    async fn identity(&self, provider: &str, subject: &str) -> Result<Option<Identity>> {
        let sql = &self.inner.sql.identities;
        fetch_optional!(
            self,
            "identity",
            sql.by_key,
            [provider, subject],
            identity_from_row
        )
        .await
    }

    async fn identities_for_user(&self, user_id: UserId) -> Result<Vec<Identity>> {
        let sql = &self.inner.sql.identities;
        fetch_all!(
            self,
            "identities_for_user",
            sql.for_user,
            [user_id.0],
            identity_from_row
        )
        .await
    }

    async fn touch_identity(&self, identity: &Identity) -> Result<()> {
        let sql = &self.inner.sql.identities;
        execute!(
            self,
            "touch_identity",
            sql.touch,
            [
                identity.email.as_deref(),
                identity.email_verified,
                opt_ts(identity.last_used_at),
                identity.provider.as_str(),
                identity.subject.as_str(),
                identity.user_id.0,
            ]
        )
        .await
        .map(drop)
    }

    async fn unlink_identity(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
    ) -> Result<bool> {
        let sql = &self.inner.sql.identities;
        let n = execute!(
            self,
            "unlink_identity",
            sql.unlink,
            [provider, subject, user_id.0]
        )
        .await?;
        Ok(n > 0)
    }

    async fn ways_in_version(&self, user_id: UserId) -> Result<u64> {
        self.current_ways_in_version(user_id).await
    }

    async fn unlink_identity_at(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        ways_in_version: u64,
    ) -> Result<bool> {
        let sql = &self.inner.sql.identities;
        remove_at_version!(
            self,
            "unlink_identity_at",
            user_id,
            ways_in_version,
            sql.unlink,
            [provider, subject, user_id.0]
        )
        .await
    }

    async fn unlink_identities_for_user(&self, user_id: UserId) -> Result<u64> {
        let sql = &self.inner.sql.identities;
        execute!(
            self,
            "unlink_identities_for_user",
            sql.unlink_for_user,
            [user_id.0]
        )
        .await
    }

    async fn keep_identity_tokens(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        sealed: Option<&str>,
    ) -> Result<bool> {
        let sql = &self.inner.sql.identities;
        // sqlx asks MySQL for rows matched (FOUND_ROWS), as the other backends count.
        let n = execute!(
            self,
            "keep_identity_tokens",
            sql.keep_tokens,
            [sealed, provider, subject, user_id.0]
        )
        .await?;
        Ok(n > 0)
    }

    async fn identity_tokens(&self, provider: &str, subject: &str) -> Result<Option<String>> {
        let sql = &self.inner.sql.identities;
        let found = fetch_optional!(
            self,
            "identity_tokens",
            sql.tokens,
            [provider, subject],
            |r| r.opt_string("tokens")
        )
        .await?;
        Ok(found.flatten())
    }
}
