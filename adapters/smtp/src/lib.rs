//! # auth-smtp
//!
//! Mailers for [`auth_core`]:
//!
//! - [`SmtpMailer`]: delivers over SMTP with [`lettre`] on tokio, TLS by rustls with the
//!   *ring* provider (implicit TLS or required STARTTLS), optional credentials, a hard
//!   time limit per message. Configure it from a URL ([`SmtpMailer::from_url`], the
//!   format the demos' `--smtp-url`/`SMTP_URL` take) or with [`SmtpMailer::builder`].
//! - [`FileMailer`]: the **development** mailer. It writes every message as an `.eml`
//!   file into a directory and logs the first link of each message. Those links carry
//!   live tokens (verification, password reset): never use it in production.
//! - With the feature `read` (off by default, for tests): `read_eml`, `latest_in`,
//!   `wait_for_mail` and `ReceivedMail` read messages back (from a [`FileMailer`]
//!   directory or anything else that stores RFC 5322 files), for tests that need to
//!   "click" a mailed link. An application never needs them, so they and their parser
//!   stay out of its build.
//!
//! Neither mailer retries. When delivery fails it reports, with the transport's error as
//! the source, either [`auth_core::Error::Mail`] (it may pass: no connection, a timeout,
//! a 4xx reply; the engine queues the message in its outbox and retries with backoff) or
//! [`auth_core::Error::MailRejected`] (it will not: an address lettre refuses, a 5xx
//! reply; the engine marks the message failed for an administrator). Every address
//! [`auth_core::validate::normalize_email`] accepts is one lettre takes as it is
//! (`tests/addresses.rs` checks it over a corpus and with a property test).
//!
//! ## Quick start
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use auth_core::Mailer;
//! use auth_smtp::{FileMailer, SmtpMailer};
//!
//! # fn main() -> auth_core::Result<()> {
//! // Production: the whole configuration in one URL (secrets percent-encoded).
//! let smtp = SmtpMailer::from_url(
//!     "smtp://user:p%40ss@smtp.example.com:587?tls=starttls&from=Demo%20%3Cno-reply%40example.com%3E",
//! )?;
//!
//! // Local development: every message becomes a file in ./mail.
//! let dev = FileMailer::new("mail")?;
//!
//! let mailer: Arc<dyn Mailer> = if std::env::var_os("SMTP_URL").is_some() {
//!     Arc::new(smtp)
//! } else {
//!     Arc::new(dev)
//! };
//! # let _ = mailer;
//! # Ok(())
//! # }
//! ```
//!
//! The URL format and the operational notes are in the guide's *Mail* chapter
//! (`docs/mail.md`).

#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod file;
mod link;
mod message;
#[cfg(feature = "read")]
mod read;
mod smtp;
mod smtp_url;

pub use file::FileMailer;
pub use link::first_link;
#[cfg(feature = "read")]
#[cfg_attr(docsrs, doc(cfg(feature = "read")))]
pub use read::{
    ReadMailError, ReceivedMail, latest_in, latest_matching, parse_eml, read_eml, wait_for_mail,
};
pub use smtp::{SmtpMailer, SmtpMailerBuilder, TlsMode};

/// The header naming the [`auth_core::MailKind`] of every message these mailers compose
/// (e.g. `X-Mail-Kind: verification`), so tests and mail filters can tell messages apart.
pub const MAIL_KIND_HEADER: &str = "X-Mail-Kind";
