//! Uploaded profile pictures: what a person may put in place of the generated avatar.
//!
//! An upload is never stored as it came. [`process`] sniffs the real format from the
//! bytes (the file name and the declared type are never trusted), accepts PNG, JPEG and
//! WebP only, refuses a file over [`PictureLimits::max_bytes`] and an image whose header
//! announces more than [`PictureLimits::max_pixels`] (or a side over
//! [`PictureLimits::max_side`]) before anything is decoded, so a decompression bomb costs
//! a header read, then decodes it (with the same limits given to the decoder), turns it
//! upright by its EXIF orientation, crops it to a centred square of
//! [`PictureLimits::size`] pixels and encodes that as a new PNG. What is kept is pixels:
//! EXIF (camera, GPS), ICC profiles, comments, text chunks and anything appended after
//! the image (a polyglot's second half) are gone.
//!
//! The processing lives in the core, not in the web layer, so that every way in (the
//! pages, the JSON API, an application calling [`Auth::set_picture`](crate::Auth::set_picture)
//! itself, a command-line import) stores only processed pictures: the rule "nothing but
//! pixels" cannot be skipped by a new adapter. The `image` crate is neither a web
//! framework, a database driver nor an HTTP crate, and it is built with the three
//! decoders and the PNG encoder only.
//!
//! The processed [`Picture`] is kept through a [`PictureStore`](crate::PictureStore): the
//! bytes in SQL, Redis or memory, or files under a directory the application configures.

mod process;

use std::fmt;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::{Error, Message, ValidationErrors};
use crate::model::UserId;

pub use process::process;

/// The form field (and JSON error field) of an uploaded picture.
pub const FIELD: &str = "picture";

/// An image format the toolkit reads (uploads) or writes (stored pictures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PictureFormat {
    /// PNG: what every stored picture is encoded as.
    Png,
    /// JPEG (JFIF/EXIF), accepted as an upload.
    Jpeg,
    /// WebP (lossy or lossless), accepted as an upload.
    WebP,
}

impl PictureFormat {
    /// The exact media type, as served.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
        }
    }

    /// The format of a stored media type (what [`content_type`](Self::content_type)
    /// wrote).
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::WebP]
            .into_iter()
            .find(|f| f.content_type() == content_type)
    }
}

impl fmt::Display for PictureFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::WebP => "WebP",
        })
    }
}

/// How large an upload may be and how large the stored picture is. The defaults suit
/// photos from a phone: 5 MiB, 40 megapixels, 10 000 pixels a side, stored as 256×256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PictureLimits {
    /// The largest upload, in bytes.
    pub max_bytes: usize,
    /// The most pixels (width × height) an upload may announce.
    pub max_pixels: u64,
    /// The longest side an upload may announce, in pixels.
    pub max_side: u32,
    /// The side of the stored square picture, in pixels.
    pub size: u32,
}

impl PictureLimits {
    /// The defaults (see the type's docs).
    pub const DEFAULT: Self = Self {
        max_bytes: 5 * 1024 * 1024,
        max_pixels: 40_000_000,
        max_side: 10_000,
        size: 256,
    };
}

impl Default for PictureLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why an upload was refused, on the field [`FIELD`]; it becomes [`Error::Validation`]
/// through `From`. [`message`](Self::message) is what the person is told; `Display` is
/// its English text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PictureRejection {
    /// No bytes at all (no file chosen, or an empty file).
    Empty,
    /// More bytes than [`PictureLimits::max_bytes`].
    TooLarge {
        /// The limit.
        max_bytes: usize,
    },
    /// Not a PNG, JPEG or WebP image, whatever its name or declared type said.
    Unsupported {
        /// What the bytes are, when recognised: `gif`, `bmp`, `tiff`, `avif_heic`, `pdf`,
        /// `zip` or `markup` (SVG, HTML or XML text).
        found: Option<&'static str>,
    },
    /// The image announces more pixels, or a longer side, than allowed.
    TooManyPixels {
        /// The width the file announces.
        width: u32,
        /// The height the file announces.
        height: u32,
        /// [`PictureLimits::max_pixels`].
        max_pixels: u64,
        /// [`PictureLimits::max_side`].
        max_side: u32,
    },
    /// The file starts like an accepted image but cannot be decoded (truncated, corrupt).
    Corrupt {
        /// The format it claimed by its first bytes.
        format: PictureFormat,
    },
}

impl PictureRejection {
    /// A stable machine-readable code: `empty`, `too_large`, `unsupported_type`,
    /// `too_many_pixels` or `corrupt`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge { .. } => "too_large",
            Self::Unsupported { .. } => "unsupported_type",
            Self::TooManyPixels { .. } => "too_many_pixels",
            Self::Corrupt { .. } => "corrupt",
        }
    }

    /// What the person is told, as a message of the catalogues.
    pub fn message(&self) -> Message {
        match self {
            Self::Empty => Message::new("field-picture-empty"),
            Self::TooLarge { max_bytes } => {
                Message::new("field-picture-too_large").arg("n", max_bytes)
            }
            Self::Unsupported { found: None } => Message::new("field-picture-unsupported_type"),
            Self::Unsupported { found: Some(found) } => {
                Message::new("field-picture-unsupported_type-found").arg("found", found)
            }
            Self::TooManyPixels {
                width,
                height,
                max_pixels,
                max_side,
            } => Message::new("field-picture-too_many_pixels")
                .arg("width", width)
                .arg("height", height)
                .arg("max_pixels", max_pixels)
                .arg("max_side", max_side),
            Self::Corrupt { format } => Message::new("field-picture-corrupt").arg("format", format),
        }
    }
}

impl fmt::Display for PictureRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().english())
    }
}

impl std::error::Error for PictureRejection {}

impl From<PictureRejection> for Error {
    fn from(rejection: PictureRejection) -> Self {
        let mut errors = ValidationErrors::new();
        errors.push(FIELD, rejection.code(), rejection.message());
        Error::Validation(errors)
    }
}

/// A processed picture, as stored and served: the re-encoded image, its format, and a
/// version that changes whenever the bytes do (for cache-busting URLs).
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    /// Whose picture it is.
    pub user_id: UserId,
    /// The format of `bytes`.
    pub format: PictureFormat,
    /// The encoded image.
    pub bytes: Vec<u8>,
    /// 16 lower-case hex digits of the SHA-256 of `bytes` ([`Picture::version_of`]).
    pub version: String,
    /// When it was uploaded (whole seconds are enough).
    pub updated_at: OffsetDateTime,
}

impl Picture {
    /// A picture of `user_id` with these bytes, its version computed from them.
    pub fn new(
        user_id: UserId,
        format: PictureFormat,
        bytes: Vec<u8>,
        updated_at: OffsetDateTime,
    ) -> Self {
        let version = Self::version_of(&bytes);
        Self {
            user_id,
            format,
            bytes,
            version,
            updated_at,
        }
    }

    /// The version of these bytes: the first 8 bytes of their SHA-256, in hex.
    pub fn version_of(bytes: &[u8]) -> String {
        hex::encode(&Sha256::digest(bytes)[..8])
    }
}

impl fmt::Debug for Picture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Picture")
            .field("user_id", &self.user_id)
            .field("format", &self.format)
            .field("bytes", &self.bytes.len())
            .field("version", &self.version)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}
