//! Removing a way into an account under the last-way-in rule
//! ([`WaysIn::may_lose`]), atomically: the rule is asked of one reading of the
//! account's ways in, and the removal is written only if no other removal was written
//! since that reading (the stores' ways-in version, checked and bumped in the same
//! write as the removal). Of two removals of an account's last two ways in at the same
//! instant, one passes and the other reads again and meets the rule.

use std::future::Future;

use super::Auth;
use crate::error::{Error, Result};
use crate::model::{User, UserId};
use crate::ways_in::{Losing, WaysIn};

/// How many readings a removal makes when other removals of the account keep winning.
const ATTEMPTS: usize = 8;

impl Auth {
    /// The ways into `user` now: its password, and how many identities and passkeys it
    /// has (none of a kind that is off).
    async fn ways_in(&self, user: &User) -> Result<WaysIn> {
        let identities = match &self.inner.identities {
            Some(store) => store.identities_for_user(user.id).await?.len(),
            None => 0,
        };
        let passkeys = match &self.inner.passkeys {
            Some((store, _)) => store.passkeys_for_user(user.id).await?.len(),
            None => 0,
        };
        Ok(WaysIn::of(user, identities, passkeys))
    }

    /// Removes one way into `user_id` (of the kind `losing`) unless it is the last:
    /// reads the ways-in version (`version`), then the account and its ways in, asks
    /// [`WaysIn::may_lose`], then `remove(version)`, which removes only at that version
    /// and bumps it. When another removal moved the version on, it reads again.
    ///
    /// # Errors
    /// [`Error::Validation`] from the rule; [`Error::NotFound`] when `remove` found
    /// nothing to remove; [`Error::StaleVersion`] when other removals kept winning;
    /// store errors.
    pub(super) async fn remove_way_in<V, VF, R, RF>(
        &self,
        user_id: UserId,
        losing: Losing,
        version: V,
        remove: R,
    ) -> Result<()>
    where
        V: Fn() -> VF,
        VF: Future<Output = Result<u64>>,
        R: Fn(u64) -> RF,
        RF: Future<Output = Result<bool>>,
    {
        for _ in 0..ATTEMPTS {
            // The version first: a removal written after this reading moves it on, so
            // the counts read next are never older than the version they are checked at.
            let at = version().await?;
            let user = self.load_user(user_id).await?;
            self.ways_in(&user).await?.may_lose(losing)?;
            match remove(at).await {
                Ok(true) => return Ok(()),
                Ok(false) => return Err(Error::NotFound),
                Err(Error::StaleVersion) => {}
                Err(e) => return Err(e),
            }
        }
        Err(Error::StaleVersion)
    }
}
