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
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .map_err(|e| format!("{} is not a hex secret: {e}", path.display()))?;
            if bytes.len() < 32 {
                return Err(format!("{} holds fewer than 32 bytes", path.display()).into());
            }
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = vec![0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
            write_private(&path, &hex::encode(&bytes))?;
            tracing::warn!(path = %path.display(), "generated a signing secret and stored it beside the database; set AUTH_SECRET in production");
            Ok(bytes)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display()).into()),
    }
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

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    create_private(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

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
