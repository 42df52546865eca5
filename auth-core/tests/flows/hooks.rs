//! The application's hooks: a before-registration veto refuses on `email` alike for new
//! and taken addresses; a before-sign-in veto refuses only a proven sign-in, after the
//! engine's own refusals, and opens no session; the after-hook sees every audit event.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use auth_core::conformance::engine::Engine;
use auth_core::hooks::{Hooks, SignUp, Veto};
use auth_core::{
    AuditEvent, AuditKind, Clock as _, Error, RequestContext, SessionStore as _, User,
};
use auth_store_memory::MemoryStore;

use crate::support::{Harness, PASSWORD, config, ctx};

/// Refuses sign-up outside example.com and sign-in of addresses starting with
/// "barred", and keeps what it saw.
#[derive(Debug, Default)]
struct Policy {
    sign_ins_asked: Mutex<Vec<String>>,
    events: Mutex<Vec<AuditKind>>,
}

#[async_trait]
impl Hooks for Policy {
    async fn before_registration(&self, sign_up: &SignUp<'_>) -> Result<(), Veto> {
        if sign_up.email.ends_with("@example.com") {
            Ok(())
        } else {
            Err(Veto::new("Only example.com addresses may sign up."))
        }
    }

    async fn before_sign_in(&self, user: &User, _ctx: &RequestContext) -> Result<(), Veto> {
        self.sign_ins_asked.lock().unwrap().push(user.email.clone());
        if user.email.starts_with("barred") {
            Err(Veto::new("Your seat has been given to someone else."))
        } else {
            Ok(())
        }
    }

    async fn after_event(&self, event: &AuditEvent) {
        self.events.lock().unwrap().push(event.kind);
    }
}

fn harness_with_hooks() -> (Harness, Arc<Policy>) {
    let policy = Arc::new(Policy::default());
    let hooks = policy.clone();
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder.store(store.clone()).hooks(hooks)
    });
    (h, policy)
}

fn registration(email: &str) -> auth_core::Registration {
    auth_core::Registration {
        email: email.into(),
        username: None,
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
        profile: Default::default(),
        language: None,
    }
}

#[tokio::test]
async fn a_registration_veto_is_a_field_error_whether_or_not_the_address_is_taken() {
    let (h, _) = harness_with_hooks();
    h.auth
        .create_user(auth_core::NewUser {
            email: "taken@elsewhere.org".into(),
            username: None,
            password: PASSWORD.into(),
            roles: Vec::new(),
            verified: true,
            profile: Default::default(),
        })
        .await
        .expect("operators are not subject to the sign-up hook");
    let mut answers = Vec::new();
    for email in ["taken@elsewhere.org", "new@elsewhere.org"] {
        let error = h
            .auth
            .register(registration(email), &ctx())
            .await
            .unwrap_err();
        let Error::Validation(v) = error else {
            panic!("{error:?}")
        };
        let field = v.field("email").unwrap();
        assert_eq!(field.code, "not_allowed");
        answers.push(field.message.clone());
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], "Only example.com addresses may sign up.");
    assert!(h.mailer.sent().is_empty(), "no mail to either address");
    h.auth
        .register(registration("ok@example.com"), &ctx())
        .await
        .unwrap();
    assert_eq!(h.mailer.sent().len(), 1);
}

#[tokio::test]
async fn a_sign_in_veto_comes_after_the_password_and_opens_no_session() {
    let (h, policy) = harness_with_hooks();
    let barred = h.registered_and_verified("barred@example.com").await;
    assert!(matches!(
        h.login("barred@example.com", "not the password at all")
            .await,
        Err(Error::InvalidCredentials)
    ));
    assert!(
        policy.sign_ins_asked.lock().unwrap().is_empty(),
        "the hook is not asked about a wrong password"
    );
    match h.login("barred@example.com", PASSWORD).await {
        Err(Error::SignInRefused { message }) => {
            assert_eq!(message, "Your seat has been given to someone else.");
        }
        other => panic!("expected the veto, got {other:?}"),
    }
    let sessions = h
        .store
        .sessions_for_user(barred.id, h.clock.now())
        .await
        .unwrap();
    assert!(sessions.is_empty(), "{sessions:?}");
    h.login("other@example.com", PASSWORD)
        .await
        .expect_err("unknown yet");
    h.registered_and_verified("other@example.com").await;
    h.login("other@example.com", PASSWORD).await.unwrap();
    assert_eq!(
        *policy.sign_ins_asked.lock().unwrap(),
        ["barred@example.com", "other@example.com"]
    );
}

#[tokio::test]
async fn the_engines_own_refusals_come_before_a_veto() {
    let (h, _) = harness_with_hooks();
    let admin = h.admin().await;
    let barred = h.registered_and_verified("barred@example.com").await;
    h.auth
        .admin_disable(&admin, barred.id, &ctx())
        .await
        .unwrap();
    assert!(matches!(
        h.login("barred@example.com", PASSWORD).await,
        Err(Error::AccountDisabled)
    ));
}

#[tokio::test]
async fn the_after_hook_sees_every_audit_event_in_order() {
    let (h, policy) = harness_with_hooks();
    h.registered_and_verified("amy@example.com").await;
    h.login("amy@example.com", "not the password at all")
        .await
        .unwrap_err();
    let signed_in = h.login("amy@example.com", PASSWORD).await.unwrap();
    h.auth.logout(&signed_in.token, &ctx()).await.unwrap();
    let kinds = policy.events.lock().unwrap().clone();
    let expected = [
        AuditKind::Registered,
        AuditKind::EmailVerified,
        AuditKind::LoginFailed,
        AuditKind::LoginSucceeded,
        AuditKind::LoggedOut,
    ];
    assert_eq!(kinds, expected);
}
