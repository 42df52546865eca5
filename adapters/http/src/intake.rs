//! What a request submits: its origin, its body (a form or JSON, [`AuthWeb::submitted`])
//! and its `next`.

use auth_core::Message;
use http::header::{HOST, ORIGIN};
use http::{HeaderMap, StatusCode};

use crate::AuthWeb;
use crate::fields::{Fields, InputError};
use crate::kind::{RequestKind, content_type};
use crate::problem::Problem;
use crate::reply::{Reply, Req};

impl AuthWeb {
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

    /// The fields a request posted, read as its kind says ([`Req::kind`]): a page's
    /// form must be `application/x-www-form-urlencoded` and carry a valid CSRF token,
    /// an API body must be JSON (an empty body reads as `{}`); both must come from an
    /// allowed origin. Each flow then reads its input from them ([`Fields::input`]).
    pub(crate) fn submitted(&self, r: &Req) -> Result<Fields, Reply> {
        let api = r.kind() == RequestKind::Api;
        let (expected, wrong_type) = if api {
            ("application/json", "error-unsupported_media_type-json")
        } else {
            (
                "application/x-www-form-urlencoded",
                "error-unsupported_media_type-form",
            )
        };
        if content_type(&r.headers) != expected {
            return Err(self.problem(
                r,
                &Problem::said(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    Message::new(wrong_type),
                ),
            ));
        }
        // A request that presents `Authorization: Bearer` carries no ambient credential
        // (its cookie is never read, see `credential`), and no cross-site page can set
        // that header: it needs neither the CSRF token nor the origin checks.
        let bearer = r.presented.is_bearer();
        if api {
            if !bearer && !self.origin_ok(&r.headers) {
                return Err(self.problem(r, &Problem::csrf()));
            }
            return Fields::from_json(&r.body).map_err(|e| self.input_error(r, e));
        }
        let fields = Fields::from_form(&r.body).map_err(|e| self.input_error(r, e))?;
        let token = fields.get("csrf_token").unwrap_or_default();
        if !bearer
            && (r.csrf_new
                || !self.inner.csrf.verify(&r.csrf_seed, token)
                || !self.origin_ok(&r.headers))
        {
            // The path is not logged: `POST /reset/{token}` carries a live token.
            tracing::info!("refused a form without a valid CSRF token or from a foreign origin");
            return Err(self.problem(r, &Problem::csrf()));
        }
        Ok(fields)
    }

    fn input_error(&self, r: &Req, e: InputError) -> Reply {
        let (InputError::Malformed(m) | InputError::WrongType(m)) = e;
        self.problem(r, &Problem::said(StatusCode::BAD_REQUEST, "bad_request", m))
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
}
