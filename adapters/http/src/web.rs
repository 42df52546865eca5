//! [`AuthWeb`]: the configured web layer and its request plumbing.

use std::borrow::Borrow;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use auth_core::{Auth, Authenticated, RequestContext, SessionToken, User};
use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, SET_COOKIE, USER_AGENT, WWW_AUTHENTICATE,
};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use serde::Serialize;

use crate::caller::Caller;
use crate::cookies::{self, CookieNames};
use crate::credential::Presented;
use crate::csrf::{self, CsrfKey};
use crate::forwarded::TrustedProxies;
use crate::kind::RequestKind;
use crate::language::Language;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::requirement::Denial;
use crate::templates::Templates;

/// The default request body limit: 64 KiB, plenty for every form and JSON body.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The Content-Security-Policy sent with every page of the layer.
/// The one script of the pages (the passkey controls) is the layer's own static file,
/// and it only talks to the layer: `script-src 'self'` and `connect-src 'self'`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const CONTENT_SECURITY_POLICY_HEADER: &str = "content-security-policy";

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
    pub(crate) access_tokens: Option<crate::AccessTokens>,
    pub(crate) providers: Option<Arc<dyn crate::providers::SignInProviders>>,
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

impl AuthWeb {
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

    /// The body limit of a request to `relative_path` (relative to the mount point):
    /// [`AuthWeb::upload_limit`] for the picture uploads, [`AuthWeb::body_limit`] for
    /// everything else. Adapters that cap bodies themselves ask this for each request.
    pub fn body_limit_for(&self, relative_path: &str) -> usize {
        if crate::flows::is_upload(relative_path) {
            self.upload_limit()
        } else {
            self.inner.body_limit
        }
    }

    /// The body limit of a picture upload: the engine's
    /// [`PictureLimits::max_bytes`](auth_core::PictureLimits::max_bytes) plus 64 KiB for
    /// the multipart framing and the other fields (never below
    /// [`AuthWeb::body_limit`]), or the ordinary limit when pictures are off.
    pub fn upload_limit(&self) -> usize {
        let auth = &self.inner.auth;
        if auth.pictures_enabled() {
            auth.picture_limits()
                .max_bytes
                .saturating_add(64 * 1024)
                .max(self.inner.body_limit)
        } else {
            self.inner.body_limit
        }
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
        let limit = self.body_limit_for(parts.uri.path());
        let too_large = body.len() > limit
            || parts
                .headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .is_some_and(|n| n > limit as u64);
        let path = parts.uri.path();
        let path = if path.is_empty() { "/" } else { path }.to_owned();
        let r = self.request(
            if head { Method::GET } else { parts.method },
            path,
            parts.uri.query().map(str::to_owned),
            parts.headers,
            body,
            peer,
        );
        let reply = if too_large {
            self.problem(&r, &Problem::too_large(limit))
        } else {
            self.route(&r).await
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
        let presented = self.presented(&headers);
        // The account's stored preference is not known before the session is read: the
        // handlers that read it negotiate again (`Req::prefer`).
        let lang = Language::negotiate(
            self.inner.auth.config().catalogues(),
            query.as_deref(),
            &headers,
            None,
        );
        Req {
            lang: std::sync::Mutex::new(lang),
            presented,
            method,
            path,
            query,
            headers,
            body,
            ctx: RequestContext { ip, user_agent },
            csrf_seed,
            csrf_new,
            pictures: Default::default(),
        }
    }

    /// A `GET /` of the application's own, for what it renders or answers through the
    /// layer (its pages, its errors).
    fn app_request(&self, headers: &HeaderMap) -> Req {
        self.request(
            Method::GET,
            "/".into(),
            None,
            headers.clone(),
            Bytes::new(),
            None,
        )
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
        let lang = r.lang();
        if lang.switched {
            reply.cookies.push(lang.cookie(self.inner.secure));
        }
        if let Some(said) = reply.said.take() {
            reply.body = Bytes::from(said.render(self.inner.auth.config().catalogues(), &lang.tag));
        }
        // A reply may bring a stricter policy of its own (the pictures): it wins.
        let own_policy = reply.headers.get(CONTENT_SECURITY_POLICY_HEADER).cloned();
        let mut resp = Response::new(reply.body);
        *resp.status_mut() = reply.status;
        *resp.headers_mut() = reply.headers;
        for c in reply.cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                resp.headers_mut().append(SET_COOKIE, v);
            }
        }
        if reply.status == StatusCode::UNAUTHORIZED && r.presented.is_bearer() {
            // RFC 6750: the bearer token presented was not accepted.
            resp.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        security_headers(resp.headers_mut());
        if let Some(policy) = own_policy {
            resp.headers_mut()
                .insert(CONTENT_SECURITY_POLICY_HEADER, policy);
        }
        resp
    }

    /// The session credential a request presents: `Authorization: Bearer` when the
    /// request has one (then the cookie is never read), else the session cookie. See
    /// the `credential` module for the rules.
    pub(crate) fn presented(&self, headers: &HeaderMap) -> Presented {
        Presented::read(
            headers
                .get_all(AUTHORIZATION)
                .iter()
                .map(HeaderValue::as_bytes),
            cookies::get_bytes(headers, &self.inner.cookies.session),
        )
    }

    /// The session token the request carries in its cookie, if well formed.
    pub fn session_token(&self, headers: &HeaderMap) -> Option<SessionToken> {
        cookies::get_bytes(headers, &self.inner.cookies.session).and_then(SessionToken::parse_bytes)
    }

    /// [`AuthWeb::current_user`] for a framework whose headers are not `http`'s: takes
    /// the values of the request's `Cookie` headers only, so that an adapter need not
    /// convert every header to ask who is signed in. Values that are not visible ASCII
    /// are skipped, as [`http::HeaderValue::to_str`] skips them for `current_user`.
    /// Bearer tokens are not seen: use [`AuthWeb::current_user_from_values`].
    ///
    /// # Errors
    /// As [`AuthWeb::current_user`].
    pub async fn current_user_from_cookies<'h>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
    ) -> Result<Option<Authenticated>, auth_core::Error> {
        self.current_user_from_values(cookie_headers, std::iter::empty())
            .await
    }

    /// [`AuthWeb::current_user`] for a framework whose headers are not `http`'s: takes
    /// the values of the request's `Cookie` and `Authorization` headers only. Cookie
    /// values that are not visible ASCII are skipped, as [`http::HeaderValue::to_str`]
    /// skips them for `current_user`; an `Authorization: Bearer` value is read as it
    /// came, as `current_user` reads it.
    ///
    /// # Errors
    /// As [`AuthWeb::current_user`].
    pub async fn current_user_from_values<'h>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
        authorization_headers: impl IntoIterator<Item = &'h str>,
    ) -> Result<Option<Authenticated>, auth_core::Error> {
        let presented = self.presented_in(cookie_headers, authorization_headers);
        Ok(self
            .session(presented.token())
            .await?
            .map(Arc::unwrap_or_clone))
    }

    /// Who is signed in on this request: one store round trip when the request carries
    /// a session (in the session cookie, or as `Authorization: Bearer <token>`), none
    /// otherwise. A request with an `Authorization: Bearer` header is judged by it alone:
    /// a malformed, unknown, expired or revoked bearer token is nobody, whatever cookie
    /// comes with it.
    ///
    /// # Errors
    /// The engine's error when the session store fails (e.g.
    /// [`auth_core::Error::Unavailable`]).
    pub async fn current_user(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<Authenticated>, auth_core::Error> {
        Ok(self
            .session(self.presented(headers).token())
            .await?
            .map(Arc::unwrap_or_clone))
    }

    /// Who is calling on this request: a session (cookie or bearer) or an API key
    /// (`Authorization: Bearer ak_...`), found by one lookup; `peer` is the client's
    /// address (recorded as the key's last use, through the trusted proxies as for every
    /// request). Guards that admit keys check the result with
    /// [`Requirement::admit_caller`](crate::Requirement::admit_caller).
    ///
    /// A session whose lookup the engine keeps in memory is found when the future is
    /// made ([`Auth::authenticate_kept`](auth_core::Auth::authenticate_kept)); any
    /// other lookup is made when it is awaited.
    ///
    /// # Errors
    /// The engine's error when a store fails.
    pub fn current_caller(
        &self,
        headers: &HeaderMap,
        peer: Option<IpAddr>,
    ) -> impl Future<Output = Result<Option<Caller>, auth_core::Error>> + Send + '_ {
        // The headers are read before the future is made, so that it holds only what
        // the lookup needs (every adapter's extractor, and the handler future the
        // framework allocates for each request, embeds it).
        let presented = self.presented(headers);
        let ip = self.recorded_ip(&presented, || headers, peer);
        self.caller(presented, ip)
    }

    /// [`AuthWeb::current_caller`] from the values of the request's `Cookie` and
    /// `Authorization` headers (see [`AuthWeb::current_user_from_values`]), for a
    /// framework whose headers are not `http`'s. `peer` is the address the connection
    /// came from; `headers` converts the request's headers, and is called only for an API
    /// key, whose lookup records the client's address as the trusted proxies give it.
    ///
    /// # Errors
    /// As [`AuthWeb::current_caller`].
    pub fn current_caller_from_values<'h, H: Borrow<HeaderMap>>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
        authorization_headers: impl IntoIterator<Item = &'h str>,
        headers: impl FnOnce() -> H,
        peer: Option<IpAddr>,
    ) -> impl Future<Output = Result<Option<Caller>, auth_core::Error>> + Send + '_ {
        let presented = self.presented_in(cookie_headers, authorization_headers);
        let ip = self.recorded_ip(&presented, headers, peer);
        self.caller(presented, ip)
    }

    /// The client's address for the lookup of `presented`, through the trusted proxies:
    /// only a key's lookup records it, so a session's request neither reads the proxies'
    /// header nor calls `headers`.
    fn recorded_ip<H: Borrow<HeaderMap>>(
        &self,
        presented: &Presented,
        headers: impl FnOnce() -> H,
        peer: Option<IpAddr>,
    ) -> Option<IpAddr> {
        match presented {
            Presented::Key(_) => self.inner.proxies.client_ip(headers().borrow(), peer),
            _ => None,
        }
    }

    /// The credential in the values of a request's `Cookie` and `Authorization` headers:
    /// cookie values that are not visible ASCII are skipped, as
    /// [`http::HeaderValue::to_str`] skips them; `Authorization` is read as it came.
    fn presented_in<'h>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
        authorization_headers: impl IntoIterator<Item = &'h str>,
    ) -> Presented {
        let cookie = cookies::get_in(
            cookie_headers.into_iter().map(str::as_bytes),
            &self.inner.cookies.session,
        );
        Presented::read(authorization_headers.into_iter().map(str::as_bytes), cookie)
    }

    /// The one lookup behind a presented credential. Memory alone answers for a
    /// session whose lookup the engine keeps, decided now (as the headers were read);
    /// anything else is looked up when awaited, on the heap: the future every adapter's
    /// extractor embeds, and moves several times per request, is then a few words.
    pub(crate) fn caller(
        &self,
        presented: Presented,
        ip: Option<IpAddr>,
    ) -> impl Future<Output = Result<Option<Caller>, auth_core::Error>> + Send + '_ {
        let kept = presented
            .token()
            .and_then(|token| self.inner.auth.authenticate_kept(token));
        let lookup = kept
            .is_none()
            .then(|| Box::pin(self.look_up(presented, ip)));
        async move {
            match lookup {
                Some(lookup) => lookup.await,
                None => Ok(kept.map(Caller::Session)),
            }
        }
    }

    /// [`AuthWeb::caller`] when memory does not answer: a key's lookup, or the
    /// engine's for a session.
    async fn look_up(
        &self,
        presented: Presented,
        ip: Option<IpAddr>,
    ) -> Result<Option<Caller>, auth_core::Error> {
        // Matched by reference: a second copy of the credential would enlarge the
        // future of every request.
        if let Presented::Key(key) = &presented {
            let ctx = RequestContext {
                ip,
                user_agent: None,
            };
            // Boxed: a key's lookup holds its record across awaits, which would
            // make this future several times larger, and moved by copy on every
            // session's request that memory does not answer too.
            let found = Box::pin(self.inner.auth.authenticate_key(key, &ctx)).await?;
            return Ok(found.map(|k| Caller::Key(Arc::new(k))));
        }
        Ok(match presented.token() {
            Some(token) => self
                .inner
                .auth
                .authenticate_shared(token)
                .await?
                .map(Caller::Session),
            None => None,
        })
    }

    /// The signed-in user behind `token`, as the engine keeps the lookup (shared, not a
    /// copy, so that what is kept with it, the picture version, is found again).
    async fn session(
        &self,
        token: Option<&SessionToken>,
    ) -> Result<Option<Arc<Authenticated>>, auth_core::Error> {
        match token {
            Some(token) => self.inner.auth.authenticate_shared(token).await,
            None => Ok(None),
        }
    }

    /// [`AuthWeb::current_user`], shared (see [`AuthWeb::session`]).
    pub(crate) async fn current_user_shared(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<Arc<Authenticated>>, auth_core::Error> {
        self.session(self.presented(headers).token()).await
    }

    /// The response a guard sends when it refuses a request: HTML requests that need a
    /// sign-in are redirected to the sign-in page with `next` set to `path_and_query`
    /// (the full original path); API requests (see [`RequestKind::of`]: under the mount
    /// point's `/api`, or that send or accept JSON and not HTML) get a JSON error; other
    /// refusals get an error page.
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
        let kind = RequestKind::of(&self.inner.prefix, path_and_query, headers);
        let reply = self.refusal(&r, kind, denial, user.map(|a| &a.user), path_and_query);
        self.finish(&r, reply)
    }

    /// The response for an engine error met by application code (e.g. the store was
    /// unavailable while loading the user): the same mapping the layer's routes use.
    pub fn error_response(&self, error: &auth_core::Error, headers: &HeaderMap) -> Response<Bytes> {
        let r = self.app_request(headers);
        let kind = RequestKind::of_client(headers);
        let reply = self.problem_as(&r, kind, &Problem::from_error(error), None);
        self.finish(&r, reply)
    }

    /// 413, for a body past [`AuthWeb::body_limit`] that was not read further.
    /// `relative_path` is the request's, relative to the mount point: the API's get JSON.
    pub(crate) fn payload_too_large(
        &self,
        headers: &HeaderMap,
        relative_path: &str,
    ) -> Response<Bytes> {
        let r = self.request(
            Method::POST,
            relative_path.to_owned(),
            None,
            headers.clone(),
            Bytes::new(),
            None,
        );
        let reply = self.problem(&r, &Problem::too_large(self.body_limit_for(relative_path)));
        self.finish(&r, reply)
    }

    /// Renders an application page with the layer's templates (add yours with
    /// [`AuthWebBuilder::template`](crate::AuthWebBuilder::template); they can extend
    /// `base.html`). The context has everything `base.html` needs (`user`, `flash`,
    /// `csrf_token` for the sign-out form, `stylesheet`, `prefix`, `app_name`) plus the
    /// fields of `extra`, which must serialise to a map. Security headers are set.
    pub fn render_page(
        &self,
        headers: &HeaderMap,
        template: &str,
        user: Option<&User>,
        extra: impl Serialize,
    ) -> Response<Bytes> {
        let r = self.app_request(headers);
        let reply = self.render(&r, StatusCode::OK, template, user, extra);
        self.finish(&r, reply)
    }

    /// [`AuthWeb::render_page`] for the signed-in user `a` (as the extractors and
    /// guards give it), with their uploaded picture in the header where they have one
    /// (`render_page` shows the generated avatar). The picture's version is kept with
    /// the session lookup when the engine keeps those (see
    /// [`Auth::own_picture_version`](auth_core::Auth::own_picture_version)): a page
    /// served from a kept lookup asks no store for it; otherwise one more lookup.
    pub async fn render_page_with_picture(
        &self,
        headers: &HeaderMap,
        template: &str,
        a: Option<&Authenticated>,
        extra: impl Serialize,
    ) -> Response<Bytes> {
        let r = self.app_request(headers);
        if let Some(a) = a {
            self.note_own_picture(&r, a).await;
        }
        let reply = self.render(&r, StatusCode::OK, template, a.map(|a| &a.user), extra);
        self.finish(&r, reply)
    }

    /// After a successful sign-in, ends the session the request was still carrying (a
    /// second sign-in from the same browser must not leave the first one alive on the
    /// server). Failures are logged only: the new session is already issued.
    pub(crate) async fn end_previous_session(&self, r: &Req, old: Option<SessionToken>) {
        if let Some(old) = old
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
}

/// Sets the layer's security headers on a response: CSP, no framing, no sniffing, no
/// referrer, and `Cache-Control: no-store` unless a cache policy is already set (the
/// versioned stylesheet). Applications can use it on their own pages.
pub fn security_headers(headers: &mut HeaderMap) {
    headers.insert(
        CONTENT_SECURITY_POLICY_HEADER,
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
