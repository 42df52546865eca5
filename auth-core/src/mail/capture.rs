use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use super::Mailer;
use crate::error::{Error, Result};
use crate::model::{Email, MailKind};

/// Keeps every message in memory, for tests and examples. It can be told to fail,
/// temporarily or for good, to exercise the outbox.
#[derive(Debug, Clone, Default)]
pub struct CapturingMailer {
    inner: Arc<Mutex<Captured>>,
}

#[derive(Debug, Default)]
struct Captured {
    sent: Vec<Email>,
    attempted: Vec<Email>,
    failing: bool,
    rejecting: bool,
}

impl CapturingMailer {
    /// An empty mailer that accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Captured> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every message sent so far, oldest first.
    pub fn sent(&self) -> Vec<Email> {
        self.lock().sent.clone()
    }

    /// The newest message of `kind` sent to `to`.
    pub fn last_to(&self, to: &str, kind: MailKind) -> Option<Email> {
        self.lock()
            .sent
            .iter()
            .rev()
            .find(|m| m.to == to && m.kind == kind)
            .cloned()
    }

    /// Every message handed to the mailer so far, refused ones included, oldest first.
    pub fn attempted(&self) -> Vec<Email> {
        self.lock().attempted.clone()
    }

    /// Forgets every captured message.
    pub fn clear(&self) {
        let mut captured = self.lock();
        captured.sent.clear();
        captured.attempted.clear();
    }

    /// While `true`, every send fails with [`Error::Mail`] (a failure that may pass).
    pub fn set_failing(&self, failing: bool) {
        self.lock().failing = failing;
    }

    /// While `true`, every send fails with [`Error::MailRejected`] (refused for good),
    /// as an SMTP server answering 550 would.
    pub fn set_rejecting(&self, rejecting: bool) {
        self.lock().rejecting = rejecting;
    }

    /// The first URL in the plain-text body of `email` that contains `marker`
    /// (e.g. `"/verify/"`), as a test reads a link out of a mail.
    pub fn link_in(email: &Email, marker: &str) -> Option<String> {
        email
            .text
            .split_whitespace()
            .find(|w| w.contains(marker) && w.starts_with("http"))
            .map(str::to_owned)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the capturing mailer was told to fail")]
struct ToldToFail;

#[derive(Debug, thiserror::Error)]
#[error("the capturing mailer was told to refuse every message (as with a 550 reply)")]
struct ToldToReject;

#[async_trait]
impl Mailer for CapturingMailer {
    async fn send(&self, email: &Email) -> Result<()> {
        let mut captured = self.lock();
        captured.attempted.push(email.clone());
        if captured.rejecting {
            return Err(Error::mail_rejected(ToldToReject));
        }
        if captured.failing {
            return Err(Error::mail(ToldToFail));
        }
        captured.sent.push(email.clone());
        Ok(())
    }
}
