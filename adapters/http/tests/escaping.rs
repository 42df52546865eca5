//! Cross-site scripting: whatever a visitor sends comes back in a page only as text. The
//! pages echo form values after a refusal (so a person need not type them again) and
//! carry the `next` target through the sign-in form; each is tried with markup here.

use auth_http::testkit::Site;
use http::StatusCode;

const MARKUP: &str = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";

/// The markup does not appear as markup, and does appear escaped (so the test is looking
/// at a page that echoed it).
fn shown_only_as_text(body: &str) {
    assert!(!body.contains("<script>alert(1)"), "{body}");
    assert!(!body.contains("<img src=x"), "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(1)") || body.contains("&lt;script&gt;"),
        "the page did not echo the value at all: {body}"
    );
}

#[tokio::test]
async fn a_refused_sign_in_echoes_the_identifier_as_text() {
    let site = Site::layer();
    let mut b = site.browser();
    let p = b.login(MARKUP, "wrong password").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    shown_only_as_text(&p.body);
}

#[tokio::test]
async fn a_refused_registration_echoes_its_fields_as_text() {
    let site = Site::layer();
    let mut b = site.browser();
    b.get("/auth/register").await;
    let p = b
        .post(
            "/auth/register",
            &[
                ("email", MARKUP),
                ("username", MARKUP),
                ("password", "short"),
                ("password_confirm", "other"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    shown_only_as_text(&p.body);
}

#[tokio::test]
async fn a_refused_reset_request_echoes_the_address_as_text() {
    let site = Site::layer();
    let mut b = site.browser();
    b.get("/auth/request_password_reset").await;
    let p = b
        .post("/auth/request_password_reset", &[("email", MARKUP)])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    shown_only_as_text(&p.body);
}

#[tokio::test]
async fn a_next_target_with_markup_never_reaches_the_page_as_markup() {
    let site = Site::layer();
    let mut b = site.browser();
    let query = serde_urlencoded::to_string([("next", MARKUP)]).unwrap();
    let p = b.get(&format!("/auth/login?{query}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("<script>alert(1)"), "{}", p.body);
    assert!(!p.body.contains("<img src=x"), "{}", p.body);
}
