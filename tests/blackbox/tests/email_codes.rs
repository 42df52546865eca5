//! Mailed one-time codes on every demo, over the JSON API and the pages: confirming an
//! address and resetting a password with the code of the mail instead of its link, bad
//! codes (wrong, non-digit, too long, superseded, used) answered 400 at the field with
//! nothing changed, unknown addresses answered like wrong codes; and sign-in by mailed
//! code or link ("magic link"), off unless the demo runs with `--email-sign-in`, the same
//! answer for every address.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::{Client, Demo, NEW_PASSWORD, PASSWORD, Resp, email, enc};
use serde_json::json;

blackbox_tests::scenarios!(
    verification_and_reset_by_mailed_code_over_json,
    verification_and_reset_by_mailed_code_on_pages,
    sign_in_by_mail_is_off_without_the_flag,
);

blackbox_tests::scenarios!(
    mod email_sign_in = ["--email-sign-in"];
    sign_in_by_mailed_code_and_by_link_over_json,
    sign_in_by_mailed_code_and_by_link_on_pages,
);

/// A code of the same form as `code` that is not it.
fn other_than(code: &str) -> String {
    let last = code.bytes().last().unwrap();
    let flipped = if last == b'9' {
        '0'
    } else {
        char::from(last + 1)
    };
    format!("{}{flipped}", &code[..code.len() - 1])
}

/// Asserts a 400 JSON error at `field`; its message.
fn refused_at(r: &Resp, field: &str, what: &str) -> String {
    assert_eq!(r.status, 400, "{what}: {}", r.body);
    let message = &r.json()["error"]["fields"][field]["message"];
    assert!(
        message.is_string(),
        "{what}: no error at {field}: {}",
        r.body
    );
    message.as_str().unwrap().to_owned()
}

/// The malformed codes every code form refuses before looking anything up.
fn malformed() -> [(String, &'static str); 3] {
    [
        ("12a45b".to_owned(), "non-digit"),
        ("1".repeat(65), "too long"),
        (String::new(), "empty"),
    ]
}

/// Registers `email` through the API; its client (not signed in).
fn register(demo: &Demo, email: &str) -> Client {
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    c
}

fn verification_and_reset_by_mailed_code_over_json(demo: &Demo) {
    let email = email("code-json", demo);
    let mut c = register(demo, &email);
    let code = demo.mailed_code(&email, "verification");

    // Bad codes: 400 at `code`; the address stays unconfirmed.
    let verify = |c: &mut Client, email: &str, code: &str| {
        c.api(
            "/auth/api/verify/code",
            json!({"email": email, "code": code}),
        )
    };
    for (bad, why) in malformed() {
        refused_at(&verify(&mut c, &email, &bad), "code", why);
    }
    let wrong = refused_at(&verify(&mut c, &email, &other_than(&code)), "code", "wrong");
    let unknown = refused_at(
        &verify(&mut c, &format!("nobody.{email}"), &code),
        "code",
        "no such account",
    );
    assert_eq!(wrong, unknown, "an unknown address reads as a wrong code");
    let mut me = demo.client();
    assert_eq!(me.api_login(&email, PASSWORD).status, 200);
    assert_eq!(
        me.get_json("/auth/api/me").json()["user"]["email_verified"],
        false,
        "not confirmed by a bad code"
    );

    // The right code confirms the address, once.
    let r = verify(&mut c, &email, &code);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["email_verified"], true, "{}", r.body);
    refused_at(&verify(&mut c, &email, &code), "code", "used twice");

    // A reset code: a newer mail supersedes the first code; bad codes change nothing.
    let reset = |c: &mut Client, email: &str, code: &str| {
        c.api(
            "/auth/api/password/reset/code",
            json!({"email": email, "code": code,
                   "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
        )
    };
    let r = c.api(
        "/auth/api/request_password_reset",
        json!({ "email": email }),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let first_link = demo.mailed_link(&email, "password_reset", "/reset/");
    let first = demo.mailed_code(&email, "password_reset");
    let r = c.api(
        "/auth/api/request_password_reset",
        json!({ "email": email }),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    demo.new_link(&email, "password_reset", "/reset/", &first_link);
    let code = demo.mailed_code(&email, "password_reset");
    if code != first {
        refused_at(&reset(&mut c, &email, &first), "code", "superseded");
    }
    for (bad, why) in malformed() {
        refused_at(&reset(&mut c, &email, &bad), "code", why);
    }
    refused_at(&reset(&mut c, &email, &other_than(&code)), "code", "wrong");
    assert_eq!(
        demo.client().api_login(&email, PASSWORD).status,
        200,
        "the password is unchanged"
    );

    let r = reset(&mut c, &email, &code);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["email"], email, "{}", r.body);
    assert_eq!(demo.client().api_login(&email, PASSWORD).status, 401);
    assert_eq!(demo.client().api_login(&email, NEW_PASSWORD).status, 200);
    assert_eq!(
        me.get_json("/auth/api/me").status,
        401,
        "a reset ends every session"
    );
    refused_at(&reset(&mut c, &email, &code), "code", "used twice");
}

fn verification_and_reset_by_mailed_code_on_pages(demo: &Demo) {
    let email = email("code-pages", demo);
    let mut c = register(demo, &email);
    let code = demo.mailed_code(&email, "verification");

    let page = c.get(&format!("/auth/verify/code?email={}", enc(&email)));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("name=\"code\""), "{}", page.body);
    for bad in [other_than(&code), "12a45b".to_owned(), "1".repeat(65)] {
        let r = c.post("/auth/verify/code", &[("email", &email), ("code", &bad)]);
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
        assert!(
            r.body.contains(&format!("value=\"{email}\"")),
            "the address is kept: {}",
            r.body
        );
    }
    let r = c.post("/auth/verify/code", &[("email", &email), ("code", &code)]);
    assert_eq!((r.status, r.location()), (303, "/auth/login"), "{}", r.body);
    c.get("/auth/verify/code");
    let r = c.post("/auth/verify/code", &[("email", &email), ("code", &code)]);
    assert_eq!(r.status, 400, "used twice: {}", r.body);

    // A reset by code on the page.
    let r = c.api(
        "/auth/api/request_password_reset",
        json!({ "email": email }),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let code = demo.mailed_code(&email, "password_reset");
    let page = c.get(&format!("/auth/reset/code?email={}", enc(&email)));
    assert_eq!(page.status, 200, "{}", page.body);
    let fields = |code: &str| {
        [
            ("email", email.clone()),
            ("code", code.to_owned()),
            ("password", NEW_PASSWORD.to_owned()),
            ("password_confirm", NEW_PASSWORD.to_owned()),
        ]
    };
    let post = |c: &mut Client, f: &[(&str, String)]| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post("/auth/reset/code", &f)
    };
    for bad in [other_than(&code), "12a45b".to_owned(), "1".repeat(65)] {
        let r = post(&mut c, &fields(&bad));
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
    }
    assert_eq!(
        demo.client().login(&email, PASSWORD).location(),
        "/",
        "the password is unchanged"
    );
    let r = post(&mut c, &fields(&code));
    assert_eq!((r.status, r.location()), (303, "/auth/login"), "{}", r.body);
    assert_eq!(demo.client().login(&email, NEW_PASSWORD).location(), "/");
    c.get("/auth/reset/code");
    let r = post(&mut c, &fields(&code));
    assert_eq!(r.status, 400, "used twice: {}", r.body);
}

fn sign_in_by_mail_is_off_without_the_flag(demo: &Demo) {
    let email = email("mail-sign-in-off", demo);
    demo.create_user(&email, false, true);
    let mut c = demo.client();
    let login = c.get("/auth/login");
    assert_eq!(login.status, 200);
    assert!(
        !login.body.contains("/auth/login/email"),
        "no link to sign-in by mail: {}",
        login.body
    );
    for path in ["/auth/login/email", "/auth/login/email/code"] {
        assert_eq!(c.get(path).status, 404, "{path}");
    }
    let r = c.post("/auth/login/email", &[("email", &email)]);
    assert_eq!(r.status, 404, "{}", r.body);
    for (path, body) in [
        ("/auth/api/login/email", json!({ "email": email })),
        (
            "/auth/api/login/email/code",
            json!({"email": email, "code": "123456"}),
        ),
        ("/auth/api/login/email/link", json!({"token": "abc"})),
    ] {
        let r = c.api(path, body);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert_eq!(r.error_code(), "not_found", "{path}");
    }
    assert_eq!(demo.mail_count(&email, "sign_in_code"), 0);
}

/// Asks for a sign-in mail over the API; asserts the answer every address gets.
fn ask_for_sign_in_mail(c: &mut Client, email: &str) -> serde_json::Value {
    let r = c.api("/auth/api/login/email", json!({ "email": email }));
    assert_eq!(r.status, 202, "{}", r.body);
    r.json()
}

fn sign_in_by_mailed_code_and_by_link_over_json(demo: &Demo) {
    let email = email("mail-sign-in-json", demo);
    demo.create_user(&email, false, true);
    let mut c = demo.client();
    let known = ask_for_sign_in_mail(&mut c, &email);
    let unknown = ask_for_sign_in_mail(&mut demo.client(), &format!("nobody.{email}"));
    assert_eq!(known, unknown, "the same answer for every address");
    let link = demo.mailed_link(&email, "sign_in_code", "/login/email/");
    let code = demo.mailed_code(&email, "sign_in_code");

    let by_code = |c: &mut Client, email: &str, code: &str| {
        c.api(
            "/auth/api/login/email/code",
            json!({"email": email, "code": code}),
        )
    };
    for (bad, why) in malformed() {
        refused_at(&by_code(&mut c, &email, &bad), "code", why);
    }
    let wrong = refused_at(
        &by_code(&mut c, &email, &other_than(&code)),
        "code",
        "wrong",
    );
    let nobody = refused_at(
        &by_code(&mut c, &format!("nobody.{email}"), &code),
        "code",
        "unknown address",
    );
    assert_eq!(wrong, nobody, "an unknown address reads as a wrong code");
    assert_eq!(c.get_json("/auth/api/me").status, 401, "nothing signed in");

    let r = by_code(&mut c, &email, &code);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["email"], email);
    let me = c.get_json("/auth/api/me");
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["session"]["amr"], json!(["email_code"]));
    refused_at(
        &by_code(&mut demo.client(), &email, &code),
        "code",
        "used twice",
    );
    // The code's mail's link died with it.
    let token = link.rsplit('/').next().unwrap();
    let r = demo
        .client()
        .api("/auth/api/login/email/link", json!({ "token": token }));
    refused_at(&r, "token", "the used code's link");

    // A magic link from a new mail: once.
    ask_for_sign_in_mail(&mut c, &email);
    let link = demo.new_link(&email, "sign_in_code", "/login/email/", &link);
    let token = link.rsplit('/').next().unwrap().to_owned();
    let mut d = demo.client();
    let r = d.api("/auth/api/login/email/link", json!({ "token": token }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        d.get_json("/auth/api/me").json()["session"]["amr"],
        json!(["magic_link"])
    );
    let r = demo
        .client()
        .api("/auth/api/login/email/link", json!({ "token": token }));
    refused_at(&r, "token", "a link used twice");
    let r = demo.client().api(
        "/auth/api/login/email/link",
        json!({ "token": "not a token" }),
    );
    refused_at(&r, "token", "a malformed link");
}

fn sign_in_by_mailed_code_and_by_link_on_pages(demo: &Demo) {
    let email = email("mail-sign-in-pages", demo);
    demo.create_user(&email, false, true);
    let mut c = demo.client();
    let login = c.get("/auth/login");
    assert!(
        login.body.contains("/auth/login/email"),
        "the sign-in page links to sign-in by mail: {}",
        login.body
    );
    assert_eq!(c.get("/auth/login/email").status, 200);
    let known = c.post("/auth/login/email", &[("email", &email)]);
    assert_eq!(known.status, 200, "{}", known.body);
    assert!(known.body.contains("Check your inbox"), "{}", known.body);
    let nobody = format!("nobody.{email}");
    let mut other = demo.client();
    other.get("/auth/login/email");
    let unknown = other.post("/auth/login/email", &[("email", &nobody)]);
    assert_eq!(
        unknown.body.replace(&enc(&nobody), "").replace(&nobody, ""),
        known.body.replace(&enc(&email), "").replace(&email, ""),
        "the same page for every address, but for the address itself"
    );

    // The code: a wrong one asks again at the field, the right one signs in.
    let code = demo.mailed_code(&email, "sign_in_code");
    let link = demo.mailed_link(&email, "sign_in_code", "/login/email/");
    let page = c.get(&format!("/auth/login/email/code?email={}", enc(&email)));
    assert_eq!(page.status, 200, "{}", page.body);
    let r = c.post(
        "/auth/login/email/code",
        &[("email", &email), ("code", &other_than(&code))],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
    assert_eq!(c.get_json("/auth/api/me").status, 401);
    let r = c.post(
        "/auth/login/email/code",
        &[("email", &email), ("code", &code)],
    );
    assert_eq!((r.status, r.location()), (303, "/"), "{}", r.body);
    assert_eq!(c.get_json("/auth/api/me").status, 200);

    // The link of a new mail: opening it signs nobody in; the button does, once.
    let mut d = demo.client();
    d.get("/auth/login/email");
    d.post("/auth/login/email", &[("email", &email)]);
    let link = demo.new_link(&email, "sign_in_code", "/login/email/", &link);
    let r = d.get(&demo.path_of(&link));
    assert_eq!(
        (r.status, r.location()),
        (303, "/auth/login/email/link"),
        "{}",
        r.body
    );
    let page = d.follow(&r);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        d.get_json("/auth/api/me").status,
        401,
        "opening is not signing in"
    );
    let r = d.post("/auth/login/email/link", &[]);
    assert_eq!((r.status, r.location()), (303, "/"), "{}", r.body);
    assert_eq!(d.get_json("/auth/api/me").status, 200);

    let mut e = demo.client();
    let r = e.get(&demo.path_of(&link));
    let page = e.follow(&r);
    assert_eq!(page.status, 200, "{}", page.body);
    let r = e.post("/auth/login/email/link", &[]);
    assert_eq!(r.status, 400, "a used link: {}", r.body);
    assert!(r.body.contains("cannot be used"), "{}", r.body);
    assert_eq!(e.get_json("/auth/api/me").status, 401);
}
