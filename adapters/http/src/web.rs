//! [`AuthWeb`]: the configured web layer and its request plumbing.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use auth_core::{Auth, Authenticated, RequestContext, SessionToken, User};
use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, ORIGIN, RETRY_AFTER, SET_COOKIE,
    USER_AGENT,
};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use crate::cookies::{self, CookieNames};
use crate::csrf::{self, CsrfKey};
use crate::fields::{Fields, InputError};
use crate::forwarded::{ProxyHeader, TrustedProxies};
use crate::problem::Problem;
use crate::requirement::Denial;
use crate::templates::{Overrides, Templates};
use crate::views::UserView;
use crate::{WebError, flash};

/// The default request body limit: 64 KiB, plenty for every form and JSON body.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The Content-Security-Policy sent with every page of the layer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The longest link token accepted into a cookie.
const MAX_LINK_TOKEN: usize = 2048;

/// How long a token taken out of a mailed link is kept in its cookie.
const LINK_COOKIE_SECONDS: i64 = 15 * 60;

/// The web layer: every route, page and API endpoint of the toolkit over `http` 1.x
/// types. Cheap to clone (an `Arc` inside). Framework adapters call
/// [`AuthWeb::handle`] for requests under the mount point, and
/// [`AuthWeb::current_user`] where the application asks who is signed in.
#[derive(Clone)]
pub struct AuthWeb {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) auth: Auth,
    pub(crate) prefix: String,
    pub(crate) secure: bool,
    pub(crate) body_limit: usize,
    pub(crate) csrf: CsrfKey,
    pub(crate) cookies: CookieNames,
    pub(crate) templates: Templates,
    pub(crate) home: String,
    pub(crate) after_login: String,
    pub(crate) after_logout: String,
    pub(crate) origins: Vec<String>,
    pub(crate) proxies: TrustedProxies,
}

impl std::fmt::Debug for AuthWeb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthWeb")
            .field("prefix", &self.inner.prefix)
            .field("secure", &self.inner.secure)
            .field("body_limit", &self.inner.body_limit)
            .finish_non_exhaustive()
    }
}

/// Builds an [`AuthWeb`]; see [`AuthWeb::builder`].
#[must_use]
pub struct AuthWebBuilder {
    auth: Auth,
    prefix: Option<String>,
    secure: bool,
    body_limit: usize,
    secret: Option<Vec<u8>>,
    overrides: Overrides,
    home: String,
    after_login: String,
    after_logout: String,
    origins: Vec<String>,
    proxies: TrustedProxies,
}

impl std::fmt::Debug for AuthWebBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthWebBuilder")
            .field("prefix", &self.prefix)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

impl AuthWebBuilder {
    /// Where the routes are mounted (default: the engine's `link_prefix`, so that mailed
    /// links reach them). Relative paths given to [`AuthWeb::handle`] are under it.
    pub fn mount_path(mut self, path: impl Into<String>) -> Self {
        self.prefix = Some(path.into());
        self
    }

    /// Plain-HTTP local development: cookies without `Secure` and without the `__Host-`
    /// prefix. The default is secure cookies, which browsers only send over HTTPS
    /// (and `http://localhost`).
    pub fn insecure_dev_cookies(mut self, insecure: bool) -> Self {
        self.secure = !insecure;
        self
    }

    /// The largest request body accepted (default [`DEFAULT_BODY_LIMIT`]); larger
    /// bodies get 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// A secret (at least 32 bytes) the CSRF key is derived from. Give the same secret
    /// to every instance behind a load balancer; without one, each process draws a
    /// random key and forms rendered by another instance (or before a restart) are
    /// refused.
    pub fn secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Replaces (or adds) the template `name` with `source`.
    pub fn template(mut self, name: impl Into<String>, source: impl Into<String>) -> Self {
        self.overrides.strings.push((name.into(), source.into()));
        self
    }

    /// Loads every file of `dir` (recursively) as a template named by its relative
    /// path, replacing the shipped one of the same name. Strings given with
    /// [`AuthWebBuilder::template`] win over files.
    pub fn template_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.overrides.dirs.push(dir.into());
        self
    }

    /// Replaces the shipped stylesheet.
    pub fn stylesheet(mut self, css: impl Into<String>) -> Self {
        self.overrides.stylesheet = Some(css.into());
        self
    }

    /// The application's home page, linked from the header (default `/`).
    pub fn home(mut self, path: impl Into<String>) -> Self {
        self.home = path.into();
        self
    }

    /// Where sign-in leads when there is no `next` (default `/`).
    pub fn after_login(mut self, path: impl Into<String>) -> Self {
        self.after_login = path.into();
        self
    }

    /// Where sign-out leads (default `/`).
    pub fn after_logout(mut self, path: impl Into<String>) -> Self {
        self.after_logout = path.into();
        self
    }

    /// Another origin (`https://app.example.com`) allowed to post to the layer. The
    /// engine's base URL and the request's own `Host` are always allowed.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins
            .push(origin.into().trim_end_matches('/').to_owned());
        self
    }

    /// Behind one reverse proxy that appends the client's address to `X-Forwarded-For`
    /// (or the header chosen with [`AuthWebBuilder::proxy_header`]): `true` is
    /// [`AuthWebBuilder::trusted_proxy_hops`]`(1)`, `false` is `(0)`, the default, which
    /// takes the peer address and ignores the header.
    pub fn trust_forwarded_for(self, trust: bool) -> Self {
        self.trusted_proxy_hops(u8::from(trust))
    }

    /// How many reverse proxies stand in front of the application, each appending the
    /// address that connected to it to the proxy header (default 0: the peer address is
    /// the client's and the header is ignored). The client address is the entry the
    /// outermost of them appended, the `hops`-th from the right: entries further left
    /// were written by the client and are ignored. A header that is missing, malformed
    /// or names no address there (`unknown`, an obfuscated name) leaves the peer address.
    /// The address feeds per-address rate limits, the device list and the audit trail;
    /// set this only when every request comes through those proxies, or clients choose
    /// their own address.
    pub fn trusted_proxy_hops(mut self, hops: u8) -> Self {
        self.proxies.hops = hops;
        self
    }

    /// The header the trusted proxies write (default
    /// [`ProxyHeader::XForwardedFor`]); only that one is read. See
    /// [`AuthWebBuilder::trusted_proxy_hops`].
    pub fn proxy_header(mut self, header: ProxyHeader) -> Self {
        self.proxies.header = header;
        self
    }

    /// Compiles the templates and checks the settings.
    ///
    /// # Errors
    /// [`WebError`] when a template does not compile, a template directory cannot be
    /// read, a path setting is not a local path, or the secret is too short.
    pub fn build(self) -> Result<AuthWeb, WebError> {
        let prefix = self
            .prefix
            .unwrap_or_else(|| self.auth.config().links().prefix.clone());
        let prefix = prefix.trim_end_matches('/').to_owned();
        if !prefix.is_empty() && (!prefix.starts_with('/') || prefix.starts_with("//")) {
            return Err(WebError::Config(format!(
                "mount path must be empty or start with a single '/', got {prefix:?}"
            )));
        }
        for (what, path) in [
            ("home", &self.home),
            ("after_login", &self.after_login),
            ("after_logout", &self.after_logout),
        ] {
            if crate::redirect::safe_next(path).is_none() {
                return Err(WebError::Config(format!(
                    "{what} must be a local path, got {path:?}"
                )));
            }
        }
        let csrf = match &self.secret {
            Some(s) if s.len() < 32 => {
                return Err(WebError::Config(
                    "the secret must be at least 32 bytes".into(),
                ));
            }
            Some(s) => CsrfKey::from_secret(s),
            None => {
                CsrfKey::random().map_err(|e| WebError::Config(format!("no randomness: {e}")))?
            }
        };
        let templates = Templates::build(&self.overrides)?;
        let mut origins = self.origins;
        if let Some(origin) = origin_of(&self.auth.config().links().base_url) {
            origins.push(origin);
        }
        Ok(AuthWeb {
            inner: Arc::new(Inner {
                auth: self.auth,
                prefix,
                secure: self.secure,
                body_limit: self.body_limit,
                csrf,
                cookies: CookieNames::new(self.secure),
                templates,
                home: self.home,
                after_login: self.after_login,
                after_logout: self.after_logout,
                origins,
                proxies: self.proxies,
            }),
        })
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    Some(format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// A request as the handlers see it.
pub(crate) struct Req {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) ctx: RequestContext,
    pub(crate) csrf_seed: String,
    pub(crate) csrf_new: bool,
}

/// A response under construction.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) cookies: Vec<String>,
    /// Whether it is a rendered page (which needs the CSRF cookie).
    pub(crate) page: bool,
}

impl Reply {
    pub(crate) fn new(status: StatusCode) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            cookies: Vec::new(),
            page: false,
        }
    }

    /// 303 See Other to a local path.
    pub(crate) fn redirect(location: &str) -> Self {
        let mut r = Self::new(StatusCode::SEE_OTHER);
        match HeaderValue::from_str(location) {
            Ok(v) => {
                r.headers.insert(LOCATION, v);
            }
            Err(_) => {
                r.headers.insert(LOCATION, HeaderValue::from_static("/"));
            }
        }
        r
    }

    pub(crate) fn json(status: StatusCode, value: &Value) -> Self {
        let mut r = Self::new(status);
        r.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.body = Bytes::from(value.to_string());
        r
    }

    pub(crate) fn cookie(mut self, set_cookie: String) -> Self {
        self.cookies.push(set_cookie);
        self
    }

    pub(crate) fn retry_after(mut self, seconds: Option<u64>) -> Self {
        if let Some(s) = seconds {
            self.headers.insert(RETRY_AFTER, HeaderValue::from(s));
        }
        self
    }
}

impl AuthWeb {
    /// A builder over an engine, with the defaults described on each method.
    pub fn builder(auth: Auth) -> AuthWebBuilder {
        AuthWebBuilder {
            auth,
            prefix: None,
            secure: true,
            body_limit: DEFAULT_BODY_LIMIT,
            secret: None,
            overrides: Overrides::default(),
            home: "/".into(),
            after_login: "/".into(),
            after_logout: "/".into(),
            origins: Vec::new(),
            proxies: TrustedProxies::default(),
        }
    }

    /// The engine.
    pub fn auth(&self) -> &Auth {
        &self.inner.auth
    }

    /// The mount path (e.g. `/auth`), without a trailing slash.
    pub fn mount_path(&self) -> &str {
        &self.inner.prefix
    }

    /// The request body limit in bytes. [`AuthWeb::serve`] stops reading a body past it
    /// and answers 413.
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The name of the session cookie.
    pub fn session_cookie_name(&self) -> &str {
        &self.inner.cookies.session
    }

    /// The path of the versioned stylesheet (e.g. `/auth/static/auth-1a2b3c4d5e6f.css`),
    /// for application pages that want the same look.
    pub fn stylesheet_path(&self) -> String {
        format!(
            "{}/static/{}",
            self.inner.prefix, self.inner.templates.css_file
        )
    }

    /// Handles one request under the mount point. `req`'s URI path is relative to the
    /// mount point (`/login`, not `/auth/login`): framework adapters strip the prefix
    /// the way their `nest`/`mount` does. `peer` is the client's address.
    ///
    /// Never panics and never returns a 500 for bad input: unknown routes get 404,
    /// wrong methods 405, bodies over the limit 413, malformed bodies 400.
    pub async fn handle(&self, req: Request<Bytes>, peer: Option<IpAddr>) -> Response<Bytes> {
        let (parts, body) = req.into_parts();
        let head = parts.method == Method::HEAD;
        let too_large = body.len() > self.inner.body_limit
            || parts
                .headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .is_some_and(|n| n > self.inner.body_limit as u64);
        let path = parts.uri.path();
        let path = if path.is_empty() { "/" } else { path }.to_owned();
        let is_api = is_api_path(&path);
        let r = self.request(
            if head { Method::GET } else { parts.method },
            path,
            parts.uri.query().map(str::to_owned),
            parts.headers,
            body,
            peer,
        );
        let reply = if too_large {
            self.problem(&r, is_api, &Problem::too_large(self.inner.body_limit))
        } else if is_api {
            self.api(&r).await
        } else {
            self.html(&r).await
        };
        let mut resp = self.finish(&r, reply);
        if head {
            *resp.body_mut() = Bytes::new();
        }
        resp
    }

    pub(crate) fn request(
        &self,
        method: Method,
        path: String,
        query: Option<String>,
        headers: HeaderMap,
        body: Bytes,
        peer: Option<IpAddr>,
    ) -> Req {
        let ip = self.inner.proxies.client_ip(&headers, peer);
        let user_agent = headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect());
        let (csrf_seed, csrf_new) = match cookies::get(&headers, &self.inner.cookies.csrf) {
            Some(seed) if csrf::is_seed(seed) => (seed.to_owned(), false),
            _ => (csrf::new_seed().unwrap_or_default(), true),
        };
        Req {
            method,
            path,
            query,
            headers,
            body,
            ctx: RequestContext { ip, user_agent },
            csrf_seed,
            csrf_new,
        }
    }

    /// Turns a reply into a response: cookies, security headers.
    pub(crate) fn finish(&self, r: &Req, mut reply: Reply) -> Response<Bytes> {
        if reply.page && r.csrf_new && !r.csrf_seed.is_empty() {
            reply.cookies.push(cookies::set(
                &self.inner.cookies.csrf,
                &r.csrf_seed,
                self.inner.secure,
                None,
            ));
        }
        let mut resp = Response::new(reply.body);
        *resp.status_mut() = reply.status;
        *resp.headers_mut() = reply.headers;
        for c in reply.cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                resp.headers_mut().append(SET_COOKIE, v);
            }
        }
        security_headers(resp.headers_mut());
        resp
    }

    /// The session token the request carries in its cookie, if well formed.
    pub fn session_token(&self, headers: &HeaderMap) -> Option<SessionToken> {
        cookies::get(headers, &self.inner.cookies.session).and_then(SessionToken::parse)
    }

    /// [`AuthWeb::current_user`] for a framework whose headers are not `http`'s: takes
    /// the values of the request's `Cookie` headers only, so that an adapter need not
    /// convert every header to ask who is signed in. Values that are not visible ASCII
    /// are skipped, as [`http::HeaderValue::to_str`] skips them for `current_user`.
    ///
    /// # Errors
    /// As [`AuthWeb::current_user`].
    pub async fn current_user_from_cookies<'h>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
    ) -> Result<Option<Authenticated>, auth_core::Error> {
        let visible = |v: &&str| v.bytes().all(|b| b == b'\t' || (32..127).contains(&b));
        let token = cookies::get_in(
            cookie_headers.into_iter().filter(visible),
            &self.inner.cookies.session,
        )
        .and_then(SessionToken::parse);
        self.authenticate(token).await
    }

    /// Who is signed in on this request: one store round trip when the request carries
    /// a session cookie, none otherwise.
    ///
    /// # Errors
    /// The engine's error when the session store fails (e.g.
    /// [`auth_core::Error::Unavailable`]).
    pub async fn current_user(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<Authenticated>, auth_core::Error> {
        self.authenticate(self.session_token(headers)).await
    }

    async fn authenticate(
        &self,
        token: Option<SessionToken>,
    ) -> Result<Option<Authenticated>, auth_core::Error> {
        match token {
            Some(token) => self.inner.auth.authenticate(&token).await,
            None => Ok(None),
        }
    }

    /// The response a guard sends when it refuses a request: HTML requests that need a
    /// sign-in are redirected to the sign-in page with `next` set to `path_and_query`
    /// (the full original path); API requests (under `/api/`, or that accept JSON but
    /// not HTML) get a JSON error; other refusals get an error page.
    ///
    /// `user` is the signed-in user the guard checked (what it gave
    /// [`Requirement::check`](crate::Requirement::check)), `None` without a session.
    /// A refused user is still signed in, and the error page's header says so, as on
    /// every other page.
    pub fn deny(
        &self,
        denial: Denial,
        user: Option<&Authenticated>,
        headers: &HeaderMap,
        path_and_query: &str,
    ) -> Response<Bytes> {
        let r = self.request(
            Method::GET,
            path_and_query.to_owned(),
            None,
            headers.clone(),
            Bytes::new(),
            None,
        );
        let api = wants_json(headers) || path_and_query.contains("/api/");
        let reply = self.refusal(&r, api, denial, user.map(|a| &a.user), path_and_query);
        self.finish(&r, reply)
    }

    /// The reply to a [`Denial`] of request `r` (for [`AuthWeb::deny`] and the layer's
    /// own guarded pages); `user` is the refused user, `None` without a session, and
    /// `next` where to return after signing in.
    pub(crate) fn refusal(
        &self,
        r: &Req,
        api: bool,
        denial: Denial,
        user: Option<&User>,
        next: &str,
    ) -> Reply {
        match denial {
            Denial::Unauthenticated if !api => self.login_redirect(next),
            Denial::Unauthenticated => self.problem(r, true, &Problem::unauthenticated()),
            Denial::EmailNotVerified if !api => self.page(
                r,
                StatusCode::FORBIDDEN,
                "message.html",
                user,
                json!({
                    "title": "Confirm your email address",
                    "paragraphs": [
                        "This page is only for accounts with a confirmed email address. Open the link we sent you when you registered.",
                        "Lost it? Enter your address and we will send a new one.",
                    ],
                    "resend": true,
                    "values": { "email": user.map(|u| u.email.as_str()) },
                }),
            ),
            Denial::EmailNotVerified => self.problem(r, true, &Problem::email_not_verified()),
            Denial::Forbidden => self.problem_as(r, api, &Problem::forbidden(), user),
        }
    }

    /// The response for an engine error met by application code (e.g. the store was
    /// unavailable while loading the user): the same mapping the layer's routes use.
    pub fn error_response(&self, error: &auth_core::Error, headers: &HeaderMap) -> Response<Bytes> {
        let r = self.request(
            Method::GET,
            "/".into(),
            None,
            headers.clone(),
            Bytes::new(),
            None,
        );
        let reply = self.problem(&r, wants_json(headers), &Problem::from_error(error));
        self.finish(&r, reply)
    }

    /// 413, for a body past [`AuthWeb::body_limit`] that was not read further.
    pub(crate) fn payload_too_large(&self, headers: &HeaderMap, api: bool) -> Response<Bytes> {
        let r = self.request(
            Method::POST,
            "/".into(),
            None,
            headers.clone(),
            Bytes::new(),
            None,
        );
        let reply = self.problem(
            &r,
            api || wants_json(headers),
            &Problem::too_large(self.inner.body_limit),
        );
        self.finish(&r, reply)
    }

    /// Renders an application page with the layer's templates (add yours with
    /// [`AuthWebBuilder::template`]; they can extend `base.html`). The context has
    /// everything `base.html` needs (`user`, `flash`, `csrf_token` for the sign-out
    /// form, `stylesheet`, `prefix`, `app_name`) plus the fields of `extra`, which must
    /// serialise to a map. Security headers are set.
    pub fn render_page(
        &self,
        headers: &HeaderMap,
        template: &str,
        user: Option<&User>,
        extra: impl Serialize,
    ) -> Response<Bytes> {
        let r = self.request(
            Method::GET,
            "/".into(),
            None,
            headers.clone(),
            Bytes::new(),
            None,
        );
        let extra = serde_json::to_value(extra).unwrap_or(Value::Null);
        let reply = self.page(&r, StatusCode::OK, template, user, extra);
        self.finish(&r, reply)
    }

    // ----- helpers shared by the HTML and API handlers -----

    pub(crate) fn login_redirect(&self, next: &str) -> Reply {
        let next = percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC);
        Reply::redirect(&format!("{}/login?next={next}", self.inner.prefix))
            .cookie(flash::set(self, "login_required"))
    }

    /// The full path (mount + relative path + query) of a request, for `next`.
    pub(crate) fn full_path(&self, r: &Req) -> String {
        match &r.query {
            Some(q) => format!("{}{}?{q}", self.inner.prefix, r.path),
            None => format!("{}{}", self.inner.prefix, r.path),
        }
    }

    /// A page: the template with the common context merged under `extra`.
    pub(crate) fn page(
        &self,
        r: &Req,
        status: StatusCode,
        template: &str,
        user: Option<&User>,
        extra: Value,
    ) -> Reply {
        let mut ctx = json!({
            "app_name": self.inner.auth.config().app_name(),
            "prefix": self.inner.prefix,
            "home": self.inner.home,
            "stylesheet": self.stylesheet_path(),
            "csrf_token": self.inner.csrf.token(&r.csrf_seed),
            "user": user.map(|u| UserView::new(u, self.inner.auth.config().admin_role())),
            "errors": {},
            "values": {},
            "min_password": self.inner.auth.config().password_policy().min_length,
        });
        let mut reply = Reply::new(status);
        if let Some((code, flash)) = flash::read(self, &r.headers) {
            let _ = code;
            ctx["flash"] = flash;
            reply.cookies.push(cookies::remove(
                &self.inner.cookies.flash,
                self.inner.secure,
            ));
        }
        if let (Value::Object(base), Value::Object(extra)) = (&mut ctx, extra) {
            base.extend(extra);
        }
        match self.inner.templates.render(template, &ctx) {
            Ok(html) => {
                reply.body = Bytes::from(html);
                reply.headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                reply.page = true;
                reply
            }
            Err(e) => {
                tracing::error!(template, error = %e, "rendering a page failed");
                let mut fallback = Reply::new(StatusCode::INTERNAL_SERVER_ERROR);
                fallback.headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                fallback.body = Bytes::from_static(
                    b"Something went wrong on our side. Please try again in a moment.",
                );
                fallback
            }
        }
    }

    /// A failure, as a JSON error or an error page that names no signed-in user.
    pub(crate) fn problem(&self, r: &Req, api: bool, p: &Problem) -> Reply {
        self.problem_as(r, api, p, None)
    }

    /// A failure, as a JSON error or an error page whose header shows `user`.
    pub(crate) fn problem_as(&self, r: &Req, api: bool, p: &Problem, user: Option<&User>) -> Reply {
        let reply = if api {
            Reply::json(p.status, &p.to_json())
        } else {
            let title = match p.status.as_u16() {
                400 => "Something is not right",
                401 => "Please sign in",
                403 => "Not allowed",
                404 => "Page not found",
                405 => "Not allowed",
                409 => "Conflict",
                413 => "Too much data",
                415 => "Unsupported request",
                429 => "Slow down",
                503 => "Temporarily unavailable",
                _ => "Something went wrong",
            };
            self.page(
                r,
                p.status,
                "error.html",
                user,
                json!({ "title": title, "message": p.message, "code": p.code }),
            )
        };
        reply.retry_after(p.retry_after)
    }

    /// Whether a state-changing request comes from an allowed origin. Requests without
    /// `Origin` (non-browser clients, some same-origin navigations) pass; the CSRF token
    /// or the JSON content type covers them.
    pub(crate) fn origin_ok(&self, headers: &HeaderMap) -> bool {
        if headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
        {
            return false;
        }
        let Some(origin) = headers.get(ORIGIN) else {
            return true;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        // Our pages send `Referrer-Policy: no-referrer`, under which Chromium posts
        // same-origin forms with `Origin: null`. Accept that only when the browser itself
        // says the request is same-origin (`Sec-Fetch-Site` cannot be set by a page);
        // the CSRF token is still required. A sandboxed or cross-site `null` is refused.
        if origin == "null" {
            return headers
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("same-origin"));
        }
        if self
            .inner
            .origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(&origin))
        {
            return true;
        }
        let host = headers.get(HOST).and_then(|v| v.to_str().ok());
        match (origin.split_once("://"), host) {
            (Some((_, authority)), Some(host)) => authority.eq_ignore_ascii_case(host),
            _ => false,
        }
    }

    /// Reads a posted HTML form after checking its content type, origin and CSRF token.
    pub(crate) fn form(&self, r: &Req) -> Result<Fields, Reply> {
        let ct = content_type(&r.headers);
        if ct != "application/x-www-form-urlencoded" {
            return Err(self.problem(
                r,
                false,
                &Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Forms must be sent as application/x-www-form-urlencoded.",
                ),
            ));
        }
        let fields = Fields::from_form(&r.body).map_err(|e| self.input_error(r, false, e))?;
        let token = fields.get("csrf_token").unwrap_or_default();
        if r.csrf_new || !self.inner.csrf.verify(&r.csrf_seed, token) || !self.origin_ok(&r.headers)
        {
            // The path is not logged: `POST /reset/{token}` carries a live token.
            tracing::info!("refused a form without a valid CSRF token or from a foreign origin");
            return Err(self.problem(r, false, &Problem::csrf()));
        }
        Ok(fields)
    }

    /// Reads a JSON API body after checking its content type and origin. An empty body
    /// reads as `{}`.
    pub(crate) fn json_body(&self, r: &Req) -> Result<Fields, Reply> {
        if content_type(&r.headers) != "application/json" {
            return Err(self.problem(
                r,
                true,
                &Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Send JSON with Content-Type: application/json.",
                ),
            ));
        }
        if !self.origin_ok(&r.headers) {
            return Err(self.problem(r, true, &Problem::csrf()));
        }
        Fields::from_json(&r.body).map_err(|e| self.input_error(r, true, e))
    }

    fn input_error(&self, r: &Req, api: bool, e: InputError) -> Reply {
        let (InputError::Malformed(m) | InputError::WrongType(m)) = e;
        self.problem(
            r,
            api,
            &Problem::new(StatusCode::BAD_REQUEST, "bad_request", m),
        )
    }

    /// After a successful sign-in, ends the session the request was still carrying (a
    /// second sign-in from the same browser must not leave the first one alive on the
    /// server). Failures are logged only: the new session is already issued.
    pub(crate) async fn end_previous_session(&self, r: &Req) {
        if let Some(old) = self.session_token(&r.headers)
            && let Err(e) = self.inner.auth.logout(&old, &r.ctx).await
        {
            tracing::debug!(error = %e, "could not end the previous session at sign-in");
        }
    }

    /// The session cookie for a new session.
    pub(crate) fn session_cookie(
        &self,
        token: &SessionToken,
        session: &auth_core::SessionRecord,
    ) -> String {
        let max_age = session
            .remember
            .then(|| (session.expires_at - time::OffsetDateTime::now_utc()).whole_seconds());
        cookies::set(
            &self.inner.cookies.session,
            token.expose(),
            self.inner.secure,
            max_age,
        )
    }

    pub(crate) fn clear_session_cookie(&self) -> String {
        cookies::remove(&self.inner.cookies.session, self.inner.secure)
    }

    /// Moves a token out of a URL into a short-lived cookie and redirects to `to`.
    pub(crate) fn stash_link(&self, purpose: &str, token: &str, to: &str) -> Reply {
        // Link tokens are JWTs: three non-empty parts of URL-safe base64 joined by dots.
        // Anything else (or anything too big for a cookie) cannot be one; the token-less
        // page then explains the link is invalid.
        let plausible = token.len() <= MAX_LINK_TOKEN
            && token.split('.').count() == 3
            && token.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
            });
        if !plausible {
            return Reply::redirect(&format!("{}{to}", self.inner.prefix))
                .cookie(self.clear_link());
        }
        let value = format!("{purpose}.{token}");
        Reply::redirect(&format!("{}{to}", self.inner.prefix)).cookie(cookies::set(
            &self.inner.cookies.link,
            &value,
            self.inner.secure,
            Some(LINK_COOKIE_SECONDS),
        ))
    }

    /// The token stashed for `purpose`, if any.
    pub(crate) fn stashed_link(&self, r: &Req, purpose: &str) -> Option<String> {
        let value = cookies::get(&r.headers, &self.inner.cookies.link)?;
        let (p, token) = value.split_once('.')?;
        (p == purpose && !token.is_empty()).then(|| token.to_owned())
    }

    pub(crate) fn clear_link(&self) -> String {
        cookies::remove(&self.inner.cookies.link, self.inner.secure)
    }

    /// The `next` of a request (query or form), when it is a safe local path.
    pub(crate) fn next_of(r: &Req, fields: Option<&Fields>) -> Option<String> {
        let query = Fields::from_query(r.query.as_deref());
        fields
            .and_then(|f| f.get("next"))
            .or_else(|| query.get("next"))
            .and_then(crate::redirect::safe_next)
            .map(str::to_owned)
    }

    /// The stylesheet response.
    pub(crate) fn stylesheet(&self, file: &str) -> Reply {
        if file != self.inner.templates.css_file {
            return Reply::redirect(&self.stylesheet_path());
        }
        let mut reply = Reply::new(StatusCode::OK);
        reply.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        );
        reply.headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        reply.body = Bytes::from(self.inner.templates.css.clone());
        reply
    }
}

/// The media type of a request, lower case, without parameters.
pub(crate) fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether a path relative to the mount point is one of the JSON API's.
pub(crate) fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Whether the client prefers JSON: it sent JSON, or accepts JSON and not HTML.
pub fn wants_json(headers: &HeaderMap) -> bool {
    if content_type(headers) == "application/json" {
        return true;
    }
    let accept = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept.contains("application/json") && !accept.contains("text/html")
}

/// Sets the layer's security headers on a response: CSP, no framing, no sniffing, no
/// referrer, and `Cache-Control: no-store` unless a cache policy is already set (the
/// versioned stylesheet). Applications can use it on their own pages.
pub fn security_headers(headers: &mut HeaderMap) {
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
