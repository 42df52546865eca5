//! Email, username and role normalisation: whatever is accepted is already in normal
//! form (normalising it again changes nothing), within the documented limits and
//! alphabets; login identifiers split on `@` the way registration reads them.
#![no_main]

use arbitrary::Arbitrary;
use auth_core::validate::{
    LoginIdentifier, MAX_EMAIL_LEN, MAX_LOCAL_PART_BYTES, MAX_USERNAME_LEN, MIN_USERNAME_LEN,
    normalize_email, normalize_roles, normalize_username,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    text: String,
    roles: Vec<String>,
}

fuzz_target!(|input: Input| {
    check_email(&input.text);
    check_username(&input.text);
    check_login(&input.text);
    check_roles(&input.roles);
});

fn check_email(text: &str) {
    let Ok(email) = normalize_email("email", text) else {
        return;
    };
    assert_eq!(
        normalize_email("email", &email).ok().as_deref(),
        Some(email.as_str()),
        "a normalised address normalises to itself: {text:?} -> {email:?}"
    );
    assert!(email.chars().count() <= MAX_EMAIL_LEN, "{email:?}");
    assert_eq!(email.matches('@').count(), 1, "{email:?}");
    let (local, domain) = email.split_once('@').unwrap_or_default();
    assert!(
        !local.is_empty() && local.len() <= MAX_LOCAL_PART_BYTES,
        "{email:?}"
    );
    assert!(domain.contains('.'), "{email:?}");
    assert!(
        !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"()<>[]\\,;:".contains(c)),
        "an accepted address has no character a mail header could misread: {email:?}"
    );
    assert_eq!(email, email.to_lowercase(), "{email:?}");
}

fn check_username(text: &str) {
    let Ok(Some(name)) = normalize_username(Some(text)) else {
        return;
    };
    assert_eq!(
        normalize_username(Some(&name)).ok().flatten().as_deref(),
        Some(name.as_str()),
        "a normalised username normalises to itself: {text:?} -> {name:?}"
    );
    let len = name.chars().count();
    assert!(
        (MIN_USERNAME_LEN..=MAX_USERNAME_LEN).contains(&len),
        "{name:?}"
    );
    assert!(
        name.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b)),
        "{name:?}"
    );
    assert!(!name.contains('@'));
}

fn check_login(text: &str) {
    let Some(id) = LoginIdentifier::parse(text) else {
        return;
    };
    match &id {
        LoginIdentifier::Email(e) => {
            assert!(text.contains('@'));
            assert_eq!(normalize_email("email", text).ok().as_ref(), Some(e));
        }
        LoginIdentifier::Username(u) => {
            assert!(!text.contains('@'));
            assert_eq!(
                normalize_username(Some(text)).ok().flatten().as_ref(),
                Some(u)
            );
        }
        _ => unreachable!("no other kind of identifier"),
    }
    assert_eq!(LoginIdentifier::parse(id.as_str()).as_ref(), Some(&id));
}

fn check_roles(roles: &[String]) {
    let Ok(normalised) = normalize_roles(roles) else {
        return;
    };
    assert!(
        normalised.windows(2).all(|w| w[0] < w[1]),
        "sorted, no duplicates"
    );
    assert_eq!(
        normalize_roles(&normalised).ok().as_ref(),
        Some(&normalised),
        "normalised roles normalise to themselves"
    );
    assert!(normalised.len() <= roles.len());
}
