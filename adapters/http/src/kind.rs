//! [`RequestKind`]: whether a request is answered in JSON or with pages, decided once.

use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE};

/// Whether a request belongs to the JSON API or to the pages: every choice of the layer
/// between a JSON error and an error page (or a sign-in redirect) is this one rule.
///
/// - The layer's own routes are told apart by their path relative to the mount point:
///   `/api` and everything under it is the JSON API, every other route is a page, whatever
///   the request's headers say.
/// - An application route (one an adapter's guard or extractor protects) could be either,
///   so there the client decides: it is an API request when it sent JSON, or accepts JSON
///   and not HTML. A path under the mount point's `/api` is the API there too; an
///   application route that merely contains `/api/` (`/blog/api/x`, or `/auth/api` under
///   another mount point) is not.
///
/// ```
/// use auth_http::RequestKind;
/// use http::HeaderMap;
///
/// let browser = HeaderMap::new();
/// let mut program = HeaderMap::new();
/// program.insert("accept", "application/json".parse()?);
/// assert_eq!(RequestKind::of_route("/api/login"), RequestKind::Api);
/// assert_eq!(RequestKind::of_route("/login"), RequestKind::Page);
/// assert_eq!(RequestKind::of("/auth", "/auth/api/me?x=1", &browser), RequestKind::Api);
/// assert_eq!(RequestKind::of("/auth", "/blog/api/x", &browser), RequestKind::Page);
/// assert_eq!(RequestKind::of("/auth", "/blog/api/x", &program), RequestKind::Api);
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// A JSON API request: failures are `{"error": {...}}` bodies, a missing sign-in 401.
    Api,
    /// A browser's request for a page: failures are error pages, a missing sign-in a
    /// redirect to the sign-in page.
    Page,
}

impl RequestKind {
    /// A request to one of the layer's routes, by its path relative to the mount point
    /// (`/api/login`, `/login`).
    pub fn of_route(relative_path: &str) -> Self {
        if relative_path == "/api" || relative_path.starts_with("/api/") {
            Self::Api
        } else {
            Self::Page
        }
    }

    /// A request to `path` (the path the application received, with or without its
    /// query) of an application whose layer is mounted at `mount_path`: the API when the
    /// path is the layer's API, otherwise as the client prefers
    /// ([`RequestKind::of_client`]).
    pub fn of(mount_path: &str, path: &str, headers: &HeaderMap) -> Self {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let mount_path = mount_path.trim_end_matches('/');
        match path.strip_prefix(mount_path).map(Self::of_route) {
            Some(Self::Api) => Self::Api,
            _ => Self::of_client(headers),
        }
    }

    /// A request to an application route whose path does not matter: the API when the
    /// client sent JSON, accepts JSON and not HTML, or authenticates with
    /// `Authorization: Bearer` (a program, which a sign-in page would not help).
    pub fn of_client(headers: &HeaderMap) -> Self {
        let accept = headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let bearer = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.as_bytes().get(..7))
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case(b"bearer "));
        if bearer
            || content_type(headers) == "application/json"
            || (accept.contains("application/json") && !accept.contains("text/html"))
        {
            Self::Api
        } else {
            Self::Page
        }
    }

    /// Whether this is [`RequestKind::Api`].
    pub fn is_api(self) -> bool {
        self == Self::Api
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

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn the_layers_routes_are_told_apart_by_path_alone() {
        let json = headers(&[("content-type", "application/json")]);
        for api in ["/api", "/api/", "/api/login", "/api/admin/users/1"] {
            assert_eq!(RequestKind::of_route(api), RequestKind::Api, "{api}");
        }
        for page in ["/", "", "/login", "/apix", "/api-docs", "/account/api/x"] {
            assert_eq!(RequestKind::of_route(page), RequestKind::Page, "{page}");
        }
        assert_eq!(
            RequestKind::of("/auth", "/auth/api/login", &HeaderMap::new()),
            RequestKind::Api
        );
        assert_eq!(
            RequestKind::of("/auth", "/auth/login", &json),
            RequestKind::Api
        );
    }

    #[test]
    fn an_application_route_containing_api_is_not_the_api() {
        let browser = headers(&[("accept", "text/html,application/json;q=0.9")]);
        for path in [
            "/blog/api/x",
            "/blog/api",
            "/authx/api/login",
            "/dashboard?next=/auth/api/me",
            "/api/x",
        ] {
            assert_eq!(
                RequestKind::of("/auth", path, &browser),
                RequestKind::Page,
                "{path}"
            );
        }
        assert_eq!(
            RequestKind::of("", "/api/me", &browser),
            RequestKind::Api,
            "mounted at the root, /api is the layer's"
        );
        assert_eq!(
            RequestKind::of("/auth/", "/auth/api?x", &browser),
            RequestKind::Api
        );
    }

    #[test]
    fn elsewhere_the_client_decides() {
        let cases = [
            (headers(&[]), RequestKind::Page),
            (headers(&[("accept", "application/json")]), RequestKind::Api),
            (
                headers(&[("accept", "application/json, text/html")]),
                RequestKind::Page,
            ),
            (
                headers(&[("content-type", "Application/JSON; charset=utf-8")]),
                RequestKind::Api,
            ),
            (
                headers(&[("content-type", "application/x-www-form-urlencoded")]),
                RequestKind::Page,
            ),
            (
                headers(&[("authorization", "Bearer abc")]),
                RequestKind::Api,
            ),
            (
                headers(&[("authorization", "Basic YWRh")]),
                RequestKind::Page,
            ),
        ];
        for (h, kind) in cases {
            assert_eq!(RequestKind::of_client(&h), kind, "{h:?}");
            assert_eq!(RequestKind::of("/auth", "/blog/api/x", &h), kind, "{h:?}");
        }
    }
}
