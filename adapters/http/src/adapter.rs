//! What every framework adapter needs besides type conversion, decided once: reading a
//! body up to the limit ([`AuthWeb::serve`]), checking that the framework mounted the
//! routes where the layer says ([`AuthWeb::check_mount`]), and the answer to an
//! application that wired an adapter wrongly ([`Miswired`]).

use std::fmt;
use std::net::IpAddr;

use auth_core::Message;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::reply::Reply;
use crate::web::{AuthWeb, security_headers};

/// The message of every answer to a miswired application: nothing about the setup leaks.
const MISWIRED_TEXT: &str = "error-miswired";

/// An adapter wired into an application the wrong way, found at request time: an
/// extractor, guard or route ran without the adapter's layer, or the framework mounted
/// the routes somewhere else than [`AuthWeb::mount_path`] (every mailed link would
/// then point to the wrong place).
///
/// Adapters log it at error level and answer 500 ([`Miswired::into_response`]), or
/// hand the 500 to the framework's own idiom after [`Miswired::report`]. The answer's
/// body says nothing about the setup: it is the catalogues' `error-miswired` in the
/// default language (the request's language is not known to the code that finds the
/// mistake), the application's catalogues' when the web layer is at hand, else the
/// shipped ones'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miswired {
    message: String,
    body: String,
}

impl Miswired {
    /// An extractor, guard or route of `adapter` ran without the layer that installs
    /// the web layer; `fix` says what to add (e.g. `add .layer(AuthLayer::new(web))`).
    pub fn missing_layer(adapter: &str, fix: &str) -> Self {
        Self {
            message: format!(
                "{adapter}: an extractor, guard or route ran without the auth layer; {fix} to the app"
            ),
            // Without the layer there are no configured catalogues: the shipped ones.
            body: Message::new(MISWIRED_TEXT).english(),
        }
    }

    /// Logs the mistake at error level, for adapters whose framework answers the 500.
    pub fn report(&self) {
        tracing::error!("{}", self.message);
    }

    /// Logs the mistake and answers 500 (the detail stays in the log).
    pub fn into_response(self) -> Response<Bytes> {
        self.report();
        let mut resp = Response::new(Bytes::from(self.body));
        *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        resp.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        security_headers(resp.headers_mut());
        resp
    }
}

impl fmt::Display for Miswired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl AuthWeb {
    /// Serves one request under the mount point whose body is still a stream: reads the
    /// body up to [`AuthWeb::body_limit_for`] its path and hands the request to [`AuthWeb::handle`].
    /// A body past the limit gets the layer's 413 (JSON for the API, a page otherwise)
    /// without being read further; a body that cannot be read (the client went away)
    /// gets 400. `req`'s URI path is relative to the mount point, as for
    /// [`AuthWeb::handle`].
    ///
    /// This is the whole request path of an adapter: convert the framework's request to
    /// `http` 1.x with a streaming body, call this, convert the response back.
    pub async fn serve<B>(&self, req: Request<B>, peer: Option<IpAddr>) -> Response<Bytes>
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = req.into_parts();
        let limit = self.body_limit_for(parts.uri.path());
        match Limited::new(body, limit).collect().await {
            Ok(collected) => {
                let req = Request::from_parts(parts, collected.to_bytes());
                self.handle(req, peer).await
            }
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                self.payload_too_large(&parts.headers, parts.uri.path())
            }
            Err(e) => {
                tracing::debug!(error = %e, "reading a request body failed");
                let r = self.request(
                    parts.method.clone(),
                    parts.uri.path().to_owned(),
                    parts.uri.query().map(str::to_owned),
                    parts.headers.clone(),
                    Bytes::new(),
                    peer,
                );
                let reply = Reply::said(
                    StatusCode::BAD_REQUEST,
                    Message::new("error-bad_request-body"),
                );
                self.finish(&r, reply)
            }
        }
    }

    /// Whether the framework mounted the routes at [`AuthWeb::mount_path`]: `full_path`
    /// is the path the application received (`/auth/login`), `relative_path` the one
    /// the framework's `nest`/`mount` left for the layer (`/login`). Adapters check
    /// every request they serve, so that routes mounted elsewhere than the mailed links
    /// point fail loudly instead of breaking every link silently.
    ///
    /// # Errors
    /// [`Miswired`] naming both mount points when they differ.
    pub fn check_mount(&self, full_path: &str, relative_path: &str) -> Result<(), Miswired> {
        let relative = if relative_path.is_empty() {
            "/"
        } else {
            relative_path
        };
        let agrees = full_path
            .strip_prefix(self.mount_path())
            .is_some_and(|rest| rest == relative || (relative == "/" && rest.is_empty()));
        if agrees {
            return Ok(());
        }
        let framework = full_path
            .strip_suffix(relative)
            .unwrap_or(full_path)
            .trim_end_matches('/');
        let catalogues = self.inner.auth.config().catalogues();
        Err(Miswired {
            body: catalogues.text(catalogues.default_language(), MISWIRED_TEXT, None),
            message: format!(
                "the auth routes are mounted at {framework:?} but the web layer's mount path (where mailed links point) is {:?}; mount them at AuthWeb::mount_path() or set AuthWebBuilder::mount_path",
                self.mount_path()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use auth_core::{Auth, CapturingMailer, Config};

    use super::*;

    fn web(mount: &str) -> AuthWeb {
        let config = Config::builder()
            .base_url("https://app.example")
            .link_prefix("/auth")
            .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
            .build()
            .unwrap();
        let auth = Auth::builder(config)
            .store(Arc::new(auth_store_memory::MemoryStore::new()))
            .mailer(Arc::new(CapturingMailer::new()))
            .build()
            .unwrap();
        AuthWeb::builder(auth)
            .mount_path(mount)
            .secret(vec![7; 32])
            .build()
            .unwrap()
    }

    #[test]
    fn a_mount_that_agrees_passes() {
        let w = web("/auth");
        assert_eq!(w.check_mount("/auth/login", "/login"), Ok(()));
        assert_eq!(w.check_mount("/auth", "/"), Ok(()));
        assert_eq!(w.check_mount("/auth/", "/"), Ok(()));
        assert_eq!(w.check_mount("/auth", ""), Ok(()));
        let root = web("");
        assert_eq!(root.check_mount("/login", "/login"), Ok(()));
        assert_eq!(root.check_mount("/", "/"), Ok(()));
    }

    #[test]
    fn a_mount_elsewhere_is_refused_with_both_paths() {
        let w = web("/auth");
        let e = w.check_mount("/users/login", "/login").unwrap_err();
        assert!(e.to_string().contains("\"/users\""), "{e}");
        assert!(e.to_string().contains("\"/auth\""), "{e}");
        assert!(w.check_mount("/authx/login", "/login").is_err());
        assert!(w.check_mount("/login", "/login").is_err());
        assert!(web("").check_mount("/auth/login", "/login").is_err());
    }

    #[test]
    fn miswired_answers_a_coarse_500() {
        let resp = Miswired::missing_layer("auth-test", "add the layer").into_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(resp.body().as_ref(), b"Something went wrong on our side.");
        assert!(resp.headers().contains_key("content-security-policy"));
    }

    #[tokio::test]
    async fn serve_reads_up_to_the_limit_and_refuses_past_it() {
        let w = web("/auth");
        let at = http_body_util::Full::new(Bytes::from(vec![b'a'; w.body_limit()]));
        let req = Request::post("/login").body(at).unwrap();
        assert_ne!(
            w.serve(req, None).await.status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let past = http_body_util::Full::new(Bytes::from(vec![b'a'; w.body_limit() + 1]));
        let req = Request::post("/api/login").body(past).unwrap();
        let resp = w.serve(req, None).await;
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(String::from_utf8_lossy(resp.body()).contains("payload_too_large"));
    }

    #[tokio::test]
    async fn serve_answers_400_to_a_body_that_cannot_be_read() {
        let w = web("/auth");
        let req = Request::post("/login").body(Broken).unwrap();
        let resp = w.serve(req, None).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(resp.headers().contains_key("content-security-policy"));
        assert_eq!(resp.body().as_ref(), b"The request body could not be read.");
        // In the request's language, from the catalogues.
        let req = Request::post("/login")
            .header("accept-language", "de-CH, en;q=0.5")
            .body(Broken)
            .unwrap();
        let resp = w.serve(req, None).await;
        assert_eq!(
            String::from_utf8_lossy(resp.body()),
            "Der Inhalt der Anfrage konnte nicht gelesen werden."
        );
    }

    #[test]
    fn a_miswired_mount_answers_in_the_default_language_of_the_catalogues() {
        let mut catalogues = auth_core::Catalogues::shipped();
        catalogues.set_default("es").unwrap();
        let config = Config::builder()
            .base_url("https://app.example")
            .link_prefix("/auth")
            .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
            .catalogues(catalogues)
            .build()
            .unwrap();
        let auth = Auth::builder(config)
            .store(Arc::new(auth_store_memory::MemoryStore::new()))
            .mailer(Arc::new(CapturingMailer::new()))
            .build()
            .unwrap();
        let w = AuthWeb::builder(auth)
            .mount_path("/auth")
            .secret(vec![7; 32])
            .build()
            .unwrap();
        let resp = w
            .check_mount("/users/login", "/login")
            .unwrap_err()
            .into_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            String::from_utf8_lossy(resp.body()),
            "Algo salió mal por nuestra parte."
        );
    }

    /// A body whose first frame is an error (the client went away).
    struct Broken;

    impl http_body::Body for Broken {
        type Data = Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
            std::task::Poll::Ready(Some(Err(std::io::Error::other("connection reset"))))
        }
    }
}
