//! [`ApiKeyStore`](crate::ApiKeyStore) checks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use time::Duration;

use crate::api_key::{ApiKeyRecord, ApiKeyToken};
use crate::conformance::Subject;
use crate::conformance::support::{Ctx, now, remove_session_owner, session_owner};
use crate::error::UniqueField;
use crate::model::UserId;

/// A fresh key record of `owner`, created at `at`.
fn new_key(owner: UserId, at: time::OffsetDateTime, scopes: &[&str]) -> ApiKeyRecord {
    let token = ApiKeyToken::generate();
    ApiKeyRecord {
        id: token.id().to_owned(),
        digest: token.digest(),
        user_id: owner,
        name: format!("key {}", token.id()),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        created_at: at,
        expires_at: Some(at + Duration::days(90)),
        last_used_at: None,
        last_used_ip: None,
    }
}

/// `create_api_key` stores every field and `api_key` finds it by its digest;
/// `touch_api_key` sets the last use and nothing else; `api_keys_for_user` lists a
/// user's keys newest first and nobody else's; `delete_api_key` deletes only the owner's
/// key and reports whether it did.
pub async fn api_keys_create_find_touch_list_delete(subject: &Subject) {
    let ctx = Ctx::new("api_keys_create_find_touch_list_delete");
    let Some(keys) = ctx.need(subject.api_keys(), "ApiKeyStore") else {
        return;
    };
    let owner = session_owner(&ctx, subject).await;
    let other = session_owner(&ctx, subject).await;
    let t = now();
    let older = new_key(owner, t - Duration::hours(1), &["read:profile"]);
    let mut newer = new_key(owner, t, &["read:profile", "admin:users"]);
    newer.expires_at = None;
    let theirs = new_key(other, t, &[]);
    for key in [&older, &newer, &theirs] {
        ctx.ok("create_api_key", keys.create_api_key(key).await);
    }
    let found = ctx.ok("api_key", keys.api_key(&newer.digest).await);
    ctx.eq("api_key after create_api_key", found.as_ref(), Some(&newer));
    let missing = ApiKeyToken::generate().digest();
    let found = ctx.ok("api_key (unknown digest)", keys.api_key(&missing).await);
    ctx.eq("api_key of an unknown digest", found, None);

    let used = t + Duration::minutes(3);
    ctx.ok(
        "touch_api_key",
        keys.touch_api_key(&older.digest, used, Some("192.0.2.7"))
            .await,
    );
    let mut touched = older.clone();
    touched.last_used_at = Some(used);
    touched.last_used_ip = Some("192.0.2.7".into());
    let found = ctx.ok("api_key", keys.api_key(&older.digest).await);
    ctx.eq(
        "api_key after touch_api_key",
        found.as_ref(),
        Some(&touched),
    );

    let listed = ctx.ok("api_keys_for_user", keys.api_keys_for_user(owner).await);
    let ids: Vec<&str> = listed.iter().map(|k| k.id.as_str()).collect();
    ctx.eq(
        "api_keys_for_user (newest first, the owner's only)",
        ids,
        vec![newer.id.as_str(), older.id.as_str()],
    );

    let refused = ctx.ok(
        "delete_api_key (another user's key)",
        keys.delete_api_key(owner, &theirs.id).await,
    );
    ctx.eq("delete_api_key of another user's key", refused, false);
    let found = ctx.ok("api_key", keys.api_key(&theirs.digest).await);
    ctx.ensure(found.is_some(), || {
        "delete_api_key deleted a key its caller does not own".into()
    });
    let deleted = ctx.ok(
        "delete_api_key",
        keys.delete_api_key(owner, &older.id).await,
    );
    ctx.eq("delete_api_key of an own key", deleted, true);
    let again = ctx.ok(
        "delete_api_key (again)",
        keys.delete_api_key(owner, &older.id).await,
    );
    ctx.eq("delete_api_key of a deleted key", again, false);
    let found = ctx.ok("api_key", keys.api_key(&older.digest).await);
    ctx.eq("api_key after delete_api_key", found, None);

    let n = ctx.ok(
        "delete_api_keys_for_user",
        keys.delete_api_keys_for_user(owner).await,
    );
    ctx.eq("delete_api_keys_for_user count", n, 1);
    ctx.ok(
        "delete_api_keys_for_user (cleanup)",
        keys.delete_api_keys_for_user(other).await,
    );
    remove_session_owner(&ctx, subject, owner).await;
    remove_session_owner(&ctx, subject, other).await;
}

/// A second key with an existing id or digest is refused with `Conflict { field: ApiKey }`
/// and changes nothing.
pub async fn api_keys_unique_ids_and_digests(subject: &Subject) {
    let ctx = Ctx::new("api_keys_unique_ids_and_digests");
    let Some(keys) = ctx.need(subject.api_keys(), "ApiKeyStore") else {
        return;
    };
    let owner = session_owner(&ctx, subject).await;
    let t = now();
    let key = new_key(owner, t, &["read:profile"]);
    ctx.ok("create_api_key", keys.create_api_key(&key).await);

    let mut same_id = new_key(owner, t, &[]);
    same_id.id.clone_from(&key.id);
    ctx.conflict(
        "create_api_key (same id)",
        keys.create_api_key(&same_id).await,
        UniqueField::ApiKey,
    );
    let mut same_digest = new_key(owner, t, &[]);
    same_digest.digest = key.digest;
    ctx.conflict(
        "create_api_key (same digest)",
        keys.create_api_key(&same_digest).await,
        UniqueField::ApiKey,
    );
    let found = ctx.ok("api_key", keys.api_key(&same_id.digest).await);
    ctx.eq("api_key of a refused key", found, None);
    let found = ctx.ok("api_key", keys.api_key(&key.digest).await);
    ctx.eq(
        "api_key after refused duplicates",
        found.as_ref(),
        Some(&key),
    );
    ctx.ok(
        "delete_api_keys_for_user (cleanup)",
        keys.delete_api_keys_for_user(owner).await,
    );
    remove_session_owner(&ctx, subject, owner).await;
}

/// How many uses one racing task makes at most: the uses stop by themselves should the
/// revocation's task die.
const MAX_RACING_USES: u32 = 1_000_000;

/// Revocation is final: uses racing a revocation (`touch_api_key` calls) never bring a
/// revoked key back, and a touch after it leaves it gone.
///
/// The uses keep coming until the revocation has returned (and once more after it), so
/// that the revocation lands while uses are in flight whatever the store's speed and
/// however the runtime schedules the tasks: a use that reads the record and writes it
/// back whole is caught.
pub async fn api_keys_concurrent_revoke_and_use(subject: &Subject) {
    let ctx = Ctx::new("api_keys_concurrent_revoke_and_use");
    let Some(keys) = ctx.need(subject.api_keys(), "ApiKeyStore") else {
        return;
    };
    let owner = session_owner(&ctx, subject).await;
    let t = now();
    for round in 0..5 {
        let key = new_key(owner, t, &["read:profile"]);
        ctx.ok("create_api_key", keys.create_api_key(&key).await);
        let revoked_flag = Arc::new(AtomicBool::new(false));
        let mut handles = Vec::new();
        for i in 0..8 {
            let keys = Arc::clone(keys);
            let digest = key.digest;
            let done = Arc::clone(&revoked_flag);
            handles.push(tokio::spawn(async move {
                let mut uses = 0u32;
                loop {
                    let finished = done.load(Ordering::Acquire);
                    keys.touch_api_key(&digest, t + Duration::seconds(i), Some("192.0.2.1"))
                        .await?;
                    uses += 1;
                    if finished || uses >= MAX_RACING_USES {
                        return Ok::<(), crate::Error>(());
                    }
                    tokio::task::yield_now().await;
                }
            }));
        }
        let revoker = {
            let keys = Arc::clone(keys);
            let id = key.id.clone();
            let done = Arc::clone(&revoked_flag);
            tokio::spawn(async move {
                // Let the uses get going first.
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                let revoked = keys.delete_api_key(owner, &id).await;
                done.store(true, Ordering::Release);
                revoked
            })
        };
        let revoked = ctx.ok(
            "delete_api_key (racing uses)",
            ctx.join_all(vec![revoker]).await.remove(0),
        );
        ctx.eq("delete_api_key racing uses", revoked, true);
        for uses in ctx.join_all(handles).await {
            ctx.ok("touch_api_key (racing a revocation)", uses);
        }
        ctx.ok(
            "touch_api_key (after the revocation)",
            keys.touch_api_key(&key.digest, t, None).await,
        );
        let found = ctx.ok("api_key", keys.api_key(&key.digest).await);
        ctx.ensure(found.is_none(), || {
            format!("round {round}: a revoked key came back after uses raced its revocation")
        });
        let listed = ctx.ok("api_keys_for_user", keys.api_keys_for_user(owner).await);
        ctx.ensure(listed.iter().all(|k| k.id != key.id), || {
            format!("round {round}: a revoked key is still listed")
        });
    }
    remove_session_owner(&ctx, subject, owner).await;
}

/// A store that keeps users too deletes a user's keys with the user.
pub async fn api_keys_go_with_their_account(subject: &Subject) {
    let ctx = Ctx::new("api_keys_go_with_their_account");
    let Some(keys) = ctx.need(subject.api_keys(), "ApiKeyStore") else {
        return;
    };
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };
    let owner = session_owner(&ctx, subject).await;
    let t = now();
    let key = new_key(owner, t, &["read:profile"]);
    ctx.ok("create_api_key", keys.create_api_key(&key).await);
    let user = ctx
        .ok("user_by_id", users.user_by_id(owner).await)
        .unwrap_or_else(|| ctx.fail("the owner just created is missing"));
    ctx.ok("delete_user", users.delete_user(owner, user.version).await);
    let found = ctx.ok("api_key", keys.api_key(&key.digest).await);
    ctx.ensure(found.is_none(), || {
        "delete_user left the user's API key behind".into()
    });
    let listed = ctx.ok("api_keys_for_user", keys.api_keys_for_user(owner).await);
    ctx.ensure(listed.is_empty(), || {
        "delete_user left the user's API keys listed".into()
    });
}
