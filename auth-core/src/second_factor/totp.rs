//! TOTP (RFC 6238) with the `totp-rs` crate: 160-bit secrets, SHA-1, six digits, 30-second
//! steps, one step of skew either way (what every authenticator app supports).

use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::error::{Error, Message, Result};

/// Digits of a code.
pub const TOTP_DIGITS: usize = 6;
/// Seconds per time step.
pub const TOTP_STEP_SECONDS: u64 = 30;
/// Bytes of a secret: 160 bits, as RFC 4226 recommends.
const SECRET_LEN: usize = 20;

/// A TOTP secret in memory. Never printed: its `Debug` is redacted, and it is wiped on
/// drop.
pub(crate) struct TotpSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    /// A fresh random secret.
    pub(crate) fn generate() -> Self {
        Self(Zeroizing::new(
            crate::random::bytes::<SECRET_LEN>().to_vec(),
        ))
    }

    /// A secret read back from storage.
    ///
    /// # Errors
    /// [`Error::Backend`] when it is not 160 bits long.
    pub(crate) fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        let bytes = Zeroizing::new(bytes);
        if bytes.len() == SECRET_LEN {
            Ok(Self(bytes))
        } else {
            Err(Error::backend("a stored TOTP secret has the wrong length"))
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The `totp-rs` generator; `label` is `(issuer, account)` for an `otpauth://` URL.
    fn totp(&self, label: Option<(&str, &str)>) -> Result<totp_rs::Totp> {
        let mut builder = totp_rs::Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(TOTP_DIGITS as u8)
            .with_skew(1)
            .with_step_duration(TOTP_STEP_SECONDS)
            .with_secret(self.0.to_vec());
        if let Some((issuer, account)) = label {
            // `:` separates issuer and account in the URL's label: never inside either.
            builder = builder
                .with_issuer(Some(issuer.replace(':', " ")))
                .with_account_name(account.replace(':', " "));
        }
        builder.build().map_err(Error::backend)
    }

    /// The time step a code is valid for at `now` (the current step or one either side),
    /// if it is valid. `code` is six ASCII digits (see [`parse_totp_code`]).
    pub(crate) fn check(&self, code: &str, now: OffsetDateTime) -> Result<Option<u64>> {
        let seconds = u64::try_from(now.unix_timestamp()).unwrap_or(0);
        Ok(self.totp(None)?.check(code, seconds))
    }

    /// The code for `now`.
    #[cfg(test)]
    pub(crate) fn code_at(&self, now: OffsetDateTime) -> Result<String> {
        let seconds = u64::try_from(now.unix_timestamp()).unwrap_or(0);
        Ok(self.totp(None)?.generate(seconds).to_string())
    }

    /// What an authenticator app is given: the secret in base32 and the `otpauth://` URL.
    pub(crate) fn enrolment(&self, issuer: &str, account: &str) -> Result<TotpEnrolment> {
        let totp = self.totp(Some((issuer, account)))?;
        Ok(TotpEnrolment {
            secret_base32: totp.secret().to_base32(),
            otpauth_url: totp.to_url().map_err(Error::backend)?,
            issuer: issuer.to_owned(),
            account: account.to_owned(),
        })
    }
}

/// A started enrolment, as the person sees it: the secret to type into an authenticator
/// app or the URL to scan as a QR code. The enrolment completes only with a first correct
/// code ([`Auth::finish_totp_enrolment`](crate::Auth::finish_totp_enrolment)).
///
/// Its `Debug` shows the issuer and account only.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TotpEnrolment {
    /// The secret in base32, without padding (for typing in).
    pub secret_base32: String,
    /// The `otpauth://totp/...` URL (for the QR code).
    pub otpauth_url: String,
    /// The issuer shown by the app (the application's name).
    pub issuer: String,
    /// The account name shown by the app (the email address).
    pub account: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment")
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// A submitted TOTP code: spaces are ignored; what remains must be exactly six ASCII
/// digits.
///
/// # Errors
/// [`Error::Validation`] on field `code`, saying why.
pub(crate) fn parse_totp_code(input: &str) -> Result<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if code.is_empty() {
        return Err(Error::invalid(
            "code",
            Message::new("field-code-totp_required"),
        ));
    }
    if !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            "code",
            Message::new("field-code-totp_digits_only"),
        ));
    }
    if code.len() != TOTP_DIGITS {
        return Err(Error::invalid(
            "code",
            Message::new("field-code-totp_length").arg("n", TOTP_DIGITS),
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, eight digits truncated to the last six.
    #[test]
    fn rfc_6238_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        let at = |s: i64| OffsetDateTime::from_unix_timestamp(s).unwrap();
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(secret.code_at(at(t)).unwrap(), code, "t = {t}");
            assert_eq!(secret.check(code, at(t)).unwrap(), Some(t as u64 / 30));
        }
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let secret = TotpSecret::generate();
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_010).unwrap();
        let code = secret.code_at(t).unwrap();
        let step = 1_700_000_010 / 30;
        let seconds = time::Duration::seconds;
        assert_eq!(secret.check(&code, t + seconds(30)).unwrap(), Some(step));
        assert_eq!(secret.check(&code, t - seconds(30)).unwrap(), Some(step));
        assert_eq!(secret.check(&code, t + seconds(60)).unwrap(), None);
        assert_eq!(secret.check(&code, t - seconds(60)).unwrap(), None);
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(parse_totp_code(" 123 456 ").unwrap(), "123456");
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６", "12-456"] {
            let e = parse_totp_code(bad).unwrap_err();
            assert!(matches!(e, Error::Validation(_)), "{bad}: {e:?}");
        }
    }

    #[test]
    fn the_enrolment_url_names_issuer_and_account_and_debug_hides_the_secret() {
        let secret = TotpSecret::generate();
        let e = secret.enrolment("Acme: Test", "ann@example.test").unwrap();
        assert!(
            e.otpauth_url.starts_with("otpauth://totp/"),
            "{}",
            e.otpauth_url
        );
        assert!(
            e.otpauth_url
                .contains(&format!("secret={}", e.secret_base32))
        );
        assert!(e.otpauth_url.contains("issuer=Acme"));
        assert_eq!(e.secret_base32.len(), 32);
        let shown = format!("{e:?} {secret:?}");
        assert!(!shown.contains(&e.secret_base32), "{shown}");
        assert!(!shown.contains("secret="), "{shown}");
    }
}
