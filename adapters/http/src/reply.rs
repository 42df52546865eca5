//! [`Req`] and [`Reply`]: a request as the handlers see it, and the response they build.

use std::collections::HashMap;
use std::sync::Mutex;

use auth_core::{Message, RequestContext, UserId};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;

use crate::credential::Presented;
use crate::kind::RequestKind;
use crate::language::Language;

/// A request as the handlers see it.
pub(crate) struct Req {
    pub(crate) method: Method,
    /// Relative to the mount point.
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) ctx: RequestContext,
    pub(crate) csrf_seed: String,
    pub(crate) csrf_new: bool,
    /// The versions of the uploaded pictures of the users this request's page shows,
    /// looked up (asynchronously) before the page is rendered (synchronously); a user
    /// without an entry shows the generated avatar.
    pub(crate) pictures: Mutex<HashMap<UserId, String>>,
    /// The session credential the request presents (cookie or bearer), read once.
    pub(crate) presented: Presented,
    /// The language its pages and messages are in: negotiated when the request arrives,
    /// and again once the signed-in account (and its stored preference) is known (see
    /// [`Req::prefer`]).
    pub(crate) lang: Mutex<Language>,
}

impl Req {
    /// The picture version noted for `user`, if any.
    pub(crate) fn picture_version(&self, user: UserId) -> Option<String> {
        self.pictures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&user)
            .cloned()
    }

    /// The language of the request's pages and messages.
    pub(crate) fn lang(&self) -> Language {
        self.lang
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The tag of [`Req::lang`].
    pub(crate) fn lang_tag(&self) -> String {
        self.lang().tag
    }

    /// Negotiates the request's language again with the signed-in account's language
    /// (`stored`, [`auth_core::Auth::account_language`]: its preference or its profile
    /// `locale`), which ranks below a `?lang=` switch and the `lang` cookie and above
    /// `Accept-Language`. Nothing changes for an account without one.
    pub(crate) fn prefer(&self, catalogues: &auth_core::Catalogues, stored: Option<&str>) {
        if stored.is_none() {
            return;
        }
        let lang = Language::negotiate(catalogues, self.query.as_deref(), &self.headers, stored);
        *self
            .lang
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = lang;
    }

    /// Whether the request is one of the JSON API's.
    pub(crate) fn kind(&self) -> RequestKind {
        RequestKind::of_route(&self.path)
    }
}

/// A response under construction.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) cookies: Vec<String>,
    /// Whether it is a rendered page (which needs the CSRF cookie).
    pub(crate) page: bool,
    /// A plain-text body that is a message of the catalogues, written in the request's
    /// language when the reply is finished (`AuthWeb::finish`), for replies made where
    /// the request is not at hand.
    pub(crate) said: Option<Message>,
}

impl Reply {
    pub(crate) fn new(status: StatusCode) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            cookies: Vec::new(),
            page: false,
            said: None,
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

    /// A JSON body, written straight from `body` (object keys in the order of its fields).
    pub(crate) fn json(status: StatusCode, body: &impl Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                let mut r = Self::new(status);
                r.headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                r.body = Bytes::from(bytes);
                r
            }
            Err(e) => {
                tracing::error!(error = %e, "a JSON answer could not be written");
                Self::said(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Message::new("error-internal"),
                )
            }
        }
    }

    /// A plain-text body that is `message`, written in the request's language when the
    /// reply is finished.
    pub(crate) fn said(status: StatusCode, message: Message) -> Self {
        let mut r = Self::text(status, message.english());
        r.said = Some(message);
        r
    }

    /// A plain-text body.
    pub(crate) fn text(status: StatusCode, text: String) -> Self {
        let mut r = Self::new(status);
        r.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r.body = Bytes::from(text);
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
