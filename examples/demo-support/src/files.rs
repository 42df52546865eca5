//! Files the demo keeps on disk that hold accounts or secrets (the SQLite database, the
//! generated signing secret): created readable and writable by their owner only.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use auth_store_sqlx::Backend;
use sqlx::sqlite::SqliteConnectOptions;

use crate::BoxError;

/// The file a SQLite database URL names, read the way the store reads it (`sqlite:PATH`
/// or `sqlite://PATH`, percent-decoded, without the `?` parameters); `None` for other
/// databases and in-memory ones.
pub(crate) fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    if Backend::from_url(database_url) != Some(Backend::Sqlite)
        || database_url.contains(":memory:")
        || database_url.contains("mode=memory")
    {
        return None;
    }
    let options = SqliteConnectOptions::from_str(database_url).ok()?;
    let path = options.get_filename();
    (!path.as_os_str().is_empty()).then(|| path.to_path_buf())
}

/// Creates the SQLite database file of `database_url` with mode 0600 on unix when it does
/// not exist yet, before the store opens it. SQLite would create it with the default mode
/// (world-readable under the usual umask 022); the journal, WAL and shared-memory files it
/// makes beside a database take the database file's mode, so they are private too. An
/// existing file is left as it is, with a warning when others may read it. Other databases
/// need nothing.
///
/// # Errors
/// The file cannot be created (e.g. its directory is missing).
pub fn create_private_database(database_url: &str) -> Result<(), BoxError> {
    let Some(path) = sqlite_file(database_url) else {
        return Ok(());
    };
    match create_private(&path) {
        Ok(_) => {
            tracing::info!(path = %path.display(), "created the database file, readable by its owner only");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            warn_if_shared(&path);
            Ok(())
        }
        Err(e) => Err(format!("cannot create the database file {}: {e}", path.display()).into()),
    }
}

/// Creates `path`, which must not exist, with mode 0600 on unix.
pub(crate) fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{:o}", meta.permissions().mode() & 0o777),
            "the database file may be read by other users; consider chmod 600"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file_as_the_store_reads_them() {
        for (url, file) in [
            ("sqlite://auth-demo.db", Some("auth-demo.db")),
            ("sqlite:auth-demo.db", Some("auth-demo.db")),
            ("sqlite://data/app.db?mode=rwc", Some("data/app.db")),
            (
                "sqlite:///var/lib/demo/app.db",
                Some("/var/lib/demo/app.db"),
            ),
            ("sqlite://my%20app.db", Some("my app.db")),
            ("sqlite::memory:", None),
            ("sqlite://:memory:", None),
            ("sqlite://app.db?mode=memory", None),
            ("sqlite://", None),
            ("postgres://db.example/auth", None),
            ("mysql://root@db.example/auth", None),
        ] {
            assert_eq!(sqlite_file(url), file.map(PathBuf::from), "{url}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_new_database_file_is_private_and_an_existing_one_is_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new.db");
        create_private_database(&format!("sqlite://{}", db.display())).unwrap();
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");

        let shared = dir.path().join("shared.db");
        std::fs::write(&shared, b"").unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_private_database(&format!("sqlite:{}", shared.display())).unwrap();
        let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "left as it was");

        let missing_dir = dir.path().join("no/such/dir/app.db");
        let error = create_private_database(&format!("sqlite://{}", missing_dir.display()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("cannot create the database file"), "{error}");
        create_private_database("sqlite::memory:").unwrap();
        create_private_database("postgres://db.example/auth").unwrap();
    }
}
