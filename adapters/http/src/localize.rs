//! The layer's messages in the request's language: errors (their message and their
//! fields' reasons), flash messages, error page titles and the admin pages' labels, from
//! the catalogues' `messages.ftl`.
//!
//! An error's message and each field's reason carry their message id and arguments
//! ([`auth_core::Message`]), and are rendered by id. A text without one (an application
//! hook's refusal, or a refusal the layer already wrote in the request's language) is
//! shown as it was written.

use auth_core::Catalogues;

use crate::problem::Problem;

/// Whether `key` can be a Fluent message id (codes and field names become part of ids).
fn is_id(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `english` in `lang`, as the first of `keys` whose English text with `args` it is; or
/// `english` itself: for a text that is either a shipped one or the application's own
/// wording (a profile field's label), which has no message id to render by.
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

/// `p` with its message and its fields' reasons in `lang`; codes and field names stay.
pub(crate) fn problem(catalogues: &Catalogues, lang: &str, p: &Problem) -> Problem {
    let mut out = p.clone();
    if let Some(text) = &p.text {
        out.message = text.render(catalogues, lang);
    }
    for f in &mut out.fields {
        if let Some(reason) = &f.reason {
            f.message = reason.render(catalogues, lang);
        }
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
    use auth_core::validate::normalize_email;
    use auth_core::{Error, Message, PasswordPolicy, PictureRejection, ValidationErrors};
    use std::time::Duration;

    /// The problem of `e` in `lang`, and its first field's reason.
    fn said(e: &Error, lang: &str) -> (Problem, String) {
        let c = Catalogues::shipped();
        let p = problem(&c, lang, &Problem::from_error(e));
        let reason = p
            .fields
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_default();
        (p, reason)
    }

    #[test]
    fn english_stays_as_the_engine_wrote_it_and_other_languages_render_by_id() {
        let c = Catalogues::shipped();
        let mut errors = ValidationErrors::new();
        errors.push(
            "password",
            "too_short",
            Message::new("field-password-too_short").arg("n", 12),
        );
        errors.push_text("email", "not_allowed", "A hook's own refusal.");
        let p = Problem::from_error(&Error::Validation(errors));
        assert_eq!(
            p.fields[0].message,
            "Use a password of at least 12 characters; a few words make a strong and memorable one."
        );
        assert_eq!(problem(&c, "en", &p), p);
        let de = problem(&c, "de", &p);
        assert_eq!((de.code, de.status), (p.code, p.status));
        assert_eq!(de.message, "Einige Felder brauchen Ihre Aufmerksamkeit.");
        assert_eq!(de.fields[0].code, "too_short");
        assert_eq!(
            de.fields[0].message,
            "Verwenden Sie ein Passwort mit mindestens 12 Zeichen; ein paar Wörter ergeben ein starkes Passwort, das man sich merken kann."
        );
        // A text written elsewhere is shown as written.
        assert_eq!(de.fields[1].message, "A hook's own refusal.");
        let mut refused = Problem::from_error(&Error::InvalidCredentials);
        refused.set_message("Not today.");
        assert_eq!(problem(&c, "es", &refused).message, "Not today.");
    }

    #[test]
    fn reasons_the_text_matching_missed_are_translated() {
        let quoted = normalize_email("email", "\"x y\"@example.com").unwrap_err();
        let (en, en_reason) = said(&quoted, "en");
        assert_eq!(en.fields[0].code, "invalid");
        assert_eq!(
            en_reason,
            "Enter an address without quotation marks, like name@example.com: mail to quoted addresses cannot be delivered."
        );
        let (_, de) = said(&quoted, "de");
        assert!(
            de.starts_with("Geben Sie eine Adresse ohne Anführungszeichen ein"),
            "{de}"
        );
        let (_, es) = said(&quoted, "es");
        assert!(
            es.starts_with("Introduzca una dirección sin comillas"),
            "{es}"
        );

        let large = Error::from(PictureRejection::TooLarge {
            max_bytes: 5_242_880,
        });
        assert_eq!(
            said(&large, "en").1,
            "The picture is larger than 5242880 bytes."
        );
        assert_eq!(
            said(&large, "de").1,
            "Das Bild ist größer als 5242880 Bytes."
        );
        assert_eq!(
            said(&large, "es").1,
            "La imagen ocupa más de 5242880 bytes."
        );

        let gif = Error::from(PictureRejection::Unsupported { found: Some("gif") });
        assert_eq!(
            said(&gif, "en").1,
            "Upload a PNG, JPEG or WebP image (this file is a GIF image)."
        );
        assert_eq!(
            said(&gif, "de").1,
            "Laden Sie ein PNG-, JPEG- oder WebP-Bild hoch (diese Datei ist ein GIF-Bild)."
        );

        let common = PasswordPolicy::default()
            .check("password1234", &[])
            .expect_err("a common password");
        let (en, en_reason) = said(&Error::Validation(common.clone()), "en");
        assert_eq!(en.fields[0].code, "too_common");
        assert!(
            en_reason.starts_with("This password is too common and easy to guess. "),
            "{en_reason}"
        );
        let (_, de) = said(&Error::Validation(common.clone()), "de");
        assert!(
            de.starts_with("Dieses Passwort ist zu verbreitet und leicht zu erraten. "),
            "{de}"
        );
        assert!(!de.contains("guess") && !de.contains("word"), "{de}");
        let (_, es) = said(&Error::Validation(common), "es");
        assert!(es.starts_with("Esta contraseña es demasiado común"), "{es}");
    }

    #[test]
    fn waits_are_counted_in_words() {
        let c = Catalogues::shipped();
        let p = Problem::from_error(&Error::RateLimited {
            retry_after: Duration::from_secs(90),
        });
        assert_eq!(p.message, "Too many requests. Try again in a minute.");
        assert_eq!(problem(&c, "en", &p).message, p.message);
        for (s, text) in [
            (1, "a second"),
            (30, "30 seconds"),
            (61, "a minute"),
            (121, "3 minutes"),
            (3600, "1 hours"),
        ] {
            let p = Problem::from_error(&Error::AccountLocked {
                retry_after: Duration::from_secs(s),
            });
            assert_eq!(
                p.message,
                format!("Too many failed attempts. Try again in {text}.")
            );
        }
        assert!(problem(&c, "es", &p).message.contains("minuto"));
        assert!(problem(&c, "de", &p).message.contains("Minute"));
    }
}
