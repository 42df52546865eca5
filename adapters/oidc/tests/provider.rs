//! Sign-ins through a real, certified OpenID provider (node `oidc-provider`, started from
//! `tests/oidc-provider/provider.mjs`), driven without a browser: an HTTP client with a
//! cookie jar follows the redirects and submits the provider's login and consent forms,
//! as a browser would. Needs `AUTH_TEST_OIDC_PROVIDER` (`.ci/services.sh` sets it).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::process::Stdio;
use std::sync::Arc;

use auth_core::conformance::engine::{Engine, PASSWORD, config, request};
use auth_core::{Error as CoreError, IdentitySignIn, IdentityStore as _, NewUser};
use auth_oidc::{Callback, Error, Finished, Oidc, Provider, ProviderConfig, Started};
use auth_store_memory::MemoryStore;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Where the provider sends answers: never served, the test reads the redirect.
const APP: &str = "http://127.0.0.1:9/auth/oidc";

/// A running provider, killed when dropped.
struct RunningProvider {
    issuer: String,
    _child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_provider() -> RunningProvider {
    start_provider_on(free_port()).await
}

/// [`start_provider`] on `port`.
async fn start_provider_on(port: u16) -> RunningProvider {
    let dir = std::env::var("AUTH_TEST_OIDC_PROVIDER")
        .expect("AUTH_TEST_OIDC_PROVIDER: run `source .ci/services.sh; ensure_oidc_provider`");
    let mut child = Command::new("node")
        .arg(format!("{dir}/provider.mjs"))
        .arg(port.to_string())
        .arg(format!("{APP}/idp/callback"))
        .arg(format!("{APP}/other/callback"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs the provider");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
        .await
        .expect("the provider starts in time")
        .unwrap()
        .expect("the provider prints its address");
    let issuer = line
        .strip_prefix("listening on ")
        .expect("listening on <issuer>")
        .to_owned();
    // Keep reading: the provider writes notices later, and a closed pipe would end it.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    RunningProvider {
        issuer,
        _child: child,
    }
}

type Harness = Engine<Arc<MemoryStore>>;

/// The engine, and two providers at the one issuer: `idp` and `other`.
async fn setup(provider: &RunningProvider) -> (Harness, Oidc) {
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder.store(store.clone()).identities(store.clone())
    });
    let http = auth_oidc::http_client().unwrap();
    let mut providers = Vec::new();
    for name in ["idp", "other"] {
        let config = ProviderConfig::new(name, &provider.issuer, "rp", Some("rp-secret"));
        let discovered = Provider::discover(config, &format!("{APP}/{name}/callback"), &http)
            .await
            .unwrap();
        assert!(discovered.sends_iss(), "oidc-provider sends iss (RFC 9207)");
        providers.push(discovered);
    }
    let oidc = Oidc::new(providers, Arc::new(h.store.as_ref().clone()), http);
    (h, oidc)
}

/// A browser without script: follows redirects, submits the provider's forms (login as
/// `login`, then consent), and stops at the redirect to the application's callback.
async fn authorize(url: &url::Url, login: &str) -> Callback {
    // The test's own client uses the process's default TLS provider: ring, like the
    // crate's (which configures it explicitly).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut answer = browser.get(url.clone()).send().await.unwrap();
    for _ in 0..20 {
        let here = answer.url().clone();
        if answer.status().is_redirection() {
            let location = answer.headers()["location"].to_str().unwrap().to_owned();
            let next = here.join(&location).unwrap();
            if next.as_str().starts_with(APP) {
                return next_callback(&next);
            }
            answer = browser.get(next).send().await.unwrap();
            continue;
        }
        let page = answer.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("a form on the provider's page: {page}"));
        let target = here.join(action).unwrap();
        let form: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
            vec![("prompt", "login"), ("login", login), ("password", "any")]
        } else {
            vec![("prompt", "consent")]
        };
        answer = browser.post(target).form(&form).send().await.unwrap();
    }
    panic!("the provider never sent the browser back");
}

fn next_callback(url: &url::Url) -> Callback {
    let mut callback = Callback::default();
    for (key, value) in url.query_pairs() {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "state" => callback.state = value,
            "code" => callback.code = value,
            "iss" => callback.iss = value,
            "error" => callback.error = value,
            _ => {}
        }
    }
    callback
}

/// A whole sign-in with `idp` as `login`: started, authorised, answered.
async fn round(h: &Harness, oidc: &Oidc, login: &str, return_to: &str) -> (Started, Callback) {
    let started = oidc.start("idp", return_to, h.auth.now()).await.unwrap();
    let callback = authorize(&started.authorize_url, login).await;
    (started, callback)
}

async fn finish(h: &Harness, oidc: &Oidc, started: &Started, callback: &Callback) -> Finished {
    oidc.finish(
        "idp",
        callback,
        Some(started.browser_binding()),
        h.auth.now(),
    )
    .await
    .unwrap()
}

#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sign_in_creates_an_account_and_the_next_signs_it_in() {
    let provider = start_provider().await;
    let (h, oidc) = setup(&provider).await;
    let (started, callback) = round(&h, &oidc, "alice", "/account").await;
    let url = started.authorize_url.as_str();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(url.contains("nonce="), "{url}");
    assert_eq!(callback.iss.as_deref(), Some(provider.issuer.as_str()));
    let finished = finish(&h, &oidc, &started, &callback).await;
    assert_eq!(finished.return_to, "/account");
    assert_eq!(finished.identity.subject(), "alice");
    assert!(finished.identity.email_verified());
    let outcome = h
        .auth
        .sign_in_with_identity(finished.identity, finished.sign_up, false, &request())
        .await
        .unwrap();
    let IdentitySignIn::Created(created) = outcome else {
        panic!("expected a new account, got {outcome:?}");
    };
    assert_eq!(created.user.email, "alice@example.test");
    assert!(created.user.is_verified());

    // The provider remembers the person: the second round needs no login.
    let (started, callback) = round(&h, &oidc, "alice", "/").await;
    let finished = finish(&h, &oidc, &started, &callback).await;
    let again = h
        .auth
        .sign_in_with_identity(finished.identity, true, false, &request())
        .await
        .unwrap();
    let IdentitySignIn::Complete(again) = again else {
        panic!("expected a sign-in, got {again:?}");
    };
    assert_eq!(again.user.id, created.user.id);
}

#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_account_is_linked_after_its_password_and_unverified_addresses_never_match() {
    let provider = start_provider().await;
    let (h, oidc) = setup(&provider).await;
    for email in ["alice@example.test", "bob@example.test"] {
        h.auth
            .create_user(NewUser {
                email: email.into(),
                password: PASSWORD.into(),
                verified: true,
                ..NewUser::default()
            })
            .await
            .unwrap();
    }
    // bob's address is not verified by the provider: refused, nothing linked.
    let (started, callback) = round(&h, &oidc, "bob", "/").await;
    let finished = finish(&h, &oidc, &started, &callback).await;
    assert!(!finished.identity.email_verified());
    let refused = h
        .auth
        .sign_in_with_identity(finished.identity, true, false, &request())
        .await
        .unwrap_err();
    assert!(matches!(refused, CoreError::Validation(_)), "{refused:?}");
    assert_eq!(h.store.identity("idp", "bob").await.unwrap(), None);

    // alice's is: a link is offered, made only once the owner signs in with the password.
    let (started, callback) = round(&h, &oidc, "alice", "/").await;
    let finished = finish(&h, &oidc, &started, &callback).await;
    let outcome = h
        .auth
        .sign_in_with_identity(finished.identity, true, false, &request())
        .await
        .unwrap();
    let IdentitySignIn::LinkRequired(offer) = outcome else {
        panic!("expected a link offer, got {outcome:?}");
    };
    assert_eq!(h.store.identity("idp", "alice").await.unwrap(), None);
    h.clock.advance(time::Duration::seconds(1));
    let me = h.signed_in("alice@example.test").await;
    let linked = h
        .auth
        .confirm_identity_link(&me, offer.token(), &request())
        .await
        .unwrap();
    assert_eq!(linked.user_id, me.user.id);
    let (started, callback) = round(&h, &oidc, "alice", "/").await;
    let finished = finish(&h, &oidc, &started, &callback).await;
    let signed_in = h
        .auth
        .sign_in_with_identity(finished.identity, true, false, &request())
        .await
        .unwrap();
    assert!(matches!(signed_in, IdentitySignIn::Complete(s) if s.user.id == me.user.id));
}

#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_other_browsers_mixed_up_providers_and_wrong_issuers_are_refused() {
    let provider = start_provider().await;
    let (h, oidc) = setup(&provider).await;
    let now = h.auth.now();

    // State replay: the second use of one answer is refused.
    let (started, callback) = round(&h, &oidc, "carol", "/").await;
    finish(&h, &oidc, &started, &callback).await;
    let replay = oidc
        .finish("idp", &callback, Some(started.browser_binding()), now)
        .await;
    assert!(matches!(replay, Err(Error::StateUnknown)), "{replay:?}");

    // Another browser (no cookie, or another one): refused, and the flow is used up.
    let (started, callback) = round(&h, &oidc, "carol", "/").await;
    let other = oidc.start("idp", "/", now).await.unwrap();
    let stranger = oidc
        .finish("idp", &callback, Some(other.browser_binding()), now)
        .await;
    assert!(matches!(stranger, Err(Error::WrongBrowser)), "{stranger:?}");
    let after = oidc
        .finish("idp", &callback, Some(started.browser_binding()), now)
        .await;
    assert!(matches!(after, Err(Error::StateUnknown)), "{after:?}");
    let (_, callback) = round(&h, &oidc, "carol", "/").await;
    let none = oidc.finish("idp", &callback, None, now).await;
    assert!(matches!(none, Err(Error::WrongBrowser)), "{none:?}");

    // The answer delivered to another provider's callback (a mix-up).
    let (started, callback) = round(&h, &oidc, "carol", "/").await;
    let mixed = oidc
        .finish("other", &callback, Some(started.browser_binding()), now)
        .await;
    assert!(matches!(mixed, Err(Error::MixedUpProvider)), "{mixed:?}");

    // A wrong or missing `iss` (the provider says it sends one).
    for iss in [Some("https://evil.example".to_owned()), None] {
        let (started, mut callback) = round(&h, &oidc, "carol", "/").await;
        callback.iss = iss;
        let wrong = oidc
            .finish("idp", &callback, Some(started.browser_binding()), now)
            .await;
        assert!(matches!(wrong, Err(Error::WrongIssuer)), "{wrong:?}");
    }

    // Unknown or malformed state.
    let junk = Callback {
        state: Some("x".repeat(300)),
        ..Callback::default()
    };
    let junk = oidc.finish("idp", &junk, Some("b"), now).await;
    assert!(matches!(junk, Err(Error::StateUnknown)), "{junk:?}");
}

#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nonce_that_is_not_the_flows_fails_the_id_token_check() {
    let provider = start_provider().await;
    let (h, oidc) = setup(&provider).await;
    let started = oidc.start("idp", "/", h.auth.now()).await.unwrap();
    // The browser is sent with another nonce (as if the request was tampered with): the
    // provider signs it into the ID token, and the flow's own nonce does not match.
    let mut tampered = started.authorize_url.clone();
    let pairs: Vec<(String, String)> = tampered
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "nonce" {
                "not-the-flows".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    let callback = authorize(&tampered, "dave").await;
    let refused = oidc
        .finish(
            "idp",
            &callback,
            Some(started.browser_binding()),
            h.auth.now(),
        )
        .await;
    match refused {
        Err(Error::Provider { step, .. }) => assert_eq!(step, "ID token"),
        other => panic!("expected the ID token check to fail, got {other:?}"),
    }
}

#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_paths_stay_on_the_site() {
    let provider = start_provider().await;
    let (h, oidc) = setup(&provider).await;
    for (asked, kept) in [
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("/auth/account", "/auth/account"),
    ] {
        let (started, callback) = round(&h, &oidc, "erin", asked).await;
        let finished = finish(&h, &oidc, &started, &callback).await;
        assert_eq!(finished.return_to, kept, "{asked}");
    }
}

#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_refuses_or_is_unknown_changes_nothing() {
    let provider = start_provider().await;
    let (h, oidc) = setup(&provider).await;
    let started = oidc.start("idp", "/", h.auth.now()).await.unwrap();
    let state = started
        .authorize_url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned());
    let denied = Callback {
        state,
        iss: Some(provider.issuer.clone()),
        error: Some("access_denied".into()),
        ..Callback::default()
    };
    let refused = oidc
        .finish(
            "idp",
            &denied,
            Some(started.browser_binding()),
            h.auth.now(),
        )
        .await;
    assert!(matches!(refused, Err(Error::Refused { .. })), "{refused:?}");
    assert!(matches!(
        oidc.start("nobody", "/", h.auth.now()).await,
        Err(Error::UnknownProvider)
    ));
    // A provider that is down cannot be discovered.
    let down = ProviderConfig::new(
        "down",
        &format!("http://127.0.0.1:{}", free_port()),
        "rp",
        None,
    );
    let http = auth_oidc::http_client().unwrap();
    assert!(matches!(
        Provider::discover(down, &format!("{APP}/down/callback"), &http).await,
        Err(Error::Provider { .. })
    ));
}

#[test]
fn trusting_mfa_and_keeping_tokens_are_off_unless_configured() {
    let base = "name=idp,issuer=https://id.example,client-id=rp";
    let plain = ProviderConfig::parse(base).unwrap();
    assert!(!plain.trust_mfa && !plain.keep_tokens);
    let both = ProviderConfig::parse(&format!("{base},trust-mfa=true,keep-tokens=true")).unwrap();
    assert!(both.trust_mfa && both.keep_tokens);
    for bad in ["trust-mfa=yes", "keep-tokens=1"] {
        let e = ProviderConfig::parse(&format!("{base},{bad}")).unwrap_err();
        assert!(e.to_string().contains("true or false"), "{e}");
    }
    // Debug shows the switches, never the secret.
    let shown = format!(
        "{:?}",
        ProviderConfig::parse(&format!("{base},client-secret=s3cret,trust-mfa=true")).unwrap()
    );
    assert!(
        shown.contains("trust_mfa: true") && !shown.contains("s3cret"),
        "{shown}"
    );
}

/// A provider without `trust_mfa` never marks an answer multi-factor. With
/// `keep_tokens`, the identity carries the provider's tokens, which the engine keeps
/// sealed and gives back: the access token opens the provider's userinfo endpoint.
#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_tokens_from_a_real_provider() {
    let provider = start_provider().await;
    let keys = auth_core::TokenKeys::new("k1", b"provider-test-identity-token-key").unwrap();
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder
            .store(store.clone())
            .identities(store.clone())
            .identity_token_keys(keys)
    });
    let http = auth_oidc::http_client().unwrap();
    let mut providers = Vec::new();
    for name in ["idp", "other"] {
        let mut config = ProviderConfig::new(name, &provider.issuer, "rp", Some("rp-secret"));
        if name == "idp" {
            config.trust_mfa = true;
            config.keep_tokens = true;
        }
        providers.push(
            Provider::discover(config, &format!("{APP}/{name}/callback"), &http)
                .await
                .unwrap(),
        );
    }
    let oidc = Oidc::new(providers, Arc::new(h.store.as_ref().clone()), http);
    let sign_in = |name: &'static str, login: &'static str| {
        let (h, oidc) = (&h, &oidc);
        async move {
            let started = oidc.start(name, "/", h.auth.now()).await.unwrap();
            let callback = authorize(&started.authorize_url, login).await;
            oidc.finish(
                name,
                &callback,
                Some(started.browser_binding()),
                h.auth.now(),
            )
            .await
            .unwrap()
        }
    };

    let carol = sign_in("idp", "carol").await.identity;
    let elsewhere = sign_in("other", "carol").await.identity;
    assert!(
        !elsewhere.multi_factor(),
        "not trusted there: {elsewhere:?}"
    );
    assert!(elsewhere.tokens().is_none(), "not kept there");

    let tokens = carol.tokens().cloned().expect("kept for idp");
    assert!(!tokens.access_token().is_empty());
    assert!(!format!("{carol:?}").contains(tokens.access_token()));
    let outcome = h
        .auth
        .sign_in_with_identity(carol, true, false, &request())
        .await
        .unwrap();
    let IdentitySignIn::Created(s) = outcome else {
        panic!("expected a new account, got {outcome:?}");
    };
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    let sealed = h
        .store
        .identity_tokens("idp", "carol")
        .await
        .unwrap()
        .expect("kept");
    assert!(sealed.starts_with("sealed:v1:k1:"), "{sealed}");
    assert!(!sealed.contains(tokens.access_token()), "{sealed}");
    let kept = h
        .auth
        .identity_tokens(&me, "idp", "carol")
        .await
        .unwrap()
        .expect("opened");
    assert_eq!(kept, tokens);
    let userinfo = reqwest::Client::new()
        .get(format!("{}/me", provider.issuer))
        .bearer_auth(kept.access_token())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 200, "the kept access token works");
    let claims: serde_json::Value = serde_json::from_str(&userinfo.text().await.unwrap()).unwrap();
    assert_eq!(claims["sub"], "carol", "{claims}");
}

/// A provider deferred while it is down: starting a sign-in fails at discovery (the web
/// layer's "unavailable", never a refusal), and keeps trying; once the provider is up,
/// the next sign-in discovers it and goes through, with no new `Oidc`.
#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_provider_is_discovered_once_it_is_up() {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder.store(store.clone()).identities(store.clone())
    });
    let http = auth_oidc::http_client().unwrap();
    let config = ProviderConfig::new("idp", &issuer, "rp", Some("rp-secret"));
    let provider = Provider::deferred(config, &format!("{APP}/idp/callback")).unwrap();
    assert!(!provider.is_discovered() && !provider.sends_iss());
    let oidc = Oidc::new(vec![provider], Arc::new(h.store.as_ref().clone()), http);
    for _ in 0..2 {
        let down = oidc.start("idp", "/", h.auth.now()).await.unwrap_err();
        assert!(
            matches!(
                down,
                Error::Provider {
                    step: auth_oidc::DISCOVERY,
                    ..
                }
            ),
            "{down:?}"
        );
        assert!(matches!(
            auth_http::ProviderFailure::from(down),
            auth_http::ProviderFailure::Unavailable(_)
        ));
    }
    // A bad configuration is still refused at once.
    let bad = ProviderConfig::new("idp", "not a url", "rp", None);
    assert!(matches!(
        Provider::deferred(bad, &format!("{APP}/idp/callback")),
        Err(Error::Config(_))
    ));

    let _provider = start_provider_on(port).await;
    let started = oidc.start("idp", "/", h.auth.now()).await.unwrap();
    assert!(
        oidc.providers().count() == 1 && started.authorize_url.as_str().starts_with(&issuer),
        "{}",
        started.authorize_url
    );
    let callback = authorize(&started.authorize_url, "alice").await;
    let finished = oidc
        .finish(
            "idp",
            &callback,
            Some(started.browser_binding()),
            h.auth.now(),
        )
        .await
        .unwrap();
    assert_eq!(finished.identity.email(), Some("alice@example.test"));
}

/// The provider's `amr`: a token showing several factors (erin: pwd, otp, mfa) marks the
/// identity multi-factor only for a provider trusted for it; a password-only one
/// (frank), or none (carol), never.
#[test_services::needs(oidc_provider)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_providers_amr_counts_only_when_trusted() {
    let provider = start_provider().await;
    let h = Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder.store(store.clone()).identities(store.clone())
    });
    let http = auth_oidc::http_client().unwrap();
    let mut providers = Vec::new();
    for name in ["idp", "other"] {
        let mut config = ProviderConfig::new(name, &provider.issuer, "rp", Some("rp-secret"));
        config.trust_mfa = name == "idp";
        providers.push(
            Provider::discover(config, &format!("{APP}/{name}/callback"), &http)
                .await
                .unwrap(),
        );
    }
    let oidc = Oidc::new(providers, Arc::new(h.store.as_ref().clone()), http);
    for (name, login, multi_factor) in [
        ("idp", "erin", true),
        ("idp", "frank", false),
        ("idp", "carol", false),
        ("other", "erin", false),
    ] {
        let started = oidc.start(name, "/", h.auth.now()).await.unwrap();
        let callback = authorize(&started.authorize_url, login).await;
        let finished = oidc
            .finish(
                name,
                &callback,
                Some(started.browser_binding()),
                h.auth.now(),
            )
            .await
            .unwrap();
        assert_eq!(
            finished.identity.multi_factor(),
            multi_factor,
            "{login} at {name}"
        );
    }
}
