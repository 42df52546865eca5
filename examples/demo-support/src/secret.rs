//! The signing secret, from the environment or persisted beside the database.

use std::path::{Path, PathBuf};

use crate::BoxError;
use crate::files::{create_private, sqlite_file};

/// The signing secret: `AUTH_SECRET`, or one generated on first run and kept in a file
/// beside the SQLite database (or in the working directory for other databases).
///
/// # Errors
/// `AUTH_SECRET` shorter than 32 bytes, or a secret file that cannot be read, parsed or
/// created.
pub fn secret(database_url: &str) -> Result<Vec<u8>, BoxError> {
    if let Ok(secret) = std::env::var("AUTH_SECRET") {
        if secret.len() < 32 {
            return Err("AUTH_SECRET must be at least 32 bytes".into());
        }
        return Ok(secret.into_bytes());
    }
    let path = secret_path(database_url);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = vec![0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
            match publish_private(&path, &hex::encode(&bytes)) {
                Ok(()) => {
                    tracing::warn!(path = %path.display(), "generated a signing secret and stored it beside the database; set AUTH_SECRET in production");
                    Ok(bytes)
                }
                // Another process on the same data (e.g. `create-user` next to the server)
                // generated it at the same moment: theirs, whole, is the secret.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    parse(&path, &text)
                }
                Err(e) => Err(format!("cannot create {}: {e}", path.display()).into()),
            }
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display()).into()),
    }
}

/// The secret in a secret file's `text`.
fn parse(path: &Path, text: &str) -> Result<Vec<u8>, BoxError> {
    let bytes = hex::decode(text.trim())
        .map_err(|e| format!("{} is not a hex secret: {e}", path.display()))?;
    if bytes.len() < 32 {
        return Err(format!("{} holds fewer than 32 bytes", path.display()).into());
    }
    Ok(bytes)
}

/// Where the generated secret is kept: beside a SQLite database file
/// (`app.db.secret`), else `auth-demo.secret` in the working directory.
pub fn secret_path(database_url: &str) -> PathBuf {
    match sqlite_file(database_url) {
        Some(db) => {
            let mut name = db.into_os_string();
            name.push(".secret");
            PathBuf::from(name)
        }
        None => PathBuf::from("auth-demo.secret"),
    }
}

/// Creates `path` holding `contents`, readable by its owner only, all at once: written
/// to a temporary file beside it, then linked into place, which fails with
/// `AlreadyExists` if another process got there first. A reader never sees a partial
/// file, and two processes starting together agree on one secret.
fn publish_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut unique = [0u8; 8];
    getrandom::fill(&mut unique).map_err(std::io::Error::other)?;
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{}.tmp", hex::encode(unique)));
    let tmp = PathBuf::from(name);
    let written = create_private(&tmp).and_then(|mut f| {
        f.write_all(contents.as_bytes())?;
        f.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Processes starting together on a new SQLite file (a server and `create-user`)
    /// agree on one secret instead of one failing with "file exists".
    #[test]
    fn processes_generating_the_secret_at_once_agree_on_one() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("app.db").display());
        let secrets: Vec<Vec<u8>> = std::thread::scope(|s| {
            let running: Vec<_> = (0..8).map(|_| s.spawn(|| secret(&url).unwrap())).collect();
            running.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert!(secrets.iter().all(|s| s == &secrets[0] && s.len() == 32));
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1, "temporary files are left: {files:?}");
    }

    #[test]
    fn the_secret_lives_beside_a_sqlite_file() {
        assert_eq!(
            secret_path("sqlite://data/app.db?mode=rwc"),
            PathBuf::from("data/app.db.secret")
        );
        assert_eq!(secret_path("sqlite:app.db"), PathBuf::from("app.db.secret"));
        assert_eq!(
            secret_path("sqlite::memory:"),
            PathBuf::from("auth-demo.secret")
        );
        assert_eq!(
            secret_path("postgres://db/app"),
            PathBuf::from("auth-demo.secret")
        );
    }
}
