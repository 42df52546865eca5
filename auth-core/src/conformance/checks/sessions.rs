//! [`SessionStore`](crate::SessionStore) and [`SessionUserStore`](crate::SessionUserStore)
//! checks.

use time::Duration;

use crate::conformance::Subject;
use crate::conformance::support::{
    Ctx, describe, new_session, now, remove_session_owner, sample_user, session_owner,
};
use crate::error::{Error, UniqueField};
use crate::model::SessionRecord;
use crate::second_factor::AuthMethod;

/// `create_session` stores every field and `session` returns it; `touch_session` sets
/// `last_seen_at` and `idle_expires_at` and nothing else, and is a no-op for a missing
/// session; `delete_session` reports whether the session existed and removes it.
pub async fn sessions_create_get_touch_delete(subject: &Subject) {
    let ctx = Ctx::new("sessions_create_get_touch_delete");
    let Some(sessions) = ctx.need(subject.sessions(), "SessionStore") else {
        return;
    };

    let owner = session_owner(&ctx, subject).await;
    let t = now();
    let mut session = new_session(owner, t, t + Duration::days(30), t + Duration::days(2));
    session.remember = true;
    let mut bare = new_session(owner, t, t + Duration::days(3), t + Duration::days(2));
    bare.user_agent = None;
    bare.ip = None;
    ctx.ok("create_session", sessions.create_session(&session).await);
    ctx.ok(
        "create_session (no user agent, no ip)",
        sessions.create_session(&bare).await,
    );
    let stored = ctx.ok("session", sessions.session(&session.digest).await);
    ctx.eq(
        "session after create_session",
        stored.as_ref(),
        Some(&session),
    );
    let stored = ctx.ok("session", sessions.session(&bare.digest).await);
    ctx.eq(
        "session without user agent and ip",
        stored.as_ref(),
        Some(&bare),
    );

    let seen = t + Duration::minutes(5);
    let idle = t + Duration::days(3);
    ctx.ok(
        "touch_session",
        sessions.touch_session(&session.digest, seen, idle).await,
    );
    let mut touched = session.clone();
    touched.last_seen_at = seen;
    touched.idle_expires_at = idle;
    let stored = ctx.ok("session", sessions.session(&session.digest).await);
    ctx.eq(
        "session after touch_session",
        stored.as_ref(),
        Some(&touched),
    );

    let ghost = new_session(owner, t, t + Duration::days(3), t + Duration::days(2));
    ctx.ok(
        "touch_session of a missing session",
        sessions.touch_session(&ghost.digest, seen, idle).await,
    );
    let found = ctx.ok("session", sessions.session(&ghost.digest).await);
    ctx.eq("touch_session must not create a session", found, None);

    let existed = ctx.ok(
        "delete_session",
        sessions.delete_session(&session.digest).await,
    );
    ctx.eq("delete_session of an existing session", existed, true);
    let found = ctx.ok("session", sessions.session(&session.digest).await);
    ctx.eq("session after delete_session", found, None);
    let existed = ctx.ok(
        "delete_session",
        sessions.delete_session(&session.digest).await,
    );
    ctx.eq("delete_session of a deleted session", existed, false);
    let stored = ctx.ok("session", sessions.session(&bare.digest).await);
    ctx.eq(
        "deleting one session keeps the others",
        stored.as_ref(),
        Some(&bare),
    );

    remove_session_owner(&ctx, subject, owner).await;
}

/// A session's proof fields (`amr`, every [`AuthMethod`] among them, `auth_time`,
/// `proved_at`) are stored as given; `record_session_proof` sets `amr` and `proved_at`
/// and nothing else, is seen by `session`, `sessions_for_user` and `session_with_user`,
/// survives a later touch (and a touch survives it), and reports a missing session
/// without creating it.
pub async fn sessions_record_proof(subject: &Subject) {
    let ctx = Ctx::new("sessions_record_proof");
    let Some(sessions) = ctx.need(subject.sessions(), "SessionStore") else {
        return;
    };

    let owner = session_owner(&ctx, subject).await;
    let t = now();
    let mut session = new_session(owner, t, t + Duration::days(30), t + Duration::days(2));
    session.amr = vec![AuthMethod::Pwd, AuthMethod::Otp];
    session.auth_time = t + Duration::seconds(3);
    session.proved_at = t + Duration::seconds(4);
    let mut every = new_session(owner, t, t + Duration::days(3), t + Duration::days(2));
    every.amr = AuthMethod::ALL.to_vec();
    ctx.ok("create_session", sessions.create_session(&session).await);
    ctx.ok(
        "create_session (every method)",
        sessions.create_session(&every).await,
    );
    let stored = ctx.ok("session", sessions.session(&session.digest).await);
    ctx.eq(
        "proof fields after create_session",
        stored.as_ref(),
        Some(&session),
    );
    let stored = ctx.ok("session", sessions.session(&every.digest).await);
    ctx.eq(
        "every AuthMethod round-trips",
        stored.as_ref(),
        Some(&every),
    );

    let seen = t + Duration::minutes(5);
    let idle = t + Duration::days(3);
    ctx.ok(
        "touch_session",
        sessions.touch_session(&session.digest, seen, idle).await,
    );
    let proved = t + Duration::minutes(7);
    let amr = [AuthMethod::Pwd, AuthMethod::Otp, AuthMethod::Recovery];
    let existed = ctx.ok(
        "record_session_proof",
        sessions
            .record_session_proof(&session.digest, &amr, proved)
            .await,
    );
    ctx.eq("record_session_proof of an existing session", existed, true);
    let mut expected = session.clone();
    expected.last_seen_at = seen;
    expected.idle_expires_at = idle;
    expected.amr = amr.to_vec();
    expected.proved_at = proved;
    let stored = ctx.ok("session", sessions.session(&session.digest).await);
    ctx.eq(
        "session after touch_session and record_session_proof",
        stored.as_ref(),
        Some(&expected),
    );
    let later = t + Duration::minutes(9);
    ctx.ok(
        "touch_session after record_session_proof",
        sessions.touch_session(&session.digest, later, idle).await,
    );
    expected.last_seen_at = later;
    let stored = ctx.ok("session", sessions.session(&session.digest).await);
    ctx.eq(
        "a touch keeps the recorded proof",
        stored.as_ref(),
        Some(&expected),
    );
    let listed = ctx.ok(
        "sessions_for_user",
        sessions.sessions_for_user(owner, t).await,
    );
    ctx.eq(
        "sessions_for_user shows the recorded proof",
        listed.iter().find(|s| s.digest == session.digest),
        Some(&expected),
    );
    if let Some(joined) = subject.session_users() {
        let found = ctx.ok(
            "session_with_user",
            joined.session_with_user(&session.digest).await,
        );
        ctx.eq(
            "session_with_user shows the recorded proof",
            found.map(|(s, _)| s).as_ref(),
            Some(&expected),
        );
    }
    let stored = ctx.ok("session", sessions.session(&every.digest).await);
    ctx.eq(
        "record_session_proof changes only its session",
        stored.as_ref(),
        Some(&every),
    );

    let ghost = new_session(owner, t, t + Duration::days(3), t + Duration::days(2));
    let existed = ctx.ok(
        "record_session_proof of a missing session",
        sessions
            .record_session_proof(&ghost.digest, &amr, proved)
            .await,
    );
    ctx.eq("record_session_proof of a missing session", existed, false);
    let found = ctx.ok("session", sessions.session(&ghost.digest).await);
    ctx.eq(
        "record_session_proof must not create a session",
        found,
        None,
    );

    remove_session_owner(&ctx, subject, owner).await;
}

/// A second session with an existing digest gets `Conflict` and does not overwrite the
/// first.
pub async fn sessions_duplicate_digest_conflicts(subject: &Subject) {
    let ctx = Ctx::new("sessions_duplicate_digest_conflicts");
    let Some(sessions) = ctx.need(subject.sessions(), "SessionStore") else {
        return;
    };

    let owner = session_owner(&ctx, subject).await;
    let t = now();
    let first = new_session(owner, t, t + Duration::days(3), t + Duration::days(2));
    ctx.ok("create_session", sessions.create_session(&first).await);
    let mut second = new_session(
        owner,
        t + Duration::seconds(1),
        t + Duration::days(4),
        t + Duration::days(3),
    );
    second.digest = first.digest;
    second.user_agent = Some("intruder".to_owned());
    match sessions.create_session(&second).await {
        Err(Error::Conflict {
            field: UniqueField::SessionDigest,
        }) => {}
        Err(error) => ctx.fail(format_args!(
            "create_session with an existing digest must return Error::Conflict {{ field: SessionDigest }}, returned {}",
            describe(&error)
        )),
        Ok(()) => ctx.fail(
            "create_session with an existing digest must return Error::Conflict, returned Ok",
        ),
    }
    let stored = ctx.ok("session", sessions.session(&first.digest).await);
    ctx.eq(
        "a colliding create_session must not overwrite",
        stored.as_ref(),
        Some(&first),
    );

    remove_session_owner(&ctx, subject, owner).await;
}

/// `sessions_for_user` returns exactly the user's sessions live at the given `now`
/// (both `expires_at` and `idle_expires_at` after it), newest first, and none of another
/// user's.
pub async fn sessions_list_for_user(subject: &Subject) {
    let ctx = Ctx::new("sessions_list_for_user");
    let Some(sessions) = ctx.need(subject.sessions(), "SessionStore") else {
        return;
    };

    let owner = session_owner(&ctx, subject).await;
    let other = session_owner(&ctx, subject).await;
    let t = now();
    let live: Vec<SessionRecord> = (1..=3i64)
        .map(|i| {
            new_session(
                owner,
                t - Duration::hours(4 - i),
                t + Duration::days(3),
                t + Duration::days(1) + Duration::hours(i),
            )
        })
        .collect();
    let expired = new_session(
        owner,
        t - Duration::hours(5),
        t - Duration::minutes(1),
        t + Duration::days(1),
    );
    let idle = new_session(
        owner,
        t - Duration::hours(6),
        t + Duration::days(3),
        t - Duration::minutes(1),
    );
    let foreign = new_session(other, t, t + Duration::days(3), t + Duration::days(2));
    // Insert in an order that is neither creation order nor its reverse.
    for session in [&live[1], &expired, &live[0], &foreign, &idle, &live[2]] {
        ctx.ok("create_session", sessions.create_session(session).await);
    }

    let listed = ctx.ok(
        "sessions_for_user",
        sessions.sessions_for_user(owner, t).await,
    );
    let newest_first: Vec<SessionRecord> = live.iter().rev().cloned().collect();
    ctx.eq(
        "sessions_for_user: live sessions only, newest first",
        &listed,
        &newest_first,
    );

    // Liveness is judged at the given `now`, not by the store's clock: a day later the
    // first live session's idle limit has passed (the limit itself counts as dead).
    let later = t + Duration::days(1) + Duration::hours(1);
    let listed = ctx.ok(
        "sessions_for_user",
        sessions.sessions_for_user(owner, later).await,
    );
    ctx.eq(
        "sessions_for_user at a later `now`",
        &listed,
        &newest_first[..2].to_vec(),
    );
    let listed = ctx.ok(
        "sessions_for_user",
        sessions
            .sessions_for_user(owner, t + Duration::days(3))
            .await,
    );
    ctx.eq(
        "sessions_for_user once every session has expired",
        listed.len(),
        0,
    );

    let stranger = sample_user(t).id;
    let listed = ctx.ok(
        "sessions_for_user",
        sessions.sessions_for_user(stranger, t).await,
    );
    ctx.eq(
        "sessions_for_user of a user without sessions",
        listed.len(),
        0,
    );

    remove_session_owner(&ctx, subject, owner).await;
    remove_session_owner(&ctx, subject, other).await;
}

/// `delete_sessions_for_user` deletes every session of the user except `keep`, returns
/// how many it deleted, and leaves other users' sessions alone.
pub async fn sessions_delete_all_except_one(subject: &Subject) {
    let ctx = Ctx::new("sessions_delete_all_except_one");
    let Some(sessions) = ctx.need(subject.sessions(), "SessionStore") else {
        return;
    };

    let owner = session_owner(&ctx, subject).await;
    let other = session_owner(&ctx, subject).await;
    let t = now();
    let mine: Vec<SessionRecord> = (0..4i64)
        .map(|i| {
            new_session(
                owner,
                t - Duration::minutes(i),
                t + Duration::days(3),
                t + Duration::days(2),
            )
        })
        .collect();
    let foreign = new_session(other, t, t + Duration::days(3), t + Duration::days(2));
    for session in mine.iter().chain([&foreign]) {
        ctx.ok("create_session", sessions.create_session(session).await);
    }

    let kept = &mine[2];
    let deleted = ctx.ok(
        "delete_sessions_for_user keeping one",
        sessions
            .delete_sessions_for_user(owner, Some(&kept.digest))
            .await,
    );
    ctx.eq(
        "delete_sessions_for_user keeping one of four: deleted",
        deleted,
        3,
    );
    let listed = ctx.ok(
        "sessions_for_user",
        sessions.sessions_for_user(owner, t).await,
    );
    ctx.eq(
        "the sessions left after delete_sessions_for_user",
        &listed,
        &vec![kept.clone()],
    );
    for session in mine.iter().filter(|s| s.digest != kept.digest) {
        let found = ctx.ok("session", sessions.session(&session.digest).await);
        ctx.eq("session of a revoked digest", found, None);
    }
    let stored = ctx.ok("session", sessions.session(&foreign.digest).await);
    ctx.eq(
        "another user's session survives",
        stored.as_ref(),
        Some(&foreign),
    );

    let deleted = ctx.ok(
        "delete_sessions_for_user without keep",
        sessions.delete_sessions_for_user(owner, None).await,
    );
    ctx.eq("delete_sessions_for_user of the last one", deleted, 1);
    let deleted = ctx.ok(
        "delete_sessions_for_user",
        sessions.delete_sessions_for_user(owner, None).await,
    );
    ctx.eq("delete_sessions_for_user with nothing left", deleted, 0);
    let listed = ctx.ok(
        "sessions_for_user",
        sessions.sessions_for_user(owner, t).await,
    );
    ctx.eq("sessions left after revoking all", listed.len(), 0);

    remove_session_owner(&ctx, subject, owner).await;
    remove_session_owner(&ctx, subject, other).await;
}

/// `purge_expired_sessions(now)` deletes the sessions dead at `now` (either limit at or
/// before it) and keeps the others, judging by the given `now` whatever the real time:
/// with a `now` in the past it keeps sessions that die later, with a `now` up to half an
/// hour in the future it removes those dead by then.
///
/// Another run of this check against the same database (say `run_all` next to the
/// one-test-per-check tests) purges up to half an hour ahead too, so only sessions that
/// live longer than that are required to survive a purge (see the module docs of
/// `conformance`); the returned count is not asserted, since purges by others and native
/// expiry change it.
pub async fn sessions_purge_expired(subject: &Subject) {
    let ctx = Ctx::new("sessions_purge_expired");
    let Some(sessions) = ctx.need(subject.sessions(), "SessionStore") else {
        return;
    };

    let owner = session_owner(&ctx, subject).await;
    let t = now();
    // Already dead (a store with native expiry may drop it on its own).
    let dead = new_session(
        owner,
        t - Duration::hours(3),
        t - Duration::hours(1),
        t + Duration::days(1),
    );
    // Dies in 10 minutes (hard limit) and in 20 minutes (idle limit).
    let soon = new_session(
        owner,
        t - Duration::hours(2),
        t + Duration::minutes(10),
        t + Duration::days(1),
    );
    let idle = new_session(
        owner,
        t - Duration::hours(1),
        t + Duration::days(2),
        t + Duration::minutes(20),
    );
    // Lives on.
    let lasting = new_session(owner, t, t + Duration::days(3), t + Duration::days(2));
    for session in [&dead, &soon, &idle, &lasting] {
        ctx.ok("create_session", sessions.create_session(session).await);
    }

    let exists = |session: &SessionRecord| {
        let digest = session.digest;
        async move { ctx.ok("session", sessions.session(&digest).await).is_some() }
    };

    ctx.ok(
        "purge_expired_sessions (two hours ago)",
        sessions
            .purge_expired_sessions(t - Duration::hours(2))
            .await,
    );
    ctx.ensure(exists(&lasting).await, || {
        "purge_expired_sessions with a `now` two hours ago deleted a session that lives for \
         days"
            .to_owned()
    });

    ctx.ok(
        "purge_expired_sessions (now)",
        sessions.purge_expired_sessions(t).await,
    );
    ctx.ensure(!exists(&dead).await, || {
        "a session dead at `now` survived purge_expired_sessions(now)".to_owned()
    });
    ctx.ensure(exists(&lasting).await, || {
        "purge_expired_sessions(now) deleted a session that lives for days".to_owned()
    });

    ctx.ok(
        "purge_expired_sessions (15 minutes ahead)",
        sessions
            .purge_expired_sessions(t + Duration::minutes(15))
            .await,
    );
    ctx.ensure(!exists(&soon).await, || {
        "purge_expired_sessions(now + 15 min) kept a session whose expires_at (now + 10 min) \
         had passed"
            .to_owned()
    });
    ctx.ensure(exists(&idle).await, || {
        "purge_expired_sessions(now + 15 min) deleted a session idle until now + 20 min".to_owned()
    });

    ctx.ok(
        "purge_expired_sessions (30 minutes ahead)",
        sessions
            .purge_expired_sessions(t + Duration::minutes(30))
            .await,
    );
    ctx.ensure(!exists(&idle).await, || {
        "purge_expired_sessions(now + 30 min) kept a session whose idle_expires_at \
         (now + 20 min) had passed"
            .to_owned()
    });
    let stored = ctx.ok("session", sessions.session(&lasting.digest).await);
    ctx.eq(
        "the lasting session after every purge",
        stored.as_ref(),
        Some(&lasting),
    );

    remove_session_owner(&ctx, subject, owner).await;
}

/// `session_with_user` returns a session together with its owner, `None` for an unknown
/// digest, and `None` once the owner is deleted (a store keeping both deletes the
/// sessions with the user).
pub async fn sessions_with_user(subject: &Subject) {
    let ctx = Ctx::new("sessions_with_user");
    let Some(joined) = ctx.need(subject.session_users(), "SessionUserStore") else {
        return;
    };
    let Some(users) = ctx.need(subject.users(), "UserStore (to create the owner)") else {
        return;
    };
    let Some(sessions) = ctx.need(subject.sessions(), "SessionStore (to create the session)")
    else {
        return;
    };

    let t = now();
    let user = sample_user(t);
    ctx.ok("create_user", users.create_user(&user).await);
    let session = new_session(user.id, t, t + Duration::days(3), t + Duration::days(2));
    ctx.ok("create_session", sessions.create_session(&session).await);

    let found = ctx.ok(
        "session_with_user",
        joined.session_with_user(&session.digest).await,
    );
    ctx.eq(
        "session_with_user of a live session",
        found,
        Some((session.clone(), user.clone())),
    );
    let ghost = new_session(user.id, t, t + Duration::days(3), t + Duration::days(2));
    let found = ctx.ok(
        "session_with_user",
        joined.session_with_user(&ghost.digest).await,
    );
    ctx.eq("session_with_user of an unknown digest", found, None);

    // The user changes: the pair reflects the stored user.
    let mut changed = user.clone();
    changed.roles = vec!["admin".to_owned()];
    ctx.ok("update_user", users.update_user(&changed).await);
    changed.version += 1;
    let found = ctx.ok(
        "session_with_user",
        joined.session_with_user(&session.digest).await,
    );
    ctx.eq(
        "session_with_user after the user changed",
        found.map(|(_, u)| u),
        Some(changed.clone()),
    );

    ctx.ok(
        "delete_user",
        users.delete_user(user.id, changed.version).await,
    );
    let found = ctx.ok(
        "session_with_user",
        joined.session_with_user(&session.digest).await,
    );
    ctx.eq("session_with_user after the owner was deleted", found, None);

    remove_session_owner(&ctx, subject, user.id).await;
}

/// For a store whose [`revision`](crate::SessionUserStore::revision) answers `Some`:
/// every write of a user or a session changes it, so that the revision read after the
/// write returned is one never answered before: creating, updating, disabling and
/// deleting a user; creating, touching, re-proving and deleting a session, deleting a
/// user's other sessions, purging an expired one; a
/// [`revision_counter`](crate::SessionUserStore::revision_counter), when given, loads
/// what `revision` answers. A store answering `None` keeps no revision and passes
/// (saying so).
pub async fn sessions_revision_moves_on_every_write(subject: &Subject) {
    let ctx = Ctx::new("sessions_revision_moves_on_every_write");
    let Some(joined) = ctx.need(subject.session_users(), "SessionUserStore") else {
        return;
    };
    let Some(users) = ctx.need(subject.users(), "UserStore (to write users)") else {
        return;
    };
    let Some(sessions) = ctx.need(subject.sessions(), "SessionStore (to write sessions)") else {
        return;
    };
    let Some(first) = ctx.ok("revision", joined.revision().await) else {
        eprintln!(
            "store conformance check `sessions_revision_moves_on_every_write`: the store keeps no revision (None); nothing to check"
        );
        return;
    };
    let counter = joined.revision_counter();
    let mut answered = vec![first];
    let mut moved = async |after: &str| {
        let revision = ctx.ok("revision", joined.revision().await);
        let Some(revision) = revision else {
            ctx.fail(format_args!(
                "revision answered None after {after}, having answered Some before"
            ));
        };
        if let Some(counter) = &counter {
            let loaded = counter.load(std::sync::atomic::Ordering::SeqCst);
            ctx.eq(
                &format!("revision_counter after {after} (revision answered {revision})"),
                loaded,
                revision,
            );
        }
        ctx.ensure(!answered.contains(&revision), || {
            format!(
                "after {after} the revision is {revision}, a value answered before it \
                 (answered so far: {answered:?}): a lookup made before the write would \
                 be served after it"
            )
        });
        answered.push(revision);
    };

    let t = now();
    let mut user = sample_user(t);
    ctx.ok("create_user", users.create_user(&user).await);
    moved("create_user").await;

    user.roles = vec!["admin".to_owned()];
    ctx.ok("update_user", users.update_user(&user).await);
    user.version += 1;
    moved("update_user (roles)").await;

    let session = new_session(user.id, t, t + Duration::days(3), t + Duration::days(2));
    let other = new_session(user.id, t, t + Duration::days(3), t + Duration::days(2));
    let third = new_session(user.id, t, t + Duration::days(3), t + Duration::days(2));
    for s in [&session, &other, &third] {
        ctx.ok("create_session", sessions.create_session(s).await);
        moved("create_session").await;
    }

    ctx.ok(
        "touch_session",
        sessions
            .touch_session(
                &session.digest,
                t + Duration::minutes(1),
                t + Duration::days(2),
            )
            .await,
    );
    moved("touch_session").await;

    let proved = ctx.ok(
        "record_session_proof",
        sessions
            .record_session_proof(
                &session.digest,
                &[AuthMethod::Pwd],
                t + Duration::minutes(2),
            )
            .await,
    );
    ctx.eq("record_session_proof of a live session", proved, true);
    moved("record_session_proof").await;

    user.status = crate::model::AccountStatus::Disabled;
    ctx.ok("update_user", users.update_user(&user).await);
    user.version += 1;
    moved("update_user (disabled)").await;

    let deleted = ctx.ok(
        "delete_session",
        sessions.delete_session(&session.digest).await,
    );
    ctx.eq("delete_session of a live session", deleted, true);
    moved("delete_session").await;

    let deleted = ctx.ok(
        "delete_sessions_for_user",
        sessions
            .delete_sessions_for_user(user.id, Some(&other.digest))
            .await,
    );
    ctx.eq("delete_sessions_for_user keeping one of two", deleted, 1);
    moved("delete_sessions_for_user").await;

    // A session that died an hour ago, purged with the real clock.
    let dead = new_session(
        user.id,
        t - Duration::hours(3),
        t - Duration::hours(1),
        t - Duration::hours(1),
    );
    ctx.ok(
        "create_session (expired)",
        sessions.create_session(&dead).await,
    );
    moved("create_session (expired)").await;
    let purged = ctx.ok(
        "purge_expired_sessions",
        sessions.purge_expired_sessions(t).await,
    );
    ctx.ensure(purged >= 1, || {
        format!("purge_expired_sessions removed {purged} sessions, not the expired one")
    });
    moved("purge_expired_sessions").await;

    ctx.ok(
        "delete_user",
        users.delete_user(user.id, user.version).await,
    );
    moved("delete_user").await;

    remove_session_owner(&ctx, subject, user.id).await;
}
