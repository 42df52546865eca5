//! Accounts with passkeys and no password: sign-up with a passkey (from configuration),
//! the last way in that stays (passkeys, identities and the password counted together),
//! and a passkey as the fresh proof of sensitive actions.

use std::sync::Arc;

use auth_core::conformance::authenticator::SoftPasskey;
use auth_core::conformance::engine::{Engine, PASSWORD, config, request};
use auth_core::{
    AuditKind, AuditSink as _, Authenticated, Clock as _, ConfigBuilder, Error, MailKind, NewUser,
    PasskeyStore as _, ProviderIdentity, RegisterOutcome, RegistrationMode, SessionStore as _,
    StepUp, UserStore as _,
};
use auth_store_memory::MemoryStore;

const ORIGIN: &str = "https://app.test";

type Harness = Engine<Arc<MemoryStore>>;

fn harness_with(configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Harness {
    let rp = auth_core::RelyingParty::new("app.test", "Test App", &[ORIGIN]).unwrap();
    Engine::wired(
        Arc::new(MemoryStore::new()),
        configure(config()),
        |builder, store| {
            builder
                .store(store.clone())
                .passkeys(store.clone(), rp)
                .identities(store.clone())
        },
    )
}

/// Passkey sign-up on, enumeration-safe registration (the default of real sites).
fn harness() -> Harness {
    harness_with(|c| {
        c.passkey_sign_up(true)
            .registration(RegistrationMode::EnumerationSafe)
    })
}

fn field_of(error: &Error) -> Option<&str> {
    match error {
        Error::Validation(errors) => errors.errors().first().map(|e| e.field),
        _ => None,
    }
}

/// Signs `email` up with `key`: the engine's answer.
async fn sign_up(
    h: &Harness,
    email: &str,
    key: &mut SoftPasskey,
) -> auth_core::Result<RegisterOutcome> {
    let started = h.auth.start_passkey_sign_up(email, &request()).await?;
    let answer = key.register(&started.options).await.unwrap();
    h.auth
        .finish_passkey_sign_up(started.token(), "", &answer, &request())
        .await
}

/// Signs in with `key` alone; the session as requests see it.
async fn passkey_session(h: &Harness, key: &mut SoftPasskey) -> auth_core::Result<Authenticated> {
    let challenge = h.auth.start_passkey_sign_in(&request()).await?;
    let answer = key.sign_in(&challenge.options).await.unwrap();
    let success = h
        .auth
        .finish_passkey_sign_in(challenge.token(), &answer, false, &request())
        .await?;
    Ok(h.auth.authenticate(&success.token).await?.unwrap())
}

/// Registers another passkey for `me` with `key`; its id.
async fn add_passkey(h: &Harness, me: &Authenticated, key: &mut SoftPasskey) -> String {
    let started = h.auth.start_passkey_registration(me).await.unwrap();
    let answer = key.register(&started.options).await.unwrap();
    h.auth
        .finish_passkey_registration(me, started.token(), "Second", &answer, &request())
        .await
        .unwrap()
        .id
}

/// A confirmed account with a password (created directly: the harness's registration is
/// enumeration-safe, so `register` would not hand the account back).
async fn with_password(h: &Harness, email: &str) -> auth_core::User {
    h.auth
        .create_user(NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            verified: true,
            ..NewUser::default()
        })
        .await
        .unwrap()
}

/// A passkey-only account for `email`, confirmed, signed in with `key`.
async fn passkey_only(h: &Harness, email: &str, key: &mut SoftPasskey) -> Authenticated {
    assert_eq!(
        sign_up(h, email, key).await.unwrap(),
        RegisterOutcome::Accepted
    );
    let token = h.token_from_mail(email, MailKind::Verification, "/verify/");
    h.auth.verify_email(&token, &request()).await.unwrap();
    passkey_session(h, key).await.unwrap()
}

#[tokio::test]
async fn passkey_sign_up_is_off_by_default() {
    let h = harness_with(|c| c);
    assert!(h.auth.passkeys_enabled());
    assert!(!h.auth.passkey_sign_up_enabled());
    assert!(!h.auth.config().passkey_sign_up());
    assert!(matches!(
        h.auth
            .start_passkey_sign_up("ada@example.com", &request())
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        h.auth
            .finish_passkey_sign_up("x", "", "{}", &request())
            .await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn a_passkey_sign_up_makes_an_account_without_a_password_that_confirms_its_address() {
    let h = harness();
    let mut key = SoftPasskey::new(ORIGIN);
    let outcome = sign_up(&h, "New@Example.com", &mut key).await.unwrap();
    assert_eq!(outcome, RegisterOutcome::Accepted);

    let user = h
        .store
        .user_by_email("new@example.com")
        .await
        .unwrap()
        .expect("the account was created");
    assert!(!user.password_hash.is_usable(), "no password at all");
    assert!(
        !user.is_verified(),
        "the address is confirmed by the mailed link"
    );
    let passkeys = h.store.passkeys_for_user(user.id).await.unwrap();
    assert_eq!(passkeys.len(), 1);
    assert_eq!(passkeys[0].name, "Passkey");

    // The passkey signs in (the session proved by it alone); no password does.
    let me = passkey_session(&h, &mut key).await.unwrap();
    assert_eq!(me.user.id, user.id);
    assert_eq!(me.session.amr, [auth_core::AuthMethod::Passkey]);
    assert!(matches!(
        h.login("new@example.com", "").await,
        Err(Error::InvalidCredentials | Error::Validation(_))
    ));
    let token = h.token_from_mail("new@example.com", MailKind::Verification, "/verify/");
    assert!(
        h.auth
            .verify_email(&token, &request())
            .await
            .unwrap()
            .is_verified()
    );

    let trail: Vec<_> = h
        .store
        .events_for_user(user.id, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect();
    assert!(trail.contains(&(AuditKind::Registered, None)), "{trail:?}");
    assert!(
        trail.contains(&(AuditKind::PasskeyAdded, Some("Passkey".into()))),
        "{trail:?}"
    );
}

#[tokio::test]
async fn a_taken_address_gets_the_same_answer_and_keeps_nothing() {
    let h = harness();
    let owner = with_password(&h, "taken@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    let outcome = sign_up(&h, "taken@example.com", &mut key).await.unwrap();
    assert_eq!(outcome, RegisterOutcome::Accepted, "no account enumeration");
    assert!(
        h.mailer
            .last_to("taken@example.com", MailKind::AccountExists)
            .is_some(),
        "the owner is told instead"
    );
    let still = h.store.user_by_id(owner.id).await.unwrap().unwrap();
    assert!(still.password_hash.is_usable());
    assert!(
        h.store
            .passkeys_for_user(owner.id)
            .await
            .unwrap()
            .is_empty()
    );
    // The passkey made for the attempt was not kept: it signs no one in.
    assert!(matches!(
        passkey_session(&h, &mut key).await,
        Err(Error::InvalidCredentials)
    ));
}

#[tokio::test]
async fn revealing_conflicts_creates_or_refuses_as_registration_does() {
    let h = harness_with(|c| c.passkey_sign_up(true));
    let mut key = SoftPasskey::new(ORIGIN);
    let RegisterOutcome::Created(user) = sign_up(&h, "ada@example.com", &mut key).await.unwrap()
    else {
        panic!("expected a new account");
    };
    assert!(!user.password_hash.is_usable());
    let mut other = SoftPasskey::new(ORIGIN);
    assert!(matches!(
        sign_up(&h, "ada@example.com", &mut other).await,
        Err(Error::Conflict { .. })
    ));
    assert_eq!(h.store.passkeys_for_user(user.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn sign_up_refuses_bad_input_with_a_field() {
    let h = harness();
    let e = h
        .auth
        .start_passkey_sign_up("not an address", &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("email"), "{e:?}");
    let started = h
        .auth
        .start_passkey_sign_up("ada@example.com", &request())
        .await
        .unwrap();
    let e = h
        .auth
        .finish_passkey_sign_up(started.token(), "", "not json", &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("credential"), "{e:?}");
    // A sign-in challenge does not finish a sign-up.
    let signin = h.auth.start_passkey_sign_in(&request()).await.unwrap();
    let mut key = SoftPasskey::new(ORIGIN);
    let answer = key.register(&started.options).await.unwrap();
    let e = h
        .auth
        .finish_passkey_sign_up(signin.token(), "", &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("challenge"), "{e:?}");
    // Another site's answer is refused.
    let started = h
        .auth
        .start_passkey_sign_up("ada@example.com", &request())
        .await
        .unwrap();
    let mut phished = SoftPasskey::new("https://evil.app.test");
    let answer = phished.register(&started.options).await.unwrap();
    let e = h
        .auth
        .finish_passkey_sign_up(started.token(), "", &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("credential"), "{e:?}");
    assert!(
        h.store
            .user_by_email("ada@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_last_passkey_stays_and_identities_count_as_a_way_in() {
    let h = harness();
    let mut key = SoftPasskey::new(ORIGIN);
    let me = passkey_only(&h, "solo@example.com", &mut key).await;
    let first = h.auth.passkeys(&me).await.unwrap()[0].id.clone();

    let e = h
        .auth
        .remove_passkey(&me, &first, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("id"), "{e:?}");
    assert_eq!(h.auth.passkeys(&me).await.unwrap().len(), 1);

    // A second passkey makes the first removable, and then is the last itself.
    let mut spare = SoftPasskey::new(ORIGIN);
    let second = add_passkey(&h, &me, &mut spare).await;
    h.auth
        .remove_passkey(&me, &first, &request())
        .await
        .unwrap();
    let e = h
        .auth
        .remove_passkey(&me, &second, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("id"), "{e:?}");

    // A linked identity is a way in: the passkey may go, and then the identity stays.
    let idp = ProviderIdentity::new("idp", "s-1", Some("solo@example.com"), true).unwrap();
    h.auth.link_identity(&me, idp, &request()).await.unwrap();
    h.auth
        .remove_passkey(&me, &second, &request())
        .await
        .unwrap();
    let e = h
        .auth
        .unlink_identity(&me, "idp", "s-1", &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("provider"), "{e:?}");
}

#[tokio::test]
async fn a_passkey_keeps_an_identity_removable() {
    let h = harness();
    let mut key = SoftPasskey::new(ORIGIN);
    let me = passkey_only(&h, "solo@example.com", &mut key).await;
    let idp = ProviderIdentity::new("idp", "s-2", Some("solo@example.com"), true).unwrap();
    h.auth.link_identity(&me, idp, &request()).await.unwrap();
    h.auth
        .unlink_identity(&me, "idp", "s-2", &request())
        .await
        .unwrap();
    assert!(h.auth.identities(&me).await.unwrap().is_empty());
}

#[tokio::test]
async fn with_a_password_every_passkey_may_go() {
    let h = harness();
    with_password(&h, "ada@example.com").await;
    let me = h.signed_in("ada@example.com").await;
    let mut key = SoftPasskey::new(ORIGIN);
    let id = add_passkey(&h, &me, &mut key).await;
    // The passkey is the account's second factor now: removing it needs it.
    let me = passkey_step_up(&h, &me, &mut key).await;
    h.auth.remove_passkey(&me, &id, &request()).await.unwrap();
    assert!(h.auth.passkeys(&me).await.unwrap().is_empty());
}

/// Steps `me` up with `key`; the session as it now stands.
async fn passkey_step_up(h: &Harness, me: &Authenticated, key: &mut SoftPasskey) -> Authenticated {
    let started = h.auth.start_passkey_step_up(me).await.unwrap();
    let answer = key.sign_in(&started.options).await.unwrap();
    let session = h
        .auth
        .step_up_with_passkey(me, started.token(), &answer, &request())
        .await
        .unwrap();
    Authenticated {
        session,
        ..me.clone()
    }
}

#[tokio::test]
async fn a_password_and_a_passkey_take_the_passkey_to_step_up() {
    let h = harness();
    let user = with_password(&h, "pat@example.com").await;
    let me = h.signed_in("pat@example.com").await;
    assert!(h.auth.step_up_accepts_password(&user).await.unwrap());
    let mut key = SoftPasskey::new(ORIGIN);
    let id = add_passkey(&h, &me, &mut key).await;
    assert!(!h.auth.step_up_accepts_password(&user).await.unwrap());
    assert!(!h.auth.step_up_needs_code(&user));

    // The session's fresh password proof no longer opens sensitive actions, nor does
    // the password typed into the form.
    assert!(matches!(
        h.auth.remove_passkey(&me, &id, &request()).await,
        Err(Error::ReauthenticationRequired)
    ));
    assert!(matches!(
        h.auth.require_recent_proof(&me).await,
        Err(Error::ReauthenticationRequired)
    ));
    let change = auth_core::EmailChange {
        password: PASSWORD.into(),
        new_email: "pat2@example.com".into(),
    };
    assert!(matches!(
        h.auth
            .request_email_change(&me, change.clone(), &request())
            .await,
        Err(Error::ReauthenticationRequired)
    ));
    // Re-authenticating with the password alone is refused on `password`, and proves
    // nothing.
    let e = h
        .auth
        .step_up(
            &me,
            StepUp {
                password: PASSWORD.into(),
                code: String::new(),
            },
            &request(),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("password"), "{e:?}");
    let session = h.store.session(&me.session.digest).await.unwrap().unwrap();
    assert_eq!(session.proved_at, me.session.proved_at);

    // A fresh passkey assertion opens them: password + passkey.
    let me = passkey_step_up(&h, &me, &mut key).await;
    h.auth.require_recent_proof(&me).await.unwrap();
    h.auth
        .request_email_change(&me, change, &request())
        .await
        .unwrap();
    h.auth.remove_passkey(&me, &id, &request()).await.unwrap();
    // Without its passkey the account re-authenticates with its password again.
    assert!(h.auth.step_up_accepts_password(&user).await.unwrap());
}

#[tokio::test]
async fn a_fresh_passkey_assertion_is_the_recent_proof() {
    let h = harness();
    let mut key = SoftPasskey::new(ORIGIN);
    let me = passkey_only(&h, "solo@example.com", &mut key).await;
    let mut spare = SoftPasskey::new(ORIGIN);
    let second = add_passkey(&h, &me, &mut spare).await;

    // Past the step-up age, removing a passkey needs a fresh proof.
    h.clock.advance(time::Duration::minutes(11));
    assert!(matches!(
        h.auth.remove_passkey(&me, &second, &request()).await,
        Err(Error::ReauthenticationRequired)
    ));
    // The password step-up cannot help an account without one.
    assert!(
        h.auth
            .step_up(
                &me,
                StepUp {
                    password: "anything".into(),
                    code: String::new()
                },
                &request()
            )
            .await
            .is_err()
    );

    let started = h.auth.start_passkey_step_up(&me).await.unwrap();
    let answer = key.sign_in(&started.options).await.unwrap();
    let session = h
        .auth
        .step_up_with_passkey(&me, started.token(), &answer, &request())
        .await
        .unwrap();
    assert_eq!(session.proved_at, h.clock.now());
    assert!(
        session.amr.contains(&auth_core::AuthMethod::Passkey),
        "{:?}",
        session.amr
    );
    let me = Authenticated { session, ..me };
    h.auth
        .remove_passkey(&me, &second, &request())
        .await
        .unwrap();

    // The challenge is answered once.
    let e = h
        .auth
        .step_up_with_passkey(&me, started.token(), &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("challenge"), "{e:?}");
    let trail: Vec<_> = h
        .store
        .events_for_user(me.user.id, 30)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect();
    assert!(
        trail.contains(&(AuditKind::Reauthenticated, Some("with passkey".into()))),
        "{trail:?}"
    );
}

#[tokio::test]
async fn a_step_up_passkey_must_be_the_accounts_and_the_sessions() {
    let h = harness();
    let mut key = SoftPasskey::new(ORIGIN);
    let me = passkey_only(&h, "solo@example.com", &mut key).await;
    let mut theirs = SoftPasskey::new(ORIGIN);
    let them = passkey_only(&h, "other@example.com", &mut theirs).await;

    // Another account's passkey is refused, and counted like a wrong password.
    let started = h.auth.start_passkey_step_up(&me).await.unwrap();
    let mut options = started.options.clone();
    // Let the other authenticator answer (its credential is not in the allow list).
    if let Some(p) = options.pointer_mut("/publicKey") {
        p.as_object_mut().unwrap().remove("allowCredentials");
    }
    let answer = theirs.sign_in(&options).await.unwrap();
    let e = h
        .auth
        .step_up_with_passkey(&me, started.token(), &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("credential"), "{e:?}");

    // A challenge of another session (of the same account) is refused.
    let elsewhere = passkey_session(&h, &mut key).await.unwrap();
    assert_ne!(elsewhere.session.digest, me.session.digest);
    let started = h.auth.start_passkey_step_up(&elsewhere).await.unwrap();
    let answer = key.sign_in(&started.options).await.unwrap();
    let e = h
        .auth
        .step_up_with_passkey(&me, started.token(), &answer, &request())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Some("challenge"), "{e:?}");
    drop(them);

    // An account without a passkey is told to confirm another way.
    with_password(&h, "pw@example.com").await;
    let pw = h.signed_in("pw@example.com").await;
    let e = h.auth.start_passkey_step_up(&pw).await.unwrap_err();
    assert_eq!(field_of(&e), Some("credential"), "{e:?}");
}
