//! A browser-like client over `AuthWeb::handle`: a cookie jar, CSRF tokens read from
//! the last page, and links read out of captured mail.
// Each test binary uses a different part of this module; `allow`, not `expect`: one that
// uses all of it would leave the expectation unfulfilled.
#![allow(dead_code)]
#![expect(
    unreachable_pub,
    clippy::unwrap_used,
    reason = "`pub` items used by the test files that include this module; shared test support: a step that fails panics the calling test"
)]

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use auth_core::{
    Auth, CapturingMailer, ConfigBuilder, HashParams, MailKind, RegistrationMode, User,
};
use auth_http::{AuthWeb, testkit};
use auth_store_memory::MemoryStore;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};

pub const PASSWORD: &str = testkit::PASSWORD;
pub const NEW_PASSWORD: &str = testkit::NEW_PASSWORD;

pub fn config() -> ConfigBuilder {
    auth_core::Config::builder()
        .app_name("Test App")
        .base_url("https://app.test")
        .link_prefix("/auth")
        .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
        .hash_params(HashParams::insecure_fast_for_tests())
        .mail_in_background(false)
}

pub struct Site {
    pub web: AuthWeb,
    pub auth: Auth,
    pub mailer: CapturingMailer,
}

impl Site {
    pub fn new() -> Self {
        Self::with(|c| c, |w| w)
    }

    pub fn with(
        cfg: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
        web: impl FnOnce(auth_http::AuthWebBuilder) -> auth_http::AuthWebBuilder,
    ) -> Self {
        let mailer = CapturingMailer::new();
        let auth = Auth::builder(cfg(config()).build().unwrap())
            .store(Arc::new(MemoryStore::new()))
            .mailer(Arc::new(mailer.clone()))
            .build()
            .unwrap();
        let web = web(AuthWeb::builder(auth.clone())
            .secret(vec![7u8; 32])
            .insecure_dev_cookies(true))
        .build()
        .unwrap();
        Self { web, auth, mailer }
    }

    pub fn reveal() -> Self {
        Self::with(|c| c.registration(RegistrationMode::RevealConflicts), |w| w)
    }

    pub fn browser(&self) -> Browser {
        Browser {
            web: self.web.clone(),
            jar: BTreeMap::new(),
            csrf: None,
            user_agent: "test-browser/1.0".into(),
        }
    }

    pub async fn user(&self, email: &str, roles: &[&str], verified: bool) -> User {
        testkit::create_user(&self.auth, email, roles, verified).await
    }

    /// The path (under the site) of the newest link of `kind` mailed to `to`.
    pub fn mailed_path(&self, to: &str, kind: MailKind, marker: &str) -> String {
        testkit::mailed_path(&self.mailer, "https://app.test", to, kind, marker)
    }
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(http::header::LOCATION)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

pub struct Browser {
    pub web: AuthWeb,
    pub jar: BTreeMap<String, String>,
    pub csrf: Option<String>,
    /// Sent as `User-Agent` with every request.
    pub user_agent: String,
}

/// Strips the mount point from a site path.
fn relative(path: &str) -> &str {
    path.strip_prefix("/auth").unwrap_or(path)
}

impl Browser {
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Page {
        let mut b = Request::builder().method(method).uri(relative(path));
        b = b
            .header("host", "app.test")
            .header("user-agent", &self.user_agent);
        if !self.jar.is_empty() {
            let cookie: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            b = b.header("cookie", cookie.join("; "));
        }
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let req = b.body(Bytes::from(body)).unwrap();
        let resp: Response<Bytes> = self
            .web
            .handle(req, Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))))
            .await;
        let page = Page {
            status: resp.status(),
            headers: resp.headers().clone(),
            body: String::from_utf8(resp.body().to_vec()).unwrap(),
        };
        for c in page.set_cookies() {
            let first = c.split(';').next().unwrap();
            let (k, v) = first.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_owned(), v.to_owned());
            }
        }
        if let Some(token) = csrf_in(&page.body) {
            self.csrf = Some(token);
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None, Vec::new(), &[]).await
    }

    /// Follows redirects (303) like a browser, up to 5.
    pub async fn follow(&mut self, mut page: Page) -> Page {
        for _ in 0..5 {
            if !page.status.is_redirection() {
                break;
            }
            let to = page.location().to_owned();
            page = self.get(&to).await;
        }
        page
    }

    /// Posts a form with the CSRF token of the last page.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(token) = &self.csrf {
            all.push(("csrf_token".into(), token.clone()));
        }
        self.post_raw(path, &all).await
    }

    pub async fn post_raw(&mut self, path: &str, fields: &[(String, String)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[],
        )
        .await
    }

    pub async fn api(&mut self, method: Method, path: &str, body: serde_json::Value) -> Page {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let ct = (method != Method::GET).then_some("application/json");
        self.send(method, path, ct, bytes, &[]).await
    }

    pub fn session(&self) -> Option<String> {
        self.jar.get("auth_session").cloned()
    }

    /// Signs in through the HTML form.
    pub async fn login(&mut self, login: &str, password: &str) -> Page {
        self.get("/auth/login").await;
        self.post("/auth/login", &[("login", login), ("password", password)])
            .await
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}
