//! Profile fields on every demo, over HTTP: the demos declare a display name and a
//! company, both asked at registration. Pages (registration form, account page, header,
//! admin user page) and the JSON API (`/api/register`, `/api/me`, `/api/account/profile`,
//! the admin API and its search) take and show them, and bad values are refused with a
//! 400 naming the field, in both.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::{Demo, PASSWORD, email, enc};
use serde_json::json;

blackbox_tests::scenarios!(
    html_registration_account_page_and_header_carry_the_profile,
    json_registration_me_and_profile_updates,
    bad_profile_values_are_refused_with_the_field,
    admins_see_search_and_edit_profiles,
);

fn confirm(demo: &Demo, email: &str) {
    let token = demo.mailed_token(email, "verification", "/verify/");
    let r = demo
        .client()
        .api("/auth/api/verify", json!({ "token": token }));
    assert_eq!(r.status, 200, "{}", r.body);
}

fn html_registration_account_page_and_header_carry_the_profile(demo: &Demo) {
    let email = email("profile-html", demo);
    let mut c = demo.client();
    let form = c.get("/auth/register");
    assert_eq!(form.status, 200);
    for field in [
        "name=\"display_name\"",
        "name=\"company\"",
        "Display name",
        "Company",
    ] {
        assert!(form.body.contains(field), "{field}: {}", form.body);
    }
    let r = c.post(
        "/auth/register",
        &[
            ("email", &email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
            ("display_name", "Ada L."),
            ("company", "Analytical Engines"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    confirm(demo, &email);

    let mut c = demo.client();
    assert_eq!(c.login(&email, PASSWORD).status, 303);
    let account = c.get("/auth/account");
    assert_eq!(account.status, 200);
    assert!(
        account
            .body
            .contains("Signed in as <strong>Ada L.</strong>"),
        "the header shows the display name: {}",
        account.body
    );
    assert!(
        account.body.contains("value=\"Analytical Engines\""),
        "{}",
        account.body
    );
    let dash = c.get("/dashboard");
    assert!(dash.body.contains("Analytical Engines"), "{}", dash.body);

    // The profile section saves the fields; the username field keeps working beside them.
    let r = c.post(
        "/auth/account/profile",
        &[
            ("username", ""),
            ("display_name", "Countess"),
            ("company", ""),
            ("time_zone", "Europe/London"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let account = c.get("/auth/account");
    assert!(
        account
            .body
            .contains("Signed in as <strong>Countess</strong>"),
        "{}",
        account.body
    );
    assert!(
        !account.body.contains("Analytical Engines"),
        "an emptied field is cleared"
    );
    let me = c.get_json("/auth/api/me").json();
    assert_eq!(
        me["user"]["profile"],
        json!({"display_name": "Countess", "time_zone": "Europe/London"})
    );

    // A refused value: the form again, 400, the field marked, the typed value kept, and
    // nothing saved.
    let long = "x".repeat(101);
    let r = c.post(
        "/auth/account/profile",
        &[
            ("username", ""),
            ("display_name", "Changed"),
            ("company", &long),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("id=\"f-company-error\""), "{}", r.body);
    assert!(r.body.contains("at most 100 characters"), "{}", r.body);
    let me = c.get_json("/auth/api/me").json();
    assert_eq!(me["user"]["profile"]["display_name"], "Countess");
}

fn json_registration_me_and_profile_updates(demo: &Demo) {
    let email = email("profile-json", demo);
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({
            "email": email, "password": PASSWORD, "password_confirm": PASSWORD,
            "company": "Acme",
        }),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    confirm(demo, &email);
    let mut c = demo.client();
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["profile"], json!({"company": "Acme"}));
    let me = c.get_json("/auth/api/me");
    assert_eq!(me.json()["user"]["profile"], json!({"company": "Acme"}));

    // Flat fields, or a nested object as /api/me returns it; fields not named stay.
    let r = c.api("/auth/api/account/profile", json!({"display_name": "Ada"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["user"]["profile"],
        json!({"company": "Acme", "display_name": "Ada"})
    );
    let r = c.api(
        "/auth/api/account/profile",
        json!({"profile": {"company": null, "locale": "pt-BR"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["user"]["profile"],
        json!({"display_name": "Ada", "locale": "pt-BR"})
    );
    // The username is left alone by a body that names only profile fields, and still
    // set by one that names it.
    let r = c.api("/auth/api/account/profile", json!({"username": "ada_l"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["username"], "ada_l");
    let r = c.api(
        "/auth/api/account/profile",
        json!({"company": "Babbage & Co"}),
    );
    assert_eq!(r.json()["user"]["username"], "ada_l", "{}", r.body);
    assert_eq!(r.json()["user"]["profile"]["company"], "Babbage & Co");
}

fn bad_profile_values_are_refused_with_the_field(demo: &Demo) {
    let email = email("profile-bad", demo);
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({
            "email": email, "password": PASSWORD, "password_confirm": PASSWORD,
            "company": "x".repeat(101),
        }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_code(), "validation_failed");
    assert_eq!(r.json()["error"]["fields"]["company"]["code"], "too_long");
    assert_eq!(
        demo.mail_count(&email, "verification"),
        0,
        "nothing was created"
    );

    let r = c.api(
        "/auth/api/register",
        json!({
            "email": email, "password": PASSWORD, "password_confirm": PASSWORD,
            "profile": {"is_admin": true},
        }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["profile"]["code"],
        "unknown_field"
    );

    // The HTML form: 400, the form again with the field marked.
    c.get("/auth/register");
    let r = c.post(
        "/auth/register",
        &[
            ("email", &email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
            ("display_name", "bad\u{7}bell"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("id=\"f-display_name-error\""), "{}", r.body);

    let r = c.api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    confirm(demo, &email);
    let mut c = demo.client();
    assert_eq!(c.api_login(&email, PASSWORD).status, 200);
    for (body, field, code) in [
        (json!({"locale": "not a locale"}), "locale", "pattern"),
        (
            json!({"time_zone": "Mars/Olympus Mons"}),
            "time_zone",
            "pattern",
        ),
        (
            json!({"profile": {"company": 5}}),
            "company",
            "invalid_type",
        ),
        (
            json!({"profile": {"nickname": "x"}}),
            "profile",
            "unknown_field",
        ),
    ] {
        let r = c.api("/auth/api/account/profile", body.clone());
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(
            r.json()["error"]["fields"][field]["code"],
            code,
            "{body}: {}",
            r.body
        );
    }
    let me = c.get_json("/auth/api/me").json();
    assert_eq!(me["user"]["profile"], json!({}), "nothing half-written");
}

fn admins_see_search_and_edit_profiles(demo: &Demo) {
    let member = email("profile-member", demo);
    // Unique per demo and run, and not a part of the email address.
    let company = format!("Difference Engines {}", member.split('@').next().unwrap());
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({
            "email": member, "password": PASSWORD, "password_confirm": PASSWORD,
            "company": company, "display_name": "Member",
        }),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let admin = email("profile-admin", demo);
    demo.create_user(&admin, true, true);
    let mut a = demo.client();
    assert_eq!(a.login(&admin, PASSWORD).status, 303);

    // The search finds the member by the company (a searchable field), not by the email.
    let r = a.get_json(&format!(
        "/auth/api/admin/users?q={}",
        enc(&company.to_uppercase())
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    let users = r.json()["users"].as_array().cloned().unwrap_or_default();
    assert!(
        users.iter().any(|u| u["email"] == member.as_str()),
        "{}",
        r.body
    );
    let user = users
        .iter()
        .find(|u| u["email"] == member.as_str())
        .unwrap();
    assert_eq!(user["profile"]["company"], company.as_str());
    let id = user["id"].as_str().unwrap().to_owned();

    // The admin page shows and edits every field.
    let page = a.get(&format!("/auth/admin/users/{id}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("value=\"{company}\"")),
        "{}",
        page.body
    );
    let r = a.post(
        &format!("/auth/admin/users/{id}/profile"),
        &[("display_name", "Renamed"), ("company", "Other Ltd")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = a.get_json(&format!("/auth/api/admin/users/{id}"));
    assert_eq!(r.json()["user"]["profile"]["company"], "Other Ltd");
    assert_eq!(r.json()["user"]["profile"]["display_name"], "Renamed");
    let events = r.json()["events"].to_string();
    assert!(events.contains("profile_changed"), "{events}");

    // The API: 204, and a bad value is a 400 naming the field.
    let r = a.api(
        &format!("/auth/api/admin/users/{id}/profile"),
        json!({"profile": {"company": "API Ltd"}}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = a.api(
        &format!("/auth/api/admin/users/{id}/profile"),
        json!({"company": "y".repeat(101)}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["company"]["code"], "too_long");
    let r = a.get_json(&format!("/auth/api/admin/users/{id}"));
    assert_eq!(r.json()["user"]["profile"]["company"], "API Ltd");
}
