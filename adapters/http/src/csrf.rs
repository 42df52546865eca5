//! CSRF protection for HTML forms: a signed double-submit token.
//!
//! The browser holds a random value in an HttpOnly cookie; every form carries
//! `HMAC-SHA256(key, value)` in its hidden `csrf_token` field. A cross-site page can
//! neither read the cookie nor compute the HMAC, and (with the `__Host-` prefix) cannot
//! plant a cookie of its own choosing.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Length of the cookie value: 32 random bytes, hex.
const SEED_HEX_LEN: usize = 64;

#[derive(Clone)]
pub(crate) struct CsrfKey([u8; 32]);

impl CsrfKey {
    /// Derives the key from an application secret (so that every instance agrees).
    pub(crate) fn from_secret(secret: &[u8]) -> Self {
        let mut mac = mac_with(b"auth-http csrf key derivation");
        mac.update(secret);
        Self(mac.finalize().into_bytes().into())
    }

    /// A key that lives as long as the process.
    pub(crate) fn random() -> Result<Self, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(Self(key))
    }

    /// The form token for a cookie seed.
    pub(crate) fn token(&self, seed: &str) -> String {
        let mut mac = mac_with(&self.0);
        mac.update(seed.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `token` is the form token of `seed`, in constant time.
    pub(crate) fn verify(&self, seed: &str, token: &str) -> bool {
        let Ok(bytes) = hex::decode(token) else {
            return false;
        };
        let mut mac = mac_with(&self.0);
        mac.update(seed.as_bytes());
        mac.verify_slice(&bytes).is_ok()
    }
}

fn mac_with(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable_hmac(),
    }
}

#[cold]
fn unreachable_hmac() -> ! {
    // `Hmac::new_from_slice` only fails for fixed-size-key MACs, never for HMAC.
    panic!("HMAC rejected a key")
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
        assert!(!is_seed("abc"));
    }
}
