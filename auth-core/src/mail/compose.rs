//! Composes messages from templates: built-in defaults, overridable by name.

use std::collections::BTreeMap;

use minijinja::Environment;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Email, MailKind};

/// The built-in templates, by name. For each [`MailKind`] there are three:
/// `<kind>.subject`, `<kind>.txt` and `<kind>.html` (HTML templates extend `layout.html`).
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
    /// How long the link stays valid, in words ("30 minutes").
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
    /// How long the code stays valid, in words ("15 minutes").
    pub code_valid_for: Option<String>,
}

/// Renders messages; built once per engine.
pub(crate) struct Composer {
    env: Environment<'static>,
}

impl Composer {
    /// Loads the defaults, then the overrides.
    pub(crate) fn new(overrides: &BTreeMap<String, String>) -> Result<Self> {
        let mut env = Environment::new();
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
                    .render(name, &MailContext::default())
                    .map_err(|e| Error::Config(format!("mail template {name}: {e}")))?;
            }
        }
        Ok(composer)
    }

    fn render(
        &self,
        name: &str,
        ctx: &MailContext,
    ) -> std::result::Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }

    /// Composes a message of `kind` to `to`.
    pub(crate) fn compose(&self, kind: MailKind, to: &str, ctx: &MailContext) -> Result<Email> {
        let part = |ext: &str| {
            let name = format!("{}.{ext}", kind.as_str());
            self.render(&name, ctx)
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

/// "30 minutes", "24 hours", "2 days".
pub(crate) fn human_duration(d: time::Duration) -> String {
    let minutes = d.whole_minutes();
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if minutes < 120 {
        plural(minutes.max(1), "minute")
    } else if minutes < 48 * 60 {
        plural(d.whole_hours(), "hour")
    } else {
        plural(d.whole_days(), "day")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let composer = Composer::new(&BTreeMap::new()).unwrap();
        for kind in [MailKind::IdentityLinked, MailKind::IdentityUnlinked] {
            let mail = composer.compose(kind, "a@example.com", &ctx()).unwrap();
            assert!(mail.text.contains("Example IdP"), "{kind:?}");
            assert!(mail.html.unwrap().contains("Example IdP"), "{kind:?}");
            assert!(mail.subject.contains("Demo"), "{kind:?}");
            assert!(mail.text.contains("request_password_reset"), "{kind:?}");
        }
    }

    #[test]
    fn every_kind_renders_with_its_link() {
        let composer = Composer::new(&BTreeMap::new()).unwrap();
        for kind in [
            MailKind::Verification,
            MailKind::PasswordReset,
            MailKind::EmailChange,
        ] {
            let mail = composer.compose(kind, "a@example.com", &ctx()).unwrap();
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
            let notice = composer.compose(kind, "a@example.com", &ctx()).unwrap();
            assert!(notice.text.contains("request_password_reset"), "{kind:?}");
            assert!(notice.text.contains("a@example.com"), "{kind:?}");
            assert!(notice.subject.contains("Demo"), "{kind:?}");
            let html = notice.html.unwrap();
            assert!(html.contains("request_password_reset"), "{kind:?}");
        }
    }

    #[test]
    fn a_code_is_mailed_after_the_link_when_there_is_one() {
        let composer = Composer::new(&BTreeMap::new()).unwrap();
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
            let mail = composer.compose(kind, "a@example.com", &with_code).unwrap();
            let (link, code) = (
                mail.text.find("https://x.test/auth/verify/T0K"),
                mail.text.find("123456"),
            );
            assert!(link.is_some() && code.is_some(), "{kind:?}: {}", mail.text);
            assert!(mail.html.unwrap().contains("123456"), "{kind:?}");
            assert!(mail.text.contains("15 minutes"), "{kind:?}");
        }
        let without = composer
            .compose(MailKind::Verification, "a@example.com", &ctx())
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
        let composer = Composer::new(&overrides).unwrap();
        let mut c = ctx();
        c.email = "<b>@example.com".into();
        let mail = composer
            .compose(MailKind::Verification, "x@example.com", &c)
            .unwrap();
        assert_eq!(mail.subject, "Hi <b>@example.com");
        assert!(mail.html.unwrap().contains("&lt;b&gt;@example.com"));
    }

    #[test]
    fn a_broken_override_is_refused_at_start() {
        let mut overrides = BTreeMap::new();
        overrides.insert("verification.txt".to_owned(), "{{ unclosed".to_owned());
        assert!(matches!(Composer::new(&overrides), Err(Error::Config(_))));
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(human_duration(time::Duration::minutes(30)), "30 minutes");
        assert_eq!(human_duration(time::Duration::hours(24)), "24 hours");
        assert_eq!(human_duration(time::Duration::days(3)), "3 days");
        assert_eq!(human_duration(time::Duration::minutes(1)), "1 minute");
    }
}
