//! [`UserStore`](crate::UserStore) checks.

use std::sync::Arc;

use time::Duration;
use tokio::sync::Barrier;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, describe, fake_hash, now, sample_user, unique};
use crate::error::{Error, UniqueField};
use crate::model::{AccountStatus, Page, SecurityStamp, User};
use crate::store::UserSearch;

/// How many tasks race in the concurrent checks.
const RACERS: usize = 50;

/// Deletes users created by a check (best effort is not good enough: a failure here is a
/// failure of the store).
async fn cleanup(ctx: &Ctx, subject: &Subject, ids: &[crate::UserId]) {
    let Some(users) = subject.users() else { return };
    for id in ids {
        if let Some(user) = ctx.ok("user_by_id (cleanup)", users.user_by_id(*id).await) {
            ctx.ok(
                "delete_user (cleanup)",
                users.delete_user(user.id, user.version).await,
            );
        }
    }
}

/// A user with every optional field set, to check that everything round-trips.
fn full_user() -> User {
    let t = now();
    let mut user = sample_user(t - Duration::days(3));
    user.status = AccountStatus::Disabled;
    user.email_verified_at = Some(t - Duration::days(2));
    user.roles = vec!["admin".to_owned(), "editor".to_owned()];
    user.locked_until = Some(t + Duration::minutes(15));
    user.lockout_count = 3;
    user.updated_at = t - Duration::hours(1);
    user.last_login_at = Some(t - Duration::hours(2));
    user.second_factor = Some(second_factor(t - Duration::days(1)));
    user
}

/// A second factor as the engine stores it (the sealed secret is opaque to a store).
fn second_factor(enrolled_at: time::OffsetDateTime) -> crate::SecondFactor {
    crate::SecondFactor {
        totp_sealed: format!("sealed:v1:2026-11:{}", unique()),
        enrolled_at,
        recovery_digests: (0..10).map(|i| format!("{i:064x}")).collect(),
    }
}

/// `create_user` stores every field; `user_by_id`, `user_by_email` and `user_by_username`
/// find the user and return it unchanged; lookups of unknown values return `None`; a user
/// without a username is found by id and email.
pub async fn users_create_and_get(subject: &Subject) {
    let ctx = Ctx::new("users_create_and_get");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let full = full_user();
    ctx.ok("create_user", users.create_user(&full).await);
    let by_id = ctx.ok("user_by_id", users.user_by_id(full.id).await);
    ctx.eq("user_by_id after create_user", by_id.as_ref(), Some(&full));
    let by_email = ctx.ok("user_by_email", users.user_by_email(&full.email).await);
    ctx.eq(
        "user_by_email after create_user",
        by_email.as_ref(),
        Some(&full),
    );
    let username = full.username.clone().unwrap_or_default();
    let by_username = ctx.ok("user_by_username", users.user_by_username(&username).await);
    ctx.eq(
        "user_by_username after create_user",
        by_username.as_ref(),
        Some(&full),
    );

    let mut minimal = sample_user(now());
    minimal.username = None;
    ctx.ok(
        "create_user (no username)",
        users.create_user(&minimal).await,
    );
    let by_id = ctx.ok("user_by_id", users.user_by_id(minimal.id).await);
    ctx.eq(
        "user_by_id of a user without username",
        by_id.as_ref(),
        Some(&minimal),
    );
    let by_email = ctx.ok("user_by_email", users.user_by_email(&minimal.email).await);
    ctx.eq(
        "user_by_email of a user without username",
        by_email.as_ref(),
        Some(&minimal),
    );

    let stranger = sample_user(now());
    let found = ctx.ok("user_by_id (unknown)", users.user_by_id(stranger.id).await);
    ctx.eq("user_by_id of an unknown id", found, None);
    let found = ctx.ok(
        "user_by_email (unknown)",
        users.user_by_email(&stranger.email).await,
    );
    ctx.eq("user_by_email of an unknown address", found, None);
    let stranger_name = stranger.username.unwrap_or_default();
    let found = ctx.ok(
        "user_by_username (unknown)",
        users.user_by_username(&stranger_name).await,
    );
    ctx.eq("user_by_username of an unknown name", found, None);

    cleanup(&ctx, subject, &[full.id, minimal.id]).await;
}

/// A second user with a taken email gets `Conflict { field: Email }` and is not stored.
pub async fn users_duplicate_email_conflicts(subject: &Subject) {
    let ctx = Ctx::new("users_duplicate_email_conflicts");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let first = sample_user(now());
    ctx.ok("create_user", users.create_user(&first).await);
    let mut second = sample_user(now());
    second.email = first.email.clone();
    ctx.conflict(
        "create_user with a taken email",
        users.create_user(&second).await,
        UniqueField::Email,
    );

    let stored = ctx.ok("user_by_email", users.user_by_email(&first.email).await);
    ctx.eq(
        "the owner of the email after the conflict",
        stored.as_ref(),
        Some(&first),
    );
    let loser = ctx.ok("user_by_id", users.user_by_id(second.id).await);
    ctx.eq("the refused user must not be stored", loser, None);
    let name = second.username.clone().unwrap_or_default();
    let loser = ctx.ok("user_by_username", users.user_by_username(&name).await);
    ctx.eq("the refused user's username must not be taken", loser, None);

    cleanup(&ctx, subject, &[first.id]).await;
}

/// A second user with a taken username gets `Conflict { field: Username }` and is not
/// stored.
pub async fn users_duplicate_username_conflicts(subject: &Subject) {
    let ctx = Ctx::new("users_duplicate_username_conflicts");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let first = sample_user(now());
    ctx.ok("create_user", users.create_user(&first).await);
    let mut second = sample_user(now());
    second.username = first.username.clone();
    ctx.conflict(
        "create_user with a taken username",
        users.create_user(&second).await,
        UniqueField::Username,
    );

    let name = first.username.clone().unwrap_or_default();
    let stored = ctx.ok("user_by_username", users.user_by_username(&name).await);
    ctx.eq(
        "the owner of the username after the conflict",
        stored.as_ref(),
        Some(&first),
    );
    let loser = ctx.ok("user_by_email", users.user_by_email(&second.email).await);
    ctx.eq("the refused user's email must not be taken", loser, None);

    cleanup(&ctx, subject, &[first.id]).await;
}

/// Users without a username never conflict with each other (no username is not a
/// value).
pub async fn users_without_username_do_not_conflict(subject: &Subject) {
    let ctx = Ctx::new("users_without_username_do_not_conflict");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let mut ids = Vec::new();
    for _ in 0..3 {
        let mut user = sample_user(now());
        user.username = None;
        ctx.ok(
            "create_user without username",
            users.create_user(&user).await,
        );
        ids.push(user.id);
    }
    for id in &ids {
        let found = ctx.ok("user_by_id", users.user_by_id(*id).await);
        ctx.ensure(found.is_some(), || {
            format!("user {id} without username was not stored")
        });
    }
    cleanup(&ctx, subject, &ids).await;
}

/// Runs `RACERS` concurrent `create_user` calls and sorts the outcomes.
async fn race_creates(
    ctx: &Ctx,
    subject: &Subject,
    racers: Vec<User>,
    field: UniqueField,
) -> (Vec<User>, Vec<User>) {
    let Some(users) = subject.users() else {
        return (Vec::new(), Vec::new());
    };
    let barrier = Arc::new(Barrier::new(racers.len()));
    let handles = racers
        .into_iter()
        .map(|user| {
            let users = users.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let result = users.create_user(&user).await;
                (user, result)
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for (user, result) in ctx.join_all(handles).await {
        match result {
            Ok(()) => winners.push(user),
            Err(Error::Conflict { field: f }) if f == field => losers.push(user),
            Err(error) => ctx.fail(format_args!(
                "a racing create_user must return Ok or Conflict {{ field: {field:?} }}, \
                 returned {}",
                describe(&error)
            )),
        }
    }
    (winners, losers)
}

/// 50 concurrent creates of one email (spelled in different cases by the clients; the
/// core lower-cases emails, so the store receives one value): exactly one succeeds, the
/// 49 others get `Conflict { field: Email }`, and none of the losers' other data (their
/// usernames) is left behind.
pub async fn users_concurrent_create_same_email(subject: &Subject) {
    let ctx = Ctx::new("users_concurrent_create_same_email");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let local = format!("race-{}", unique());
    let racers: Vec<User> = (0..RACERS)
        .map(|i| {
            // What 50 clients might type; the core normalises it before the store.
            let typed = if i % 2 == 0 {
                format!("{}@Example.Test", local.to_uppercase())
            } else {
                format!("{local}@EXAMPLE.test")
            };
            let mut user = sample_user(now());
            user.email = typed.to_lowercase();
            user
        })
        .collect();
    let email = racers.first().map(|u| u.email.clone()).unwrap_or_default();

    let (winners, losers) = race_creates(&ctx, subject, racers, UniqueField::Email).await;
    ctx.eq(
        "successful creates among 50 racing for one email",
        winners.len(),
        1,
    );
    ctx.eq(
        "conflicting creates among 50 racing for one email",
        losers.len(),
        RACERS - 1,
    );
    let Some(winner) = winners.first() else {
        return;
    };

    for loser in &losers {
        let result = users.create_user(loser).await;
        ctx.conflict(
            "create_user of a loser, retried",
            result,
            UniqueField::Email,
        );
    }
    let stored = ctx.ok("user_by_email", users.user_by_email(&email).await);
    ctx.eq(
        "the email's owner is the one winner",
        stored.as_ref(),
        Some(winner),
    );
    for loser in &losers {
        let name = loser.username.clone().unwrap_or_default();
        let found = ctx.ok("user_by_username", users.user_by_username(&name).await);
        ctx.eq(
            "a losing create must leave nothing behind (username)",
            found,
            None,
        );
        let found = ctx.ok("user_by_id", users.user_by_id(loser.id).await);
        ctx.eq(
            "a losing create must leave nothing behind (id)",
            found,
            None,
        );
    }
    cleanup(&ctx, subject, &[winner.id]).await;
}

/// 50 concurrent creates with one username and different emails: exactly one succeeds,
/// the 49 others get `Conflict { field: Username }`, and none of the losers' emails is
/// taken afterwards.
pub async fn users_concurrent_create_same_username(subject: &Subject) {
    let ctx = Ctx::new("users_concurrent_create_same_username");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let username = format!("race{}", &unique()[..24]);
    let racers: Vec<User> = (0..RACERS)
        .map(|_| {
            let mut user = sample_user(now());
            user.username = Some(username.clone());
            user
        })
        .collect();

    let (winners, losers) = race_creates(&ctx, subject, racers, UniqueField::Username).await;
    ctx.eq(
        "successful creates among 50 racing for one username",
        winners.len(),
        1,
    );
    ctx.eq(
        "conflicting creates among 50 racing for one username",
        losers.len(),
        RACERS - 1,
    );
    let Some(winner) = winners.first() else {
        return;
    };

    for loser in &losers {
        let result = users.create_user(loser).await;
        ctx.conflict(
            "create_user of a loser, retried",
            result,
            UniqueField::Username,
        );
    }
    let stored = ctx.ok("user_by_username", users.user_by_username(&username).await);
    ctx.eq(
        "the username's owner is the one winner",
        stored.as_ref(),
        Some(winner),
    );
    for loser in &losers {
        let found = ctx.ok("user_by_email", users.user_by_email(&loser.email).await);
        ctx.eq(
            "a losing create must leave nothing behind (email)",
            found,
            None,
        );
    }
    cleanup(&ctx, subject, &[winner.id]).await;
}

/// `update_user` is compare-and-swap: with the stored version it replaces the record and
/// stores `version + 1`; with an older or newer version, or for a missing user, it returns
/// `StaleVersion` and changes nothing.
pub async fn users_update_compare_and_swap(subject: &Subject) {
    let ctx = Ctx::new("users_update_compare_and_swap");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let original = sample_user(now());
    ctx.ok("create_user", users.create_user(&original).await);

    let mut changed = original.clone();
    changed.email = format!("changed-{}@example.test", unique());
    changed.username = Some(format!("c{}", &unique()[..24]));
    changed.password_hash = fake_hash();
    changed.status = AccountStatus::Disabled;
    changed.email_verified_at = Some(now());
    changed.roles = vec!["admin".to_owned()];
    changed.security_stamp = SecurityStamp::generate();
    changed.locked_until = Some(now() + Duration::minutes(5));
    changed.lockout_count = 1;
    changed.updated_at = now() + Duration::seconds(1);
    changed.last_login_at = Some(now());
    changed.second_factor = Some(second_factor(now()));
    ctx.ok(
        "update_user with the current version",
        users.update_user(&changed).await,
    );

    let mut expected = changed.clone();
    expected.version = original.version + 1;
    let stored = ctx.ok("user_by_id", users.user_by_id(original.id).await);
    ctx.eq(
        "the user after a successful update (version + 1)",
        stored.as_ref(),
        Some(&expected),
    );
    let by_email = ctx.ok("user_by_email", users.user_by_email(&changed.email).await);
    ctx.eq(
        "user_by_email finds the new email",
        by_email.as_ref(),
        Some(&expected),
    );
    let by_old = ctx.ok("user_by_email", users.user_by_email(&original.email).await);
    ctx.eq("user_by_email of the replaced email", by_old, None);

    // Stale: the version the first update started from.
    let mut stale = changed.clone();
    stale.roles = vec!["stale".to_owned()];
    ctx.stale(
        "update_user with an old version",
        users.update_user(&stale).await,
    );
    // A version from the future is just as wrong.
    let mut future = expected.clone();
    future.version += 1;
    future.roles = vec!["future".to_owned()];
    ctx.stale(
        "update_user with a newer version",
        users.update_user(&future).await,
    );
    let stored = ctx.ok("user_by_id", users.user_by_id(original.id).await);
    ctx.eq(
        "a refused update changes nothing",
        stored.as_ref(),
        Some(&expected),
    );

    // Updating again from the new version works and increments again.
    let mut again = expected.clone();
    again.roles = vec!["editor".to_owned()];
    ctx.ok(
        "update_user with the new version",
        users.update_user(&again).await,
    );
    let stored = ctx.ok("user_by_id", users.user_by_id(original.id).await);
    ctx.eq(
        "version after two updates",
        stored.map(|u| u.version),
        Some(original.version + 2),
    );

    let ghost = sample_user(now());
    ctx.stale(
        "update_user of a missing user",
        users.update_user(&ghost).await,
    );
    let found = ctx.ok("user_by_id", users.user_by_id(ghost.id).await);
    ctx.eq(
        "update_user of a missing user must not create it",
        found,
        None,
    );

    cleanup(&ctx, subject, &[original.id]).await;
}

/// 50 concurrent updates from the same version: exactly one wins, the others get
/// `StaleVersion`, and the stored record is the winner's with version + 1.
pub async fn users_concurrent_update_one_winner(subject: &Subject) {
    let ctx = Ctx::new("users_concurrent_update_one_winner");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let original = sample_user(now());
    ctx.ok("create_user", users.create_user(&original).await);

    let barrier = Arc::new(Barrier::new(RACERS));
    let handles = (0..RACERS)
        .map(|i| {
            let users = users.clone();
            let barrier = barrier.clone();
            let mut update = original.clone();
            update.roles = vec![format!("racer-{i:02}")];
            update.lockout_count = u32::try_from(i).unwrap_or(u32::MAX);
            tokio::spawn(async move {
                barrier.wait().await;
                let result = users.update_user(&update).await;
                (update, result)
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut stale = 0;
    for (update, result) in ctx.join_all(handles).await {
        match result {
            Ok(()) => winners.push(update),
            Err(Error::StaleVersion) => stale += 1,
            Err(error) => ctx.fail(format_args!(
                "a racing update_user returned neither Ok nor StaleVersion: {}",
                describe(&error)
            )),
        }
    }
    ctx.eq(
        "successful updates among 50 from one version",
        winners.len(),
        1,
    );
    ctx.eq(
        "StaleVersion among 50 updates from one version",
        stale,
        RACERS - 1,
    );
    let Some(winner) = winners.first() else {
        return;
    };

    let mut expected = winner.clone();
    expected.version = original.version + 1;
    let stored = ctx.ok("user_by_id", users.user_by_id(original.id).await);
    ctx.eq(
        "the stored user is the winner's update",
        stored.as_ref(),
        Some(&expected),
    );

    cleanup(&ctx, subject, &[original.id]).await;
}

/// An update that would take another user's email or username gets `Conflict` naming the
/// field and changes nothing; a successful change of email or username releases the old
/// value for others.
pub async fn users_update_conflict_changes_nothing(subject: &Subject) {
    let ctx = Ctx::new("users_update_conflict_changes_nothing");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let alice = sample_user(now());
    let bob = sample_user(now());
    ctx.ok("create_user", users.create_user(&alice).await);
    ctx.ok("create_user", users.create_user(&bob).await);

    let mut steal_email = bob.clone();
    steal_email.email = alice.email.clone();
    steal_email.roles = vec!["thief".to_owned()];
    ctx.conflict(
        "update_user to another user's email",
        users.update_user(&steal_email).await,
        UniqueField::Email,
    );
    let mut steal_name = bob.clone();
    steal_name.username = alice.username.clone();
    steal_name.roles = vec!["thief".to_owned()];
    ctx.conflict(
        "update_user to another user's username",
        users.update_user(&steal_name).await,
        UniqueField::Username,
    );
    let stored = ctx.ok("user_by_id", users.user_by_id(bob.id).await);
    ctx.eq(
        "a conflicting update changes nothing",
        stored.as_ref(),
        Some(&bob),
    );
    let stored = ctx.ok("user_by_email", users.user_by_email(&alice.email).await);
    ctx.eq(
        "the email stays with its owner",
        stored.as_ref(),
        Some(&alice),
    );
    let name = alice.username.clone().unwrap_or_default();
    let stored = ctx.ok("user_by_username", users.user_by_username(&name).await);
    ctx.eq(
        "the username stays with its owner",
        stored.as_ref(),
        Some(&alice),
    );

    // Bob moves to a fresh email and drops his username: both old values become free.
    let mut moved = bob.clone();
    moved.email = format!("moved-{}@example.test", unique());
    moved.username = None;
    ctx.ok(
        "update_user to a fresh email and no username",
        users.update_user(&moved).await,
    );
    let mut heir = sample_user(now());
    heir.email = bob.email.clone();
    heir.username = bob.username.clone();
    ctx.ok(
        "create_user with the email and username another user gave up",
        users.create_user(&heir).await,
    );
    let stored = ctx.ok("user_by_email", users.user_by_email(&bob.email).await);
    ctx.eq(
        "the released email's new owner",
        stored.as_ref(),
        Some(&heir),
    );

    cleanup(&ctx, subject, &[alice.id, bob.id, heir.id]).await;
}

/// `delete_user` is compare-and-swap too: a wrong version gets `StaleVersion` and keeps the
/// user; the right one removes it from every lookup; deleting again gets `StaleVersion`;
/// the email and username are free afterwards.
pub async fn users_delete_with_version(subject: &Subject) {
    let ctx = Ctx::new("users_delete_with_version");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let user = sample_user(now());
    ctx.ok("create_user", users.create_user(&user).await);
    ctx.stale(
        "delete_user with a wrong version",
        users.delete_user(user.id, user.version + 1).await,
    );
    let stored = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq(
        "a refused delete keeps the user",
        stored.as_ref(),
        Some(&user),
    );

    ctx.ok(
        "delete_user with the current version",
        users.delete_user(user.id, user.version).await,
    );
    let found = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq("user_by_id after delete_user", found, None);
    let found = ctx.ok("user_by_email", users.user_by_email(&user.email).await);
    ctx.eq("user_by_email after delete_user", found, None);
    let name = user.username.clone().unwrap_or_default();
    let found = ctx.ok("user_by_username", users.user_by_username(&name).await);
    ctx.eq("user_by_username after delete_user", found, None);
    ctx.stale(
        "delete_user of a deleted user",
        users.delete_user(user.id, user.version).await,
    );

    let mut again = sample_user(now());
    again.email = user.email.clone();
    again.username = user.username.clone();
    ctx.ok(
        "create_user with the email and username of a deleted user",
        users.create_user(&again).await,
    );
    cleanup(&ctx, subject, &[again.id]).await;
}

/// `list_users` orders by creation time (oldest first), pages with offset and limit, and
/// filters by a case-insensitive substring of email or username, taken literally (no
/// wildcards); `count_users` counts the same matches.
pub async fn users_list_and_count(subject: &Subject) {
    let ctx = Ctx::new("users_list_and_count");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };

    let tag = unique();
    let base = now() - Duration::hours(1);
    // Four users whose email contains the tag, one whose username does.
    let mut created: Vec<User> = (0..5i64)
        .map(|i| {
            let mut user = sample_user(base + Duration::seconds(i));
            if i < 4 {
                user.email = format!("l-{tag}-{i}@example.test");
            } else {
                user.username = Some(format!("n{tag}"));
            }
            user
        })
        .collect();
    // Insert newest first, so that insertion order is not creation order.
    for user in created.iter().rev() {
        ctx.ok("create_user", users.create_user(user).await);
    }
    created.sort_by_key(|u| (u.created_at, u.id));

    let all = Page {
        offset: 0,
        limit: 50,
    };
    let listed = ctx.ok(
        "list_users",
        users.list_users(Some(&UserSearch::text(&tag)), all).await,
    );
    ctx.eq("list_users with a search, oldest first", &listed, &created);
    let upper = tag.to_uppercase();
    let listed = ctx.ok(
        "list_users",
        users.list_users(Some(&UserSearch::text(&upper)), all).await,
    );
    ctx.eq("list_users search is case-insensitive", &listed, &created);
    let count = ctx.ok(
        "count_users",
        users.count_users(Some(&UserSearch::text(&tag))).await,
    );
    ctx.eq("count_users with a search", count, 5);

    let page = Page {
        offset: 1,
        limit: 2,
    };
    let listed = ctx.ok(
        "list_users",
        users.list_users(Some(&UserSearch::text(&tag)), page).await,
    );
    ctx.eq("list_users offset 1 limit 2", &listed[..], &created[1..3]);
    let page = Page {
        offset: 4,
        limit: 10,
    };
    let listed = ctx.ok(
        "list_users",
        users.list_users(Some(&UserSearch::text(&tag)), page).await,
    );
    ctx.eq("list_users last page", &listed[..], &created[4..]);
    let page = Page {
        offset: 5,
        limit: 10,
    };
    let listed = ctx.ok(
        "list_users",
        users.list_users(Some(&UserSearch::text(&tag)), page).await,
    );
    ctx.eq("list_users past the end", listed.len(), 0);

    // Literal matching: SQL wildcards in the search match only themselves.
    let percent = format!("{tag}-%");
    let listed = ctx.ok(
        "list_users",
        users
            .list_users(Some(&UserSearch::text(&percent)), all)
            .await,
    );
    ctx.eq(
        "list_users with '%' in the search (literal)",
        listed.len(),
        0,
    );
    let count = ctx.ok(
        "count_users",
        users.count_users(Some(&UserSearch::text(&percent))).await,
    );
    ctx.eq("count_users with '%' in the search (literal)", count, 0);
    let underscore = format!("{}_", &tag[..31]);
    let listed = ctx.ok(
        "list_users",
        users
            .list_users(Some(&UserSearch::text(&underscore)), all)
            .await,
    );
    ctx.eq(
        "list_users with '_' in the search (literal)",
        listed.len(),
        0,
    );

    let total = ctx.ok("count_users", users.count_users(None).await);
    ctx.ensure(total >= 5, || {
        format!("count_users(None) is {total}, but at least the 5 users of this check exist")
    });
    let one = ctx.ok(
        "list_users",
        users
            .list_users(
                None,
                Page {
                    offset: 0,
                    limit: 1,
                },
            )
            .await,
    );
    ctx.eq("list_users without search, limit 1", one.len(), 1);

    let ids: Vec<_> = created.iter().map(|u| u.id).collect();
    cleanup(&ctx, subject, &ids).await;
}

/// The account's language is stored, read back by id, email and username, changed by
/// an update, cleared by an update, and absent on an account created without one.
pub async fn users_language_round_trip(subject: &Subject) {
    let ctx = Ctx::new("users_language_round_trip");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };
    let mut user = sample_user(now());
    user.username = Some(format!("l{}", unique()));
    user.language = Some("de".to_owned());
    ctx.ok("create_user", users.create_user(&user).await);
    let by_id = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq("language read by id", by_id.as_ref(), Some(&user));
    let by_email = ctx.ok("user_by_email", users.user_by_email(&user.email).await);
    ctx.eq(
        "language read by email",
        by_email.and_then(|u| u.language),
        Some("de".to_owned()),
    );
    let username = user.username.clone().unwrap_or_default();
    let by_name = ctx.ok("user_by_username", users.user_by_username(&username).await);
    ctx.eq(
        "language read by username",
        by_name.and_then(|u| u.language),
        Some("de".to_owned()),
    );

    let mut changed = user.clone();
    changed.language = Some("pt-BR".to_owned());
    ctx.ok("update_user (set)", users.update_user(&changed).await);
    changed.version += 1;
    let stored = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq("language after an update", stored.as_ref(), Some(&changed));

    let mut cleared = changed.clone();
    cleared.language = None;
    ctx.ok("update_user (clear)", users.update_user(&cleared).await);
    cleared.version += 1;
    let stored = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq(
        "language after clearing it",
        stored.as_ref(),
        Some(&cleared),
    );

    let without = sample_user(now());
    ctx.ok(
        "create_user (no language)",
        users.create_user(&without).await,
    );
    let stored = ctx.ok("user_by_id", users.user_by_id(without.id).await);
    ctx.eq(
        "language of an account created without one",
        stored.map(|u| u.language),
        Some(None),
    );
    cleanup(&ctx, subject, &[user.id, without.id]).await;
}
