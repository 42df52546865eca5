//! CSRF protection for HTML forms: a signed double-submit token.
//!
//! The browser holds a random value in an HttpOnly cookie; every form carries
//! `HMAC-SHA256(key, value)` in its hidden `csrf_token` field. A cross-site page can
//! neither read the cookie nor compute the HMAC, and (with the `__Host-` prefix) cannot
//! plant a cookie of its own choosing.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Length of the cookie value: 32 random bytes, hex.
const SEED_HEX_LEN: usize = 64;

#[derive(Clone)]
pub(crate) struct CsrfKey([u8; 32]);

impl CsrfKey {
    /// Derives the key from an application secret (so that every instance agrees).
    pub(crate) fn from_secret(secret: &[u8]) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"auth-http csrf key derivation\0");
        hash.update(secret);
        Self(hash.finalize().into())
    }

    /// A key that lives as long as the process.
    pub(crate) fn random() -> Result<Self, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(Self(key))
    }

    /// HMAC-SHA256 keyed with this key. A key shorter than the 64-byte block is
    /// zero-padded by HMAC's definition, so padding it here gives the same MAC through
    /// the infallible constructor.
    fn mac(&self) -> HmacSha256 {
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        <HmacSha256 as KeyInit>::new(&block.into())
    }

    /// The form token for a cookie seed.
    pub(crate) fn token(&self, seed: &str) -> String {
        let mut mac = self.mac();
        mac.update(seed.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `token` is the form token of `seed`, in constant time.
    pub(crate) fn verify(&self, seed: &str, token: &str) -> bool {
        let Ok(bytes) = hex::decode(token) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(seed.as_bytes());
        mac.verify_slice(&bytes).is_ok()
    }
}

/// A fresh cookie seed.
pub(crate) fn new_seed() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// Whether a cookie value could be a seed we issued.
pub(crate) fn is_seed(value: &str) -> bool {
    value.len() == SEED_HEX_LEN && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_seed_and_key() {
        let key = CsrfKey::from_secret(b"secret");
        let seed = new_seed().unwrap();
        let token = key.token(&seed);
        assert!(key.verify(&seed, &token));
        assert!(is_seed(&seed));
        assert!(!key.verify(&new_seed().unwrap(), &token));
        assert!(!CsrfKey::from_secret(b"other").verify(&seed, &token));
        assert!(!key.verify(&seed, ""));
        assert!(!key.verify(&seed, "zz"));
        assert!(!key.verify(&seed, &token[..10]));
        // The padded-key constructor computes standard HMAC-SHA256.
        let mut reference = <HmacSha256 as Mac>::new_from_slice(&key.0).unwrap();
        Mac::update(&mut reference, seed.as_bytes());
        assert_eq!(token, hex::encode(reference.finalize().into_bytes()));
        assert!(!is_seed("abc"));
    }
}
