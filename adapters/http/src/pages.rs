//! Rendering pages: the context every template gets, error pages, forms shown again
//! with their problems, and the sign-in the layer's own pages require.

use std::sync::Arc;

use auth_core::{Authenticated, User};
use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use crate::AuthWeb;
use crate::cookies;
use crate::fields::Fields;
use crate::flash::{Flash, FlashView};
use crate::input::Input;
use crate::kind::RequestKind;
use crate::localize;
use crate::problem::Problem;
use crate::profile::{FieldView, field_views};
use crate::reply::{Reply, Req};
use crate::requirement::Denial;
use crate::templates::Template;
use crate::views::UserView;

/// What every template gets, under the page's own context.
#[derive(Serialize)]
struct BaseContext<'a> {
    /// The request's language (the `t` function renders in it).
    lang: &'a str,
    /// The languages offered, for the switch in the footer.
    languages: Vec<LanguageLink>,
    app_name: &'a str,
    prefix: &'a str,
    home: &'a str,
    stylesheet: String,
    csrf_token: String,
    user: Option<UserView>,
    errors: Empty,
    values: Empty,
    min_password: usize,
    /// Whether people may upload a picture, and how large.
    pictures_enabled: bool,
    picture_limit: String,
    /// Whether people may create API keys (the account pages link to them).
    api_keys_enabled: bool,
    /// Whether passkeys are on (the account pages link to them, the sign-in page offers
    /// them), and the address of the script that calls `navigator.credentials`.
    passkeys_enabled: bool,
    passkey_script: String,
    /// Whether people may sign up with a passkey (the sign-up page offers it).
    passkey_sign_up: bool,
    /// The sign-in providers, one button each on the sign-in and sign-up pages.
    sign_in_providers: Vec<crate::providers::ProviderButton>,
    /// The declared profile fields, for the forms that show them.
    profile_fields: Vec<FieldView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flash: Option<FlashView>,
}

/// `{}`.
#[derive(Serialize)]
struct Empty {}

/// One language of the switch: its tag, its name in itself, and the current page in it.
#[derive(Serialize)]
struct LanguageLink {
    tag: String,
    name: String,
    href: String,
}

/// `5 MiB`, `512 KiB`, `900 bytes`: a limit as people read it.
fn human_bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= KIB {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

impl AuthWeb {
    /// The URL of the picture noted for `user` on this request, if any.
    fn picture_src(&self, r: &Req, user: auth_core::UserId) -> Option<String> {
        r.picture_version(user)
            .map(|version| self.picture_url(user, &version))
    }
}

impl AuthWeb {
    /// A shipped page: `template` with the common context merged under `extra`.
    pub(crate) fn page(
        &self,
        r: &Req,
        status: StatusCode,
        template: Template,
        user: Option<&User>,
        extra: impl Serialize,
    ) -> Reply {
        self.render(r, status, template.as_str(), user, extra)
    }

    /// Any template by name (the application's own too), as [`AuthWeb::page`]; `extra`
    /// must serialise to a map.
    pub(crate) fn render(
        &self,
        r: &Req,
        status: StatusCode,
        template: &str,
        user: Option<&User>,
        extra: impl Serialize,
    ) -> Reply {
        let config = self.inner.auth.config();
        let flash = Flash::of_request(self, &r.headers);
        let catalogues = config.catalogues();
        let lang = r.lang_tag();
        let base = BaseContext {
            lang: &lang,
            languages: catalogues
                .languages()
                .into_iter()
                .map(|tag| LanguageLink {
                    tag: tag.to_owned(),
                    name: catalogues.text(tag, "language-name", None),
                    href: self.language_href(r, tag),
                })
                .collect(),
            app_name: config.app_name(),
            prefix: &self.inner.prefix,
            home: &self.inner.home,
            stylesheet: self.stylesheet_path(),
            csrf_token: self.inner.csrf.token(&r.csrf_seed),
            user: user.map(|u| UserView::new(u, config, self.picture_src(r, u.id))),
            profile_fields: field_views(config.profile(), catalogues, &lang),
            sign_in_providers: self
                .inner
                .providers
                .as_ref()
                .map(|p| p.buttons())
                .unwrap_or_default(),
            errors: Empty {},
            values: Empty {},
            min_password: config.password_policy().min_length,
            pictures_enabled: self.inner.auth.pictures_enabled(),
            picture_limit: human_bytes(self.inner.auth.picture_limits().max_bytes),
            api_keys_enabled: self.inner.auth.api_keys_enabled(),
            passkeys_enabled: self.inner.auth.passkeys_enabled(),
            passkey_sign_up: self.inner.auth.passkey_sign_up_enabled(),
            passkey_script: format!(
                "{}/static/{}",
                self.inner.prefix, self.inner.templates.script_file
            ),
            flash: flash.map(|f| f.view(catalogues, &lang)),
        };
        let mut ctx = serde_json::to_value(base).unwrap_or_default();
        if let (Value::Object(base), Ok(Value::Object(extra))) =
            (&mut ctx, serde_json::to_value(extra))
        {
            base.extend(extra);
        }
        let mut reply = Reply::new(status);
        if flash.is_some() {
            reply.cookies.push(cookies::remove(
                &self.inner.cookies.flash,
                self.inner.secure,
            ));
        }
        match self.inner.templates.render(template, &ctx) {
            Ok(html) => {
                reply.body = Bytes::from(html);
                reply.headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                reply.page = true;
                reply
            }
            Err(e) => {
                tracing::error!(template, error = %e, "rendering a page failed");
                Reply::text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    catalogues.text(&r.lang_tag(), "error-internal", None),
                )
            }
        }
    }

    /// `message.html`: a title, paragraphs, maybe a link or the resend form.
    pub(crate) fn message(
        &self,
        r: &Req,
        status: StatusCode,
        a: Option<&Authenticated>,
        ctx: Value,
    ) -> Reply {
        self.page(r, status, Template::Message, a.map(|a| &a.user), ctx)
    }

    /// A form page that may be prefilled with `?email=`.
    pub(crate) async fn simple_form(&self, r: &Req, template: Template) -> Reply {
        let a = self.maybe_user(r).await;
        let values = Fields::from_query(r.query.as_deref());
        let email = values.optional("email").unwrap_or_default();
        self.page(
            r,
            StatusCode::OK,
            template,
            a.as_ref().map(|a| &a.user),
            json!({ "values": { "email": email } }),
        )
    }

    /// A failure of one of the layer's routes, as a JSON error or an error page that
    /// names no signed-in user.
    pub(crate) fn problem(&self, r: &Req, p: &Problem) -> Reply {
        self.problem_as(r, r.kind(), p, None)
    }

    /// A failure, as a JSON error or an error page whose header shows `user`.
    pub(crate) fn problem_as(
        &self,
        r: &Req,
        kind: RequestKind,
        p: &Problem,
        user: Option<&User>,
    ) -> Reply {
        let catalogues = self.inner.auth.config().catalogues();
        let p = &localize::problem(catalogues, &r.lang_tag(), p);
        let reply = match kind {
            RequestKind::Api => Reply::json(p.status, &p.body()),
            RequestKind::Page => {
                let key = match p.status.as_u16() {
                    status @ (400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 503) => {
                        format!("status-{status}")
                    }
                    _ => "status-other".to_owned(),
                };
                let title = catalogues.text(&r.lang_tag(), &key, None);
                self.page(
                    r,
                    p.status,
                    Template::Error,
                    user,
                    json!({ "title": title, "message": p.message, "code": p.code }),
                )
            }
        };
        reply.retry_after(p.retry_after)
    }

    /// Re-renders a form with the problem tied to its fields.
    pub(crate) fn form_problem(
        &self,
        r: &Req,
        template: Template,
        a: Option<&Authenticated>,
        p: &Problem,
        extra: Value,
    ) -> Reply {
        let catalogues = self.inner.auth.config().catalogues();
        let p = &localize::problem(catalogues, &r.lang_tag(), p);
        let form_error = if p.code == "validation_failed" && !p.fields.is_empty() {
            catalogues.text(&r.lang_tag(), "error-form", None)
        } else {
            p.message.clone()
        };
        let mut ctx = json!({ "errors": field_errors(p), "form_error": form_error });
        if let (Value::Object(base), Value::Object(extra)) = (&mut ctx, extra) {
            base.extend(extra);
        }
        self.page(r, p.status, template, a.map(|a| &a.user), ctx)
            .retry_after(p.retry_after)
    }

    /// The posted form of `template` read as input `T`, with the fields and what the
    /// page shows again if the flow refuses it (`again`, e.g. the typed address); or the
    /// form shown again with the fields that are missing, or the refusal of the post.
    pub(crate) fn posted<T: Input>(
        &self,
        r: &Req,
        template: Template,
        again: impl FnOnce(&Fields) -> Value,
    ) -> Result<(Fields, T, Value), Reply> {
        let fields = self.submitted(r)?;
        let extra = again(&fields);
        match fields.input::<T>() {
            Ok(input) => Ok((fields, input, extra)),
            Err(missing) => {
                let p = Problem::validation(&missing);
                Err(self.form_problem(r, template, None, &p, extra))
            }
        }
    }

    /// The reply to a [`Denial`] of request `r` (for [`AuthWeb::deny`] and the layer's
    /// own guarded pages); `user` is the refused user, `None` without a session, and
    /// `next` where to return after signing in.
    pub(crate) fn refusal(
        &self,
        r: &Req,
        kind: RequestKind,
        denial: Denial,
        user: Option<&User>,
        next: &str,
    ) -> Reply {
        match (denial, kind) {
            (Denial::Unauthenticated, RequestKind::Page) => self.login_redirect(next),
            (Denial::Unauthenticated, RequestKind::Api) => {
                self.problem_as(r, kind, &Problem::unauthenticated(), user)
            }
            (Denial::EmailNotVerified, RequestKind::Page) => self.page(
                r,
                StatusCode::FORBIDDEN,
                Template::Message,
                user,
                json!({
                    "title": self.text(r, "title-confirm-your-email-address"),
                    "paragraphs": [
                        self.text(r, "notice-confirmed-address-only"),
                        self.text(r, "notice-lost-it"),
                    ],
                    "resend": true,
                    "values": { "email": user.map(|u| u.email.as_str()) },
                }),
            ),
            (Denial::EmailNotVerified, RequestKind::Api) => {
                self.problem_as(r, kind, &Problem::email_not_verified(), user)
            }
            (Denial::Forbidden, _) => self.problem_as(r, kind, &Problem::forbidden(), user),
            (Denial::MissingScope, _) => {
                self.problem_as(r, kind, &Problem::insufficient_scope(), user)
            }
            (Denial::SecondFactorEnrolmentRequired, RequestKind::Page) => self.enrolment_redirect(),
            (Denial::SecondFactorEnrolmentRequired, RequestKind::Api) => {
                self.problem_as(r, kind, &Problem::second_factor_enrolment_required(), user)
            }
        }
    }

    /// The sign-in page, coming back to `next` afterwards.
    pub(crate) fn login_redirect(&self, next: &str) -> Reply {
        let next = percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC);
        Reply::redirect(&format!("{}/login?next={next}", self.inner.prefix))
            .cookie(Flash::LoginRequired.cookie(self))
    }

    /// The page text `key` in the language of request `r`.
    pub(crate) fn text(&self, r: &Req, key: &str) -> String {
        self.inner
            .auth
            .config()
            .catalogues()
            .text(&r.lang_tag(), key, None)
    }

    /// The page text `key` in the language of request `r`, with `args` for its
    /// placeholders.
    pub(crate) fn text_with(&self, r: &Req, key: &str, args: &[(&str, &str)]) -> String {
        self.inner
            .auth
            .config()
            .catalogues()
            .text_with(&r.lang_tag(), key, args)
    }

    /// The page of request `r` (a `GET` of its path and query) with `?lang=tag`.
    fn language_href(&self, r: &Req, tag: &str) -> String {
        let mut pairs: Vec<(String, String)> = r
            .query
            .as_deref()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default();
        pairs.retain(|(name, _)| name != "lang");
        pairs.push(("lang".into(), tag.to_owned()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}{}?{query}", self.inner.prefix, r.path)
    }

    /// The full path (mount + relative path + query) of a request, for `next`.
    pub(crate) fn full_path(&self, r: &Req) -> String {
        match &r.query {
            Some(q) => format!("{}{}?{q}", self.inner.prefix, r.path),
            None => format!("{}{}", self.inner.prefix, r.path),
        }
    }

    /// The signed-in user of a page that needs one (the lookup the engine keeps, shared),
    /// or the reply to send instead (sign-in redirect, 503, ...).
    pub(crate) async fn signed_in(&self, r: &Req) -> Result<Arc<Authenticated>, Reply> {
        match self.current_user_shared(&r.headers).await {
            Ok(Some(a)) if self.enforce_enrolment(r, &a).is_err() => Err(self.enrolment_redirect()),
            Ok(Some(a)) => {
                self.note_own_picture(r, &a).await;
                r.prefer(
                    self.inner.auth.config().catalogues(),
                    self.inner.auth.account_language(&a.user),
                );
                Ok(a)
            }
            Ok(None) => {
                let next = if r.method == Method::GET {
                    self.full_path(r)
                } else {
                    format!("{}/account", self.inner.prefix)
                };
                let mut reply = self.login_redirect(&next);
                if self.session_token(&r.headers).is_some() {
                    reply = reply.cookie(self.clear_session_cookie());
                }
                Err(reply)
            }
            Err(e) => Err(self.problem(r, &Problem::from_error(&e))),
        }
    }

    /// The user when signed in; store failures read as "not signed in" for pages that
    /// only show the header.
    pub(crate) async fn maybe_user(&self, r: &Req) -> Option<Arc<Authenticated>> {
        match self.current_user_shared(&r.headers).await {
            Ok(Some(a)) => {
                self.note_own_picture(r, &a).await;
                r.prefer(
                    self.inner.auth.config().catalogues(),
                    self.inner.auth.account_language(&a.user),
                );
                Some(a)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "could not load the session for a public page");
                None
            }
        }
    }

    /// A static file of the layer (`/static/<file>`): the stylesheet or the passkey
    /// script under its versioned name; another name of either kind redirects to the
    /// current one.
    pub(crate) fn static_file(&self, file: &str) -> Reply {
        let templates = &self.inner.templates;
        let (content_type, body) = if file == templates.css_file {
            (
                "text/css; charset=utf-8",
                Bytes::from(templates.css.clone()),
            )
        } else if file == templates.script_file {
            (
                "text/javascript; charset=utf-8",
                Bytes::from_static(crate::flows::PASSKEY_SCRIPT.as_bytes()),
            )
        } else if file.ends_with(".js") {
            return Reply::redirect(&format!(
                "{}/static/{}",
                self.inner.prefix, templates.script_file
            ));
        } else {
            return Reply::redirect(&self.stylesheet_path());
        };
        let mut reply = Reply::new(StatusCode::OK);
        reply
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        reply.headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        reply.body = body;
        reply
    }
}

/// A problem's fields as templates read them: `errors.<field>` is the message.
pub(crate) fn field_errors(p: &Problem) -> serde_json::Map<String, Value> {
    p.fields
        .iter()
        .map(|f| (f.field.clone(), Value::String(f.message.clone())))
        .collect()
}
