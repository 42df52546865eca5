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
    get_in(
        headers.get_all(COOKIE).iter().map(HeaderValue::as_bytes),
        name,
    )
}

/// The value of the first cookie called `name` in these `Cookie` header values, as
/// they came (`a=1; b="2"`: whitespace around names and values and one pair of double
/// quotes around a value are dropped, as RFC 6265 reads them; any other quote stays
/// part of the value). A header value that is not visible ASCII (tabs allowed) is
/// skipped whole, as [`HeaderValue::to_str`] refuses it; so only ASCII whitespace can
/// occur in what is read.
pub(crate) fn get_in<'h>(
    values: impl IntoIterator<Item = &'h [u8]>,
    name: &str,
) -> Option<&'h str> {
    values
        .into_iter()
        .filter(|v| visible(v))
        .flat_map(|v| v.split(|b| *b == b';'))
        .find_map(|pair| {
            let rest = pair.trim_ascii_start().strip_prefix(name.as_bytes())?;
            let value = rest.trim_ascii_start().strip_prefix(b"=")?.trim_ascii();
            let value = value
                .strip_prefix(b"\"")
                .and_then(|v| v.strip_suffix(b"\""))
                .unwrap_or(value);
            // Visible ASCII, so always UTF-8.
            std::str::from_utf8(value).ok()
        })
}

/// Whether every byte is visible ASCII or a tab (what [`HeaderValue::to_str`] accepts),
/// checked eight bytes at a time: a header value is read on every request that asks
/// who is signed in.
pub(crate) fn visible(value: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let one = |b: &u8| *b == b'\t' || (0x20..0x7f).contains(b);
    let (words, tail) = value.as_chunks::<8>();
    words.iter().all(|chunk| {
        let w = u64::from_ne_bytes(*chunk);
        // A byte at or above 0x80, a byte below 0x20, a byte equal to 0x7f: exact
        // tests of whether any byte of the word is one (not of which).
        let high = w & HIGH;
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let del = w ^ (ONES * 0x7f);
        let del = del.wrapping_sub(ONES) & !del & HIGH;
        // A tab is a control byte that is allowed: such words are checked one by one.
        (high | control | del) == 0 || chunk.iter().all(one)
    }) && tail.iter().all(one)
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
                Some(value.as_str()),
                "{header}"
            );
        }
    }

    #[test]
    fn visible_is_what_to_str_accepts() {
        let mut checked = 0;
        // Every byte at every position of values of 0 to 24 bytes, over two fillers.
        for len in 0..=24 {
            for filler in [b'a', b'\t'] {
                for at in 0..len {
                    for b in 0..=u8::MAX {
                        let mut v = vec![filler; len];
                        v[at] = b;
                        let expected =
                            HeaderValue::from_bytes(&v).is_ok_and(|h| h.to_str().is_ok());
                        assert_eq!(visible(&v), expected, "{v:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(visible(b"") && checked > 100_000);
    }

    #[test]
    fn header_values_that_are_not_visible_ascii_are_skipped_whole() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_bytes(b"s=1; t=\xe9").unwrap());
        h.append(COOKIE, HeaderValue::from_static("s=2"));
        assert_eq!(get(&h, "s"), Some("2"));
        assert_eq!(get_in([&b"s=\x7f"[..], b"s=3\t"], "s"), Some("3"));
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
