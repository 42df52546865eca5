//! Cookie names, parsing and the `Set-Cookie` values the layer emits.

use cookie::{Cookie, SameSite};
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};

/// The names of the cookies the layer uses. With secure cookies every name carries the
/// `__Host-` prefix, which the browser only accepts from HTTPS with `Path=/` and no
/// `Domain`, so a sibling subdomain cannot plant or overwrite them.
#[derive(Debug, Clone)]
pub(crate) struct CookieNames {
    pub(crate) session: String,
    pub(crate) csrf: String,
    pub(crate) flash: String,
    pub(crate) link: String,
    /// The token of a pending sign-in waiting for its second factor.
    pub(crate) pending: String,
    /// The browser binding of a sign-in with a provider.
    pub(crate) oidc: String,
    /// A link offered to the owner of an existing account: provider and token.
    pub(crate) identity_link: String,
}

impl CookieNames {
    pub(crate) fn new(secure: bool) -> Self {
        let prefix = if secure { "__Host-" } else { "" };
        Self {
            session: format!("{prefix}auth_session"),
            csrf: format!("{prefix}auth_csrf"),
            flash: format!("{prefix}auth_flash"),
            link: format!("{prefix}auth_link"),
            pending: format!("{prefix}auth_pending"),
            oidc: format!("{prefix}auth_oidc"),
            identity_link: format!("{prefix}auth_identity_link"),
        }
    }
}

/// The value of the first cookie called `name` in the request's `Cookie` headers.
pub(crate) fn get<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    // Always text: only visible ASCII is ever found.
    get_bytes(headers, name).and_then(|v| std::str::from_utf8(v).ok())
}

/// [`get`] as bytes, for a caller that needs no text (the session id, read on every
/// request, is checked against its own alphabet anyway).
pub(crate) fn get_bytes<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h [u8]> {
    get_in(
        headers.get_all(COOKIE).iter().map(HeaderValue::as_bytes),
        name,
    )
}

/// Whether every byte is visible ASCII or a tab: the header values
/// [`http::HeaderValue::to_str`] accepts. Checked without a branch per byte (a fold,
/// which the compiler vectorises: a fraction of the instructions of `to_str`'s
/// early-exiting loop), since it runs on every authenticated request.
fn visible(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        ok & ((b == b'\t') | (b.wrapping_sub(32) < 95))
    })
}

/// The value of the first cookie called `name` in these `Cookie` header values
/// (`a=1; b="2"`: whitespace around names and values and one pair of double quotes
/// around a value are dropped, as RFC 6265 reads them; any other quote stays part of the
/// value). A header value that is not all visible ASCII is skipped whole, as
/// [`http::HeaderValue::to_str`] would refuse it, so what is found is always text.
pub(crate) fn get_in<'h>(
    values: impl IntoIterator<Item = &'h [u8]>,
    name: &str,
) -> Option<&'h [u8]> {
    values
        .into_iter()
        .filter(|v| visible(v))
        .find_map(|v| in_header(v, name.as_bytes()))
}

/// The value of the first cookie called `name` in one `Cookie` header value.
fn in_header<'h>(header: &'h [u8], name: &[u8]) -> Option<&'h [u8]> {
    let mut rest = header;
    loop {
        let (pair, next) = match memchr::memchr(b';', rest) {
            Some(i) => (&rest[..i], rest.get(i + 1..)),
            None => (rest, None),
        };
        if let Some(value) = value_of(pair, name) {
            return Some(value);
        }
        rest = next?;
    }
}

/// The value of one `name=value` pair if it is called `name`.
fn value_of<'h>(pair: &'h [u8], name: &[u8]) -> Option<&'h [u8]> {
    let rest = pair.trim_ascii_start().strip_prefix(name)?;
    let value = rest.trim_ascii_start().strip_prefix(b"=")?.trim_ascii();
    Some(
        value
            .strip_prefix(b"\"")
            .and_then(|v| v.strip_suffix(b"\""))
            .unwrap_or(value),
    )
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, `Path=/`, Secure when `secure`.
/// `max_age` in seconds; `None` makes a browser-session cookie.
pub(crate) fn set(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut builder = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure);
    if let Some(seconds) = max_age {
        builder = builder.max_age(cookie::time::Duration::seconds(seconds.max(0)));
    }
    builder.build().to_string()
}

/// A `Set-Cookie` value that deletes the cookie.
pub(crate) fn remove(name: &str, secure: bool) -> String {
    let mut c = Cookie::build((name.to_owned(), String::new()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    c.make_removal();
    c.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_accepts_what_to_str_accepts() {
        for b in 0..=u8::MAX {
            let bytes = [b'a', b, b'z'];
            let Ok(value) = HeaderValue::from_bytes(&bytes) else {
                continue;
            };
            assert_eq!(visible(&bytes), value.to_str().is_ok(), "byte {b:#04x}");
        }
        assert!(visible(b"") && visible(b"auth_session=abc; b=\"2\"\t"));
        assert!(!visible("caf\u{e9}=1".as_bytes()));
    }

    #[test]
    fn a_header_that_is_not_text_is_skipped_whole() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_bytes(b"a=1; b=caf\xc3\xa9").unwrap(),
        );
        h.append(COOKIE, HeaderValue::from_bytes(b"c=\xff; d=4").unwrap());
        h.append(COOKIE, HeaderValue::from_static("a=2; c=3"));
        assert_eq!(get(&h, "a"), Some("2"));
        assert_eq!(get(&h, "b"), None);
        assert_eq!(get(&h, "c"), Some("3"));
        assert_eq!(get(&h, "d"), None);
    }

    #[test]
    fn reads_cookies_from_every_header() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; b=2"));
        h.append(COOKIE, HeaderValue::from_static("c=3"));
        assert_eq!(get(&h, "b"), Some("2"));
        assert_eq!(get(&h, "c"), Some("3"));
        assert_eq!(get(&h, "d"), None);
    }

    #[test]
    fn names_match_whole_and_values_lose_spaces_and_quotes() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_static("ab=0;a =\t\"1\" ; a=2;b= 3 ;c=;=x"),
        );
        assert_eq!(get(&h, "a"), Some("1"));
        assert_eq!(get(&h, "b"), Some("3"));
        assert_eq!(get(&h, "ab"), Some("0"));
        assert_eq!(get(&h, "c"), Some(""));
        assert_eq!(get(&h, ""), Some("x"));
        assert_eq!(get(&h, "x"), None);
    }

    /// Found by the `cookies` fuzz target: every quote around the value used to be
    /// dropped, so `""id""` and `"id` read as the session id `id`, where RFC 6265 (and
    /// the `cookie` crate) read a value that is no session id at all.
    #[test]
    fn only_one_pair_of_quotes_is_dropped() {
        let id = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        for (header, value) in [
            (format!("s=\"{id}\""), id.to_owned()),
            (format!(" s=\"\"{id}\"\""), format!("\"{id}\"")),
            (format!("s=\"{id}"), format!("\"{id}")),
            (format!("s={id}\""), format!("{id}\"")),
            ("s=\"\"".to_owned(), String::new()),
            ("s=\"".to_owned(), "\"".to_owned()),
        ] {
            assert_eq!(
                get_in([header.as_bytes()], "s"),
                Some(value.as_bytes()),
                "{header}"
            );
        }
    }

    #[test]
    fn set_cookie_has_the_safe_flags() {
        let s = set("__Host-auth_session", "v", true, Some(60));
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age=60"] {
            assert!(s.contains(part), "{s} lacks {part}");
        }
        let s = set("auth_session", "v", false, None);
        assert!(!s.contains("Secure") && !s.contains("Max-Age"), "{s}");
        let r = remove("auth_session", false);
        assert!(r.contains("Max-Age=0"), "{r}");
        assert_eq!(CookieNames::new(true).session, "__Host-auth_session");
        assert_eq!(CookieNames::new(false).csrf, "auth_csrf");
    }
}
