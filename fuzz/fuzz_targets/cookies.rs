//! Reading the session cookie out of `Cookie` headers. For well-formed cookie lists the
//! session is the first cookie with exactly the session's name (as RFC 6265 and the
//! `cookie` crate read it), never one with a look-alike or unprefixed name; for any
//! bytes at all, a session is only found where the `cookie` crate sees one too.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use auth_core::SessionToken;
use auth_fuzz::Site;
use auth_http::AuthWeb;
use cookie::Cookie;
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Name {
    Session,
    /// The name without its `__Host-` prefix: what a sibling subdomain could plant.
    Unprefixed,
    /// The name with a character more or less.
    LookAlike(bool),
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Value {
    /// One of a few well-formed session ids.
    Token(u8),
    Other(String),
}

/// How the value is quoted: RFC 6265 allows one pair of double quotes around it.
#[derive(Debug, Arbitrary, Clone, Copy, PartialEq, Eq)]
enum Quotes {
    None,
    Pair,
    OpeningOnly,
    ClosingOnly,
    TwoPairs,
}

#[derive(Debug, Arbitrary)]
struct Pair {
    name: Name,
    value: Value,
    quotes: Quotes,
    /// Whitespace before the name, around `=`, after the value.
    spaces: [bool; 4],
}

#[derive(Debug, Arbitrary)]
enum Header {
    Pairs(Vec<Pair>),
    Raw(Vec<u8>),
}

const TOKENS: [&str; 3] = [
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "abcdefghijklmnopqrstuvwxyz0123456789-_ABCDE",
    "Zm9vYmFyYmF6cXV4cXV1eHh5enp5eHd2dXRzcnFwb24",
];

fn web() -> &'static AuthWeb {
    static WEB: OnceLock<AuthWeb> = OnceLock::new();
    WEB.get_or_init(|| Site::new().web())
}

/// A cookie-octet (RFC 6265): visible ASCII but `"`, `,`, `;` and `\`.
fn octet(c: char) -> bool {
    c.is_ascii_graphic() && !"\",;\\".contains(c)
}

/// A token character (RFC 7230), as cookie names are made of.
fn tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn render(pair: &Pair, session: &str) -> (String, String) {
    let name = match &pair.name {
        Name::Session => session.to_owned(),
        Name::Unprefixed => session.trim_start_matches("__Host-").to_owned(),
        Name::LookAlike(longer) if *longer => format!("{session}x"),
        Name::LookAlike(_) => session[..session.len() - 1].to_owned(),
        Name::Other(s) => s.chars().filter(|c| tchar(*c)).collect(),
    };
    let name = if name.is_empty() {
        "n".to_owned()
    } else {
        name
    };
    let value = match &pair.value {
        Value::Token(i) => TOKENS[usize::from(*i) % TOKENS.len()].to_owned(),
        Value::Other(s) => s.chars().filter(|c| octet(*c)).collect(),
    };
    (name, value)
}

fuzz_target!(|headers: Vec<Header>| {
    let web = web();
    let session = web.session_cookie_name();
    let mut map = HeaderMap::new();
    let mut expected: Option<Option<String>> = Some(None);
    for header in &headers {
        let text = match header {
            Header::Pairs(pairs) => {
                let mut parts = Vec::new();
                for pair in pairs {
                    let (name, value) = render(pair, session);
                    let (open, close) = match pair.quotes {
                        Quotes::None => ("", ""),
                        Quotes::Pair => ("\"", "\""),
                        Quotes::OpeningOnly => ("\"", ""),
                        Quotes::ClosingOnly => ("", "\""),
                        Quotes::TwoPairs => ("\"\"", "\"\""),
                    };
                    if name == session && matches!(expected, Some(None)) {
                        // What RFC 6265 reads: the value without one pair of quotes.
                        let read = match pair.quotes {
                            Quotes::None | Quotes::Pair => value.clone(),
                            Quotes::OpeningOnly => format!("\"{value}"),
                            Quotes::ClosingOnly => format!("{value}\""),
                            Quotes::TwoPairs => format!("\"{value}\""),
                        };
                        expected = Some(Some(read));
                    }
                    let sp = |on: bool| if on { " " } else { "" };
                    parts.push(format!(
                        "{}{name}{}={}{open}{value}{close}{}",
                        sp(pair.spaces[0]),
                        sp(pair.spaces[1]),
                        sp(pair.spaces[2]),
                        sp(pair.spaces[3]),
                    ));
                }
                parts.join(";")
            }
            Header::Raw(bytes) => {
                // Past this header nothing can be predicted; before it, it may hold the
                // first session cookie, so the prediction only stands if it is settled.
                if matches!(expected, Some(None)) {
                    expected = None;
                }
                match HeaderValue::from_bytes(bytes) {
                    Ok(v) => {
                        map.append(COOKIE, v);
                    }
                    Err(_) => {}
                }
                continue;
            }
        };
        map.append(COOKIE, HeaderValue::from_str(&text).expect("visible ASCII"));
    }

    let found = web.session_token(&map).map(|t| t.expose().to_owned());
    if let Some(expected) = expected {
        let expected = expected.as_deref().and_then(SessionToken::parse);
        assert_eq!(
            found.as_deref(),
            expected.as_ref().map(SessionToken::expose),
            "{map:?}"
        );
    }
    // Whatever is found, the `cookie` crate finds under the session's name too.
    if let Some(found) = found {
        let seen = map
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .any(|c| c.name() == session && c.value_trimmed() == found);
        assert!(
            seen,
            "session {found:?} read where no cookie has it: {map:?}"
        );
    }
});
