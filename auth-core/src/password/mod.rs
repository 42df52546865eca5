//! Password hashing (Argon2id) and password policy (NIST SP 800-63B).
//!
//! - [`Hasher`] turns passwords into Argon2id PHC strings and checks them, always on
//!   Tokio's blocking threads and under a semaphore, so that a burst of logins is bounded
//!   in CPU and memory and never stalls the async executor.
//! - Hashes imported from other systems (bcrypt, PBKDF2-SHA256 from Django or passlib,
//!   scrypt; see [`HashFormat`]) verify too, and are replaced by Argon2id at the first
//!   successful sign-in.
//! - [`PasswordPolicy`] decides whether a new password is acceptable: length limits
//!   counted in characters, no composition rules, no common or guessable passwords, no
//!   passwords made of the user's own email address or username.
//!
//! Both normalise passwords to Unicode NFKC first, so that the same password typed on
//! different keyboards or operating systems (a precomposed `é` or `e` plus a combining
//! accent, the `ﬁ` ligature or `fi`) hashes to the same value and is counted the same way.

use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

mod breach;
mod hasher;
mod legacy;
mod policy;

pub use breach::{BreachCheck, BreachedPasswords, SortedHashFile, WhenUnavailable};
pub use hasher::{HashParams, Hasher, PasswordVerified};
pub use legacy::HashFormat;
pub use policy::PasswordPolicy;

/// The largest raw password input, in bytes, that is looked at at all.
///
/// Anything longer is refused before normalisation or hashing, whatever the policy says:
/// the largest policy maximum (1024 characters of at most 4 bytes each, plus room for
/// combining marks that NFKC folds together) fits well below it, and a request that sends
/// megabytes as a password is not a login attempt.
pub const MAX_PASSWORD_BYTES: usize = 16 * 1024;

/// The NFKC form of `password`, wiped from memory when dropped.
pub(crate) fn normalize(password: &str) -> Zeroizing<String> {
    Zeroizing::new(password.nfkc().collect())
}
