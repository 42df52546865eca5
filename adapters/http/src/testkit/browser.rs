//! The browser-like client and what carries its requests.

use std::collections::BTreeMap;
use std::future::Future;

use http::header::{CONTENT_TYPE, COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};

/// What carries one request to the application under test and brings back the complete
/// response: the framework in-process, the web layer alone ([`LayerOnly`](super::LayerOnly))
/// or a TCP connection to a running server.
pub trait Transport {
    /// Sends `req` (its URI a path from the application's root, e.g. `/auth/login`) and
    /// returns the complete response.
    fn send(&self, req: Request<Vec<u8>>) -> impl Future<Output = Response<Vec<u8>>>;
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, req: Request<Vec<u8>>) -> impl Future<Output = Response<Vec<u8>>> {
        (**self).send(req)
    }
}

/// A response, its body as text.
#[derive(Debug, Clone)]
pub struct Resp {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (UTF-8; an `image/*` body read lossily).
    pub body: String,
}

impl Resp {
    /// The header `name`, or `""` when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |v| v.to_str().unwrap_or_default())
    }

    /// The `Location` header, or `""`.
    pub fn location(&self) -> &str {
        self.header(LOCATION.as_str())
    }

    /// Every `Set-Cookie` header, in order.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }

    /// The `Set-Cookie` header that sets `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.split('=').next() == Some(name))
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    /// When the body is not JSON (the message shows it).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// `error.code` of a JSON error body, or `""`.
    ///
    /// # Panics
    /// When the body is not JSON.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A browser-like client over a [`Transport`]: it keeps cookies (a cookie set empty, with
/// `Max-Age=0` or expired in 1970 is removed), remembers the CSRF token of the last page
/// with a form, adds it to the forms it posts, and sends `Host`, a `User-Agent` and an
/// `Origin` as a browser does. The only HTTP test client of the workspace: the adapter
/// scenarios, the web layer's tests and the black-box suite all drive one.
#[derive(Debug)]
pub struct Browser<T> {
    transport: T,
    /// The cookies, by name.
    pub jar: BTreeMap<String, String>,
    /// The CSRF token of the last page that had a form.
    pub csrf: Option<String>,
    /// Sent as `Host` (default `localhost`).
    pub host: String,
    /// Sent as `User-Agent` when set (default: none).
    pub user_agent: Option<String>,
    /// Sent as `Origin` with every request but `GET` and `HEAD` that does not carry its
    /// own, when set (default: none).
    pub origin: Option<String>,
}

impl<T: Transport> Browser<T> {
    /// A browser without cookies that sends its requests over `transport`.
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            jar: BTreeMap::new(),
            csrf: None,
            host: "localhost".to_owned(),
            user_agent: None,
            origin: None,
        }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, to change where the next requests go.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Sends the request built by `req` with `body`. The browser's own headers come
    /// first (`Host` and `User-Agent` unless `req` has them, the cookies, `Origin` as
    /// described on [`Browser`]), then those of `req`. Keeps the cookies the response
    /// sets and the CSRF token of its form.
    ///
    /// # Panics
    /// When `req` is not a valid request or the body is not UTF-8.
    pub async fn send(&mut self, req: http::request::Builder, body: impl Into<Vec<u8>>) -> Resp {
        let (mut parts, body) = req
            .body(body.into())
            .unwrap_or_else(|e| panic!("an invalid test request: {e}"))
            .into_parts();
        let mut headers = HeaderMap::new();
        if !parts.headers.contains_key(HOST) {
            headers.insert(HOST, value(&self.host));
        }
        if let (Some(agent), false) = (&self.user_agent, parts.headers.contains_key(USER_AGENT)) {
            headers.insert(USER_AGENT, value(agent));
        }
        if !self.jar.is_empty() {
            let c: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            headers.insert(COOKIE, value(&c.join("; ")));
        }
        let safe = parts.method == Method::GET || parts.method == Method::HEAD;
        if let (Some(origin), false) = (&self.origin, safe || parts.headers.contains_key(ORIGIN)) {
            headers.insert(ORIGIN, value(origin));
        }
        let mut last = None;
        for (name, v) in parts.headers.drain() {
            // `drain` names a header once, before the first of its values.
            if let Some(name) = name {
                last = Some(name);
            }
            if let Some(name) = &last {
                headers.append(name.clone(), v);
            }
        }
        parts.headers = headers;
        let what = format!("{} {}", parts.method, parts.uri);
        let resp = self.transport.send(Request::from_parts(parts, body)).await;
        let (parts, body) = resp.into_parts();
        // Images are read lossily (their bytes are checked through `\u{fffd}PNG` and the
        // like); any other body must be UTF-8.
        let image = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("image/"));
        let body = if image {
            String::from_utf8_lossy(&body).into_owned()
        } else {
            String::from_utf8(body).unwrap_or_else(|e| panic!("{what}: the body is not UTF-8: {e}"))
        };
        let resp = Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        };
        self.keep_cookies(&resp);
        if let Some(token) = csrf_in(&resp.body) {
            self.csrf = Some(token);
        }
        resp
    }

    fn keep_cookies(&mut self, resp: &Resp) {
        for c in resp.set_cookies() {
            let pair = c.split(';').next().unwrap_or_default();
            let Some((name, v)) = pair.split_once('=') else {
                continue;
            };
            let lower = c.to_ascii_lowercase();
            if v.is_empty()
                || lower.contains("max-age=0")
                || lower.contains("expires=thu, 01 jan 1970")
            {
                self.jar.remove(name.trim());
            } else {
                self.jar.insert(name.trim().to_owned(), v.to_owned());
            }
        }
    }

    /// Sends `method path` with `body`, a `Content-Type` if given and the `extra`
    /// headers.
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        self.send(req, body).await
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path), Vec::new()).await
    }

    /// `GET path` asking for JSON.
    pub async fn get_json(&mut self, path: &str) -> Resp {
        let req = Request::get(path).header("accept", "application/json");
        self.send(req, Vec::new()).await
    }

    /// The URL-encoded body of a form with `fields`, and with the CSRF token of the last
    /// page (empty when there was none) if `with_csrf`.
    pub fn form<K: AsRef<str>, V: AsRef<str>>(&self, fields: &[(K, V)], with_csrf: bool) -> String {
        let mut all: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect();
        if with_csrf {
            all.push(("csrf_token", self.csrf.as_deref().unwrap_or_default()));
        }
        serde_urlencoded::to_string(&all).unwrap_or_else(|e| panic!("a form body: {e}"))
    }

    /// Posts a form with the CSRF token of the last page.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = self.form(fields, true);
        self.post_raw_body(path, body).await
    }

    /// Posts a form of exactly `fields`: no CSRF token is added.
    pub async fn post_raw(&mut self, path: &str, fields: &[(String, String)]) -> Resp {
        let body = self.form(fields, false);
        self.post_raw_body(path, body).await
    }

    async fn post_raw_body(&mut self, path: &str, body: String) -> Resp {
        let req = Request::post(path).header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(req, body).await
    }

    /// Posts a JSON body as it is.
    pub async fn post_json(&mut self, path: &str, body: String) -> Resp {
        let req = Request::post(path).header(CONTENT_TYPE, "application/json");
        self.send(req, body).await
    }

    /// Sends `method path` with `body` as JSON (`Content-Type: application/json` unless
    /// `GET`; no body when `body` is `null`).
    pub async fn json(&mut self, method: Method, path: &str, body: serde_json::Value) -> Resp {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let ct = (method != Method::GET).then_some("application/json");
        self.request(method, path, ct, bytes, &[]).await
    }

    /// Posts `body` as JSON, asking for JSON: a call of the JSON API.
    pub async fn api(&mut self, path: &str, body: serde_json::Value) -> Resp {
        let req = Request::post(path)
            .header(CONTENT_TYPE, "application/json")
            .header("accept", "application/json");
        self.send(req, body.to_string()).await
    }

    /// Signs in through the HTML form.
    pub async fn login(&mut self, login: &str, password: &str) -> Resp {
        self.get("/auth/login").await;
        self.post("/auth/login", &[("login", login), ("password", password)])
            .await
    }

    /// Signs in through the JSON API.
    pub async fn api_login(&mut self, login: &str, password: &str) -> Resp {
        let body = serde_json::json!({"login": login, "password": password});
        self.api("/auth/api/login", body).await
    }

    /// Signs in through the JSON API for a bearer token (`token_mode: bearer`): the
    /// `Authorization` value that presents the session.
    ///
    /// # Panics
    /// When the sign-in does not answer a token.
    pub async fn bearer_login(&mut self, login: &str, password: &str) -> String {
        let body =
            serde_json::json!({"login": login, "password": password, "token_mode": "bearer"});
        let r = self.api("/auth/api/login", body).await;
        authorization(&r, "token")
    }

    /// Creates an API key described by `body` (`name`, `scopes`, ...) for the session
    /// that `bearer` presents: the `Authorization` value that presents the key.
    ///
    /// # Panics
    /// When the key is not created (201), or the answer gives none.
    pub async fn created_api_key(&mut self, bearer: &str, body: serde_json::Value) -> String {
        let r = self
            .request(
                Method::POST,
                "/auth/api/account/api_keys",
                Some("application/json"),
                body.to_string().into_bytes(),
                &[("authorization", bearer)],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        authorization(&r, "key")
    }

    /// Follows the redirect `resp` once (`GET`).
    ///
    /// # Panics
    /// When `resp` is not a redirect to a local path.
    pub async fn follow(&mut self, resp: &Resp) -> Resp {
        let location = resp.location().to_owned();
        assert!(
            resp.status.is_redirection() && location.starts_with('/'),
            "not a local redirect: {} {location}",
            resp.status
        );
        self.get(&location).await
    }

    /// Follows redirects from `resp` like a browser, up to 5: the first answer that is
    /// not a redirect (or the fifth redirect).
    pub async fn follow_redirects(&mut self, mut resp: Resp) -> Resp {
        for _ in 0..5 {
            if !resp.status.is_redirection() {
                break;
            }
            let to = resp.location().to_owned();
            resp = self.get(&to).await;
        }
        resp
    }

    /// The cookie `name`, plain or with the `__Host-` prefix.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.jar
            .get(name)
            .or_else(|| self.jar.get(&format!("__Host-{name}")))
            .map(String::as_str)
    }

    /// The session cookie (`auth_session`).
    pub fn session(&self) -> Option<String> {
        self.jar.get("auth_session").cloned()
    }
}

/// A header value the kit made itself.
fn value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|e| panic!("a header value {s:?}: {e}"))
}

/// The `csrf_token` of the first form in `html`.
fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// `Bearer ` and the text field `name` of the JSON answer `r`: the `Authorization` value
/// that presents what `r` handed out.
fn authorization(r: &Resp, name: &str) -> String {
    let secret = r.json()[name].as_str().map(str::to_owned);
    let secret = secret.unwrap_or_else(|| panic!("no `{name}` in the answer: {}", r.body));
    format!("Bearer {secret}")
}
