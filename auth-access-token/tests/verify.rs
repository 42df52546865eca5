//! The verifier against tokens good and bad: every refusal a service relies on.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use auth_access_token::{
    AccessClaims, Error, KeyAlgorithm, KeySet, PublicKey, Rejection, SigningKey, Verifier,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

const ISS: &str = "https://auth.example.com";
const AUD: &str = "orders";
const NOW: u64 = 1_700_000_000;

fn claims() -> AccessClaims {
    AccessClaims {
        iss: ISS.into(),
        sub: "user-1".into(),
        aud: AUD.into(),
        exp: NOW + 300,
        nbf: NOW,
        iat: NOW,
        jti: auth_access_token::new_token_id(),
        roles: vec!["admin".into()],
        scope: "read:profile admin:users".into(),
    }
}

fn verifier(keys: &KeySet) -> Verifier {
    Verifier::new(&keys.jwks(), ISS, AUD).unwrap()
}

fn rejection(v: &Verifier, token: &str, now: u64) -> Rejection {
    match v.verify_at(token, now) {
        Err(Error::Rejected(r)) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn a_good_token_verifies_with_both_algorithms() {
    for alg in [KeyAlgorithm::EdDsa, KeyAlgorithm::Es256] {
        let keys = KeySet::new(SigningKey::generate(alg).unwrap());
        let token = keys.sign(&claims()).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, alg.jwt_name_for_test());
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.kid.as_deref(), Some(keys.current().kid()));
        let got = verifier(&keys).verify_at(&token, NOW + 1).unwrap();
        assert_eq!(got, claims_with_jti(&got.jti));
        assert!(got.has_scope("admin:users") && !got.has_scope("admin"));
        assert!(got.has_role("admin"));
    }
}

fn claims_with_jti(jti: &str) -> AccessClaims {
    AccessClaims {
        jti: jti.into(),
        ..claims()
    }
}

trait JwtName {
    fn jwt_name_for_test(self) -> Algorithm;
}
impl JwtName for KeyAlgorithm {
    fn jwt_name_for_test(self) -> Algorithm {
        match self {
            KeyAlgorithm::EdDsa => Algorithm::EdDSA,
            _ => Algorithm::ES256,
        }
    }
}

#[test]
fn expiry_and_not_before_are_checked_with_the_leeway() {
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let v = verifier(&keys).leeway(30);
    let token = keys.sign(&claims()).unwrap();
    assert!(
        v.verify_at(&token, NOW + 300 + 29).is_ok(),
        "within the leeway"
    );
    assert_eq!(rejection(&v, &token, NOW + 300 + 30), Rejection::Expired);
    assert_eq!(rejection(&v, &token, NOW + 86_400), Rejection::Expired);
    assert!(
        v.verify_at(&token, NOW - 30).is_ok(),
        "skew within the leeway"
    );
    assert_eq!(rejection(&v, &token, NOW - 31), Rejection::NotYetValid);
    let later = keys
        .sign(&AccessClaims {
            nbf: NOW + 100,
            ..claims()
        })
        .unwrap();
    assert_eq!(rejection(&v, &later, NOW), Rejection::NotYetValid);
    // The system clock: a token of 2023 is long dead.
    assert_eq!(
        verifier(&keys).verify(&token).unwrap_err().rejection(),
        Some(Rejection::Expired)
    );
}

#[test]
fn another_audience_or_issuer_is_refused() {
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let v = verifier(&keys);
    let other_aud = keys
        .sign(&AccessClaims {
            aud: "billing".into(),
            ..claims()
        })
        .unwrap();
    assert_eq!(rejection(&v, &other_aud, NOW), Rejection::Audience);
    let other_iss = keys
        .sign(&AccessClaims {
            iss: "https://evil.example.com".into(),
            ..claims()
        })
        .unwrap();
    assert_eq!(rejection(&v, &other_iss, NOW), Rejection::Issuer);
    let good = keys.sign(&claims()).unwrap();
    let billing = Verifier::new(&keys.jwks(), ISS, "billing").unwrap();
    assert_eq!(rejection(&billing, &good, NOW), Rejection::Audience);
}

#[test]
fn a_token_of_another_key_is_refused() {
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let stranger = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let v = verifier(&keys);
    let token = stranger.sign(&claims()).unwrap();
    assert_eq!(rejection(&v, &token, NOW), Rejection::UnknownKey);

    // The stranger's signature under our kid: the signature check catches it.
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.current().kid().to_owned());
    header.typ = Some("at+jwt".into());
    let forged = jsonwebtoken::encode(
        &header,
        &claims(),
        &EncodingKey::from_ed_der(&pem_der(&stranger.current().to_pem())),
    )
    .unwrap();
    assert_eq!(rejection(&v, &forged, NOW), Rejection::Signature);

    // A signature of one token on the claims of another.
    let a = keys.sign(&claims()).unwrap();
    let b = keys
        .sign(&AccessClaims {
            sub: "user-2".into(),
            ..claims()
        })
        .unwrap();
    let (a_head_claims, _) = a.rsplit_once('.').unwrap();
    let (_, b_sig) = b.rsplit_once('.').unwrap();
    assert_eq!(
        rejection(&v, &format!("{a_head_claims}.{b_sig}"), NOW),
        Rejection::Signature
    );
}

#[test]
fn a_rotated_key_verifies_during_the_overlap_and_not_after() {
    let old = SigningKey::generate(KeyAlgorithm::EdDsa).unwrap();
    let before = KeySet::new(old.clone());
    let old_token = before.sign(&claims()).unwrap();

    // Rotation: a new key signs, the old one is still published (from its public PEM,
    // as an operator would configure it).
    let public_pem = public_pem_of(&old);
    let rotated = KeySet::new(SigningKey::generate(KeyAlgorithm::Es256).unwrap())
        .previous(PublicKey::from_pem(&public_pem).unwrap());
    assert_eq!(rotated.jwks().keys.len(), 2);
    let v = verifier(&rotated);
    let got = v.verify_at(&old_token, NOW).unwrap();
    assert_eq!(got.sub, "user-1");
    let new_token = rotated.sign(&claims()).unwrap();
    assert!(v.verify_at(&new_token, NOW).is_ok());
    assert_ne!(
        jwt_kid(&old_token),
        jwt_kid(&new_token),
        "each key signs under its own kid"
    );

    // After the overlap the old key is dropped: its tokens are refused.
    let after = KeySet::new(rotated.current().clone());
    let v = verifier(&after);
    assert_eq!(rejection(&v, &old_token, NOW), Rejection::UnknownKey);
    assert!(v.verify_at(&new_token, NOW).is_ok());
}

#[test]
fn the_kid_is_the_thumbprint_and_survives_a_reload() {
    let key = SigningKey::generate(KeyAlgorithm::EdDsa).unwrap();
    let again = SigningKey::from_pem(&key.to_pem()).unwrap();
    assert_eq!(key.kid(), again.kid());
    assert_eq!(key.kid().len(), 43, "base64url of SHA-256");
    let public = PublicKey::from_pem(&key.to_pem()).unwrap();
    assert_eq!(public.kid(), key.kid());
    let es = SigningKey::generate(KeyAlgorithm::Es256).unwrap();
    assert_eq!(SigningKey::from_pem(&es.to_pem()).unwrap().kid(), es.kid());
    assert_eq!(es.algorithm(), KeyAlgorithm::Es256);
    assert!(!format!("{key:?}").contains(&key.to_pem()[28..60]));
    assert!(matches!(
        SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        Err(Error::Key(_))
    ));
    assert!(matches!(PublicKey::from_pem("hello"), Err(Error::Key(_))));
}

#[test]
fn alg_none_and_hs256_confusion_are_refused() {
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let v = verifier(&keys);
    let kid = keys.current().kid().to_owned();
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims()).unwrap());

    // alg: none, no signature.
    let none_header = URL_SAFE_NO_PAD
        .encode(format!(r#"{{"alg":"none","typ":"at+jwt","kid":"{kid}"}}"#).as_bytes());
    assert_eq!(
        rejection(&v, &format!("{none_header}.{body}."), NOW),
        Rejection::Algorithm
    );

    // HS256 with the public key (as published in the JWKS) as the HMAC secret.
    let jwk_x = serde_json::to_value(keys.jwks()).unwrap()["keys"][0]["x"]
        .as_str()
        .unwrap()
        .to_owned();
    for secret in [
        jwk_x.as_bytes().to_vec(),
        URL_SAFE_NO_PAD.decode(&jwk_x).unwrap(),
    ] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        header.typ = Some("at+jwt".into());
        let hs =
            jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(&secret)).unwrap();
        assert_eq!(rejection(&v, &hs, NOW), Rejection::Algorithm);
    }

    // ES256 claimed for the Ed25519 key's kid.
    let es = SigningKey::generate(KeyAlgorithm::Es256).unwrap();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid);
    header.typ = Some("at+jwt".into());
    let mixed = jsonwebtoken::encode(
        &header,
        &claims(),
        &EncodingKey::from_ec_der(&pem_der(&es.to_pem())),
    )
    .unwrap();
    assert_eq!(rejection(&v, &mixed, NOW), Rejection::Algorithm);
}

#[test]
fn malformed_and_oversized_tokens_are_refused() {
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let v = verifier(&keys);
    for junk in ["", "abc", "a.b.c", "..", "eyJhbGciOiJFZERTQSJ9.x.y"] {
        assert!(
            matches!(
                rejection(&v, junk, NOW),
                Rejection::Malformed | Rejection::Algorithm | Rejection::UnknownKey
            ),
            "{junk}"
        );
    }
    assert_eq!(rejection(&v, &"a".repeat(9000), NOW), Rejection::TooLarge);

    // Another typ (an ID token, say) is not an access token.
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.current().kid().to_owned());
    header.typ = Some("JWT".into());
    let id_token = jsonwebtoken::encode(
        &header,
        &claims(),
        &EncodingKey::from_ed_der(&pem_der(&keys.current().to_pem())),
    )
    .unwrap();
    assert_eq!(rejection(&v, &id_token, NOW), Rejection::Malformed);

    // A claim missing.
    let mut no_sub = serde_json::to_value(claims()).unwrap();
    no_sub.as_object_mut().unwrap().remove("sub");
    header.typ = Some("at+jwt".into());
    let token = jsonwebtoken::encode(
        &header,
        &no_sub,
        &EncodingKey::from_ed_der(&pem_der(&keys.current().to_pem())),
    )
    .unwrap();
    assert_eq!(rejection(&v, &token, NOW), Rejection::Malformed);
}

#[test]
fn a_jwks_without_usable_keys_is_refused_and_strangers_are_skipped() {
    assert!(matches!(
        Verifier::from_json(r#"{"keys":[]}"#, ISS, AUD),
        Err(Error::NoUsableKey)
    ));
    assert!(matches!(
        Verifier::from_json("not json", ISS, AUD),
        Err(Error::Jwks(_))
    ));
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let mut doc = serde_json::to_value(keys.jwks()).unwrap();
    doc["keys"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"kty": "oct", "k": "c2VjcmV0", "kid": "hmac", "alg": "HS256"}));
    let v = Verifier::from_json(&doc.to_string(), ISS, AUD).unwrap();
    assert_eq!(v.kids().collect::<Vec<_>>(), vec![keys.current().kid()]);
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

fn jwt_kid(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

/// The SubjectPublicKeyInfo PEM of a key, as `openssl pkey -pubout` writes it.
fn public_pem_of(key: &SigningKey) -> String {
    use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding};
    let k = ed25519_dalek::SigningKey::from_pkcs8_pem(&key.to_pem()).unwrap();
    k.verifying_key().to_public_key_pem(LineEnding::LF).unwrap()
}
