//! The account and admin endpoints of the JSON API, resending verification, and the
//! pages' answers to unverified and disabled accounts.

use auth_core::MailKind;
use auth_http::testkit::{NEW_PASSWORD, PASSWORD, Site};
use http::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn account_endpoints_of_the_json_api() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut a = site.browser();
    let mut other = site.browser();
    for c in [&mut a, &mut other] {
        let p = c
            .json(
                Method::POST,
                "/auth/api/login",
                json!({"login": "ada@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(p.status, StatusCode::OK);
    }
    // Without a session every account endpoint is 401.
    let mut anon = site.browser();
    for path in [
        "/auth/api/account/profile",
        "/auth/api/account/password",
        "/auth/api/account/delete",
        "/auth/api/account/sessions/revoke_others",
        "/auth/api/logout_everywhere",
    ] {
        let p = anon.json(Method::POST, path, json!({})).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{path}");
    }

    let p = a
        .json(
            Method::POST,
            "/auth/api/account/profile",
            json!({"username": "ada"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.json()["user"]["username"], "ada");
    let p = a
        .json(
            Method::POST,
            "/auth/api/account/profile",
            json!({"username": "bad name!"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.json()["error"]["fields"]["username"].is_object());

    let p = a
        .json(Method::GET, "/auth/api/account/sessions", Value::Null)
        .await;
    let sessions = p.json()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    let other_handle = sessions.iter().find(|s| s["current"] == false).unwrap()["handle"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = a
        .json(
            Method::POST,
            "/auth/api/account/sessions/revoke",
            json!({"session": other_handle}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    assert_eq!(
        other
            .json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let p = a
        .json(
            Method::POST,
            "/auth/api/account/sessions/revoke",
            json!({"session": "nonsense"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    other
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada", "password": PASSWORD}),
        )
        .await;
    let p = a
        .json(
            Method::POST,
            "/auth/api/account/sessions/revoke_others",
            json!({}),
        )
        .await;
    assert_eq!(p.json()["revoked"], 1);
    assert_eq!(
        other
            .json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let p = a.json(Method::POST, "/auth/api/account/password", json!({"current_password": "wrong wrong wrong", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})).await;
    assert!(p.status.is_client_error());
    let p = a.json(Method::POST, "/auth/api/account/password", json!({"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);

    let p = a
        .json(
            Method::POST,
            "/auth/api/account/email",
            json!({"new_email": "ada@new.example", "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::ACCEPTED, "{}", p.body);
    let link = site.mailed_path("ada@new.example", MailKind::EmailChange, "/email/confirm/");
    let token = link.rsplit('/').next().unwrap();
    let p = a
        .json(
            Method::POST,
            "/auth/api/email/confirm",
            json!({"token": token}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.json()["user"]["email"], "ada@new.example");
    let p = a
        .json(
            Method::POST,
            "/auth/api/email/confirm",
            json!({"token": token}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "single use");

    a.json(
        Method::POST,
        "/auth/api/login",
        json!({"login": "ada@new.example", "password": NEW_PASSWORD}),
    )
    .await;
    other
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada@new.example", "password": NEW_PASSWORD}),
        )
        .await;
    let p = a
        .json(Method::POST, "/auth/api/logout_everywhere", json!({}))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["revoked"], 2);
    assert_eq!(
        other
            .json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    a.json(
        Method::POST,
        "/auth/api/login",
        json!({"login": "ada@new.example", "password": NEW_PASSWORD}),
    )
    .await;
    let p = a
        .json(
            Method::POST,
            "/auth/api/account/delete",
            json!({"password": "wrong wrong wrong"}),
        )
        .await;
    assert!(p.status.is_client_error());
    let p = a
        .json(Method::POST, "/auth/api/account/delete", json!({}))
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert_eq!(p.json()["error"]["fields"]["password"]["code"], "required");
    let p = a
        .json(
            Method::POST,
            "/auth/api/account/delete",
            json!({"password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    let p = a
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada@new.example", "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admin_endpoints_of_the_json_api_and_pages() {
    let site = Site::layer();
    site.user("root@example.com", &["admin"], true).await;
    let ada = site.user("ada@example.com", &[], true).await;
    let mut admin = site.browser();
    admin
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "root@example.com", "password": PASSWORD}),
        )
        .await;
    let mut user = site.browser();
    user.json(
        Method::POST,
        "/auth/api/login",
        json!({"login": "ada@example.com", "password": PASSWORD}),
    )
    .await;

    let p = user
        .json(
            Method::POST,
            &format!("/auth/api/admin/users/{}/disable", ada.id),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    let p = admin
        .json(
            Method::GET,
            "/auth/api/admin/users?q=ada&limit=5",
            Value::Null,
        )
        .await;
    assert_eq!(p.json()["total"], 1);
    assert_eq!(p.json()["users"][0]["email"], "ada@example.com");
    let p = admin
        .json(
            Method::GET,
            &format!("/auth/api/admin/users/{}", ada.id),
            Value::Null,
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["sessions"].as_array().unwrap().len(), 1);
    assert!(p.json()["events"].as_array().is_some());

    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/users/{}/roles", ada.id),
            json!({"roles": ["editor", "reviewer"]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT, "{}", p.body);
    let p = admin
        .json(
            Method::GET,
            &format!("/auth/api/admin/users/{}", ada.id),
            Value::Null,
        )
        .await;
    assert_eq!(p.json()["user"]["roles"], json!(["editor", "reviewer"]));

    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/users/{}/logout", ada.id),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    assert_eq!(
        user.json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/users/{}/disable", ada.id),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    let p = user
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.json()["error"]["code"], "account_disabled");
    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/users/{}/enable", ada.id),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/users/{}/unlock", ada.id),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    let p = user
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);

    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/users/{}/explode", ada.id),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = admin
        .json(Method::GET, "/auth/api/admin/users/not-a-uuid", Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // The HTML admin forms.
    let mut page_admin = site.browser();
    page_admin.login("root@example.com", PASSWORD).await;
    page_admin
        .get(&format!("/auth/admin/users/{}", ada.id))
        .await;
    let p = page_admin
        .post(
            &format!("/auth/admin/users/{}/roles", ada.id),
            &[("roles", "editor, admin")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = page_admin.follow_redirects(p).await;
    assert!(
        p.body.contains("editor, admin") || p.body.contains("admin, editor"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Done."));
    let p = page_admin
        .post(
            &format!("/auth/admin/users/{}/roles", ada.id),
            &[("roles", "no spaces allowed")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    let p = page_admin
        .post(&format!("/auth/admin/users/{}/logout", ada.id), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn resending_verification_and_unverified_sign_in() {
    let site = Site::layer_with(|c| c.require_verified_email(true), |w| w);
    let mut b = site.browser();
    b.get("/auth/register").await;
    b.post(
        "/auth/register",
        &[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
    .await;
    let first = site.mailed_path("ada@example.com", MailKind::Verification, "/verify/");

    let p = b.login("ada@example.com", PASSWORD).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("Confirm your email address"));

    let p = b.get("/auth/verify/resend").await;
    assert_eq!(p.status, StatusCode::OK);
    let known = b
        .post("/auth/verify/resend", &[("email", "ada@example.com")])
        .await;
    let unknown = b
        .post("/auth/verify/resend", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, StatusCode::OK);
    let missing = b.post("/auth/verify/resend", &[("email", "")]).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let second = site.mailed_path("ada@example.com", MailKind::Verification, "/verify/");
    assert_ne!(first, second, "a new link was mailed");

    let p = b
        .json(
            Method::POST,
            "/auth/api/verify/resend",
            json!({"email": "ada@example.com"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::ACCEPTED);

    let p = b.get(&second).await;
    let p = b.follow_redirects(p).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("<h1>Confirm your email address</h1>"));
    let p = b.post("/auth/verify", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = b.follow_redirects(p).await;
    assert!(p.body.contains("Your email address is confirmed"));
    assert_eq!(
        b.login("ada@example.com", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn admin_list_offsets_and_limits_never_panic_or_wrap() {
    let site = Site::layer();
    site.user("root@example.com", &["admin"], true).await;
    for i in 0..26 {
        site.user(&format!("user{i:02}@example.com"), &[], true)
            .await;
    }
    let mut admin = site.browser();
    admin.login("root@example.com", PASSWORD).await;

    // The page: 27 accounts, 25 a page.
    let p = admin.get("/auth/admin").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("/auth/admin?offset=25\">Next"),
        "{}",
        p.body
    );
    let p = admin.get("/auth/admin?offset=25").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("/auth/admin?offset=0\">Previous"),
        "{}",
        p.body
    );
    assert!(!p.body.contains(">Next<"), "the last page");
    // The largest offset every store takes: an empty page, no "Next" past the end.
    let p = admin.get("/auth/admin?offset=9223372036854775807").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(!p.body.contains(">Next<"));
    assert!(
        p.body
            .contains("/auth/admin?offset=9223372036854775782\">Previous")
    );
    for (offset, reason) in [
        ("18446744073709551615", "at most 9223372036854775807"),
        ("18446744073709551616", "at most"),
        ("9223372036854775808", "at most"),
        ("-1", "whole number"),
        ("abc", "whole number"),
        ("1.5", "whole number"),
    ] {
        let p = admin.get(&format!("/auth/admin?offset={offset}")).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{offset}: {}", p.body);
        assert!(p.body.contains("offset"), "{offset}: {}", p.body);
        assert!(p.body.contains(reason), "{offset}: {}", p.body);
        assert!(
            p.body
                .contains("Signed in as <strong>root@example.com</strong>"),
            "{offset}"
        );
    }

    // The JSON API.
    let list = |query: &str| format!("/auth/api/admin/users?{query}");
    for (query, field, code) in [
        ("offset=18446744073709551615", "offset", "out_of_range"),
        ("offset=99999999999999999999999", "offset", "out_of_range"),
        ("offset=-1", "offset", "not_a_number"),
        ("offset=ten", "offset", "not_a_number"),
        ("limit=-5", "limit", "not_a_number"),
        ("limit=1e9", "limit", "not_a_number"),
        ("offset=0&limit=x", "limit", "not_a_number"),
    ] {
        let p = admin
            .json(Method::GET, &list(query), serde_json::Value::Null)
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{query}: {}", p.body);
        let j = p.json();
        assert_eq!(j["error"]["code"], "validation_failed", "{query}");
        assert_eq!(j["error"]["fields"][field]["code"], code, "{query}: {j}");
    }
    for (query, returned) in [
        ("offset=9223372036854775807", 0),
        ("offset=9223372036854775807&limit=18446744073709551615", 0),
        ("limit=18446744073709551615", 27),
        ("limit=99999999999999999999999", 27),
        ("limit=0", 1),
        ("limit=2&offset=26", 1),
        ("offset=&limit=", 27),
    ] {
        let p = admin
            .json(Method::GET, &list(query), serde_json::Value::Null)
            .await;
        assert_eq!(p.status, StatusCode::OK, "{query}: {}", p.body);
        let j = p.json();
        assert_eq!(
            j["users"].as_array().map(Vec::len),
            Some(returned),
            "{query}"
        );
        assert_eq!(j["total"], 27, "{query}");
    }
}
