//! The file store against the `auth-core` store conformance kit: one test per contract,
//! in a fresh temporary directory each.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics"
)]

use std::sync::Arc;

use auth_core::conformance::Subject;
use auth_store_files::FilePictureStore;

/// A store under a new temporary directory, kept for the life of the test process (the
/// operating system's temporary directory is cleaned by the system).
fn subject() -> Subject {
    let dir = tempfile::tempdir().unwrap().keep();
    Subject::new().with_pictures(Arc::new(FilePictureStore::new(dir).unwrap()))
}

auth_core::store_conformance_tests!(subject());

/// Nothing but the user's file is left after a put: no temporary file.
#[tokio::test]
async fn a_put_leaves_no_temporary_file_and_a_bad_file_is_an_error() {
    use auth_core::{Picture, PictureFormat, PictureStore, UserId};

    let dir = tempfile::tempdir().unwrap();
    let store = FilePictureStore::new(dir.path().join("nested/pictures")).unwrap();
    let user = UserId::new();
    let picture = Picture::new(
        user,
        PictureFormat::Png,
        vec![0x89, b'P', b'N', b'G', b'\n', 0, 255],
        time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
    );
    store.put_picture(&picture).await.unwrap();
    store.put_picture(&picture).await.unwrap();
    let names: Vec<String> = std::fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [format!("{user}.picture")]);
    assert_eq!(store.picture(user).await.unwrap(), Some(picture));

    std::fs::write(store.dir().join(format!("{user}.picture")), b"not ours").unwrap();
    assert!(store.picture(user).await.is_err());
    assert!(store.picture_version(user).await.is_err());
}
