//! Password hashes made by other systems, verified so that imported accounts keep their
//! passwords, then replaced by Argon2id at the first successful sign-in.
//!
//! | format | example prefix | made by |
//! |---|---|---|
//! | bcrypt | `$2b$12$`, `$2a$`, `$2y$` | Devise, Flask-Bcrypt, passlib, PHP |
//! | PBKDF2-HMAC-SHA256, Django | `pbkdf2_sha256$870000$` | Django's default hasher |
//! | PBKDF2-HMAC-SHA256, passlib | `$pbkdf2-sha256$29000$` | passlib |
//! | scrypt | `$scrypt$ln=16,r=8,p=1$` | passlib, RustCrypto (PHC) |
//!
//! Argon2 PHC strings from other libraries (argon2-cffi, passlib, libsodium) need no
//! code here: the [`Hasher`](super::Hasher) verifies every Argon2 variant and version with
//! the parameters the string carries.
//!
//! The cryptography is RustCrypto's (`pbkdf2`, `scrypt`) and the `bcrypt` crate; the
//! comparison of outputs is constant-time. The password is used exactly as typed (no
//! Unicode normalisation), as the other system used it. Parameters are bounded so that a
//! corrupt or hostile stored hash cannot make a sign-in allocate gigabytes or run for
//! minutes.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use zeroize::Zeroizing;

use crate::error::{Error, Message, Result};

/// Most PBKDF2 iterations accepted (Django 5.2 uses 1 000 000).
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// Most bcrypt cost accepted (each step doubles the time; 10–14 are usual).
const MAX_BCRYPT_COST: u32 = 18;
/// Most scrypt memory accepted, in bytes (`128 × r × 2^ln`): 1 GiB, as for Argon2.
const MAX_SCRYPT_BYTES: u64 = 1 << 30;
/// Most scrypt parallelism accepted.
const MAX_SCRYPT_P: u32 = 64;
/// Longest derived key accepted, in bytes.
const MAX_OUTPUT: usize = 128;
/// Shortest derived key accepted, in bytes.
const MIN_OUTPUT: usize = 16;

/// The kind of a stored password hash, as recognised by
/// [`Hasher::recognize`](super::Hasher::recognize).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashFormat {
    /// An Argon2 PHC string (`$argon2id$`, `$argon2i$`, `$argon2d$`): this library's own
    /// format, or another library's.
    Argon2,
    /// bcrypt (`$2a$`, `$2b$`, `$2y$`).
    Bcrypt,
    /// PBKDF2-HMAC-SHA256 in Django's format (`pbkdf2_sha256$iterations$salt$hash`).
    DjangoPbkdf2Sha256,
    /// PBKDF2-HMAC-SHA256 in passlib's format (`$pbkdf2-sha256$rounds$salt$hash`).
    PasslibPbkdf2Sha256,
    /// scrypt (`$scrypt$ln=..,r=..,p=..$salt$hash`, passlib's or the PHC form).
    Scrypt,
}

impl HashFormat {
    /// A short name: `argon2`, `bcrypt`, `django-pbkdf2-sha256`, `passlib-pbkdf2-sha256`,
    /// `scrypt`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashFormat::Argon2 => "argon2",
            HashFormat::Bcrypt => "bcrypt",
            HashFormat::DjangoPbkdf2Sha256 => "django-pbkdf2-sha256",
            HashFormat::PasslibPbkdf2Sha256 => "passlib-pbkdf2-sha256",
            HashFormat::Scrypt => "scrypt",
        }
    }
}

impl fmt::Display for HashFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed hash in one of the other systems' formats.
pub(super) enum Legacy {
    Bcrypt(String),
    Pbkdf2Sha256 {
        iterations: u32,
        salt: Vec<u8>,
        expected: Vec<u8>,
    },
    Scrypt {
        params: scrypt::Params,
        salt: Vec<u8>,
        expected: Vec<u8>,
    },
}

impl Legacy {
    /// `None` when `hash` is in none of these formats (it may be Argon2); otherwise the
    /// format and the parsed hash, or why it is malformed.
    pub(super) fn parse(hash: &str) -> Option<Result<(HashFormat, Legacy)>> {
        let format =
            if hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$") {
                HashFormat::Bcrypt
            } else if hash.starts_with("pbkdf2_sha256$") {
                HashFormat::DjangoPbkdf2Sha256
            } else if hash.starts_with("$pbkdf2-sha256$") {
                HashFormat::PasslibPbkdf2Sha256
            } else if hash.starts_with("$scrypt$") {
                HashFormat::Scrypt
            } else {
                return None;
            };
        let parsed = match format {
            HashFormat::Bcrypt => parse_bcrypt(hash),
            HashFormat::DjangoPbkdf2Sha256 => parse_django(hash),
            HashFormat::PasslibPbkdf2Sha256 => parse_passlib_pbkdf2(hash),
            _ => parse_scrypt(hash),
        };
        Some(
            parsed
                .map(|legacy| (format, legacy))
                .map_err(|reason| malformed(format, reason)),
        )
    }

    /// Whether `password` (as typed) matches. CPU-bound: run it off the executor.
    pub(super) fn verify(&self, password: &str) -> Result<bool> {
        match self {
            Legacy::Bcrypt(hash) => {
                bcrypt::verify(password.as_bytes(), hash).map_err(|e| match e {
                    // Its text would carry the hash itself.
                    bcrypt::BcryptError::InvalidHash(_) => {
                        malformed(HashFormat::Bcrypt, "not a bcrypt hash")
                    }
                    other => malformed(HashFormat::Bcrypt, &other.to_string()),
                })
            }
            Legacy::Pbkdf2Sha256 {
                iterations,
                salt,
                expected,
            } => {
                let mut out = Zeroizing::new(vec![0u8; expected.len()]);
                pbkdf2::pbkdf2_hmac::<pbkdf2::sha2::Sha256>(
                    password.as_bytes(),
                    salt,
                    *iterations,
                    &mut out,
                );
                Ok(crate::random::constant_time_eq(&out, expected))
            }
            Legacy::Scrypt {
                params,
                salt,
                expected,
            } => {
                let mut out = Zeroizing::new(vec![0u8; expected.len()]);
                scrypt::scrypt(password.as_bytes(), salt, params, &mut out)
                    .map_err(|_| malformed(HashFormat::Scrypt, "bad output length"))?;
                Ok(crate::random::constant_time_eq(&out, expected))
            }
        }
    }
}

type Parsed = std::result::Result<Legacy, &'static str>;

fn parse_bcrypt(hash: &str) -> Parsed {
    let parts: bcrypt::HashParts = hash.parse().map_err(|_| "not a bcrypt hash")?;
    if parts.get_cost() > MAX_BCRYPT_COST {
        return Err("bcrypt cost above 18");
    }
    Ok(Legacy::Bcrypt(hash.to_owned()))
}

/// `pbkdf2_sha256$<iterations>$<salt text>$<standard base64 of the key>`.
fn parse_django(hash: &str) -> Parsed {
    let [_, iterations, salt, key] = fields::<4>(hash, '$').ok_or("expected 4 fields")?;
    let iterations = iterations_of(iterations)?;
    if salt.is_empty() {
        return Err("empty salt");
    }
    let expected = base64::engine::general_purpose::STANDARD
        .decode(key)
        .map_err(|_| "the key is not base64")?;
    Ok(Legacy::Pbkdf2Sha256 {
        iterations,
        salt: salt.as_bytes().to_vec(),
        expected: output(expected)?,
    })
}

/// `$pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 key>` (passlib's "adapted base64": `.`
/// for `+`, no padding).
fn parse_passlib_pbkdf2(hash: &str) -> Parsed {
    let [_, _, rounds, salt, key] = fields::<5>(hash, '$').ok_or("expected 5 fields")?;
    Ok(Legacy::Pbkdf2Sha256 {
        iterations: iterations_of(rounds)?,
        salt: ab64(salt).ok_or("the salt is not base64")?,
        expected: output(ab64(key).ok_or("the key is not base64")?)?,
    })
}

/// `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>`, the salt and key in base64 without
/// padding (passlib writes `.` for `+`).
fn parse_scrypt(hash: &str) -> Parsed {
    let [_, _, params, salt, key] = fields::<5>(hash, '$').ok_or("expected 5 fields")?;
    let (mut ln, mut r, mut p) = (None, None, None);
    for pair in params.split(',') {
        let (name, value) = pair.split_once('=').ok_or("bad parameter list")?;
        let slot = match name {
            "ln" => &mut ln,
            "r" => &mut r,
            "p" => &mut p,
            _ => return Err("unknown scrypt parameter"),
        };
        *slot = Some(value.parse::<u32>().map_err(|_| "bad parameter value")?);
    }
    let (Some(ln), Some(r), Some(p)) = (ln, r, p) else {
        return Err("missing ln, r or p");
    };
    let bytes = 128u64
        .checked_mul(u64::from(r))
        .and_then(|b| b.checked_shl(ln))
        .filter(|_| ln < 48)
        .ok_or("parameters too large")?;
    if bytes > MAX_SCRYPT_BYTES || p > MAX_SCRYPT_P {
        return Err("parameters above the accepted limits (1 GiB, p=64)");
    }
    let ln = u8::try_from(ln).map_err(|_| "parameters too large")?;
    let params = scrypt::Params::new(ln, r, p).map_err(|_| "invalid scrypt parameters")?;
    Ok(Legacy::Scrypt {
        params,
        salt: ab64(salt).ok_or("the salt is not base64")?,
        expected: output(ab64(key).ok_or("the key is not base64")?)?,
    })
}

/// Exactly `N` fields separated by `sep`.
fn fields<const N: usize>(s: &str, sep: char) -> Option<[&str; N]> {
    let parts: Vec<&str> = s.split(sep).collect();
    parts.try_into().ok()
}

fn iterations_of(s: &str) -> std::result::Result<u32, &'static str> {
    match s.parse::<u32>() {
        Ok(n) if (1..=MAX_PBKDF2_ITERATIONS).contains(&n) => Ok(n),
        Ok(_) => Err("iterations outside 1..=10000000"),
        Err(_) => Err("the iteration count is not a number"),
    }
}

fn output(key: Vec<u8>) -> std::result::Result<Vec<u8>, &'static str> {
    if (MIN_OUTPUT..=MAX_OUTPUT).contains(&key.len()) {
        Ok(key)
    } else {
        Err("the key length is outside 16..=128 bytes")
    }
}

/// Base64 without padding, `.` accepted for `+` (passlib's adapted alphabet).
fn ab64(s: &str) -> Option<Vec<u8>> {
    STANDARD_NO_PAD
        .decode(s.replace('.', "+").trim_end_matches('='))
        .ok()
}

/// A malformed hash: the coarse reason names the format; why it is malformed is the
/// message's detail (for the operator's import report) and goes to the debug log. The
/// hash itself appears in neither.
fn malformed(format: HashFormat, reason: &str) -> Error {
    tracing::debug!(%format, reason, "a malformed password hash");
    Error::invalid(
        "password_hash",
        Message::new("field-password_hash-malformed")
            .arg("format", format)
            .with_detail(reason),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known-answer vectors from RFC 7914 here; hashes made by the real Python libraries
    // (Django, passlib, bcrypt, argon2-cffi) are imported and signed in with by the
    // auth-cli integration tests.
    fn parse(hash: &str) -> Legacy {
        Legacy::parse(hash).unwrap().unwrap().1
    }

    fn django(password: &str, salt: &str, iterations: u32) -> String {
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<pbkdf2::sha2::Sha256>(
            password.as_bytes(),
            salt.as_bytes(),
            iterations,
            &mut out,
        );
        format!(
            "pbkdf2_sha256${iterations}${salt}${}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    #[test]
    fn pbkdf2_known_answer() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64).
        let expected = hex::decode(
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
        )
        .unwrap();
        let hash = format!(
            "$pbkdf2-sha256$1${}${}",
            STANDARD_NO_PAD.encode(b"salt"),
            STANDARD_NO_PAD.encode(&expected).replace('+', ".")
        );
        assert!(parse(&hash).verify("passwd").unwrap());
        assert!(!parse(&hash).verify("passwD").unwrap());
    }

    #[test]
    fn scrypt_known_answer() {
        // RFC 7914 section 12: scrypt("password", "NaCl", N=1024, r=8, p=16, 64).
        let expected = hex::decode(
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162\
             2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
        )
        .unwrap();
        let hash = format!(
            "$scrypt$ln=10,r=8,p=16${}${}",
            STANDARD_NO_PAD.encode(b"NaCl"),
            STANDARD_NO_PAD.encode(&expected)
        );
        let (format, legacy) = Legacy::parse(&hash).unwrap().unwrap();
        assert_eq!(format, HashFormat::Scrypt);
        assert!(legacy.verify("password").unwrap());
        assert!(!legacy.verify("Password").unwrap());
    }

    #[test]
    fn django_and_bcrypt_verify() {
        let hash = django("correct horse", "fixedsalt1234567", 1000);
        assert!(parse(&hash).verify("correct horse").unwrap());
        assert!(!parse(&hash).verify("correct horsE").unwrap());
        let made = bcrypt::hash_with_salt("hunter22", 4, [7u8; 16])
            .unwrap()
            .format_for_version(bcrypt::Version::TwoB);
        assert!(parse(&made).verify("hunter22").unwrap());
        assert!(!parse(&made).verify("hunter23").unwrap());
    }

    #[test]
    fn other_strings_are_not_legacy_and_bad_ones_say_why() {
        for other in ["$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "plain", ""] {
            assert!(Legacy::parse(other).is_none(), "{other}");
        }
        for bad in [
            "$2b$99$bxa6nMV1FYt2Q2Z/aaMSue2V2gmshLSyjfgQsxgnsBM5lRqPPaDYS",
            "$2b$12$short",
            "pbkdf2_sha256$abc$salt$aGFzaGhhc2hoYXNoaGFzaA==",
            "pbkdf2_sha256$0$salt$aGFzaGhhc2hoYXNoaGFzaA==",
            "pbkdf2_sha256$1000$salt",
            "pbkdf2_sha256$1000$salt$!!!",
            "$pbkdf2-sha256$1000$c2FsdA$aGFzaA",
            "$scrypt$ln=40,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
            "$scrypt$ln=10,r=8$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
            "$scrypt$ln=10,r=8,p=1,x=2$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        ] {
            let err = match Legacy::parse(bad) {
                Some(Err(e)) => e,
                _ => panic!("{bad} was accepted"),
            };
            let Error::Validation(errors) = err else {
                panic!("{bad}: not a validation error");
            };
            let field = errors.field("password_hash").unwrap();
            assert!(field.message.starts_with("Malformed "), "{}", field.message);
            // The coarse reason is the message, in every language; why is only the
            // detail (for the operator's report), never the hash itself.
            assert!(
                field.message.ends_with(" password hash."),
                "{}",
                field.message
            );
            let reason = field.reason.as_ref().unwrap();
            let detail = reason.detail().expect("a detail");
            assert!(
                !detail.is_empty() && !bad.contains(detail),
                "{bad}: {detail}"
            );
            let de = reason.render(&auth_i18n::Catalogues::shipped(), "de");
            assert!(
                de.starts_with("Fehlerhafter ") && !de.contains(detail),
                "{de}"
            );
        }
    }
}
