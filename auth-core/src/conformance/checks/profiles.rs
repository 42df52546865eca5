//! Profile checks: what a [`UserStore`](crate::UserStore) keeps of
//! [`User::profile`](crate::User::profile), and how its search treats profile fields.

use std::sync::Arc;

use serde_json::{Value, json};
use time::Duration;
use tokio::sync::Barrier;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, describe, now, sample_user, unique};
use crate::error::Error;
use crate::model::{Page, User};
use crate::profile::{DEFAULT_MAX_BYTES, Profile};
use crate::store::UserSearch;

/// How many tasks race in the concurrent check.
const RACERS: usize = 20;

fn profile(value: Value) -> Profile {
    match serde_json::from_value(value) {
        Ok(p) => p,
        Err(e) => panic!("a conformance profile is not an object: {e}"),
    }
}

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

/// A profile of every value type (text with quotes, backslashes and non-ASCII, whole and
/// decimal numbers, booleans, a date) is returned unchanged by every lookup, after
/// creation and after an update that changes, adds and removes fields; a user created
/// with an empty profile reads back with an empty one.
pub async fn profiles_round_trip(subject: &Subject) {
    let ctx = Ctx::new("profiles_round_trip");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };
    let tag = unique();
    let mut user = sample_user(now());
    user.username = Some(format!("p{tag}"));
    user.profile = profile(json!({
        "display_name": "Zoë \"Z\" O'Brien \\ 東京 🎉",
        "company": "Acme, Inc.",
        "age": 42,
        "ratio": 0.25,
        "newsletter": true,
        "birthday": "1990-02-28",
    }));
    ctx.ok("create_user", users.create_user(&user).await);
    let by_id = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq("profile read by id", by_id.as_ref(), Some(&user));
    let by_email = ctx.ok("user_by_email", users.user_by_email(&user.email).await);
    ctx.eq("profile read by email", by_email.as_ref(), Some(&user));
    let by_name = ctx.ok(
        "user_by_username",
        users
            .user_by_username(user.username.as_deref().unwrap_or_default())
            .await,
    );
    ctx.eq("profile read by username", by_name.as_ref(), Some(&user));

    let mut changed = user.clone();
    changed.profile = profile(json!({
        "display_name": "Zoë",
        "newsletter": false,
        "time_zone": "Europe/Paris",
    }));
    ctx.ok("update_user", users.update_user(&changed).await);
    changed.version += 1;
    let stored = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq("profile after an update", stored.as_ref(), Some(&changed));

    let mut empty = changed.clone();
    empty.profile = Profile::new();
    ctx.ok("update_user", users.update_user(&empty).await);
    empty.version += 1;
    let stored = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq("profile emptied", stored.as_ref(), Some(&empty));

    cleanup(&ctx, subject, &[user.id]).await;
}

/// Concurrent profile updates from one version: exactly one wins through the
/// compare-and-swap, the others get `StaleVersion`, and the stored profile is the
/// winner's, whole (never a mix of two writers).
pub async fn profiles_concurrent_updates_one_winner(subject: &Subject) {
    let ctx = Ctx::new("profiles_concurrent_updates_one_winner");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };
    let mut original = sample_user(now());
    original.profile = profile(json!({"company": "before"}));
    ctx.ok("create_user", users.create_user(&original).await);

    let barrier = Arc::new(Barrier::new(RACERS));
    let handles = (0..RACERS)
        .map(|i| {
            let users = users.clone();
            let barrier = barrier.clone();
            let mut update = original.clone();
            update.profile = profile(json!({
                "company": format!("racer-{i:02}"),
                "seat": i,
            }));
            tokio::spawn(async move {
                barrier.wait().await;
                let result = users.update_user(&update).await;
                (update, result)
            })
        })
        .collect();
    let mut winners: Vec<User> = Vec::new();
    let mut stale = 0;
    for (update, result) in ctx.join_all(handles).await {
        match result {
            Ok(()) => winners.push(update),
            Err(Error::StaleVersion) => stale += 1,
            Err(error) => ctx.fail(format_args!(
                "a racing profile update returned neither Ok nor StaleVersion: {}",
                describe(&error)
            )),
        }
    }
    ctx.eq(
        "successful profile updates from one version",
        winners.len(),
        1,
    );
    ctx.eq("StaleVersion among the others", stale, RACERS - 1);
    let Some(winner) = winners.first() else {
        return;
    };
    let stored = ctx.ok("user_by_id", users.user_by_id(original.id).await);
    ctx.eq(
        "the stored profile is the winner's",
        stored.as_ref().map(|u| &u.profile),
        Some(&winner.profile),
    );
    cleanup(&ctx, subject, &[original.id]).await;
}

/// A profile as large as the core allows ([`DEFAULT_MAX_BYTES`] of JSON, multi-byte
/// characters and escapes included) is stored and read back intact, on creation and on
/// update.
pub async fn profiles_at_the_size_limit(subject: &Subject) {
    let ctx = Ctx::new("profiles_at_the_size_limit");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };
    let big = |fill: char| {
        let mut map = serde_json::Map::new();
        let mut i = 0;
        loop {
            let value = format!("\"{}\\ é", fill.to_string().repeat(150));
            map.insert(format!("field_{i:03}"), Value::String(value));
            let len = serde_json::to_vec(&map).map_or(usize::MAX, |v| v.len());
            if len > DEFAULT_MAX_BYTES {
                map.remove(&format!("field_{i:03}"));
                break;
            }
            i += 1;
        }
        profile(Value::Object(map))
    };
    let mut user = sample_user(now());
    user.profile = big('a');
    let size = serde_json::to_vec(&user.profile).map_or(0, |v| v.len());
    ctx.ensure(size > DEFAULT_MAX_BYTES - 300, || {
        format!("the check's profile is only {size} bytes")
    });
    ctx.ok("create_user", users.create_user(&user).await);
    let stored = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq(
        "a maximal profile after creation",
        stored.as_ref(),
        Some(&user),
    );
    let mut changed = user.clone();
    changed.profile = big('ß');
    ctx.ok("update_user", users.update_user(&changed).await);
    changed.version += 1;
    let stored = ctx.ok("user_by_id", users.user_by_id(user.id).await);
    ctx.eq(
        "a maximal profile after an update",
        stored.as_ref(),
        Some(&changed),
    );
    cleanup(&ctx, subject, &[user.id]).await;
}

/// `list_users` and `count_users` with a search match the text in email, username and the named
/// profile fields (case-insensitively, literally, numbers as their text), not in profile
/// fields it was not given; oldest first, paged.
pub async fn profiles_are_searched_where_named(subject: &Subject) {
    let ctx = Ctx::new("profiles_are_searched_where_named");
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };
    let tag = unique();
    let base = now() - Duration::hours(1);
    let made = |i: i64, value: Value| {
        let mut user = sample_user(base + Duration::seconds(i));
        user.profile = profile(value);
        user
    };
    let created = [
        made(0, json!({"company": format!("Acme {tag} Ltd")})),
        made(1, json!({"company": format!("{}", tag.to_uppercase())})),
        made(2, json!({"city": format!("{tag}")})),
        {
            let mut u = made(3, json!({}));
            u.email = format!("e-{tag}@example.test");
            u
        },
        made(4, json!({"company": format!("{tag}%")})),
    ];
    for user in created.iter().rev() {
        ctx.ok("create_user", users.create_user(user).await);
    }
    let all = Page {
        offset: 0,
        limit: 50,
    };
    let fields = ["company"];
    let search = UserSearch {
        text: &tag,
        profile_fields: &fields,
    };
    let ids = |list: &[User]| list.iter().map(|u| u.id).collect::<Vec<_>>();
    let listed = ctx.ok("list_users", users.list_users(Some(&search), all).await);
    let expected = [&created[0], &created[1], &created[3], &created[4]];
    ctx.eq(
        "list_users over email and a named profile field, oldest first",
        ids(&listed),
        expected.iter().map(|u| u.id).collect(),
    );
    ctx.eq(
        "list_users returns whole users",
        listed.first(),
        Some(&created[0]),
    );
    let count = ctx.ok("count_users", users.count_users(Some(&search)).await);
    ctx.eq("count_users", count, 4);
    let page = Page {
        offset: 1,
        limit: 2,
    };
    let listed = ctx.ok("list_users", users.list_users(Some(&search), page).await);
    ctx.eq(
        "list_users offset 1 limit 2",
        ids(&listed),
        vec![created[1].id, created[3].id],
    );
    let literal = format!("{tag}%");
    let search = UserSearch {
        text: &literal,
        profile_fields: &fields,
    };
    let listed = ctx.ok("list_users", users.list_users(Some(&search), all).await);
    ctx.eq("'%' matches only itself", ids(&listed), vec![created[4].id]);
    let both = ["company", "city"];
    let search = UserSearch {
        text: &tag,
        profile_fields: &both,
    };
    let count = ctx.ok("count_users", users.count_users(Some(&search)).await);
    ctx.eq("count_users over two profile fields", count, 5);
    let none: [&str; 0] = [];
    let search = UserSearch {
        text: &tag,
        profile_fields: &none,
    };
    let count = ctx.ok("count_users", users.count_users(Some(&search)).await);
    ctx.eq("count_users without profile fields", count, 1);

    let mut numbered = sample_user(base + Duration::seconds(5));
    let n = 700_000 + i64::from(u16::from_str_radix(&tag[..4], 16).unwrap_or(1));
    numbered.profile = profile(json!({"seat": n}));
    ctx.ok("create_user", users.create_user(&numbered).await);
    let text = n.to_string();
    let seat = ["seat"];
    let search = UserSearch {
        text: &text,
        profile_fields: &seat,
    };
    let listed = ctx.ok("list_users", users.list_users(Some(&search), all).await);
    ctx.ensure(listed.iter().any(|u| u.id == numbered.id), || {
        format!("a number profile value {n} is not found by its text")
    });

    let mut ids: Vec<_> = created.iter().map(|u| u.id).collect();
    ids.push(numbered.id);
    cleanup(&ctx, subject, &ids).await;
}
