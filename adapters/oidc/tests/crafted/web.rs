//! Through the web layer (`auth-http`'s routes, in-process): a provider that is down
//! answers 502 and changes nothing; the start route is rate limited per client.

use std::sync::Arc;
use std::time::Duration;

use auth_core::conformance::engine::{Engine, config};
use auth_core::{RateLimit, RateLimits, UserStore as _};
use auth_http::AuthWeb;
use auth_http::testkit::{Browser, LayerOnly};
use auth_oidc::ProviderConfig;
use auth_store_memory::MemoryStore;
use http::StatusCode;

use crate::{oidc_of, param};

/// The web layer at `/auth` with the provider `idp` at a stand-in whose token endpoint
/// is `token_endpoint`, over an engine configured by `configure`.
async fn site(
    token_endpoint: String,
    configure: impl FnOnce(auth_core::ConfigBuilder) -> auth_core::ConfigBuilder,
) -> (Engine<Arc<MemoryStore>>, Browser<LayerOnly>, crate::StandIn) {
    let stand_in = crate::stand_in::oidc(str::to_owned, move |_| token_endpoint).await;
    let config_of = ProviderConfig::new("idp", &stand_in.base, "rp", Some("rp-secret"));
    let oidc = oidc_of(vec![config_of], crate::http(Duration::from_secs(2)))
        .await
        .unwrap();
    let h = Engine::wired(Arc::new(MemoryStore::new()), configure(config()), |b, s| {
        b.store(s.clone()).identities(s.clone())
    });
    let web = AuthWeb::builder(h.auth.clone())
        .insecure_dev_cookies(true)
        .secret(vec![7u8; 32])
        .sign_in_providers(Arc::new(oidc))
        .build()
        .unwrap();
    let mut browser = Browser::new(LayerOnly::new(web));
    "app.test".clone_into(&mut browser.host);
    (h, browser, stand_in)
}

#[tokio::test]
async fn a_provider_that_is_down_gets_a_502_and_changes_nothing() {
    let (h, mut browser, stand_in) = site(crate::stand_in::dead_address(), |c| c).await;
    for json in [false, true] {
        let to = if json {
            let start = browser
                .json(
                    http::Method::POST,
                    "/auth/api/oidc/idp/start",
                    serde_json::json!({}),
                )
                .await;
            assert_eq!(start.status, StatusCode::OK, "{}", start.body);
            start.json()["url"].as_str().unwrap().to_owned()
        } else {
            let start = browser.get("/auth/oidc/idp/start").await;
            assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
            start.location().to_owned()
        };
        let to = url::Url::parse(&to).unwrap();
        assert!(to.as_str().starts_with(&stand_in.base), "{to}");
        let state = param(&to, "state").unwrap();
        let answer = if json {
            let body = serde_json::json!({
                "state": state,
                "code": "the-code",
                "iss": stand_in.base,
            });
            browser
                .json(http::Method::POST, "/auth/api/oidc/idp/callback", body)
                .await
        } else {
            let iss: String =
                url::form_urlencoded::byte_serialize(stand_in.base.as_bytes()).collect();
            let query = format!("state={state}&code=the-code&iss={iss}");
            browser
                .get(&format!("/auth/oidc/idp/callback?{query}"))
                .await
        };
        assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.body);
        if json {
            assert_eq!(answer.error_code(), "provider_unavailable");
        } else {
            assert!(
                answer.body.contains("could not be reached"),
                "{}",
                answer.body
            );
        }
        assert_eq!(answer.header("retry-after"), "5");
        assert_eq!(browser.session(), None, "no session");
    }
    assert!(
        h.store
            .user_by_email("grace@example.test")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_start_route_is_rate_limited_per_client() {
    let limits = RateLimits {
        login_per_ip: RateLimit::new(3, time::Duration::minutes(1)),
        ..RateLimits::default()
    };
    let (_h, mut browser, stand_in) = site(String::from("http://127.0.0.1:9/token"), |c| {
        c.rate_limits(limits)
    })
    .await;
    for _ in 0..3 {
        let start = browser.get("/auth/oidc/idp/start").await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
        assert!(start.location().starts_with(&stand_in.base));
    }
    let limited = browser.get("/auth/oidc/idp/start").await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert!(
        limited
            .header("retry-after")
            .parse::<u32>()
            .is_ok_and(|s| s > 0)
    );
    assert_eq!(limited.set_cookie("auth_oidc"), None, "no flow started");
    let api = browser
        .json(
            http::Method::POST,
            "/auth/api/oidc/idp/start",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS, "{}", api.body);
    assert_eq!(api.error_code(), "rate_limited");
    // Another client is not limited by this one.
    let mut other = Browser::new(
        browser
            .transport()
            .clone()
            .from_peer(Some("198.51.100.9".parse().unwrap())),
    );
    "app.test".clone_into(&mut other.host);
    let start = other.get("/auth/oidc/idp/start").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
}
