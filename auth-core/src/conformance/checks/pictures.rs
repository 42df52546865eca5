//! [`PictureStore`](crate::PictureStore) checks.

use std::sync::Arc;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, now};
use crate::model::UserId;
use crate::picture::{Picture, PictureFormat};

/// Bytes that look like nothing in particular, `len` long, different for each `seed`
/// (every byte value occurs, so a store that treats them as text breaks).
fn bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn sample(user: UserId, seed: u8, len: usize) -> Picture {
    Picture::new(user, PictureFormat::Png, bytes(seed, len), now())
}

/// `put_picture` stores the picture exactly (bytes, format, version, time); a second put
/// replaces it; `picture_version` follows; `delete_picture` removes it once; another
/// user's picture is untouched throughout.
pub async fn pictures_put_get_replace_delete(subject: &Subject) {
    let ctx = Ctx::new("pictures_put_get_replace_delete");
    let Some(pictures) = ctx.need(subject.pictures(), "PictureStore") else {
        return;
    };
    let (user, other) = (UserId::new(), UserId::new());
    ctx.eq(
        "picture of a user without one",
        ctx.ok("picture", pictures.picture(user).await),
        None,
    );
    ctx.eq(
        "picture_version of a user without one",
        ctx.ok("picture_version", pictures.picture_version(user).await),
        None,
    );

    let first = sample(user, 1, 40_000);
    let theirs = Picture {
        format: PictureFormat::WebP,
        ..sample(other, 2, 1_000)
    };
    ctx.ok("put_picture", pictures.put_picture(&first).await);
    ctx.ok("put_picture", pictures.put_picture(&theirs).await);
    ctx.eq(
        "picture after put",
        ctx.ok("picture", pictures.picture(user).await),
        Some(first.clone()),
    );
    ctx.eq(
        "picture_version after put",
        ctx.ok("picture_version", pictures.picture_version(user).await),
        Some(first.version.clone()),
    );

    let second = sample(user, 3, 700);
    ctx.ok("put_picture", pictures.put_picture(&second).await);
    ctx.eq(
        "picture after a second put",
        ctx.ok("picture", pictures.picture(user).await),
        Some(second.clone()),
    );
    ctx.eq(
        "picture_version after a second put",
        ctx.ok("picture_version", pictures.picture_version(user).await),
        Some(second.version.clone()),
    );

    ctx.eq(
        "delete_picture of a stored picture",
        ctx.ok("delete_picture", pictures.delete_picture(user).await),
        true,
    );
    ctx.eq(
        "delete_picture again",
        ctx.ok("delete_picture", pictures.delete_picture(user).await),
        false,
    );
    ctx.eq(
        "picture after delete",
        ctx.ok("picture", pictures.picture(user).await),
        None,
    );
    ctx.eq(
        "picture_version after delete",
        ctx.ok("picture_version", pictures.picture_version(user).await),
        None,
    );
    ctx.eq(
        "another user's picture",
        ctx.ok("picture", pictures.picture(other).await),
        Some(theirs),
    );
    ctx.ok("delete_picture", pictures.delete_picture(other).await);
}

/// Of concurrent puts for one user, exactly one is left, whole: its bytes match its
/// version and format. Readers racing the puts see either no picture or a whole one.
pub async fn pictures_concurrent_puts_leave_one_whole(subject: &Subject) {
    let ctx = Ctx::new("pictures_concurrent_puts_leave_one_whole");
    let Some(pictures) = ctx.need(subject.pictures(), "PictureStore") else {
        return;
    };
    let user = UserId::new();
    let candidates: Vec<Picture> = (0..8u8)
        .map(|i| Picture {
            format: if i % 2 == 0 {
                PictureFormat::Png
            } else {
                PictureFormat::Jpeg
            },
            ..sample(user, i, 20_000 + usize::from(i) * 1_000)
        })
        .collect();
    let mut tasks = Vec::new();
    for picture in &candidates {
        let (store, picture) = (Arc::clone(pictures), picture.clone());
        tasks.push(tokio::spawn(
            async move { store.put_picture(&picture).await },
        ));
        let store = Arc::clone(pictures);
        tasks.push(tokio::spawn(async move {
            store.picture(user).await.map(|seen| {
                if let Some(seen) = seen {
                    assert_eq!(
                        Picture::version_of(&seen.bytes),
                        seen.version,
                        "a reader saw a torn picture"
                    );
                }
            })
        }));
    }
    for result in ctx.join_all(tasks).await {
        ctx.ok("put_picture / picture", result);
    }
    let left = ctx
        .ok("picture", pictures.picture(user).await)
        .unwrap_or_else(|| ctx.fail("no picture left after concurrent puts"));
    ctx.ensure(candidates.contains(&left), || {
        format!("the picture left is none of those put: {left:?}")
    });
    ctx.eq(
        "picture_version after concurrent puts",
        ctx.ok("picture_version", pictures.picture_version(user).await),
        Some(left.version.clone()),
    );
    ctx.ok("delete_picture", pictures.delete_picture(user).await);
}
