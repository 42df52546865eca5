//! Link tokens. Arbitrary text never verifies (and never panics the verifier); a token
//! that verifies was issued for the purpose asked, to the user and address it names,
//! and has not expired; any other purpose, a later instant, another secret under the
//! same key id or a forgotten key refuse it; and no edit of an issued token is accepted.
#![no_main]

use arbitrary::Arbitrary;
use auth_core::conformance::sample_user;
use auth_core::token::MAX_TOKEN_BYTES;
use auth_core::{
    Error, Purpose, SecurityStamp, TokenKeys, TokenLifetimes, TokenRejection, TokenService, User,
};
use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};

const OLD: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
const NEW: &[u8; 32] = b"fedcba9876543210fedcba9876543210";
const PURPOSES: [Purpose; 3] = [
    Purpose::VerifyEmail,
    Purpose::ResetPassword,
    Purpose::ChangeEmail,
];
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/";

#[derive(Debug, Arbitrary)]
struct Input {
    raw: String,
    purpose: u8,
    email: String,
    stamp: String,
    /// Seconds after 2001-09-09.
    now: u32,
    edits: Vec<(u16, u8)>,
}

fn service(keys: TokenKeys) -> TokenService {
    TokenService::new(keys, TokenLifetimes::default()).expect("valid lifetimes")
}

fn reason(result: auth_core::Result<auth_core::Claims>) -> Option<TokenRejection> {
    match result {
        Err(Error::Token { reason, .. }) => Some(reason),
        Err(other) => panic!("a token refusal must be Error::Token, got {other:?}"),
        Ok(_) => None,
    }
}

fuzz_target!(|input: Input| {
    // Signing with the new key; the old one still verifies (a rotation in progress).
    let rotated = service(
        TokenKeys::new("k2", NEW)
            .and_then(|k| k.with_verification_key("k1", OLD))
            .expect("valid keys"),
    );
    let now = OffsetDateTime::from_unix_timestamp(1_000_000_000 + i64::from(input.now))
        .expect("in range");
    let purpose = PURPOSES[usize::from(input.purpose) % 3];

    // Nobody holds the secrets here, so nothing made up verifies, for any purpose.
    for p in PURPOSES {
        assert!(
            reason(rotated.verify(&input.raw, p, now)).is_some(),
            "arbitrary text verified: {:?}",
            input.raw
        );
    }

    let user = User {
        email: "owner@example.com".into(),
        username: None,
        security_stamp: SecurityStamp::new(input.stamp.clone()),
        ..sample_user(now)
    };
    let token = match rotated.issue(purpose, &user, &input.email, now) {
        Ok(token) => token,
        Err(Error::Validation(_)) => {
            assert!(input.email.len() + input.stamp.len() > MAX_TOKEN_BYTES / 2);
            return;
        }
        Err(other) => panic!("issuing failed: {other:?}"),
    };
    assert!(token.len() <= MAX_TOKEN_BYTES);

    let claims = rotated
        .verify(&token, purpose, now)
        .expect("a fresh token verifies");
    assert_eq!((claims.sub, claims.aud), (user.id, purpose));
    assert_eq!(claims.email, input.email);
    assert!(user.security_stamp.matches(&claims.stamp));
    assert_eq!(
        claims.exp - claims.iat,
        TokenLifetimes::default().get(purpose)
    );
    assert!(claims.iat <= now && now - claims.iat < Duration::SECOND);

    for other in PURPOSES.into_iter().filter(|p| *p != purpose) {
        assert_eq!(
            reason(rotated.verify(&token, other, now)),
            Some(TokenRejection::WrongPurpose)
        );
    }
    assert_eq!(
        reason(rotated.verify(&token, purpose, claims.exp)),
        Some(TokenRejection::Expired)
    );
    let impostor = service(TokenKeys::new("k2", OLD).expect("valid keys"));
    assert_eq!(
        reason(impostor.verify(&token, purpose, now)),
        Some(TokenRejection::BadSignature)
    );
    let before_rotation = service(TokenKeys::new("k1", OLD).expect("valid keys"));
    assert_eq!(
        reason(before_rotation.verify(&token, purpose, now)),
        Some(TokenRejection::UnknownKey)
    );

    let mut edited = token.clone().into_bytes();
    for (at, byte) in &input.edits {
        let at = usize::from(*at) % edited.len();
        edited[at] = B64URL[usize::from(*byte) % B64URL.len()];
    }
    let edited = String::from_utf8(edited).expect("ASCII edits of ASCII");
    if edited != token {
        assert!(
            rotated.verify(&edited, purpose, now).is_err(),
            "an edited token was accepted: {token} -> {edited}"
        );
    }
});
