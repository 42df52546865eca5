//! A person's journey in a real browser (headless Chromium through chromedriver), once
//! per framework: register (first with a weak password), open the mailed verification
//! link and press its button, a wrong password, sign in, dashboard, sign out, reset the
//! password, sign in again, an already-used or tampered link, and a change of address
//! confirmed with the button of its mailed link; and, on a demo whose links live two
//! seconds, expired confirmation and reset links. Skipped in a build without Chromium and
//! chromedriver; a failure under `CI`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::webdriver::{Browser, browser_tools};
use blackbox_tests::{Backend, Demo, Framework, Mode, NEW_PASSWORD, PASSWORD, email};

macro_rules! frameworks {
    ($($module:ident => $framework:ident),*) => {
        $(
            mod $module {
                #[test_services::needs(chromium, chromedriver)]
                #[test]
                fn register_verify_login_logout_reset_in_a_real_browser() {
                    crate::journey(blackbox_tests::Framework::$framework);
                }

                #[test_services::needs(chromium, chromedriver)]
                #[test]
                fn expired_links_in_a_real_browser() {
                    crate::expired_links(blackbox_tests::Framework::$framework);
                }
            }
        )*
    };
}

frameworks!(axum => Axum, poem => Poem, rocket => Rocket);

fn submit(b: &Browser) {
    b.click("main form.form button[type=submit]");
}

fn journey(framework: Framework) {
    let test = format!(
        "{}::register_verify_login_logout_reset_in_a_real_browser",
        framework.name()
    );
    let (chromium, driver) = browser_tools(&test);
    let demo = Demo::start(framework, Backend::Sqlite, Mode::Dev);
    let b = Browser::start(&chromium, &driver, (1280, 800));
    let base = demo.base_url.clone();
    let email = email("browser", &demo);

    // Home, then registration with a weak password: the error is shown at the field.
    b.goto(&format!("{base}/"));
    b.wait_for_text("Create an account");
    b.goto(&format!("{base}/auth/register"));
    b.wait_for_text("Create your account");
    b.fill("input[name=email]", &email);
    b.fill("input[name=password]", "password");
    b.fill("input[name=password_confirm]", "password");
    submit(&b);
    b.wait_for_text("Please correct");
    assert!(
        b.try_find("input[name=password][aria-invalid=true]")
            .is_some(),
        "the weak password is marked invalid: {}",
        b.text()
    );
    assert!(b.source().contains(&email), "the address is kept");
    b.fill("input[name=password]", PASSWORD);
    b.fill("input[name=password_confirm]", PASSWORD);
    submit(&b);
    b.wait_for_heading("Check your inbox");

    // The mailed link, opened in the browser: a page with a button (opening the link
    // alone confirms nothing); pressed, confirmed, on to the sign-in page.
    let link = demo.mailed_link(&email, "verification", "/verify/");
    b.goto(&link);
    b.wait_for_heading("Confirm your email address");
    assert!(b.url().ends_with("/auth/verify"), "{}", b.url());
    assert!(
        !b.url().contains(link.rsplit('/').next().unwrap()),
        "the token left the URL"
    );
    submit(&b);
    b.wait_for_heading("Sign in");
    assert!(b.url().ends_with("/auth/login"), "{}", b.url());
    assert!(
        b.text().contains("Your email address is confirmed"),
        "{}",
        b.text()
    );

    // A wrong password, then the right one.
    b.fill("input[name=login]", &email);
    b.fill("input[name=password]", "not my password at all");
    submit(&b);
    b.wait_for_text("The email, username or password is incorrect.");
    b.fill("input[name=password]", PASSWORD);
    submit(&b);
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/dashboard"));
    b.wait_for_heading("Dashboard");
    assert!(b.text().contains(&email));

    // Sign out from the header; the dashboard sends us to the sign-in page.
    b.click("header form button[type=submit]");
    b.wait_for_text("Create account");
    b.goto(&format!("{base}/dashboard"));
    b.wait_for_heading("Sign in");
    assert!(b.url().contains("/auth/login?next="), "{}", b.url());

    // Forgotten password.
    b.goto(&format!("{base}/auth/login"));
    b.click("a[href$='/request_password_reset']");
    b.wait_for_heading("Reset your password");
    b.fill("input[name=email]", &email);
    submit(&b);
    b.wait_for_heading("Check your inbox");
    let reset_link = demo.mailed_link(&email, "password_reset", "/reset/");
    b.goto(&reset_link);
    b.wait_for_heading("Choose a new password");
    // A weak one first.
    b.fill("input[name=password]", "12345678");
    b.fill("input[name=password_confirm]", "12345678");
    submit(&b);
    b.wait_for_text("Please correct");
    assert!(
        b.try_find("input[aria-invalid=true]").is_some(),
        "{}",
        b.text()
    );
    b.fill("input[name=password]", NEW_PASSWORD);
    b.fill("input[name=password_confirm]", NEW_PASSWORD);
    submit(&b);
    b.wait_for_heading("Sign in");
    b.fill("input[name=login]", &email);
    b.fill("input[name=password]", NEW_PASSWORD);
    submit(&b);
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/dashboard"));
    b.wait_for_heading("Dashboard");

    // The used reset link, and a tampered one, get the same coarse page (not "expired").
    b.goto(&reset_link);
    b.wait_for_heading("This reset link cannot be used");
    b.goto(&format!("{reset_link}x"));
    b.wait_for_heading("This reset link cannot be used");
    let width = b.document_width();
    assert!(width <= 1280, "the page overflows horizontally: {width}px");

    // A change of address: the mailed link opens a page whose button makes the change.
    let new_email = format!("new.{email}");
    b.goto(&format!("{base}/auth/account/email"));
    b.wait_for_heading("Change email address");
    b.fill("input[name=new_email]", &new_email);
    b.fill("input[name=password]", NEW_PASSWORD);
    submit(&b);
    b.wait_for_text("open the link we sent to your new address");
    let link = demo.mailed_link(&new_email, "email_change", "/email/confirm/");
    b.goto(&link);
    b.wait_for_heading("Confirm your new address");
    assert!(b.url().ends_with("/auth/email/confirm"), "{}", b.url());
    assert!(
        b.text().contains(&format!("Signed in as {email}")),
        "{}",
        b.text()
    );
    submit(&b);
    b.wait_for_heading("Sign in");
    assert!(
        b.text().contains("Your email address was changed"),
        "{}",
        b.text()
    );
    b.fill("input[name=login]", &new_email);
    b.fill("input[name=password]", NEW_PASSWORD);
    submit(&b);
    b.wait_for_text(&format!("Signed in as {new_email}"));
}

/// A person who opens their confirmation and reset links too late: each page says the
/// link has expired, offers no password form, and asks for a new link that is mailed;
/// the password is unchanged.
fn expired_links(framework: Framework) {
    let test = format!("{}::expired_links_in_a_real_browser", framework.name());
    let (chromium, driver) = browser_tools(&test);
    let demo = Demo::start_with_short_links(framework);
    let b = Browser::start(&chromium, &driver, (1280, 800));
    let base = demo.base_url.clone();
    let email = email("expired", &demo);

    // Register, then (still unconfirmed) ask for a reset: two links, both left unopened.
    b.goto(&format!("{base}/auth/register"));
    b.wait_for_text("Create your account");
    b.fill("input[name=email]", &email);
    b.fill("input[name=password]", PASSWORD);
    b.fill("input[name=password_confirm]", PASSWORD);
    submit(&b);
    b.wait_for_heading("Check your inbox");
    b.goto(&format!("{base}/auth/request_password_reset"));
    b.wait_for_heading("Reset your password");
    b.fill("input[name=email]", &email);
    submit(&b);
    b.wait_for_heading("Check your inbox");
    let verify_link = demo.mailed_link(&email, "verification", "/verify/");
    let reset_link = demo.mailed_link(&email, "password_reset", "/reset/");
    demo.wait_until_mailed_links_expire();

    // The reset link: expired, no form to set a password, a way to ask for a new one.
    b.goto(&reset_link);
    b.wait_for_heading("This reset link has expired");
    assert!(
        b.text()
            .contains("Reset links work for a limited time. Ask for a new one."),
        "{}",
        b.text()
    );
    assert!(
        b.try_find("input[type=password]").is_none(),
        "an expired link offers no password form: {}",
        b.source()
    );
    assert!(
        !b.url().contains(reset_link.rsplit('/').next().unwrap()),
        "the token left the URL: {}",
        b.url()
    );
    b.click("main a[href$='/request_password_reset']");
    b.wait_for_heading("Reset your password");
    b.fill("input[name=email]", &email);
    submit(&b);
    b.wait_for_heading("Check your inbox");
    demo.new_link(&email, "password_reset", "/reset/", &reset_link);

    // The confirmation link: its button answers that it expired, with a form that mails
    // a new one.
    b.goto(&verify_link);
    b.wait_for_heading("Confirm your email address");
    submit(&b);
    b.wait_for_heading("This link has expired");
    assert!(
        b.text()
            .contains("Confirmation links work for a limited time. Ask for a new one below."),
        "{}",
        b.text()
    );
    b.fill("main input[name=email]", &email);
    submit(&b);
    b.wait_for_heading("Check your inbox");
    demo.new_link(&email, "verification", "/verify/", &verify_link);

    // Nothing changed: the password is still the one chosen at registration.
    b.goto(&format!("{base}/auth/login"));
    b.wait_for_heading("Sign in");
    b.fill("input[name=login]", &email);
    b.fill("input[name=password]", PASSWORD);
    submit(&b);
    b.wait_for_text("Signed in as");
}
