//! [`PictureStore`] on [`SqlxStore`]: one row per user, replaced by one upsert.

use async_trait::async_trait;
use auth_core::{Error, Picture, PictureFormat, PictureStore, Result, UserId};

use crate::codec::{RowExt, from_ts, ts};
use crate::error::map_err;
use crate::{SqlxStore, with_pool};

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
        self.run("put_picture", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.put_picture.clone())
                    .bind(picture.user_id.0)
                    .bind(picture.format.content_type())
                    .bind(picture.version.as_str())
                    .bind(picture.bytes.as_slice())
                    .bind(ts(picture.updated_at))
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn picture(&self, user_id: UserId) -> Result<Option<Picture>> {
        let sql = &self.inner.sql;
        self.run("picture", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.picture.clone())
                    .bind(user_id.0)
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?
                    .map(|row| picture_from_row(user_id, &row))
                    .transpose()
            })
        })
        .await
    }

    async fn picture_version(&self, user_id: UserId) -> Result<Option<String>> {
        let sql = &self.inner.sql;
        self.run("picture_version", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.picture_version.clone())
                    .bind(user_id.0)
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?
                    .map(|row| row.string("version"))
                    .transpose()
            })
        })
        .await
    }

    async fn delete_picture(&self, user_id: UserId) -> Result<bool> {
        let sql = &self.inner.sql;
        self.run("delete_picture", || async {
            with_pool!(self, pool => {
                let done = sqlx::query(sql.delete_picture.clone())
                    .bind(user_id.0)
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
                Ok(done.rows_affected() > 0)
            })
        })
        .await
    }
}
