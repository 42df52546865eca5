//! # auth-store-files
//!
//! [`FilePictureStore`]: the [`PictureStore`] of `auth-core` as files under a directory
//! the application configures, for deployments that keep uploads on a disk (or a mounted
//! volume) rather than in the database.
//!
//! ```no_run
//! use std::sync::Arc;
//! use auth_store_files::FilePictureStore;
//!
//! # fn demo(builder: auth_core::AuthBuilder) -> std::io::Result<auth_core::AuthBuilder> {
//! let pictures = FilePictureStore::new("/var/lib/myapp/pictures")?; // created if missing
//! let builder = builder.pictures(Arc::new(pictures));
//! # Ok(builder)
//! # }
//! ```
//!
//! # Layout
//! One file per user, `<user id>.picture`: a one-line header
//! (`auth-picture 1 <content type> <version> <upload time, Unix seconds>`) and the bytes.
//! [`picture_version`](PictureStore::picture_version) reads the header only.
//!
//! # Atomicity
//! A put writes a temporary file in the same directory (`.<user id>.<random>.tmp`),
//! flushes it to the disk, and renames it over the user's file: a rename within one
//! directory replaces the name in one step (POSIX), so a reader opens either the old file
//! or the new one, never a half-written one, and of concurrent puts the last rename wins
//! whole. The directory is synced after the rename so the new name survives a crash.
//! A crash between writing and renaming leaves a `.tmp` file behind, never a torn
//! picture; such files are ignored.
//!
//! File system calls run on Tokio's blocking pool.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use auth_core::{Error, Picture, PictureFormat, PictureStore, Result, UserId};
use time::OffsetDateTime;

/// The first word of every picture file, with the layout's version.
const MAGIC: &str = "auth-picture 1";

/// The longest header line read back (the real one is under 100 bytes).
const MAX_HEADER: u64 = 512;

/// Pictures as files under one directory. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FilePictureStore {
    dir: Arc<PathBuf>,
}

impl FilePictureStore {
    /// A store under `dir`, created (with its parents) if missing.
    ///
    /// # Errors
    /// When the directory cannot be created or is not a directory.
    pub fn new(dir: impl Into<PathBuf>) -> io::Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        if !fs::metadata(&dir)?.is_dir() {
            return Err(io::Error::other(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        Ok(Self { dir: Arc::new(dir) })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, user_id: UserId) -> PathBuf {
        self.dir.join(format!("{user_id}.picture"))
    }

    /// Runs file system work on the blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Path) -> io::Result<T> + Send + 'static,
    ) -> Result<T> {
        let dir = Arc::clone(&self.dir);
        tokio::task::spawn_blocking(move || work(&dir))
            .await
            .map_err(Error::backend)?
            .map_err(Error::backend)
    }
}

/// The header of a picture file.
fn header(picture: &Picture) -> String {
    format!(
        "{MAGIC} {} {} {}\n",
        picture.format.content_type(),
        picture.version,
        picture.updated_at.unix_timestamp()
    )
}

/// Content type, version and time from a header line.
fn parse_header(line: &str) -> io::Result<(PictureFormat, String, OffsetDateTime)> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "not a picture file header");
    let rest = line
        .trim_end_matches('\n')
        .strip_prefix(MAGIC)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(bad)?;
    let mut parts = rest.split(' ');
    let (Some(content_type), Some(version), Some(at), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let format = PictureFormat::from_content_type(content_type).ok_or_else(bad)?;
    let at = at
        .parse::<i64>()
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(bad)?;
    Ok((format, version.to_owned(), at))
}

/// A picture file opened, its header read: the reader at the first byte of the picture,
/// the format, the version and the upload time.
type Opened = (BufReader<File>, PictureFormat, String, OffsetDateTime);

/// The open file of `path` with its header read, or `None` when there is no file.
fn open(path: &Path) -> io::Result<Option<Opened>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    (&mut reader).take(MAX_HEADER).read_line(&mut line)?;
    let (format, version, at) = parse_header(&line)?;
    Ok(Some((reader, format, version, at)))
}

#[async_trait]
impl PictureStore for FilePictureStore {
    async fn put_picture(&self, picture: &Picture) -> Result<()> {
        let target = self.path(picture.user_id);
        let header = header(picture);
        let bytes = picture.bytes.clone();
        let user_id = picture.user_id;
        self.blocking(move |dir| {
            let temp = dir.join(format!(".{user_id}.{}.tmp", uuid::Uuid::new_v4().simple()));
            let written = (|| {
                let mut file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&temp)?;
                file.write_all(header.as_bytes())?;
                file.write_all(&bytes)?;
                file.sync_all()?;
                fs::rename(&temp, &target)
            })();
            if let Err(e) = written {
                // Best effort: the temporary file is ignored by readers anyway.
                let _ = fs::remove_file(&temp);
                return Err(e);
            }
            // The rename itself is durable once the directory is synced.
            if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
                tracing::debug!(error = %e, "could not sync the pictures directory");
            }
            Ok(())
        })
        .await
    }

    async fn picture(&self, user_id: UserId) -> Result<Option<Picture>> {
        let path = self.path(user_id);
        self.blocking(move |_| {
            let Some((mut reader, format, version, updated_at)) = open(&path)? else {
                return Ok(None);
            };
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes)?;
            Ok(Some(Picture {
                user_id,
                format,
                bytes,
                version,
                updated_at,
            }))
        })
        .await
    }

    async fn picture_version(&self, user_id: UserId) -> Result<Option<String>> {
        let path = self.path(user_id);
        self.blocking(move |_| Ok(open(&path)?.map(|(_, _, version, _)| version)))
            .await
    }

    async fn delete_picture(&self, user_id: UserId) -> Result<bool> {
        let path = self.path(user_id);
        self.blocking(move |_| match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_garbage_is_refused() {
        let picture = Picture::new(
            UserId::new(),
            PictureFormat::Png,
            vec![1, 2, 3],
            OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
        );
        let line = header(&picture);
        assert_eq!(
            parse_header(&line).unwrap(),
            (
                PictureFormat::Png,
                picture.version.clone(),
                picture.updated_at
            )
        );
        for bad in [
            "",
            "auth-picture 2 image/png v 1\n",
            "auth-picture 1 text/html v 1\n",
            "auth-picture 1 image/png v\n",
            "auth-picture 1 image/png v 1 extra\n",
            "auth-picture 1 image/png v x\n",
        ] {
            assert!(parse_header(bad).is_err(), "{bad:?}");
        }
    }
}
