//! Screenshots of every page for the guide, at a phone-sized (390×844) and a
//! desktop-sized (1280×800) window, written to `docs/screenshots/<page>-<size>.png`.
//! Not part of the normal run:
//!
//! ```sh
//! cargo test -p blackbox-tests --test screenshots -- --ignored
//! ```
//!
//! Each page is also checked for horizontal overflow at both sizes.
#![expect(
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::path::PathBuf;

use blackbox_tests::webdriver::{Browser, browser_tools};
use blackbox_tests::{Backend, Demo, Framework, Mode, PASSWORD};

const SIZES: [(&str, (u32, u32)); 2] = [("phone", (390, 844)), ("desktop", (1280, 800))];

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).expect("docs/screenshots");
    dir
}

/// Takes `name` at both sizes (the page reflows; it is not reloaded).
fn shoot(b: &Browser, name: &str, overflow: &mut Vec<String>) {
    shoot_from(b, name, None, overflow);
}

/// As [`shoot`], with the page scrolled so that the element matching `css` is at the top
/// (for what lies below the first screen).
fn shoot_from(b: &Browser, name: &str, css: Option<&str>, overflow: &mut Vec<String>) {
    for (size, dims) in SIZES {
        b.set_window(dims);
        if let Some(css) = css {
            b.scroll_to(css);
        }
        let png = b.screenshot();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(out_dir().join(format!("{name}-{size}.png")), png).expect("written");
        let width = b.document_width();
        if width > dims.0 {
            overflow.push(format!("{name} at {size}: {width}px wide"));
        }
    }
}

#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_every_page() {
    let (chromium, driver) = browser_tools("screenshots_of_every_page");
    let demo = Demo::start(Framework::Axum, Backend::Sqlite, Mode::Dev);
    let base = demo.base_url.clone();
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    let mut overflow = Vec::new();
    let email = "ada.lovelace@example.com";

    b.goto(&format!("{base}/"));
    b.wait_for_text("Create an account");
    shoot(&b, "home", &mut overflow);

    b.goto(&format!("{base}/auth/register"));
    b.wait_for_text("Create your account");
    shoot(&b, "register", &mut overflow);
    b.fill("input[name=email]", email);
    b.fill("input[name=display_name]", "Ada Lovelace");
    b.fill("input[name=company]", "Analytical Engines");
    b.fill("input[name=password]", "password");
    b.fill("input[name=password_confirm]", "passw0rd");
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Please correct");
    shoot(&b, "register-errors", &mut overflow);
    b.fill("input[name=password]", PASSWORD);
    b.fill("input[name=password_confirm]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("Check your inbox");
    shoot(&b, "check-your-email", &mut overflow);

    let link = demo.mailed_link(email, "verification", "/verify/");
    b.goto(&link);
    b.wait_for_heading("Confirm your email address");
    shoot(&b, "verify-confirm", &mut overflow);
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("Sign in");
    shoot(&b, "login-after-verification", &mut overflow);

    b.goto(&format!("{base}/auth/login"));
    b.wait_for_text("Sign in");
    shoot(&b, "login", &mut overflow);
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", "wrong password");
    b.click("main form.form button[type=submit]");
    b.wait_for_text("incorrect");
    shoot(&b, "login-wrong-password", &mut overflow);

    b.goto(&format!("{base}/auth/request_password_reset"));
    b.wait_for_text("Reset your password");
    shoot(&b, "reset-request", &mut overflow);
    b.fill("input[name=email]", email);
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("Check your inbox");
    shoot(&b, "reset-requested", &mut overflow);
    let reset = demo.mailed_link(email, "password_reset", "/reset/");
    b.goto(&reset);
    b.wait_for_text("Choose a new password");
    shoot(&b, "reset-form", &mut overflow);
    b.goto(&format!("{reset}tampered"));
    b.wait_for_heading("This reset link cannot be used");
    shoot(&b, "reset-link-unusable", &mut overflow);

    expired_links(&chromium, &driver, &mut overflow);

    b.goto(&format!("{base}/auth/verify/resend"));
    b.wait_for_text("Confirm your email address");
    shoot(&b, "verify-resend", &mut overflow);
    b.goto(&format!("{base}/auth/no-such-page"));
    b.wait_for_text("Page not found");
    shoot(&b, "not-found", &mut overflow);

    // Signed in.
    b.goto(&format!("{base}/auth/login"));
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/dashboard"));
    b.wait_for_heading("Dashboard");
    shoot(&b, "dashboard", &mut overflow);
    // A second device, so the devices page shows a per-device "Sign out".
    let mut phone = demo.client();
    assert_eq!(phone.login(email, PASSWORD).status, 303);
    for (path, name, text) in [
        ("/auth/account", "account", "Account"),
        ("/auth/account/password", "account-password", "password"),
        ("/auth/account/email", "account-email", "mail"),
        ("/auth/account/sessions", "account-sessions", "Signed"),
        ("/auth/account/delete", "account-delete", "Delete"),
    ] {
        b.goto(&format!("{base}{path}"));
        b.wait_for_text(text);
        shoot(&b, name, &mut overflow);
    }
    // The profile section of the account page (below the first screen on a phone).
    b.goto(&format!("{base}/auth/account"));
    b.wait_for_text("Display name");
    shoot_from(&b, "account-profile", Some("#profile"), &mut overflow);
    // The language of the account's mails (the last card of the account page).
    shoot_from(&b, "account-language", Some("#language"), &mut overflow);

    b.goto(&format!("{base}/admin"));
    shoot(&b, "forbidden", &mut overflow);

    // An administrator.
    demo.create_user("root@example.com", true, true);
    b.goto(&format!("{base}/auth/account"));
    b.click("header form button[type=submit]");
    b.wait_for_text("Create an account");
    b.goto(&format!("{base}/auth/login"));
    b.fill("input[name=login]", "root@example.com");
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/admin"));
    b.wait_for_text("account");
    shoot(&b, "admin-demo", &mut overflow);
    b.goto(&format!("{base}/auth/admin"));
    b.wait_for_text(email);
    shoot(&b, "admin-users", &mut overflow);
    b.click("a[href*='/auth/admin/users/']");
    b.wait_for_text("Sessions");
    shoot(&b, "admin-user", &mut overflow);
    shoot_from(&b, "admin-user-profile", Some("#profile"), &mut overflow);
    shoot_from(&b, "admin-user-activity", Some("#sessions"), &mut overflow);
    b.goto(&format!("{base}/auth/admin/mail"));
    b.wait_for_heading("Undelivered mail");
    shoot(&b, "admin-mail", &mut overflow);

    // A change of address asked for on the other device, and its mailed link opened in a
    // signed-out browser (not pressed).
    b.click("header form button[type=submit]");
    b.wait_for_text("Create an account");
    phone.get("/auth/account/email");
    let r = phone.post(
        "/auth/account/email",
        &[
            ("new_email", "ada.byron@example.com"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let link = demo.mailed_link("ada.byron@example.com", "email_change", "/email/confirm/");
    b.goto(&link);
    b.wait_for_heading("Confirm your new address");
    shoot(&b, "email-confirm", &mut overflow);

    assert!(
        overflow.is_empty(),
        "pages overflow horizontally: {overflow:#?}"
    );
}

/// The pages of an expired reset link and an expired confirmation link, from a demo whose
/// links live two seconds, in a browser of their own (the two demos share the host
/// 127.0.0.1 and with it their cookies).
fn expired_links(chromium: &std::path::Path, driver: &std::path::Path, overflow: &mut Vec<String>) {
    let demo = Demo::start_with_short_links(Framework::Axum);
    let b = Browser::start(chromium, driver, SIZES[1].1);
    let (verify, reset) = demo.register_and_request_reset("grace.hopper@example.com");
    demo.wait_until_mailed_links_expire();
    b.goto(&reset);
    b.wait_for_heading("This reset link has expired");
    shoot(&b, "reset-link-expired", overflow);
    b.goto(&verify);
    b.wait_for_heading("Confirm your email address");
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("This link has expired");
    shoot(&b, "verify-link-expired", overflow);
}

/// The account page before and after uploading a picture, at both sizes
/// (`account-picture-none-*`, `account-picture-*`), and the header of another page with
/// the picture (`dashboard-picture-*`).
#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_an_uploaded_picture() {
    let (chromium, driver) = browser_tools("screenshots_of_an_uploaded_picture");
    let demo = Demo::start(Framework::Axum, Backend::Sqlite, Mode::Dev);
    let base = demo.base_url.clone();
    let email = "grace.hopper@example.com";
    demo.create_user(email, false, true);
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    let mut overflow = Vec::new();

    b.goto(&format!("{base}/auth/login"));
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.goto(&format!("{base}/auth/account"));
    b.wait_for_text("Upload a picture");
    shoot_from(&b, "account-picture-none", Some("#picture"), &mut overflow);

    // A photo-like picture: a gradient with a circle, wider than high (it is cropped).
    let picture = tempfile::Builder::new()
        .suffix(".png")
        .tempfile()
        .expect("a temporary file");
    let img = image::RgbImage::from_fn(480, 320, |x, y| {
        let (dx, dy) = (x as i64 - 240, y as i64 - 150);
        if dx * dx + dy * dy < 90 * 90 {
            image::Rgb([250, 200, 60])
        } else {
            image::Rgb([(x / 3) as u8, 90 + (y / 4) as u8, 170])
        }
    });
    img.save_with_format(picture.path(), image::ImageFormat::Png)
        .expect("the picture written");
    b.attach("input[name=picture]", picture.path());
    b.click("#picture form.form button[type=submit]");
    b.wait_for_text("Your picture was saved.");
    shoot_from(&b, "account-picture", Some("#picture"), &mut overflow);
    b.goto(&format!("{base}/dashboard"));
    b.wait_for_text("Dashboard");
    shoot(&b, "dashboard-picture", &mut overflow);
    assert!(
        overflow.is_empty(),
        "pages wider than the window: {overflow:?}"
    );
}

/// The API keys page: a key just created (shown once), the list with two keys (one used
/// by a program, so its last use and address show), and the form refused
/// (`account-api-keys-created-*`, `account-api-keys-*`, `account-api-keys-errors-*`).
#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_the_api_key_pages() {
    let (chromium, driver) = browser_tools("screenshots_of_the_api_key_pages");
    let demo = Demo::start(Framework::Axum, Backend::Sqlite, Mode::Dev);
    let base = demo.base_url.clone();
    let email = "katherine.johnson@example.com";
    demo.create_user(email, false, true);
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    let mut overflow = Vec::new();

    b.goto(&format!("{base}/auth/login"));
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/auth/account/api_keys"));
    b.wait_for_text("You have no API keys.");
    b.fill("input[name=name]", "nightly backup");
    b.click("input[name='scope:read:profile']");
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("Your new API key");
    b.find("#f-new-key");
    shoot(&b, "account-api-keys-created", &mut overflow);

    // A program uses the key once, so that its last use shows.
    let key_value = {
        let source = b.source();
        let at = source.find("value=\"ak_").expect("the key is shown") + "value=\"".len();
        source[at..at + source[at..].find('"').expect("a closing quote")].to_owned()
    };
    let mut program = demo.client();
    let r = program.send(
        "GET",
        "/whoami",
        blackbox_tests::Body::None,
        &[("Authorization", &format!("Bearer {key_value}"))],
    );
    assert_eq!(r.status, 200, "{}", r.body);

    b.goto(&format!("{base}/auth/account/api_keys"));
    b.fill("input[name=name]", "CI deploy (staging)");
    b.click("input[name='scope:admin:users']");
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("Your new API key");
    b.goto(&format!("{base}/auth/account/api_keys"));
    b.wait_for_text("nightly backup");
    shoot(&b, "account-api-keys", &mut overflow);

    b.click("main form.form button[type=submit]");
    b.wait_for_text("Please correct");
    shoot_from(
        &b,
        "account-api-keys-errors",
        Some("form.form"),
        &mut overflow,
    );
    assert!(
        overflow.is_empty(),
        "pages wider than the window: {overflow:?}"
    );
}

/// The pages of two-step sign-in at both sizes: the account's card and page with the
/// factor off (`account-second-factor-off-*`), enrolment with its QR code
/// (`second-factor-enrol-*`) and after a malformed code (`second-factor-enrol-wrong-*`),
/// the recovery codes (`recovery-codes-*`), the page with the factor on
/// (`account-second-factor-*`) and the card of the account page
/// (`account-second-factor-card-*`), the code step of the sign-in (`login-second-factor-*`),
/// with a wrong code (`login-second-factor-wrong-*`) and for a recovery code
/// (`login-second-factor-recovery-*`), and the admin's user page with the reset button
/// (`admin-user-second-factor-*`).
#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_two_step_sign_in() {
    let (chromium, driver) = browser_tools("screenshots_of_two_step_sign_in");
    let demo = Demo::start(Framework::Axum, Backend::Sqlite, Mode::Dev);
    let base = demo.base_url.clone();
    let email = "katherine.johnson@example.com";
    demo.create_user(email, false, true);
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    let mut overflow = Vec::new();
    let sign_in = |who: &str| {
        b.goto(&format!("{base}/auth/login"));
        b.fill("input[name=login]", who);
        b.fill("input[name=password]", PASSWORD);
        b.click("main form.form button[type=submit]");
    };

    sign_in(email);
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/auth/account/second_factor"));
    b.wait_for_heading("Two-step sign-in");
    shoot(&b, "account-second-factor-off", &mut overflow);
    b.click("form[action$='/second_factor/enrol'] button");
    b.wait_for_heading("Set up two-step sign-in");
    shoot(&b, "second-factor-enrol", &mut overflow);
    let source = b.source();
    let secret = source
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .expect("the key is shown")
        .replace(' ', "");
    b.fill("input[name=code]", "12345");
    b.click("form[action$='/enrol/finish'] button[type=submit]");
    b.wait_for_text("exactly 6 digits");
    shoot(&b, "second-factor-enrol-wrong", &mut overflow);
    b.fill(
        "input[name=code]",
        &auth_http::testkit::authenticator_code(&secret, 0),
    );
    b.click("form[action$='/enrol/finish'] button[type=submit]");
    b.wait_for_heading("Save your recovery codes");
    shoot(&b, "recovery-codes", &mut overflow);
    b.click("main a.button[href$='/account/second_factor']");
    b.wait_for_text("10 of 10");
    shoot(&b, "account-second-factor", &mut overflow);
    b.goto(&format!("{base}/auth/account"));
    b.wait_for_text("Manage two-step sign-in");
    shoot_from(
        &b,
        "account-second-factor-card",
        Some("#second-factor"),
        &mut overflow,
    );
    b.click("header form button[type=submit]");
    b.wait_for_text("Create an account");

    sign_in(email);
    b.wait_for_heading("Two-step sign-in");
    shoot(&b, "login-second-factor", &mut overflow);
    b.fill("input[name=code]", "000000");
    b.click("main form.form button[type=submit]");
    b.wait_for_text("not correct");
    shoot(&b, "login-second-factor-wrong", &mut overflow);
    b.click("a[href*='use=recovery']");
    b.wait_for_text("Recovery code");
    shoot(&b, "login-second-factor-recovery", &mut overflow);

    demo.create_user("root@example.com", true, true);
    b.goto(&format!("{base}/auth/login"));
    sign_in("root@example.com");
    b.wait_for_text("Signed in as");
    b.goto(&format!("{base}/auth/admin?q=katherine"));
    b.click("a[href*='/auth/admin/users/']");
    b.wait_for_text("Reset two-step sign-in");
    shoot(&b, "admin-user-second-factor", &mut overflow);

    assert!(
        overflow.is_empty(),
        "pages overflow horizontally: {overflow:#?}"
    );
}

#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_mailed_codes_and_step_up() {
    let (chromium, driver) = browser_tools("screenshots_of_mailed_codes_and_step_up");
    let demo = Demo::start_with(
        Framework::Axum,
        Backend::Sqlite,
        Mode::Dev,
        &["--email-sign-in", "--step-up-max-age", "1s"],
    );
    let base = demo.base_url.clone();
    let email = "dorothy.vaughan@example.com";
    demo.create_user(email, true, false);
    demo.create_user("mary.jackson@example.com", false, true);
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    let mut overflow = Vec::new();

    // Confirming the address with the mailed code.
    b.goto(&format!("{base}/auth/verify/resend"));
    b.fill("input[name=email]", email);
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("Check your inbox");
    b.goto(&format!(
        "{base}/auth/verify/code?email=dorothy.vaughan%40example.com"
    ));
    b.wait_for_heading("Enter your confirmation code");
    shoot(&b, "verify-code", &mut overflow);
    b.fill("input[name=code]", "12a456");
    b.click("main form.form button[type=submit]");
    b.wait_for_text("digits");
    shoot(&b, "verify-code-wrong", &mut overflow);

    // A reset by code.
    b.goto(&format!("{base}/auth/request_password_reset"));
    b.fill("input[name=email]", email);
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("Check your inbox");
    shoot(&b, "reset-requested-code-link", &mut overflow);
    b.goto(&format!(
        "{base}/auth/reset/code?email=dorothy.vaughan%40example.com"
    ));
    b.wait_for_heading("Reset with a code");
    shoot(&b, "reset-code", &mut overflow);

    // Sign-in by mail: the request, the code, the link.
    b.goto(&format!("{base}/auth/login"));
    b.wait_for_heading("Sign in");
    shoot(&b, "login-with-email-option", &mut overflow);
    b.goto(&format!("{base}/auth/login/email"));
    b.wait_for_heading("Sign in by email");
    shoot(&b, "login-email", &mut overflow);
    b.fill("input[name=email]", email);
    b.click("main form.form button[type=submit]");
    b.wait_for_heading("Check your inbox");
    shoot(&b, "login-email-sent", &mut overflow);
    let link = demo.mailed_link(email, "sign_in_code", "/login/email/");
    b.goto(&format!(
        "{base}/auth/login/email/code?email=dorothy.vaughan%40example.com"
    ));
    b.wait_for_heading("Enter your sign-in code");
    shoot(&b, "login-email-code", &mut overflow);
    b.fill("input[name=code]", "000000");
    b.click("main form.form button[type=submit]");
    b.wait_for_text("not correct");
    shoot(&b, "login-email-code-wrong", &mut overflow);
    b.goto(&link);
    b.wait_for_text("You followed a sign-in link");
    shoot(&b, "login-email-link", &mut overflow);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");

    // Step-up: an administrator's action after the (one second) window.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    b.goto(&format!("{base}/auth/admin?q=mary"));
    b.click("a[href*='/auth/admin/users/']");
    b.wait_for_text("Sign out everywhere");
    b.click("main form[action*='/admin/users/'][action$='/logout'] button");
    b.wait_for_heading("Confirm it is you");
    shoot(&b, "reauth", &mut overflow);
    b.fill("input[name=password]", "not the password");
    b.click("main form.form button[type=submit]");
    b.wait_for_text("not correct");
    shoot(&b, "reauth-wrong", &mut overflow);

    assert!(
        overflow.is_empty(),
        "pages overflow horizontally: {overflow:#?}"
    );
}

/// The sign-in, sign-up and account pages in German (long words), chosen with the
/// footer's `?lang=de`, which the browser then keeps in its `lang` cookie.
#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_in_german() {
    let (chromium, driver) = browser_tools("screenshots_in_german");
    let demo = Demo::start(Framework::Axum, Backend::Sqlite, Mode::Dev);
    let base = demo.base_url.clone();
    let email = "grace.hopper@example.com";
    demo.create_user(email, false, true);
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    let mut overflow = Vec::new();

    b.goto(&format!("{base}/auth/login?lang=de"));
    b.wait_for_heading("Anmelden");
    shoot(&b, "de-login", &mut overflow);
    b.goto(&format!("{base}/auth/register"));
    b.wait_for_heading("Erstellen Sie Ihr Konto");
    shoot(&b, "de-register", &mut overflow);
    b.fill("input[name=email]", "keine-adresse");
    b.fill("input[name=password]", "kurz");
    b.fill("input[name=password_confirm]", "anders");
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Bitte korrigieren");
    shoot(&b, "de-register-errors", &mut overflow);

    b.goto(&format!("{base}/auth/login"));
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Angemeldet als");
    b.goto(&format!("{base}/auth/account"));
    b.wait_for_heading("Ihr Konto");
    shoot(&b, "de-account", &mut overflow);
    b.goto(&format!("{base}/auth/account/second_factor"));
    b.wait_for_heading("Zweistufige Anmeldung");
    shoot(&b, "de-account-second-factor", &mut overflow);
    b.goto(&format!("{base}/auth/account/sessions"));
    b.wait_for_heading("Angemeldete Geräte");
    shoot(&b, "de-account-sessions", &mut overflow);

    assert!(
        overflow.is_empty(),
        "pages overflow horizontally: {overflow:#?}"
    );
}

/// Answers 204 to every request on a free loopback port, for a webhook endpoint that
/// accepts everything; returns the port.
fn accepting_endpoint() -> u16 {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = reader.get_mut().write_all(
                b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    port
}

/// The webhook deliveries page (`admin-webhooks-*`, `admin-webhooks-failed-*`): one endpoint that accepts every
/// call and one that refuses connections, each call given up after one attempt, so that
/// the page shows delivered, failed (with their buttons) and pending deliveries.
#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_the_webhook_deliveries() {
    let (chromium, driver) = browser_tools("screenshots_of_the_webhook_deliveries");
    let accepting = format!("http://127.0.0.1:{}/auth-events", accepting_endpoint());
    let refusing = {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = closed.local_addr().expect("its address").port();
        format!("http://127.0.0.1:{port}/siem")
    };
    let demo = Demo::start_with(
        Framework::Axum,
        Backend::Sqlite,
        Mode::Dev,
        &[
            "--webhook",
            &format!("{accepting},{refusing}"),
            "--webhook-secret",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "--outbox-max-attempts",
            "1",
        ],
    );
    let base = demo.base_url.clone();
    demo.create_user("root@example.com", true, true);
    let b = Browser::start(&chromium, &driver, SIZES[1].1);
    let mut overflow = Vec::new();
    b.goto(&format!("{base}/auth/login"));
    b.fill("input[name=login]", "root@example.com");
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");
    // The first outbox pass runs at start, the next 30 seconds later: wait for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(75);
    loop {
        b.goto(&format!("{base}/auth/admin/webhooks"));
        b.wait_for_heading("Webhook deliveries");
        let text = b.text();
        if text.contains("Delivered") && text.contains("Failed") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no outbox pass: {text}"
        );
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    // A sign-in after the pass: pending until the next one.
    demo.client().login("root@example.com", PASSWORD);
    b.goto(&format!("{base}/auth/admin/webhooks"));
    b.wait_for_text("Pending");
    shoot(&b, "admin-webhooks", &mut overflow);
    // The first failed delivery, its buttons below the first screen on a phone.
    shoot_from(
        &b,
        "admin-webhooks-failed",
        Some("tr:has(form[action$='/retry'])"),
        &mut overflow,
    );
    assert!(
        overflow.is_empty(),
        "pages overflow horizontally: {overflow:#?}"
    );
}
