//! Sending mail: the [`Mailer`] trait, message composition from templates, and a
//! capturing mailer for tests.

mod capture;
mod compose;
mod policy;
mod seal;

use async_trait::async_trait;

pub use capture::CapturingMailer;
pub(crate) use compose::{Composer, duration_in, human_duration};
pub use compose::{DEFAULT_TEMPLATES, MailContext};
pub use policy::OutboxPolicy;
pub(crate) use seal::{SealError, Sealer};

use crate::error::Result;
use crate::model::Email;

/// Delivers composed messages.
///
/// An error means the message was not accepted by the transport. Implementations say
/// which kind of failure it was:
///
/// - [`Error::Mail`](crate::Error::Mail): it may pass (the server cannot be reached,
///   timed out, or answered with a temporary 4xx reply). The engine queues the message
///   in the [`MailOutbox`](crate::MailOutbox) and retries with backoff, so the flow that
///   produced it still succeeds, up to the limits of the
///   [`OutboxPolicy`].
/// - [`Error::MailRejected`](crate::Error::MailRejected): it will not pass (a 5xx reply,
///   an address the transport cannot use). The engine marks the message failed at once,
///   for an administrator to see, instead of retrying it.
///
/// Implementations must not log message bodies (they carry tokens).
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends one message.
    async fn send(&self, email: &Email) -> Result<()>;
}
