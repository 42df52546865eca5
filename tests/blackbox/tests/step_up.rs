//! Step-up and second factors required by role, on every demo: on a demo started with a
//! short `--step-up-max-age`, a sensitive action with a stale proof is refused (JSON 403
//! `reauthentication_required`, a page sent to `/auth/reauth`) and passes after
//! re-authenticating (`POST /auth/api/reauth`, the `/auth/reauth` page), with the
//! password, or with a code for an account with a second factor; on a demo started with
//! `--require-second-factor-role admin`, an administrator without a second factor is
//! sent to enrolment after the password and refused everything else (403
//! `second_factor_enrolment_required`), by session, bearer token and API key alike, until
//! enrolled.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::time::Duration;

use blackbox_tests::{Body, Client, Demo, NEW_PASSWORD, PASSWORD, Resp, email};
use serde_json::json;

/// The demos' `--step-up-max-age` here (the flag takes a number and a unit, 1s to 30d).
const MAX_AGE: Duration = Duration::from_secs(3);

blackbox_tests::scenarios!(
    mod step_up = ["--step-up-max-age", "3s"];
    an_administrators_action_needs_a_recent_password,
    with_a_second_factor_a_stale_session_needs_a_code,
);

blackbox_tests::scenarios!(
    mod enforced = ["--require-second-factor-role", "admin"];
    an_admin_without_a_second_factor_reaches_only_enrolment,
    keys_and_bearer_tokens_wait_for_enrolment_too,
);

/// Codes an authenticator app shows for one account's secret, never for a time step the
/// account already used (the demo refuses a step used once, whatever the secret).
struct App {
    totp: totp_rs::Totp,
    used: Vec<u64>,
}

impl App {
    fn new(secret: &str) -> Self {
        App {
            totp: totp(secret),
            used: Vec::new(),
        }
    }

    /// The app set up again with the account's new secret.
    fn renewed(self, secret: &str) -> Self {
        App {
            totp: totp(secret),
            used: self.used,
        }
    }

    /// The code of an unused time step the demo accepts now (one step of skew either
    /// way), waiting for the next step when all three are used.
    fn code(&mut self) -> String {
        loop {
            let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
            let step = now / 30;
            if let Some(s) = [step, step + 1, step - 1]
                .into_iter()
                .find(|s| !self.used.contains(s))
            {
                self.used.push(s);
                return self.totp.generate(s * 30).to_string();
            }
            std::thread::sleep(Duration::from_secs(30 - now % 30 + 1));
        }
    }
}

fn totp(secret: &str) -> totp_rs::Totp {
    let secret = totp_rs::Secret::try_from_base32(secret.replace(' ', "")).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap()
}

/// Waits until the session's proof is older than [`MAX_AGE`].
fn outwait_the_proof() {
    std::thread::sleep(MAX_AGE + Duration::from_millis(400));
}

fn assert_reauth_required(r: &Resp, what: &str) {
    assert_eq!(r.status, 403, "{what}: {}", r.body);
    assert_eq!(r.error_code(), "reauthentication_required", "{what}");
}

fn assert_enrolment_required(r: &Resp, what: &str) {
    assert_eq!(r.status, 403, "{what}: {}", r.body);
    assert_eq!(r.error_code(), "second_factor_enrolment_required", "{what}");
}

/// The id of `email`'s account, as an administrator's client lists it.
fn user_id(admin: &mut Client, email: &str) -> String {
    let r = admin.get_json(&format!(
        "/auth/api/admin/users?q={}",
        blackbox_tests::enc(email)
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["users"][0]["id"].as_str().unwrap().to_owned()
}

/// The next page as a query value, as the demos encode it.
fn encoded(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn an_administrators_action_needs_a_recent_password(demo: &Demo) {
    let root = email("step-up-root", demo);
    let bob = email("step-up-bob", demo);
    demo.create_user(&root, true, true);
    demo.create_user(&bob, false, true);
    let mut c = demo.client();
    assert_eq!(c.api_login(&root, PASSWORD).status, 200);
    let id = user_id(&mut c, &bob);
    let unlock = format!("/auth/api/admin/users/{id}/unlock");
    let r = c.api(&unlock, json!({}));
    assert!(r.status < 300, "a fresh sign-in: {} {}", r.status, r.body);

    outwait_the_proof();
    assert_reauth_required(&c.api(&unlock, json!({})), "a stale proof");
    let r = c.api("/auth/api/reauth", json!({"password": "not it"}));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["password"].is_object(),
        "{}",
        r.body
    );
    assert_reauth_required(&c.api(&unlock, json!({})), "a wrong password");
    let r = c.api("/auth/api/reauth", json!({ "password": PASSWORD }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["fresh_until"].is_string(), "{}", r.body);
    let r = c.api(&unlock, json!({}));
    assert!(r.status < 300, "re-authenticated: {} {}", r.status, r.body);

    // The pages: the action sends the stale session to /auth/reauth and back.
    outwait_the_proof();
    let page = format!("/auth/admin/users/{id}");
    c.get(&page);
    let r = c.post(&format!("{page}/unlock"), &[]);
    assert_eq!(
        (r.status, r.location()),
        (
            303,
            format!("/auth/reauth?next={}", encoded(&page)).as_str()
        ),
        "{}",
        r.body
    );
    let form = c.follow(&r);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"password\""), "{}", form.body);
    let r = c.post("/auth/reauth", &[("password", "not it"), ("next", &page)]);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
    let r = c.post("/auth/reauth", &[("password", PASSWORD), ("next", &page)]);
    assert_eq!((r.status, r.location()), (303, page.as_str()), "{}", r.body);
    c.get(&page);
    let r = c.post(&format!("{page}/unlock"), &[]);
    assert_eq!((r.status, r.location()), (303, page.as_str()), "{}", r.body);
}

/// Creates `email` and enrols an authenticator app for it over the API; its app.
fn enrolled(demo: &Demo, email: &str) -> App {
    demo.create_user(email, false, true);
    let mut me = demo.client();
    assert_eq!(me.api_login(email, PASSWORD).status, 200);
    let r = me.api("/auth/api/account/second_factor/totp/start", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let mut app = App::new(r.json()["secret"].as_str().unwrap());
    let r = me.api(
        "/auth/api/account/second_factor/totp/finish",
        json!({ "code": app.code() }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    app
}

fn with_a_second_factor_a_stale_session_needs_a_code(demo: &Demo) {
    let email = email("step-up-code", demo);
    let mut app = enrolled(demo, &email);
    let mut c = demo.client();
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 202, "{}", r.body);
    let pending = r.json()["pending"].as_str().unwrap().to_owned();
    let r = c.api(
        "/auth/api/login/second_factor",
        json!({"pending": pending, "code": app.code()}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    let change = |password: &str, new: &str| json!({"current_password": password, "password": new, "password_confirm": new});
    outwait_the_proof();
    assert_reauth_required(
        &c.api("/auth/api/account/password", change(PASSWORD, NEW_PASSWORD)),
        "the current password alone is not enough with a second factor",
    );
    let r = c.api("/auth/api/reauth", json!({ "password": PASSWORD }));
    assert_eq!(r.status, 400, "a password does not step up: {}", r.body);
    assert!(
        r.json()["error"]["fields"]["code"].is_object(),
        "{}",
        r.body
    );
    let r = c.api("/auth/api/reauth", json!({"code": "12a456"}));
    assert_eq!(r.status, 400, "{}", r.body);
    let r = c.api("/auth/api/reauth", json!({ "code": app.code() }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.json()["session"]["amr"]
            .as_array()
            .unwrap()
            .contains(&json!("otp")),
        "{}",
        r.body
    );
    let r = c.api("/auth/api/account/password", change(PASSWORD, NEW_PASSWORD));
    assert_eq!(r.status, 200, "re-authenticated: {}", r.body);

    // The pages: the password form sends the stale session to /auth/reauth, which asks
    // for a code, then back to the form.
    outwait_the_proof();
    let page = "/auth/account/password";
    c.get(page);
    let fields = [
        ("current_password", NEW_PASSWORD),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    let r = c.post(page, &fields);
    assert_eq!(
        (r.status, r.location()),
        (303, format!("/auth/reauth?next={}", encoded(page)).as_str()),
        "{}",
        r.body
    );
    let form = c.follow(&r);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"code\""), "{}", form.body);
    assert!(!form.body.contains("name=\"password\""), "{}", form.body);
    let r = c.post("/auth/reauth", &[("code", &app.code()), ("next", page)]);
    assert_eq!((r.status, r.location()), (303, page), "{}", r.body);
    c.get(page);
    let r = c.post(page, &fields);
    assert_eq!(
        (r.status, r.location()),
        (303, "/auth/account"),
        "{}",
        r.body
    );
    let mut d = demo.client();
    assert_eq!(d.api_login(&email, PASSWORD).status, 202, "changed back");
}

fn an_admin_without_a_second_factor_reaches_only_enrolment(demo: &Demo) {
    let root = email("enforced-root", demo);
    let ada = email("enforced-ada", demo);
    demo.create_user(&root, true, true);
    demo.create_user(&ada, false, true);
    assert_eq!(
        demo.client().login(&ada, PASSWORD).location(),
        "/",
        "other roles sign in as before"
    );

    let mut c = demo.client();
    let r = c.login(&root, PASSWORD);
    assert_eq!(
        (r.status, r.location()),
        (303, "/auth/account/second_factor"),
        "{}",
        r.body
    );
    for path in ["/dashboard", "/auth/account", "/auth/admin"] {
        let r = c.get(path);
        assert_eq!(
            (r.status, r.location()),
            (303, "/auth/account/second_factor"),
            "{path}"
        );
    }
    for path in ["/dashboard", "/auth/api/me", "/auth/api/admin/users"] {
        assert_enrolment_required(&c.get_json(path), path);
    }
    assert_enrolment_required(
        &c.api(
            "/auth/api/account/api_keys",
            json!({"name": "x", "scopes": ["read:profile"]}),
        ),
        "creating an API key",
    );

    // Enrolment by the pages is reachable; then everything is.
    let page = c.get("/auth/account/second_factor");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = c.post("/auth/account/second_factor/enrol", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    let from = r.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let secret = &r.body[from..from + r.body[from..].find("</code>").unwrap()];
    let mut app = App::new(secret);
    let r = c.post(
        "/auth/account/second_factor/enrol/finish",
        &[("code", &app.code())],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(c.get_json("/auth/api/me").status, 200);
    assert_eq!(c.get_json("/auth/api/admin/users").status, 200);
    assert_eq!(c.get("/auth/account").status, 200);
    let r = c.get("/dashboard");
    assert_eq!(r.status, 200, "{}", r.body);
}

/// `GET path` as a program: no cookies, `Authorization` as given, asking for JSON.
fn get_with(demo: &Demo, path: &str, authorization: &str) -> Resp {
    let mut c = demo.client();
    c.send(
        "GET",
        path,
        Body::None,
        &[
            ("Authorization", authorization),
            ("Accept", "application/json"),
        ],
    )
}

/// `POST path` with a JSON body as a program holding a bearer token.
fn post_with(demo: &Demo, path: &str, token: &str, body: &serde_json::Value) -> Resp {
    let mut c = demo.client();
    let authorization = format!("Bearer {token}");
    c.send(
        "POST",
        path,
        Body::Json(body),
        &[
            ("Authorization", authorization.as_str()),
            ("Accept", "application/json"),
        ],
    )
}

fn keys_and_bearer_tokens_wait_for_enrolment_too(demo: &Demo) {
    let root = email("enforced-keys", demo);
    demo.create_user(&root, true, true);
    let r = demo.client().api(
        "/auth/api/login",
        json!({"login": root, "password": PASSWORD, "token_mode": "bearer"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["second_factor_enrolment_required"],
        true,
        "{}",
        r.body
    );
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {token}");
    assert_enrolment_required(&get_with(demo, "/auth/api/me", &bearer), "a bearer token");
    assert_enrolment_required(&get_with(demo, "/whoami", &bearer), "a bearer token");
    let r = get_with(demo, "/auth/api/account/second_factor", &bearer);
    assert_eq!(r.status, 200, "enrolment is reachable: {}", r.body);

    // Enrolled by the bearer token: it opens everything, and can make an API key.
    let start = "/auth/api/account/second_factor/totp/start";
    let r = post_with(demo, start, &token, &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let mut app = App::new(r.json()["secret"].as_str().unwrap());
    let finish = "/auth/api/account/second_factor/totp/finish";
    let r = post_with(demo, finish, &token, &json!({ "code": app.code() }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(get_with(demo, "/auth/api/me", &bearer).status, 200);
    let r = post_with(
        demo,
        "/auth/api/account/api_keys",
        &token,
        &json!({"name": "deploy", "scopes": ["read:profile"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let key = format!("Bearer {}", r.json()["key"].as_str().unwrap());
    let r = get_with(demo, "/whoami", &key);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["via"], "api_key");

    // The factor removed, the key and the token wait for a new enrolment.
    let r = post_with(
        demo,
        "/auth/api/account/second_factor/disable",
        &token,
        &json!({"password": PASSWORD, "code": app.code()}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_enrolment_required(&get_with(demo, "/whoami", &key), "an API key");
    assert_enrolment_required(&get_with(demo, "/auth/api/me", &bearer), "a bearer token");
    let r = post_with(demo, start, &token, &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let mut app = app.renewed(r.json()["secret"].as_str().unwrap());
    let r = post_with(demo, finish, &token, &json!({ "code": app.code() }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        get_with(demo, "/whoami", &key).status,
        200,
        "enrolled again"
    );
}
