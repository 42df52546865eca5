//! Sending mail: the [`Mailer`] trait, message composition from templates, and a
//! capturing mailer for tests.

mod capture;
mod compose;

use async_trait::async_trait;

pub use capture::CapturingMailer;
pub(crate) use compose::{Composer, human_duration};
pub use compose::{DEFAULT_TEMPLATES, MailContext};

use crate::error::Result;
use crate::model::Email;

/// Delivers composed messages.
///
/// An error means the message was not accepted by the transport; the engine then queues
/// it in the [`MailOutbox`](crate::MailOutbox) and retries with backoff, so the flow that
/// produced it still succeeds. Implementations map transport failures to
/// [`Error::Mail`](crate::Error::Mail) and must not log message bodies (they carry tokens).
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends one message.
    async fn send(&self, email: &Email) -> Result<()>;
}
