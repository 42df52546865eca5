//! How a request presents its credential: the session cookie (browsers),
//! `Authorization: Bearer <session token>` or `Authorization: Bearer ak_...` (an API key;
//! programs), read by one function ([`Presented::read`]) so that every route, page, guard
//! and extractor decides the same way.
//!
//! The rules:
//! - An `Authorization` header with the `Bearer` scheme (any case) is authoritative: the
//!   cookie is then never consulted, so a request cannot be authenticated by one
//!   credential while a check looks at the other.
//! - A `Bearer` header that cannot hold a session token (no token, a token of the wrong
//!   shape, a value past [`MAX_AUTHORIZATION`] bytes, bytes that are not visible ASCII,
//!   or more than one `Authorization` header beside it) is [`Presented::Refused`]:
//!   the request is not signed in, and routes that need a sign-in answer 401.
//! - Other schemes (`Basic` from a staging proxy, say) are not the layer's and are
//!   ignored: the cookie decides.

use auth_core::{ApiKeyToken, SessionToken};

/// The longest `Authorization` value read, in bytes. A session token is 43 characters;
/// anything much longer is refused without being decoded.
pub(crate) const MAX_AUTHORIZATION: usize = 1024;

/// What a request presents to authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Presented {
    /// No credential of the layer's.
    Nothing,
    /// A well-formed session token in the session cookie.
    Cookie(SessionToken),
    /// A well-formed session token in `Authorization: Bearer`.
    Bearer(SessionToken),
    /// A well-formed API key (`ak_...`) in `Authorization: Bearer`.
    Key(ApiKeyToken),
    /// An `Authorization: Bearer` header that cannot be a credential.
    Refused,
}

impl Presented {
    /// Reads the credential from the values of the request's `Authorization` headers
    /// (raw bytes, as they came) and the value of its session cookie.
    pub(crate) fn read<'h>(
        authorization: impl IntoIterator<Item = &'h [u8]>,
        cookie: Option<&[u8]>,
    ) -> Self {
        let values: Vec<&[u8]> = authorization.into_iter().collect();
        let bearers = values.iter().filter(|v| is_bearer(v)).count();
        match (bearers, values.as_slice()) {
            (0, _) => cookie
                .and_then(SessionToken::parse_bytes)
                .map_or(Self::Nothing, Self::Cookie),
            (1, [only]) => bearer(only),
            _ => Self::Refused,
        }
    }

    /// The session token presented, whichever way (an API key is not a session).
    pub(crate) fn token(&self) -> Option<&SessionToken> {
        match self {
            Self::Cookie(t) | Self::Bearer(t) => Some(t),
            Self::Nothing | Self::Key(_) | Self::Refused => None,
        }
    }

    /// Whether the request came with an `Authorization: Bearer` header, well formed or
    /// not: such a request carries no ambient credential (a cross-site page cannot set
    /// the header without a CORS preflight the layer never grants).
    pub(crate) fn is_bearer(&self) -> bool {
        matches!(self, Self::Bearer(_) | Self::Key(_) | Self::Refused)
    }
}

/// Whether an `Authorization` value uses the `Bearer` scheme (case-insensitive).
fn is_bearer(value: &[u8]) -> bool {
    const SCHEME: &[u8] = b"bearer";
    value.len() >= SCHEME.len()
        && value[..SCHEME.len()].eq_ignore_ascii_case(SCHEME)
        && value.get(SCHEME.len()).is_none_or(|b| *b == b' ')
}

/// What a `Bearer` value presents: an API key, a session token, or nothing usable.
fn bearer(value: &[u8]) -> Presented {
    if value.len() > MAX_AUTHORIZATION || !value.iter().all(|b| (0x20..0x7f).contains(b)) {
        return Presented::Refused;
    }
    let token = std::str::from_utf8(value)
        .ok()
        .and_then(|text| text.get("bearer".len()..))
        .map(|t| t.trim_matches(' '))
        .unwrap_or_default();
    if ApiKeyToken::looks_like_key(token) {
        ApiKeyToken::parse(token).map_or(Presented::Refused, Presented::Key)
    } else {
        SessionToken::parse(token).map_or(Presented::Refused, Presented::Bearer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(authorization: &[&str], cookie: Option<&str>) -> Presented {
        Presented::read(
            authorization.iter().map(|v| v.as_bytes()),
            cookie.map(str::as_bytes),
        )
    }

    #[test]
    fn the_cookie_counts_without_a_bearer_header() {
        let t = SessionToken::generate();
        assert_eq!(read(&[], Some(t.expose())), Presented::Cookie(t.clone()));
        assert_eq!(
            read(&["Basic YWRhOnNlY3JldA=="], Some(t.expose())),
            Presented::Cookie(t),
            "another scheme is not the layer's"
        );
        assert_eq!(read(&[], Some("garbage")), Presented::Nothing);
        assert_eq!(read(&[], None), Presented::Nothing);
    }

    #[test]
    fn a_bearer_header_wins_over_the_cookie() {
        let cookie = SessionToken::generate();
        let bearer = SessionToken::generate();
        for value in [
            format!("Bearer {}", bearer.expose()),
            format!("bearer {}", bearer.expose()),
            format!("BEARER   {}  ", bearer.expose()),
        ] {
            assert_eq!(
                read(&[&value], Some(cookie.expose())),
                Presented::Bearer(bearer.clone()),
                "{value}"
            );
        }
    }

    #[test]
    fn a_bad_bearer_header_is_refused_and_the_cookie_ignored() {
        let cookie = SessionToken::generate();
        let good = format!("Bearer {}", SessionToken::generate().expose());
        let long = format!("Bearer {}", "A".repeat(MAX_AUTHORIZATION));
        let bad_byte = format!("Bearer {}\u{e9}", &SessionToken::generate().expose()[1..]);
        for values in [
            vec!["Bearer"],
            vec!["Bearer "],
            vec!["Bearer not-a-token"],
            vec![long.as_str()],
            vec![bad_byte.as_str()],
            vec![good.as_str(), good.as_str()],
            vec![good.as_str(), "Basic YWRhOnNlY3JldA=="],
        ] {
            let p = read(&values, Some(cookie.expose()));
            assert_eq!(p, Presented::Refused, "{values:?}");
            assert!(p.is_bearer() && p.token().is_none());
        }
        assert!(
            !is_bearer(b"Bearerx abc"),
            "a longer scheme name is another scheme"
        );
    }
}
