//! Composition of an [`auth_core::Email`] into an RFC 5322 message with lettre.

use auth_core::{Email, Error, Result};
use lettre::Message;
use lettre::message::header::{ContentType, MIME_VERSION_1_0};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::MAIL_KIND_HEADER;

/// The From address used when none is configured.
pub(crate) const DEFAULT_FROM: &str = "no-reply@localhost";

/// Parses and validates a From address such as `Demo <no-reply@example.com>`.
pub(crate) fn parse_from(from: &str) -> Result<Mailbox> {
    from.trim()
        .parse::<Mailbox>()
        .map_err(|e| Error::Config(format!("invalid From address {from:?}: {e}")))
}

/// Builds the message: `multipart/alternative` (text, then HTML) when there is an HTML
/// body, otherwise a single `text/plain` part; Date, a Message-ID at the sender's domain,
/// the kind header; non-ASCII subjects are RFC 2047 encoded by lettre.
///
/// # Errors
/// [`Error::MailRejected`] when the recipient is not an address lettre accepts or lettre
/// refuses the message: the same message would be refused again, so it is permanent.
/// (`auth_core::validate::normalize_email` accepts only addresses lettre takes.)
pub(crate) fn compose(from: &Mailbox, email: &Email) -> Result<Message> {
    let to: Mailbox = email.to.trim().parse().map_err(Error::mail_rejected)?;
    let message_id = format!(
        "<{}@{}>",
        uuid::Uuid::new_v4().simple(),
        from.email.domain()
    );
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.as_str())
        .date_now()
        .message_id(Some(message_id))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(MAIL_KIND_HEADER),
            email.kind.as_str().to_owned(),
        ));
    let message = match &email.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            html.clone(),
        )),
        None => builder
            .header(MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN)
            .body(email.text.clone()),
    };
    message.map_err(Error::mail_rejected)
}
