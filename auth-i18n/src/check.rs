//! The completeness check: every language has every message of the default language, with
//! the same placeholders.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use crate::Catalogues;

/// A difference between a language's catalogue and the default language's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The language lacks a message the default language has.
    Missing {
        /// The language.
        lang: String,
        /// The message id.
        key: String,
    },
    /// The language has a message the default language does not (a typo or a leftover).
    Unknown {
        /// The language.
        lang: String,
        /// The message id.
        key: String,
    },
    /// The message uses other placeholders than the default language's.
    Placeholders {
        /// The language.
        lang: String,
        /// The message id.
        key: String,
        /// The default language's placeholders.
        expected: Vec<String>,
        /// This language's.
        found: Vec<String>,
    },
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing { lang, key } => write!(f, "{lang}: `{key}` is missing"),
            Self::Unknown { lang, key } => {
                write!(f, "{lang}: `{key}` is not in the default language")
            }
            Self::Placeholders {
                lang,
                key,
                expected,
                found,
            } => write!(
                f,
                "{lang}: `{key}` uses {found:?}, the default language {expected:?}"
            ),
        }
    }
}

/// Message id to the placeholders (`$name`) its value and attributes use.
type Messages = BTreeMap<String, BTreeSet<String>>;

impl Catalogues {
    /// Every gap between each language and the default language, the default language's
    /// own messages being the reference. Empty when every catalogue is complete.
    pub fn check(&self) -> Vec<Gap> {
        let all: Vec<(&str, Messages)> = self
            .resources()
            .map(|(lang, resources)| {
                let mut messages = Messages::new();
                for resource in resources {
                    for entry in resource.entries() {
                        if let ast::Entry::Message(message) = entry {
                            let mut vars = BTreeSet::new();
                            if let Some(value) = &message.value {
                                pattern_vars(value, &mut vars);
                            }
                            for attribute in &message.attributes {
                                pattern_vars(&attribute.value, &mut vars);
                            }
                            // A later resource overrides an earlier one, as in the bundle.
                            messages.insert(message.id.name.to_owned(), vars);
                        }
                    }
                }
                (lang, messages)
            })
            .collect();
        let Some((_, reference)) = all.iter().find(|(l, _)| *l == self.default_language()) else {
            return Vec::new();
        };
        let mut gaps = Vec::new();
        for (lang, messages) in &all {
            for (key, expected) in reference {
                match messages.get(key) {
                    None => gaps.push(Gap::Missing {
                        lang: (*lang).to_owned(),
                        key: key.clone(),
                    }),
                    Some(found) if found != expected => gaps.push(Gap::Placeholders {
                        lang: (*lang).to_owned(),
                        key: key.clone(),
                        expected: expected.iter().cloned().collect(),
                        found: found.iter().cloned().collect(),
                    }),
                    Some(_) => {}
                }
            }
            for key in messages.keys().filter(|k| !reference.contains_key(*k)) {
                gaps.push(Gap::Unknown {
                    lang: (*lang).to_owned(),
                    key: key.clone(),
                });
            }
        }
        gaps
    }
}

fn pattern_vars(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(expression: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Inline(inline) => inline_vars(inline, vars),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for variant in variants {
                pattern_vars(&variant.value, vars);
            }
        }
    }
}

fn inline_vars(inline: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. }
        | ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => {
            for argument in &arguments.positional {
                inline_vars(argument, vars);
            }
            for named in &arguments.named {
                inline_vars(&named.value, vars);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check CI runs: every shipped catalogue has every message and placeholder.
    #[test]
    fn every_shipped_catalogue_is_complete() {
        let gaps = Catalogues::shipped().check();
        assert!(
            gaps.is_empty(),
            "{} gaps:\n{}",
            gaps.len(),
            gaps.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn missing_unknown_and_placeholder_gaps_are_found() {
        let mut c = Catalogues::shipped();
        c.add(
            "en",
            "a = A { $x }\nb = B\nc = { $n ->\n [one] one { $what }\n *[other] many\n}",
        )
        .unwrap();
        c.add(
            "de",
            "a = A { $y }\nc = { $n ->\n [one] eins { $what }\n *[other] viele\n}\nd = D",
        )
        .unwrap();
        c.add(
            "es",
            "a = A { $x }\nb = B\nc = { $n ->\n [one] uno\n *[other] muchos\n}",
        )
        .unwrap();
        let gaps = c.check();
        assert_eq!(
            gaps,
            [
                Gap::Placeholders {
                    lang: "de".into(),
                    key: "a".into(),
                    expected: vec!["x".into()],
                    found: vec!["y".into()]
                },
                Gap::Missing {
                    lang: "de".into(),
                    key: "b".into()
                },
                Gap::Unknown {
                    lang: "de".into(),
                    key: "d".into()
                },
                Gap::Placeholders {
                    lang: "es".into(),
                    key: "c".into(),
                    expected: vec!["n".into(), "what".into()],
                    found: vec!["n".into()]
                },
            ]
        );
    }
}
