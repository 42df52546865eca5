//! [`PasskeyStore`](crate::PasskeyStore) checks, and one check of the passkey ceremonies
//! over every store the engine needs (a challenge answered concurrently signs in once).

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use crate::conformance::Subject;
use crate::conformance::authenticator::SoftPasskey;
use crate::conformance::engine::{Engine, PASSWORD, config, request};
use crate::conformance::support::{Ctx, now, session_owner};
use crate::engine::NewUser;
use crate::error::{Error, UniqueField};
use crate::model::UserId;
use crate::passkey::{PasskeyCredential, PasskeyUse, RelyingParty};

/// A passkey record of `owner` with a fresh credential id, created at `at`.
pub(super) fn new_passkey(owner: UserId, at: OffsetDateTime) -> PasskeyCredential {
    let id = hex::encode(crate::random::bytes::<16>());
    PasskeyCredential {
        id: id.clone(),
        user_id: owner,
        name: format!("key {id}"),
        passkey: format!(r#"{{"cred":{{"cred_id":"{id}","counter":0}}}}"#),
        sign_count: 0,
        backup_eligible: true,
        backup_state: false,
        transports: vec!["internal".into(), "hybrid".into()],
        created_at: at,
        last_used_at: None,
    }
}

/// `create_passkey` stores every field and `passkey` finds it by id;
/// `record_passkey_use` changes the passkey JSON, counter, flags and last use and nothing
/// else; `rename_passkey` and `delete_passkey` act for the owner only; and
/// `passkeys_for_user` lists a user's passkeys oldest first and nobody else's.
pub async fn passkeys_create_find_use_rename_delete(subject: &Subject) {
    let ctx = Ctx::new("passkeys_create_find_use_rename_delete");
    let Some(passkeys) = ctx.need(subject.passkeys(), "PasskeyStore") else {
        return;
    };
    let owner = session_owner(&ctx, subject).await;
    let other = session_owner(&ctx, subject).await;
    let t = now();
    let older = new_passkey(owner, t - Duration::hours(1));
    let newer = new_passkey(owner, t);
    let theirs = new_passkey(other, t);
    for passkey in [&newer, &older, &theirs] {
        ctx.ok("create_passkey", passkeys.create_passkey(passkey).await);
    }
    let found = ctx.ok("passkey", passkeys.passkey(&newer.id).await);
    ctx.eq("passkey after create_passkey", found.as_ref(), Some(&newer));
    let found = ctx.ok("passkey (unknown id)", passkeys.passkey("no-such-id").await);
    ctx.eq("passkey of an unknown id", found, None);

    let used = PasskeyUse {
        passkey: r#"{"cred":{"counter":7}}"#.into(),
        sign_count: 7,
        backup_eligible: true,
        backup_state: true,
        at: t + Duration::minutes(2),
    };
    let existed = ctx.ok(
        "record_passkey_use",
        passkeys.record_passkey_use(&older.id, &used).await,
    );
    ctx.ensure(existed, || {
        "record_passkey_use of a stored passkey returned false".into()
    });
    let mut expected = older.clone();
    expected.passkey.clone_from(&used.passkey);
    expected.sign_count = 7;
    expected.backup_state = true;
    expected.last_used_at = Some(used.at);
    let found = ctx.ok("passkey", passkeys.passkey(&older.id).await);
    ctx.eq(
        "passkey after record_passkey_use",
        found.as_ref(),
        Some(&expected),
    );
    let missing = ctx.ok(
        "record_passkey_use (unknown id)",
        passkeys.record_passkey_use("no-such-id", &used).await,
    );
    ctx.ensure(!missing, || {
        "record_passkey_use of an unknown id returned true".into()
    });
    let created = ctx.ok("passkey (unknown id)", passkeys.passkey("no-such-id").await);
    ctx.ensure(created.is_none(), || {
        "record_passkey_use of an unknown id created it".into()
    });

    let listed = ctx.ok("passkeys_for_user", passkeys.passkeys_for_user(owner).await);
    let ids: Vec<&str> = listed.iter().map(|p| p.id.as_str()).collect();
    ctx.eq(
        "passkeys_for_user (oldest first, the owner's only)",
        ids,
        vec![older.id.as_str(), newer.id.as_str()],
    );

    let refused = ctx.ok(
        "rename_passkey (another user's)",
        passkeys.rename_passkey(owner, &theirs.id, "mine now").await,
    );
    ctx.ensure(!refused, || {
        "rename_passkey renamed another user's passkey".into()
    });
    let renamed = ctx.ok(
        "rename_passkey",
        passkeys.rename_passkey(owner, &newer.id, "Laptop").await,
    );
    ctx.ensure(renamed, || {
        "rename_passkey of the owner's returned false".into()
    });
    let found = ctx.ok("passkey", passkeys.passkey(&newer.id).await);
    ctx.eq(
        "name after rename_passkey",
        found.map(|p| p.name),
        Some("Laptop".to_owned()),
    );
    let found = ctx.ok("passkey", passkeys.passkey(&theirs.id).await);
    ctx.eq("the other user's passkey", found.as_ref(), Some(&theirs));

    let refused = ctx.ok(
        "delete_passkey (another user's)",
        passkeys.delete_passkey(owner, &theirs.id).await,
    );
    ctx.ensure(!refused, || {
        "delete_passkey deleted another user's passkey".into()
    });
    let deleted = ctx.ok(
        "delete_passkey",
        passkeys.delete_passkey(owner, &older.id).await,
    );
    ctx.ensure(deleted, || {
        "delete_passkey of the owner's returned false".into()
    });
    let again = ctx.ok(
        "delete_passkey (again)",
        passkeys.delete_passkey(owner, &older.id).await,
    );
    ctx.ensure(!again, || "delete_passkey twice returned true twice".into());
    let after = ctx.ok(
        "record_passkey_use (deleted)",
        passkeys.record_passkey_use(&older.id, &used).await,
    );
    ctx.ensure(!after, || {
        "record_passkey_use of a deleted passkey returned true".into()
    });
    let found = ctx.ok("passkey (deleted)", passkeys.passkey(&older.id).await);
    ctx.ensure(found.is_none(), || {
        "a deleted passkey came back after record_passkey_use".into()
    });

    let n = ctx.ok(
        "delete_passkeys_for_user",
        passkeys.delete_passkeys_for_user(owner).await,
    );
    ctx.eq("delete_passkeys_for_user count", n, 1);
    let n = ctx.ok(
        "delete_passkeys_for_user (other)",
        passkeys.delete_passkeys_for_user(other).await,
    );
    ctx.eq("delete_passkeys_for_user count (other)", n, 1);
}

/// A credential id is unique across all accounts: creating it again, for the same user
/// or another, is a `Conflict` on `UniqueField::Passkey` that changes nothing; of
/// concurrent creates of one id, exactly one succeeds.
pub async fn passkeys_unique_across_users(subject: &Subject) {
    let ctx = Ctx::new("passkeys_unique_across_users");
    let Some(passkeys) = ctx.need(subject.passkeys(), "PasskeyStore") else {
        return;
    };
    let owner = session_owner(&ctx, subject).await;
    let other = session_owner(&ctx, subject).await;
    let first = new_passkey(owner, now());
    ctx.ok("create_passkey", passkeys.create_passkey(&first).await);
    for user in [owner, other] {
        let again = PasskeyCredential {
            user_id: user,
            name: "again".into(),
            ..first.clone()
        };
        match passkeys.create_passkey(&again).await {
            Err(Error::Conflict {
                field: UniqueField::Passkey,
            }) => {}
            other => ctx.fail(format_args!(
                "create_passkey of a stored credential id: expected Conflict(passkey), got {other:?}"
            )),
        }
    }
    let found = ctx.ok("passkey", passkeys.passkey(&first.id).await);
    ctx.eq(
        "passkey after refused creates",
        found.as_ref(),
        Some(&first),
    );
    let listed = ctx.ok("passkeys_for_user", passkeys.passkeys_for_user(other).await);
    ctx.ensure(listed.is_empty(), || {
        "a refused create left a passkey with the other user".into()
    });

    let contested = new_passkey(owner, now());
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = Arc::clone(passkeys);
        let candidate = PasskeyCredential {
            user_id: if i % 2 == 0 { owner } else { other },
            ..contested.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.create_passkey(&candidate).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(())) => won += 1,
            Ok(Err(Error::Conflict {
                field: UniqueField::Passkey,
            })) => {}
            other => ctx.fail(format_args!(
                "concurrent create_passkey: expected Ok or Conflict(passkey), got {other:?}"
            )),
        }
    }
    ctx.eq("concurrent creates of one credential id that won", won, 1);
    for user in [owner, other] {
        ctx.ok(
            "delete_passkeys_for_user (cleanup)",
            passkeys.delete_passkeys_for_user(user).await,
        );
    }
}

/// A store that keeps users too deletes a user's passkeys with the user.
pub async fn passkeys_go_with_their_account(subject: &Subject) {
    let ctx = Ctx::new("passkeys_go_with_their_account");
    let Some(passkeys) = ctx.need(subject.passkeys(), "PasskeyStore") else {
        return;
    };
    let Some(users) = ctx.need(subject.users(), "UserStore") else {
        return;
    };
    let owner = session_owner(&ctx, subject).await;
    let passkey = new_passkey(owner, now());
    ctx.ok("create_passkey", passkeys.create_passkey(&passkey).await);
    let user = ctx
        .ok("user_by_id", users.user_by_id(owner).await)
        .unwrap_or_else(|| ctx.fail("the owner just created is missing"));
    ctx.ok("delete_user", users.delete_user(owner, user.version).await);
    let found = ctx.ok("passkey", passkeys.passkey(&passkey.id).await);
    ctx.ensure(found.is_none(), || {
        "delete_user left the user's passkey behind".into()
    });
}

/// The engine over the subject's stores: one sign-in challenge answered by eight
/// concurrent finishes (on as many engines, as if on as many instances) signs in
/// exactly once; the others find the challenge gone.
pub async fn passkeys_concurrent_finishes_succeed_once(subject: &Subject) {
    let ctx = Ctx::new("passkeys_concurrent_finishes_succeed_once");
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
    let rp = ctx.ok(
        "RelyingParty::new",
        RelyingParty::new("app.test", "Test App", &["https://app.test"]),
    );
    let engine = || {
        Engine::wired((), config(), |builder, ()| {
            builder
                .users(users.clone())
                .sessions(sessions.clone())
                .counters(counters.clone())
                .ephemeral(ephemeral.clone())
                .outbox(outbox.clone())
                .audit(audit.clone())
                .passkeys(passkeys.clone(), rp.clone())
        })
    };
    let first = engine();
    let email = format!(
        "pk-{}@example.test",
        hex::encode(crate::random::bytes::<6>())
    );
    let created = NewUser {
        email: email.clone(),
        password: PASSWORD.into(),
        verified: true,
        ..NewUser::default()
    };
    let user = ctx.ok("create_user", first.auth.create_user(created).await);
    let me = first.signed_in(&email).await;
    let mut key = SoftPasskey::new("https://app.test");
    let started = ctx.ok(
        "start_passkey_registration",
        first.auth.start_passkey_registration(&me).await,
    );
    let answer = key
        .register(&started.options)
        .await
        .unwrap_or_else(|e| ctx.fail(format_args!("the software authenticator refused: {e}")));
    ctx.ok(
        "finish_passkey_registration",
        first
            .auth
            .finish_passkey_registration(&me, started.token(), "Test key", &answer, &request())
            .await,
    );
    let challenge = ctx.ok(
        "start_passkey_sign_in",
        first.auth.start_passkey_sign_in(&request()).await,
    );
    let assertion = key
        .sign_in(&challenge.options)
        .await
        .unwrap_or_else(|e| ctx.fail(format_args!("the software authenticator refused: {e}")));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let auth = engine().auth;
        let (token, assertion) = (challenge.token().to_owned(), assertion.clone());
        tasks.push(tokio::spawn(async move {
            auth.finish_passkey_sign_in(&token, &assertion, false, &request())
                .await
        }));
    }
    let mut signed_in = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(success)) => {
                ctx.eq("the account signed in", success.user.id, user.id);
                signed_in += 1;
            }
            Ok(Err(Error::Validation(errors))) if errors.field("challenge").is_some() => {}
            other => ctx.fail(format_args!(
                "a concurrent finish: expected a session or a gone challenge, got {other:?}"
            )),
        }
    }
    ctx.eq("finishes of one challenge that signed in", signed_in, 1);
    ctx.ok(
        "delete_passkeys_for_user (cleanup)",
        passkeys.delete_passkeys_for_user(user.id).await,
    );
}
