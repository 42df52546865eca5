use std::net::{IpAddr, Ipv4Addr};

use auth_core::{Error, LockoutPolicy, Login, RequestContext};
use time::Duration;

use crate::support::{Harness, PASSWORD, ctx, harness, harness_with};

fn strict_lockout(c: auth_core::ConfigBuilder) -> auth_core::ConfigBuilder {
    c.lockout(LockoutPolicy {
        threshold: 3,
        window: Duration::minutes(15),
        base_lock: Duration::minutes(5),
        max_lock: Duration::hours(1),
        ..LockoutPolicy::default()
    })
}

#[tokio::test]
async fn login_by_email_or_username_issues_a_fresh_session_each_time() {
    let h = harness();
    h.registered_and_verified("kim@example.com").await;
    let user = h
        .auth
        .set_username(
            &h.signed_in("kim@example.com").await,
            Some("Kim_99".into()),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(user.username.as_deref(), Some("kim_99"));

    let a = h.login("KIM@example.com", PASSWORD).await.unwrap();
    let b = h.login("kim_99", PASSWORD).await.unwrap();
    assert_ne!(a.token, b.token);
    assert_eq!(a.user.id, b.user.id);
    let seen = h.auth.authenticate(&a.token).await.unwrap().unwrap();
    assert_eq!(seen.user.id, user.id);
    assert_eq!(seen.session.user_agent.as_deref(), Some("test-agent/1.0"));
}

#[tokio::test]
async fn unknown_user_and_wrong_password_look_the_same() {
    let h = harness();
    h.registered_and_verified("lee@example.com").await;
    let wrong = h
        .login("lee@example.com", "not the password at all")
        .await
        .unwrap_err();
    let unknown = h.login("nobody@example.com", PASSWORD).await.unwrap_err();
    let garbage = h.login("!!", PASSWORD).await.unwrap_err();
    for err in [&wrong, &unknown, &garbage] {
        assert!(matches!(err, Error::InvalidCredentials), "{err:?}");
        assert_eq!(err.to_string(), "invalid credentials");
    }
}

#[tokio::test]
async fn logout_kills_the_session_server_side() {
    let h = harness();
    h.registered_and_verified("max@example.com").await;
    let s = h.login("max@example.com", PASSWORD).await.unwrap();
    h.auth.logout(&s.token, &ctx()).await.unwrap();
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_none());
    // Logging out twice is harmless.
    h.auth.logout(&s.token, &ctx()).await.unwrap();
}

#[tokio::test]
async fn consecutive_failures_lock_then_the_lock_expires() {
    let h = harness_with(strict_lockout);
    h.registered_and_verified("ned@example.com").await;
    for _ in 0..2 {
        assert!(matches!(
            h.login("ned@example.com", "wrong password 1").await,
            Err(Error::InvalidCredentials)
        ));
    }
    let third = h
        .login("ned@example.com", "wrong password 1")
        .await
        .unwrap_err();
    assert!(matches!(third, Error::AccountLocked { .. }), "{third:?}");
    // Even the right password is refused while locked.
    let locked = h.login("ned@example.com", PASSWORD).await.unwrap_err();
    let Error::AccountLocked { retry_after } = locked else {
        panic!("{locked:?}")
    };
    assert_eq!(retry_after.as_secs(), 300);

    h.clock.advance(Duration::minutes(5));
    h.login("ned@example.com", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn locks_grow_with_repeats() {
    let h = harness_with(strict_lockout);
    h.registered_and_verified("ola@example.com").await;
    for round in 0..2 {
        for _ in 0..3 {
            let _ = h.login("ola@example.com", "wrong password 1").await;
        }
        let Error::AccountLocked { retry_after } =
            h.login("ola@example.com", PASSWORD).await.unwrap_err()
        else {
            panic!("not locked in round {round}");
        };
        assert_eq!(retry_after.as_secs(), 300 * (1 << round));
        h.clock.advance(Duration::minutes(5 * (1 << round)));
    }
}

#[tokio::test]
async fn unknown_identifiers_lock_like_real_accounts() {
    let h = harness_with(strict_lockout);
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(
            h.login("ghost@example.com", "wrong password 1")
                .await
                .unwrap_err(),
        );
    }
    assert!(matches!(answers[0], Error::InvalidCredentials));
    assert!(matches!(answers[1], Error::InvalidCredentials));
    assert!(matches!(answers[2], Error::AccountLocked { .. }));
    let Error::AccountLocked { retry_after } = answers[3] else {
        panic!()
    };
    assert_eq!(retry_after.as_secs(), 300);
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let h = harness_with(strict_lockout);
    h.registered_and_verified("pam@example.com").await;
    for _ in 0..2 {
        let _ = h.login("pam@example.com", "wrong password 1").await;
    }
    h.login("pam@example.com", PASSWORD).await.unwrap();
    for _ in 0..2 {
        assert!(matches!(
            h.login("pam@example.com", "wrong password 1").await,
            Err(Error::InvalidCredentials)
        ));
    }
}

#[tokio::test]
async fn bursts_per_identifier_and_per_address_are_rate_limited() {
    let h = harness_with(|c| {
        c.rate_limits(auth_core::RateLimits {
            login_per_identifier: auth_core::RateLimit::new(3, Duration::minutes(1)),
            ..auth_core::RateLimits::default()
        })
        .lockout(LockoutPolicy {
            threshold: 100,
            ..LockoutPolicy::default()
        })
    });
    for _ in 0..3 {
        let _ = h.login("quinn@example.com", "x").await;
    }
    let err = h.login("quinn@example.com", "x").await.unwrap_err();
    let Error::RateLimited { retry_after } = err else {
        panic!("{err:?}")
    };
    assert_eq!(retry_after.as_secs(), 60);
    h.clock.advance(Duration::minutes(1));
    assert!(matches!(
        h.login("quinn@example.com", "x").await,
        Err(Error::InvalidCredentials)
    ));

    let h = harness_with(|c| {
        c.rate_limits(auth_core::RateLimits {
            login_per_ip: auth_core::RateLimit::new(2, Duration::minutes(1)),
            ..auth_core::RateLimits::default()
        })
    });
    let _ = h.login("a1@example.com", "x").await;
    let _ = h.login("a2@example.com", "x").await;
    assert!(matches!(
        h.login("a3@example.com", "x").await,
        Err(Error::RateLimited { .. })
    ));
    let elsewhere = RequestContext::new(Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1))), None);
    let other = h
        .auth
        .login(
            Login {
                login: "a3@example.com".into(),
                password: "x".into(),
                remember: false,
            },
            &elsewhere,
        )
        .await;
    assert!(matches!(other, Err(Error::InvalidCredentials)));
}

#[tokio::test]
async fn sessions_expire_when_idle_and_touches_keep_them_alive() {
    let h = harness();
    h.registered_and_verified("ray@example.com").await;
    let s = h.login("ray@example.com", PASSWORD).await.unwrap();
    let config = *h.auth.config().sessions();
    // Used every hour: stays alive past the idle timeout (2 h).
    for _ in 0..3 {
        h.clock.advance(Duration::hours(1));
        assert!(h.auth.authenticate(&s.token).await.unwrap().is_some());
    }
    h.clock.advance(config.idle_timeout);
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_none());
}

#[tokio::test]
async fn remember_me_sessions_last_longer_but_not_forever() {
    let h = harness();
    h.registered_and_verified("sue@example.com").await;
    let s = h
        .auth
        .login(
            Login {
                login: "sue@example.com".into(),
                password: PASSWORD.into(),
                remember: true,
            },
            &ctx(),
        )
        .await
        .unwrap();
    let config = *h.auth.config().sessions();
    assert_eq!(
        s.session.expires_at - s.session.created_at,
        config.remember_lifetime
    );
    h.clock.advance(Duration::hours(13));
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_some());
    for _ in 0..3 {
        h.clock.advance(Duration::days(10));
        let _ = h.auth.authenticate(&s.token).await.unwrap();
    }
    assert!(
        h.auth.authenticate(&s.token).await.unwrap().is_none(),
        "outlived its hard limit"
    );
}

#[tokio::test]
async fn the_device_list_and_revoking_sessions() {
    let h = harness();
    h.registered_and_verified("tom@example.com").await;
    let a = h.login("tom@example.com", PASSWORD).await.unwrap();
    h.clock.advance(Duration::seconds(1));
    let b = h.login("tom@example.com", PASSWORD).await.unwrap();
    h.clock.advance(Duration::seconds(1));
    let c = h.login("tom@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&c.token).await.unwrap().unwrap();
    let list = h.auth.sessions(&me).await.unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].digest, c.token.digest(), "newest first");

    h.auth
        .revoke_session(&me, &a.token.digest().to_hex(), &ctx())
        .await
        .unwrap();
    assert!(h.auth.authenticate(&a.token).await.unwrap().is_none());
    assert!(matches!(
        h.auth.revoke_session(&me, "nothex", &ctx()).await,
        Err(Error::NotFound)
    ));

    // Someone else's session cannot be revoked through my account.
    h.registered_and_verified("uma@example.com").await;
    let other = h.login("uma@example.com", PASSWORD).await.unwrap();
    let err = h
        .auth
        .revoke_session(&me, &other.token.digest().to_hex(), &ctx())
        .await;
    assert!(matches!(err, Err(Error::NotFound)));
    assert!(h.auth.authenticate(&other.token).await.unwrap().is_some());

    assert_eq!(h.auth.revoke_other_sessions(&me, &ctx()).await.unwrap(), 1);
    assert!(h.auth.authenticate(&b.token).await.unwrap().is_none());
    assert!(h.auth.authenticate(&c.token).await.unwrap().is_some());

    assert_eq!(
        h.auth.logout_everywhere(me.user.id, &ctx()).await.unwrap(),
        1
    );
    assert!(h.auth.authenticate(&c.token).await.unwrap().is_none());
}

#[tokio::test]
async fn verified_email_can_be_required_for_login() {
    let h = harness_with(|c| c.require_verified_email(true));
    h.register("val@example.com").await;
    assert!(matches!(
        h.login("val@example.com", PASSWORD).await,
        Err(Error::EmailNotVerified)
    ));
    // The wrong password still gets the coarse answer.
    assert!(matches!(
        h.login("val@example.com", "wrong password 1").await,
        Err(Error::InvalidCredentials)
    ));
}

#[tokio::test]
async fn outdated_hashes_are_upgraded_at_login() {
    let store = std::sync::Arc::new(auth_store_memory::MemoryStore::new());
    let old = Harness::on_with(store.clone(), |c| c);
    old.registered_and_verified("wes@example.com").await;
    let before = old
        .login("wes@example.com", PASSWORD)
        .await
        .unwrap()
        .user
        .password_hash;
    assert!(before.as_str().contains("m=64,t=1,p=1"), "{before:?}");

    let new = Harness::on_with(store, |c| {
        c.hash_params(auth_core::HashParams::new(8192, 5, 1))
    });
    let after = new
        .login("wes@example.com", PASSWORD)
        .await
        .unwrap()
        .user
        .password_hash;
    assert!(after.as_str().contains("m=8192,t=5,p=1"), "{after:?}");
    // And the new hash works.
    new.login("wes@example.com", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_password_never_expires() {
    let h = harness();
    h.registered_and_verified("vic@example.com").await;
    h.clock.advance(Duration::days(5 * 365));
    let s = h.login("vic@example.com", PASSWORD).await.unwrap();
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_some());
}
