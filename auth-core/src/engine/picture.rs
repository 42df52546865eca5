//! Uploaded profile pictures: set, remove, read; deleted with the account.

use tokio::sync::Semaphore;

use super::effects::Origin;
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Result};
use crate::model::{AuditKind, UserId};
use crate::picture::{self, Picture, PictureFormat, PictureLimits};
use crate::store::PictureStore;

/// Uploads decoded at once: decoding a large photo takes a few hundred megabytes and
/// most of a core for a moment, so more would only queue on the CPU and the memory.
static PROCESSING: Semaphore = Semaphore::const_new(2);

impl Auth {
    /// Whether the application keeps uploaded pictures (a
    /// [`PictureStore`](crate::PictureStore) was given to the builder).
    pub fn pictures_enabled(&self) -> bool {
        self.inner.pictures.is_some()
    }

    /// The limits uploads are checked against.
    pub fn picture_limits(&self) -> &PictureLimits {
        &self.inner.picture_limits
    }

    fn picture_store(&self) -> Result<&dyn PictureStore> {
        self.inner
            .pictures
            .as_deref()
            .ok_or_else(|| Error::Config("no picture store was given to the builder".into()))
    }

    /// Makes `upload` the signed-in user's picture, replacing any earlier one: checked
    /// and re-encoded by [`picture::process`] (off the async executor, two at a time),
    /// then stored. Returns what was stored.
    ///
    /// # Errors
    /// [`Error::Validation`] on the field `picture` when the upload is refused (empty,
    /// too large, not PNG/JPEG/WebP, too many pixels, damaged: see
    /// [`PictureRejection`](crate::PictureRejection)), and nothing is stored;
    /// [`Error::Config`] when pictures are not enabled.
    #[tracing::instrument(name = "auth.set_picture", skip_all, fields(user_id = %auth.user.id, bytes = upload.len()))]
    pub async fn set_picture(
        &self,
        auth: &Authenticated,
        upload: Vec<u8>,
        ctx: &RequestContext,
    ) -> Result<Picture> {
        let store = self.picture_store()?;
        let limits = self.inner.picture_limits;
        let processed = {
            let _permit = PROCESSING.acquire().await.map_err(Error::backend)?;
            tokio::task::spawn_blocking(move || picture::process(&upload, &limits))
                .await
                .map_err(Error::backend)?
        };
        let bytes = processed.map_err(|rejection| {
            tracing::info!(reason = rejection.code(), "refused an uploaded picture");
            Error::from(rejection)
        })?;
        let now = self.now();
        let at = now.replace_nanosecond(0).unwrap_or(now);
        let stored = Picture::new(auth.user.id, PictureFormat::Png, bytes, at);
        let put = store.put_picture(&stored).await;
        self.picture_written(auth.user.id);
        put?;
        self.audit(
            AuditKind::PictureChanged,
            Some(auth.user.id),
            Origin::of(ctx),
            None,
        )
        .await;
        Ok(stored)
    }

    /// Removes the signed-in user's picture (the generated avatar shows again). Returns
    /// whether there was one.
    ///
    /// # Errors
    /// [`Error::Config`] when pictures are not enabled; the store's errors.
    #[tracing::instrument(name = "auth.remove_picture", skip_all, fields(user_id = %auth.user.id))]
    pub async fn remove_picture(&self, auth: &Authenticated, ctx: &RequestContext) -> Result<bool> {
        let removed = self.picture_store()?.delete_picture(auth.user.id).await;
        self.picture_written(auth.user.id);
        let removed = removed?;
        if removed {
            self.audit(
                AuditKind::PictureRemoved,
                Some(auth.user.id),
                Origin::of(ctx),
                None,
            )
            .await;
        }
        Ok(removed)
    }

    /// A user's picture; `None` when there is none or pictures are not enabled. The
    /// caller decides who may see it (the web layer: its owner and administrators).
    ///
    /// # Errors
    /// The store's errors.
    pub async fn picture(&self, user_id: UserId) -> Result<Option<Picture>> {
        match &self.inner.pictures {
            Some(store) => store.picture(user_id).await,
            None => Ok(None),
        }
    }

    /// The version of a user's picture, for its URL; `None` when there is none or
    /// pictures are not enabled. Asks the store every time: for the signed-in user's
    /// own picture, [`Auth::own_picture_version`] usually need not.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn picture_version(&self, user_id: UserId) -> Result<Option<String>> {
        match &self.inner.pictures {
            Some(store) => store.picture_version(user_id).await,
            None => Ok(None),
        }
    }

    /// The version of the signed-in user's own picture (for the avatar in a page's
    /// header), as [`Auth::picture_version`] answers it, but kept with the session
    /// lookup that `a` is: when `a` came from [`Auth::authenticate_shared`] and was
    /// kept, the first call asks the store and the later requests served from the
    /// same kept lookup ask nothing. Any other `a` (a copy, e.g. from
    /// [`Auth::authenticate`]) asks the store.
    ///
    /// What holds: a version is kept only where every picture write through the engine
    /// moves the revision the kept lookups are checked against: with a
    /// [`RevisionStore`](crate::RevisionStore) (the engine advances it after each
    /// picture put or removal), or when the picture store is the very store whose own
    /// revision is used (see [`AuthBuilder::pictures`](crate::AuthBuilder::pictures)).
    /// Read after that revision was, a kept version is as current as the lookup: a new
    /// or removed picture shows on every instance's next request (within
    /// [`ConfigBuilder::session_staleness`](crate::ConfigBuilder::session_staleness)
    /// when one is set, as a revoked session is refused), and on the writing
    /// instance's next request in any case, since the write drops that instance's
    /// kept lookups of the user. Elsewhere (e.g. pictures as files beside SQLite) every
    /// call asks the store. A program that writes pictures past the engine must move
    /// the revision as for a user it writes.
    ///
    /// # Errors
    /// The store's errors.
    pub async fn own_picture_version(&self, a: &Authenticated) -> Result<Option<String>> {
        let Some(store) = &self.inner.pictures else {
            return Ok(None);
        };
        if !self.inner.revisions.keeps_pictures() {
            return store.picture_version(a.user.id).await;
        }
        let cache = &self.inner.session_cache;
        if let Some(kept) = cache.picture_version(a) {
            return Ok(kept);
        }
        let version = store.picture_version(a.user.id).await?;
        cache.keep_picture_version(a, version.clone());
        Ok(version)
    }

    /// After a picture write of `user` (whatever its outcome): this instance's kept
    /// lookups of the user, with the picture versions kept with them, are dropped, so
    /// that its next request shows the change even within a session staleness.
    fn picture_written(&self, user: UserId) {
        self.inner.session_cache.forget_user(user);
    }

    /// Deletes the picture of an account that was just deleted. The account is gone
    /// already, so a failure is logged, not returned: the picture is never served for
    /// an unknown account, and deleting the account again is not possible.
    pub(super) async fn forget_picture(&self, user_id: UserId) {
        if let Some(store) = &self.inner.pictures {
            let deleted = store.delete_picture(user_id).await;
            self.picture_written(user_id);
            if let Err(e) = deleted {
                tracing::warn!(error = %e, %user_id, "could not delete the picture of a deleted account");
            }
        }
    }
}
