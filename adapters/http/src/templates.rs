//! The page templates: embedded in the crate, overridable by name.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use auth_core::Catalogues;
use minijinja::Environment;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::WebError;

/// Declares the shipped templates once: the [`Template`] enum, its names and
/// [`TEMPLATE_NAMES`], and the embedded sources.
macro_rules! templates {
    (layouts: [$($layout:literal,)*] pages: {$($variant:ident => $file:literal,)*}) => {
        /// A page template shipped with the crate (an application may override it by
        /// name). The layouts and macros pages extend are not pages themselves.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Template {
            $(
                #[doc = concat!("`", $file, "`.")]
                $variant,
            )*
        }

        impl Template {
            /// The template's name, as [`TEMPLATE_NAMES`] lists it.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $file,)*
                }
            }
        }

        /// Every template shipped with the crate, by name. An application replaces any of
        /// them (or adds its own, e.g. pages that extend `base.html`) with
        /// [`AuthWebBuilder::template`](crate::AuthWebBuilder::template) or
        /// [`AuthWebBuilder::template_dir`](crate::AuthWebBuilder::template_dir).
        pub const TEMPLATE_NAMES: &[&str] = &[$($layout,)* $($file,)*];

        const EMBEDDED: &[(&str, &str)] = &[
            $(($layout, include_str!(concat!("templates/", $layout))),)*
            $(($file, include_str!(concat!("templates/", $file))),)*
        ];
    };
}

templates! {
    layouts: [
        "base.html",
        "macros.html",
        "account_layout.html",
        "code_macros.html",
    ]
    pages: {
        Login => "login.html",
        Register => "register.html",
        Message => "message.html",
        Error => "error.html",
        Verify => "verify.html",
        VerifyResend => "verify_resend.html",
        RequestReset => "request_reset.html",
        Reset => "reset.html",
        EmailConfirm => "email_confirm.html",
        Account => "account.html",
        AccountPassword => "account_password.html",
        AccountEmail => "account_email.html",
        AccountSessions => "account_sessions.html",
        AccountApiKeys => "account_api_keys.html",
        AccountPasskeys => "account_passkeys.html",
        AccountDelete => "account_delete.html",
        AdminUsers => "admin_users.html",
        AdminUser => "admin_user.html",
        AdminMail => "admin_mail.html",
        AdminWebhooks => "admin_webhooks.html",
        LoginSecondFactor => "login_second_factor.html",
        AccountSecondFactor => "account_second_factor.html",
        AccountSecondFactorEnrol => "account_second_factor_enrol.html",
        AccountRecoveryCodes => "account_recovery_codes.html",
        VerifyCode => "verify_code.html",
        ResetCode => "reset_code.html",
        LoginEmail => "login_email.html",
        LoginEmailCode => "login_email_code.html",
        LoginEmailLink => "login_email_link.html",
        Reauth => "reauth.html",
        OidcLink => "oidc_link.html",
        AccountIdentities => "account_identities.html",
    }
}

impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stylesheet shipped with the crate.
pub const STYLESHEET: &str = include_str!("auth.css");

/// Template overrides collected by the builder.
#[derive(Debug, Default, Clone)]
pub(crate) struct Overrides {
    pub(crate) dirs: Vec<PathBuf>,
    pub(crate) strings: Vec<(String, String)>,
    pub(crate) stylesheet: Option<String>,
}

/// The compiled templates plus the stylesheet and the passkey script, and their
/// versioned file names.
pub(crate) struct Templates {
    env: Environment<'static>,
    pub(crate) css: String,
    pub(crate) css_file: String,
    pub(crate) script_file: String,
}

/// `<stem>-<first 12 hex digits of the SHA-256 of content>.<ext>`: a name that changes
/// with the content, so the file can be cached for good.
fn versioned(stem: &str, ext: &str, content: &str) -> String {
    let digest = hex::encode(Sha256::digest(content.as_bytes()));
    format!("{stem}-{}.{ext}", &digest[..12])
}

impl Templates {
    pub(crate) fn build(
        overrides: &Overrides,
        catalogues: Arc<Catalogues>,
    ) -> Result<Self, WebError> {
        let mut env = Environment::new();
        auth_i18n::install(&mut env, catalogues);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") || name.ends_with(".htm") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        // HTML-escape the five significant characters only (minijinja also escapes `/`,
        // which is valid but makes every URL in the markup unreadable).
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == minijinja::AutoEscape::Html
                && !value.is_safe()
                && let Some(text) = value.as_str()
            {
                return write_html(out, text);
            }
            minijinja::escape_formatter(out, state, value)
        });
        for (name, source) in EMBEDDED {
            env.add_template(name, source)
                .map_err(|e| WebError::template(name, e))?;
        }
        for dir in &overrides.dirs {
            load_dir(&mut env, dir, dir)?;
        }
        for (name, source) in &overrides.strings {
            env.add_template_owned(name.clone(), source.clone())
                .map_err(|e| WebError::template(name, e))?;
        }
        // Compile-check every shipped page against the final set, so that a broken
        // override (say, a macro it no longer defines) fails at start-up, not per request.
        for name in TEMPLATE_NAMES {
            env.get_template(name)
                .map_err(|e| WebError::template(name, e))?;
        }
        let css = overrides
            .stylesheet
            .clone()
            .unwrap_or_else(|| STYLESHEET.to_owned());
        let css_file = versioned("auth", "css", &css);
        let script_file = versioned("passkeys", "js", crate::flows::PASSKEY_SCRIPT);
        Ok(Self {
            env,
            css,
            css_file,
            script_file,
        })
    }

    /// Renders `name` with `ctx`.
    pub(crate) fn render(
        &self,
        name: &str,
        ctx: &impl Serialize,
    ) -> Result<String, minijinja::Error> {
        self.env
            .get_template(name)?
            .render(minijinja::Value::from_serialize(ctx))
    }
}

fn write_html(out: &mut minijinja::Output<'_>, text: &str) -> Result<(), minijinja::Error> {
    let fail = |_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure);
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#x27;",
            _ => continue,
        };
        out.write_str(&text[last..i]).map_err(fail)?;
        out.write_str(entity).map_err(fail)?;
        last = i + c.len_utf8();
    }
    out.write_str(&text[last..]).map_err(fail)
}

fn load_dir(env: &mut Environment<'static>, root: &Path, dir: &Path) -> Result<(), WebError> {
    let entries = std::fs::read_dir(dir).map_err(|e| WebError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| WebError::io(dir, e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| WebError::io(&path, e))?;
        if file_type.is_dir() {
            load_dir(env, root, &path)?;
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let name: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let name = name.join("/");
        let source = std::fs::read_to_string(&path).map_err(|e| WebError::io(&path, e))?;
        env.add_template_owned(name.clone(), source)
            .map_err(|e| WebError::template(&name, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Arc<Catalogues> {
        Arc::new(Catalogues::shipped())
    }

    #[test]
    fn every_embedded_template_compiles_and_names_match() {
        let t = Templates::build(&Overrides::default(), shipped()).unwrap();
        assert_eq!(EMBEDDED.len(), TEMPLATE_NAMES.len());
        assert!(t.css_file.starts_with("auth-") && t.css_file.ends_with(".css"));
        assert!(t.css.contains("prefers-color-scheme: dark"));
    }

    #[test]
    fn strings_and_directories_override_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("error.html"), "DIR {{ title }}").unwrap();
        let overrides = Overrides {
            dirs: vec![dir.path().to_owned()],
            strings: vec![("message.html".into(), "STRING {{ title }}".into())],
            stylesheet: Some("body{}".into()),
        };
        let t = Templates::build(&overrides, shipped()).unwrap();
        let ctx = serde_json::json!({ "title": "<T>" });
        assert_eq!(t.render("error.html", &ctx).unwrap(), "DIR &lt;T&gt;");
        let tricky = serde_json::json!({ "title": "<a href='/x'>\"&\"</a>" });
        assert_eq!(
            t.render("message.html", &tricky).unwrap(),
            "STRING &lt;a href=&#x27;/x&#x27;&gt;&quot;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(t.render("message.html", &ctx).unwrap(), "STRING &lt;T&gt;");
        assert_eq!(t.css, "body{}");
        assert_ne!(
            t.css_file,
            Templates::build(&Overrides::default(), shipped())
                .unwrap()
                .css_file
        );
    }

    /// Macros imported from `macros.html` render in the page's language too.
    #[test]
    fn pages_and_their_macros_render_in_the_context_language() {
        let mut c = Catalogues::shipped();
        c.add(
            "de",
            "macros-optional = (freiwillig)\ncommon-username = Benutzername",
        )
        .unwrap();
        let t = Templates::build(&Overrides::default(), Arc::new(c)).unwrap();
        let ctx = |lang: &str| serde_json::json!({ "lang": lang, "errors": {}, "values": {}, "min_password": 12 });
        let de = t.render("register.html", &ctx("de")).unwrap();
        assert!(de.contains(r#"<html lang="de">"#), "{de}");
        assert!(de.contains("Benutzername <span class=\"optional\">(freiwillig)</span>"));
        let en = t.render("register.html", &ctx("en")).unwrap();
        assert!(en.contains("Username <span class=\"optional\">(optional)</span>"));
        assert!(
            en.contains("At least 12 characters. A few unrelated words make a strong password.")
        );
    }

    #[test]
    fn a_broken_override_fails_at_build() {
        let overrides = Overrides {
            strings: vec![("login.html".into(), "{% if %}".into())],
            ..Overrides::default()
        };
        assert!(Templates::build(&overrides, shipped()).is_err());
    }
}
