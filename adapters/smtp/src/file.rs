//! The development mailer: one `.eml` file per message.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use auth_core::{Email, Error, Mailer, Result};
use lettre::message::Mailbox;

use crate::link::first_link;
use crate::message::{DEFAULT_FROM, compose, parse_from};

/// **Development only.** A [`Mailer`] that writes every message as an RFC 5322 `.eml`
/// file into a directory and logs, at `INFO`, the recipient, the subject, the file and
/// the **first link of the message**.
///
/// # Do not use in production
///
/// The links in verification, reset and change-email messages carry live tokens: anyone
/// who can read this mailer's log lines or its directory can take over the accounts the
/// messages are about. It exists so a developer can run an application with no mail
/// server and click the link from the terminal; production uses
/// [`SmtpMailer`](crate::SmtpMailer). Only the first link is logged, never the bodies.
///
/// # Files
///
/// Each message is `<DIR>/<unix-millis>-<kind>-<random>.eml`, e.g.
/// `1763790000123-verification-3f9a1c2e.eml`: names sort by time (the milliseconds are
/// zero-padded to 13 digits and strictly increase within a process) and never collide.
/// The file is built by lettre's [`Message::formatted`](lettre::Message::formatted), as
/// [`SmtpMailer`](crate::SmtpMailer) would send it. It is written under a temporary
/// name starting with `.` in the same directory, flushed to disk, then renamed into
/// place, so a reader never sees a partial file. With the feature `read`, `latest_in`
/// and `wait_for_mail` read them back.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl FileMailer {
    /// A mailer writing into `dir`, created (with its parents) if missing, with From
    /// `no-reply@localhost`.
    ///
    /// # Errors
    /// [`Error::Config`] when the directory cannot be created.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::Config(format!(
                "cannot create the mail directory {}: {e}",
                dir.display()
            ))
        })?;
        tracing::warn!(
            dir = %dir.display(),
            "the development mailer is active: messages are written to files and their links \
             (which carry tokens) are logged; do not use it in production"
        );
        Ok(Self {
            dir,
            from: parse_from(DEFAULT_FROM)?,
        })
    }

    /// Sets the From mailbox, e.g. `Demo <no-reply@example.com>`.
    ///
    /// # Errors
    /// [`Error::Config`] when `from` is not a valid mailbox.
    pub fn with_from(mut self, from: &str) -> Result<Self> {
        self.from = parse_from(from)?;
        Ok(self)
    }

    /// The directory messages are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Milliseconds since the Unix epoch, strictly increasing within the process so that
/// file names sort in the order messages were written.
fn unique_millis() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last.saturating_add(1));
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(current) => last = current,
        }
    }
}

fn file_name(kind: &str) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{:013}-{kind}-{}.eml", unique_millis(), &random[..8])
}

/// Writes `bytes` to `dir/name` atomically: a temporary file in the same directory,
/// flushed to disk, then renamed over the final name.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".")
        .suffix(".eml.tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    let path = dir.join(name);
    tmp.persist_noclobber(&path).map_err(|e| e.error)?;
    Ok(path)
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, email: &Email) -> Result<()> {
        let message = compose(&self.from, email)?;
        let bytes = message.formatted();
        let dir = self.dir.clone();
        let name = file_name(email.kind.as_str());
        let path = tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &bytes))
            .await
            .map_err(Error::mail)?
            .map_err(Error::mail)?;
        let link = first_link(&email.text);
        tracing::info!(
            to = %email.to,
            subject = %email.subject,
            path = %path.display(),
            link = link.unwrap_or("(none)"),
            "development mailer wrote a message"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_strictly_increase() {
        let a = unique_millis();
        let b = unique_millis();
        let c = unique_millis();
        assert!(a < b && b < c);
    }

    #[test]
    fn names_sort_by_time_and_differ() {
        let first = file_name("verification");
        let second = file_name("password_reset");
        assert!(first < second, "{first} !< {second}");
        assert!(first.ends_with(".eml"));
        assert!(first.contains("-verification-"));
        let stamp = first.split('-').next().unwrap_or_default();
        assert_eq!(stamp.len(), 13);
        assert!(stamp.bytes().all(|b| b.is_ascii_digit()));
    }
}
