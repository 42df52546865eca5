//! Two-step sign-in in a real browser (headless Chromium through chromedriver), once per
//! framework: enrol an authenticator app from the account pages (the QR code drawn, a
//! malformed code refused at its field, the recovery codes shown), sign out, sign in with
//! the password (a code page, not a session) and a code from the app; the same code
//! again refused; a recovery code instead, once. Skipped in a build without Chromium and
//! chromedriver; a failure under `CI`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use auth_http::testkit::authenticator_code as code;
use blackbox_tests::webdriver::{Browser, browser_tools};
use blackbox_tests::{Backend, Demo, Framework, Mode, PASSWORD, email};

macro_rules! frameworks {
    ($($module:ident => $framework:ident),*) => {
        $(
            mod $module {
                #[test_services::needs(chromium, chromedriver)]
                #[test]
                fn enrol_and_sign_in_in_two_steps_in_a_real_browser() {
                    crate::two_steps(blackbox_tests::Framework::$framework);
                }
            }
        )*
    };
}

frameworks!(axum => Axum, poem => Poem, rocket => Rocket);

/// The text between `start` and the next `end` in the page's source.
fn between(b: &Browser, start: &str, end: &str) -> String {
    let source = b.source();
    let from = source
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {source}"))
        + start.len();
    let len = source[from..].find(end).unwrap();
    source[from..from + len].to_owned()
}

fn sign_in_with_password(b: &Browser, base: &str, email: &str) {
    b.goto(&format!("{base}/auth/login"));
    b.wait_for_heading("Sign in");
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
}

fn sign_out(b: &Browser) {
    b.click("header form button[type=submit]");
    b.wait_for_text("Create an account");
}

fn two_steps(framework: Framework) {
    let test = format!(
        "{}::enrol_and_sign_in_in_two_steps_in_a_real_browser",
        framework.name()
    );
    let (chromium, driver) = browser_tools(&test);
    let demo = Demo::start(framework, Backend::Sqlite, Mode::Dev);
    let base = demo.base_url.clone();
    let email = email("two-steps", &demo);
    demo.create_user(&email, false, true);
    let b = Browser::start(&chromium, &driver, (1280, 800));

    // Enrolment from the account pages.
    sign_in_with_password(&b, &base, &email);
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/auth/account"));
    b.wait_for_text("Turn on two-step sign-in");
    b.click("#second-factor a.button");
    b.wait_for_heading("Two-step sign-in");
    b.click("form[action$='/second_factor/enrol'] button");
    b.wait_for_heading("Set up two-step sign-in");
    assert!(b.try_find("svg.qr path").is_some(), "the QR code is drawn");
    let secret = between(&b, "<code class=\"secret\">", "</code>").replace(' ', "");
    assert!(b.text().contains(&email), "the account name is shown");
    b.fill("input[name=code]", "12345");
    b.click("form[action$='/enrol/finish'] button[type=submit]");
    b.wait_for_text("exactly 6 digits");
    assert!(b.try_find("input[name=code][aria-invalid=true]").is_some());
    b.fill("input[name=code]", &code(&secret, 0));
    b.click("form[action$='/enrol/finish'] button[type=submit]");
    b.wait_for_heading("Save your recovery codes");
    let joined = between(&b, "name=\"codes\" value=\"", "\"");
    let recovery: Vec<&str> = joined.split(' ').collect();
    assert_eq!(recovery.len(), 10, "{joined}");
    b.click("main a.button[href$='/account/second_factor']");
    b.wait_for_text("10 of 10");
    sign_out(&b);

    // The password leads to the code page, not to a session; the app's code signs in.
    sign_in_with_password(&b, &base, &email);
    b.wait_for_heading("Two-step sign-in");
    assert!(b.url().contains("/auth/login/second_factor"), "{}", b.url());
    assert!(!b.text().contains("Signed in as"), "{}", b.text());
    let next = code(&secret, 1);
    b.fill("input[name=code]", &next);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");
    sign_out(&b);

    // The same code again is refused; a recovery code works instead.
    sign_in_with_password(&b, &base, &email);
    b.wait_for_heading("Two-step sign-in");
    b.fill("input[name=code]", &next);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("already used");
    assert!(!b.text().contains("Signed in as"), "{}", b.text());
    b.click("a[href*='use=recovery']");
    b.wait_for_text("Recovery code");
    b.fill("input[name=code]", recovery[0]);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/auth/account/second_factor"));
    b.wait_for_text("9 of 10");
    let width = b.document_width();
    assert!(width <= 1280, "the page overflows horizontally: {width}px");
}
