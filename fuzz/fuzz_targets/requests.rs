//! Whole requests through the web layer, a short browser session at a time (cookies kept
//! and sent back, the CSRF token of the last page submitted on request): form and JSON
//! bodies, query strings, cookies and `next` as an attacker would send them. Nothing
//! answers 5xx; every redirect stays on the site; every API error has the documented
//! shape; every cookie set is `__Host-`, Secure, HttpOnly and SameSite=Lax.
#![no_main]

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use arbitrary::Arbitrary;
use auth_fuzz::{PASSWORD, Site, runtime};
use auth_http::{AuthWeb, safe_next};
use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use http::{Method, Request};
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "/",
    "/login",
    "/logout",
    "/register",
    "/verify",
    "/verify/",
    "/verify/resend",
    "/request_password_reset",
    "/reset",
    "/reset/",
    "/email/confirm",
    "/email/confirm/",
    "/account",
    "/account/profile",
    "/account/password",
    "/account/email",
    "/account/sessions",
    "/account/sessions/revoke",
    "/account/sessions/revoke_others",
    "/account/delete",
    "/admin",
    "/admin/users/",
    "/admin/mail",
    "/admin/mail/",
    "/admin/webhooks",
    "/admin/webhooks/",
    "/static/",
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
    "/api/admin/users/",
    "/api/admin/webhooks",
    "/api/admin/webhooks/",
];
const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::HEAD,
    Method::PUT,
    Method::DELETE,
];
const TYPES: [&str; 5] = [
    "application/x-www-form-urlencoded",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
];

#[derive(Debug, Arbitrary)]
struct Step {
    method: u8,
    path: u8,
    suffix: String,
    query: Option<String>,
    content_type: Option<u8>,
    body: Vec<u8>,
    /// Add the CSRF token of the last page (form bodies) or the `X-CSRF-Token` header.
    csrf: bool,
    same_origin: bool,
    accept_json: bool,
    extra_cookie: Option<String>,
}

#[derive(Debug, Arbitrary)]
struct Input {
    signed_in: bool,
    admin: bool,
    steps: Vec<Step>,
}

#[derive(Default)]
struct Browser {
    jar: BTreeMap<String, String>,
    csrf: Option<String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, web: &AuthWeb, request: Request<Bytes>) -> (u16, String) {
        let api = request.uri().path().starts_with("/api/");
        let head = request.method() == Method::HEAD;
        let response = web
            .handle(request, Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))))
            .await;
        let status = response.status();
        assert!(!status.is_server_error(), "{status}: {:?}", response.body());
        if let Some(location) = response.headers().get(LOCATION) {
            let location = location.to_str().expect("a visible location");
            assert!(
                safe_next(location).is_some(),
                "a redirect off the site: {location:?}"
            );
        }
        for set in response.headers().get_all(SET_COOKIE) {
            let set = set.to_str().expect("a visible Set-Cookie");
            assert!(set.starts_with("__Host-"), "{set}");
            for flag in ["; HttpOnly", "; SameSite=Lax", "; Secure", "; Path=/"] {
                assert!(set.contains(flag), "{set} lacks {flag}");
            }
            let (pair, _) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if set.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = String::from_utf8_lossy(response.body()).into_owned();
        if head {
            assert!(body.is_empty(), "an answer to HEAD with a body: {body}");
        } else if api && status.is_client_error() {
            let json: serde_json::Value = serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("an API error that is not JSON ({e}): {body}"));
            let error = &json["error"];
            assert!(error["code"].is_string(), "{body}");
            assert!(error["message"].is_string(), "{body}");
            let fields = error["fields"].as_object().expect("fields by name");
            assert!(fields.values().all(|f| f["message"].is_string()), "{body}");
        }
        if let Some(token) = csrf_in(&body) {
            self.csrf = Some(token);
        }
        (status.as_u16(), body)
    }
}

fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

fuzz_target!(|input: Input| {
    if input.steps.len() > 6 {
        return;
    }
    let site = Site::new();
    let web = site.web();
    runtime().block_on(async {
        site.account("ada@example.com", input.admin).await;
        let mut browser = Browser::default();
        browser
            .send(
                &web,
                Request::get("/login")
                    .body(Bytes::new())
                    .expect("a request"),
            )
            .await;
        if input.signed_in {
            let form = format!(
                "login=ada%40example.com&password={}&csrf_token={}",
                PASSWORD.replace(' ', "+"),
                browser.csrf.clone().unwrap_or_default()
            );
            let request = Request::post("/login")
                .header(CONTENT_TYPE, TYPES[0])
                .header(COOKIE, browser.cookie_header())
                .body(Bytes::from(form))
                .expect("a request");
            let (status, _) = browser.send(&web, request).await;
            assert_eq!(status, 303, "the fixed sign-in works");
            browser
                .send(
                    &web,
                    Request::get("/account")
                        .header(COOKIE, browser.cookie_header())
                        .body(Bytes::new())
                        .expect("a request"),
                )
                .await;
        }
        for step in &input.steps {
            let method = METHODS[usize::from(step.method) % METHODS.len()].clone();
            let mut uri = format!(
                "{}{}",
                PATHS[usize::from(step.path) % PATHS.len()],
                step.suffix
            );
            if let Some(q) = &step.query {
                uri.push('?');
                uri.push_str(q);
            }
            let mut request = Request::builder().method(method).uri(uri.as_str());
            let content_type = step
                .content_type
                .map(|t| TYPES[usize::from(t) % TYPES.len()]);
            if let Some(t) = content_type {
                request = request.header(CONTENT_TYPE, t);
            }
            let mut cookies = browser.cookie_header();
            if let Some(extra) = &step.extra_cookie {
                cookies.push_str("; ");
                cookies.push_str(extra);
            }
            request = request.header(COOKIE, cookies);
            if step.same_origin {
                request = request.header(ORIGIN, "https://app.example");
            }
            if step.accept_json {
                request = request.header(ACCEPT, "application/json");
            }
            let mut body = step.body.clone();
            if step.csrf {
                if let Some(token) = &browser.csrf {
                    if content_type == Some(TYPES[0]) {
                        body.extend_from_slice(format!("&csrf_token={token}").as_bytes());
                    }
                    request = request.header("x-csrf-token", token.as_str());
                }
            }
            let Ok(request) = request.body(Bytes::from(body)) else {
                continue;
            };
            browser.send(&web, request).await;
        }
    });
});
