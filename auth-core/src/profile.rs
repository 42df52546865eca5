//! Application-defined profile fields: what the account carries besides its credentials.
//!
//! An application declares a [`ProfileSchema`] in its [`Config`](crate::Config): three
//! built-in optional fields (`display_name`, `locale`, `time_zone`) and fields of its own,
//! each a [`ProfileField`] with a type, limits, and who may see and write it. The values
//! live on the account as a [`Profile`] (a map from field name to a JSON value, stored by
//! every store as one JSON document).
//!
//! Every write goes through the schema's validation in the core (registration, the
//! owner's account page and API, an administrator): an undeclared field, a field the
//! writer may not touch, or a value outside its declaration is refused with a field-level
//! [`Error::Validation`], and nothing of the write is kept. Values stored under a name
//! the schema no longer declares stay in storage untouched but are never shown, so a
//! field can be added or removed without migrating existing accounts.
//!
//! Applications read and write their fields as a struct of their own through serde:
//! [`Profile::to_struct`] and [`ProfileUpdate::from_struct`].

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Message, Result, ValidationErrors};

/// The built-in field for the name shown instead of the email address.
pub const DISPLAY_NAME: &str = "display_name";
/// The built-in field for the person's locale: any BCP 47 tag, such as `en` or `pt-BR`,
/// for the application's own use (formats, content). It is not the account's language
/// preference ([`User::language`](crate::User::language), always one of the offered
/// languages); it stands in for it: an account without a preference gets its mails and
/// signed-in pages in the offered language that serves its `locale` (`de-AT`: German),
/// and in the default language when none does (`pt-BR` without a Portuguese catalogue).
/// The rule is [`Auth::account_language`](crate::Auth::account_language).
pub const LOCALE: &str = "locale";
/// The built-in field for the time zone (an IANA name such as `Europe/Paris`).
pub const TIME_ZONE: &str = "time_zone";

/// The default ceiling of a whole profile, serialised as JSON: 8 KiB.
pub const DEFAULT_MAX_BYTES: usize = 8 * 1024;

/// Names the web forms and APIs already use for other things; a profile field may not
/// take them.
const RESERVED: &[&str] = &[
    "email",
    "username",
    "password",
    "password_confirm",
    "current_password",
    "new_email",
    "login",
    "remember",
    "next",
    "csrf_token",
    "_csrf",
    "roles",
    "profile",
    "form",
    "user",
    "id",
    "q",
    "search",
    "page",
];

/// The values of one account's profile: field name to value. Text-like values are JSON
/// strings (a date as `YYYY-MM-DD`), numbers JSON numbers, booleans JSON booleans. An
/// absent name means "not set".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Profile(Map<String, Value>);

impl Profile {
    /// An empty profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of a field, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The value of a text-like field (text, email, URL, one-of, date), if set.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// The display name, if set.
    pub fn display_name(&self) -> Option<&str> {
        self.text(DISPLAY_NAME)
    }

    /// The locale (see [`LOCALE`]), if set.
    pub fn locale(&self) -> Option<&str> {
        self.text(LOCALE)
    }

    /// The time zone, if set.
    pub fn time_zone(&self) -> Option<&str> {
        self.text(TIME_ZONE)
    }

    /// Every stored value, by name (including values of fields no longer declared).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The profile as a struct of the application's (fields it does not name are
    /// ignored unless the struct denies unknown fields; unset fields are absent, so use
    /// `Option` or `#[serde(default)]`).
    ///
    /// # Errors
    /// [`Error::Validation`] on `profile` when the values do not fit the struct.
    pub fn to_struct<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(Value::Object(self.0.clone())).map_err(|e| {
            // serde's detail (which field, which type) is for the developer: the log.
            tracing::warn!(error = %e, "a profile does not fit the application's type");
            Error::Validation(ValidationErrors::single(
                "profile",
                Message::new("field-profile-wrong_type").with_detail(e),
            ))
        })
    }

    /// The JSON document stores keep.
    ///
    /// # Errors
    /// [`Error::Backend`] if serialisation fails (it does not for a map of JSON values).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&self.0).map_err(Error::backend)
    }

    /// Reads the JSON document a store kept. An empty string reads as an empty profile.
    ///
    /// # Errors
    /// [`Error::Backend`] when the document is not a JSON object.
    pub fn from_json(json: &str) -> Result<Self> {
        if json.trim().is_empty() {
            return Ok(Self::new());
        }
        serde_json::from_str(json).map(Self).map_err(Error::backend)
    }

    /// Size in bytes of the JSON document.
    fn json_len(&self) -> usize {
        serde_json::to_vec(&self.0).map_or(usize::MAX, |v| v.len())
    }

    /// Whether `needle` (already lower-case) occurs in the value of one of `fields`,
    /// case-insensitively: what a store's user search does with profile fields.
    pub fn matches(&self, fields: &[&str], needle: &str) -> bool {
        fields
            .iter()
            .filter_map(|f| self.0.get(*f))
            .any(|v| searchable_text(v).to_lowercase().contains(needle))
    }
}

/// The text a search compares a value with: a string as it is, anything else as JSON.
fn searchable_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What a writer submits: field name to new value. `null` or an empty string clears the
/// field; fields not named are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProfileUpdate(BTreeMap<String, Value>);

impl ProfileUpdate {
    /// An update that changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value` (builder style).
    #[must_use]
    pub fn set(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }

    /// Clears `name` (builder style).
    #[must_use]
    pub fn clear(mut self, name: impl Into<String>) -> Self {
        self.0.insert(name.into(), Value::Null);
        self
    }

    /// Sets `name` to `value`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.0.insert(name.into(), value.into());
    }

    /// Whether the update names no field.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The named fields and their new values.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// An update from a struct of the application's: every field of the struct is
    /// written (an `Option` that is `None` clears its field).
    ///
    /// # Errors
    /// [`Error::Validation`] on `profile` when the struct does not serialise to a JSON
    /// object.
    pub fn from_struct<T: Serialize>(value: &T) -> Result<Self> {
        match serde_json::to_value(value) {
            Ok(Value::Object(map)) => Ok(Self(map.into_iter().collect())),
            Ok(_) => Err(Error::invalid(
                "profile",
                Message::new("field-profile-not_an_object"),
            )),
            Err(e) => {
                tracing::warn!(error = %e, "an application's profile type could not be read");
                Err(Error::invalid(
                    "profile",
                    Message::new("field-profile-unreadable").with_detail(e),
                ))
            }
        }
    }
}

/// The type of a profile field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Free text on one line.
    Text,
    /// An email address (stored normalised).
    Email,
    /// An `http` or `https` URL.
    Url,
    /// A number (whole or decimal).
    Number,
    /// Yes or no.
    Boolean,
    /// One of the listed values.
    OneOf(Vec<String>),
    /// A calendar date, `YYYY-MM-DD`.
    Date,
}

impl FieldKind {
    /// A stable name (`text`, `email`, `url`, `number`, `boolean`, `one_of`, `date`), for
    /// templates and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Email => "email",
            Self::Url => "url",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::OneOf(_) => "one_of",
            Self::Date => "date",
        }
    }

    fn is_textual(&self) -> bool {
        !matches!(self, Self::Number | Self::Boolean)
    }
}

/// Who writes a profile: each sees and may write a different part of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Writer {
    /// A person signing up: the fields asked at registration.
    Registration,
    /// The signed-in owner: the fields they may edit.
    Owner,
    /// An administrator (or an operator creating an account): every field.
    Admin,
}

/// One declared field.
#[derive(Debug, Clone)]
pub struct ProfileField {
    name: &'static str,
    label: String,
    kind: FieldKind,
    required: bool,
    at_registration: bool,
    editable: bool,
    admin_only: bool,
    searchable: bool,
    min_length: Option<usize>,
    max_length: usize,
    min: Option<f64>,
    max: Option<f64>,
    pattern: Option<Regex>,
    problem: Option<String>,
}

impl ProfileField {
    fn new(name: &'static str, kind: FieldKind) -> Self {
        let max_length = match kind {
            FieldKind::Url => 2048,
            FieldKind::Email => 254,
            _ => 200,
        };
        Self {
            name,
            label: default_label(name),
            kind,
            required: false,
            at_registration: false,
            editable: true,
            admin_only: false,
            searchable: false,
            min_length: None,
            max_length,
            min: None,
            max: None,
            pattern: None,
            problem: None,
        }
    }

    /// A text field. `name` is its form and JSON name: lower-case ASCII letters, digits
    /// and `_`, starting with a letter, at most 40 characters.
    pub fn text(name: &'static str) -> Self {
        Self::new(name, FieldKind::Text)
    }

    /// An email address field.
    pub fn email(name: &'static str) -> Self {
        Self::new(name, FieldKind::Email)
    }

    /// A URL field (`http` or `https`).
    pub fn url(name: &'static str) -> Self {
        Self::new(name, FieldKind::Url)
    }

    /// A number field.
    pub fn number(name: &'static str) -> Self {
        Self::new(name, FieldKind::Number)
    }

    /// A yes/no field.
    pub fn boolean(name: &'static str) -> Self {
        Self::new(name, FieldKind::Boolean)
    }

    /// A field whose value is one of `options`.
    pub fn one_of<I, S>(name: &'static str, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new(
            name,
            FieldKind::OneOf(options.into_iter().map(Into::into).collect()),
        )
    }

    /// A date field (`YYYY-MM-DD`).
    pub fn date(name: &'static str) -> Self {
        Self::new(name, FieldKind::Date)
    }

    /// The label people see (default: the name with `_` as spaces, capitalised).
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The field must have a value: it must be given where it is asked and can never
    /// be cleared.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The registration form and API ask for it.
    #[must_use]
    pub fn at_registration(mut self) -> Self {
        self.at_registration = true;
        self
    }

    /// The owner sees it but may not change it (an administrator may).
    #[must_use]
    pub fn read_only(mut self) -> Self {
        self.editable = false;
        self
    }

    /// Only administrators see and write it.
    #[must_use]
    pub fn admin_only(mut self) -> Self {
        self.admin_only = true;
        self.editable = false;
        self
    }

    /// The administrator's user search matches its values.
    #[must_use]
    pub fn searchable(mut self) -> Self {
        self.searchable = true;
        self
    }

    /// Text-like values have at least `n` characters.
    #[must_use]
    pub fn min_length(mut self, n: usize) -> Self {
        self.min_length = Some(n);
        self
    }

    /// Text-like values have at most `n` characters (default 200; 254 for email, 2048
    /// for URLs).
    #[must_use]
    pub fn max_length(mut self, n: usize) -> Self {
        self.max_length = n;
        self
    }

    /// Numbers lie within `min..=max`.
    #[must_use]
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    /// Text-like values match this regular expression as a whole (`regex` crate
    /// syntax). An invalid expression makes [`ConfigBuilder::build`](crate::ConfigBuilder::build)
    /// fail.
    #[must_use]
    pub fn pattern(mut self, pattern: &str) -> Self {
        match Regex::new(&format!("^(?:{pattern})$")) {
            Ok(re) => self.pattern = Some(re),
            Err(e) => self.problem = Some(format!("invalid pattern: {e}")),
        }
        self
    }

    /// The form and JSON name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The label people see.
    pub fn label_text(&self) -> &str {
        &self.label
    }

    /// The type.
    pub fn kind(&self) -> &FieldKind {
        &self.kind
    }

    /// Whether it must have a value.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// Whether registration asks for it.
    pub fn is_at_registration(&self) -> bool {
        self.at_registration
    }

    /// Whether the owner may change it.
    pub fn is_editable(&self) -> bool {
        self.editable && !self.admin_only
    }

    /// Whether only administrators see it.
    pub fn is_admin_only(&self) -> bool {
        self.admin_only
    }

    /// Whether the user search matches it.
    pub fn is_searchable(&self) -> bool {
        self.searchable
    }

    /// The longest text-like value, in characters.
    pub fn max_len(&self) -> usize {
        self.max_length
    }

    /// The options of a one-of field (empty for other kinds).
    pub fn options(&self) -> &[String] {
        match &self.kind {
            FieldKind::OneOf(options) => options,
            _ => &[],
        }
    }

    /// Whether `writer` sees the field.
    pub fn visible_to(&self, writer: Writer) -> bool {
        match writer {
            Writer::Registration => self.at_registration,
            Writer::Owner => !self.admin_only,
            Writer::Admin => true,
        }
    }

    /// Whether `writer` may write the field.
    pub fn writable_by(&self, writer: Writer) -> bool {
        match writer {
            Writer::Registration => self.at_registration,
            Writer::Owner => self.is_editable(),
            Writer::Admin => true,
        }
    }

    fn check(&self) -> std::result::Result<(), String> {
        let name = self.name;
        let well_formed = name.len() <= 40
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            return Err(format!(
                "profile field {name:?}: a name is lower-case letters, digits and _, \
                 starting with a letter, at most 40 characters"
            ));
        }
        if RESERVED.contains(&name) {
            return Err(format!(
                "profile field {name:?}: the name is used by the forms for something else"
            ));
        }
        if let Some(problem) = &self.problem {
            return Err(format!("profile field {name:?}: {problem}"));
        }
        if self.admin_only && self.at_registration {
            return Err(format!(
                "profile field {name:?}: an admin-only field cannot be asked at registration"
            ));
        }
        if self.max_length == 0 || self.min_length.is_some_and(|m| m > self.max_length) {
            return Err(format!(
                "profile field {name:?}: inconsistent length limits"
            ));
        }
        if let (Some(min), Some(max)) = (self.min, self.max)
            && (min > max || min.is_nan() || max.is_nan())
        {
            return Err(format!("profile field {name:?}: inconsistent range"));
        }
        if let FieldKind::OneOf(options) = &self.kind
            && (options.is_empty() || options.iter().any(|o| o.trim().is_empty()))
        {
            return Err(format!(
                "profile field {name:?}: a one-of field needs non-blank options"
            ));
        }
        Ok(())
    }

    /// The stored value for `input`, `None` to clear, or why it is refused.
    fn parse(&self, input: &Value) -> std::result::Result<Option<Value>, (&'static str, Message)> {
        let label = &self.label;
        let text = match input {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Bool(_) | Value::Number(_) if !self.kind.is_textual() => None,
            _ if self.kind.is_textual() => {
                return Err((
                    "invalid_type",
                    Message::new("field-profile-not_text").arg("label", label),
                ));
            }
            _ => {
                return Err((
                    "invalid_type",
                    Message::new("field-profile-wrong_value_type").arg("label", label),
                ));
            }
        };
        let blank = text.is_none() && matches!(input, Value::Null | Value::String(_));
        if blank {
            if self.required {
                return Err((
                    "required",
                    Message::new("field-profile-required").arg("label", label),
                ));
            }
            return Ok(None);
        }
        match &self.kind {
            FieldKind::Number => self.parse_number(input, text.as_deref()).map(Some),
            FieldKind::Boolean => parse_boolean(label, input, text.as_deref()).map(Some),
            _ => {
                let text = text.unwrap_or_default();
                self.parse_text(text).map(|s| Some(Value::String(s)))
            }
        }
    }

    fn parse_text(&self, text: String) -> std::result::Result<String, (&'static str, Message)> {
        let label = &self.label;
        if text.chars().any(char::is_control) {
            return Err((
                "invalid",
                Message::new("field-profile-control_characters").arg("label", label),
            ));
        }
        let length = text.chars().count();
        if length > self.max_length {
            return Err((
                "too_long",
                Message::new("field-profile-too_long")
                    .arg("label", label)
                    .arg("n", self.max_length),
            ));
        }
        if let Some(min) = self.min_length
            && length < min
        {
            return Err((
                "too_short",
                Message::new("field-profile-too_short")
                    .arg("label", label)
                    .arg("n", min),
            ));
        }
        let value = match &self.kind {
            FieldKind::Email => {
                crate::validate::normalize_email(self.name, &text).map_err(|_| {
                    (
                        "invalid",
                        Message::new("field-profile-not_email").arg("label", label),
                    )
                })?
            }
            FieldKind::Url => {
                let ok = url::Url::parse(&text)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
                if !ok {
                    return Err((
                        "invalid",
                        Message::new("field-profile-not_url").arg("label", label),
                    ));
                }
                text
            }
            FieldKind::OneOf(options) => {
                if !options.contains(&text) {
                    return Err((
                        "not_allowed",
                        Message::new("field-profile-not_an_option")
                            .arg("label", label)
                            .arg("options", options.join(", ")),
                    ));
                }
                text
            }
            FieldKind::Date => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                if time::Date::parse(&text, format).is_err() {
                    return Err((
                        "invalid",
                        Message::new("field-profile-not_a_date").arg("label", label),
                    ));
                }
                text
            }
            FieldKind::Text | FieldKind::Number | FieldKind::Boolean => text,
        };
        if let Some(re) = &self.pattern
            && !re.is_match(&value)
        {
            return Err((
                "pattern",
                Message::new("field-profile-pattern").arg("label", label),
            ));
        }
        Ok(value)
    }

    fn parse_number(
        &self,
        input: &Value,
        text: Option<&str>,
    ) -> std::result::Result<Value, (&'static str, Message)> {
        let label = &self.label;
        let n = match (input, text) {
            (Value::Number(n), _) => n.as_f64(),
            (_, Some(t)) => t.parse::<f64>().ok(),
            _ => None,
        }
        .filter(|n| n.is_finite())
        .ok_or_else(|| {
            (
                "invalid",
                Message::new("field-profile-not_a_number").arg("label", label),
            )
        })?;
        if self.min.is_some_and(|min| n < min) || self.max.is_some_and(|max| n > max) {
            let (min, max) = (self.min.unwrap_or(f64::MIN), self.max.unwrap_or(f64::MAX));
            return Err((
                "out_of_range",
                Message::new("field-profile-out_of_range")
                    .arg("label", label)
                    .arg("min", min)
                    .arg("max", max),
            ));
        }
        // Whole numbers are stored as integers, so that 3 does not come back as 3.0.
        #[allow(clippy::cast_possible_truncation)]
        let whole = n.fract() == 0.0 && n.abs() < 9.0e15;
        Ok(if whole {
            #[allow(clippy::cast_possible_truncation)]
            Value::from(n as i64)
        } else {
            Value::from(n)
        })
    }
}

fn parse_boolean(
    label: &str,
    input: &Value,
    text: Option<&str>,
) -> std::result::Result<Value, (&'static str, Message)> {
    let value = match (input, text) {
        (Value::Bool(b), _) => Some(*b),
        (_, Some(t)) => match t.to_ascii_lowercase().as_str() {
            "true" | "on" | "yes" | "1" => Some(true),
            "false" | "off" | "no" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    value.map(Value::Bool).ok_or_else(|| {
        (
            "invalid",
            Message::new("field-profile-not_yes_or_no").arg("label", label),
        )
    })
}

fn default_label(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The validated changes of one write, ready for the state machine: field name to new
/// value, `None` to clear.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ProfileChanges(pub(crate) Vec<(&'static str, Option<Value>)>);

impl ProfileChanges {
    /// Applies the changes to `profile`.
    pub(crate) fn apply_to(&self, profile: &mut Profile) {
        for (name, value) in &self.0 {
            match value {
                Some(v) => {
                    profile.0.insert((*name).to_owned(), v.clone());
                }
                None => {
                    profile.0.remove(*name);
                }
            }
        }
    }

    /// The names changed, for the audit trail.
    pub(crate) fn names(&self) -> String {
        self.0.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(",")
    }
}

/// The fields an application declares. The default holds the three built-in optional
/// fields (`display_name`, `locale`, `time_zone`), editable by the owner.
///
/// ```
/// use auth_core::profile::{ProfileField, ProfileSchema};
///
/// let schema = ProfileSchema::default()
///     .field(ProfileField::text("display_name").label("Display name").max_length(64)
///         .at_registration())
///     .field(ProfileField::text("company").max_length(100).at_registration().searchable())
///     .field(ProfileField::one_of("plan", ["free", "pro"]).admin_only());
/// assert!(schema.get("company").unwrap().is_at_registration());
/// ```
#[derive(Debug, Clone)]
pub struct ProfileSchema {
    fields: Vec<ProfileField>,
    max_bytes: usize,
}

impl Default for ProfileSchema {
    fn default() -> Self {
        Self {
            fields: vec![
                ProfileField::text(DISPLAY_NAME)
                    .label("Display name")
                    .max_length(64),
                ProfileField::text(LOCALE)
                    .label("Language")
                    .max_length(35)
                    .pattern("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*"),
                ProfileField::text(TIME_ZONE)
                    .label("Time zone")
                    .max_length(64)
                    .pattern("UTC|[A-Za-z]+(/[A-Za-z0-9_+-]+){1,2}"),
            ],
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl ProfileSchema {
    /// A schema with no field at all (not even the built-ins).
    pub fn empty() -> Self {
        Self {
            fields: Vec::new(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// Declares a field; a field of the same name (a built-in, say) is replaced in place.
    #[must_use]
    pub fn field(mut self, field: ProfileField) -> Self {
        match self.fields.iter_mut().find(|f| f.name == field.name) {
            Some(existing) => *existing = field,
            None => self.fields.push(field),
        }
        self
    }

    /// Removes a declared field (its stored values stay, unseen).
    #[must_use]
    pub fn without(mut self, name: &str) -> Self {
        self.fields.retain(|f| f.name != name);
        self
    }

    /// The ceiling of a whole profile serialised as JSON, in bytes (default 8 KiB).
    #[must_use]
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// The ceiling of a whole profile, in bytes.
    pub fn max_profile_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Every declared field, in declaration order.
    pub fn fields(&self) -> &[ProfileField] {
        &self.fields
    }

    /// The field named `name`.
    pub fn get(&self, name: &str) -> Option<&ProfileField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The fields `writer` sees, in declaration order.
    pub fn visible_to(&self, writer: Writer) -> impl Iterator<Item = &ProfileField> {
        self.fields.iter().filter(move |f| f.visible_to(writer))
    }

    /// The names of the fields the user search matches.
    pub fn searchable(&self) -> Vec<&'static str> {
        self.fields
            .iter()
            .filter(|f| f.searchable)
            .map(|f| f.name)
            .collect()
    }

    /// The values of `profile` that `writer` sees, as a JSON object (declared fields
    /// only; unset fields absent).
    pub fn view(&self, profile: &Profile, writer: Writer) -> Map<String, Value> {
        self.visible_to(writer)
            .filter_map(|f| profile.get(f.name).map(|v| (f.name.to_owned(), v.clone())))
            .collect()
    }

    /// Checks the declaration (names, limits, patterns), as the configuration does when
    /// it is built.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first problem.
    pub fn check(&self) -> Result<()> {
        for (i, field) in self.fields.iter().enumerate() {
            field.check().map_err(Error::Config)?;
            if self.fields[..i].iter().any(|f| f.name == field.name) {
                return Err(Error::Config(format!(
                    "profile field {:?} is declared twice",
                    field.name
                )));
            }
        }
        if self.max_bytes < 64 {
            return Err(Error::Config(
                "profile max_bytes must be at least 64".into(),
            ));
        }
        Ok(())
    }

    /// Validates a write by `writer`: every named field must be declared and writable by
    /// the writer, every value valid for its field; at registration, every required
    /// field asked there must be given. All problems are reported together, each on its
    /// field (an undeclared or forbidden name on `profile`).
    ///
    /// # Errors
    /// [`Error::Validation`].
    pub(crate) fn validate(
        &self,
        update: &ProfileUpdate,
        writer: Writer,
    ) -> Result<ProfileChanges> {
        let mut errors = ValidationErrors::new();
        let mut changes = Vec::new();
        for (name, value) in update.iter() {
            let Some(field) = self.get(name).filter(|f| f.visible_to(writer)) else {
                errors.push(
                    "profile",
                    "unknown_field",
                    Message::new("field-profile-unknown_field")
                        .arg("name", format!("{:?}", truncate(name))),
                );
                continue;
            };
            if !field.writable_by(writer) {
                errors.push(
                    field.name,
                    "read_only",
                    Message::new("field-profile-read_only").arg("label", &field.label),
                );
                continue;
            }
            match field.parse(value) {
                Ok(v) => changes.push((field.name, v)),
                Err((code, message)) => errors.push(field.name, code, message),
            }
        }
        if writer == Writer::Registration {
            for field in self
                .fields
                .iter()
                .filter(|f| f.at_registration && f.required)
            {
                let given = changes.iter().any(|(n, v)| *n == field.name && v.is_some());
                if !given && errors.field(field.name).is_none() {
                    errors.push(
                        field.name,
                        "required",
                        Message::new("field-profile-required").arg("label", &field.label),
                    );
                }
            }
        }
        errors.into_result()?;
        Ok(ProfileChanges(changes))
    }

    /// Checks a write by `writer` without making it, as every flow that writes does
    /// first: for a caller that must know a write will be accepted before it does
    /// something else (the web layer saves a username and profile fields from one form).
    ///
    /// # Errors
    /// [`Error::Validation`], as the write would.
    pub fn check_update(&self, update: &ProfileUpdate, writer: Writer) -> Result<()> {
        self.validate(update, writer).map(drop)
    }

    /// Refuses a profile larger than the ceiling.
    ///
    /// # Errors
    /// [`Error::Validation`] on `profile` with code `too_large`.
    pub(crate) fn check_size(max_bytes: usize, profile: &Profile) -> Result<()> {
        if profile.json_len() > max_bytes {
            let mut errors = ValidationErrors::new();
            errors.push(
                "profile",
                "too_large",
                Message::new("field-profile-too_large").arg("n", max_bytes),
            );
            return Err(Error::Validation(errors));
        }
        Ok(())
    }
}

fn truncate(name: &str) -> String {
    name.chars().take(40).collect()
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> ProfileSchema {
        ProfileSchema::default()
            .field(
                ProfileField::text("company")
                    .max_length(10)
                    .at_registration()
                    .required()
                    .searchable(),
            )
            .field(ProfileField::number("age").range(0.0, 150.0))
            .field(ProfileField::boolean("newsletter"))
            .field(ProfileField::one_of("plan", ["free", "pro"]).admin_only())
            .field(ProfileField::url("homepage"))
            .field(ProfileField::date("birthday"))
            .field(ProfileField::email("backup_email"))
            .field(ProfileField::text("code").pattern("[A-Z]{3}"))
            .field(ProfileField::text("badge").read_only())
    }

    fn codes(err: Error) -> Vec<(&'static str, &'static str)> {
        match err {
            Error::Validation(v) => v.errors().iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn the_default_schema_and_the_example_check() {
        schema().check().unwrap();
        assert_eq!(ProfileSchema::default().fields().len(), 3);
        assert_eq!(schema().searchable(), vec!["company"]);
    }

    #[test]
    fn bad_declarations_are_refused() {
        for bad in [
            ProfileSchema::default().field(ProfileField::text("Company")),
            ProfileSchema::default().field(ProfileField::text("email")),
            ProfileSchema::default().field(ProfileField::text("x").pattern("(")),
            ProfileSchema::default().field(ProfileField::text("x").min_length(5).max_length(2)),
            ProfileSchema::default().field(ProfileField::number("x").range(5.0, 1.0)),
            ProfileSchema::default().field(ProfileField::one_of("x", Vec::<String>::new())),
            ProfileSchema::default().field(ProfileField::text("x").admin_only().at_registration()),
        ] {
            assert!(matches!(bad.check(), Err(Error::Config(_))), "{bad:?}");
        }
    }

    #[test]
    fn values_are_parsed_to_their_types() {
        let update = ProfileUpdate::new()
            .set("company", "  Acme ")
            .set("age", "42")
            .set("newsletter", "on")
            .set("homepage", "https://example.com/x")
            .set("birthday", "1990-02-28")
            .set("backup_email", "Ada@Example.COM")
            .set("code", "ABC")
            .set("display_name", "Ada");
        let changes = schema().validate(&update, Writer::Owner).unwrap();
        let mut profile = Profile::new();
        changes.apply_to(&mut profile);
        assert_eq!(profile.text("company"), Some("Acme"));
        assert_eq!(profile.get("age"), Some(&json!(42)));
        assert_eq!(profile.get("newsletter"), Some(&json!(true)));
        assert_eq!(profile.text("backup_email"), Some("ada@example.com"));
        assert_eq!(profile.display_name(), Some("Ada"));
        let fractional = ProfileUpdate::new().set("age", json!(1.5));
        let changes = schema().validate(&fractional, Writer::Owner).unwrap();
        assert_eq!(changes.0, vec![("age", Some(json!(1.5)))]);
    }

    #[test]
    fn every_problem_is_reported_on_its_field() {
        let update = ProfileUpdate::new()
            .set("company", "a company name far too long")
            .set("age", "200")
            .set("newsletter", "maybe")
            .set("homepage", "javascript:alert(1)")
            .set("birthday", "1990-02-30")
            .set("backup_email", "not an address")
            .set("code", "abc")
            .set("plan", "pro")
            .set("badge", "x")
            .set("nonsense", "x")
            .set("locale", "not a locale!");
        let got = codes(schema().validate(&update, Writer::Owner).unwrap_err());
        assert_eq!(
            got,
            vec![
                ("age", "out_of_range"),
                ("backup_email", "invalid"),
                ("badge", "read_only"),
                ("birthday", "invalid"),
                ("code", "pattern"),
                ("company", "too_long"),
                ("homepage", "invalid"),
                ("locale", "pattern"),
                ("newsletter", "invalid"),
                ("profile", "unknown_field"),
                ("profile", "unknown_field"),
            ]
        );
    }

    #[test]
    fn writers_see_and_write_their_part() {
        let admin = ProfileUpdate::new().set("plan", "pro").set("badge", "gold");
        assert_eq!(schema().validate(&admin, Writer::Admin).unwrap().0.len(), 2);
        let bad_plan = ProfileUpdate::new().set("plan", "gold");
        assert_eq!(
            codes(schema().validate(&bad_plan, Writer::Admin).unwrap_err()),
            vec![("plan", "not_allowed")]
        );
        // At registration only the registration fields, and the required ones must come.
        let signup = ProfileUpdate::new().set("age", 3);
        assert_eq!(
            codes(
                schema()
                    .validate(&signup, Writer::Registration)
                    .unwrap_err()
            ),
            vec![("profile", "unknown_field"), ("company", "required")]
        );
        let cleared = ProfileUpdate::new().clear("company");
        assert_eq!(
            codes(schema().validate(&cleared, Writer::Owner).unwrap_err()),
            vec![("company", "required")]
        );
        let view = schema().view(
            &Profile(
                [
                    ("plan".to_owned(), json!("pro")),
                    ("gone".to_owned(), json!(1)),
                ]
                .into_iter()
                .collect(),
            ),
            Writer::Owner,
        );
        assert!(
            view.is_empty(),
            "admin-only and undeclared values stay hidden"
        );
    }

    #[test]
    fn oversized_profiles_are_refused() {
        let mut profile = Profile::new();
        profile.0.insert("a".into(), json!("x".repeat(100)));
        assert!(ProfileSchema::check_size(200, &profile).is_ok());
        assert_eq!(
            codes(ProfileSchema::check_size(50, &profile).unwrap_err()),
            vec![("profile", "too_large")]
        );
    }

    #[test]
    fn structs_round_trip() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Mine {
            company: Option<String>,
            age: Option<u32>,
        }
        let update = ProfileUpdate::from_struct(&Mine {
            company: Some("Acme".into()),
            age: None,
        })
        .unwrap();
        let changes = schema().validate(&update, Writer::Admin).unwrap();
        let mut profile = Profile::new();
        changes.apply_to(&mut profile);
        assert_eq!(
            profile.to_struct::<Mine>().unwrap(),
            Mine {
                company: Some("Acme".into()),
                age: None
            }
        );
        assert!(ProfileUpdate::from_struct(&3).is_err());
        assert!(profile.matches(&["company"], "acm"));
        assert!(!profile.matches(&["age"], "acm"));
    }

    #[test]
    fn a_profile_that_does_not_fit_says_so_coarsely_and_keeps_serdes_detail_aside() {
        #[derive(Debug, Deserialize)]
        struct Strict {
            company: u32,
        }
        let mut profile = Profile::new();
        let update = ProfileUpdate::new().set("company", "Acme");
        schema()
            .validate(&update, Writer::Admin)
            .unwrap()
            .apply_to(&mut profile);
        let errors = match profile.to_struct::<Strict>() {
            Ok(s) => panic!("a string read as the number {}", s.company),
            Err(Error::Validation(errors)) => errors,
            Err(other) => panic!("{other:?}"),
        };
        let field = errors.field("profile").unwrap();
        assert_eq!(
            field.message,
            "The profile does not fit the requested type."
        );
        let reason = field.reason.as_ref().unwrap();
        assert!(
            reason.detail().unwrap().contains("invalid type"),
            "{reason:?}"
        );
        let es = reason.render(&crate::Catalogues::shipped(), "es");
        assert_eq!(es, "El perfil no se ajusta al tipo pedido.");
    }
}
