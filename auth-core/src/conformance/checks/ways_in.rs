//! The ways-in version ([`PasskeyStore::delete_passkey_at`](crate::PasskeyStore::delete_passkey_at),
//! [`IdentityStore::unlink_identity_at`](crate::IdentityStore::unlink_identity_at)), and
//! the engine's last-way-in rule under concurrent removals over every store it needs.

use std::sync::Arc;

use super::passkeys::new_passkey;
use crate::conformance::Subject;
use crate::conformance::authenticator::SoftPasskey;
use crate::conformance::engine::{Engine, config, request};
use crate::conformance::support::{Ctx, now, session_owner, unique};
use crate::engine::{Authenticated, NewUser};
use crate::error::{Error, Result};
use crate::identity::Identity;
use crate::model::{PasswordHash, UserId};
use crate::passkey::RelyingParty;

/// An identity at `provider` with a fresh subject, linked to `owner` now.
fn new_identity(owner: UserId, provider: &str) -> Identity {
    Identity {
        user_id: owner,
        provider: provider.to_owned(),
        subject: unique(),
        email: None,
        email_verified: false,
        linked_at: now(),
        last_used_at: None,
    }
}

/// Removals at one ways-in version: of concurrent `delete_passkey_at` (and, with an
/// identity store, `unlink_identity_at`) calls at the account's version, exactly one
/// removes and bumps the version by one; the others return `StaleVersion` and remove
/// nothing. A removal of what the user does not own returns `false` and leaves the
/// version alone; a removal at an old version changes nothing.
pub async fn ways_in_removals_at_one_version_remove_once(subject: &Subject) {
    let ctx = Ctx::new("ways_in_removals_at_one_version_remove_once");
    let Some(passkeys) = ctx.need(subject.passkeys(), "PasskeyStore") else {
        return;
    };
    let identities = subject.identities();
    let owner = session_owner(&ctx, subject).await;
    let other = session_owner(&ctx, subject).await;
    let mine: Vec<_> = (0..4).map(|_| new_passkey(owner, now())).collect();
    let theirs = new_passkey(other, now());
    for passkey in mine.iter().chain([&theirs]) {
        ctx.ok("create_passkey", passkeys.create_passkey(passkey).await);
    }
    let identity = new_identity(owner, "conformance");
    if let Some(identities) = identities {
        ctx.ok("link_identity", identities.link_identity(&identity).await);
    }
    let at = ctx.ok("ways_in_version", passkeys.ways_in_version(owner).await);
    if let Some(identities) = identities {
        let theirs = ctx.ok(
            "ways_in_version (IdentityStore)",
            identities.ways_in_version(owner).await,
        );
        ctx.eq("the ways-in version of both traits", theirs, at);
    }
    let not_mine = passkeys.delete_passkey_at(owner, &theirs.id, at).await;
    ctx.eq(
        "delete_passkey_at of another user's passkey",
        not_mine.ok(),
        Some(false),
    );
    ctx.eq(
        "ways_in_version after a removal that found nothing",
        ctx.ok("ways_in_version", passkeys.ways_in_version(owner).await),
        at,
    );

    let mut tasks: Vec<tokio::task::JoinHandle<Result<bool>>> = Vec::new();
    for passkey in &mine {
        let (store, id) = (passkeys.clone(), passkey.id.clone());
        tasks.push(tokio::spawn(async move {
            store.delete_passkey_at(owner, &id, at).await
        }));
    }
    if let Some(identities) = identities {
        let (store, identity) = (identities.clone(), identity.clone());
        tasks.push(tokio::spawn(async move {
            store
                .unlink_identity_at(owner, &identity.provider, &identity.subject, at)
                .await
        }));
    }
    let mut removed = 0;
    for result in ctx.join_all(tasks).await {
        match result {
            Ok(true) => removed += 1,
            Err(Error::StaleVersion) => {}
            other => ctx.fail(format_args!(
                "a concurrent removal at one version: expected true or StaleVersion, got {other:?}"
            )),
        }
    }
    ctx.eq(
        "concurrent removals at one version that removed",
        removed,
        1,
    );
    ctx.eq(
        "ways_in_version after one removal",
        ctx.ok("ways_in_version", passkeys.ways_in_version(owner).await),
        at + 1,
    );
    let left = ctx.ok("passkeys_for_user", passkeys.passkeys_for_user(owner).await);
    let linked = match identities {
        Some(identities) => ctx
            .ok(
                "identities_for_user",
                identities.identities_for_user(owner).await,
            )
            .len(),
        None => 0,
    };
    let before = mine.len() + usize::from(identities.is_some());
    ctx.eq(
        "ways in left after one removal",
        left.len() + linked,
        before - 1,
    );
    let stale = passkeys.delete_passkey_at(owner, &left[0].id, at).await;
    ctx.ensure(matches!(stale, Err(Error::StaleVersion)), || {
        format!("delete_passkey_at at an old version: expected StaleVersion, got {stale:?}")
    });
    ctx.ok(
        "delete_passkeys_for_user (cleanup)",
        passkeys.delete_passkeys_for_user(owner).await,
    );
    ctx.ok(
        "delete_passkeys_for_user (cleanup)",
        passkeys.delete_passkeys_for_user(other).await,
    );
    if let Some(identities) = identities {
        ctx.ok(
            "unlink_identities_for_user (cleanup)",
            identities.unlink_identities_for_user(owner).await,
        );
    }
}

/// The engine over the subject's stores: an account without a password and with two
/// passkeys (or a passkey and a linked identity) has both removed at the same instant
/// by its owner, on two engines (as if on two instances), several times over: exactly
/// one removal passes each time, the other is refused by the last-way-in rule, and the
/// account keeps a way in.
pub async fn ways_in_concurrent_removals_keep_one(subject: &Subject) {
    let ctx = Ctx::new("ways_in_concurrent_removals_keep_one");
    let (
        Some(passkeys),
        Some(users),
        Some(sessions),
        Some(counters),
        Some(ephemeral),
        Some(outbox),
        Some(audit),
    ) = (
        ctx.need(subject.passkeys(), "PasskeyStore"),
        ctx.need(subject.users(), "UserStore"),
        ctx.need(subject.sessions(), "SessionStore"),
        ctx.need(subject.counters(), "CounterStore"),
        ctx.need(subject.ephemeral(), "EphemeralStore"),
        ctx.need(subject.outbox(), "MailOutbox"),
        ctx.need(subject.audit(), "AuditSink"),
    )
    else {
        return;
    };
    let identities = subject.identities().cloned();
    let rp = ctx.ok(
        "RelyingParty::new",
        RelyingParty::new("app.test", "Test App", &["https://app.test"]),
    );
    let engine = || {
        Engine::wired((), config(), |builder, ()| {
            let builder = builder
                .users(users.clone())
                .sessions(sessions.clone())
                .counters(counters.clone())
                .ephemeral(ephemeral.clone())
                .outbox(outbox.clone())
                .audit(audit.clone())
                .passkeys(passkeys.clone(), rp.clone());
            match &identities {
                Some(store) => builder.identities(store.clone()),
                None => builder,
            }
        })
    };
    let first = engine();
    let email = format!("wi-{}@example.test", unique());
    let created = NewUser {
        email: email.clone(),
        password: crate::conformance::engine::PASSWORD.into(),
        verified: true,
        ..NewUser::default()
    };
    let user = ctx.ok("create_user", first.auth.create_user(created).await);
    let mut me = first.signed_in(&email).await;
    let mut keys = Vec::new();
    let register = async |me: &Authenticated, keys: &mut Vec<SoftPasskey>| {
        let mut key = SoftPasskey::new("https://app.test");
        let started = ctx.ok(
            "start_passkey_registration",
            first.auth.start_passkey_registration(me).await,
        );
        let answer = key
            .register(&started.options)
            .await
            .unwrap_or_else(|e| ctx.fail(format_args!("the software authenticator refused: {e}")));
        ctx.ok(
            "finish_passkey_registration",
            first
                .auth
                .finish_passkey_registration(me, started.token(), "Key", &answer, &request())
                .await,
        );
        keys.push(key);
    };
    register(&me, &mut keys).await;
    // No password any more: the passkeys (and identities) are the only ways in.
    let mut stored = ctx
        .ok("user_by_id", users.user_by_id(user.id).await)
        .unwrap_or_else(|| ctx.fail("the new account is gone"));
    stored.password_hash = PasswordHash::unusable();
    ctx.ok("update_user", users.update_user(&stored).await);
    // A fresh passkey proof on the session, for the sensitive removals.
    let started = ctx.ok(
        "start_passkey_step_up",
        first.auth.start_passkey_step_up(&me).await,
    );
    let assertion = keys[0]
        .sign_in(&started.options)
        .await
        .unwrap_or_else(|e| ctx.fail(format_args!("the software authenticator refused: {e}")));
    me.session = ctx.ok(
        "step_up_with_passkey",
        first
            .auth
            .step_up_with_passkey(&me, started.token(), &assertion, &request())
            .await,
    );
    me.user = ctx
        .ok("user_by_id", users.user_by_id(user.id).await)
        .unwrap_or_else(|| ctx.fail("the account is gone"));
    let me = Arc::new(me);

    let rounds = 4;
    for round in 0..=rounds {
        // The last round races the passkey left against an identity, when there are
        // identities; the others race two passkeys.
        let with_identity = round == rounds;
        let identity = match (&identities, with_identity) {
            (Some(store), true) => {
                let identity = new_identity(user.id, "conformance");
                ctx.ok("link_identity", store.link_identity(&identity).await);
                Some(identity)
            }
            (None, true) => break,
            (_, false) => {
                register(&me, &mut keys).await;
                None
            }
        };
        let listed = ctx.ok("passkeys", first.auth.passkeys(&me).await);
        let mut tasks: Vec<tokio::task::JoinHandle<Result<()>>> = Vec::new();
        let targets: Vec<String> = match &identity {
            Some(_) => listed.iter().take(1).map(|p| p.id.clone()).collect(),
            None => listed.iter().map(|p| p.id.clone()).collect(),
        };
        ctx.eq(
            "ways in before the race",
            targets.len() + usize::from(identity.is_some()),
            2,
        );
        for id in targets {
            let (auth, me) = (engine().auth, me.clone());
            tasks.push(tokio::spawn(async move {
                auth.remove_passkey(&me, &id, &request()).await
            }));
        }
        if let Some(identity) = identity.clone() {
            let (auth, me) = (engine().auth, me.clone());
            tasks.push(tokio::spawn(async move {
                auth.unlink_identity(&me, &identity.provider, &identity.subject, &request())
                    .await
            }));
        }
        let mut passed = 0;
        for result in ctx.join_all(tasks).await {
            match result {
                Ok(()) => passed += 1,
                Err(Error::Validation(errors))
                    if errors.field("id").is_some() || errors.field("provider").is_some() => {}
                other => ctx.fail(format_args!(
                    "round {round}: a concurrent removal of the last two ways in: expected success or the last-way-in refusal, got {other:?}"
                )),
            }
        }
        ctx.eq(
            "concurrent removals of the last two ways in that passed",
            passed,
            1,
        );
        let left = ctx.ok("passkeys", first.auth.passkeys(&me).await).len();
        let linked = match &identities {
            Some(store) => ctx
                .ok(
                    "identities_for_user",
                    store.identities_for_user(user.id).await,
                )
                .len(),
            None => 0,
        };
        ctx.eq("ways in left after the race", left + linked, 1);
        if linked == 1 {
            // The identity stayed and the passkey went: no passkey for more rounds.
            break;
        }
    }
    ctx.ok(
        "delete_passkeys_for_user (cleanup)",
        passkeys.delete_passkeys_for_user(user.id).await,
    );
    if let Some(store) = &identities {
        ctx.ok(
            "unlink_identities_for_user (cleanup)",
            store.unlink_identities_for_user(user.id).await,
        );
    }
}
