//! Request bodies: URL-encoded forms and JSON objects, read into one flat map of fields
//! from which the pages and the JSON API read the same inputs ([`crate::input`]).

use std::collections::HashMap;

use auth_core::{Message, ValidationErrors};

/// The largest listing offset accepted: the largest that every store can pass on (SQL's
/// `OFFSET` is a signed 64-bit number). Past the last record a page is simply empty.
pub(crate) const MAX_OFFSET: u64 = i64::MAX as u64;

/// Why a body could not be read, as a message of the catalogues (the parser's detail
/// goes to the debug log only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InputError {
    /// Not valid `application/x-www-form-urlencoded` or not a JSON object.
    Malformed(Message),
    /// A JSON value of the wrong type (an object where a string was expected, ...).
    WrongType(Message),
}

/// Submitted fields by name. Repeated form fields keep the first value. A JSON body's
/// `"profile"` object is kept aside, its values as they came (see [`crate::profile`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct Fields {
    map: HashMap<String, String>,
    profile: Vec<(String, serde_json::Value)>,
}

impl Fields {
    pub(crate) fn from_form(body: &[u8]) -> Result<Self, InputError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
            tracing::debug!(error = %e, "a form body could not be read");
            InputError::Malformed(Message::new("error-bad_request-form"))
        })?;
        let mut map = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_insert(v);
        }
        Ok(Self {
            map,
            profile: Vec::new(),
        })
    }

    pub(crate) fn from_query(query: Option<&str>) -> Self {
        Self::from_form(query.unwrap_or("").as_bytes()).unwrap_or_default()
    }

    pub(crate) fn from_json(body: &[u8]) -> Result<Self, InputError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
            tracing::debug!(error = %e, "a JSON body could not be read");
            InputError::Malformed(Message::new("error-bad_request-json"))
        })?;
        let serde_json::Value::Object(obj) = value else {
            return Err(InputError::Malformed(Message::new(
                "error-bad_request-json_object",
            )));
        };
        let mut map = HashMap::new();
        let mut profile = Vec::new();
        for (k, v) in obj {
            let s = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::Object(fields) if k == "profile" => {
                    profile.extend(fields);
                    continue;
                }
                serde_json::Value::String(s) => s,
                // A passkey's answer: the `PublicKeyCredential` as JSON, kept as its text.
                serde_json::Value::Object(credential) if k == "credential" => {
                    serde_json::Value::Object(credential).to_string()
                }
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Array(items) => {
                    let mut parts = Vec::with_capacity(items.len());
                    for item in items {
                        match item {
                            serde_json::Value::String(s) => parts.push(s),
                            _ => {
                                return Err(InputError::WrongType(
                                    Message::new("error-bad_request-not_a_list").arg("field", k),
                                ));
                            }
                        }
                    }
                    parts.join(",")
                }
                _ => {
                    return Err(InputError::WrongType(
                        Message::new("error-bad_request-not_a_string").arg("field", k),
                    ));
                }
            };
            map.insert(k, s);
        }
        Ok(Self { map, profile })
    }

    /// The fields of a JSON body's `"profile"` object, as they came.
    pub(crate) fn profile_object(&self) -> &[(String, serde_json::Value)] {
        &self.profile
    }

    /// The raw value, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// The value, or `""`.
    pub(crate) fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// The trimmed value when non-empty.
    pub(crate) fn optional(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    /// A checkbox or boolean: `on`, `true`, `1`, `yes`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        matches!(
            self.get(name).map(str::to_ascii_lowercase).as_deref(),
            Some("on" | "true" | "1" | "yes")
        )
    }

    /// The whole number in field `name` (ASCII digits only: no sign, no fraction), `None`
    /// when absent or blank. Digits past [`u64::MAX`] read as `u64::MAX`, for the caller's
    /// bound to refuse or clamp.
    ///
    /// # Errors
    /// `not_a_number` on `name` for anything else.
    pub(crate) fn whole_number(&self, name: &'static str) -> Result<Option<u64>, ValidationErrors> {
        let Some(text) = self.get(name).map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            let mut errors = ValidationErrors::new();
            errors.push(
                name,
                "not_a_number",
                auth_core::Message::new("field-not_a_number"),
            );
            return Err(errors);
        }
        Ok(Some(text.parse().unwrap_or(u64::MAX)))
    }

    /// A listing's `offset`: how many records to skip, 0 when absent.
    ///
    /// # Errors
    /// `not_a_number`, or `out_of_range` past [`MAX_OFFSET`].
    pub(crate) fn offset(&self) -> Result<u64, ValidationErrors> {
        let offset = self.whole_number("offset")?.unwrap_or(0);
        if offset > MAX_OFFSET {
            let mut errors = ValidationErrors::new();
            errors.push(
                "offset",
                "out_of_range",
                auth_core::Message::new("field-offset-out_of_range").arg("n", MAX_OFFSET),
            );
            return Err(errors);
        }
        Ok(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_json_read_the_same_way() {
        let f = Fields::from_form(b"email=a%40b.example&remember=on&email=second").unwrap();
        assert_eq!(f.get("email"), Some("a@b.example"));
        assert!(f.flag("remember"));
        let j = Fields::from_json(br#"{"email":"a@b.example","remember":true,"x":null}"#).unwrap();
        assert_eq!(j.get("email"), Some("a@b.example"));
        assert!(j.flag("remember"));
        assert_eq!(j.get("x"), None);
        let roles = Fields::from_json(br#"{"roles":["admin","editor"]}"#).unwrap();
        assert_eq!(roles.get("roles"), Some("admin,editor"));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(matches!(
            Fields::from_json(b"[1]"),
            Err(InputError::Malformed(_))
        ));
        assert!(matches!(
            Fields::from_json(b"{"),
            Err(InputError::Malformed(_))
        ));
        assert!(matches!(
            Fields::from_json(br#"{"email":5}"#),
            Err(InputError::WrongType(_))
        ));
        let nested = Fields::from_json(br#"{"profile":{"age":5}}"#).unwrap();
        assert_eq!(nested.profile_object(), &[("age".to_owned(), 5.into())]);
        assert!(Fields::from_json(b"  ").unwrap().get("a").is_none());
        let errs = Fields::from_form(b"login=+")
            .unwrap()
            .input::<auth_core::Login>()
            .unwrap_err();
        assert_eq!(errs.errors().len(), 2);
        assert_eq!(errs.field("login").map(|e| e.code), Some("required"));
    }

    #[test]
    fn numbers_and_offsets_never_wrap() {
        let code = |query: &str| {
            Fields::from_query(Some(query))
                .offset()
                .map_err(|e| e.errors()[0].code)
        };
        assert_eq!(code(""), Ok(0));
        assert_eq!(code("offset="), Ok(0));
        assert_eq!(code("offset=+"), Ok(0), "a plus is a space in a query");
        assert_eq!(code("offset=25"), Ok(25));
        assert_eq!(code("offset=%2025%20"), Ok(25));
        assert_eq!(code("offset=9223372036854775807"), Ok(MAX_OFFSET));
        for absurd in [
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999999999999999999",
        ] {
            assert_eq!(
                code(&format!("offset={absurd}")),
                Err("out_of_range"),
                "{absurd}"
            );
        }
        for bad in ["-1", "-0", "%2B1", "1.5", "1e3", "0x10", "abc", "１"] {
            assert_eq!(code(&format!("offset={bad}")), Err("not_a_number"), "{bad}");
        }
        let limit = Fields::from_query(Some("limit=99999999999999999999"));
        assert_eq!(limit.whole_number("limit"), Ok(Some(u64::MAX)));
        assert_eq!(Fields::default().whole_number("limit"), Ok(None));
    }
}
