//! Passkeys in a real browser (headless Chromium through chromedriver, with WebDriver's
//! virtual authenticator: CTAP2, internal transport, resident keys, user verification),
//! once per framework on SQLite and once on PostgreSQL with Redis, against a demo served
//! as `http://localhost:PORT` (its relying party comes from `--base-url`):
//!
//! - the sign-in page loaded again and again, each load starting the autofill request:
//!   the real store is written nothing and the sign-in limit is not touched (the demo's
//!   metrics count every store call), and the password still signs in afterwards;
//! - register a passkey from the account page, sign out;
//! - sign in with the passkey alone through the page's autofill request;
//! - sign in with the passkey alone through the "Sign in with a passkey" button, while
//!   the autofill request is waiting (the script aborts it and asks at once);
//! - sign in with the password and the passkey as the second step;
//! - remove the passkey (whose next answer is refused), and the password alone signs in
//!   again.
//!
//! Skipped in a build without Chromium and chromedriver (and, for the second, without
//! PostgreSQL and Redis: `AUTH_TEST_POSTGRES_URL`, `AUTH_TEST_REDIS_URL`); a failure under
//! `CI`.
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
use std::time::{Duration, Instant};

use blackbox_tests::webdriver::{Browser, browser_tools};
use blackbox_tests::{Backend, Client, Demo, Framework, PASSWORD, email};
use serde_json::json;

macro_rules! frameworks {
    ($($module:ident => $framework:ident),*) => {
        $(
            mod $module {
                #[test_services::needs(chromium, chromedriver)]
                #[test]
                fn register_and_sign_in_with_a_passkey_in_a_real_browser() {
                    crate::journey(
                        blackbox_tests::Framework::$framework,
                        blackbox_tests::Backend::Sqlite,
                    );
                }

                #[test_services::needs(chromium, chromedriver)]
                #[test]
                fn sign_up_and_step_up_with_a_passkey_in_a_real_browser() {
                    crate::sign_up_and_step_up(
                        blackbox_tests::Framework::$framework,
                        blackbox_tests::Backend::Sqlite,
                    );
                }

                mod postgres_redis {
                    #[test_services::needs(chromium, chromedriver, postgres, redis)]
                    #[test]
                    fn register_and_sign_in_with_a_passkey_in_a_real_browser() {
                        crate::journey(
                            blackbox_tests::Framework::$framework,
                            blackbox_tests::Backend::PostgresRedis,
                        );
                    }

                    #[test_services::needs(chromium, chromedriver, postgres, redis)]
                    #[test]
                    fn sign_up_and_step_up_with_a_passkey_in_a_real_browser() {
                        crate::sign_up_and_step_up(
                            blackbox_tests::Framework::$framework,
                            blackbox_tests::Backend::PostgresRedis,
                        );
                    }
                }
            }
        )*
    };
}

frameworks!(axum => Axum, poem => Poem, rocket => Rocket);

/// How many times the sign-in page is loaded: more than the demo's sign-in limit per
/// address (30 a minute), which page views used to count toward.
const PAGE_VIEWS: usize = 40;

/// The passkey sign-in form of the sign-in page.
const PASSKEY_FORM: &str = "form[data-passkey=sign-in]";

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

/// Waits (bounded) until the sign-in page's autofill request waits for the person: the
/// script started it (`POST /api/login/passkey/start`, answered 200) and asked the
/// browser, which marks the form `data-autofill="waiting"`.
fn wait_for_autofill_request(b: &Browser) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = b.execute(
            "var form = document.querySelector(arguments[0]);
             var starts = performance.getEntriesByType('resource')
               .filter(function (e) { return e.name.indexOf('/api/login/passkey/start') >= 0; })
               .map(function (e) { return e.responseStatus; });
             return { waiting: !!form && form.dataset.autofill === 'waiting', starts: starts };",
            &[json!(PASSKEY_FORM)],
        );
        let starts = state["starts"].as_array().cloned().unwrap_or_default();
        assert!(
            starts.iter().all(|s| s == 200 || s == 0),
            "the page's passkey start was refused: {state}"
        );
        if state["waiting"] == true {
            assert_eq!(starts.len(), 1, "one start per page view: {state}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the autofill request did not start within 20 s: {state}; the page says:\n{}",
            b.text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A loopback address with a port that was free a moment ago.
fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// How many calls of `operation` on `store` the demo's metrics at `metrics` count.
fn store_calls(metrics: &str, store: &str, operation: &str) -> f64 {
    let scrape = Client::new(metrics, &format!("http://{metrics}")).get("/metrics");
    assert_eq!(scrape.status, 200, "{}", scrape.body);
    let series =
        format!(r#"auth_store_operation_seconds_count{{store="{store}",operation="{operation}","#);
    scrape
        .body
        .lines()
        .filter(|line| line.starts_with(&series))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The sign-in page loaded [`PAGE_VIEWS`] times, each load starting the autofill
/// request (the authenticator holds no passkey for the site, so the request waits): the
/// demo's real store gets no write for it (no stored challenge, no counted attempt), and
/// the password signs in afterwards (the sign-in limit was not used up).
fn page_views_store_and_count_nothing(b: &Browser, base: &str, metrics: &str, email: &str) {
    for _ in 0..PAGE_VIEWS {
        b.goto(&format!("{base}/auth/login"));
        b.wait_for_heading("Sign in");
        wait_for_autofill_request(b);
    }
    assert_eq!(
        store_calls(metrics, "ephemeral", "insert"),
        0.0,
        "{PAGE_VIEWS} sign-in page views stored passkey challenges"
    );
    assert_eq!(
        store_calls(metrics, "counters", "increment"),
        0.0,
        "{PAGE_VIEWS} sign-in page views were counted as sign-in attempts"
    );
    sign_in_with_password(b, base, email);
    b.wait_for_text("Signed in as");
    assert!(
        store_calls(metrics, "counters", "increment") >= 1.0,
        "the metrics see the sign-in counted: the zeros above are real"
    );
    sign_out(b);
}

fn journey(framework: Framework, backend: Backend) {
    let test = format!(
        "{}::register_and_sign_in_with_a_passkey_in_a_real_browser ({backend:?})",
        framework.name()
    );
    let (chromium, driver) = browser_tools(&test);
    let metrics = free_addr();
    let demo = Demo::start_on_localhost_with(framework, backend, &["--metrics-addr", &metrics]);
    let base = demo.base_url.clone();
    assert!(base.starts_with("http://localhost:"), "{base}");
    let email = email("passkeys", &demo);
    demo.create_user(&email, false, true);
    let b = Browser::start(&chromium, &driver, (1280, 800));
    let authenticator = b.add_virtual_authenticator();

    page_views_store_and_count_nothing(&b, &base, &metrics, &email);

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

    // The button: the page loads while the authenticator holds nothing, so its autofill
    // request waits; the passkey comes back, nothing happens by itself, and the click on
    // "Sign in with a passkey" makes the script abort the waiting request and ask at
    // once, which the authenticator answers.
    let held = b.take_authenticator_credentials(&authenticator);
    b.goto(&format!("{base}/auth/login"));
    b.wait_for_heading("Sign in");
    wait_for_autofill_request(&b);
    for credential in &held {
        b.put_authenticator_credential(&authenticator, credential);
    }
    std::thread::sleep(Duration::from_secs(1));
    b.wait_for_heading("Sign in");
    let waiting = b.execute(
        "return document.querySelector(arguments[0]).dataset.autofill || ''",
        &[json!(PASSKEY_FORM)],
    );
    assert_eq!(
        waiting, "waiting",
        "the autofill request answered by itself"
    );
    b.click(&format!("{PASSKEY_FORM} button[type=submit]"));
    b.wait_for_text("Signed in as");
    assert!(b.text().contains(&email), "{}", b.text());
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

/// The step-up age of the sign-up journey's demo (`--step-up-max-age`): short, so that
/// a passkey sign-in grows old enough to need a re-authentication within the test.
const STEP_UP_AGE: Duration = Duration::from_secs(4);

/// Removes the (first) passkey from the account's passkey page.
fn click_remove(b: &Browser, base: &str) {
    b.goto(&format!("{base}/auth/account/passkeys"));
    b.wait_for_heading("Passkeys");
    b.click("form[action$='/account/passkeys/remove'] button[type=submit]");
}

/// On `/reauth`: no password asked (`why`), the passkey choice taken; back on the
/// passkey page.
fn step_up_with_the_passkey(b: &Browser, why: &str) {
    b.wait_for_heading("Confirm it is you");
    assert!(b.url().contains("/auth/reauth"), "{}", b.url());
    assert!(
        b.try_find("input[name=password]").is_none(),
        "{why}: the re-authentication asks for a password: {}",
        b.text()
    );
    b.click("form[data-passkey=step-up] button[type=submit]");
    b.wait_for_text("You can go ahead now");
    assert!(b.url().ends_with("/auth/account/passkeys"), "{}", b.url());
}

/// Sign-up with a passkey (`--passkey-sign-up`), in a real browser: the account has no
/// password (a password sign-in fails), signs in with the passkey after confirming its
/// address, signs out and in again; once its sign-in is older than the step-up age,
/// removing a passkey sends it to `/reauth`, which offers the passkey alone, and the
/// passkey re-opens the action (which the last-way-in rule then refuses: it is the only
/// passkey). Then an account with a password and a passkey: its removal asks for the
/// passkey at `/reauth` (the password alone is no longer a fresh proof), and goes through.
fn sign_up_and_step_up(framework: Framework, backend: Backend) {
    let test = format!(
        "{}::sign_up_and_step_up_with_a_passkey_in_a_real_browser ({backend:?})",
        framework.name()
    );
    let (chromium, driver) = browser_tools(&test);
    let age = format!("{}s", STEP_UP_AGE.as_secs());
    let demo = Demo::start_on_localhost_with(
        framework,
        backend,
        &["--passkey-sign-up", "--step-up-max-age", &age],
    );
    let base = demo.base_url.clone();
    let solo = email("passkey-sign-up", &demo);
    let b = Browser::start(&chromium, &driver, (1280, 800));
    let authenticator = b.add_virtual_authenticator();

    // Sign-up: the email address, then "Sign up with a passkey".
    b.goto(&format!("{base}/auth/register"));
    b.wait_for_heading("Create your account");
    b.fill("input[name=email]", &solo);
    b.click("form[data-passkey=sign-up] button[type=submit]");
    b.wait_for_heading("Check your inbox");
    let held = b.authenticator_credentials(&authenticator);
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["isResidentCredential"], true, "{held:?}");

    // The address confirmed; the sign-in page's autofill request signs in by itself.
    let link = demo.mailed_link(&solo, "verification", "/verify/");
    b.goto(&link);
    b.wait_for_heading("Confirm your email address");
    b.click("main form button[type=submit]");
    b.wait_for_text("Signed in as");
    assert!(b.text().contains(&solo), "{}", b.text());
    sign_out(&b);

    // No password: the password sign-in fails (the passkey out of the authenticator
    // meanwhile, or the autofill would sign in first).
    let held = b.take_authenticator_credentials(&authenticator);
    sign_in_with_password(&b, &base, &solo);
    b.wait_for_text("The email, username or password is incorrect.");
    for credential in &held {
        b.put_authenticator_credential(&authenticator, credential);
    }
    // Signed out, the passkey signs in again.
    b.goto(&format!("{base}/auth/login"));
    b.wait_for_text("Signed in as");
    assert!(b.text().contains(&solo), "{}", b.text());

    // Older than the step-up age: removing the passkey asks for a fresh proof, the
    // passkey alone (there is no password); then the removal is heard, and refused by
    // the last-way-in rule.
    std::thread::sleep(STEP_UP_AGE + Duration::from_millis(500));
    click_remove(&b, &base);
    step_up_with_the_passkey(&b, "an account without a password");
    b.click("form[action$='/account/passkeys/remove'] button[type=submit]");
    b.wait_for_text("only way to sign in");
    assert!(
        !b.text().contains("Confirm it is you"),
        "asked again: {}",
        b.text()
    );
    sign_out(&b);

    // A password and a passkey: the passkey is the second factor, so removing it right
    // after a password sign-in asks for the passkey, not the password.
    b.take_authenticator_credentials(&authenticator);
    let both = email("passkey-step-up", &demo);
    demo.create_user(&both, false, true);
    sign_in_with_password(&b, &base, &both);
    b.wait_for_text("Signed in as");
    add_passkey(&b, &base, "Chromium virtual key");
    click_remove(&b, &base);
    step_up_with_the_passkey(&b, "an account with a password and a passkey");
    b.click("form[action$='/account/passkeys/remove'] button[type=submit]");
    b.wait_for_text("Your passkey was removed");
    // Without a passkey, the password re-authenticates again.
    b.goto(&format!("{base}/auth/reauth"));
    b.wait_for_heading("Confirm it is you");
    assert!(b.try_find("input[name=password]").is_some(), "{}", b.text());
    let width = b.document_width();
    assert!(width <= 1280, "the page overflows horizontally: {width}px");
}

const SIZES: [(&str, (u32, u32)); 2] = [("phone", (390, 844)), ("desktop", (1280, 800))];

/// Takes `name` at both sizes into `docs/screenshots`, checking for horizontal overflow.
fn shoot(b: &Browser, name: &str) {
    shoot_at(b, name, None);
}

/// [`shoot`], scrolled to `css` (when given) at each size.
fn shoot_at(b: &Browser, name: &str, css: Option<&str>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (size, dims) in SIZES {
        b.set_window(dims);
        if let Some(css) = css {
            b.scroll_to(css);
        }
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

#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_passkey_sign_up_and_step_up() {
    let (chromium, driver) = browser_tools("screenshots_of_passkey_sign_up_and_step_up");
    let demo =
        Demo::start_on_localhost_with(Framework::Axum, Backend::Sqlite, &["--passkey-sign-up"]);
    let base = demo.base_url.clone();
    let email = "grace.hopper@example.com";
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    b.add_virtual_authenticator();

    b.goto(&format!("{base}/auth/register"));
    b.wait_for_heading("Create your account");
    b.wait_for_text("Sign up with a passkey");
    shoot_at(&b, "passkeys-sign-up", Some("form[data-passkey=sign-up]"));
    b.set_window(SIZES[1].1);
    b.fill("input[name=email]", email);
    b.click("form[data-passkey=sign-up] button[type=submit]");
    b.wait_for_heading("Check your inbox");
    let link = demo.mailed_link(email, "verification", "/verify/");
    b.goto(&link);
    b.wait_for_heading("Confirm your email address");
    b.click("main form button[type=submit]");
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/auth/reauth?next=/auth/account/passkeys"));
    b.wait_for_heading("Confirm it is you");
    b.wait_for_text("Use a passkey");
    shoot(&b, "passkeys-reauth");
}
