//! Recovery codes: ten random codes of 120 bits each, shown once, stored as SHA-256
//! digests (ASVS 6.5.2: secrets of 112 bits or more need no slow, salted hash), each
//! usable once instead of a TOTP code.

use sha2::{Digest as _, Sha256};

use crate::error::{Error, Message, Result};

/// How many recovery codes an enrolment (or a regeneration) makes.
pub const RECOVERY_CODES: usize = 10;
/// The alphabet of the codes: Crockford's base32 (no I, L, O, U), upper case.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a code, without separators: 24 × 5 bits = 120 bits.
const CODE_CHARS: usize = 24;

/// Freshly made recovery codes, shown to the person once. `Debug` shows only how many.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCodes(Vec<String>);

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes({} codes, <redacted>)", self.0.len())
    }
}

impl RecoveryCodes {
    /// [`RECOVERY_CODES`] new codes, formatted `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`.
    pub(crate) fn generate() -> Self {
        Self(
            (0..RECOVERY_CODES)
                .map(|_| {
                    let bytes = crate::random::bytes::<CODE_CHARS>();
                    let chars: String = bytes
                        .iter()
                        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
                        .collect();
                    grouped(&chars)
                })
                .collect(),
        )
    }

    /// The codes in `submitted` (separated by white space, as typed or as a page posts
    /// them back) when every one of them is a recovery code still unused among
    /// `digests`, written the way they were shown; `None` when any is not, or there are
    /// none. Compared in constant time.
    pub(crate) fn held(submitted: &str, digests: &[String]) -> Option<Self> {
        let mut codes = Vec::new();
        for typed in submitted.split_whitespace().take(RECOVERY_CODES + 1) {
            let canonical = parse_recovery_code(typed).ok()?;
            let digest = digest_recovery_code(&canonical);
            let known = digests.iter().fold(false, |found, d| {
                found | crate::random::constant_time_eq(d.as_bytes(), digest.as_bytes())
            });
            if !known {
                return None;
            }
            codes.push(grouped(&canonical));
        }
        (!codes.is_empty() && codes.len() <= RECOVERY_CODES).then_some(Self(codes))
    }

    /// The codes, to show (and offer as a download) once.
    pub fn codes(&self) -> &[String] {
        &self.0
    }

    /// Their digests, to store.
    pub(crate) fn digests(&self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|c| parse_recovery_code(c).ok())
            .map(|c| digest_recovery_code(&c))
            .collect()
    }

    /// The codes as a text file, one per line, with a heading naming the application.
    pub fn as_text_file(&self, app_name: &str) -> String {
        let mut out = format!(
            "{app_name}: recovery codes\nEach code signs you in once instead of your \
             authenticator app. Keep them somewhere safe.\n\n"
        );
        for code in &self.0 {
            out.push_str(code);
            out.push('\n');
        }
        out
    }
}

/// A canonical code as shown: groups of four joined by dashes.
fn grouped(canonical: &str) -> String {
    let chars: Vec<char> = canonical.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A submitted recovery code in its canonical form: separators (`-`, spaces) dropped,
/// letters upper-cased, Crockford's look-alikes mapped (`O` → `0`, `I`/`L` → `1`).
///
/// # Errors
/// [`Error::Validation`] on field `code` when it is not 24 characters of the alphabet.
pub(crate) fn parse_recovery_code(input: &str) -> Result<String> {
    let mut code = String::with_capacity(CODE_CHARS);
    for c in input.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return Err(Error::invalid(
                "code",
                Message::new("field-code-recovery_characters"),
            ));
        }
        code.push(c);
        if code.len() > CODE_CHARS {
            break;
        }
    }
    if code.len() != CODE_CHARS {
        return Err(Error::invalid(
            "code",
            Message::new("field-code-recovery_length").arg("n", CODE_CHARS),
        ));
    }
    Ok(code)
}

/// The stored digest of a canonical code (hex SHA-256).
pub(crate) fn digest_recovery_code(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_codes_that_parse_back_to_their_digests() {
        let codes = RecoveryCodes::generate();
        assert_eq!(codes.codes().len(), RECOVERY_CODES);
        let digests = codes.digests();
        assert_eq!(digests.len(), RECOVERY_CODES);
        let mut unique = digests.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for (code, digest) in codes.codes().iter().zip(&digests) {
            assert_eq!(code.len(), 29, "{code}");
            let typed = code.to_lowercase().replace('-', " ");
            assert_eq!(
                &digest_recovery_code(&parse_recovery_code(&typed).unwrap()),
                digest
            );
        }
        assert!(!format!("{codes:?}").contains(&codes.codes()[0]));
        assert!(codes.as_text_file("Acme").contains(&codes.codes()[9]));
    }

    #[test]
    fn held_codes_are_recognised_only_when_every_one_is_unused() {
        let codes = RecoveryCodes::generate();
        let digests = codes.digests();
        let all = codes.codes().join(" ");
        assert_eq!(RecoveryCodes::held(&all, &digests), Some(codes.clone()));
        let typed = codes.codes()[2].to_lowercase().replace('-', "");
        assert_eq!(
            RecoveryCodes::held(&typed, &digests).unwrap().codes(),
            &codes.codes()[2..3]
        );
        let other = RecoveryCodes::generate();
        let mixed = format!("{all} {}", other.codes()[0]);
        assert_eq!(RecoveryCodes::held(&mixed, &digests), None);
        assert_eq!(
            RecoveryCodes::held(&all, &digests[1..]),
            None,
            "a used code"
        );
        assert_eq!(RecoveryCodes::held("", &digests), None);
        assert_eq!(RecoveryCodes::held("not-a-code", &digests), None);
        let eleven = format!("{all} {}", codes.codes()[0]);
        assert_eq!(RecoveryCodes::held(&eleven, &digests), None);
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "ABCD-EFGH-JKMN-PQRS",
            "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2",
            "ABCD-EFGH-JKMN-PQRS-TVWX-YZ0!",
            "ÀBCD-EFGH-JKMN-PQRS-TVWX-YZ01",
        ] {
            assert!(
                matches!(parse_recovery_code(bad), Err(Error::Validation(_))),
                "{bad}"
            );
        }
        assert_eq!(
            parse_recovery_code("abcd efgh jkmn pqrs tvwx yz01").unwrap(),
            "ABCDEFGHJKMNPQRSTVWXYZ01"
        );
        assert_eq!(
            parse_recovery_code("oooo-iiii-llll-0000-1111-2222").unwrap(),
            "000011111111000011112222"
        );
    }
}
