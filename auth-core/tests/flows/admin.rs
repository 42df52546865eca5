use auth_core::{AccountState, Error, Page};

use crate::support::{PASSWORD, ctx, harness, harness_with};

#[tokio::test]
async fn non_admins_are_forbidden() {
    let h = harness();
    let user = h.registered_and_verified("u1@example.com").await;
    let s = h.login("u1@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    assert!(matches!(
        h.auth.admin_list_users(&me, None, Page::default()).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        h.auth.admin_disable(&me, user.id, &ctx()).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        h.auth
            .admin_set_roles(&me, user.id, vec!["admin".into()], &ctx())
            .await,
        Err(Error::Forbidden)
    ));
}

#[tokio::test]
async fn disabling_ends_sessions_and_refuses_login_only_after_the_right_password() {
    let h = harness();
    let root = h.admin().await;
    let user = h.registered_and_verified("u2@example.com").await;
    let s = h.login("u2@example.com", PASSWORD).await.unwrap();

    h.auth.admin_disable(&root, user.id, &ctx()).await.unwrap();
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_none());
    assert!(matches!(
        h.login("u2@example.com", PASSWORD).await,
        Err(Error::AccountDisabled)
    ));
    assert!(matches!(
        h.login("u2@example.com", "wrong password 1").await,
        Err(Error::InvalidCredentials)
    ));
    // A disabled account gets no reset mail either.
    h.mailer.clear();
    h.auth
        .request_password_reset("u2@example.com", &ctx())
        .await
        .unwrap();
    assert!(h.mailer.sent().is_empty());

    h.auth.admin_enable(&root, user.id, &ctx()).await.unwrap();
    h.login("u2@example.com", PASSWORD).await.unwrap();

    let err = h
        .auth
        .admin_disable(&root, root.user.id, &ctx())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
}

#[tokio::test]
async fn unlock_roles_force_logout_and_the_audit_trail() {
    let h = harness_with(|c| {
        c.lockout(auth_core::LockoutPolicy {
            threshold: 2,
            ..Default::default()
        })
    });
    let root = h.admin().await;
    let user = h.registered_and_verified("u3@example.com").await;
    let s = h.login("u3@example.com", PASSWORD).await.unwrap();
    for _ in 0..2 {
        let _ = h.login("u3@example.com", "wrong password 1").await;
    }
    let view = h.auth.admin_user(&root, user.id).await.unwrap();
    assert!(matches!(
        AccountState::of(&view.user, h.auth.now()),
        AccountState::Locked { .. }
    ));
    h.auth.admin_unlock(&root, user.id, &ctx()).await.unwrap();
    h.login("u3@example.com", PASSWORD).await.unwrap();

    h.auth
        .admin_set_roles(
            &root,
            user.id,
            vec!["Editor".into(), "editor".into(), "billing".into()],
            &ctx(),
        )
        .await
        .unwrap();
    let view = h.auth.admin_user(&root, user.id).await.unwrap();
    assert_eq!(view.user.roles, vec!["billing", "editor"]);
    assert!(matches!(
        h.auth
            .admin_set_roles(&root, user.id, vec!["bad role".into()], &ctx())
            .await,
        Err(Error::Validation(_))
    ));
    assert!(matches!(
        h.auth
            .admin_set_roles(&root, root.user.id, vec![], &ctx())
            .await,
        Err(Error::Validation(_))
    ));

    assert_eq!(view.sessions.len(), 2);
    h.auth
        .admin_force_logout(&root, user.id, &ctx())
        .await
        .unwrap();
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_none());

    let view = h.auth.admin_user(&root, user.id).await.unwrap();
    let kinds: Vec<&str> = view.events.iter().map(|e| e.kind.as_str()).collect();
    for expected in [
        "registered",
        "email_verified",
        "login_failed",
        "locked",
        "unlocked",
        "roles_changed",
        "forced_logout",
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected} missing from {kinds:?}"
        );
    }
    let forced = view
        .events
        .iter()
        .find(|e| e.kind.as_str() == "forced_logout")
        .unwrap();
    assert_eq!(forced.actor_id, Some(root.user.id));
    assert_eq!(forced.ip.as_deref(), Some("192.0.2.7"));
}

#[tokio::test]
async fn listing_and_searching_users() {
    let h = harness();
    let root = h.admin().await;
    for i in 0..5 {
        h.register(&format!("list{i}@example.com")).await;
    }
    let (page, total) = h
        .auth
        .admin_list_users(
            &root,
            Some("LIST"),
            Page {
                offset: 1,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 5);
    let emails: Vec<&str> = page.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, vec!["list1@example.com", "list2@example.com"]);
    let (_, all) = h
        .auth
        .admin_list_users(&root, None, Page::default())
        .await
        .unwrap();
    assert_eq!(all, 6);
    assert!(matches!(
        h.auth.admin_user(&root, auth_core::UserId::new()).await,
        Err(Error::NotFound)
    ));
}
