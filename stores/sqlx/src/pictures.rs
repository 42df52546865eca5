//! [`PictureStore`] on [`SqlxStore`]: one row per user, replaced by one upsert.

use async_trait::async_trait;
use auth_core::{Error, Picture, PictureFormat, PictureStore, Result, UserId};

use crate::SqlxStore;
use crate::codec::{RowExt, from_ts, ts};
use crate::statement::{execute, fetch_optional};

/// The picture of `user_id` in a row of `content_type, version, bytes, updated_at`.
fn picture_from_row(user_id: UserId, r: &impl RowExt) -> Result<Picture> {
    let content_type = r.string("content_type")?;
    let format = PictureFormat::from_content_type(&content_type)
        .ok_or_else(|| Error::backend(format!("unknown picture content type {content_type:?}")))?;
    Ok(Picture {
        user_id,
        format,
        bytes: r.bytes("bytes")?,
        version: r.string("version")?,
        updated_at: from_ts(r.i64("updated_at")?, "updated_at")?,
    })
}

#[async_trait]
impl PictureStore for SqlxStore {
    async fn put_picture(&self, picture: &Picture) -> Result<()> {
        let sql = &self.inner.sql;
        execute!(
            self,
            "put_picture",
            sql.put_picture,
            [
                picture.user_id.0,
                picture.format.content_type(),
                picture.version.as_str(),
                picture.bytes.as_slice(),
                ts(picture.updated_at),
            ]
        )
        .await
        .map(drop)
    }

    async fn picture(&self, user_id: UserId) -> Result<Option<Picture>> {
        let sql = &self.inner.sql;
        fetch_optional!(self, "picture", sql.picture, [user_id.0], |row| {
            picture_from_row(user_id, row)
        })
        .await
    }

    async fn picture_version(&self, user_id: UserId) -> Result<Option<String>> {
        let sql = &self.inner.sql;
        fetch_optional!(
            self,
            "picture_version",
            sql.picture_version,
            [user_id.0],
            |row| row.string("version")
        )
        .await
    }

    async fn delete_picture(&self, user_id: UserId) -> Result<bool> {
        let sql = &self.inner.sql;
        let n = execute!(self, "delete_picture", sql.delete_picture, [user_id.0]).await?;
        Ok(n > 0)
    }
}
