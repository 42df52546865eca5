//! Sign-in with identities at other providers: new accounts, linking only after the
//! owner proved the account, refusals, the second factor, unlinking, and races.

use std::sync::Arc;

use auth_core::conformance::engine::{Engine, config};
use auth_core::{
    AuditKind, AuditSink as _, AuthMethod, Authenticated, Error, IdentitySignIn,
    IdentityStore as _, Login, MailKind, ProviderIdentity, ProviderTokens, SignIn, TokenKeys,
    UniqueField, UserStore as _,
};
use auth_store_memory::MemoryStore;
use time::Duration;

use crate::support::{PASSWORD, ctx};

type Harness = Engine<Arc<MemoryStore>>;

/// A memory store keeping the accounts and their identities.
fn harness() -> Harness {
    Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder.store(store.clone()).identities(store.clone())
    })
}

fn answer(subject: &str, email: &str, verified: bool) -> ProviderIdentity {
    ProviderIdentity::new("idp", subject, Some(email), verified).unwrap()
}

fn field_of(error: &Error) -> Option<String> {
    match error {
        Error::Validation(errors) => errors.errors().first().map(|f| f.field.to_owned()),
        _ => None,
    }
}

async fn signed_in(h: &Harness, outcome: IdentitySignIn) -> Authenticated {
    let success = match outcome {
        IdentitySignIn::Complete(s) | IdentitySignIn::Created(s) => s,
        other => panic!("expected a session, got {other:?}"),
    };
    h.auth.authenticate(&success.token).await.unwrap().unwrap()
}

async fn trail(h: &Harness, user: auth_core::UserId) -> Vec<(AuditKind, Option<String>)> {
    h.store
        .events_for_user(user, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect()
}

#[tokio::test]
async fn a_first_sign_in_creates_a_confirmed_account_without_a_password() {
    let h = harness();
    assert!(h.auth.identities_enabled());
    let outcome = h
        .auth
        .sign_in_with_identity(answer("s-1", "New@Example.com", true), true, false, &ctx())
        .await
        .unwrap();
    assert!(matches!(outcome, IdentitySignIn::Created(_)), "{outcome:?}");
    let me = signed_in(&h, outcome).await;
    assert_eq!(me.user.email, "new@example.com");
    assert!(me.user.is_verified(), "the provider verified the address");
    assert!(!me.user.password_hash.is_usable());
    assert!(
        h.mailer
            .last_to("new@example.com", MailKind::Verification)
            .is_none()
    );
    // No password signs in to it.
    for password in [PASSWORD, "", "!no-password"] {
        assert!(matches!(
            h.login("new@example.com", password).await,
            Err(Error::InvalidCredentials)
        ));
    }
    let kinds = trail(&h, me.user.id).await;
    assert!(
        kinds.contains(&(AuditKind::IdentityLinked, Some("idp".into()))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(AuditKind::LoginSucceeded, Some("with idp".into()))),
        "{kinds:?}"
    );

    // The next sign-in finds the link, whatever address the provider gives now.
    let again = h
        .auth
        .sign_in_with_identity(
            answer("s-1", "renamed@example.com", false),
            false,
            false,
            &ctx(),
        )
        .await
        .unwrap();
    let again = signed_in(&h, again).await;
    assert_eq!(again.user.id, me.user.id);
    let stored = h.store.identity("idp", "s-1").await.unwrap().unwrap();
    assert_eq!(stored.email.as_deref(), Some("renamed@example.com"));
    assert!(!stored.email_verified);
    assert_eq!(stored.last_used_at, Some(h.auth.now()));
}

#[tokio::test]
async fn an_unverified_address_makes_an_unconfirmed_account_and_mails_the_link() {
    let h = harness();
    let me = signed_in(
        &h,
        h.auth
            .sign_in_with_identity(answer("s-2", "unv@example.com", false), true, false, &ctx())
            .await
            .unwrap(),
    )
    .await;
    assert!(!me.user.is_verified());
    assert!(
        h.mailer
            .last_to("unv@example.com", MailKind::Verification)
            .is_some()
    );
}

#[tokio::test]
async fn refusals_change_nothing() {
    let h = harness();
    h.registered_and_verified("taken@example.com").await;
    // An address the provider did not verify never matches an account.
    let e = h
        .auth
        .sign_in_with_identity(
            answer("s-3", "taken@example.com", false),
            true,
            false,
            &ctx(),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("provider"), "{e:?}");
    // Sign-up closed.
    let e = h
        .auth
        .sign_in_with_identity(
            answer("s-4", "fresh@example.com", true),
            false,
            false,
            &ctx(),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("provider"), "{e:?}");
    // No address at all.
    let none = ProviderIdentity::new("idp", "s-5", None, false).unwrap();
    let e = h
        .auth
        .sign_in_with_identity(none, true, false, &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("provider"), "{e:?}");
    for subject in ["s-3", "s-4", "s-5"] {
        assert_eq!(h.store.identity("idp", subject).await.unwrap(), None);
    }
    assert_eq!(
        h.store.user_by_email("fresh@example.com").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn an_existing_account_is_linked_only_after_its_owner_signs_in() {
    let h = harness();
    let owner = h.registered_and_verified("owner@example.com").await;
    let outcome = h
        .auth
        .sign_in_with_identity(
            answer("s-6", "owner@example.com", true),
            true,
            false,
            &ctx(),
        )
        .await
        .unwrap();
    let offer = match outcome {
        IdentitySignIn::LinkRequired(offer) => offer,
        other => panic!("expected a link offer, got {other:?}"),
    };
    assert_eq!(offer.provider, "idp");
    assert!(!format!("{offer:?}").contains(offer.token()));
    // Nothing linked, no session, nothing mailed yet.
    assert_eq!(h.store.identity("idp", "s-6").await.unwrap(), None);
    assert!(
        h.mailer
            .last_to("owner@example.com", MailKind::IdentityLinked)
            .is_none()
    );

    // A session opened before the offer proves nothing about this visitor.
    let stale = h.signed_in("owner@example.com").await;
    let stale = Authenticated {
        session: auth_core::SessionRecord {
            created_at: stale.session.created_at - Duration::seconds(1),
            ..stale.session
        },
        ..stale
    };
    let e = h
        .auth
        .confirm_identity_link(&stale, offer.token(), &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("link"), "{e:?}");
    // The refused attempt used the offer up.
    h.clock.advance(Duration::seconds(1));
    let me = h.signed_in("owner@example.com").await;
    let e = h
        .auth
        .confirm_identity_link(&me, offer.token(), &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("link"), "{e:?}");

    // A fresh offer, the owner signs in, confirms: linked, audited, mailed.
    let offer = match h
        .auth
        .sign_in_with_identity(
            answer("s-6", "owner@example.com", true),
            true,
            false,
            &ctx(),
        )
        .await
        .unwrap()
    {
        IdentitySignIn::LinkRequired(offer) => offer,
        other => panic!("{other:?}"),
    };
    h.clock.advance(Duration::seconds(1));
    let me = h.signed_in("owner@example.com").await;
    let linked = h
        .auth
        .confirm_identity_link(&me, offer.token(), &ctx())
        .await
        .unwrap();
    assert_eq!(linked.user_id, owner.id);
    let notice = h
        .mailer
        .last_to("owner@example.com", MailKind::IdentityLinked)
        .expect("a notice");
    assert!(notice.text.contains("idp"));
    assert!(
        trail(&h, owner.id)
            .await
            .contains(&(AuditKind::IdentityLinked, Some("idp".into())))
    );
    // Used once.
    assert!(
        h.auth
            .confirm_identity_link(&me, offer.token(), &ctx())
            .await
            .is_err()
    );
    // From now on the provider signs the account in.
    let again = signed_in(
        &h,
        h.auth
            .sign_in_with_identity(
                answer("s-6", "owner@example.com", true),
                true,
                false,
                &ctx(),
            )
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again.user.id, owner.id);
}

#[tokio::test]
async fn an_offer_for_one_account_cannot_be_confirmed_by_another() {
    let h = harness();
    h.registered_and_verified("victim@example.com").await;
    h.registered_and_verified("other@example.com").await;
    let IdentitySignIn::LinkRequired(offer) = h
        .auth
        .sign_in_with_identity(
            answer("s-7", "victim@example.com", true),
            true,
            false,
            &ctx(),
        )
        .await
        .unwrap()
    else {
        panic!("expected a link offer");
    };
    h.clock.advance(Duration::seconds(1));
    let other = h.signed_in("other@example.com").await;
    assert!(
        h.auth
            .confirm_identity_link(&other, offer.token(), &ctx())
            .await
            .is_err()
    );
    assert_eq!(h.store.identity("idp", "s-7").await.unwrap(), None);
    // Expired offers are gone too.
    let IdentitySignIn::LinkRequired(offer) = h
        .auth
        .sign_in_with_identity(
            answer("s-7", "victim@example.com", true),
            true,
            false,
            &ctx(),
        )
        .await
        .unwrap()
    else {
        panic!("expected a link offer");
    };
    h.clock.advance(Duration::minutes(11));
    let victim = h.signed_in("victim@example.com").await;
    assert!(
        h.auth
            .confirm_identity_link(&victim, offer.token(), &ctx())
            .await
            .is_err()
    );
    for junk in ["", "x", &"y".repeat(500)] {
        assert!(
            h.auth
                .confirm_identity_link(&victim, junk, &ctx())
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn an_account_with_a_second_factor_still_needs_it() {
    let h = harness();
    h.registered_and_verified("2fa@example.com").await;
    let s = h.login("2fa@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    h.auth
        .link_identity(&me, answer("s-8", "2fa@example.com", true), &ctx())
        .await
        .unwrap();
    let enrolment = h.auth.start_totp_enrolment(&me).await.unwrap();
    let secret = totp_rs::Secret::try_from_base32(&enrolment.secret_base32).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    let code = |h: &Harness| {
        totp.generate(u64::try_from(h.auth.now().unix_timestamp()).unwrap())
            .to_string()
    };
    h.auth
        .finish_totp_enrolment(&me, &code(&h), &ctx())
        .await
        .unwrap();
    h.clock.advance(Duration::seconds(60));
    let outcome = h
        .auth
        .sign_in_with_identity(answer("s-8", "2fa@example.com", true), false, false, &ctx())
        .await
        .unwrap();
    let IdentitySignIn::SecondFactor(pending) = outcome else {
        panic!("expected the second step, got {outcome:?}");
    };
    let done = h
        .auth
        .complete_sign_in(pending.token(), &code(&h), &ctx())
        .await
        .unwrap();
    assert_eq!(done.user.email, "2fa@example.com");
    // The session names the provider as the first step.
    assert_eq!(
        done.session.amr,
        [AuthMethod::ExternalProvider, AuthMethod::Otp]
    );

    // A provider's multi-factor sign-in stands in for the code only when the answer was
    // marked trusted (the client does so for a provider configured to trust it).
    h.clock.advance(Duration::seconds(60));
    let trusted = answer("s-8", "2fa@example.com", true).with_trusted_multi_factor();
    let outcome = h
        .auth
        .sign_in_with_identity(trusted, false, false, &ctx())
        .await
        .unwrap();
    let IdentitySignIn::Complete(s) = outcome else {
        panic!("expected a session, got {outcome:?}");
    };
    assert_eq!(
        s.session.amr,
        [AuthMethod::ExternalProvider, AuthMethod::ExternalMfa]
    );
    let kinds = trail(&h, me.user.id).await;
    assert!(
        kinds.contains(&(
            AuditKind::LoginSucceeded,
            Some("with idp (its multi-factor sign-in trusted)".into())
        )),
        "{kinds:?}"
    );
    // And a password sign-in still asks for it too.
    let login = Login {
        login: "2fa@example.com".into(),
        password: PASSWORD.into(),
        remember: false,
    };
    assert!(matches!(
        h.auth.sign_in(login, &ctx()).await.unwrap(),
        SignIn::SecondFactor(_)
    ));
}

#[tokio::test]
async fn a_session_opened_by_a_provider_alone_records_it() {
    let h = harness();
    let outcome = h
        .auth
        .sign_in_with_identity(
            answer("s-amr", "amr@example.com", true),
            true,
            false,
            &ctx(),
        )
        .await
        .unwrap();
    let IdentitySignIn::Created(s) = outcome else {
        panic!("expected a new account, got {outcome:?}");
    };
    assert_eq!(s.session.amr, [AuthMethod::ExternalProvider]);
}

#[tokio::test]
async fn a_passkey_is_the_second_step_after_a_provider_too() {
    use auth_core::conformance::authenticator::SoftPasskey;
    let rp = auth_core::RelyingParty::new("app.test", "Test App", &["https://app.test"]).unwrap();
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder
            .store(store.clone())
            .identities(store.clone())
            .passkeys(store.clone(), rp)
    });
    h.registered_and_verified("pk@example.com").await;
    let me = h.signed_in("pk@example.com").await;
    h.auth
        .link_identity(&me, answer("s-pk", "pk@example.com", true), &ctx())
        .await
        .unwrap();
    let mut key = SoftPasskey::new("https://app.test");
    let started = h.auth.start_passkey_registration(&me).await.unwrap();
    let registration = key.register(&started.options).await.unwrap();
    h.auth
        .finish_passkey_registration(&me, started.token(), "key", &registration, &ctx())
        .await
        .unwrap();
    let outcome = h
        .auth
        .sign_in_with_identity(answer("s-pk", "pk@example.com", true), false, false, &ctx())
        .await
        .unwrap();
    let IdentitySignIn::SecondFactor(pending) = outcome else {
        panic!("a passkey stands as a second factor: expected the second step, got {outcome:?}");
    };
    let challenge = h
        .auth
        .start_passkey_second_factor(pending.token())
        .await
        .unwrap();
    let assertion = key.sign_in(&challenge.options).await.unwrap();
    let done = h
        .auth
        .complete_sign_in_with_passkey(pending.token(), challenge.token(), &assertion, &ctx())
        .await
        .unwrap();
    assert_eq!(
        done.session.amr,
        [AuthMethod::ExternalProvider, AuthMethod::Passkey]
    );
}

const TOKEN_KEY: &[u8; 32] = b"identity-token-key-for-the-tests";

fn tokens() -> ProviderTokens {
    ProviderTokens::new("at-PLAIN-access", Some("rt-PLAIN-refresh"), None)
}

#[tokio::test]
async fn provider_tokens_are_kept_sealed_only_when_handed_over() {
    let keys = TokenKeys::new("t1", TOKEN_KEY).unwrap();
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder
            .store(store.clone())
            .identities(store.clone())
            .identity_token_keys(keys)
    });
    // Without tokens, nothing is kept.
    let plain = h
        .auth
        .sign_in_with_identity(answer("s-t0", "t0@example.com", true), true, false, &ctx())
        .await
        .unwrap();
    let plain = signed_in(&h, plain).await;
    assert_eq!(
        h.auth.identity_tokens(&plain, "idp", "s-t0").await.unwrap(),
        None
    );

    let with = answer("s-t1", "t1@example.com", true).with_tokens(tokens());
    assert!(!format!("{with:?}").contains("PLAIN"), "{with:?}");
    let me = signed_in(
        &h,
        h.auth
            .sign_in_with_identity(with, true, false, &ctx())
            .await
            .unwrap(),
    )
    .await;
    let stored = h
        .store
        .identity_tokens("idp", "s-t1")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.starts_with("sealed:v1:t1:"), "{stored}");
    assert!(!stored.contains("PLAIN"), "{stored}");
    assert_eq!(
        h.auth.identity_tokens(&me, "idp", "s-t1").await.unwrap(),
        Some(tokens())
    );
    // Another account cannot read them.
    assert!(matches!(
        h.auth.identity_tokens(&plain, "idp", "s-t1").await,
        Err(Error::NotFound)
    ));
    // A later sign-in replaces them.
    let newer = ProviderTokens::new("at-2", None, None);
    h.auth
        .sign_in_with_identity(
            answer("s-t1", "t1@example.com", true).with_tokens(newer.clone()),
            false,
            false,
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(
        h.auth.identity_tokens(&me, "idp", "s-t1").await.unwrap(),
        Some(newer)
    );

    // An engine over the same store with another key under the same id refuses clearly.
    let store = h.store.clone();
    let other = Engine::wired(store, config(), |builder, store| {
        builder
            .store(store.clone())
            .identities(store.clone())
            .identity_token_keys(TokenKeys::new("t1", b"another-key-under-the-same-id-t1").unwrap())
    });
    let e = other
        .auth
        .identity_tokens(&me, "idp", "s-t1")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Config(m) if m.contains("\"t1\"") && m.contains("do not open")),
        "{e:?}"
    );
}

#[tokio::test]
async fn tokens_without_keys_are_refused_before_anything_happens() {
    let h = harness();
    let e = h
        .auth
        .sign_in_with_identity(
            answer("s-nokey", "nokey@example.com", true).with_tokens(tokens()),
            true,
            false,
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Config(m) if m.contains("identity token keys")),
        "{e:?}"
    );
    assert!(h.store.identity("idp", "s-nokey").await.unwrap().is_none());
    assert!(
        h.store
            .user_by_email("nokey@example.com")
            .await
            .unwrap()
            .is_none(),
        "no account was created"
    );
}

#[tokio::test]
async fn linking_while_signed_in_and_unlinking_but_never_the_last_way_in() {
    let h = harness();
    // An account made by a provider has no password: its one identity stays.
    let me = signed_in(
        &h,
        h.auth
            .sign_in_with_identity(answer("s-9", "solo@example.com", true), true, false, &ctx())
            .await
            .unwrap(),
    )
    .await;
    let e = h
        .auth
        .unlink_identity(&me, "idp", "s-9", &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("provider"), "{e:?}");
    assert!(matches!(
        h.auth.unlink_identity(&me, "idp", "unknown", &ctx()).await,
        Err(Error::NotFound)
    ));
    // A second provider makes the first removable.
    let second = ProviderIdentity::new("other", "o-1", Some("solo@example.com"), true).unwrap();
    h.auth
        .link_identity(&me, second.clone(), &ctx())
        .await
        .unwrap();
    // Linking it again is no change; to someone else it is a conflict.
    h.auth
        .link_identity(&me, second.clone(), &ctx())
        .await
        .unwrap();
    let someone = h.registered_and_verified("someone@example.com").await;
    let someone = h.signed_in(&someone.email).await;
    assert!(matches!(
        h.auth.link_identity(&someone, second, &ctx()).await,
        Err(Error::Conflict {
            field: UniqueField::Identity
        })
    ));
    assert!(
        h.mailer
            .last_to("solo@example.com", MailKind::IdentityLinked)
            .is_some()
    );
    let listed = h.auth.identities(&me).await.unwrap();
    assert_eq!(listed.len(), 2);
    h.auth
        .unlink_identity(&me, "idp", "s-9", &ctx())
        .await
        .unwrap();
    assert!(
        h.mailer
            .last_to("solo@example.com", MailKind::IdentityUnlinked)
            .is_some()
    );
    assert!(
        trail(&h, me.user.id)
            .await
            .contains(&(AuditKind::IdentityUnlinked, Some("idp".into())))
    );
    assert_eq!(h.auth.identities(&me).await.unwrap().len(), 1);
    assert!(
        h.auth
            .unlink_identity(&me, "other", "o-1", &ctx())
            .await
            .is_err()
    );
    // Someone else's identity is not theirs to unlink.
    assert!(matches!(
        h.auth
            .unlink_identity(&someone, "other", "o-1", &ctx())
            .await,
        Err(Error::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_sign_ins_create_one_account() {
    let h = harness();
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let auth = h.auth.clone();
        tasks.push(tokio::spawn(async move {
            auth.sign_in_with_identity(
                answer("race", "race@example.com", true),
                true,
                false,
                &ctx(),
            )
            .await
        }));
    }
    let mut users = Vec::new();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            IdentitySignIn::Created(s) => {
                created += 1;
                users.push(s.user.id);
            }
            IdentitySignIn::Complete(s) => users.push(s.user.id),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(created, 1);
    users.dedup();
    assert_eq!(users.len(), 1, "every sign-in entered the one account");
    assert_eq!(h.store.count_users(None).await.unwrap(), 1);
}

#[tokio::test]
async fn a_deleted_account_takes_its_identities_along() {
    let h = harness();
    h.registered_and_verified("gone@example.com").await;
    let me = h.signed_in("gone@example.com").await;
    h.auth
        .link_identity(&me, answer("s-10", "gone@example.com", true), &ctx())
        .await
        .unwrap();
    h.auth.delete_account(&me, PASSWORD, &ctx()).await.unwrap();
    assert_eq!(h.store.identity("idp", "s-10").await.unwrap(), None);
}

#[tokio::test]
async fn without_an_identity_store_the_feature_is_off() {
    let h = crate::support::harness();
    assert!(!h.auth.identities_enabled());
    assert!(matches!(
        h.auth
            .sign_in_with_identity(answer("s", "a@example.com", true), true, false, &ctx())
            .await,
        Err(Error::Config(_))
    ));
}
