//! Composes messages from templates: built-in defaults, overridable by name. Their texts
//! come from the `mail.ftl` catalogues through the `t` function, in the recipient's
//! language.

use std::collections::BTreeMap;
use std::sync::Arc;

use auth_i18n::{Catalogues, FluentArgs};
use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Email, MailKind};

/// The built-in templates, by name. For each [`MailKind`] there are three:
/// `<kind>.subject`, `<kind>.txt` and `<kind>.html` (HTML templates extend `layout.html`).
/// Their texts are `t("mail-...")` calls: the messages of the catalogues' `mail.ftl`,
/// rendered in the language held by the template variable `lang`.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    (
        "verification.subject",
        include_str!("templates/verification.subject"),
    ),
    (
        "verification.txt",
        include_str!("templates/verification.txt"),
    ),
    (
        "verification.html",
        include_str!("templates/verification.html"),
    ),
    (
        "password_reset.subject",
        include_str!("templates/password_reset.subject"),
    ),
    (
        "password_reset.txt",
        include_str!("templates/password_reset.txt"),
    ),
    (
        "password_reset.html",
        include_str!("templates/password_reset.html"),
    ),
    (
        "email_change.subject",
        include_str!("templates/email_change.subject"),
    ),
    (
        "email_change.txt",
        include_str!("templates/email_change.txt"),
    ),
    (
        "email_change.html",
        include_str!("templates/email_change.html"),
    ),
    (
        "email_change_notice.subject",
        include_str!("templates/email_change_notice.subject"),
    ),
    (
        "email_change_notice.txt",
        include_str!("templates/email_change_notice.txt"),
    ),
    (
        "email_change_notice.html",
        include_str!("templates/email_change_notice.html"),
    ),
    (
        "password_changed.subject",
        include_str!("templates/password_changed.subject"),
    ),
    (
        "password_changed.txt",
        include_str!("templates/password_changed.txt"),
    ),
    (
        "password_changed.html",
        include_str!("templates/password_changed.html"),
    ),
    (
        "account_exists.subject",
        include_str!("templates/account_exists.subject"),
    ),
    (
        "account_exists.txt",
        include_str!("templates/account_exists.txt"),
    ),
    (
        "account_exists.html",
        include_str!("templates/account_exists.html"),
    ),
    (
        "second_factor_enabled.subject",
        include_str!("templates/second_factor_enabled.subject"),
    ),
    (
        "second_factor_enabled.txt",
        include_str!("templates/second_factor_enabled.txt"),
    ),
    (
        "second_factor_enabled.html",
        include_str!("templates/second_factor_enabled.html"),
    ),
    (
        "second_factor_disabled.subject",
        include_str!("templates/second_factor_disabled.subject"),
    ),
    (
        "second_factor_disabled.txt",
        include_str!("templates/second_factor_disabled.txt"),
    ),
    (
        "second_factor_disabled.html",
        include_str!("templates/second_factor_disabled.html"),
    ),
    (
        "recovery_code_used.subject",
        include_str!("templates/recovery_code_used.subject"),
    ),
    (
        "recovery_code_used.txt",
        include_str!("templates/recovery_code_used.txt"),
    ),
    (
        "recovery_code_used.html",
        include_str!("templates/recovery_code_used.html"),
    ),
    (
        "second_factor_reset.subject",
        include_str!("templates/second_factor_reset.subject"),
    ),
    (
        "second_factor_reset.txt",
        include_str!("templates/second_factor_reset.txt"),
    ),
    (
        "second_factor_reset.html",
        include_str!("templates/second_factor_reset.html"),
    ),
    (
        "identity_linked.subject",
        include_str!("templates/identity_linked.subject"),
    ),
    (
        "identity_linked.txt",
        include_str!("templates/identity_linked.txt"),
    ),
    (
        "identity_linked.html",
        include_str!("templates/identity_linked.html"),
    ),
    (
        "identity_unlinked.subject",
        include_str!("templates/identity_unlinked.subject"),
    ),
    (
        "identity_unlinked.txt",
        include_str!("templates/identity_unlinked.txt"),
    ),
    (
        "identity_unlinked.html",
        include_str!("templates/identity_unlinked.html"),
    ),
    (
        "sign_in_code.subject",
        include_str!("templates/sign_in_code.subject"),
    ),
    (
        "sign_in_code.txt",
        include_str!("templates/sign_in_code.txt"),
    ),
    (
        "sign_in_code.html",
        include_str!("templates/sign_in_code.html"),
    ),
];

/// What a mail template can use.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MailContext {
    /// The application's name.
    pub app_name: String,
    /// The account's (current) address.
    pub email: String,
    /// The address being confirmed, for email changes.
    pub new_email: Option<String>,
    /// The action link (verify, reset or confirm), when the message has one.
    pub link: Option<String>,
    /// How long the link stays valid, in words of the mail's language ("30 minutes").
    pub valid_for: Option<String>,
    /// The sign-in page.
    pub login_link: String,
    /// The page that requests a reset link.
    pub reset_link: String,
    /// The sign-in provider linked or unlinked, for those notices.
    pub provider: Option<String>,
    /// The one-time code mailed with the link, when the message has one (verification,
    /// reset, sign-in by mail).
    pub code: Option<String>,
    /// How long the code stays valid, in words of the mail's language ("15 minutes").
    pub code_valid_for: Option<String>,
}

/// Renders messages; built once per engine.
pub(crate) struct Composer {
    env: Environment<'static>,
}

impl Composer {
    /// Loads the defaults, then the overrides; `t` reads `catalogues`.
    pub(crate) fn new(
        overrides: &BTreeMap<String, String>,
        catalogues: Arc<Catalogues>,
    ) -> Result<Self> {
        let mut env = Environment::new();
        let default_language = catalogues.default_language().to_owned();
        auth_i18n::install(&mut env, catalogues);
        for (name, source) in DEFAULT_TEMPLATES {
            if !overrides.contains_key(*name) {
                env.add_template(name, source)
                    .map_err(|e| Error::Config(format!("mail template {name}: {e}")))?;
            }
        }
        for (name, source) in overrides {
            env.add_template_owned(name.clone(), source.clone())
                .map_err(|e| Error::Config(format!("mail template {name}: {e}")))?;
        }
        let composer = Self { env };
        // Fail at start-up, not at the first mail, if an override does not render.
        for (name, _) in DEFAULT_TEMPLATES {
            if name.ends_with(".subject") || name.ends_with(".txt") || name.ends_with(".html") {
                if *name == "layout.html" {
                    continue;
                }
                composer
                    .render(name, &default_language, &MailContext::default())
                    .map_err(|e| Error::Config(format!("mail template {name}: {e}")))?;
            }
        }
        Ok(composer)
    }

    /// Renders the template `name` with `ctx` and `lang`, the language `t` writes in.
    fn render(
        &self,
        name: &str,
        lang: &str,
        ctx: &MailContext,
    ) -> std::result::Result<String, minijinja::Error> {
        self.env
            .get_template(name)?
            .render(context! { lang => lang, ..Value::from_serialize(ctx) })
    }

    /// Composes a message of `kind` to `to` in `lang` (an offered language's tag).
    pub(crate) fn compose(
        &self,
        kind: MailKind,
        to: &str,
        lang: &str,
        ctx: &MailContext,
    ) -> Result<Email> {
        let part = |ext: &str| {
            let name = format!("{}.{ext}", kind.as_str());
            self.render(&name, lang, ctx)
                .map_err(|e| Error::Config(format!("mail template {name}: {e}")))
        };
        Ok(Email {
            to: to.to_owned(),
            subject: part("subject")?.trim().replace(['\r', '\n'], " "),
            text: part("txt")?,
            html: Some(part("html")?),
            kind,
        })
    }
}

/// The unit a duration is told in and how many of it: minutes below two hours (at least
/// one), hours below two days, days beyond.
fn in_units(d: time::Duration) -> (&'static str, i64) {
    let minutes = d.whole_minutes();
    if minutes < 120 {
        ("minute", minutes.max(1))
    } else if minutes < 48 * 60 {
        ("hour", d.whole_hours())
    } else {
        ("day", d.whole_days())
    }
}

/// "30 minutes", "24 hours", "2 days": in English, for operators (the outbox's reasons).
pub(crate) fn human_duration(d: time::Duration) -> String {
    let (unit, n) = in_units(d);
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// A duration in words of `lang`, from the catalogues' `mail-minutes`, `mail-hours` and
/// `mail-days`: what mails say about how long a link or code stays valid.
pub(crate) fn duration_in(catalogues: &Catalogues, lang: &str, d: time::Duration) -> String {
    let (unit, n) = in_units(d);
    let mut args = FluentArgs::new();
    args.set("count", n);
    catalogues.text(lang, &format!("mail-{unit}s"), Some(&args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Arc<Catalogues> {
        Arc::new(Catalogues::shipped())
    }

    /// Every built-in template rendered in English, with and without a code, as the
    /// templates wrote them before their texts moved to the catalogues.
    const ENGLISH: &str = include_str!("english_mails.golden");

    #[test]
    fn english_mails_read_as_they_did_before_the_catalogues() {
        let composer = Composer::new(&BTreeMap::new(), shipped()).unwrap();
        let mut rendered = String::new();
        for (i, code) in [None, Some("123456".to_owned())].into_iter().enumerate() {
            let c = MailContext {
                code_valid_for: code.as_ref().map(|_| "15 minutes".to_owned()),
                code,
                ..ctx()
            };
            let mut names: Vec<&str> = DEFAULT_TEMPLATES
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| *name != "layout.html")
                .collect();
            names.sort_unstable();
            for name in names {
                let out = composer.render(name, "en", &c).unwrap();
                rendered.push_str(&format!("==== {i}-{name}\n{out}\n"));
            }
        }
        assert_eq!(rendered, ENGLISH);
    }

    #[test]
    fn mails_are_written_in_the_language_asked_for() {
        let composer = Composer::new(&BTreeMap::new(), shipped()).unwrap();
        let catalogues = Catalogues::shipped();
        let c = MailContext {
            valid_for: Some(duration_in(&catalogues, "de", time::Duration::hours(24))),
            ..ctx()
        };
        let de = composer
            .compose(MailKind::Verification, "a@example.com", "de", &c)
            .unwrap();
        assert_eq!(de.subject, "Bestätigen Sie Ihre E-Mail-Adresse für Demo");
        assert!(de.text.starts_with("Hallo,"), "{}", de.text);
        assert!(de.text.contains("24 Stunden"), "{}", de.text);
        assert!(de.text.contains("https://x.test/auth/verify/T0K"));
        let html = de.html.unwrap();
        assert!(html.contains("<html lang=\"de\">"), "{html}");
        assert!(html.contains("E-Mail-Adresse bestätigen"), "{html}");
        let es = composer
            .compose(MailKind::PasswordReset, "a@example.com", "es", &ctx())
            .unwrap();
        assert_eq!(es.subject, "Restablezca su contraseña de Demo");
        assert!(es.text.starts_with("Hola:"), "{}", es.text);
    }

    #[test]
    fn durations_in_words_of_each_language() {
        let c = Catalogues::shipped();
        let d = |lang, m| duration_in(&c, lang, time::Duration::minutes(m));
        assert_eq!(d("en", 30), "30 minutes");
        assert_eq!(d("en", 1), "1 minute");
        assert_eq!(d("de", 1), "1 Minute");
        assert_eq!(d("de", 24 * 60), "24 Stunden");
        assert_eq!(d("es", 3 * 24 * 60), "3 días");
        assert_eq!(d("es", 60), "60 minutos");
    }

    fn ctx() -> MailContext {
        MailContext {
            app_name: "Demo".into(),
            email: "a@example.com".into(),
            new_email: Some("b@example.com".into()),
            link: Some("https://x.test/auth/verify/T0K".into()),
            valid_for: Some("24 hours".into()),
            login_link: "https://x.test/auth/login".into(),
            reset_link: "https://x.test/auth/request_password_reset".into(),
            provider: Some("Example IdP".into()),
            code: None,
            code_valid_for: None,
        }
    }

    #[test]
    fn identity_notices_name_the_provider() {
        let composer = Composer::new(&BTreeMap::new(), shipped()).unwrap();
        for kind in [MailKind::IdentityLinked, MailKind::IdentityUnlinked] {
            let mail = composer
                .compose(kind, "a@example.com", "en", &ctx())
                .unwrap();
            assert!(mail.text.contains("Example IdP"), "{kind:?}");
            assert!(mail.html.unwrap().contains("Example IdP"), "{kind:?}");
            assert!(mail.subject.contains("Demo"), "{kind:?}");
            assert!(mail.text.contains("request_password_reset"), "{kind:?}");
        }
    }

    #[test]
    fn every_kind_renders_with_its_link() {
        let composer = Composer::new(&BTreeMap::new(), shipped()).unwrap();
        for kind in [
            MailKind::Verification,
            MailKind::PasswordReset,
            MailKind::EmailChange,
        ] {
            let mail = composer
                .compose(kind, "a@example.com", "en", &ctx())
                .unwrap();
            assert!(
                mail.text.contains("https://x.test/auth/verify/T0K"),
                "{kind:?}"
            );
            // The HTML escaper writes '/' as an entity, which browsers decode in href.
            let html = mail.html.unwrap();
            let href = "href=\"https:&#x2f;&#x2f;x.test&#x2f;auth&#x2f;verify&#x2f;T0K\"";
            assert!(html.contains(href), "{html}");
            assert!(mail.subject.contains("Demo"));
        }
        for kind in [
            MailKind::PasswordChanged,
            MailKind::SecondFactorEnabled,
            MailKind::SecondFactorDisabled,
            MailKind::RecoveryCodeUsed,
            MailKind::SecondFactorReset,
        ] {
            let notice = composer
                .compose(kind, "a@example.com", "en", &ctx())
                .unwrap();
            assert!(notice.text.contains("request_password_reset"), "{kind:?}");
            assert!(notice.text.contains("a@example.com"), "{kind:?}");
            assert!(notice.subject.contains("Demo"), "{kind:?}");
            let html = notice.html.unwrap();
            assert!(html.contains("request_password_reset"), "{kind:?}");
        }
    }

    #[test]
    fn a_code_is_mailed_after_the_link_when_there_is_one() {
        let composer = Composer::new(&BTreeMap::new(), shipped()).unwrap();
        let with_code = MailContext {
            code: Some("123456".into()),
            code_valid_for: Some("15 minutes".into()),
            ..ctx()
        };
        for kind in [
            MailKind::Verification,
            MailKind::PasswordReset,
            MailKind::SignInCode,
        ] {
            let mail = composer
                .compose(kind, "a@example.com", "en", &with_code)
                .unwrap();
            let (link, code) = (
                mail.text.find("https://x.test/auth/verify/T0K"),
                mail.text.find("123456"),
            );
            assert!(link.is_some() && code.is_some(), "{kind:?}: {}", mail.text);
            assert!(mail.html.unwrap().contains("123456"), "{kind:?}");
            assert!(mail.text.contains("15 minutes"), "{kind:?}");
        }
        let without = composer
            .compose(MailKind::Verification, "a@example.com", "en", &ctx())
            .unwrap();
        assert!(!without.text.contains("code"), "{}", without.text);
    }

    #[test]
    fn html_is_escaped_and_overrides_apply() {
        let mut overrides = BTreeMap::new();
        overrides.insert(
            "verification.subject".to_owned(),
            "Hi {{ email }}".to_owned(),
        );
        let composer = Composer::new(&overrides, shipped()).unwrap();
        let mut c = ctx();
        c.email = "<b>@example.com".into();
        let mail = composer
            .compose(MailKind::Verification, "x@example.com", "en", &c)
            .unwrap();
        assert_eq!(mail.subject, "Hi <b>@example.com");
        assert!(mail.html.unwrap().contains("&lt;b&gt;@example.com"));
    }

    #[test]
    fn a_broken_override_is_refused_at_start() {
        let mut overrides = BTreeMap::new();
        overrides.insert("verification.txt".to_owned(), "{{ unclosed".to_owned());
        assert!(matches!(
            Composer::new(&overrides, shipped()),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(human_duration(time::Duration::minutes(30)), "30 minutes");
        assert_eq!(human_duration(time::Duration::hours(24)), "24 hours");
        assert_eq!(human_duration(time::Duration::days(3)), "3 days");
        assert_eq!(human_duration(time::Duration::minutes(1)), "1 minute");
    }
}
