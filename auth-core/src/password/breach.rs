//! Passwords known from breaches (NIST SP 800-63B 3.1.1.2): a new password is looked up
//! by k-anonymity, so that only the first five hex digits of its SHA-1 ever leave the
//! process, and refused when it is found.
//!
//! A [`BreachedPasswords`] source answers with the *range* of a prefix: every known
//! SHA-1 that starts with it, as lines `SUFFIX:COUNT` (the other 35 hex digits and how
//! often the password was seen), the format of the Pwned Passwords range API. Lines with
//! a count of 0 are padding (the API adds them on request, so that the size of an
//! answer does not tell the prefix) and are ignored.
//!
//! Sources: the HTTP range API (crate `auth-breach-api`), and [`SortedHashFile`], a local
//! file of every hash in order, for deployments without internet access. A source that
//! fails or takes longer than [`BreachCheck::timeout`] is handled as
//! [`BreachCheck::when_unavailable`] says.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sha1::{Digest as _, Sha1};

use super::normalize;
use crate::error::{Error, Message, Result, ValidationErrors};
use crate::telemetry;

/// Where known-breached passwords are looked up, by the first five hex digits of their
/// SHA-1.
#[async_trait]
pub trait BreachedPasswords: Send + Sync + 'static {
    /// The range of `prefix` (five upper-case hex digits): lines `SUFFIX:COUNT` for every
    /// known hash that starts with it, in any order, padding lines allowed.
    ///
    /// # Errors
    /// The source cannot answer ([`Error::Unavailable`] for a failure that may pass).
    async fn range(&self, prefix: &str) -> Result<String>;
}

/// What to do with a new password when the source cannot answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnavailable {
    /// Accept the password (it passed the rest of the policy), and log a warning: sign-up
    /// and resets keep working while the source is down. The default.
    Accept,
    /// Refuse the change with [`Error::Unavailable`], so that no password goes unchecked.
    Refuse,
}

/// The breach check of new passwords: a source and what to do when it fails.
#[derive(Clone)]
pub struct BreachCheck {
    source: Arc<dyn BreachedPasswords>,
    timeout: Duration,
    when_unavailable: WhenUnavailable,
}

impl std::fmt::Debug for BreachCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BreachCheck")
            .field("timeout", &self.timeout)
            .field("when_unavailable", &self.when_unavailable)
            .finish_non_exhaustive()
    }
}

impl BreachCheck {
    /// Checks new passwords against `source`, waiting at most two seconds for it and
    /// accepting the password when it does not answer.
    pub fn new(source: Arc<dyn BreachedPasswords>) -> Self {
        Self {
            source,
            timeout: Duration::from_secs(2),
            when_unavailable: WhenUnavailable::Accept,
        }
    }

    /// How long to wait for the source.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What to do when the source fails or does not answer in time.
    pub fn when_unavailable(mut self, when: WhenUnavailable) -> Self {
        self.when_unavailable = when;
        self
    }

    /// Looks `password` (already normalised) up.
    ///
    /// # Errors
    /// [`Error::Validation`] (`password`, `breached`) when it is known from a breach;
    /// [`Error::Unavailable`] when the source failed and the check refuses then.
    pub(crate) async fn check(&self, password: &str) -> Result<()> {
        let (prefix, suffix) = split_digest(password);
        let answer = tokio::time::timeout(self.timeout, self.source.range(&prefix)).await;
        let range = match answer {
            Ok(Ok(range)) => range,
            Ok(Err(error)) => return self.unavailable(error),
            Err(_) => {
                return self.unavailable(Error::unavailable(format!(
                    "no answer from the breached-password source within {:?}",
                    self.timeout
                )));
            }
        };
        if seen(&range, &suffix) {
            telemetry::breach_check("breached");
            let mut errors = ValidationErrors::new();
            errors.push(
                "password",
                "breached",
                Message::new("field-password-breached"),
            );
            return Err(Error::Validation(errors));
        }
        telemetry::breach_check("clean");
        Ok(())
    }

    fn unavailable(&self, error: Error) -> Result<()> {
        match self.when_unavailable {
            WhenUnavailable::Accept => {
                telemetry::breach_check("unavailable_accepted");
                tracing::warn!(error = %error, source = ?std::error::Error::source(&error), "breached-password check skipped: the source is unavailable");
                Ok(())
            }
            WhenUnavailable::Refuse => {
                telemetry::breach_check("unavailable_refused");
                tracing::warn!(error = %error, source = ?std::error::Error::source(&error), "password change refused: the breached-password source is unavailable");
                Err(Error::unavailable(error))
            }
        }
    }
}

/// The SHA-1 of `password` in upper-case hex, split after five digits.
fn split_digest(password: &str) -> (String, String) {
    let mut hex = hex::encode_upper(Sha1::digest(password.as_bytes()));
    let suffix = hex.split_off(5);
    (hex, suffix)
}

/// Whether `range` lists `suffix` with a count above zero.
fn seen(range: &str, suffix: &str) -> bool {
    range.lines().any(|line| {
        line.trim().split_once(':').is_some_and(|(s, count)| {
            s.eq_ignore_ascii_case(suffix) && count.trim().parse::<u64>().is_ok_and(|n| n > 0)
        })
    })
}

/// A local file of known hashes, one `HASH:COUNT` line per hash (40 hex digits), sorted
/// by hash: the form the Pwned Passwords downloader writes as a single file. A range is
/// found by binary search over byte offsets, so files of tens of gigabytes answer in a
/// few dozen reads; the file is opened for each lookup and read on a blocking thread.
#[derive(Debug, Clone)]
pub struct SortedHashFile {
    path: PathBuf,
}

impl SortedHashFile {
    /// The file at `path`.
    ///
    /// # Errors
    /// [`Error::Config`] when it cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        File::open(&path).map_err(|e| {
            Error::Config(format!(
                "the breached-password file {}: {e}",
                path.display()
            ))
        })?;
        Ok(Self { path })
    }

    /// Writes a file of the hashes of `passwords` (normalised as new passwords are, each
    /// counted once) at `path`, replacing it, and opens it: a deployment's own list of
    /// refused passwords (the product's name, the company's), or a test's.
    ///
    /// # Errors
    /// [`Error::Config`] when the file cannot be written.
    pub fn create<'a>(
        path: impl AsRef<Path>,
        passwords: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self> {
        let path = path.as_ref();
        let mut hashes: Vec<String> = passwords
            .into_iter()
            .map(|p| hex::encode_upper(Sha1::digest(normalize(p).as_bytes())))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        let lines: String = hashes.iter().map(|hash| format!("{hash}:1\n")).collect();
        std::fs::write(path, lines).map_err(|e| {
            Error::Config(format!(
                "the breached-password file {}: {e}",
                path.display()
            ))
        })?;
        Self::open(path)
    }

    fn range_blocking(&self, prefix: &str) -> std::io::Result<String> {
        let mut file = File::open(&self.path)?;
        let len = file.metadata()?.len();
        // The first line whose hash is >= prefix starts after `low`: find the largest
        // offset whose next whole line is still below the prefix.
        let (mut low, mut high) = (0u64, len);
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            match line_after(&mut file, middle)? {
                Some(line)
                    if line
                        .get(..prefix.len())
                        .is_some_and(|p| p.to_ascii_uppercase().as_str() < prefix) =>
                {
                    low = middle;
                }
                _ => high = middle,
            }
        }
        file.seek(SeekFrom::Start(low))?;
        let mut reader = BufReader::new(file);
        if low > 0 {
            let mut partial = Vec::new();
            reader.read_until(b'\n', &mut partial)?;
        }
        let mut range = String::new();
        for line in reader.lines() {
            let line = line?;
            let upper = line.to_ascii_uppercase();
            if upper.as_str() < prefix {
                continue;
            }
            match upper.strip_prefix(prefix) {
                Some(rest) => {
                    range.push_str(rest);
                    range.push('\n');
                }
                None => break,
            }
        }
        Ok(range)
    }
}

/// The first whole line that starts after byte `offset` (the line `offset` falls in is
/// skipped), or `None` at the end of the file.
fn line_after(file: &mut File, offset: u64) -> std::io::Result<Option<String>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut reader = BufReader::new(file.take(256));
    let mut skipped = Vec::new();
    reader.read_until(b'\n', &mut skipped)?;
    let mut line = String::new();
    reader.read_line(&mut line)?;
    Ok((!line.is_empty()).then(|| line.trim_end().to_owned()))
}

#[async_trait]
impl BreachedPasswords for SortedHashFile {
    async fn range(&self, prefix: &str) -> Result<String> {
        let file = self.clone();
        let prefix = prefix.to_ascii_uppercase();
        tokio::task::spawn_blocking(move || file.range_blocking(&prefix))
            .await
            .map_err(Error::backend)?
            .map_err(Error::unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_split_after_five_hex_digits() {
        let (prefix, suffix) = split_digest("password");
        assert_eq!(prefix, "5BAA6");
        assert_eq!(suffix, "1E4C9B93F3F0682250B6CF8331B7EE68FD8");
    }

    #[test]
    fn padding_and_other_suffixes_do_not_count() {
        let range = "0018A45C4D1DEF81644B54AB7F969B88D65:3\r\n\
                     1E4C9B93F3F0682250B6CF8331B7EE68FD8:0\r\n";
        assert!(!seen(range, "1E4C9B93F3F0682250B6CF8331B7EE68FD8"));
        assert!(seen(
            "1e4c9b93f3f0682250b6cf8331b7ee68fd8:10434004\r\n",
            "1E4C9B93F3F0682250B6CF8331B7EE68FD8"
        ));
        assert!(!seen(
            "garbage\n:\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:x",
            "1E4C9B93F3F0682250B6CF8331B7EE68FD8"
        ));
    }

    #[tokio::test]
    async fn the_sorted_file_answers_every_range_by_binary_search() {
        let passwords: Vec<String> = (0..3000)
            .map(|i| format!("breached password {i}"))
            .collect();
        let refs: Vec<&str> = passwords.iter().map(String::as_str).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("breached.txt");
        let source = SortedHashFile::create(&path, refs.iter().copied()).unwrap();
        for password in refs.iter().step_by(97).chain(refs.last()) {
            let (prefix, suffix) = split_digest(password);
            let range = source.range(&prefix).await.unwrap();
            assert!(seen(&range, &suffix), "{password} not found in {range}");
            for line in range.lines() {
                assert_eq!(line.len(), 35 + 2, "{line}");
            }
        }
        let (prefix, suffix) = split_digest("a password nobody used");
        assert!(!seen(&source.range(&prefix).await.unwrap(), &suffix));
        assert!(SortedHashFile::open(path.with_extension("missing")).is_err());
    }
}
