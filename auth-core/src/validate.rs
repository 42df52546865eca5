//! Normalisation and validation of identifiers: email addresses, usernames, role names.
//!
//! Stores receive only normalised values, which is what makes their uniqueness checks
//! meaningful: `Alice@Example.COM` and `alice@example.com` are one account.

use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Message, Result, ValidationErrors};

/// Longest accepted email address (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest local part of an email address (before the `@`), in bytes (RFC 5321).
pub const MAX_LOCAL_PART_BYTES: usize = 64;
/// Longest label of an email domain, in bytes (RFC 1035).
const MAX_LABEL_BYTES: usize = 63;
/// Longest email domain, in bytes (RFC 1035).
const MAX_DOMAIN_BYTES: usize = 253;
/// Shortest accepted username.
pub const MIN_USERNAME_LEN: usize = 3;
/// Longest accepted username.
pub const MAX_USERNAME_LEN: usize = 32;
/// Longest accepted role name.
pub const MAX_ROLE_LEN: usize = 64;

/// Normalises an email address: trims, applies Unicode NFKC, lower-cases, and checks that
/// it is an address mail can be sent to.
///
/// Only the plain `local@domain` form that mail transports take as it is passes, which is
/// a subset of what RFC 5322 allows:
///
/// - the local part is a dot-atom: dot-separated runs (none empty, so no leading,
///   trailing or double dot) of letters and digits (any script), and
///   ``! # $ % & ' * + - / = ? ^ _ ` { | } ~``; at most 64 bytes. **No quoted local
///   parts** (`"x y"@example.com`): SMTP libraries refuse or rewrite them, so mail to
///   them would never arrive;
/// - the domain is a name of at least two labels, each 1 to 63 bytes of letters, digits
///   and inner hyphens, at most 253 bytes, whose last label is not all digits: no IP
///   addresses, no `[literal]`, no display name, no comments, no whitespace.
///
/// The SMTP mailer (`auth-smtp`, on lettre) accepts every address that passes, as the
/// same address; its tests check that over a corpus of tricky addresses and with a
/// property test.
///
/// # Errors
/// [`Error::Validation`] on field `field` with code `required`, `too_long` or `invalid`
/// and a reason a person can act on.
pub fn normalize_email(field: &'static str, input: &str) -> Result<String> {
    let normalized: String = input.trim().nfkc().collect::<String>().to_lowercase();
    let mut errors = ValidationErrors::new();
    if normalized.is_empty() {
        errors.push(field, "required", Message::new("field-email-required"));
    } else if normalized.chars().count() > MAX_EMAIL_LEN {
        errors.push(
            field,
            "too_long",
            Message::new("field-email-too_long").arg("n", MAX_EMAIL_LEN),
        );
    } else if let Err((code, reason)) = check_address(&normalized) {
        errors.push(field, code, reason);
    }
    errors.into_result().map(|()| normalized)
}

/// Why an address is refused: a code and the id of a reason for people.
type Refusal = (&'static str, Message);

fn invalid() -> Refusal {
    ("invalid", Message::new("field-email-invalid"))
}

/// Checks a normalised address against the rules of [`normalize_email`].
fn check_address(address: &str) -> std::result::Result<(), Refusal> {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(invalid());
    };
    if local.starts_with('"') || local.contains('@') {
        return Err(("invalid", Message::new("field-email-quoted")));
    }
    if domain.starts_with('[') {
        return Err(("invalid", Message::new("field-email-ip_literal")));
    }
    if local.len() > MAX_LOCAL_PART_BYTES {
        return Err((
            "too_long",
            Message::new("field-email-local_part_too_long").arg("n", MAX_LOCAL_PART_BYTES),
        ));
    }
    if !is_dot_atom(local) || !is_domain_name(domain) {
        return Err(invalid());
    }
    Ok(())
}

/// RFC 5322 `atext`, with letters and digits of any script (RFC 6532).
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~".contains(c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// Dot-separated non-empty runs of [`is_atext`].
fn is_dot_atom(s: &str) -> bool {
    s.split('.')
        .all(|run| !run.is_empty() && run.chars().all(is_atext))
}

/// A domain name: at least two labels of letters, digits and inner hyphens, within the
/// length limits, the last not all digits (so no IPv4 address).
fn is_domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= MAX_LABEL_BYTES
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    domain.len() <= MAX_DOMAIN_BYTES
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

/// Normalises an optional username: blank means none; otherwise NFKC, lower-cased,
/// 3 to 32 characters from `a-z 0-9 _ . -`, starting with a letter or digit. An `@` is
/// never allowed, so a login identifier is unambiguously an email or a username.
///
/// # Errors
/// [`Error::Validation`] on field `username` with code `too_short`, `too_long` or `invalid`.
pub fn normalize_username(input: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = input.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let normalized: String = raw.nfkc().collect::<String>().to_lowercase();
    let len = normalized.chars().count();
    let field = "username";
    if len < MIN_USERNAME_LEN {
        return Err(tagged(
            field,
            "too_short",
            Message::new("field-username-too_short").arg("n", MIN_USERNAME_LEN),
        ));
    }
    if len > MAX_USERNAME_LEN {
        return Err(tagged(
            field,
            "too_long",
            Message::new("field-username-too_long").arg("n", MAX_USERNAME_LEN),
        ));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c);
    let starts_well = normalized
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if !starts_well || !normalized.chars().all(allowed) {
        return Err(tagged(
            field,
            "invalid",
            Message::new("field-username-invalid"),
        ));
    }
    Ok(Some(normalized))
}

/// Validates and normalises a list of role names (`a-z 0-9 _ - :`, 1 to 64 characters),
/// returning them sorted without duplicates.
///
/// # Errors
/// [`Error::Validation`] on field `roles` naming the offending role.
pub fn normalize_roles<I, S>(roles: I) -> Result<Vec<String>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = Vec::new();
    for role in roles {
        let role = role.as_ref().trim().to_lowercase();
        let ok = !role.is_empty()
            && role.len() <= MAX_ROLE_LEN
            && role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-:".contains(c));
        if !ok {
            return Err(tagged(
                "roles",
                "invalid",
                Message::new("field-roles-invalid")
                    .arg("role", format!("{role:?}"))
                    .arg("n", MAX_ROLE_LEN),
            ));
        }
        out.push(role);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A login identifier after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginIdentifier {
    /// Contains `@`: an email address.
    Email(String),
    /// Otherwise: a username.
    Username(String),
}

impl LoginIdentifier {
    /// Normalises what a person typed in the login field. `None` when it cannot be a
    /// valid email or username (the caller treats it as an unknown account, without
    /// saying so).
    pub fn parse(input: &str) -> Option<Self> {
        if input.contains('@') {
            normalize_email("login", input).ok().map(Self::Email)
        } else {
            normalize_username(Some(input))
                .ok()
                .flatten()
                .map(Self::Username)
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(s) | Self::Username(s) => s,
        }
    }
}

fn tagged(field: &'static str, code: &'static str, reason: Message) -> Error {
    let mut errors = ValidationErrors::new();
    errors.push(field, code, reason);
    Error::Validation(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(err: Error) -> &'static str {
        match err {
            Error::Validation(v) => v.errors()[0].code,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            normalize_email("email", "  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        // Fullwidth letters fold to ASCII under NFKC.
        assert_eq!(
            normalize_email("email", "ｂｏｂ@example.com").unwrap(),
            "bob@example.com"
        );
    }

    #[test]
    fn unusual_but_deliverable_addresses_pass() {
        for ok in [
            "a@b.co",
            "first.last@example.com",
            "o'brien+tag@mail.example.co.uk",
            "x!#$%&*/=?^_`{|}~-@example.com",
            "jörg@bücher.example",
            "用户@例子.广告",
            "a@xn--bcher-kva.example",
            "1@1.example",
            "a@1.2.3.example",
        ] {
            assert_eq!(
                normalize_email("email", ok).unwrap(),
                ok.to_lowercase(),
                "{ok}"
            );
        }
        let longest_local = format!("{}@example.com", "a".repeat(64));
        assert!(normalize_email("email", &longest_local).is_ok());
    }

    #[test]
    fn addresses_mail_cannot_reach_are_refused_with_a_reason() {
        let reason = |input: &str| match normalize_email("new_email", input) {
            Err(Error::Validation(v)) => {
                let e = &v.errors()[0];
                assert_eq!(e.field, "new_email");
                (e.code, e.message.clone())
            }
            other => panic!("{input:?} was not refused: {other:?}"),
        };
        let (code, message) = reason("\"x y\"@example.com");
        assert_eq!(code, "invalid");
        assert!(message.contains("quotation marks"), "{message}");
        assert!(reason("\"abc\"@example.com").1.contains("quotation marks"));
        assert!(reason("a\"b@example.com").0 == "invalid");
        assert!(reason("bob@[127.0.0.1]").1.contains("IP address"));
        assert!(reason("bob@[ipv6:::1]").1.contains("IP address"));
        let (code, message) = reason(&format!("{}@example.com", "a".repeat(65)));
        assert_eq!(code, "too_long");
        assert!(message.contains("64"), "{message}");
        for bad in [
            "a@b@example.com",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a b@example.com",
            "a(comment)@example.com",
            "a\\b@example.com",
            "a,b@example.com",
            "a;b@example.com",
            "a<b@example.com",
            "a@example",
            "a@-example.com",
            "a@example-.com",
            "a@exa_mple.com",
            "a@example..com",
            "a@.example.com",
            "a@example.com.",
            "a@1.2.3.4",
            "a@example.123",
            "@example.com",
            "a@",
            "a\u{0}b@example.com",
            "\u{301}x@example.com",
        ] {
            assert_eq!(reason(bad).0, "invalid", "{bad:?}");
        }
        let long_label = format!("a@{}.com", "b".repeat(64));
        assert_eq!(reason(&long_label).0, "invalid");
    }

    #[test]
    fn bad_emails_are_refused_with_a_code() {
        assert_eq!(code(normalize_email("email", "").unwrap_err()), "required");
        assert_eq!(
            code(normalize_email("email", "nope").unwrap_err()),
            "invalid"
        );
        assert_eq!(
            code(normalize_email("email", "Bob <bob@example.com>").unwrap_err()),
            "invalid"
        );
        assert_eq!(
            code(normalize_email("email", "bob@[127.0.0.1]").unwrap_err()),
            "invalid"
        );
        assert_eq!(
            code(normalize_email("email", "bob@localhost").unwrap_err()),
            "invalid"
        );
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            code(normalize_email("email", &long).unwrap_err()),
            "too_long"
        );
    }

    #[test]
    fn usernames() {
        assert_eq!(normalize_username(None).unwrap(), None);
        assert_eq!(normalize_username(Some("  ")).unwrap(), None);
        assert_eq!(
            normalize_username(Some("Alice_1")).unwrap().as_deref(),
            Some("alice_1")
        );
        assert_eq!(
            code(normalize_username(Some("ab")).unwrap_err()),
            "too_short"
        );
        assert_eq!(
            code(normalize_username(Some(&"a".repeat(33))).unwrap_err()),
            "too_long"
        );
        assert_eq!(
            code(normalize_username(Some("a@b")).unwrap_err()),
            "invalid"
        );
        assert_eq!(
            code(normalize_username(Some("_abc")).unwrap_err()),
            "invalid"
        );
        assert_eq!(
            code(normalize_username(Some("ab c")).unwrap_err()),
            "invalid"
        );
    }

    #[test]
    fn roles_sorted_and_checked() {
        assert_eq!(
            normalize_roles(["Editor", "admin", "admin"]).unwrap(),
            vec!["admin", "editor"]
        );
        assert!(normalize_roles(["bad role"]).is_err());
        assert!(normalize_roles([""]).is_err());
    }

    #[test]
    fn login_identifiers() {
        assert_eq!(
            LoginIdentifier::parse("A@Example.com"),
            Some(LoginIdentifier::Email("a@example.com".into()))
        );
        assert_eq!(
            LoginIdentifier::parse("Alice"),
            Some(LoginIdentifier::Username("alice".into()))
        );
        assert_eq!(LoginIdentifier::parse("a b"), None);
    }
}
