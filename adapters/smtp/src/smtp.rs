//! The SMTP mailer.

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use auth_core::{Email, Error, Mailer, Result};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::message::{DEFAULT_FROM, compose, parse_from};

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsMode {
    /// No TLS at all: everything, credentials and links with tokens included, crosses the
    /// network in clear. For a relay on the same host or a local development catcher
    /// only; credentials are refused in this mode unless the host is a loopback address.
    /// Default port 25.
    None,
    /// Connect in clear, then upgrade with `STARTTLS`, which is **required**: a server
    /// that does not offer it (or an attacker who strips it) makes delivery fail rather
    /// than fall back to clear text. Default port 587.
    StartTls,
    /// TLS from the first byte ("SMTPS", RFC 8314). Default port 465.
    Implicit,
}

impl TlsMode {
    /// The port used when none is given: 25, 587 or 465.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::StartTls => 587,
            Self::Implicit => 465,
        }
    }

    /// The name used in URLs and logs: `none`, `starttls` or `implicit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::StartTls => "starttls",
            Self::Implicit => "implicit",
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A password whose `Debug` output is redacted.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The default time limit for delivering one message.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Programmatic configuration of an [`SmtpMailer`]; also what [`SmtpMailer::from_url`]
/// fills in. Its `Debug` output never shows the password.
///
/// ```no_run
/// use std::time::Duration;
/// use auth_smtp::{SmtpMailer, TlsMode};
///
/// # fn main() -> auth_core::Result<()> {
/// let mailer = SmtpMailer::builder("smtp.example.com")
///     .tls(TlsMode::Implicit)
///     .credentials("mailer", "secret")
///     .from("Example <no-reply@example.com>")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// # let _ = mailer;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SmtpMailerBuilder {
    host: String,
    port: Option<u16>,
    tls: TlsMode,
    credentials: Option<(String, Secret)>,
    from: Option<String>,
    timeout: Duration,
    root_certificates: Vec<Vec<u8>>,
    hello_name: Option<String>,
}

impl fmt::Debug for SmtpMailerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailerBuilder")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.credentials.as_ref().map(|(u, _)| u))
            .field("password", &self.credentials.as_ref().map(|(_, p)| p))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .field("root_certificates", &self.root_certificates.len())
            .field("hello_name", &self.hello_name)
            .finish()
    }
}

impl SmtpMailerBuilder {
    /// A configuration for `host` with required STARTTLS on port 587, no credentials,
    /// From `no-reply@localhost` and a 10 second time limit.
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: None,
            tls: TlsMode::StartTls,
            credentials: None,
            from: None,
            timeout: DEFAULT_TIMEOUT,
            root_certificates: Vec::new(),
            hello_name: None,
        }
    }

    /// Parses an `smtp://` or `smtps://` URL; see [`SmtpMailer::from_url`] for the
    /// format. The result can be refined further before [`build`](Self::build).
    ///
    /// # Errors
    /// [`Error::Config`] when the URL is malformed or inconsistent. The message never
    /// contains the password.
    pub fn from_url(url: &str) -> Result<Self> {
        crate::smtp_url::parse(url)
    }

    /// The server's port; defaults to [`TlsMode::default_port`].
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// How the connection is secured.
    #[must_use]
    pub fn tls(mut self, tls: TlsMode) -> Self {
        self.tls = tls;
        self
    }

    /// Authenticates with `AUTH PLAIN` or `AUTH LOGIN` (whichever the server offers).
    #[must_use]
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((username.into(), Secret(password.into())));
        self
    }

    /// The From mailbox, e.g. `Example <no-reply@example.com>`; validated by
    /// [`build`](Self::build). Defaults to `no-reply@localhost`, which real servers are
    /// likely to reject or flag as spam.
    #[must_use]
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// The time limit for delivering one message, connection, TLS handshake,
    /// authentication and transfer together, so that a dead or stalled server fails
    /// quickly and the engine's outbox takes over. Defaults to 10 seconds.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts the certificates of this PEM data as roots, in addition to the bundled
    /// Mozilla roots (`webpki-roots`): for a server whose certificate comes from a
    /// private CA, or a test server's self-signed CA.
    #[must_use]
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Reads a PEM file of root certificates, as
    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem).
    ///
    /// # Errors
    /// [`Error::Config`] when the file cannot be read.
    pub fn add_root_certificate_file(self, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let pem = std::fs::read(path).map_err(|e| {
            Error::Config(format!(
                "cannot read the SMTP root certificate file {}: {e}",
                path.display()
            ))
        })?;
        Ok(self.add_root_certificate_pem(pem))
    }

    /// The name sent with `EHLO`; defaults to this machine's host name.
    #[must_use]
    pub fn hello_name(mut self, name: impl Into<String>) -> Self {
        self.hello_name = Some(name.into());
        self
    }

    /// Validates the configuration and builds the mailer. No connection is made: use
    /// [`SmtpMailer::test_connection`] to check the server at startup.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty host, a zero time limit, an invalid From address,
    /// an unparsable root certificate, root certificates without TLS, or credentials
    /// that would cross the network unencrypted (no TLS to a host that is not a
    /// loopback address).
    pub fn build(self) -> Result<SmtpMailer> {
        let host = self.host.trim().to_owned();
        if host.is_empty() {
            return Err(Error::Config("the SMTP host is empty".into()));
        }
        if self.timeout.is_zero() {
            return Err(Error::Config("the SMTP timeout must be positive".into()));
        }
        let loopback = is_loopback(&host);
        let from = match &self.from {
            Some(from) => parse_from(from)?,
            None => {
                if !loopback {
                    tracing::warn!(
                        host = %host,
                        "no From address configured for SMTP; using {DEFAULT_FROM}, which real \
                         servers are likely to reject"
                    );
                }
                parse_from(DEFAULT_FROM)?
            }
        };
        if self.tls == TlsMode::None {
            if self.credentials.is_some() && !loopback {
                return Err(Error::Config(format!(
                    "SMTP credentials for {host} would be sent unencrypted: use STARTTLS \
                     (tls=starttls) or implicit TLS (smtps://)"
                )));
            }
            if !self.root_certificates.is_empty() {
                return Err(Error::Config(
                    "SMTP root certificates were given but TLS is off".into(),
                ));
            }
            if !loopback {
                tracing::warn!(
                    host = %host,
                    "SMTP without TLS to a non-loopback host: messages, and the links with \
                     tokens they carry, cross the network in clear"
                );
            }
        }

        let port = self.port.unwrap_or(self.tls.default_port());
        let tls = match self.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => Tls::Required(tls_parameters(&host, &self.root_certificates)?),
            TlsMode::Implicit => Tls::Wrapper(tls_parameters(&host, &self.root_certificates)?),
        };
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(port)
            .tls(tls)
            .timeout(Some(self.timeout));
        if let Some((username, password)) = &self.credentials {
            transport = transport
                .credentials(Credentials::new(username.clone(), password.0.clone()))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        }
        if let Some(name) = &self.hello_name {
            transport = transport.hello_name(client_id(name));
        }
        Ok(SmtpMailer {
            transport: transport.build(),
            from,
            host,
            port,
            tls: self.tls,
            username: self.credentials.map(|(u, _)| u),
            timeout: self.timeout,
        })
    }
}

fn tls_parameters(host: &str, roots: &[Vec<u8>]) -> Result<TlsParameters> {
    // rustls is compiled with the ring provider only (lettre's `ring` feature); lettre
    // takes the process default provider when one is installed, ring otherwise.
    let mut builder = TlsParameters::builder(host.to_owned());
    for pem in roots {
        if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(Error::Config(
                "SMTP root certificate: no PEM certificate found".into(),
            ));
        }
        let cert = Certificate::from_pem(pem)
            .map_err(|e| Error::Config(format!("SMTP root certificate: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| Error::Config(format!("SMTP TLS configuration: {e}")))
}

fn client_id(name: &str) -> ClientId {
    match name.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ClientId::Ipv4(ip),
        Ok(IpAddr::V6(ip)) => ClientId::Ipv6(ip),
        Err(_) => ClientId::Domain(name.to_owned()),
    }
}

/// Whether `host` names this machine (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A [`Mailer`] that delivers over SMTP with lettre (tokio, rustls with ring).
///
/// Every [`send`](Mailer::send) opens a connection (authentication messages are rare;
/// no idle connection is kept to time out at the server), secures it as configured,
/// authenticates when credentials are set, and transfers the message, all within the
/// configured time limit. A failure keeps the transport's error as its source (a
/// [`lettre`] SMTP or address error, or an [`std::io::Error`] of kind `TimedOut`) and
/// says whether trying again can help:
///
/// - [`Error::MailRejected`] (the engine marks the message failed): a recipient address
///   lettre refuses, and SMTP 5xx replies, except the authentication ones (530, 534, 535,
///   538), which are about this mailer's configuration rather than the message;
/// - [`Error::Mail`] (the engine's outbox retries): everything else: no connection,
///   TLS and DNS failures, the time limit, 4xx replies, authentication refusals.
///
/// Messages are `multipart/alternative` (text and HTML) when the [`Email`] has an HTML
/// body, `text/plain` otherwise, with Date, Message-ID and an
/// [`X-Mail-Kind`](crate::MAIL_KIND_HEADER) header. Its `Debug` output never shows the
/// password.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
    tls: TlsMode,
    username: Option<String>,
    timeout: Duration,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A builder for `host`; see [`SmtpMailerBuilder`].
    pub fn builder(host: impl Into<String>) -> SmtpMailerBuilder {
        SmtpMailerBuilder::new(host)
    }

    /// Configures a mailer from a URL, the form the demos' `--smtp-url` / `SMTP_URL`
    /// take:
    ///
    /// ```text
    /// smtp://[USER[:PASSWORD]@]HOST[:PORT][?tls=none|starttls][&from=..][&timeout=..][&ca_file=..][&ehlo=..]
    /// smtps://[USER[:PASSWORD]@]HOST[:PORT][?from=..][&timeout=..][&ca_file=..][&ehlo=..]
    /// ```
    ///
    /// - `smtp://` is plain SMTP (port 25) unless `tls=starttls` (alias `required`) asks
    ///   for required STARTTLS (port 587); `smtps://` is implicit TLS (port 465).
    ///   `tls=opportunistic` is refused: it falls back to clear text under attack.
    /// - USER and PASSWORD are percent-decoded (`p%40ss` is `p@ss`).
    /// - `from`: the From mailbox, percent-encoded (`Demo%20%3Cno-reply%40example.com%3E`).
    /// - `timeout`: the time limit per message, in seconds (`10`, `10s`) or
    ///   milliseconds (`500ms`).
    /// - `ca_file`: a PEM file of extra root certificates to trust.
    /// - `ehlo`: the name to send with `EHLO`.
    ///
    /// Unknown parameters, repeated parameters, paths and fragments are errors, so a
    /// typo cannot silently weaken the configuration.
    ///
    /// ```
    /// # fn main() -> auth_core::Result<()> {
    /// let mailer = auth_smtp::SmtpMailer::from_url(
    ///     "smtp://user:p%40ss@mail.example.com:587?tls=starttls&from=Demo%20%3Cno-reply%40example.com%3E",
    /// )?;
    /// assert!(!format!("{mailer:?}").contains("p@ss"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] when the URL is malformed or inconsistent (see
    /// [`SmtpMailerBuilder::build`]); the message never contains the password.
    pub fn from_url(url: &str) -> Result<Self> {
        SmtpMailerBuilder::from_url(url)?.build()
    }

    /// The From mailbox messages are sent with.
    pub fn from_mailbox(&self) -> &Mailbox {
        &self.from
    }

    /// How the connection is secured.
    pub fn tls_mode(&self) -> TlsMode {
        self.tls
    }

    /// The server's host and port.
    pub fn server(&self) -> (&str, u16) {
        (&self.host, self.port)
    }

    /// Connects, secures and authenticates as configured, and checks the server
    /// answers `NOOP`: a startup check for operators.
    ///
    /// # Errors
    /// [`Error::Mail`] when any step fails or the time limit passes.
    pub async fn test_connection(&self) -> Result<()> {
        match tokio::time::timeout(self.timeout, self.transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(Error::mail(io::Error::other(
                "the SMTP server did not answer NOOP",
            ))),
            Ok(Err(e)) => Err(Error::mail(e)),
            Err(_) => Err(Error::mail(self.timed_out())),
        }
    }

    fn timed_out(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "the SMTP server {}:{} did not complete within {:?}",
                self.host, self.port, self.timeout
            ),
        )
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &Email) -> Result<()> {
        let message = compose(&self.from, email)?;
        // lettre ends DATA with CRLF "." CRLF whether or not the message already ends
        // with a line break; drop one so the server receives exactly `formatted()` (a
        // text body ending in a newline would otherwise gain an empty line).
        let mut raw = message.formatted();
        if raw.ends_with(b"\r\n") {
            raw.truncate(raw.len() - 2);
        }
        let delivery = self.transport.send_raw(message.envelope(), &raw);
        match tokio::time::timeout(self.timeout, delivery).await {
            Ok(Ok(_)) => {
                tracing::debug!(to = %email.to, kind = email.kind.as_str(), "mail sent over SMTP");
                Ok(())
            }
            Ok(Err(e)) if is_permanent(&e) => Err(Error::mail_rejected(e)),
            Ok(Err(e)) => Err(Error::mail(e)),
            Err(_) => Err(Error::mail(self.timed_out())),
        }
    }
}

/// SMTP replies that refuse this mailer's authentication: wrong or missing credentials
/// (530, 535), a mechanism the server wants stronger (534), or encryption required for
/// it (538). Permanent for the session, but every message would meet them until the
/// configuration is fixed, so they are retried like outages.
const AUTHENTICATION_REPLIES: [u16; 4] = [530, 534, 535, 538];

/// Whether an SMTP failure is permanent for this message: a 5xx reply other than an
/// authentication refusal.
pub(crate) fn is_permanent(error: &lettre::transport::smtp::Error) -> bool {
    error.is_permanent()
        && error
            .status()
            .is_some_and(|code| !AUTHENTICATION_REPLIES.contains(&u16::from(code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("localhost"));
        assert!(is_loopback("LOCALHOST."));
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("127.8.9.10"));
        assert!(is_loopback("::1"));
        assert!(is_loopback("[::1]"));
        assert!(!is_loopback("smtp.example.com"));
        assert!(!is_loopback("10.0.0.1"));
        assert!(!is_loopback("localhost.example.com"));
    }

    #[test]
    fn hello_names() {
        assert_eq!(
            client_id("mail.example.com"),
            ClientId::Domain("mail.example.com".into())
        );
        assert_eq!(
            client_id("127.0.0.1"),
            ClientId::Ipv4([127, 0, 0, 1].into())
        );
        assert!(matches!(client_id("::1"), ClientId::Ipv6(_)));
    }
}
