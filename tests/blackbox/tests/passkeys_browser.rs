//! Passkeys in a real browser (headless Chromium through chromedriver, with WebDriver's
//! virtual authenticator: CTAP2, internal transport, resident keys, user verification),
//! once per framework, against a demo served as `http://localhost:PORT` (its relying
//! party comes from `--base-url`): register a passkey from the account page, sign out,
//! sign in with the passkey alone (the sign-in page's autofill request), sign in with the password and the passkey as the
//! second step, remove the passkey (whose next answer is refused), and the password
//! alone signs in again. Skipped in a
//! build without Chromium and chromedriver; a failure under `CI`.
//!
//! The screenshots of the passkey pages for the guide are an ignored test here:
//!
//! ```sh
//! cargo test -p blackbox-tests --test passkeys_browser -- --ignored
//! ```
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::path::PathBuf;

use blackbox_tests::webdriver::{Browser, browser_tools};
use blackbox_tests::{Demo, Framework, PASSWORD, email};

macro_rules! frameworks {
    ($($module:ident => $framework:ident),*) => {
        $(
            mod $module {
                #[test_services::needs(chromium, chromedriver)]
                #[test]
                fn register_and_sign_in_with_a_passkey_in_a_real_browser() {
                    crate::journey(blackbox_tests::Framework::$framework);
                }
            }
        )*
    };
}

frameworks!(axum => Axum, poem => Poem, rocket => Rocket);

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

/// Adds a passkey named `name` from the account's passkey page.
fn add_passkey(b: &Browser, base: &str, name: &str) {
    b.goto(&format!("{base}/auth/account/passkeys"));
    b.wait_for_heading("Passkeys");
    b.fill("form[data-passkey=register] input[name=name]", name);
    b.click("form[data-passkey=register] button[type=submit]");
    b.wait_for_text("Your passkey was added");
}

fn journey(framework: Framework) {
    let test = format!(
        "{}::register_and_sign_in_with_a_passkey_in_a_real_browser",
        framework.name()
    );
    let (chromium, driver) = browser_tools(&test);
    let demo = Demo::start_on_localhost(framework);
    let base = demo.base_url.clone();
    assert!(base.starts_with("http://localhost:"), "{base}");
    let email = email("passkeys", &demo);
    demo.create_user(&email, false, true);
    let b = Browser::start(&chromium, &driver, (1280, 800));
    let authenticator = b.add_virtual_authenticator();

    // Registration from the account page.
    sign_in_with_password(&b, &base, &email);
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/auth/account/passkeys"));
    b.wait_for_heading("Passkeys");
    assert!(
        b.text().contains("You have no passkeys yet"),
        "{}",
        b.text()
    );
    add_passkey(&b, &base, "Chromium virtual key");
    let text = b.text();
    assert!(text.contains("Chromium virtual key"), "{text}");
    assert!(!text.contains("You have no passkeys yet"), "{text}");
    let held = b.authenticator_credentials(&authenticator);
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(
        held[0]["isResidentCredential"], true,
        "a discoverable passkey"
    );
    assert_eq!(held[0]["rpId"], "localhost", "{held:?}");
    sign_out(&b);

    // Passwordless, nothing typed: the sign-in page asks for the site's passkeys with
    // conditional mediation (autofill) as it loads, and the virtual authenticator, which
    // verifies its user without a prompt, answers at once: the page signs in by itself.
    // (So the button is not clicked here: the autofill answered first.)
    b.goto(&format!("{base}/auth/login"));
    b.wait_for_text("Signed in as");
    assert!(b.text().contains(&email), "{}", b.text());
    b.goto(&format!("{base}/auth/account/passkeys"));
    b.wait_for_heading("Passkeys");
    assert!(!b.text().contains("never"), "last use shown: {}", b.text());
    sign_out(&b);

    // The password now leads to the second step; the passkey finishes it. (The passkey
    // is out of the authenticator while the password is typed, or the autofill would
    // sign in first.)
    let held = b.take_authenticator_credentials(&authenticator);
    sign_in_with_password(&b, &base, &email);
    b.wait_for_heading("Two-step sign-in");
    assert!(!b.text().contains("Signed in as"), "{}", b.text());
    for credential in &held {
        b.put_authenticator_credential(&authenticator, credential);
    }
    b.click("form[data-passkey=second-factor] button[type=submit]");
    b.wait_for_text("Signed in as");

    // Removed (the sign-in is fresh: no step-up asked); the password alone signs in.
    b.goto(&format!("{base}/auth/account/passkeys"));
    b.wait_for_heading("Passkeys");
    b.click("form[action$='/account/passkeys/remove'] button[type=submit]");
    b.wait_for_text("Your passkey was removed");
    assert!(
        b.text().contains("You have no passkeys yet"),
        "{}",
        b.text()
    );
    sign_out(&b);
    // The authenticator still holds it: its autofill answer is refused now.
    b.goto(&format!("{base}/auth/login"));
    b.wait_for_text("This passkey was not accepted");
    assert!(!b.text().contains("Signed in as"), "{}", b.text());
    b.take_authenticator_credentials(&authenticator);
    sign_in_with_password(&b, &base, &email);
    b.wait_for_text("Signed in as");
    let width = b.document_width();
    assert!(width <= 1280, "the page overflows horizontally: {width}px");
}

const SIZES: [(&str, (u32, u32)); 2] = [("phone", (390, 844)), ("desktop", (1280, 800))];

/// Takes `name` at both sizes into `docs/screenshots`, checking for horizontal overflow.
fn shoot(b: &Browser, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (size, dims) in SIZES {
        b.set_window(dims);
        let png = b.screenshot();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(dir.join(format!("{name}-{size}.png")), png).unwrap();
        let width = b.document_width();
        assert!(width <= dims.0, "{name} at {size}: {width}px wide");
    }
}

#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_the_passkey_pages() {
    let (chromium, driver) = browser_tools("screenshots_of_the_passkey_pages");
    let demo = Demo::start_on_localhost(Framework::Axum);
    let base = demo.base_url.clone();
    let email = "ada.lovelace@example.com";
    demo.create_user(email, false, true);
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    let authenticator = b.add_virtual_authenticator();

    b.goto(&format!("{base}/auth/login"));
    b.wait_for_heading("Sign in");
    shoot(&b, "passkeys-sign-in");
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/auth/account/passkeys"));
    b.wait_for_heading("Passkeys");
    shoot(&b, "passkeys-account-empty");
    add_passkey(&b, &base, "MacBook Touch ID");
    shoot(&b, "passkeys-account");
    sign_out(&b);
    // The passkey out of the authenticator while the password is typed, so that the
    // autofill does not sign in first.
    b.take_authenticator_credentials(&authenticator);
    sign_in_with_password(&b, &base, email);
    b.wait_for_heading("Two-step sign-in");
    shoot(&b, "passkeys-second-step");
}
