//! The OpenAPI 3.1 document of the JSON API, built from the types the endpoints read
//! ([`requests`]) and answer (the layer's reply types), served by every adapter at
//! `GET {mount}/api/openapi.json` and printed by `auth-cli openapi`.
//!
//! The document of the demos' mount (`/auth`) is committed as `docs/openapi.json`; a test
//! of this crate fails when the two differ, so that a change to the API shows in review.
//! Regenerate it with `UPDATE_OPENAPI=1 cargo nextest run -p auth-http openapi`.

mod operations;
pub mod requests;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};

use crate::AuthWeb;
use crate::reply::Reply;

/// The mount point of the demos, and of the committed `docs/openapi.json`.
pub const DEMO_MOUNT: &str = "/auth";

/// The OpenAPI 3.1 document of the JSON API mounted at `mount` (such as `/auth`; `""` for
/// the root), as pretty-printed JSON ending in a newline. The same for every
/// application: it does not list the application's profile fields, scopes or providers
/// (their endpoints say where to find them).
pub fn document(mount: &str) -> String {
    let api = operations::api(mount.trim_end_matches('/'));
    match api.to_pretty_json() {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // Only a map with non-string keys fails to serialise, and the document has none.
        Err(e) => {
            tracing::error!(error = %e, "the OpenAPI document could not be written");
            String::from("{}\n")
        }
    }
}

impl AuthWeb {
    /// `GET /api/openapi.json`: the document of this layer's mount point.
    pub(crate) fn openapi_reply(&self) -> Reply {
        let mut reply = Reply::new(StatusCode::OK);
        reply
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        reply.body = Bytes::from(document(&self.inner.prefix));
        reply
    }
}
