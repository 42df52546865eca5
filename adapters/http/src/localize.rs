//! The layer's messages in the request's language: errors (their message and their
//! fields' reasons), flash messages, error page titles and the admin pages' labels, from
//! the catalogues' `messages.ftl` by stable code.
//!
//! The engine and the layer write their messages in English. A message is replaced by its
//! translation only when it is the English catalogue's text for its code, so a message
//! written elsewhere (a hook's refusal, a reason the catalogues do not know yet) is shown
//! as it was written rather than replaced by another one with the same code.

use auth_core::Catalogues;

use crate::problem::Problem;

/// The first whole number in `text`, which messages such as "at least 12 characters"
/// carry as `$n`.
fn number_in(text: &str) -> Option<String> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits: String = text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(digits)
}

/// Whether `key` can be a Fluent message id (codes and field names become part of ids).
fn is_id(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `english` in `lang`, as the first of `keys` whose English text with `args` it is; or
/// `english` itself.
pub(crate) fn translate(
    catalogues: &Catalogues,
    lang: &str,
    keys: &[String],
    args: &[(&str, &str)],
    english: &str,
) -> String {
    keys.iter()
        .filter(|key| is_id(key) && catalogues.has("en", key))
        .find(|key| catalogues.text_with("en", key, args) == english)
        .map_or_else(
            || english.to_owned(),
            |key| catalogues.text_with(lang, key, args),
        )
}

/// How long to wait, in words: "a second", "5 minutes".
pub(crate) fn duration(catalogues: &Catalogues, lang: &str, seconds: u64) -> String {
    let s = seconds.max(1);
    let (key, n) = match s {
        1 => ("duration-second", s),
        2..=59 => ("duration-seconds", s),
        60..=119 => ("duration-minute", 1),
        120..=3599 => ("duration-minutes", s.div_ceil(60)),
        _ => ("duration-hours", s.div_ceil(3600)),
    };
    catalogues.text_with(lang, key, &[("n", &n.to_string())])
}

/// `p` with its message and its fields' reasons in `lang`; codes and field names stay.
pub(crate) fn problem(catalogues: &Catalogues, lang: &str, p: &Problem) -> Problem {
    let mut out = p.clone();
    let n = number_in(&p.message).unwrap_or_default();
    let wait = p
        .retry_after
        .map(|s| duration(catalogues, "en", s))
        .unwrap_or_default();
    let field = p
        .fields
        .first()
        .map(|f| f.field.as_str())
        .unwrap_or_default();
    let en_args = [("n", n.as_str()), ("wait", wait.as_str()), ("field", field)];
    let key = format!("error-{}", p.code);
    if catalogues.has("en", &key) && catalogues.text_with("en", &key, &en_args) == p.message {
        let wait = p
            .retry_after
            .map(|s| duration(catalogues, lang, s))
            .unwrap_or_default();
        let args = [("n", n.as_str()), ("wait", wait.as_str()), ("field", field)];
        out.message = catalogues.text_with(lang, &key, &args);
    }
    for f in &mut out.fields {
        let n = number_in(&f.message).unwrap_or_default();
        let keys = [
            format!("field-{}-{}", f.field, f.code),
            format!("field-{}", f.code),
            format!("field-{}", f.field),
        ];
        f.message = translate(catalogues, lang, &keys, &[("n", &n)], &f.message);
    }
    out
}

/// A text of the catalogues by `key` when the English catalogue has it, else `fallback`
/// (a kind the catalogues do not know yet keeps the engine's label).
pub(crate) fn label(catalogues: &Catalogues, lang: &str, key: &str, fallback: &str) -> String {
    if catalogues.has("en", key) {
        catalogues.text(lang, key, None)
    } else {
        fallback.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_core::{Error, ValidationErrors};
    use std::time::Duration;

    #[test]
    fn english_stays_as_written_and_other_languages_follow_the_code() {
        let c = Catalogues::shipped();
        let mut errors = ValidationErrors::new();
        errors.push("password", "too_short", "Use a password of at least 12 characters; a few words make a strong and memorable one.");
        errors.push("email", "invalid", "Something the catalogues do not know.");
        let p = Problem::from_error(&Error::Validation(errors));
        assert_eq!(problem(&c, "en", &p), p);
        let de = problem(&c, "de", &p);
        assert_eq!((de.code, de.status), (p.code, p.status));
        assert_ne!(de.message, p.message);
        assert_eq!(de.fields[0].code, "too_short");
        assert!(
            de.fields[0].message.contains("12"),
            "{}",
            de.fields[0].message
        );
        assert_ne!(de.fields[0].message, p.fields[0].message);
        assert_eq!(
            de.fields[1].message,
            "Something the catalogues do not know."
        );
    }

    #[test]
    fn waits_are_counted_in_words() {
        let c = Catalogues::shipped();
        let p = Problem::from_error(&Error::RateLimited {
            retry_after: Duration::from_secs(90),
        });
        assert_eq!(
            problem(&c, "en", &p).message,
            "Too many requests. Try again in a minute."
        );
        assert_eq!(p.message, "Too many requests. Try again in a minute.");
        for (s, text) in [
            (1, "a second"),
            (30, "30 seconds"),
            (61, "a minute"),
            (121, "3 minutes"),
            (3600, "1 hours"),
        ] {
            assert_eq!(duration(&c, "en", s), text);
        }
        assert!(problem(&c, "es", &p).message.contains("minuto"));
    }
}
