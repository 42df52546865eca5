//! The scenarios, each an `async fn(&Site, &impl Transport)` that panics when the adapter
//! misbehaves.
#![expect(
    clippy::unwrap_used,
    reason = "test kit: a step that fails panics the test that runs it"
)]

use auth_core::MailKind;
use http::{Method, Request, StatusCode};

use super::{Browser, NEW_PASSWORD, PASSWORD, Site, Transport};

/// Register, open the confirmation link (which only shows a button) and press it,
/// sign in, use guarded routes, sign out (a replayed session cookie is refused), reset the password (the link works once; the old
/// password no longer does).
pub async fn a_whole_account_life_cycle(site: &Site, app: &impl Transport) {
    let mut c = Browser::new(app);
    let r = c.get("/auth/register").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let r = c
        .post(
            "/auth/register",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let link = site.mailed_path("ada@example.com", MailKind::Verification, "/verify/");
    let r = c.get(&link).await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/auth/verify")
    );
    let r = c.get("/auth/verify").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("method=\"post\" action=\"/auth/verify\""),
        "opening the link only shows a button: {}",
        r.body
    );
    let r = c.login("ada@example.com", PASSWORD).await;
    let r = c.get(r.location()).await;
    assert_eq!(
        r.body, "hello ada@example.com",
        "signed in, not confirmed yet"
    );
    assert_eq!(
        c.get("/dashboard").await.status,
        StatusCode::FORBIDDEN,
        "opening the link confirmed nothing"
    );
    c.get("/auth/verify").await;
    let r = c.post("/auth/verify", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        c.get("/dashboard").await.body,
        "dashboard of ada@example.com",
        "the button confirmed it"
    );
    c.post("/auth/logout", &[]).await;

    let r = c.login("ada@example.com", PASSWORD).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(c.get("/").await.body, "hello ada@example.com");
    assert_eq!(
        c.get("/dashboard").await.body,
        "dashboard of ada@example.com"
    );
    let old = c.jar.get("auth_session").cloned().unwrap();

    let r = c.post("/auth/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/").await.body, "anonymous");
    c.jar.insert("auth_session".into(), old);
    let r = c.get("/dashboard").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "a replayed cookie is refused"
    );
    assert_eq!(r.location(), "/auth/login?next=%2Fdashboard");

    // Reset, then the new password works and the old one does not.
    c.get("/auth/request_password_reset").await;
    c.post(
        "/auth/request_password_reset",
        &[("email", "ada@example.com")],
    )
    .await;
    let link = site.mailed_path("ada@example.com", MailKind::PasswordReset, "/reset/");
    let r = c.get(&link).await;
    assert_eq!(r.headers["referrer-policy"], "no-referrer");
    c.get("/auth/reset").await;
    let r = c
        .post(
            "/auth/reset",
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&link).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        c.get("/auth/reset").await.status,
        StatusCode::BAD_REQUEST,
        "a used link is refused"
    );
    assert_eq!(
        c.login("ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.login("ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

/// Without a session, HTML requests are sent to the sign-in page with `next` and
/// API requests get 401; an unconfirmed address gets 403 (a page offering a new
/// link, or `email_not_verified`); a missing role gets 403.
pub async fn guards_redirect_html_and_refuse_api_requests(site: &Site, app: &impl Transport) {
    site.user("ada@example.com", &[], false).await;
    site.user("root@example.com", &["admin"], true).await;
    let mut anon = Browser::new(app);
    let r = anon.get("/members?x=1").await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/auth/login?next=%2Fmembers%3Fx%3D1")
    );
    let r = anon.get_json("/dashboard").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("\"unauthenticated\""), "{}", r.body);

    let mut ada = Browser::new(app);
    ada.login("ada@example.com", PASSWORD).await;
    assert_eq!(ada.get("/members").await.body, "members");
    let r = ada.get("/dashboard").await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the address is not confirmed"
    );
    assert!(r.body.contains("Confirm your email address"));
    assert!(
        r.body.contains("action=\"/auth/verify/resend\""),
        "offers a new link"
    );
    let r = ada.get_json("/dashboard").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("\"email_not_verified\""), "{}", r.body);
    assert_eq!(ada.get("/admin").await.status, StatusCode::FORBIDDEN);
    let r = ada.get_json("/admin").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("\"forbidden\""), "{}", r.body);

    let mut root = Browser::new(app);
    root.login("root@example.com", PASSWORD).await;
    assert_eq!(root.get("/admin").await.body, "admin root@example.com");
    assert_eq!(root.get("/dashboard").await.status, StatusCode::OK);
}

/// A refused user is still signed in: the 403 pages (missing role, unconfirmed
/// address) show the signed-in header, not the sign-in link.
pub async fn refusal_pages_show_who_is_signed_in(site: &Site, app: &impl Transport) {
    site.user("ada@example.com", &[], false).await;
    let mut ada = Browser::new(app);
    ada.login("ada@example.com", PASSWORD).await;
    for (path, what) in [
        ("/admin", "Not allowed"),
        ("/dashboard", "Confirm your email"),
    ] {
        let r = ada.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(r.body.contains(what), "{path}: {}", r.body);
        assert!(
            r.body
                .contains("Signed in as <strong>ada@example.com</strong>"),
            "{path}: {}",
            r.body
        );
        assert!(r.body.contains(">Sign out</button>"), "{path}: {}", r.body);
        assert!(!r.body.contains(">Sign in</a>"), "{path}: {}", r.body);
    }
    let r = ada.get("/dashboard").await;
    assert!(
        r.body.contains("value=\"ada@example.com\""),
        "the resend form knows the address: {}",
        r.body
    );
}

/// Guards for a confirmed address, and for a role and a confirmed address: a user
/// lacking both is told about the role first (confirming would not help).
pub async fn a_role_and_a_confirmed_address_combine(site: &Site, app: &impl Transport) {
    site.user("ada@example.com", &[], true).await;
    site.user("new@example.com", &["admin"], false).await;
    site.user("eve@example.com", &[], false).await;
    site.user("root@example.com", &["admin"], true).await;
    let r = Browser::new(app).get("/staff").await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/auth/login?next=%2Fstaff")
    );
    for (email, path, expected) in [
        ("ada@example.com", "/staff", "forbidden"),
        ("eve@example.com", "/staff", "forbidden"),
        ("eve@example.com", "/verified", "email_not_verified"),
        ("new@example.com", "/staff", "email_not_verified"),
        ("new@example.com", "/verified", "email_not_verified"),
    ] {
        let mut c = Browser::new(app);
        c.login(email, PASSWORD).await;
        let r = c.get_json(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email} {path}");
        assert!(
            r.body.contains(&format!("\"{expected}\"")),
            "{email} {path}: {}",
            r.body
        );
    }
    let mut ada = Browser::new(app);
    ada.login("ada@example.com", PASSWORD).await;
    assert_eq!(ada.get("/verified").await.body, "verified");
    let mut root = Browser::new(app);
    root.login("root@example.com", PASSWORD).await;
    assert_eq!(root.get("/staff").await.body, "staff");
}

/// A guard in a nested router sends the path the application received, not the
/// one the nesting left, as `next`.
pub async fn next_is_the_full_path_of_a_nested_route(site: &Site, app: &impl Transport) {
    site.user("ada@example.com", &[], true).await;
    let mut c = Browser::new(app);
    let r = c.get("/area/page?x=1").await;
    assert_eq!(
        (r.status, r.location()),
        (
            StatusCode::SEE_OTHER,
            "/auth/login?next=%2Farea%2Fpage%3Fx%3D1"
        )
    );
    c.get(r.location()).await;
    let r = c
        .post(
            "/auth/login?next=%2Farea%2Fpage%3Fx%3D1",
            &[("login", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/area/page?x=1")
    );
    assert_eq!(c.get("/area/page?x=1").await.body, "members");
}

/// A route without a user extractor costs no session lookup; two extractors, or a
/// guard and an extractor, cost one.
pub async fn the_session_is_loaded_lazily_and_once(site: &Site, app: &impl Transport) {
    site.user("ada@example.com", &[], true).await;
    let mut c = Browser::new(app);
    c.login("ada@example.com", PASSWORD).await;
    let before = site.session_lookups();
    assert_eq!(c.get("/public").await.body, "no user needed");
    assert_eq!(site.session_lookups(), before, "no store round trip");
    assert_eq!(c.get("/twice").await.body, "ada@example.com true");
    assert_eq!(
        site.session_lookups(),
        before + 1,
        "two extractors, one lookup"
    );
    let before = site.session_lookups();
    assert_eq!(c.get("/admin").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        site.session_lookups(),
        before + 1,
        "guard and extractor share it"
    );
}

/// An adapter's per-request state (the web layer, the caller once loaded) goes with each
/// request, not with the thread. `app` is the kit's contract application with something
/// inside the adapter's layer that makes every request wait once (e.g. a middleware
/// awaiting `tokio::task::yield_now`) before the handler's extractor runs: three
/// requests served together on one thread (`tokio::join!`), Ada's, Bob's and one
/// without a session, each see their own user at `/`.
pub async fn requests_served_together_see_their_own_users(site: &Site, app: &impl Transport) {
    site.user("ada@example.com", &[], true).await;
    site.user("bob@example.com", &[], true).await;
    let (mut ada, mut bob, mut nobody) = (Browser::new(app), Browser::new(app), Browser::new(app));
    ada.login("ada@example.com", PASSWORD).await;
    bob.login("bob@example.com", PASSWORD).await;
    let (a, b, n) = tokio::join!(ada.get("/"), bob.get("/"), nobody.get("/"));
    assert_eq!(a.body, "hello ada@example.com");
    assert_eq!(b.body, "hello bob@example.com");
    assert_eq!(n.body, "anonymous");
}

/// A session store that cannot be reached gives 503 with `Retry-After`, on guarded
/// routes and in the API, without leaking the cause.
pub async fn an_unavailable_session_store_is_503_not_500(site: &Site, app: &impl Transport) {
    site.user("ada@example.com", &[], true).await;
    let mut c = Browser::new(app);
    c.login("ada@example.com", PASSWORD).await;
    site.session_store_down(true);
    let r = c.get("/dashboard").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers.contains_key("retry-after"));
    assert!(!r.body.contains("connection refused"), "no internals leak");
    let r = c.get("/auth/api/me").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("\"unavailable\""), "{}", r.body);
}

/// Bodies past the limit get 413, forms and JSON alike, even without a
/// `Content-Length` (the kit sends none): the binding stops reading at the limit.
pub async fn bodies_past_the_limit_get_413_even_without_a_length(
    _site: &Site,
    app: &impl Transport,
) {
    let mut c = Browser::new(app);
    c.get("/auth/login").await;
    let big = "x".repeat(10_000);
    let r = c.post("/auth/login", &[("login", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = c
        .post_json("/auth/api/login", format!("{{\"login\":\"{big}\"}}"))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("payload_too_large"), "{}", r.body);
}

/// Every framework serves the web layer's OpenAPI document, the same bytes, at
/// `GET /auth/api/openapi.json`.
pub async fn the_openapi_document_is_served(_site: &Site, app: &impl Transport) {
    let mut c = Browser::new(app);
    let r = c.get("/auth/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.body, crate::openapi::document("/auth"));
}

/// The layer answers at its mount point: the bare mount point redirects to the
/// sign-in page, unknown paths get 404, wrong methods 405, and the versioned
/// stylesheet is served with a long cache lifetime.
pub async fn routes_nest_and_unknown_paths_are_404(_site: &Site, app: &impl Transport) {
    let mut c = Browser::new(app);
    let r = c.get("/auth").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/auth/login");
    assert_eq!(c.get("/auth/nope").await.status, StatusCode::NOT_FOUND);
    let r = c
        .send(
            Request::builder().method(Method::DELETE).uri("/auth/login"),
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = c.get("/auth/login").await;
    let css = r
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#x2f;", "/");
    let r = c.get(&css).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
}

/// A forged CSRF token and a cross-site JSON post are refused; the session cookie is
/// HttpOnly and SameSite=Lax (not Secure: plain-HTTP development), and a new sign-in
/// issues a new session id.
pub async fn csrf_is_enforced_and_cookies_carry_their_flags(site: &Site, app: &impl Transport) {
    site.user("ada@example.com", &[], true).await;
    let mut c = Browser::new(app);
    c.get("/auth/login").await;
    let good = c.csrf.clone();
    c.csrf = Some("ab".repeat(32));
    let r = c
        .post(
            "/auth/login",
            &[("login", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a forged token is refused");
    assert!(!c.jar.contains_key("auth_session"));
    let r = c
        .send(
            Request::post("/auth/api/login")
                .header("content-type", "application/json")
                .header("origin", "https://evil.example"),
            format!("{{\"login\":\"ada@example.com\",\"password\":\"{PASSWORD}\"}}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a cross-site origin");
    assert!(r.body.contains("csrf_failed"), "{}", r.body);

    c.csrf = good;
    let r = c.login("ada@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let session = r.set_cookie("auth_session").unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(
        !session.contains("Secure"),
        "plain-HTTP development cookies"
    );
    let first = c.jar["auth_session"].clone();
    c.login("ada@example.com", PASSWORD).await;
    assert_ne!(c.jar["auth_session"], first, "a new session id on login");
}

/// The text between `start` and the next `end` after it in `html`.
fn between<'h>(html: &'h str, start: &str, end: &str) -> &'h str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {html}"))
        + start.len();
    let len = html[from..].find(end).unwrap();
    &html[from..from + len]
}

/// Two-step sign-in by page: enrolment (QR code as inline SVG, the key as text, a
/// malformed code refused at its field), the recovery codes shown once and downloaded as
/// a file; then the password yields only a pending sign-in (a cookie, no session, guarded
/// routes still refuse), a wrong code is shown at the field, the right one signs in and
/// returns to `next`; the same code again is refused; a recovery code signs in once (and
/// the owner is mailed); a lost pending sign-in goes back to the sign-in page; removal
/// needs the password and a code.
pub async fn two_step_sign_in_by_page(site: &Site, app: &impl Transport) {
    let email = "tess@example.com";
    site.user(email, &[], true).await;
    let mut me = Browser::new(app);
    me.login(email, PASSWORD).await;
    let r = me.get("/auth/account").await;
    assert!(r.body.contains("Turn on two-step sign-in"), "{}", r.body);
    let r = me.get("/auth/account/second_factor").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = me.post("/auth/account/second_factor/enrol", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<svg class=\"qr\""), "{}", r.body);
    assert!(!r.body.contains("<script"), "no script on the page");
    let csp = r.header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let secret = between(&r.body, "<code class=\"secret\">", "</code>").replace(' ', "");
    assert!(r.body.contains(email), "the account name is shown");

    let r = me
        .post(
            "/auth/account/second_factor/enrol/finish",
            &[("code", "12a456")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
    assert!(r.body.contains("digits only"), "{}", r.body);
    let r = me.get("/auth/account").await;
    assert!(r.body.contains("Turn on two-step sign-in"), "still off");

    let now = super::authenticator_code(&secret, 0);
    let r = me
        .post(
            "/auth/account/second_factor/enrol/finish",
            &[("code", &now)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let joined = between(&r.body, "name=\"codes\" value=\"", "\"").to_owned();
    let recovery: Vec<String> = joined.split(' ').map(str::to_owned).collect();
    assert_eq!(recovery.len(), 10, "{joined}");
    for code in &recovery {
        assert!(r.body.contains(&format!("<code>{code}</code>")), "{code}");
    }
    let r = me
        .post(
            "/auth/account/second_factor/recovery_codes/download",
            &[("codes", &joined)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.header("content-type").starts_with("text/plain"));
    assert!(r.header("content-disposition").starts_with("attachment;"));
    assert!(recovery.iter().all(|c| r.body.contains(c.as_str())));
    let r = me.get("/auth/account/second_factor").await;
    assert!(r.body.contains("10 of 10"), "{}", r.body);
    let forged = format!("{} ABCD-EFGH-JKMN-PQRS-TVWX-YZ01", recovery[0]);
    let r = me
        .post(
            "/auth/account/second_factor/recovery_codes/download",
            &[("codes", &forged)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "only the account's codes"
    );
    assert!(
        site.mailer()
            .last_to(email, MailKind::SecondFactorEnabled)
            .is_some()
    );

    // The password step: a pending sign-in in a short-lived cookie, no session.
    let mut c = Browser::new(app);
    c.get("/auth/login?next=%2Fmembers").await;
    let r = c
        .post(
            "/auth/login?next=%2Fmembers",
            &[
                ("login", email),
                ("password", PASSWORD),
                ("next", "/members"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/auth/login/second_factor?next=%2Fmembers");
    let pending = r.set_cookie("auth_pending").unwrap();
    assert!(
        pending.contains("HttpOnly") && pending.contains("Max-Age="),
        "{pending}"
    );
    assert!(c.session().is_none(), "no session before the code");
    assert_eq!(c.get("/members").await.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/auth/api/me").await.status, StatusCode::UNAUTHORIZED);

    let r = c.get("/auth/login/second_factor?next=%2Fmembers").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("autocomplete=\"one-time-code\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("use=recovery"),
        "a way to use a recovery code"
    );
    let wrong = if now == "000000" { "999999" } else { "000000" };
    let r = c
        .post(
            "/auth/login/second_factor",
            &[("code", wrong), ("next", "/members")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("not correct"), "{}", r.body);
    assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
    let next = super::authenticator_code(&secret, 1);
    let r = c
        .post(
            "/auth/login/second_factor",
            &[("code", &next), ("next", "/members")],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/members"),
        "{}",
        r.body
    );
    assert!(c.session().is_some());
    assert!(
        c.cookie("auth_pending").is_none(),
        "the pending cookie is gone"
    );
    assert_eq!(c.get("/members").await.body, "members");

    // The same code again, in another browser: refused.
    let mut d = Browser::new(app);
    let r = d.login(email, PASSWORD).await;
    assert_eq!(r.location(), "/auth/login/second_factor");
    d.get(r.location()).await;
    let r = d
        .post("/auth/login/second_factor", &[("code", &next)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("already used"), "{}", r.body);
    assert!(d.session().is_none());

    // A recovery code instead, once.
    let r = d.get("/auth/login/second_factor?use=recovery").await;
    assert!(r.body.contains("Recovery code"), "{}", r.body);
    let r = d
        .post(
            "/auth/login/second_factor",
            &[("code", &recovery[0].to_lowercase()), ("use", "recovery")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(d.session().is_some());
    site.auth().settle().await;
    assert!(
        site.mailer()
            .last_to(email, MailKind::RecoveryCodeUsed)
            .is_some()
    );
    let r = me.get("/auth/account").await;
    assert!(r.body.contains("9 of 10"), "{}", r.body);

    // A spent or missing pending sign-in: back to the sign-in page, with a message.
    let r = d
        .post("/auth/login/second_factor", &[("code", &recovery[1])])
        .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/auth/login")
    );
    let mut e = Browser::new(app);
    e.jar
        .insert("auth_pending".into(), "no-such-sign-in".into());
    e.get("/auth/login").await;
    let r = e
        .post("/auth/login/second_factor", &[("code", &recovery[1])])
        .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/auth/login")
    );
    let r = e.follow(&r).await;
    assert!(r.body.contains("sign in again"), "{}", r.body);
    assert!(e.session().is_none());

    // New recovery codes need a current code; removal the password and a code.
    me.get("/auth/account/second_factor").await;
    let r = me
        .post(
            "/auth/account/second_factor/recovery_codes",
            &[("code", &recovery[1])],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let fresh = between(&r.body, "name=\"codes\" value=\"", " ").to_owned();
    let r = me
        .post(
            "/auth/account/second_factor/disable",
            &[("password", "not the password"), ("code", &fresh)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"f-password-error\""), "{}", r.body);
    let r = me
        .post(
            "/auth/account/second_factor/disable",
            &[("password", PASSWORD), ("code", &recovery[2])],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an old recovery code");
    let r = me
        .post(
            "/auth/account/second_factor/disable",
            &[("password", PASSWORD), ("code", &fresh)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = me.follow(&r).await;
    assert!(r.body.contains("Two-step sign-in is off"), "{}", r.body);
    let r = Browser::new(app).login(email, PASSWORD).await;
    assert_eq!(r.location(), "/", "one step again");
    site.auth().settle().await;
    assert!(
        site.mailer()
            .last_to(email, MailKind::SecondFactorDisabled)
            .is_some()
    );
}

/// How recent a proof the step-up scenario's site asks for: short, so that the scenario
/// can outwait it.
pub const STEP_UP_MAX_AGE: time::Duration = time::Duration::seconds(2);

/// Step-up: an administrator's action right after signing in passes; once the proof is
/// older than the configured age it is refused (JSON 403 `reauthentication_required`,
/// a page sent to `/auth/reauth?next=` the admin page), a wrong password re-authenticates
/// nothing, the right one refreshes the session's proof, and the action passes again.
/// Runs on a site with [`STEP_UP_MAX_AGE`].
pub async fn sensitive_actions_need_a_recent_proof(site: &Site, app: &impl Transport) {
    site.user("root@example.com", &["admin"], true).await;
    let bob = site.user("bob@example.com", &[], true).await;
    let mut c = Browser::new(app);
    assert_eq!(
        c.api_login("root@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    let unlock = format!("/auth/api/admin/users/{}/unlock", bob.id);
    let r = c.api(&unlock, serde_json::json!({})).await;
    assert!(
        r.status.is_success(),
        "fresh sign-in: {} {}",
        r.status,
        r.body
    );

    tokio::time::sleep((STEP_UP_MAX_AGE + time::Duration::milliseconds(300)).unsigned_abs()).await;
    let r = c.api(&unlock, serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "reauthentication_required");
    c.get(&format!("/auth/admin/users/{}", bob.id)).await;
    let r = c
        .post(&format!("/auth/admin/users/{}/unlock", bob.id), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let next = format!("/auth/admin/users/{}", bob.id)
        .replace('/', "%2F")
        .replace('-', "%2D");
    assert_eq!(r.location(), format!("/auth/reauth?next={next}"));
    let page = c.follow(&r).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("name=\"password\""), "{}", page.body);

    let r = c
        .api(
            "/auth/api/reauth",
            serde_json::json!({"password": "not it"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["error"]["fields"]["password"].is_object());
    let r = c.api(&unlock, serde_json::json!({})).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a wrong password proves nothing"
    );

    let r = c
        .post(
            "/auth/reauth",
            &[
                ("password", PASSWORD),
                ("next", &format!("/auth/admin/users/{}", bob.id)),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (
            StatusCode::SEE_OTHER,
            format!("/auth/admin/users/{}", bob.id).as_str()
        ),
        "{}",
        r.body
    );
    let r = c.api(&unlock, serde_json::json!({})).await;
    assert!(
        r.status.is_success(),
        "re-authenticated: {} {}",
        r.status,
        r.body
    );
    let me = c.get_json("/auth/api/me").await;
    assert_eq!(me.json()["session"]["amr"], serde_json::json!(["pwd"]));
}

/// A role that requires a second factor: its holder without one is sent to enrolment
/// right after the password, application routes and the layer's pages redirect there
/// (JSON: 403 `second_factor_enrolment_required`), enrolment itself is reachable, and
/// once enrolled everything is. Runs on a site that requires a second factor of `admin`.
pub async fn a_role_that_requires_a_second_factor_reaches_only_enrolment(
    site: &Site,
    app: &impl Transport,
) {
    site.user("root@example.com", &["admin"], true).await;
    site.user("ada@example.com", &[], true).await;
    let mut ada = Browser::new(app);
    let r = ada.login("ada@example.com", PASSWORD).await;
    assert_eq!(r.location(), "/", "other roles sign in as before");

    let mut c = Browser::new(app);
    let r = c.login("root@example.com", PASSWORD).await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/auth/account/second_factor")
    );
    for path in ["/dashboard", "/auth/account", "/auth/admin"] {
        let r = c.get(path).await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/auth/account/second_factor"),
            "{path}"
        );
    }
    for path in ["/dashboard", "/auth/api/me", "/auth/api/admin/users"] {
        let r = c.get_json(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert_eq!(
            r.json()["error"]["code"],
            "second_factor_enrolment_required",
            "{path}"
        );
    }
    let r = c
        .api(
            "/auth/api/account/second_factor/totp/start",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "enrolment is reachable: {}",
        r.body
    );
    let secret = r.json()["secret"].as_str().unwrap().to_owned();
    let r = c
        .api(
            "/auth/api/account/second_factor/totp/finish",
            serde_json::json!({"code": super::authenticator_code(&secret, 0)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        c.get("/dashboard").await.body,
        "dashboard of root@example.com"
    );
    assert_eq!(c.get_json("/auth/api/me").await.status, StatusCode::OK);
}
