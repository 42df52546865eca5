//! Reading a `multipart/form-data` body (the picture upload form) with `multer`: the text
//! fields and the bytes of one file field. The body is already in memory and within the
//! upload limit ([`AuthWeb::upload_limit`](crate::AuthWeb::upload_limit)) when it gets
//! here; `multer` adds per-field limits so that no text field can be large.

use std::collections::HashMap;

use auth_core::Message;
use bytes::Bytes;
use http::StatusCode;
use multer::{Constraints, Multipart, SizeLimit};

use crate::kind::content_type;
use crate::problem::Problem;
use crate::reply::Req;

/// The longest text field accepted in an upload form (the CSRF token is 100-odd bytes).
const MAX_TEXT_FIELD: u64 = 4 * 1024;

/// What an upload form sent.
#[derive(Debug, Default)]
pub(crate) struct Upload {
    /// The text fields, by name (the last of a repeated name).
    pub(crate) text: HashMap<String, String>,
    /// The bytes of the file field, if the form had one (an empty file is empty bytes).
    pub(crate) file: Option<Bytes>,
}

/// Reads `r`'s body as `multipart/form-data` with one file field named `file_field` and
/// the text fields `text_fields`; any other field is refused.
///
/// # Errors
/// 415 when the body is not `multipart/form-data`; 400 when it is malformed, has an
/// unknown field, or a text field over 4 KiB.
pub(crate) async fn read(
    r: &Req,
    file_field: &'static str,
    text_fields: &[&'static str],
) -> Result<Upload, Problem> {
    if content_type(&r.headers) != "multipart/form-data" {
        return Err(Problem::said(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            Message::new("error-unsupported_media_type-multipart"),
        ));
    }
    // The parser's detail goes to the debug log; the client gets one coarse reason in
    // its language.
    let bad = |detail: &dyn std::fmt::Display| {
        tracing::debug!(error = %detail, "a multipart body could not be read");
        Problem::said(
            StatusCode::BAD_REQUEST,
            "bad_request",
            Message::new("error-bad_request-multipart"),
        )
    };
    let boundary = r
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| bad(&"the multipart body has no boundary"))?;
    let mut allowed: Vec<&str> = text_fields.to_vec();
    allowed.push(file_field);
    let mut limits = SizeLimit::new();
    for name in text_fields {
        limits = limits.for_field(*name, MAX_TEXT_FIELD);
    }
    let body = r.body.clone();
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = Multipart::with_constraints(
        stream,
        boundary,
        Constraints::new()
            .allowed_fields(allowed)
            .size_limit(limits),
    );
    let mut upload = Upload::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(bad(&e)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let bytes = field.bytes().await.map_err(|e| bad(&e))?;
            upload.file = Some(bytes);
        } else {
            let text = field.text().await.map_err(|e| bad(&e))?;
            upload.text.insert(name, text);
        }
    }
    Ok(upload)
}
