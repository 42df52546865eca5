//! Which language a request's pages and messages are in.
//!
//! In this order: a `?lang=xx` switch (an offered language only; it also sets the `lang`
//! cookie so later pages keep it), the `lang` cookie, the signed-in account's language
//! (its stored preference, else its profile `locale`: one rule,
//! [`auth_core::Auth::account_language`]), the browser's `Accept-Language`, the default
//! language.

use auth_core::Catalogues;
use http::HeaderMap;
use http::header::ACCEPT_LANGUAGE;

use crate::cookies;

/// The cookie that keeps a language chosen with `?lang=`.
pub(crate) const COOKIE: &str = "lang";

/// How long the `lang` cookie lives, in seconds: a year.
const COOKIE_SECONDS: i64 = 365 * 24 * 3600;

/// A request's language, and whether it was switched on this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Language {
    /// The negotiated tag, one the catalogues offer.
    pub(crate) tag: String,
    /// Set when the request carried an offered `?lang=`: the reply stores it in the
    /// cookie.
    pub(crate) switched: bool,
}

impl Language {
    /// Negotiates the language of a request with `query` and `headers`; `stored` is the
    /// signed-in account's language ([`auth_core::Auth::account_language`]), when known.
    pub(crate) fn negotiate(
        catalogues: &Catalogues,
        query: Option<&str>,
        headers: &HeaderMap,
        stored: Option<&str>,
    ) -> Self {
        if let Some(tag) = query
            .and_then(switch)
            .and_then(|t| catalogues.supported(&t))
        {
            return Self {
                tag: tag.to_owned(),
                switched: true,
            };
        }
        Self {
            tag: catalogues
                .negotiate(requested(headers, stored).iter().map(String::as_str))
                .to_owned(),
            switched: false,
        }
    }

    /// The offered language a request asks for without a switch (its `lang` cookie, then
    /// its `Accept-Language`), or `None` when it names none: unlike
    /// [`negotiate`](Self::negotiate), no default stands in for a choice not made.
    pub(crate) fn requested_by(catalogues: &Catalogues, headers: &HeaderMap) -> Option<String> {
        requested(headers, None)
            .iter()
            .find_map(|tag| catalogues.supported(tag))
            .map(str::to_owned)
    }

    /// The `Set-Cookie` that keeps this language for later pages.
    pub(crate) fn cookie(&self, secure: bool) -> String {
        cookies::set(COOKIE, &self.tag, secure, Some(COOKIE_SECONDS))
    }
}

/// The tags a request asks for, first choice first: the `lang` cookie, the account's
/// `stored` language, then `Accept-Language`.
fn requested(headers: &HeaderMap, stored: Option<&str>) -> Vec<String> {
    let cookie = cookies::get(headers, COOKIE).map(str::to_owned);
    let accepted = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(auth_i18n::accept_language)
        .unwrap_or_default();
    cookie
        .into_iter()
        .chain(stored.map(str::to_owned))
        .chain(accepted)
        .collect()
}

/// The `lang` query parameter, if any.
fn switch(query: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find_map(|(name, value)| (name == "lang").then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use http::header::COOKIE as COOKIE_HEADER;

    fn headers(cookie: Option<&'static str>, accept: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(c) = cookie {
            h.insert(COOKIE_HEADER, HeaderValue::from_static(c));
        }
        if let Some(a) = accept {
            h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static(a));
        }
        h
    }

    fn tag(query: Option<&str>, h: &HeaderMap, stored: Option<&str>) -> (String, bool) {
        let l = Language::negotiate(&Catalogues::shipped(), query, h, stored);
        (l.tag, l.switched)
    }

    #[test]
    fn the_switch_wins_then_cookie_then_preference_then_browser() {
        let all = headers(Some("lang=es"), Some("de-DE,de;q=0.9"));
        assert_eq!(
            tag(Some("x=1&lang=de"), &all, Some("en")),
            ("de".into(), true)
        );
        assert_eq!(tag(None, &all, Some("en")), ("es".into(), false));
        let no_cookie = headers(None, Some("de-DE,de;q=0.9"));
        assert_eq!(tag(None, &no_cookie, Some("es")), ("es".into(), false));
        assert_eq!(tag(None, &no_cookie, None), ("de".into(), false));
        assert_eq!(tag(None, &HeaderMap::new(), None), ("en".into(), false));
    }

    #[test]
    fn languages_not_offered_are_ignored() {
        let h = headers(Some("lang=fr"), Some("fr-FR, it;q=0.5"));
        assert_eq!(tag(Some("lang=fr"), &h, Some("xx")), ("en".into(), false));
        assert_eq!(tag(Some("lang=<b>"), &h, None), ("en".into(), false));
        let cookie = Language {
            tag: "de".into(),
            switched: true,
        }
        .cookie(true);
        for part in ["lang=de", "SameSite=Lax", "Max-Age=31536000", "Secure"] {
            assert!(cookie.contains(part), "{cookie} lacks {part}");
        }
    }
}
