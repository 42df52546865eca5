//! # auth-i18n
//!
//! The message catalogues every user-visible text of the toolkit comes from: pages, mails,
//! flash messages and the JSON API's error messages. The catalogues are
//! [Project Fluent](https://projectfluent.org) files; English, German and Spanish ship with
//! the crate and an application adds languages or overrides single messages with
//! [`Catalogues::add`].
//!
//! The core and the web layer keep stable codes (`invalid_credentials`, `too_short`, ...)
//! and render them through [`Catalogues::text`], or in templates through the `t` function
//! that [`install`] registers:
//!
//! ```
//! use std::sync::Arc;
//! use auth_i18n::{accept_language, install, Catalogues};
//!
//! let mut catalogues = Catalogues::shipped();
//! catalogues.add("en", "greeting = Hello, { $name }!").unwrap();
//! catalogues.add("de", "greeting = Hallo, { $name }!").unwrap();
//! let catalogues = Arc::new(catalogues);
//!
//! let wanted = accept_language("fr-CH, de-AT;q=0.8, en;q=0.5");
//! let lang = catalogues.negotiate(wanted.iter().map(String::as_str));
//! assert_eq!(lang, "de");
//!
//! let mut env = minijinja::Environment::new();
//! install(&mut env, catalogues.clone());
//! env.add_template("page", r#"{{ t("greeting", name=who) }}"#).unwrap();
//! let page = env.get_template("page").unwrap();
//! let out = page.render(minijinja::context! { lang => lang, who => "Ada" }).unwrap();
//! assert_eq!(out, "Hallo, Ada!");
//! ```

mod catalogues;
mod check;
mod error;
mod negotiate;
mod template;

pub use catalogues::{Catalogues, SHIPPED_LANGUAGES};
pub use check::Gap;
pub use error::I18nError;
pub use fluent_bundle::{FluentArgs, FluentValue};
pub use negotiate::accept_language;
pub use template::install;
