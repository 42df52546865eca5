//! The refusals of a sign-in's answer, against stand-in providers (real HTTP servers on
//! loopback, see `stand_in`) that answer with crafted responses: error answers, missing
//! or invalid ID tokens, wrong audience, expiry, unknown keys, wrong nonce or issuer;
//! Microsoft's multi-tenant issuer rule; GitHub's plain OAuth 2.0 and its API (the
//! verified primary address only, API errors, timeouts); and, through the web layer, a
//! provider that is down (502) and the start route's rate limit. Needs no service.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod stand_in;
mod web;

use std::sync::Arc;
use std::time::Duration;

use auth_core::conformance::engine::{Engine, PASSWORD, config, request};
use auth_core::{Error as CoreError, IdentityStore as _, NewUser, UserStore as _};
use auth_oidc::{
    Callback, Error, Finished, GitHubEndpoints, Oidc, Protocol, Provider, ProviderConfig,
};
use auth_store_memory::MemoryStore;
use axum::http::StatusCode;
use serde_json::json;
use stand_in::{Answer, Claims, KID, StandIn, key};

/// Where answers go back to (never served: the tests hold the answer in hand).
const APP: &str = "http://127.0.0.1:9/auth/oidc";
/// The tenant the Entra ID stand-in's tokens come from.
const TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// A client for the stand-ins, giving up after `timeout`.
fn http(timeout: Duration) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .unwrap()
}

/// The flows of `providers`, kept in a store of their own.
async fn oidc_of(configs: Vec<ProviderConfig>, http: reqwest::Client) -> Result<Oidc, Error> {
    let mut providers = Vec::new();
    for config in configs {
        let callback = format!("{APP}/{}/callback", config.name);
        providers.push(Provider::discover(config, &callback, &http).await?);
    }
    Ok(Oidc::new(providers, Arc::new(MemoryStore::new()), http))
}

/// An OpenID provider whose issuer is its base URL, as `idp`.
async fn exact() -> (StandIn, Oidc) {
    let stand_in = stand_in::oidc(str::to_owned, |b| format!("{b}/token")).await;
    let config = ProviderConfig::new("idp", &stand_in.base, "rp", Some("rp-secret"));
    let oidc = oidc_of(vec![config], http(Duration::from_secs(5)))
        .await
        .unwrap();
    (stand_in, oidc)
}

/// A parameter of a URL's query.
fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Starts a sign-in with `name`, lets the stand-in answer the code exchange with what
/// `answer` makes of the flow's nonce, and finishes it with the answer `iss`.
async fn round(
    oidc: &Oidc,
    stand_in: &StandIn,
    name: &str,
    iss: Option<String>,
    answer: impl FnOnce(&str) -> Option<Answer>,
) -> Result<Finished, Error> {
    let now = time::OffsetDateTime::now_utc();
    let started = oidc.start(name, "/account", now).await.unwrap();
    let nonce = param(&started.authorize_url, "nonce").unwrap_or_default();
    let token = answer(&nonce);
    stand_in.set(|s| s.token = token);
    let callback = Callback {
        state: param(&started.authorize_url, "state"),
        code: Some("the-code".into()),
        iss,
        error: None,
    };
    oidc.finish(name, &callback, Some(started.browser_binding()), now)
        .await
}

/// A token endpoint's answer carrying `id_token`.
fn with_id_token(id_token: &str) -> Option<Answer> {
    Some(Answer::ok(json!({
        "access_token": "at",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    })))
}

fn refused_at(result: Result<Finished, Error>, at: &str, case: &str) {
    match result {
        Err(Error::Provider { step, .. }) => assert_eq!(step, at, "{case}"),
        other => panic!("{case}: expected a refusal at {at}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_good_answer_signs_in_once_and_its_replay_is_refused() {
    let (stand_in, oidc) = exact().await;
    let iss = stand_in.base.clone();
    let now = time::OffsetDateTime::now_utc();
    let started = oidc.start("idp", "/account", now).await.unwrap();
    let url = &started.authorize_url;
    assert_eq!(param(url, "code_challenge_method").as_deref(), Some("S256"));
    let nonce = param(url, "nonce").unwrap();
    let token = Claims::good(&iss, &nonce).sign(&key(true, KID));
    stand_in.set(|s| s.token = with_id_token(&token));
    let callback = Callback {
        state: param(url, "state"),
        code: Some("the-code".into()),
        iss: Some(iss),
        error: None,
    };
    let finished = oidc
        .finish("idp", &callback, Some(started.browser_binding()), now)
        .await
        .unwrap();
    assert_eq!(finished.identity.subject(), "subject-1");
    assert_eq!(finished.identity.email(), Some("grace@example.test"));
    assert!(finished.identity.email_verified());
    assert_eq!(finished.return_to, "/account");
    let form = stand_in.script.lock().unwrap().token_forms[0].clone();
    assert!(
        form.iter().any(|(k, v)| k == "code" && v == "the-code"),
        "{form:?}"
    );
    assert!(
        form.iter()
            .any(|(k, v)| k == "code_verifier" && v.len() >= 43),
        "{form:?}"
    );
    let replay = oidc
        .finish("idp", &callback, Some(started.browser_binding()), now)
        .await;
    assert!(matches!(replay, Err(Error::StateUnknown)), "{replay:?}");
}

#[tokio::test]
async fn crafted_answers_are_refused() {
    let (stand_in, oidc) = exact().await;
    let iss = stand_in.base.clone();
    let published = key(true, KID);
    type Craft = Box<dyn Fn(&str, &str) -> Option<Answer>>;
    let cases: Vec<(&str, &str, Craft)> = vec![
        (
            "the token endpoint's error answer",
            "code exchange",
            Box::new(|_, _| {
                Some(Answer::status(
                    StatusCode::BAD_REQUEST,
                    json!({ "error": "invalid_grant" }),
                ))
            }),
        ),
        (
            "no ID token",
            "code exchange",
            Box::new(|_, _| {
                Some(Answer::ok(
                    json!({ "access_token": "at", "token_type": "Bearer" }),
                ))
            }),
        ),
        (
            "an ID token that is no JWT",
            "code exchange",
            Box::new(|_, _| with_id_token("not-a.jwt")),
        ),
        (
            "a signature by a key the provider never published, under its key id",
            "ID token",
            Box::new(|iss, nonce| with_id_token(&Claims::good(iss, nonce).sign(&key(false, KID)))),
        ),
        (
            "an unknown key id",
            "ID token",
            Box::new(|iss, nonce| {
                with_id_token(&Claims::good(iss, nonce).sign(&key(false, "rotated-away")))
            }),
        ),
        (
            "another audience",
            "ID token",
            Box::new({
                let published = key(true, KID);
                move |iss, nonce| {
                    let mut c = Claims::good(iss, nonce);
                    c.aud = "another-client".into();
                    with_id_token(&c.sign(&published))
                }
            }),
        ),
        (
            "expired",
            "ID token",
            Box::new({
                let published = key(true, KID);
                move |iss, nonce| {
                    let mut c = Claims::good(iss, nonce);
                    c.expires_in = -120;
                    with_id_token(&c.sign(&published))
                }
            }),
        ),
        (
            "another nonce",
            "ID token",
            Box::new({
                let published = key(true, KID);
                move |iss, _| with_id_token(&Claims::good(iss, "not-the-flows").sign(&published))
            }),
        ),
        (
            "no nonce",
            "ID token",
            Box::new({
                let published = key(true, KID);
                move |iss, nonce| {
                    let mut c = Claims::good(iss, nonce);
                    c.nonce = None;
                    with_id_token(&c.sign(&published))
                }
            }),
        ),
        (
            "another issuer in the token",
            "ID token",
            Box::new({
                let published = key(true, KID);
                move |_, nonce| {
                    with_id_token(&Claims::good("https://evil.example", nonce).sign(&published))
                }
            }),
        ),
    ];
    for (case, at, craft) in cases {
        let result = round(&oidc, &stand_in, "idp", Some(iss.clone()), |nonce| {
            craft(&iss, nonce)
        })
        .await;
        refused_at(result, at, case);
    }
    // The control: the same harness accepts a good token.
    let good = round(&oidc, &stand_in, "idp", Some(iss.clone()), |nonce| {
        with_id_token(&Claims::good(&iss, nonce).sign(&published))
    })
    .await;
    assert!(good.is_ok(), "{good:?}");
}

#[tokio::test]
async fn answers_naming_another_issuer_or_an_error_never_reach_the_token_endpoint() {
    let (stand_in, oidc) = exact().await;
    let iss = stand_in.base.clone();
    // RFC 9207: the answer's `iss` is not the provider's, or missing (it says it sends one).
    for wrong in [Some("https://evil.example".to_owned()), None] {
        let result = round(&oidc, &stand_in, "idp", wrong.clone(), |_| None).await;
        assert!(
            matches!(result, Err(Error::WrongIssuer)),
            "{wrong:?}: {result:?}"
        );
    }
    // The provider's error answer.
    let now = time::OffsetDateTime::now_utc();
    let started = oidc.start("idp", "/", now).await.unwrap();
    let denied = Callback {
        state: param(&started.authorize_url, "state"),
        iss: Some(iss),
        error: Some("access_denied".into()),
        ..Callback::default()
    };
    let result = oidc
        .finish("idp", &denied, Some(started.browser_binding()), now)
        .await;
    assert!(matches!(result, Err(Error::Refused { .. })), "{result:?}");
    assert!(stand_in.script.lock().unwrap().token_forms.is_empty());
}

#[tokio::test]
async fn open_redirects_in_the_return_path_go_home() {
    let (_stand_in, oidc) = exact().await;
    let now = time::OffsetDateTime::now_utc();
    for asked in [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:x",
    ] {
        let started = oidc.start("idp", asked, now).await.unwrap();
        // The return path is kept server-side: nothing of it is in the provider's URL.
        assert!(!started.authorize_url.as_str().contains("evil"), "{asked}");
    }
}

/// An Entra ID stand-in: the configured issuer `{base}/common/v2.0`, the document's
/// issuer the template `{base}/{tenantid}/v2.0`.
async fn entra(protocol: Protocol) -> (StandIn, Result<Oidc, Error>) {
    let stand_in = stand_in::oidc(
        |b| format!("{b}/{{tenantid}}/v2.0"),
        |b| format!("{b}/token"),
    )
    .await;
    let mut config = ProviderConfig::new(
        "microsoft",
        &format!("{}/common/v2.0", stand_in.base),
        "rp",
        Some("rp-secret"),
    );
    config.protocol = protocol;
    let oidc = oidc_of(vec![config], http(Duration::from_secs(5))).await;
    (stand_in, oidc)
}

#[tokio::test]
async fn microsoft_multi_tenant_tokens_carry_their_own_tenant_in_the_issuer() {
    let (stand_in, oidc) = entra(Protocol::TenantOpenIdConnect).await;
    let oidc = oidc.unwrap();
    let tenant_issuer = format!("{}/{TENANT}/v2.0", stand_in.base);
    let published = key(true, KID);
    let token = |tid: Option<&str>, iss: &str, nonce: &str| {
        let mut c = Claims::good(iss, nonce);
        c.tid = tid.map(str::to_owned);
        with_id_token(&c.sign(&published))
    };
    let good = round(
        &oidc,
        &stand_in,
        "microsoft",
        Some(tenant_issuer.clone()),
        |n| token(Some(TENANT), &tenant_issuer, n),
    )
    .await
    .unwrap();
    assert_eq!(good.identity.provider(), "microsoft");
    assert_eq!(good.identity.subject(), "subject-1");

    let other_tenant = format!(
        "{}/00000000-1111-2222-3333-444444444444/v2.0",
        stand_in.base
    );
    for (case, tid, iss) in [
        (
            "the issuer names another tenant than tid",
            Some(TENANT),
            other_tenant.as_str(),
        ),
        ("no tid", None, tenant_issuer.as_str()),
        (
            "the template itself",
            Some(TENANT),
            &format!("{}/{{tenantid}}/v2.0", stand_in.base),
        ),
        (
            "the configured common issuer",
            Some(TENANT),
            &format!("{}/common/v2.0", stand_in.base),
        ),
        (
            "another host",
            Some(TENANT),
            &format!("https://evil.example/{TENANT}/v2.0"),
        ),
    ] {
        let result = round(
            &oidc,
            &stand_in,
            "microsoft",
            Some(tenant_issuer.clone()),
            |n| token(tid, iss, n),
        )
        .await;
        refused_at(result, "ID token", case);
    }
    // RFC 9207's `iss` of the answer must fill the template too.
    let result = round(
        &oidc,
        &stand_in,
        "microsoft",
        Some(format!("https://evil.example/{TENANT}/v2.0")),
        |_| None,
    )
    .await;
    assert!(matches!(result, Err(Error::WrongIssuer)), "{result:?}");
}

#[tokio::test]
async fn a_template_issuer_is_refused_without_the_tenant_rule() {
    let (_stand_in, oidc) = entra(Protocol::OpenIdConnect).await;
    assert!(
        matches!(
            oidc,
            Err(Error::Provider {
                step: "discovery",
                ..
            })
        ),
        "{oidc:?}"
    );
}

/// A GitHub stand-in and its provider `github` (the preset, at the stand-in).
async fn github(timeout: Duration) -> (StandIn, Oidc) {
    github_with(timeout, "").await
}

/// [`github`] with more provider options (`,key=value...`).
async fn github_with(timeout: Duration, options: &str) -> (StandIn, Oidc) {
    let stand_in = stand_in::github().await;
    let base = &stand_in.base;
    let config = ProviderConfig::parse(&format!(
        "preset=github,client-id=gh-client,client-secret=gh-secret,\
         authorize-url={base}/login/oauth/authorize,\
         token-url={base}/login/oauth/access_token,api-url={base}/api{options}"
    ))
    .unwrap();
    assert_eq!(
        config.protocol,
        Protocol::GitHub(GitHubEndpoints {
            authorize_url: format!("{base}/login/oauth/authorize"),
            token_url: format!("{base}/login/oauth/access_token"),
            api_url: format!("{base}/api"),
        })
    );
    let oidc = oidc_of(vec![config], http(timeout)).await.unwrap();
    (stand_in, oidc)
}

/// A GitHub sign-in whose API answers `user` and `emails`.
async fn github_round(
    stand_in: &StandIn,
    oidc: &Oidc,
    user: Answer,
    emails: Answer,
) -> Result<Finished, Error> {
    stand_in.set(|s| {
        s.user = Some(user);
        s.emails = Some(emails);
    });
    round(oidc, stand_in, "github", None, |nonce| {
        assert_eq!(nonce, "", "no nonce without an ID token");
        Some(Answer::ok(json!({
            "access_token": "gho_test",
            "token_type": "bearer",
            "scope": "read:user,user:email",
        })))
    })
    .await
}

fn octocat() -> Answer {
    Answer::ok(json!({ "login": "octocat", "id": 583231, "email": null }))
}

fn emails(primary_verified: bool) -> Answer {
    Answer::ok(json!([
        { "email": "octo-old@example.test", "primary": false, "verified": true, "visibility": null },
        { "email": "octo@example.test", "primary": true, "verified": primary_verified, "visibility": "private" },
    ]))
}

#[tokio::test]
async fn github_signs_in_with_the_verified_primary_address() {
    let (stand_in, oidc) = github(Duration::from_secs(5)).await;
    let now = time::OffsetDateTime::now_utc();
    let started = oidc.start("github", "/", now).await.unwrap();
    let url = &started.authorize_url;
    assert!(
        url.as_str()
            .starts_with(&format!("{}/login/oauth/authorize?", stand_in.base))
    );
    assert_eq!(param(url, "code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param(url, "scope").as_deref(), Some("read:user user:email"));
    assert_eq!(param(url, "client_id").as_deref(), Some("gh-client"));
    assert!(param(url, "state").is_some_and(|s| s.len() >= 16));
    assert_eq!(param(url, "nonce"), None);

    let finished = github_round(&stand_in, &oidc, octocat(), emails(true))
        .await
        .unwrap();
    assert_eq!(finished.identity.provider(), "github");
    assert_eq!(
        finished.identity.subject(),
        "583231",
        "the stable id, not the login"
    );
    assert_eq!(finished.identity.email(), Some("octo@example.test"));
    assert!(finished.identity.email_verified());
    {
        let script = stand_in.script.lock().unwrap();
        let form = &script.token_forms[0];
        for (k, v) in [("client_id", "gh-client"), ("client_secret", "gh-secret")] {
            assert!(form.iter().any(|(fk, fv)| fk == k && fv == v), "{form:?}");
        }
        assert!(
            form.iter()
                .any(|(k, v)| k == "code_verifier" && v.len() >= 43),
            "{form:?}"
        );
        assert!(
            script
                .api_headers
                .contains(&("authorization".into(), "Bearer gho_test".into()))
        );
        assert!(
            script
                .api_headers
                .contains(&("user-agent".into(), "auth-oidc".into()))
        );
    }

    // A first sign-in makes a confirmed account.
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |b, s| {
        b.store(s.clone()).identities(s.clone())
    });
    let outcome = h
        .auth
        .sign_in_with_identity(finished.identity, true, false, &request())
        .await
        .unwrap();
    let auth_core::IdentitySignIn::Created(created) = outcome else {
        panic!("expected a new account, got {outcome:?}");
    };
    assert!(created.user.is_verified());
}

#[tokio::test]
async fn an_unverified_or_missing_primary_address_neither_links_nor_creates() {
    let (stand_in, oidc) = github(Duration::from_secs(5)).await;
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |b, s| {
        b.store(s.clone()).identities(s.clone())
    });
    h.auth
        .create_user(NewUser {
            email: "octo@example.test".into(),
            password: PASSWORD.into(),
            verified: true,
            ..NewUser::default()
        })
        .await
        .unwrap();
    let no_primary = Answer::ok(json!([
        { "email": "octo@example.test", "primary": false, "verified": true, "visibility": null },
    ]));
    let empty = Engine::wired(Arc::new(MemoryStore::new()), config(), |b, s| {
        b.store(s.clone()).identities(s.clone())
    });
    for (case, emails) in [
        ("unverified primary", emails(false)),
        ("no primary", no_primary),
    ] {
        let finished = github_round(&stand_in, &oidc, octocat(), emails)
            .await
            .unwrap();
        assert_eq!(finished.identity.email(), None, "{case}");
        // Not linked to the account with that address, and no account made without one.
        for engine in [&h, &empty] {
            let refused = engine
                .auth
                .sign_in_with_identity(finished.identity.clone(), true, false, &request())
                .await
                .unwrap_err();
            assert!(
                matches!(refused, CoreError::Validation(_)),
                "{case}: {refused:?}"
            );
            assert_eq!(
                engine.store.identity("github", "583231").await.unwrap(),
                None,
                "{case}"
            );
        }
        let made = empty
            .store
            .user_by_email("octo@example.test")
            .await
            .unwrap();
        assert!(made.is_none(), "{case}");
    }
}

#[tokio::test]
async fn github_tokens_are_kept_sealed_only_when_asked() {
    let (stand_in, plain) = github(Duration::from_secs(5)).await;
    let finished = github_round(&stand_in, &plain, octocat(), emails(true))
        .await
        .unwrap();
    assert!(finished.identity.tokens().is_none(), "dropped by default");

    let (stand_in, oidc) = github_with(Duration::from_secs(5), ",keep-tokens=true").await;
    assert!(oidc.providers().all(|p| p.keep_tokens));
    stand_in.set(|s| {
        s.user = Some(octocat());
        s.emails = Some(emails(true));
    });
    let before = time::OffsetDateTime::now_utc();
    // A GitHub App's user token: it expires and comes with a refresh token.
    let finished = round(&oidc, &stand_in, "github", None, |_| {
        Some(Answer::ok(json!({
            "access_token": "ghu_kept",
            "token_type": "bearer",
            "expires_in": 28800,
            "refresh_token": "ghr_kept",
            "refresh_token_expires_in": 15_897_600,
            "scope": "",
        })))
    })
    .await
    .unwrap();
    let tokens = finished.identity.tokens().cloned().expect("kept");
    assert_eq!(tokens.access_token(), "ghu_kept");
    assert_eq!(tokens.refresh_token(), Some("ghr_kept"));
    let expires_at = tokens.expires_at.expect("GitHub said when");
    assert!(
        expires_at >= before + time::Duration::hours(8)
            && expires_at <= time::OffsetDateTime::now_utc() + time::Duration::hours(8),
        "{expires_at}"
    );
    assert!(!format!("{:?}", finished.identity).contains("ghu_kept"));

    // The engine keeps them sealed with the account's identity, and opens them for it.
    let keys = auth_core::TokenKeys::new("k1", b"crafted-test-identity-token-key!").unwrap();
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |b, s| {
        b.store(s.clone())
            .identities(s.clone())
            .identity_token_keys(keys)
    });
    let outcome = h
        .auth
        .sign_in_with_identity(finished.identity, true, false, &request())
        .await
        .unwrap();
    let auth_core::IdentitySignIn::Created(created) = outcome else {
        panic!("expected a new account, got {outcome:?}");
    };
    let sealed = h
        .store
        .identity_tokens("github", "583231")
        .await
        .unwrap()
        .expect("kept");
    assert!(sealed.starts_with("sealed:v1:k1:"), "{sealed}");
    assert!(!sealed.contains("ghu_kept") && !sealed.contains("ghr_kept"));
    let me = h.auth.authenticate(&created.token).await.unwrap().unwrap();
    let opened = h
        .auth
        .identity_tokens(&me, "github", "583231")
        .await
        .unwrap()
        .expect("opened");
    assert_eq!(opened, tokens);

    // A classic OAuth App's token never expires and has no refresh token.
    stand_in.set(|s| {
        s.user = Some(octocat());
        s.emails = Some(emails(true));
    });
    let finished = round(&oidc, &stand_in, "github", None, |_| {
        Some(Answer::ok(json!({
            "access_token": "gho_classic",
            "token_type": "bearer",
            "scope": "read:user,user:email",
        })))
    })
    .await
    .unwrap();
    let tokens = finished.identity.tokens().expect("kept");
    assert_eq!(
        (
            tokens.access_token(),
            tokens.refresh_token(),
            tokens.expires_at
        ),
        ("gho_classic", None, None)
    );
}

#[tokio::test]
async fn github_errors_and_timeouts_are_refused() {
    let (stand_in, oidc) = github(Duration::from_secs(1)).await;
    let bad_credentials = || {
        Answer::status(
            StatusCode::UNAUTHORIZED,
            json!({ "message": "Bad credentials" }),
        )
    };
    let down = || {
        Answer::status(
            StatusCode::BAD_GATEWAY,
            json!({ "message": "Server Error" }),
        )
    };
    for (case, user, emails) in [
        ("401 at /user", bad_credentials(), emails(true)),
        ("502 at /user", down(), emails(true)),
        (
            "500 at /user/emails",
            octocat(),
            Answer::status(StatusCode::INTERNAL_SERVER_ERROR, json!({})),
        ),
        (
            "/user too slow",
            octocat().slow(Duration::from_secs(3)),
            emails(true),
        ),
        (
            "/user/emails not a list",
            octocat(),
            Answer::ok(json!({ "message": "?" })),
        ),
    ] {
        let result = github_round(&stand_in, &oidc, user, emails).await;
        refused_at(result, "profile", case);
    }
    // GitHub answers a bad code with status 200 and an error body.
    stand_in.set(|s| s.user = Some(octocat()));
    let result = round(&oidc, &stand_in, "github", None, |_| {
        Some(Answer::ok(json!({
            "error": "bad_verification_code",
            "error_description": "The code passed is incorrect or expired.",
        })))
    })
    .await;
    refused_at(result, "code exchange", "bad_verification_code");
}
