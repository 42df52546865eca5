//! The catalogues of every language, and looking a message up in them.

use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

use crate::I18nError;

/// One shipped language's catalogue files, embedded.
macro_rules! files {
    ($lang:literal) => {
        &[
            (
                "pages.ftl",
                include_str!(concat!("../locales/", $lang, "/pages.ftl")),
            ),
            (
                "messages.ftl",
                include_str!(concat!("../locales/", $lang, "/messages.ftl")),
            ),
            (
                "mail.ftl",
                include_str!(concat!("../locales/", $lang, "/mail.ftl")),
            ),
        ]
    };
}

/// The languages whose catalogues ship with the crate; the first is the default.
pub const SHIPPED_LANGUAGES: &[&str] = &["en", "de", "es"];

const SHIPPED: &[(&str, &[(&str, &str)])] = &[
    ("en", files!("en")),
    ("de", files!("de")),
    ("es", files!("es")),
];

/// One language's messages.
struct Catalogue {
    /// The tag as configured (`de`, `pt-BR`).
    tag: String,
    id: LanguageIdentifier,
    bundle: FluentBundle<Arc<FluentResource>>,
    /// Every resource added, in order: what [`Catalogues::check`] reads.
    resources: Vec<Arc<FluentResource>>,
}

impl Catalogue {
    fn new(tag: &str) -> Result<Self, I18nError> {
        let id: LanguageIdentifier = tag.parse().map_err(|_| I18nError::Tag {
            tag: tag.to_owned(),
        })?;
        let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
        // Pages and mails are not bidirectional text: no isolation marks around placeholders.
        bundle.set_use_isolating(false);
        Ok(Self {
            tag: id.to_string(),
            id,
            bundle,
            resources: Vec::new(),
        })
    }
}

/// The message catalogues of every language the application offers.
///
/// Message ids are Fluent identifiers (`login-title`, `error-invalid_credentials`); the
/// files that ship with the crate are grouped as `pages.ftl` (page texts), `messages.ftl`
/// (flash messages, API errors, field reasons, audit labels) and `mail.ftl` (mails).
pub struct Catalogues {
    languages: Vec<Catalogue>,
    default: usize,
}

impl std::fmt::Debug for Catalogues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogues")
            .field("languages", &self.languages())
            .field("default", &self.default_language())
            .finish()
    }
}

impl Catalogues {
    /// The catalogues that ship with the crate (English, German, Spanish), English the
    /// default.
    pub fn shipped() -> Self {
        let mut catalogues = Self {
            languages: Vec::new(),
            default: 0,
        };
        for (lang, files) in SHIPPED {
            for (_, source) in *files {
                catalogues
                    .add(lang, source)
                    .unwrap_or_else(|e| unreachable!("a shipped catalogue is valid: {e}"));
            }
        }
        catalogues
    }

    /// Adds messages to a language, creating the language if it is new. A message that
    /// the language already has is replaced: this is how an application overrides a
    /// shipped text. A new language falls back to the default language for every
    /// message it lacks.
    pub fn add(&mut self, tag: &str, ftl: &str) -> Result<(), I18nError> {
        let resource =
            FluentResource::try_new(ftl.to_owned()).map_err(|(_, errors)| I18nError::Syntax {
                lang: tag.to_owned(),
                detail: errors
                    .iter()
                    .take(3)
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            })?;
        let resource = Arc::new(resource);
        let index = match self.position(tag)? {
            Some(index) => index,
            None => {
                self.languages.push(Catalogue::new(tag)?);
                self.languages.len() - 1
            }
        };
        let catalogue = &mut self.languages[index];
        catalogue.bundle.add_resource_overriding(resource.clone());
        catalogue.resources.push(resource);
        Ok(())
    }

    /// Makes `tag` (a language that has catalogues) the language used when nothing the
    /// person asks for is offered, and for messages a language lacks.
    pub fn set_default(&mut self, tag: &str) -> Result<(), I18nError> {
        self.default = self.position(tag)?.ok_or_else(|| I18nError::Missing {
            tag: tag.to_owned(),
        })?;
        Ok(())
    }

    /// The default language's tag.
    pub fn default_language(&self) -> &str {
        self.languages
            .get(self.default)
            .map_or("en", |c| c.tag.as_str())
    }

    /// Every language offered, in the order they were added.
    pub fn languages(&self) -> Vec<&str> {
        self.languages.iter().map(|c| c.tag.as_str()).collect()
    }

    /// The offered language that serves `wanted`: the same tag, or the same language
    /// with another region or script (`de-AT` is served by `de`, `es` by `es-MX` when
    /// that is all there is). `None` when no language matches or `wanted` is not a tag.
    pub fn supported(&self, wanted: &str) -> Option<&str> {
        let wanted: LanguageIdentifier = wanted.parse().ok()?;
        let exact = self.languages.iter().find(|c| c.id == wanted);
        exact
            .or_else(|| {
                self.languages
                    .iter()
                    .find(|c| c.id.language == wanted.language && c.id.script == wanted.script)
            })
            .or_else(|| {
                self.languages
                    .iter()
                    .find(|c| c.id.language == wanted.language)
            })
            .map(|c| c.tag.as_str())
    }

    /// The first of `preferences` (most wanted first: an explicit choice, a stored
    /// preference, then [`accept_language`](crate::accept_language)'s tags) that is
    /// offered, or the default language.
    pub fn negotiate<'a>(&self, preferences: impl IntoIterator<Item = &'a str>) -> &str {
        preferences
            .into_iter()
            .find_map(|tag| self.supported(tag))
            .unwrap_or_else(|| self.default_language())
    }

    /// Whether `lang` (or, failing it, the default language) has the message `key`.
    pub fn has(&self, lang: &str, key: &str) -> bool {
        self.lookup(lang, key).is_some()
    }

    /// The message `key` in `lang` with `args` filled in. A language without the message
    /// uses the default language's; a message no language has comes out as its key (the
    /// catalogue check in the crate's tests keeps that from shipping).
    pub fn text(&self, lang: &str, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some((catalogue, pattern)) = self.lookup(lang, key) else {
            return key.to_owned();
        };
        let mut errors = Vec::new();
        catalogue
            .bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// [`text`](Self::text) with string arguments.
    pub fn text_with(&self, lang: &str, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, *value);
        }
        self.text(lang, key, Some(&fluent))
    }

    fn lookup(
        &self,
        lang: &str,
        key: &str,
    ) -> Option<(&Catalogue, &fluent_syntax::ast::Pattern<&str>)> {
        let first = self
            .supported(lang)
            .and_then(|tag| self.languages.iter().find(|c| c.tag == tag));
        let default = self.languages.get(self.default);
        [first, default]
            .into_iter()
            .flatten()
            .find_map(|catalogue| {
                let pattern = catalogue.bundle.get_message(key)?.value()?;
                Some((catalogue, pattern))
            })
    }

    fn position(&self, tag: &str) -> Result<Option<usize>, I18nError> {
        let id: LanguageIdentifier = tag.parse().map_err(|_| I18nError::Tag {
            tag: tag.to_owned(),
        })?;
        Ok(self.languages.iter().position(|c| c.id == id))
    }

    pub(crate) fn resources(&self) -> impl Iterator<Item = (&str, &[Arc<FluentResource>])> {
        self.languages
            .iter()
            .map(|c| (c.tag.as_str(), c.resources.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Catalogues {
        let mut c = Catalogues::shipped();
        c.add("en", "hello = Hello, { $name }!\nonly-en = English only")
            .unwrap();
        c.add("de", "hello = Hallo, { $name }!").unwrap();
        c
    }

    #[test]
    fn a_language_is_served_by_its_regional_variants() {
        let c = sample();
        assert_eq!(c.supported("de-AT"), Some("de"));
        assert_eq!(c.supported("DE"), Some("de"));
        assert_eq!(c.supported("fr"), None);
        assert_eq!(c.supported("not a tag"), None);
        assert_eq!(c.negotiate(["fr", "es-MX", "de"]), "es");
        assert_eq!(c.negotiate(["fr"]), "en");
    }

    #[test]
    fn missing_messages_fall_back_to_the_default_language_then_the_key() {
        let c = sample();
        assert_eq!(
            c.text_with("de", "hello", &[("name", "Ada")]),
            "Hallo, Ada!"
        );
        assert_eq!(c.text("de", "only-en", None), "English only");
        assert_eq!(c.text("fr", "hello", None), "Hello, {$name}!");
        assert_eq!(c.text("de", "no-such-message", None), "no-such-message");
    }

    #[test]
    fn an_application_overrides_a_message_and_adds_a_language() {
        let mut c = sample();
        c.add("de", "hello = Servus, { $name }!").unwrap();
        c.add("pt-BR", "hello = Olá, { $name }!").unwrap();
        assert_eq!(
            c.text_with("de", "hello", &[("name", "Ada")]),
            "Servus, Ada!"
        );
        assert_eq!(c.text_with("pt", "hello", &[("name", "Ada")]), "Olá, Ada!");
        assert_eq!(c.text("pt-BR", "only-en", None), "English only");
        c.set_default("de").unwrap();
        assert_eq!(c.negotiate(["fr"]), "de");
        assert!(matches!(
            c.set_default("fr"),
            Err(I18nError::Missing { .. })
        ));
    }

    #[test]
    fn bad_catalogues_and_tags_are_refused() {
        let mut c = Catalogues::shipped();
        assert!(matches!(
            c.add("de", "= no id"),
            Err(I18nError::Syntax { .. })
        ));
        assert!(matches!(
            c.add("not a tag!", "a = b"),
            Err(I18nError::Tag { .. })
        ));
    }
}
