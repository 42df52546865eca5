//! The crate's one error type.

/// What can go wrong when catalogues are built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum I18nError {
    /// A language tag that is not a valid BCP 47 tag.
    #[error("`{tag}` is not a language tag")]
    Tag {
        /// The tag as given.
        tag: String,
    },
    /// A catalogue that is not valid Fluent syntax.
    #[error("the {lang} catalogue does not parse: {detail}")]
    Syntax {
        /// The catalogue's language.
        lang: String,
        /// The parser's description of the first problems.
        detail: String,
    },
    /// A default language that has no catalogue.
    #[error("there is no catalogue for {tag}")]
    Missing {
        /// The language asked for.
        tag: String,
    },
}
