//! The account's language: the language its mails and signed-in pages are written in.
//!
//! One rule, [`Auth::account_language`], joins the two things an account says about
//! language: its language preference ([`User::language`], one of the offered languages,
//! set with [`Auth::set_language`]) and its profile's `locale` (any BCP 47 tag, see
//! [`crate::profile::LOCALE`]).

use super::effects::{MailLinks, Origin};
use super::{Auth, Authenticated, RequestContext};
use crate::error::{Error, Message, Result, ValidationErrors};
use crate::machine::Event;
use crate::model::User;
use crate::profile::LOCALE;

impl Auth {
    /// The offered language an account's mails and signed-in pages are in, decided here
    /// and nowhere else: its language preference ([`User::language`]) while the
    /// catalogues still offer it; else, when the profile schema declares `locale` and
    /// the account's profile sets one, the offered language that serves that tag by the
    /// catalogues' own matching ([`Catalogues::supported`](auth_i18n::Catalogues::supported):
    /// `de-AT` is served by `de`; `pt-BR` by nothing unless Portuguese is offered);
    /// else `None`. Mails then use the default language; pages, the request's
    /// `Accept-Language` (a `?lang=` switch and the `lang` cookie rank above all this).
    pub fn account_language(&self, user: &User) -> Option<&str> {
        let config = &self.inner.config;
        let catalogues = &config.catalogues;
        user.language
            .as_deref()
            .and_then(|tag| catalogues.supported(tag))
            .or_else(|| {
                config.profile.get(LOCALE)?;
                catalogues.supported(user.profile.locale()?)
            })
    }

    /// The offered language that `wanted` names (`de-AT` is served by `de`), as it is
    /// stored on an account; `None` for none or a blank value.
    ///
    /// # Errors
    /// [`Error::Validation`] on `language` (code `unsupported`) when the application's
    /// [`Catalogues`](auth_i18n::Catalogues) offer no such language.
    pub fn offered_language(&self, wanted: Option<&str>) -> Result<Option<String>> {
        let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
            return Ok(None);
        };
        match self.inner.config.catalogues.supported(wanted) {
            Some(tag) => Ok(Some(tag.to_owned())),
            None => {
                let mut errors = ValidationErrors::new();
                errors.push(
                    "language",
                    "unsupported",
                    Message::new("field-language-unsupported"),
                );
                Err(Error::Validation(errors))
            }
        }
    }

    /// Sets the account's language (one of the offered languages; see
    /// [`offered_language`](Self::offered_language)) or, with `None`, clears it so that
    /// its mails use the language its profile `locale` names, or the default language
    /// (see [`account_language`](Self::account_language)).
    ///
    /// # Errors
    /// [`Error::Validation`] on `language` for a language that is not offered;
    /// [`Error::AccountDisabled`]; store errors.
    #[tracing::instrument(name = "auth.set_language", skip_all, fields(user_id = %auth.user.id))]
    pub async fn set_language(
        &self,
        auth: &Authenticated,
        language: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<User> {
        let language = self.offered_language(language)?;
        let user = self.load_user(auth.user.id).await?;
        let origin = Origin::of(ctx);
        let (user, effects) = self
            .run_event(user, Event::LanguageChanged(language), origin)
            .await?;
        self.perform(&user, &effects, origin, MailLinks::default())
            .await?;
        Ok(user)
    }
}
