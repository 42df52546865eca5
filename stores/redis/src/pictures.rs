//! [`PictureStore`] on Redis: one hash per user, replaced in one transaction.

use async_trait::async_trait;
use auth_core::{Error, Picture, PictureFormat, PictureStore, Result, UserId};
use time::OffsetDateTime;

use crate::RedisStore;

/// The fields of a stored picture, as `HMGET t v at b` returns them.
type Fields = (Option<String>, Option<String>, Option<i64>, Option<Vec<u8>>);

#[async_trait]
impl PictureStore for RedisStore {
    async fn put_picture(&self, picture: &Picture) -> Result<()> {
        let key = self.keys().picture(picture.user_id);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("DEL")
            .arg(&key)
            .ignore()
            .cmd("HSET")
            .arg(&key)
            .arg("t")
            .arg(picture.format.content_type())
            .arg("v")
            .arg(&picture.version)
            .arg("at")
            .arg(picture.updated_at.unix_timestamp())
            .arg("b")
            .arg(picture.bytes.as_slice())
            .ignore();
        self.pipeline::<()>(&pipe).await
    }

    async fn picture(&self, user_id: UserId) -> Result<Option<Picture>> {
        let (content_type, version, at, bytes): Fields = self
            .query(
                redis::cmd("HMGET")
                    .arg(self.keys().picture(user_id))
                    .arg(&["t", "v", "at", "b"]),
            )
            .await?;
        let (Some(content_type), Some(version), Some(at), Some(bytes)) =
            (content_type, version, at, bytes)
        else {
            return Ok(None);
        };
        let format = PictureFormat::from_content_type(&content_type).ok_or_else(|| {
            Error::backend(format!("unknown picture content type {content_type:?}"))
        })?;
        Ok(Some(Picture {
            user_id,
            format,
            bytes,
            version,
            updated_at: OffsetDateTime::from_unix_timestamp(at).map_err(Error::backend)?,
        }))
    }

    async fn picture_version(&self, user_id: UserId) -> Result<Option<String>> {
        self.query(
            redis::cmd("HGET")
                .arg(self.keys().picture(user_id))
                .arg("v"),
        )
        .await
    }

    async fn delete_picture(&self, user_id: UserId) -> Result<bool> {
        let removed: i64 = self
            .query(redis::cmd("DEL").arg(self.keys().picture(user_id)))
            .await?;
        Ok(removed > 0)
    }
}
