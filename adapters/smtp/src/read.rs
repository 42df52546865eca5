//! Reading messages back, for tests (feature `read`): parse `.eml` files with
//! `mail-parser` (which undoes quoted-printable and base64 transfer encodings and RFC 2047
//! subjects).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, PartType};

use crate::link::{first_link, links};

/// Why a message could not be read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadMailError {
    /// The file or directory could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The data is not an RFC 5322 message.
    #[error("not an RFC 5322 message{}", path.as_ref().map(|p| format!(": {}", p.display())).unwrap_or_default())]
    Parse {
        /// The file, when the message came from one.
        path: Option<PathBuf>,
    },
}

/// A message read back from RFC 5322 data, its bodies decoded. Line endings of the
/// bodies are normalised to `\n`; a body that did not end with a line break when it was
/// composed may end with one once read back (MIME encoders terminate the last line). Its
/// `Debug` output omits the bodies, which may carry link tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// The From address (without display name).
    pub from: Option<String>,
    /// The From display name, if any.
    pub from_name: Option<String>,
    /// The To addresses.
    pub to: Vec<String>,
    /// The decoded subject (empty when there is none).
    pub subject: String,
    /// The first `text/plain` part, decoded.
    pub text: Option<String>,
    /// The first `text/html` part, decoded.
    pub html: Option<String>,
    /// The [`X-Mail-Kind`](crate::MAIL_KIND_HEADER) header, e.g. `verification`.
    pub kind: Option<String>,
    /// The Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The Date header as seconds since the Unix epoch.
    pub date: Option<i64>,
}

impl fmt::Debug for ReceivedMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedMail")
            .field("path", &self.path)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("kind", &self.kind)
            .field("message_id", &self.message_id)
            .finish_non_exhaustive()
    }
}

impl ReceivedMail {
    /// The first `http://` or `https://` link of the text body (or of the HTML body
    /// when there is no text body).
    pub fn first_link(&self) -> Option<&str> {
        self.text
            .as_deref()
            .or(self.html.as_deref())
            .and_then(first_link)
    }

    /// The first link of the text body (or of the HTML body when there is no text body)
    /// that contains `marker`, e.g. `"/auth/verify/"`.
    pub fn link_containing(&self, marker: &str) -> Option<&str> {
        links(self.text.as_deref().or(self.html.as_deref())?).find(|l| l.contains(marker))
    }

    /// Whether `address` is among the To addresses (ASCII case-insensitive).
    pub fn is_to(&self, address: &str) -> bool {
        self.to
            .iter()
            .any(|t| t.eq_ignore_ascii_case(address.trim()))
    }
}

fn normalise(body: &str) -> String {
    body.replace("\r\n", "\n")
}

fn parse(bytes: &[u8], path: Option<PathBuf>) -> Result<ReceivedMail, ReadMailError> {
    let Some(message) = MessageParser::default().parse(bytes) else {
        return Err(ReadMailError::Parse { path });
    };
    let from = message.from().and_then(|a| a.first());
    let to = message
        .to()
        .map(|a| {
            a.iter()
                .filter_map(|m| m.address())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let text = message.text_bodies().find_map(|p| match &p.body {
        PartType::Text(t) => Some(normalise(t)),
        _ => None,
    });
    let html = message.html_bodies().find_map(|p| match &p.body {
        PartType::Html(h) => Some(normalise(h)),
        _ => None,
    });
    Ok(ReceivedMail {
        from: from.and_then(|a| a.address()).map(str::to_owned),
        from_name: from.and_then(|a| a.name()).map(str::to_owned),
        to,
        subject: message.subject().unwrap_or_default().to_owned(),
        text,
        html,
        kind: message
            .header_raw(crate::MAIL_KIND_HEADER)
            .map(|k| k.trim().to_owned()),
        message_id: message.message_id().map(str::to_owned),
        date: message.date().map(|d| d.to_timestamp()),
        path,
    })
}

/// Parses RFC 5322 data (e.g. what an SMTP server received).
///
/// # Errors
/// [`ReadMailError::Parse`] when `bytes` holds no message headers.
pub fn parse_eml(bytes: &[u8]) -> Result<ReceivedMail, ReadMailError> {
    parse(bytes, None)
}

/// Reads and parses one `.eml` file.
///
/// # Errors
/// [`ReadMailError::Io`] when the file cannot be read, [`ReadMailError::Parse`] when it
/// holds no message.
pub fn read_eml(path: impl AsRef<Path>) -> Result<ReceivedMail, ReadMailError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| ReadMailError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&bytes, Some(path.to_owned()))
}

/// The newest message in `dir` addressed to `to` (ASCII case-insensitive); see
/// [`latest_matching`].
///
/// ```no_run
/// # fn main() -> Result<(), auth_smtp::ReadMailError> {
/// if let Some(mail) = auth_smtp::latest_in("mail", "ada@example.com")? {
///     let link = mail.link_containing("/auth/verify/");
///     # let _ = link;
/// }
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// As [`latest_matching`].
pub fn latest_in(dir: impl AsRef<Path>, to: &str) -> Result<Option<ReceivedMail>, ReadMailError> {
    latest_matching(dir, |mail| mail.is_to(to))
}

/// The newest message in `dir` for which `accept` returns `true`, judged by file name as
/// [`FileMailer`](crate::FileMailer) writes them (`<millis>-...eml`, so names sort by
/// time). Only `*.eml` files are read; temporary files (names starting with `.`) are
/// ignored. A missing directory holds no message.
///
/// # Errors
/// [`ReadMailError::Io`] when the directory or a file cannot be read,
/// [`ReadMailError::Parse`] when a candidate file holds no message.
pub fn latest_matching(
    dir: impl AsRef<Path>,
    mut accept: impl FnMut(&ReceivedMail) -> bool,
) -> Result<Option<ReceivedMail>, ReadMailError> {
    let dir = dir.as_ref();
    let io = |source| ReadMailError::Io {
        path: dir.to_owned(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry.map_err(io)?.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(".eml") && !name.starts_with('.') {
            names.push(name.to_owned());
        }
    }
    names.sort_unstable_by(|a, b| b.cmp(a));
    for name in names {
        let mail = read_eml(dir.join(&name))?;
        if accept(&mail) {
            return Ok(Some(mail));
        }
    }
    Ok(None)
}

/// Polls `dir` (every 25 ms) until [`latest_matching`] finds a message `accept`s, or
/// `timeout` passes (then `Ok(None)`). For tests of applications that send mail in the
/// background, e.g. waiting for the reset message that follows a request:
///
/// ```no_run
/// use std::time::Duration;
/// # fn main() -> Result<(), auth_smtp::ReadMailError> {
/// let reset = auth_smtp::wait_for_mail("mail", Duration::from_secs(10), |m| {
///     m.is_to("ada@example.com") && m.kind.as_deref() == Some("password_reset")
/// })?;
/// # let _ = reset;
/// # Ok(())
/// # }
/// ```
///
/// It blocks the calling thread: from async code, run it with
/// `tokio::task::spawn_blocking`.
///
/// # Errors
/// As [`latest_matching`].
pub fn wait_for_mail(
    dir: impl AsRef<Path>,
    timeout: Duration,
    mut accept: impl FnMut(&ReceivedMail) -> bool,
) -> Result<Option<ReceivedMail>, ReadMailError> {
    let dir = dir.as_ref();
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(mail) = latest_matching(dir, &mut accept)? {
            return Ok(Some(mail));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_message() {
        assert!(matches!(
            parse_eml(b""),
            Err(ReadMailError::Parse { path: None })
        ));
    }
}
