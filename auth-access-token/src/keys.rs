//! Signing keys, public keys of retired keys, and the key set that signs and publishes.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk, JwkSet, KeyAlgorithm as JwkAlgorithm, OctetKeyPairParameters,
    OctetKeyPairType, PublicKeyUse, ThumbprintHash,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use zeroize::Zeroizing;

use crate::{AccessClaims, Error, TOKEN_TYPE};

/// The signature algorithms of access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// Ed25519 (`EdDSA`): the default.
    #[default]
    EdDsa,
    /// ECDSA over P-256 with SHA-256 (`ES256`), for verifiers that lack Ed25519.
    Es256,
}

impl KeyAlgorithm {
    /// The JWS `alg` value: `EdDSA` or `ES256`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
        }
    }

    /// Parses an `alg` value; `None` for every other algorithm.
    pub fn parse(alg: &str) -> Option<Self> {
        match alg {
            "EdDSA" => Some(Self::EdDsa),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }

    pub(crate) fn jwt(self) -> Algorithm {
        match self {
            Self::EdDsa => Algorithm::EdDSA,
            Self::Es256 => Algorithm::ES256,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The public half of a key, as a JWK with `kid` (its RFC 7638 thumbprint), `alg` and
/// `use: sig`. A key that no longer signs but whose tokens may still be alive is kept in
/// the [`KeySet`] as one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    alg: KeyAlgorithm,
    jwk: Jwk,
}

impl PublicKey {
    /// Reads a PEM public key (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo) or,
    /// for convenience, a PEM private key whose public half is kept (the private half is
    /// dropped at once). Ed25519 or P-256.
    ///
    /// # Errors
    /// [`Error::Key`] for anything else.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        if pem.contains("PRIVATE KEY") {
            return Ok(SigningKey::from_pem(pem)?.public_key().clone());
        }
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            return Self::ed25519(&k);
        }
        if let Ok(k) = p256::PublicKey::from_public_key_pem(pem) {
            return Self::p256(&k);
        }
        Err(Error::Key(
            "expected a PEM Ed25519 or P-256 key (BEGIN PUBLIC KEY or BEGIN PRIVATE KEY)",
        ))
    }

    fn ed25519(k: &ed25519_dalek::VerifyingKey) -> Result<Self, Error> {
        let params = AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x: URL_SAFE_NO_PAD.encode(k.as_bytes()),
        });
        Self::new(KeyAlgorithm::EdDsa, params)
    }

    fn p256(k: &p256::PublicKey) -> Result<Self, Error> {
        let point = k.to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(Error::Key("the P-256 point at infinity"));
        };
        let params = AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
            key_type: EllipticCurveKeyType::EC,
            curve: EllipticCurve::P256,
            x: URL_SAFE_NO_PAD.encode(x),
            y: URL_SAFE_NO_PAD.encode(y),
        });
        Self::new(KeyAlgorithm::Es256, params)
    }

    fn new(alg: KeyAlgorithm, algorithm: AlgorithmParameters) -> Result<Self, Error> {
        let mut jwk = Jwk {
            common: CommonParameters::default(),
            algorithm,
        };
        // RFC 7638: the thumbprint covers the key's required members only, so it is
        // computed before `kid`, `alg` and `use` are set.
        let kid = jwk.thumbprint(ThumbprintHash::SHA256).map_err(Error::Jwt)?;
        jwk.common = CommonParameters {
            public_key_use: Some(PublicKeyUse::Signature),
            key_algorithm: Some(match alg {
                KeyAlgorithm::EdDsa => JwkAlgorithm::EdDSA,
                KeyAlgorithm::Es256 => JwkAlgorithm::ES256,
            }),
            key_id: Some(kid),
            ..CommonParameters::default()
        };
        Ok(Self { alg, jwk })
    }

    /// The key id: the key's RFC 7638 (SHA-256) thumbprint, base64url.
    pub fn kid(&self) -> &str {
        self.jwk.common.key_id.as_deref().unwrap_or_default()
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.alg
    }

    /// The key as a JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }
}

/// A private key that signs access tokens. `Debug` shows its algorithm and `kid` only.
#[derive(Clone)]
pub struct SigningKey {
    encoding: EncodingKey,
    der: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.public.alg)
            .field("kid", &self.public.kid())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new random key from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Random`] when there is no randomness.
    pub fn generate(alg: KeyAlgorithm) -> Result<Self, Error> {
        loop {
            let mut seed = Zeroizing::new([0u8; 32]);
            getrandom::fill(seed.as_mut()).map_err(Error::Random)?;
            match alg {
                KeyAlgorithm::EdDsa => {
                    return Self::from_ed25519(&ed25519_dalek::SigningKey::from_bytes(&seed));
                }
                KeyAlgorithm::Es256 => {
                    // A 32-byte string is a valid P-256 scalar unless it is zero or at
                    // least the group order (a chance of about 2^-32): draw again then.
                    if let Ok(k) = p256::SecretKey::from_slice(seed.as_ref()) {
                        return Self::from_p256(&k);
                    }
                }
            }
        }
    }

    /// Reads a PEM PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`), Ed25519 (signs
    /// with `EdDSA`) or P-256 (signs with `ES256`), as
    /// `openssl genpkey -algorithm ed25519` or
    /// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` write them.
    ///
    /// # Errors
    /// [`Error::Key`] for anything else.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
            return Self::from_ed25519(&k);
        }
        if let Ok(k) = p256::SecretKey::from_pkcs8_pem(pem) {
            return Self::from_p256(&k);
        }
        Err(Error::Key(
            "expected a PEM PKCS#8 Ed25519 or P-256 private key (BEGIN PRIVATE KEY)",
        ))
    }

    fn from_ed25519(k: &ed25519_dalek::SigningKey) -> Result<Self, Error> {
        let der = k
            .to_pkcs8_der()
            .map_err(|_| Error::Key("cannot encode the Ed25519 key"))?;
        let der = Zeroizing::new(der.as_bytes().to_vec());
        Ok(Self {
            encoding: EncodingKey::from_ed_der(&der),
            public: PublicKey::ed25519(&k.verifying_key())?,
            der,
        })
    }

    fn from_p256(k: &p256::SecretKey) -> Result<Self, Error> {
        use p256::pkcs8::EncodePrivateKey as _;
        let der = k
            .to_pkcs8_der()
            .map_err(|_| Error::Key("cannot encode the P-256 key"))?;
        let der = Zeroizing::new(der.as_bytes().to_vec());
        Ok(Self {
            encoding: EncodingKey::from_ec_der(&der),
            public: PublicKey::p256(&k.public_key())?,
            der,
        })
    }

    /// The key as a PEM PKCS#8 private key, what [`SigningKey::from_pem`] reads.
    pub fn to_pem(&self) -> Zeroizing<String> {
        let body = base64::engine::general_purpose::STANDARD.encode(self.der.as_slice());
        let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        Zeroizing::new(pem)
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key id ([`PublicKey::kid`]).
    pub fn kid(&self) -> &str {
        self.public.kid()
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.public.alg
    }
}

/// The keys of an issuer: the one that signs, and the public keys of those it replaced.
///
/// Rotation with overlap: make the new key the signing key and keep the old one's public
/// key with [`KeySet::previous`] for at least the longest token lifetime plus the time
/// services take to refresh their JWKS copy; then drop it. Tokens the old key signed
/// verify until then, and are refused (unknown `kid`) after.
#[derive(Debug, Clone)]
pub struct KeySet {
    current: SigningKey,
    previous: Vec<PublicKey>,
}

impl KeySet {
    /// A set whose `current` key signs.
    pub fn new(current: SigningKey) -> Self {
        Self {
            current,
            previous: Vec::new(),
        }
    }

    /// Also publishes `key` (a key that signed before): tokens it signed still verify.
    /// The current key given again is ignored.
    pub fn previous(mut self, key: PublicKey) -> Self {
        if key.kid() != self.current.kid() && !self.previous.iter().any(|k| k.kid() == key.kid()) {
            self.previous.push(key);
        }
        self
    }

    /// The signing key.
    pub fn current(&self) -> &SigningKey {
        &self.current
    }

    /// The published keys that no longer sign.
    pub fn retired(&self) -> &[PublicKey] {
        &self.previous
    }

    /// The JWKS document (RFC 7517): the current key first, then the previous ones.
    pub fn jwks(&self) -> JwkSet {
        let keys = std::iter::once(self.current.public_key())
            .chain(&self.previous)
            .map(|k| k.jwk.clone())
            .collect();
        JwkSet { keys }
    }

    /// Signs `claims` with the current key, with the header `alg`, `kid` and
    /// `typ: at+jwt`.
    ///
    /// # Errors
    /// [`Error::Jwt`] when the library cannot sign (a key it refuses).
    pub fn sign(&self, claims: &AccessClaims) -> Result<String, Error> {
        let mut header = Header::new(self.current.algorithm().jwt());
        header.kid = Some(self.current.kid().to_owned());
        header.typ = Some(TOKEN_TYPE.to_owned());
        jsonwebtoken::encode(&header, claims, &self.current.encoding).map_err(Error::Jwt)
    }
}
