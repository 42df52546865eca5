//! The demo's own pages, rendered with the web layer's templates.

use auth_core::{Authenticated, Page};
use auth_http::AuthWeb;
use bytes::Bytes;
use http::{HeaderMap, Response};
use serde_json::{Value, json};

/// The page templates the demos add to the web layer (they extend `base.html`).
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "demo_home.html",
        include_str!("../templates/demo_home.html"),
    ),
    (
        "demo_dashboard.html",
        include_str!("../templates/demo_dashboard.html"),
    ),
    (
        "demo_admin.html",
        include_str!("../templates/demo_admin.html"),
    ),
];

/// The pages `/`, `/dashboard` and `/admin`, as `http` 1.x responses each framework
/// converts the way its binding does. Guards are the framework's business: these only
/// render.
#[derive(Debug, Clone)]
pub struct Pages {
    web: AuthWeb,
    framework: &'static str,
}

impl Pages {
    /// Pages over `web`, naming `framework` on the home page.
    pub fn new(web: AuthWeb, framework: &'static str) -> Self {
        Self { web, framework }
    }

    /// `/`: public; shows who is signed in.
    pub async fn home(&self, headers: &HeaderMap, a: Option<&Authenticated>) -> Response<Bytes> {
        self.render(
            headers,
            "demo_home.html",
            a,
            json!({ "title": "Home", "framework": self.framework }),
        )
        .await
    }

    /// `/whoami`: JSON about the caller, for programs (the caller's guard admits a
    /// session, or an API key with the scope `read:profile`): `{"email", "via"}`, `via`
    /// being `"session"` or `"api_key"`, and then `"key"` (its prefix) and `"scopes"`.
    pub fn whoami(&self, caller: &auth_http::Caller) -> Response<Bytes> {
        let body = match caller.key() {
            Some(key) => json!({
                "email": caller.user().email,
                "via": "api_key",
                "key": key.prefix(),
                "scopes": key.scopes,
            }),
            None => json!({ "email": caller.user().email, "via": "session" }),
        };
        let mut resp = Response::new(Bytes::from(body.to_string()));
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        auth_http::security_headers(resp.headers_mut());
        resp
    }

    /// `/.well-known/jwks.json`: the public keys of the access tokens (the same document
    /// as under the mount point).
    pub fn jwks(&self, headers: &HeaderMap) -> Response<Bytes> {
        self.web.jwks_response(headers)
    }

    /// `/dashboard`: for a signed-in user with a confirmed address (the caller's guard
    /// checks that).
    pub async fn dashboard(&self, headers: &HeaderMap, a: &Authenticated) -> Response<Bytes> {
        let expires = a.session.dies_at();
        let extra = json!({
            "title": "Dashboard",
            "remembered": a.session.remember,
            "session_expires": format!(
                "{} {:02}:{:02} UTC",
                expires.date(),
                expires.hour(),
                expires.minute()
            ),
        });
        self.render(headers, "demo_dashboard.html", Some(a), extra)
            .await
    }

    /// `/admin`: for a user with the `admin` role (the caller's guard checks that);
    /// shows the number of accounts.
    pub async fn admin(&self, headers: &HeaderMap, a: &Authenticated) -> Response<Bytes> {
        let page = Page {
            offset: 0,
            limit: 1,
        };
        let total = match self.web.auth().admin_list_users(a, None, page).await {
            Ok((_, total)) => total,
            Err(e) => return self.web.error_response(&e, headers),
        };
        self.render(
            headers,
            "demo_admin.html",
            Some(a),
            json!({ "title": "Administration", "total": total }),
        )
        .await
    }

    async fn render(
        &self,
        headers: &HeaderMap,
        template: &str,
        a: Option<&Authenticated>,
        extra: Value,
    ) -> Response<Bytes> {
        self.web
            .render_page_with_picture(headers, template, a, extra)
            .await
    }
}
