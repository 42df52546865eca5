//! `#[needs(..)]` for tests that need a service: a test whose service is not configured
//! where it is built is **ignored, with the reason**, so that `cargo nextest run` counts
//! it as skipped and `cargo test` prints `ignored, needs PostgreSQL: set
//! AUTH_TEST_POSTGRES_URL`, instead of the test returning early and counting as passed.
//!
//! ```
//! #[test_services::needs(postgres, redis)]
//! #[test]
//! fn users_in_postgres_sessions_in_redis() {
//!     let url = std::env::var("AUTH_TEST_POSTGRES_URL").expect("set when this test runs");
//!     # let _ = url;
//! }
//! # fn main() {}
//! ```
//!
//! Put it above `#[test]` or `#[tokio::test]`. The services, and what makes each usable:
//!
//! | name | usable when |
//! | --- | --- |
//! | `postgres` | `AUTH_TEST_POSTGRES_URL` is set |
//! | `mysql` | `AUTH_TEST_MYSQL_URL` is set (MariaDB or MySQL) |
//! | `redis` | `AUTH_TEST_REDIS_URL` is set |
//! | `smtp_server` | `python3` imports `aiosmtpd`, or `AUTH_TEST_SMTP` is set |
//! | `python_hashers` | `python3` imports `bcrypt`, `passlib`, `django` and `argon2` (argon2-cffi), or `AUTH_TEST_PYTHON_HASHERS` is set |
//! | `python_webhooks` | `python3` imports `standardwebhooks`, or `AUTH_TEST_PYTHON_WEBHOOKS` is set |
//! | `chromium` | a Chromium is on `PATH` or at `$CHROMIUM`, or `AUTH_TEST_CHROMIUM` is set |
//! | `chromedriver` | `chromedriver` is on `PATH` or at `$CHROMEDRIVER`, or `AUTH_TEST_CHROMIUM` is set |
//! | `redis_server` | `redis-server` is on `PATH` |
//! | `redis_cli` | `redis-cli` is on `PATH` (a test that builds a Redis Cluster with it) |
//! | `openssl` | `openssl` is on `PATH` |
//! | `oidc_provider` | `AUTH_TEST_OIDC_PROVIDER` is set (the directory of `tests/oidc-provider`, its `oidc-provider` installed) |
//!
//! **Under `CI`** (set to anything but empty, `0` or `false`) every service counts as
//! usable: nothing is ignored, and a test whose service is missing fails. A test that runs
//! must therefore not skip by itself: its helper panics when the service is missing
//! (which also makes `--run-ignored` on a machine without the service fail rather than
//! pass).
//!
//! The decision is taken when the tests are **built** (this crate's build script, see
//! `src/gates.rs`): Cargo rebuilds them when one of the variables above, `PATH` or `CI`
//! changes. Installing a program or Python module into a directory already on `PATH` is
//! not seen until then; `cargo clean -p test-services` forces a new look.

#![expect(
    clippy::test_attr_in_doctest,
    reason = "the example above is a test on purpose, and compiled so that it keeps working"
)]

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

#[cfg(test)]
mod gates;

/// Each service by name, with the reason it cannot be used in this build (`None`: it can).
/// Written by the build script.
const GATES: &[(&str, Option<&str>)] = include!(concat!(env!("OUT_DIR"), "/gates.rs"));

/// Ignores the test it is put on, with the reason, when one of the named services cannot
/// be used in this build (see the [crate docs](crate)); leaves it alone otherwise.
#[proc_macro_attribute]
pub fn needs(args: TokenStream, item: TokenStream) -> TokenStream {
    const USAGE: &str = "name the services, e.g. `#[needs(postgres, redis)]`";
    let mut names = Vec::new();
    for token in args {
        match token {
            TokenTree::Ident(ident) => names.push((ident.to_string(), ident.span())),
            TokenTree::Punct(p) if p.as_char() == ',' => {}
            other => return error(other.span(), USAGE, item),
        }
    }
    if names.is_empty() {
        return error(Span::call_site(), USAGE, item);
    }
    match reason(GATES, &names) {
        Ok(None) => item,
        Ok(Some(reason)) => {
            let mut out = ignore(&reason);
            out.extend(item);
            out
        }
        Err((span, message)) => error(span, &message, item),
    }
}

/// Why a test needing `names` is ignored in a build with `gates`, if it is; or the name
/// (with its span) that is not a service, and what to say about it.
fn reason<S: Copy>(
    gates: &[(&str, Option<&str>)],
    names: &[(String, S)],
) -> Result<Option<String>, (S, String)> {
    let mut reasons = Vec::new();
    for (name, span) in names {
        match gates.iter().find(|(known, _)| known == name) {
            Some((_, Some(why))) => reasons.push(*why),
            Some((_, None)) => {}
            None => {
                let known: Vec<_> = gates.iter().map(|(known, _)| *known).collect();
                return Err((
                    *span,
                    format!("unknown service `{name}`; known: {}", known.join(", ")),
                ));
            }
        }
    }
    Ok((!reasons.is_empty()).then(|| reasons.join("; ")))
}

/// `#[ignore = "<reason>"]`.
fn ignore(reason: &str) -> TokenStream {
    let inner: TokenStream = [
        TokenTree::Ident(Ident::new("ignore", Span::call_site())),
        TokenTree::Punct(Punct::new('=', Spacing::Alone)),
        TokenTree::Literal(Literal::string(reason)),
    ]
    .into_iter()
    .collect();
    [
        TokenTree::Punct(Punct::new('#', Spacing::Alone)),
        TokenTree::Group(Group::new(Delimiter::Bracket, inner)),
    ]
    .into_iter()
    .collect()
}

/// `::core::compile_error!("<message>");` at `span`, followed by `item` unchanged (so that
/// the error is the only one).
fn error(span: Span, message: &str, item: TokenStream) -> TokenStream {
    let mut message = Literal::string(message);
    message.set_span(span);
    let mut out: TokenStream = [
        TokenTree::Punct(Punct::new(':', Spacing::Joint)),
        TokenTree::Punct(Punct::new(':', Spacing::Alone)),
        TokenTree::Ident(Ident::new("core", span)),
        TokenTree::Punct(Punct::new(':', Spacing::Joint)),
        TokenTree::Punct(Punct::new(':', Spacing::Alone)),
        TokenTree::Ident(Ident::new("compile_error", span)),
        TokenTree::Punct(Punct::new('!', Spacing::Alone)),
        TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            TokenTree::Literal(message).into(),
        )),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ]
    .into_iter()
    .collect();
    out.extend(item);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GATES: &[(&str, Option<&str>)] = &[
        (
            "postgres",
            Some("needs PostgreSQL: set AUTH_TEST_POSTGRES_URL"),
        ),
        ("redis", Some("needs Redis: set AUTH_TEST_REDIS_URL")),
        ("openssl", None),
    ];

    fn names(names: &[&str]) -> Vec<(String, ())> {
        names.iter().map(|n| ((*n).to_owned(), ())).collect()
    }

    #[test]
    fn usable_services_ignore_nothing() {
        assert_eq!(reason(GATES, &names(&["openssl"])), Ok(None));
    }

    #[test]
    fn every_missing_service_is_in_the_reason() {
        assert_eq!(
            reason(GATES, &names(&["postgres", "openssl", "redis"])),
            Ok(Some(
                "needs PostgreSQL: set AUTH_TEST_POSTGRES_URL; needs Redis: set AUTH_TEST_REDIS_URL"
                    .to_owned()
            ))
        );
    }

    #[test]
    fn an_unknown_name_is_an_error_listing_the_known_ones() {
        assert_eq!(
            reason(GATES, &names(&["openssl", "postgresql"])),
            Err((
                (),
                "unknown service `postgresql`; known: postgres, redis, openssl".to_owned()
            ))
        );
    }

    #[test]
    fn the_build_knows_every_service() {
        let built: Vec<_> = super::GATES.iter().map(|(name, _)| *name).collect();
        let declared: Vec<_> = gates::SERVICES.iter().map(|s| s.name).collect();
        assert_eq!(built, declared);
    }
}
