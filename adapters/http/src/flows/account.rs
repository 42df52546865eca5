//! The account pages and their endpoints: `/account` (profile), `/account/password`,
//! `/account/email` with `/email/confirm/{token}`, `/account/delete`, and the same under
//! `/api/account/...` plus `/api/email/confirm`.

use std::sync::Arc;

use auth_core::profile::Writer;
use auth_core::{Authenticated, EmailChange, Error, PasswordChange, Purpose};
use http::StatusCode;
use serde_json::json;

use super::ApiFail;
use crate::AuthWeb;
use crate::fields::Fields;
use crate::flash::Flash;
use crate::input::{CurrentPassword, LanguageChoice, LinkToken, Profile};
use crate::links::LinkRefusal;
use crate::names::named;
use crate::problem::Problem;
use crate::profile;
use crate::reply::{Reply, Req};
use crate::responses::UserReply;
use crate::templates::Template;
use crate::views::SecondFactorView;

named! {
    /// A form of the account pages; its name is what the account layout highlights.
    pub(super) enum Section {
        Profile => "profile",
        Password => "password",
        Email => "email",
        Delete => "delete",
        SecondFactor => "second_factor",
    }
}

impl Section {
    fn template(self) -> Template {
        match self {
            Self::Profile => Template::Account,
            Self::Password => Template::AccountPassword,
            Self::Email => Template::AccountEmail,
            Self::Delete => Template::AccountDelete,
            Self::SecondFactor => Template::AccountSecondFactor,
        }
    }
}

impl AuthWeb {
    pub(super) async fn account_page(&self, r: &Req, section: Section) -> Reply {
        let a = match self.signed_in(r).await {
            Ok(a) => a,
            Err(reply) => return reply,
        };
        let schema = self.inner.auth.config().profile();
        let mut values = profile::form_values(&a.user.profile, schema, Writer::Owner);
        values.insert("username".into(), json!(a.user.username));
        self.page(
            r,
            StatusCode::OK,
            section.template(),
            Some(&a.user),
            json!({
                "section": section.as_str(),
                "values": values,
                "title": self.text(r, "title-your-account"),
                "second_factor": SecondFactorView::of(&a.user),
                "languages": self.language_choices(a.user.language.as_deref()),
            }),
        )
    }

    /// The posted form of a signed-in account page, or the reply to send instead.
    pub(super) async fn account_form(
        &self,
        r: &Req,
    ) -> Result<(Fields, Arc<Authenticated>), Reply> {
        let fields = self.submitted(r)?;
        let a = self.signed_in(r).await?;
        Ok((fields, a))
    }

    /// Back to the account with `flash`.
    pub(super) fn to_account(&self, flash: Flash) -> Reply {
        Reply::redirect(&format!("{}/account", self.inner.prefix)).cookie(flash.cookie(self))
    }

    /// The reply of an account form: `done`, or the form again with its problem.
    pub(super) fn account_outcome(
        &self,
        r: &Req,
        section: Section,
        a: &Authenticated,
        fields: &Fields,
        done: Result<Reply, Error>,
    ) -> Reply {
        done.unwrap_or_else(|e| {
            let page = format!("{}/account/{}", self.inner.prefix, section.as_str());
            if let Some(reply) = self.step_up_reply(&e, &page) {
                return reply;
            }
            let schema = self.inner.auth.config().profile();
            let mut values = profile::form_values(&a.user.profile, schema, Writer::Owner);
            values.extend(profile::typed(fields, schema, Writer::Owner));
            values.insert("username".into(), fields.text("username").into());
            values.insert("new_email".into(), fields.text("new_email").into());
            let extra = json!({
                "section": section.as_str(),
                "values": values,
                "title": self.text(r, "title-your-account"),
                "second_factor": SecondFactorView::of(&a.user),
                "languages": self.language_choices(a.user.language.as_deref()),
            });
            let p = Problem::from_error(&e);
            self.form_problem(r, section.template(), Some(a), &p, extra)
        })
    }

    pub(super) async fn profile_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let done = async {
            self.save_profile(&a, &fields, true, r).await?;
            Ok(self.to_account(Flash::ProfileSaved))
        };
        let done = done.await;
        self.account_outcome(r, Section::Profile, &a, &fields, done)
    }

    /// `POST /account/language`: the language of the account's mails.
    pub(super) async fn language_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let done = async {
            let LanguageChoice { language } = fields.input().map_err(Error::Validation)?;
            self.inner
                .auth
                .set_language(&a, language.as_deref(), &r.ctx)
                .await?;
            Ok(self.to_account(Flash::LanguageSaved))
        };
        let done = done.await;
        self.account_outcome(r, Section::Profile, &a, &fields, done)
    }

    /// The languages the account page offers: each offered tag with its name (the
    /// catalogue's `language-name` when it has one), the account's own marked.
    fn language_choices(&self, current: Option<&str>) -> serde_json::Value {
        let catalogues = self.inner.auth.config().catalogues();
        let choices: Vec<serde_json::Value> = catalogues
            .languages()
            .into_iter()
            .map(|tag| {
                let name = catalogues.text(tag, "language-name", None);
                let name = if name == "language-name" {
                    tag.to_owned()
                } else {
                    name
                };
                json!({ "tag": tag, "name": name, "selected": current == Some(tag) })
            })
            .collect();
        json!(choices)
    }

    /// The offered language the visitor chose (the `lang` cookie of the language switch)
    /// or, failing that, the one the browser asks for first (`Accept-Language`); `None`
    /// when neither names an offered language. What a new account's mails are written in.
    pub(super) fn browser_language(&self, r: &Req) -> Option<String> {
        crate::language::Language::requested_by(self.inner.auth.config().catalogues(), &r.headers)
    }

    pub(super) async fn password_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let done = async {
            let change = fields.input().map_err(Error::Validation)?;
            self.inner.auth.change_password(&a, change, &r.ctx).await?;
            Ok(self.to_account(Flash::PasswordChanged))
        };
        let done = done.await;
        self.account_outcome(r, Section::Password, &a, &fields, done)
    }

    pub(super) async fn email_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let done = async {
            let change = fields.input::<EmailChange>().map_err(Error::Validation)?;
            self.inner
                .auth
                .request_email_change(&a, change, &r.ctx)
                .await?;
            Ok(self.to_account(Flash::EmailChangeSent))
        };
        let done = done.await;
        self.account_outcome(r, Section::Email, &a, &fields, done)
    }

    pub(super) async fn delete_post(&self, r: &Req) -> Reply {
        let (fields, a) = match self.account_form(r).await {
            Ok(form) => form,
            Err(reply) => return reply,
        };
        let done = async {
            let CurrentPassword { password } = fields.input().map_err(Error::Validation)?;
            self.inner
                .auth
                .delete_account(&a, &password, &r.ctx)
                .await?;
            Ok(Reply::redirect(&self.inner.home)
                .cookie(self.clear_session_cookie())
                .cookie(Flash::AccountDeleted.cookie(self)))
        };
        let done = done.await;
        self.account_outcome(r, Section::Delete, &a, &fields, done)
    }

    fn bad_email_link(&self, r: &Req, why: LinkRefusal) -> Reply {
        let title = match why {
            LinkRefusal::Expired => "notice-link-expired",
            LinkRefusal::Unusable => "notice-link-unusable",
        };
        self.bad_link(
            r,
            title,
            "notice-email-link-refused",
            false,
            json!({ "href": format!("{}/account/email", self.inner.prefix), "text": self.text(r, "account-email-change-email-address") }),
        )
    }

    /// The page a mailed change-of-address link lands on: a button that posts back, as
    /// for the confirmation of a new account, so that only a deliberate press moves the
    /// account.
    pub(super) async fn email_confirm_page(&self, r: &Req) -> Reply {
        if self.stashed_link(r, Purpose::ChangeEmail).is_none() {
            return self.bad_email_link(r, LinkRefusal::Unusable);
        }
        let a = self.maybe_user(r).await;
        self.page(
            r,
            StatusCode::OK,
            Template::EmailConfirm,
            a.as_ref().map(|a| &a.user),
            json!({ "title": self.text(r, "title-confirm-your-new-address") }),
        )
    }

    /// The button of [`Self::email_confirm_page`]: completes the change of address.
    pub(super) async fn email_confirm_post(&self, r: &Req) -> Reply {
        if let Err(reply) = self.submitted(r) {
            return reply;
        }
        let Some(token) = self.stashed_link(r, Purpose::ChangeEmail) else {
            return self.bad_email_link(r, LinkRefusal::Unusable);
        };
        match self.inner.auth.confirm_email_change(&token, &r.ctx).await {
            Ok(_) => {
                let to = if self.maybe_user(r).await.is_some() {
                    format!("{}/account", self.inner.prefix)
                } else {
                    format!("{}/login", self.inner.prefix)
                };
                Reply::redirect(&to)
                    .cookie(self.clear_link())
                    .cookie(Flash::EmailChanged.cookie(self))
            }
            Err(e @ Error::Token { .. }) => self.bad_email_link(r, LinkRefusal::of(&e)),
            Err(e) => self.problem(r, &Problem::from_error(&e)),
        }
    }

    /// `POST /api/email/confirm`: 200 `{"user"}`.
    pub(super) async fn api_email_confirm(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let LinkToken { token } = f.input()?;
        let user = self.inner.auth.confirm_email_change(&token, &r.ctx).await?;
        Ok(Reply::json(
            StatusCode::OK,
            &UserReply::new(&user, self.inner.auth.config().profile()),
        ))
    }

    /// Saves the profile form or body of `/account/profile`: the username and the
    /// profile fields the owner may edit. The username is set (or, left empty, removed)
    /// when the body names it, or names no profile field at all (as before profile
    /// fields existed); profile fields the body does not name stay as they are. The
    /// profile is checked before anything is written, so a refused field leaves the
    /// username alone too.
    async fn save_profile(
        &self,
        a: &Authenticated,
        fields: &Fields,
        form: bool,
        r: &Req,
    ) -> Result<auth_core::User, Error> {
        let auth = &self.inner.auth;
        let schema = auth.config().profile();
        let update = profile::update_from(fields, schema, Writer::Owner, form);
        schema.check_update(&update, Writer::Owner)?;
        let mut user = a.user.clone();
        if fields.get("username").is_some() || update.is_empty() {
            let Profile { username } = fields.input().map_err(Error::Validation)?;
            user = auth.set_username(a, username, &r.ctx).await?;
        }
        if !update.is_empty() {
            user = auth.update_profile(a, &update, &r.ctx).await?;
        }
        Ok(user)
    }

    /// `POST /api/account/profile`: 200 `{"user"}`.
    pub(super) async fn api_profile(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let user = self.save_profile(&a, f, false, r).await?;
        Ok(Reply::json(
            StatusCode::OK,
            &UserReply::new(&user, self.inner.auth.config().profile()),
        ))
    }

    /// `POST /api/account/language`: 200 `{"user"}`.
    pub(super) async fn api_language(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let LanguageChoice { language } = f.input()?;
        let user = self
            .inner
            .auth
            .set_language(&a, language.as_deref(), &r.ctx)
            .await?;
        Ok(Reply::json(
            StatusCode::OK,
            &UserReply::new(&user, self.inner.auth.config().profile()),
        ))
    }

    /// `POST /api/account/password`: 200 `{"user"}`.
    pub(super) async fn api_password(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let change = f.input::<PasswordChange>()?;
        let user = self.inner.auth.change_password(&a, change, &r.ctx).await?;
        Ok(Reply::json(
            StatusCode::OK,
            &UserReply::new(&user, self.inner.auth.config().profile()),
        ))
    }

    /// `POST /api/account/email`: 202; the link goes to the new address.
    pub(super) async fn api_email(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let change = f.input::<EmailChange>()?;
        self.inner
            .auth
            .request_email_change(&a, change, &r.ctx)
            .await?;
        Ok(self.accepted(r, "accepted-email-change-sent"))
    }

    /// `POST /api/account/delete`: 204, the session cookie cleared.
    pub(super) async fn api_delete(&self, r: &Req, f: &Fields) -> Result<Reply, ApiFail> {
        let a = self.api_user(r).await?;
        let CurrentPassword { password } = f.input()?;
        self.inner
            .auth
            .delete_account(&a, &password, &r.ctx)
            .await?;
        Ok(Reply::new(StatusCode::NO_CONTENT).cookie(self.clear_session_cookie()))
    }
}
