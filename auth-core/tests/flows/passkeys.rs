//! Passkeys through the engine, answered by a software authenticator (the `passkey`
//! crate): registration, passwordless sign-in, the passkey as second factor, and the
//! refusals (replayed challenge, wrong origin, wrong RP id, another user's credential or
//! session, tampered signature, removed passkey, disabled account, cloned authenticator).

use std::sync::Arc;

use auth_core::conformance::authenticator::SoftPasskey;
use auth_core::conformance::engine::{Engine, PASSWORD, config, request};
use auth_core::{
    AuditKind, AuditSink, Authenticated, Clock, EphemeralStore, Error, Login, PasskeyStore,
    RelyingParty, SignIn,
};
use auth_store_memory::MemoryStore;

const ORIGIN: &str = "https://app.test";

fn relying_party() -> RelyingParty {
    RelyingParty::new("app.test", "Test App", &[ORIGIN]).expect("a valid relying party")
}

fn engine_on(store: Arc<MemoryStore>, rp: RelyingParty) -> Engine<Arc<MemoryStore>> {
    Engine::wired(store, config(), |builder, store| {
        builder.store(store.clone()).passkeys(store.clone(), rp)
    })
}

fn engine() -> Engine<Arc<MemoryStore>> {
    engine_on(Arc::new(MemoryStore::new()), relying_party())
}

/// Registers a passkey for the signed-in `me` with `key`; returns its credential id.
async fn register(
    engine: &Engine<Arc<MemoryStore>>,
    me: &Authenticated,
    key: &mut SoftPasskey,
) -> String {
    let started = engine.auth.start_passkey_registration(me).await.unwrap();
    let answer = key.register(&started.options).await.unwrap();
    let record = engine
        .auth
        .finish_passkey_registration(
            me,
            started.token(),
            " MacBook Touch ID ",
            &answer,
            &request(),
        )
        .await
        .unwrap();
    record.id
}

/// A passwordless sign-in's challenge token and `key`'s answer to it.
async fn assertion(engine: &Engine<Arc<MemoryStore>>, key: &mut SoftPasskey) -> (String, String) {
    let challenge = engine.auth.start_passkey_sign_in(&request()).await.unwrap();
    let answer = key.sign_in(&challenge.options).await.unwrap();
    (challenge.token().to_owned(), answer)
}

async fn audit_kinds(
    engine: &Engine<Arc<MemoryStore>>,
    user: auth_core::UserId,
) -> Vec<(AuditKind, Option<String>)> {
    engine
        .store
        .events_for_user(user, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect()
}

fn field_of(error: &Error) -> Option<&str> {
    match error {
        Error::Validation(errors) => errors.errors().first().map(|e| e.field),
        _ => None,
    }
}

#[tokio::test]
async fn register_list_and_sign_in_without_a_password() {
    let engine = engine();
    let ada = engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    let id = register(&engine, &me, &mut key).await;

    let listed = engine.auth.passkeys(&me).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].name, "MacBook Touch ID");
    assert_eq!(listed[0].user_id, ada.id);
    assert_eq!(listed[0].transports, vec!["internal", "hybrid"]);
    assert_eq!(listed[0].created_at, engine.clock.now());
    assert_eq!(listed[0].last_used_at, None);

    engine.clock.advance(time::Duration::minutes(3));
    let (token, answer) = assertion(&engine, &mut key).await;
    let success = engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap();
    assert_eq!(success.user.id, ada.id);
    assert!(
        engine
            .auth
            .authenticate(&success.token)
            .await
            .unwrap()
            .is_some()
    );
    let used = engine.store.passkey(&id).await.unwrap().unwrap();
    assert_eq!(used.last_used_at, Some(engine.clock.now()));
    assert!(
        used.sign_count >= 1,
        "the software authenticator counts: {}",
        used.sign_count
    );

    let trail = audit_kinds(&engine, ada.id).await;
    assert!(
        trail.contains(&(AuditKind::PasskeyAdded, Some("MacBook Touch ID".into()))),
        "{trail:?}"
    );
    assert!(
        trail.contains(&(AuditKind::LoginSucceeded, Some("with passkey".into()))),
        "{trail:?}"
    );
}

#[tokio::test]
async fn a_challenge_is_answered_once() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;
    let (token, answer) = assertion(&engine, &mut key).await;
    engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap();
    let replay = engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&replay), Some("challenge"), "{replay:?}");

    // A registration challenge is single use too.
    let started = engine.auth.start_passkey_registration(&me).await.unwrap();
    let mut other = SoftPasskey::new(ORIGIN);
    let answer = other.register(&started.options).await.unwrap();
    engine
        .auth
        .finish_passkey_registration(&me, started.token(), "One", &answer, &request())
        .await
        .unwrap();
    let again = engine
        .auth
        .finish_passkey_registration(&me, started.token(), "Two", &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&again), Some("challenge"), "{again:?}");
    assert_eq!(engine.auth.passkeys(&me).await.unwrap().len(), 2);
}

#[tokio::test]
async fn starting_sign_ins_stores_nothing_and_counts_nothing() {
    // A sign-in page with passkey autofill starts one on every load.
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;
    let limit = auth_core::RateLimits::default().login_per_ip.max;
    let mut tokens = Vec::new();
    for _ in 0..limit + 10 {
        let started = engine.auth.start_passkey_sign_in(&request()).await.unwrap();
        tokens.push(started.token().to_owned());
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(
        tokens.len() as u64,
        limit + 10,
        "every start is its own challenge"
    );
    // Nothing was stored: nothing expires.
    engine.clock.advance(time::Duration::minutes(6));
    let purged = engine
        .store
        .purge_expired_ephemeral(engine.clock.now())
        .await
        .unwrap();
    assert_eq!(purged, 0, "starting a sign-in stored something");
    // And the limit is untouched: a sign-in still goes through.
    let (token, answer) = assertion(&engine, &mut key).await;
    engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_tampered_or_foreign_sign_in_token_is_refused() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;
    let (token, answer) = assertion(&engine, &mut key).await;
    // One character of the sealed state changed.
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    // Another site's token (another signing key under the same key id).
    let other = Engine::wired(
        Arc::new(MemoryStore::new()),
        config().signing_key("k1", b"another site's key, 32 bytes at least".to_vec()),
        |builder, store| {
            builder
                .store(store.clone())
                .passkeys(store.clone(), relying_party())
        },
    );
    let foreign = other.auth.start_passkey_sign_in(&request()).await.unwrap();
    for bad in [tampered.as_str(), foreign.token(), "", "x"] {
        let refused = engine
            .auth
            .finish_passkey_sign_in(bad, &answer, false, &request())
            .await
            .unwrap_err();
        assert_eq!(field_of(&refused), Some("challenge"), "{bad}: {refused:?}");
    }
    // The genuine token still works once.
    engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_expired_challenge_is_refused() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;
    let (token, answer) = assertion(&engine, &mut key).await;
    engine.clock.advance(time::Duration::minutes(6));
    let late = engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&late), Some("challenge"), "{late:?}");
}

#[tokio::test]
async fn another_origin_is_refused() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;

    // Registering from a page of another origin (a subdomain the RP id would allow).
    let started = engine.auth.start_passkey_registration(&me).await.unwrap();
    let mut phished = SoftPasskey::new("https://evil.app.test");
    let answer = phished.register(&started.options).await.unwrap();
    let refused = engine
        .auth
        .finish_passkey_registration(&me, started.token(), "Phished", &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&refused), Some("credential"), "{refused:?}");
    assert!(engine.auth.passkeys(&me).await.unwrap().is_empty());

    // Signing in from another origin with a passkey registered at the right one.
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;
    let mut elsewhere = key.copy_at("https://evil.app.test");
    let (token, answer) = assertion(&engine, &mut elsewhere).await;
    let refused = engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidCredentials), "{refused:?}");
}

#[tokio::test]
async fn another_rp_id_is_refused() {
    let store = Arc::new(MemoryStore::new());
    let app = engine_on(store.clone(), relying_party());
    app.registered_and_verified("ada@example.com").await;
    let me = app.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new("https://login.app.test");
    // Registered for the RP id app.test from https://login.app.test ...
    let app_login = engine_on(
        store.clone(),
        RelyingParty::new("app.test", "Test App", &["https://login.app.test"]).unwrap(),
    );
    register(&app_login, &me, &mut key).await;
    // ... and presented to a site whose RP id is login.app.test: the authenticator signs
    // app.test's RP id hash, which that site refuses.
    let login = engine_on(
        store,
        RelyingParty::new("login.app.test", "Login", &["https://login.app.test"]).unwrap(),
    );
    let challenge = login.auth.start_passkey_sign_in(&request()).await.unwrap();
    let mut options = challenge.options.clone();
    options["publicKey"]["rpId"] = "app.test".into();
    let answer = key.sign_in(&options).await.unwrap();
    let refused = login
        .auth
        .finish_passkey_sign_in(challenge.token(), &answer, false, &request())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidCredentials), "{refused:?}");
}

#[tokio::test]
async fn a_relying_party_must_match_its_origins() {
    assert!(matches!(
        RelyingParty::new("example.com", "X", &["https://example.org"]),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        RelyingParty::new(
            "example.com",
            "X",
            &["https://example.com", "https://other.org"]
        ),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        RelyingParty::new("example.com", "X", &[]),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        RelyingParty::new("example.com", "X", &["not a url"]),
        Err(Error::Config(_))
    ));
    let rp = RelyingParty::new(
        "example.com",
        "X",
        &["https://example.com", "https://id.example.com"],
    )
    .unwrap();
    assert_eq!(rp.rp_id(), "example.com");
    assert_eq!(rp.origins().len(), 2);
}

#[tokio::test]
async fn a_challenge_is_bound_to_its_session_and_account() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    engine.registered_and_verified("bob@example.com").await;
    let ada = engine.signed_in("ada@example.com").await;
    let ada_elsewhere = engine.signed_in("ada@example.com").await;
    let bob = engine.signed_in("bob@example.com").await;
    for wrong in [&bob, &ada_elsewhere] {
        let started = engine.auth.start_passkey_registration(&ada).await.unwrap();
        let answer = SoftPasskey::new(ORIGIN)
            .register(&started.options)
            .await
            .unwrap();
        let refused = engine
            .auth
            .finish_passkey_registration(wrong, started.token(), "Stolen", &answer, &request())
            .await
            .unwrap_err();
        assert_eq!(field_of(&refused), Some("challenge"), "{refused:?}");
    }
    assert!(engine.auth.passkeys(&ada).await.unwrap().is_empty());
    assert!(engine.auth.passkeys(&bob).await.unwrap().is_empty());
    // A sign-in challenge cannot finish a registration.
    let challenge = engine.auth.start_passkey_sign_in(&request()).await.unwrap();
    let answer = SoftPasskey::new(ORIGIN)
        .register(
            &engine
                .auth
                .start_passkey_registration(&ada)
                .await
                .unwrap()
                .options,
        )
        .await
        .unwrap();
    let refused = engine
        .auth
        .finish_passkey_registration(&ada, challenge.token(), "Mixed", &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&refused), Some("challenge"), "{refused:?}");
}

#[tokio::test]
async fn the_accounts_passkeys_are_excluded_from_a_registration() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let id = register(&engine, &me, &mut SoftPasskey::new(ORIGIN)).await;
    let started = engine.auth.start_passkey_registration(&me).await.unwrap();
    let excluded: Vec<&str> = started.options["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(excluded, vec![id.as_str()]);
    assert_eq!(
        started.options["publicKey"]["authenticatorSelection"]["residentKey"],
        "preferred"
    );
}

#[tokio::test]
async fn a_tampered_signature_is_refused() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;
    let (token, answer) = assertion(&engine, &mut key).await;
    let mut tampered: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let signature = tampered["response"]["signature"]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    tampered["response"]["signature"] = format!("{flipped}{}", &signature[1..]).into();
    let refused = engine
        .auth
        .finish_passkey_sign_in(&token, &tampered.to_string(), false, &request())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidCredentials), "{refused:?}");
    // Malformed answers are a field error.
    let (token, _) = assertion(&engine, &mut key).await;
    let refused = engine
        .auth
        .finish_passkey_sign_in(&token, "{not json", false, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&refused), Some("credential"), "{refused:?}");
}

#[tokio::test]
async fn a_removed_passkey_no_longer_signs_in() {
    let engine = engine();
    let ada = engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    let id = register(&engine, &me, &mut key).await;
    engine
        .auth
        .rename_passkey(&me, &id, "Old phone", &request())
        .await
        .unwrap();
    assert_eq!(
        engine.auth.passkeys(&me).await.unwrap()[0].name,
        "Old phone"
    );
    let bad = engine
        .auth
        .rename_passkey(&me, &id, "  ", &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&bad), Some("name"));
    // The passkey is the account's second factor: removing it takes a fresh passkey
    // proof, the password of the session is not enough.
    assert!(matches!(
        engine.auth.remove_passkey(&me, &id, &request()).await,
        Err(Error::ReauthenticationRequired)
    ));
    let started = engine.auth.start_passkey_step_up(&me).await.unwrap();
    let answer = key.sign_in(&started.options).await.unwrap();
    let session = engine
        .auth
        .step_up_with_passkey(&me, started.token(), &answer, &request())
        .await
        .unwrap();
    let me = auth_core::Authenticated { session, ..me };
    engine
        .auth
        .remove_passkey(&me, &id, &request())
        .await
        .unwrap();
    assert!(matches!(
        engine.auth.remove_passkey(&me, &id, &request()).await,
        Err(Error::NotFound)
    ));
    let (token, answer) = assertion(&engine, &mut key).await;
    let refused = engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidCredentials), "{refused:?}");
    let trail = audit_kinds(&engine, ada.id).await;
    assert!(
        trail.contains(&(AuditKind::PasskeyRenamed, Some("Old phone".into()))),
        "{trail:?}"
    );
    assert!(
        trail.contains(&(AuditKind::PasskeyRemoved, Some("Old phone".into()))),
        "{trail:?}"
    );
    // The password signs in by itself again.
    assert!(engine.login("ada@example.com", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn another_users_passkey_cannot_be_renamed_or_removed() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    engine.registered_and_verified("bob@example.com").await;
    let ada = engine.signed_in("ada@example.com").await;
    let bob = engine.signed_in("bob@example.com").await;
    let id = register(&engine, &ada, &mut SoftPasskey::new(ORIGIN)).await;
    assert!(matches!(
        engine
            .auth
            .rename_passkey(&bob, &id, "Mine", &request())
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        engine.auth.remove_passkey(&bob, &id, &request()).await,
        Err(Error::NotFound)
    ));
    assert_eq!(engine.auth.passkeys(&ada).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_with_its_passkey() {
    let engine = engine();
    let ada = engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;
    let admin = engine.admin().await;
    engine
        .auth
        .admin_disable(&admin, ada.id, &request())
        .await
        .unwrap();
    let (token, answer) = assertion(&engine, &mut key).await;
    let refused = engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::AccountDisabled), "{refused:?}");
}

#[tokio::test]
async fn a_cloned_authenticator_is_refused_and_audited() {
    let engine = engine();
    let ada = engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;
    let mut clone = key.copy_at(ORIGIN);
    for _ in 0..2 {
        let (token, answer) = assertion(&engine, &mut key).await;
        engine
            .auth
            .finish_passkey_sign_in(&token, &answer, false, &request())
            .await
            .unwrap();
    }
    // The clone's counter is behind the one stored.
    let (token, answer) = assertion(&engine, &mut clone).await;
    let refused = engine
        .auth
        .finish_passkey_sign_in(&token, &answer, false, &request())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidCredentials), "{refused:?}");
    let trail = audit_kinds(&engine, ada.id).await;
    assert!(
        trail
            .iter()
            .any(|(kind, _)| *kind == AuditKind::PasskeyCounterRegressed),
        "{trail:?}"
    );
}

#[tokio::test]
async fn a_passkey_is_the_second_factor_after_the_password() {
    let engine = engine();
    let ada = engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;

    // The password alone no longer opens a session.
    assert!(matches!(
        engine.login("ada@example.com", PASSWORD).await,
        Err(Error::SecondFactorRequired)
    ));
    let login = Login {
        login: "ada@example.com".into(),
        password: PASSWORD.into(),
        remember: true,
    };
    let SignIn::SecondFactor(pending) = engine.auth.sign_in(login, &request()).await.unwrap()
    else {
        panic!("expected a pending sign-in");
    };
    let challenge = engine
        .auth
        .start_passkey_second_factor(pending.token())
        .await
        .unwrap();
    let allowed = challenge.options["publicKey"]["allowCredentials"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(allowed, 1);
    let answer = key.sign_in(&challenge.options).await.unwrap();
    // Bound to its pending sign-in: another pending sign-in cannot use it.
    let login = Login {
        login: "ada@example.com".into(),
        password: PASSWORD.into(),
        remember: false,
    };
    let SignIn::SecondFactor(other) = engine.auth.sign_in(login, &request()).await.unwrap() else {
        panic!("expected a pending sign-in");
    };
    let refused = engine
        .auth
        .complete_sign_in_with_passkey(other.token(), challenge.token(), &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&refused), Some("challenge"), "{refused:?}");

    let challenge = engine
        .auth
        .start_passkey_second_factor(pending.token())
        .await
        .unwrap();
    let answer = key.sign_in(&challenge.options).await.unwrap();
    let success = engine
        .auth
        .complete_sign_in_with_passkey(pending.token(), challenge.token(), &answer, &request())
        .await
        .unwrap();
    assert_eq!(success.user.id, ada.id);
    assert!(success.session.remember);
    // The session names both steps, so that it counts as a recent second factor.
    assert_eq!(
        success.session.amr,
        [auth_core::AuthMethod::Pwd, auth_core::AuthMethod::Passkey]
    );
    // The pending sign-in is spent.
    let again = engine
        .auth
        .start_passkey_second_factor(pending.token())
        .await
        .unwrap_err();
    assert_eq!(field_of(&again), Some("pending"), "{again:?}");
    let trail = audit_kinds(&engine, ada.id).await;
    assert_eq!(
        trail.first(),
        Some(&(AuditKind::LoginSucceeded, Some("with passkey".into())))
    );
}

#[tokio::test]
async fn another_users_passkey_is_no_second_factor() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    engine.registered_and_verified("bob@example.com").await;
    let ada = engine.signed_in("ada@example.com").await;
    let bob = engine.signed_in("bob@example.com").await;
    register(&engine, &ada, &mut SoftPasskey::new(ORIGIN)).await;
    let mut bobs_key = SoftPasskey::new(ORIGIN);
    register(&engine, &bob, &mut bobs_key).await;
    let login = Login {
        login: "ada@example.com".into(),
        password: PASSWORD.into(),
        remember: false,
    };
    let SignIn::SecondFactor(pending) = engine.auth.sign_in(login, &request()).await.unwrap()
    else {
        panic!("expected a pending sign-in");
    };
    let challenge = engine
        .auth
        .start_passkey_second_factor(pending.token())
        .await
        .unwrap();
    // Bob's authenticator is not among Ada's allowed credentials; it answers with its own.
    let mut options = challenge.options.clone();
    options["publicKey"]["allowCredentials"] = serde_json::json!([]);
    let answer = bobs_key.sign_in(&options).await.unwrap();
    let refused = engine
        .auth
        .complete_sign_in_with_passkey(pending.token(), challenge.token(), &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&refused), Some("credential"), "{refused:?}");
}

#[tokio::test]
async fn passkeys_are_off_without_a_store() {
    let engine = Engine::on(Arc::new(MemoryStore::new()));
    assert!(!engine.auth.passkeys_enabled());
    assert!(matches!(
        engine.auth.start_passkey_sign_in(&request()).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn removing_a_passkey_needs_a_recent_proof() {
    let engine = engine();
    engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    let id = register(&engine, &me, &mut key).await;
    engine.clock.advance(time::Duration::minutes(11));
    assert!(matches!(
        engine.auth.remove_passkey(&me, &id, &request()).await,
        Err(Error::ReauthenticationRequired)
    ));
    assert_eq!(engine.auth.passkeys(&me).await.unwrap().len(), 1);
    // The passkey is the account's second factor: the password alone is no proof.
    let refused = engine
        .auth
        .step_up(
            &me,
            auth_core::StepUp {
                password: PASSWORD.to_owned(),
                ..auth_core::StepUp::default()
            },
            &request(),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&refused), Some("password"), "{refused:?}");
    let started = engine.auth.start_passkey_step_up(&me).await.unwrap();
    let answer = key.sign_in(&started.options).await.unwrap();
    let fresh = engine
        .auth
        .step_up_with_passkey(&me, started.token(), &answer, &request())
        .await
        .unwrap();
    let me = auth_core::Authenticated {
        session: fresh,
        ..me
    };
    engine
        .auth
        .remove_passkey(&me, &id, &request())
        .await
        .unwrap();
    assert!(engine.auth.passkeys(&me).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_passkey_is_the_second_factor_after_a_mailed_code_too() {
    let engine = Engine::wired(
        Arc::new(MemoryStore::new()),
        auth_core::conformance::email_codes::config(),
        |builder, store| {
            builder
                .store(store.clone())
                .passkeys(store.clone(), relying_party())
        },
    );
    let ada = engine.registered_and_verified("ada@example.com").await;
    let me = engine.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    register(&engine, &me, &mut key).await;

    engine
        .auth
        .request_sign_in_code("ada@example.com", &request())
        .await
        .unwrap();
    let mail = engine
        .mailer
        .last_to("ada@example.com", auth_core::MailKind::SignInCode)
        .unwrap();
    let code = auth_core::conformance::email_codes::code_in(&mail).unwrap();
    let SignIn::SecondFactor(pending) = engine
        .auth
        .sign_in_with_code("ada@example.com", &code, false, &request())
        .await
        .unwrap()
    else {
        panic!("a mailed code is a first step like the password: the passkey must follow");
    };
    let challenge = engine
        .auth
        .start_passkey_second_factor(pending.token())
        .await
        .unwrap();
    let answer = key.sign_in(&challenge.options).await.unwrap();
    let success = engine
        .auth
        .complete_sign_in_with_passkey(pending.token(), challenge.token(), &answer, &request())
        .await
        .unwrap();
    assert_eq!(success.user.id, ada.id);
    assert_eq!(
        success.session.amr,
        [
            auth_core::AuthMethod::EmailCode,
            auth_core::AuthMethod::Passkey
        ]
    );
}
