//! Conversions between Rocket's types (`http` 0.2 era) and the web layer's (`http` 1.x).

use std::io::Cursor;
use std::pin::Pin;
use std::task::{Context, Poll};

use auth_http::AuthWeb;
use bytes::Bytes;
use rocket::data::DataStream;
use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::tokio::io::{AsyncRead, ReadBuf};
use rocket::{Request, Response};

use crate::guard::{Refusal, load};

/// The path of a request relative to the mount point of the route that serves it
/// (`/auth/login` under `/auth` is `/login`), without its query.
pub(crate) fn relative_path(req: &Request<'_>) -> String {
    let path = req.uri().path().as_str();
    let base = req.route().map_or("/", |r| r.uri.base());
    let rest = if base == "/" {
        path
    } else {
        path.strip_prefix(base.trim_end_matches('/'))
            .unwrap_or(path)
    };
    if rest.starts_with('/') {
        rest.to_owned()
    } else {
        format!("/{rest}")
    }
}

/// The full path and query of a request, for `next`.
pub(crate) fn full_path(req: &Request<'_>) -> String {
    req.uri().to_string()
}

/// The request's headers as `http` 1.x headers (invalid names or values are dropped).
pub(crate) fn headers(req: &Request<'_>) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for h in req.headers().iter() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(h.name().as_str().as_bytes()),
            http::HeaderValue::from_str(h.value()),
        ) {
            map.append(name, value);
        }
    }
    map
}

/// An `http` 1.x request for the web layer, at `relative` (the path under the mount
/// point) with the request's query.
pub(crate) fn into_http<B>(req: &Request<'_>, relative: &str, body: B) -> Option<http::Request<B>> {
    let uri = match req.uri().query() {
        Some(q) => format!("{relative}?{}", q.as_str()),
        None => relative.to_owned(),
    };
    let mut out = http::Request::new(body);
    *out.method_mut() = http::Method::from_bytes(req.method().as_str().as_bytes()).ok()?;
    *out.uri_mut() = uri.parse().ok()?;
    *out.headers_mut() = headers(req);
    Some(out)
}

/// Rocket's request body as an `http_body` body, read in chunks as the web layer asks.
pub(crate) struct DataBody<'r> {
    stream: DataStream<'r>,
    buf: Box<[u8]>,
}

impl<'r> DataBody<'r> {
    /// The body of `stream`, read 8 KiB at a time.
    pub(crate) fn new(stream: DataStream<'r>) -> Self {
        Self {
            stream,
            buf: vec![0; 8 * 1024].into_boxed_slice(),
        }
    }
}

impl http_body::Body for DataBody<'_> {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        let mut buf = ReadBuf::new(&mut this.buf);
        match Pin::new(&mut this.stream).poll_read(cx, &mut buf) {
            Poll::Ready(Ok(())) if buf.filled().is_empty() => Poll::Ready(None),
            Poll::Ready(Ok(())) => Poll::Ready(Some(Ok(http_body::Frame::data(
                Bytes::copy_from_slice(buf.filled()),
            )))),
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A Rocket response from a web-layer response.
pub(crate) fn into_rocket<'r>(resp: http::Response<Bytes>) -> Response<'r> {
    let (parts, body) = resp.into_parts();
    let mut builder = Response::build();
    builder.status(Status::new(parts.status.as_u16()));
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            builder.raw_header_adjoin(name.as_str().to_owned(), value.to_owned());
        }
    }
    builder.sized_body(body.len(), Cursor::new(body));
    builder.finalize()
}

/// A web-layer response as a Rocket [`Responder`]: return what
/// [`AuthWeb::render_page`] or [`AuthWeb::error_response`] produce from a handler.
#[derive(Debug)]
pub struct WebResponse(pub http::Response<Bytes>);

impl WebResponse {
    /// What the auth catchers answer for `status` on `req`: the refusal a guard
    /// recorded (sign-in redirect, 401, 403 or 503 as the web layer words them), or
    /// the web layer's answer for that status when the refusal came from elsewhere (a
    /// 403 page then shows who is signed in, which may cost the session lookup no
    /// guard made). `None` for other statuses or when
    /// [`AuthFairing`](crate::AuthFairing) is missing.
    pub async fn for_refusal(status: Status, req: &Request<'_>) -> Option<Self> {
        if let Some(resp) = req.local_cache(Refusal::default).take() {
            return Some(Self(resp));
        }
        let web = req.rocket().state::<AuthWeb>()?;
        let headers = headers(req);
        let path = full_path(req);
        let resp = match status.code {
            401 => web.deny(auth_http::Denial::Unauthenticated, None, &headers, &path),
            403 => {
                // A store failure only costs the header its user: the answer stays 403.
                let user = load(req)
                    .await
                    .ok()
                    .flatten()
                    .and_then(auth_http::Caller::into_session);
                web.deny(
                    auth_http::Denial::Forbidden,
                    user.as_deref(),
                    &headers,
                    &path,
                )
            }
            503 => web.error_response(
                &auth_core::Error::unavailable(std::io::Error::other("service unavailable")),
                &headers,
            ),
            _ => return None,
        };
        Some(Self(resp))
    }
}

impl<'r> Responder<'r, 'static> for WebResponse {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Ok(into_rocket(self.0))
    }
}

/// A request guard with the request's headers as `http` 1.x headers, for calling the
/// web layer from a handler (e.g. [`AuthWeb::render_page`]).
#[derive(Debug, Clone)]
pub struct HttpHeaders(pub http::HeaderMap);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for HttpHeaders {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(Self(headers(req)))
    }
}
