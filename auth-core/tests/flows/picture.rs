use std::sync::Arc;

use auth_core::conformance::engine::{Engine, config};
use auth_core::{AuditKind, AuditSink, Error, PictureFormat, PictureLimits, PictureStore};
use auth_store_memory::MemoryStore;

use crate::support::{PASSWORD, ctx};

/// A memory store keeping the accounts and the pictures, with small pictures.
fn harness() -> Engine<Arc<MemoryStore>> {
    Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder
            .store(store.clone())
            .pictures(store.clone())
            .picture_limits(PictureLimits {
                size: 32,
                ..PictureLimits::DEFAULT
            })
    })
}

/// A 3×2 PNG.
fn png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(3, 2, image::Rgb([10, 200, 30]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_picture_is_processed_stored_replaced_and_removed() {
    let h = harness();
    assert!(h.auth.pictures_enabled());
    h.registered_and_verified("pic@example.com").await;
    let me = h.signed_in("pic@example.com").await;
    assert_eq!(h.auth.picture_version(me.user.id).await.unwrap(), None);

    let stored = h.auth.set_picture(&me, png(), &ctx()).await.unwrap();
    assert_eq!(stored.format, PictureFormat::Png);
    let img = image::load_from_memory(&stored.bytes).unwrap();
    assert_eq!((img.width(), img.height()), (32, 32));
    assert_eq!(
        h.auth.picture_version(me.user.id).await.unwrap(),
        Some(stored.version.clone())
    );
    assert_eq!(
        h.auth.picture(me.user.id).await.unwrap(),
        Some(stored.clone())
    );

    // A refused upload changes nothing.
    let refused = h
        .auth
        .set_picture(&me, b"GIF89a...".to_vec(), &ctx())
        .await
        .unwrap_err();
    match refused {
        Error::Validation(v) => assert_eq!(v.field("picture").unwrap().code, "unsupported_type"),
        other => panic!("{other:?}"),
    }
    assert_eq!(h.auth.picture(me.user.id).await.unwrap(), Some(stored));

    assert!(h.auth.remove_picture(&me, &ctx()).await.unwrap());
    assert!(!h.auth.remove_picture(&me, &ctx()).await.unwrap());
    assert_eq!(h.auth.picture(me.user.id).await.unwrap(), None);

    let kinds: Vec<AuditKind> = h
        .store
        .events_for_user(me.user.id, 10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds[..2],
        [AuditKind::PictureRemoved, AuditKind::PictureChanged]
    );
}

#[tokio::test]
async fn the_picture_goes_with_the_account() {
    let h = harness();
    h.registered_and_verified("gone@example.com").await;
    let me = h.signed_in("gone@example.com").await;
    h.auth.set_picture(&me, png(), &ctx()).await.unwrap();
    h.auth.delete_account(&me, PASSWORD, &ctx()).await.unwrap();
    assert_eq!(h.store.picture(me.user.id).await.unwrap(), None);
}

#[tokio::test]
async fn without_a_picture_store_uploads_are_off() {
    let h = crate::support::harness();
    assert!(!h.auth.pictures_enabled());
    h.registered_and_verified("nopic@example.com").await;
    let me = h.signed_in("nopic@example.com").await;
    assert!(matches!(
        h.auth.set_picture(&me, png(), &ctx()).await,
        Err(Error::Config(_))
    ));
    assert_eq!(h.auth.picture(me.user.id).await.unwrap(), None);
}
