//! The JSON API of second factors: enrolment, the two-step sign-in, replay refusal,
//! recovery codes and removal, with bad input answered by field errors.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use auth_http::testkit::{PASSWORD, Site};
use http::{Method, StatusCode};
use serde_json::{Value, json};

/// The code an authenticator app shows for `secret` (base32), `steps` steps from now.
fn code(secret: &str, steps: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() + steps * 30;
    totp.generate(u64::try_from(now).unwrap()).to_string()
}

#[tokio::test]
async fn enrol_sign_in_in_two_steps_refuse_replays_use_a_recovery_code_and_disable() {
    let site = Site::layer();
    site.user("tess@example.com", &[], true).await;
    let mut me = site.browser();
    let p = me.api_login("tess@example.com", PASSWORD).await;
    assert_eq!(
        p.status,
        StatusCode::OK,
        "no second factor: one step, as before"
    );

    let p = me
        .json(Method::GET, "/auth/api/account/second_factor", Value::Null)
        .await;
    assert_eq!(p.json()["enabled"], false);
    let p = me
        .api("/auth/api/account/second_factor/totp/start", json!({}))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let secret = p.json()["secret"].as_str().unwrap().to_owned();
    assert!(
        p.json()["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    for (bad, why) in [("12a456", "non-digit"), ("123", "short"), ("", "empty")] {
        let p = me
            .api(
                "/auth/api/account/second_factor/totp/finish",
                json!({"code": bad}),
            )
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{why}: {}", p.body);
        assert!(p.json()["error"]["fields"]["code"].is_object(), "{why}");
    }
    let p = me
        .api(
            "/auth/api/account/second_factor/totp/finish",
            json!({"code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let recovery: Vec<String> = serde_json::from_value(p.json()["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);
    let p = me
        .json(Method::GET, "/auth/api/account/second_factor", Value::Null)
        .await;
    assert_eq!(p.json()["enabled"], true);
    assert_eq!(p.json()["recovery_codes_left"], 10);

    // The password alone: 202 with a pending token, no session cookie, nothing signed in.
    let mut other = site.browser();
    let p = other.api_login("tess@example.com", PASSWORD).await;
    assert_eq!(p.status, StatusCode::ACCEPTED, "{}", p.body);
    assert_eq!(p.json()["second_factor_required"], true);
    let pending = p.json()["pending"].as_str().unwrap().to_owned();
    assert_eq!(
        other
            .json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // The enrolment's own code was used; the next step's is fresh.
    let next = code(&secret, 1);
    let p = other
        .api(
            "/auth/api/login/second_factor",
            json!({"pending": pending, "code": next}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(
        other
            .json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::OK
    );

    // Replaying the code, or the pending token, is refused with the field that is wrong.
    let mut third = site.browser();
    let p = third.api_login("tess@example.com", PASSWORD).await;
    let pending2 = p.json()["pending"].as_str().unwrap().to_owned();
    let p = third
        .api(
            "/auth/api/login/second_factor",
            json!({"pending": pending2, "code": next}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.json()["error"]["fields"]["code"].is_object(),
        "{}",
        p.body
    );
    let p = third
        .api(
            "/auth/api/login/second_factor",
            json!({"pending": pending, "code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.json()["error"]["fields"]["pending"].is_object(),
        "{}",
        p.body
    );

    // A recovery code instead of the app, once.
    let p = third
        .api(
            "/auth/api/login/second_factor",
            json!({"pending": pending2, "code": recovery[0]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = third
        .json(Method::GET, "/auth/api/account/second_factor", Value::Null)
        .await;
    assert_eq!(p.json()["recovery_codes_left"], 9);

    // Removing it needs the password and a code.
    let p = me
        .api(
            "/auth/api/account/second_factor/disable",
            json!({"password": "wrong password", "code": recovery[1]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.json()["error"]["fields"]["password"].is_object());
    let p = me
        .api(
            "/auth/api/account/second_factor/disable",
            json!({"password": PASSWORD, "code": recovery[1]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = site.browser().api_login("tess@example.com", PASSWORD).await;
    assert_eq!(p.status, StatusCode::OK, "one step again");
}
