//! Parsing of `smtp://` and `smtps://` configuration URLs.
//!
//! Error messages never repeat the URL, which may carry a password.

use std::collections::HashSet;
use std::time::Duration;

use auth_core::{Error, Result};
use percent_encoding::percent_decode_str;
use url::{Host, Url};

use crate::smtp::{SmtpMailerBuilder, TlsMode};

const PARAMETERS: &str = "tls, from, timeout, ca_file, ehlo";

fn config(message: impl Into<String>) -> Error {
    Error::Config(format!("SMTP URL: {}", message.into()))
}

pub(crate) fn parse(input: &str) -> Result<SmtpMailerBuilder> {
    let url = Url::parse(input.trim()).map_err(|e| config(format!("not a valid URL ({e})")))?;

    let implicit = match url.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(config(format!(
                "unsupported scheme {other:?}: use smtp:// (plain or STARTTLS) or smtps:// \
                 (implicit TLS)"
            )));
        }
    };

    let host = match url.host() {
        Some(Host::Domain(d)) if !d.is_empty() => percent_decode_str(d)
            .decode_utf8()
            .map_err(|_| config("the host is not valid UTF-8"))?
            .into_owned(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(config("no host")),
    };
    if !matches!(url.path(), "" | "/") {
        return Err(config(
            "unexpected path after the host (use ?ehlo=NAME for the EHLO name)",
        ));
    }
    if url.fragment().is_some() {
        return Err(config("unexpected #fragment"));
    }

    let mut tls = if implicit {
        TlsMode::Implicit
    } else {
        TlsMode::None
    };
    let mut builder = SmtpMailerBuilder::new(host);
    let mut seen = HashSet::new();
    for (key, value) in url.query_pairs() {
        if !seen.insert(key.clone().into_owned()) {
            return Err(config(format!("parameter {key:?} given twice")));
        }
        match &*key {
            "tls" => tls = parse_tls(&value, implicit)?,
            "from" => builder = builder.from(value.into_owned()),
            "timeout" => builder = builder.timeout(parse_timeout(&value)?),
            "ca_file" => builder = builder.add_root_certificate_file(&*value)?,
            "ehlo" => {
                if value.is_empty() {
                    return Err(config("ehlo is empty"));
                }
                builder = builder.hello_name(value.into_owned());
            }
            other => {
                return Err(config(format!(
                    "unknown parameter {other:?} (known: {PARAMETERS})"
                )));
            }
        }
    }
    builder = builder.tls(tls);
    if let Some(port) = url.port() {
        builder = builder.port(port);
    }

    let username = decode(url.username(), "user name")?;
    let password = url.password().map(|p| decode(p, "password")).transpose()?;
    match (username.is_empty(), password) {
        (true, None) => {}
        (false, Some(password)) => builder = builder.credentials(username, password),
        (false, None) => return Err(config("a user name without a password")),
        (true, Some(_)) => return Err(config("a password without a user name")),
    }
    Ok(builder)
}

fn decode(raw: &str, what: &str) -> Result<String> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            config(format!(
                "the {what} is not valid UTF-8 once percent-decoded"
            ))
        })
}

fn parse_tls(value: &str, implicit: bool) -> Result<TlsMode> {
    let mode = match value.to_ascii_lowercase().as_str() {
        "none" => TlsMode::None,
        "starttls" | "required" => TlsMode::StartTls,
        "implicit" => TlsMode::Implicit,
        "opportunistic" => {
            return Err(config(
                "tls=opportunistic is not supported: it silently falls back to clear text \
                 when STARTTLS is stripped; use tls=starttls (required) or smtps://",
            ));
        }
        other => {
            return Err(config(format!(
                "unknown tls mode {other:?} (known: none, starttls, implicit)"
            )));
        }
    };
    if implicit && mode != TlsMode::Implicit {
        return Err(config(format!(
            "smtps:// always uses implicit TLS; use smtp://...?tls={mode} instead"
        )));
    }
    Ok(mode)
}

fn parse_timeout(value: &str) -> Result<Duration> {
    let invalid = || {
        config(format!(
            "invalid timeout {value:?} (seconds such as 10 or 10s, or milliseconds such as \
             500ms)"
        ))
    };
    let duration = if let Some(ms) = value.strip_suffix("ms") {
        Duration::from_millis(ms.parse().map_err(|_| invalid())?)
    } else {
        let secs = value.strip_suffix('s').unwrap_or(value);
        Duration::from_secs(secs.parse().map_err(|_| invalid())?)
    };
    if duration.is_zero() || duration > Duration::from_secs(600) {
        return Err(config(format!(
            "timeout {value:?} out of range (more than 0, at most 600 seconds)"
        )));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("10").ok(), Some(Duration::from_secs(10)));
        assert_eq!(parse_timeout("3s").ok(), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_timeout("250ms").ok(),
            Some(Duration::from_millis(250))
        );
        for bad in ["", "0", "0ms", "ten", "-1", "601", "1.5", "5m"] {
            assert!(
                matches!(parse_timeout(bad), Err(Error::Config(_))),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn tls_modes() {
        assert_eq!(parse_tls("starttls", false).ok(), Some(TlsMode::StartTls));
        assert_eq!(parse_tls("REQUIRED", false).ok(), Some(TlsMode::StartTls));
        assert_eq!(parse_tls("none", false).ok(), Some(TlsMode::None));
        assert_eq!(parse_tls("implicit", true).ok(), Some(TlsMode::Implicit));
        assert!(parse_tls("opportunistic", false).is_err());
        assert!(parse_tls("starttls", true).is_err());
        assert!(parse_tls("none", true).is_err());
        assert!(parse_tls("startls", false).is_err());
    }
}
