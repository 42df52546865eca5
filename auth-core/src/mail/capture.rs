use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use super::Mailer;
use crate::error::{Error, Result};
use crate::model::{Email, MailKind};

/// Keeps every message in memory, for tests and examples. It can be told to fail, to
/// exercise the outbox.
#[derive(Debug, Clone, Default)]
pub struct CapturingMailer {
    inner: Arc<Mutex<Captured>>,
}

#[derive(Debug, Default)]
struct Captured {
    sent: Vec<Email>,
    failing: bool,
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

    /// Forgets every captured message.
    pub fn clear(&self) {
        self.lock().sent.clear();
    }

    /// While `true`, every send fails with [`Error::Mail`].
    pub fn set_failing(&self, failing: bool) {
        self.lock().failing = failing;
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

#[async_trait]
impl Mailer for CapturingMailer {
    async fn send(&self, email: &Email) -> Result<()> {
        let mut captured = self.lock();
        if captured.failing {
            return Err(Error::mail(ToldToFail));
        }
        captured.sent.push(email.clone());
        Ok(())
    }
}
