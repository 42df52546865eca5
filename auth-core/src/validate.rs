//! Normalisation and validation of identifiers: email addresses, usernames, role names.
//!
//! Stores receive only normalised values, which is what makes their uniqueness checks
//! meaningful: `Alice@Example.COM` and `alice@example.com` are one account.

use email_address::{EmailAddress, Options};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result, ValidationErrors};

/// Longest accepted email address (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Shortest accepted username.
pub const MIN_USERNAME_LEN: usize = 3;
/// Longest accepted username.
pub const MAX_USERNAME_LEN: usize = 32;
/// Longest accepted role name.
pub const MAX_ROLE_LEN: usize = 64;

/// Normalises an email address: trims, applies Unicode NFKC, lower-cases, and checks the
/// syntax (a plain `local@domain.tld` address: no display name, no IP literal).
///
/// # Errors
/// [`Error::Validation`] on field `field` with code `required`, `too_long` or `invalid`.
pub fn normalize_email(field: &'static str, input: &str) -> Result<String> {
    let normalized: String = input.trim().nfkc().collect::<String>().to_lowercase();
    let mut errors = ValidationErrors::new();
    if normalized.is_empty() {
        errors.push(field, "required", "Enter an email address.");
    } else if normalized.chars().count() > MAX_EMAIL_LEN {
        errors.push(
            field,
            "too_long",
            format!("An email address has at most {MAX_EMAIL_LEN} characters."),
        );
    } else {
        let options = Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        if EmailAddress::parse_with_options(&normalized, options).is_err() {
            errors.push(
                field,
                "invalid",
                "Enter a valid email address, like name@example.com.",
            );
        }
    }
    errors.into_result().map(|()| normalized)
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
            format!("A username has at least {MIN_USERNAME_LEN} characters."),
        ));
    }
    if len > MAX_USERNAME_LEN {
        return Err(tagged(
            field,
            "too_long",
            format!("A username has at most {MAX_USERNAME_LEN} characters."),
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
            "Use letters, digits, '_', '.' or '-', starting with a letter or digit.",
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
                format!(
                    "Role {role:?} is not valid: use 1 to {MAX_ROLE_LEN} of a-z, 0-9, '_', '-', ':'."
                ),
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

fn tagged(field: &'static str, code: &'static str, message: impl Into<String>) -> Error {
    let mut errors = ValidationErrors::new();
    errors.push(field, code, message);
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
