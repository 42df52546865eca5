use auth_core::{Error, ImportUser, PasswordHash, ProfileUpdate, UniqueField, UserStore as _};
use base64::Engine as _;

use crate::support::harness;

/// `password` in Django's PBKDF2-SHA256 format, as `make_password` writes it.
fn django(password: &str) -> PasswordHash {
    let salt = "Xq3Lr5hQcA9vZp1T";
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<pbkdf2::sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        1000,
        &mut key,
    );
    PasswordHash::new(format!(
        "pbkdf2_sha256$1000${salt}${}",
        base64::engine::general_purpose::STANDARD.encode(key)
    ))
}

fn import(email: &str, hash: PasswordHash) -> ImportUser {
    ImportUser {
        email: email.into(),
        username: Some("Legacy_Lee".into()),
        password_hash: hash,
        roles: vec!["Editor".into()],
        verified: true,
        profile: ProfileUpdate::new().set(auth_core::profile::DISPLAY_NAME, "Lee"),
    }
}

#[tokio::test]
async fn an_imported_hash_signs_in_once_then_is_argon2id() {
    let h = harness();
    let user = h
        .auth
        .import_user(import("lee@example.com", django("old site password")))
        .await
        .unwrap();
    assert_eq!(user.username.as_deref(), Some("legacy_lee"));
    assert_eq!(user.roles, ["editor"]);
    assert_eq!(user.profile.display_name(), Some("Lee"));
    assert!(user.email_verified_at.is_some());
    assert!(h.mailer.attempted().is_empty(), "an import sends no mail");
    assert!(
        h.login("lee@example.com", "old site passworD")
            .await
            .is_err()
    );
    let stored = h.store.user_by_id(user.id).await.unwrap().unwrap();
    assert!(stored.password_hash.as_str().starts_with("pbkdf2_sha256$"));

    h.login("lee@example.com", "old site password")
        .await
        .unwrap();
    let stored = h.store.user_by_id(user.id).await.unwrap().unwrap();
    assert!(
        stored.password_hash.as_str().starts_with("$argon2id$v=19$"),
        "rehashed at the first sign-in"
    );
    h.login("legacy_lee", "old site password").await.unwrap();
}

#[tokio::test]
async fn unknown_formats_and_duplicates_are_refused_with_the_reason() {
    let h = harness();
    let err = h
        .auth
        .import_user(import(
            "md5@example.com",
            PasswordHash::new("5f4dcc3b5aa765d61d8327deb882cf99"),
        ))
        .await
        .unwrap_err();
    let Error::Validation(errors) = err else {
        panic!("{err:?}");
    };
    let reason = &errors.field("password_hash").unwrap().message;
    assert!(
        reason.starts_with("Unknown password hash format"),
        "{reason}"
    );
    let err = h
        .auth
        .import_user(import(
            "bad",
            PasswordHash::new("$argon2id$v=19$m=64,t=1,p=1$c2FsdA"),
        ))
        .await
        .unwrap_err();
    let Error::Validation(errors) = err else {
        panic!("{err:?}");
    };
    assert!(errors.field("email").is_some());
    assert!(
        errors
            .field("password_hash")
            .unwrap()
            .message
            .starts_with("Malformed argon2"),
        "every bad field is reported"
    );

    h.auth
        .import_user(import("lee@example.com", django("pw one")))
        .await
        .unwrap();
    let again = ImportUser {
        username: None,
        ..import("LEE@example.com", django("pw two"))
    };
    assert!(matches!(
        h.auth.import_user(again).await,
        Err(Error::Conflict {
            field: UniqueField::Email
        })
    ));
    let same_name = import("other@example.com", django("pw two"));
    assert!(matches!(
        h.auth.import_user(same_name).await,
        Err(Error::Conflict {
            field: UniqueField::Username
        })
    ));
}
