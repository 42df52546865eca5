//! Every address `auth-core` accepts can be mailed by this crate's mailers (lettre), as the
//! same address: checked over a corpus of tricky addresses and with a property test. The
//! other way round does not hold and need not: the core refuses some addresses lettre
//! would take (IP literals, a domain without a dot, ...).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::str::FromStr;

use auth_core::validate::normalize_email;
use auth_core::{Email, MailKind, Mailer};
use auth_smtp::FileMailer;
use lettre::message::Mailbox;
use lettre::{Address, Message};
use proptest::prelude::*;

/// Whether lettre takes `address` exactly as it is, as the SMTP mailer does with a
/// recipient: a bare address (no display name), the same user and domain, and a message
/// to it builds with the address in its envelope.
fn lettre_mails_to(address: &str) -> Result<(), String> {
    let mailbox = Mailbox::from_str(address).map_err(|e| format!("Mailbox: {e}"))?;
    if mailbox.name.is_some() {
        return Err(format!("read as a display name: {mailbox:?}"));
    }
    if mailbox.email.to_string() != address {
        return Err(format!("read as another address: {}", mailbox.email));
    }
    let (user, domain) = address.rsplit_once('@').unwrap();
    let plain = Address::from_str(address).map_err(|e| format!("Address: {e}"))?;
    if plain.user() != user || plain.domain() != domain {
        return Err(format!("split differently: {plain:?}"));
    }
    let message = Message::builder()
        .from("no-reply@example.com".parse().unwrap())
        .to(mailbox)
        .subject("check")
        .body("body".to_owned())
        .map_err(|e| format!("Message: {e}"))?;
    let recipients: Vec<String> = message
        .envelope()
        .to()
        .iter()
        .map(ToString::to_string)
        .collect();
    if recipients != [address] {
        return Err(format!("envelope recipients {recipients:?}"));
    }
    Ok(())
}

/// Addresses that are valid somewhere (RFC 5322, the HTML spec, real mailboxes) or
/// invalid in instructive ways.
const CORPUS: &[&str] = &[
    // The defect: quoted local parts pass a RFC 5322 parser; lettre refuses or rewrites.
    "\"x y\"@example.com",
    "\"abc\"@example.com",
    "\"a@b\"@example.com",
    "\"\"@example.com",
    "\"a\\\"b\"@example.com",
    "\"a.b\".c@example.com",
    "a.\"b\"@example.com",
    // Plain and unusual but ordinary.
    "ada@example.com",
    "ADA@EXAMPLE.COM",
    "  ada@example.com  ",
    "first.last@example.co.uk",
    "o'brien+tag@example.com",
    "x!#$%&*/=?^_`{|}~-@example.com",
    "1@1.example",
    "a@b.co",
    "a@xn--bcher-kva.example",
    "user@sub-domain.example.com",
    // Internationalised (RFC 6531/6532) and compatibility forms.
    "jörg@bücher.example",
    "用户@例子.广告",
    "ｂｏｂ@ｅｘａｍｐｌｅ.ｃｏｍ",
    "straße@example.de",
    "İstanbul@example.com",
    "\u{301}x@example.com",
    "a\u{301}@example.com",
    "a\u{200b}b@example.com",
    "€@example.com",
    "a@exam€ple.com",
    // Dots, lengths, structure.
    ".a@example.com",
    "a.@example.com",
    "a..b@example.com",
    "a@example..com",
    "a@.example.com",
    "a@example.com.",
    "a@-example.com",
    "a@example-.com",
    "a@exa_mple.com",
    "a@localhost",
    "a@example",
    "a@1.2.3.4",
    "a@example.123",
    "a@[127.0.0.1]",
    "a@[IPv6:::1]",
    "a@b@example.com",
    "@example.com",
    "a@",
    "a",
    "",
    // Display names, comments, whitespace and specials.
    "Ada <ada@example.com>",
    "<ada@example.com>",
    "ada@example.com (Ada)",
    "(c)ada@example.com",
    "a b@example.com",
    "a\tb@example.com",
    "a\nb@example.com",
    "a\\b@example.com",
    "a,b@example.com",
    "a;b@example.com",
    "a:b@example.com",
    "a<b@example.com",
    "a>b@example.com",
    "a[b]@example.com",
    "a\u{0}b@example.com",
    "a\u{7f}b@example.com",
];

#[test]
fn every_address_the_core_accepts_is_mailed_as_it_is() {
    let mut accepted = 0;
    for input in CORPUS {
        let Ok(address) = normalize_email("email", input) else {
            continue;
        };
        accepted += 1;
        if let Err(why) = lettre_mails_to(&address) {
            panic!("the core accepts {input:?} as {address:?}, but lettre does not: {why}");
        }
    }
    assert!(
        accepted >= 15,
        "only {accepted} addresses of the corpus accepted"
    );
}

#[test]
fn the_address_of_the_defect_is_refused_by_both() {
    for input in ["\"x y\"@example.com", "\"abc\"@example.com"] {
        assert!(normalize_email("email", input).is_err(), "{input}");
    }
    assert!(lettre_mails_to("\"x y\"@example.com").is_err());
    // lettre takes `"abc"@example.com` only by dropping the quotes: not as it is.
    assert!(lettre_mails_to("\"abc\"@example.com").is_err());
}

#[tokio::test]
async fn the_file_mailer_sends_to_every_accepted_address_of_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(dir.path()).unwrap();
    for input in CORPUS {
        let Ok(to) = normalize_email("email", input) else {
            continue;
        };
        let email = Email {
            to: to.clone(),
            subject: "Confirm your address".into(),
            text: "https://app.example/auth/verify/tok".into(),
            html: None,
            kind: MailKind::Verification,
        };
        if let Err(e) = mailer.send(&email).await {
            panic!("the core accepts {to:?}, the file mailer refuses it: {e:?}");
        }
    }
}

/// Characters an address is mostly made of: ASCII and non-ASCII letters and digits
/// (fullwidth and other compatibility forms included) and the ASCII specials of atext.
const COMMON: &[char] = &[
    'a', 'b', 'q', 'z', 'A', 'Z', '0', '7', '9', '-', '_', '+', '!', '#', '$', '%', '&', '\'', '*',
    '/', '=', '?', '^', '`', '{', '|', '}', '~', 'é', 'ß', 'Ω', '用', 'ｂ', '²', 'ǅ', 'ﬁ',
];

/// Characters that make addresses break: dots, quotes, whitespace and controls,
/// brackets, `@`, and non-ASCII marks, symbols and invisible characters.
const TRICKY: &[char] = &[
    '.', '@', '"', '\\', ' ', '\t', '\n', '\r', '(', ')', ',', ':', ';', '<', '>', '[', ']',
    '\u{0}', '\u{7f}', 'İ', '€', '\u{301}', '\u{200b}', '\u{feff}', '\u{a0}',
];

/// A run of mostly common characters, now and then a tricky one, rarely empty.
fn run(common: &'static [char], max: usize) -> impl Strategy<Value = String> {
    let len = prop_oneof![15 => 1..max, 1 => Just(0)];
    let char = prop_oneof![
        30 => prop::sample::select(common),
        1 => prop::sample::select(TRICKY),
    ];
    len.prop_flat_map(move |n| prop::collection::vec(char.clone(), n))
        .prop_map(|chars| chars.into_iter().collect())
}

/// Letters and digits of domain labels, and the hyphen.
const LABEL: &[char] = &['a', 'b', 'x', 'z', '0', '9', '-', 'é', 'ü', '例', 'ｅ', 'K'];

/// Mostly `local@domain` shapes (dot-separated runs, sometimes quoted; dot-separated
/// labels, sometimes a literal), so that many pass the core and many just fail; some
/// free-form strings.
fn address() -> impl Strategy<Value = String> {
    let local = prop_oneof![
        6 => prop::collection::vec(run(COMMON, 8), 1..4).prop_map(|runs| runs.join(".")),
        1 => run(COMMON, 10).prop_map(|inner| format!("\"{inner}\"")),
    ];
    let domain = prop_oneof![
        6 => prop::collection::vec(run(LABEL, 8), 2..5).prop_map(|labels| labels.join(".")),
        1 => run(LABEL, 8),
        1 => run(LABEL, 12).prop_map(|inner| format!("[{inner}]")),
    ];
    prop_oneof![
        8 => (local, domain).prop_map(|(l, d)| format!("{l}@{d}")),
        1 => run(TRICKY, 30),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn whatever_the_core_accepts_lettre_mails_as_it_is(input in address()) {
        if let Ok(address) = normalize_email("email", &input) {
            prop_assert!(
                lettre_mails_to(&address).is_ok(),
                "the core accepts {:?} as {:?}, lettre does not: {:?}",
                input, address, lettre_mails_to(&address)
            );
        }
    }
}

/// The property above means something only if the generator reaches addresses the core
/// accepts, and ones it refuses.
#[test]
fn the_generator_reaches_both_sides() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = address();
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..4000 {
        let input = strategy.new_tree(&mut runner).unwrap().current();
        if normalize_email("email", &input).is_ok() {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        accepted >= 400,
        "only {accepted} of 4000 generated addresses accepted"
    );
    assert!(
        refused >= 1000,
        "only {refused} of 4000 generated addresses refused"
    );
}
