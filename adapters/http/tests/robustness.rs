//! Arbitrary requests never get a 5xx and never panic: unknown paths, wrong methods,
//! wrong content types, garbage bodies, with and without a session and a CSRF token.

use auth_http::testkit::{PASSWORD, Site};
use http::Method;
use proptest::prelude::*;

const PATHS: &[&str] = &[
    "/",
    "/login",
    "/logout",
    "/register",
    "/verify",
    "/verify/resend",
    "/verify/x.y.z",
    "/request_password_reset",
    "/reset",
    "/reset/x.y.z",
    "/email/confirm",
    "/email/confirm/x",
    "/account",
    "/account/profile",
    "/account/password",
    "/account/email",
    "/account/sessions",
    "/account/sessions/revoke",
    "/account/sessions/revoke_others",
    "/account/delete",
    "/admin",
    "/admin/users/00000000-0000-0000-0000-000000000000",
    "/admin/users/x/disable",
    "/static/x.css",
    "/api/register",
    "/api/login",
    "/api/logout",
    "/api/logout_everywhere",
    "/api/verify",
    "/api/verify/resend",
    "/api/request_password_reset",
    "/api/reset_password",
    "/api/me",
    "/api/email/confirm",
    "/api/account/profile",
    "/api/account/password",
    "/api/account/email",
    "/api/account/delete",
    "/api/account/sessions",
    "/api/account/sessions/revoke",
    "/api/account/sessions/revoke_others",
    "/api/admin/users",
    "/api/admin/users/x",
    "/api/admin/users/x/roles",
    "/nope/../../etc",
];

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        "[a-z_]{1,16}=[ -~]{0,40}(&[a-z_]{1,16}=[ -~]{0,40}){0,4}".prop_map(String::into_bytes),
        r#"\{("(login|email|password|password_confirm|token|username|session|roles|new_email|current_password)": ("[ -~]{0,30}"|[0-9]{1,5}|true|null|\[\]|\{\})(, )?){0,5}\}"#
            .prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_requests_never_get_a_5xx(
        method in prop::sample::select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::HEAD, Method::PATCH]),
        path in prop::sample::select(PATHS.to_vec()),
        suffix in "[a-zA-Z0-9_.~%-]{0,12}",
        query in prop::option::of(prop_oneof![
            "[a-z]{1,6}=[a-zA-Z0-9%/._-]{0,20}",
            // Listing bounds: signs, fractions, and numbers past u64 and i64.
            "(offset|limit)=[-+]?[0-9]{1,25}(\\.[0-9])?(&(offset|limit)=[-+]?[0-9]{1,25})?",
        ]),
        content_type in prop::sample::select(vec!["application/json", "application/x-www-form-urlencoded", "text/plain", "", "application/json; charset=utf-8"]),
        body in body_strategy(),
        signed_in in any::<bool>(),
        with_csrf in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let site = Site::layer();
            site.user("ada@example.com", &["admin"], true).await;
            let mut b = site.browser();
            if signed_in {
                b.login("ada@example.com", PASSWORD).await;
            } else {
                b.get("/auth/login").await;
            }
            let mut body = body;
            if with_csrf && content_type.starts_with("application/x-www") {
                body.extend_from_slice(format!("&csrf_token={}", b.csrf.clone().unwrap()).as_bytes());
            }
            let mut uri = format!("/auth{path}{suffix}");
            if let Some(q) = &query {
                uri.push('?');
                uri.push_str(q);
            }
            if uri.parse::<http::Uri>().is_err() {
                return Ok(());
            }
            let ct = (!content_type.is_empty()).then_some(content_type);
            let p = b.request(method.clone(), &uri, ct, body, &[]).await;
            prop_assert!(
                !p.status.is_server_error(),
                "{method} {uri} -> {}: {}",
                p.status,
                p.body
            );
            Ok::<(), TestCaseError>(())
        })?;
    }
}
