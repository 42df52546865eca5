//! Profile fields on the web: which fields a form shows, what it posts, and how the
//! values are shown again. The fields are the application's [`ProfileSchema`]; every
//! value is validated by the core, never here.
//!
//! A profile field travels under its own name, in forms and JSON bodies alike
//! (`company=Acme`, `{"company": "Acme"}`, values as strings there, like every top-level
//! JSON field); a JSON body may also nest them in a `"profile"` object (as `/api/me`
//! returns them), where values keep their JSON type (`42`, `true`), `null` clears a
//! field and a name the schema does not declare is refused.

use auth_core::profile::{FieldKind, Profile, ProfileField, ProfileSchema, Writer};
use auth_core::{Catalogues, ProfileUpdate};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::fields::Fields;

/// A declared field as templates see it.
#[derive(Debug, Serialize)]
pub(crate) struct FieldView {
    name: &'static str,
    label: String,
    kind: &'static str,
    required: bool,
    at_registration: bool,
    editable: bool,
    admin_only: bool,
    options: Vec<String>,
    max_length: usize,
}

impl FieldView {
    /// The view of `f`, its label in `lang` when it is the English catalogue's
    /// `profile-field-<name>` (a label of the application's own wording is kept).
    fn new(f: &ProfileField, catalogues: &Catalogues, lang: &str) -> Self {
        let key = [format!("profile-field-{}", f.name())];
        Self {
            name: f.name(),
            label: crate::localize::translate(catalogues, lang, &key, &[], f.label_text()),
            kind: f.kind().as_str(),
            required: f.is_required(),
            at_registration: f.is_at_registration(),
            editable: f.is_editable(),
            admin_only: f.is_admin_only(),
            options: f.options().to_vec(),
            max_length: f.max_len(),
        }
    }
}

/// Every declared field, in declaration order, for the templates of a page in `lang`.
pub(crate) fn field_views(
    schema: &ProfileSchema,
    catalogues: &Catalogues,
    lang: &str,
) -> Vec<FieldView> {
    schema
        .fields()
        .iter()
        .map(|f| FieldView::new(f, catalogues, lang))
        .collect()
}

/// What `fields` write to the profile as `writer`: each field the writer may write that
/// the body names (on a page form, a checkbox left unticked is written as "no"), and
/// every name of a nested `profile` object, declared or not (the core refuses what is
/// not declared).
pub(crate) fn update_from(
    fields: &Fields,
    schema: &ProfileSchema,
    writer: Writer,
    form: bool,
) -> ProfileUpdate {
    let mut update = ProfileUpdate::new();
    for f in schema.fields().iter().filter(|f| f.writable_by(writer)) {
        match fields.get(f.name()) {
            Some(value) => update.insert(f.name(), value),
            None if form && *f.kind() == FieldKind::Boolean => update.insert(f.name(), "false"),
            None => {}
        }
    }
    for (name, value) in fields.profile_object() {
        update.insert(name.as_str(), value.clone());
    }
    update
}

/// The profile values as typed into a form, to show it again after a refusal.
pub(crate) fn typed(fields: &Fields, schema: &ProfileSchema, writer: Writer) -> Map<String, Value> {
    schema
        .visible_to(writer)
        .filter_map(|f| {
            fields
                .get(f.name())
                .map(|v| (f.name().to_owned(), Value::from(v)))
        })
        .collect()
}

/// The stored values `writer` sees, as a form shows them (booleans as `true`/`false`,
/// numbers as digits).
pub(crate) fn form_values(
    profile: &Profile,
    schema: &ProfileSchema,
    writer: Writer,
) -> Map<String, Value> {
    schema
        .view(profile, writer)
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, Value::String(text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> ProfileSchema {
        ProfileSchema::default()
            .field(ProfileField::text("company").at_registration())
            .field(ProfileField::boolean("newsletter").at_registration())
            .field(ProfileField::text("plan").admin_only())
    }

    #[test]
    fn a_form_writes_its_fields_and_unticked_boxes() {
        let f = Fields::from_form(b"email=a%40b.example&company=Acme&plan=gold").unwrap();
        let update = update_from(&f, &schema(), Writer::Registration, true);
        let got: Vec<_> = update
            .iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("company".to_owned(), Value::from("Acme")),
                ("newsletter".to_owned(), Value::from("false")),
            ],
            "the admin-only field is not taken from a sign-up"
        );
        let api = update_from(&f, &schema(), Writer::Registration, false);
        assert_eq!(api.iter().count(), 1, "JSON leaves unnamed booleans alone");
    }

    #[test]
    fn a_nested_profile_object_is_read_whole() {
        let f =
            Fields::from_json(br#"{"profile": {"company": "Acme", "age": 3, "x": null}}"#).unwrap();
        let update = update_from(&f, &schema(), Writer::Owner, false);
        let got: Vec<_> = update
            .iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("age".to_owned(), Value::from(3)),
                ("company".to_owned(), Value::from("Acme")),
                ("x".to_owned(), Value::Null),
            ]
        );
    }
}
