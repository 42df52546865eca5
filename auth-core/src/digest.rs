//! The SHA-256 digests that stores keep in place of a secret of 256 bits of entropy (a
//! session id, an API key): one definition of their bytes, their hex form (what the serde
//! form and device lists use) and their `Debug`, which shows a prefix only.

/// Defines a public SHA-256 digest type: `sha256_digest!(/// docs, Name, "a name")`, the
/// last argument naming one in the error of a malformed hex form.
macro_rules! sha256_digest {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(into = "String", try_from = "String")]
        pub struct $name([u8; 32]);

        impl $name {
            /// Wraps raw digest bytes, as read from storage.
            pub fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// The raw digest bytes.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// Lower-case hex (64 characters).
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// Parses 64 hex characters.
            pub fn from_hex(s: &str) -> Option<Self> {
                let mut out = [0u8; 32];
                hex::decode_to_slice(s, &mut out).ok()?;
                Some(Self(out))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({}…)"), &self.to_hex()[..8])
            }
        }

        impl From<$name> for String {
            fn from(d: $name) -> Self {
                d.to_hex()
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::from_hex(&s).ok_or_else(|| concat!($what, " is 64 hex characters").to_owned())
            }
        }
    };
}

pub(crate) use sha256_digest;

#[cfg(test)]
mod tests {
    use crate::api_key::ApiKeyDigest;
    use crate::session::SessionDigest;

    #[test]
    fn the_hex_form_round_trips_and_is_what_serde_writes() {
        let d = SessionDigest::from_bytes([0xab; 32]);
        let hex = d.to_hex();
        assert_eq!(hex, "ab".repeat(32));
        assert_eq!(SessionDigest::from_hex(&hex), Some(d));
        assert_eq!(d.as_bytes(), &[0xab; 32]);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"{hex}\""));
        assert_eq!(serde_json::from_str::<SessionDigest>(&json).unwrap(), d);
    }

    #[test]
    fn a_malformed_hex_form_is_refused_by_name() {
        assert_eq!(SessionDigest::from_hex("ab"), None);
        assert_eq!(SessionDigest::from_hex(&"zz".repeat(32)), None);
        let err = serde_json::from_str::<ApiKeyDigest>("\"ab\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("an API key digest is 64 hex characters"),
            "{err}"
        );
        let err = serde_json::from_str::<SessionDigest>("\"ab\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("a session digest is 64 hex characters"),
            "{err}"
        );
    }

    #[test]
    fn debug_shows_a_prefix_only() {
        let d = ApiKeyDigest::from_bytes([0x5c; 32]);
        assert_eq!(format!("{d:?}"), "ApiKeyDigest(5c5c5c5c…)");
        let d = SessionDigest::from_bytes([0x01; 32]);
        assert_eq!(format!("{d:?}"), "SessionDigest(01010101…)");
    }
}
