//! The inputs of the flows, each read by one function ([`Fields::input`]) from a posted
//! form or a JSON body alike, so that a page and its endpoint accept the same fields with
//! the same rules. The rules live in [`Reader`]: names, identifiers and handles are
//! trimmed; passwords and tokens are taken as sent; a required field that is missing or
//! blank is a `required` error on that field, every such field reported at once.

use auth_core::{
    EmailChange, Login, PasswordChange, PasswordReset, Registration, ValidationErrors,
};

use crate::fields::Fields;

/// An input of a flow, read field by field from a [`Reader`].
pub(crate) trait Input: Sized {
    /// Reads the input; required fields that are missing are recorded in `r`.
    fn read(r: &mut Reader<'_>) -> Self;
}

impl Fields {
    /// Reads the input `T` from these fields.
    ///
    /// # Errors
    /// A `required` error for every required field that is missing or blank.
    pub(crate) fn input<T: Input>(&self) -> Result<T, ValidationErrors> {
        let mut reader = Reader {
            fields: self,
            errors: ValidationErrors::new(),
        };
        let input = T::read(&mut reader);
        if reader.errors.is_empty() {
            Ok(input)
        } else {
            Err(reader.errors)
        }
    }
}

/// Reads the fields of one input and collects what is missing.
pub(crate) struct Reader<'f> {
    fields: &'f Fields,
    errors: ValidationErrors,
}

impl Reader<'_> {
    /// The field as sent, `""` when absent, after recording `required` when it is blank.
    fn required(&mut self, name: &'static str) -> &str {
        let value = self.fields.get(name).unwrap_or_default();
        if value.trim().is_empty() {
            self.errors
                .push(name, "required", auth_core::Message::new("field-required"));
        }
        value
    }

    /// A required name, address or handle, trimmed.
    pub(crate) fn text(&mut self, name: &'static str) -> String {
        self.required(name).trim().to_owned()
    }

    /// A required password or token, exactly as sent: a password may begin or end with
    /// a space, and a token is checked as it came.
    pub(crate) fn secret(&mut self, name: &'static str) -> String {
        self.required(name).to_owned()
    }

    /// An optional name, trimmed; `None` when absent or blank.
    pub(crate) fn optional(&self, name: &str) -> Option<String> {
        self.fields.optional(name)
    }

    /// A checkbox or boolean.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.fields.flag(name)
    }

    /// A list: a JSON array of strings, or a comma-separated text (`admin, editor`);
    /// entries trimmed, blank ones dropped.
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        self.fields
            .get(name)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

impl Input for Login {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            login: r.text("login"),
            password: r.secret("password"),
            remember: r.flag("remember"),
        }
    }
}

impl Input for Registration {
    fn read(r: &mut Reader<'_>) -> Self {
        let email = r.text("email");
        let new = NewPassword::read(r);
        Self {
            email,
            username: r.optional("username"),
            password: new.password,
            password_confirm: new.password_confirm,
            // The profile fields are the schema's, read by the caller (see `crate::profile`).
            profile: auth_core::ProfileUpdate::new(),
            // The request's language, set by the registration handler.
            language: None,
        }
    }
}

/// The address of `POST /verify/resend` and `POST /request_password_reset`.
pub(crate) struct EmailAddress {
    pub(crate) email: String,
}

impl EmailAddress {
    /// What its form shows again when the flow refuses it: the address as typed.
    pub(crate) fn again(fields: &Fields) -> serde_json::Value {
        serde_json::json!({ "values": { "email": fields.text("email") } })
    }
}

impl Input for EmailAddress {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            email: r.text("email"),
        }
    }
}

/// The token of a mailed link, posted by a program (the pages take it from a cookie).
pub(crate) struct LinkToken {
    pub(crate) token: String,
}

impl Input for LinkToken {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            token: r.secret("token"),
        }
    }
}

/// A new password, typed twice.
pub(crate) struct NewPassword {
    password: String,
    password_confirm: String,
}

impl NewPassword {
    /// The reset of the account `token` is for.
    pub(crate) fn for_token(self, token: String) -> PasswordReset {
        PasswordReset {
            token,
            password: self.password,
            password_confirm: self.password_confirm,
        }
    }
}

impl Input for NewPassword {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            password: r.secret("password"),
            password_confirm: r.secret("password_confirm"),
        }
    }
}

impl Input for PasswordReset {
    fn read(r: &mut Reader<'_>) -> Self {
        let token = r.secret("token");
        NewPassword::read(r).for_token(token)
    }
}

/// `POST /account/profile`: the username, `None` to drop it.
pub(crate) struct Profile {
    pub(crate) username: Option<String>,
}

impl Input for Profile {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            username: r.optional("username"),
        }
    }
}

/// The body of `POST /account/language`: a language tag, or empty for the default.
pub(crate) struct LanguageChoice {
    pub(crate) language: Option<String>,
}

impl Input for LanguageChoice {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            language: r.optional("language"),
        }
    }
}

impl Input for PasswordChange {
    fn read(r: &mut Reader<'_>) -> Self {
        let current_password = r.secret("current_password");
        let new = NewPassword::read(r);
        Self {
            current_password,
            password: new.password,
            password_confirm: new.password_confirm,
        }
    }
}

impl Input for EmailChange {
    fn read(r: &mut Reader<'_>) -> Self {
        let new_email = r.text("new_email");
        Self {
            password: r.secret("password"),
            new_email,
        }
    }
}

/// The password that confirms deleting the account.
pub(crate) struct CurrentPassword {
    pub(crate) password: String,
}

impl Input for CurrentPassword {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            password: r.secret("password"),
        }
    }
}

/// The device to sign out: the public handle of its session.
pub(crate) struct SessionHandle {
    pub(crate) session: String,
}

impl Input for SessionHandle {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            session: r.text("session"),
        }
    }
}

/// `POST /admin/users/{id}/roles`: every role the user should hold.
pub(crate) struct Roles {
    pub(crate) roles: Vec<String>,
}

impl Input for Roles {
    fn read(r: &mut Reader<'_>) -> Self {
        Self {
            roles: r.list("roles"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Fields {
        Fields::from_form(body.as_bytes()).unwrap()
    }

    #[test]
    fn forms_and_json_give_the_same_input() {
        let a: Login = form("login=+ada%40example.com+&password=+pw+&remember=on")
            .input()
            .unwrap();
        let b: Login = Fields::from_json(
            br#"{"login":" ada@example.com ","password":" pw ","remember":true}"#,
        )
        .unwrap()
        .input()
        .unwrap();
        for l in [a, b] {
            assert_eq!(l.login, "ada@example.com", "names are trimmed");
            assert_eq!(l.password, " pw ", "passwords are not");
            assert!(l.remember);
        }
        let roles: Roles = Fields::from_json(br#"{"roles":[" admin","","editor "]}"#)
            .unwrap()
            .input()
            .unwrap();
        assert_eq!(roles.roles, ["admin", "editor"]);
        assert_eq!(
            form("roles=admin,+editor").input::<Roles>().unwrap().roles,
            ["admin", "editor"]
        );
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errors = form("email=+&password=x")
            .input::<Registration>()
            .unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            [("email", "required"), ("password_confirm", "required")]
        );
        let errors = form("").input::<PasswordReset>().unwrap_err();
        assert_eq!(errors.errors().len(), 3);
        assert!(form("").input::<Profile>().unwrap().username.is_none());
        assert!(form("session=+").input::<SessionHandle>().is_err());
    }
}
