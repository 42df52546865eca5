//! Uploaded profile pictures: the upload and remove forms of the account page
//! (`POST /account/picture`, `POST /account/picture/remove`), the same in the JSON API
//! (`GET` and `POST /api/account/picture`, `POST /api/account/picture/remove`), and the
//! picture itself (`GET /pictures/{user id}/{version}`), for its owner and
//! administrators only. Every route answers 404 when the application keeps no pictures.

use auth_core::picture::FIELD;
use auth_core::{Authenticated, Message, Picture, UserId};
use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use http::{HeaderValue, StatusCode};
use serde::Serialize;

use super::ApiFail;
use super::account::Section;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::multipart;
use crate::problem::Problem;
use crate::reply::{Reply, Req};
use crate::responses::Removed;
use crate::views::rfc3339;

/// A picture as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PictureBody {
    /// Where it is served (to its owner and administrators).
    url: String,
    version: String,
    #[schema(value_type = String)]
    content_type: &'static str,
    updated_at: String,
}

/// `{"picture"}`: the picture, `null` for none.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PictureReply {
    picture: Option<PictureBody>,
}

/// The policy of a served picture: it may load nothing and run nothing, even if opened
/// on its own.
const PICTURE_POLICY: &str = "default-src 'none'; sandbox";

/// A picture under its current version does not change: cached for a year (a new upload
/// has a new URL).
const CACHE_FOREVER: &str = "private, max-age=31536000, immutable";

/// The media types the API accepts for the raw bytes of a picture; the bytes decide what
/// they really are.
const UPLOAD_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/webp",
    "application/octet-stream",
];

impl AuthWeb {
    /// The URL of a user's picture under `version`.
    pub(crate) fn picture_url(&self, user: UserId, version: &str) -> String {
        format!("{}/pictures/{user}/{version}", self.inner.prefix)
    }

    /// Looks up the version of `user`'s picture for the page `r` renders (see
    /// [`Req::picture_version`]), from the store: for users other than the signed-in
    /// one (the admin's pages). A failing store leaves the generated avatar.
    pub(crate) async fn note_picture(&self, r: &Req, user: UserId) {
        let version = self.inner.auth.picture_version(user).await;
        note(r, user, version);
    }

    /// [`AuthWeb::note_picture`] for the signed-in user `a`, whose version is kept with
    /// their session lookup (see [`auth_core::Auth::own_picture_version`]).
    pub(crate) async fn note_own_picture(&self, r: &Req, a: &Authenticated) {
        let version = self.inner.auth.own_picture_version(a).await;
        note(r, a.user.id, version);
    }

    /// `POST /account/picture`: the upload form (multipart, with the CSRF token).
    pub(super) async fn picture_post(&self, r: &Req) -> Reply {
        if !self.inner.auth.pictures_enabled() {
            return self.problem(r, &Problem::not_found());
        }
        let upload = match multipart::read(r, FIELD, &["csrf_token"]).await {
            Ok(upload) => upload,
            Err(p) => return self.problem(r, &p),
        };
        let token = upload.text.get("csrf_token").map_or("", String::as_str);
        if r.csrf_new || !self.inner.csrf.verify(&r.csrf_seed, token) || !self.origin_ok(&r.headers)
        {
            tracing::info!("refused an upload without a valid CSRF token or from a foreign origin");
            return self.problem(r, &Problem::csrf());
        }
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let bytes = upload.file.unwrap_or_default().to_vec();
        let done = match self.inner.auth.set_picture(&a, bytes, &r.ctx).await {
            Ok(_) => Ok(self.to_account(Flash::PictureSaved)),
            Err(e) => Err(e),
        };
        self.account_outcome(r, Section::Profile, &a, &Fields::default(), done)
    }

    /// `POST /account/picture/remove`: back to the generated avatar.
    pub(super) async fn picture_remove_post(&self, r: &Req) -> Reply {
        if !self.inner.auth.pictures_enabled() {
            return self.problem(r, &Problem::not_found());
        }
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let done = match self.inner.auth.remove_picture(&a, &r.ctx).await {
            Ok(_) => Ok(self.to_account(Flash::PictureRemoved)),
            Err(e) => Err(e),
        };
        self.account_outcome(r, Section::Profile, &a, &fields, done)
    }

    /// `GET /pictures/{user id}/{version}`: the picture, to its owner or an
    /// administrator (anyone else gets 404, as for a user without one), with its exact
    /// type, no sniffing, a policy that runs nothing, and a year of caching when the
    /// version is the current one (`no-cache` otherwise, so an old URL shows the new
    /// picture).
    pub(super) async fn picture_get(&self, r: &Req, id: &str, version: &str) -> Reply {
        if !self.inner.auth.pictures_enabled() {
            return self.problem(r, &Problem::not_found());
        }
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let Ok(id) = id.parse::<UserId>() else {
            return self.problem(r, &Problem::not_found());
        };
        let admin = a.user.has_role(self.inner.auth.config().admin_role());
        if a.user.id != id && !admin {
            return self.problem(r, &Problem::not_found());
        }
        match self.inner.auth.picture(id).await {
            Ok(Some(picture)) => picture_reply(r, picture, version),
            Ok(None) => self.problem(r, &Problem::not_found()),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// `GET /api/account/picture`: 200 `{"picture": {...}}`, or `{"picture": null}`.
    pub(super) async fn api_picture(&self, r: &Req) -> Result<Reply, ApiFail> {
        self.pictures_on()?;
        let a = self.api_user(r).await?;
        let picture = self.inner.auth.picture(a.user.id).await?;
        Ok(Reply::json(
            StatusCode::OK,
            &PictureReply {
                picture: picture.map(|p| self.picture_body(&p)),
            },
        ))
    }

    /// `POST /api/account/picture`: the picture's bytes as the body, with the type
    /// `image/png`, `image/jpeg`, `image/webp` or `application/octet-stream` (a type no
    /// cross-site form can send, as for JSON); 200 `{"picture": {...}}`.
    pub(super) async fn api_picture_upload(&self, r: &Req) -> Result<Reply, ApiFail> {
        self.pictures_on()?;
        if !UPLOAD_TYPES.contains(&crate::kind::content_type(&r.headers).as_str()) {
            return Err(ApiFail::Problem(Problem::said(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Message::new("error-unsupported_media_type-picture"),
            )));
        }
        if !self.origin_ok(&r.headers) {
            return Err(ApiFail::Problem(Problem::csrf()));
        }
        let a = self.api_user(r).await?;
        let stored = self
            .inner
            .auth
            .set_picture(&a, r.body.to_vec(), &r.ctx)
            .await?;
        Ok(Reply::json(
            StatusCode::OK,
            &PictureReply {
                picture: Some(self.picture_body(&stored)),
            },
        ))
    }

    /// `POST /api/account/picture/remove`: 200 `{"removed": bool}`.
    pub(super) async fn api_picture_remove(&self, r: &Req) -> Result<Reply, ApiFail> {
        self.pictures_on()?;
        let a = self.api_user(r).await?;
        let removed = self.inner.auth.remove_picture(&a, &r.ctx).await?;
        Ok(Reply::json(StatusCode::OK, &Removed { removed }))
    }

    fn pictures_on(&self) -> Result<(), ApiFail> {
        if self.inner.auth.pictures_enabled() {
            Ok(())
        } else {
            Err(ApiFail::Problem(Problem::not_found()))
        }
    }

    /// A picture as the API shows it.
    fn picture_body(&self, p: &Picture) -> PictureBody {
        PictureBody {
            url: self.picture_url(p.user_id, &p.version),
            version: p.version.clone(),
            content_type: p.format.content_type(),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

/// Notes `version`, the looked-up version of `user`'s picture, for the page `r` renders.
fn note(r: &Req, user: UserId, version: auth_core::Result<Option<String>>) {
    match version {
        Ok(Some(version)) => {
            r.pictures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(user, version);
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not look up a picture version"),
    }
}

/// The response carrying `picture`, asked for under `version`.
fn picture_reply(r: &Req, picture: Picture, version: &str) -> Reply {
    let etag = format!("\"{}\"", picture.version);
    let current = version == picture.version;
    let fresh = r
        .headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut reply = Reply::new(if fresh {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    if !fresh {
        reply.body = Bytes::from(picture.bytes);
        reply.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(picture.format.content_type()),
        );
    }
    reply.headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(if current {
            CACHE_FOREVER
        } else {
            "private, no-cache"
        }),
    );
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        reply.headers.insert(ETAG, etag);
    }
    reply.headers.insert(
        "content-security-policy",
        HeaderValue::from_static(PICTURE_POLICY),
    );
    reply.headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    reply
}
