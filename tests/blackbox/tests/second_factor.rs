//! Second factors on every demo, over the JSON API and over the pages: enrolment of an
//! authenticator app, the two-step sign-in (no session before the code), replay refusal,
//! a recovery code used once (and mailed about), bad codes answered with the field, and
//! removal.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::{Demo, PASSWORD, email};
use serde_json::json;

blackbox_tests::scenarios!(
    two_step_sign_in_with_an_authenticator_app,
    two_step_sign_in_by_page,
);

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

fn two_step_sign_in_with_an_authenticator_app(demo: &Demo) {
    let email = email("second-factor", demo);
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let token = demo.mailed_token(&email, "verification", "/verify/");
    assert_eq!(
        c.api("/auth/api/verify", json!({ "token": token })).status,
        200
    );
    let mut me = demo.client();
    assert_eq!(
        me.api_login(&email, PASSWORD).status,
        200,
        "one step before enrolment"
    );

    let r = me.api("/auth/api/account/second_factor/totp/start", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let secret = r.json()["secret"].as_str().unwrap().to_owned();
    let r = me.api(
        "/auth/api/account/second_factor/totp/finish",
        json!({"code": "12345x"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["code"].is_object(),
        "{}",
        r.body
    );
    let r = me.api(
        "/auth/api/account/second_factor/totp/finish",
        json!({"code": code(&secret, 0)}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let recovery: Vec<String> = serde_json::from_value(r.json()["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);

    // The password alone gives a pending sign-in, not a session.
    let mut c = demo.client();
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 202, "{}", r.body);
    let pending = r.json()["pending"].as_str().unwrap().to_owned();
    assert_eq!(c.get_json("/auth/api/me").status, 401);
    let next = code(&secret, 1);
    let r = c.api(
        "/auth/api/login/second_factor",
        json!({"pending": pending, "code": next}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(c.get_json("/auth/api/me").status, 200);

    // The same code again is refused, and so is the spent pending sign-in.
    let mut c = demo.client();
    let pending2 = c.api_login(&email, PASSWORD).json()["pending"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = c.api(
        "/auth/api/login/second_factor",
        json!({"pending": pending2, "code": next}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["code"].is_object(),
        "{}",
        r.body
    );
    let r = c.api(
        "/auth/api/login/second_factor",
        json!({"pending": pending, "code": code(&secret, 0)}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["pending"].is_object(),
        "{}",
        r.body
    );

    // A recovery code, once.
    let r = c.api(
        "/auth/api/login/second_factor",
        json!({"pending": pending2, "code": recovery[0]}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = c.get_json("/auth/api/account/second_factor");
    assert_eq!(r.json()["recovery_codes_left"], 9);

    // Removal needs the password and a code; then one step again.
    let r = me.api(
        "/auth/api/account/second_factor/disable",
        json!({"password": PASSWORD, "code": recovery[0]}),
    );
    assert_eq!(r.status, 400, "a used recovery code: {}", r.body);
    let r = me.api(
        "/auth/api/account/second_factor/disable",
        json!({"password": PASSWORD, "code": recovery[1]}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(demo.client().api_login(&email, PASSWORD).status, 200);
}

/// The text between `start` and the next `end` after it in `body`.
fn between<'b>(body: &'b str, start: &str, end: &str) -> &'b str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {body}"))
        + start.len();
    let len = body[from..].find(end).unwrap();
    &body[from..from + len]
}

fn two_step_sign_in_by_page(demo: &Demo) {
    let email = email("second-factor-pages", demo);
    demo.create_user(&email, false, true);
    let mut me = demo.client();
    assert_eq!(me.login(&email, PASSWORD).status, 303);
    me.get("/auth/account/second_factor");
    let r = me.post("/auth/account/second_factor/enrol", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<svg class=\"qr\""), "{}", r.body);
    let secret = between(&r.body, "<code class=\"secret\">", "</code>").replace(' ', "");
    let r = me.post(
        "/auth/account/second_factor/enrol/finish",
        &[("code", &code(&secret, 0))],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let joined = between(&r.body, "name=\"codes\" value=\"", "\"").to_owned();
    let recovery: Vec<&str> = joined.split(' ').collect();
    assert_eq!(recovery.len(), 10, "{joined}");

    // The password alone: a pending sign-in in a cookie, no session; then the code.
    let mut c = demo.client();
    let r = c.login(&email, PASSWORD);
    assert_eq!(
        (r.status, r.location()),
        (303, "/auth/login/second_factor"),
        "{}",
        r.body
    );
    assert!(r.set_cookie("auth_pending").is_some(), "{:?}", r.headers);
    assert_eq!(c.get_json("/auth/api/me").status, 401);
    c.get("/auth/login/second_factor");
    let next = code(&secret, 1);
    let r = c.post("/auth/login/second_factor", &[("code", &next)]);
    assert_eq!((r.status, r.location()), (303, "/"), "{}", r.body);
    assert_eq!(c.get_json("/auth/api/me").status, 200);

    // The same code again is refused; a recovery code works, once, and is mailed about.
    let mut d = demo.client();
    d.login(&email, PASSWORD);
    d.get("/auth/login/second_factor");
    let r = d.post("/auth/login/second_factor", &[("code", &next)]);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("already used"), "{}", r.body);
    assert_eq!(d.get_json("/auth/api/me").status, 401);
    let r = d.post(
        "/auth/login/second_factor",
        &[("code", recovery[0]), ("use", "recovery")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(d.get_json("/auth/api/me").status, 200);
    demo.mail(&email, "recovery_code_used");
    assert!(
        me.get("/auth/account/second_factor")
            .body
            .contains("9 of 10")
    );

    // Off again with the password and a code: one step.
    let r = me.post(
        "/auth/account/second_factor/disable",
        &[("password", PASSWORD), ("code", recovery[1])],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    demo.mail(&email, "second_factor_disabled");
    assert_eq!(demo.client().login(&email, PASSWORD).location(), "/");
}
