//! The `t` function templates render messages with.

use std::sync::Arc;

use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, State};

use crate::Catalogues;

/// Registers `t(key, name=value, ...)` in `env`: the message `key` in the language held by
/// the template context's `lang` variable (the default language when there is none), with
/// the keyword arguments as its placeholders. Numbers stay numbers, so Fluent's plural
/// rules apply to them. The text is escaped like any other value in HTML templates.
pub fn install(env: &mut Environment<'_>, catalogues: Arc<Catalogues>) {
    env.add_function(
        "t",
        move |state: &State<'_, '_>,
              key: &str,
              kwargs: Kwargs|
              -> Result<String, minijinja::Error> {
            let lang = state.lookup("lang");
            let lang = lang
                .as_ref()
                .and_then(Value::as_str)
                .unwrap_or_else(|| catalogues.default_language());
            let mut args = FluentArgs::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                args.set(name.to_owned(), fluent_value(&value));
            }
            Ok(catalogues.text(lang, key, Some(&args)))
        },
    );
}

fn fluent_value(value: &Value) -> FluentValue<'static> {
    match value.kind() {
        ValueKind::Number => value
            .as_i64()
            .map(FluentValue::from)
            .or_else(|| f64::try_from(value.clone()).ok().map(FluentValue::from))
            .unwrap_or_else(|| FluentValue::from(value.to_string())),
        _ => FluentValue::from(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_render_in_the_context_language_with_escaped_placeholders() {
        let mut c = Catalogues::shipped();
        c.add(
            "en",
            "items = { $count ->\n [one] one item for { $who }\n *[other] { $count } items for { $who }\n}",
        )
        .unwrap();
        c.add(
            "de",
            "items = { $count ->\n [one] ein Eintrag für { $who }\n *[other] { $count } Einträge für { $who }\n}",
        )
        .unwrap();
        let mut env = Environment::new();
        install(&mut env, Arc::new(c));
        env.add_template("p.html", "{{ t('items', count=n, who=who) }}")
            .unwrap();
        let page = env.get_template("p.html").unwrap();
        let render = |lang: Option<&str>, n: i64| {
            page.render(minijinja::context! { lang => lang, n => n, who => "<b>" })
                .unwrap()
        };
        assert_eq!(render(Some("de"), 1), "ein Eintrag für &lt;b&gt;");
        assert_eq!(render(Some("de"), 3), "3 Einträge für &lt;b&gt;");
        assert_eq!(render(None, 2), "2 items for &lt;b&gt;");
        assert_eq!(render(Some("es"), 1), "one item for &lt;b&gt;");
    }
}
